"""The handout PDF read back with pypdf: pages and paper, tags, metadata, bookmarks, fonts in
every script, and the same bytes for the same brief."""

from __future__ import annotations

import io
import time
from functools import cache

import pytest
from pypdf import PdfReader

from briefer.render.fonts import CJK_ASSET, FONTS
from briefer.render.pdf import PdfResult, make_fetcher, render_pdf
from briefer.render.render import PAGE_SIZES, Renderer
from briefer.render.scripts import script_of
from briefer.resources import bundled_dir

from .briefs import saved, script_brief
from .pdfcheck import glyph_report
from .test_render import sample_brief


@cache
def rendered(name: str, page_size: str = "a4") -> PdfResult:
    """One render per brief and size for the whole module (a render takes ~1 s here)."""
    briefs = {"sample": sample_brief, "scripts": script_brief}
    brief = briefs[name]() if name in briefs else saved(name)
    return render_pdf(brief, Renderer(), handling="UNCLASSIFIED", page_size=page_size)  # type: ignore[arg-type]


def reader(result: PdfResult) -> PdfReader:
    return PdfReader(io.BytesIO(result.data))


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_the_longest_dev_brief_is_one_page_of_either_paper(page_size: str) -> None:
    result = rendered("longest_09_gaggle.json", page_size)
    pdf = reader(result)
    assert len(pdf.pages) == result.pages == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAGE_SIZES[page_size][1]
    text = pdf.pages[0].extract_text()
    assert "Page 1 of 1" in text and "Bibi Netanyahu has now officially said" in text
    assert result.style in ("compact", "tight")  # 460 words need the denser styles


def test_a_short_brief_keeps_the_normal_style_on_letter() -> None:
    result = rendered("sample", "letter")
    assert result.pages == 1 and result.style == ""
    assert round(float(reader(result).pages[0].mediabox.height)) == 792


def test_tagged_with_title_author_subject_language_and_bookmarks() -> None:
    pdf = reader(rendered("sample"))
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"]["/K"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp  # PDF/UA-1 is declared
    info = pdf.metadata
    brief = sample_brief()
    assert info is not None
    assert info["/Title"] == brief.title
    assert info["/Subject"] == brief.bottom_line
    assert info["/Author"] == "briefer"
    assert "/CreationDate" not in info and "/ModDate" not in info
    title, sections = pdf.outline
    assert title["/Title"] == brief.title
    assert [s["/Title"] for s in sections] == [
        "Bottom Line",
        "Background",
        "US Position",
        "Ground Situation",
        "Outlook",
        "Sources",
    ]


def _structure(node: object, out: list[str]) -> list[str]:
    node = node.get_object()  # type: ignore[attr-defined]
    if isinstance(node, dict) and "/S" in node:
        out.append(str(node["/S"]))
    kids = node.get("/K") if isinstance(node, dict) else None
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
            _structure(kid, out)
    return out


def test_the_structure_tree_has_headings_lists_and_paragraphs_in_order() -> None:
    pdf = reader(rendered("sample"))
    tags = _structure(pdf.trailer["/Root"]["/StructTreeRoot"], [])
    assert tags[0] == "/Document"
    assert tags.index("/H1") < tags.index("/H2") < tags.index("/L") < tags.index("/LI")
    assert tags.count("/H2") == 6  # Bottom Line, the four sections, Sources
    assert "/Link" in tags  # the source's URL


def test_dates_only_when_asked() -> None:
    brief = sample_brief()
    result = render_pdf(brief, Renderer(), handling="U", dates=True)
    info = reader(result).metadata
    assert info is not None and info["/CreationDate"].startswith("D:20261127080000")


def test_the_same_brief_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    first = rendered("scripts").data
    # Another time of day: nothing in the file may depend on the clock.
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)
    again = render_pdf(script_brief(), Renderer(), handling="UNCLASSIFIED").data
    assert again == first


def test_every_script_prints_without_a_missing_glyph() -> None:
    result = rendered("scripts")
    assert result.pages == 1 and result.refused == []
    fonts = glyph_report(result.data)
    assert [p for font in fonts for p in font.problems()] == []
    names = " ".join(font.name for font in fonts)
    for family in ("Noto-Sans-Devanagari", "Noto-Naskh-Arabic", "Noto-Nastaliq-Urdu"):
        assert family in names
    assert "Noto-Sans-CJK-SC" in names
    # Each script's characters were drawn by a font that has them (Nastaliq too: each glyph of
    # a letter drawn as several maps to its own part of the text, briefer/render/glyphtext.py).
    everything = set().union(*(u.chars for u in fonts))
    for font in FONTS:
        drawn = set().union(*(u.chars for u in fonts if font.family.replace(" ", "-") in u.name))
        own = {c for c in font.sample if script_of(c) is not None}  # not the quotation marks
        assert not own - drawn, (font.script, own - drawn)
        assert not {c for c in font.sample if not c.isspace()} - everything
    text = reader(result).pages[0].extract_text()
    assert "台湾问题是中国内政" in text and "Лавров" in text


def test_runs_of_other_scripts_carry_language_and_direction() -> None:
    html = Renderer().html(script_brief(), handling="U")
    assert '<span lang="ur" dir="rtl">پاکستان ہر قیمت پر اپنا دفاع کرے گا</span>' in html
    assert '<span lang="ar" dir="rtl">وقف إطلاق النار في غزة</span>' in html
    assert '<span lang="hi">भारत ने पाकिस्तान से बातचीत की</span>' in html
    assert '<span lang="zh">台湾问题是中国内政，“一个中国”。</span>' in html  # quotes inside
    assert '<span lang="uk">Лавров: «Слава Україні», эскалация</span>' in html


def test_a_latin_brief_embeds_no_noto_font() -> None:
    fonts = glyph_report(rendered("sample").data)
    assert fonts and all("DejaVu" in font.name for font in fonts)


def test_fetcher_serves_made_fonts_and_tells_absent_from_refused() -> None:
    assets = bundled_dir("templates") / "assets"
    fetcher = make_fetcher([assets], {CJK_ASSET: b"OTTO-made"})
    made = fetcher.fetch((assets / "fonts" / CJK_ASSET).as_uri())
    assert made.read() == b"OTTO-made"
    bundled = fetcher.fetch((assets / "fonts" / "NotoNaskhArabic-Regular.ttf").as_uri())
    assert len(bundled.read()) > 100_000
    with pytest.raises(ValueError, match="not available"):
        fetcher.fetch((assets / "fonts" / "Nothing.otf").as_uri())
    with pytest.raises(ValueError, match="only its bundled template assets"):
        fetcher.fetch("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert len(fetcher.absent) == 1 and len(fetcher.refused) == 1


def test_a_brief_longer_than_a_page_says_so() -> None:
    base = saved("longest_09_gaggle.json")
    more = [s.model_copy(update={"text": f"{s.text} (again)"}) for s in base.us_position]
    brief = base.model_copy(update={"us_position": base.us_position + more})
    result = render_pdf(brief, Renderer(), handling="U", page_size="letter")
    assert result.pages > 1 and result.style == "tight"
