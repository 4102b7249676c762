"""The body map: both legs, front and back, each area coloured by what the assessment
allows, drawn with drawsvg from the assessment alone.

Readable without colour: every state also has its own hatching and a word in the shape
(OUT, LIGHT, AVOID), and the legend says in words what each means. Every area shape
carries ``data-side``, ``data-area``, ``data-state`` (``excluded``, ``limited``,
``free``) and ``data-max`` when capped, so other software can restyle or read it.
A refer or urgent result allows no massage at all: every area is drawn as left out.

``python -m screener.render.svg --write-docs`` regenerates ``docs/body-map.svg``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import drawsvg as draw

from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.vocabulary import AREAS, Area, Pressure, Side
from screener.render.words import headline, is_referral

# One leg, hip at the top: (area, top y, height, width at top, width at bottom).
# The lower leg is the shin seen from the front and the calf from the back.
_FRONT = ("hip", "thigh", "knee", "shin", "ankle", "foot")
_BACK = ("hip", "thigh", "knee", "calf", "ankle", "foot")
_SHAPE = {"hip": (0, 46, 92, 86), "thigh": (46, 140, 86, 58), "knee": (186, 40, 58, 52),
          "lower": (226, 124, 54, 36), "ankle": (350, 30, 36, 36), "foot": (380, 40, 38, 48)}
_LEG_TOP = 70
_WIDTH, _HEIGHT = 560, 680
# Fill colours chosen to stay apart in greyscale and for red-green colour blindness
# (dark / mid / light, with hatching as a second cue).
_STYLE = {
    "excluded": ("#6b1d1d", "#f2d7d5", "OUT", "Left out: no massage on this area"),
    "capped": ("#b8860b", "#fbe7b5", "", "Pressure capped: at most the pressure written in it"),
    "avoid": ("#35608f", "#dce8f5", "AVOID", "Some techniques avoided here (see the result)"),
    "free": ("#2e6b3a", "#ffffff", "", "Free: the routine as planned"),
}
SENSITIVE = "Sensitive site (back of the knee, inner thigh): broad, flat, light strokes only"


@dataclass(frozen=True)
class AreaState:
    """What the assessment allows on one area of one leg."""

    state: str  # excluded | limited | free (the data-state)
    look: str  # excluded | capped | avoid | free (how it is drawn)
    cap: Pressure | None


def area_states(assessment: Assessment) -> dict[tuple[Area, Side], AreaState]:
    """The state of every (area, side): left out, limited (cap or avoided technique), free."""
    referral = is_referral(assessment)
    excluded = {(e.area, e.side) for e in assessment.exclusions}
    caps = {(c.area, c.side): c.max for c in assessment.pressure_caps}
    everywhere = any(a.area is None for a in assessment.avoid)
    avoided = {(a.area, a.side) for a in assessment.avoid if a.area}
    states = {}
    for side in ("left", "right"):
        for area in AREAS:
            place = (area, side)
            cap = caps.get(place)
            if referral or place in excluded or cap == "none":
                states[place] = AreaState("excluded", "excluded", None)
            elif cap is not None:
                states[place] = AreaState("limited", "capped", cap)
            elif everywhere or place in avoided:
                states[place] = AreaState("limited", "avoid", None)
            else:
                states[place] = AreaState("free", "free", None)
    return states  # type: ignore[return-value]


def body_map(assessment: Assessment) -> str:
    """The body map of an assessment as a standalone SVG document."""
    return _drawing(assessment).as_svg()


def render(assessment: Assessment, rules: RuleSet | None = None, **_: object) -> str:
    return body_map(assessment)


def inline_svg(assessment: Assessment) -> str:
    """The body map without the XML declaration, to place inside an HTML page."""
    return _drawing(assessment).as_svg(header="")


def _drawing(assessment: Assessment) -> draw.Drawing:
    d = draw.Drawing(_WIDTH, _HEIGHT, id_prefix="bodymap", role="img",
                     aria_labelledby="bodymap-title", font_family="DejaVu Sans, Arial, sans-serif")
    d.append(draw.Title("Body map: which areas of the legs the massage may use",
                        id="bodymap-title"))
    patterns = {look: _pattern(look) for look in _STYLE}
    d.append(draw.Rectangle(0, 0, _WIDTH, _HEIGHT, fill="#ffffff"))
    title = headline(assessment)
    if is_referral(assessment):
        title = title.split(":")[0] + ": no leg massage; every area is left out."
    d.append(draw.Text(title, 14, 20, 26, font_weight="bold"))
    states = area_states(assessment)
    # Seen from the front the person's right leg is on the viewer's left; from the back,
    # their left leg is. Each leg is labelled so no one has to work that out.
    legs = [("Front", 70, "right", _FRONT), ("Front", 190, "left", _FRONT),
            ("Back", 350, "left", _BACK), ("Back", 470, "right", _BACK)]
    d.append(draw.Text("Front", 13, 130, 56, text_anchor="middle", font_weight="bold"))
    d.append(draw.Text("Back", 13, 410, 56, text_anchor="middle", font_weight="bold"))
    for view, cx, side, areas in legs:
        inner = 1 if (view == "Front") == (side == "right") else -1  # towards the body's middle
        for area in areas:
            _area(d, view, cx, side, area, states[(area, side)], patterns)
        _marker(d, cx + inner * 30, _LEG_TOP + 110, "inner thigh")
        if view == "Back":
            _marker(d, cx + 36, _LEG_TOP + 206, "back of the knee")
        d.append(draw.Text(f"{side.capitalize()} leg", 12, cx, _LEG_TOP + 440,
                           text_anchor="middle"))
    _legend(d, patterns)
    return d


def _pattern(look: str) -> draw.Pattern:
    ink, paper, _, _ = _STYLE[look]
    pattern = draw.Pattern(8, 8, patternUnits="userSpaceOnUse")
    pattern.append(draw.Rectangle(0, 0, 8, 8, fill=paper))
    if look == "excluded":  # cross-hatched
        pattern.append(draw.Line(0, 0, 8, 8, stroke=ink, stroke_width=1.6))
        pattern.append(draw.Line(8, 0, 0, 8, stroke=ink, stroke_width=1.6))
    elif look == "capped":  # diagonal stripes
        pattern.append(draw.Line(0, 8, 8, 0, stroke=ink, stroke_width=1.2))
    elif look == "avoid":  # dots
        pattern.append(draw.Circle(4, 4, 1.3, fill=ink))
    return pattern


def _area(d: draw.Drawing, view: str, cx: float, side: str, area: Area, state: AreaState,
          patterns: dict[str, draw.Pattern]) -> None:
    top, height, w_top, w_bottom = _SHAPE["lower" if area in ("shin", "calf") else area]
    y0, y1 = _LEG_TOP + top, _LEG_TOP + top + height
    ink = _STYLE[state.look][0]
    attrs = {"data_side": side, "data_area": area, "data_state": state.state,
             "data_view": view.lower()}
    if state.cap:
        attrs["data_max"] = state.cap
    shape = draw.Lines(cx - w_top / 2, y0, cx + w_top / 2, y0, cx + w_bottom / 2, y1,
                       cx - w_bottom / 2, y1, close=True, fill=patterns[state.look],
                       stroke=ink if state.look != "free" else "#444444", stroke_width=1.5,
                       **attrs)
    what = {"excluded": "left out", "capped": f"at most {state.cap} pressure",
            "avoid": "some techniques avoided", "free": "free"}[state.look]
    shape.append_title(f"{side} {area} ({view.lower()}): {what}")
    d.append(shape)
    word = state.cap.upper() if state.cap else _STYLE[state.look][2]
    if word:
        _label(d, word, 9 if height >= 30 else 8, cx, (y0 + y1) / 2)


def _label(d: draw.Drawing, word: str, size: float, cx: float, cy: float) -> None:
    """Black bold text on a white plate over the hatching. A plate rather than a white halo
    (``paint-order: stroke``), which WeasyPrint ignores: it paints the halo over the text
    and the printed label becomes a white smudge."""
    width = len(word) * size * 0.75 + 4  # DejaVu Sans Bold capitals are about 0.72 em wide
    d.append(draw.Rectangle(cx - width / 2, cy - size / 2 - 2, width, size + 4, rx=2,
                            fill="#ffffff", data_label_plate=word))
    d.append(draw.Text(word, size, cx, cy + size / 3, text_anchor="middle",
                       font_weight="bold", fill="#000000"))


def _marker(d: draw.Drawing, x: float, y: float, what: str) -> None:
    mark = draw.Group(data_sensitive=what)
    mark.append(draw.Circle(x, y, 7, fill="#ffffff", stroke="#000000", stroke_width=1.5))
    mark.append(draw.Text("!", 11, x, y + 4, text_anchor="middle", font_weight="bold"))
    mark.append_title(f"sensitive site: {what}")
    d.append(mark)


def _legend(d: draw.Drawing, patterns: dict[str, draw.Pattern]) -> None:
    y = _LEG_TOP + 470
    legend = draw.Group(id="legend")
    legend.append(draw.Text("Legend", 12, 20, y - 12, font_weight="bold"))
    for n, (look, (ink, _, word, meaning)) in enumerate(_STYLE.items()):
        row = y + n * 22
        legend.append(draw.Rectangle(20, row, 30, 16, fill=patterns[look], stroke=ink,
                                     stroke_width=1.5, data_legend=look))
        label = f"{word or ('LIGHT' if look == 'capped' else '(blank)')}  {meaning}"
        legend.append(draw.Text(label, 11, 60, row + 12, data_legend=look))
    row = y + len(_STYLE) * 22
    legend.append(draw.Circle(35, row + 8, 7, fill="#ffffff", stroke="#000000", stroke_width=1.5))
    legend.append(draw.Text("!", 11, 35, row + 12, text_anchor="middle", font_weight="bold"))
    legend.append(draw.Text(SENSITIVE, 11, 60, row + 12, data_legend="sensitive"))
    d.append(legend)


DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "intake.json"
DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "body-map.svg"


def docs_map() -> str:
    """The body map of the README's example intake (``examples/intake.json``)."""
    from screener.answers.intake import Intake
    from screener.answers.source import load_json
    from screener.loading import default_rules
    from screener.screening import screen

    rules = default_rules()
    data = load_json(DOCS_EXAMPLE.read_text(encoding="utf-8"), DOCS_EXAMPLE.name)
    intake = Intake.model_validate(data, context={"rules": rules})
    return body_map(screen(intake, rules))


def main(argv: list[str] | None = None) -> int:
    """``--write-docs`` regenerates docs/body-map.svg; ``--check`` fails when it is stale."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write-docs"]:
        DOCS_FILE.write_text(docs_map(), encoding="utf-8")
        return 0
    if args == ["--check"]:
        stale = DOCS_FILE.read_text(encoding="utf-8") != docs_map()
        if stale:
            print(f"{DOCS_FILE} is stale: run python -m screener.render.svg --write-docs",
                  file=sys.stderr)
        return int(stale)
    print("usage: python -m screener.render.svg --write-docs | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

