"""The interactive pre-massage checklist (``screener`` on a terminal), built on questionary.

Questions come from the rule files, so a new condition file is asked about with no
change here. The order copies PAR-Q+: the red flags first, every time; then short gate
questions (one checkbox per group of conditions) with follow-ups only for what was
ticked; then the session; then a review where any answer can be changed. Every
follow-up is asked, and every "no" is kept (``flags_no``, ``conditions_no``: an
unticked condition of a group that was shown was answered no), so the result reads
cautiously only what was truly not asked. After each condition the answers so far are
screened, and an urgent result stops the checklist at once. Ctrl-C or Esc leaves; nothing is written unless ``--save`` was given.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from questionary import Choice

from screener.answers.intake import Intake
from screener.answers.questions import (
    AREAS_QUESTION,
    CLEARED_DAYS_QUESTION,
    CLEARED_QUESTION,
    GOAL_TITLES,
    GROUPS,
    PRESSURE_TITLES,
    SEVERITY_QUESTION,
    SIDE_QUESTION,
    SIDE_TITLES,
    asked_conditions,
    describe_entry,
)
from screener.rules import Condition, RuleSet
from screener.cli.watchdog import screen_bounded as screen
from screener.vocabulary import AREAS, GOALS, SEVERITIES

INTRO = ("A few questions about the legs and health of the person to be massaged, so the "
         "massage can be made safe for them, or put off until a professional has been "
         "asked. It takes about two minutes. It supports, and never replaces, a healthcare "
         "professional's advice. Answers stay on this computer and are not saved unless "
         "you asked for that with --save. Press Ctrl-C or Esc at any time to stop.")

SIDE_CHOICES = [Choice(title, side) for side, title in SIDE_TITLES.items()]
# Columns before a choice's title: the pointer (" » "), and a checkbox's box ("○ ").
CHOICE_INDENT = {False: 3, True: 5}
ANSWER_ROOM = 10  # after a question: " (y/N) No"

Entry = dict[str, Any]


def _escape_leaves() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings


def _fold(text: str, width: int, indent: int) -> str:
    """``text`` in whole words on lines of at most ``width`` columns, the lines after the
    first indented by ``indent`` (prompt_toolkit would cut a word at the edge:
    "especiall|y")."""
    lines = textwrap.wrap(text, width=max(width - indent, 20), break_long_words=False,
                          break_on_hyphens=False)
    return ("\n" + " " * indent).join(lines)


def _ask(prompt: Callable[..., questionary.Question], message: str, **kwargs: Any) -> Any:
    """Ask one question (``questionary.confirm``, ``select``, ...) folded in whole words to
    the terminal's width, with Esc as well as Ctrl-C leaving (both raise KeyboardInterrupt).
    The question sits after "? " and before its "(y/N) No"; a choice after its pointer and
    box, the lines after the first indented under its first word."""
    width = shutil.get_terminal_size((80, 24)).columns - 1
    if "choices" in kwargs:
        indent = CHOICE_INDENT[prompt is questionary.checkbox]
        kwargs["choices"] = [Choice(_fold(c.title, width - indent, 0).replace(
            "\n", "\n" + " " * indent), c.value) for c in kwargs["choices"]]
    if "instruction" in kwargs and prompt is not questionary.confirm:  # own line, under it
        kwargs["instruction"] = "\n  " + _fold(kwargs["instruction"], width, 2)
    question = prompt(_fold(message, width - ANSWER_ROOM, 2), **kwargs)
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, _escape_leaves()])
    return question.unsafe_ask()


def _yes_no(question: str) -> bool | None:
    """Yes, no, or None when Enter is pressed without an answer: an unanswered question is
    never a made-up "no" (contract v1.2); it is read cautiously, or asked again."""
    return _ask(questionary.confirm, question, default=None, instruction="(y/n) ")


def _days(text: str) -> bool | str:
    return text.strip().isdigit() or "Please type a whole number of days, e.g. 0 for today"


def _minutes(text: str) -> bool | str:
    ok = text.strip().isdigit() and 5 <= int(text) <= 60
    return ok or "Please type a number of minutes from 5 to 60"


class Checklist:
    """One run of the checklist: asks, keeps the answers, and builds the ``Intake``."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.entries: dict[str, Entry] = {}  # condition code -> intake entry
        self.answered_no: set[str] = set()  # condition questions answered no
        self.session: dict[str, Any] = {}
        self.guide = False  # chosen at the end: follow the routine step by step

    # -- the parts -------------------------------------------------------------------
    def run(self) -> Intake:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        print("Leg massage safety checklist\n----------------------------\n"
              + _fold(INTRO, min(width, 88), 0) + "\n")
        for condition in self._conditions(red_flags=True):
            answer = _yes_no(condition.question)
            while answer is None:  # a red flag is never skipped
                print("  Please answer y or n: this one cannot be left out.")
                answer = _yes_no(condition.question)
            if not answer:
                self.answered_no.add(condition.code)
                continue
            self.entries[condition.code] = {"code": condition.code}
            if self._urgent():
                return self.intake()
        for group, title in GROUPS.items():
            choices = [Choice(c.question, c.code) for c in self._conditions(group=group)]
            if not choices:
                continue
            ticked = _ask(questionary.checkbox, f"{title}: does any of these apply?",
                          choices=choices, instruction="(space to tick, enter to go on; "
                          "tick nothing if none apply)")
            self.answered_no.update(c.value for c in choices if c.value not in ticked)
            for code in ticked:
                self.entries[code] = self._follow_ups(self.rules.conditions[code])
                if self._urgent():
                    return self.intake()
        self._ask_session()
        return self._review()

    def _conditions(self, red_flags: bool = False, group: str | None = None) -> list[Condition]:
        return asked_conditions(self.rules, red_flags, group)

    def _follow_ups(self, c: Condition) -> Entry:
        entry: Entry = {"code": c.code}
        print(f"\n{c.title}")
        if "sites" in c.asks:
            entry["sites"] = self._ask_sites()
        elif "sides" in c.asks:
            side = _ask(questionary.select, SIDE_QUESTION, choices=SIDE_CHOICES)
            entry["sites"] = [{"side": side}]
        if "days_ago" in c.asks:
            days = _ask(questionary.text, c.days_question, validate=_days)
            entry["days_ago"] = int(days.strip())
        if "severity" in c.asks:
            entry["severity"] = _ask(questionary.select, SEVERITY_QUESTION,
                                     choices=[Choice(s.capitalize(), s) for s in SEVERITIES])
        if "cleared" in c.asks:
            entry["cleared"] = bool(_yes_no(CLEARED_QUESTION))  # unanswered: not cleared
            if entry["cleared"]:  # a clearance counts from its date (contract v1.2)
                days = _ask(questionary.text, CLEARED_DAYS_QUESTION, validate=_days)
                entry["cleared_days_ago"] = int(days.strip())
        answers = {flag: _yes_no(question) for flag, question in c.flags.items()}
        for key, wanted in (("flags", True), ("flags_no", False)):
            chosen = [flag for flag, yes in answers.items() if yes is wanted]
            if chosen:
                entry[key] = chosen
        return entry

    def _ask_sites(self) -> list[dict[str, str]]:
        sites: list[dict[str, str]] = []
        while True:
            side = _ask(questionary.select, SIDE_QUESTION, choices=SIDE_CHOICES)
            areas = _ask(questionary.checkbox, AREAS_QUESTION,
                         instruction="(space to tick; tick nothing for the whole leg)",
                         choices=[Choice(a, a) for a in AREAS])
            sites += [{"area": a, "side": side} for a in areas] or [{"side": side}]
            if not _ask(questionary.confirm, "Anywhere else?", default=False):
                return sites

    def _ask_session(self) -> None:
        self.session["goal"] = _ask(questionary.select, "What is the massage for?",
                                    choices=[Choice(GOAL_TITLES[g], g) for g in GOALS])
        self.session["preferred_pressure"] = _ask(
            questionary.select, "How much pressure is wanted at most?",
            choices=[Choice(t, p) for p, t in PRESSURE_TITLES.items()], default="moderate")
        minutes = _ask(questionary.text, "How many minutes? (5 to 60)", default="15",
                       validate=_minutes)
        self.session["minutes"] = int(minutes.strip())

    # -- review ----------------------------------------------------------------------
    def summary(self) -> str:
        lines = ["Your answers:"]
        if not self.entries:
            lines.append("  - none of the conditions apply")
        for code, entry in self.entries.items():
            lines.append(f"  - {self.rules.conditions[code].title}{describe_entry(entry)}")
        s = self.session
        lines.append(f"  Massage: {s['goal'].replace('_', ' ')}, {s['preferred_pressure']} "
                     f"pressure at most, {s['minutes']} minutes")
        return "\n".join(lines)

    def _review(self) -> Intake:
        while True:
            print("\n" + self.summary() + "\n")
            choices = [Choice("These are right: show the result", "done")]
            choices += [Choice(f"Change: {self.rules.conditions[c].title}", c) for c in self.entries]
            choices += [Choice("Add a condition", "add"),
                        Choice("Change the goal, pressure or minutes", "session"),
                        Choice("These are right: show the result, then guide me step by step",
                               "guide")]
            pick = _ask(questionary.select, "Anything to change?", choices=choices)
            if pick in ("done", "guide"):
                self.guide = pick == "guide"
                return self.intake()
            if pick == "session":
                self._ask_session()
            elif pick == "add":
                missing = [Choice(c.title, c.code) for c in self.rules.conditions.values()
                           if c.code not in self.entries]
                code = _ask(questionary.select, "Which condition?", choices=missing)
                self.entries[code] = self._follow_ups(self.rules.conditions[code])
            else:
                action = _ask(questionary.select, self.rules.conditions[pick].title,
                              choices=[Choice("Answer its questions again", "again"),
                                       Choice("Remove it: it does not apply", "remove")])
                if action == "remove":
                    del self.entries[pick]
                    self.answered_no.add(pick)
                else:
                    self.entries[pick] = self._follow_ups(self.rules.conditions[pick])
            if self._urgent():
                return self.intake()

    # -- building the intake ---------------------------------------------------------
    def intake(self) -> Intake:
        no = [c for c in self.rules.conditions
              if c in self.answered_no and c not in self.entries]
        data = {"conditions": list(self.entries.values()), "conditions_no": no, **self.session}
        return Intake.model_validate(data, context={"rules": self.rules})

    def _urgent(self) -> bool:
        """Whether the answers so far already call for urgent care (then stop asking)."""
        if screen(self.intake(), self.rules).decision == "urgent":
            print("\nThat answer needs medical attention first; the checklist stops here.\n")
            return True
        return False


def run_checklist_with_choice(rules: RuleSet) -> tuple[Intake, bool]:
    """The checklist, and whether the routine should then be guided step by step."""
    checklist = Checklist(rules)
    return checklist.run(), checklist.guide
