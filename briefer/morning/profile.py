"""Morning profiles: what to read, how to rank it, where the digest goes, whom to mail.

A profile is a ``[profiles.NAME]`` table of the config file. Its morning keys are the fields of
``Profile``; every other key is a setting (``base_url``, ``model``, ``handling``, ``max_cost``,
…) that applies to this profile's runs, beating the file's top level (environment variables and
flags still beat both). ``[profiles.NAME.delivery]`` mails the digest::

    [profiles.asia]
    sources = ["https://example.org/asia/rss.xml", "~/news/asia/", "~/news/asia-urls.txt"]
    topics = ["Taiwan", "North Korea"]
    max_items = 10
    out_dir = "~/briefs/asia"
    model = "qwen2.5:7b-instruct"
    base_url = "http://127.0.0.1:11434/v1"
    max_cost = 0.5

    [profiles.asia.delivery]
    smtp_host = "smtp.example.org"
    from = "briefer@example.org"
    to = ["me@example.org"]
    password_env = "BRIEFER_SMTP_PASSWORD"
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from briefer.config import Settings, read_profiles
from briefer.errors import ConfigError
from briefer.morning import limits as caps

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def parse_duration(text: str) -> timedelta:
    """``"24h"``, ``"90m"``, ``"2d"``, ``"1w"`` → a timedelta; anything else a ConfigError."""
    match = _DURATION.match(text or "")
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(
            f"{text!r} is not a duration", hint="use a number and m, h, d or w, e.g. 24h or 2d"
        )
    return timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2).lower()])


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(
            f"profile name {name!r} is not usable",
            hint="use letters, digits, '-', '_' and '.', e.g. asia",
        )
    return name


class Delivery(BaseModel):
    """SMTP delivery: the PDF attached, the Markdown as the body."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    smtp_host: str
    smtp_port: int | None = Field(default=None, ge=1, le=65535, description="587/465/25 by default")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = Field(
        default=None, description="environment variable holding the password (not the file)"
    )
    password: SecretStr | None = None
    from_addr: str = Field(alias="from")
    to: list[str]
    subject: str = "Morning brief {date}: {items} items"
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("to", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @property
    def port(self) -> int:
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class Profile(BaseModel):
    """One morning's sources, ranking, output and delivery."""

    model_config = ConfigDict(extra="forbid")

    name: str = "default"
    sources: list[str] = Field(min_length=1, description="feed URLs or files, URL lists, folders")
    since: str | None = Field(default=None, description="window, e.g. 24h [since the last run]")
    topics: list[str] = Field(default_factory=list, description="words that rank items up")
    max_items: int = Field(default=12, ge=1, le=200)
    out_dir: Path | None = Field(default=None, description="[~/Documents/briefer/NAME]")
    formats: list[str] = Field(default_factory=lambda: ["md", "json", "pdf"])
    delivery: Delivery | None = None
    # Bounded work (see briefer.morning.limits): caps applied before any page is fetched.
    max_entries_per_feed: int = Field(default=caps.MAX_ENTRIES_PER_FEED, ge=1)
    max_entries: int = Field(default=caps.MAX_ENTRIES, ge=1, description="entries a run keeps")
    max_fetches_per_feed: int = Field(default=caps.MAX_FETCHES_PER_FEED, ge=0)
    max_fetches: int = Field(default=caps.MAX_FETCHES, ge=0, description="pages a run fetches")
    max_fetches_per_host: int = Field(default=caps.MAX_FETCHES_PER_HOST, ge=0)
    fetch_delay: float = Field(
        default=caps.FETCH_DELAY, ge=0, description="seconds between fetches from one host"
    )
    #: Settings for this profile's runs (endpoint, budgets, handling…).
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    def limits(self) -> caps.Limits:
        return caps.Limits(
            entries_per_feed=self.max_entries_per_feed,
            entries=self.max_entries,
            fetches_per_feed=self.max_fetches_per_feed,
            fetches=self.max_fetches,
            fetches_per_host=self.max_fetches_per_host,
            fetch_delay=self.fetch_delay,
        )

    def window(self) -> timedelta | None:
        return parse_duration(self.since) if self.since else None

    def output_dir(self) -> Path:
        if self.out_dir is not None:
            return self.out_dir.expanduser()
        return Path(platformdirs.user_documents_dir()) / "briefer" / self.name


def _relative(value: str, base: Path) -> str:
    """A path source relative to the config file's folder (URLs as they are)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def profile_from_table(name: str, table: dict[str, Any], base: Path) -> Profile:
    """A profile from its TOML table; relative paths are relative to ``base``."""
    morning = {k: v for k, v in table.items() if k in Profile.model_fields and k != "settings"}
    rest = {k: v for k, v in table.items() if k not in morning}
    unknown = sorted(set(rest) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(
            f"profile {name!r}: unknown key {unknown[0]!r}",
            hint="see the README's Profiles for the keys a profile takes",
        )
    if isinstance(morning.get("sources"), list):
        morning["sources"] = [
            _relative(s, base) if isinstance(s, str) else s for s in morning["sources"]
        ]
    if isinstance(morning.get("out_dir"), str):
        morning["out_dir"] = _relative(morning["out_dir"], base)
    try:
        return Profile.model_validate({**morning, "name": name, "settings": rest})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"profile {name!r}: invalid {where!r}: {first['msg']}",
            hint="fix the profile in the config file",
        ) from exc


def load_profile(name: str, config_file: Path | None = None) -> Profile:
    """``[profiles.NAME]`` of the config file; a missing one is a ConfigError naming the rest."""
    check_name(name)
    path, tables = read_profiles(config_file)
    table = tables.get(name)
    if not isinstance(table, dict):
        known = ", ".join(sorted(tables)) or "none"
        raise ConfigError(
            f"no profile {name!r} in {path} (profiles: {known})",
            hint="add a [profiles." + name + "] table, or give --source",
        )
    return profile_from_table(name, table, path.parent)
