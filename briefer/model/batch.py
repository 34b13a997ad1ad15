"""Model requests collected for the OpenAI Batch API, and the JSONL that carries them.

With a ``RequestCollector`` set on ``ChatModel``, a request whose answer is not in the answer
cache is not sent: its exact body is recorded under its cache key and ``AnswerPending`` is
raised. The pipeline itself is unchanged: run it again once the batch's answers are in the
cache, and it reads them as it reads any cached answer (``briefer.model.batch_rounds``).

A batch input line is ``{"custom_id": KEY, "method": "POST", "url": "/v1/chat/completions",
"body": {...}}``; an output line carries the same ``custom_id`` and the response (or an error).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from briefer.errors import EndpointError

BATCH_URL = "/v1/chat/completions"
#: What the Batch API costs against the same requests sent one by one.
BATCH_PRICE = 0.5
#: A batch in one of these states gives no more answers: the endpoint's final statuses, and
#: briefer's own (``collected``: its answers are in; ``not_found``: an id the endpoint does not
#: know). The state keeps a batch open until it has one of them.
FINISHED = frozenset({"completed", "collected", "failed", "expired", "cancelled", "not_found"})


class AnswerPending(Exception):
    """A model answer this work needs is not in yet; its request was collected. Not a failure:
    the work is run again once the batch is in."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(set(keys))
        super().__init__(f"{len(self.keys)} model answer(s) pending")


@dataclass
class RequestCollector:
    """The requests one round of work needs, by cache key. Thread-safe: the parts of a long
    article are filed concurrently."""

    #: Keys whose request failed in batches already (twice): asking again fails the work.
    given_up: Mapping[str, str] = field(default_factory=dict)
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The ``given_up`` keys asked for: their work failed.
    refused: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def collect(self, key: str, body: dict[str, Any]) -> NoReturn:
        if (reason := self.given_up.get(key)) is not None:
            with self._lock:
                self.refused.add(key)
            raise EndpointError(
                f"a model request failed twice in the batch: {reason}",
                hint="run the command again to try it once more, or brief it without --batch",
            )
        with self._lock:
            self.requests.setdefault(key, body)
        raise AnswerPending([key])


def jsonl(requests: Mapping[str, dict[str, Any]]) -> bytes:
    """The Batch API's input file: one request a line, ``custom_id`` its cache key."""
    return b"".join(
        json.dumps(
            {"custom_id": key, "method": "POST", "url": BATCH_URL, "body": body},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        + b"\n"
        for key, body in requests.items()
    )


@dataclass
class Results:
    """A batch's output (and error) files read back."""

    #: custom_id → the answer as the answer cache stores it.
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: custom_id → why its request failed.
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def prompt_tokens(self) -> int:
        return sum(a["prompt_tokens"] for a in self.answers.values())

    @property
    def completion_tokens(self) -> int:
        return sum(a["completion_tokens"] for a in self.answers.values())


def read_results(*files: bytes) -> Results:
    """The answers and failures of a batch's output and error files (lines in any order; a line
    that is not JSON or has no ``custom_id`` is skipped: it cannot be matched to a request)."""
    results = Results()
    for data in files:
        for line in data.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict) or not isinstance(record.get("custom_id"), str):
                continue
            key = record["custom_id"]
            answer, problem = _answer(record)
            if answer is not None:
                results.answers[key] = answer
                results.failed.pop(key, None)
            elif key not in results.answers:
                results.failed[key] = problem
    return results


def _answer(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """One output line as the answer cache's dict, else why it is no answer."""
    response = record.get("response") or {}
    error = record.get("error")
    status = response.get("status_code")
    body = response.get("body")
    if error or status != 200 or not isinstance(body, dict):
        detail = error or (body.get("error") if isinstance(body, dict) else None) or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        code = f"HTTP {status}" if status else "error"
        return None, f"{code}: {' '.join(str(message or 'no detail').split())[:160]}"
    choices = body.get("choices") or []
    if not choices:
        return None, "the response had no choices"
    choice = choices[0]
    usage = body.get("usage") or {}
    return {
        "content": (choice.get("message") or {}).get("content"),
        "finish_reason": choice.get("finish_reason"),
        "prompt_tokens": int(usage.get("prompt_tokens") or 0),
        "completion_tokens": int(usage.get("completion_tokens") or 0),
    }, ""
