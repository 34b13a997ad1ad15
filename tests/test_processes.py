"""``--processes``: the CPU work of several inputs in worker processes (``briefer.stages``), the
model calls in the main process; the same files as one process, errors kept whole across the
process boundary, a dead worker an error and never a hang."""

from __future__ import annotations

import os
import pickle
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefer import errors
from briefer.cli.main import main
from briefer.config import load_settings
from briefer.errors import BrieferError, BudgetError, InternalError, UnsupportedStatementsError
from briefer.stages import ProcessStages, Tools

from .fleet_server import FleetServer, synthetic_article


@pytest.fixture
def server() -> Iterator[FleetServer]:
    fleet_server = FleetServer(latency=0.01).start()
    yield fleet_server
    fleet_server.stop()


def _every_error_class() -> list[type[BrieferError]]:
    found: list[type[BrieferError]] = []
    pending: list[type[BrieferError]] = [BrieferError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_pickles_with_its_message_hint_and_attributes() -> None:
    classes = _every_error_class()
    assert {errors.InputEmptyError, errors.RateLimitError, errors.DeliveryError} <= set(classes)
    for cls in classes:
        error = cls("what went wrong", hint="what to do")
        error.extra = [1, 2]  # type: ignore[attr-defined]
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is cls
        assert (copy.message, copy.hint, copy.exit_code) == (
            "what went wrong",
            "what to do",
            cls.exit_code,
        )
        assert str(copy) == str(error) and copy.args == error.args
        assert copy.extra == [1, 2]  # type: ignore[attr-defined]
    made = [
        UnsupportedStatementsError.listing("a.md", []),
        InternalError.wrapping("a.md", ValueError("bad")),
        BrieferError("no hint"),
    ]
    for error in made:
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy), copy.hint) == (type(error), str(error), error.hint)


# Stage functions run in a worker: module-level, so a spawned worker imports them by name.


def _raise_budget(tools: Tools, limit: int) -> None:
    raise BudgetError(f"over --max-tokens {limit}", hint="raise --max-tokens")


def _pid(tools: Tools) -> int:
    assert tools.settings.api_key is None  # the workers are given no key
    return os.getpid()


def _die(tools: Tools) -> None:
    os._exit(3)


def _die_once(tools: Tools, marker: str) -> int:
    """Kills its worker the first time (a worker killed from outside), then works."""
    if not Path(marker).exists():
        Path(marker).touch()
        os._exit(3)
    return os.getpid()


def _slow_pid(tools: Tools, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_an_error_crosses_the_process_boundary_with_its_hint_and_exit_code() -> None:
    settings = load_settings({"api_key": "sk-secret"}, environ={})
    with ProcessStages(settings, 2) as stages:
        with pytest.raises(BudgetError) as caught:
            stages.run(_raise_budget, 100)
        assert caught.value.hint == "raise --max-tokens"
        assert caught.value.exit_code == 17 and str(caught.value).startswith(
            "over --max-tokens 100"
        )
        assert stages.run(_pid) != os.getpid()


def test_a_dead_worker_fails_its_stage_and_the_next_stages_go_on() -> None:
    with ProcessStages(load_settings({}, environ={}), 2) as stages:
        with pytest.raises(InternalError) as caught:
            stages.run(_die)  # it kills its worker again when tried on the new pool
        assert "worker process died during _die" in str(caught.value)
        assert "--processes 1" in (caught.value.hint or "")
        assert stages.run(_pid) != os.getpid()  # a new pool took the broken one's place


def test_stages_in_flight_when_a_worker_dies_are_tried_again(tmp_path: Path) -> None:
    with ProcessStages(load_settings({}, environ={}), 2) as stages:
        stages.run(_pid)  # the workers are up
        with ThreadPoolExecutor(1) as thread:
            slow = thread.submit(stages.run, _slow_pid, 1.0)
            time.sleep(0.3)  # running in one worker while the other dies
            assert stages.run(_die_once, str(tmp_path / "died")) != os.getpid()
            assert slow.result(timeout=60) != os.getpid()  # broken with the pool, tried again
    with pytest.raises(InternalError, match="closed worker pool"):
        stages.run(_pid)


def _brief(tmp_path: Path, server: FleetServer, files: list[str], *options: str) -> Path:
    out = tmp_path / f"out{'-'.join(options)}"
    config = tmp_path / "small.toml"
    config.write_text("context_window = 1500\n")  # every fifth input read in parts
    args = [
        *("brief", *files, "--base-url", server.base_url, "--model", "gpt-4o"),
        *("--config", str(config), "--retries", "0", "--concurrency", "4"),
        *("-f", "md,json", "-o", str(out), *options),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 14, result.output  # some, not all, inputs failed
    assert result.output.count("no sentences with content found") == 1
    assert result.output.count("missing.md: no such file") == 1
    return out


def _without_meta(text: str) -> str:
    """A brief's file without what differs between runs: the time, the model's seconds."""
    text = re.sub(r'"created": ?"[^"]*"', "", text)
    return re.sub(r'"model_seconds": ?[0-9.e-]+', "", text)


def test_worker_processes_write_the_same_files_and_a_failing_input_costs_only_itself(
    server: FleetServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for i in range(6):
        path = tmp_path / f"a{i}.md"
        path.write_text(synthetic_article(300 + i, 12 if i % 5 == 0 else 3))
        files.append(str(path))
    (tmp_path / "empty.md").write_text("Photo: AP\n")  # fails in a worker: no content
    files[3:3] = [str(tmp_path / "empty.md"), str(tmp_path / "missing.md")]
    ran: list[str] = []
    run = ProcessStages.run

    def counted(self: ProcessStages, stage: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(stage.__name__)
        return run(self, stage, *args, **kwargs)

    monkeypatch.setattr(ProcessStages, "run", counted)
    one = _brief(tmp_path, server, files, "--processes", "1")
    assert ran == []
    two = _brief(tmp_path, server, files, "--processes", "2")
    # Every input's stages ran in the workers: prepare, finish and render for each of the 7
    # inputs that load (the empty one stops at prepare).
    assert {"prepare", "finish", "render"} <= set(ran) and ran.count("prepare") == 7
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert len(names) == 12  # six briefs, md and json
    chunks = [int(c) for n in names for c in re.findall(r'"chunks": ?(\d+)', (one / n).read_text())]
    assert max(chunks) >= 2  # a long input read in parts, its parts' calls in this process
    for name in names:
        assert _without_meta((one / name).read_text()) == _without_meta((two / name).read_text())
