"""Bounded work: caps on the entries a run reads and the pages it fetches, and politeness
towards each host (a minimum delay between two fetches from it).

A feed may list thousands of entries (a first run has no window): without caps, every entry
without its own text had its page fetched before ``max_items`` cut the list, for hours. The caps
apply before anything is fetched, newest entries first; what they leave is listed under "Not
included" as left for the next run, and the digest's numbers say which cap bit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Defaults of the profile keys of the same names (see ``Profile``).
MAX_ENTRIES_PER_FEED = 100
MAX_ENTRIES = 300
MAX_FETCHES_PER_FEED = 30
MAX_FETCHES = 100
MAX_FETCHES_PER_HOST = 30
FETCH_DELAY = 1.0


@dataclass(frozen=True)
class Limits:
    """Per-feed and per-run caps on entries and page fetches; per-host politeness."""

    entries_per_feed: int = MAX_ENTRIES_PER_FEED
    entries: int = MAX_ENTRIES
    fetches_per_feed: int = MAX_FETCHES_PER_FEED
    fetches: int = MAX_FETCHES
    fetches_per_host: int = MAX_FETCHES_PER_HOST
    fetch_delay: float = FETCH_DELAY


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


@dataclass
class HostPacer:
    """At least ``delay`` seconds between the starts of two fetches from one host, whichever
    thread asks (other hosts are not held up)."""

    delay: float
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, url: str) -> None:
        if self.delay <= 0:
            return
        host = host_of(url)
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.delay
        if start > now:
            time.sleep(start - now)
