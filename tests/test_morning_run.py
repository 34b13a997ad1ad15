"""briefer morning end to end on fixture feeds (a local HTTP server) and the scripted model."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from briefer.config import Settings, load_settings
from briefer.errors import BatchError, RunLockedError
from briefer.models import Digest
from briefer.morning import items as morning_items
from briefer.morning.profile import Profile
from briefer.morning.run import run_morning
from briefer.morning.state import RunLock, data_dir, default_state_path

from .feed_server import HARVEST, NOW, PORT, FeedServer
from .scripted_server import Reply, ScriptedServer, error_body

DAY = NOW.date().isoformat()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def model(server: ScriptedServer) -> ScriptedServer:
    server.auto = True
    return server


def settings_for(model: ScriptedServer, **extra: Any) -> Settings:
    return load_settings(
        {
            "base_url": model.base_url,
            "timeout": 10,
            "max_retries": 0,
            "fetch_allow_networks": ["127.0.0.0/8"],  # the fixture server is on this machine
            "fetch_timeout": 1.5,
            "fetch_read_timeout": 0.5,
            "fetch_max_bytes": 400_000,
            **extra,
        }
    )


def news(feeds: FeedServer, out: Path, **extra: Any) -> Profile:
    return Profile(
        name="news",
        sources=[f"{feeds.base_url}/rss.xml", f"{feeds.base_url}/atom.xml"],
        out_dir=out,
        **{"formats": ["md", "json"], "since": "48h", "fetch_delay": 0, **extra},
    )


def test_feeds_make_one_item_per_story_and_list_what_is_not_included(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    base = feeds.base_url
    result = run_morning(settings_for(model), news(feeds, tmp_path), now=NOW)
    folder = tmp_path / DAY
    assert sorted(p.name for p in folder.iterdir()) == [
        "items",
        "morning-brief.json",
        "morning-brief.md",
    ]
    assert len(list((folder / "items").glob("*.md"))) == 3

    data = json.loads((folder / "morning-brief.json").read_text())
    assert set(data) == {"items", "not_included", "run"}
    assert all(set(item) == {"title", "sources", "brief"} for item in data["items"])
    assert all(set(miss) == {"source", "reason"} for miss in data["not_included"])
    for key in ("model_calls", "prompt_tokens", "completion_tokens", "cost_usd", "seconds"):
        assert key in data["run"]

    # The story told by two outlets is one item with both sources, ranked first (2 sources).
    sources = [item["sources"] for item in data["items"]]
    assert sources[0] == [f"{base}/talks.html", f"{base}/ap-talks"]
    assert sorted(map(tuple, sources[1:])) == [(f"{base}/harvest.txt",), (f"{base}/port",)]
    assert [s["outlet"] for s in data["items"][0]["brief"]["sources"]] == [
        "Northwire",
        "Capital Desk",
    ]
    # The port entry had its full text in the feed: its page was never fetched.
    assert "/port" not in feeds.hits

    reasons = {miss["source"]: miss["reason"] for miss in data["not_included"]}
    assert "404" in reasons[f"{base}/missing"]
    assert "did not answer in time" in reasons[f"{base}/slow"]
    assert "larger than" in reasons[f"{base}/huge"]
    assert reasons[f"{base}/reprint.html"].startswith("a near-identical copy of")
    dup = f"{base}/talks.html?utm_source=atom&utm_medium=feed"
    assert reasons[dup] == f"the same article as {base}/talks.html"
    # The month-old entry is not an error, but it is listed: nothing read is left out in silence.
    assert reasons[f"{base}/rates"].startswith("published 2026-02-08 07:00 UTC, before the window")
    assert len(reasons) == 6

    run = result.digest.run
    assert (run.items, run.sources, run.sources_read) == (3, 2, 2)
    assert (
        run.model_calls == len(model.chat_requests) == 1 + 1 + 3
    )  # a call a single; story: 2 + headline
    markdown = (folder / "morning-brief.md").read_text()
    assert "## Not included" in markdown and "near-identical copy" in markdown
    assert markdown.count("\n## 1. ") == 1 and "\n## 3. " in markdown


def test_rerun_makes_no_model_calls_and_writes_the_same_digest(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    # The default window (since the last run of an earlier day) stays put on a rerun.
    profile = news(feeds, tmp_path, since=None)
    first = run_morning(settings_for(model), profile, now=NOW)
    calls = len(model.chat_requests)
    files = {p: p.read_bytes() for p in first.paths}
    later = NOW + timedelta(hours=1)
    again = run_morning(settings_for(model), profile, now=later)
    assert len(model.chat_requests) == calls  # nothing asked
    assert again.digest.run.model_calls == 0
    assert again.digest.run.cost_usd == 0.0  # nothing asked costs nothing, price known or not
    assert again.digest.run.reused_briefs == first.digest.run.items == 3
    assert again.paths == first.paths
    for path, data in files.items():
        if path.name != "morning-brief.json":
            assert path.read_bytes() == data, path  # Markdown byte for byte (PDF: test below)
    one, two = (json.loads(files[first.paths[1]]), json.loads(first.paths[1].read_text()))
    assert first.paths[1].name == "morning-brief.json"
    assert one["items"] == two["items"] and one["not_included"] == two["not_included"]

    runs = sqlite3.connect(default_state_path()).execute("SELECT status FROM runs").fetchall()
    assert runs == [("ok",), ("ok",)]


def test_a_signal_swallowed_while_rendering_writes_no_digest(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As for one brief: a Ctrl-C acted on while the digest rendered, and eaten by a library on
    # the way, still stops the run before any file is written.
    import signal

    from briefer.model import local_server
    from briefer.render import digest as render_digest

    real = render_digest.markdown

    def swallowed(*args: Any, **kwargs: Any) -> str:
        local_server._acted = signal.SIGINT
        return real(*args, **kwargs)

    monkeypatch.setattr(render_digest, "markdown", swallowed)
    monkeypatch.setattr(local_server, "_acted", None)
    with pytest.raises(KeyboardInterrupt):
        run_morning(settings_for(model), news(feeds, tmp_path), now=NOW)
    assert not (tmp_path / "morning-brief.md").exists()
    assert not (tmp_path / "morning-brief.json").exists()


def test_an_interrupted_run_resumes_without_asking_again(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(model, concurrency=1)
    profile = news(feeds, tmp_path / "a")

    def stop(item: morning_items.Item) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_morning(settings, profile, now=NOW, on_item=stop)
    time.sleep(0.5)  # a call in flight at the interrupt ends (and is cached) in the background
    asked = len(model.chat_requests)
    assert 3 <= asked < 5 and not (tmp_path / "a" / DAY).exists()  # nothing half-written
    resumed = run_morning(settings, profile, now=NOW)
    assert resumed.digest.run.items == 3 and resumed.digest.run.reused_briefs == 1
    assert len(model.chat_requests) == 5  # what an uninterrupted run asks: nothing twice
    rows = sqlite3.connect(default_state_path()).execute("SELECT status FROM runs").fetchall()
    assert rows == [("interrupted",), ("ok",)]


def test_a_failed_call_costs_only_its_item_and_the_rerun_asks_only_what_is_missing(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    settings = settings_for(model, concurrency=1)
    # The story is briefed first (2 sources, ranked first): its first source's call is
    # answered (automatically), the second fails (503: not an answer-format problem).
    model.at[2] = Reply(503, error_body("overloaded"))
    first = run_morning(settings, news(feeds, tmp_path), now=NOW)
    assert first.digest.run.items == 2
    failed = [m for m in first.digest.not_included if "HTTP 503" in m.reason]
    assert len(failed) == 2  # both sources of the story, with the reason
    before = len(model.chat_requests)
    again = run_morning(settings, news(feeds, tmp_path), now=NOW)
    assert again.digest.run.items == 3
    # The story's second source and its headline: the first source's answer is cached.
    assert len(model.chat_requests) - before == 2
    assert again.digest.run.cached_calls == 1


def test_runs_of_one_profile_never_overlap(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    lock = RunLock(data_dir(), "news")
    lock.acquire()
    try:
        with pytest.raises(RunLockedError, match="in progress") as caught:
            run_morning(settings_for(model), news(feeds, tmp_path), now=NOW)
        assert caught.value.exit_code == 20
    finally:
        lock.release()
    assert not model.chat_requests and not (tmp_path / DAY).exists()
    # Another profile is not held up.
    other = news(feeds, tmp_path).model_copy(update={"name": "other"})
    assert run_morning(settings_for(model), other, now=NOW).digest.run.items == 3


def test_dry_run_plans_and_spends_nothing(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    result = run_morning(settings_for(model), news(feeds, tmp_path), now=NOW, dry_run=True)
    assert [p.calls for p in result.plan] == [3, 1, 1]  # the story (2 sources + headline) first
    assert all(p.prompt_tokens > 0 and not p.stored for p in result.plan)
    assert not model.chat_requests and not (tmp_path / DAY).exists()
    assert (
        not default_state_path().exists()
        or not sqlite3.connect(default_state_path()).execute("SELECT * FROM runs").fetchall()
    )


def test_budget_leaves_out_what_would_exceed_it_before_any_call(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path
) -> None:
    planned = run_morning(settings_for(model), news(feeds, tmp_path), now=NOW, dry_run=True)
    story, single = planned.plan[0], planned.plan[1]
    budget = story.prompt_tokens + story.completion_tokens + 10  # the story's estimate fits
    # The story's headline call then goes over the budget: the one item tried fails, so the
    # run is a failure (the digest is written, listing why).
    with pytest.raises(BatchError, match="no item could be briefed"):
        run_morning(settings_for(model, max_tokens=budget), news(feeds, tmp_path), now=NOW)
    result = Digest.model_validate_json((tmp_path / DAY / "morning-brief.json").read_text())
    left = [m for m in result.not_included if "to stay within max_tokens" in m.reason]
    assert [m.source for m in left] == single.sources + planned.plan[2].sources  # never asked
    run = result.run
    assert run.prompt_tokens + run.completion_tokens <= budget  # never over, estimates or not


def test_rate_limits_back_off_and_retry(
    model: ScriptedServer, feeds: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(morning_items, "BACKOFF_BASE", 0.05)
    for _ in range(3):
        model.add_error(429, "slow down", "rate_limit_exceeded")
    result = run_morning(settings_for(model), news(feeds, tmp_path), now=NOW)
    # no item lost to the rate limit ("429", not a port like 127.0.0.1:42909 in a reason)
    assert result.digest.run.items == 3 and not [
        m for m in result.digest.not_included if re.search(r"(?<![\d:])429(?!\d)", m.reason)
    ]
    assert len(model.chat_requests) == 5 + 3


def test_a_continuing_story_says_what_changed_since_the_last_digest(
    model: ScriptedServer, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "day1.md").write_text(
        "---\ntitle: Ceasefire talks open in Geneva\noutlet: Northwire\ndate: 2026-03-09\n---\n"
        "Ceasefire talks between Arvandia and Belmora opened in Geneva on Monday under United "
        "Nations auspices.\nForeign minister Lena Okafor wants a monitoring mission on the "
        "border before any agreement.\nBelmora's envoy Tomas Richter said the ceasefire talks "
        "would run for three days.\n"
    )
    profile = Profile(
        name="talks", sources=[str(folder)], out_dir=tmp_path / "out", formats=["md", "json"]
    )
    day1 = run_morning(settings_for(model), profile, now=NOW - timedelta(days=1))
    assert day1.digest.items[0].brief.changed is None
    (folder / "day2.md").write_text(
        "---\ntitle: Geneva ceasefire talks end with a monitoring deal\noutlet: Capital Desk\n"
        "date: 2026-03-10\n---\n"
        "The Geneva ceasefire talks between Arvandia and Belmora ended on Tuesday with a deal on "
        "a monitoring mission for the border.\nForeign minister Lena Okafor said 40 monitors "
        "would arrive in Rawalkot next week.\nBelmora's envoy Tomas Richter said the ceasefire "
        "talks would resume in April.\n"
    )
    day2 = run_morning(settings_for(model), profile, now=NOW)
    assert len(day2.digest.items) == 1
    brief = day2.digest.items[0].brief
    assert brief.changed is not None and brief.changed.since == "2026-03-09"
    new = [s.text for s in brief.changed.statements]
    assert any("40 monitors" in t for t in new)
    assert not any("opened in Geneva" in t for t in new)
    markdown = (tmp_path / "out" / DAY / "morning-brief.md").read_text()
    assert "### What Changed Since 9 March 2026" in markdown


def test_morning_dev_folder_gives_seven_items(model: ScriptedServer, tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parent / "data" / "morning-dev"
    gold = json.loads((corpus / "GROUPS.json").read_text())
    profile = Profile(sources=[str(corpus)], out_dir=tmp_path, formats=["json"])
    result = run_morning(settings_for(model), profile, now=NOW)
    groups = sorted(sorted(Path(s).name for s in item.sources) for item in result.digest.items)
    expected = sorted(
        [sorted(files) for files in gold["stories"].values()]
        + [[name] for name in gold["singletons"]]
    )
    assert groups == expected and len(groups) == 7
    assert not result.digest.not_included  # README.md and the JSON files are not articles
    digest = Digest.model_validate_json((tmp_path / DAY / "morning-brief.json").read_text())
    assert [len(i.sources) for i in digest.items][:3] == [3, 2, 2]  # stories rank first


def test_rerun_writes_the_same_pdfs(model: ScriptedServer, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "port.txt").write_text(PORT)
    (folder / "harvest.txt").write_text(HARVEST)
    profile = Profile(sources=[str(folder)], out_dir=tmp_path / "out", formats=["pdf"])
    first = run_morning(settings_for(model), profile, now=NOW)
    files = {p: p.read_bytes() for p in first.paths}
    assert len(files) == 3  # the digest and two items' briefs
    again = run_morning(settings_for(model), profile, now=NOW + timedelta(hours=2))
    assert again.digest.run.model_calls == 0 and again.paths == first.paths
    assert all(p.read_bytes() == data for p, data in files.items())  # byte for byte
