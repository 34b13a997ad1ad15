"""Run one job in a forked process while this one does another (layout is CPU-bound Python,
so threads would not help; a fork starts in milliseconds with everything already imported).

Where forking is unsafe or useless — no ``fork`` start method, other threads running (a
forked child inherits their locks but not the threads: it could hang; threads named
``FORK_SAFE`` excepted), or one CPU — the job runs in this process when its result is asked
for. A child that dies without an answer is
not an error either: the job is run here.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from briefer.errors import BrieferError, RenderError

T = TypeVar("T")


#: A thread named with this prefix only ever blocks in a system call (waiting on a child
#: process) and holds no lock a forked child could need: it does not stop a fork.
FORK_SAFE = "fork-safe: "


def can_fork() -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if any(not t.name.startswith(FORK_SAFE) for t in others):
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) > 1


def _child(job: Callable[[], Any], conn: Connection) -> None:
    try:
        result: tuple[str, Any] = ("ok", job())
    except BrieferError as exc:
        result = ("error", (exc.message, exc.hint))
    except Exception as exc:  # reported to the parent, which raises it as a RenderError
        result = ("error", (f"{type(exc).__name__}: {exc}", None))
    conn.send(result)
    conn.close()


def _not_wanted() -> Any:
    raise RuntimeError("the job was cancelled")


class Beside(Generic[T]):
    """``job`` started now in a child process; ``result()`` waits for it."""

    def __init__(self, job: Callable[[], T]) -> None:
        self._job = job
        self._process: Any = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._conn, child_conn = context.Pipe(duplex=False)
            self._process = context.Process(target=_child, args=(job, child_conn), daemon=True)
            self._process.start()
            child_conn.close()  # the parent keeps only its end: EOF if the child dies

    @property
    def forked(self) -> bool:
        return self._process is not None

    def cancel(self) -> None:
        """The result is not wanted: stop the child (or never run the job here)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()
            self._process = None
        self._job = _not_wanted

    def result(self) -> T:
        if self._process is None:
            return self._job()
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError):  # the child died without an answer: do it here
            status, value = "lost", None
        finally:
            self._conn.close()
            self._process.join()
        if status == "ok":
            return value  # type: ignore[no-any-return]
        if status == "error":
            message, hint = value
            raise RenderError(message, hint=hint or "check the template")
        return self._job()
