"""``briefer eval``: brief every text of a corpus and measure the briefs against its key facts.

A corpus is a folder of ``*.txt`` files and a ``keyfacts.json`` (``{"FILE": [{"fact": …,
"anchors": […]}, …]}``). Each text gets its brief written (Markdown + JSON) and is scored:
key-fact recall at the length limit (``scoring.py``), the same for the lead-N baseline, section
coverage, numbers and quoted spans absent from the source, statements per section, words, tokens,
calls and seconds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from .errors import BrieferError, ConfigError
from .grounding import numbers
from .models import SECTIONS, Brief
from .pipeline import Briefer
from .scoring import KeyFact, content_words, fact_recalled, lead_n, normalise, scored_text
from .sources import read_file

_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,}?)[\"“”]")


class ItemReport(BaseModel):
    file: str
    error: str | None = None
    words_in: int = 0
    words_out: int = 0
    word_limit: int = 0
    facts: int = 0
    recalled: int = 0
    recall: float = 0.0
    lead_recall: float = 0.0
    missed: list[str] = Field(default_factory=list)
    sections_covered: int = 0
    statements: dict[str, int] = Field(default_factory=dict)
    supported: int = Field(default=0, description="statements the verifier found supported")
    flagged: int = Field(default=0, description="statements partly supported or unsupported")
    absent_numbers: list[str] = Field(default_factory=list)
    absent_quotes: list[str] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    seconds: float = 0.0


class Summary(BaseModel):
    texts: int
    failed: int
    mean_recall: float
    mean_lead_recall: float
    beats_lead: bool
    mean_sections_covered: float
    statements: int = 0
    supported_share: float = Field(default=1.0, description="supported / statements, all texts")
    absent_numbers: int
    absent_quotes: int
    prompt_tokens: int
    completion_tokens: int
    calls: int
    seconds: float
    mean_seconds: float


class EvalReport(BaseModel):
    corpus: str
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    model: str = ""
    endpoint: str = ""
    prompt_version: str = ""
    items: list[ItemReport]
    summary: Summary


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


def absent_numbers(text: str, source: str) -> list[str]:
    return sorted(numbers(text) - numbers(source))


def absent_quotes(text: str, source: str) -> list[str]:
    """Quoted spans of ``text`` that do not occur verbatim in ``source`` (quote style and
    whitespace aside)."""
    haystack = normalise(source)
    return [q for q in _QUOTED.findall(text) if normalise(q) not in haystack]


def score_brief(brief: Brief, source: str, facts: list[KeyFact], item: ItemReport) -> ItemReport:
    """Fill ``item`` with the brief's measurements against its source and key facts."""
    words_in = len(source.split())
    text = scored_text(brief, words_in)
    whole = " ".join(content_words(brief))
    recalled = [f for f in facts if fact_recalled(f, text)]
    return item.model_copy(
        update={
            "words_in": words_in,
            "words_out": len(whole.split()),
            "word_limit": brief.meta.word_limit,
            "facts": len(facts),
            "recalled": len(recalled),
            "recall": len(recalled) / len(facts) if facts else 0.0,
            "missed": [f.fact for f in facts if f not in recalled],
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
            "prompt_tokens": brief.meta.usage.prompt_tokens,
            "completion_tokens": brief.meta.usage.completion_tokens,
            "calls": brief.meta.usage.calls,
            "cached_calls": brief.meta.usage.cached_calls,
        }
    )


def lead_recall(source: str, facts: list[KeyFact], limit: int) -> float:
    text = lead_n(source, limit)
    return sum(fact_recalled(f, text) for f in facts) / len(facts) if facts else 0.0


def summarise(items: list[ItemReport]) -> Summary:
    n = len(items) or 1
    mean_recall = sum(i.recall for i in items) / n
    mean_lead = sum(i.lead_recall for i in items) / n
    seconds = sum(i.seconds for i in items)
    statements = sum(sum(i.statements.values()) for i in items)
    return Summary(
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
        prompt_tokens=sum(i.prompt_tokens for i in items),
        completion_tokens=sum(i.completion_tokens for i in items),
        calls=sum(i.calls for i in items),
        seconds=round(seconds, 1),
        mean_seconds=round(seconds / n, 1),
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
    texts = sorted(corpus.glob("*.txt"))
    if not texts:
        raise ConfigError(f"no *.txt files in {corpus}", hint="point at a corpus folder")
    from .budget import word_limit

    items: list[ItemReport] = []
    last: Brief | None = None
    for path in texts:
        source = path.read_text(encoding="utf-8", errors="replace")
        known = facts.get(path.name, [])
        item = ItemReport(
            file=path.name,
            words_in=len(source.split()),
            facts=len(known),
            lead_recall=lead_recall(source, known, word_limit(len(source.split()))),
        )
        started = time.monotonic()
        try:
            article = read_file(path)
            brief = briefer.brief(article, progress=progress)
            briefer.write(brief, briefs_dir, article.id, ("md", "json"))
            item = score_brief(brief, source, known, item)
            last = brief
        except BrieferError as err:
            item.error = str(err)
            item.missed = [f.fact for f in known]
        item.seconds = round(time.monotonic() - started, 1)
        items.append(item)
        if on_item:
            on_item(item)
    meta = last.meta if last else None
    return EvalReport(
        corpus=str(corpus),
        model=meta.model if meta else "",
        endpoint=meta.endpoint if meta else "",
        prompt_version=meta.prompt_version if meta else "",
        items=items,
        summary=summarise(items),
    )


def load_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError) as exc:
        raise ConfigError(
            f"cannot read report {path}: {exc}", hint="give a briefer eval report"
        ) from exc
