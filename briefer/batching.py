"""Briefing through the OpenAI Batch API (``--batch``), in rounds, the pipeline unchanged.

Each round runs every unfinished piece of work with a ``RequestCollector`` on the model: work
whose answers are all in the answer cache finishes; the rest raise ``AnswerPending`` after
recording their next requests (all parts of an article at once; its headline, which needs the
parts' answers, in the round after). The round's requests go out as one batch, whose id is
stored in the state database before anything waits on it; its answers go into the answer cache
under their ``custom_id`` (the cache key), and the next round runs. So:

- a restarted process (or ``--no-wait`` run again) finds the stored batch holding its requests
  and polls it instead of submitting again; answers already received are cache hits: a rerun
  sends 0 repeated requests;
- a request that failed in a batch is asked again once, in the next round's batch; failing
  again fails its piece of work alone;
- a batch that expired or was cancelled is reported (``BatchJobError``); the answers it gave
  are kept, and a rerun submits the rest again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from briefer.brief.planning import Plan
from briefer.config import Settings
from briefer.errors import (
    FATAL_FOR_BATCH,
    BatchJobError,
    BrieferError,
    ConfigError,
    EndpointError,
    InternalError,
)
from briefer.model.answer_cache import AnswerCache
from briefer.model.batch import BATCH_PRICE, AnswerPending, RequestCollector, jsonl, read_results
from briefer.model.batch_api import FINISHED, BatchService, BatchStatus
from briefer.model.llm import ChatModel
from briefer.model.local_server import uses_local_model
from briefer.morning.state import State, StoredBatch, data_dir

J = TypeVar("J")
R = TypeVar("R")
Say = Callable[[str], None]

#: Rounds before the work still waiting is given up: parts, headline, a re-ask of each and a
#: retry of each fit many times over; more means answers that never land in the cache.
MAX_ROUNDS = 12


@dataclass(frozen=True)
class BatchOptions:
    #: Poll until every batch is done (else: submit, store the id and return).
    wait: bool = True
    #: Seconds before the first look at a batch; doubled after each look, up to ``poll_max``.
    poll: float = 30.0
    poll_max: float = 600.0
    #: Which command the batches are for (``morning:PROFILE``, ``brief``): shown, not matched.
    scope: str = "brief"


@dataclass
class BatchOutcome:
    submitted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    #: Batches not finished when ``wait`` is off: their work is neither done nor failed.
    waiting: list[str] = field(default_factory=list)
    requests: int = 0
    rounds: int = 0
    #: Answers this run received, and their tokens (what the batches cost).
    answers: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def check_batch_settings(settings: Settings) -> None:
    if uses_local_model(settings):
        raise ConfigError(
            "--batch needs an OpenAI-compatible endpoint with the Files and Batch API, not the "
            "embedded model",
            hint="set OPENAI_API_KEY (or --base-url and --api-key), or drop --batch",
        )


def answer_cache() -> AnswerCache:
    """Where answers a batch brought are kept (paid for: data, not a cache to wipe)."""
    return AnswerCache(data_dir() / "answers")


def run_in_batches(
    model: ChatModel,
    jobs: Sequence[J],
    work: Callable[[J], R],
    on_done: Callable[[J, R | BrieferError], None],
    store: State,
    options: BatchOptions,
    *,
    label: Callable[[J], str] = str,
    say: Say | None = None,
) -> BatchOutcome:
    """``work(job)`` for every job, its model requests answered through batches; each job's
    result (or its ``BrieferError``) is handed to ``on_done`` as soon as it is known."""
    if model.cache is None:
        model.cache = answer_cache()
    rounds = _Rounds(model, store, options, say or (lambda text: None))
    todo = list(jobs)
    while todo:
        rounds.outcome.rounds += 1
        if rounds.outcome.rounds > MAX_ROUNDS:
            for job in todo:
                why = f"{label(job)}: still waiting for model answers after {MAX_ROUNDS} batches"
                on_done(job, EndpointError(why, hint="brief it without --batch"))
            break
        collector = RequestCollector(given_up=rounds.given_up())
        model.collector = collector
        waiting: list[J] = []
        try:
            for job in todo:
                try:
                    result = work(job)
                except AnswerPending:
                    waiting.append(job)
                    continue
                except FATAL_FOR_BATCH:
                    raise
                except BrieferError as err:
                    on_done(job, err)
                    continue
                except Exception as exc:  # a bug costs this job only
                    on_done(job, InternalError.wrapping(label(job), exc))
                    continue
                on_done(job, result)
        finally:
            model.collector = None
        if not waiting:
            break
        if not rounds.settle(collector.requests, len(waiting)):
            break  # not waiting (``--no-wait``): the ids are stored for the next run
        todo = waiting
    return rounds.outcome


class _Rounds:
    def __init__(self, model: ChatModel, store: State, options: BatchOptions, say: Say) -> None:
        self.model = model
        self.cache = model.cache
        self.store = store
        self.options = options
        self.say = say
        self.service = BatchService(model)
        self.endpoint = model.settings.endpoint_id or model.display_url
        self.outcome = BatchOutcome()
        #: Why each request failed in a batch, this run (a second failure gives it up).
        self.failures: dict[str, list[str]] = {}

    def given_up(self) -> dict[str, str]:
        return {key: why[-1] for key, why in self.failures.items() if len(why) >= 2}

    def settle(self, requests: dict[str, dict[str, object]], jobs: int) -> bool:
        """Get answers to ``requests`` into the cache: from a stored batch holding them, else
        from a new one. False when the batches are left running (not waiting)."""
        n = self.outcome.rounds
        stored = [
            b
            for b in self.store.batches(self.endpoint, open_only=True)
            if not requests.keys().isdisjoint(b.keys)
        ]
        for batch in stored:
            self.outcome.resumed.append(batch.id)
            self.say(
                f"round {n}: batch {batch.id} (submitted before) holds {len(batch.keys)} of the "
                "requests; waiting for it, not submitting again"
            )
        held = {key for b in stored for key in b.keys}
        new = {k: v for k, v in requests.items() if k not in held}
        if new:
            batch_id = self.service.submit(jsonl(new), name=f"briefer-round-{n}.jsonl")
            # Stored before anything waits on it: a restart resumes this id.
            self.store.record_batch(batch_id, self.options.scope, self.endpoint, n, list(new))
            stored.append(StoredBatch(batch_id, self.options.scope, n, "submitted", list(new), ""))
            self.outcome.submitted.append(batch_id)
            self.outcome.requests += len(new)
            self.say(f"round {n}: submitted batch {batch_id}: {len(new)} requests, {jobs} items")
        return self._await(stored)

    def _await(self, batches: list[StoredBatch]) -> bool:
        delay = self.options.poll
        left = {b.id: b for b in batches}
        while True:
            for batch_id in list(left):
                status = self.service.status(batch_id)
                if status.status in FINISHED:
                    self._collect(status, left.pop(batch_id))
                else:
                    self.store.set_batch_status(batch_id, status.status)
                    done, total = status.completed + status.failed, status.total
                    self.say(f"batch {batch_id}: {status.status}, {done} of {total} done")
            if not left:
                return True
            if not self.options.wait:
                self.outcome.waiting = list(left)
                return False
            time.sleep(delay)
            delay = min(delay * 2, self.options.poll_max)

    def _collect(self, status: BatchStatus, batch: StoredBatch) -> None:
        """Answers into the cache, failures noted; an unfinished batch is reported."""
        assert self.cache is not None
        if status.status == "not_found":
            self.store.set_batch_status(batch.id, "failed", "not found at the endpoint")
            raise BatchJobError(
                f"batch {batch.id} (stored by an earlier run) is not known to the endpoint "
                f"{self.model.display_url}",
                hint="run the same command again to submit its requests anew",
            )
        results = read_results(
            self.service.download(status.output_file_id),
            self.service.download(status.error_file_id),
        )
        mine = set(batch.keys)
        for key, answer in results.answers.items():
            if key in mine:
                # A cut-off answer ("length") too: the re-ask that follows has a new key.
                self.cache.put(key, answer)
                self.outcome.answers += 1
                self.outcome.prompt_tokens += answer["prompt_tokens"]
                self.outcome.completion_tokens += answer["completion_tokens"]
        answered = mine & results.answers.keys()
        unanswered = mine - answered
        if status.status == "completed":
            for key in unanswered:
                why = results.failed.get(key, "no answer in the batch's output")
                self.failures.setdefault(key, []).append(why)
            note = f"{len(answered)} answered, {len(unanswered)} failed"
            self.store.set_batch_status(batch.id, "collected", note)
            again = "; failed requests go again in the next batch" if unanswered else ""
            self.say(f"batch {batch.id}: completed, {note}{again}")
            return
        note = f"{len(answered)} of {len(mine)} answered"
        self.store.set_batch_status(batch.id, status.status, note)
        if status.status == "failed":
            raise BatchJobError(
                f"batch {batch.id} failed: {status.reason or 'the endpoint refused it'}",
                hint="check the endpoint's Batch API limits; run the command again to resubmit",
            )
        raise BatchJobError(
            f"batch {batch.id} {status.status}: {note} (kept); {len(unanswered)} requests "
            "had no answer",
            hint="run the same command again to submit them in a new batch",
        )


@dataclass(frozen=True)
class BatchEstimate:
    """``--dry-run --batch``: the requests of the first round (known now: parts, or whole
    articles) and of the later ones (headlines after parts: estimated), tokens and cost."""

    first_round: int
    later_rounds: int
    prompt_tokens: int
    completion_tokens: int
    #: The same requests one by one, and through the Batch API (``BATCH_PRICE``); None: no price.
    cost_usd: float | None
    batch_cost_usd: float | None

    def line(self) -> str:
        price = (
            "no price known for the model"
            if self.batch_cost_usd is None
            else f"${self.batch_cost_usd:.4f} at the batch price (half of ${self.cost_usd:.4f})"
        )
        return (
            f"batch: {self.first_round} requests in the first batch, ~{self.later_rounds} in "
            f"later ones (headlines after parts); {self.prompt_tokens:,}+"
            f"{self.completion_tokens:,} tokens; {price}"
        )


def estimate_batches(
    plans: Sequence[Plan], cost: Callable[[int, int], float | None]
) -> BatchEstimate:
    first = sum(1 for p in plans for c in p.calls if c.kind != "headline")
    later = sum(1 for p in plans for c in p.calls if c.kind == "headline")
    prompt = sum(p.estimate()[0] for p in plans)
    completion = sum(p.estimate()[1] for p in plans)
    full = cost(prompt, completion)
    return BatchEstimate(
        first, later, prompt, completion, full, None if full is None else full * BATCH_PRICE
    )
