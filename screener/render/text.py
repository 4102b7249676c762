"""The result on a terminal, laid out by rich: the decision in a panel, the changes as a
table, the routine as numbered steps.

Without colour (a pipe, ``NO_COLOR``, ``TERM=dumb``) the same content is plain text: no
escape codes, no box lines, the headline first, so it reads in a log or a mail.
The decision line can never be missed: it is in capitals, colour is only an extra.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screener.decision.assessment import Assessment, Routine
from screener.rules import RuleSet
from screener.render.words import (
    DISCLAIMER,
    HEADLINES,
    changes,
    duration,
    is_referral,
    why,
    step_places,
    summarise,
    title,
    words,
)

STYLES = {"proceed": "bold green", "adjust": "bold yellow", "refer": "bold magenta",
          "urgent": "bold white on red"}


def render(assessment: Assessment, rules: RuleSet | None = None, *, colour: bool = False,
           width: int = 88, **_: object) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False,
                      emoji=False, markup=False, legacy_windows=False)
    for part in _parts(assessment, rules, colour):
        console.print(part)
    text = out.getvalue()
    if not colour:  # rich pads lines of tables and panels to the width
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    return text


def _parts(assessment: Assessment, rules: RuleSet | None, colour: bool) -> list[RenderableType]:
    decision = assessment.decision
    headline = Text(HEADLINES[decision], style=STYLES[decision] if colour else "")
    parts: list[RenderableType] = [
        Panel(headline, box=box.HEAVY, border_style=STYLES[decision].split(" on ")[0])
        if colour else headline, ""]
    if assessment.referral:
        parts += [Text(f"What to do: {assessment.referral.message}", style="bold"), ""]
    notice = assessment.routine.notice if assessment.routine else None
    if notice:
        parts += [Panel(Text(notice), title="Please note", box=box.ROUNDED) if colour
                  else Text(f"PLEASE NOTE: {notice}"), ""]
    rows = [] if is_referral(assessment) else changes(assessment)
    if rows:
        table = _table(colour, "Change", "Where")
        for what, where in rows:
            table.add_row(what, where)
        parts += [Text("Changes:", style="bold"), Padding(table, (0, 0, 0, 2)), ""]
    parts += _why(assessment, rules)
    parts += _routine(assessment.routine, colour)
    r = assessment.ruleset
    parts += [Text(f"Rule set: {r.name} {r.version} ({r.digest[:19]})"), Text(DISCLAIMER)]
    return parts


def _table(colour: bool, *columns: str) -> Table:
    """A table with box lines on a terminal, aligned columns without them otherwise."""
    table = Table(*columns, box=box.SIMPLE_HEAD if colour else None, show_header=colour,
                  pad_edge=False, header_style="bold")
    return table


def _why(assessment: Assessment, rules: RuleSet | None) -> list[RenderableType]:
    if not assessment.findings:
        return [Text("Nothing in the answers calls for changes."), ""]
    referral = is_referral(assessment)
    shown, also = why(assessment, rules)
    parts: list[RenderableType] = [Text("Why:", style="bold")]
    for f in shown:
        lines: list[RenderableType] = [Text(f.reason)]
        if not referral:  # a referral's findings must not read like massage instructions
            arrows = Table.grid(padding=(0, 1))
            arrows.add_column(width=2)
            arrows.add_column()
            for phrase in summarise(f):
                arrows.add_row("->", phrase)
            lines.append(arrows)
        lines.append(Text(f"Sources: {'; '.join(f.sources)}", style="dim"))
        parts += [Text(f"  * {title(f, rules)} [{f.rule}, {f.decision}]"),
                  Padding(Group(*lines), (0, 0, 0, 4))]
    if also:
        parts.append(Text(also))
    return [*parts, ""]


def _routine(routine: Routine | None, colour: bool) -> list[RenderableType]:
    if routine is None:
        return [Text("No massage routine is given."), ""]
    parts: list[RenderableType] = [
        Text(f"Routine: {words(routine.goal)}, {routine.minutes} minutes", style="bold")]
    steps = Table.grid(padding=(0, 1))
    steps.add_column(justify="right", width=5)
    steps.add_column()
    for n, step in enumerate(routine.steps, 1):
        tool = f" with a {words(step.tool)}" if step.tool else ""
        head = Text(f"{step.name}: {words(step.technique)}{tool}, {step.pressure} pressure, "
                    f"{duration(step.minutes)} ({step_places(step)})", style="bold" if colour else "")
        steps.add_row(f"{n}.", Group(head, Text(step.instructions)))
    parts += [steps, "", Text("Precautions:", style="bold")]
    precautions = Table.grid(padding=(0, 1))
    precautions.add_column(justify="right", width=3)
    precautions.add_column()
    for p in routine.precautions:
        precautions.add_row("-", p)
    return [*parts, precautions, ""]
