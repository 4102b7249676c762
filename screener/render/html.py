"""The result as one self-contained printable page: inline CSS and the body map, nothing
fetched from a network, with lines for the names and signatures of both people (the way
PAR-Q+ is kept on paper). Print CSS keeps it clean on A4 and Letter alike.

The page and the PDF (``render.pdf``) come from one Jinja2 template
(``templates/record.html.j2``) with autoescaping on: every word from an answer, a rule
file or ``--client`` is escaped by the template, never by hand. The first printed page
holds what is needed at the massage table (decision, what to do, body map, signatures);
the answers, reasons, routine and sources follow.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screener.decision.assessment import Assessment, Finding
from screener.rules import RuleSet
from screener.render.svg import inline_svg
from screener.render.words import (
    CAUTIOUS_NOTE,
    CAUTIOUS_TITLE,
    DISCLAIMER,
    changes,
    duration,
    headline,
    is_referral,
    nothing_left,
    read_cautiously,
    step_places,
    summarise,
    title,
    why,
    words,
)

if TYPE_CHECKING:
    import jinja2

    from screener.render.record import Record

TEMPLATES = Path(__file__).parent / "templates"
SIGNATORIES = (("screened", "Person screened"), ("massaging", "Person massaging"))


@cache
def _template() -> jinja2.Template:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=False)
    return env.get_template("record.html.j2")


def render(assessment: Assessment, rules: RuleSet | None = None, *, today: date | None = None,
           record: Record | None = None, **_: object) -> str:
    """The page. With a ``record`` it carries the moment, the person and the answers;
    without one (a bare assessment) only ``today``'s date (the current date by default)."""
    from markupsafe import Markup

    return _template().render(**context(assessment, rules, today=today, record=record),
                              body_map=Markup(inline_svg(assessment)))


def context(assessment: Assessment, rules: RuleSet | None, *, today: date | None = None,
            record: Record | None = None) -> dict[str, Any]:
    """What the template shows, in words: plain values only, escaped by the template."""
    from screener.render.record import answered

    referral = is_referral(assessment)
    shown, also = why(assessment, rules)
    routine = assessment.routine
    cited, sources = _numbered_sources(shown, rules)
    since = None
    if record and record.since:  # a returning client: what changed is shown first
        from screener.render.since import since_lines

        head, lines = since_lines(record.since, rules)
        since = {"title": head, "lines": lines}
    return {
        "since": since,
        "decision": "nothing-left" if nothing_left(assessment) else assessment.decision,
        "headline": headline(assessment),
        "cautious": read_cautiously(assessment, rules),
        "cautious_title": CAUTIOUS_TITLE,
        "cautious_note": CAUTIOUS_NOTE,
        "referral": assessment.referral.message if assessment.referral else None,
        "notice": routine.notice if routine else None,
        "changes": [] if referral else changes(assessment),
        "signatories": SIGNATORIES,
        "client": record.client if record else None,
        "screened_at": record.stamp if record else None,
        "day": (today or date.today()).isoformat(),
        "answers": answered(record.intake, rules) if record and rules else [],
        "findings": [{"title": title(f, rules), "rule": f.rule, "decision": f.decision,
                      "reason": f.reason, "summary": [] if referral else summarise(f),
                      "sources": cited[i]} for i, f in enumerate(shown)],
        "sources": sources,
        "also": also,
        "routine": None if routine is None or nothing_left(assessment) else {
            "goal": words(routine.goal), "minutes": routine.minutes,
            "precautions": routine.precautions,
            "steps": [{"name": s.name, "instructions": s.instructions, "where": step_places(s),
                       "technique": words(s.technique) + (f" ({words(s.tool)})" if s.tool else ""),
                       "pressure": s.pressure, "minutes": duration(s.minutes)}
                      for s in routine.steps]},
        "ruleset": assessment.ruleset,
        "disclaimer": DISCLAIMER,
    }


def _numbered_sources(findings: list[Finding], rules: RuleSet | None
                      ) -> tuple[list[str], list[dict[str, str]]]:
    """Each finding's sources as "[n] section", and the sources list the page ends with:
    each cited source once, by title and publisher, with where to find it. Without the
    rule set (a bare assessment) the findings' own source lines are printed as they are."""
    if rules is None or any(f.rule not in rules.rule_index for f in findings):
        return ["; ".join(f.sources) for f in findings], []
    numbers: dict[str, int] = {}
    cited = []
    for f in findings:
        parts = []
        for c in rules.rule_index[f.rule][1].sources:
            n = numbers.setdefault(c.cite, len(numbers) + 1)
            parts.append(f"[{n}]" + (f" {c.section}" if c.section else ""))
        cited.append("; ".join(parts))
    listed = []
    for key, n in numbers.items():
        s = rules.bibliography[key]
        where = s.url or (f"seed article {s.seed} (no known address)" if s.seed else s.reference)
        listed.append({"n": str(n), "title": s.cited(None), "where": where or ""})
    return cited, listed
