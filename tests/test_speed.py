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

from briefer.config import load_settings
from briefer.model.speed import Speed, Timings, remember, speed_file, speed_key, stored_speed

from .conftest import SEED, filed_answer
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
    assert speed["prompt_per_s"] == pytest.approx(PROMPT_TOKENS / (PROMPT_MS / 1000))
    assert speed["completion_per_s"] == pytest.approx(COMPLETION_TOKENS / (PREDICTED_MS / 1000))
    assert speed["start_seconds"] >= 1.0  # the stand-in is not ready for its first second
    assert speed["fixed_seconds"] > 0
    assert speed["runs"] == 1

    dry = briefer(llama, "brief", str(SEED), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "est. seconds" in dry.stdout
    # The row's estimated tokens at the stored rates; the total adds the start and fixed costs.
    rows = [
        [cell.strip().replace(",", "") for cell in line.split("│")[1:-1]]
        for line in dry.stdout.splitlines()
        if "│" in line
    ]
    row, total = rows[-2], rows[-1]
    tokens_in, tokens_out, seconds = int(row[3]), int(row[4]), row[6]
    per_input = speed["per_input_seconds"] + tokens_in / 250 + tokens_out / 50
    assert seconds == f"{per_input:.0f}", dry.stdout
    whole = speed["start_seconds"] + speed["fixed_seconds"] + per_input
    assert total[6] == f"{whole:.0f}", dry.stdout
    assert "over 1 embedded run(s), 250 prompt and 50.0 answer tokens/s" in dry.stdout
    # No server runs now, so the total includes starting one.
    assert "s of it to start the model" in dry.stdout

    again = briefer(llama, "brief", str(SEED), "-o", str(tmp_path / "out"), "-f", "md")
    assert again.returncode == 0, again.stderr
    assert stored()["runs"] == 2


def test_a_failed_run_keeps_no_speed(llama: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    run = briefer(llama, "brief", str(empty), "-o", str(tmp_path / "out"))
    assert run.returncode == 4, run.stderr
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


def _speed(**values: Any) -> Speed:
    base: dict[str, Any] = {
        "key": speed_key(load_settings({}, environ={})),
        "prompt_per_s": 100.0,
        "completion_per_s": 20.0,
        "start_seconds": 3.0,
        "fixed_seconds": 2.0,
        "per_input_seconds": 1.0,
    }
    return Speed(**{**base, **values})


def test_the_prediction_adds_the_start_only_when_no_server_runs() -> None:
    speed = _speed()
    # 2 fixed + 2 × 1 per input + 1,000 / 100 + 200 / 20
    assert speed.predict(1000, 200, inputs=2, start=False) == pytest.approx(24.0)
    assert speed.predict(1000, 200, inputs=2, start=True) == pytest.approx(27.0)
    assert speed.input_seconds(1000, 200) == pytest.approx(21.0)


def test_runs_blend_half_and_half_and_other_settings_start_afresh() -> None:
    settings = load_settings({}, environ={})
    remember(_speed())
    merged = remember(_speed(prompt_per_s=200.0, start_seconds=None))
    assert merged.runs == 2
    assert merged.prompt_per_s == pytest.approx(150.0)
    assert merged.start_seconds == pytest.approx(3.0)  # this run found a server running
    assert stored_speed(settings) == merged
    # Other threads make another speed: not used, and replaced by the next run's.
    other = load_settings({"local_threads": 64}, environ={})
    assert stored_speed(other) is None
    fresh = remember(_speed(key=speed_key(other)))
    assert fresh.runs == 1
    assert stored_speed(settings) is None
