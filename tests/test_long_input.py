"""Long inputs, token budgets and cost, against the scripted server (real client, real HTTP)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from briefer import Briefer, load_article, load_settings
from briefer.model.tokens import ENCODINGS, count_text, encoding, model_info
from briefer.models import SECTIONS, Brief

from .scripted_server import ScriptedServer

CITIES = ["Geneva", "Doha", "Cairo", "Amman", "Oslo", "Vienna", "Ankara", "Rome"]


def long_article(paragraphs: int = 24) -> str:
    out = []
    for i in range(paragraphs):
        city = CITIES[i % len(CITIES)]
        out.append(
            f"Officials in {city} said {i * 7 + 3} aid trucks crossed the border on day {i + 1}. "
            f"The US envoy met delegates in {city} and said talks would continue. "
            f"Local groups reported {i + 11} families moved to shelters near {city}."
        )
    return "\n\n".join(out) + "\n"


@pytest.fixture
def long_file(tmp_path: Path) -> Path:
    path = tmp_path / "long.txt"
    path.write_text(long_article())
    return path


@pytest.fixture
def small_context(tmp_path: Path) -> str:
    config = tmp_path / "small.toml"
    config.write_text("context_window = 1200\n")
    return str(config)


@pytest.fixture
def auto_server(server: ScriptedServer) -> ScriptedServer:
    encoding("o200k_base")  # tiktoken's files in place for the server's own counting
    server.auto = True
    server.count_prompt_tokens = True
    return server


def test_tiktoken_works_offline_from_bundled_files() -> None:
    assert count_text("The US envoy met delegates in Geneva.") == 8
    cache = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    for _, key, sha256 in ENCODINGS.values():
        assert hashlib.sha256((cache / key).read_bytes()).hexdigest() == sha256
    assert count_text("hello world", "cl100k_base") == 2


def test_model_table() -> None:
    assert model_info("gpt-4o-2024-08-06").input_per_million == 2.50
    assert model_info("gpt-4.1-mini").context == 1_047_576
    assert model_info("gpt-4o", {"gpt-4o": {"input_per_million": 1.0}}).input_per_million == 1.0
    unknown = model_info("my-local-llama")
    assert unknown.input_per_million is None and unknown.encoding == "o200k_base"


def test_long_article_is_read_in_parts_and_stays_grounded(
    auto_server: ScriptedServer, run_cli, tmp_path: Path, long_file: Path, small_context: str
) -> None:
    result = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "-f",
        "json,md",
        "--model",
        "gpt-4o",
        "--config",
        small_context,
        "--concurrency",
        "2",
    )
    assert result.exit_code == 0, result.output
    brief = Brief.model_validate_json((tmp_path / "out" / "long.json").read_text())
    requests = auto_server.chat_requests
    parts = sorted(
        (r for r in requests if r["messages"][-1]["content"].startswith("Part ")),
        key=lambda r: int(r["messages"][-1]["content"].split()[1]),  # "Part N of M" (concurrent)
    )
    assert brief.meta.chunks == len(parts) >= 3
    assert len(requests) == len(parts) + 1  # map calls, then one headline call
    # Every sentence was filed exactly once across the parts, in order.
    keys = [k for r in parts for k in r["response_format"]["json_schema"]["schema"]["required"]]
    ids = [int(k.split()[0][1:]) for k in keys]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 72
    cited = {i for name, _ in SECTIONS for s in brief.section(name) for i in s.cites}
    assert max(cited) > 36  # the body past the first half made it into the brief
    assert brief.verification is not None and brief.verification.supported_share == 1.0
    assert brief.content_words() <= brief.meta.word_limit
    assert brief.meta.usage.calls == len(requests)
    expected_cost = (
        brief.meta.usage.prompt_tokens * 2.5 + brief.meta.usage.completion_tokens * 10
    ) / 1e6
    assert brief.meta.cost_usd == pytest.approx(expected_cost)
    assert "read in" in result.stderr and "$" in result.stderr


def test_dry_run_estimate_within_5_percent(
    auto_server: ScriptedServer, tmp_path: Path, long_file: Path
) -> None:
    for path, window in (
        (long_file, 1200),
        (Path(__file__).parent.parent / "seeds" / "000_df112d5052861120.txt", None),
    ):
        settings = load_settings(
            {"base_url": auto_server.base_url, "model": "gpt-4o", "context_window": window},
            environ={},
        )
        briefer = Briefer(settings)
        article = load_article(str(path))
        plan, _, _ = briefer.plan(article)
        estimated, _ = plan.estimate()
        before = len(auto_server.requests)
        brief = briefer.brief(article)
        assert len(auto_server.requests) > before
        reported = brief.meta.usage.prompt_tokens  # as counted by the server
        assert abs(estimated - reported) / reported < 0.05, (path.name, estimated, reported)


def test_dry_run_calls_nothing_and_writes_nothing(
    auto_server: ScriptedServer,
    run_cli,
    tmp_path: Path,
    long_file: Path,
    small_context: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "--dry-run",
        "--model",
        "gpt-4o",
        "--config",
        small_context,
    )
    assert result.exit_code == 0, result.output
    assert "parts + headline" in result.stdout and "$0.0" in result.stdout
    assert auto_server.chat_requests == []
    assert not (tmp_path / "out").exists()


def test_max_tokens_stops_before_any_call(
    auto_server: ScriptedServer, run_cli, tmp_path: Path, long_file: Path
) -> None:
    result = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "--model",
        "gpt-4o",
        "--max-tokens",
        "500",
    )
    assert result.exit_code == 17
    assert "over --max-tokens 500" in result.stderr
    assert auto_server.chat_requests == []


def test_max_cost(auto_server: ScriptedServer, run_cli, tmp_path: Path, long_file: Path) -> None:
    result = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "--model",
        "gpt-4o",
        "--max-cost",
        "0.0001",
    )
    assert result.exit_code == 17 and "over --max-cost" in result.stderr
    assert auto_server.chat_requests == []
    ok = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "--model",
        "gpt-4o",
        "--max-cost",
        "1",
        "-f",
        "json",
    )
    assert ok.exit_code == 0, ok.output


def test_max_cost_needs_a_price(
    auto_server: ScriptedServer, run_cli, tmp_path: Path, long_file: Path
) -> None:
    result = run_cli(
        "brief",
        str(long_file),
        "-o",
        str(tmp_path / "out"),
        "--model",
        "mystery-model",
        "--max-cost",
        "1",
    )
    assert result.exit_code == 17 and "no price is known" in result.stderr


def test_budget_spans_a_batch(
    auto_server: ScriptedServer, run_cli, tmp_path: Path, long_file: Path
) -> None:
    first = run_cli(
        "brief", str(long_file), "-o", str(tmp_path / "a"), "--model", "gpt-4o", "-f", "json"
    )
    used = Brief.model_validate_json((tmp_path / "a" / "long.json").read_text()).meta.usage
    budget = str(int(used.tokens * 1.5))  # room for one brief, not two
    result = run_cli(
        "brief",
        str(long_file),
        str(long_file),
        "-o",
        str(tmp_path / "b"),
        "--model",
        "gpt-4o",
        "--max-tokens",
        budget,
        "-f",
        "json",
    )
    assert first.exit_code == 0
    assert result.exit_code == 14  # the second input stopped before its calls
    assert "over --max-tokens" in result.stderr
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["long.json"]


def test_a_long_transcripts_headline_is_written_from_the_briefers_lines(
    auto_server: ScriptedServer, tmp_path: Path, small_context: str
) -> None:
    # The reporters' questions are full of names and numbers; the headline call must not be
    # given them as "the most important sentences": a question's premise is not the news.
    turns = []
    for i in range(30):
        city = CITIES[i % len(CITIES)]
        turns.append(
            f"Q Reuters and NBC report {i + 40} Hamas fighters in {city} on March {i + 1}, "
            f"2024. Can you confirm?\n\n"
            f"MR. KIRBY: We are watching it and we think talks would continue this week."
        )
    path = tmp_path / "gaggle.txt"
    path.write_text("\n\n".join(turns) + "\n")
    settings = load_settings(
        {"base_url": auto_server.base_url, "model": "gpt-4o", "context_window": 1200},
        environ={},
    )
    brief = Briefer(settings).brief(load_article(str(path)))
    assert brief.meta.chunks >= 2
    headline = auto_server.chat_requests[-1]["messages"][-1]["content"]
    assert "[S" in headline and "talks would continue" in headline
    assert "Reuters" not in headline
