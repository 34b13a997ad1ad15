"""How fast the embedded model runs on this machine, learnt from real runs, so that ``--dry-run``
can say how long a run will take.

llama.cpp's server reports each answer's ``timings``: milliseconds spent reading the prompt and
writing the answer. A run sums them and divides by the tokens its plans *estimated* (what
``--dry-run`` prints), so the seconds per estimated token carry whatever the estimates miss: the
real tokenizer, longer answers, re-asks, the prompt cache's savings. Beside them it keeps what
the run spent outside the model: starting the server, the interpreter and imports (fixed), its
first input (with the one-time loading of tables and fonts) and each later input (loading,
checks, rendering). The result goes to ``speed.json`` in briefer's cache folder, keyed by what
the server ran with (model, context, threads) and whether PDFs were rendered. Each figure is
the median of the last five runs', so it follows the machine without jumping on one odd run
(another program busy on the cores).
A run that waited for another command's requests at the shared server (``--parallel 1``), a
story of several sources, or a run with a failed input is not kept.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from briefer.config import Settings
from briefer.model.model_store import cache_dir
from briefer.render.output import write_atomic

SPEED_FILE = "speed.json"
KEPT = 5  # runs whose median is the speed
#: Seconds a run's calls may spend beyond the server's own timings (HTTP, the grammar) before
#: the run counts as having queued behind another command's requests.
_QUEUE_SLACK = 2.0


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


class Sample(BaseModel):
    """What one run measured: seconds per estimated token, and seconds outside the model."""

    #: Seconds per prompt and per completion token of the plans' estimates.
    prompt_seconds: float = Field(gt=0)
    completion_seconds: float = Field(gt=0)
    start_seconds: float | None = None  # None when the run found the server running
    fixed_seconds: float = Field(ge=0)  # interpreter, imports, stopping the server
    first_input_seconds: float = Field(ge=0)  # the first input outside the model
    next_input_seconds: float | None = Field(default=None, ge=0)  # each later one


class Speed(Sample):
    """The embedded model's speed on this machine: each figure the median of the last
    ``KEPT`` runs' (``recent``), so that one slow run (a busy machine) does not move it."""

    key: dict[str, str]
    runs: int = 1
    recent: list[Sample] = Field(default_factory=list)

    @classmethod
    def of(cls, key: dict[str, str], samples: list[Sample], runs: int) -> Speed:
        def median(values: list[float | None]) -> float | None:
            known = [v for v in values if v is not None]
            return statistics.median(known) if known else None

        fields = {
            name: median([getattr(sample, name) for sample in samples])
            for name in Sample.model_fields
        }
        return cls.model_validate({**fields, "key": key, "runs": runs, "recent": samples})

    def sample(self) -> Sample:
        return Sample(**{name: getattr(self, name) for name in Sample.model_fields})

    def model_seconds(self, prompt_tokens: int, completion_tokens: int) -> float:
        return prompt_tokens * self.prompt_seconds + completion_tokens * self.completion_seconds

    def predict(
        self, estimates: list[tuple[int, int]], *, start: bool
    ) -> tuple[list[float], float]:
        """Each input's seconds (its model time, and its time outside the model) for the
        inputs' estimated (prompt, completion) tokens, and the run's total: those plus the
        fixed seconds, and the server's start when ``start`` (no server runs)."""
        later = (
            self.first_input_seconds if self.next_input_seconds is None else self.next_input_seconds
        )
        each = [
            self.model_seconds(*tokens) + (self.first_input_seconds if n == 0 else later)
            for n, tokens in enumerate(estimates)
        ]
        starting = (self.start_seconds or 0.0) if start else 0.0
        return each, starting + self.fixed_seconds + sum(each)

    def with_run(self, newer: Speed) -> Speed:
        """This speed with a newer run's measurement added (the oldest beyond ``KEPT`` out)."""
        samples = [*(self.recent or [self.sample()]), newer.sample()][-KEPT:]
        return Speed.of(newer.key, samples, self.runs + 1)


def speed_key(settings: Settings, *, pdf: bool) -> dict[str, str]:
    """What the speed depends on: the server's start settings, its threads, and whether the
    run renders PDFs (seconds an input)."""
    from briefer.model.local_server import server_key

    return {
        **server_key(settings),
        "threads": str(settings.local_threads),
        "pdf": "yes" if pdf else "no",
        # Written step by step, the answer's keys are read, not written: another speed.
        **({"answer": "stepwise"} if settings.stepwise else {}),
    }


def speed_file(home: Path | None = None) -> Path:
    return (home or cache_dir()) / SPEED_FILE


def _read(home: Path | None) -> Speed | None:
    try:
        return Speed.model_validate_json(speed_file(home).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def stored_speed(settings: Settings, *, pdf: bool, home: Path | None = None) -> Speed | None:
    """The speed measured with these settings on this machine, or None (never measured)."""
    speed = _read(home)
    return speed if speed is not None and speed.key == speed_key(settings, pdf=pdf) else None


@dataclass(frozen=True)
class Forecast:
    """A dry run's seconds on the embedded model: each input's, and the run's total."""

    speed: Speed
    each: list[float]
    total: float
    starts_server: bool  # no server with these settings runs: the total includes its start


def forecast(settings: Settings, estimates: list[tuple[int, int]], *, pdf: bool) -> Forecast | None:
    """The seconds of a run of inputs with these estimated (prompt, completion) tokens, at the
    speed measured here; None when the model is not the embedded one or was never measured."""
    from briefer.model.local_server import running_server, uses_local_model

    speed = stored_speed(settings, pdf=pdf) if uses_local_model(settings) else None
    if speed is None:
        return None
    starts = running_server(settings) is None
    each, total = speed.predict(estimates, start=starts)
    return Forecast(speed, each, total, starts)


def process_age() -> float | None:
    """Seconds since this process started (Linux's /proc), None where that cannot be read."""
    from briefer.model.local_server import _start_time

    started = _start_time(os.getpid())
    try:
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if not started:
        return None
    return max(0.0, uptime - started / os.sysconf("SC_CLK_TCK"))


class RunClock:
    """Times one command's run on the embedded model, input by input, for ``remember``."""

    def __init__(self) -> None:
        self._origin = time.monotonic() - (process_age() or 0.0)
        self.start_seconds: float | None = None
        #: Each input: (its wall seconds, the server's seconds for it, the client's wait).
        self.inputs: list[tuple[float, float, float]] = []
        self._ended = 0.0

    def server_started(self, seconds: float) -> None:
        self.start_seconds = seconds

    def input_done(self, seconds: float, server_seconds: float, waited: float) -> None:
        self.inputs.append((seconds, server_seconds, waited))

    def inputs_end(self) -> None:
        self._ended = time.monotonic()

    def measured(
        self, settings: Settings, timings: Timings, planned: tuple[int, ...], *, pdf: bool
    ) -> Speed | None:
        """This run's speed; None when it made no timed call, its plans estimated nothing, or
        it queued behind another command's requests."""
        prompt, completion = planned
        if not (self.inputs and self._ended and prompt > 0 and completion > 0):
            return None
        if not (timings.calls and timings.prompt_ms > 0 and timings.predicted_ms > 0):
            return None
        if sum(w for _, _, w in self.inputs) > timings.seconds * 1.1 + _QUEUE_SLACK:
            return None
        outside = [max(0.0, wall - server) for wall, server, _ in self.inputs]
        inputs = sum(wall for wall, _, _ in self.inputs)
        whole = time.monotonic() - self._origin
        sample = Sample(
            prompt_seconds=timings.prompt_ms / 1000 / prompt,
            completion_seconds=timings.predicted_ms / 1000 / completion,
            start_seconds=self.start_seconds,
            fixed_seconds=max(0.0, whole - inputs - (self.start_seconds or 0.0)),
            first_input_seconds=outside[0],
            next_input_seconds=sum(outside[1:]) / (len(outside) - 1) if len(outside) > 1 else None,
        )
        return Speed.of(speed_key(settings, pdf=pdf), [sample], 1)


def remember(speed: Speed, home: Path | None = None) -> Speed:
    """Blend ``speed`` into the stored one (when it has the same key) and store the result."""
    old = _read(home)
    merged = old.with_run(speed) if old is not None and old.key == speed.key else speed
    write_atomic({speed_file(home): merged.model_dump_json(indent=2).encode()})
    return merged
