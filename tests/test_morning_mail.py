"""Mailing the digest (a local aiosmtpd server on 127.0.0.1): never a password without TLS,
refused recipients reported, a day's digest mailed once unless asked again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from briefer.errors import ConfigError, DeliveryError
from briefer.morning.profile import Delivery, Profile
from briefer.morning.run import run_morning

from .feed_server import NOW, PORT
from .scripted_server import ScriptedServer
from .test_morning_cli import Inbox, _free_port
from .test_morning_run import settings_for


class Picky(Inbox):
    """Takes mail for every address but those in ``refuse``."""

    def __init__(self, refuse: set[str]) -> None:
        super().__init__()
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky() -> Iterator[tuple[Picky, int]]:
    inbox, port = Picky({"gone@example.org", "left@example.org"}), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def model(server: ScriptedServer) -> ScriptedServer:
    server.auto = True
    return server


def farm(tmp_path: Path, port: int, **delivery: Any) -> Profile:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "port.txt").write_text(PORT)
    mail = {"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
            "from": "briefer@example.org", "to": ["analyst@example.org"], **delivery}  # fmt: skip
    return Profile(
        name="farm",
        sources=[str(folder)],
        out_dir=tmp_path / "out",
        formats=["md"],
        delivery=Delivery.model_validate(mail),
    )


def test_no_password_is_sent_without_tls(
    model: ScriptedServer, picky: tuple[Picky, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = picky
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2")
    profile = farm(tmp_path, port, username="me", password_env="SMTP_PASSWORD")
    with pytest.raises(ConfigError, match='security = "none" would send the SMTP password'):
        run_morning(settings_for(model), profile, now=NOW)
    # Refused before any work: nothing asked, nothing written, nothing sent.
    assert not model.chat_requests and not (tmp_path / "out").exists() and not inbox.mail


def test_refused_recipients_are_reported(
    model: ScriptedServer, picky: tuple[Picky, int], tmp_path: Path
) -> None:
    inbox, port = picky
    profile = farm(tmp_path, port, to=["analyst@example.org", "gone@example.org"])
    result = run_morning(settings_for(model), profile, now=NOW)
    assert result.delivered and [rcpts for _, rcpts, _ in inbox.mail] == [["analyst@example.org"]]
    assert result.refused == ["gone@example.org (550 5.1.1 no such mailbox)"]


def test_all_recipients_refused_is_a_delivery_error(
    model: ScriptedServer, picky: tuple[Picky, int], tmp_path: Path
) -> None:
    inbox, port = picky
    profile = farm(tmp_path, port, to=["gone@example.org", "left@example.org"])
    with pytest.raises(DeliveryError, match=r"refused every recipient .*gone@example\.org: 550"):
        run_morning(settings_for(model), profile, now=NOW)
    assert not inbox.mail


def test_a_digest_is_mailed_once_unless_asked_again(
    model: ScriptedServer, picky: tuple[Picky, int], tmp_path: Path
) -> None:
    inbox, port = picky
    profile = farm(tmp_path, port)
    assert run_morning(settings_for(model), profile, now=NOW).delivered
    rerun = run_morning(settings_for(model), profile, now=NOW)
    assert not rerun.delivered and rerun.mailed_before is not None and len(inbox.mail) == 1
    again = run_morning(settings_for(model), profile, now=NOW, mail_again=True)
    assert again.delivered and len(inbox.mail) == 2


def test_cli_warns_of_refused_recipients_and_mails_again_on_request(
    model: ScriptedServer, run_cli: Any, picky: tuple[Picky, int], tmp_path: Path
) -> None:
    inbox, port = picky
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "port.txt").write_text(PORT)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.farm]\nsources = ["{tmp_path / "in"}"]\nout_dir = "out"\nformats = ["md"]\n'
        f'[profiles.farm.delivery]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f'security = "none"\nfrom = "b@example.org"\nto = ["a@example.org", "gone@example.org"]\n'
    )
    first = run_cli("morning", "--profile", "farm", "--config", str(config), "--quiet")
    assert first.exit_code == 0, first.output
    assert "refused 1 recipient(s): gone@example.org (550" in first.stderr
    second = run_cli("morning", "--profile", "farm", "--config", str(config))
    assert second.exit_code == 0 and "not mailed: the digest of" in second.stderr
    third = run_cli("morning", "--profile", "farm", "--config", str(config), "--mail-again")
    assert third.exit_code == 0 and ", mailed" in third.stderr
    assert len(inbox.mail) == 2
