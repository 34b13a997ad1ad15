"""A served model fleet: bounded, adaptive, load-balanced calls over real HTTP (fake servers with
latency, slots and scripted 429/503s; the real ``openai`` client)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import briefer.model.fleet as fleet_module
from briefer.cli import doctor
from briefer.cli.main import main
from briefer.config import Settings, load_settings, split_urls
from briefer.errors import EndpointUnreachableError, RateLimitError
from briefer.model.fleet import Failure, Fleet, retry_after
from briefer.model.llm import ChatModel
from briefer.model.local_server import endpoint_id
from briefer.models import Usage
from briefer.morning.profile import Profile
from briefer.morning.run import run_morning

from .fleet_server import FleetServer, Refusal, synthetic_article

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "bottom_line": {"type": "string"}},
    "required": ["title", "bottom_line"],
    "additionalProperties": False,
}


@pytest.fixture
def fleet() -> Iterator[list[FleetServer]]:
    servers = [FleetServer(latency=0.03).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def settings(*urls: str, **extra: Any) -> Settings:
    return load_settings(
        {"base_url": list(urls), "timeout": 10, "max_retries": 0, **extra}, environ={}
    )


def ask(model: ChatModel) -> str | None:
    content, _ = model.complete_json(
        [{"role": "user", "content": "Brief this."}],
        SCHEMA,
        name="Headline",
        max_tokens=50,
        usage=Usage(),
    )
    return content


def ask_many(model: ChatModel, calls: int, threads: int) -> list[str | None]:
    """``calls`` requests from ``threads`` threads at once (more than the fleet takes)."""
    results: list[str | None] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for _ in range(n):
                answer = ask(model)
                with lock:
                    results.append(answer)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    workers = [
        threading.Thread(target=work, args=(calls // threads + (i < calls % threads),))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return results


def dead_url() -> str:
    """A port nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_base_urls_from_a_list_a_comma_list_or_repeated_flags(tmp_path: Path) -> None:
    assert split_urls(settings("http://a/v1/", "http://b/v1").base_url) == [
        "http://a/v1",
        "http://b/v1",
    ]
    config = tmp_path / "c.toml"
    config.write_text('base_url = ["http://a:8000/v1", "http://b:8000/v1"]\n')
    from_file = load_settings(config_file=config, environ={})
    from_env = load_settings(environ={"OPENAI_BASE_URL": "http://b:8000/v1, http://a:8000/v1"})
    assert split_urls(from_file.base_url) == ["http://a:8000/v1", "http://b:8000/v1"]
    # The same servers in any order are the same endpoint for cached answers and briefs.
    assert ChatModel(from_file).base_url == ChatModel(from_env).base_url
    assert endpoint_id(from_file) == endpoint_id(from_env) == "http://a:8000/v1,http://b:8000/v1"
    assert ChatModel(settings("http://a/v1")).base_url == "http://a/v1"  # one URL: as before
    named = load_settings({"base_url": "http://a/v1,http://b/v1", "endpoint_id": "qwen-fleet"})
    assert endpoint_id(named) == "qwen-fleet"


def test_retry_after_in_seconds_milliseconds_or_a_date() -> None:
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after({"retry-after": date}, now=now.timestamp()) == pytest.approx(30)
    assert retry_after({"retry-after": "3600"}) == 60.0  # capped
    assert retry_after({"retry-after": "soon"}) is None and retry_after({}) is None


def test_requests_in_flight_never_exceed_the_limit(fleet: list[FleetServer]) -> None:
    server = fleet[0]
    server.gather = 3
    model = ChatModel(settings(server.base_url, concurrency=3))
    assert len(ask_many(model, 30, threads=10)) == 30
    assert server.peak == 3  # bounded, and the bound was used
    assert model.fleet.peak == 3


def test_a_burst_of_refusals_halves_the_limit_once_and_answers_raise_it() -> None:
    fleet: Fleet[None] = Fleet([("http://a/v1", None)], concurrency=8, retries=0)
    started = time.monotonic()
    burst = [fleet._acquire() for _ in range(8)]
    for server in burst:  # eight 429s to requests sent under the limit of 8: one halving
        fleet._failed(server, Failure("busy"), started, set())
    assert fleet.limits() == [4.0]
    late = fleet._acquire()  # sent under the new limit: its 429 halves again
    fleet._failed(late, Failure("busy"), time.monotonic(), set())
    assert fleet.limits() == [2.0]
    for _ in range(2):
        fleet._answered(fleet._acquire())
    assert fleet.limits() == [pytest.approx(2.9, abs=0.01)]  # +1/2, then +1/2.5


def test_one_outage_sets_a_server_aside_once() -> None:
    fleet: Fleet[None] = Fleet([("http://a/v1", None), ("http://b/v1", None)], 8, retries=0)
    started = time.monotonic()
    burst = [fleet._acquire() for _ in range(8)]
    down = burst[0]
    for server in [s for s in burst if s is down]:  # every call in flight there is refused
        fleet._failed(server, Failure("down"), started, set())
    assert down.down_streak == 1  # set aside for 0.5 s, not doubled per refused call
    assert down.ready_at - time.monotonic() <= fleet_module.SET_ASIDE_BASE


def test_a_429_goes_to_another_server_without_using_a_retry(fleet: list[FleetServer]) -> None:
    busy, other = fleet
    busy.refuse_all = Refusal(429)
    model = ChatModel(settings(busy.base_url, other.base_url, concurrency=1, max_retries=0))
    assert len(ask_many(model, 6, threads=2)) == 6  # with no retries allowed, none failed
    assert other.answered == 6 and busy.refused >= 1


def test_429s_lower_the_concurrency_and_successes_raise_it_again(
    fleet: list[FleetServer],
) -> None:
    server = fleet[0]
    # The first burst is refused with a 429 each (no wait asked): the limit comes down.
    server.busy = {n: Refusal(429, {"retry-after-ms": "0"}) for n in range(1, 9)}
    model = ChatModel(settings(server.base_url, concurrency=8, max_retries=8))
    ask_many(model, 8, threads=8)
    assert model.fleet.limits()[0] < 6
    # Sustained refusals drive it down to one request at a time …
    server.refuse_all = Refusal(429, {"retry-after-ms": "0"})
    with pytest.raises(RateLimitError):
        ask_many(model, 4, threads=4)
    assert model.fleet.limits()[0] == 1.0
    server.refuse_all = None
    # … and answered calls raise it back to the configured 8 (additive increase).
    ask_many(model, 60, threads=8)
    assert model.fleet.limits()[0] == 8.0
    server.peak, server.gather = 0, 8
    ask_many(model, 16, threads=8)
    assert server.peak == 8


def test_503_with_retry_after_keeps_calls_off_that_server(fleet: list[FleetServer]) -> None:
    slow, other = fleet
    slow.busy = {1: Refusal(503, {"Retry-After": "1"})}
    model = ChatModel(settings(slow.base_url, other.base_url, concurrency=2, max_retries=1))
    ask_many(model, 12, threads=2)
    # The refused call went to the other server at once; nothing went to the slow one for 1 s.
    (refused, status), *later = slow.log
    assert status == 503 and all(t - refused >= 0.95 for t, _ in later)
    assert other.received + len(later) == 12


def test_retry_after_on_the_only_server_is_waited_for(fleet: list[FleetServer]) -> None:
    server = fleet[0]
    server.busy = {1: Refusal(429, {"retry-after-ms": "400"})}
    model = ChatModel(settings(server.base_url, max_retries=1))
    assert ask(model)
    (first, status), (second, _) = server.log
    assert status == 429 and 0.38 <= second - first < 1.0


def test_several_servers_share_the_load(fleet: list[FleetServer]) -> None:
    model = ChatModel(settings(*(s.base_url for s in fleet), concurrency=2))
    assert model.slots == 4
    for server in fleet:
        server.gather = 2
    ask_many(model, 40, threads=8)
    assert [s.peak for s in fleet] == [2, 2]
    assert all(12 <= s.answered <= 28 for s in fleet), [s.answered for s in fleet]


def test_a_dead_server_is_set_aside_and_the_others_answer(fleet: list[FleetServer]) -> None:
    live = fleet[0]
    model = ChatModel(settings(dead_url(), live.base_url, concurrency=2))
    assert len(ask_many(model, 20, threads=4)) == 20  # no retries allowed: none was needed
    dead = model.fleet.servers[0]
    assert dead.down and dead.answered == 0 and live.answered == 20


def test_all_servers_dead_is_the_unreachable_error(tmp_path: Path) -> None:
    urls = [dead_url(), dead_url()]
    with pytest.raises(EndpointUnreachableError, match="cannot reach"):
        ask(ChatModel(settings(*urls)))
    articles = []
    for n in range(3):  # several inputs: briefed at once, and all stop at the first such error
        articles.append(tmp_path / f"a{n}.md")
        articles[-1].write_text(synthetic_article(n))
    out = tmp_path / "out"
    endpoints = ["--base-url", urls[0], "--base-url", urls[1], "--retries", "0", "-o", str(out)]
    result = CliRunner().invoke(main, ["brief", *map(str, articles), *endpoints])
    assert result.exit_code == EndpointUnreachableError.exit_code
    assert "cannot reach the model endpoint" in result.output and urls[1] in result.output
    assert result.output.count("cannot reach") == 1 and not out.exists()


def test_a_morning_run_briefs_items_and_parts_concurrently_within_the_limit(
    fleet: list[FleetServer], tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        paragraphs = 30 if i < 2 else 2  # two read in parts, the others in one call
        (folder / f"a{i}.md").write_text(synthetic_article(i + 100, paragraphs))
    profile = Profile(name="fleet", sources=[str(folder)], out_dir=tmp_path / "out", formats=["md"])
    for server in fleet:
        server.gather = 3
    run = settings(*(s.base_url for s in fleet), concurrency=3, context_window=1500, model="gpt-4o")
    result = run_morning(run, profile)
    assert result.digest.run.items == 6 and not result.digest.not_included
    assert any(item.brief.meta.chunks >= 3 for item in result.digest.items)
    # Both servers were used to their limit, never past it.
    assert [s.peak for s in fleet] == [3, 3]


def test_several_inputs_are_briefed_at_once_and_named_in_input_order(
    fleet: list[FleetServer], tmp_path: Path
) -> None:
    files = []
    for i in range(8):
        path = tmp_path / f"in{i}" / "same.md"  # one name: same.md, same-2.md … in input order
        path.parent.mkdir()
        path.write_text(synthetic_article(200 + i, 30 if i == 0 else 2))
        files.append(str(path))
    urls = [arg for s in fleet for arg in ("--base-url", s.base_url)]
    for server in fleet:
        server.gather = 2
    out = tmp_path / "out"
    options = ["--concurrency", "2", "--retries", "0", "-f", "md", "-o", str(out)]
    config = ["--model", "gpt-4o", "--config", str(_small_context(tmp_path))]
    result = CliRunner().invoke(main, ["brief", *files, *urls, *options, *config])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"same.md"} | {f"same-{n}.md" for n in range(2, 9)}
    for n, name in [(0, "same.md"), (3, "same-4.md")]:
        places = synthetic_article(200 + n).splitlines()[0].removeprefix("# ").split(" agree")[0]
        assert places in (out / name).read_text()
    assert [s.peak for s in fleet] == [2, 2]  # items and parts at once, within the limit


def _small_context(tmp_path: Path) -> Path:
    config = tmp_path / "small.toml"
    config.write_text("context_window = 1500\n")
    return config


def test_doctor_checks_every_server_of_a_fleet(fleet: list[FleetServer]) -> None:
    dead = dead_url()
    check = doctor._endpoint(settings(fleet[0].base_url, dead))
    assert check.status == "warn" and f"{fleet[0].base_url}: HTTP 200" in check.detail
    assert f"{dead}: unreachable" in check.detail
    assert doctor._endpoint(settings(dead)).status == "fail"
