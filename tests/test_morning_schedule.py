"""Scheduling: APScheduler firing at a faked time (a machine that slept through 06:30), and
install-timer's systemd units and crontab line (written, never run)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner

from briefer.cli.main import main
from briefer.morning import schedule


class Clock:
    """The time APScheduler sees."""

    def __init__(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(datetime(2026, 3, 9, 23, 0, tzinfo=UTC))

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return fake.now.astimezone(tz) if tz else fake.now.replace(tzinfo=None)

    for module in (apscheduler.schedulers.base, apscheduler.executors.base):
        monkeypatch.setattr(module, "datetime", FakeDatetime)
    return fake


def _start(job: Any, clock: Clock, **extra: Any) -> BackgroundScheduler:
    scheduler = schedule.make_scheduler(
        job, "06:30", scheduler=BackgroundScheduler(timezone=UTC), timezone=UTC
    )
    if extra:
        scheduler.modify_job(schedule.JOB_ID, **extra)
    scheduler.start()
    return scheduler


def test_a_machine_that_slept_through_the_time_runs_once_on_wake(clock: Clock) -> None:
    fired = threading.Event()
    calls: list[datetime] = []

    def job() -> str:
        calls.append(clock.now)
        fired.set()
        return "ok"

    scheduler = _start(job, clock)
    try:
        assert schedule.next_run(scheduler, clock.now) == datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
        # Asleep from 23:00 until three days later, 09:10: the 06:30 runs of the 10th, 11th and
        # 12th were missed. On wake they become one run (coalesce), although 2 h 40 min late.
        clock.now = datetime(2026, 3, 12, 9, 10, tzinfo=UTC)
        scheduler.wakeup()
        assert fired.wait(10)
        fired.clear()
        scheduler.wakeup()
        assert not fired.wait(0.5)
        assert calls == [datetime(2026, 3, 12, 9, 10, tzinfo=UTC)]
        # The next run is tomorrow at 06:30, not another catch-up.
        job_now = scheduler.get_job(schedule.JOB_ID)
        assert job_now.next_run_time == datetime(2026, 3, 13, 6, 30, tzinfo=UTC)
    finally:
        scheduler.shutdown(wait=False)


def test_apschedulers_default_grace_would_have_dropped_that_run(clock: Clock) -> None:
    """Why MISFIRE_GRACE is set: with the library's 1 s the late run is silently missed."""
    fired = threading.Event()
    missed = threading.Event()
    scheduler = _start(fired.set, clock, misfire_grace_time=1)
    from apscheduler.events import EVENT_JOB_MISSED

    scheduler.add_listener(lambda event: missed.set(), EVENT_JOB_MISSED)
    try:
        clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
        scheduler.wakeup()
        assert missed.wait(10)
        assert not fired.is_set()
    finally:
        scheduler.shutdown(wait=False)


def test_a_failed_run_is_logged_and_the_schedule_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    from briefer.errors import FetchError

    def boom() -> None:
        raise FetchError("feed down")

    schedule.logged(boom, "morning asia")()  # does not raise
    assert "morning asia: run failed (exit 6): feed down" in caplog.text


def test_at_must_be_a_time_of_day() -> None:
    assert schedule.parse_at("6:05") == (6, 5)
    for bad in ("24:00", "6.30", "06:60", "noon"):
        with pytest.raises(Exception, match="not a time of day"):
            schedule.parse_at(bad)
    result = CliRunner().invoke(main, ["morning", "--source", ".", "--at", "25:00"])
    assert result.exit_code == 2 and "not a time of day" in result.output


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.asia]\nsources = ["feeds/"]\n')
    return path


def test_install_timer_writes_a_persistent_systemd_user_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule, "has_systemd", lambda: True)
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main,
        ["morning", "install-timer", "--profile", "asia", "--at", "06:30", "--config", str(config)],
    )
    assert result.exit_code == 0, result.output
    folder = Path(schedule.platformdirs.user_config_dir("systemd")) / "user"
    timer = (folder / "briefer-morning-asia.timer").read_text()
    service = (folder / "briefer-morning-asia.service").read_text()
    assert "OnCalendar=*-*-* 06:30:00" in timer and "Persistent=true" in timer
    assert "WantedBy=timers.target" in timer
    assert '"morning" "--profile" "asia"' in service and str(config) in service
    assert "Type=oneshot" in service and "SuccessExitStatus=20" in service
    assert str(folder / "briefer-morning-asia.timer") in result.stdout
    assert "systemctl --user enable --now briefer-morning-asia.timer" in result.stderr


def test_install_timer_prints_a_crontab_line_without_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule, "has_systemd", lambda: False)
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main,
        ["morning", "install-timer", "--profile", "asia", "--at", "7:05", "--config", str(config)],
    )
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith("5 7 * * * ") and "morning --profile asia --quiet --config" in line
    assert ">>" in line and line.endswith("2>&1")
    folder = Path(schedule.platformdirs.user_config_dir("systemd")) / "user"
    assert not folder.exists()


def test_install_timer_refuses_an_unknown_profile(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "morning",
            "install-timer",
            "--profile",
            "europe",
            "--at",
            "06:30",
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 7
    assert "no profile 'europe'" in result.stderr and "asia" in result.stderr


def test_the_crontab_line_works_on_a_fresh_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex
    import subprocess

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    done = schedule.install_timer("asia", "06:30", systemd=False)
    logs = home / ".local" / "state" / "briefer"
    assert logs.is_dir()  # made at install time
    assert done.crontab is not None
    # The line makes it too (a cleaned-up account): run it with the command replaced by echo.
    logs.rmdir()
    command = shlex.join([*schedule.briefer_command(), "morning", "--profile", "asia", "--quiet"])
    fields = done.crontab.split(" ", 5)
    assert fields[:5] == ["30", "6", "*", "*", "*"] and command in fields[5]
    shell = fields[5].replace(command, "echo ran")
    env = {"HOME": str(home), "PATH": "/bin:/usr/bin"}
    subprocess.run(["sh", "-c", shell], check=True, env=env)
    assert (logs / "morning-asia.log").read_text() == "ran\n"


_SERVE = """
import sys
from pathlib import Path
from briefer.cli.morning import _serve
from briefer.config import load_settings
from briefer.model.local_server import exit_on_signals
from briefer.morning.profile import Profile
from briefer.morning.run import run_morning

exit_on_signals()
base_url, folder, out = sys.argv[1:4]
settings = load_settings({"base_url": base_url, "timeout": 120, "max_retries": 0})
profile = Profile(name="sig", sources=[folder], out_dir=Path(out), formats=["md"])
_serve(lambda: run_morning(settings, profile), "06:30", "sig", False, run_now=True)
"""


_ONCE = """
import sys
from briefer.cli.main import main
base_url, folder, out, model = sys.argv[1:5]
sys.argv = ["briefer", "morning", "--source", folder, "-o", out, "-f", "md",
            "--base-url", base_url, "--model", model, "--retries", "0"]
main()
"""


@pytest.mark.parametrize("mode", ["--at", "one run"])
def test_sigterm_stops_a_scheduled_run_at_once(tmp_path: Path, mode: str) -> None:
    import json
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from briefer.morning.state import default_state_path

    from .feed_server import PORT
    from .scripted_server import MODEL

    asked = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # the model list, as an OpenAI-compatible server has it
            body = json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def do_POST(self) -> None:  # a model that takes its time
            asked.set()
            time.sleep(60)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "port.txt").write_text(PORT)
    out = tmp_path / "out"
    root = Path(__file__).resolve().parents[1]
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    # cron and systemd start one run (and stop it with SIGTERM); --at stays running
    script, extra = (_SERVE, []) if mode == "--at" else (_ONCE, [MODEL])
    proc = subprocess.Popen(
        [sys.executable, "-c", script, url, str(tmp_path / "in"), str(out), *extra],
        env={**os.environ, "PYTHONPATH": str(root)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if not asked.wait(60):
            proc.kill()
            raise AssertionError(f"the run never asked the model: {proc.communicate()[1]}")
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        stderr = proc.communicate(timeout=10)[1]
        assert time.monotonic() - sent < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        httpd.shutdown()
        httpd.server_close()
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    said = (
        "stopped; the run in progress was recorded as interrupted"
        if mode == "--at"
        else "interrupted; finished items are kept for the next run"
    )
    assert said in stderr, stderr
    assert not list(out.rglob("morning-brief.md"))  # nothing half-written
    rows = sqlite3.connect(default_state_path()).execute("SELECT status FROM runs").fetchall()
    assert rows == [("interrupted",)]
