"""Typed values crossing pipeline stages: Article → BriefContent (the model's contract) → Brief."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

#: The four body sections, in reading order: (field name, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("background", "Background"),
    ("us_position", "US Position"),
    ("ground_situation", "Ground Situation"),
    ("outlook", "Outlook"),
)

#: What an empty section says. It claims nothing about the sources: the model files each
#: sentence, and a section it filed nothing under (or nothing shown whole) may still have
#: material in the text. Read on eight unseen texts, 7 of 9 "The sources do not state …"
#: lines were false.
EMPTY_SECTION: dict[str, str] = {
    "background": "No statement on the background was drawn from the sources.",
    "us_position": "No statement of a US position was drawn from the sources.",
    "ground_situation": "No statement on the situation on the ground was drawn from the sources.",
    "outlook": "No statement on the outlook was drawn from the sources.",
}

_WS = re.compile(r"\s+")
# Bullets, numbering or heading marks a model sometimes puts in front of a statement.
_LEADING_MARKS = re.compile(r"^(?:[-*•·#>]+|\d{1,2}[.)])\s+")


def clean_line(value: object) -> str:
    """One line of plain text: whitespace collapsed, leading list/heading marks removed."""
    return _clean_line(str(value))


@lru_cache(maxsize=1 << 14)  # a statement's text is validated again with every copy of it
def _clean_line(value: str) -> str:
    text = _WS.sub(" ", value).strip()
    return _LEADING_MARKS.sub("", text).strip()


def safe_url(value: object) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None (no javascript:, file:…)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c in url for c in " \t\r\n\"'<>")
    ):
        return None
    return url


def word_count(text: str) -> int:
    """Whitespace-separated tokens, the unit of every length limit in briefer."""
    return len(text.split())


Line = Annotated[str, BeforeValidator(clean_line)]


class Source(BaseModel):
    """One article a brief was made from, as listed under "Sources"."""

    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: Annotated[str | None, BeforeValidator(safe_url)] = None
    origin: str | None = Field(default=None, description="file path, URL or '-' it was read from")
    sentences: dict[int, str] = Field(
        default_factory=dict, description="the cited sentences of this source, by id"
    )
    # The cited sentences alone cannot re-check a brief: the bottom line and a statement's
    # speaker rest on the rest of the article (6 of the 8 dev briefs' bottom lines). Sentences
    # that read as instructions to an AI are left out: a brief's JSON never carries a payload.
    other_sentences: dict[int, str] = Field(
        default_factory=dict,
        description="the article's other sentences, instruction-like ones left out, so that a "
        "saved brief can be verified again without its article",
    )


class Article(BaseModel):
    """An input article: its text (data, never instructions) and what is known about it."""

    id: str = Field(description="file-system-safe name used for the output files")
    text: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: Annotated[str | None, BeforeValidator(safe_url)] = None
    origin: str = "-"

    @property
    def words(self) -> int:
        return word_count(self.text)

    def source(self) -> Source:
        return Source(
            title=self.title, outlet=self.outlet, date=self.date, url=self.url, origin=self.origin
        )


Status = Literal["supported", "partial", "unsupported"]


class Ref(BaseModel):
    """One sentence of one source: ``[2:5]`` is sentence 5 of source 2 (both 1-based)."""

    source: int = Field(ge=1)
    sentence: int = Field(ge=1)

    def __str__(self) -> str:
        return f"{self.source}:{self.sentence}"


#: How a line of a brief relates to the source sentences it cites: the text's own headline, a
#: cited sentence verbatim, one shortened (words deleted, the order kept), or a paraphrase.
Form = Literal["headline", "verbatim", "shortened", "paraphrase"]


class Basis(BaseModel):
    """What a title or bottom line rests on, how it relates to it, and why the model's own
    line was replaced (None: it was not)."""

    cites: list[Ref] = Field(default_factory=list, description="the sentences it rests on")
    form: Form
    replaced: str | None = Field(
        default=None, description="why the model's own line failed the checks and was replaced"
    )


class Statement(BaseModel):
    """One statement of a brief and the source sentences it rests on."""

    text: Line
    cites: list[int] = Field(default_factory=list, description="ids of the cited source sentences")
    source: int = Field(default=1, description="which source (1-based) the ids refer to")
    also: list[Ref] = Field(
        default_factory=list,
        description="sentences of other sources that state the same fact (a story's brief)",
    )
    status: Status | None = Field(default=None, description="set by the verifier")
    form: Form | None = Field(
        default=None, description="set by the verifier: verbatim, shortened or paraphrase"
    )
    problems: list[str] = Field(default_factory=list, description="why it is not supported")
    section: str | None = Field(default=None, description="for dropped statements: where it was")


def _statements(value: object) -> object:
    """Clean a list of statements (plain strings allowed): drop empty ones and exact repeats."""
    if not isinstance(value, list):
        return value
    seen: set[str] = set()
    out: list[object] = []
    for item in value:
        data = {"text": item} if isinstance(item, str) else item
        text = clean_line(data.get("text", "") if isinstance(data, dict) else data)
        if isinstance(data, dict) and text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append({**data, "text": text})
        elif not isinstance(data, dict):
            out.append(data)  # let validation report it
    return out


Statements = Annotated[list[Statement], BeforeValidator(_statements)]


class VerificationSummary(BaseModel):
    statements: int = 0
    supported: int = 0
    partial: int = 0
    unsupported: int = 0
    dropped: int = 0
    supported_share: float = 1.0
    verbatim: int = Field(default=0, description="statements that are a cited sentence whole")
    shortened: int = Field(default=0, description="statements that are a cited sentence cut")
    paraphrased: int = Field(default=0, description="statements in words of their own")
    title: Status | None = Field(
        default=None, description="None: not checked (a brief saved before titles cited)"
    )
    title_problems: list[str] = Field(default_factory=list)
    bottom_line: Status = "supported"
    bottom_line_problems: list[str] = Field(default_factory=list)
    withheld_sentences: int = Field(
        default=0, description="article sentences that read as instructions to an AI, not sent"
    )
    unjudged: list[str] = Field(
        default_factory=list,
        description="statements that pass the checks but hold what they cannot judge: "
        "'[46] a reference, “the gaps”', '[42] a judgement, “will need”'",
    )

    def passing(self) -> int:
        """Statements that pass every check and hold nothing the checks cannot judge."""
        return max(self.supported - len(self.unjudged), 0)

    def line(self) -> str:
        """The summary's first part: counts only, never a word the checks cannot back. A
        statement the checks cannot judge (``unjudged``) is not counted as passing: it is named."""
        forms = (
            f" ({self.verbatim} verbatim, {self.shortened} shortened, {self.paraphrased} "
            "paraphrased)"
        )
        share = self.passing() / self.statements if self.statements else 1.0
        parts = [
            f"{self.statements} statements{forms if self.statements else ''}",
            f"{share:.0%} pass every check",
        ]
        if self.unjudged:
            parts.append(
                f"{len(self.unjudged)} the checks cannot judge ({'; '.join(self.unjudged)})"
            )
        if self.partial:
            parts.append(f"{self.partial} partly supported")
        parts.append(f"{self.partial + self.unsupported} flagged")
        parts.append(f"{self.dropped} dropped")
        if self.withheld_sentences:
            parts.append(f"{self.withheld_sentences} instruction-like sentences withheld")
        return ", ".join(parts)


class Disagreement(BaseModel):
    """Sources that differ on a number, a date or a claim, each as its cited sentence says."""

    about: str = Field(default="", description="what they count differently, e.g. 'people'")
    text: str = Field(description="one line: 'ANI reports 27 dead; Reuters 26'")
    refs: list[Ref]


class BriefContent(BaseModel):
    """Title, bottom line and the four sections of statements."""

    model_config = ConfigDict(extra="forbid")

    title: Line = Field(description="A headline that states the main development or judgment.")
    bottom_line: Line = Field(description="1-3 sentences: what happened and why it matters.")
    title_basis: Basis | None = Field(default=None, description="what the title rests on")
    bottom_line_basis: Basis | None = Field(
        default=None, description="what the bottom line rests on"
    )
    background: Statements = Field(description="Context needed to understand the development.")
    us_position: Statements = Field(description="What the US government has said or done.")
    ground_situation: Statements = Field(description="Events and facts on the ground now.")
    outlook: Statements = Field(description="What comes next: plans, risks, indicators to watch.")

    @field_validator("title", "bottom_line")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    def section(self, name: str) -> list[Statement]:
        statements: list[Statement] = getattr(self, name)
        return statements

    def texts(self) -> list[str]:
        """Title, bottom line and statements in reading order: what the length limit counts."""
        out = [self.title, self.bottom_line]
        for name, _ in SECTIONS:
            out.extend(s.text for s in self.section(name))
        return out

    def content_words(self) -> int:
        return sum(word_count(t) for t in self.texts())


class Usage(BaseModel):
    # pydantic < 2.10 reserves the whole "model_" prefix and warns on model_seconds.
    model_config = ConfigDict(protected_namespaces=())

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_calls: int = Field(default=0, description="calls answered from the answer cache")
    cached_prompt_tokens: int = Field(
        default=0, description="of the prompt tokens counted, those of cached answers"
    )
    cached_completion_tokens: int = Field(
        default=0, description="of the completion tokens counted, those of cached answers"
    )
    model_seconds: float = Field(default=0.0, description="time spent waiting for the model")

    def add(self, prompt_tokens: int, completion_tokens: int, *, cached: bool = False) -> None:
        self.calls += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.cached_calls += int(cached)
        if cached:
            self.cached_prompt_tokens += prompt_tokens
            self.cached_completion_tokens += completion_tokens

    def merge(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_calls += other.cached_calls
        self.cached_prompt_tokens += other.cached_prompt_tokens
        self.cached_completion_tokens += other.cached_completion_tokens
        self.model_seconds += other.model_seconds

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class BriefMeta(BaseModel):
    model: str
    endpoint: str
    prompt_version: str
    usage: Usage = Field(default_factory=Usage)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    response_format: str = "json_schema"
    word_limit: int = 0
    chunks: int = Field(default=1, description="parts the article was read in (map calls)")
    cost_usd: float | None = Field(default=None, description="from the price table; None: unknown")
    trimmed_statements: int = Field(
        default=0, description="statements dropped to keep the brief within word_limit"
    )
    briefer_version: str = ""


class Change(BaseModel):
    """A continuing story: the statements of this brief that its previous brief did not make."""

    since: str = Field(description="date (ISO) of the digest with the story's previous brief")
    previous_title: str = Field(description="the previous brief's title")
    statements: list[Statement] = Field(
        default_factory=list, description="new statements, as in this brief, with their cites"
    )


class Brief(BriefContent):
    """A finished brief: the model's content plus where it came from and how it was made."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Source]
    meta: BriefMeta
    dropped: list[Statement] = Field(
        default_factory=list, description="statements removed by --on-unsupported drop, with why"
    )
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="where a story's sources differ (found by code)"
    )
    verification: VerificationSummary | None = None
    changed: Change | None = Field(
        default=None, description="a continuing story in a morning digest: what is new"
    )

    @classmethod
    def from_content(
        cls, content: BriefContent, sources: list[Source], meta: BriefMeta, **extra: object
    ) -> Brief:
        return cls.model_validate(
            {**content.model_dump(), "sources": sources, "meta": meta, **extra}
        )


# --- the morning digest (``briefer morning``): read by other tools as morning-brief.json ------


class DigestItem(BaseModel):
    """One item of a digest: a story (several sources, one merged brief) or a single entry."""

    title: str
    sources: list[str] = Field(description="each source as given, or its URL")
    brief: Brief


class NotIncluded(BaseModel):
    """A source or entry that is not in the digest, and why (one line)."""

    source: str
    reason: str

    @classmethod
    def of(cls, source: str, message: str) -> NotIncluded:
        """``message`` as the reason, less a leading ``"<source>: "`` (errors name their input)."""
        return cls(source=source, reason=message.removeprefix(f"{source}: "))


class RunStats(BaseModel):
    """How the digest was made. Model calls and tokens are this run's: 0 on a rerun."""

    model_config = ConfigDict(protected_namespaces=())

    model_calls: int = 0
    cached_calls: int = Field(default=0, description="calls answered from the answer cache")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(default=None, description="None: no price known")
    seconds: float = 0.0
    profile: str = "default"
    date: str = Field(default="", description="the digest's date (ISO, local time)")
    window_start: datetime | None = Field(
        default=None, description="entries published before this are left out; None: no limit"
    )
    sources_read: int = Field(default=0, description="configured sources that could be read")
    sources: int = Field(default=0, description="configured sources")
    entries: int = Field(
        default=0, description="entries read: each is in the digest or under not_included"
    )
    entries_new: int = Field(default=0, description="entries neither briefed before nor copies")
    items: int = 0
    reused_briefs: int = Field(default=0, description="items whose brief was already stored")
    notes: list[str] = Field(
        default_factory=list, description="what a cap left out, e.g. entries over max_entries"
    )


class Digest(BaseModel):
    """``morning-brief.json``: items in rank order, what was left out, and the run."""

    items: list[DigestItem]
    not_included: list[NotIncluded]
    run: RunStats
