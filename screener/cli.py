"""The ``screener`` command line. Exit status: 0 a routine was produced, 3 refer,
4 urgent, 2 invalid input or rules (one line on stderr, nothing on stdout), 1 any other
failure, 130 interrupted."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

from .answers import InputError, parse_intake
from .errors import RulesError
from .intake import Intake
from .ruleset import RuleSet, default_rules, load_rules

EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_REFER, EXIT_URGENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
DECISION_EXIT = {"proceed": EXIT_OK, "adjust": EXIT_OK, "refer": EXIT_REFER, "urgent": EXIT_URGENT}
# As render.FORMATS; not imported from there, to keep the cold start light.
FORMATS = ("text", "json", "markdown", "svg", "html", "pdf")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise InputError(f"{message} (see 'screener --help')")


def read_intake(source: str, rules: RuleSet) -> Intake:
    """Read one intake from a file or '-' (stdin), as a fully validated ``Intake``."""
    name = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_intake(text, name, rules)


def _rules(args: argparse.Namespace) -> RuleSet:
    return load_rules(args.rules) if getattr(args, "rules", None) else default_rules()


def _use_colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def finish(intake: Intake, rules: RuleSet, fmt: str, save: str | None) -> int:
    """Screen, render, print, optionally save; the exit status for the decision."""
    from .render import render
    from .screening import screen

    if fmt == "pdf" and sys.stdout.isatty():
        raise InputError("--format pdf writes binary: redirect it to a file (> result.pdf)")
    assessment = screen(intake, rules)
    width = min(shutil.get_terminal_size((88, 24)).columns, 100) if sys.stdout.isatty() else 88
    output = render(assessment, fmt, rules, colour=fmt == "text" and _use_colour(sys.stdout),
                    width=width - 1)
    if save:
        from .storage import save_private

        save_private(save, intake, assessment)
    if isinstance(output, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
    else:
        sys.stdout.write(output)
    return DECISION_EXIT[assessment.decision]


def cmd_screen(args: argparse.Namespace) -> int:
    rules = _rules(args)
    return finish(read_intake(args.answers, rules), rules, args.format, args.save)


def cmd_checklist(args: argparse.Namespace) -> int:
    if args.answers:
        return cmd_screen(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("not a terminal: to screen without prompts, run "
                         "'screener screen --answers FILE' (or '-' for stdin)")
    from .checklist import run_checklist_with_choice

    rules = _rules(args)
    intake, wants_guide = run_checklist_with_choice(rules)
    status = finish(intake, rules, args.format, args.save)
    if wants_guide and status == EXIT_OK:  # refer and urgent never reach a step
        from .guide import run_guide
        from .screening import screen

        try:
            input("\nPress Enter to start the guided routine (Ctrl-C to leave). ")
            run_guide(screen(intake, rules))
        except KeyboardInterrupt:  # after the result: say truthfully what was kept
            kept = f"the result was saved to {args.save}" if args.save else "nothing was saved"
            print(f"\nscreener: guide cancelled; {kept}.", file=sys.stderr)
            return EXIT_INTERRUPTED
    return status


def cmd_guide(args: argparse.Namespace) -> int:
    """The routine step by step; a referral is shown and exits 3 or 4, as ``screen`` does."""
    from .render import render
    from .screening import screen

    rules = _rules(args)
    intake = read_intake(args.answers, rules)
    assessment = screen(intake, rules)
    if assessment.routine is None:
        sys.stdout.write(render(assessment, "text", rules, colour=_use_colour(sys.stdout)))
        return DECISION_EXIT[assessment.decision]
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("guide needs a terminal (and --answers a file, not '-'); without "
                         "one, run 'screener screen --answers FILE'")
    from .guide import run_guide

    run_guide(assessment, speed=args.speed)
    return DECISION_EXIT[assessment.decision]


def cmd_rules(args: argparse.Namespace) -> int:
    from .docs import rule_listing, rule_page

    rules = _rules(args)
    if args.action == "show":
        if not args.id or args.id not in rules.rule_index:
            raise InputError(f"unknown rule id {args.id!r} (see 'screener rules')")
        sys.stdout.write(rule_page(rules, args.id))
    else:
        sys.stdout.write(rule_listing(rules))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import intake_schema

    sys.stdout.write(json.dumps(intake_schema(_rules(args)), indent=2) + "\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain_text

    rules = _rules(args)
    intake = read_intake(args.answers, rules)
    text, decision = explain_text(rules, intake)
    sys.stdout.write(text)
    return DECISION_EXIT[decision]


def _open(source: str):
    from .batch import open_lines

    try:
        return open_lines(source)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None


def cmd_batch(args: argparse.Namespace) -> int:
    """Exit 0 when every line was screened, 2 when any line was invalid, 1 when any
    failed otherwise. Refer and urgent are results, not failures."""
    from .batch import run_batch

    rules = _rules(args)
    with _open(args.answers) as lines:
        tally = run_batch(lines, rules, sys.stdout, sys.stderr)
    return EXIT_FAILURE if tally.failed else EXIT_INVALID if tally.invalid else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 whether or not decisions changed; 2 when any line was invalid."""
    from collections import Counter

    from .batch import describe_change, diff_lines, diff_summary

    if len(args.rules or []) != 2:
        raise InputError("diff needs --rules OLD --rules NEW")
    old, new = (load_rules(path) for path in args.rules)
    counts: Counter[str] = Counter()
    with _open(args.answers) as lines:
        for record in diff_lines(lines, old, new, counts):
            sys.stdout.write((json.dumps(record) if args.format == "json"
                              else describe_change(record)) + "\n")
    summary = diff_summary(counts)
    if args.format == "json":
        sys.stderr.write(summary + "\n")
    else:
        sys.stdout.write(summary + "\n")
    return EXIT_INVALID if counts["invalid"] else EXIT_OK


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0.1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0.1 to 1000")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="screener", description=(
        "Leg massage safety screener. With no command on a terminal: the interactive "
        "checklist. It supports, and never replaces, professional judgement."))
    parser.add_argument("--answers", help="replay saved answers (JSON) instead of prompting")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--save", metavar="PATH",
                        help="save answers and result (owner-only file); nothing is saved otherwise")
    parser.add_argument("--rules", metavar="DIR", help="a rule set folder of one's own")
    parser.set_defaults(func=cmd_checklist)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("screen", help="screen a JSON intake without prompts")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON intake, '-' for stdin")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--save", metavar="PATH", help="save answers and result (owner-only file)")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("guide", help="follow the routine one step at a time, with a countdown")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON intake")
    p.add_argument("--rules", metavar="DIR")
    p.add_argument("--speed", type=_speed, default=1.0, metavar="FACTOR",
                   help="run the clock FACTOR times faster, to rehearse (default 1)")
    p.set_defaults(func=cmd_guide)

    p = sub.add_parser("rules", help="list the rules, or show one: rules show ID")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("schema", help="print the intake JSON Schema")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("explain", help="which rules fired for an intake, which did not, and why")
    p.add_argument("--answers", required=True, metavar="FILE")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("batch", help="screen JSON Lines, one intake a line, to JSON Lines")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON Lines, '-' for stdin")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("diff", help="which intakes a new rule set would decide differently")
    p.add_argument("--rules", action="append", metavar="DIR", help="give twice: OLD then NEW")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON Lines, '-' for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (InputError, RulesError) as exc:
        print(f"screener: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("screener: cancelled; nothing was saved.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_FAILURE
    except Exception as exc:  # fail closed: a message, never a routine, never a traceback
        print(f"screener: failed, no result given: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
