"""Settings: command-line flags beat environment variables, which beat the TOML config file.

The config file lives at ``$XDG_CONFIG_HOME/briefer/config.toml``
(``~/.config/briefer/config.toml``), or wherever ``BRIEFER_CONFIG`` / ``--config`` point. Example::

    base_url = "http://127.0.0.1:8080/v1"
    model = "qwen2.5-coder-1.5b-instruct"
    timeout = 300
    handling = "UNCLASSIFIED"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"

# Environment variable → setting name.
ENV_VARS: dict[str, str] = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "BRIEFER_MODEL": "model",
    "BRIEFER_TIMEOUT": "timeout",
    "BRIEFER_HANDLING": "handling",
}


class Settings(BaseModel):
    """Everything configurable. ``None`` for the endpoint means "not configured"."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    timeout: float = Field(default=300.0, gt=0, description="seconds for one model request")
    max_retries: int = Field(default=3, ge=0, description="retries on 429, 5xx, connection errors")
    temperature: float = Field(default=0.0, ge=0, le=2, description="0: the same brief each run")
    seed: int | None = Field(default=None, description="sampling seed, where the server honours it")
    max_output_tokens: int = Field(default=1500, gt=0)
    local_context: int = Field(default=4096, ge=1024, description="embedded model context tokens")
    local_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    local_model_path: Path | None = Field(
        default=None, description="a GGUF file to serve instead of the bundled model"
    )
    endpoint_id: str | None = Field(
        default=None,
        description="identity of the endpoint for the answer cache [default: its base URL]",
    )
    context_window: int | None = Field(
        default=None, description="the endpoint's context in tokens, where known (checked first)"
    )
    concurrency: int | None = Field(
        default=None, ge=1, description="parallel model calls for chunks [1 local, 4 remote]"
    )
    max_cost: float | None = Field(default=None, gt=0, description="USD a run may spend")
    max_tokens: int | None = Field(default=None, gt=0, description="tokens a run may use")
    models: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="per-model overrides: encoding, context, input/output_per_million (USD)",
    )
    on_unsupported: Literal["flag", "drop", "fail"] = Field(
        default="flag",
        description="statements the verifier finds unsupported: mark them, drop them, or fail",
    )
    grammar: bool = Field(
        default=False,
        description="send llama.cpp's server a compact GBNF grammar instead of response_format",
    )
    handling: str = Field(default="UNCLASSIFIED", description="banner at top and bottom of PDFs")
    prompts_dir: Path | None = Field(default=None, description="overrides for prompts/*.j2")
    templates_dir: Path | None = Field(default=None, description="overrides for templates/*")


def config_path() -> Path:
    env = os.environ.get("BRIEFER_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("briefer")) / "config.toml"


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(f"config file {path} does not exist", hint="check --config")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read config file {path}: {exc}", hint="fix or remove it"
        ) from exc
    # Relative override directories are relative to the config file, not to the cwd.
    for key in ("prompts_dir", "templates_dir"):
        if isinstance(data.get(key), str):
            data[key] = str((path.parent / Path(data[key]).expanduser()).resolve())
    return data


def load_settings(
    flags: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Merge file, environment and flags (``None`` flag values mean "not given")."""
    env = os.environ if environ is None else environ
    path = config_file or config_path()
    merged: dict[str, Any] = _read_file(path, required=config_file is not None)
    for var, key in ENV_VARS.items():
        if env.get(var):
            merged[key] = env[var]
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"invalid setting {where!r}: {first['msg']}",
            hint=f"check flags, environment and {path}",
        ) from exc
