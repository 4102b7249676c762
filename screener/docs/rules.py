"""Rule documentation generated from the rule files, so it cannot drift from them.

``python -m screener.docs`` rewrites ``docs/rules.md``; ``--check`` fails when the file
is stale (a test runs it). ``screener rules`` uses the same words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from screener.loading import default_rules
from screener.rules import Action, Citation, Condition, Membership, Owner, Rule, RuleSet, Test

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def describe_test(test: Test) -> list[str]:
    parts = []
    if test.cleared is not None:
        parts.append("cleared by a professional" if test.cleared else "not cleared by a professional")
    if test.severity_at_least:
        parts.append(f"severity {test.severity_at_least} or worse (unanswered counts as severe)")
    if test.days_ago_at_most is not None:
        parts.append(f"{test.days_ago_at_most} days ago or less (unanswered counts as today)")
    if test.days_ago_more_than is not None:
        parts.append(f"more than {test.days_ago_more_than} days ago")
    parts += [f"'{f}' answered yes (or read as yes)" for f in test.flags]
    parts += [f"'{f}' not answered or read as yes" for f in test.flags_not]
    if test.areas:
        parts.append("on the " + " or ".join(test.areas))
    if test.both_legs:
        parts.append("on both legs (no sites given counts as both)")
    if test.sited:
        parts.append("reported on named sites (not left as the whole legs)")
    return parts


def describe_when(owner: Owner, rule: Rule) -> str:
    if owner.is_group:
        text = f"any member of the group '{owner.title}' (`{owner.code}`) is reported"
    else:
        text = f"{owner.title} is reported"
    own = describe_test(rule.when)
    if own:
        text += ", " + ", ".join(own)
    for join in rule.with_:
        extra = describe_test(join) + (["on the same leg"] if join.same_leg else []) + (
            ["on the other leg"] if join.other_leg else [])
        what = f"any member of group `{join.group}`" if join.group else join.code
        text += f", together with {what}" + (f" ({', '.join(extra)})" if extra else "")
    return text + "."


def describe_action(action: Action, own: str) -> str:
    where = {"reported": "the reported sites", "legs": "the reported legs",
             "everywhere": "both legs"}[action.where]
    if action.of and action.of != own:
        where += f" of {action.of}"
    if action.around:
        where += " and the areas next to them"
    if action.below:
        where += " and everything below them on that leg"
    if action.areas:
        where += f" (only {', '.join(action.areas)})"
    if action.kind == "exclude":
        return f"Leave out {where}."
    if action.kind == "cap":
        return f"At most {action.max} pressure on {where}."
    if action.kind == "avoid":
        return f"No {', '.join(t.replace('_', ' ') for t in action.techniques)} on {where}."
    if action.kind == "limit":
        return f"The session lasts {action.minutes} minutes at most."
    return f"Note: {action.message}"


def _case_json(intake: dict) -> str:
    return json.dumps(intake, separators=(", ", ": "))


def cite_markdown(rules: RuleSet, sources: list[Citation]) -> str:
    """Citations as the docs print them: titles linking to the bibliography below."""
    return "; ".join(f"[{rules.bibliography[c.cite].cited(c.section)}](#source-{c.cite})"
                     for c in sources)


def bibliography_section(rules: RuleSet) -> list[str]:
    """Every source of rules/bibliography.yaml, where to find it."""
    lines = ["# Sources", "", "From `rules/bibliography.yaml`; rules cite these by key.", ""]
    for key, s in rules.bibliography.items():
        where = (f"<{s.url}>" if s.url else f"seed file `{s.seed}` (no known address)"
                 if s.seed else s.reference)
        lines.append(f'- <a id="source-{key}"></a>**{s.title}**. '
                     f"{s.author or s.publisher}. {where}. Key `{key}`.")
    return lines + [""]


def rule_section(rules: RuleSet, condition: Owner, rule: Rule, heading: str = "###") -> list[str]:
    when = describe_when(condition, rule)
    lines = [f"{heading} `{rule.id}` ({rule.decision})", "",
             f"**What it does.** When {when[0].lower()}{when[1:]}", ""]
    if rule.referral:
        lines += [f"- {rule.decision.capitalize()}: {rule.referral.strip()}"]
    lines += [f"- {describe_action(a, condition.code)}" for a in rule.actions]
    lines += ["", f"**Why.** {rule.reason.strip()}", "", "**Examples.**", ""]
    lines += [f"- fires: `{_case_json(c.intake)}`" for c in rule.cases.fires]
    lines += [f"- does not fire: `{_case_json(c.intake)}`" for c in rule.cases.does_not_fire]
    lines += ["", "**Sources.** " + cite_markdown(rules, rule.sources), ""]
    return lines


def generate(rules: RuleSet) -> str:
    lines = [f"# Rules of {rules.name} {rules.version}", "",
             "<!-- Generated from rules/ by `python -m screener.docs`; do not edit. -->", "",
             rules.description, "",
             "The screener supports, and never replaces, the judgement of a healthcare "
             "professional.", "",
             "| condition | class | rules |", "|---|---|---|"]
    ordered = sorted(rules.conditions.values(), key=lambda c: (not c.red_flag, c.code))
    for c in ordered:
        ids = ", ".join(f"`{r.id}`" for r in c.rules)
        lines.append(f"| [{c.title}](#{c.code}) | {c.kind}{' (red flag)' if c.red_flag else ''} | {ids} |")
    lines.append("")
    for c in ordered:
        lines += [f'<a id="{c.code}"></a>', f"## {c.title} (`{c.code}`)", "",
                  f"**Question.** {c.question}", "",
                  f"**Class.** {c.kind}. **Follow-ups.** {', '.join(c.asks) or 'none'}.", ""]
        if "days_ago" in c.asks:
            lines += [f"**When.** {c.days_question}", ""]
        if c.flags:
            lines += [f"- `{f}`: {q} *Unanswered, read as {c.unanswered[f].read_as}*: "
                      f"{c.unanswered[f].because} ({cite_markdown(rules, c.unanswered[f].sources)})"
                      for f, q in c.flags.items()] + [""]
        lines += counts_in(rules, c)
        for rule in c.rules:
            lines += rule_section(rules, c, rule)
    lines += group_sections(rules)
    lines += bibliography_section(rules)
    return "\n".join(lines).rstrip() + "\n"


def counts_in(rules: RuleSet, owner: Owner) -> list[str]:
    """The groups a condition or group counts in, and when."""
    if not owner.member_of:
        return []
    return ["**Counts in.** " + "; ".join(
        f"[{rules.groups[m.group].title}](#group-{m.group})"
        + (f" ({', '.join(describe_test(m.when))})" if describe_test(m.when) else "")
        for m in owner.member_of), ""]


def describe_member(member: Owner, membership: Membership) -> str:
    when = describe_test(membership.when)
    anchor = f"group-{member.code}" if member.is_group else member.code
    return f"[{member.title}](#{anchor})" + (f": {', '.join(when)}" if when else "")


def group_sections(rules: RuleSet) -> list[str]:
    """Each group of answers: what it means, its members (and when they count), and the
    rules that fire on any member."""
    lines = ["# Groups of answers: signs at places", "",
             "Rules can fire on any member of a group. A condition joins a group in its own "
             "file (`member_of`), so a new member is one edit there; a group can count in "
             "another on some areas (an inflamed calf is a clot sign), so a new way of "
             "reporting a sign joins every rule about it.", ""]
    for g in sorted(rules.groups.values(), key=lambda g: g.code):
        lines += [f'<a id="group-{g.code}"></a>', f"## {g.title} (`{g.code}`)", "",
                  g.description.strip(), "", "**Members.**", ""]
        lines += [f"- {describe_member(c, m)}" for c, m in rules.members[g.code]]
        lines += [""] + counts_in(rules, g)
        used = [r.id for _, r in rules.rules if any(j.group == g.code for j in r.with_)]
        lines += ["", "**Sources.** " + cite_markdown(rules, g.sources), ""]
        if used:
            lines += ["**Joined by.** " + ", ".join(f"`{u}`" for u in used), ""]
        for rule in g.rules:
            lines += rule_section(rules, g, rule)
    return lines


def rule_listing(rules: RuleSet) -> str:
    width = max(len(r.id) for _, r in rules.rules)
    lines = [f"{rules.name} {rules.version} ({rules.digest[:19]}): {len(rules.rules)} rules"]
    lines += [f"{r.id:<{width}}  {r.decision:<7}  {'group ' if c.is_group else ''}{c.code}"
              for c, r in rules.rules]
    return "\n".join(lines) + "\n"


def rule_page(rules: RuleSet, rule_id: str) -> str:
    condition, rule = rules.rule_index[rule_id]
    return "\n".join(rule_section(rules, condition, rule, heading="#")) + "\n"
