"""The morning state file: a schema version and migrations; foreign, damaged and newer files are
refused in one line and never written to; a failure to record the run never hides the first
error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefer.errors import ConfigError, EndpointUnreachableError
from briefer.morning import state as morning_state
from briefer.morning.profile import Profile
from briefer.morning.run import run_morning
from briefer.morning.state import SCHEMA_V1, SCHEMA_VERSION, State

from .feed_server import NOW, PORT
from .scripted_server import ScriptedServer
from .test_morning_run import settings_for


def _refused(path: Path, *words: str) -> str:
    before = path.read_bytes()
    with pytest.raises(ConfigError) as caught:
        State(path)
    message = str(caught.value)
    assert "\n" not in message and all(w in message for w in words), message
    assert path.read_bytes() == before  # never written to
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()
    return message


def test_a_new_file_has_the_current_schema_version(tmp_path: Path) -> None:
    State(tmp_path / "s.sqlite3").close()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_an_unversioned_file_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_V1)  # what briefer wrote before the schema had a version
    db.execute(
        "INSERT INTO runs (profile, started, status, digest_date) "
        "VALUES ('asia', '2026-03-09T06:30:00+00:00', 'ok', '2026-03-09')"
    )
    db.commit()
    db.close()
    state = State(path)
    assert [r["status"] for r in state.runs("asia")] == ["ok"]
    assert state.mailed("asia", "2026-03-09") is None  # the tables of version 2 are there
    state.close()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, distance REAL, course TEXT)")
    db.execute("INSERT INTO runs (distance, course) VALUES (10.5, 'river')")
    db.commit()
    db.close()
    _refused(path, "not a briefer state file", "'runs'", "left as it is")


@pytest.mark.parametrize("version", [1, 2])
def test_another_programs_versioned_sqlite_file_is_refused(tmp_path: Path, version: int) -> None:
    # found in review: only an unversioned file's tables were looked at
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        f"CREATE TABLE bookmarks (url TEXT); CREATE TABLE runs (x TEXT); "
        f"PRAGMA user_version = {version};"
    )
    db.close()
    _refused(path, "not a briefer state file")


def test_a_migration_another_process_made_first_is_not_made_again(tmp_path: Path) -> None:
    state = State(tmp_path / "s.sqlite3")  # migrated to the current version
    try:
        # what a second process does after reading the old version, before its transaction
        state._step(SCHEMA_VERSION, morning_state.MIGRATIONS[SCHEMA_VERSION])
    finally:
        state.close()
    State(tmp_path / "s.sqlite3").close()  # still opens


def test_a_file_that_is_not_sqlite_is_refused_without_blaming_permissions(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("my shopping list\n" * 20)
    message = _refused(path, "not a briefer state file", "not an SQLite database")
    assert "permission" not in message


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    State(path).close()
    data = bytearray(path.read_bytes())
    data[16:100] = b"\xff" * 84  # the header's page size and the rest: garbage
    path.write_bytes(bytes(data))
    _refused(path, str(path), "left as it is")


def test_a_file_of_a_newer_briefer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    State(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    _refused(path, "newer briefer", f"schema {SCHEMA_VERSION + 1}")


def _full_disk(self: State, *args: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def test_a_failure_to_record_the_run_does_not_hide_the_first_error(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "port.txt").write_text(PORT)
    profile = Profile(sources=[str(tmp_path / "in")], out_dir=tmp_path / "out", formats=["md"])
    monkeypatch.setattr(morning_state.State, "end_run", _full_disk)
    # Nothing listens on this port: the endpoint is unreachable, which stops the run.
    settings = settings_for(server, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(EndpointUnreachableError) as caught:
        run_morning(settings, profile, now=NOW)
    assert any("disk is full" in note for note in getattr(caught.value, "__notes__", []))


def test_a_failure_to_record_a_good_run_is_one_line(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.auto = True
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "port.txt").write_text(PORT)
    profile = Profile(sources=[str(tmp_path / "in")], out_dir=tmp_path / "out", formats=["md"])
    monkeypatch.setattr(morning_state.State, "end_run", _full_disk)
    with pytest.raises(ConfigError, match=r"could not be recorded .* disk is full"):
        run_morning(settings_for(server), profile, now=NOW)
