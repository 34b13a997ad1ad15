"""The streamed path (``ChatModel._stream``), used whenever someone watches progress: the library
with a ``progress`` callback, and the CLI on a terminal. The scripted server streams Server-Sent
Events exactly as OpenAI does (see ``tests/scripted_server.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from briefer import Briefer, load_article, load_settings
from briefer.errors import BrieferError, EndpointError
from briefer.models import SECTIONS, Brief

from .conftest import SEED, filed_answer
from .scripted_server import ScriptedServer, stream_pieces

WRITING = re.compile(r"Writing: (\d+) tokens")


def make_briefer(server: ScriptedServer) -> Briefer:
    settings = load_settings(
        {"base_url": server.base_url, "timeout": 10, "max_retries": 0}, environ={}
    )
    return Briefer(settings)


def content_of(brief: Brief) -> dict[str, Any]:
    """What a reader sees: title, bottom line and every section's statements."""
    return {
        "title": brief.title,
        "bottom_line": brief.bottom_line,
        **{
            name: [(s.text, s.cites, s.status) for s in brief.section(name)] for name, _ in SECTIONS
        },
    }


def written_counts(steps: list[str]) -> list[int]:
    return [int(m.group(1)) for step in steps if (m := WRITING.fullmatch(step))]


def test_streamed_brief_equals_the_unstreamed_one(server: ScriptedServer) -> None:
    answer = filed_answer()
    pieces = len(stream_pieces(json.dumps(answer)))
    assert pieces > 100  # the answer really arrives in many chunks
    server.add_json(answer, prompt_tokens=811, completion_tokens=263)
    server.add_json(answer, prompt_tokens=811, completion_tokens=263)
    briefer = make_briefer(server)
    article = load_article(str(SEED))

    steps: list[str] = []
    streamed = briefer.brief(article, progress=steps.append)
    plain = briefer.brief(article)

    streamed_request, plain_request = server.chat_requests
    assert streamed_request["stream"] is True
    assert streamed_request["stream_options"] == {"include_usage": True}
    assert "stream" not in plain_request
    # The same answer gives the same brief, streamed or not.
    assert content_of(streamed) == content_of(plain)
    assert sum(len(s) for _, s in list(content_of(streamed).items())[2:]) >= 8
    assert streamed.title == plain.title == answer["title"]
    # Progress: reading first, then the growing count of pieces written.
    assert steps[0] == "Reading the article…"
    counts = written_counts(steps)
    assert len(counts) == len(steps) - 1 >= 2, steps
    assert counts == sorted(set(counts)) and counts[0] == 1 and counts[-1] <= pieces
    # Usage is the server's (the usage chunk), not the number of pieces.
    assert (streamed.meta.usage.prompt_tokens, streamed.meta.usage.completion_tokens) == (811, 263)
    assert streamed.meta.usage.calls == 1
    assert streamed.meta.usage == plain.meta.usage.model_copy(
        update={"model_seconds": streamed.meta.usage.model_seconds}
    )


def test_streamed_answer_cut_off_at_length_is_asked_again(server: ScriptedServer) -> None:
    answer = json.dumps(filed_answer())
    # The length limit struck mid-answer: a prefix, finish_reason "length".
    server.add_content(answer[: len(answer) // 2], finish_reason="length")
    server.add_json(filed_answer())
    steps: list[str] = []
    brief = make_briefer(server).brief(load_article(str(SEED)), progress=steps.append)

    first, second = server.chat_requests
    assert first["stream"] is True and second["stream"] is True
    assert len(second["messages"]) == len(first["messages"]) + 2
    assert second["messages"][-2] == {"role": "assistant", "content": answer[: len(answer) // 2]}
    assert "cut off" in second["messages"][-1]["content"]
    assert brief.meta.usage.calls == 2
    assert steps.count("Reading the article…") == 2


def test_streamed_answer_cut_off_twice_fails_cleanly(server: ScriptedServer) -> None:
    server.add_json(filed_answer(), finish_reason="length")
    server.add_json(filed_answer(), finish_reason="length")
    with pytest.raises(BrieferError, match="cut off") as info:
        make_briefer(server).brief(load_article(str(SEED)), progress=lambda step: None)
    assert info.value.exit_code == 10
    assert len(server.chat_requests) == 2


def test_streamed_request_falls_back_to_json_object(server: ScriptedServer) -> None:
    server.reject_json_schema = True  # llama-cpp-python: HTTP 500 on json_schema, streamed too
    server.add_json(filed_answer())
    steps: list[str] = []
    brief = make_briefer(server).brief(load_article(str(SEED)), progress=steps.append)
    first, second = server.chat_requests
    assert first["stream"] is True and first["response_format"]["type"] == "json_schema"
    assert second["stream"] is True and second["response_format"]["type"] == "json_object"
    assert brief.meta.response_format == "json_object" and brief.title == filed_answer()["title"]
    assert steps[0] == "Reading the article…" and written_counts(steps)


def test_stream_dropped_midway_is_a_clean_endpoint_error(server: ScriptedServer) -> None:
    server.add_cut_stream(json.dumps(filed_answer()), after=5)
    steps: list[str] = []
    with pytest.raises(EndpointError) as info:
        make_briefer(server).brief(load_article(str(SEED)), progress=steps.append)
    assert server.base_url in str(info.value)
    assert "Writing: 1 tokens" in steps  # it failed mid-way, after pieces had arrived
    assert len(server.chat_requests) == 1


def test_cli_on_a_terminal_streams_and_shows_progress(
    server: ScriptedServer, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefer.cli import main as cli

    steps: list[str] = []
    update = cli.Reporter.update

    def spy(self: cli.Reporter, step: str) -> None:
        steps.append(step)
        update(self, step)

    monkeypatch.setattr(cli.Reporter, "update", spy)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: stderr counts as a terminal
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    server.add_json(filed_answer(), prompt_tokens=811, completion_tokens=263)
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "-f", "md,json")
    assert result.exit_code == 0, result.output
    (request,) = server.chat_requests
    assert request.get("stream") is True  # a terminal watches: the answer is streamed
    assert steps[0] == "Reading the article…" and written_counts(steps), steps
    brief = Brief.model_validate_json((tmp_path / f"{SEED.stem}.json").read_text())
    assert (brief.meta.usage.prompt_tokens, brief.meta.usage.completion_tokens) == (811, 263)
    assert "811+263 tokens" in result.stderr  # the summary line, on the terminal


def test_cli_stream_dropped_midway_is_one_error_line(
    server: ScriptedServer, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    server.add_cut_stream(json.dumps(filed_answer()), after=5)
    out = tmp_path / "out"
    result = run_cli("brief", str(SEED), "-o", str(out), "--retries", "0")
    assert result.exit_code == 8, result.output
    assert server.chat_requests[0]["stream"] is True
    errors = [line for line in result.stderr.splitlines() if "briefer: error:" in line]
    assert len(errors) == 1 and server.base_url in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
