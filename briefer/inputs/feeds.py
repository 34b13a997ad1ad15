"""RSS and Atom feeds → entries, parsed by feedparser from bytes briefer fetched itself.

feedparser would fetch a URL it is given, with urllib: no address checks, no size cap, no
deadline. It only ever gets bytes here (wrapped in ``BytesIO``: a plain string that looks like
a URL or a path would be opened), fetched by ``inputs.fetch`` under the user's fetch policy, or
read from a local file. The feed's own URL goes in as the ``Content-Location`` header, so that
relative entry links resolve against it.

An entry's text is its full content (``content:encoded``, Atom ``content``) when that holds an
article (``MIN_CONTENT_WORDS``); otherwise the entry's link is fetched as an article page.
"""

from __future__ import annotations

import calendar
import io
import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefer.errors import FetchError, InputEmptyError, InputNotFoundError, InputNotTextError
from briefer.inputs.fetch import ARTICLE_TYPES, FEED_TYPES, FetchPolicy, fetch
from briefer.inputs.sources import page_article
from briefer.models import Article, safe_url

#: Feed content shorter than this is a teaser: the entry's page is fetched instead.
MIN_CONTENT_WORDS = 80
#: Largest feed file read from disk (a URL is capped by the fetch policy).
MAX_FEED_BYTES = 20 * 2**20
#: What a served page may be when a URL source could be a feed or an article.
FEED_OR_PAGE = FEED_TYPES | ARTICLE_TYPES

_FEED_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)


class FeedEntry(BaseModel):
    """One entry of a feed, as the feed gives it (text is data, never instructions)."""

    title: str | None = None
    link: str | None = None
    id: str | None = None
    published: datetime | None = None
    outlet: str | None = None
    text: str = ""


class Feed(BaseModel):
    title: str | None = None
    url: str | None = None
    entries: list[FeedEntry]


def looks_like_feed(data: bytes) -> bool:
    """An RSS, RDF or Atom document (its root element), whatever the server called it."""
    return bool(_FEED_START.match(data[:4096]))


class _Text(HTMLParser):
    """HTML fragment → plain text, one paragraph a line (feedparser has sanitised it)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs on their own lines, spaces collapsed."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            # feedparser gives UTC struct_times; timegm reads them as UTC.
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def _entry_text(entry: Any) -> str:
    """The longest of the entry's full contents and its summary, as plain text."""
    bodies = [c.get("value", "") for c in entry.get("content", []) or []]
    bodies.append(entry.get("summary", "") or "")
    texts = [html_text(b) for b in bodies if b]
    return max(texts, key=len, default="")


def parse_feed(data: bytes, *, url: str | None = None, origin: str = "feed") -> Feed:
    """The feed in ``data`` (RSS 0.9x-2.0, RDF, Atom). Not a feed, or a broken feed with no
    entries, is an ``InputNotTextError``; an empty feed is an empty list."""
    import feedparser  # imported here: only feed sources need it

    if not looks_like_feed(data):
        raise InputNotTextError(
            f"{origin}: not an RSS or Atom feed", hint="give the feed's URL or an article"
        )
    headers = {"content-location": url} if url else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if parsed.get("bozo") and not parsed.entries:
        why = " ".join(str(parsed.get("bozo_exception", "")).split())[:120]
        raise InputNotTextError(
            f"{origin}: the feed cannot be read ({why or 'malformed XML'})",
            hint="check the feed in a browser or a feed validator",
        )
    feed = parsed.get("feed", {})
    outlet = feed.get("title")
    entries = []
    for entry in parsed.entries:
        entries.append(
            FeedEntry(
                title=html_text(entry.get("title", "") or "") or None,
                link=safe_url(entry.get("link")),
                id=entry.get("id"),
                published=_when(entry),
                outlet=outlet,
                text=_entry_text(entry),
            )
        )
    return Feed(title=outlet, url=url, entries=entries)


def read_feed_file(path: Path) -> Feed:
    """A feed saved to disk."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        raise InputNotFoundError(
            f"{path}: cannot read ({exc.strerror})", hint="check the path"
        ) from exc
    if len(data) > MAX_FEED_BYTES:
        raise InputNotTextError(f"{path}: larger than {MAX_FEED_BYTES // 2**20} MiB")
    if not data.strip():
        raise InputEmptyError(f"{path}: the feed file is empty")
    return parse_feed(data, origin=str(path))


def fetch_source(url: str, policy: FetchPolicy | None = None) -> Feed | Article:
    """A URL that is a feed or an article page (one fetch, through the hardened fetcher;
    never feedparser's own HTTP): the root element decides, not the served type."""
    page = fetch(url, policy, allowed_types=FEED_OR_PAGE)
    if looks_like_feed(page.body):
        return parse_feed(page.body, url=page.final_url, origin=url)
    if page.content_type not in ARTICLE_TYPES:
        raise FetchError(f"{url}: served as {page.content_type} but not an RSS or Atom feed")
    return page_article(page)
