"""Scripts found in text, the fonts that print them, and what ``briefer doctor`` says of them."""

from __future__ import annotations

import pytest

from briefer.cli import doctor
from briefer.render import fonts
from briefer.render.fonts import CJK_ASSET, FONTS, cjk_subset, document_fonts, font_file
from briefer.render.scripts import language, mark_scripts, runs, script_of
from briefer.resources import search_path

ASSETS = [d / "assets" for d in search_path("templates")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sharif said “پاکستان ہر قیمت پر” today.", ["ur"]),
        ("The banner read “وقف إطلاق النار في غزة”.", ["ar"]),
        ("Tehran: «گفتگو»", ["fa"]),
        ("Modi: “भारत ने 2025 में”", ["hi"]),
        ("Lavrov: «Мы не допустим»; Zelenskyy: «Слава Україні»", ["ru", "uk"]),
        ("台湾问题 and 東京です and 서울", ["zh", "ja", "ko"]),
        ("Dhaka: “বাংলাদেশ”, Athens: «Ελλάδα», Jerusalem: “שלום”", ["bn", "el", "he"]),
        ("Plain English, Erdoğan’s 40 % (Ü).", []),
    ],
)
def test_runs_get_their_language(text: str, expected: list[str]) -> None:
    found = [language(script, run) for run, script in runs(text) if script is not None]
    assert found == expected
    assert "".join(run for run, _ in runs(text)) == text  # nothing lost or added


def test_a_run_spans_spaces_and_digits_but_not_the_quotes_around_it() -> None:
    assert runs("Modi: “भारत ने 2025 में”.") == [
        ("Modi: “", None),
        ("भारत ने 2025 में", script_of("भ")),
        ("”.", None),
    ]


def test_mark_scripts_escapes_and_marks_right_to_left() -> None:
    marked = mark_scripts('<b>"غزة"</b> & 中国')
    assert marked == (
        '&lt;b&gt;&#34;<span lang="ar" dir="rtl">غزة</span>&#34;&lt;/b&gt; &amp; '
        '<span lang="zh">中国</span>'
    )


@pytest.mark.parametrize("font", FONTS, ids=[f.script for f in FONTS])
def test_each_script_has_a_font_with_its_glyphs(font: fonts.ScriptFont) -> None:
    found = font_file(font, ASSETS)
    assert found is not None, f"{font.family}: {font.origin}"
    assert fonts.missing_glyphs(found, font.sample) == []


def test_a_font_without_the_glyphs_is_found_out() -> None:
    devanagari = font_file(FONTS[2], ASSETS)
    assert devanagari is not None
    assert fonts.missing_glyphs(devanagari, "भारत 中国") == ["中", "国"]


def test_the_chinese_font_is_cut_to_the_document_and_the_same_every_time() -> None:
    assert document_fonts("No Chinese here, Лавров, غزة") == {}
    made = document_fonts("台湾问题是中国内政")[CJK_ASSET]
    assert made[:4] == b"OTTO" and len(made) < 30_000  # from a 19.5 MB collection
    cjk_subset.cache_clear()
    assert document_fonts("台湾问题是中国内政")[CJK_ASSET] == made


def test_doctor_reports_each_script(monkeypatch: pytest.MonkeyPatch) -> None:
    checks = {c.name: c for c in doctor._fonts()}
    assert list(checks) == [f"font: {f.script}" for f in FONTS]
    assert all(c.status == "ok" for c in checks.values()), checks
    assert "Noto Nastaliq Urdu (bundled)" in checks["font: Urdu (Nastaliq)"].detail
    assert "Noto Sans Bengali (bundled)" in checks["font: Bengali"].detail
    monkeypatch.setattr(fonts, "cjk_collection", lambda: None)
    chinese = {c.name: c for c in doctor._fonts()}["font: Chinese"]
    assert chinese.status == "warn" and chinese.detail == "Noto Sans CJK SC missing"
    assert "pip install noto-cjk-sans-otc" in chinese.fix


def test_harfbuzz_cuts_a_font_to_its_glyphs_keeping_their_ids() -> None:
    import io

    from fontTools.ttLib import TTFont

    from briefer.render.subset import subset_font

    found = font_file(FONTS[0], ASSETS)  # DejaVu Serif
    assert found is not None
    data = found.path.read_bytes()
    whole = TTFont(io.BytesIO(data))
    cmap = whole.getBestCmap()
    a, b = whole.getGlyphID(cmap[ord("A")]), whole.getGlyphID(cmap[ord("B")])
    cut = subset_font(data, [0, b])
    assert cut is not None and len(cut) < len(data) / 20
    font = TTFont(io.BytesIO(cut))
    order = font.getGlyphOrder()
    assert font["maxp"].numGlyphs == b + 1  # ids kept: the PDF's text refers to them
    assert font["glyf"][order[b]].numberOfContours > 0  # "B" drawn
    assert font["glyf"][order[a]].numberOfContours == 0  # "A" not
    assert "GPOS" not in font and "GSUB" not in font


def test_weasyprint_subsets_with_harfbuzz() -> None:
    from briefer.render.pdf import load_weasyprint
    from briefer.render.subset import install, installed

    weasyprint = load_weasyprint()
    assert install(weasyprint)  # idempotent: installed once by load_weasyprint
    assert installed()
