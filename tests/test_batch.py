"""``--batch``: briefing through the OpenAI Files and Batch API, against a local fake of it
(tests/batch_server.py) and the real ``openai`` client: rounds, the JSONL, stored ids and
resuming after a restart, partial failures retried once, expired and cancelled batches, the
dry run, and ``briefer morning --batch``."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefer.batching import estimate_batches
from briefer.brief.planning import Plan
from briefer.cli.main import main
from briefer.config import load_settings
from briefer.errors import BatchJobError
from briefer.model.batch import read_results
from briefer.morning.state import SCHEMA_VERSION, State, default_state_path
from briefer.pipeline import Briefer

from .batch_server import SEED, BatchServer, Script, brief_batch, two_articles
from .test_long_input import long_article

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[BatchServer]:
    srv = BatchServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two short articles (one request each) in a folder, with a README that is no article."""
    path = two_articles(tmp_path / "in")
    (path / "README.md").write_text("Not an article.\n")
    return path


def brief(fake: BatchServer, tmp_path: Path, *args: str, config: str = "") -> Result:
    return brief_batch(fake, tmp_path, *args, config=config, formats="md,json")


def posts(fake: BatchServer) -> int:
    return sum(1 for method, _ in fake.requests if method == "POST")


def stored(status: str | None = None) -> list[tuple[str, str, int]]:
    db = sqlite3.connect(default_state_path())
    rows = db.execute("SELECT id, status, round FROM batches ORDER BY rowid").fetchall()
    return [r for r in rows if status is None or r[1] == status]


# -- the rounds, the JSONL, a rerun ----------------------------------------------------------


def test_parts_then_headlines_as_two_batches_and_a_rerun_asks_nothing(
    fake: BatchServer, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text(long_article())
    (tmp_path / "in" / "short.txt").write_text(SEED.read_text())
    result = brief(fake, tmp_path, str(tmp_path / "in"), config="context_window = 1200\n")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["long.json", "long.md", "short.json",
                                                     "short.md"]  # fmt: skip
    first, second = fake.created
    lines = [json.loads(line) for line in fake.uploads[0].splitlines()]
    # The JSONL: custom_id is the answer cache's key; the body is the chat request itself.
    for line in lines:
        assert re.fullmatch(r"[0-9a-f]{64}", line["custom_id"])
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        body = line["body"]
        assert body["model"] == "scripted-model" and body["temperature"] == 0.0
        assert body["max_tokens"] > 0 and body["messages"][0]["role"] == "system"
        assert body["response_format"]["type"] == "json_schema"
    assert len({line["custom_id"] for line in lines}) == len(lines)
    # Round 1: every part of both articles at once (no title asked); round 2: each article's
    # headline, written from its parts' answers.
    names = [line["body"]["response_format"]["json_schema"]["name"] for line in lines]
    assert set(names) == {"FiledPart"} and len(names) >= 4
    assert "title" not in json.dumps(lines[0]["body"]["response_format"])
    assert [len(first.lines), len(second.lines)] == [len(lines), 2]
    assert {line["body"]["response_format"]["json_schema"]["name"] for line in second.lines} == {
        "Headline"
    }
    assert fake.chat_requests == []  # nothing sent one by one
    assert [s for _, s, _ in stored()] == ["collected", "collected"]
    # Once collected, the batches' files are deleted: the account keeps nothing of the run.
    assert fake.files == {}
    assert sum(1 for method, _ in fake.requests if method == "DELETE") >= 4
    brief_json = json.loads((out / "long.json").read_text())
    assert brief_json["meta"]["chunks"] >= 2

    before = posts(fake)
    again = brief(fake, tmp_path, str(tmp_path / "in"), config="context_window = 1200\n")
    assert again.exit_code == 0, again.output
    assert posts(fake) == before and len(fake.created) == 2  # 0 repeated requests
    assert json.loads((out / "long.json").read_text())["title"] == brief_json["title"]


def test_a_folder_is_its_articles_and_the_run_is_summarised(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.json", "a.md", "b.json", "b.md"
    ]  # fmt: skip
    assert "1 submitted (2 requests)" in result.output
    assert len(fake.created) == 1 and fake.lines_submitted == 2


# -- failures inside a batch -----------------------------------------------------------------


def test_failed_requests_go_again_once_in_a_follow_up_batch(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    # line 0: an HTTP 500 in the output file; line 1: in the error file
    fake.scripts.append(Script(fail=2))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    first, retry = fake.created
    assert first.error_file_id is not None and first.failed == 2
    assert {line["custom_id"] for line in retry.lines} == {
        line["custom_id"] for line in first.lines
    }
    assert len(list((tmp_path / "out").glob("*.md"))) == 2


def test_a_request_failing_twice_fails_its_article_only(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.extend([Script(fail=1), Script(fail=1)])
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 14, result.output
    assert "a model request failed twice in the batch: HTTP 500: the model crashed" in (
        result.output
    )
    assert "1 of 2 inputs failed" in result.output
    assert [p.name for p in sorted((tmp_path / "out").glob("*.md"))] == ["b.md"]
    assert [len(b.lines) for b in fake.created] == [2, 1]  # retried once, not again


# -- expired, cancelled, failed --------------------------------------------------------------


def test_an_expired_batch_is_reported_and_a_rerun_submits_only_what_it_did_not_answer(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(outcome="expired", answered=1, in_progress=0))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == BatchJobError.exit_code == 22, result.output
    assert "expired: 1 of 2 answered (kept); 1 requests had no answer" in result.output
    assert "run the same command again" in result.output
    assert not (tmp_path / "out").exists()  # nothing half-written
    assert stored("expired")
    assert fake.files == {}  # its one answer is kept in the cache, not at the endpoint
    again = brief(fake, tmp_path, str(folder))
    assert again.exit_code == 0, again.output
    expired, resubmitted = fake.created
    assert len(resubmitted.lines) == 1
    assert resubmitted.lines[0]["custom_id"] == expired.lines[1]["custom_id"]
    assert len(list((tmp_path / "out").glob("*.md"))) == 2


def test_a_cancelled_batch_is_reported_and_resubmittable(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(outcome="cancelled", in_progress=0))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 22 and "cancelled: 0 of 2 answered" in result.output
    assert stored("cancelled")
    again = brief(fake, tmp_path, str(folder))
    assert again.exit_code == 0, again.output
    assert [len(b.lines) for b in fake.created] == [2, 2]


def test_a_batch_refused_as_a_whole_is_one_line(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(outcome="failed", in_progress=0))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 22
    assert "failed: the input file was refused" in result.output
    assert fake.files == {}


def test_a_refused_create_deletes_its_upload(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.refused_creates = 1
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 11, result.output
    assert "too many batches" in result.output
    assert len(fake.uploads) == 1 and fake.files == {} and fake.created == []


# -- resuming after a restart ----------------------------------------------------------------


def test_no_wait_stores_the_id_and_the_next_run_resumes_it(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(in_progress=2))
    result = brief(fake, tmp_path, "--no-wait", str(folder))
    assert result.exit_code == 0, result.output
    assert "in progress (its id is stored)" in result.output
    assert not (tmp_path / "out").exists()
    ((_, status, _),) = stored()
    assert status == "in_progress"
    still = brief(fake, tmp_path, "--no-wait", str(folder))  # a scheduled run, too early
    assert still.exit_code == 0 and len(fake.created) == 1, still.output
    assert "0 submitted (0 requests), 1 resumed" in still.output
    done = brief(fake, tmp_path, str(folder))
    assert done.exit_code == 0, done.output
    assert len(fake.created) == 1 and fake.chat_requests == []
    assert len(list((tmp_path / "out").glob("*.md"))) == 2


def test_a_killed_process_is_resumed_from_the_stored_id(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    """A real restart: the process is killed (SIGKILL) while it polls; a new one polls the
    stored batch and submits nothing again."""
    fake.scripts.append(Script(in_progress=10_000))
    cfg = tmp_path / "batch.toml"
    cfg.write_text("")
    args = [sys.executable, "-m", "briefer.cli.main", "brief", "--base-url", fake.base_url,
            "--api-key", "k", "--config", str(cfg), "--batch", "--poll", "0.05", "-f", "md",
            "-o", str(tmp_path / "out"), str(folder)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not any(b.looks >= 2 for b in fake.created) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.created, "the first process submitted nothing"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    ((batch_id, status, _),) = stored()
    assert status == "in_progress"
    fake.created[0].script.in_progress = 0  # the batch finishes while nothing runs
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    assert len(fake.created) == 1 and fake.lines_submitted == 2
    assert stored("collected") == [(batch_id, "collected", 1)]
    assert len(list((tmp_path / "out").glob("*.md"))) == 2


# -- the dry run, the embedded model, the state ----------------------------------------------


def test_dry_run_prints_the_requests_tokens_and_the_half_price(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    (folder / "long.txt").write_text(long_article())
    price = "[models.scripted-model]\ninput_per_million = 2.0\noutput_per_million = 8.0\n"
    result = brief(fake, tmp_path, "--dry-run", str(folder),
                   config=f"context_window = 1200\n{price}")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    found = re.search(
        r"batch: (\d+) requests in the first batch, ~(\d+) in later ones .*?; ([\d,]+)\+([\d,]+) "
        r"tokens; \$([\d.]+) at the batch price \(half of \$([\d.]+)\)",
        text,
    )
    assert found, text
    first, later = int(found[1]), int(found[2])
    assert first >= 6 and later == 3  # every article's parts; then 3 headlines
    assert float(found[5]) == pytest.approx(float(found[6]) / 2, abs=1e-4)
    assert fake.created == [] and posts(fake) == 0


def test_estimate_is_half_of_the_one_by_one_price() -> None:
    settings = load_settings({"base_url": "http://127.0.0.1:9/v1", "model": "gpt-4o-mini"})
    briefer = Briefer(settings)
    plan: Plan = briefer.plan(briefer.load(str(SEED)))[0]
    estimate = estimate_batches([plan, plan], briefer.estimate_cost)
    assert estimate.first_round == 2 and estimate.later_rounds == 0
    assert estimate.cost_usd is not None and estimate.batch_cost_usd == estimate.cost_usd / 2


def test_batch_with_the_embedded_model_is_a_config_error(tmp_path: Path, folder: Path) -> None:
    result = CliRunner().invoke(main, ["brief", "--batch", str(folder)])
    assert result.exit_code == 7
    assert "--batch needs an OpenAI-compatible endpoint" in result.output


def test_the_state_is_migrated_to_keep_batches(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    State(path).close()
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE batches; DROP TABLE batch_failures; PRAGMA user_version = 2;")
    db.execute("INSERT INTO runs (profile, started, status) VALUES ('asia', 'x', 'ok')")
    db.commit()
    db.close()
    state = State(path)
    state.record_batch("batch-1", "brief", "http://x/v1", 1, ["k1", "k2"])
    assert [b.keys for b in state.batches("http://x/v1", open_only=True)] == [["k1", "k2"]]
    state.set_batch_status("batch-1", "collected", "2 answered")
    assert state.batches("http://x/v1", open_only=True) == []
    assert [r["status"] for r in state.runs("asia")] == ["ok"]
    state.close()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == 3


def test_results_are_read_from_both_files_and_odd_lines_skipped() -> None:
    ok = {"custom_id": "a", "response": {"status_code": 200, "body": {
        "choices": [{"message": {"content": "{}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2}}}}  # fmt: skip
    bad = {"custom_id": "b", "response": {"status_code": 429, "body": {
        "error": {"message": "slow down"}}}}  # fmt: skip
    gone = {"custom_id": "c", "response": None, "error": {"message": "expired"}}
    output = "\n".join([json.dumps(ok), "not json", json.dumps(bad), "[1]"]).encode()
    results = read_results(output, json.dumps(gone).encode())
    assert results.answers == {
        "a": {"content": "{}", "finish_reason": "stop", "prompt_tokens": 5, "completion_tokens": 2}
    }
    assert results.failed == {"b": "HTTP 429: slow down", "c": "error: expired"}


def test_a_stored_batch_the_endpoint_does_not_know_is_reported_then_submitted_anew(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(in_progress=5))
    assert brief(fake, tmp_path, "--no-wait", str(folder)).exit_code == 0
    lost = fake.created[0].id
    del fake.batches[lost]  # another account's id, or deleted at the endpoint
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 22 and f"batch {lost} (stored by an earlier run) is not known" in (
        result.output
    )
    again = brief(fake, tmp_path, str(folder))
    assert again.exit_code == 0, again.output
    assert len(fake.created) == 1 and fake.created[0].id != lost
    assert len(list((tmp_path / "out").glob("*.md"))) == 2


def test_no_wait_goes_with_batch(fake: BatchServer, tmp_path: Path, folder: Path) -> None:
    result = CliRunner().invoke(main, ["brief", "--no-wait", str(folder / "a.txt")])
    assert result.exit_code == 2 and "--no-wait goes with --batch" in result.output
