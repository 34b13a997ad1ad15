"""The embedded model's speed, learnt from real runs, and ``--dry-run``'s time from it.

The CLI runs against a stand-in for ``llama-server`` that answers the seed's brief and reports
llama.cpp's ``timings`` (4 s reading the prompt, 6 s writing the answer), as the real server
does in its last streamed chunk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefer.cli.main import main
from briefer.config import load_settings
from briefer.model.llm import ChatModel
from briefer.model.speed import (
    Sample,
    Speed,
    Timings,
    remember,
    speed_file,
    speed_key,
    stored_speed,
)
from briefer.models import Usage

from .conftest import SEED, filed_answer
from .scripted_server import Reply, ScriptedServer, completion
from .test_lifecycle import servers, supervisors

BRIEFER = str(Path(sys.executable).with_name("briefer"))
PROMPT_TOKENS, COMPLETION_TOKENS = 1000, 300
PROMPT_MS, PREDICTED_MS = 4000.0, 6000.0

FAKE_LLAMA = """\
#!{python}
# A stand-in for llama-server: /health after FAKE_START_DELAY, /v1/models, /tokenize, and a
# streamed /v1/chat/completions that answers ANSWER with llama.cpp's timings in its last chunk.
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
ready_at = time.monotonic() + float(os.environ.get("FAKE_START_DELAY", "0"))
ANSWER = {answer!r}
TIMINGS = {{"prompt_n": {prompt}, "prompt_ms": {prompt_ms}, "predicted_n": {completion},
           "predicted_ms": {predicted_ms}}}
USAGE = {{"prompt_tokens": {prompt}, "completion_tokens": {completion},
          "total_tokens": {prompt} + {completion}}}


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
            return
        base = {{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake"}}
        if not body.get("stream"):
            message = {{"role": "assistant", "content": ANSWER}}
            self.send(200, {{**base, "object": "chat.completion", "usage": USAGE,
                            "timings": TIMINGS, "choices": [{{"index": 0, "message": message,
                            "finish_reason": "stop"}}]}})
            return
        events = [
            {{**base, "choices": [{{"index": 0, "delta": {{"content": ANSWER}},
                                  "finish_reason": None}}]}},
            {{**base, "choices": [{{"index": 0, "delta": {{}}, "finish_reason": "stop"}}],
             "timings": TIMINGS}},
            {{**base, "choices": [], "usage": USAGE}},
        ]
        data = b"".join(b"data: " + json.dumps(e).encode() + b"\\n\\n" for e in events)
        data += b"data: [DONE]\\n\\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@pytest.fixture
def llama(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a briefer command whose embedded model is the stand-in."""
    binary = tmp_path / "bin" / "llama-server"
    binary.parent.mkdir()
    binary.write_text(
        FAKE_LLAMA.format(
            python=sys.executable,
            answer=json.dumps(filed_answer(SEED)),
            prompt=PROMPT_TOKENS,
            completion=COMPLETION_TOKENS,
            prompt_ms=PROMPT_MS,
            predicted_ms=PREDICTED_MS,
        )
    )
    binary.chmod(0o755)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    config = tmp_path / "config" / "briefer" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'local_server_binary = "{binary}"\nlocal_model_path = "{model}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), FAKE_START_DELAY="1", COLUMNS="200")
    yield env
    cache = Path(os.environ["XDG_CACHE_HOME"])
    for pid in servers(cache) | supervisors(cache):  # never leave a test's processes behind
        os.kill(pid, signal.SIGKILL)


def briefer(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRIEFER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(speed_file().read_text())
    return data


def table(stdout: str) -> list[list[str]]:
    """The dry run's table rows, cell by cell (thousands separators dropped)."""
    return [
        [cell.strip().replace(",", "") for cell in line.split("│")[1:-1]]
        for line in stdout.splitlines()
        if "│" in line
    ]


def test_a_run_on_the_embedded_model_keeps_its_speed_and_the_dry_run_tells_the_time(
    llama: dict[str, str], tmp_path: Path
) -> None:
    dry = briefer(llama, "brief", str(SEED), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "known once a brief has run on the embedded model" in dry.stdout
    assert "est. seconds" not in dry.stdout
    assert not speed_file().exists()

    run = briefer(llama, "brief", str(SEED), "-o", str(tmp_path / "out"), "-f", "md")
    assert run.returncode == 0, run.stderr
    speed = stored()
    *_, tokens_in, tokens_out, _cost = table(dry.stdout)[-2][:6]
    # Seconds per token of the plan's estimate: the stand-in's 4 s and 6 s over the dry run's
    # own estimates, whatever the server counted.
    assert speed["prompt_seconds"] == pytest.approx(PROMPT_MS / 1000 / int(tokens_in))
    assert speed["completion_seconds"] == pytest.approx(PREDICTED_MS / 1000 / int(tokens_out))
    assert speed["start_seconds"] >= 1.0  # the stand-in is not ready for its first second
    assert speed["fixed_seconds"] > 0
    assert speed["next_input_seconds"] is None  # one input: no later one measured
    assert speed["key"]["pdf"] == "no" and speed["runs"] == 1

    dry = briefer(llama, "brief", str(SEED), "--dry-run", "-f", "md")
    assert dry.returncode == 0, dry.stderr
    assert "est. seconds" in dry.stdout
    row, total = table(dry.stdout)[-2:]
    own = 4.0 + 6.0 + speed["first_input_seconds"]  # the model's 10 s and the rest
    assert row[6] == f"{own:.0f}", dry.stdout
    whole = speed["start_seconds"] + speed["fixed_seconds"] + own
    assert total[6] == f"{whole:.0f}", dry.stdout
    assert "over 1 embedded run(s)" in dry.stdout
    assert "s to start the model" in dry.stdout  # no server runs now
    # A run with PDFs is another speed, not yet measured.
    assert "known once" in briefer(llama, "brief", str(SEED), "--dry-run").stdout

    # Two inputs: the second one's time outside the model is measured too.
    two = briefer(llama, "brief", str(SEED), str(SEED), "-o", str(tmp_path / "o2"), "-f", "md")
    assert two.returncode == 0, two.stderr
    again = stored()
    assert again["runs"] == 2 and again["next_input_seconds"] is not None
    assert again["prompt_seconds"] == pytest.approx(speed["prompt_seconds"])


def test_a_run_with_a_failed_input_keeps_no_speed(llama: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    run = briefer(llama, "brief", str(SEED), str(empty), "-o", str(tmp_path / "out"), "-f", "md")
    assert run.returncode == 14, run.stderr  # the seed was briefed, with the server's timings
    assert (tmp_path / "out" / "000_df112d5052861120.md").exists()
    assert not speed_file().exists()


def test_timings_are_summed_and_other_servers_answers_are_ignored() -> None:
    timings = Timings()
    timings.add({"prompt_ms": 1000.0, "predicted_ms": 2000.0}, 100, 40)
    timings.add({"prompt_ms": "500", "predicted_ms": 500}, 50, 10)
    junks: list[object] = [None, [], {"prompt_ms": 1.0}, {"prompt_ms": "x", "predicted_ms": 1.0}]
    for junk in junks:
        timings.add(junk, 999, 999)
    assert (timings.calls, timings.prompt_tokens, timings.completion_tokens) == (2, 150, 50)
    assert timings.seconds == pytest.approx(4.0)


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_the_server_s_timings_are_read_from_its_answers(
    server: ScriptedServer, streamed: bool
) -> None:
    body = completion('{"a": 1}', prompt_tokens=120, completion_tokens=30)
    server.add(Reply(body={**body, "timings": {"prompt_ms": 1500.0, "predicted_ms": 900.0}}))
    server.add_content('{"a": 1}')  # another server's answer: no timings
    model = ChatModel(load_settings({"base_url": server.base_url, "max_retries": 0}, environ={}))
    steps: list[str] = []
    for _ in range(2):
        model.complete_json(
            [{"role": "user", "content": "hi"}],
            {"type": "object"},
            name="A",
            max_tokens=50,
            usage=Usage(),
            progress=steps.append if streamed else None,
        )
    assert bool(steps) is streamed
    timings = model.timings
    assert (timings.calls, timings.prompt_tokens, timings.completion_tokens) == (1, 120, 30)
    assert timings.seconds == pytest.approx(2.4)


def _speed(**values: Any) -> Speed:
    base: dict[str, Any] = {
        "prompt_seconds": 0.01,
        "completion_seconds": 0.05,
        "start_seconds": 3.0,
        "fixed_seconds": 2.0,
        "first_input_seconds": 1.5,
        "next_input_seconds": 1.0,
    }
    key = values.pop("key", speed_key(load_settings({}, environ={}), pdf=True))
    return Speed.of(key, [Sample(**{**base, **values})], 1)


def test_the_prediction_adds_the_start_only_when_no_server_runs() -> None:
    speed = _speed()
    # Each input: 1,000 × 0.01 + 200 × 0.05 = 20 s of model, and 1.5 s (first) or 1 s (later).
    each, total = speed.predict([(1000, 200), (1000, 200)], start=False)
    assert each == pytest.approx([21.5, 21.0])
    assert total == pytest.approx(44.5)  # + 2 s fixed
    assert speed.predict([(1000, 200)], start=True)[1] == pytest.approx(26.5)  # + 3 s start
    # Until a run of several inputs, a later input is taken to cost what the first did.
    assert _speed(next_input_seconds=None).predict([(0, 0)] * 3, start=False)[1] == 6.5


def test_runs_combine_by_their_median_and_other_settings_start_afresh() -> None:
    settings = load_settings({}, environ={})
    remember(_speed())
    merged = remember(_speed(prompt_seconds=0.03, start_seconds=None, next_input_seconds=None))
    assert merged.runs == 2
    assert merged.prompt_seconds == pytest.approx(0.02)
    assert merged.start_seconds == pytest.approx(3.0)  # this run found a server running
    assert merged.next_input_seconds == pytest.approx(1.0)
    assert stored_speed(settings, pdf=True) == merged
    assert stored_speed(settings, pdf=False) is None  # PDFs take their own seconds
    # Other threads make another speed: not used, and replaced by the next run's.
    other = load_settings({"local_threads": 64}, environ={})
    assert stored_speed(other, pdf=True) is None
    fresh = remember(_speed(key=speed_key(other, pdf=True)))
    assert fresh.runs == 1
    assert stored_speed(settings, pdf=True) is None


def test_one_slow_run_does_not_move_the_speed_and_only_the_last_five_count() -> None:
    for prompt in (0.01, 0.011, 0.05):  # the third run on a busy machine
        speed = remember(_speed(prompt_seconds=prompt))
    assert speed.prompt_seconds == pytest.approx(0.011)
    for _ in range(5):
        speed = remember(_speed(prompt_seconds=0.02))
    assert speed.runs == 8 and len(speed.recent) == 5
    assert speed.prompt_seconds == pytest.approx(0.02)


def test_a_stored_speed_that_makes_no_sense_is_not_used() -> None:
    settings = load_settings({}, environ={})
    remember(_speed())
    data = json.loads(speed_file().read_text())
    speed_file().write_text(json.dumps({**data, "completion_seconds": 0}))
    assert stored_speed(settings, pdf=True) is None  # read as never measured, no division by 0


def test_the_morning_dry_run_tells_the_time_on_the_embedded_model(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(SEED.read_text())
    args = ["morning", "--source", str(folder), "-o", str(tmp_path / "out"), "--dry-run"]
    runner = CliRunner(env={"COLUMNS": "200"})  # one line per row
    first = runner.invoke(main, [*args, "-f", "md"])
    assert first.exit_code == 0, first.output
    assert "time:" not in first.output  # nothing measured yet
    speed = remember(_speed(key=speed_key(load_settings({}, environ={}), pdf=False)))
    dry = runner.invoke(main, [*args, "-f", "md"])
    assert dry.exit_code == 0, dry.output
    row = table(dry.stdout)[-2]
    tokens = (int(row[4]), int(row[5]))
    [line] = [line for line in dry.output.splitlines() if line.startswith("time:")]
    # No server runs: its start, the fixed seconds, and the one item as one input.
    assert f"about {speed.predict([tokens], start=True)[1]:.0f} s" in line
    assert "over 1 `briefer brief` run(s)" in line
    assert not (tmp_path / "out").exists()
