"""A source sentence as the brief prints it (``statement``): its speaker label, a wire dateline,
a fact sheet's run-in heading and a leading connective or filler dropped; and a statement that
opens on "He" or "She" named from the sentence before (``resolve``). ``Pick`` pairs a sentence
with its statement as printed."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from briefer.models import clean_line
from briefer.text.line_filters import without_speaker
from briefer.text.quotes import quoted_spans
from briefer.text.sentences import Sentence
from briefer.text.words import REPORTING, STOPWORDS, TIME_NOUNS, finite, lemmas, parts_of_speech

# Connectives and a speaker's fillers ("You know, …", "And so …") carry no fact and tie the
# sentence to one the brief may not keep.
_LEADING_CONNECTIVE = re.compile(
    r"^(?:(?:meanwhile|however|additionally|moreover|furthermore|in\s+addition|in\s+turn|also"
    r"|you\s+know|look|well|now|again|I\s+mean|listen|okay|ok|yeah|and\s+so|so|and|but),\s+"
    r"|(?:and|but|so)\s+(?!(?:far|much|many|long|that|to|on)\b)"
    r"|yet,?\s+(?!(?:again|another|more|still|to|so|far|is|was|are|were)\b)"
    # A briefer's asides: "As you know, …", "I would just note that …", "I think you all saw — …"
    # ("As I said" stays: the verifier reads its "said" as the sentence's attribution).
    r"|as\s+(?:I|you|we)\s+(?:saw|know|heard),\s+"
    r"|I\s+(?:would\s+|will\s+|just\s+|also\s+)*(?:note|say|add|point\s+out)\s+that\s+"
    r"|I\s+think\s+you\s+(?:all\s+)?(?:probably\s+)?(?:are\s+aware|saw|know|heard|have\s+seen)"
    r"(?:\s+that)?\s*(?:[—–-]\s*)?(?=\w)"
    # A transcript's note on how the words reached it: "(Via interpreter)", "(As interpreted)",
    # not a time or place ("(In 2023) Exports …").
    r"|\((?:(?:via|through)\s+(?:an?\s+)?(?:interpreter|interpretation|translator|translation)"
    r"|as\s+(?:interpreted|translated)|in\s+(?:English|French|Spanish|Arabic|Russian|Portuguese"
    r"|Chinese|German|Ukrainian))\)\s*"
    # Whom a counterpart addresses by office: "Mr. Secretary, …", "Madam President, …" (not
    # before "you": "Mr. President, you have my word …" says whose word).
    r"|(?:Mr|Madam|Madame|Mrs|Ms)\.?\s+(?:Secretary|President|Vice\s+President|Prime\s+Minister"
    r"|Minister|Ambassador|Chairman|Chair|Speaker|Secretary[\s-]General)(?:\s+General)?,\s+"
    r"(?!you\b|your\b))+",
    re.IGNORECASE,
)


# A speaker's word to whom they address ("…, Steve, I don’t have …", "David, I’m afraid …"): a
# lone capitalised word set off by commas before "I", "we" or "you", no word of time ("…,
# Monday, we"), and at the start none of the language's ("Well, I …"). The brief cannot say who
# Steve is, and what is said stands without him.
_VOCATIVE = re.compile(r"(?:^|(?<=,))\s*(?P<name>[A-Z][a-z]+),\s+(?=(?:I|we|you)\b)")


# "Russia, we believe, is preparing …", "Hamas, you know, has refused …": an aside after the
# subject, which is no one addressed.
_ASIDE = re.compile(r"(?:I|we|you)\s+\w+,")


def _without_vocative(text: str) -> str:
    for match in _VOCATIVE.finditer(text):
        name = match.group("name").lower()
        if _ASIDE.match(text, match.end()):
            continue
        if name not in TIME_NOUNS and (match.start() > 0 or not parts_of_speech(name)):
            start = match.start() if match.start() == 0 else match.start() - 1  # the comma before
            rest = text[match.end() :]
            return text[:start] + (", " if start else "") + rest
    return text


class Pick(NamedTuple):
    """A sentence the brief keeps and its statement as printed."""

    sentence: Sentence
    text: str


# A wire dateline in front of the first sentence: "WASHINGTON —", "STATE DEPARTMENT —",
# "ISLAMABAD (Reuters) -".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){0,3}(?:,\s[A-Z][a-z]+)?(?:\s\([A-Za-z ]+\))?"
    r"\s[—–-]{1,2}\s+"
)


# A fact sheet's run-in heading in capitals: "ADVANCING U.S. NATIONAL SECURITY AND FOREIGN
# POLICY: President Trump is …" (a short one is taken as a speaker label already).
_RUN_IN_HEADING = re.compile(r"^(?:[A-Z][A-Z.,'’&-]*\s+){2,11}[A-Z][A-Z.'’&-]*:\s+(?=[A-Z])")


#: A statement that opens on "He" or "She" (and goes on in lower case).
PERSONAL_PRONOUN = re.compile(r"^(He|She)\s+(?=[a-z])")
# The last word of a subject that is an institution, not a person "he" or "she" could be.
_INSTITUTIONS = frozenset(
    """house department ministry office council government administration committee agency army
    forces police party union nations states republic kingdom court congress senate treasury
    bank fund group front movement organization organisation""".split()
)


def resolve(text: str, earlier: Sentence) -> str | None:
    """A statement opening on "He" or "She" with its person named instead, when the sentence
    before it opens on that person ("Karoline Leavitt affirmed …" / "She highlighted …" →
    "Karoline Leavitt highlighted …"); None when it does not, or the statement opens otherwise."""
    match = PERSONAL_PRONOUN.match(text)
    if match is None:
        return None
    words = statement(earlier).split()
    run: list[str] = []
    for word in words:
        bare_word = word.strip(",;:“”\"'()")
        if (bare_word[:1].isupper() and bare_word.isalpha()) or bare_word.endswith("."):
            run.append(bare_word)
            continue
        if word.islower() and finite(bare_word) and run:
            break
        run = []
    else:
        return None
    name = run[-1].rstrip(".") if run else ""
    if len(name) < 2 or name.lower() in _INSTITUTIONS or name.lower() in STOPWORDS:
        return None
    # The last two words of the run: "Karoline Leavitt", "Wang Yi" (whose surname comes first),
    # "Mr. Sullivan", "Secretary Rubio".
    if len(run) >= 2:
        name = f"{run[-2]} {name}"
    return name + text[match.end(1) :]


def statement(sentence: Sentence) -> str:
    """The sentence as a statement: list marks, a dateline and a leading connective
    ("Meanwhile,") dropped, and a transcript's note or address ("(Via interpreter) Mr.
    Secretary, …")."""
    return _statement(sentence.text)


@lru_cache(maxsize=1 << 14)  # selection, ranking and composing ask for each sentence's ~9 times
def _statement(sentence: str) -> str:
    text = _DATELINE.sub("", without_speaker(clean_line(sentence)))
    text = _RUN_IN_HEADING.sub("", text)
    text = _without_vocative(_LEADING_CONNECTIVE.sub("", text).strip())
    return text[:1].upper() + text[1:]


# "We also issued …", "is also sanctioning", "has also threatened": an "also" before a verb,
# not "not only … but also" nor "also known as"; a "further" before a verb of saying ("La
# Russa further said …").
_ALSO = re.compile(r"(?<!\bbut )\b(?P<word>also|further)\s+(?!known\b)(?=(?P<next>[a-z][\w’'-]*))")


def without_also(text: str) -> str:
    """The statement without an "also" before its verb (or a "further" before a verb of
    saying), outside quotations ("Kirby: We also
    issued a public advisory …" → "Kirby: We issued a public advisory …"): where the brief
    does not show what the sentence before it said, the "also" adds to nothing the reader
    has read. Whatever else the statement says stands as written."""
    quoted = quoted_spans(text)
    for match in _ALSO.finditer(text):
        after = match.group("next")
        if any(a <= match.start() < b for a, b in quoted):
            continue
        if match.group("word") == "further" and not lemmas(after) & REPORTING:
            continue  # "further increase": more of it, not an addition to what was said
        if finite(after) or after.endswith(("ing", "ed")):
            return text[: match.start()] + text[match.end() :]
    return text
