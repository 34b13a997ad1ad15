"""Running the morning brief every day: in-process (APScheduler 3.x) or by the system
(a systemd user timer, or a crontab line where there is no systemd).

In-process (``briefer morning --at 06:30``): a cron trigger at that local time, with

- ``coalesce``: runs missed while the machine slept or the process was stopped become one;
- ``misfire_grace_time`` of ``MISFIRE_GRACE`` (23 h): APScheduler's default of 1 s silently
  drops a run that starts late, so a laptop that slept through 06:30 would skip the day; with
  23 h it runs once on wake, any time before the next day's run;
- ``max_instances = 1``: a long run never overlaps the next (the run's lock also ensures it);
- a ``HEARTBEAT`` job every minute: the scheduler sleeps on a monotonic clock, which stops
  while the machine is suspended, so without a wake-up it would fire hours after resume.

Every run is logged (logger ``briefer.morning``) with its outcome; one failed run does not stop
the schedule. ``serve`` runs each run in the main thread (the scheduler's thread only says when):
SIGTERM and Ctrl-C, which Python delivers to the main thread, stop the run in progress at once,
not only the waiting.
"""

from __future__ import annotations

import logging
import queue
import re
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from briefer.errors import BrieferError, ConfigError

log = logging.getLogger("briefer.morning")

MISFIRE_GRACE = 23 * 3600
HEARTBEAT = 60
JOB_ID = "morning-brief"
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_at(text: str) -> tuple[int, int]:
    """``"06:30"`` → ``(6, 30)`` (24-hour local time)."""
    match = _AT.match(text.strip())
    if not match:
        raise ConfigError(f"--at {text!r} is not a time of day", hint="use HH:MM, e.g. 06:30")
    return int(match.group(1)), int(match.group(2))


def logged(run: Callable[[], object], label: str) -> Callable[[], None]:
    """``run`` wrapped to log its start and outcome and never raise into the scheduler."""

    def job() -> None:
        log.info("%s: run started", label)
        try:
            result = run()
        except BrieferError as err:
            log.error("%s: run failed (exit %d): %s", label, err.exit_code, err)
        except Exception:
            log.exception("%s: run failed with an unexpected error", label)
        else:
            log.info("%s: run finished: %s", label, result)

    return job


def make_scheduler(
    run: Callable[[], object],
    at: str,
    *,
    label: str = "morning",
    scheduler: Any = None,
    timezone: Any = None,
    log_runs: bool = True,
) -> Any:
    """A scheduler (``BlockingScheduler`` unless one is given) with the daily job at ``at``
    (``log_runs``: wrapped by ``logged``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_at(at)
    if scheduler is None:
        scheduler = BlockingScheduler(timezone=timezone) if timezone else BlockingScheduler()
    zone = timezone or scheduler.timezone
    scheduler.add_job(
        logged(run, label) if log_runs else run,
        CronTrigger(hour=hour, minute=minute, timezone=zone),
        id=JOB_ID,
        name=f"{label} at {at}",
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE,
        max_instances=1,
    )
    scheduler.add_job(
        lambda: None, "interval", seconds=HEARTBEAT, id="heartbeat", name="wake-up check"
    )
    return scheduler


def serve(
    run: Callable[[], object],
    at: str,
    *,
    label: str = "morning",
    timezone: Any = None,
    run_now: bool = False,
    started: Callable[[datetime], None] | None = None,
) -> None:
    """Run ``run`` every day at ``at``, in this (the main) thread, until a signal or Ctrl-C
    raises out of it; ``run_now``: once at once, too. ``started`` gets the next run's time."""
    from apscheduler.schedulers.background import BackgroundScheduler

    due: queue.Queue[None] = queue.Queue()
    background = BackgroundScheduler(timezone=timezone) if timezone else BackgroundScheduler()
    scheduler = make_scheduler(
        lambda: due.put(None),
        at,
        label=label,
        scheduler=background,
        timezone=timezone,
        log_runs=False,
    )
    job = logged(run, label)
    scheduler.start()
    try:
        if started is not None:
            started(next_run(scheduler))
        if run_now:
            job()
        while True:
            try:
                due.get(timeout=1.0)  # a timeout: signal handlers run between waits
            except queue.Empty:
                continue
            job()
    finally:
        scheduler.shutdown(wait=False)


def next_run(scheduler: Any, now: datetime | None = None) -> datetime:
    """When the daily job fires next (before the scheduler is started, too)."""
    job = scheduler.get_job(JOB_ID)
    when = now or datetime.now(job.trigger.timezone)
    fire: datetime = job.trigger.get_next_fire_time(None, when)
    return fire


# --- install-timer ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerInstall:
    """What ``install-timer`` did: unit files written (systemd) or a crontab line to add."""

    files: list[Path]
    commands: list[str]  # for the user to run: briefer never runs systemctl itself
    crontab: str | None = None


def briefer_command() -> list[str]:
    """How a timer starts this briefer: its console script beside this Python, else
    ``python -m briefer.cli.main``."""
    script = Path(sys.executable).parent / "briefer"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "briefer.cli.main"]


def has_systemd() -> bool:
    """A systemd user manager can run timers here (booted with systemd, systemctl present)."""
    return Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None


def unit_name(profile: str) -> str:
    return f"briefer-morning-{profile}"


def _quote(args: list[str]) -> str:
    # systemd's ExecStart= splits like a shell for double quotes; keep every argument one word.
    return " ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in args)


def install_timer(
    profile: str,
    at: str,
    *,
    config_file: Path | None = None,
    systemd: bool | None = None,
) -> TimerInstall:
    """Write ``briefer-morning-PROFILE.{service,timer}`` under
    ``$XDG_CONFIG_HOME/systemd/user/`` (``Persistent=true``: a run missed while the machine
    was off or asleep happens at the next start), or, without systemd, return the crontab
    line. ``systemd`` forces the choice (None: detect)."""
    hour, minute = parse_at(at)
    args = [*briefer_command(), "morning", "--profile", profile, "--quiet"]
    if config_file is not None:
        args += ["--config", str(config_file.resolve())]
    use_systemd = has_systemd() if systemd is None else systemd
    if not use_systemd:
        log_dir = Path(platformdirs.user_state_dir("briefer"))
        log_path = log_dir / f"morning-{profile}.log"
        # The log's folder is made now and by the line itself (a fresh account has no
        # ~/.local/state; without it the shell fails the redirection and briefer never runs).
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the log folder {log_dir}: {exc.strerror or exc}",
                hint="check the permissions of your home folder",
            ) from exc
        line = (
            f"{minute} {hour} * * * mkdir -p {shlex.quote(str(log_dir))} && "
            f"{shlex.join(args)} >> {shlex.quote(str(log_path))} 2>&1"
        )
        return TimerInstall(
            files=[], commands=["crontab -e   # and add the line above"], crontab=line
        )
    name = unit_name(profile)
    folder = Path(platformdirs.user_config_dir("systemd")) / "user"
    service = (
        "[Unit]\n"
        f"Description=briefer morning brief ({profile})\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={_quote(args)}\n"
        # A run that hangs is ended: a day's run never blocks the next one.
        "TimeoutStartSec=3h\n"
        # Exit 20: another run of this profile was still going; not a failure of this one.
        "SuccessExitStatus=20\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=briefer morning brief ({profile}) every day at {hour:02d}:{minute:02d}\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "Persistent=true\n"
        "RandomizedDelaySec=0\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    from briefer.render.output import write_atomic

    files = write_atomic(
        {folder / f"{name}.service": service.encode(), folder / f"{name}.timer": timer.encode()}
    )
    commands = [
        "systemctl --user daemon-reload",
        f"systemctl --user enable --now {name}.timer",
        f"systemctl --user list-timers {name}.timer   # next run",
        f"journalctl --user -u {name}.service         # each run's log",
        "loginctl enable-linger $USER   # optional: run while you are logged out",
    ]
    return TimerInstall(files=files, commands=commands)


def configure_logging(quiet: bool = False) -> None:
    """Each scheduled run's start and outcome on stderr, with the time."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s briefer: %(message)s", "%Y-%m-%d %H:%M"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False
    # APScheduler's own lines (job added, misfires) at WARNING and above only.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
