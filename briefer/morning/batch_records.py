"""The Batch API's batches as the morning state keeps them (``--batch``): each batch's id, scope,
round, status and request keys, and how often each request failed (``batch_failures``), in the
state database's ``batches`` and ``batch_failures`` tables (schema version 3, state.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from briefer.model.batch import FINISHED

SUBMITTING = "submitting:"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredBatch:
    """A Batch API batch as the state keeps it."""

    id: str
    scope: str
    round: int
    status: str
    keys: list[str]
    note: str
    endpoint: str = ""
    created: str = ""

    @property
    def token(self) -> str | None:
        """The submission token of a batch not yet known to be created (else None)."""
        return self.id.removeprefix(SUBMITTING) if self.id.startswith(SUBMITTING) else None


class BatchRecords:
    """The batch methods of the state (``State`` inherits them; ``db`` is its connection)."""

    db: sqlite3.Connection

    def record_batch(
        self, batch_id: str, scope: str, endpoint: str, round_: int, keys: Sequence[str]
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO batches (id, scope, endpoint, round, status, keys, "
                "created, updated) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?)",
                (batch_id, scope, endpoint, round_, json.dumps(list(keys)), now(), now()),
            )

    def batch_created(self, token: str, batch_id: str) -> None:
        """The batch submitted under ``token`` exists at the endpoint as ``batch_id``."""
        with self.db:
            self.db.execute(
                "UPDATE batches SET id = ?, updated = ? WHERE id = ?",
                (batch_id, now(), SUBMITTING + token),
            )

    def forget_batch(self, batch_id: str) -> bool:
        with self.db:
            return self.db.execute("DELETE FROM batches WHERE id = ?", (batch_id,)).rowcount > 0

    def set_batch_status(self, batch_id: str, status: str, note: str = "") -> None:
        with self.db:
            self.db.execute(
                "UPDATE batches SET status = ?, note = ?, updated = ? WHERE id = ?",
                (status, note, now(), batch_id),
            )

    def batches(self, endpoint: str | None, *, open_only: bool = False) -> list[StoredBatch]:
        """The batches submitted to ``endpoint`` (None: to any), oldest first (``open_only``:
        those whose answers are still to come)."""
        closed = sorted(FINISHED)
        where = f" AND status NOT IN ({','.join('?' * len(closed))})" if open_only else ""
        rows = self.db.execute(
            "SELECT id, scope, round, status, keys, note, endpoint, created FROM batches "
            f"WHERE (? IS NULL OR endpoint = ?){where} ORDER BY created, rowid",
            (endpoint, endpoint, *(closed if open_only else ())),
        ).fetchall()
        return [
            StoredBatch(i, sc, r, st, json.loads(k), n, e, c) for i, sc, r, st, k, n, e, c in rows
        ]

    def batch_failed(self, endpoint: str, failed: dict[str, str]) -> None:
        """One more failure of each request key (``failed``: key → why)."""
        with self.db:
            self.db.executemany(
                "INSERT INTO batch_failures (endpoint, key, failures, reason, updated) "
                "VALUES (?, ?, 1, ?, ?) ON CONFLICT (endpoint, key) DO UPDATE SET "
                "failures = failures + 1, reason = excluded.reason, updated = excluded.updated",
                [(endpoint, key, why, now()) for key, why in failed.items()],
            )

    def batch_failures(self, endpoint: str) -> dict[str, tuple[int, str]]:
        """Each request key that failed in batches: how often, and why (the last time)."""
        rows = self.db.execute(
            "SELECT key, failures, reason FROM batch_failures WHERE endpoint = ?", (endpoint,)
        ).fetchall()
        return {key: (n, why) for key, n, why in rows}

    def clear_batch_failures(self, endpoint: str, keys: Iterable[str]) -> None:
        """Given up (its work failed): a later run tries the request afresh."""
        with self.db:
            self.db.executemany(
                "DELETE FROM batch_failures WHERE endpoint = ? AND key = ?",
                [(endpoint, key) for key in keys],
            )
