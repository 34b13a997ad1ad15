"""A fake served model (vLLM's or llama.cpp's OpenAI server) for the fleet tests and bench.

It answers ``/v1/chat/completions`` from the request's schema (scripted_server.auto_answer) after
``latency`` seconds, at most ``slots`` requests at a time (more wait for a slot, as a server's
queue does), and counts the requests in flight (received, not yet answered) and their peak.
``gather`` makes the peak a test asserts certain on a loaded machine: a request is held (up to
``GATHER_WAIT`` s) until that many have been in flight at once. ``busy`` scripts refusals:
request numbers (1-based) answered at once with a status (429, 503) and optional headers
(``Retry-After``). ``GET /stats`` gives the counts and the in-flight time
series, for a server run in another process (``python tests/fleet_server.py --port N``).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.scripted_server import MODEL, auto_answer, completion, error_body


@dataclass
class Refusal:
    status: int = 429
    headers: dict[str, str] = field(default_factory=dict)


_SYLLABLES = [
    "ar",
    "bel",
    "cor",
    "dan",
    "ev",
    "fal",
    "gor",
    "hal",
    "ist",
    "jun",
    "kar",
    "lom",
    "mar",
    "nor",
    "ost",
    "pra",
    "quin",
    "ros",
    "sal",
    "tor",
    "ul",
    "var",
    "wen",
    "zel",
]
_SENTENCES = [
    "Officials in {place} said {n} aid trucks crossed the border on {day}.",
    "The US envoy met {person} in {place} and said talks would continue.",
    "Local groups reported {m} families moved to shelters near {place}.",
    "{person}, the foreign minister, warned that the ceasefire could collapse by {day}.",
    "The State Department said Washington would send {n} observers to {place}.",
    "Fighting near {place} in {year} displaced {m} people, according to the United Nations.",
    "Negotiators plan to meet again in {place} on {day} to discuss a prisoner exchange.",
    "{person} said the blockade of {place} had cut fuel deliveries by {n} percent.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def synthetic_article(index: int, paragraphs: int | None = None) -> str:
    """A made-up news article, different for each ``index`` (its own places, people, numbers),
    of 1 to 40 paragraphs of three sentences (a few long enough to be read in parts)."""
    import random

    rng = random.Random(index)

    def name() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    places = [name() for _ in range(3)]
    people = [f"{name()} {name()}" for _ in range(3)]
    count = paragraphs or (rng.randint(25, 40) if index % 10 == 0 else rng.randint(1, 8))
    lines = [f"# {places[0]} and {places[1]} agree to talks on {people[0]}'s plan", ""]
    for _ in range(count):
        picked = rng.sample(_SENTENCES, 3)
        lines.append(
            " ".join(
                t.format(
                    place=rng.choice(places),
                    person=rng.choice(people),
                    n=rng.randint(2, 900),
                    m=rng.randint(10, 90_000),
                    day=rng.choice(_DAYS),
                    year=rng.randint(1990, 2025),
                )
                for t in picked
            )
        )
        lines.append("")
    return "\n".join(lines)


#: Longest hold of a request waiting for ``gather`` requests in flight (a client that cannot send
#: that many is not held longer).
GATHER_WAIT = 5.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 makes a burst of clients wait on SYN retries


class FleetServer:
    def __init__(
        self, *, latency: float = 0.0, slots: int = 64, port: int = 0, keep_alive: bool = False
    ) -> None:
        self.latency = latency
        self.slots = threading.Semaphore(slots)
        self.busy: dict[int, Refusal] = {}
        #: Refuse every request with this, while set (a server that is overloaded for a while).
        self.refuse_all: Refusal | None = None
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        #: Hold each request until this many have been in flight at once (0: never hold).
        self.gather = 0
        self.received = 0
        self.answered = 0
        self.refused = 0
        self.in_flight = 0
        self.peak = 0
        self.started = time.monotonic()
        #: (seconds since start, requests in flight) at every change.
        self.timeline: list[tuple[float, int]] = []
        #: When each request arrived (seconds since start) and the status it got.
        self.log: list[tuple[float, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as real servers do (the bench); tests close each connection, so that
            # no client's idle connection outlives its test (an unclosed-socket warning).
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            # Headers and body are two writes: with Nagle's algorithm the body would wait for
            # the client's delayed ACK (40 ms a response).
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    model = {"id": MODEL, "object": "model", "created": 0, "owned_by": "tests"}
                    self._send(200, {"object": "list", "data": [model]})
                elif self.path == "/stats":
                    self._send(200, server.stats())
                else:
                    self._send(404, error_body("not found", "not_found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.received += 1
                    number = server.received
                    refusal = server.busy.pop(number, None) or server.refuse_all
                    status = refusal.status if refusal else 200
                    server.log.append((time.monotonic() - server.started, status))
                    server.refused += refusal is not None
                if refusal is not None:
                    body = error_body("busy", "rate_limit_exceeded")
                    self._send(refusal.status, body, refusal.headers)
                    return
                server._enter()
                try:
                    server._gathered()
                    with server.slots:
                        if server.latency:
                            time.sleep(server.latency)
                        answer = json.dumps(auto_answer(payload))
                finally:
                    server._leave()
                self._send(200, completion(answer))

        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.timeline.append((time.monotonic() - self.started, self.in_flight))
            self.changed.notify_all()

    def _gathered(self) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.peak >= self.gather, timeout=GATHER_WAIT)

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1
            self.answered += 1
            self.timeline.append((time.monotonic() - self.started, self.in_flight))

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "now": time.monotonic() - self.started,
                "received": self.received,
                "answered": self.answered,
                "refused": self.refused,
                "peak": self.peak,
                "timeline": list(self.timeline),
            }

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}/v1"

    def start(self) -> FleetServer:
        self.started = time.monotonic()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--slots", type=int, default=8)
    args = parser.parse_args()
    server = FleetServer(
        latency=args.latency, slots=args.slots, port=args.port, keep_alive=True
    ).start()
    print(server.base_url, flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
