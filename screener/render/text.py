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

from typing import TYPE_CHECKING

from screener.decision.assessment import Assessment, Routine
from screener.rules import RuleSet
from screener.render.escape import terminal_text as plain
from screener.render.words import (
    CAUTIOUS_NOTE,
    CAUTIOUS_TITLE,
    DISCLAIMER,
    changes,
    duration,
    headline,
    nothing_left,
    read_cautiously,
    is_referral,
    why,
    step_places,
    summarise,
    title,
    words,
)

if TYPE_CHECKING:
    from screener.render.record import Record

STYLES = {"proceed": "bold green", "adjust": "bold yellow", "refer": "bold magenta",
          "urgent": "bold white on red"}


def render(assessment: Assessment, rules: RuleSet | None = None, *, colour: bool = False,
           width: int = 88, record: Record | None = None, **_: object) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False,
                      emoji=False, markup=False, legacy_windows=False)
    since = _since(record.since, rules) if record and record.since else []
    for part in [*since, *_parts(assessment, rules, colour)]:
        console.print(part)
    text = out.getvalue()
    if not colour:  # rich pads lines of tables and panels to the width
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    return text


def _parts(assessment: Assessment, rules: RuleSet | None, colour: bool) -> list[RenderableType]:
    style = STYLES["refer" if nothing_left(assessment) else assessment.decision]
    title_line = Text(headline(assessment), style=style if colour else "")
    parts: list[RenderableType] = [
        Panel(title_line, box=box.HEAVY, border_style=style.split(" on ")[0])
        if colour else title_line, ""]
    if assessment.referral:
        parts += [Text(f"What to do: {plain(assessment.referral.message)}", style="bold"), ""]
    notice = plain(assessment.routine.notice or "") if assessment.routine else None
    if notice:
        parts += [Panel(Text(notice), title="Please note", box=box.ROUNDED) if colour
                  else Text(f"PLEASE NOTE: {notice}"), ""]
    cautious = read_cautiously(assessment, rules)
    if cautious:
        parts += [Text(f"{CAUTIOUS_TITLE}:", style="bold"), Padding(Group(
            Text(CAUTIOUS_NOTE), *(Text(f"- {line}") for line in cautious)), (0, 0, 0, 2)), ""]
    rows = [] if is_referral(assessment) else changes(assessment)
    if rows:
        table = _table(colour, "Change", "Where")
        for what, where in rows:
            table.add_row(Text(plain(what)), Text(plain(where)))
        parts += [Text("Changes:", style="bold"), Padding(table, (0, 0, 0, 2)), ""]
    parts += _why(assessment, rules)
    # nothing left: no routine heading or precautions that could read as a go-ahead
    parts += _routine(None if nothing_left(assessment) else assessment.routine, colour)
    r = assessment.ruleset
    parts += [Text(f"Rule set: {plain(r.name)} {plain(r.version)} ({r.digest[:19]})"), Text(DISCLAIMER)]
    return parts


def _since(changes: dict, rules: RuleSet | None) -> list[RenderableType]:
    """What changed since the previous record, first (contract v1.2)."""
    from screener.render.since import since_lines

    head, lines = since_lines(changes, rules)
    items = Table.grid(padding=(0, 1))
    items.add_column(justify="right", width=3)
    items.add_column()
    for line in lines:
        items.add_row("-", Text(plain(line)))
    return [Text(f"{plain(head)}:", style="bold"), items, ""]


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
        lines: list[RenderableType] = [Text(plain(f.reason))]
        if not referral:  # a referral's findings must not read like massage instructions
            arrows = Table.grid(padding=(0, 1))
            arrows.add_column(width=2)
            arrows.add_column()
            for phrase in summarise(f):
                arrows.add_row("->", Text(plain(phrase)))
            lines.append(arrows)
        lines.append(Text(plain(f"Sources: {'; '.join(f.sources)}"), style="dim"))
        parts += [Text(plain(f"  * {title(f, rules)} [{f.rule}, {f.decision}]")),
                  Padding(Group(*lines), (0, 0, 0, 4))]
    if also:
        parts.append(Text(plain(also)))
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
        head = Text(plain(f"{step.name}: {words(step.technique)}{tool}, {step.pressure} pressure, "
                          f"{duration(step.minutes)} ({step_places(step)})"), style="bold" if colour else "")
        steps.add_row(f"{n}.", Group(head, Text(plain(step.instructions))))
    parts += [steps, "", Text("Precautions:", style="bold")]
    precautions = Table.grid(padding=(0, 1))
    precautions.add_column(justify="right", width=3)
    precautions.add_column()
    for p in routine.precautions:
        precautions.add_row("-", Text(plain(p)))
    return [*parts, precautions, ""]
