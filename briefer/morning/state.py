"""Durable state of the morning runs: one SQLite file under the XDG data directory.

- ``entries``: every entry that went into a digest or was read, by key (canonical URL, else
  ``text:<hash>``), with its text hash and article, and the date of the first digest it was in.
  What an earlier day's digest had is never briefed again.
- ``briefs``: each item's finished brief by item key (its sources' text hashes, the model and
  the word limit). Stored as soon as the item is briefed, so a rerun, or a run resuming an
  interrupted one, asks the model nothing for it.
- ``stories`` / ``story_entries`` / ``story_briefs``: which entries make a story and its brief
  on each day, for "What changed since <date>".
- ``runs``: start, end, status, counts, tokens, cost and errors of every run.
- ``pending`` (schema 2): entries read but not settled: failed (a page, a brief) or left for the
  next run by a cap. The next run's window reaches back to them; after ``MAX_TRIES`` runs they
  are given up (listed as such, not tried again).
- ``deliveries`` (schema 2): when each day's digest was mailed, to whom (mailed once).
- ``batches`` (schema 3): each Batch API batch submitted (``--batch``): its id, the cache keys
  of its requests, its round and status, so a restarted run polls it instead of submitting
  again. A row is written before the batch is created, under ``submitting:<token>`` (the token
  is in the batch's metadata), so a crash between creating and storing it is found again.
- ``batch_failures`` (schema 3): how often each request failed in batches, across runs (a
  request is given up on its second failure, ``--no-wait`` runs included).

The schema has a version (``PRAGMA user_version``): a file of an older version is migrated in
place (``MIGRATIONS``), the unversioned file of briefer before versions being version 1. A file
that is not briefer's (another program's SQLite file, a damaged file, not SQLite at all) or of a
newer version is a one-line ``ConfigError`` and is never written to.

Each profile has its own entries and stories. ``RunLock`` keeps two runs of one profile apart.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from briefer.errors import ConfigError, RunLockedError
from briefer.models import Article, Brief, RunStats
from briefer.morning.batch_records import BatchRecords

#: The schema this briefer writes; older files are migrated up to it.
SCHEMA_VERSION = 3
#: Runs in which an entry failed or was left over, after which it is given up.
MAX_TRIES = 3
_SQLITE_HEADER = b"SQLite format 3\x00"

#: Version 1: the unversioned schema of the first releases (user_version 0).
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL,
    digest_date TEXT,
    window_start TEXT,
    stats TEXT,
    errors TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    profile TEXT NOT NULL,
    key TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT,
    published TEXT,
    first_seen TEXT NOT NULL,
    digest_date TEXT,
    article TEXT NOT NULL,
    PRIMARY KEY (profile, key)
);
CREATE INDEX IF NOT EXISTS entries_by_hash ON entries (profile, text_hash);
CREATE TABLE IF NOT EXISTS briefs (
    item_key TEXT PRIMARY KEY,
    brief TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    title TEXT NOT NULL,
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS story_entries (
    story_id INTEGER NOT NULL,
    profile TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (profile, key, story_id)
);
CREATE TABLE IF NOT EXISTS story_briefs (
    story_id INTEGER NOT NULL,
    digest_date TEXT NOT NULL,
    item_key TEXT NOT NULL,
    PRIMARY KEY (story_id, digest_date)
);
"""

#: Statements that take a file from version N - 1 to N (each run in one transaction).
MIGRATIONS: dict[int, list[str]] = {
    2: [
        "CREATE TABLE pending (profile TEXT NOT NULL, key TEXT NOT NULL, ref TEXT NOT NULL, "
        "source TEXT NOT NULL, published TEXT, kind TEXT NOT NULL, tries INTEGER NOT NULL, "
        "reason TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (profile, key))",
        "CREATE TABLE deliveries (profile TEXT NOT NULL, digest_date TEXT NOT NULL, "
        "mailed TEXT NOT NULL, recipients TEXT NOT NULL, refused TEXT NOT NULL, "
        "PRIMARY KEY (profile, digest_date))",
    ],
    3: [
        "CREATE TABLE batches (id TEXT PRIMARY KEY, scope TEXT NOT NULL, endpoint TEXT NOT NULL, "
        "round INTEGER NOT NULL, status TEXT NOT NULL, keys TEXT NOT NULL, created TEXT NOT NULL, "
        "updated TEXT NOT NULL, note TEXT NOT NULL DEFAULT '')",
        "CREATE TABLE batch_failures (endpoint TEXT NOT NULL, key TEXT NOT NULL, "
        "failures INTEGER NOT NULL, reason TEXT NOT NULL, updated TEXT NOT NULL, "
        "PRIMARY KEY (endpoint, key))",
    ],
}

#: The tables (and their columns) of a version-1 file: what an unversioned file must look like
#: to be taken for briefer's.
_V1_TABLES = {
    "runs": {"id", "profile", "started", "ended", "status", "digest_date", "window_start"},
    "entries": {"profile", "key", "text_hash", "source", "first_seen", "digest_date", "article"},
    "briefs": {"item_key", "brief", "created"},
    "stories": {"id", "profile", "title", "first_date", "last_date"},
    "story_entries": {"story_id", "profile", "key"},
    "story_briefs": {"story_id", "digest_date", "item_key"},
}


#: The tables the migrations add.
_LATER_TABLES = frozenset(
    re.findall(
        r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)",
        " ".join(sql for step in MIGRATIONS.values() for sql in step),
    )
)


#: The id a batch is stored under between its submission and its creation: + its token.


def data_dir() -> Path:
    """``$XDG_DATA_HOME/briefer`` (usually ``~/.local/share/briefer``)."""
    return Path(platformdirs.user_data_dir("briefer"))


def default_state_path() -> Path:
    return data_dir() / "morning.sqlite3"


@dataclass(frozen=True)
class EarlierStory:
    """A story of an earlier digest: its entries' articles and its latest brief."""

    id: int
    title: str
    last_date: str
    articles: list[Article]
    brief: Brief | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_file(path: Path) -> None:
    """A file there must be an SQLite file: anything else is refused before SQLite opens it."""
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the morning state {path}: {exc.strerror or exc}",
            hint="check the file's permissions",
        ) from exc
    if head and head != _SQLITE_HEADER:
        raise ConfigError(
            f"{path} is not a briefer state file (not an SQLite database); it was left as it is",
            hint="move it away, or point briefer at another state file",
        )


def _damaged(path: Path, exc: sqlite3.Error) -> ConfigError:
    return ConfigError(
        f"the morning state {path} cannot be used: {exc}; it was left as it is",
        hint="restore it from a backup, or move it away to start a new state",
    )


class State(BatchRecords):
    """The state file of all profiles. Use one ``State`` from one thread."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_state_path()
        _check_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the morning state {self.path}: {exc}",
                hint="check the folder's permissions and free space",
            ) from exc
        try:
            self._migrate()
            # WAL: a second process (a dry run, another profile) reads while a run writes.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        except ConfigError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise _damaged(self.path, exc) from exc

    def _migrate(self) -> None:
        """Bring the file to ``SCHEMA_VERSION``; refuse one that is not briefer's (unchanged)."""
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"the morning state {self.path} was written by a newer briefer (schema "
                f"{version}; this one reads up to {SCHEMA_VERSION}); it was left as it is",
                hint="upgrade briefer, or move the file away to start a new state",
            )
        tables = {
            name: {row[1] for row in self.db.execute(f'PRAGMA table_info("{name}")')}
            for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        # Whatever its version says, a file with a table briefer never made is another
        # program's: it is refused before anything is written to it.
        known = {**_V1_TABLES, **{name: set() for name in _LATER_TABLES}}
        foreign = sorted(
            name for name, cols in tables.items() if name not in known or not known[name] <= cols
        )
        if foreign or (version >= 1 and "runs" not in tables):
            raise ConfigError(
                f"{self.path} is not a briefer state file (table "
                f"{(foreign or ['runs'])[0]!r} is not briefer's); it was left as it is",
                hint="move it away, or point briefer at another state file",
            )
        if version == 0:
            self._step(1, [SCHEMA_V1])  # a new file, or the unversioned schema: version 1
            version = 1
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self._step(target, MIGRATIONS[target])

    def _step(self, version: int, statements: list[str]) -> None:
        """One migration in one transaction: the file is at the old version or the new."""
        self.db.execute("BEGIN IMMEDIATE")
        # Another process may have migrated the file since its version was read.
        if int(self.db.execute("PRAGMA user_version").fetchone()[0]) >= version:
            self.db.rollback()
            return
        try:
            for sql in statements:
                for statement in (s for s in sql.split(";") if s.strip()):
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, profile: str, digest_date: str, started: datetime) -> int:
        """A run of ``profile`` begins at ``started`` (the time the window is measured from;
        runs left 'running' by a killed process are marked interrupted: the lock is ours)."""
        with self.db:
            self.db.execute(
                "UPDATE runs SET status = 'interrupted' WHERE profile = ? AND status = 'running'",
                (profile,),
            )
            cursor = self.db.execute(
                "INSERT INTO runs (profile, started, status, digest_date) VALUES (?, ?, ?, ?)",
                (profile, started.astimezone(UTC).isoformat(), "running", digest_date),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def end_run(self, run_id: int, status: str, stats: RunStats, errors: Sequence[str]) -> None:
        window = stats.window_start.isoformat() if stats.window_start else None
        with self.db:
            self.db.execute(
                "UPDATE runs SET ended = ?, status = ?, window_start = ?, stats = ?, errors = ? "
                "WHERE id = ?",
                (_now(), status, window, stats.model_dump_json(), json.dumps(list(errors)), run_id),
            )

    def window_start(self, profile: str, digest_date: str) -> datetime | None:
        """The start of the last successful run that wrote an earlier day's digest: a rerun
        on the same day reads the same window, and so writes the same digest. A failed run
        never moves it, and it reaches back to the oldest pending entry (failed or left over,
        not given up): the window never moves past an entry that is still to be tried. A run
        in which a source could not be read at all ('partial') moves it only as the
        ``MAX_TRIES``-th such run in a row: that source's entries are looked for again until
        then, and a source that stays down does not hold every other source's window back."""
        rows = self.db.execute(
            "SELECT started, status FROM runs WHERE profile = ? AND status IN ('ok', 'partial') "
            "AND digest_date < ? ORDER BY started DESC",
            (profile, digest_date),
        ).fetchall()
        start: datetime | None = None
        for n, (started, status) in enumerate(rows, start=1):
            if status == "ok" or n >= MAX_TRIES:
                start = datetime.fromisoformat(rows[0][0] if status != "ok" else started)
                break
        if start is None:
            return None
        oldest = self.oldest_pending(profile)
        return min(start, oldest) if oldest else start

    def oldest_pending(self, profile: str) -> datetime | None:
        """When the oldest dated entry still to be tried (failed or left over) was published."""
        dates = [
            datetime.fromisoformat(published)
            for (published,) in self.db.execute(
                "SELECT published FROM pending WHERE profile = ? AND tries < ? "
                "AND published IS NOT NULL",
                (profile, MAX_TRIES),
            )
        ]
        return min(dates) if dates else None

    def runs(self, profile: str) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT id, started, ended, status, digest_date, stats, errors FROM runs "
            "WHERE profile = ? ORDER BY id",
            (profile,),
        ).fetchall()
        names = ("id", "started", "ended", "status", "digest_date", "stats", "errors")
        return [dict(zip(names, row, strict=True)) for row in rows]

    # -- entries ----------------------------------------------------------------------------

    def briefed_before(
        self, profile: str, keys: Iterable[str], text_hash: str, day: str
    ) -> str | None:
        """The date of the first digest before ``day`` an entry (any of its keys, or its text)
        was in, else None."""
        keys = list(keys)
        marks = ",".join("?" * len(keys))
        row = self.db.execute(
            f"SELECT min(digest_date) FROM entries WHERE profile = ? AND digest_date < ? "
            f"AND (key IN ({marks}) OR text_hash = ?)",
            (profile, day, *keys, text_hash),
        ).fetchone()
        return str(row[0]) if row and row[0] else None

    def known_article(self, profile: str, key: str) -> Article | None:
        """The article stored for an entry key (a page is not fetched twice)."""
        row = self.db.execute(
            "SELECT article FROM entries WHERE profile = ? AND key = ?", (profile, key)
        ).fetchone()
        return Article.model_validate_json(row[0]) if row else None

    def record_entries(
        self,
        profile: str,
        entries: Iterable[tuple[str, str, str, Article, datetime | None]],
        day: str | None,
    ) -> None:
        """(key, text hash, source, article, published) of entries read; with ``day``, they
        are in that day's digest (an earlier digest date is kept)."""
        now = _now()
        with self.db:
            for key, text_hash, source, article, published in entries:
                self.db.execute(
                    "INSERT INTO entries (profile, key, text_hash, source, title, published, "
                    "first_seen, digest_date, article) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (profile, key) DO UPDATE SET digest_date = "
                    "coalesce(min(entries.digest_date, excluded.digest_date), "
                    "entries.digest_date, excluded.digest_date)",
                    (
                        profile,
                        key,
                        text_hash,
                        source,
                        article.title,
                        published.isoformat() if published else None,
                        now,
                        day,
                        article.model_dump_json(),
                    ),
                )

    # -- pending entries (failed, left over) -------------------------------------------------

    def update_pending(
        self,
        profile: str,
        pending: Iterable[tuple[str, str, str, datetime | None, str, str]],
        settled: Iterable[str],
    ) -> None:
        """(key, ref, source, published, reason, kind) of entries failed or left over this
        run (one more try each); ``settled`` keys (briefed, listed for good) are no longer
        pending; the others, not read this run, one more try each."""
        now = _now()
        with self.db:
            self.db.executemany(
                "DELETE FROM pending WHERE profile = ? AND key = ?",
                [(profile, key) for key in settled],
            )
            for key, ref, source, published, reason, kind in pending:
                when = published.astimezone(UTC).isoformat() if published else None
                self.db.execute(
                    "INSERT INTO pending (profile, key, ref, source, published, kind, tries, "
                    "reason, updated) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) "
                    "ON CONFLICT (profile, key) DO UPDATE SET tries = pending.tries + 1, "
                    "reason = excluded.reason, kind = excluded.kind, updated = excluded.updated",
                    (profile, key, ref, source, when, kind, reason, now),
                )
            # An entry still to be tried that this run did not read (gone from its feed, its
            # source down or removed) counts a try too: it is given up in time, and no longer
            # holds the window back.
            self.db.execute(
                "UPDATE pending SET tries = tries + 1, updated = ? "
                "WHERE profile = ? AND updated < ? AND tries < ?",
                (now, profile, now, MAX_TRIES),
            )

    def given_up(self, profile: str, key: str) -> str | None:
        """Why an entry is no longer tried (it failed or was left over ``MAX_TRIES`` times)."""
        row = self.db.execute(
            "SELECT tries, reason FROM pending WHERE profile = ? AND key = ? AND tries >= ?",
            (profile, key, MAX_TRIES),
        ).fetchone()
        if row is None:
            return None
        return f"given up after {row[0]} runs that could not brief it (last: {row[1]})"

    def pending(self, profile: str) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT key, kind, tries, reason FROM pending WHERE profile = ? ORDER BY key",
            (profile,),
        ).fetchall()
        return [dict(zip(("key", "kind", "tries", "reason"), r, strict=True)) for r in rows]

    # -- deliveries -------------------------------------------------------------------------

    def mailed(self, profile: str, digest_date: str) -> str | None:
        """When the day's digest of ``profile`` was mailed (UTC, ISO), else None."""
        row = self.db.execute(
            "SELECT mailed FROM deliveries WHERE profile = ? AND digest_date = ?",
            (profile, digest_date),
        ).fetchone()
        return str(row[0]) if row else None

    def record_mail(
        self, profile: str, digest_date: str, recipients: Sequence[str], refused: Sequence[str]
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO deliveries (profile, digest_date, mailed, recipients, "
                "refused) VALUES (?, ?, ?, ?, ?)",
                (profile, digest_date, _now(), json.dumps(list(recipients)),
                 json.dumps(list(refused))),
            )  # fmt: skip

    # -- briefs -----------------------------------------------------------------------------

    def brief(self, item_key: str) -> Brief | None:
        row = self.db.execute("SELECT brief FROM briefs WHERE item_key = ?", (item_key,)).fetchone()
        return Brief.model_validate_json(row[0]) if row else None

    def store_brief(self, item_key: str, brief: Brief) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO briefs (item_key, brief, created) VALUES (?, ?, ?)",
                (item_key, brief.model_dump_json(), _now()),
            )

    # -- stories ----------------------------------------------------------------------------

    def story_of(self, profile: str, keys: Sequence[str]) -> int | None:
        """The story an entry of this item already belongs to (a rerun on the same day)."""
        marks = ",".join("?" * len(keys))
        row = self.db.execute(
            f"SELECT story_id FROM story_entries WHERE profile = ? AND key IN ({marks}) "
            "ORDER BY story_id LIMIT 1",
            (profile, *keys),
        ).fetchone()
        return int(row[0]) if row else None

    def earlier_stories(self, profile: str, day: str, since: str) -> list[EarlierStory]:
        """Stories with a brief in a digest before ``day`` and on or after ``since``."""
        rows = self.db.execute(
            "SELECT id, title, last_date FROM stories WHERE profile = ? AND first_date < ? "
            "AND last_date >= ? ORDER BY id",
            (profile, day, since),
        ).fetchall()
        out = []
        for story_id, title, last_date in rows:
            articles = [
                Article.model_validate_json(a)
                for (a,) in self.db.execute(
                    "SELECT e.article FROM story_entries s JOIN entries e "
                    "ON e.profile = s.profile AND e.key = s.key "
                    "WHERE s.story_id = ? ORDER BY e.key",
                    (story_id,),
                )
            ]
            previous = self.previous_brief(story_id, day)
            out.append(EarlierStory(story_id, title, last_date, articles, previous[1]))
        return out

    def previous_brief(self, story_id: int, day: str) -> tuple[str, Brief | None]:
        """The story's latest brief from a digest before ``day``, and that digest's date."""
        row = self.db.execute(
            "SELECT digest_date, item_key FROM story_briefs WHERE story_id = ? "
            "AND digest_date < ? ORDER BY digest_date DESC LIMIT 1",
            (story_id, day),
        ).fetchone()
        if row is None:
            return "", None
        return row[0], self.brief(row[1])

    def record_story(
        self, profile: str, story_id: int | None, title: str, day: str, keys: Sequence[str],
        item_key: str,
    ) -> int:  # fmt: skip
        """Create or continue a story with today's entries and brief; returns its id."""
        with self.db:
            if story_id is None:
                cursor = self.db.execute(
                    "INSERT INTO stories (profile, title, first_date, last_date) "
                    "VALUES (?, ?, ?, ?)",
                    (profile, title, day, day),
                )
                assert cursor.lastrowid is not None
                story_id = cursor.lastrowid
            else:
                self.db.execute(
                    "UPDATE stories SET title = ?, last_date = max(last_date, ?) WHERE id = ?",
                    (title, day, story_id),
                )
            for key in keys:
                self.db.execute(
                    "INSERT OR IGNORE INTO story_entries (story_id, profile, key) VALUES (?, ?, ?)",
                    (story_id, profile, key),
                )
            self.db.execute(
                "INSERT OR REPLACE INTO story_briefs (story_id, digest_date, item_key) "
                "VALUES (?, ?, ?)",
                (story_id, day, item_key),
            )
        return story_id


class RunLock:
    """An exclusive lock on one profile's runs (``flock``: released by the kernel when the
    process dies, so a killed run never leaves a stale lock behind)."""

    def __init__(self, directory: Path, profile: str) -> None:
        self.path = directory / f"morning-{profile}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise RunLockedError(
                f"another morning run of this profile is in progress (pid {holder})",
                hint="wait for it to finish; runs never overlap",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextmanager
def locked(directory: Path, profile: str) -> Iterator[None]:
    lock = RunLock(directory, profile)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()
