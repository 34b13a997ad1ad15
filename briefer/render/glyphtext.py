"""The PDF's text layer for shaped scripts: each glyph drawn maps back to the characters it shows.

A PDF maps each glyph of a font to text once, in its ToUnicode map; WeasyPrint fills that map with
the text of a glyph's first use. Shaping breaks both halves of that:

- one glyph stands for different characters in different places: Nastaliq draws the dot of ن
  and of ز with one glyph, its letters on shared skeletons; Devanagari's ख is "ख" alone and
  "खि" where the vowel sign before it is its own glyph. Every later use read as the first:
  "زندہ" came out as "نندہ". Here such a use gets a glyph id of its own — a copy of the glyph
  appended to the embedded font (TrueType) — whose ToUnicode entry is its own text;
- one character (cluster) is drawn as several glyphs: WeasyPrint puts the cluster's text on one
  of them and maps the others to nothing (``<>``). pypdf reads that as no text; MuPDF and pdfium
  read the glyph id as a character code instead ("ɤखिलाफ": glyph 0x264 became U+0264). Here the
  cluster's characters are dealt out over its glyphs in the order drawn; a glyph left with none
  is drawn inside a marked-content span whose ActualText is empty, which MuPDF skips.

Only lines with letters of shaped scripts are watched (``_SHAPED``); the others are drawn as
WeasyPrint draws them. The page looks the same either way: the glyph ids change, not the glyphs.

``install()`` wraps WeasyPrint's text drawing (``draw_first_line`` and ``Stream.show_text``,
which receives the glyph ids of a run), its fonts' map and its font subsetting, as they are in
WeasyPrint 68-70; where they look different nothing is installed and the PDF is WeasyPrint's own.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import struct
import unicodedata
from collections.abc import Iterator
from typing import Any

_log = logging.getLogger(__name__)

# A TJ operand as WeasyPrint writes it: glyph ids in hex strings, kerning numbers between.
_TOKEN = re.compile(r"<([0-9a-fA-F]*)>|([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)")
# Where the glyph id space of a font ends for copies (16-bit glyph ids).
_LAST_ID = 0xFFFF


class GlyphText(dict[int, str]):
    """A font's ToUnicode map (glyph id → text, the first use's) that logs every use.

    WeasyPrint asks ``glyph in to_unicode`` before it works out a glyph's text, and sets it only
    when absent: answering no while a line is watched makes it give the text of every glyph it
    draws, in the order it writes them, which ``show_text`` then reads off the log."""

    def __init__(self) -> None:
        super().__init__()
        # Every use logged, in order: glyphs and their texts side by side (read in slices).
        self.used: list[int] = []
        self.texts: list[str] = []
        self.read = 0  # how far the log has been read
        self.copies: dict[tuple[int, str], int] = {}  # (glyph, text) → the copy's id
        self.originals: dict[int, int] = {}  # copy's id → the glyph it copies
        self.inked: dict[int, bool] = {}  # glyph → whether it draws and takes room
        self.extents: Any = None

    def __contains__(self, glyph: object) -> bool:
        return not _watch[0] and super().__contains__(glyph)

    def __setitem__(self, glyph: int, text: str) -> None:
        if _watch[0]:
            self.used.append(glyph)
            self.texts.append(text)
            if super().__contains__(glyph):
                return
        super().__setitem__(glyph, text)

    def has(self, glyph: int) -> bool:
        return super().__contains__(glyph)

    def remember(self, glyph: int, text: str) -> None:
        super().__setitem__(glyph, text)

    def next_uses(self, glyphs: tuple[int, ...]) -> list[str | None]:
        """The texts of the next logged uses of ``glyphs``, in order (None for one not logged;
        uses of others before it are stale)."""
        start, end = self.read, self.read + len(glyphs)
        if self.used[start:end] == list(glyphs):  # the usual case, compared in C
            self.read = end
            texts: list[str | None] = list(self.texts[start:end])
        else:
            texts = [self._next_use(glyph) for glyph in glyphs]
        if self.read > 4096:  # forget what has been read
            del self.used[: self.read], self.texts[: self.read]
            self.read = 0
        return texts

    def _next_use(self, glyph: int) -> str | None:
        for at in range(self.read, len(self.used)):
            if self.used[at] == glyph:
                self.read = at + 1
                return self.texts[at]
        return None


def _copy_id(font: Any, glyph: int, text: str) -> int:
    """The glyph id that shows ``glyph`` with ``text`` as its text: ``glyph`` itself for its
    first use's text, else a copy of it (made once per text)."""
    table: GlyphText = font.to_unicode
    if not table.has(glyph) or dict.__getitem__(table, glyph) == text:
        table.remember(glyph, text)
        return glyph
    if getattr(font, "type", "") == "otf" or getattr(font, "bitmap", False):
        return glyph  # CFF and bitmap programs are not copied into: first use's text stays
    key = (glyph, text)
    if key not in table.copies:
        new = font.glyph_count + len(font.missing) + len(table.copies)
        if new > _LAST_ID:
            return glyph
        table.copies[key] = new
        table.originals[new] = glyph
        table.remember(new, text)
        if glyph in font.widths:
            font.widths[new] = font.widths[glyph]
    return table.copies[key]


_HEX = re.compile(r"<([0-9a-fA-F]*)>")
# Scripts whose letters are shaped into glyphs other than one per character (and combining
# marks): a line without them maps glyph to text one to one, and is drawn as WeasyPrint draws
# it. Whether the line being drawn is watched (rendering is single-threaded; digest parts are
# processes of their own).
_SHAPED = re.compile("[\u0300-\u036f\u0590-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]")
_watch = [False]


class _Run:
    """One TJ array of a line, kept apart until the line is drawn: a cluster's glyphs may be
    written in several (a glyph raised or lowered is shown on its own)."""

    def __init__(self, font: Any, operand: str) -> None:
        table: GlyphText = font.to_unicode
        self.font = font
        self.operand = operand
        hexes = "".join(_HEX.findall(operand))
        glyphs = struct.unpack(f">{len(hexes) // 4}H", bytes.fromhex(hexes))
        self.texts = table.next_uses(glyphs)
        # Every glyph shows text of its own, the text of its first use (which the log set):
        # written as it is. Compared in C: the line of a Latin paragraph costs next to nothing.
        self.plain = "" not in self.texts and self.texts == list(map(table.get, glyphs))

    @functools.cached_property
    def items(self) -> list[tuple[str, str | None]]:
        """Kerning numbers, and glyphs (``<gid>``) with their texts, in order."""
        out: list[tuple[str, str | None]] = []
        texts = iter(self.texts)
        for match in _TOKEN.finditer(self.operand):
            hexa, number = match.groups()
            if number is not None:
                out.append((number, None))
                continue
            for start in range(0, len(hexa), 4):
                out.append((f"<{hexa[start : start + 4].lower()}>", next(texts)))
        return out


def _glyph_texts(runs: list[_Run]) -> list[str | None]:
    """The text each of a line's glyphs (numbered across its runs) is to map to, so that its
    glyphs' texts read in the order drawn give the line's text (in reverse where it runs right
    to left, which extractors turn round): None where WeasyPrint logged none.

    WeasyPrint gives a cluster drawn as several glyphs its whole text on one glyph and none to
    the others: on the last drawn in left-to-right text, the first in right-to-left (glyphs
    are drawn left to right). "खि" is drawn vowel sign first: the sign's glyph read "", ख's
    "खि", and MuPDF read the first as its glyph id. Here the cluster's characters are dealt
    out over its glyphs in the order drawn, glyphs that take room first (marks, dots and
    spacers show where the glyph before them is); only a glyph left over reads as nothing."""
    glyphs = [(run.font, text) for run in runs for token, text in run.items if token[0] == "<"]
    ids = [int(token[1:5], 16) for run in runs for token, _ in run.items if token[0] == "<"]
    texts = [text for _, text in glyphs]
    rtl = _directions(glyphs)
    claimed: set[int] = set()
    for i, (font, text) in enumerate(glyphs):
        if not text:
            continue
        step = 1 if rtl[i] else -1
        j = i
        while (
            0 <= j + step < len(glyphs)
            and glyphs[j + step] == (font, "")
            and j + step not in claimed
        ):
            j += step
            claimed.add(j)
        if j == i:
            continue
        members = list(range(min(i, j), max(i, j) + 1))
        chars = list(reversed(text)) if rtl[i] else list(text)
        wide = [g for g in members if _inked(font, ids[g])] or members
        targets = wide[: len(chars)]
        for g in members:
            texts[g] = ""
        for n, g in enumerate(targets):
            rest = chars[n:] if n == len(targets) - 1 else [chars[n]]
            texts[g] = "".join(reversed(rest)) if rtl[i] else "".join(rest)
    return texts


def _inked(font: Any, glyph: int) -> bool:
    """Whether ``glyph`` draws something and takes room (not a mark, dot or spacer)."""
    table: GlyphText = font.to_unicode
    if glyph not in table.inked:
        if table.extents is None:
            table.extents = _extents(font)
        width = font.widths.get(glyph, 0)
        table.inked[glyph] = width > 0 and (table.extents is None or table.extents(glyph))
    return table.inked[glyph]


def _extents(font: Any) -> Any:
    """A function telling whether a glyph of ``font`` has ink (uharfbuzz), or None."""
    try:
        import uharfbuzz as hb

        face = hb.Face(font.file_content, int(getattr(font, "index", 0) or 0))
        shaper = hb.Font(face)
    except Exception:  # no uharfbuzz, or a font it cannot read: widths alone decide
        return None

    def inked(glyph: int) -> bool:
        extents = shaper.get_glyph_extents(glyph)
        return extents is not None and extents.width != 0 and extents.height != 0

    return inked


def _directions(glyphs: list[tuple[Any, str | None]]) -> list[bool]:
    """Whether each glyph is in right-to-left text: that of the font's stretch of the line (its
    runs one after another), by the most of its strong characters."""
    rtl: list[bool] = []
    start = 0
    for end in range(1, len(glyphs) + 1):
        if end == len(glyphs) or glyphs[end][0] is not glyphs[start][0]:
            strong = [
                unicodedata.bidirectional(c)
                for _, text in glyphs[start:end]
                for c in text or ""
                if unicodedata.bidirectional(c) in ("L", "R", "AL")
            ]
            right = sum(kind != "L" for kind in strong) > len(strong) / 2
            rtl.extend([right] * (end - start))
            start = end
    return rtl


def _line_bytes(runs: list[_Run], show: Any) -> list[list[bytes]]:
    """Each run's PDF operators: its TJ arrays, its glyphs renumbered for their texts
    (``_copy_id``), and those that read as nothing in a span whose ActualText is empty: MuPDF
    then skips them (it would read their glyph id as a character), pypdf reads nothing."""
    texts = _glyph_texts(runs)
    out: list[list[bytes]] = []
    glyph = 0
    for run in runs:
        pieces: list[tuple[bool, list[str]]] = [(False, [])]  # (reads as nothing, tokens)
        for token, _ in run.items:
            if token[0] != "<":
                tokens = pieces[-1][1]
                tokens.append(token if not tokens or tokens[-1][-1] == ">" else " " + token)
                continue
            text = texts[glyph]
            glyph += 1
            if text is not None:
                token = f"<{_copy_id(run.font, int(token[1:5], 16), text):04x}>"
            if (text == "") != pieces[-1][0]:
                pieces.append((text == "", []))
            pieces[-1][1].append(token)
        ops: list[bytes] = []
        for silent, tokens in pieces:
            if not tokens:
                continue  # a kerning number alone still moves the glyphs after it: kept
            if silent:
                ops.append(b"/Span << /ActualText () >> BDC")
            ops.append(show("".join(tokens)))
            if silent:
                ops.append(b"EMC")
        out.append(ops)
    return out


_switch = {"on": True}


@contextlib.contextmanager
def weasyprint_text() -> Iterator[None]:
    """Fonts made meanwhile get WeasyPrint's own text layer (the bench and the tests compare)."""
    _switch["on"] = False
    try:
        yield
    finally:
        _switch["on"] = True


def install(weasyprint: Any) -> bool:
    """Wrap WeasyPrint's text drawing and font subsetting (see the module); False where its
    classes do not have the shape this was written against."""
    try:
        from weasyprint.pdf import fonts
        from weasyprint.pdf.stream import Stream
    except ImportError:
        return False
    font_class = getattr(fonts, "Font", None)
    needed = ("__init__", "subset", "get_unused_glyph_id")
    if font_class is None or not all(hasattr(font_class, n) for n in needed):
        return False
    if not hasattr(Stream, "show_text") or getattr(Stream.show_text, "_briefer", False):
        return hasattr(Stream, "show_text")
    from weasyprint.draw import text as drawing

    draw_first_line = getattr(drawing, "draw_first_line", None)
    if draw_first_line is None:
        return False
    font_init = font_class.__init__
    font_subset = font_class.subset
    unused_id = font_class.get_unused_glyph_id
    show_text = Stream.show_text
    stream_add_font = Stream.add_font

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        font_init(self, *args, **kwargs)
        if _switch["on"]:
            self.to_unicode = GlyphText()

    def add_font(self: Any, pango_font: Any) -> Any:
        font, size = stream_add_font(self, pango_font)
        if isinstance(font.to_unicode, GlyphText) and not getattr(font, "_briefer_shared", 0):
            # WeasyPrint makes a font per size of one font file, and writes one of them for
            # the file: they share one map (and widths), so copies and texts agree.
            for other in self._fonts.values():
                if other is not font and other.hash == font.hash:
                    font.to_unicode, font.widths, font.missing = (
                        other.to_unicode,
                        other.widths,
                        other.missing,
                    )
                    break
            font._briefer_shared = True
        return font, size

    def get_unused_glyph_id(self: Any, codepoint: int) -> int:
        table = self.to_unicode
        if not isinstance(table, GlyphText) or not table.copies or codepoint in self.missing:
            return int(unused_id(self, codepoint))
        # After the copies: missing glyphs and copies share the ids past the font's last.
        self.missing[codepoint] = min(
            self.glyph_count + len(self.missing) + len(table.copies), _LAST_ID
        )
        return int(self.missing[codepoint])

    def subset(self: Any, to_unicode: Any, hinting: bool) -> None:
        table = self.to_unicode
        copies = table.originals if isinstance(table, GlyphText) else {}
        keep = {g: t for g, t in dict(to_unicode).items() if g not in copies}
        keep.update({g: "" for g in copies.values()})
        font_subset(self, keep, hinting)
        if copies:
            extended = with_copies(self.file_content, copies)
            if extended is None:
                _log.debug("no glyph copies in %s", getattr(self, "family", "?"))
            else:
                self.file_content = extended

    def show(self: Any, text: Any) -> None:
        current = getattr(self, "_current_font", None)
        font = None
        if isinstance(text, str) and current:
            font = next((f for f in self._fonts.values() if f.hash == current[0]), None)
        if not _watch[0] or font is None or not isinstance(font.to_unicode, GlyphText):
            show_text(self, text)
            return
        run = _Run(font, text)
        line = getattr(self, "_briefer_line", None)
        place = len(self.stream)
        self.stream.append(b"")  # the run's place, filled when its line is drawn
        if line is None:
            _draw(self, [run], place)
        else:
            line.append((run, place))

    def _draw(stream: Any, runs: list[_Run], *places: int) -> None:
        def operator(operand: str) -> bytes:
            size = len(stream.stream)
            show_text(stream, operand)
            return bytes(stream.stream.pop(size))

        if all(run.plain for run in runs):
            for place, run in zip(places, runs, strict=True):
                stream.stream[place] = operator(run.operand)
            return
        for place, ops in zip(places, _line_bytes(runs, operator), strict=True):
            stream.stream[place] = b"\n".join(ops)

    def first_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        if not _SHAPED.search(str(getattr(textbox, "text", ""))):
            return draw_first_line(stream, textbox, *args, **kwargs)
        line: list[tuple[_Run, int]] = []
        outer = getattr(stream, "_briefer_line", None)
        stream._briefer_line = line
        _watch[0] = True
        try:
            return draw_first_line(stream, textbox, *args, **kwargs)
        finally:
            _watch[0] = False
            stream._briefer_line = outer
            if line:
                _draw(stream, [run for run, _ in line], *(place for _, place in line))

    show._briefer = True  # type: ignore[attr-defined]
    # subset.install looks for its own mark on Font.subset: keep it visible through this one.
    subset._briefer = getattr(font_subset, "_briefer", False)  # type: ignore[attr-defined]
    font_class.__init__ = init
    font_class.get_unused_glyph_id = get_unused_glyph_id
    font_class.subset = subset
    Stream.show_text = show
    Stream.add_font = add_font
    drawing.draw_first_line = first_line
    return True


def with_copies(data: bytes, originals: dict[int, int]) -> bytes | None:
    """A TrueType font program with glyph ``copy`` drawn as glyph ``originals[copy]`` (ids up to
    the highest copy that are neither are empty); None where it is not TrueType (``glyf``).

    Written at the level of the font's tables, not through fontTools (which took ~25 ms a font
    to compile the glyphs again): glyphs are appended to ``glyf`` as they are (a composite's
    parts keep their ids), ``loca`` and ``hmtx`` are written out long, and the tables that list
    glyphs by name or per size (``post`` names, ``hdmx``, ``LTSH``, vertical metrics) are cut:
    no PDF viewer reads them."""
    try:
        tables = _tables(data)
        head, maxp, hhea = tables[b"head"], tables[b"maxp"], tables[b"hhea"]
        glyf, loca, hmtx = tables[b"glyf"], tables[b"loca"], tables[b"hmtx"]
    except (KeyError, struct.error, ValueError):
        return None
    count = struct.unpack(">H", maxp[4:6])[0]
    long_loca = struct.unpack(">h", head[50:52])[0] == 1
    if long_loca:
        offsets = list(struct.unpack(f">{count + 1}L", loca[: 4 * (count + 1)]))
    else:
        offsets = [2 * o for o in struct.unpack(f">{count + 1}H", loca[: 2 * (count + 1)])]
    metrics_count = struct.unpack(">H", hhea[34:36])[0]
    pairs = struct.unpack(f">{2 * metrics_count}H", hmtx[: 4 * metrics_count])
    advances, bearings = list(pairs[0::2]), list(pairs[1::2])  # bearings as unsigned: copied
    rest = count - metrics_count
    advances += [advances[-1] if advances else 0] * rest
    bearings += struct.unpack(f">{rest}H", hmtx[4 * metrics_count : 4 * metrics_count + 2 * rest])
    body = bytearray(glyf[: offsets[-1]])
    body += b"\0" * (-len(body) % 4)
    total = max(count, max(originals) + 1)
    for new in range(count, total):
        source = originals.get(new)
        if source is not None and source < count:
            body += glyf[offsets[source] : offsets[source + 1]]
            body += b"\0" * (-len(body) % 4)
            advances.append(advances[source])
            bearings.append(bearings[source])
        else:
            advances.append(0)
            bearings.append(0)
        offsets.append(len(body))
    tables[b"glyf"] = bytes(body)
    tables[b"loca"] = struct.pack(f">{total + 1}L", *offsets)
    flat = [value for pair in zip(advances, bearings, strict=True) for value in pair]
    tables[b"hmtx"] = struct.pack(f">{2 * total}H", *flat[: 2 * total])
    tables[b"head"] = head[:8] + b"\0\0\0\0" + head[12:50] + struct.pack(">h", 1) + head[52:]
    tables[b"maxp"] = maxp[:4] + struct.pack(">H", total) + maxp[6:]
    tables[b"hhea"] = hhea[:34] + struct.pack(">H", total) + hhea[36:]
    if b"post" in tables:
        tables[b"post"] = struct.pack(">L", 0x00030000) + tables[b"post"][4:32]
    for tag in (b"hdmx", b"LTSH", b"VDMX", b"vhea", b"vmtx"):
        tables.pop(tag, None)
    return _sfnt(data[:4], tables)


def _tables(data: bytes) -> dict[bytes, bytes]:
    """The tables of an sfnt font (not a collection), by tag."""
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sLLL", data[12 + 16 * i : 28 + 16 * i])
        tables[tag] = data[offset : offset + length]
        if len(tables[tag]) != length:
            raise ValueError(f"table {tag!r} cut short")
    return tables


def _checksum(table: bytes) -> int:
    padded = table + b"\0" * (-len(table) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF)


def _sfnt(version: bytes, tables: dict[bytes, bytes]) -> bytes:
    """An sfnt font of ``tables``, with its checksums (the font's own in ``head`` too)."""
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    shifts = (power * 16, power.bit_length() - 1, count * 16 - power * 16)
    header = version + struct.pack(">HHHH", count, *shifts)
    directory = b""
    body = b""
    head_at = -1
    offset = len(header) + 16 * count
    for tag in sorted(tables):
        table = tables[tag]
        if tag == b"head":
            head_at = offset + len(body)
        directory += struct.pack(">4sLLL", tag, _checksum(table), offset + len(body), len(table))
        body += table + b"\0" * (-len(table) % 4)
    font = bytearray(header + directory + body)
    if head_at >= 0:
        adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
        font[head_at + 8 : head_at + 12] = struct.pack(">L", adjustment)
    return bytes(font)
