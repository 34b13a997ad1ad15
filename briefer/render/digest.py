"""The morning digest as Markdown, JSON and PDF (``templates/digest.*``, user-overridable).

PDF: a cover (date, window, sources read, each item's title and bottom line), contents with
page numbers, one item a page in the handout style, "Not included"; the handling banner and
"Page X of Y" on every page. Page numbers in the contents are CSS ``target-counter``s and the
bookmarks come from the item headings, so both point at the page WeasyPrint put the item on.
An item that spills onto a second page is re-set compact, then tight (one more layout each),
as a single brief is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2

from briefer import __version__
from briefer.errors import RenderError
from briefer.models import NOT_STATED, SECTIONS, Brief, Digest
from briefer.render.fonts import document_fonts
from briefer.render.pdf import load_weasyprint, make_fetcher, reproducible
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


def _context(digest: Digest) -> dict[str, Any]:
    return {
        "title": title(digest),
        "date": long_date(digest.run.date),
        "window": window_text(digest),
        "items": digest.items,
        "not_included": digest.not_included,
        "run": digest.run,
        "version": __version__,
        # The day, not the clock: a rerun with nothing new writes the same digest.
        "created": digest.run.date,
        "models": sorted({item.brief.meta.model for item in digest.items}),
        "sections": SECTIONS,
        "not_stated": NOT_STATED,
        "cover_style": ""
        if len(digest.items) <= 8
        else "compact"
        if len(digest.items) <= 13
        else "tight",
    }


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


def _item_pages(document: Any, count: int) -> list[int]:
    """The page each ``#item-N`` anchor is on (1-based), from WeasyPrint's layout."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return [found[f"item-{n}"] for n in range(1, count + 1)]


def pdf(
    digest: Digest, renderer: Renderer, *, handling: str, page_size: PageSize = "a4"
) -> DigestPdf:
    """The digest as a PDF; items that would take more than one page are set denser."""
    weasyprint = load_weasyprint()
    base = renderer.template_dir(HTML_TEMPLATE)
    count = len(digest.items)
    styles = [first_style(item.brief) for item in digest.items]
    context = _context(digest)

    def html_of() -> str:
        return _render(
            renderer,
            HTML_TEMPLATE,
            styles=styles,
            handling=handling,
            page_size=PAGE_SIZES[page_size][0],
            **context,
        )

    # Chinese text gets a font cut to its own characters, as in a single brief.
    fetcher = make_fetcher([d / "assets" for d in renderer.dirs], document_fonts(html_of()))
    try:
        while True:
            html = html_of()
            document = weasyprint.HTML(
                string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher
            ).render()
            starts = _item_pages(document, count)
            ends = [*starts[1:], _not_included_page(document)]
            denser = False
            for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
                if end - start > 1 and styles[i] != STYLES[-1]:
                    styles[i] = STYLES[STYLES.index(styles[i]) + 1]
                    denser = True
            if not denser:
                break
        with reproducible(_day(digest)):
            data = document.write_pdf()
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; all mean "no PDF"
        raise RenderError(f"digest PDF rendering failed: {exc}", hint="check the template") from exc
    return DigestPdf(data, len(document.pages), starts, styles)


def _day(digest: Digest) -> datetime:
    try:
        return datetime.fromisoformat(digest.run.date).replace(tzinfo=UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)


def _not_included_page(document: Any) -> int:
    for number, page in enumerate(document.pages, start=1):
        if "not-included" in page.anchors:
            return int(number)
    return len(document.pages) + 1
