"""The digest PDF read back with pypdf: cover, contents, bookmarks, one item a page, banner
and page numbers on every page; Markdown and JSON of the same digest."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import UTC, datetime

import pypdf
import pytest

from briefer.models import (
    Brief,
    BriefMeta,
    Change,
    Digest,
    DigestItem,
    NotIncluded,
    RunStats,
    Source,
    Statement,
)
from briefer.render import digest as render_digest
from briefer.render.render import Renderer

WORDS = (
    "officials said the talks on the border monitoring mission would continue through the week "
    "with delegations from both countries and observers from the United Nations"
).split()


def brief(n: int, statements: int, *, sources: int = 1, changed: bool = False) -> Brief:
    def text(i: int) -> str:
        return f"Statement {i} of item {n}: " + " ".join(WORDS[: 12 + (i * 7) % 14]) + "."

    made = [
        Statement(text=text(i), cites=[i + 1], source=1 + i % sources, status="supported")
        for i in range(statements)
    ]
    return Brief(
        title=f"Item {n} headline about <Geneva> & talks",
        bottom_line=f"Bottom line of item {n}: the talks go on.",
        background=made[0::4],
        us_position=made[1::4],
        ground_situation=made[2::4],
        outlook=made[3::4],
        sources=[
            Source(
                title=f"Report {s}",
                outlet="Northwire",
                date="2026-03-09",
                url=f"https://example.org/{n}/{s}",
            )
            for s in range(1, sources + 1)
        ],
        meta=BriefMeta(
            model="scripted-model",
            endpoint="http://127.0.0.1/v1",
            prompt_version="p",
            created=datetime(2026, 3, 10, 6, 30, tzinfo=UTC),
        ),
        changed=Change(since="2026-03-09", previous_title="Before", statements=made[:2])
        if changed
        else None,
    )


@pytest.fixture(scope="module")
def digest() -> Digest:
    # Item 2 is far longer than a page in the normal style: it must be set denser, not spill.
    briefs = [brief(1, 8, sources=2, changed=True), brief(2, 22), brief(3, 6), brief(4, 10)]
    return Digest(
        items=[
            DigestItem(title=b.title, sources=[s.url or "" for s in b.sources], brief=b)
            for b in briefs
        ],
        not_included=[
            NotIncluded(source="https://example.org/gone", reason="HTTP 404 Not Found"),
            NotIncluded(source="https://example.org/copy", reason="a near-identical copy"),
        ],
        run=RunStats(profile="asia", date="2026-03-10", sources=3, sources_read=2, items=4),
    )


@pytest.fixture(scope="module")
def pdf(digest: Digest) -> render_digest.DigestPdf:
    return render_digest.pdf(digest, Renderer(), handling="SECRET//TEST")


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    out = []
    for entry in reader.outline:
        assert not isinstance(entry, list), "one level of bookmarks"
        out.append((entry.title, reader.get_destination_page_number(entry) + 1))
    return out


def test_contents_bookmarks_and_item_pages_agree(pdf: render_digest.DigestPdf) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    texts = [page.extract_text() for page in reader.pages]
    assert pdf.pages == len(texts) == 1 + 1 + 4 + 1  # cover, contents, 4 items, not included

    # The page each item starts on, read from the pages themselves.
    starts = [next(n for n, t in enumerate(texts, 1) if f"ITEM {k} OF 4" in t) for k in range(1, 5)]
    assert starts == pdf.item_pages == [3, 4, 5, 6]
    assert pdf.styles[1] in ("compact", "tight")  # the long item was set denser to fit

    # Bookmarks: cover, contents, each item, not included, at those pages.
    bookmarks = _outline(reader)
    item_marks = [(t, p) for t, p in bookmarks if t.startswith("Item ")]
    assert [p for _, p in item_marks] == starts
    assert item_marks[0][0] == "Item 1 headline about <Geneva> & talks"
    assert ("Contents", 2) in bookmarks and ("Not included", 7) in bookmarks

    # Contents: each line's page number is the page the item starts on.
    contents = texts[1]
    numbers = [
        int(m.group(2))
        for m in re.finditer(r"^(\d)\. Item \d headline.*?(\d+)\s*$", contents, re.MULTILINE)
    ]
    assert numbers == starts
    assert re.search(r"^Not included[ .]*7(?!\d)", contents, re.MULTILINE)


def test_every_page_has_the_banner_and_page_x_of_y(pdf: render_digest.DigestPdf) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.count("SECRET//TEST") == 2, number  # top and bottom
        assert f"Page {number} of {total}" in text


def test_cover_has_date_window_sources_items_and_bottom_lines(
    pdf: render_digest.DigestPdf,
) -> None:
    cover = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Morning Brief — Tuesday 10 March 2026" in cover
    assert "Window: everything new (no earlier run)" in cover
    assert "Sources read: 2 of 3" in cover and "Items: 4" in cover
    assert "Not included: 2" in cover
    for n in range(1, 5):
        assert f"Bottom line of item {n}: the talks go on." in cover
    assert "continuing story, since 9 March 2026" in cover
    last = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[-1].extract_text()
    assert re.search(r"https://example.org/gone\s+— HTTP 404 Not Found", last)


def test_markdown_and_json_carry_the_same_content(digest: Digest) -> None:
    markdown = render_digest.markdown(digest, Renderer())
    assert markdown.startswith("# Morning Brief — Tuesday 10 March 2026\n")
    assert "Sources read: 2 of 3 · Items: 4 · Not included: 2" in markdown
    assert "1. **Item 1 headline about \\<Geneva\\> & talks**" in markdown
    assert "\n## 2. Item 2 headline about \\<Geneva\\> & talks\n" in markdown
    assert (
        "\n### Bottom Line\n" in markdown and "\n### What Changed Since 9 March 2026\n" in markdown
    )
    assert "\n# Item" not in markdown  # item headings are one level down
    assert "- https://example.org/copy — a near-identical copy" in markdown
    data = json.loads(render_digest.to_json(digest))
    assert Digest.model_validate(data) == digest
    assert data["items"][0]["brief"]["changed"]["since"] == "2026-03-09"


def _pages_and_marks(data: bytes) -> tuple[list[str], list[tuple[str, int]]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages], _outline(reader)


def _link_targets(data: bytes, page: int) -> list[tuple[str, int]]:
    """Each link on ``page`` (0-based) as (anchor, the page it lands on, 1-based)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    named = reader.named_destinations
    out = []
    for ref in reader.pages[page].get("/Annots", []):
        annotation = ref.get_object()
        target = str(annotation["/Dest"])
        out.append((target, reader.get_destination_page_number(named[target]) + 1))
    return sorted(set(out))


def test_laid_out_in_parts_it_is_the_same_digest(digest: Digest) -> None:
    # Two parts joined (forked where the machine allows) against one part laid out whole.
    parts = render_digest.pdf(digest, Renderer(), handling="SECRET//TEST", parallel=True)
    whole = render_digest.pdf(digest, Renderer(), handling="SECRET//TEST", parallel=False)
    assert (parts.pages, parts.item_pages, parts.styles) == (
        whole.pages,
        whole.item_pages,
        whole.styles,
    )
    assert _pages_and_marks(parts.data) == _pages_and_marks(whole.data)
    # The cover's and the contents' links land where the items are, across the parts too.
    expected = [(f"item-{n}", page) for n, page in enumerate(whole.item_pages, 1)]
    assert _link_targets(parts.data, 0) == _link_targets(whole.data, 0) == expected
    assert _link_targets(parts.data, 1) == [*expected, ("not-included", 7)]
    again = render_digest.pdf(digest, Renderer(), handling="SECRET//TEST", parallel=True)
    assert again.data == parts.data  # the same bytes each time


def test_page_numbers_stay_right_when_the_plan_is_wrong(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cover of many long bottom lines takes two pages while the estimate says one, and an
    # item too long for a page even set tight takes two: the parts are laid out again.
    items = [item.model_copy(deep=True) for item in digest.items] * 3
    for n, item in enumerate(items):
        item.brief.bottom_line = f"Bottom line {n}: " + " ".join(WORDS * 2) + "."
    items[7] = DigestItem(title="Very long", sources=["x"], brief=brief(8, 70))
    many = digest.model_copy(update={"items": items})
    monkeypatch.setattr(render_digest, "estimated_front_pages", lambda *_: (1, 1))
    pdf = render_digest.pdf(many, Renderer(), handling="SECRET//TEST", parallel=True)
    texts, marks = _pages_and_marks(pdf.data)
    total = len(texts)
    assert pdf.pages == total
    starts = [
        next(n for n, t in enumerate(texts, 1) if f"ITEM {k} OF 12" in t) for k in range(1, 13)
    ]
    assert starts == pdf.item_pages
    assert starts[0] == 4  # two cover pages and the contents
    assert starts[8] - starts[7] == 2 and pdf.styles[7] == "tight"
    assert [p for t, p in marks if t.startswith(("Item ", "Very long"))] == starts
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
    numbers = [int(m.group(1)) for m in re.finditer(r"^\d+\. .*?(\d+)\s*$", texts[2], re.MULTILINE)]
    assert numbers == starts
    assert re.search(rf"^Not included[ .]*{total}(?!\d)", texts[2], re.MULTILINE)


def test_the_front_page_estimate_fits_laid_out_covers(digest: Digest) -> None:
    for copies in (1, 3):
        many = digest.model_copy(update={"items": digest.items * copies})
        pdf = render_digest.pdf(many, Renderer(), handling="X", parallel=False)
        cover, contents = render_digest.estimated_front_pages(many, "a4")
        assert cover + contents == pdf.item_pages[0] - 1, copies


def test_every_anchor_is_unique_across_the_items(
    digest: Digest, pdf: render_digest.DigestPdf, caplog: pytest.LogCaptureFixture
) -> None:
    # Each item's sections are anchored as its own ("item-2-background"), not four times over.
    named = pypdf.PdfReader(io.BytesIO(pdf.data)).named_destinations
    assert {"item-2", "item-2-background", "item-4-outlook", "item-1-changed"} <= set(named)
    assert "background" not in named
    weasyprint_log = logging.getLogger("weasyprint")  # it does not propagate (render/pdf.py)
    weasyprint_log.addHandler(caplog.handler)
    try:
        with caplog.at_level("WARNING", logger="weasyprint"):
            render_digest.pdf(digest, Renderer(), handling="X", parallel=False)
    finally:
        weasyprint_log.removeHandler(caplog.handler)
    assert not [r for r in caplog.records if "defined twice" in r.getMessage()]


def test_the_numbers_say_what_was_read_and_when_a_cap_bit(digest: Digest) -> None:
    # A first run over a big feed: hundreds of entries left for the next run, one line each in
    # the JSON; the Markdown and PDF print the first lines and a count of the rest.
    left = [
        NotIncluded(source=f"https://example.org/e{n}", reason="left for the next run: over …")
        for n in range(250)
    ]
    note = "248 entries over the per-run cap of 2 entries (max_entries) were left for the next run"
    big = digest.model_copy(
        update={
            "not_included": digest.not_included + left,
            "run": digest.run.model_copy(update={"entries": 257, "notes": [note]}),
        }
    )
    shown = render_digest.NOT_INCLUDED_SHOWN
    markdown = render_digest.markdown(big, Renderer())
    assert "Entries read: 257 · Items: 4 · Not included: 252" in markdown
    escaped = note.replace("_", "\\_")  # as Markdown needs it
    assert f"\n- {escaped}\n" in markdown
    assert markdown.count("left for the next run: over …") == shown - 2
    assert f"… and {252 - shown} more (all listed in morning-brief.json)" in markdown
    data = render_digest.pdf(big, Renderer(), handling="SECRET//TEST").data
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
    assert "Entries read: 257" in pages[0] and "Not included: 252" in pages[0]
    assert "248 entries over the per-run cap" in pages[0]
    assert f"and {252 - shown} more" in pages[-1]
