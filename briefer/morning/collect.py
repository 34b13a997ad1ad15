"""Collect the entries of a morning's sources: feeds, URL lists, folders, single pages.

A source is one of:

- an http(s) URL: a feed (RSS, RDF, Atom — by its root element) or an article page;
- a feed file (``.xml``, ``.rss``, ``.atom``, or any file whose root element is a feed);
- a URL list: a text file whose every line (blank lines and ``#`` comments aside) is a URL;
- a folder: its ``.txt``, ``.md``, ``.markdown``, ``.html`` and ``.htm`` files (not
  ``README*``, ``LICENSE*`` or hidden files; not subfolders), each an article, and its feed
  files (``.xml``, ``.rss``, ``.atom``), each a feed;
- any other file: one article.

Dates: a feed entry's published (else updated) time; a page's date from its HTML metadata; a
file's front-matter ``date``, else the file's modification time (a folder of saved articles is
dated by when each was saved).

Every source and every entry is read on its own: a failure is a ``NotIncluded`` line with the
reason, and the rest go on. Entries already in an earlier digest, and entries published before
the window, are skipped before their page is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from briefer.errors import BrieferError, InputNotFoundError, InternalError
from briefer.inputs.feeds import (
    MIN_CONTENT_WORDS,
    Feed,
    FeedEntry,
    fetch_source,
    looks_like_feed,
    read_feed_file,
)
from briefer.inputs.fetch import FetchPolicy
from briefer.inputs.sources import article_from_text, fetch_url, read_file, slug
from briefer.models import Article, NotIncluded
from briefer.morning.dedupe import canonical_url, text_hash
from briefer.stories.similarity import day_number

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
_NOT_ARTICLES = re.compile(r"^(readme|license|licence|changelog|copying)\b", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: Article pages fetched at once (feeds list a few dozen; servers are other people's).
PAGE_WORKERS = 4


class Entry(BaseModel):
    """One collected entry: its article and where it came from."""

    model_config = ConfigDict(frozen=True)

    source: str  # the configured source it came from
    ref: str  # what the digest lists: the entry's URL, else its path
    key: str  # canonical URL, else "text:<hash>"
    text_hash: str
    article: Article
    published: datetime | None = None


@dataclass
class Collected:
    entries: list[Entry] = field(default_factory=list)
    not_included: list[NotIncluded] = field(default_factory=list)
    sources_read: int = 0
    skipped_seen: int = 0
    skipped_old: int = 0


#: Whether an entry (its keys and text hash) was in an earlier day's digest.
Seen = Callable[[list[str], str], bool]
#: The article stored for an entry key, if any (pages are not fetched twice).
Known = Callable[[str], Article | None]


def _is_url(spec: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", spec))


def parse_date(value: str | None) -> datetime | None:
    """An article's date string (ISO, "August 1, 2022"…) as the last second of that day (UTC):
    a text dated only by its day counts as published at any time that day, so a window that
    starts during that day keeps it."""
    day = day_number(value)
    if not day:
        return None
    return datetime.fromordinal(day).replace(tzinfo=UTC) + timedelta(days=1, seconds=-1)


def _reason(err: BaseException) -> str:
    if isinstance(err, BrieferError):
        return err.message
    return InternalError.wrapping("entry", err).message


class Collector:
    """Reads sources under one fetch policy, skipping what ``seen`` says was briefed."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        since: datetime | None = None,
        seen: Seen | None = None,
        known: Known | None = None,
    ) -> None:
        self.policy = policy
        self.since = since
        self.seen = seen or (lambda keys, digest: False)
        self.known = known or (lambda key: None)
        self.out = Collected()
        #: Canonical links of this run's entries → the link as first seen.
        self.links: dict[str, str] = {}

    def collect(self, sources: list[str]) -> Collected:
        for spec in sources:
            try:
                self._source(spec)
                self.out.sources_read += 1
            except BrieferError as err:
                self.out.not_included.append(NotIncluded.of(spec, err.message))
            except Exception as exc:  # a bug costs this source only
                self.out.not_included.append(NotIncluded.of(spec, _reason(exc)))
        return self.out

    # -- sources ----------------------------------------------------------------------------

    def _source(self, spec: str) -> None:
        if _is_url(spec):
            found = fetch_source(spec, self.policy)
            if isinstance(found, Feed):
                self._feed(spec, found)
            else:
                self._add(spec, found.url or spec, found, parse_date(found.date))
            return
        path = Path(spec).expanduser()
        if path.is_dir():
            self._folder(spec, path)
        elif not path.exists():
            raise InputNotFoundError(f"{spec}: no such file or folder", hint="check the path")
        elif path.suffix.lower() in FEED_SUFFIXES or _starts_like_feed(path):
            self._feed(spec, read_feed_file(path))
        elif (urls := _url_list(path)) is not None:
            self._pages(spec, [FeedEntry(link=url) for url in urls])
        else:
            self._file(spec, path, spec)

    def _folder(self, spec: str, folder: Path) -> None:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.suffix.lower() in ARTICLE_SUFFIXES + FEED_SUFFIXES
            and not p.name.startswith(".")
            and not _NOT_ARTICLES.match(p.name)
        )
        for path in files:
            ref = str(Path(spec) / path.name)
            try:
                if path.suffix.lower() in FEED_SUFFIXES:
                    self._feed(spec, read_feed_file(path), ref)
                else:
                    self._file(spec, path, ref)
            except BrieferError as err:
                self.out.not_included.append(NotIncluded.of(ref, err.message))

    def _file(self, spec: str, path: Path, ref: str) -> None:
        article = read_file(path)
        published = parse_date(article.date)
        if published is None:
            # No date in the file: when it was saved decides the window and recency, but is not
            # shown as the article's date (a copy saved today is not published today).
            published = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        self._add(spec, ref, article, published)

    def _feed(self, spec: str, feed: Feed, ref: str | None = None) -> None:
        if feed.warning and not feed.entries:  # a flawed feed read as empty is not silent
            self.out.not_included.append(NotIncluded.of(ref or spec, feed.warning))
        self._pages(spec, feed.entries)

    def _pages(self, spec: str, entries: list[FeedEntry]) -> None:
        """Entries with their own text become articles at once; the others' pages are
        fetched (``PAGE_WORKERS`` at a time, results in feed order)."""
        wanted: list[FeedEntry] = []
        for entry in entries:
            if self.since and entry.published and entry.published < self.since:
                self.out.skipped_old += 1
                continue
            link = canonical_url(entry.link) if entry.link else None
            if link and self.seen([link], ""):
                self.out.skipped_seen += 1
                continue
            if link and link in self.links:  # listed twice (another feed, tracking params)
                reason = f"the same article as {self.links[link]}"
                self.out.not_included.append(NotIncluded.of(entry.link or link, reason))
                continue
            if link:
                self.links[link] = entry.link or link
            wanted.append(entry)
        # The state is read here, in this thread (SQLite connections stay in theirs).
        stored = [self.known(canonical_url(e.link)) if e.link else None for e in wanted]
        with ThreadPoolExecutor(max_workers=PAGE_WORKERS) as pool:
            results = list(pool.map(self._entry_article, wanted, stored))
        for entry, result in zip(wanted, results, strict=True):
            ref = entry.link or f"{spec}#{entry.id or entry.title or '?'}"
            if isinstance(result, Article):
                key = canonical_url(entry.link) if entry.link else None
                self._add(spec, ref, result, entry.published or parse_date(result.date), key)
            else:
                self.out.not_included.append(NotIncluded.of(ref, result))

    def _entry_article(self, entry: FeedEntry, stored: Article | None) -> Article | str:
        """The entry's article, or why there is none (one line)."""
        try:
            name = slug(entry.title or (entry.link or "entry").rstrip("/").rsplit("/", 1)[-1])
            date = entry.published.date().isoformat() if entry.published else None
            if len(entry.text.split()) >= MIN_CONTENT_WORDS or (entry.text and not entry.link):
                text = entry.text if not entry.title else f"{entry.title}\n\n{entry.text}"
                article = article_from_text(text, id=name, origin=entry.link or name)
                return article.model_copy(
                    update={"url": entry.link, "outlet": entry.outlet, "date": date}
                )
            if not entry.link:
                return "the entry has no text and no link"
            article = stored or fetch_url(entry.link, policy=self.policy)
            update = {
                "title": article.title or entry.title,
                "outlet": article.outlet or entry.outlet,
                "date": article.date or date,
            }
            return article.model_copy(update=update)
        except BrieferError as err:
            return err.message
        except Exception as exc:  # a bug costs this entry only
            return _reason(exc)

    def _add(
        self,
        spec: str,
        ref: str,
        article: Article,
        published: datetime | None,
        key: str | None = None,
    ) -> None:
        if self.since and published and published < self.since:
            self.out.skipped_old += 1
            return
        key = key or (canonical_url(article.url) if article.url else None)
        digest = text_hash(article.text)
        keys = [key] if key else []
        if self.seen(keys, digest):
            self.out.skipped_seen += 1
            return
        entry = Entry(
            source=spec,
            ref=ref,
            key=key or f"text:{digest}",
            text_hash=digest,
            article=article,
            published=published,
        )
        self.out.entries.append(entry)


def _starts_like_feed(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return looks_like_feed(fh.read(4096))
    except OSError:
        return False


def _url_list(path: Path) -> list[str] | None:
    """The URLs of a URL-list file, or None when it is not one (an article)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    urls = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return urls if urls and all(_URL.match(u) for u in urls) else None
