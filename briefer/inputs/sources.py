"""Read inputs (files, ``-`` for stdin, http/https URLs) into ``Article`` values.

Text and Markdown are taken as they are (an optional ``---`` front-matter block may give title,
outlet, date and url); HTML pages go through trafilatura's main-text extraction. Bytes must be
UTF-8 (or UTF-16 with a BOM): guessing another encoding silently garbles names, so it is an error.
URLs are fetched by ``briefer.inputs.fetch`` (public addresses only, size cap, deadline, types).

Title, outlet and date are data from outside, like the text: one that reads like an instruction to
the tool is dropped (never shown, never sent to a model), and overlong ones are trimmed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from briefer.errors import InputEmptyError, InputNotFoundError, InputNotTextError
from briefer.inputs.fetch import ARTICLE_TYPES, FetchedPage, FetchPolicy, fetch
from briefer.models import Article
from briefer.text.instructions import looks_like_instruction
from briefer.text.line_filters import is_header, without_speaker
from briefer.text.sentences import Sentence

MAX_BYTES = 20 * 1024 * 1024
MIN_HTML_WORDS = 20
# Longest title, outlet and date kept: a page's <title> can be a paragraph of keywords.
META_LIMITS = {"title": 200, "outlet": 80, "date": 40}

_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<article)", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_TITLE = re.compile(r"\A\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# A short last line such as "ANI" or "Reuters" names the outlet (wire-style credit line).
_CREDIT_LINE = re.compile(r"^[A-Z][A-Za-z.&' -]{1,40}$")


def slug(name: str) -> str:
    """A safe file stem: letters, digits, dot, dash and underscore."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem[:80] or "article"


def decode(data: bytes, origin: str) -> str:
    """Bytes to text, refusing binary data and anything that is not UTF-8 / UTF-16 with BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputNotTextError(
                f"{origin}: invalid UTF-16 text", hint="save it as UTF-8"
            ) from exc
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or (head and controls / len(head) > 0.05):
        raise InputNotTextError(
            f"{origin}: looks like a binary file, not an article",
            hint="give a text, Markdown or HTML file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputNotTextError(
            f"{origin}: not UTF-8 text (invalid byte at position {exc.start})",
            hint="convert it, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`",
        ) from exc


def clean_meta(value: object, field: str) -> str | None:
    """A title, outlet or date fit to show and to send: one line, trimmed to ``META_LIMITS``;
    None when empty or when it reads like an instruction to the tool (prompt injection)."""
    if not isinstance(value, str):
        return None
    limit = META_LIMITS[field]
    # Checked whole (up to a bound), before trimming: an instruction must not survive by being cut.
    text = " ".join(value[: limit * 8].split())
    if not text or looks_like_instruction(Sentence(id=0, text=text, paragraph=0)):
        return None
    if len(text) > limit:
        cut = text[: limit - 1]
        if " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # at a word boundary
        text = cut.rstrip(" ,;:-–—") + "…"
    return text


def _meta(title: object, outlet: object, date: object) -> dict[str, str | None]:
    return {
        "title": clean_meta(title, "title"),
        "outlet": clean_meta(outlet, "outlet"),
        "date": clean_meta(date, "date"),
    }


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("title", "outlet", "source", "date", "url"):
            fields[key.strip().lower()] = value.strip().strip("\"'")
    if "source" in fields:
        fields.setdefault("outlet", fields.pop("source"))
    return fields, text[match.end() :]


def _credit_line(text: str) -> str | None:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) < 3:
        return None
    last = lines[-1]
    if _CREDIT_LINE.match(last) and len(last.split()) <= 4 and not last.endswith("."):
        return last
    return None


_TITLE_END = re.compile(r"[.!?:;,][\"”’')]*$")


def _title_line(body: str) -> str | None:
    """A plain text's first line when it reads as its headline: short, no closing punctuation,
    not a dateline or speaker label, and followed by the body ("Statement from President Joe
    Biden on Sudan"). It is the article's title, not a statement of the brief."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    first = lines[0]
    words = first.split()
    if not 3 <= len(words) <= 20 or _TITLE_END.search(first) or first.isupper():
        return None
    if is_header(first) or without_speaker(first) != first:
        return None
    return first


def article_from_text(text: str, *, id: str, origin: str, markdown: bool = False) -> Article:
    fields, body = _front_matter(text)
    body = body.strip()
    if not body:
        raise InputEmptyError(f"{origin}: the article is empty", hint="give a file with text in it")
    title = fields.get("title")
    if markdown and not title and (match := _MD_TITLE.match(body)):
        title = match.group(1)
    if not title:
        title = _title_line(body)
    return Article(
        id=id,
        text=body,
        **_meta(title, fields.get("outlet") or _credit_line(body), fields.get("date")),
        url=fields.get("url"),
        origin=origin,
    )


def article_from_html(html: str, *, id: str, origin: str, url: str | None = None) -> Article:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    # A few stray words (a menu, a cookie banner) are not an article.
    if len(text.split()) < MIN_HTML_WORDS:
        raise InputEmptyError(
            f"{origin}: no article text found in the HTML page",
            hint="save the article's text to a .txt file and brief that",
        )
    return Article(
        id=id,
        text=text,
        **_meta(
            getattr(doc, "title", None),
            getattr(doc, "sitename", None) or getattr(doc, "hostname", None),
            getattr(doc, "date", None),
        ),
        url=url or getattr(doc, "url", None),
        origin=origin,
    )


def _is_html(name: str, data: bytes) -> bool:
    return name.lower().endswith((".html", ".htm", ".xhtml")) or bool(_HTML_SNIFF.match(data[:512]))


def _from_bytes(data: bytes, *, name: str, id: str, origin: str, url: str | None = None) -> Article:
    if not data.strip():
        raise InputEmptyError(f"{origin}: the article is empty", hint="give a file with text in it")
    text = decode(data, origin)
    if _is_html(name, data):
        return article_from_html(text, id=id, origin=origin, url=url)
    article = article_from_text(
        text, id=id, origin=origin, markdown=name.lower().endswith((".md", ".markdown"))
    )
    if url and not article.url:
        article = article.model_copy(update={"url": url})
    return article


def read_file(path: Path) -> Article:
    origin = str(path)
    if not path.exists():
        raise InputNotFoundError(f"{origin}: no such file", hint="check the path")
    if path.is_dir():
        raise InputNotFoundError(
            f"{origin}: is a directory, not a file", hint="name the files in it"
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputNotFoundError(
            f"{origin}: cannot read ({exc.strerror})", hint="check permissions"
        ) from exc
    if len(data) > MAX_BYTES:
        raise InputNotTextError(f"{origin}: larger than {MAX_BYTES // 2**20} MiB", hint="split it")
    return _from_bytes(data, name=path.name, id=slug(path.stem), origin=origin)


def read_stdin() -> Article:
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputNotTextError(f"stdin: larger than {MAX_BYTES // 2**20} MiB", hint="split it")
    return _from_bytes(data, name="stdin", id="stdin", origin="-")


def _page_text(body: bytes, charset: str | None, origin: str) -> bytes:
    """The body as UTF-8 where the server declared another charset. Valid UTF-8 is kept as it
    is: servers often declare ISO-8859-1 for UTF-8 pages, and re-decoding would garble them."""
    if not charset or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(charset).encode("utf-8")
    except LookupError:
        return body  # an unknown charset name: decode() says what is wrong with the bytes
    except UnicodeDecodeError as exc:
        raise InputNotTextError(
            f"{origin}: the page is not valid {charset} text, as its server says it is",
            hint="save the article's text to a .txt file and brief that",
        ) from exc


def fetch_url(
    url: str,
    *,
    policy: FetchPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Article:
    """A web page (HTML, XHTML, plain text or Markdown) as an Article; see ``inputs.fetch``."""
    return page_article(fetch(url, policy, allowed_types=ARTICLE_TYPES, transport=transport))


def page_article(page: FetchedPage) -> Article:
    """A fetched page (HTML, XHTML, plain text or Markdown) as an Article."""
    url = page.url
    parts = urlsplit(url)
    last = Path(parts.path).name
    stem = (Path(last).stem or last) if last else parts.netloc
    # The served type decides how the body is read, not the name in the URL.
    if page.content_type in ("text/html", "application/xhtml+xml"):
        name = stem + ".html"
    elif page.content_type in ("text/markdown", "text/x-markdown"):
        name = stem + ".md"
    else:
        name = stem + ".txt"
    body = _page_text(page.body, page.charset, url)
    return _from_bytes(body, name=name, id=slug(stem), origin=url, url=page.final_url)


def load(spec: str, *, policy: FetchPolicy | None = None) -> Article:
    """One input: ``-`` is stdin, ``http(s)://…`` a URL, anything else a file path.

    ``policy`` limits URL fetches (``FetchPolicy.from_settings(settings)``); the default allows
    public addresses only."""
    if spec == "-":
        return read_stdin()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", spec):
        return fetch_url(spec, policy=policy)
    return read_file(Path(spec))
