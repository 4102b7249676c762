"""The result as one self-contained printable page: inline CSS and the body map, nothing
fetched from a network, with lines for the names and signatures of both people (the way
PAR-Q+ is kept on paper). Print CSS keeps it clean on A4 and Letter alike.
"""

from __future__ import annotations

from datetime import date
from html import escape

from screener.decision.assessment import Assessment, Finding, Routine
from screener.rules import RuleSet
from screener.render.svg import inline_svg
from screener.render.words import (
    CAUTIOUS_NOTE,
    CAUTIOUS_TITLE,
    DISCLAIMER,
    changes,
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

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 11pt;
       line-height: 1.4; color: #000; background: #fff; margin: 0 auto; max-width: 48rem;
       padding: 1.5rem; }
h1 { font-size: 1.5em; margin: 0 0 .5em; }
h2 { font-size: 1.2em; margin: 1.2em 0 .4em; border-bottom: 1px solid #888; }
h3 { font-size: 1em; margin: .8em 0 .2em; }
.decision { border: 3px solid #000; padding: .6em .8em; font-size: 1.25em; font-weight: bold; }
.decision.proceed { border-color: #2e6b3a; } .decision.adjust { border-color: #b8860b; }
.decision.refer, .decision.nothing-left { border-color: #6b1d6b; }
.decision.urgent { border-color: #a00; border-width: 5px; }
.callout { border-left: 5px solid #000; padding: .4em .8em; margin: .8em 0; background: #f4f4f4; }
.bodymap svg { width: 100%; max-width: 32rem; height: auto; display: block; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #999; padding: .25em .45em; text-align: left; vertical-align: top; }
.sources { font-size: .85em; color: #333; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em 2em; margin-top: 1em; }
.line { border-bottom: 1px solid #000; height: 2.2em; }
.label { font-size: .85em; }
footer { margin-top: 1.5em; font-size: .85em; }
@page { margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .decision, .callout, .finding, .step, tr, .signature-block, .bodymap { break-inside: avoid; }
  h2 { break-after: avoid; }
  .bodymap svg { max-width: 15cm; max-height: 17cm; }
  a { color: #000; text-decoration: none; }
}
"""


def render(assessment: Assessment, rules: RuleSet | None = None, *, today: date | None = None,
           **_: object) -> str:
    """The page; ``today`` is the date printed on it (the current date by default)."""
    referral = is_referral(assessment)
    look = "nothing-left" if nothing_left(assessment) else assessment.decision
    parts = [f'<div class="decision {look}" id="decision">{escape(headline(assessment))}</div>']
    if assessment.referral:
        parts.append(f'<p class="callout" id="referral"><strong>What to do:</strong> '
                     f"{escape(assessment.referral.message)}</p>")
    routine = assessment.routine
    if routine and routine.notice:
        parts.append(f'<p class="callout" id="notice"><strong>Please note:</strong> '
                     f"{escape(routine.notice)}</p>")
    cautious = read_cautiously(assessment, rules)
    if cautious:
        items = "".join(f"<li>{escape(line)}</li>" for line in cautious)
        parts.append(f'<section id="read-cautiously"><h2>{CAUTIOUS_TITLE}</h2>'
                     f"<p>{escape(CAUTIOUS_NOTE)}</p><ul>{items}</ul></section>")
    parts.append(f'<section class="bodymap"><h2>Body map</h2>{inline_svg(assessment)}</section>')
    rows = [] if referral else changes(assessment)
    if rows:
        cells = "".join(f"<tr><td>{escape(w)}</td><td>{escape(p)}</td></tr>" for w, p in rows)
        parts.append(f"<h2>Changes</h2><table><tr><th>Change</th><th>Where</th></tr>{cells}</table>")
    shown, also = why(assessment, rules)
    parts.append(_findings(shown, rules, referral))
    if also:
        parts.append(f"<p>{escape(also)}</p>")
    parts.append(_routine(None if nothing_left(assessment) else routine))
    r = assessment.ruleset
    parts.append(_signatures())
    parts.append(f'<footer><p id="ruleset">Rule set: {escape(r.name)} {escape(r.version)}, '
                 f"<code>{escape(r.digest)}</code></p><p><em>{escape(DISCLAIMER)}</em></p>"
                 "</footer>")
    day = (today or date.today()).isoformat()
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Leg massage screening</title>"
            f"<style>{CSS}</style></head><body>"
            f'<h1>Leg massage screening</h1><p id="date">Date: {day}</p>'
            + "\n".join(parts) + "</body></html>\n")


def _findings(findings: list[Finding], rules: RuleSet | None, referral: bool) -> str:
    if not findings:
        return "<h2>Why</h2><p>Nothing in the answers calls for changes.</p>"
    out = ["<h2>Why</h2>"]
    for f in findings:
        items = "" if referral else "".join(f"<li>{escape(p)}</li>" for p in summarise(f))
        out.append(f'<div class="finding"><h3>{escape(title(f, rules))}</h3>'
                   f"<p><code>{escape(f.rule)}</code> ({f.decision})</p><p>{escape(f.reason)}</p>"
                   + (f"<ul>{items}</ul>" if items else "")
                   + f'<p class="sources">Sources: {escape("; ".join(f.sources))}</p></div>')
    return "".join(out)


def _routine(routine: Routine | None) -> str:
    if routine is None:
        return "<h2>Routine</h2><p>No massage routine is given.</p>"
    out = [f"<h2>Routine: {escape(words(routine.goal))}, {routine.minutes} minutes</h2>"]
    if routine.steps:
        out.append("<table><tr><th>#</th><th>Step</th><th>Where</th><th>Technique</th>"
                   "<th>Pressure</th><th>Minutes</th></tr>")
        for n, s in enumerate(routine.steps, 1):
            tool = f" ({escape(words(s.tool))})" if s.tool else ""
            out.append(f'<tr class="step"><td>{n}</td><td><strong>{escape(s.name)}</strong><br>'
                       f"{escape(s.instructions)}</td><td>{escape(step_places(s))}</td>"
                       f"<td>{escape(words(s.technique))}{tool}</td><td>{s.pressure}</td>"
                       f"<td>{s.minutes:g}</td></tr>")
        out.append("</table>")
    out.append("<h3>Precautions</h3><ul>"
               + "".join(f"<li>{escape(p)}</li>" for p in routine.precautions) + "</ul>")
    return "".join(out)


def _signatures() -> str:
    people = [("screened", "Person screened"), ("massaging", "Person massaging")]
    blocks = "".join(
        f'<div class="signature-block" id="signature-{key}"><strong>{who}</strong>'
        f'<div class="line"></div><div class="label">Name</div>'
        f'<div class="line"></div><div class="label">Signature and date</div></div>'
        for key, who in people)
    return ('<section><h2>Signatures</h2><p>We have read this result together. The person '
            "screened has answered the questions truthfully and will say at once if anything "
            f'hurts or changes.</p><div class="signatures">{blocks}</div></section>')
