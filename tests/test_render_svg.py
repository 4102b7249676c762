"""The body map: every area's state read back from the SVG matches the assessment."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from samples import SAMPLES, sample
from strategies import intake_st

from screener import Assessment, Intake, screen
from screener.render import body_map, render
from screener.render.svg import DOCS_FILE, docs_map
from screener.vocabulary import AREAS, SIDES

NS = {"svg": "http://www.w3.org/2000/svg"}


def shapes(svg: str) -> list[dict[str, str]]:
    root = ET.fromstring(svg.encode())
    return [el.attrib for el in root.iter() if "data-area" in el.attrib]


def legend_fills(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg.encode())
    return {el.get("data-legend"): el.get("fill") for el in root.iter(f"{{{NS['svg']}}}rect")
            if el.get("data-legend")}


def expected_state(a: Assessment, area: str, side: str) -> tuple[str, str | None]:
    caps = {(c.area, c.side): c.max for c in a.pressure_caps}
    excluded = {(e.area, e.side) for e in a.exclusions}
    referral = a.decision in ("refer", "urgent")
    if referral or (area, side) in excluded or caps.get((area, side)) == "none":
        return "excluded", None
    if (area, side) in caps:
        return "limited", caps[(area, side)]
    if any(v.area is None or (v.area, v.side) == (area, side) for v in a.avoid):
        return "limited", None
    return "free", None


def check_map(a: Assessment, svg: str) -> None:
    found = shapes(svg)
    # both legs, front and back: every area of each leg is drawn at least once
    every = {(x, y) for x in AREAS for y in SIDES}
    assert {(s["data-area"], s["data-side"]) for s in found} == every
    assert {s["data-view"] for s in found} == {"front", "back"}
    fills = legend_fills(svg)
    for s in found:
        state, cap = expected_state(a, s["data-area"], s["data-side"])
        assert s["data-state"] == state, s
        assert s.get("data-max") == cap, s
        if state == "excluded":
            assert s["fill"] == fills["excluded"], s  # drawn as the legend's 'left out'
        elif state == "free":
            assert s["fill"] == fills["free"], s


@pytest.mark.parametrize("name", SAMPLES)
def test_every_area_is_drawn_in_its_state(name):
    a = sample(name)
    check_map(a, body_map(a))


@given(intake_st())
def test_the_map_always_agrees_with_the_assessment(data):
    a = screen(Intake.model_validate(data))
    check_map(a, body_map(a))


def test_excluded_areas_are_marked_in_words_and_hatching():
    a = sample("wound_only")
    svg = body_map(a)
    excluded = [s for s in shapes(svg) if s["data-state"] == "excluded"]
    assert {(s["data-area"], s["data-side"]) for s in excluded} == {("shin", "right")}
    assert ">OUT<" in svg and "<pattern" in svg


def test_a_referral_leaves_every_area_out():
    svg = body_map(sample("refer"))
    assert {s["data-state"] for s in shapes(svg)} == {"excluded"}
    assert "no leg massage" in svg


def test_caps_carry_their_level():
    svg = body_map(sample("varicose"))
    capped = [s for s in shapes(svg) if "data-max" in s]
    assert capped and all(s["data-state"] == "limited" and s["data-max"] == "light" for s in capped)
    assert ">LIGHT<" in svg


def test_legend_in_words_and_sensitive_sites_marked():
    svg = body_map(sample("nothing"))
    for words in ("Left out", "Pressure capped", "techniques avoided", "Free", "Sensitive site"):
        assert words in svg
    root = ET.fromstring(svg.encode())
    marks = {el.get("data-sensitive") for el in root.iter() if el.get("data-sensitive")}
    assert marks == {"back of the knee", "inner thigh"}


def test_nothing_is_fetched_from_outside():
    svg = body_map(sample("example"))
    root = ET.fromstring(svg.encode())
    for el in root.iter():
        for key, value in el.attrib.items():
            if key.endswith("href") or "url(" in value:
                assert value.startswith("#") or value.startswith("url(#"), (key, value)


def test_render_dispatches_svg_and_the_output_is_stable():
    a = sample("example")
    assert render(a, "svg") == body_map(a) == body_map(a)


def test_docs_body_map_is_up_to_date():
    assert DOCS_FILE.read_text(encoding="utf-8") == docs_map(), (
        "docs/body-map.svg is stale: run 'python -m screener.render.svg --write-docs'")


def test_docs_check_command_reports_staleness():
    out = subprocess.run([sys.executable, "-m", "screener.render.svg", "--check"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
