"""The printed record as a person sees it: the example's PDF turned into text and pictures
by poppler (pdftotext, pdftoppm), not only its text layer read back. At most 3 pages, the
first with decision, body map and signatures, "page N of M" on each, and every LIGHT/OUT
label of the body map dark on a light ground where it is printed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import has_module, need
from test_cli import EXAMPLE, SCREENER

need(has_module("weasyprint") and bool(shutil.which("pdftoppm")) and bool(shutil.which("pdftotext")),
     "the pdf extra or poppler-utils is missing (scripts/install-test-deps installs both)")

DPI = 200
LABELS = {"LIGHT", "OUT", "MODERATE", "FIRM", "AVOID", "NONE"}


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    out = subprocess.run([str(SCREENER), "screen", "--answers", str(EXAMPLE), "--format", "pdf",
                          "--client", "Ada Lovelace"], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    path = tmp_path_factory.mktemp("pdf") / "example.pdf"
    path.write_bytes(out.stdout)
    return path


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_at_most_three_pages_numbered_first_page_to_sign(pdf):
    pages = _pages(pdf)
    assert 1 <= len(pages) <= 3
    for n, page in enumerate(pages, 1):
        assert f"page {n} of {len(pages)}" in page
    first = pages[0]
    for part in ("ADJUST", "Body map", "Changes", "Signatures", "Person screened",
                 "Person massaging", "Ada Lovelace", "Screened at"):
        assert part in first, part
    rest = "".join(pages[1:])
    assert rest.index("Answers given") < rest.index("Why") < rest.index("Routine")


def _label_boxes(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    xml = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">(\w+)</word>', xml)
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in words
            if w in LABELS]


def _grey_page(pdf: Path, tmp: Path) -> tuple[int, int, bytes]:
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(DPI), "-gray", str(pdf),
                    str(tmp / "page")], check=True)
    data = next(tmp.glob("page*.pgm")).read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    return int(width), int(height), pixels


def test_every_map_label_prints_dark_on_light(pdf, tmp_path):
    """The rendered pixels under each label's box: enough dark ink for letters on enough
    light ground around them. A white halo drawn over the text (WeasyPrint ignores
    paint-order: stroke) leaves almost no dark pixels; hatching with no plate leaves
    little light ground."""
    boxes = _label_boxes(pdf)
    assert sum(w == "LIGHT" for w, *_ in boxes) >= 20 and sum(w == "OUT" for w, *_ in boxes) >= 3
    width, _, pixels = _grey_page(pdf, tmp_path)
    scale = DPI / 72
    for word, x0, y0, x1, y1 in boxes:
        xs = range(int(x0 * scale), int(x1 * scale) + 1)
        ys = range(int(y0 * scale), int(y1 * scale) + 1)
        values = [pixels[y * width + x] for y in ys for x in xs]
        dark = sum(v < 96 for v in values) / len(values)
        light = sum(v > 200 for v in values) / len(values)
        assert dark > 0.08 and light > 0.4, (word, x0, y0, round(dark, 2), round(light, 2))
