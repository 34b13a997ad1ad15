"""briefer morning from the command line, and delivery to a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from briefer.morning.state import RunLock, data_dir

from .feed_server import HARVEST, PORT
from .scripted_server import ScriptedServer


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "port.txt").write_text(PORT)
    (folder / "harvest.md").write_text("---\ndate: 2026-03-10\n---\n" + HARVEST)
    (folder / "README.md").write_text("Not an article: the folder's readme.")
    return folder


@pytest.fixture
def model(server: ScriptedServer) -> ScriptedServer:
    server.auto = True
    return server


def test_sources_from_the_command_line(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_cli("morning", "--source", str(articles), "-o", str(out), "-f", "md,json")
    assert result.exit_code == 0, result.output
    day = next(out.iterdir())
    written = [Path(line) for line in result.stdout.split()]
    assert day / "morning-brief.md" in written and day / "morning-brief.json" in written
    assert all(path.exists() for path in written)
    data = json.loads((day / "morning-brief.json").read_text())
    assert sorted(Path(i["sources"][0]).name for i in data["items"]) == ["harvest.md", "port.txt"]
    assert data["items"][0]["sources"][0].startswith(str(articles))  # as given: folder/file
    assert "✓ morning brief" in result.stderr and "2 items" in result.stderr
    # Dated by front matter; a file without a date is not given its modification time as one
    # (that decides only the window and the ranking).
    dates = {Path(i["sources"][0]).name: i["brief"]["sources"][0]["date"] for i in data["items"]}
    assert dates["harvest.md"] == "2026-03-10" and dates["port.txt"] is None


def test_one_bad_source_costs_only_itself(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "morning",
        "--source",
        str(articles),
        "--source",
        str(tmp_path / "nope"),
        "-o",
        str(out),
        "-f",
        "json",
    )
    assert result.exit_code == 14, result.output
    assert "1 of 2 sources could not be read" in result.stderr
    data = json.loads(next(out.iterdir()).joinpath("morning-brief.json").read_text())
    assert len(data["items"]) == 2
    assert data["not_included"] == [
        {"source": str(tmp_path / "nope"), "reason": "no such file or folder"}
    ]


def test_errors_are_one_line_and_write_nothing(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    missing = run_cli("morning", "-o", str(out))
    assert missing.exit_code == 7 and "--profile NAME or at least one --source" in missing.stderr
    unknown = run_cli("morning", "--profile", "asia", "-o", str(out))
    assert unknown.exit_code == 7 and "no profile 'asia'" in unknown.stderr
    bad_since = run_cli("morning", "--source", str(articles), "--since", "yesterday")
    assert bad_since.exit_code == 2 and "not a duration" in bad_since.output
    lock = RunLock(data_dir(), "default")
    lock.acquire()
    try:
        locked = run_cli("morning", "--source", str(articles), "-o", str(out))
    finally:
        lock.release()
    assert locked.exit_code == 20 and "in progress" in locked.stderr
    assert len(locked.stderr.strip().splitlines()) == 1
    assert not out.exists() and not model.chat_requests


def test_dry_run_prints_the_plan(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path
) -> None:
    result = run_cli("morning", "--source", str(articles), "-o", str(tmp_path / "o"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.stdout and "2 items" in result.stdout and "total" in result.stdout
    assert not (tmp_path / "o").exists() and not model.chat_requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Inbox:
    def __init__(self) -> None:
        self.mail: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mail.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content),
            )
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_digest_is_mailed_with_the_pdf_attached(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.farm]\nsources = ["{articles}"]\nout_dir = "out"\nformats = ["md", "pdf"]\n'
        f"max_items = 1\n"
        f'[profiles.farm.delivery]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f'security = "none"\nfrom = "briefer@example.org"\nto = "analyst@example.org"\n'
    )
    result = run_cli("morning", "--profile", "farm", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "mailed" in result.stderr
    assert len(inbox.mail) == 1
    sender, rcpts, mail = inbox.mail[0]
    assert sender == "briefer@example.org" and rcpts == ["analyst@example.org"]
    assert mail["Subject"].startswith("Morning brief ") and mail["Subject"].endswith(": 1 items")
    parts = list(mail.walk())
    body = next(p for p in parts if p.get_content_type() == "text/plain")
    day = next((tmp_path / "out").iterdir())
    markdown = (day / "morning-brief.md").read_text()
    assert body.get_payload(decode=True).decode().replace("\r\n", "\n") == markdown
    pdf = next(p for p in parts if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == f"morning-brief-{day.name}.pdf"
    assert pdf.get_payload(decode=True) == (day / "morning-brief.pdf").read_bytes()


def test_a_mail_that_cannot_be_sent_leaves_the_digest_written(
    model: ScriptedServer, run_cli: Any, articles: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.farm]\nsources = ["{articles}"]\nout_dir = "out"\nformats = ["md"]\n'
        f'[profiles.farm.delivery]\nsmtp_host = "127.0.0.1"\nsmtp_port = {_free_port()}\n'
        f'security = "none"\nfrom = "b@example.org"\nto = ["a@example.org"]\ntimeout = 2\n'
    )
    result = run_cli("morning", "--profile", "farm", "--config", str(config))
    assert result.exit_code == 21, result.output
    assert "mail not sent via 127.0.0.1" in result.stderr
    assert len(list((tmp_path / "out").glob("*/morning-brief.md"))) == 1
