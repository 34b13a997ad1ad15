"""Embedded fonts cut down to the glyphs a PDF uses, by HarfBuzz (uharfbuzz) in C.

WeasyPrint subsets every font it embeds: with the system's ``libharfbuzz-subset`` when it finds
one, else with fontTools, which decompiles each font's layout tables in Python. A 20-item digest
embeds seven DejaVu faces (serif, bold, italic, sans, …): fontTools spent ~0.3 s on each, about
a third of the digest's render time on 2 cores (``bench/morning.py render``). uharfbuzz, a wheel
with HarfBuzz built in, does what WeasyPrint's own HarfBuzz path does (the same flags and dropped
tables) in a few milliseconds a face, with no system library to install.

``install()`` puts it in front of WeasyPrint's subsetting; a font it cannot cut (or a WeasyPrint
whose font class looks different) goes WeasyPrint's own way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

# What WeasyPrint drops too: layout and bitmap tables a PDF viewer never reads (text is already
# shaped), and colour SVG glyphs.
_DROP_TABLES = [*"BASE DSIG EBDT EBLC EBSC GPOS GSUB JSTF LTSH PCLT".split(), "SVG "]

_log = logging.getLogger(__name__)


def subset_font(
    data: bytes,
    glyphs: Iterable[int],
    *,
    index: int = 0,
    hinting: bool = False,
    notdef: bool = False,
) -> bytes | None:
    """``data`` (a TrueType/OpenType font, face ``index`` of a collection) with only ``glyphs``
    drawn, every glyph keeping its id (the PDF's text refers to them); None when HarfBuzz cannot
    cut it or uharfbuzz is not installed. ``notdef``: keep the outline of the missing glyph."""
    try:
        import uharfbuzz as hb
    except ImportError:
        return None
    face = hb.Face(data, index)
    request = hb.SubsetInput()
    for glyph in sorted(set(glyphs)):
        request.glyph_set.add(glyph)
    flags = (
        hb.SubsetFlags.RETAIN_GIDS
        | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
        | hb.SubsetFlags.DESUBROUTINIZE
    )
    if not hinting:
        flags |= hb.SubsetFlags.NO_HINTING
    if notdef:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    request.flags = flags
    dropped = request.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in _DROP_TABLES:
        dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    cut = hb.subset(face, request)
    if cut is None:
        return None
    out = bytes(cut.blob.data)
    return out or None


def install(weasyprint: Any) -> bool:
    """Subset WeasyPrint's embedded fonts with ``subset_font``; False where its font class does
    not have the shape this was written against (WeasyPrint 68-70), which then stays as it is."""
    try:
        from weasyprint.pdf import fonts
    except ImportError:
        return False
    font_class = getattr(fonts, "Font", None)
    original = getattr(font_class, "subset", None)
    if font_class is None or original is None:
        return False
    if getattr(original, "_briefer", False):
        return True  # installed already
    if not _cuts_fonts():
        return False

    def subset(self: Any, to_unicode: Any, hinting: bool) -> None:
        if not to_unicode:
            return
        try:
            cut = subset_font(
                self.file_content,
                to_unicode,
                index=int(getattr(self, "index", 0) or 0),
                hinting=hinting,
                notdef=bool(getattr(self, "missing", None)),
            )
        except Exception as exc:  # any failure: WeasyPrint's own way, never no PDF
            _log.debug("HarfBuzz could not subset %s: %s", getattr(self, "family", "?"), exc)
            cut = None
        if cut is None:
            original(self, to_unicode, hinting)
        else:
            self.file_content = cut

    subset._briefer = True  # type: ignore[attr-defined]
    font_class.subset = subset
    return True


def installed() -> bool:
    """Whether WeasyPrint's fonts are subset here (``install`` took effect)."""
    try:
        from weasyprint.pdf.fonts import Font
    except ImportError:
        return False
    return bool(getattr(Font.subset, "_briefer", False))


def _cuts_fonts() -> bool:
    """uharfbuzz is installed and has the subsetting API used here."""
    try:
        import uharfbuzz as hb
    except ImportError:
        return False
    return all(hasattr(hb, name) for name in ("subset", "SubsetInput", "SubsetFlags"))
