"""The morning digest as Markdown, JSON and PDF (``templates/digest.*``, user-overridable).

PDF: a cover (date, window, sources read, each item's title and bottom line), contents with
page numbers, one item a page in the handout style, "Not included"; the handling banner and
"Page X of Y" on every page; bookmarks from the headings. A digest of four items or more is
laid out in two parts at once and the PDFs joined (see ``pdf``); the page numbers printed are
always the layout's own. An item that spills onto a second page is re-set compact, then tight
(one more layout each), as a single brief is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import accumulate
from typing import Any

import jinja2

from briefer import __version__
from briefer.errors import RenderError
from briefer.models import EMPTY_SECTION, SECTIONS, Brief, Digest
from briefer.render.beside import Beside, can_fork
from briefer.render.fonts import document_fonts
from briefer.render.pdf import load_weasyprint, make_fetcher, reproducible
from briefer.render.pdf_join import CrossLink, join
from briefer.render.render import PAGE_SIZES, PageSize, Renderer, long_date

HTML_TEMPLATE = "digest.html"
MARKDOWN_TEMPLATE = "digest.md.j2"
STYLES = ("", "compact", "tight")

_HEADING = re.compile(r"^(#+ )", re.MULTILINE)


def title(digest: Digest) -> str:
    day = digest.run.date
    try:
        when = datetime.fromisoformat(day)
        return f"Morning Brief — {when:%A} {long_date(day)}"
    except ValueError:
        return "Morning Brief"


def window_text(digest: Digest) -> str:
    start = digest.run.window_start
    if start is None:
        return "everything new (no earlier run)"
    return f"since {long_date(start.date())}, {start:%H:%M}"


#: "Not included" lines printed in the Markdown and PDF (the JSON has them all): a first run
#: over a feed of thousands of entries leaves most of them for the next run, one line each.
NOT_INCLUDED_SHOWN = 200


def _context(digest: Digest) -> dict[str, Any]:
    missing = digest.not_included
    return {
        "title": title(digest),
        "date": long_date(digest.run.date),
        "window": window_text(digest),
        "items": digest.items,
        "not_included": missing[:NOT_INCLUDED_SHOWN],
        "not_included_total": len(missing),
        "not_included_more": max(0, len(missing) - NOT_INCLUDED_SHOWN),
        "run": digest.run,
        "version": __version__,
        # The day, not the clock: a rerun with nothing new writes the same digest.
        "created": digest.run.date,
        "models": sorted({item.brief.meta.model for item in digest.items}),
        "sections": SECTIONS,
        "empty_section": EMPTY_SECTION,
        "not_stated": EMPTY_SECTION,  # its name in templates of earlier releases
        "cover_style": _cover_style(digest),
    }


def _cover_style(digest: Digest) -> str:
    """Many items: the cover is set denser, so it stays one page where it can."""
    count = len(digest.items)
    return "" if count <= 8 else "compact" if count <= 13 else "tight"


def _render(renderer: Renderer, name: str, **context: Any) -> str:
    try:
        return renderer.env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name}: {exc}", hint="fix the template") from exc


def markdown(digest: Digest, renderer: Renderer) -> str:
    """Cover lines, then each item's brief (its headings one level down), then "Not
    included": the same content as the PDF, for mail or chat."""
    bodies = []
    for n, item in enumerate(digest.items, start=1):
        body = _HEADING.sub(r"#\1", renderer.markdown(item.brief).rstrip() + "\n")
        first, _, rest = body.partition("\n")
        bodies.append(f"## {n}. {first.removeprefix('## ')}\n{rest}")
    return _render(renderer, MARKDOWN_TEMPLATE, bodies=bodies, **_context(digest))


def to_json(digest: Digest) -> str:
    return digest.model_dump_json(indent=2) + "\n"


@dataclass(frozen=True)
class DigestPdf:
    data: bytes
    pages: int
    #: The page (1-based) each item starts on, in item order.
    item_pages: list[int]
    styles: list[str]


# Lines of a page set in the normal style, at ~95 characters a line (A4, DejaVu Serif 10 pt):
# an item estimated longer starts compact, or tight, so that 20 items take one layout, not
# three (a layout of 25 pages with contents and page counters takes ~2 s). Calibrated on
# bench/morning.py's 20 items against the style the check below settles on: normal fits up to
# ~51 estimated lines, compact up to ~57. An estimate that is wrong costs one more layout.
_CHARS_PER_LINE = 95
_FITS = {"": 51.0, "compact": 57.0}


def estimated_lines(brief: Brief) -> float:
    """How many lines the item's page takes in the normal style (headings weighed)."""

    def lines(text: str) -> int:
        return math.ceil((len(text) + 8) / _CHARS_PER_LINE)

    total = 3 + 1.6 * math.ceil(len(brief.title) / 50) + 3 + lines(brief.bottom_line)
    for key, _ in SECTIONS:
        statements = brief.section(key)
        total += 2.2 + (sum(lines(s.text) for s in statements) if statements else 1)
    if brief.changed:
        total += 2.2 + sum(lines(s.text) for s in brief.changed.statements) or 1
    total += 2.2 + sum(lines(d.text) for d in brief.disagreements) if brief.disagreements else 0
    total += 2 + 0.8 * sum(2 if s.url else 1 for s in brief.sources) + 3
    return total


def first_style(brief: Brief) -> str:
    lines = estimated_lines(brief)
    return next((style for style, fits in _FITS.items() if lines <= fits), STYLES[-1])


# A digest of four items or more is laid out in parts where the machine can fork: the front
# (cover, contents) and the first items here, the other items and the back ("Not included") at
# the same time in a forked process (briefer/render/beside.py), and the PDFs joined. Layout
# is pure Python, ~0.1 s a page, so on 2 cores this nearly halves a 20-item digest's time.
# Page numbers (contents, "Page X of Y") then come from a plan — the front's pages estimated
# from its text, one page an item — that the layout checks: where a part took other pages than
# planned (a longer cover, an item still two pages long when set tight), it is laid out again
# with the pages found, so the numbers printed are always the layout's own. Laid out in one
# part, the numbers are WeasyPrint's own.
_FRONT = ("cover", "contents")
_BACK = "not-included"


@dataclass(frozen=True)
class _Part:
    front: bool
    items: range  #: 0-based indexes into digest.items
    back: bool

    def anchors(self) -> list[str]:
        own = [f"item-{i + 1}" for i in self.items]
        return [*(_FRONT if self.front else ()), *own, *([_BACK] if self.back else [])]


@dataclass(frozen=True)
class _Laid:
    """One part laid out and written (sent back from a forked process: plain data only)."""

    data: bytes
    pages: dict[str, int]  #: anchor → how many pages it took
    styles: dict[int, str]  #: item index → the style that kept it to one page (or tight)
    links: list[tuple[int, tuple[float, float, float, float], str]]  #: to other parts' anchors


def _parts(digest: Digest, parallel: bool | None) -> list[_Part]:
    count = len(digest.items)
    if parallel is None:
        parallel = count >= 4 and can_fork()
    if not parallel or count < 2:
        return [_Part(True, range(count), True)]
    weights = [estimated_lines(item.brief) for item in digest.items]
    total = sum(weights)
    # Here the front and the first items, in the child the others and the back: split where
    # the two weigh alike (the front and the back weighed as laid out: ~2.5 items and ~1).
    front, back = 2.5 * total / count, total / count
    before = list(accumulate(weights))  # before[k - 1]: the first k items' weight
    split = min(
        range(1, count),
        key=lambda k: abs(front + before[k - 1] - (total - before[k - 1]) - back),
    )
    return [
        _Part(True, range(0), False),
        _Part(False, range(split), False),
        _Part(False, range(split, count), True),
    ]


# The cover's item lines by cover style (digest.css): title characters a line per mm of text
# width, bottom-line characters a line per mm, a bottom-line line in mm and the item's margins
# in mm (a title line is 4.87 mm in every style). Fitted to 114 laid-out cover items; a wrong
# estimate costs one more layout of the front, never a wrong page number.
_COVER = {
    "": (0.48, 0.59, 4.53, 3.2),
    "compact": (0.55, 0.63, 3.79, 1.95),
    "tight": (0.59, 0.72, 3.02, 1.94),
}
_COVER_TITLE_LINE_MM = 4.87
_COVER_HEADER_MM = 43.1


def estimated_front_pages(digest: Digest, page_size: PageSize) -> tuple[int, int]:
    """Pages of the cover and of the contents, estimated from the text (before layout)."""
    width_pt, height_pt = PAGE_SIZES[page_size][1]
    # @page margins 18 mm a side and 20 mm top and bottom; the cover's list is indented 6 mm.
    width, height = width_pt / 72 * 25.4 - 42, height_pt / 72 * 25.4 - 40
    title_chars, text_chars, text_mm, gap = _COVER[_cover_style(digest)]
    used, cover = _COVER_HEADER_MM, 1
    for item in digest.items:
        title = math.ceil(len(item.title) / (title_chars * width)) * _COVER_TITLE_LINE_MM
        text = math.ceil(len(item.brief.bottom_line) / (text_chars * width)) * text_mm
        if used + title + text + gap > height:  # an item does not break across pages
            cover, used = cover + 1, 0.0
        used += title + text + gap
    # Contents: the heading, then a 7.5 mm line an item and one for "Not included".
    contents = math.ceil((18 + 7.5 * (len(digest.items) + 1)) / height)
    return cover, contents


def _page_of(plan: dict[str, int]) -> dict[str, int]:
    pages, number = {}, 1
    for anchor, count in plan.items():
        pages[anchor] = number
        number += count
    return pages


def pdf(
    digest: Digest,
    renderer: Renderer,
    *,
    handling: str,
    page_size: PageSize = "a4",
    parallel: bool | None = None,
) -> DigestPdf:
    """The digest as a PDF; items that would take more than one page are set denser.

    ``parallel``: lay out in parts, two at once (None: where the machine allows it and the
    digest has four items or more; True: in parts, one after the other where it cannot fork;
    False: in one part)."""
    weasyprint = load_weasyprint()
    base = renderer.template_dir(HTML_TEMPLATE)
    count = len(digest.items)
    styles = [first_style(item.brief) for item in digest.items]
    context = _context(digest)
    parts = _parts(digest, parallel)
    cover, contents = estimated_front_pages(digest, page_size)
    items = {f"item-{n}": 1 for n in range(1, count + 1)}
    plan = {_FRONT[0]: cover, _FRONT[1]: contents, **items, _BACK: 1}

    def html_of(part: _Part) -> str:
        numbered = len(parts) > 1
        page_of = _page_of(plan)
        return _render(
            renderer,
            HTML_TEMPLATE,
            front=part.front,
            back=part.back,
            part_items=[(i + 1, digest.items[i], styles[i]) for i in part.items],
            page_of=page_of if numbered else None,
            first_page=page_of[part.anchors()[0]],
            total_pages=sum(plan.values()) if numbered else None,
            handling=handling,
            page_size=PAGE_SIZES[page_size][0],
            **context,
        )

    # Chinese text gets a font cut to its own characters, as in a single brief.
    fetcher = make_fetcher(
        [d / "assets" for d in renderer.dirs],
        document_fonts(html_of(_Part(True, range(count), True))),
    )

    def lay_out(part: _Part) -> _Laid:
        own = part.anchors()
        while True:
            document = weasyprint.HTML(
                string=html_of(part), base_url=base.as_uri() + "/", url_fetcher=fetcher
            ).render()
            starts: dict[str, int] = {}
            for number, page in enumerate(document.pages, start=1):
                for anchor in page.anchors:
                    if anchor in own:
                        starts.setdefault(anchor, number)
            missing = [anchor for anchor in own if anchor not in starts]
            if missing:
                raise RenderError(
                    f"the digest template has no #{missing[0]}", hint="check the template"
                )
            starts[own[0]] = 1  # a page before the first anchor is its page too
            ends = [starts[anchor] for anchor in own[1:]] + [len(document.pages) + 1]
            pages = {anchor: end - starts[anchor] for anchor, end in zip(own, ends, strict=True)}
            denser = False
            for i in part.items:
                if pages[f"item-{i + 1}"] > 1 and styles[i] != STYLES[-1]:
                    styles[i] = STYLES[STYLES.index(styles[i]) + 1]
                    denser = True
            if not denser:
                break
        links = []
        for number, page in enumerate(document.pages):
            for kind, target, (x1, y1, x2, y2), _box in page.links:
                if kind == "internal" and target not in own:
                    # CSS px from the top left → PDF points from the bottom left.
                    top, bottom = page.height - y1, page.height - y2
                    links.append(
                        (number, (x1 * 0.75, bottom * 0.75, x2 * 0.75, top * 0.75), target)
                    )
        with reproducible(_day(digest)):
            data = document.write_pdf()
        return _Laid(data, pages, {i: styles[i] for i in part.items}, links)

    def lay_out_all() -> list[_Laid]:
        if len(parts) == 1:
            return [lay_out(parts[0])]
        front_part, *middle, last = parts
        # The last part in a forked process, started first; the others here meanwhile.
        beside = Beside(partial(lay_out, last))
        front = lay_out(front_part)
        if front.pages != {anchor: plan[anchor] for anchor in _FRONT}:
            # The estimate was wrong: every page number after the front moves.
            beside.cancel()
            plan.update(front.pages)
            beside = Beside(partial(lay_out, last))
            front = lay_out(front_part)
        return [front, *(lay_out(part) for part in middle), beside.result()]

    try:
        for _ in range(4):
            laid = lay_out_all()
            found = {anchor: n for part in laid for anchor, n in part.pages.items()}
            for part in laid:
                for i, style in part.styles.items():
                    styles[i] = style
            settled = found == plan or len(parts) == 1
            plan.update(found)
            if settled:
                break
        else:
            raise RenderError("the digest's page numbers did not settle", hint="report a bug")
        offsets = [0]
        for part in laid[:-1]:
            offsets.append(offsets[-1] + sum(part.pages.values()))
        data = join(
            [part.data for part in laid],
            [
                CrossLink(offset + number, rect, target)
                for part, offset in zip(laid, offsets, strict=True)
                for number, rect, target in part.links
            ],
        )
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; all mean "no PDF"
        raise RenderError(f"digest PDF rendering failed: {exc}", hint="check the template") from exc
    page_of = _page_of(plan)
    return DigestPdf(
        data, sum(plan.values()), [page_of[f"item-{n}"] for n in range(1, count + 1)], styles
    )


def _day(digest: Digest) -> datetime:
    try:
        return datetime.fromisoformat(digest.run.date).replace(tzinfo=UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
