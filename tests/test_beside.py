"""A job run in a forked process beside this one: its result, its errors, a child that dies,
a result no longer wanted, and where it runs here instead."""

from __future__ import annotations

import os
import threading

import pytest

from briefer.errors import RenderError
from briefer.render import beside
from briefer.render.beside import Beside

pytestmark = pytest.mark.skipif(not beside.can_fork(), reason="needs fork and two CPUs")


def test_the_job_runs_in_another_process_and_its_result_comes_back() -> None:
    job = Beside(lambda: (os.getpid(), b"x" * 5_000_000))
    assert job.forked
    pid, data = job.result()
    assert pid != os.getpid() and len(data) == 5_000_000


def test_an_error_in_the_child_is_a_render_error_here() -> None:
    def fails() -> None:
        raise ValueError("no such page")

    with pytest.raises(RenderError, match="ValueError: no such page"):
        Beside(fails).result()


def test_a_child_that_dies_without_an_answer_leaves_the_job_to_this_process() -> None:
    parent = os.getpid()

    def dies_in_the_child() -> int:
        if os.getpid() != parent:
            os._exit(9)
        return 42

    job = Beside(dies_in_the_child)
    assert job.forked and job.result() == 42


def test_a_cancelled_job_stops_and_never_runs_here() -> None:
    job = Beside(lambda: threading.Event().wait(60))
    job.cancel()
    with pytest.raises(RuntimeError, match="cancelled"):
        job.result()


def test_with_other_threads_running_it_does_not_fork() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        job = Beside(os.getpid)
        assert not job.forked and job.result() == os.getpid()
    finally:
        stop.set()
        thread.join()


def test_a_thread_that_only_waits_on_a_child_process_does_not_stop_a_fork() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name=f"{beside.FORK_SAFE}waits")
    thread.start()
    try:
        job = Beside(os.getpid)
        assert job.forked and job.result() != os.getpid()
    finally:
        stop.set()
        thread.join()
