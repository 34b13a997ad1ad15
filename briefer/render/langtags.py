"""The language of each run of text in the PDF's tags, where the HTML marks it (``lang``).

WeasyPrint tags a PDF/UA document with its language (the catalog's ``/Lang``, from
``<html lang>``) but not the runs in another language: ``<span lang="ur">`` becomes a ``/Span``
structure element without ``/Lang``, so a screen reader reads an Urdu quote with English rules.
``install()`` wraps WeasyPrint's tagging (``weasyprint.pdf.add_tags``): each text's element gets
the ``/Lang`` of its box where that differs from the document's.
"""

from __future__ import annotations

import importlib
from typing import Any


def install(weasyprint: Any) -> bool:
    """Wrap WeasyPrint's tagging; False where it does not have the shape written against."""
    try:
        pydyf = importlib.import_module("pydyf")  # WeasyPrint's PDF writer (no type hints)
        from weasyprint import pdf as writer
    except ImportError:
        return False
    add_tags = getattr(writer, "add_tags", None)
    if add_tags is None:
        return False
    if getattr(add_tags, "_briefer", False):
        return True

    # WeasyPrint 69 added ``pdf_version`` before the page streams: they are the last argument.
    def tag(pdf: Any, document: Any, *rest: Any) -> Any:
        page_streams = rest[-1]
        main = getattr(getattr(document, "metadata", None), "lang", None)
        langs: dict[tuple[int, int], str] = {}
        for number, stream in enumerate(page_streams):
            for box, kid in (getattr(stream, "_tags", None) or {}).items():
                lang = (getattr(box, "style", None) or {}).get("lang")
                if lang and lang != main and isinstance(kid, dict) and "mcid" in kid:
                    langs[number, kid["mcid"]] = str(lang)
        result = add_tags(pdf, document, *rest)
        if langs:
            pages = {bytes(ref): n for n, ref in enumerate(pdf.page_references)}
            for item in pdf.objects:
                if not isinstance(item, pydyf.Dictionary) or item.get("Type") != "/StructElem":
                    continue
                kids, page = item.get("K"), item.get("Pg")
                if page is None or not isinstance(kids, list) or len(kids) != 1:
                    continue
                key = (pages.get(bytes(page), -1), kids[0])
                if isinstance(kids[0], int) and key in langs:
                    item["Lang"] = pydyf.String(langs[key])
        return result

    tag._briefer = True  # type: ignore[attr-defined]
    writer.add_tags = tag
    return True
