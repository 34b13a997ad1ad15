"""``briefer morning --batch`` against the local fake of the Files and Batch API
(tests/batch_server.py): the digest is made from batches, a run that does not wait writes no
digest and the next run resumes the stored batch, a rerun submits nothing.

(Its own file, after test_beside: the feed fixture's slow page leaves a handler thread asleep,
and a process with other threads does not fork.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefer.batching import BatchOptions
from briefer.config import load_settings
from briefer.morning.profile import Profile
from briefer.morning.run import run_morning
from briefer.morning.state import State

from .batch_server import BatchServer, Script
from .feed_server import NOW, FeedServer

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_df112d5052861120.txt"


@pytest.fixture
def fake() -> Iterator[BatchServer]:
    srv = BatchServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    yield srv
    srv.stop()


def _morning(
    fake: BatchServer, feeds: FeedServer, out: Path, *, dry_run: bool = False, **batch: Any
) -> Any:
    settings = load_settings(
        {
            "base_url": fake.base_url,
            "api_key": "k",
            "timeout": 10,
            "max_retries": 0,
            "fetch_allow_networks": ["127.0.0.0/8"],
            "fetch_timeout": 1.5,
            "fetch_read_timeout": 0.5,
            "fetch_max_bytes": 400_000,  # the fixture's huge page is refused at once
        }
    )
    profile = Profile(
        name="news",
        sources=[f"{feeds.base_url}/rss.xml", f"{feeds.base_url}/atom.xml"],
        out_dir=out,
        formats=["md", "json"],
        since="48h",
        fetch_delay=0,
    )
    options = BatchOptions(poll=0.01, **batch)
    return run_morning(settings, profile, now=NOW, batch=options, dry_run=dry_run)


def test_morning_batch_makes_the_digest_and_a_rerun_submits_nothing(
    fake: BatchServer, feeds: FeedServer, tmp_path: Path
) -> None:
    fake.scripts.append(Script(in_progress=1))
    early = _morning(fake, feeds, tmp_path, wait=False)
    assert early.waiting == [fake.created[0].id] and early.paths == []
    assert not (tmp_path / NOW.date().isoformat()).exists()  # no digest before the answers
    runs = State().runs("news")
    assert [r["status"] for r in runs] == ["waiting"]
    result = _morning(fake, feeds, tmp_path)
    assert result.waiting == [] and result.paths
    digest = json.loads((tmp_path / NOW.date().isoformat() / "morning-brief.json").read_text())
    assert digest["items"] and all(item["brief"]["title"] for item in digest["items"])
    assert fake.chat_requests == []
    assert result.digest.run.model_calls == fake.lines_submitted
    assert fake.created[0].id in result.batch.resumed  # the stored id, not a new batch
    made = len(fake.created)
    again = _morning(fake, feeds, tmp_path)
    assert len(fake.created) == made and again.digest.run.model_calls == 0
    assert [r["status"] for r in State().runs("news")] == ["waiting", "ok", "ok"]


def test_morning_batch_dry_run_estimates_and_submits_nothing(
    fake: BatchServer, feeds: FeedServer, tmp_path: Path
) -> None:
    result = _morning(fake, feeds, tmp_path, dry_run=True)
    estimate = result.batch_estimate
    assert estimate is not None and estimate.first_round >= len(result.plan) > 0
    assert estimate.first_round + estimate.later_rounds == sum(p.calls for p in result.plan)
    assert fake.created == [] and fake.requests == [("GET", "/v1/models")] * len(fake.requests)


def test_the_morning_command_with_batch_and_no_wait(fake: BatchServer, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from briefer.cli.main import main

    source = tmp_path / "articles"
    source.mkdir()
    (source / "a.txt").write_text(SEED.read_text())
    args = ["morning", "--source", str(source), "-o", str(tmp_path / "out"), "-f", "md",
            "--base-url", fake.base_url, "--api-key", "k", "--batch", "--poll", "0.01"]  # fmt: skip
    fake.scripts.append(Script(in_progress=3))
    first = CliRunner().invoke(main, [*args, "--no-wait"])
    assert first.exit_code == 0, first.output
    assert "in progress (its id is stored); no digest yet" in first.output
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "morning-brief.md" in second.output and len(fake.created) == 1
    assert fake.chat_requests == []


def test_an_item_whose_request_fails_twice_is_not_included_and_the_others_are(
    fake: BatchServer, feeds: FeedServer, tmp_path: Path
) -> None:
    fake.scripts.extend([Script(fail=1, in_progress=0), Script(fail=1, in_progress=0)])
    result = _morning(fake, feeds, tmp_path)
    reasons = [n.reason for n in result.digest.not_included]
    failed = [r for r in reasons if "failed twice in the batch" in r]
    assert failed and "HTTP 500: the model crashed" in failed[0]
    assert result.digest.items and result.paths  # the other items made the digest
    assert json.loads(State().runs("news")[-1]["errors"])  # the failure is recorded
