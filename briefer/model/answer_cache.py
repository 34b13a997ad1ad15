"""A disk cache of model answers, so re-running an evaluation costs no model time.

The key hashes everything that decides the answer: endpoint, model, messages (article text and
prompt), schema, and sampling settings. Used by ``briefer eval`` (``--fresh`` bypasses reading)
and ``briefer morning``; with ``--batch`` the key is each request's ``custom_id``, and the
batch's answers are put here (``briefer.batching``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from briefer.render.output import write_atomic


def answer_key(**request: Any) -> str:
    blob = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class AnswerCache:
    def __init__(self, directory: Path, *, read: bool = True) -> None:
        self.directory = directory
        self.read = read

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.read:
            return None
        try:
            data = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, answer: dict[str, Any]) -> None:
        write_atomic({self._path(key): json.dumps(answer).encode()})
