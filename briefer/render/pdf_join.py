"""One PDF from PDFs laid out in parts: the pages in order, each part's bookmarks, links and
named destinations, the first part's metadata, and the links a part makes to another part's
anchors (WeasyPrint drops a link whose anchor is not in its own document; it is put back here,
pointing at the named destination the other part brought)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from briefer.errors import RenderError


@dataclass(frozen=True)
class CrossLink:
    page: int  #: 0-based, in the joined document
    rect: tuple[float, float, float, float]  #: PDF points, origin at the bottom left
    target: str  #: the anchor's name (``item-3``)


def join(parts: list[bytes], links: list[CrossLink]) -> bytes:
    import pypdf
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    if len(parts) == 1 and not links:
        return parts[0]
    try:
        writer = pypdf.PdfWriter()
        readers = [pypdf.PdfReader(io.BytesIO(part)) for part in parts]
        for reader in readers:
            writer.append(reader)
        if readers[0].metadata:
            writer.add_metadata(dict(readers[0].metadata))
        names = {name for reader in readers for name in reader.named_destinations}
        for link in links:
            if link.target not in names:
                raise RenderError(
                    f"no anchor #{link.target} in any part of the PDF", hint="check the template"
                )
            annotation = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(FloatObject(v) for v in link.rect),
                    NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                }
            )
            # The named destination is set on the added object: pypdf 4's add_annotation reads
            # a /Dest as its own dictionary form.
            added = writer.add_annotation(link.page, annotation)
            added[NameObject("/Dest")] = TextStringObject(link.target)
        out = io.BytesIO()
        writer.write(out)
    except RenderError:
        raise
    except Exception as exc:  # pypdf raises many kinds; all mean "no PDF"
        raise RenderError(f"joining the PDF's parts failed: {exc}", hint="report a bug") from exc
    return out.getvalue()
