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
reason, and the rest go on. Entries already in an earlier digest, entries published before the
window and entries over a cap (``limits``) are listed as such before their page is fetched:
nothing read is left out in silence.
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
from briefer.morning.limits import HostPacer, Limits, host_of
from briefer.stories.similarity import day_number

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
_NOT_ARTICLES = re.compile(r"^(readme|license|licence|changelog|copying)\b", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: Article pages fetched at once (feeds list a few dozen; servers are other people's).
PAGE_WORKERS = 4


def folder_files(folder: Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES) -> list[Path]:
    """A folder's article (or feed) files, sorted: not README, LICENSE, hidden files or
    subfolders."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not p.name.startswith(".")
        and not _NOT_ARTICLES.match(p.name)
    )


class Entry(BaseModel):
    """One collected entry: its article and where it came from."""

    model_config = ConfigDict(frozen=True)

    source: str  # the configured source it came from
    ref: str  # what the digest lists: the entry's URL, else its path
    key: str  # canonical URL, else "text:<hash>"
    text_hash: str
    article: Article
    published: datetime | None = None


@dataclass(frozen=True)
class Pending:
    """An entry read but neither in the digest nor settled: a failure (retried next run) or
    one a cap left for the next run. The window of the next run reaches back to it."""

    key: str
    ref: str
    source: str
    published: datetime | None
    reason: str
    kind: str  # "failed" | "left"


@dataclass
class Collected:
    entries: list[Entry] = field(default_factory=list)
    not_included: list[NotIncluded] = field(default_factory=list)
    sources_read: int = 0
    #: Every entry read (feed entries, pages, files): each is in ``entries`` or, with its
    #: reason, in ``not_included``.
    entries_read: int = 0
    pending: list[Pending] = field(default_factory=list)
    #: What the caps did, one line each, for the digest's numbers.
    notes: list[str] = field(default_factory=list)
    #: Keys of entries read and settled (listed for good, or collected): no longer pending.
    settled: set[str] = field(default_factory=set)


#: The date of the earlier digest an entry (its keys and text hash) was in, else None.
Seen = Callable[[list[str], str], str | None]
#: The article stored for an entry key, if any (pages are not fetched twice).
Known = Callable[[str], Article | None]
#: Why an entry key is given up (failed too often), else None.
GivenUp = Callable[[str], str | None]


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


@dataclass
class _Listed:
    """A feed entry that passed the window, seen and duplicate checks: to be made an article."""

    spec: str
    entry: FeedEntry
    ref: str
    key: str | None
    stored: Article | None = None

    @property
    def needs_page(self) -> bool:
        return self.stored is None and not _has_text(self.entry) and bool(self.entry.link)


def _text_key(entry: FeedEntry) -> str | None:
    """The key of an entry with text and no link: its article's text hash (``Collector._add``
    keys such an article so), so that a cap or a failure can leave it pending too."""
    if entry.link or not _has_text(entry):
        return None
    text = entry.text if not entry.title else f"{entry.title}\n\n{entry.text}"
    try:
        return f"text:{text_hash(article_from_text(text, id='entry', origin='entry').text)}"
    except BrieferError:
        return None  # no article in it: it fails when made, with its reason


def _has_text(entry: FeedEntry) -> bool:
    return len(entry.text.split()) >= MIN_CONTENT_WORDS or bool(entry.text and not entry.link)


def _newest_first(listed: list[_Listed]) -> list[_Listed]:
    """Newest first; undated entries count as published now (as ranking has it), in feed order."""
    return sorted(
        listed, key=lambda x: -(x.entry.published.timestamp() if x.entry.published else 1e12)
    )


class Collector:
    """Reads sources under one fetch policy, skipping what ``seen`` says was briefed, within
    ``limits`` (caps applied before any page is fetched)."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        since: datetime | None = None,
        seen: Seen | None = None,
        known: Known | None = None,
        given_up: GivenUp | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.policy = policy
        self.since = since
        self.seen = seen or (lambda keys, digest: None)
        self.known = known or (lambda key: None)
        self.given_up = given_up or (lambda key: None)
        self.limits = limits or Limits()
        self.pacer = HostPacer(self.limits.fetch_delay)
        self.out = Collected()
        #: Canonical links of this run's entries → the link as first seen.
        self.links: dict[str, str] = {}
        #: Feed entries that passed the checks, in source and feed order, fetched at the end.
        self.listed: list[_Listed] = []

    def collect(self, sources: list[str]) -> Collected:
        for spec in sources:
            try:
                self._source(spec)
                self.out.sources_read += 1
            except BrieferError as err:
                self.out.not_included.append(NotIncluded.of(spec, err.message))
            except Exception as exc:  # a bug costs this source only
                self.out.not_included.append(NotIncluded.of(spec, _reason(exc)))
        self._fetch_listed()
        return self.out

    # -- what is left out, and why ----------------------------------------------------------

    def _skip(self, ref: str, reason: str, key: str | None = None) -> None:
        self.out.not_included.append(NotIncluded.of(ref, reason))
        if key:
            self.out.settled.add(key)

    def _old(self, published: datetime) -> str:
        assert self.since is not None
        return (
            f"published {published:%Y-%m-%d %H:%M} UTC, before the window "
            f"(since {self.since.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        )

    def _leave(self, item: _Listed, reason: str) -> None:
        """A cap leaves the entry for the next run (its window reaches back to it)."""
        self.out.not_included.append(NotIncluded.of(item.ref, f"left for the next run: {reason}"))
        if item.key:
            self.out.pending.append(
                Pending(item.key, item.ref, item.spec, item.entry.published, reason, "left")
            )

    # -- sources ----------------------------------------------------------------------------

    def _source(self, spec: str) -> None:
        if _is_url(spec):
            self.pacer.wait(spec)
            found = fetch_source(spec, self.policy)
            if isinstance(found, Feed):
                self._feed(spec, found)
            else:
                self.out.entries_read += 1
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
            self._list(spec, [FeedEntry(link=url) for url in urls])
        else:
            self.out.entries_read += 1
            self._file(spec, path, spec)

    def _folder(self, spec: str, folder: Path) -> None:
        for path in folder_files(folder, ARTICLE_SUFFIXES + FEED_SUFFIXES):
            ref = str(Path(spec) / path.name)
            feed = path.suffix.lower() in FEED_SUFFIXES
            # a feed file's entries are counted as they are read; an article file is one entry
            self.out.entries_read += not feed
            try:
                if feed:
                    self._feed(spec, read_feed_file(path), ref)
                else:
                    self._file(spec, path, ref)
            except BrieferError as err:
                self.out.not_included.append(NotIncluded.of(ref, err.message))
            except Exception as exc:  # a bug costs this file only, not the folder
                self.out.not_included.append(NotIncluded.of(ref, _reason(exc)))

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
        self._list(spec, feed.entries)

    def _list(self, spec: str, entries: list[FeedEntry]) -> None:
        """A feed's (or URL list's) entries: those outside the window, briefed before, listed
        twice or given up are listed as such; of the rest, the newest ``entries_per_feed`` are
        kept for fetching, the others left for the next run."""
        kept: list[_Listed] = []
        for entry in entries:
            self.out.entries_read += 1
            link = canonical_url(entry.link) if entry.link else None
            ref = entry.link or f"{spec}#{entry.id or entry.title or '?'}"
            if link and (why := self.given_up(link)):
                self._skip(ref, why)  # its pending row stays: it is not tried again
                continue
            if self.since and entry.published and entry.published < self.since:
                self._skip(ref, self._old(entry.published), link)
                continue
            if link and (day := self.seen([link], "")):
                self._skip(ref, f"already briefed (digest of {day})", link)
                continue
            if link and link in self.links:  # listed twice (another feed, tracking params)
                self._skip(ref, f"the same article as {self.links[link]}")
                continue
            if link:
                self.links[link] = entry.link or link
            key = link or _text_key(entry)
            if key and not link:  # an entry with text and no link: known by its text
                if day := self.seen([], key.removeprefix("text:")):
                    self._skip(ref, f"already briefed (digest of {day})", key)
                    continue
                if why := self.given_up(key):
                    self._skip(ref, why)
                    continue
            kept.append(_Listed(spec, entry, ref, key))
        cap = self.limits.entries_per_feed
        if len(kept) > cap:
            ordered = _newest_first(kept)
            over = {id(x) for x in ordered[cap:]}
            for item in ordered[cap:]:
                self._leave(item, f"over the per-feed cap of {cap} entries (max_entries_per_feed)")
            self.out.notes.append(
                f"{len(over)} entries of {spec} over the per-feed cap of {cap} were left for the "
                "next run"
            )
            kept = [x for x in kept if id(x) not in over]
        self.listed += kept

    def _fetch_listed(self) -> None:
        """The per-run caps (entries, page fetches, fetches per host), newest first, then the
        pages fetched (``PAGE_WORKERS`` at a time, politely per host, results in feed order)."""
        limits = self.limits
        listed = self.listed
        if len(listed) > limits.entries:
            ordered = _newest_first(listed)
            over = {id(x) for x in ordered[limits.entries :]}
            for item in ordered[limits.entries :]:
                self._leave(item, f"over the per-run cap of {limits.entries} entries (max_entries)")
            self.out.notes.append(
                f"{_entries(len(over))} over the per-run cap of {limits.entries} "
                f"{'was' if len(over) == 1 else 'were'} left for the next run"
            )
            listed = [x for x in listed if id(x) not in over]
        # The state is read here, in this thread (SQLite connections stay in theirs).
        for item in listed:
            item.stored = self.known(item.key) if item.key else None
        per_feed: dict[str, int] = {}
        per_host: dict[str, int] = {}
        total = 0
        bitten: dict[str, int] = {}
        wanted: list[_Listed] = []
        for item in _newest_first(listed):
            if item.needs_page:
                assert item.entry.link is not None
                host = host_of(item.entry.link)
                cap = None
                if total >= limits.fetches:
                    cap = f"over the per-run cap of {limits.fetches} page fetches (max_fetches)"
                elif per_feed.get(item.spec, 0) >= limits.fetches_per_feed:
                    cap = (
                        f"over the per-feed cap of {limits.fetches_per_feed} page fetches "
                        "(max_fetches_per_feed)"
                    )
                elif per_host.get(host, 0) >= limits.fetches_per_host:
                    cap = (
                        f"over the cap of {limits.fetches_per_host} page fetches from {host} "
                        "(max_fetches_per_host)"
                    )
                if cap is not None:
                    self._leave(item, cap)
                    bitten[cap] = bitten.get(cap, 0) + 1
                    continue
                total += 1
                per_feed[item.spec] = per_feed.get(item.spec, 0) + 1
                per_host[host] = per_host.get(host, 0) + 1
            wanted.append(item)
        for cap, count in bitten.items():
            were = "was" if count == 1 else "were"
            self.out.notes.append(f"{_entries(count)} {cap} {were} left for the next run")
        order = {id(x): n for n, x in enumerate(listed)}
        wanted.sort(key=lambda x: order[id(x)])
        with ThreadPoolExecutor(max_workers=PAGE_WORKERS) as pool:
            results = list(pool.map(self._entry_article, wanted))
        for item, result in zip(wanted, results, strict=True):
            entry = item.entry
            if isinstance(result, Article):
                published = entry.published or parse_date(result.date)
                self._add(item.spec, item.ref, result, published, item.key)
            else:
                self.out.not_included.append(NotIncluded.of(item.ref, result))
                if item.key and entry.link:  # a page that failed is tried again next run
                    self.out.pending.append(
                        Pending(item.key, item.ref, item.spec, entry.published, result, "failed")
                    )

    def _entry_article(self, item: _Listed) -> Article | str:
        """The entry's article, or why there is none (one line)."""
        entry = item.entry
        try:
            name = slug(entry.title or (entry.link or "entry").rstrip("/").rsplit("/", 1)[-1])
            date = entry.published.date().isoformat() if entry.published else None
            if _has_text(entry):
                text = entry.text if not entry.title else f"{entry.title}\n\n{entry.text}"
                article = article_from_text(text, id=name, origin=entry.link or name)
                return article.model_copy(
                    update={"url": entry.link, "outlet": entry.outlet, "date": date}
                )
            if not entry.link:
                return "the entry has no text and no link"
            if item.stored is not None:
                article = item.stored
            else:
                self.pacer.wait(entry.link)
                article = fetch_url(entry.link, policy=self.policy)
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
        key = key or (canonical_url(article.url) if article.url else None)
        if self.since and published and published < self.since:
            self._skip(ref, self._old(published), key)
            return
        digest = text_hash(article.text)
        keys = [key] if key else []
        if day := self.seen(keys, digest):
            self._skip(ref, f"already briefed (digest of {day})", key)
            return
        if why := self.given_up(key or f"text:{digest}"):
            self._skip(ref, why)
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


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"
