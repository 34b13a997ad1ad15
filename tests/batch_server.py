"""A local fake of the OpenAI Files and Batch API, for fast tests of ``--batch``.

briefer's real ``openai`` client talks to it over real HTTP on 127.0.0.1: ``POST /v1/files``
(multipart upload), ``GET /v1/files/{id}/content``, ``POST /v1/batches`` (metadata kept), ``GET
/v1/batches`` (newest first, ``limit``/``after`` pages), ``GET /v1/batches/{id}``, ``POST
/v1/batches/{id}/cancel``, ``GET /v1/models``. A line's body may limit its answer with
``max_tokens`` or ``max_completion_tokens`` (``reject_max_tokens``: the former fails, as
OpenAI's o-series and gpt-5 models refuse it). A chat request sent
directly (``/v1/chat/completions``) is counted and answered, so a test can assert there were
none. Each batch follows the next ``Script`` (default: one look in progress, then completed):
its answers are made as the scripted chat server's automatic model makes them, so they are
valid filings and headlines.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner, Result

from briefer.cli.main import main

from .scripted_server import MODEL, auto_answer, completion, error_body

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_df112d5052861120.txt"


def two_articles(path: Path) -> Path:
    """A folder of two short articles (one request each): the seed and a variant of it."""
    path.mkdir()
    text = SEED.read_text()
    (path / "a.txt").write_text(text)
    (path / "b.txt").write_text(text.replace("India", "Nepal").replace("Pakistan", "Bhutan"))
    return path


def brief_batch(
    fake: BatchServer, tmp_path: Path, *args: str, config: str = "", formats: str = "md"
) -> Result:
    """``briefer brief --batch ARGS`` in-process against ``fake``, written to tmp_path/out."""
    cfg = tmp_path / "batch.toml"
    cfg.write_text(config)
    return CliRunner().invoke(
        main,
        ["brief", "--base-url", fake.base_url, "--api-key", "k", "--config", str(cfg),
         "--timeout", "10", "--batch", "--poll", "0.01", "-f", formats,
         "-o", str(tmp_path / "out"), *args],
    )  # fmt: skip


@dataclass
class Script:
    """How one batch goes."""

    #: Looks (retrieves) that find it in progress before it ends.
    in_progress: int = 1
    #: How it ends: completed, expired, cancelled or failed.
    outcome: str = "completed"
    #: Requests that fail (the first N lines): the odd ones in the error file, the even ones as
    #: an HTTP 500 line in the output.
    fail: int = 0
    #: For an expired or cancelled batch: the lines answered before it ended.
    answered: int = 0
    #: Only these custom ids fail (instead of the first ``fail`` lines).
    fail_ids: frozenset[str] = frozenset()
    #: The first N answers are cut off (``finish_reason`` "length").
    cut_off: int = 0
    #: Its output file is deleted once it completes (HTTP 404 on its content).
    output_gone: bool = False


@dataclass
class FakeBatch:
    id: str
    input_file_id: str
    lines: list[dict[str, Any]]
    script: Script
    looks: int = 0
    status: str = "validating"
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0
    metadata: dict[str, str] | None = None
    created_at: int = 0


class BatchServer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, FakeBatch] = {}
        self.scripts: deque[Script] = deque()
        #: Every request: (method, path).
        self.requests: list[tuple[str, str]] = []
        self.chat_requests: list[dict[str, Any]] = []
        self.uploads: list[bytes] = []
        #: Lines with ``max_tokens`` fail with HTTP 400 (OpenAI's newer models).
        self.reject_max_tokens = False
        #: The next N creates make the batch, then answer HTTP 500 (a reply lost after the fact).
        self.lost_creates = 0
        #: The next N creates are refused (HTTP 400) and make no batch.
        self.refused_creates = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _read(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def do_GET(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                server.requests.append(("GET", path))
                with server._lock:
                    if path.endswith("/models"):
                        model = {"id": MODEL, "object": "model", "created": 0, "owned_by": "t"}
                        self._send(200, {"object": "list", "data": [model]})
                    elif path.startswith("/v1/files/") and path.endswith("/content"):
                        file_id = path.split("/")[3]
                        if file_id not in server.files:
                            self._send(404, error_body("no such file", "not_found"))
                        else:
                            self._send(200, server.files[file_id], "application/octet-stream")
                    elif path == "/v1/batches":
                        self._send(200, server._list(self.path))
                    elif path.startswith("/v1/batches/"):
                        batch = server.batches.get(path.split("/")[3])
                        if batch is None:
                            self._send(404, error_body("no such batch", "not_found"))
                        else:
                            server._advance(batch)
                            self._send(200, server._object(batch))
                    else:
                        self._send(404, error_body("not found", "not_found"))

            def do_POST(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                server.requests.append(("POST", path))
                body = self._read()
                with server._lock:
                    if path.endswith("/chat/completions"):
                        payload = json.loads(body)
                        server.chat_requests.append(payload)
                        self._send(200, completion(json.dumps(auto_answer(payload))))
                    elif path == "/v1/files":
                        self._send(200, server._upload(self.headers["Content-Type"], body))
                    elif path == "/v1/batches":
                        payload = json.loads(body)
                        if server.refused_creates:
                            server.refused_creates -= 1
                            self._send(400, error_body("too many batches", "invalid_request"))
                            return
                        assert payload["endpoint"] == "/v1/chat/completions"
                        assert payload["completion_window"] == "24h"
                        batch = server._create(payload["input_file_id"], payload.get("metadata"))
                        if server.lost_creates:
                            server.lost_creates -= 1
                            self._send(500, error_body("the reply was lost"))
                        else:
                            self._send(200, server._object(batch))
                    elif path.startswith("/v1/batches/") and path.endswith("/cancel"):
                        batch = server.batches[path.split("/")[3]]
                        batch.status = "cancelling"
                        batch.script.outcome = "cancelled"
                        batch.script.in_progress = 0
                        self._send(200, server._object(batch))
                    else:
                        self._send(404, error_body("not found", "not_found"))

            def do_DELETE(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                server.requests.append(("DELETE", path))
                with server._lock:
                    file_id = path.split("/")[-1]
                    if path.startswith("/v1/files/") and file_id in server.files:
                        del server.files[file_id]
                        self._send(200, {"id": file_id, "object": "file", "deleted": True})
                    else:
                        self._send(404, error_body("no such file", "not_found"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- the fake service -------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def _upload(self, content_type: str, body: bytes) -> dict[str, Any]:
        message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        fields = {
            part.get_param("name", header="content-disposition"): part
            for part in message.get_payload()  # type: ignore[union-attr]
        }
        assert fields["purpose"].get_payload(decode=True) == b"batch"
        data = fields["file"].get_payload(decode=True)
        file_id = self._new_id("file")
        self.files[file_id] = data
        self.uploads.append(data)
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": fields["file"].get_filename() or "input.jsonl",
            "purpose": "batch",
            "status": "processed",
        }

    def _list(self, raw_path: str) -> dict[str, Any]:
        query = parse_qs(urlsplit(raw_path).query)
        limit = int(query.get("limit", ["20"])[0])
        newest = list(reversed(self.batches.values()))
        if after := query.get("after", [""])[0]:
            newest = newest[[b.id for b in newest].index(after) + 1 :]
        page = newest[:limit]
        return {
            "object": "list",
            "data": [self._object(b) for b in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(newest) > limit,
        }

    def _create(self, input_file_id: str, metadata: dict[str, str] | None = None) -> FakeBatch:
        lines = [json.loads(line) for line in self.files[input_file_id].splitlines()]
        for line in lines:  # the shape the Batch API takes
            assert set(line) == {"custom_id", "method", "url", "body"}, line
            assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        script = self.scripts.popleft() if self.scripts else Script()
        batch = FakeBatch(self._new_id("batch"), input_file_id, lines, script, metadata=metadata)
        self.batches[batch.id] = batch
        return batch

    def _advance(self, batch: FakeBatch) -> None:
        """One look: in progress for the scripted looks, then its outcome."""
        if batch.status in ("completed", "expired", "cancelled", "failed"):
            return
        batch.looks += 1
        if batch.looks <= batch.script.in_progress:
            batch.status = "in_progress"
            return
        script = batch.script
        if script.outcome == "failed":
            batch.status = "failed"
            return
        finished = script.outcome == "completed"
        answered = batch.lines if finished else batch.lines[: script.answered]
        out, errors = [], []
        for n, line in enumerate(answered):
            key = line["custom_id"]
            fails = key in script.fail_ids if script.fail_ids else n < script.fail
            record: dict[str, Any] = {"id": f"req-{n}", "custom_id": key}
            if fails and n % 2:
                hiccup = {"code": "server_error", "message": "backend hiccup"}
                errors.append({**record, "response": None, "error": hiccup})
            elif fails:
                out.append({**record, "error": None, "response": {
                    "status_code": 500, "request_id": f"r{n}",
                    "body": error_body("the model crashed"),
                }})  # fmt: skip
            elif self.reject_max_tokens and "max_tokens" in line["body"]:
                out.append({**record, "error": None, "response": {
                    "status_code": 400, "request_id": f"r{n}",
                    "body": error_body("Unsupported parameter: 'max_tokens'; use "
                                       "'max_completion_tokens' instead"),
                }})  # fmt: skip
            else:
                body = line["body"]
                assert isinstance(body.get("max_tokens", body.get("max_completion_tokens")), int)
                finish = "length" if n < script.cut_off else "stop"
                answer = completion(json.dumps(auto_answer(body)), finish_reason=finish)
                out.append({**record, "error": None, "response": {
                    "status_code": 200, "request_id": f"r{n}", "body": answer,
                }})  # fmt: skip
        batch.failed = sum(1 for r in out if r["response"]["status_code"] != 200) + len(errors)
        batch.completed = len(answered) - batch.failed
        if out:
            batch.output_file_id = self._new_id("file")
            self.files[batch.output_file_id] = "".join(json.dumps(r) + "\n" for r in out).encode()
        if errors:
            batch.error_file_id = self._new_id("file")
            self.files[batch.error_file_id] = "".join(json.dumps(r) + "\n" for r in errors).encode()
        if script.output_gone and batch.output_file_id:
            del self.files[batch.output_file_id]
        batch.status = script.outcome

    def _object(self, batch: FakeBatch) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": batch.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": batch.input_file_id,
            "completion_window": "24h",
            "status": batch.status,
            "created_at": int(time.time()),
            "metadata": batch.metadata,
            "output_file_id": batch.output_file_id,
            "error_file_id": batch.error_file_id,
            "request_counts": {
                "total": len(batch.lines),
                "completed": batch.completed,
                "failed": batch.failed,
            },
        }
        if batch.status == "failed":
            data["errors"] = {
                "object": "list",
                "data": [{"code": "invalid_request", "message": "the input file was refused"}],
            }
        return data

    # -- for tests --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}/v1"

    def start(self) -> BatchServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def created(self) -> list[FakeBatch]:
        return list(self.batches.values())

    @property
    def lines_submitted(self) -> int:
        return sum(len(b.lines) for b in self.batches.values())
