"""Quotes in every script, read back from the handout by two extractors and drawn by two
renderers: MuPDF (PyMuPDF) and pypdf give each quote's text as written, MuPDF and pdfium draw
it.

What the extractors report, measured (``docs/output.md``): both give right-to-left quotes in
logical order (as typed), MuPDF with its own spacing between words of other fonts and pypdf with
the quote's closing punctuation moved to the other side of a right-to-left run; the quote's own
characters and spaces come out as in the source, which is what is compared (the run of the
quote's script in the line, ``briefer.render.scripts.runs``)."""

from __future__ import annotations

import io
import unicodedata
from functools import cache

import pymupdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops
from pypdf import PdfReader

from briefer.models import Brief, Statement
from briefer.render import glyphtext
from briefer.render.fonts import cjk_subset
from briefer.render.glyphtext import with_copies
from briefer.render.pdf import render_pdf
from briefer.render.render import Renderer
from briefer.render.scripts import runs
from briefer.resources import bundled_dir

from .briefs import saved

# Each quote by the language its script is tagged with (briefer/render/scripts.py).
QUOTES = {
    "ur": "پاکستان زندہ باد",
    "hi": "खिलाफ",
    "bn": "বাংলাদেশ শান্তি চায়",
    "uk": "Слава Україні",
    "el": "Ελλάδα και ειρήνη",
    "he": "שלום עכשיו",
    "zh": "和平对话",
    "ja": "平和のための対話",
    "ko": "평화 대화",
}
SCALE = 3  # pixels per point in the renders


def quote_brief() -> Brief:
    base = saved("every_script.json")
    statements = [
        Statement(text=f"The {lang} quote reads “{quote}”.", cites=[2], source=1)
        for lang, quote in QUOTES.items()
    ]
    return base.model_copy(
        update={"background": statements, "us_position": [], "ground_situation": []}
    )


@cache
def pdf() -> bytes:
    result = render_pdf(quote_brief(), Renderer(), handling="UNCLASSIFIED")
    assert result.pages == 1
    return result.data


def quote_in(line: str, lang: str) -> str:
    """The quote as an extractor gave it in ``line``: the runs of other scripts in it."""
    found = [run for run, script in runs(line) if script is not None]
    # Letters that belong to no script of the quote (a glyph id read as a character, "ɤ").
    stray = {c for c in line if c.isalpha() and not c.isascii() and c not in QUOTES[lang]}
    return " | ".join(found) + (f" + stray {sorted(stray)}" if stray else "")


def line_of(text: str, lang: str) -> str:
    lines = [line for line in text.splitlines() if f"{lang} quote reads" in line]
    assert len(lines) == 1, (lang, lines)
    return lines[0]


@cache
def mupdf_text() -> str:
    return str(pymupdf.open(stream=pdf(), filetype="pdf")[0].get_text())


@cache
def pypdf_text() -> str:
    return PdfReader(io.BytesIO(pdf())).pages[0].extract_text()


@pytest.mark.parametrize("lang", QUOTES)
def test_mupdf_reads_each_quote_as_written(lang: str) -> None:
    expected = unicodedata.normalize("NFC", QUOTES[lang])
    got = quote_in(unicodedata.normalize("NFC", line_of(mupdf_text(), lang)), lang)
    assert got == expected


@pytest.mark.parametrize("lang", QUOTES)
def test_pypdf_reads_each_quote_as_written(lang: str) -> None:
    expected = unicodedata.normalize("NFC", QUOTES[lang])
    got = quote_in(unicodedata.normalize("NFC", line_of(pypdf_text(), lang)), lang)
    assert got == expected


def quote_box(lang: str) -> tuple[float, float, float, float]:
    """Where the quote's characters are on the page (points, top-left origin), as MuPDF's text
    layer places them: the characters of the quote's script on its line."""
    page = pymupdf.open(stream=pdf(), filetype="pdf")[0]
    label = page.search_for(f"{lang} quote reads")
    assert len(label) == 1
    boxes = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for char in span["chars"]:
                    x0, y0, x1, y1 = char["bbox"]
                    same_line = abs((y0 + y1) / 2 - (label[0].y0 + label[0].y1) / 2) < 6
                    if same_line and char["c"] in QUOTES[lang] and not char["c"].isspace():
                        boxes.append((x0, y0, x1, y1))
    assert boxes, lang
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@cache
def mupdf_render() -> Image.Image:
    pixmap = pymupdf.open(stream=pdf(), filetype="pdf")[0].get_pixmap(dpi=72 * SCALE)
    return Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples).convert("L")


@cache
def pdfium_render() -> Image.Image:
    page = pypdfium2.PdfDocument(pdf())[0]
    return page.render(scale=SCALE).to_pil().convert("L")


def ink(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """The share of dark pixels in ``box`` of a render."""
    left, top, right, bottom = (round(v * SCALE) for v in box)
    histogram = image.crop((left, top, right, bottom)).histogram()  # 256 grey levels
    return sum(histogram[:128]) / max(sum(histogram), 1)


@pytest.mark.parametrize("renderer", ["mupdf", "pdfium"])
@pytest.mark.parametrize("lang", QUOTES)
def test_each_quote_is_drawn(lang: str, renderer: str) -> None:
    image = mupdf_render() if renderer == "mupdf" else pdfium_render()
    # Letters cover a tenth or more of their box; a blank quote (the Chinese one in MuPDF
    # before) none.
    assert ink(image, quote_box(lang)) > 0.05


def _langs(node: object, out: list[str]) -> list[str]:
    node = node.get_object()  # type: ignore[attr-defined]
    if isinstance(node, dict):
        if "/Lang" in node:
            out.append(str(node["/Lang"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                _langs(kid, out)
    return out


def test_the_tags_give_each_quote_its_language() -> None:
    root = PdfReader(io.BytesIO(pdf())).trailer["/Root"]
    assert root["/Lang"] == "en"
    langs = _langs(root["/StructTreeRoot"], [])
    assert set(QUOTES) <= set(langs)
    assert "en" not in langs  # only runs in another language than the document's


def test_the_text_layer_changes_nothing_drawn() -> None:
    """Glyph copies and marked spans: the page looks as WeasyPrint draws it. A TJ array cut in
    two moves a glyph by a rounding error (a few grey levels of anti-aliasing at the edge of
    some Nastaliq glyphs); a lost kerning number moves it by a letter (thousands of pixels)."""
    with glyphtext.weasyprint_text():
        plain = render_pdf(quote_brief(), Renderer(), handling="UNCLASSIFIED").data
    assert plain != pdf()
    ours = pypdfium2.PdfDocument(pdf())[0].render(scale=2).to_pil().convert("L")
    theirs = pypdfium2.PdfDocument(plain)[0].render(scale=2).to_pil().convert("L")
    assert ours.size == theirs.size
    grey = ImageChops.difference(ours, theirs).histogram()  # pixels by how much they differ
    assert sum(grey[64:]) < 20 and sum(grey[128:]) == 0


def test_a_glyph_copy_is_drawn_as_its_original() -> None:
    """``with_copies`` appends glyphs to a TrueType program as they are: outline and advance."""
    data = bundled_dir("templates") / "assets" / "fonts" / "NotoSansDevanagari-Regular.ttf"
    original = TTFont(str(data))
    count = len(original.getGlyphOrder())
    ka = original.getGlyphID(original.getBestCmap()[ord("क")])
    copied = with_copies(data.read_bytes(), {count + 2: ka})
    assert copied is not None
    font = TTFont(io.BytesIO(copied))
    order = font.getGlyphOrder()
    assert len(order) == count + 3
    glyf = font["glyf"]
    assert glyf[order[count + 2]].getCoordinates(glyf) == glyf[order[ka]].getCoordinates(glyf)
    assert font["hmtx"][order[count + 2]] == original["hmtx"][original.getGlyphName(ka)]
    assert glyf[order[count]].numberOfContours == 0  # the ids between are empty
    cmap = {c: font.getGlyphID(n) for c, n in font.getBestCmap().items()}
    assert cmap == {c: original.getGlyphID(n) for c, n in original.getBestCmap().items()}


def test_the_chinese_font_has_each_glyph_under_its_own_cid() -> None:
    """MuPDF reads the page's glyph ids as CIDs of the embedded CFF: they must be equal."""
    data = cjk_subset("".join(sorted(set(QUOTES["zh"] + QUOTES["ja"]))))
    assert data is not None
    font = TTFont(io.BytesIO(data))
    top = font["CFF "].cff.topDictIndex[0]
    assert top.ROS == ("Adobe", "Identity", 0)
    assert list(top.charset) == [".notdef"] + [f"cid{i:05d}" for i in range(1, len(top.charset))]
    assert font.getBestCmap()[ord("和")] != ".notdef"
