"""Where prompts and templates come from: user overrides first, then the bundled files."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs

from briefer.errors import ConfigError

Kind = Literal["prompts", "templates"]


def bundled_dir(kind: Kind) -> Path:
    """The bundled folder: inside the package in a wheel, at the repository root when editable."""
    here = Path(__file__).resolve().parent
    for candidate in (here / kind, here.parent / kind):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"briefer's bundled {kind}/ folder is missing", hint="reinstall briefer")


def search_path(kind: Kind, override: Path | None = None) -> list[Path]:
    """Folders to look in, first match wins: --*-dir / config, ~/.config/briefer/KIND, bundled."""
    dirs: list[Path] = []
    if override is not None:
        if not override.is_dir():
            raise ConfigError(f"{kind} folder {override} does not exist", hint="check the setting")
        dirs.append(override)
    user = Path(platformdirs.user_config_dir("briefer")) / kind
    if user.is_dir():
        dirs.append(user)
    dirs.append(bundled_dir(kind))
    return dirs
