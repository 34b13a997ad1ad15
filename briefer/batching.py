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
- a request that failed in a batch is asked again once, in the next round's batch (or the next
  run's); failing again, in this run or any later one (the count is kept in the state), fails
  its piece of work alone, and the count starts again;
- a cut-off answer (``finish_reason`` "length") is handed to the round in memory, never stored
  in the answer cache (as online): the re-ask follows; it also counts as a failure of its
  request, so a ``--no-wait`` rerun, which asks it again, gives up on the second;
- a batch that expired or was cancelled is reported (``BatchJobError``); the answers it gave
  are kept, and a rerun submits the rest again; a finished batch whose output file is gone is
  given up in one line, and its requests go again;
- a batch is created without client retries, under a random token in its metadata that is
  stored first: after a failed create, or a crash before its id was stored, the batch is
  looked up by that token before anything is submitted again (no batch is billed twice);
- ``defer_new`` (``morning --batch --no-wait``): a run that finds batches of its scope still
  open works only on what they hold; new work waits for the run after them, so the digest of
  the items in flight is written even while the feeds keep changing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from briefer import config
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
from briefer.model.batch import (
    BATCH_PRICE,
    FINISHED,
    AnswerPending,
    RequestCollector,
    jsonl,
    read_results,
)
from briefer.model.batch_api import BatchService, BatchStatus, OutputGone
from briefer.model.llm import ChatModel
from briefer.model.local_server import endpoint_id, uses_local_model
from briefer.morning.batch_records import StoredBatch
from briefer.morning.state import State, data_dir

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
    #: Which command the batches are for (``morning:PROFILE``, ``brief``): shown, and what
    #: ``defer_new`` looks at.
    scope: str = "brief"
    #: While batches of ``scope`` are open, work none of them holds waits for a later run.
    defer_new: bool = False


@dataclass
class BatchOutcome:
    submitted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    #: Batches not finished when ``wait`` is off: their work is neither done nor failed.
    waiting: list[str] = field(default_factory=list)
    #: Labels of the work left for a later run (``defer_new``): neither done nor failed.
    deferred: list[str] = field(default_factory=list)
    #: One line each for the user: batches given up (their output gone).
    notes: list[str] = field(default_factory=list)
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


class _RoundCache(AnswerCache):
    """The answer cache, and the cut-off answers of this run in memory (never written: an
    online run does not keep them either, and a rerun must not find them)."""

    def __init__(self, cache: AnswerCache) -> None:
        super().__init__(cache.directory, read=cache.read)
        self.cut_off: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.cut_off.get(key) or super().get(key)

    def put(self, key: str, answer: dict[str, Any]) -> None:
        if answer.get("finish_reason") == "length":
            self.cut_off[key] = answer
        else:
            super().put(key, answer)


def uses_max_completion_tokens(settings: Settings) -> bool:
    """OpenAI's own endpoint: ``max_completion_tokens`` (every chat model takes it; o-series
    and gpt-5 refuse ``max_tokens``, and a batch cannot adapt as an online call does)."""
    urls = config.split_urls(settings.base_url)
    return (urls[0] if urls else config.OPENAI_BASE_URL).rstrip("/") == (
        config.OPENAI_BASE_URL.rstrip("/")
    )


def _for_batch(body: dict[str, Any], completion_param: bool) -> dict[str, Any]:
    if completion_param and "max_tokens" in body:
        body = dict(body)
        body["max_completion_tokens"] = body.pop("max_tokens")
    return body


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
    model.cache = _RoundCache(model.cache or answer_cache())
    rounds = _Rounds(model, store, options, say or (lambda text: None))
    rounds.recover()
    todo = list(jobs)
    while todo:
        rounds.outcome.rounds += 1
        if rounds.outcome.rounds > MAX_ROUNDS:
            for job in todo:
                why = f"{label(job)}: still waiting for model answers after {MAX_ROUNDS} batches"
                on_done(job, EndpointError(why, hint="brief it without --batch"))
            break
        given_up = rounds.given_up()
        collector = RequestCollector(given_up=given_up)
        model.collector = collector
        waiting: list[tuple[J, list[str]]] = []
        try:
            for job in todo:
                try:
                    result = work(job)
                except AnswerPending as pending:
                    waiting.append((job, pending.keys))
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
            # Given up and failed: a later run tries those requests afresh.
            store.clear_batch_failures(rounds.endpoint, collector.refused)
        if rounds.outcome.rounds == 1 and options.defer_new:
            waiting = rounds.defer(waiting, collector, label)
        if not waiting:
            break
        if not rounds.settle(collector.requests, len(waiting)):
            break  # not waiting (``--no-wait``): the ids are stored for the next run
        todo = [job for job, _ in waiting]
    return rounds.outcome


class _Rounds:
    def __init__(self, model: ChatModel, store: State, options: BatchOptions, say: Say) -> None:
        self.model = model
        assert isinstance(model.cache, _RoundCache)
        self.cache: _RoundCache = model.cache
        self.store = store
        self.options = options
        self.say = say
        self.service = BatchService(model)
        #: The same identity as the answer cache's and the morning's (a fleet in any order).
        self.endpoint = endpoint_id(model.settings)
        self.completion_param = uses_max_completion_tokens(model.settings)
        self.outcome = BatchOutcome()

    def given_up(self) -> dict[str, str]:
        """Requests that failed twice in batches, this run or earlier ones."""
        failures = self.store.batch_failures(self.endpoint)
        return {key: why for key, (n, why) in failures.items() if n >= 2}

    def recover(self) -> None:
        """Batches stored as being submitted when a run stopped: found by their token (then
        resumed as any stored batch), else never created (then their requests go again)."""
        for batch in self.store.batches(self.endpoint, open_only=True):
            if (token := batch.token) is None:
                continue
            if (found := self.service.find(token)) is not None:
                self.store.batch_created(token, found)
                self.say(f"batch {found} (submitted before the last run stopped) found again")
            else:
                self.store.forget_batch(batch.id)

    def defer(
        self,
        waiting: list[tuple[J, list[str]]],
        collector: RequestCollector,
        label: Callable[[J], str],
    ) -> list[tuple[J, list[str]]]:
        """While batches of this scope are open, only the work they hold goes on."""
        wanted = {key for _, keys in waiting for key in keys}
        # Only batches holding some of this work: one no work needs any more never blocks.
        held = {
            key
            for b in self.store.batches(self.endpoint, open_only=True)
            if b.scope == self.options.scope and not wanted.isdisjoint(b.keys)
            for key in b.keys
        }
        if not held:
            return waiting
        kept = [(job, keys) for job, keys in waiting if not held.isdisjoint(keys)]
        needed = {key for _, keys in kept for key in keys}
        for key in set(collector.requests) - needed:
            del collector.requests[key]
        for job, keys in waiting:
            if held.isdisjoint(keys):
                self.outcome.deferred.append(label(job))
        if self.outcome.deferred:
            self.say(
                f"{len(self.outcome.deferred)} items wait for the next run: the batches of "
                "earlier runs come first"
            )
        return kept

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
            token = uuid.uuid4().hex
            # Stored before the batch is created: a crash after creating it finds it again.
            pending_id = f"submitting:{token}"
            self.store.record_batch(pending_id, self.options.scope, self.endpoint, n, list(new))
            lines = {k: _for_batch(v, self.completion_param) for k, v in new.items()}
            batch_id = self.service.submit(jsonl(lines), token, name=f"briefer-round-{n}.jsonl")
            self.store.batch_created(token, batch_id)
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

    def _delete(self, status: BatchStatus) -> None:
        """The batch's files off the account, last: its answers and its status are stored (a
        crash before this leaves files, never a batch whose output is gone unrecorded)."""
        self.service.delete_files(*status.files)

    def _collect(self, status: BatchStatus, batch: StoredBatch) -> None:
        """Answers into the cache, failures noted; an unfinished batch is reported."""
        if status.status == "not_found":
            self.store.set_batch_status(batch.id, "not_found", "not found at the endpoint")
            raise BatchJobError(
                f"batch {batch.id} (stored by an earlier run) is not known to the endpoint "
                f"{self.model.display_url}",
                hint="run the same command again to submit its requests anew",
            )
        try:
            results = read_results(
                self.service.download(status.output_file_id),
                self.service.download(status.error_file_id),
            )
        except OutputGone as gone:
            # Never collectable: given up, so its requests go again (this run's next round).
            self.store.set_batch_status(batch.id, "failed", f"given up: {gone}")
            self.service.delete_files(status.input_file_id)
            note = f"batch {batch.id}: given up, {gone}; its requests went again"
            self.outcome.notes.append(note)
            self.say(note)
            return
        mine = set(batch.keys)
        failed: dict[str, str] = {}
        for key, answer in results.answers.items():
            if key in mine:
                # A cut-off answer stays in memory (``_RoundCache``): the re-ask follows.
                self.cache.put(key, answer)
                self.outcome.answers += 1
                self.outcome.prompt_tokens += answer["prompt_tokens"]
                self.outcome.completion_tokens += answer["completion_tokens"]
                if answer.get("finish_reason") == "length":
                    failed[key] = "the answer was cut off (finish_reason length)"
        answered = mine & results.answers.keys()
        unanswered = mine - answered
        self.store.clear_batch_failures(self.endpoint, answered - failed.keys())
        if status.status == "completed":
            for key in unanswered:
                failed[key] = results.failed.get(key, "no answer in the batch's output")
            self.store.batch_failed(self.endpoint, failed)
            note = f"{len(answered)} answered, {len(unanswered)} failed"
            self.store.set_batch_status(batch.id, "collected", note)
            self._delete(status)
            again = "; failed requests go again in the next batch" if unanswered else ""
            self.say(f"batch {batch.id}: completed, {note}{again}")
            return
        self.store.batch_failed(self.endpoint, failed)
        note = f"{len(answered)} of {len(mine)} answered"
        self.store.set_batch_status(batch.id, status.status, note)
        self._delete(status)
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
