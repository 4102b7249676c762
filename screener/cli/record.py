"""The record's options on the command line (``--save``, ``--client``, ``--force``,
``--since``) and reading the previous record a returning client is compared with."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from screener.answers.source import input_limit, read_answers, source_name
from screener.errors import InputError

if TYPE_CHECKING:
    from datetime import datetime

    from screener.answers.intake import Intake
    from screener.decision.assessment import Assessment
    from screener.render.since import Previous
    from screener.rules import RuleSet


def add_record_flags(p: argparse.ArgumentParser, save_help: str) -> None:
    p.add_argument("--save", metavar="PATH", help=save_help)
    p.add_argument("--client", metavar="TEXT", type=_client,
                   help="the person's name, printed on the html/pdf page and kept in --save "
                        "only (never in the assessment)")
    p.add_argument("--force", action="store_true", help="let --save replace an existing file")
    p.add_argument("--since", metavar="PREVIOUS", help=(
        "a record saved earlier with --save: show first what changed since (conditions, "
        "decision, expired clearances), its days moved forward to today"))


def _client(text: str) -> str:
    """A name for the record: one printable line, at most 200 characters."""
    if not text.strip() or len(text) > 200 or not text.isprintable():
        raise argparse.ArgumentTypeError("give a name of 1 to 200 printable characters, "
                                         "one line")
    return text.strip()


def read_previous(source: str, rules: RuleSet, at: datetime,
                  limit: int | None = None) -> Previous:
    """The record ``--since`` names, read as strictly as ``--answers`` (bounded, no
    repeated keys, the intake validated), and not dated after ``at`` (now)."""
    from screener.parse import previous_record
    from screener.render.since import whole_days

    name = source_name(source)
    previous = previous_record(read_answers(source, input_limit(limit)), name, rules)
    if whole_days(previous.screened_at, at) < 0:
        raise InputError(f"{name}: screened_at: {previous.screened_at.isoformat()} is later "
                         "than today: check the clock or the file")
    return previous


Since = tuple["Previous", "datetime"]  # the previous record and the "now" it is read at


def previous_for(args: argparse.Namespace, rules: RuleSet) -> Since | None:
    """The record ``--since`` names and the moment it is compared at, read before any
    question is asked or answer screened."""
    if getattr(args, "since", None) is None:
        return None
    from screener.render.since import now

    at = now()
    return read_previous(args.since, rules, at, args.max_input_bytes), at


def compared(previous: Previous, at: datetime, intake: Intake, assessment: Assessment,
             rules: RuleSet) -> dict[str, Any]:
    """``changes_since`` of a screening against the previous record."""
    from screener.render.since import changes_since

    return changes_since(previous, intake, assessment, rules, at)
