"""HTML → PDF with WeasyPrint, fetching nothing but the templates' own bundled assets.

WeasyPrint's default fetcher reads ``file://`` and ``http://`` URLs found in HTML and CSS and embeds
``<link rel="attachment">`` targets. Article text is escaped before it reaches HTML, and this
fetcher is the second wall: it serves files inside the template folders' ``assets/`` and refuses
everything else.
"""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefer.errors import RenderError
from briefer.models import Brief
from briefer.render import glyphtext, langtags, subset
from briefer.render.fonts import document_fonts
from briefer.render.render import HTML_TEMPLATE, PageSize, Renderer

# Refused fetches are expected (and recorded); keep WeasyPrint's warnings off the user's terminal.
logging.getLogger("weasyprint").addHandler(logging.NullHandler())
logging.getLogger("weasyprint").propagate = False


def load_weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango / harfbuzz system libraries missing
        raise RenderError(
            f"WeasyPrint cannot load ({exc})",
            hint="install pango (apt install libpango-1.0-0 libpangoft2-1.0-0) "
            "or use --format md,json",
        ) from exc
    subset.install(weasyprint)  # fonts cut in C, not in Python (render time)
    glyphtext.install(weasyprint)  # text of shaped glyphs (Urdu, Hindi) for copy and search
    langtags.install(weasyprint)  # each quote's language in the tags, for screen readers
    return weasyprint


def make_fetcher(asset_roots: list[Path], made: dict[str, bytes] | None = None) -> Any:
    """A WeasyPrint URL fetcher confined to ``asset_roots``; ``.requested`` logs every URL asked.

    ``made``: fonts made for this document, served as ``fonts/NAME`` of any asset root. A URL
    inside the roots that is neither (the Chinese font of a brief without Chinese) is
    ``.absent``; one outside them is ``.refused``."""
    weasyprint = load_weasyprint()
    roots = [root.resolve() for root in asset_roots]
    made_paths = {
        root / "fonts" / name: data for root in roots for name, data in (made or {}).items()
    }

    class AssetFetcher(weasyprint.URLFetcher):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.requested: list[str] = []
            self.refused: list[str] = []
            self.absent: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            self.requested.append(url)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in roots):
                    if path in made_paths:
                        return self._response(url, made_paths[path], path.name)
                    if path.is_file():
                        return self._response(url, path.read_bytes(), path.name)
                    self.absent.append(url)
                    raise ValueError(f"{url} is not available")
            self.refused.append(url)
            raise ValueError(f"briefer fetches only its bundled template assets, not {url}")

        @staticmethod
        def _response(url: str, body: bytes, name: str) -> Any:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(
                url, body=body, headers={"Content-Type": kind}
            )

    return AssetFetcher()


@contextlib.contextmanager
def reproducible(when: datetime) -> Iterator[None]:
    """Font subsets stamped with ``when``, not the clock: without HarfBuzz's subsetter,
    fontTools writes the current time into each subset font, so two renderings of one document
    differ. ``SOURCE_DATE_EPOCH`` is the build-reproducibility convention fontTools reads; it is
    set only while the PDF is written (a user's own value is kept)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


class PdfResult:
    def __init__(
        self, data: bytes, pages: int, fetched: list[str], refused: list[str], style: str = ""
    ) -> None:
        self.data = data
        self.pages = pages
        self.fetched = fetched
        self.refused = refused
        self.style = style  # the style that kept it to its pages: "", "compact" or "tight"


def render_pdf(
    brief: Brief,
    renderer: Renderer,
    *,
    handling: str,
    page_size: PageSize = "a4",
    dates: bool = False,
    max_pages: int = 1,
) -> PdfResult:
    """Render the handout; a brief that spills past ``max_pages`` is re-set denser, twice.

    The PDF is tagged (PDF/UA-1: structure tree, language, title shown), has the brief's title,
    bottom line (subject) and author in its metadata, a bookmark for each heading, and no
    timestamp unless ``dates``: the same brief gives the same bytes."""
    weasyprint = load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    base = renderer.template_dir(HTML_TEMPLATE)
    options: dict[str, Any] = {"page_size": page_size, "dates": dates, "handling": handling}
    made = document_fonts(renderer.html(brief, **options))
    fetcher = make_fetcher([d / "assets" for d in renderer.dirs], made)
    # One font configuration for the three tries: each @font-face is loaded once.
    fonts = FontConfiguration()
    try:
        for style in ("", "compact", "tight"):
            html = renderer.html(brief, style=style, **options)
            document = weasyprint.HTML(
                string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=fonts, pdf_variant="pdf/ua-1")
            if len(document.pages) <= max_pages:
                break
        with reproducible(brief.meta.created):
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True)
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; all mean "no PDF"
        raise RenderError(f"PDF rendering failed: {exc}", hint="check the template") from exc
    requested: list[str] = fetcher.requested
    refused: list[str] = fetcher.refused
    return PdfResult(data, len(document.pages), requested, refused, style)
