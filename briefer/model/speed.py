"""How fast the embedded model runs on this machine, learnt from real runs, so that ``--dry-run``
can say how long a run will take.

llama.cpp's server reports each answer's ``timings``: milliseconds spent reading the prompt and
writing the answer. A run sums them and divides by its prompt and completion tokens as the
request counted them, so the prompt cache's savings are inside the rates. Beside them it keeps
what the run spent outside the model: starting the server, the interpreter and imports before
the first input, and each input's loading, checking and rendering. The result goes to
``speed.json`` in briefer's cache folder, keyed by what the server ran with (model, context,
threads). A later run is blended in half and half, so the figure follows the machine without
jumping on one odd run.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError

from briefer.config import Settings
from briefer.model.model_store import cache_dir
from briefer.render.output import write_atomic

SPEED_FILE = "speed.json"
_BLEND = 0.5  # weight of the newest run


class Timings:
    """The server's timings summed over a run's answered calls (calls come from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.prompt_ms = 0.0
        self.predicted_ms = 0.0

    def add(self, timings: object, prompt_tokens: int, completion_tokens: int) -> None:
        """One answer's ``timings`` (llama.cpp); anything else (another server) is ignored."""
        if not isinstance(timings, dict):
            return
        try:
            prompt_ms = float(timings["prompt_ms"])
            predicted_ms = float(timings["predicted_ms"])
        except (KeyError, TypeError, ValueError):
            return
        with self._lock:
            self.calls += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.prompt_ms += prompt_ms
            self.predicted_ms += predicted_ms

    @property
    def seconds(self) -> float:
        return (self.prompt_ms + self.predicted_ms) / 1000


class Speed(BaseModel):
    """The embedded model's speed on this machine and a run's costs outside the model."""

    key: dict[str, str]
    prompt_per_s: float
    completion_per_s: float
    start_seconds: float | None = None  # None until a run has started the server itself
    fixed_seconds: float  # a run's time outside its inputs: interpreter, imports, stopping
    per_input_seconds: float  # an input's time outside the model: loading, checks, rendering
    runs: int = 1

    def input_seconds(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Seconds one input with these tokens takes, outside a run's fixed costs."""
        return (
            self.per_input_seconds
            + prompt_tokens / self.prompt_per_s
            + completion_tokens / self.completion_per_s
        )

    def predict(
        self, prompt_tokens: int, completion_tokens: int, *, inputs: int, start: bool
    ) -> float:
        """Seconds of a run of ``inputs`` inputs with these tokens; ``start``: no server runs."""
        starting = (self.start_seconds or 0.0) if start else 0.0
        return (
            starting
            + self.fixed_seconds
            + self.input_seconds(prompt_tokens, completion_tokens)
            + self.per_input_seconds * (inputs - 1)
        )

    def blend(self, newer: Speed) -> Speed:
        def mix(old: float, new: float) -> float:
            return (1 - _BLEND) * old + _BLEND * new

        return Speed(
            key=newer.key,
            prompt_per_s=mix(self.prompt_per_s, newer.prompt_per_s),
            completion_per_s=mix(self.completion_per_s, newer.completion_per_s),
            start_seconds=(
                self.start_seconds
                if newer.start_seconds is None
                else newer.start_seconds
                if self.start_seconds is None
                else mix(self.start_seconds, newer.start_seconds)
            ),
            fixed_seconds=mix(self.fixed_seconds, newer.fixed_seconds),
            per_input_seconds=mix(self.per_input_seconds, newer.per_input_seconds),
            runs=self.runs + 1,
        )


def speed_key(settings: Settings) -> dict[str, str]:
    """What the speed depends on: the server's start settings, and its threads."""
    from briefer.model.local_server import server_key

    return {**server_key(settings), "threads": str(settings.local_threads)}


def speed_file(home: Path | None = None) -> Path:
    return (home or cache_dir()) / SPEED_FILE


def _read(home: Path | None) -> Speed | None:
    try:
        return Speed.model_validate_json(speed_file(home).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def stored_speed(settings: Settings, home: Path | None = None) -> Speed | None:
    """The speed measured with these settings on this machine, or None (never measured)."""
    speed = _read(home)
    return speed if speed is not None and speed.key == speed_key(settings) else None


def process_age() -> float | None:
    """Seconds since this process started (Linux's /proc), None where that cannot be read."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


class RunClock:
    """Times one command's run on the embedded model, for ``remember``."""

    def __init__(self) -> None:
        self._origin = time.monotonic() - (process_age() or 0.0)
        self.before_inputs = 0.0  # seconds from the process's start to the server's lease
        self.start_seconds: float | None = None
        self._inputs_began = self._inputs_ended = 0.0

    def leasing(self) -> None:
        self.before_inputs = time.monotonic() - self._origin

    def server_started(self, seconds: float) -> None:
        self.start_seconds = seconds

    def inputs_begin(self) -> None:
        self._inputs_began = time.monotonic()

    def inputs_end(self) -> None:
        self._inputs_ended = time.monotonic()

    def measured(self, settings: Settings, timings: Timings, inputs: int) -> Speed | None:
        """This run's speed; None when it made no timed call or its clock was not run."""
        if not (timings.calls and timings.prompt_ms > 0 and timings.predicted_ms > 0):
            return None
        if not (self._inputs_began and self._inputs_ended):
            return None
        after_inputs = time.monotonic() - self._inputs_ended  # stopping the server, exiting
        working = self._inputs_ended - self._inputs_began
        return Speed(
            key=speed_key(settings),
            prompt_per_s=timings.prompt_tokens / (timings.prompt_ms / 1000),
            completion_per_s=timings.completion_tokens / (timings.predicted_ms / 1000),
            start_seconds=self.start_seconds,
            fixed_seconds=self.before_inputs + after_inputs,
            per_input_seconds=max(0.0, working - timings.seconds) / max(1, inputs),
        )


def remember(speed: Speed, home: Path | None = None) -> Speed:
    """Blend ``speed`` into the stored one (when it has the same key) and store the result."""
    old = _read(home)
    merged = old.blend(speed) if old is not None and old.key == speed.key else speed
    write_atomic({speed_file(home): merged.model_dump_json(indent=2).encode()})
    return merged
