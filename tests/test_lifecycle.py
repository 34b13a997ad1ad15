"""The embedded server's lifecycle: one server shared by concurrent commands, stopped by the last
user out, cleaned up after killed users, and never outliving a signalled briefer.

Fast tests run a fake ``llama-server`` (a small Python HTTP server, ``local_server_binary``);
the ``slow`` ones run the real one.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from briefer.config import Settings, load_settings
from briefer.errors import ConfigError
from briefer.model import local_server
from briefer.model.local_server import acquire, running_server, state_file

from .conftest import SEED

BRIEFER = str(Path(sys.executable).with_name("briefer"))

FAKE_SERVER = """\
#!{python}
# A stand-in for llama-server: /health (503 until FAKE_START_DELAY has passed), /v1/models,
# /tokenize, and /v1/chat/completions that waits FAKE_REPLY_DELAY and then fails.
import json, os, signal, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
record = Path(os.environ["FAKE_DIR"])
(record / f"{{os.getpid()}}.json").write_text(json.dumps(args))
if os.environ.get("FAKE_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready_at = time.monotonic() + float(os.environ.get("FAKE_START_DELAY", "0"))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self.send(200 if time.monotonic() >= ready_at else 503, {{"status": "ok"}})
        elif self.path == "/v1/models":
            self.send(200, {{"object": "list", "data": [{{"id": "fake", "object": "model"}}]}})
        else:
            self.send(404, {{}})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{{}}")
        if self.path == "/tokenize":
            self.send(200, {{"tokens": list(range(len(body.get("content", "").split())))}})
        else:
            (record / "request").touch()
            time.sleep(float(os.environ.get("FAKE_REPLY_DELAY", "0")))
            self.send(500, {{"error": {{"message": "fake", "type": "server_error"}}}})


print("fake llama-server listening", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

# A briefer command in miniature: registers as a user, says where the server is, holds it. It
# imports local_server without the package's __init__ (seconds of imports on a busy machine).
USER = """\
import json, sys, time, types
package = types.ModuleType("briefer")
package.__path__ = [sys.argv[3]]
sys.modules["briefer"] = package
from briefer.config import load_settings
from briefer.model.local_server import acquire

lease = acquire(load_settings(json.loads(sys.argv[1]), environ={}))
print(lease.base_url, lease.server.pid, flush=True)
time.sleep(float(sys.argv[2]))
lease.release()
"""


def processes(cache: Path, *, comm: str = "", cmdline: bytes = b"") -> set[int]:
    """Live processes started for the cache folder ``cache`` (from /proc), by name or command."""
    marker = f"XDG_CACHE_HOME={cache}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if comm and (entry / "comm").read_text().strip() != comm:
                continue
            if cmdline and cmdline not in (entry / "cmdline").read_bytes():
                continue
            stat = (entry / "stat").read_text()
            if stat[stat.rindex(")") + 2] in "ZX":
                continue
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
        except OSError:
            continue
        found.add(int(entry.name))
    return found


def servers(cache: Path) -> set[int]:
    return processes(cache, comm="llama-server")


def supervisors(cache: Path) -> set[int]:
    return processes(cache, cmdline=b"import supervise")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Fake:
    binary: Path
    record: Path
    cache: Path
    model: Path

    def settings(self, **extra: Any) -> Settings:
        return load_settings(self.flags(**extra), environ={})

    def flags(self, **extra: Any) -> dict[str, Any]:
        return {
            "local_server_binary": str(self.binary),
            "local_model_path": str(self.model),
            **extra,
        }

    def started(self) -> list[int]:
        return sorted(int(p.stem) for p in self.record.glob("*.json"))

    def argv(self, pid: int) -> list[str]:
        return list(json.loads((self.record / f"{pid}.json").read_text()))

    def user(self, hold: float, **extra: Any) -> subprocess.Popen[str]:
        package = str(Path(local_server.__file__).parents[1])
        return subprocess.Popen(
            [sys.executable, "-c", USER, json.dumps(self.flags(**extra)), str(hold), package],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def first_line(user: subprocess.Popen[str]) -> list[str]:
    """What a user process printed: the server's URL and pid."""
    assert user.stdout is not None
    return user.stdout.readline().split()


def finish(user: subprocess.Popen[str], kill: bool = False) -> str:
    """Wait for a user process (killing it first if asked); its stderr."""
    if kill:
        user.kill()
    _, stderr = user.communicate(timeout=30)
    return stderr


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    binary = tmp_path / "bin" / "llama-server"
    binary.parent.mkdir()
    binary.write_text(FAKE_SERVER.format(python=sys.executable))
    binary.chmod(0o755)
    record = tmp_path / "record"
    record.mkdir()
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setenv("FAKE_DIR", str(record))
    cache = Path(os.environ["XDG_CACHE_HOME"])
    yield Fake(binary, record, cache, model)
    for pid in servers(cache) | supervisors(cache):  # never leave a test's processes behind
        os.kill(pid, signal.SIGKILL)


def test_two_users_share_one_server_and_the_last_one_out_stops_it(fake: Fake) -> None:
    first = acquire(fake.settings())
    second = acquire(fake.settings())
    assert first.base_url == second.base_url
    assert running_server() == first.base_url
    [pid] = fake.started()
    assert servers(fake.cache) == {pid}
    assert len(json.loads(state_file().read_text())["users"]) == 2

    assert first.release() is False  # the other user still has it
    assert alive(pid)
    assert second.release() is True
    # Stopped before release returned: no waiting here.
    assert not servers(fake.cache) and not supervisors(fake.cache)
    assert not state_file().exists()
    assert running_server() is None
    assert second.release() is False  # once is enough


def test_a_server_with_other_settings_is_not_the_one_a_command_would_use(fake: Fake) -> None:
    lease = acquire(fake.settings())
    try:
        assert running_server(fake.settings()) == lease.base_url
        # Another context: the command would wait for this server's users, then replace it.
        assert running_server(fake.settings(local_context=2048)) is None
        assert running_server() == lease.base_url
    finally:
        lease.release()


def test_concurrent_commands_start_one_server(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first command holds the lock while its server starts (1 s); the others wait for it.
    monkeypatch.setenv("FAKE_START_DELAY", "1")
    users = [fake.user(hold=1.0) for _ in range(2)]
    lines = [first_line(user) for user in users]
    for user in users:
        stderr = finish(user)
        assert user.returncode == 0, stderr
    assert len(fake.started()) == 1
    assert {url for url, _ in lines} == {lines[0][0]} and lines[0][1] == str(fake.started()[0])
    assert not servers(fake.cache) and not state_file().exists()


def test_a_sigkilled_user_is_dropped_and_the_server_kept_for_the_others(fake: Fake) -> None:
    killed = fake.user(hold=60)
    url, pid = first_line(killed)
    stays = acquire(fake.settings())
    assert stays.base_url == url
    finish(killed, kill=True)

    def users() -> list[int]:
        return [u["pid"] for u in json.loads(state_file().read_text())["users"]]

    assert until(lambda: users() == [os.getpid()], 5)
    assert alive(int(pid))
    assert stays.release() is True
    assert not servers(fake.cache)


def test_a_sigkilled_last_user_leaves_no_server(fake: Fake) -> None:
    user = fake.user(hold=60)
    _, pid = first_line(user)
    finish(user, kill=True)
    assert until(lambda: not alive(int(pid)), 5), "the server outlived its only user"
    assert until(lambda: not supervisors(fake.cache), 5)
    assert not state_file().exists()


def test_a_starter_killed_while_starting_leaves_no_server(
    fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_START_DELAY", "60")
    user = fake.user(hold=60)
    assert until(lambda: bool(fake.started()), 10)
    finish(user, kill=True)
    # The lock is free, the state names no supervisor: the supervisor stops its server.
    assert until(lambda: not servers(fake.cache) and not supervisors(fake.cache), 5)
    assert not state_file().exists()


def test_other_settings_wait_for_the_users_then_replace_the_server(fake: Fake) -> None:
    first = acquire(fake.settings())
    got: list[local_server.Lease] = []
    waiter = threading.Thread(target=lambda: got.append(acquire(fake.settings(local_context=8192))))
    waiter.start()
    time.sleep(1.0)
    assert not got, "a command with another context used (or started) a server meanwhile"
    assert len(fake.started()) == 1
    first.release()
    waiter.join(timeout=15)
    [second] = got
    assert second.server.pid != first.server.pid
    assert fake.argv(second.server.pid)[fake.argv(second.server.pid).index("--ctx-size") + 1] == (
        "8192"
    )
    assert servers(fake.cache) == {second.server.pid}  # never two at once
    second.release()


def test_other_settings_are_refused_while_briefer_serve_holds_the_server(fake: Fake) -> None:
    serving = acquire(fake.settings(), serve=True)
    with pytest.raises(ConfigError, match=r"briefer serve.*context 4096"):
        acquire(fake.settings(local_context=8192))
    assert acquire(fake.settings(local_threads=1)).release() is False  # threads do not matter
    assert serving.release() is True


def test_idle_timeout_keeps_the_server_for_the_next_command(fake: Fake) -> None:
    first = acquire(fake.settings(local_idle_timeout=1.5))
    assert first.release() is False
    second = acquire(fake.settings(local_idle_timeout=1.5))
    assert second.server == first.server  # reused, not restarted
    left = time.monotonic()
    second.release()
    assert until(lambda: not alive(second.server.pid), 6)
    assert time.monotonic() - left >= 1.4
    assert not state_file().exists()


def test_a_server_ignoring_sigterm_is_killed(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_IGNORE_TERM", "1")
    monkeypatch.setattr(local_server, "STOP_TIMEOUT", 1.0)
    lease = acquire(fake.settings())
    started = time.monotonic()
    assert lease.release() is True
    assert time.monotonic() - started < 6
    assert not servers(fake.cache) and not supervisors(fake.cache)


def test_a_crashed_server_is_replaced_by_the_next_command(fake: Fake) -> None:
    first = acquire(fake.settings())
    os.kill(first.server.pid, signal.SIGKILL)
    assert until(lambda: not state_file().exists(), 5)  # its supervisor forgot it
    second = acquire(fake.settings())
    assert second.server.pid != first.server.pid
    assert first.release() is False  # not its server any more: left alone
    assert alive(second.server.pid)
    assert second.release() is True


def test_the_embedded_timeout_allows_for_queueing() -> None:
    settings = load_settings({"timeout": 60}, environ={})
    assert local_server.local_settings(settings, "http://127.0.0.1:1/v1").timeout == 3600
    settings = load_settings({"timeout": 7200}, environ={})
    assert local_server.local_settings(settings, "http://127.0.0.1:1/v1").timeout == 7200


def _cli_env(fake: Fake, tmp_path: Path, **extra: str) -> dict[str, str]:
    config = tmp_path / "config" / "briefer" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'local_server_binary = "{fake.binary}"\nlocal_model_path = "{fake.model}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


@pytest.mark.parametrize(
    ("sig", "moment"),
    [(signal.SIGTERM, "starting"), (signal.SIGINT, "request")],
    ids=["sigterm-starting", "sigint-request"],
)
def test_a_signalled_brief_stops_its_server_before_it_exits(
    fake: Fake, tmp_path: Path, sig: int, moment: str
) -> None:
    # The server never gets ready (starting), or takes a minute to answer (request).
    delay = {"starting": "FAKE_START_DELAY", "request": "FAKE_REPLY_DELAY"}[moment]
    out = tmp_path / "out"
    run = subprocess.Popen(
        [BRIEFER, "brief", str(SEED), "-o", str(out)],
        env=_cli_env(fake, tmp_path, **{delay: "60"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        marker = fake.record / "request"
        assert until(lambda: bool(fake.started()) if moment == "starting" else marker.exists(), 30)
        time.sleep(0.3)
        run.send_signal(sig)
        _, stderr = run.communicate(timeout=30)
    finally:
        run.kill()
    assert run.returncode == 128 + sig, stderr
    # At once, not eventually: the server and its supervisor were gone before briefer exited.
    assert not servers(fake.cache) and not supervisors(fake.cache)
    assert not state_file().exists()
    assert not out.exists() or not any(out.iterdir())
    assert "Traceback" not in stderr


def test_a_signal_leaves_a_shared_server_while_a_worker_thread_waits(
    fake: Fake, tmp_path: Path
) -> None:
    # A long article is read in parts by a worker thread, which keeps the process alive while it
    # waits for its answer (a minute here); the server is not stopped, another command holds it.
    other = acquire(fake.settings())
    article = tmp_path / "long.txt"
    article.write_text(
        " ".join(
            f"Officials from country {i} met in the capital on Monday to discuss trade."
            for i in range(500)
        )
        + "\n"
    )
    run = subprocess.Popen(
        [BRIEFER, "brief", str(article), "-o", str(tmp_path / "out")],
        env=_cli_env(fake, tmp_path, FAKE_REPLY_DELAY="60"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert until(lambda: (fake.record / "request").exists(), 30)
        signalled = time.monotonic()
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=30)
    finally:
        run.kill()
    assert run.returncode == 143, stderr
    assert time.monotonic() - signalled < local_server.EXIT_GRACE + 5
    users = json.loads(state_file().read_text())["users"]
    assert [u["pid"] for u in users] == [os.getpid()]  # it unregistered
    assert other.release() is True


FINALIZER = """\
import sys, time, types
package = types.ModuleType("briefer")
package.__path__ = [sys.argv[1]]
sys.modules["briefer"] = package
from briefer.model.local_server import exit_on_signals


class Slow:
    def __del__(self):
        print("finalizing", flush=True)
        time.sleep(0.5)  # where the signal lands


exit_on_signals()
while True:
    Slow()
    time.sleep(0.5)  # other work
"""


def test_a_signal_during_a_finalizer_is_not_lost() -> None:
    # Python ignores exceptions raised in __del__; WeasyPrint's fonts are finalized while a PDF
    # is rendered, so a Ctrl-C there used to be lost (and the brief written).
    package = str(Path(local_server.__file__).parents[1])
    run = subprocess.Popen(
        [sys.executable, "-c", FINALIZER, package],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == "finalizing\n"
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=10)
    finally:
        run.kill()
    assert run.returncode == 143
    assert "Exception ignored" not in stderr


def test_serve_shares_the_server_and_stops_it_on_ctrl_c(fake: Fake, tmp_path: Path) -> None:
    serve = subprocess.Popen(
        [BRIEFER, "serve"],
        env=_cli_env(fake, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert until(lambda: running_server() is not None, 30), "briefer serve did not come up"
        lease = acquire(fake.settings())  # a command joins it
        assert lease.base_url == running_server()
        assert lease.release() is False  # serve still holds it
        serve.send_signal(signal.SIGINT)
        _, stderr = serve.communicate(timeout=30)
    finally:
        serve.kill()
    assert serve.returncode == 0
    assert "server stopped" in stderr
    assert not servers(fake.cache) and not state_file().exists()


# --- the real server (slow) ---------------------------------------------------------------------

SHORT = (
    "The State Department said on Tuesday that talks with Norway on fisheries will resume in "
    "Oslo on 4 March. Officials from both countries met for two days. The US delegation was led "
    "by Assistant Secretary Jane Doe, who called the talks useful. Norway said it wants an "
    "agreement by June.\n"
)

# briefer with its PDF renderer wrapped: it says when rendering starts, and takes 2 s more
# after it, so that a signal sent at the mark lands while the PDF is being made.
PDF_MARK = """\
import sys, time
from pathlib import Path
import briefer.render.pdf

mark = Path(sys.argv.pop(1))
original = briefer.render.pdf.render_pdf

def render_pdf(*args, **kwargs):
    mark.touch()
    result = original(*args, **kwargs)
    time.sleep(2)
    return result

briefer.render.pdf.render_pdf = render_pdf
from briefer.cli.main import main
sys.argv[0] = "briefer"
main()
"""


@dataclass
class Run:
    process: subprocess.Popen[bytes]
    started: float
    terminal: int | None  # pty master: progress is shown (and streamed) only on a terminal
    seen: bytearray

    def output(self) -> bytes:
        if self.terminal is not None:
            while select.select([self.terminal], [], [], 0)[0]:
                try:
                    chunk = os.read(self.terminal, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk
        return bytes(self.seen)

    def finish(self, timeout: float) -> str:
        """Wait for it to exit (killing it after ``timeout``); what it wrote on stderr."""
        try:
            _, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        text = (stderr or b"").decode(errors="replace") + self.output().decode(errors="replace")
        if self.terminal is not None:
            os.close(self.terminal)
            self.terminal = None
        return text


def _launch(
    args: list[str],
    cache: Path,
    tmp_path: Path,
    *,
    terminal: bool = False,
    mark: Path | None = None,
) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    env.update(XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(tmp_path / "config"))
    command = [sys.executable, "-c", PDF_MARK, str(mark)] if mark else [BRIEFER]
    master = slave = None
    if terminal:
        master, slave = pty.openpty()
        env.update(TERM="xterm", COLUMNS="120")
    process = subprocess.Popen(
        [*command, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave if slave is not None else subprocess.PIPE,
    )
    if slave is not None:
        os.close(slave)
    return Run(process, time.monotonic(), master, bytearray())


def _wait_for_moment(run: Run, moment: str, mark: Path) -> None:
    if moment.endswith("s"):
        time.sleep(max(0.0, run.started + float(moment[:-1]) - time.monotonic()))
    elif moment == "generation":
        assert until(lambda: b"Writing:" in run.output(), 600), run.output()[-500:]
    else:
        assert until(mark.exists, 600), "rendering never started"


MOMENTS = ["1s", "3s", "8s", "generation", "pdf"]


@pytest.mark.slow
@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_signal_leaves_no_server_and_no_files(
    embedded_cache: Path, tmp_path: Path, sig: int, moment: str
) -> None:
    article = tmp_path / "short.txt"
    article.write_text(SHORT)
    source = SEED if moment.endswith("s") else article  # waits for generation: a short text
    out, mark = tmp_path / "out", tmp_path / "rendering"
    run = _launch(
        ["brief", str(source), "-o", str(out)],
        embedded_cache,
        tmp_path,
        terminal=moment == "generation",
        mark=mark if moment == "pdf" else None,
    )
    try:
        _wait_for_moment(run, moment, mark)
        ever = servers(embedded_cache)
        run.process.send_signal(sig)
    finally:
        stderr = run.finish(timeout=60)
    left = servers(embedded_cache)
    print(f"{moment}: exit {run.process.returncode}, {len(ever)} server(s) when signalled")
    # A signal in the first ~second can land before briefer's handlers exist (Python is still
    # importing); then it dies of it (-n here, 128 + n in a shell), before starting anything.
    assert run.process.returncode == 128 + sig or (
        run.process.returncode == -sig and not ever and moment == "1s"
    ), stderr[-2000:]
    assert not left, "a llama-server outlived briefer"
    assert not supervisors(embedded_cache)
    assert not state_file(embedded_cache / "briefer").exists()
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_sigkilled_brief_leaves_no_server(embedded_cache: Path, tmp_path: Path) -> None:
    run = _launch(["brief", str(SEED), "-o", str(tmp_path / "out")], embedded_cache, tmp_path)
    assert until(lambda: bool(servers(embedded_cache)), 120)
    time.sleep(1)
    run.process.kill()
    run.finish(timeout=30)
    # Its supervisor notices the dead user within a second and stops the server.
    assert until(lambda: not servers(embedded_cache), 15), "the server outlived a SIGKILL'd run"
    assert until(lambda: not supervisors(embedded_cache), 5)


@pytest.mark.slow
def test_two_briefs_at_once_share_one_server(embedded_cache: Path, tmp_path: Path) -> None:
    runs = [
        _launch(["brief", str(SEED), "-o", str(tmp_path / f"out{i}")], embedded_cache, tmp_path)
        for i in (1, 2)
    ]
    most, ever = 0, set[int]()
    while any(r.process.poll() is None for r in runs):
        now = servers(embedded_cache)
        most, ever = max(most, len(now)), ever | now
        time.sleep(0.1)
    for run in runs:
        stderr = run.finish(timeout=30)
        assert run.process.returncode == 0, stderr[-2000:]
    print(f"llama-servers: at most {most} at a time, {len(ever)} in all")
    assert most == 1 and len(ever) == 1
    for i in (1, 2):
        assert sorted(p.name for p in (tmp_path / f"out{i}").iterdir()) == [
            f"{SEED.stem}.{e}" for e in ("json", "md", "pdf")
        ]
    assert not servers(embedded_cache)


@pytest.mark.slow
def test_serve_is_shared_then_stopped(embedded_cache: Path, tmp_path: Path) -> None:
    serve = _launch(["serve"], embedded_cache, tmp_path)
    state = state_file(embedded_cache / "briefer")
    try:
        assert until(state.exists, 120), "briefer serve did not come up"
        serving = servers(embedded_cache)
        article = tmp_path / "short.txt"
        article.write_text(SHORT)
        run = _launch(
            ["brief", str(article), "-o", str(tmp_path / "out"), "-f", "json"],
            embedded_cache,
            tmp_path,
        )
        stderr = run.finish(timeout=600)
        assert run.process.returncode == 0, stderr[-2000:]
        assert servers(embedded_cache) == serving  # shared, none started
        brief = json.loads((tmp_path / "out" / "short.json").read_text())
        assert brief["meta"]["endpoint"] == json.loads(state.read_text())["base_url"]
    finally:
        serve.process.send_signal(signal.SIGINT)
        serve.finish(timeout=30)
    assert serve.process.returncode == 0
    assert not servers(embedded_cache)
    assert not state.exists()
