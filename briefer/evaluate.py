"""``briefer eval``: brief every text of a corpus and measure the briefs against its key facts.

A corpus is a folder of ``*.txt`` files and a ``keyfacts.json`` (``{"FILE": [{"fact": …,
"anchors": […]}, …]}``), optionally a ``sections.json`` (``{"FILE": {"facts": [[accepted
sections], …], "present": [sections with material]}}``). Each text gets its brief written
(Markdown + JSON) and is scored: key-fact recall at the length limit by the old and the strict
rule (``scoring.py``), the same for the lead-N baseline; with ``sections.json``, placement (recalled
facts in an accepted section) and empty sections (material in the source, nothing in the brief);
section coverage, numbers and quoted spans absent from the source, statements per section, words,
tokens, calls and seconds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from briefer.check.grounding import numbers
from briefer.check.grouping_scores import readme_dates
from briefer.check.proxies import Proxies, proxies
from briefer.check.scoring import (
    KeyFact,
    content_words,
    fact_placed,
    fact_recalled,
    lead_n,
    normalise,
    recall,
    scored_parts,
    scored_text,
)
from briefer.errors import BrieferError, ConfigError, InternalError
from briefer.inputs.sources import read_file
from briefer.models import SECTIONS, Article, Brief
from briefer.pipeline import Briefer
from briefer.text.quotes import quotations


class ItemReport(BaseModel):
    file: str
    kind: str = Field(default="", description="the text's kind (``kind_of``)")
    error: str | None = None
    words_in: int = 0
    words_out: int = 0
    word_limit: int = 0
    facts: int = 0
    recalled: int = 0
    recall: float = 0.0
    lead_recall: float = 0.0
    strict_recalled: int = 0
    strict_recall: float = 0.0
    lead_strict_recall: float = 0.0
    placed: int | None = Field(default=None, description="strictly recalled facts placed right")
    present: list[str] = Field(default_factory=list, description="sections with material")
    empty_sections: list[str] = Field(
        default_factory=list, description="sections with material that the brief left empty"
    )
    filled_absent: list[str] = Field(
        default_factory=list, description="sections without material that the brief filled"
    )
    missed: list[str] = Field(
        default_factory=list, description="facts not recalled under the old (lenient) rule"
    )
    strict_missed: list[str] = Field(
        default_factory=list, description="facts not recalled under the strict rule"
    )
    misplaced: list[str] = Field(
        default_factory=list, description="strictly recalled facts outside their sections"
    )
    sections_covered: int = 0
    statements: dict[str, int] = Field(default_factory=dict)
    supported: int = Field(default=0, description="statements the verifier found supported")
    flagged: int = Field(default=0, description="statements partly supported or unsupported")
    absent_numbers: list[str] = Field(default_factory=list)
    absent_quotes: list[str] = Field(default_factory=list)
    proxies: Proxies = Field(default_factory=Proxies, description="fidelity proxies (proxies.py)")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    seconds: float = 0.0
    sources: int = Field(default=1, description="articles the brief was made from")
    sources_cited: int = Field(default=1, description="of them, cited at least once")


class GroupingReport(BaseModel):
    """How the corpus's texts were grouped into stories, against ``GROUPS.json``."""

    precision: float
    recall: float
    f1: float
    exact: int = Field(description="gold groups found member for member")
    expected: int
    predicted: list[list[str]]
    seconds: float


class KindSummary(BaseModel):
    """The means of one kind of text: a rule that helps news and hurts reports shows here."""

    texts: int
    mean_strict_recall: float
    mean_lead_strict_recall: float
    placement: float | None = None
    empty_sections: int = 0
    present_sections: int = 0
    filled_absent: int = 0


class Summary(BaseModel):
    texts: int
    failed: int
    mean_recall: float
    mean_lead_recall: float
    mean_strict_recall: float = 0.0
    mean_lead_strict_recall: float = 0.0
    placement: float | None = Field(
        default=None, description="placed / strictly recalled facts, all texts"
    )
    empty_sections: int = 0
    present_sections: int = 0
    filled_absent: int = 0
    beats_lead: bool
    mean_sections_covered: float
    statements: int = 0
    words_out: int = Field(default=0, description="brief words, all texts")
    facts_per_100_words: float = Field(
        default=0.0, description="strictly recalled facts per 100 brief words, all texts"
    )
    supported_share: float = Field(default=1.0, description="supported / statements, all texts")
    absent_numbers: int
    absent_quotes: int
    proxies: Proxies = Field(default_factory=Proxies)
    prompt_tokens: int
    completion_tokens: int
    calls: int
    seconds: float
    mean_seconds: float
    by_kind: dict[str, KindSummary] = Field(default_factory=dict)


class EvalReport(BaseModel):
    corpus: str
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    model: str = ""
    endpoint: str = ""
    prompt_version: str = ""
    items: list[ItemReport]
    summary: Summary
    grouping: GroupingReport | None = None


def load_keyfacts(corpus: Path) -> dict[str, list[KeyFact]]:
    path = corpus / "keyfacts.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {name: [KeyFact.model_validate(f) for f in facts] for name, facts in data.items()}
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path} not found", hint="a corpus needs *.txt and keyfacts.json"
        ) from exc
    except (ValueError, AttributeError, ValidationError) as exc:
        raise ConfigError(f"{path} is not in the keyfacts format: {exc}") from exc


class SectionLabels(BaseModel):
    facts: list[list[str]]
    present: list[str]
    kind: str | None = None


_KIND_PREFIX = re.compile(r"^([A-Za-z]+)\d")
#: The kind of a text whose name has no letter prefix and whose labels give none.
OTHER_KIND = "other"


def kind_of(file: str, labels: SectionLabels | None = None) -> str:
    """A text's kind: its labels' ``kind``, else its file name's letter prefix ("c01_…" → "c"),
    else ``OTHER_KIND``."""
    if labels is not None and labels.kind:
        return labels.kind
    match = _KIND_PREFIX.match(file)
    return match.group(1).lower() if match else OTHER_KIND


def load_sections(corpus: Path) -> dict[str, SectionLabels]:
    """``sections.json`` when the corpus has one, else no labels (placement not measured)."""
    path = corpus / "sections.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {name: SectionLabels.model_validate(v) for name, v in data.items()}
    except (ValueError, AttributeError, ValidationError) as exc:
        raise ConfigError(f"{path} is not in the sections format: {exc}") from exc


def absent_numbers(text: str, source: str) -> list[str]:
    return sorted(numbers(text) - numbers(source))


def absent_quotes(text: str, source: str) -> list[str]:
    """Quoted spans of ``text`` that do not occur verbatim in ``source`` (quote style and
    whitespace aside)."""
    haystack = normalise(source)
    found = quotations(text, min_len=3, single=False, any_order=True)
    return [q for q in found if normalise(q) not in haystack]


def score_brief(
    brief: Brief,
    source: str,
    facts: list[KeyFact],
    item: ItemReport,
    labels: SectionLabels | None = None,
) -> ItemReport:
    """Fill ``item`` with the brief's measurements against its source, key facts and (when
    given) the sections each fact belongs to."""
    words_in = len(source.split())
    text = scored_text(brief, words_in)
    whole = " ".join(content_words(brief))
    recalled = [f for f in facts if fact_recalled(f, text)]
    strict = [i for i, f in enumerate(facts) if fact_recalled(f, text, strict=True)]
    placement: dict[str, object] = {}
    if labels is not None:
        parts = scored_parts(brief, words_in)
        placed = [
            i
            for i in strict
            if i < len(labels.facts) and fact_placed(facts[i], parts, labels.facts[i])
        ]
        placement = {
            "placed": len(placed),
            "misplaced": [facts[i].fact for i in strict if i not in placed],
            "present": labels.present,
            "empty_sections": [n for n in labels.present if not brief.section(n)],
            "filled_absent": [
                n for n, _ in SECTIONS if n not in labels.present and brief.section(n)
            ],
        }
    return item.model_copy(
        update={
            **placement,
            "strict_recalled": len(strict),
            "strict_recall": len(strict) / len(facts) if facts else 0.0,
            "words_in": words_in,
            "words_out": len(whole.split()),
            "word_limit": brief.meta.word_limit,
            "facts": len(facts),
            "recalled": len(recalled),
            "recall": len(recalled) / len(facts) if facts else 0.0,
            "missed": [f.fact for f in facts if f not in recalled],
            "strict_missed": [f.fact for i, f in enumerate(facts) if i not in strict],
            "sections_covered": sum(1 for name, _ in SECTIONS if brief.section(name)),
            "statements": {name: len(brief.section(name)) for name, _ in SECTIONS},
            "supported": sum(
                1 for n, _ in SECTIONS for s in brief.section(n) if s.status == "supported"
            ),
            "flagged": sum(
                1
                for n, _ in SECTIONS
                for s in brief.section(n)
                if s.status in ("partial", "unsupported")
            ),
            "absent_numbers": absent_numbers(whole, source),
            "absent_quotes": absent_quotes(whole, source),
            "proxies": proxies(brief),
            "prompt_tokens": brief.meta.usage.prompt_tokens,
            "completion_tokens": brief.meta.usage.completion_tokens,
            "calls": brief.meta.usage.calls,
            "cached_calls": brief.meta.usage.cached_calls,
        }
    )


def lead_recall(source: str, facts: list[KeyFact], limit: int, *, strict: bool = False) -> float:
    return recall(facts, lead_n(source, limit), strict=strict)


def _placement(items: list[ItemReport]) -> float | None:
    labelled = [i for i in items if i.placed is not None]
    recalled = sum(i.strict_recalled for i in labelled)
    return round(sum(i.placed or 0 for i in labelled) / recalled, 4) if recalled else None


def by_kind(items: list[ItemReport]) -> dict[str, KindSummary]:
    """Means per kind of text (``kind_of``), in name order."""
    kinds: dict[str, list[ItemReport]] = {}
    for item in items:
        kinds.setdefault(item.kind or kind_of(item.file), []).append(item)
    return {
        kind: KindSummary(
            texts=len(group),
            mean_strict_recall=round(sum(i.strict_recall for i in group) / len(group), 4),
            mean_lead_strict_recall=round(sum(i.lead_strict_recall for i in group) / len(group), 4),
            placement=_placement(group),
            empty_sections=sum(len(i.empty_sections) for i in group),
            present_sections=sum(len(i.present) for i in group),
            filled_absent=sum(len(i.filled_absent) for i in group),
        )
        for kind, group in sorted(kinds.items())
    }


def summarise(items: list[ItemReport]) -> Summary:
    n = len(items) or 1
    mean_recall = sum(i.recall for i in items) / n
    mean_lead = sum(i.lead_recall for i in items) / n
    seconds = sum(i.seconds for i in items)
    statements = sum(sum(i.statements.values()) for i in items)
    words_out = sum(i.words_out for i in items)
    return Summary(
        words_out=words_out,
        facts_per_100_words=round(100 * sum(i.strict_recalled for i in items) / words_out, 2)
        if words_out
        else 0.0,
        mean_strict_recall=round(sum(i.strict_recall for i in items) / n, 4),
        mean_lead_strict_recall=round(sum(i.lead_strict_recall for i in items) / n, 4),
        placement=_placement(items),
        empty_sections=sum(len(i.empty_sections) for i in items),
        present_sections=sum(len(i.present) for i in items),
        filled_absent=sum(len(i.filled_absent) for i in items),
        texts=len(items),
        failed=sum(1 for i in items if i.error),
        mean_recall=round(mean_recall, 4),
        mean_lead_recall=round(mean_lead, 4),
        beats_lead=mean_recall > mean_lead,
        mean_sections_covered=round(sum(i.sections_covered for i in items) / n, 2),
        statements=statements,
        supported_share=round(sum(i.supported for i in items) / statements, 4)
        if statements
        else 1.0,
        absent_numbers=sum(len(i.absent_numbers) for i in items),
        absent_quotes=sum(len(i.absent_quotes) for i in items),
        proxies=sum((i.proxies for i in items), Proxies()),
        prompt_tokens=sum(i.prompt_tokens for i in items),
        completion_tokens=sum(i.completion_tokens for i in items),
        calls=sum(i.calls for i in items),
        seconds=round(seconds, 1),
        mean_seconds=round(seconds / n, 1),
        by_kind=by_kind(items),
    )


def evaluate(
    briefer: Briefer,
    corpus: Path,
    briefs_dir: Path,
    *,
    on_item: Callable[[ItemReport], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Brief and score every text of ``corpus``; a failed text is reported, not fatal."""
    facts = load_keyfacts(corpus)
    sections = load_sections(corpus)
    texts = sorted(corpus.glob("*.txt"))
    if not texts:
        raise ConfigError(f"no *.txt files in {corpus}", hint="point at a corpus folder")
    items: list[ItemReport] = []
    last: list[Brief] = []
    # A text's date, where the corpus README gives it (a feed or page would): time cues and
    # the prompt read it.
    dates = readme_dates(corpus)
    for path in texts:
        item = _run_item(
            path.name,
            [path],
            lambda articles: briefer.brief(articles[0], progress=progress),
            facts,
            sections,
            briefer,
            briefs_dir,
            last,
            dates,
        )
        items.append(item)
        if on_item:
            on_item(item)
    return _report(corpus, items, last)


def _run_item(
    key: str,
    paths: list[Path],
    make: Callable[[list[Article]], Brief],
    facts: dict[str, list[KeyFact]],
    sections: dict[str, SectionLabels],
    briefer: Briefer,
    briefs_dir: Path,
    last: list[Brief],
    dates: dict[str, str] | None = None,
) -> ItemReport:
    """Brief one text or story (``make``), write it, score it against ``key``'s facts."""
    from briefer.brief.budget import word_limit

    source = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)
    known = facts.get(key, [])
    limit = word_limit(len(source.split()))
    labels = sections.get(key)
    item = ItemReport(
        file=key,
        kind=kind_of(key, labels),
        words_in=len(source.split()),
        facts=len(known),
        lead_recall=lead_recall(source, known, limit),
        lead_strict_recall=lead_recall(source, known, limit, strict=True),
        present=labels.present if labels else [],
        empty_sections=labels.present if labels else [],
        sources=len(paths),
        sources_cited=0,
    )
    started = time.monotonic()
    try:
        articles = [read_file(p) for p in paths]
        if dates:
            articles = [
                a.model_copy(update={"date": a.date or dates.get(p.name)})
                for a, p in zip(articles, paths, strict=True)
            ]
        brief = make(articles)
        stem = articles[0].id if len(paths) == 1 else key
        briefer.write(brief, briefs_dir, stem, ("md", "json"))
        item = score_brief(brief, source, known, item, labels)
        item.sources_cited = len(cited_sources(brief))
        last[:] = [brief]
    except BrieferError as err:
        item.error = str(err)
        item.missed = item.strict_missed = [f.fact for f in known]
    except Exception as exc:  # a bug costs this text only: the report still measures the rest
        # The eval goes on to the next text; ``briefer brief FILE --debug`` shows the traceback.
        bug = InternalError.wrapping(
            key, exc, hint=f"a bug in briefer; `briefer brief {key} --debug` shows its traceback"
        )
        item.error = str(bug)
        item.missed = item.strict_missed = [f.fact for f in known]
    item.seconds = round(time.monotonic() - started, 1)
    return item


def cited_sources(brief: Brief) -> set[int]:
    """The sources (1-based) that at least one statement cites."""
    out: set[int] = set()
    for name, _ in SECTIONS:
        for statement in brief.section(name):
            if statement.cites:
                out.add(statement.source)
            out.update(ref.source for ref in statement.also)
    return out


def _report(corpus: Path, items: list[ItemReport], last: list[Brief]) -> EvalReport:
    meta = last[0].meta if last else None
    return EvalReport(
        corpus=str(corpus),
        model=meta.model if meta else "",
        endpoint=meta.endpoint if meta else "",
        prompt_version=meta.prompt_version if meta else "",
        items=items,
        summary=summarise(items),
    )


def evaluate_stories(
    briefer: Briefer,
    corpus: Path,
    briefs_dir: Path,
    *,
    on_item: Callable[[ItemReport], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """``eval --stories``: group the corpus's texts and score the grouping against
    ``GROUPS.json``; then brief each true story from all its sources (and each singleton on its
    own), scored against ``keyfacts.json`` (story keys ``S1``…, singletons by file name)."""
    from briefer.check.grouping_scores import pair_scores
    from briefer.stories.grouping import group

    path = corpus / "GROUPS.json"
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
        stories: dict[str, list[str]] = {k: list(v) for k, v in gold["stories"].items()}
        singletons: list[str] = list(gold.get("singletons", []))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the corpus's stories ({exc})",
            hint='GROUPS.json: {"stories": {"S1": [files…]}, "singletons": [files…]}',
        ) from exc
    facts = load_keyfacts(corpus)
    sections = load_sections(corpus)
    dates = readme_dates(corpus)
    names = [n for files in stories.values() for n in files] + singletons
    missing = [n for n in names if not (corpus / n).is_file()]
    if missing:
        raise ConfigError(f"{corpus}: GROUPS.json names missing files: {', '.join(missing)}")
    texts = sorted(p.name for p in corpus.glob("*.txt"))
    started = time.monotonic()
    articles = [read_file(corpus / n) for n in texts]
    articles = [
        a.model_copy(update={"date": a.date or dates.get(n)})
        for a, n in zip(articles, texts, strict=True)
    ]
    predicted = [[texts[i] for i in g] for g in group(articles)]
    grouped_in = time.monotonic() - started
    expected = list(stories.values()) + [[n] for n in singletons]
    scores = pair_scores(expected, predicted)
    grouping = GroupingReport(
        precision=round(scores["precision"], 4),
        recall=round(scores["recall"], 4),
        f1=round(scores["f1"], 4),
        exact=scores["exact"],
        expected=len(expected),
        predicted=predicted,
        seconds=round(grouped_in, 2),
    )
    items: list[ItemReport] = []
    last: list[Brief] = []
    plan: list[tuple[str, list[str]]] = list(stories.items()) + [(n, [n]) for n in singletons]
    for key, files in plan:

        def make(articles: list[Article], key: str = key) -> Brief:
            if len(articles) == 1:
                return briefer.brief(articles[0], progress=progress)
            return briefer.brief_story(articles, name=key, progress=progress)

        item = _run_item(
            key,
            [corpus / f for f in files],
            make,
            facts,
            sections,
            briefer,
            briefs_dir,
            last,
            dates,
        )
        items.append(item)
        if on_item:
            on_item(item)
    report = _report(corpus, items, last)
    return report.model_copy(update={"grouping": grouping})


def load_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError) as exc:
        raise ConfigError(
            f"cannot read report {path}: {exc}", hint="give a briefer eval report"
        ) from exc
