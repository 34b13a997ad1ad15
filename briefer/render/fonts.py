"""The handout's fonts, one per script, where each comes from, and what each covers.

DejaVu (Debian's fonts-dejavu-core) sets Latin, Cyrillic and Greek, and Hebrew (DejaVu Sans).
The rest are Noto fonts under the SIL Open Font License (``templates/assets/fonts/OFL.txt``):

- Noto Sans Devanagari, Noto Sans Bengali, Noto Naskh Arabic and Noto Nastaliq Urdu are bundled
  in ``templates/assets/fonts/`` (1.2 MB together, from Debian's fonts-noto-core 20201225);
- Noto Sans CJK SC comes from the PyPI package ``noto-cjk-sans-otc`` (a 19.5 MB collection; too
  big to bundle), or else from Debian's fonts-noto-cjk. The whole collection embedded through
  WeasyPrint took 15-39 s a page to subset (fontTools keeps all 65,535 glyph slots), so each
  document gets a font cut down to its own Chinese characters first (~1 s), served to WeasyPrint
  as ``assets/fonts/NotoSansCJKsc-Regular.otf``.

The stylesheet names these families; the URL fetcher serves only these files (``pdf.py``).
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from briefer.render.scripts import script_of

#: The per-document Chinese font's name under ``assets/fonts/`` (made, never on disk).
CJK_ASSET = "NotoSansCJKsc-Regular.otf"
_CJK_COLLECTION = "NotoSansCJK-Regular.ttc"
_CJK_FACE = "Noto Sans CJK SC"
_CJK_SYSTEM = (
    Path("/usr/share/fonts/opentype/noto") / _CJK_COLLECTION,
    Path("/usr/share/fonts/opentype/noto-cjk") / _CJK_COLLECTION,
)


class ScriptFont(NamedTuple):
    script: str
    sample: str  # what the doctor and the tests check the font against
    family: str  # its CSS family name
    asset: str | None  # its file under assets/fonts/, None for a system font
    origin: str  # where it comes from, and how to get it


FONTS: tuple[ScriptFont, ...] = (
    ScriptFont(
        "Latin",
        "Policy brief: Erdoğan, Zelenskyy’s “talks” – 40 %",
        "DejaVu Serif",
        None,
        "system: apt install fonts-dejavu-core",
    ),
    ScriptFont(
        "Cyrillic",
        "Лавров: «Слава Україні», эскалация",
        "DejaVu Serif",
        None,
        "system: apt install fonts-dejavu-core",
    ),
    ScriptFont(
        "Devanagari",
        "भारत ने पाकिस्तान से बातचीत की",
        "Noto Sans Devanagari",
        "NotoSansDevanagari-Regular.ttf",
        "bundled",
    ),
    ScriptFont(
        "Bengali",
        "বাংলাদেশ শান্তি চায়",
        "Noto Sans Bengali",
        "NotoSansBengali-Regular.ttf",
        "bundled",
    ),
    ScriptFont(
        "Greek",
        "Ελλάδα: «ειρήνη» και διάλογος",
        "DejaVu Serif",
        None,
        "system: apt install fonts-dejavu-core",
    ),
    ScriptFont(
        "Hebrew",
        "שלום עכשיו",
        "DejaVu Sans",
        None,
        "system: apt install fonts-dejavu-core",
    ),
    ScriptFont(
        "Arabic",
        "وقف إطلاق النار في غزة",
        "Noto Naskh Arabic",
        "NotoNaskhArabic-Regular.ttf",
        "bundled",
    ),
    ScriptFont(
        "Urdu (Nastaliq)",
        "پاکستان ہر قیمت پر اپنا دفاع کرے گا",
        "Noto Nastaliq Urdu",
        "NotoNastaliqUrdu-Regular.ttf",
        "bundled",
    ),
    ScriptFont(
        "Chinese",
        "台湾问题是中国内政，“一个中国”。",
        "Noto Sans CJK SC",
        CJK_ASSET,
        "pip install noto-cjk-sans-otc (or apt install fonts-noto-cjk)",
    ),
)


class FontFile(NamedTuple):
    path: Path
    face: int  # the face within a collection (.ttc)


def _face_index(path: Path, family: str) -> int:
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return index
    return 0


@lru_cache(maxsize=1)
def cjk_collection() -> FontFile | None:
    """The Noto Sans CJK collection and its Simplified Chinese face: the package, else Debian's."""
    spec = importlib.util.find_spec("noto_cjk_sans_otc")
    candidates = list(_CJK_SYSTEM)
    if spec is not None and spec.origin:
        candidates.insert(0, Path(spec.origin).parent / _CJK_COLLECTION)
    for path in candidates:
        if path.is_file():
            return FontFile(path, _face_index(path, _CJK_FACE))
    return None


def _system_font(family: str) -> FontFile | None:
    """A system font by family, as fontconfig finds it (None if it substitutes another)."""
    if not shutil.which("fc-match"):
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}\n%{index}", family],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    if len(found) != 3 or family not in found[0].split(","):
        return None
    return FontFile(Path(found[1]), int(found[2] or 0))


def font_file(font: ScriptFont, asset_dirs: list[Path]) -> FontFile | None:
    """Where ``font`` is on this machine, or None."""
    if font.asset == CJK_ASSET:
        return cjk_collection()
    if font.asset is None:
        return _system_font(font.family)
    for directory in asset_dirs:
        if (directory / "fonts" / font.asset).is_file():
            return FontFile(directory / "fonts" / font.asset, 0)
    return None


def missing_glyphs(file: FontFile, text: str) -> list[str]:
    """The characters of ``text`` (spaces aside) that the font has no glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(file.path), fontNumber=file.face, lazy=True) as font:
        cmap = font.getBestCmap()
    return sorted({c for c in text if not c.isspace() and ord(c) not in cmap})


def _is_cjk(char: str) -> bool:
    script = script_of(char)
    return script is not None and script.name == "Han"


@lru_cache(maxsize=32)
def cjk_subset(chars: str) -> bytes | None:
    """The Simplified Chinese face cut down to ``chars`` (sorted, unique), or None when there is
    no Chinese character or no collection. Shaping tables are kept; the bytes depend only on
    ``chars`` (no timestamp), so a brief renders to the same PDF every time."""
    collection = cjk_collection()
    if not chars or collection is None:
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    out = io.BytesIO()
    with TTFont(
        str(collection.path), fontNumber=collection.face, lazy=True, recalcTimestamp=False
    ) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.save(out)
    return identity_cids(out.getvalue())


def identity_cids(data: bytes) -> bytes:
    """``data`` (a CID-keyed CFF font) with each glyph's CID equal to its glyph id.

    The subsetter renumbers the glyphs but keeps their CIDs from the whole collection (和: glyph
    4, CID 12144). WeasyPrint embeds the font as a CIDFontType0 and writes glyph ids in the page;
    a viewer that follows the PDF standard (MuPDF) reads them as CIDs, looks each up in the
    font's charset, finds none and draws nothing, while pdfium takes them as glyph ids. With
    CID = glyph id both read the same glyph."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) as font:
        top = font["CFF "].cff.topDictIndex[0]
        if not hasattr(top, "ROS"):
            return data  # name-keyed: glyph ids are what a viewer reads
        old = list(top.charset)
        new = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(old))]
        by_name = top.CharStrings.charStrings
        top.CharStrings.charStrings = {n: by_name[o] for o, n in zip(old, new, strict=True)}
        top.charset = new
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def document_fonts(text: str) -> dict[str, bytes]:
    """Fonts made for one document, by their name under ``assets/fonts/``."""
    cjk = {c for c in text if _is_cjk(c)}
    # The space between two Korean words is set in this font too: without it, a missing glyph.
    chars = "".join(sorted(cjk | {" "})) if cjk else ""
    data = cjk_subset(chars)
    return {CJK_ASSET: data} if data else {}
