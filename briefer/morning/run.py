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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from briefer.config import Settings, redact_url
from briefer.errors import BrieferError, BudgetError, DeliveryError
from briefer.inputs.fetch import FetchPolicy
from briefer.model.answer_cache import AnswerCache
from briefer.model.local_server import endpoint, uses_local_model
from briefer.model.model_store import MODEL_SHA256
from briefer.models import Brief, Digest, DigestItem, NotIncluded, RunStats, Usage
from briefer.morning import output
from briefer.morning.changes import what_changed
from briefer.morning.collect import Collector, Entry
from briefer.morning.dedupe import copies
from briefer.morning.items import Item, brief_items, item_key
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


def _endpoint_id(settings: Settings) -> str:
    if uses_local_model(settings):
        return f"embedded:{settings.local_model_path or MODEL_SHA256}"
    return settings.endpoint_id or redact_url(settings.base_url or "openai")


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
) -> MorningResult:
    """Make (or, ``dry_run``, plan) the digest of ``profile``'s sources for ``now``'s day.

    Raises ``RunLockedError`` when a run of the profile is in progress, ``DeliveryError`` when
    the digest was written but not mailed, and the endpoint's errors that stop every item."""
    now = (now or datetime.now()).astimezone()
    state = State(state_path)
    try:
        if dry_run:
            return _Run(settings, profile, state, now, progress, on_item).plan()
        with locked(state.path.parent, profile.name):
            return _Run(settings, profile, state, now, progress, on_item).run(deliver)
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
    ) -> None:
        self.settings = settings
        self.profile = profile
        self.state = state
        self.now = now
        self.day = now.date().isoformat()
        self.say = progress or (lambda text: None)
        self.on_item = on_item
        self.briefer = Briefer(settings)
        self.started = time.monotonic()
        window = profile.window()
        start = now - window if window else state.window_start(profile.name, self.day)
        self.stats = RunStats(
            profile=profile.name,
            date=self.day,
            window_start=start.astimezone(now.tzinfo) if start else None,
            sources=len(profile.sources),
            cost_usd=0.0,  # no call made costs nothing, whatever the price (None: unknown)
        )
        self.not_included: list[NotIncluded] = []

    # -- collect, dedupe, group, rank -------------------------------------------------------

    def _items(self) -> list[Item]:
        name, day = self.profile.name, self.day
        self.say(f"reading {len(self.profile.sources)} sources…")
        collected = Collector(
            FetchPolicy.from_settings(self.settings),
            since=self.stats.window_start,
            seen=lambda keys, text: self.state.briefed_before(name, keys, text, day),
            known=lambda key: self.state.known_article(name, key),
        ).collect(self.profile.sources)
        self.stats.sources_read = collected.sources_read
        self.stats.entries = len(collected.entries) + collected.skipped_seen
        self.not_included += collected.not_included
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
        ranked = ranked[:keep]
        endpoint_id = _endpoint_id(self.settings)
        for item in ranked:
            item.key = item_key(item, self.briefer, endpoint_id)
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
        dropped = copies([e.article for e in unique])
        for copy, kept in sorted(dropped.items()):
            original = unique[kept]
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
        return MorningResult(digest=digest, plan=planned, failed_sources=self.failed_sources)

    # -- the run ----------------------------------------------------------------------------

    def run(self, deliver: bool) -> MorningResult:
        run_id = self.state.start_run(self.profile.name, self.day, self.now)
        status, errors = "failed", []
        try:
            items = self._items()
            self._brief(items)
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
            self._remember(items, done)
            result = MorningResult(digest, paths, failed_sources=self.failed_sources)
            status = "ok"
            if deliver and self.profile.delivery is not None:
                self.say("mailing the digest…")
                output.deliver(self.profile.delivery, digest, paths, self.briefer)
                result.delivered = True
            return result
        except DeliveryError as err:
            errors.append(str(err))
            raise
        except (KeyboardInterrupt, SystemExit):  # Ctrl-C; SIGTERM/SIGHUP exit through here
            status = "interrupted"
            raise
        except BrieferError as err:
            errors.append(str(err))
            raise
        finally:
            errors += [f"{n.source}: {n.reason}" for n in self.not_included]
            self.stats.seconds = round(time.monotonic() - self.started, 3)
            self.state.end_run(run_id, status, self.stats, errors)

    def _brief(self, items: list[Item]) -> None:
        todo = self._within_budget([item for item in items if item.brief is None])
        self.stats.reused_briefs = sum(1 for item in items if item.reused)
        if not todo:
            return
        self.say(f"briefing {len(todo)} items…")
        local = uses_local_model(self.settings)
        with endpoint(self.settings, progress=self.say) as active:
            # Parallel items, each read one call at a time: at most `workers` calls in flight.
            briefer = Briefer(active.model_copy(update={"concurrency": 1}))
            briefer.model.cache = AnswerCache(data_dir() / "answers")
            workers = 1 if local else (self.settings.concurrency or 4)

            def done(item: Item, result: Brief | BrieferError) -> None:
                if isinstance(result, BrieferError):
                    self.not_included += [NotIncluded.of(ref, result.message) for ref in item.refs]
                    return
                item.brief = result
                self.state.store_brief(item.key, result)
                if self.on_item:
                    self.on_item(item)

            try:
                brief_items(briefer, todo, workers, done)
            finally:
                self._account(briefer.spent)

    def _within_budget(self, todo: list[Item]) -> list[Item]:
        """Items in rank order while their estimates fit ``max_cost`` / ``max_tokens``; the
        rest are listed as left out to keep the budget (nothing is spent on them)."""
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
                continue
            kept.append(item)
            tokens += prompt + completion
            prompt_sum, completion_sum = prompt_sum + prompt, completion_sum + completion
        return kept

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

    def _remember(self, items: list[Item], done: list[Item]) -> None:
        """Entries of the digest are briefed (as of today); stories get today's brief."""
        name = self.profile.name
        included = {e.key for item in done for e in item.entries}
        read = [e for item in items for e in item.entries]
        self.state.record_entries(
            name,
            [(e.key, e.text_hash, e.source, e.article, e.published) for e in read
             if e.key not in included],
            None,
        )  # fmt: skip
        self.state.record_entries(
            name,
            [(e.key, e.text_hash, e.source, e.article, e.published) for e in read
             if e.key in included],
            self.day,
        )  # fmt: skip
        for item in done:
            assert item.brief is not None
            self.state.record_story(
                name, item.story_id, item.brief.title, self.day, [e.key for e in item.entries],
                item.key,
            )  # fmt: skip
