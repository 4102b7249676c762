"""The ``screener`` command line. Exit status: 0 a routine was produced, 3 refer,
4 urgent, 5 no massage can be given (an adjust that leaves no step), 2 invalid input or
rules (one line on stderr, nothing on stdout), 1 any other failure, 130 interrupted."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from importlib import import_module
from typing import TYPE_CHECKING, NoReturn

from screener.answers.source import input_limit, opened, parse_size, read_answers, source_name
from screener.cli import interrupts
from screener.cli.record import add_record_flags, compared, previous_for
from screener.cli.many import add_batch, add_diff
from screener.cli.serve import add_serve
from screener.errors import LINE_LIMIT, InputError, RulesError, SaveError, shown

if TYPE_CHECKING:  # the heavy modules load inside main(), after Ctrl-C is handled
    from screener.answers.intake import Intake
    from screener.decision.assessment import Assessment
    from screener.cli.record import Since
    from screener.rules import RuleSet

EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_REFER, EXIT_URGENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_NOTHING_LEFT = 5
DECISION_EXIT = {"proceed": EXIT_OK, "adjust": EXIT_OK, "refer": EXIT_REFER, "urgent": EXIT_URGENT}
# As render.FORMATS (and screener/fhir's cds and fhir); not imported, to keep the cold
# start light.
FORMATS = ("text", "json", "markdown", "svg", "html", "pdf", "cds", "fhir")
_saved: list[str] = []  # what this run saved, so a cancellation says so truthfully


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise InputError(f"{message} (see 'screener --help')")


def _size(text: str) -> int:
    return parse_size(text, "--max-input-bytes")


def read_intake(source: str, rules: RuleSet, limit: int | None = None) -> Intake:
    """Read one intake from a file or '-' (stdin), as a fully validated ``Intake``; at
    most ``limit`` bytes (default: ``SCREENER_MAX_INPUT_BYTES`` or 1 MiB)."""
    from screener.parse import parse_intake

    return parse_intake(read_answers(source, input_limit(limit)), source_name(source), rules)


def _rules(args: argparse.Namespace) -> RuleSet:
    from screener.loading import default_rules, load_rules

    return load_rules(args.rules) if getattr(args, "rules", None) else default_rules()


def _use_colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def exit_status(assessment: Assessment) -> int:
    """The decision's status; 5 when a routine was produced with no step left in it
    (contract v1.2: never the 0 of a go-ahead)."""
    from screener.render.words import nothing_left

    if nothing_left(assessment):
        return EXIT_NOTHING_LEFT
    return DECISION_EXIT[assessment.decision]


def _check_save(args: argparse.Namespace) -> None:
    """Refuse a wrong --save path before any question is asked or answer screened."""
    if getattr(args, "save", None) is not None:  # '' is a wrong path, not "no saving"
        from screener.cli.storage import check_target

        for answers in (getattr(args, "answers", None), getattr(args, "since", None)):
            check_target(args.save, force=args.force, answers=answers)


def _load_format(fmt: str) -> None:
    """Import the module of a format, and so its library (rich for text, drawsvg for svg
    and html), while the worker screens: on a second core the two take the time of one."""
    import_module("screener.fhir" if fmt in ("cds", "fhir") else f"screener.render.{fmt}")


def finish(intake: Intake, rules: RuleSet, fmt: str, save: str | None, *, force: bool = False,
           answers: str | None = None, client: str | None = None,
           since: Since | None = None) -> int:
    """Screen, render, optionally save, print; the exit status for the decision."""
    from screener.render import render
    from screener.cli.watchdog import screen_bounded as screen
    from screener.render.record import Record

    if fmt == "pdf" and sys.stdout.isatty():
        raise InputError("--format pdf writes binary: redirect it to a file (> result.pdf)")
    width = min(shutil.get_terminal_size((88, 24)).columns, 100) if sys.stdout.isatty() else 88
    # durable_rules would turn a Ctrl-C into a failed screening, and pydantic's serialiser
    # into a serialisation error: hold it until both are done (they take milliseconds).
    with interrupts.deferred():
        assessment = screen(intake, rules, meanwhile=lambda: _load_format(fmt))
        record = Record(intake, assessment, client=client,
                        since=since and compared(*since, intake, assessment, rules))
        if fmt in ("cds", "fhir"):
            from screener.fhir import render as render_fhir

            output = render_fhir(assessment, fmt, rules)
        else:
            output = render(assessment, fmt, rules, record=record,
                            colour=fmt == "text" and _use_colour(sys.stdout), width=width - 1)
    if save is not None:
        # Save first, then print: a failed save must end with one error line and no
        # routine on stdout, not a routine that reads as if all went well.
        from screener.cli.storage import save_private

        save_private(save, record, rules, force=force, answers=answers)
        _saved.append(save)
    if isinstance(output, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
    else:
        sys.stdout.write(output)
    return exit_status(assessment)


def cmd_screen(args: argparse.Namespace) -> int:
    _check_save(args)
    rules = _rules(args)
    since = previous_for(args, rules)
    return finish(read_intake(args.answers, rules, args.max_input_bytes), rules, args.format,
                  args.save, force=args.force, answers=args.answers, client=args.client,
                  since=since)


def cmd_checklist(args: argparse.Namespace) -> int:
    if args.answers:
        return cmd_screen(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("not a terminal: to screen without prompts, run "
                         "'screener screen --answers FILE' (or '-' for stdin)")
    from screener.cli.checklist import run_checklist_with_choice

    _check_save(args)
    rules = _rules(args)
    since = previous_for(args, rules)
    intake, wants_guide = run_checklist_with_choice(rules)
    status = finish(intake, rules, args.format, args.save, force=args.force,
                    client=args.client, since=since)
    if wants_guide and status == EXIT_OK:  # refer and urgent never reach a step
        from screener.cli.guide import run_guide
        from screener.cli.watchdog import screen_bounded as screen

        try:  # the guide itself waits for Enter before its first step
            with interrupts.deferred():
                assessment = screen(intake, rules)
            run_guide(assessment)
        except KeyboardInterrupt:  # after the result: say truthfully what was kept
            kept = f"the result was saved to {args.save}" if args.save else "nothing was saved"
            print(f"\nscreener: guide cancelled; {kept}.", file=sys.stderr)
            return EXIT_INTERRUPTED
    return status


def cmd_guide(args: argparse.Namespace) -> int:
    """The routine step by step; a referral is shown and exits 3 or 4, as ``screen`` does."""
    from screener.render import render
    from screener.cli.watchdog import screen_bounded as screen

    rules = _rules(args)
    intake = read_intake(args.answers, rules, args.max_input_bytes)
    with interrupts.deferred():
        assessment = screen(intake, rules)
    status = exit_status(assessment)
    if status != EXIT_OK:  # a referral, or nothing left: shown, never guided
        sys.stdout.write(render(assessment, "text", rules, colour=_use_colour(sys.stdout)))
        return status
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("guide needs a terminal (and --answers a file, not '-'); without "
                         "one, run 'screener screen --answers FILE'")
    from screener.cli.guide import run_guide

    run_guide(assessment, speed=args.speed)
    return status


def cmd_rules(args: argparse.Namespace) -> int:
    from screener.docs import rule_listing, rule_page

    rules = _rules(args)
    if args.action == "show":
        if not args.id or args.id not in rules.rule_index:
            raise InputError(f"unknown rule id '{shown(args.id or '')}' (see 'screener rules')")
        page = rule_page(rules, args.id)
        if _use_colour(sys.stdout):  # a person at a terminal: Markdown laid out by rich
            from rich.console import Console
            from rich.markdown import Markdown

            Console(width=min(shutil.get_terminal_size((88, 24)).columns, 100)).print(
                Markdown(page))
        else:  # a pipe or a file: the Markdown itself, to paste or publish
            sys.stdout.write(page)
    else:
        sys.stdout.write(rule_listing(rules))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from screener.answers.schema import intake_schema

    sys.stdout.write(json.dumps(intake_schema(_rules(args)), indent=2) + "\n")
    return EXIT_OK


def cmd_questionnaire(args: argparse.Namespace) -> int:
    from screener.fhir import questionnaire

    sys.stdout.write(json.dumps(questionnaire(_rules(args)), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_response(args: argparse.Namespace) -> int:
    from screener.fhir import intake_to_response

    rules = _rules(args)
    response = intake_to_response(read_intake(args.answers, rules, args.max_input_bytes), rules)
    sys.stdout.write(json.dumps(response, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from screener.cli.explain import explain_text

    rules = _rules(args)
    intake = read_intake(args.answers, rules, args.max_input_bytes)
    with interrupts.deferred():  # as in finish(): never a Ctrl-C read as an engine failure
        text, decision = explain_text(rules, intake)
    sys.stdout.write(text)
    return DECISION_EXIT[decision]


def _limit_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-input-bytes", type=_size, metavar="N", help=(
        "refuse answers (or a batch line) over N bytes; default $SCREENER_MAX_INPUT_BYTES "
        "or 1 MiB"))


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
    add_record_flags(parser, "save answers and result (owner-only file); nothing is saved otherwise")
    parser.add_argument("--rules", metavar="DIR", help="a rule set folder of one's own")
    _limit_flag(parser)
    parser.set_defaults(func=cmd_checklist)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("screen", help="screen a JSON intake without prompts")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON intake, '-' for stdin")
    p.add_argument("--format", choices=FORMATS, default="text")
    add_record_flags(p, "save answers and result (owner-only file)")
    p.add_argument("--rules", metavar="DIR")
    _limit_flag(p)
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("guide", help="follow the routine one step at a time, with a countdown")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON intake")
    p.add_argument("--rules", metavar="DIR")
    p.add_argument("--speed", type=_speed, default=1.0, metavar="FACTOR",
                   help="run the clock FACTOR times faster, to rehearse (default 1)")
    _limit_flag(p)
    p.set_defaults(func=cmd_guide)

    p = sub.add_parser("rules", help="list the rules, or show one: rules show ID")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("schema", help="print the intake JSON Schema")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("questionnaire", help="print the checklist as a FHIR R4 Questionnaire")
    p.add_argument("--rules", metavar="DIR")
    p.set_defaults(func=cmd_questionnaire)

    p = sub.add_parser("response", help="print an intake as a FHIR QuestionnaireResponse")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON intake, '-' for stdin")
    p.add_argument("--rules", metavar="DIR")
    _limit_flag(p)
    p.set_defaults(func=cmd_response)

    p = sub.add_parser("explain", help="which rules fired for an intake, which did not, and why")
    p.add_argument("--answers", required=True, metavar="FILE")
    p.add_argument("--rules", metavar="DIR")
    _limit_flag(p)
    p.set_defaults(func=cmd_explain)

    add_batch(sub, _limit_flag)
    add_serve(sub)
    add_diff(sub, _limit_flag)
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """An option before a command is refused: the command's own default would overwrite it
    (``screener --rules DIR screen`` screened with the default rules)."""
    argv, parser = sys.argv[1:] if argv is None else argv, build_parser()
    args = parser.parse_args(argv)
    if args.command is not None and argv and argv[0] != args.command:
        parser.error(f"{shown(argv[0], 40)} goes after the command: screener {args.command} ...")
    return args


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds: control characters escaped (a
    name cannot add lines or drive the terminal) and cut to ``LINE_LIMIT``."""
    try:
        sys.stderr.write(f"screener: {shown(message, LINE_LIMIT)}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass  # no stderr to speak to: the exit status still says it


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's final flush does
    not print 'Exception ignored ... BrokenPipeError' on the way out."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _run(argv: list[str] | None) -> int:
    import logging

    with interrupts.deferred():  # a signal inside pydantic_core's start-up (Rust, pyo3)
        import pydantic_core  # noqa: F401 - makes it panic: a Rust message and exit 1
    logging.getLogger("durable").disabled = True  # it would print tracebacks of its own
    try:
        args = parse(argv)
        return args.func(args)
    except (InputError, RulesError) as exc:
        _say(str(exc))
        return EXIT_INVALID
    except SaveError as exc:
        _say(str(exc))
        return EXIT_FAILURE
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_FAILURE
    except Exception as exc:  # fail closed: a message, never a routine, never a traceback
        if interrupts.caused_by_interrupt(exc):
            raise KeyboardInterrupt from None
        _say(f"failed, no result given: {type(exc).__name__}: {exc}")
        return EXIT_FAILURE


def _flushed() -> bool:
    """Flush stdout; False (and stdout quietened) when the reader has gone."""
    try:
        sys.stdout.flush()
        return True
    except (OSError, ValueError, AttributeError):
        _quiet_stdout()
        return False


def main(argv: list[str] | None = None) -> int:
    """The console entry point. Ctrl-C and SIGTERM exit 130 with one line at any point:
    the first lets what is under way finish (a batch line, the output a slow reader is
    still taking); a second stops at once."""
    restore = interrupts.install()
    _saved.clear()
    try:
        try:
            status = _run(argv)
            return status if _flushed() else EXIT_FAILURE
        except KeyboardInterrupt:
            _say("cancelled; " + (f"the result was saved to {_saved[0]}" if _saved
                                  else "nothing was saved") + ".")
            _flushed()
            return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # a second one: drop the output still held, stop now
        _quiet_stdout()
        return EXIT_INTERRUPTED
    finally:
        watchdog = sys.modules.get("screener.cli.watchdog")  # loaded only if it screened
        if watchdog is not None:
            watchdog.stop_all()
        restore()


if __name__ == "__main__":
    sys.exit(main())
