"""A morning's items and how they are briefed: one at a time on the embedded model, as many at
a time as the endpoint's servers take otherwise, backing off together when it keeps saying 429.

The model's fleet (model/fleet.py) bounds the requests in flight over items and parts, lowers
its limit on a 429 and retries a request a few times; when it gives up
(``RateLimitError``), every worker waits (``Backoff``: 2 s, 4 s, 8 s … up to a minute, with
jitter) and the item is asked again. Its calls that were answered before are in the answer
cache, so only the rest are asked. Each finished item is handed to ``on_done`` at once (in the
calling thread), so that it is stored before the next one finishes: an interrupted run loses
nothing it already had.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from briefer import __version__
from briefer.brief_many import each
from briefer.errors import BrieferError, RateLimitError
from briefer.models import Article, Brief
from briefer.morning.collect import Entry
from briefer.pipeline import PROMPT_FILES, Briefer
from briefer.stories.merge import in_time_order

#: First wait after a 429, doubled each time up to BACKOFF_MAX (seconds).
BACKOFF_BASE = 2.0
BACKOFF_MAX = 60.0
#: Times an item is asked again after the endpoint kept answering 429.
RATE_LIMIT_RETRIES = 4


@dataclass
class Item:
    """One digest item: the entries of one story (or a single entry) and its brief."""

    entries: list[Entry]
    key: str = ""
    brief: Brief | None = None
    reused: bool = False
    story_id: int | None = None

    def __post_init__(self) -> None:
        # Sources in time order, as the merged brief numbers them.
        order = in_time_order([e.article for e in self.entries])
        by_id = {id(e.article): e for e in self.entries}
        self.entries = [by_id[id(a)] for a in order]

    @property
    def articles(self) -> list[Article]:
        return [e.article for e in self.entries]

    @property
    def refs(self) -> list[str]:
        return [e.ref for e in self.entries]

    @property
    def newest(self) -> datetime | None:
        dates = [e.published for e in self.entries if e.published is not None]
        return max(dates) if dates else None

    @property
    def label(self) -> str:
        first = self.entries[0].article
        more = f" (+{len(self.entries) - 1} more)" if len(self.entries) > 1 else ""
        return (first.title or first.id) + more


def item_key(item: Item, briefer: Briefer, endpoint: str) -> str:
    """What decides an item's brief: its sources' texts, the model and endpoint, the prompts
    and briefer's version. The same key is the same brief: it is taken from the state."""
    blob = {
        "texts": sorted(e.text_hash for e in item.entries),
        "model": briefer.model_name,
        "endpoint": endpoint,
        "prompts": briefer.prompts.version(*PROMPT_FILES),
        "on_unsupported": briefer.settings.on_unsupported,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()


def brief_one(briefer: Briefer, item: Item) -> Brief:
    if len(item.entries) == 1:
        return briefer.brief(item.articles[0])
    return briefer.brief_story(item.articles, name=item.entries[0].article.id)


@dataclass
class Backoff:
    """A pause all workers keep after a 429: nobody asks before ``until``."""

    until: float = 0.0
    streak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self) -> None:
        with self.lock:
            delay = min(BACKOFF_MAX, BACKOFF_BASE * 2**self.streak)
            delay *= random.uniform(0.8, 1.2)
            self.streak += 1
            self.until = max(self.until, time.monotonic() + delay)

    def ok(self) -> None:
        with self.lock:
            self.streak = 0

    def pause(self) -> None:
        while (left := self.until - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))


def _with_backoff(briefer: Briefer, item: Item, backoff: Backoff) -> Brief:
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        backoff.pause()
        try:
            brief = brief_one(briefer, item)
        except RateLimitError:
            if attempt == RATE_LIMIT_RETRIES:
                raise
            backoff.hit()
            continue
        backoff.ok()
        return brief
    raise AssertionError("unreachable")


Done = Callable[[Item, Brief | BrieferError], None]


def brief_items(briefer: Briefer, items: Sequence[Item], workers: int, on_done: Done) -> None:
    """Brief every item, ``workers`` at a time, in rank order (``brief_many.each``: a failed
    item is reported to ``on_done`` and the others go on, except for errors that would fail
    every item, which stop the run and are raised)."""
    backoff = Backoff()
    each(
        items,
        lambda item: _with_backoff(briefer, item, backoff),
        on_done,
        workers=workers,
        label=lambda item: item.label,
    )
