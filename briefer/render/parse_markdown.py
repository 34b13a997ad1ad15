"""A brief's Markdown (``templates/brief.md.j2``) read back into a ``Brief``.

An analyst corrects the Markdown; ``briefer render BRIEF.md --source ARTICLE`` reads it back,
verifies it again and renders it. Reading a brief's Markdown and rendering it again gives the
same bytes (``tests/test_parse_markdown.py``). The layout, line by line:

- ``# title``; ``## Bottom Line`` and its paragraph;
- ``## Background`` … ``## Outlook``: ``- `` statements, each ``[**⚠ Unsupported:** |**⚠ Partly
  supported:** ]text[ [citation]][ _(problems)_]``, or the italic "not stated" line;
- ``## Sources``: ``- [[n] ][title](<url>)[ — outlet][, date]``; ``### Cited sentences``:
  ``- [citation] sentence``;
- ``## Verification``: the summary line, then "Dropped as unsupported:" and its statements;
- a ``<!-- briefer-meta {…} -->`` comment with the brief's meta (date, model); without it, the
  caller's ``meta`` is used.

Text is Markdown-escaped by briefer; a backslash keeps the next character. A source line's
outlet starts at its first " — " and its date is what follows the last ", " when that holds a
digit (rendering joins them back the same way either way). Lines an editor wrapped are joined.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from briefer.errors import BriefFileError
from briefer.models import SECTIONS, Brief, BriefMeta, Status
from briefer.render.render import META_COMMENT_END, META_COMMENT_START, md_unescape

_HEADINGS = {heading: key for key, heading in SECTIONS}
_STATEMENT = re.compile(
    r"^- (?:\*\*⚠ (?P<flag>Unsupported|Partly supported):\*\* )?(?P<text>.*?)"
    r"(?: \[(?P<cites>[^\[\]]*)\])?(?: _\((?P<problems>.*)\)_)?$"
)
_SOURCE_INDEX = re.compile(r"^- (?:\[\d+\] )?")
_LINK = re.compile(r"^\[(?P<name>(?:\\.|[^\\\]])*)\]\(<(?P<url>[^>]*)>\)")
_CITED = re.compile(r"^- \[(?P<cites>[^\]]+)\] (?P<text>.*)$")
_SUMMARY = re.compile(
    r"^(?P<statements>\d+) statements(?: \((?P<verbatim>\d+) verbatim, (?P<shortened>\d+) "
    r"shortened, (?P<paraphrased>\d+) paraphrased\))?, \d+% pass every check"
    r"(?:, \d+ the checks cannot judge \((?P<unjudged>.*?)\))?"
    r"(?:, (?P<partial>\d+) partly supported)?, "
    r"(?P<flagged>\d+) flagged, (?P<dropped>\d+) dropped"
    r"(?:, (?P<withheld>\d+) instruction-like sentences withheld)?\. "
    r"Title: (?P<title>.*?)\. "
    r"Bottom line: .*?(?P<bottom>passes every check|partly supported|unsupported)"
    r"(?: \((?P<problems>.*)\))?\. Checked by briefer"
)
_VERDICTS: dict[str, Status] = {
    "passes every check": "supported",
    "partly supported": "partial",
    "unsupported": "unsupported",
}
_FLAGS: dict[str | None, Status] = {"Unsupported": "unsupported", "Partly supported": "partial"}
_DROPPED_HEADER = "Dropped as unsupported:"
_OTHER_HEADINGS = (
    "Bottom Line",
    "Where Sources Differ",
    "Sources",
    "Cited sentences",
    "Verification",
)
_DIFFER = re.compile(r"^- (?P<text>.*) \[(?P<cites>[^\[\]]+)\]$")
UNTITLED = "Untitled source"


def parse_cites(marker: str) -> list[tuple[int | None, int]]:
    """A citation's ``(source, sentence)`` pairs; source None when the marker names none.

    ``3`` → [(None, 3)]; ``3,4``; ``2:3``; ``2:3,4`` and ``2:3,2:4`` → [(2, 3), (2, 4)];
    groups by ``;``: ``1:4; 2:7``. Raises ValueError for anything else."""
    pairs: list[tuple[int | None, int]] = []
    for group in marker.split(";"):
        source: int | None = None  # an id without "s:" is in the source named before it
        for item in group.split(","):
            head, colon, tail = item.strip().partition(":")
            if colon:
                if not head.isdigit():
                    raise ValueError(f"bad source number in citation [{marker}]")
                source, head = int(head), tail
            if not head.isdigit():
                raise ValueError(f"bad sentence number in citation [{marker}]")
            pairs.append((source, int(head)))
    return pairs


def statement_cites(pairs: list[tuple[int | None, int]]) -> dict[str, Any]:
    """The ``Statement`` fields of a citation: the first source named and its sentence ids, then
    the sentences of other sources that state the same fact (``also``: ``[2:3; 1:5]``)."""
    if not pairs:
        return {"cites": [], "source": 1}
    first = pairs[0][0] or 1
    return {
        "cites": [sentence for source, sentence in pairs if (source or 1) == first],
        "source": first,
        "also": [
            {"source": source, "sentence": sentence}
            for source, sentence in pairs
            if (source or 1) != first
        ],
    }


class _Lines:
    """The numbered, non-blank lines of one section; wrapped lines joined to their bullet."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, number: int, line: str) -> None:
        starts = line.startswith("- ") or not self.items or line == _DROPPED_HEADER
        if starts or self.items[-1][1] == _DROPPED_HEADER:
            self.items.append((number, line))
        else:
            previous_number, previous = self.items[-1]
            self.items[-1] = (previous_number, f"{previous} {line}")

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(self.items)


def _sections(text: str, origin: str) -> tuple[dict[str, _Lines], str | None]:
    """Lines by heading (``#`` is the title, ``###`` the cited sentences), and the meta JSON."""
    sections: dict[str, _Lines] = {}
    current: _Lines | None = None
    meta: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith(META_COMMENT_START) and line.endswith(META_COMMENT_END):
            meta = line[len(META_COMMENT_START) : -len(META_COMMENT_END)]
        elif line.startswith(("# ", "## ", "### ")):
            level, _, heading = line.partition(" ")
            key = "#" if level == "#" else heading.strip()
            if key in sections:
                raise _error(origin, number, f"a second “{line}”")
            current = sections[key] = _Lines()
            if level == "#":
                current.add(number, heading)
        elif line:
            if current is None:
                raise _error(origin, number, "text before the “# title” line")
            current.add(number, line)
    unknown = [k for k in sections if k not in (*_HEADINGS, "#", *_OTHER_HEADINGS)]
    if unknown:
        raise _error(origin, 0, f"unknown heading “{unknown[0]}”")
    return sections, meta


def _disagreement(number: int, line: str, origin: str) -> dict[str, Any]:
    match = _DIFFER.match(line)
    try:
        pairs = parse_cites(match["cites"]) if match else []
    except ValueError as exc:
        raise _error(origin, number, str(exc)) from exc
    if match is None or any(source is None for source, _ in pairs):
        raise _error(origin, number, "not a disagreement (“- text [s:n; s:m]”)")
    refs = [{"source": source, "sentence": sentence} for source, sentence in pairs]
    return {"text": md_unescape(match["text"]), "refs": refs}


def _error(origin: str, number: int, what: str) -> BriefFileError:
    where = f"{origin}, line {number}" if number else origin
    return BriefFileError(
        f"{where}: {what}", hint="keep the layout briefer writes (README: Output)"
    )


def _statement(number: int, line: str, origin: str, *, checked: bool) -> dict[str, Any]:
    match = _STATEMENT.match(line)
    if match is None:
        raise _error(origin, number, "not a statement (“- text [n]”)")
    status: Status | None = _FLAGS.get(match["flag"], "supported" if checked else None)
    try:
        cites = statement_cites(parse_cites(match["cites"])) if match["cites"] else {}
    except ValueError as exc:
        raise _error(origin, number, str(exc)) from exc
    problems = match["problems"]
    return {
        "text": md_unescape(match["text"]),
        **cites,
        "status": status,
        "problems": md_unescape(problems).split("; ") if problems else [],
    }


def _source(number: int, line: str, origin: str) -> dict[str, Any]:
    start = _SOURCE_INDEX.match(line)
    if start is None:
        raise _error(origin, number, "not a source (“- title — outlet, date”)")
    body = line[start.end() :]
    url: str | None = None
    if (link := _LINK.match(body)) is not None:
        name, url, tail = link["name"], link["url"], body[link.end() :]
    else:
        name, dash, rest = body.partition(" — ")
        tail = f" — {rest}" if dash else ""
        if not dash and _dated(name):  # "- title, date": no outlet
            name, _, dated = name.rpartition(", ")
            tail = f", {dated}"
    outlet = date = None
    if tail.startswith(" — "):
        outlet = tail[3:]
        if _dated(outlet):
            outlet, _, date = outlet.rpartition(", ")
    elif tail.startswith(", "):
        date = tail[2:]
    elif tail:
        raise _error(origin, number, "not a source (“- title — outlet, date”)")
    name = md_unescape(name)
    return {
        "title": None if name == UNTITLED else name,
        "url": url,
        "outlet": md_unescape(outlet) if outlet else None,
        "date": md_unescape(date) if date else None,
    }


def _dated(text: str) -> bool:
    """Whether ``text`` ends in ", DATE" (what follows its last ", " holds a digit)."""
    head, comma, last = text.rpartition(", ")
    return bool(comma and head and any(c.isdigit() for c in last))


def _verification(lines: _Lines, origin: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The summary (counts as written) and the dropped statements."""
    items = list(lines)
    if not items or (match := _SUMMARY.match(items[0][1])) is None:
        raise _error(origin, items[0][0] if items else 0, "not briefer's verification summary")
    statements, flagged = int(match["statements"]), int(match["flagged"])
    partial = int(match["partial"] or 0)
    bottom = match["bottom"]
    summary = {
        "statements": statements,
        "supported": statements - flagged,
        "partial": partial,
        "unsupported": flagged - partial,
        "dropped": int(match["dropped"]),
        "supported_share": round((statements - flagged) / statements, 4) if statements else 1.0,
        "verbatim": int(match["verbatim"] or 0),
        "shortened": int(match["shortened"] or 0),
        "paraphrased": int(match["paraphrased"] or 0),
        "title": next((v for k, v in _VERDICTS.items() if match["title"].endswith(k)), None),
        "bottom_line": _VERDICTS[bottom],
        "bottom_line_problems": md_unescape(match["problems"]).split("; ")
        if match["problems"]
        else [],
        "withheld_sentences": int(match["withheld"] or 0),
        "unjudged": md_unescape(match["unjudged"]).split("; ") if match["unjudged"] else [],
    }
    dropped: list[dict[str, Any]] = []
    rest = items[1:]
    if rest and rest[0][1] == _DROPPED_HEADER:
        rest = rest[1:]
        for number, line in rest:
            dropped.append(
                {**_statement(number, line, origin, checked=True), "status": "unsupported"}
            )
    elif rest:
        raise _error(origin, rest[0][0], "unexpected text after the verification summary")
    return summary, dropped


def parse_markdown(text: str, *, origin: str, meta: BriefMeta) -> Brief:
    """The brief written as ``text``; ``meta`` when the Markdown has no meta comment."""
    sections, meta_json = _sections(text, origin)
    if "#" not in sections or "Bottom Line" not in sections:
        raise _error(origin, 0, "no “# title” or no “## Bottom Line”")
    checked = "Verification" in sections
    data: dict[str, Any] = {
        "title": md_unescape(" ".join(line for _, line in sections["#"])),
        "bottom_line": md_unescape(" ".join(line for _, line in sections["Bottom Line"])),
        "dropped": [],
    }
    for heading, key in _HEADINGS.items():
        data[key] = [
            _statement(number, line, origin, checked=checked)
            for number, line in sections.get(heading, _Lines())
            if not (line.startswith("_") and line.endswith("_"))  # an empty section's line
        ]
    data["disagreements"] = [
        _disagreement(n, line, origin) for n, line in sections.get("Where Sources Differ", _Lines())
    ]
    sources = [_source(n, line, origin) for n, line in sections.get("Sources", _Lines())]
    for number, line in sections.get("Cited sentences", _Lines()):
        match = _CITED.match(line)
        try:
            pairs = parse_cites(match["cites"]) if match else []
        except ValueError as exc:
            raise _error(origin, number, str(exc)) from exc
        if match is None or len(pairs) != 1:
            raise _error(origin, number, "not a cited sentence (“- [n] sentence”)")
        (source, sentence), text_ = pairs[0], md_unescape(match["text"])
        if not 1 <= (source or 1) <= len(sources):
            raise _error(origin, number, f"cites source {source}, which is not listed")
        sources[(source or 1) - 1].setdefault("sentences", {})[sentence] = text_
    data["sources"] = sources
    if checked:
        data["verification"], data["dropped"] = _verification(sections["Verification"], origin)
    try:
        stored = json.loads(meta_json) if meta_json else None
        if isinstance(stored, dict):
            # The title's and bottom line's cited sentences ride in the meta comment.
            for key in ("title_basis", "bottom_line_basis"):
                if key in stored:
                    data[key] = stored.pop(key)
        data["meta"] = BriefMeta.model_validate(stored) if stored is not None else meta
        return Brief.model_validate(data)
    except ValueError as exc:  # a ValidationError, or a meta comment that is not JSON
        raise _error(origin, 0, f"not a valid brief: {str(exc).splitlines()[0]}") from exc
