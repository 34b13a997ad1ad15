from __future__ import annotations

import os
import socketserver
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from briefer.brief.model_answer import key
from briefer.cli.main import main
from briefer.text.line_filters import is_content
from briefer.text.sentences import split_sentences

from .scripted_server import ScriptedServer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_df112d5052861120.txt"

# How a model files the seed's sentences (staged pipeline), by sentence id.
SEED_LABELS: dict[int, str] = {
    1: "background",
    2: "background",
    3: "us_position",
    4: "us_position",
    5: "us_position",
    6: "us_position",
    7: "us_position",
    8: "us_position",
    9: "us_position",
    10: "outlook",
    11: "ground_situation",
    12: "ground_situation",
    13: "ground_situation",
    14: "ground_situation",
    15: "outlook",
    16: "us_position",
}
SEED_TITLE = "White House Urges Rapid De-escalation Between India and Pakistan"
# A paraphrase whose every word is in the sentences it rests on: it passes the checks and stays.
# Two sentences' words: a bottom line blended from three is refused (``headline``).
SEED_BOTTOM_LINE = (
    "The White House says the US is engaged in diplomatic efforts to mediate between India and "
    "Pakistan after the April 22 Pahalgam attack."
)


def filed_answer(
    text: str | Path = SEED,
    labels: dict[int, str] | None = None,
    *,
    title: str = SEED_TITLE,
    bottom_line: str = SEED_BOTTOM_LINE,
    default: str = "ground_situation",
) -> dict[str, Any]:
    """The staged pipeline's model answer: headline, then a section for every sentence key."""
    source = text.read_text() if isinstance(text, Path) else text
    labels = SEED_LABELS if labels is None and text == SEED else (labels or {})
    answer: dict[str, Any] = {"title": title, "bottom_line": bottom_line}
    for sentence in split_sentences(source):
        if is_content(sentence):
            answer[key(sentence)] = labels.get(sentence.id, default)
    return answer


@pytest.fixture(autouse=True, scope="session")
def quiet_test_servers() -> Iterator[None]:
    """A test server's thread that meets a client gone away (a timeout test's, after its test
    ended) prints the traceback to whatever ``sys.stderr`` is then: another test's captured
    stderr, whose one-line error it breaks. What the servers answered, the tests assert."""
    loud = socketserver.BaseServer.handle_error
    socketserver.BaseServer.handle_error = lambda self, request, address: None  # type: ignore[method-assign]
    yield
    socketserver.BaseServer.handle_error = loud  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No user config, no real keys or endpoints leak into tests."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))  # briefer morning's state
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BRIEFER_MODEL",
        "BRIEFER_CONFIG",
        "BRIEFER_TIMEOUT",
        "BRIEFER_HANDLING",
        "BRIEFER_PAGE_SIZE",
        "SOURCE_DATE_EPOCH",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def run_cli(server: ScriptedServer) -> Any:
    """Run ``briefer ARGS`` in-process against the scripted server."""

    def run(*args: str, input: bytes | str | None = None, endpoint: bool = True) -> Result:
        extra = ["--base-url", server.base_url, "--timeout", "10"] if endpoint else []
        command, rest = args[0], list(args[1:])
        return CliRunner().invoke(main, [command, *extra, *rest], input=input)

    return run


# The user's cache, where the embedded model is assembled once (read before tests change it).
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


@pytest.fixture
def embedded_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A cache folder of the test's own (its own shared-server state, lock and log, so that
    servers of other test runs on the machine are not found) with the user's assembled model."""
    cache = tmp_path_factory.mktemp("cache")
    models = USER_CACHE / "briefer" / "models"
    models.mkdir(parents=True, exist_ok=True)
    (cache / "briefer").mkdir()
    (cache / "briefer" / "models").symlink_to(models)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache
