"""The verifier: checks every statement of a brief against the source sentences it cites. No model.

For each statement, against its cited sentences (and, failing that, the whole source):

- the cited sentence ids exist;
- every quoted span ("…", “…”) appears verbatim in the source, quote style and whitespace aside;
- every number appears in the cited sentences. Numbers are compared as values: "1,000" = "1000",
  "twenty-seven" = "27", "40%" = "40 percent"; dates by their parts, so "April 22" = "22 April";
- every name (capitalised word) appears in the source;
- attribution: when a cited sentence reports what someone said (said, claimed, according to…) and
  the statement has no reporting word at all, the statement has turned a claim into a fact.

Status: **supported** (all checks pass), **partly supported** (attribution dropped, or a number
that is in the source but not in the cited sentences), **unsupported** (no valid citation, or a
quote, number or name not in the source at all).

Limits (heuristics, documented on purpose): names are capitalised words, so a lower-case name or a
wrong pairing of two real names ("Rubio called Sharif" when Rubio called Jaishankar) passes;
paraphrase that reverses a meaning ("did not" → "did") passes; "one" is not checked as a number
(it is too often a pronoun); the attribution check looks for any reporting word, not for the right
speaker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from .errors import ConfigError
from .grounding import bare_words, names, numbers
from .models import SECTIONS, Article, Brief, Statement, Status, VerificationSummary
from .scoring import normalise
from .sentences import Sentence, split_sentences

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(_TEN_WORDS.split())}
_WORD_NUMBER = re.compile(
    r"\b(?:("
    + "|".join(_TENS)
    + r")(?:[- ]("
    + "|".join(list(_UNITS)[1:10])
    + r"))?|("
    + "|".join(list(_UNITS)[2:])
    + r"))\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
_REPORTING = re.compile(
    r"\b(said|says|saying|say|told|tells|stated|states|stating|claimed|claims|claiming|alleged|"
    r"alleges|allegedly|reported|reports|reportedly|according|announced|announces|asserted|"
    r"accused|insisted|denied|denies|warned|warns|noted|notes|added|confirmed|confirms|affirmed|"
    r"highlighted|emphasi[sz]ed|described|called|urged|argued|maintained|believes|believed)\b",
    re.IGNORECASE,
)


class Check(BaseModel):
    status: Status
    problems: list[str]


def number_values(text: str) -> set[str]:
    """Digit numbers plus spelled-out ones (two … ninety-nine), as digit strings."""
    values = numbers(text)
    for match in _WORD_NUMBER.finditer(text):
        tens, unit, plain = match.groups()
        if plain:
            values.add(str(_UNITS[plain.lower()]))
        else:
            values.add(str(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0)))
    return values


def quotes(text: str) -> list[str]:
    return [q.strip() for q in _QUOTED.findall(text) if q.strip()]


def check_statement(
    text: str, cited: Iterable[Sentence], source: str, *, needs_citation: bool = True
) -> Check:
    """Check one statement against its cited sentences and the whole source."""
    cited = list(cited)
    problems: list[str] = []
    unsupported = False
    if needs_citation and not cited:
        problems.append("no valid citation")
        unsupported = True
    basis = " ".join(s.text for s in cited) if cited else source
    whole = normalise(source)
    for quote in quotes(text):
        if normalise(quote) not in whole:
            problems.append(f"quote not in the source: “{quote}”")
            unsupported = True
    in_basis, in_source = number_values(basis), number_values(source)
    for value in sorted(number_values(text) - in_basis):
        if value in in_source:
            problems.append(f"number {value} is not in the cited sentences")
        else:
            problems.append(f"number {value} is not in the source")
            unsupported = True
    source_words = bare_words(source)
    for name in sorted(names(text)):
        if name not in source_words:
            problems.append(f"name “{name}” is not in the source")
            unsupported = True
    if cited and not _REPORTING.search(text):
        verbs = {m.group(0).lower() for s in cited for m in _REPORTING.finditer(s.text)}
        if verbs:
            problems.append(f"drops the attribution of the cited sentence ({sorted(verbs)[0]})")
    status: Status = "unsupported" if unsupported else ("partial" if problems else "supported")
    return Check(status=status, problems=problems)


def verify_brief(brief: Brief, sentences: list[Sentence], source: str) -> Brief:
    """The brief with every statement's status and problems set, and its summary."""
    by_id = {s.id: s for s in sentences}
    sections: dict[str, list[Statement]] = {}
    counts = {"supported": 0, "partial": 0, "unsupported": 0}
    for name, _ in SECTIONS:
        checked = []
        for statement in brief.section(name):
            valid = [by_id[i] for i in statement.cites if i in by_id]
            missing = [i for i in statement.cites if i not in by_id]
            result = check_statement(statement.text, valid, source)
            problems = [f"cites sentence {i}, which does not exist" for i in missing]
            problems += result.problems
            status: Status = "unsupported" if missing else result.status
            counts[status] += 1
            checked.append(statement.model_copy(update={"status": status, "problems": problems}))
        sections[name] = checked
    bottom = check_statement(brief.bottom_line, [], source, needs_citation=False)
    total = sum(counts.values())
    summary = VerificationSummary(
        statements=total,
        supported=counts["supported"],
        partial=counts["partial"],
        unsupported=counts["unsupported"],
        dropped=len(brief.dropped),
        supported_share=round(counts["supported"] / total, 4) if total else 1.0,
        bottom_line=bottom.status,
        bottom_line_problems=bottom.problems,
        withheld_sentences=brief.verification.withheld_sentences if brief.verification else 0,
    )
    return brief.model_copy(update={**sections, "verification": summary})


def verify_sources(brief: Brief, articles: list[Article]) -> Brief:
    """Re-check a saved brief against its source articles (statements cite by source index)."""
    if len(articles) != len(brief.sources):
        raise ConfigError(
            f"the brief has {len(brief.sources)} source(s) but {len(articles)} were given",
            hint="give the source files in the brief's order",
        )
    if len(articles) != 1:
        raise ConfigError("re-checking briefs with several sources is not supported yet")
    article = articles[0]
    return verify_brief(brief, split_sentences(article.text), article.text)


def apply_policy(brief: Brief, policy: str) -> Brief:
    """``flag``: keep and mark; ``drop``: move unsupported statements to ``dropped``."""
    if policy != "drop":
        return brief
    kept: dict[str, list[Statement]] = {}
    dropped = list(brief.dropped)
    for name, _ in SECTIONS:
        kept[name] = [s for s in brief.section(name) if s.status != "unsupported"]
        dropped += [
            s.model_copy(update={"section": name})
            for s in brief.section(name)
            if s.status == "unsupported"
        ]
    summary = brief.verification
    if summary is not None:
        removed = len(dropped) - len(brief.dropped)
        statements = summary.statements - removed
        summary = summary.model_copy(
            update={
                "dropped": len(dropped),
                "unsupported": summary.unsupported - removed,
                "statements": statements,
                "supported_share": round(summary.supported / statements, 4) if statements else 1.0,
            }
        )
    return brief.model_copy(update={**kept, "dropped": dropped, "verification": summary})


def unsupported(brief: Brief) -> list[tuple[str, Statement]]:
    return [
        (name, s) for name, _ in SECTIONS for s in brief.section(name) if s.status == "unsupported"
    ]
