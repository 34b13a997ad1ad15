"""A local OpenAI-protocol HTTP server that replays scripted answers, for fast tests.

briefer's real ``openai`` client talks to it over real HTTP on 127.0.0.1; each request to
``/v1/chat/completions`` takes the next scripted reply and is recorded for assertions.

A request with ``"stream": true`` gets its reply as Server-Sent Events, as OpenAI sends them:
``chat.completion.chunk`` objects over chunked transfer encoding, the content split into several
``delta.content`` pieces, a last chunk with the finish reason, a usage chunk (empty ``choices``)
when ``stream_options.include_usage`` is set, then ``data: [DONE]``. A reply with ``cut_after``
closes the connection after that many content pieces, mid-body, as a dropped connection does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import accumulate
from typing import Any

from briefer.brief.model_answer import LABELS

MODEL = "scripted-model"
#: Characters of content in one streamed ``delta.content`` piece.
STREAM_PIECE_CHARS = 7


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as-is
    headers: dict[str, str] = field(default_factory=dict)
    #: Streamed answers only: close the connection after this many content pieces.
    cut_after: int | None = None


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


def stream_pieces(content: str | None) -> list[str]:
    """The content as the ``delta.content`` pieces of a streamed answer."""
    text = content or ""
    return [text[i : i + STREAM_PIECE_CHARS] for i in range(0, len(text), STREAM_PIECE_CHARS)]


def stream_events(body: dict[str, Any], *, include_usage: bool) -> list[str]:
    """A non-streamed completion as the SSE ``data:`` payloads OpenAI streams instead: a role
    chunk, one chunk a content piece, the finish-reason chunk, the usage chunk, ``[DONE]``."""
    choice = body["choices"][0]
    base = {
        "id": body["id"],
        "object": "chat.completion.chunk",
        "created": body["created"],
        "model": body["model"],
        "system_fingerprint": None,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        data: dict[str, Any] = {
            **base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            data["usage"] = None
        return json.dumps(data)

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    events += [chunk({"content": piece}) for piece in stream_pieces(choice["message"]["content"])]
    finish = chunk({}, choice["finish_reason"])
    if "timings" in body:  # llama.cpp's server: its timings ride on the finish-reason chunk
        finish = json.dumps({**json.loads(finish), "timings": body["timings"]})
    events.append(finish)
    if include_usage:
        events.append(json.dumps({**base, "choices": [], "usage": body["usage"]}))
    events.append("[DONE]")
    return events


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


def template(messages: list[dict[str, str]]) -> str:
    """A chat template as llama.cpp's /apply-template renders one: the messages, then the
    assistant's turn."""
    turns = "".join(f"<|{m['role']}|>{m['content']}\n" for m in messages)
    return turns + "<|assistant|>"


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.reject_json_schema = False  # behave like llama-cpp-python: HTTP 500 on json_schema
        # With no scripted reply left, answer from the request's schema (a fake model that
        # files sentences mentioning the US under us_position, the rest under ground_situation).
        self.auto = False
        # Replies for given chat requests (1-based), whatever else is scripted or automatic.
        self.at: dict[int, Reply] = {}
        # Report prompt_tokens counted here with tiktoken, as a real OpenAI server would.
        self.count_prompt_tokens = False
        # llama.cpp's /apply-template and /v1/completions, writing this answer a piece at a
        # time (``step_reply``); None: both are 404, as on OpenAI's servers.
        self.steps: dict[str, str] | None = None
        #: Characters a one-token completion gives (an enum value's first "token").
        self.step_piece = 2
        #: Strings cut after this many characters with finish_reason "length".
        self.step_cut: int | None = None
        #: Between a key and its value, as the model lays it out (briefer's answers have both).
        self.step_colon = ": "
        #: One-token steps to answer with a token outside the grammar ("zz").
        self.step_astray = 0
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

            def _stream(self, reply: Reply, payload: dict[str, Any]) -> None:
                """The reply as Server-Sent Events over chunked transfer encoding."""
                include_usage = bool((payload.get("stream_options") or {}).get("include_usage"))
                events = stream_events(reply.body, include_usage=include_usage)
                self.protocol_version = "HTTP/1.1"  # chunked encoding; this response only
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.close_connection = True
                # events[0] is the role chunk; content pieces follow it.
                cut = None if reply.cut_after is None else 1 + reply.cut_after
                for index, event in enumerate(events):
                    if index == cut:
                        self.wfile.flush()
                        # Mid-body, no terminating chunk: the client sees a dropped connection.
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    data = f"data: {event}\n\n".encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

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
                if server.steps is not None and self.path == "/apply-template":
                    self._send(Reply(body={"prompt": template(payload["messages"])}))
                    return
                if server.steps is not None and self.path.endswith("/v1/completions"):
                    self._send(server.step_reply(payload))
                    return
                if not self.path.endswith("/chat/completions"):
                    self._send(Reply(404, error_body("not found", "not_found")))
                    return
                fmt = (payload.get("response_format") or {}).get("type")
                if server.reject_json_schema and fmt == "json_schema":
                    self._send(Reply(500, error_body("response_format json_schema not supported")))
                    return
                if (planned := server.at.pop(len(server.chat_requests), None)) is not None:
                    self._send(planned)
                    return
                if not server.replies and server.auto:
                    server.replies.append(Reply(body=completion(json.dumps(auto_answer(payload)))))
                if not server.replies:
                    self._send(Reply(500, error_body("scripted server: no reply left")))
                    return
                reply = server.replies.popleft()
                if server.count_prompt_tokens and isinstance(reply.body, dict):
                    reply.body["usage"]["prompt_tokens"] = prompt_tokens(payload["messages"])
                if payload.get("stream") and reply.status == 200 and isinstance(reply.body, dict):
                    self._stream(reply, payload)
                else:  # errors are plain JSON, for streamed requests too (as OpenAI does)
                    self._send(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def step_reply(self, payload: dict[str, Any]) -> Reply:
        """The next piece of ``steps`` as the completion after ``payload``'s prompt: the rest of
        the field being written, or ``step_piece`` characters of it for a one-token request.
        The prompt must be the template and the answer so far, laid out as briefer's one-call
        answers are (``{ "key": value, … }``)."""
        assert self.steps is not None
        fields = list(self.steps.items())
        parts = [
            ("{ " if n == 0 else ", ") + json.dumps(k) + self.step_colon + json.dumps(v)
            for n, (k, v) in enumerate(fields)
        ]
        full = "".join(parts) + " }"
        prompt = payload.get("prompt", "")
        start = prompt.find("<|assistant|>")
        so_far = prompt[start + len("<|assistant|>") :] if start >= 0 else None
        if so_far is None or not full.startswith(so_far) or len(so_far) >= len(full) - 2:
            return Reply(400, error_body(f"not the scripted answer so far: {so_far!r}"))
        ends = list(accumulate(len(part) for part in parts))
        n = next(i for i, e in enumerate(ends) if e > len(so_far))  # the field being written
        end = ends[n]
        finish = "stop"
        start = end - len(parts[n])
        key_end = start + len(("{ " if n == 0 else ", ") + json.dumps(fields[n][0]))
        key_end += len(self.step_colon) + 1  # and the value's opening quote
        if payload.get("max_tokens") == 1 and self.step_astray:
            self.step_astray -= 1
            text = "zz"
        elif payload.get("max_tokens") == 1:
            text = full[len(so_far) : min(end, len(so_far) + self.step_piece)]
        elif fields[n][1] in LABELS and len(so_far) < key_end:
            text = full[len(so_far) : key_end]  # the opening and a label's key, up to its quote
        else:
            # The strings from here (title, bottom line) and the text after them up to the next
            # label's opening quote, as the grammar has it.
            after, k = end, n + 1
            while k < len(fields) and fields[k][1] not in LABELS:
                after += len(parts[k])
                k += 1
            after = (
                len(full)
                if k == len(fields)
                else after + len(", " + json.dumps(fields[k][0]) + ': "')
            )
            text = full[len(so_far) : after]
            if self.step_cut is not None:
                text, finish = text[: self.step_cut], "length"
        body = {
            "id": "cmpl-scripted",
            "object": "text_completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": len(prompt) // 4,
                "completion_tokens": 1,
                "total_tokens": len(prompt) // 4 + 1,
            },
            "timings": {"prompt_ms": 10.0, "predicted_ms": 5.0},
        }
        return Reply(body=body)

    @property
    def completions(self) -> list[dict[str, Any]]:
        """The bodies of the /v1/completions requests, in order."""
        return [r["json"] for r in self.requests if r["path"].endswith("/v1/completions")]

    # Scripting helpers -------------------------------------------------------------------------
    def add(self, reply: Reply) -> None:
        self.replies.append(reply)

    def add_content(self, content: str | None, **kwargs: Any) -> None:
        self.add(Reply(body=completion(content, **kwargs)))

    def add_json(self, data: dict[str, Any], **kwargs: Any) -> None:
        self.add_content(json.dumps(data), **kwargs)

    def add_cut_stream(self, content: str, *, after: int = 3) -> None:
        """A streamed answer whose connection drops after ``after`` content pieces."""
        self.add(Reply(body=completion(content), cut_after=after))

    def add_error(self, status: int, message: str = "error", kind: str = "server_error") -> None:
        self.add(Reply(status, error_body(message, kind)))

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.requests if r["path"].endswith("/chat/completions")]
