"""A local OpenAI-protocol HTTP server that replays scripted answers, for fast tests.

briefer's real ``openai`` client talks to it over real HTTP on 127.0.0.1; each request to
``/v1/chat/completions`` takes the next scripted reply and is recorded for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "scripted-model"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as-is
    headers: dict[str, str] = field(default_factory=dict)


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 700,
    completion_tokens: int = 250,
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


def prompt_tokens(messages: list[dict[str, str]]) -> int:
    """The server's own count: o200k tokens of each message plus 4 of chat framing, plus 2."""
    import tiktoken

    enc = tiktoken.get_encoding("o200k_base")
    return 2 + sum(4 + len(enc.encode(m["content"], disallowed_special=())) for m in messages)


def auto_answer(payload: dict[str, Any]) -> dict[str, Any]:
    schema = (payload.get("response_format") or {}).get("json_schema", {}).get("schema", {})
    answer: dict[str, Any] = {}
    for key in schema.get("properties", {}):
        if key == "title":
            answer[key] = "Talks continue"
        elif key == "bottom_line":
            answer[key] = "The talks continue."
        else:
            answer[key] = "us_position" if " US " in f" {key} " else "ground_situation"
    return answer


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.reject_json_schema = False  # behave like llama-cpp-python: HTTP 500 on json_schema
        # With no scripted reply left, answer from the request's schema (a fake model that
        # files sentences mentioning the US under us_position, the rest under ground_situation).
        self.auto = False
        # Report prompt_tokens counted here with tiktoken, as a real OpenAI server would.
        self.count_prompt_tokens = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, reply: Reply) -> None:
                body = reply.body
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(
                        Reply(
                            body={
                                "object": "list",
                                "data": [
                                    {
                                        "id": MODEL,
                                        "object": "model",
                                        "created": 0,
                                        "owned_by": "tests",
                                    }
                                ],
                            }
                        )
                    )
                else:
                    self._send(Reply(404, error_body("not found", "not_found")))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "json": payload, "headers": dict(self.headers)}
                )
                if not self.path.endswith("/chat/completions"):
                    self._send(Reply(404, error_body("not found", "not_found")))
                    return
                fmt = (payload.get("response_format") or {}).get("type")
                if server.reject_json_schema and fmt == "json_schema":
                    self._send(Reply(500, error_body("response_format json_schema not supported")))
                    return
                if not server.replies and server.auto:
                    server.replies.append(Reply(body=completion(json.dumps(auto_answer(payload)))))
                if not server.replies:
                    self._send(Reply(500, error_body("scripted server: no reply left")))
                    return
                reply = server.replies.popleft()
                if server.count_prompt_tokens and isinstance(reply.body, dict):
                    reply.body["usage"]["prompt_tokens"] = prompt_tokens(payload["messages"])
                self._send(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # Scripting helpers -------------------------------------------------------------------------
    def add(self, reply: Reply) -> None:
        self.replies.append(reply)

    def add_content(self, content: str | None, **kwargs: Any) -> None:
        self.add(Reply(body=completion(content, **kwargs)))

    def add_json(self, data: dict[str, Any], **kwargs: Any) -> None:
        self.add_content(json.dumps(data), **kwargs)

    def add_error(self, status: int, message: str = "error", kind: str = "server_error") -> None:
        self.add(Reply(status, error_body(message, kind)))

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.requests if r["path"].endswith("/chat/completions")]
