"""Settings precedence: flags beat environment, environment beats the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.config import config_path, load_settings
from briefer.errors import ConfigError
from briefer.model.llm import resolve_endpoint


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_precedence_flags_env_file(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "c.toml",
        'base_url = "http://file/v1"\nmodel = "file-model"\ntimeout = 42\nhandling = "FILE"\n',
    )
    env = {"OPENAI_BASE_URL": "http://env/v1", "BRIEFER_MODEL": "env-model"}
    s = load_settings({"model": "flag-model", "timeout": None}, config_file=cfg, environ=env)
    assert s.model == "flag-model"  # flag beats env and file
    assert s.base_url == "http://env/v1"  # env beats file
    assert s.timeout == 42  # file beats default; a None flag means "not given"
    assert s.handling == "FILE"


def test_default_config_location_is_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write_config(tmp_path / "briefer" / "config.toml", 'model = "xdg-model"\n')
    assert config_path() == tmp_path / "briefer" / "config.toml"
    assert load_settings(environ={}).model == "xdg-model"


def test_relative_override_dirs_are_relative_to_config(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "conf" / "c.toml", 'prompts_dir = "my-prompts"\n')
    assert (
        load_settings(config_file=cfg, environ={}).prompts_dir == tmp_path / "conf" / "my-prompts"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("base_url = ", "cannot read config file"),
        ("timeout = -1", "invalid setting 'timeout'"),
        ("colour = 'red'", "invalid setting 'colour'"),
    ],
)
def test_bad_config_file(tmp_path: Path, text: str, message: str) -> None:
    cfg = write_config(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(config_file=cfg, environ={})
    assert info.value.exit_code == 7


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(config_file=tmp_path / "nope.toml", environ={})


def test_endpoint_resolution() -> None:
    local = resolve_endpoint(load_settings({"base_url": "http://127.0.0.1:8080/v1/"}, environ={}))
    assert (local.base_url, local.api_key, local.model) == (
        "http://127.0.0.1:8080/v1",
        "not-needed",
        None,
    )
    openai = resolve_endpoint(load_settings(environ={"OPENAI_API_KEY": "sk-test"}))
    assert openai.base_url == "https://api.openai.com/v1" and openai.model == "gpt-4o-mini"
    with pytest.raises(ConfigError, match="no model endpoint configured"):
        resolve_endpoint(load_settings(environ={}))
