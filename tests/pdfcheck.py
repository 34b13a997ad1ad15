"""What a PDF draws, glyph by glyph: every glyph shown, the font it comes from and whether the
embedded font program has it. A brief "has no missing glyph" when no glyph is .notdef (id 0),
every drawn glyph has an outline (spaces aside), and no font needs WeasyPrint's fallback
encoding (which it writes only when a font lacks a character)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


@dataclass
class FontUse:
    name: str
    encoding: str
    glyphs: set[int] = field(default_factory=set)
    text: dict[int, str] = field(default_factory=dict)  # glyph → the characters it shows
    # Glyphs that take room but have no outline (zero-width helpers, such as Nastaliq's spacer
    # glyphs, are not blank: they show nothing by design).
    blank: set[int] = field(default_factory=set)

    @property
    def chars(self) -> set[str]:
        return {c for g in self.glyphs for c in self.text.get(g, "")}

    def problems(self) -> list[str]:
        out = []
        if self.encoding != "/Identity-H":
            out.append(f"{self.name}: fallback encoding {self.encoding} (a missing character)")
        if 0 in self.glyphs:
            out.append(f"{self.name}: draws .notdef")
        for glyph in sorted(self.glyphs & self.blank):
            shown = self.text.get(glyph, "")
            if shown.strip():
                out.append(f"{self.name}: glyph {glyph} for {shown!r} has no outline")
        return out


def _program(font: DictionaryObject) -> tuple[set[int], int]:
    """The embedded font program's blank glyphs (see ``FontUse``) and glyph count."""
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    program = TTFont(io.BytesIO(stream.get_object().get_data()))
    order = program.getGlyphOrder()
    metrics = program["hmtx"].metrics
    wide = [(i, name) for i, name in enumerate(order) if metrics[name][0] > 0]
    if "glyf" in program:
        glyf = program["glyf"]
        blank = {i for i, name in wide if glyf[name].numberOfContours == 0}
    else:
        charstrings = program["CFF "].cff.topDictIndex[0].CharStrings
        blank = {i for i, name in wide if charstrings[name].calcBounds(charstrings) is None}
    return blank, len(order)


def _to_unicode(font: DictionaryObject) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data()
    return {
        int(gid, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for gid, text in _BFCHAR.findall(data)
    }


def _walk(reader: PdfReader, content: object, resources: DictionaryObject, uses: dict) -> None:
    resources = resources.get_object()
    fonts = resources.get("/Font", DictionaryObject()).get_object()
    xobjects = resources.get("/XObject", DictionaryObject()).get_object()
    current: FontUse | None = None
    for operands, operator in ContentStream(content, reader).operations:
        if operator == b"Tf":
            ref = fonts[operands[0]]
            key = ref.idnum if hasattr(ref, "idnum") else id(ref)
            if key not in uses:
                font = ref.get_object()
                blank, count = _program(font)
                encoding = font.get("/Encoding")
                name = encoding if isinstance(encoding, str) else "a custom CMap"
                use = FontUse(str(font["/BaseFont"]), str(name))
                use.text, use.blank = _to_unicode(font), blank | set(range(count, 65536))
                uses[key] = use
            current = uses[key]
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            items = operands[0] if operator == b"TJ" else [operands[-1]]
            for item in items:
                if isinstance(item, (int, float)) or current is None:
                    continue
                raw = item.original_bytes  # as written (pypdf may have decoded it as text)
                current.glyphs.update(
                    int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)
                )
        elif operator == b"Do":
            xobject = xobjects[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                _walk(reader, xobject, xobject.get("/Resources", resources), uses)


def glyph_report(data: bytes) -> list[FontUse]:
    """Every font the PDF draws text with, and what it draws."""
    reader = PdfReader(io.BytesIO(data))
    uses: dict[object, FontUse] = {}
    for page in reader.pages:
        _walk(reader, page.get_contents(), page["/Resources"], uses)
    return list(uses.values())
