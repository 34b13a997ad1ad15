"""Model calls to one server or a fleet of identical ones, never more in flight than they take.

One ``Fleet`` serves every call of a run (a morning's items × their parts, a folder's inputs), so
however the work is nested, each server has at most its limit of requests in flight. The limit
adapts (AIMD, as TCP does): a 429 or 503 halves it, once for the requests sent under the old
limit, and each answered call raises it by 1/limit, up to the configured concurrency. A
``Retry-After`` (seconds, an HTTP date, or ``retry-after-ms``) keeps every call off that server
until then. A server that refuses connections is set aside (0.5 s, doubling up to 30 s while it
stays down) and the call goes to another at once; only when none is left is the failure counted
as a retry. A call goes to the server with the most room (in flight ÷ limit), round robin among
equals.

This module knows no HTTP client: ``llm.py`` says what a failure was (``Failure``), so the
``openai`` client stays the only one (its own retries are off: they would not adapt).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Generic, Literal, TypeVar

C = TypeVar("C")
T = TypeVar("T")

#: Longest ``Retry-After`` honoured (seconds); a longer one is waited this long, then retried.
RETRY_AFTER_MAX = 60.0
#: Wait before retrying a call that failed without a ``Retry-After`` (doubled each time, jitter).
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
#: How long a server refusing connections is set aside at first (doubled while it stays down).
SET_ASIDE_BASE = 0.5
SET_ASIDE_MAX = 30.0


@dataclass(frozen=True)
class Failure:
    """What a failed call says about its server.

    ``down``: it refused the connection (set it aside, try another); ``busy``: 429 or 503 (lower
    its limit; ``retry_after`` keeps every call off it); ``retry``: worth another try (a 5xx, a
    timeout), the server stays as it is."""

    kind: Literal["down", "busy", "retry"]
    retry_after: float | None = None


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date),
    capped at ``RETRY_AFTER_MAX``; None when absent or unreadable."""
    seconds: float | None = None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            seconds = float(ms) / 1000
        except ValueError:
            seconds = None
    if seconds is None and (value := headers.get("retry-after")) is not None:
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds is None or seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


def _backoff(streak: int) -> float:
    return float(min(BACKOFF_MAX, BACKOFF_BASE * 2**streak)) * random.uniform(0.8, 1.0)


class Server(Generic[C]):
    """One base URL: its client, its adaptive limit and what it said lately."""

    def __init__(self, url: str, client: C, concurrency: int) -> None:
        self.url = url
        self.client = client
        self.max = concurrency
        self.limit = float(concurrency)
        self.in_flight = 0
        #: No call is sent before this (monotonic seconds): Retry-After, or set aside.
        self.ready_at = 0.0
        self.down = False
        self.down_streak = 0
        #: When it was last set aside: calls sent before then failing say nothing new.
        self.set_aside_at = float("-inf")
        self.decreased_at = float("-inf")
        self.picked = 0
        self.answered = 0
        self.busy = 0

    @property
    def allowed(self) -> int:
        # A server back from being set aside gets one probing call before more.
        return 1 if self.down else max(1, int(self.limit))


class Fleet(Generic[C]):
    """Bounded, adaptive, load-balanced calls to ``servers`` (url, client) pairs."""

    def __init__(self, servers: list[tuple[str, C]], concurrency: int, retries: int) -> None:
        if not servers:
            raise ValueError("a fleet needs a server")
        self.servers = [Server(url, client, concurrency) for url, client in servers]
        self.retries = retries
        self._cond = threading.Condition()
        self.in_flight = 0
        #: Most requests in flight at once over the run.
        self.peak = 0

    @property
    def slots(self) -> int:
        """Most requests in flight at once, over every server."""
        return sum(s.max for s in self.servers)

    def limits(self) -> list[float]:
        with self._cond:
            return [s.limit for s in self.servers]

    def call(self, request: Callable[[C], T], classify: Callable[[Exception], Failure | None]) -> T:
        """``request(client)`` on a server with room; failures ``classify`` calls retryable are
        tried again (on another server where one was set aside), up to ``retries`` times."""
        retries_left = self.retries
        attempt = 0
        tried: set[int] = set()
        while True:
            server = self._acquire()
            tried.add(id(server))
            started = time.monotonic()
            try:
                result = request(server.client)
            except Exception as exc:
                failure = classify(exc)
                elsewhere = self._failed(server, failure, started, tried)
                if failure is None:
                    raise
                if elsewhere:
                    continue  # another server takes it now: not a retry of this one
                if retries_left == 0:
                    raise
                retries_left -= 1
                # A server set aside, or busy until a Retry-After, is waited for in _acquire.
                if failure.kind == "retry" and failure.retry_after is not None:
                    time.sleep(failure.retry_after)
                elif failure.kind != "down" and failure.retry_after is None:
                    time.sleep(_backoff(attempt))
                attempt += 1
                continue
            except BaseException:  # Ctrl-C, SystemExit: the slot is free again
                self._failed(server, None, started, tried)
                raise
            self._answered(server)
            return result

    def _acquire(self) -> Server[C]:
        with self._cond:
            while True:
                now = time.monotonic()
                free = [s for s in self.servers if s.ready_at <= now and s.in_flight < s.allowed]
                if free:
                    server = min(free, key=lambda s: (s.down, s.in_flight / s.allowed, s.picked))
                    server.picked += 1
                    server.in_flight += 1
                    self.in_flight += 1
                    self.peak = max(self.peak, self.in_flight)
                    return server
                waits = [s.ready_at - now for s in self.servers if s.ready_at > now]
                # Bounded waits: a worker is never stuck past a Ctrl-C for long.
                self._cond.wait(min([*waits, 1.0]))

    def _release(self, server: Server[C]) -> None:
        server.in_flight -= 1
        self.in_flight -= 1
        self._cond.notify_all()

    def _answered(self, server: Server[C]) -> None:
        with self._cond:
            server.answered += 1
            server.down = False
            server.down_streak = 0
            server.limit = min(float(server.max), server.limit + 1 / server.limit)
            self._release(server)

    def _failed(
        self, server: Server[C], failure: Failure | None, started: float, tried: set[int]
    ) -> bool:
        """Note what the failure says of ``server``; True when a server this call has not
        tried yet (``tried``: their ids) is ready now, so the call goes there, not counted as a
        retry."""
        with self._cond:
            self._release(server)
            now = time.monotonic()
            if failure is None:
                return False
            if failure.kind == "down":
                server.down = True
                # One outage sets it aside once, however many calls were in flight when it
                # went down (eight refused connections are not eight doublings).
                if started >= server.set_aside_at:
                    wait = min(SET_ASIDE_MAX, SET_ASIDE_BASE * 2**server.down_streak)
                    server.down_streak += 1
                    server.set_aside_at = now
                    server.ready_at = max(server.ready_at, now + wait)
                return any(not s.down and s.ready_at <= now for s in self.servers)
            if failure.kind == "busy":
                server.busy += 1
                # Requests sent under the old limit say nothing new: halve once per round.
                if started >= server.decreased_at:
                    server.limit = max(1.0, server.limit / 2)
                    server.decreased_at = now
                if failure.retry_after is not None:
                    server.ready_at = max(server.ready_at, now + failure.retry_after)
                # Another server of the fleet with room takes the call at once; each server
                # once per call, so a fleet that is busy everywhere still counts retries.
                return any(
                    id(s) not in tried and not s.down and s.ready_at <= now for s in self.servers
                )
            return False
