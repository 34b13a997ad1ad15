"""One morning run: collect → drop what was briefed and copies → group → rank → brief →
what changed → write the digest → mail it. The library API behind ``briefer morning``::

    from briefer.morning.profile import load_profile
    from briefer.morning.run import run_morning

    profile = load_profile("asia")
    result = run_morning(settings_for(profile), profile)
    print(result.paths)

A rerun with nothing new takes every brief from the state: 0 model calls, the same digest.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from briefer.batching import (
    BatchEstimate,
    BatchOptions,
    BatchOutcome,
    check_batch_settings,
    estimate_batches,
    run_in_batches,
)
from briefer.brief.planning import Plan
from briefer.config import Settings
from briefer.errors import BatchError, BrieferError, BudgetError, ConfigError, DeliveryError
from briefer.inputs.fetch import FetchPolicy
from briefer.model.answer_cache import AnswerCache
from briefer.model.batch import BATCH_PRICE
from briefer.model.local_server import endpoint, endpoint_id, uses_local_model
from briefer.model.speed import forecast
from briefer.models import Brief, Digest, DigestItem, NotIncluded, RunStats, Usage
from briefer.morning import deliver as mail
from briefer.morning import output
from briefer.morning.changes import what_changed
from briefer.morning.collect import Collector, Entry, Pending
from briefer.morning.dedupe import copies
from briefer.morning.items import Item, brief_items, brief_one, item_key
from briefer.morning.profile import Profile
from briefer.morning.rank import Candidate, rank
from briefer.morning.state import State, data_dir, locked
from briefer.pipeline import Briefer
from briefer.stories.grouping import continuing, group

#: How far back a story may have been briefed to count as continuing today.
CONTINUING_DAYS = 14

Progress = Callable[[str], None]


@dataclass
class PlannedItem:
    """``--dry-run``: one item and what briefing it would take."""

    title: str
    sources: list[str]
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    stored: bool


@dataclass
class MorningResult:
    digest: Digest
    paths: list[Path] = field(default_factory=list)
    plan: list[PlannedItem] = field(default_factory=list)
    #: Configured sources that could not be read at all (their entries are all missing).
    failed_sources: int = 0
    delivered: bool = False
    #: Recipients the mail server refused (the others got the digest).
    refused: list[str] = field(default_factory=list)
    #: When the day's digest had already been mailed (so it was not mailed again).
    mailed_before: str | None = None
    #: ``--batch``: the batches of the run; ids still running when not waiting (then no digest
    #: is written: the next run resumes them); the dry run's estimate.
    batch: BatchOutcome | None = None
    batch_estimate: BatchEstimate | None = None
    #: The dry run on the embedded model: the seconds its items would take at the speed
    #: measured here (``briefer.model.speed``), and over how many runs; None: not known.
    predicted: tuple[float, int] | None = None

    @property
    def waiting(self) -> list[str]:
        return self.batch.waiting if self.batch else []


def run_morning(
    settings: Settings,
    profile: Profile,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    deliver: bool = True,
    state_path: Path | None = None,
    progress: Progress | None = None,
    on_item: Callable[[Item], None] | None = None,
    mail_again: bool = False,
    batch: BatchOptions | None = None,
) -> MorningResult:
    """Make (or, ``dry_run``, plan) the digest of ``profile``'s sources for ``now``'s day.

    Raises ``RunLockedError`` when a run of the profile is in progress, ``DeliveryError`` when
    the digest was written but not mailed, ``BatchError`` when every item it tried failed (the
    digest is written, the run is recorded as failed and its entries are tried again), and the
    endpoint's errors that stop every item. A day's digest is mailed once (``mail_again``:
    again). ``batch``: the model's requests go through the Batch API (``briefer.batching``);
    a run that does not wait returns with ``waiting`` batch ids and writes no digest yet."""
    now = (now or datetime.now()).astimezone()
    if batch is not None:
        check_batch_settings(settings)
        batch = BatchOptions(
            batch.wait,
            batch.poll,
            batch.poll_max,
            f"morning:{profile.name}",
            # Not waiting: the items of batches in flight first, so a digest comes of them.
            defer_new=not batch.wait,
        )
    state = State(state_path)
    try:
        run = _Run(settings, profile, state, now, progress, on_item, batch)
        if dry_run:
            return run.plan()
        if deliver and profile.delivery is not None:
            mail.check(profile.delivery)  # before any work: a setting that can never send
        with locked(state.path.parent, profile.name):
            return run.run(deliver, mail_again)
    except sqlite3.Error as exc:  # the state failed under the run (full disk, damaged file)
        raise ConfigError(
            f"the morning state {state.path} failed: {exc}",
            hint="check free space and the file; finished briefs are kept",
        ) from exc
    finally:
        state.close()


class _Run:
    def __init__(
        self,
        settings: Settings,
        profile: Profile,
        state: State,
        now: datetime,
        progress: Progress | None,
        on_item: Callable[[Item], None] | None,
        batch: BatchOptions | None = None,
    ) -> None:
        self.settings = settings
        self.batch = batch
        self.batch_outcome: BatchOutcome | None = None
        self.profile = profile
        self.state = state
        self.now = now
        self.day = now.date().isoformat()
        self.say = progress or (lambda text: None)
        self.on_item = on_item
        self.briefer = Briefer(settings)
        self.started = time.monotonic()
        window = profile.window()
        if window:
            # A fixed window, too, reaches back to the entries still to be tried.
            oldest = state.oldest_pending(profile.name)
            start: datetime | None = min(now - window, oldest) if oldest else now - window
        else:
            start = state.window_start(profile.name, self.day)
        self.stats = RunStats(
            profile=profile.name,
            date=self.day,
            window_start=_local(start, now),
            sources=len(profile.sources),
            cost_usd=0.0,  # no call made costs nothing, whatever the price (None: unknown)
        )
        self.not_included: list[NotIncluded] = []
        #: Entries failed or left for the next run; keys settled this run.
        self.pending: list[Pending] = []
        self.settled: set[str] = set()
        #: Every distinct entry read (near-identical copies too): stored, never fetched again.
        self.read: list[Entry] = []
        #: Key of each near-identical copy → key of the entry kept: briefed with it.
        self.copy_of: dict[str, str] = {}
        #: Items sent to the model this run, and how many of them were briefed.
        self.tried = 0
        self.briefed = 0
        self.first_failure = ""

    # -- collect, dedupe, group, rank -------------------------------------------------------

    def _items(self) -> list[Item]:
        name, day = self.profile.name, self.day
        self.say(f"reading {len(self.profile.sources)} sources…")
        collected = Collector(
            FetchPolicy.from_settings(self.settings),
            since=self.stats.window_start,
            seen=lambda keys, text: self.state.briefed_before(name, keys, text, day),
            known=lambda key: self.state.known_article(name, key),
            given_up=lambda key: self.state.given_up(name, key),
            limits=self.profile.limits(),
        ).collect(self.profile.sources)
        self.stats.sources_read = collected.sources_read
        self.stats.entries = collected.entries_read
        self.stats.notes = list(collected.notes)
        self.not_included += collected.not_included
        self.pending += collected.pending
        self.settled |= collected.settled
        self.failed_sources = len(self.profile.sources) - collected.sources_read
        entries = self._unique(collected.entries)
        self.stats.entries_new = len(entries)
        self.say(f"{len(entries)} new entries; grouping…")
        groups = group([e.article for e in entries])
        items = [Item(entries=[entries[i] for i in g]) for g in groups]
        order = rank(
            [Candidate(item.articles, item.newest) for item in items], self.profile.topics, self.now
        )
        ranked = [items[i] for i in order]
        keep = self.profile.max_items
        for item in ranked[keep:]:
            reason = f"ranked below the {keep} items kept (max_items)"
            self.not_included += [NotIncluded.of(ref, reason) for ref in item.refs]
        if len(ranked) > keep:
            self.stats.notes.append(
                f"{len(ranked) - keep} items ranked below the {keep} kept (max_items)"
            )
        ranked = ranked[:keep]
        who = endpoint_id(self.settings)
        for item in ranked:
            item.key = item_key(item, self.briefer, who)
            item.brief = self.state.brief(item.key)
            item.reused = item.brief is not None
        return ranked

    def _unique(self, entries: list[Entry]) -> list[Entry]:
        """Entries less repeats (same canonical URL or same text) and near-identical copies,
        the copies listed under "Not included"."""
        seen: dict[str, Entry] = {}
        unique: list[Entry] = []
        for entry in entries:
            twin = seen.get(entry.key) or seen.get(entry.text_hash)
            if twin is not None:
                reason = f"the same article as {twin.ref}"
                self.not_included.append(NotIncluded.of(entry.ref, reason))
                continue
            seen[entry.key] = seen[entry.text_hash] = entry
            unique.append(entry)
        self.read = list(unique)
        dropped = copies([e.article for e in unique])
        for copy, kept in sorted(dropped.items()):
            original = unique[kept]
            self.copy_of[unique[copy].key] = original.key
            title = original.article.title or original.ref
            self.not_included.append(
                NotIncluded(
                    source=unique[copy].ref,
                    reason=f"a near-identical copy of “{title}” ({original.ref})",
                )
            )
        return [e for i, e in enumerate(unique) if i not in dropped]

    # -- dry run ----------------------------------------------------------------------------

    def plan(self) -> MorningResult:
        items = self._items()
        planned = []
        plans: list[Plan] = []
        for item in items:
            calls = prompt = completion = 0
            if item.brief is None:
                try:
                    if len(item.entries) == 1:
                        plan = self.briefer.plan(item.articles[0])[0]
                    else:
                        plan = self.briefer.plan_story(item.articles)[0]
                except BrieferError as err:
                    self.not_included += [NotIncluded.of(ref, err.message) for ref in item.refs]
                    continue
                calls, (prompt, completion) = len(plan.calls), plan.estimate()
                plans.append(plan)
            title = item.brief.title if item.brief else item.label
            planned.append(
                PlannedItem(
                    title=title,
                    sources=item.refs,
                    calls=calls,
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                    cost_usd=self.briefer.estimate_cost(prompt, completion) if calls else 0.0,
                    stored=item.brief is not None,
                )
            )
        digest = Digest(items=[], not_included=self.not_included, run=self.stats)
        estimate = estimate_batches(plans, self.briefer.estimate_cost) if self.batch else None
        return MorningResult(
            digest=digest,
            plan=planned,
            failed_sources=self.failed_sources,
            batch_estimate=estimate,
            predicted=self._predicted(plans),
        )

    def _predicted(self, plans: list[Plan]) -> tuple[float, int] | None:
        """The items' seconds on the embedded model, as ``briefer brief --dry-run`` counts
        them (each item one input), and the runs the speed was measured over."""
        if self.batch is not None:
            return None
        estimates = [plan.estimate() for plan in plans]
        found = forecast(self.settings, estimates, pdf="pdf" in self.profile.formats)
        return None if found is None else (found.total, found.speed.runs)

    # -- the run ----------------------------------------------------------------------------

    def run(self, deliver: bool, mail_again: bool = False) -> MorningResult:
        run_id = self.state.start_run(self.profile.name, self.day, self.now)
        status, errors = "failed", []
        first: BaseException | None = None
        try:
            items = self._items()
            self._brief(items)
            if self.batch_outcome is not None and self.batch_outcome.waiting:
                # Submitted, not waited for: no digest yet; the next run resumes the batches
                # (finished items are stored, the entries are read again).
                status = "waiting"
                digest = Digest(items=[], not_included=self.not_included, run=self.stats)
                return MorningResult(
                    digest, failed_sources=self.failed_sources, batch=self.batch_outcome
                )
            done = [item for item in items if item.brief is not None]
            self._stories(done)
            digest = self._digest(done)
            self.say("writing the digest…")
            paths = output.write(
                digest,
                [item.brief for item in done if item.brief],
                self.briefer,
                self.profile.output_dir() / self.day,
                self.profile.formats,
            )
            self._remember(done)
            result = MorningResult(
                digest, paths, failed_sources=self.failed_sources, batch=self.batch_outcome
            )
            if self.tried and not self.briefed:
                # Nothing it tried was briefed (endpoint failing, rate limits): not a success,
                # and the window stays where it was; the entries are tried again next run.
                raise BatchError(
                    f"no item could be briefed: all {self.tried} failed (first: "
                    f"{self.first_failure})",
                    hint="the digest lists them under Not included; the next run tries them again",
                )
            # A source that could not be read at all keeps the window for its entries
            # (``State.window_start``).
            status = "partial" if self.failed_sources else "ok"
            if deliver and self.profile.delivery is not None:
                self._deliver(result, mail_again)
                errors += [f"mail refused: {who}" for who in result.refused]
            return result
        except DeliveryError as err:
            errors.append(str(err))
            first = err
            raise
        except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C; SIGTERM/SIGHUP exit through here
            status = "interrupted"
            first = exc
            raise
        except BrieferError as err:
            errors.append(str(err))
            first = err
            raise
        except BaseException as exc:
            first = exc
            raise
        finally:
            errors += [f"{n.source}: {n.reason}" for n in self.not_included]
            self.stats.seconds = round(time.monotonic() - self.started, 3)
            try:
                self.state.end_run(run_id, status, self.stats, errors)
            except (sqlite3.Error, OSError) as exc:
                if first is None:  # the run went well: that its record failed is the news
                    raise ConfigError(
                        f"the run could not be recorded in the morning state {self.state.path}: "
                        f"{exc}",
                        hint="check free space; the digest is written",
                    ) from exc
                # Otherwise the first error is the one reported; this one is only noted.
                first.add_note(f"and recording the run in the state failed: {exc}")

    def _deliver(self, result: MorningResult, mail_again: bool) -> None:
        """Mail the day's digest once: a rerun does not mail it again unless asked."""
        delivery = self.profile.delivery
        assert delivery is not None
        when = self.state.mailed(self.profile.name, self.day)
        if when and not mail_again:
            result.mailed_before = when
            self.say(f"the digest of {self.day} was mailed at {when} UTC; not mailed again")
            return
        self.say("mailing the digest…")
        refused = output.deliver(delivery, result.digest, result.paths, self.briefer)
        self.state.record_mail(self.profile.name, self.day, delivery.to, refused)
        result.delivered = True
        result.refused = refused

    def _brief(self, items: list[Item]) -> None:
        todo = self._within_budget([item for item in items if item.brief is None])
        self.stats.reused_briefs = sum(1 for item in items if item.reused)
        if not todo:
            return
        self.say(f"briefing {len(todo)} items…")
        self.tried += len(todo)
        if self.batch is not None:
            self._brief_in_batches(todo, self.batch)
            return
        local = uses_local_model(self.settings)
        with endpoint(self.settings, progress=self.say) as active:
            # Items and their parts concurrently: the model's fleet keeps the requests in flight
            # within each server's limit (1 on the embedded model).
            briefer = Briefer(active)
            briefer.model.cache = AnswerCache(data_dir() / "answers")
            workers = 1 if local else briefer.model.slots
            try:
                brief_items(briefer, todo, workers, self._done)
            finally:
                self._account(briefer.spent)

    def _done(self, item: Item, result: Brief | BrieferError) -> None:
        if isinstance(result, BrieferError):
            self.not_included += [NotIncluded.of(ref, result.message) for ref in item.refs]
            self._pend(item, result.message, "failed")
            self.first_failure = self.first_failure or result.message
            return
        self.briefed += 1
        item.brief = result
        self.state.store_brief(item.key, result)
        if self.on_item:
            self.on_item(item)

    def _brief_in_batches(self, todo: list[Item], options: BatchOptions) -> None:
        """Every item's requests through the Batch API, round by round; the run's calls and
        tokens are the answers the batches brought, at the batch price."""
        # The budget was kept when the items were chosen (``_within_budget``, at the batch
        # price): answers already paid for are not refused afterwards.
        briefer = Briefer(self.settings.model_copy(update={"max_cost": None, "max_tokens": None}))
        outcome = BatchOutcome()
        settled: set[int] = set()

        def done(item: Item, result: Brief | BrieferError) -> None:
            settled.add(id(item))
            self._done(item, result)

        try:
            outcome = run_in_batches(
                briefer.model,
                todo,
                lambda item: brief_one(briefer, item),
                done,
                self.state,
                options,
                label=lambda item: item.label,
                say=self.say,
            )
        finally:
            self.batch_outcome = outcome
            self.stats.notes += outcome.notes
            self._account(briefer.spent)
            self.stats.model_calls = outcome.answers
            self.stats.prompt_tokens = outcome.prompt_tokens
            self.stats.completion_tokens = outcome.completion_tokens
            price = self.briefer.estimate_cost(outcome.prompt_tokens, outcome.completion_tokens)
            self.stats.cost_usd = None if price is None else price * BATCH_PRICE
        if outcome.deferred and not outcome.waiting:
            # Left for the next run, which submits them (the batches of earlier runs are done).
            reason = "left for the next run: the batches of earlier runs came first"
            for item in todo:
                if id(item) not in settled:
                    self.not_included += [NotIncluded.of(ref, reason) for ref in item.refs]
                    self._pend(item, reason, "left")
                    self.tried -= 1

    def _within_budget(self, todo: list[Item]) -> list[Item]:
        """Items in rank order while their estimates fit ``max_cost`` (``--batch``: at the batch
        price) / ``max_tokens``; the rest are listed as left out to keep the budget (nothing is
        spent on them)."""
        limit_cost, limit_tokens = self.settings.max_cost, self.settings.max_tokens
        if not todo or (limit_cost is None and limit_tokens is None):
            return todo
        kept: list[Item] = []
        tokens, prompt_sum, completion_sum = 0, 0, 0
        for item in todo:
            try:
                plan = (
                    self.briefer.plan(item.articles[0])[0]
                    if len(item.entries) == 1
                    else self.briefer.plan_story(item.articles)[0]
                )
            except BrieferError:
                kept.append(item)  # its own error is reported when it is briefed
                continue
            prompt, completion = plan.estimate()
            cost = None
            if limit_cost is not None:
                cost = self.briefer.estimate_cost(prompt_sum + prompt, completion_sum + completion)
                if cost is not None and self.batch is not None:
                    cost *= BATCH_PRICE  # what the Batch API bills
                if cost is None:
                    raise BudgetError(
                        f"no price is known for model {self.briefer.model_name}, so max_cost "
                        "cannot be kept",
                        hint="add its prices under [models] in the config file",
                    )
            over_tokens = limit_tokens is not None and tokens + prompt + completion > limit_tokens
            over_cost = limit_cost is not None and cost is not None and cost > limit_cost
            if over_tokens or over_cost:
                what = f"max_tokens {limit_tokens:,}" if over_tokens else f"max_cost ${limit_cost}"
                reason = f"left out to stay within {what} (estimated before any call)"
                self.not_included += [NotIncluded.of(ref, reason) for ref in item.refs]
                self._pend(item, reason, "left")
                continue
            kept.append(item)
            tokens += prompt + completion
            prompt_sum, completion_sum = prompt_sum + prompt, completion_sum + completion
        return kept

    def _pend(self, item: Item, reason: str, kind: str) -> None:
        self.pending += [Pending(e.key, e.ref, e.source, e.published, reason, kind)
                         for e in item.entries]  # fmt: skip

    def _account(self, spent: Usage) -> None:
        self.stats.model_calls = spent.calls - spent.cached_calls
        self.stats.cached_calls = spent.cached_calls
        self.stats.prompt_tokens = spent.prompt_tokens - spent.cached_prompt_tokens
        self.stats.completion_tokens = spent.completion_tokens - spent.cached_completion_tokens
        self.stats.cost_usd = self.briefer.estimate_cost(
            self.stats.prompt_tokens, self.stats.completion_tokens
        )

    # -- stories and what changed -----------------------------------------------------------

    def _stories(self, items: list[Item]) -> None:
        """Link each item to its story: the one its entries are already in (a rerun today),
        else an earlier story it continues; a continuing story's brief gets what changed."""
        name = self.profile.name
        since = (self.now.date() - timedelta(days=CONTINUING_DAYS)).isoformat()
        earlier = self.state.earlier_stories(name, self.day, since)
        matches = continuing([i.articles for i in items], [s.articles for s in earlier])
        for item, match in zip(items, matches, strict=True):
            assert item.brief is not None
            item.story_id = self.state.story_of(name, [e.key for e in item.entries])
            if item.story_id is None and match is not None:
                item.story_id = earlier[match].id
            item.brief = item.brief.model_copy(update={"changed": None})
            if item.story_id is not None:
                day, previous = self.state.previous_brief(item.story_id, self.day)
                if previous is not None:
                    change = what_changed(item.brief, previous, day)
                    item.brief = item.brief.model_copy(update={"changed": change})

    def _digest(self, items: list[Item]) -> Digest:
        self.stats.items = len(items)
        self.stats.seconds = round(time.monotonic() - self.started, 3)
        return Digest(
            items=[
                DigestItem(title=item.brief.title, sources=item.refs, brief=item.brief)
                for item in items
                if item.brief is not None
            ],
            not_included=self.not_included,
            run=self.stats,
        )

    def _remember(self, done: list[Item]) -> None:
        """Entries of the digest are briefed (as of today); every other entry read is stored
        (its page is not fetched again); failed and left-over entries are pending (tried again
        next run, up to ``MAX_TRIES``), the rest settled; stories get today's brief."""
        name = self.profile.name
        included = {e.key for item in done for e in item.entries}
        included |= {copy for copy, kept in self.copy_of.items() if kept in included}
        self.state.record_entries(
            name,
            [(e.key, e.text_hash, e.source, e.article, e.published) for e in self.read
             if e.key not in included],
            None,
        )  # fmt: skip
        self.state.record_entries(
            name,
            [(e.key, e.text_hash, e.source, e.article, e.published) for e in self.read
             if e.key in included],
            self.day,
        )  # fmt: skip
        pending = {p.key: p for p in self.pending}
        settled = (self.settled | {e.key for e in self.read}) - set(pending)
        self.state.update_pending(
            name,
            [(p.key, p.ref, p.source, p.published, p.reason, p.kind) for p in pending.values()],
            settled,
        )
        for item in done:
            assert item.brief is not None
            self.state.record_story(
                name, item.story_id, item.brief.title, self.day, [e.key for e in item.entries],
                item.key,
            )  # fmt: skip


def _local(when: datetime | None, now: datetime) -> datetime | None:
    """``when`` in ``now``'s zone, for the digest; as it is where that zone cannot hold it (an
    entry dated 1 January of the year 1, west of UTC)."""
    if when is None:
        return None
    try:
        return when.astimezone(now.tzinfo)
    except (OverflowError, ValueError):
        return when
