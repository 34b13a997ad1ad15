"""RSS and Atom feeds → entries, parsed by feedparser from bytes briefer fetched itself.

feedparser would fetch a URL it is given, with urllib: no address checks, no size cap, no
deadline. It only ever gets bytes here (wrapped in ``BytesIO``: a plain string that looks like
a URL or a path would be opened), fetched by ``inputs.fetch`` under the user's fetch policy, or
read from a local file. A fetched feed goes in with the headers it was served with: its URL as
``Content-Location`` (relative entry links resolve against it) and its content type with the
served charset (``feed_headers``).

The root element decides what is a feed (``root_element``: past a byte order mark, comments,
processing instructions and a DOCTYPE); feedparser decides what the feed holds. A flawed feed
feedparser recovers is read as far as it goes, with a one-line warning in words.

An entry's text is its full content (``content:encoded``, Atom ``content``) when that holds an
article (``MIN_CONTENT_WORDS``); otherwise the entry's link is fetched as an article page.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax import SAXParseException

from pydantic import BaseModel

from briefer.errors import FetchError, InputEmptyError, InputNotFoundError, InputNotTextError
from briefer.inputs.fetch import ARTICLE_TYPES, FEED_TYPES, FetchedPage, FetchPolicy, fetch
from briefer.inputs.sources import page_article
from briefer.models import Article, safe_url

#: Feed content shorter than this is a teaser: the entry's page is fetched instead.
MIN_CONTENT_WORDS = 80
#: Largest feed file read from disk (a URL is capped by the fetch policy).
MAX_FEED_BYTES = 20 * 2**20
#: What a served page may be when a URL source could be a feed or an article.
FEED_OR_PAGE = FEED_TYPES | ARTICLE_TYPES
#: How much of a document is searched for its root element (past comments, a DOCTYPE…).
SNIFF_BYTES = 64 * 1024
#: Root elements of feeds, local name in lower case: RSS 0.9x-2.0, Atom, RDF (RSS 0.90/1.0).
FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
#: What a publisher can do about a feed briefer cannot read.
ASK_PUBLISHER = "ask the publisher to fix the feed, or give briefer the articles' page URLs"

# Byte order marks, longest first (UTF-32 LE's starts like UTF-16 LE's).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"[A-Za-z_][\w.:-]*")
_ENTITY = re.compile(r"&[A-Za-z_][\w.:-]{0,40};")
# expat's messages (``errors.XML_ERROR_*`` are the message strings; feedparser's strict parser
# is expat) in words a reader of the feed knows.
_XML_PROBLEMS = {
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: "an undefined entity (such as &nbsp; in XML)",
    expat.errors.XML_ERROR_INVALID_TOKEN: (
        "a character not allowed there (often a bare & or <, or a control character)"
    ),
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "it ends inside a tag or a comment (cut short?)",
    expat.errors.XML_ERROR_NO_ELEMENTS: "it ends before the feed does (empty or cut short)",
    expat.errors.XML_ERROR_TAG_MISMATCH: "a closing tag that does not match its opening tag",
    expat.errors.XML_ERROR_UNBOUND_PREFIX: "a namespace prefix that is never declared",
    expat.errors.XML_ERROR_MISPLACED_XML_PI: "something before its <?xml ...?> declaration",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "text after the end of the feed",
    expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "an attribute given twice",
    expat.errors.XML_ERROR_BAD_CHAR_REF: "a character reference to a character XML forbids",
    expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION: "a CDATA section that is never closed",
    expat.errors.XML_ERROR_PARTIAL_CHAR: "it ends in the middle of a character",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: "its declared encoding does not match its bytes",
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: "an encoding the XML parser does not know",
}


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
    #: One line for the user when the feed is flawed but was read as far as it goes.
    warning: str | None = None


def _head(data: bytes) -> str:
    """The start of ``data`` as text, decoded by its byte order mark or, without one, by where
    the NUL bytes of ``<`` fall (XML's own autodetection); anything else as Latin-1, which
    keeps every ASCII byte of the markup as it is."""
    head = data[:SNIFF_BYTES]
    encoding = "latin-1"
    for bom, name in _BOMS:
        if head.startswith(bom):
            head, encoding = head[len(bom) :], name
            break
    else:
        if head[:3] == b"\x00\x00\x00":
            encoding = "utf-32-be"
        elif head[1:4] == b"\x00\x00\x00":
            encoding = "utf-32-le"
        elif head[:1] == b"\x00":
            encoding = "utf-16-be"
        elif head[1:2] == b"\x00":
            encoding = "utf-16-le"
    return head.decode(encoding, errors="replace")


def root_element(data: bytes) -> str | None:
    """The local name, in lower case, of the document's first element (``rss`` for
    ``<r:rss>``), past the XML declaration, processing instructions (``<?xml-stylesheet?>``),
    comments and a DOCTYPE; None when none starts within ``SNIFF_BYTES``.

    One pass, each step a ``str.find`` from where the last one ended: linear in the input
    (a pattern with nested repeats backtracks exponentially on a page of empty comments)."""
    text = _head(data)
    at = 0
    while True:
        at = _after_space(text, at)
        if text.startswith("<?", at):
            end, close = text.find("?>", at + 2), 2
        elif text.startswith("<!--", at):
            end, close = text.find("-->", at + 4), 3
        elif text.startswith("<!", at):
            end, close = _declaration_end(text, at), 1
        elif text.startswith("<", at):
            name = _NAME.match(text, at + 1)
            return name.group().rsplit(":", 1)[-1].lower() if name else None
        else:
            return None
        if end < 0:
            return None
        at = end + close


def _after_space(text: str, at: int) -> int:
    space = _SPACE.match(text, at)
    return space.end() if space else at


def _declaration_end(text: str, at: int) -> int:
    """Where the ``>`` of ``<!DOCTYPE ...>`` starting at ``at`` is, past an internal subset
    (``[...]``, which holds ``>`` of its own); -1 if it does not end."""
    end = text.find(">", at)
    subset = text.find("[", at, end if end >= 0 else len(text))
    if subset < 0:
        return end
    close = text.find("]", subset)
    while close >= 0:
        after = _after_space(text, close + 1)
        if text.startswith(">", after):
            return after
        close = text.find("]", close + 1)
    return -1


def looks_like_feed(data: bytes) -> bool:
    """An RSS, RDF or Atom document (its root element), whatever the server called it."""
    return root_element(data) in FEED_ROOTS


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


_TAG = re.compile(r"<[^>]*>?")


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs on their own lines, spaces collapsed."""
    parser = _Text()
    try:
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    except AssertionError:
        # Python's HTMLParser asserts on some broken markup ("<![ x" in a CDATA section):
        # the tags are dropped by pattern instead, and the entry is kept.
        text = html.unescape(_TAG.sub(" ", fragment))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _when(entry: Any) -> datetime | None:
    """The entry's published (else updated, created) time; a date outside the years 1-9999
    (``9999-12-31T23:59:59-12:00`` is in year 10000 in UTC), or before ``MIN_YEAR`` (a feed's
    placeholder "0001-01-01", which no time zone west of UTC can hold), counts as no date."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                # feedparser gives UTC struct_times; timegm reads them as UTC.
                when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (ValueError, OverflowError, OSError):
                continue
            if when.year >= MIN_YEAR:
                return when
    return None


#: The earliest year an entry's date is taken for one.
MIN_YEAR = 1900


def _plain(detail: Any, value: str) -> str:
    """A text construct as plain text: HTML is reduced to its text only when feedparser says
    the value is HTML ("History of the <blink> tag" as plain text keeps its tag)."""
    kind = detail.get("type", "text/html") if isinstance(detail, Mapping) else "text/html"
    if kind in ("text/html", "application/xhtml+xml"):
        return html_text(value)
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def _title(entry: Any) -> str | None:
    value = entry.get("title") or ""
    return " ".join(_plain(entry.get("title_detail"), value).split()) or None


def _entry_text(entry: Any) -> str:
    """The longest of the entry's full contents and its summary, as plain text."""
    bodies = [(c, c.get("value", "") or "") for c in entry.get("content", []) or []]
    bodies.append((entry.get("summary_detail"), entry.get("summary", "") or ""))
    texts = [_plain(detail, body) for detail, body in bodies if body]
    return max(texts, key=len, default="")


def _problem(exc: object, data: bytes) -> str:
    """What feedparser's ``bozo_exception`` means, in words (no parser positions)."""
    import feedparser

    if isinstance(exc, SAXParseException):
        message = exc.getMessage()
        words = _XML_PROBLEMS.get(message, message)
        at = _error_at(data, message)
        if at is None:
            return f"the feed is not well-formed XML: {words}"
        line, text = at
        entity = _ENTITY.match(text) if message == expat.errors.XML_ERROR_UNDEFINED_ENTITY else None
        if entity:
            words = f"an undefined entity, {entity[0]} (XML has only &amp; &lt; &gt; &quot; &apos;)"
        return f"the feed is not well-formed XML (line {line}): {words}"
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        found = re.search(r"declared as (\S+), but parsed as (\S+)", str(exc))
        if found:
            return (
                f"the feed's declared encoding ({found[1]}) does not fit its bytes; read as "
                f"{found[2]}, some characters may be wrong"
            )
        return "the feed's declared character encoding is wrong"
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        return "the feed's character encoding is unknown"
    if isinstance(exc, feedparser.NonXMLContentType):
        return "the server does not call it a feed (its content type is not XML)"
    return f"the feed is malformed ({type(exc).__name__})"


def _error_at(data: bytes, message: str) -> tuple[int, str] | None:
    """The line of ``data`` where expat finds the problem feedparser found, and that line's text
    from there on (feedparser's own positions are in its rewritten copy: a declaration added,
    the DOCTYPE removed); None when expat sees another problem or none. A document declaring
    entities is not parsed again here: feedparser strips those declarations before it parses
    (an entity can expand to gigabytes)."""
    if b"<!ENTITY" in data.replace(b"\x00", b""):
        return None
    parser = expat.ParserCreate(namespace_separator=" ")  # namespaces, as feedparser parses
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        if err.code is None or expat.ErrorString(err.code) != message:
            return None
        # The line's text, for naming an undefined entity; as UTF-8, the usual case.
        lines = data.split(b"\n", err.lineno)
        text = lines[err.lineno - 1] if len(lines) >= err.lineno else b""
        return err.lineno, text[err.offset :].decode("utf-8", errors="replace")
    except (LookupError, ValueError):  # an encoding Python's codecs lack, or a multi-byte one
        return None
    return None


def _not_a_feed(origin: str, root: str | None) -> InputNotTextError:
    what = {
        None: "not an RSS or Atom feed (no XML element at its start)",
        "html": "not an RSS or Atom feed (an HTML page)",
    }.get(root, f"not an RSS or Atom feed (its root element is <{root}>)")
    return InputNotTextError(f"{origin}: {what}", hint="give the feed's URL or an article")


def parse_feed(
    data: bytes,
    *,
    url: str | None = None,
    origin: str = "feed",
    headers: Mapping[str, str] | None = None,
) -> Feed:
    """The feed in ``data`` (RSS 0.9x-2.0, RDF, Atom), read by feedparser with the HTTP
    ``headers`` it was served with (``content-type`` with its charset), if any.

    A flawed feed that feedparser still recovers a feed from, even an empty one, is read as
    far as it goes, with a one-line ``warning``; one it recovers nothing from, a CDF channel
    and a document that is not a feed are an ``InputNotTextError``."""
    import feedparser  # imported here: only feed sources need it

    root = root_element(data)
    if root == "channel":  # CDF's root: feedparser reads a little of it, with no version
        raise InputNotTextError(
            f"{origin}: a CDF channel (Microsoft's Channel Definition Format, long obsolete), "
            "not an RSS or Atom feed",
            hint="ask the site for its RSS or Atom feed",
        )
    if root is not None and root not in FEED_ROOTS:
        raise _not_a_feed(origin, root)
    given = {k.lower(): v for k, v in (headers or {}).items()}
    if url:
        given.setdefault("content-location", url)
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=given)
    except Exception as exc:  # feedparser's own failure: this feed is lost, not the run
        raise InputNotTextError(
            f"{origin}: the feed could not be read (feedparser: {type(exc).__name__}); "
            + ASK_PUBLISHER
        ) from exc
    flaw = parsed.get("bozo_exception") if parsed.get("bozo") else None
    problem = _problem(flaw, data) if flaw is not None else None
    # A wrong encoding is read past (the XML parsed); broken XML is read by feedparser's
    # loose parser, which is a feed only if it found some of one (a feed title, an entry).
    read_past = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    broken = flaw is not None and not isinstance(flaw, read_past)
    if not parsed.get("version") and not parsed.entries:
        if root in FEED_ROOTS:  # a feed by its root, but feedparser read none of it
            raise InputNotTextError(f"{origin}: {problem or 'no feed in it'}; {ASK_PUBLISHER}")
        raise _not_a_feed(origin, root)
    if broken and not parsed.entries and not parsed.get("feed"):
        raise InputNotTextError(f"{origin}: {problem}; {ASK_PUBLISHER}")
    feed = parsed.get("feed", {})
    outlet = _title(feed)
    entries = [
        FeedEntry(
            title=_title(entry),
            link=safe_url(entry.get("link")),
            id=entry.get("id"),
            published=_when(entry),
            outlet=outlet,
            text=_entry_text(entry),
        )
        for entry in parsed.entries
    ]
    warning = None
    if problem:
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        warning = f"{origin}: {problem}; read anyway ({count})"
    return Feed(title=outlet, url=url, entries=entries, warning=warning)


def feed_headers(page: FetchedPage) -> dict[str, str]:
    """The headers feedparser is given with a fetched feed: where it came from (relative links
    resolve against it) and its content type with the served charset.

    The media type given is the served one where feedparser reads it as XML by RFC 7303's
    rules (``application/xml``, ``application/*+xml``), else ``application/xml``: the root
    element already showed the body is a feed, and feedparser's RFC 3023 reading of a
    ``text/*`` type without a charset as US-ASCII (dropped by RFC 7303) would mark every
    UTF-8 feed served as ``text/xml`` broken. A charset is dropped when the body is valid
    UTF-8 with non-ASCII bytes and the charset is not UTF-8: servers often declare ISO-8859-1
    for UTF-8 feeds, and decoding as declared would garble every accent."""
    kind = page.content_type
    if not (
        kind == "application/xml" or (kind.startswith("application/") and kind.endswith("+xml"))
    ):
        kind = "application/xml"
    charset = page.charset
    if charset and _utf8_mislabelled(page.body, charset):
        charset = None
    return {
        "content-type": f"{kind}; charset={charset}" if charset else kind,
        "content-location": page.final_url,
    }


def _utf8_mislabelled(body: bytes, charset: str) -> bool:
    if charset.lower().replace("_", "-") in ("utf-8", "utf8") or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
        return parse_feed(page.body, url=page.final_url, origin=url, headers=feed_headers(page))
    if page.content_type not in ARTICLE_TYPES:
        raise FetchError(f"{url}: served as {page.content_type} but not an RSS or Atom feed")
    return page_article(page)
