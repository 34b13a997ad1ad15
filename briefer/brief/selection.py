"""Which sentences the brief keeps (``select``): each section's best candidate, then the rest by
coverage and fact density within the word budget, each whole or in a shorter form the verifier
supports; and whether each kept statement's references are shown before it (``in_context``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from briefer.brief.fact_density import names_in, weight
from briefer.brief.headline import LEAD_MIN_WORDS
from briefer.brief.model_answer import Filed
from briefer.brief.ranking import POSITION_WEIGHT, choose
from briefer.brief.shorten import shorter_forms
from briefer.brief.statements import Pick, statement
from briefer.check import fidelity
from briefer.check.grounding import numbers
from briefer.check.verify import check_statement
from briefer.models import SECTIONS, word_count
from briefer.text.authors import unvoiced
from briefer.text.cues import standing_position
from briefer.text.instructions import about_output, is_suspect
from briefer.text.quotes import unattributed
from briefer.text.sentences import Sentence
from briefer.text.turns import non_answer

#: Whether a statement opening on a pointer may stand after the sentence it points to.
POINTER_PAIRS = True
#: Whether a statement with a "the …" that says not which stands only after the sentence before.
OPEN_PAIRS = True

#: Word overlap above which a sentence counts as already said by the bottom line.
REPEAT_OVERLAP = 0.7
#: Whether a section whose only material is the bottom line's sentence holds that sentence.
REPEAT_FOR_EMPTY = True


def select(
    filed: Filed,
    sentences: list[Sentence],
    budget: int,
    bottom_line: str = "",
    labels: dict[int, str] | None = None,
    text: Callable[[Sentence], str] | None = None,
    *,
    groups: dict[int, int] | None = None,
    group_seeds: int = 1,
    covers: dict[int, frozenset[int]] | None = None,
    positions: dict[int, float] | None = None,
    same: Callable[[int, int], bool] | None = None,
    asked: set[int] | frozenset[int] = frozenset(),
    news_only: bool = False,
    exclude: set[int] | frozenset[int] = frozenset(),
    pairs: bool = True,
    context: Context | None = None,
) -> list[Pick]:
    """The sentences the brief keeps, in text order, each with its text as printed: whole,
    or a shorter form ending where its main clause ends (``shorten``) that the verifier supports
    as well as the whole. Candidates are filed in a section (``labels``, default the model's),
    not about the brief's own output, not repeating the bottom line; each section's best
    candidate comes first, then the rest by coverage (``ranking.choose``) within ``budget``
    words counted on ``text`` (the statement as printed, a speaker's name included); suspect
    sentences only after every clean one. A story passes each sentence's source (``groups``:
    every source gets its best candidate), its place in its own source (``positions``) and
    which sentences state one fact (``same``, by sentence id), and ``news_only``: past the
    seeds, a candidate must name someone or something, or give a number, that the bottom line
    and the statements chosen before it do not (sources on one story restate each other).
    ``exclude``: sentences the brief cannot show (``in_context``). ``pairs``: a statement that
    leans on the sentence before it (``fidelity.leans_on_antecedent``) may stand right after
    it (``compose`` puts it there); a story, whose sentences come from several texts, has none.
    ``context``: what the brief's title and bottom line show (``Context``; by default the
    bottom line's)."""
    labels = filed.sections if labels is None else labels
    # Printed statements come voiced ("Kirby: We …") where the text names a speaker; a
    # first-person line still without one says nobody knows who speaks it.
    voiced_text = text is not None
    text = text or statement
    # Someone's words in a quotation that runs past the sentence, with no speaker named in it:
    # printed alone, a judgement in the quotation reads as the text's own ("Now the balance of
    # casualties is probably in Ukraine's favor."). Only with its speaker in front.
    speech = {sentences[k].id for k in unattributed([(s.paragraph, s.text) for s in sentences])}
    filed_ok = [
        s
        for s in sentences
        if labels.get(s.id, "other") != "other"
        and not about_output(s)
        and not non_answer(s.text)
        and s.id not in asked
        and s.id not in exclude
        and (s.id not in speech or unvoiced(text(s)) != text(s))
    ]
    # What the bottom line says is not said again, except where its sentence is the only
    # material of a section (below): the section would otherwise stay empty.
    repeats = {s.id for s in filed_ok if _said_by(bottom_line, statement(s))}
    candidates = [s for s in filed_ok if s.id not in repeats]
    clean = [s for s in candidates if not is_suspect(s)]
    # A transcript with questions (a briefing, a gaggle): the briefer's opening remarks are the
    # prepared message, and the briefer's lines state the government's position in the first
    # person, often naming nobody ("Our vote does not represent a shift in our policy.").
    transcript = bool(asked)
    found = names_in(sentences)
    # Each clean sentence offers its whole form and its shorter ones (``shorten``); the
    # ranking takes at most one form of a sentence.
    forms = [(s, form) for s in clean for form in _forms(s, text(s))]
    # A statement stands alone: a clause, its references resolved, its speaker kept
    # (``fidelity``); a cut that drops who said it is no shorter form of the sentence.
    # A statement that opens on a pointer ("They joined …", "This number climbed …"), or a
    # quotation that goes on the one the sentence before it attributes, stands where that
    # sentence is shown just before it: it is a candidate that needs that one chosen
    # (``after``), and it follows it in its section (``compose``).
    previous = {b.id: a for a, b in pairwise(sentences)}
    clean_ids = {s.id for s in clean}
    kept: list[tuple[Sentence, str]] = []
    needs: list[int | None] = []

    context = context or Context.of(sentences, "", bottom_line)

    def stands(t: str, s: Sentence, antecedent: str | None = None) -> bool:
        if antecedent is None and pairs and context.open_before(t, previous.get(s.id)):
            return False
        return not [
            p
            for p in fidelity.form_problems(t, [s.text], antecedent=antecedent)
            if p.kind != "speaker" or voiced_text
        ]

    for s, t in forms:
        if t != text(s) and fidelity.speaker_problems(t, [s.text]):
            continue
        if stands(t, s):
            kept.append((s, t))
            needs.append(None)
        elif (
            POINTER_PAIRS
            and pairs
            and (earlier := previous.get(s.id)) is not None
            and earlier.id in clean_ids
            and stands(t, s, earlier.text)
            and not fidelity.speaker_problems(t, [s.text])
        ):
            kept.append((s, t))
            needs.append(earlier.id)
    forms = kept
    forms_of: dict[int, list[int]] = {}  # sentence id → its forms' places in ``forms``
    for k, (o, _) in enumerate(forms):
        forms_of.setdefault(o.id, []).append(k)
    named = [found(unvoiced(t)) for _, t in forms]
    places: list[float] | None
    places = [positions[s.id] for s, _ in forms] if positions else None
    order = choose(
        list(range(len(forms))),
        [t for _, t in forms],
        [labels[s.id] for s, _ in forms],
        budget,
        words=word_count,
        seed_sections=[name for name, _ in SECTIONS],
        informative=[
            (bool(n or numbers(t)) or (transcript and _takes_a_position(t)))
            and not standing_position(unvoiced(t))
            for n, (_, t) in zip(named, forms, strict=True)
        ],
        prior=[weight(t, found) for _, t in forms],
        facts=[frozenset(n | numbers(t)) for n, (_, t) in zip(named, forms, strict=True)]
        if news_only
        else None,
        known=frozenset(found(bottom_line) | numbers(bottom_line)),
        position_weight=TRANSCRIPT_POSITION_WEIGHT if transcript else POSITION_WEIGHT,
        positions=places,
        groups=[groups[s.id] for s, _ in forms] if groups else None,
        group_seeds=group_seeds,
        covers=[covers.get(s.id, frozenset()) for s, _ in forms] if covers else None,
        anchored=[not fidelity.points_to_sentence_before(t) for _, t in forms],
        after=[frozenset(forms_of.get(need, ()) if need is not None else ()) for need in needs],
        same=lambda i, j: (
            forms[i][0].id == forms[j][0].id
            or (same is not None and same(forms[i][0].id, forms[j][0].id))
        ),
    )
    picked = {forms[i][0].id: forms[i][1] for i in order}
    used = sum(word_count(t) for t in picked.values())
    # A sentence is cut only to fit: where the words left allow, the whole sentence stands in
    # for its shorter form, in the ranking's order ("… and underscored the readiness of the
    # United States to work with our Allies …" is a fact the cut loses).
    wholes = {s.id: t for s, t in forms if t == text(s)}
    for i in order:
        sid = forms[i][0].id
        full = wholes.get(sid)
        if full is not None and picked[sid] != full:
            extra = word_count(full) - word_count(picked[sid])
            if used + extra <= budget:
                picked[sid] = full
                used += extra
    for sentence in candidates:
        if is_suspect(sentence) and used + word_count(text(sentence)) <= budget:
            picked[sentence.id] = text(sentence)
            used += word_count(text(sentence))
    if REPEAT_FOR_EMPTY:
        per_section = Counter(labels[sid] for sid in picked)
        for s in filed_ok:
            if s.id not in repeats or per_section[labels[s.id]] or is_suspect(s):
                continue
            # Its shortest form that stands alone.
            standing = [t for t in _forms(s, text(s)) if stands(t, s)]
            if not standing:
                continue
            short = min(standing, key=word_count)
            # Where the words are spent, the section gets its material before another
            # section's last-ranked statement (a section keeps at least one).
            over = used + word_count(short) - budget
            evicted: list[int] = []
            freed = 0
            left = per_section.copy()
            for i in reversed(order):
                if freed >= over:
                    break
                sid = forms[i][0].id
                if left[labels[sid]] >= 2:
                    evicted.append(sid)
                    freed += word_count(picked[sid])
                    left[labels[sid]] -= 1
            if freed >= over:
                for sid in evicted:
                    del picked[sid]
                picked[s.id] = short
                used += word_count(short) - freed
                per_section = left
                per_section[labels[s.id]] += 1
    return [Pick(sentence=s, text=picked[s.id]) for s in sentences if s.id in picked]


@dataclass(frozen=True)
class Context:
    """What a reader of the brief knows before a statement, for a "the …" in it that says not
    which (``fidelity.open_references``: "we're closing the gaps", "Critics argued that the
    policy …"): what the title and bottom line name, and what the text names again and again,
    its running subject ("the conflict" in a statement on Sudan's war). Read elsewhere than
    right after the sentence before it, such a statement means whatever comes before it."""

    shown: frozenset[str]
    bottom_line: str

    @classmethod
    def of(cls, sentences: list[Sentence], title: str, bottom_line: str) -> Context:
        keys = fidelity.word_keys(f"{title} {bottom_line}")
        return cls(keys | fidelity.running_keys(s.text for s in sentences), bottom_line)

    def open_before(self, text: str, earlier: Sentence | None) -> bool:
        """Whether the statement ``text`` needs the sentence before it (``earlier``) shown just
        before it for a "the …" it holds; not where the bottom line says that sentence."""
        return (
            OPEN_PAIRS
            and fidelity.unshown_open(text, self.shown)
            and not (earlier is not None and _said_by(self.bottom_line, statement(earlier)))
        )


#: The position prior in a briefing transcript, where the opening remarks carry the message of
#: the day (09 of the dev corpus: strict recall 0.500 → 0.625, the same from 0.3 to 0.8).
TRANSCRIPT_POSITION_WEIGHT = 0.5


def _takes_a_position(text: str) -> bool:
    """A voiced whole line ("Kirby: Our vote does not … represent a shift in our policy.")."""
    bare = unvoiced(text)
    return bare != text and word_count(bare) >= LEAD_MIN_WORDS


def _forms(s: Sentence, whole: str) -> list[str]:
    """The statement ``whole`` of ``s`` and its shorter forms (``shorten``) that the verifier
    finds nothing in that it does not find in the whole (a dropped "according to the UN" makes
    one partial), each with every number of the whole: a number is the most checkable fact a
    sentence has ("… economic dependence, as U.S. donor money makes up 70% of GDP")."""
    shortened = shorter_forms(whole)
    if not shortened:
        return [whole]
    known = set(check_statement(whole, [s], s.text).problems)
    counted = numbers(whole)
    return [whole] + [
        short
        for short in shortened
        if set(check_statement(short, [s], s.text).problems) <= known and numbers(short) >= counted
    ]


def _said_by(bottom_line: str, said: str) -> bool:
    """Whether the bottom line already says the statement ``said`` or its main clause, whatever
    its tail adds ("Guatemala will accept 40% more deportation flights …, including …")."""
    return bool(bottom_line) and any(
        _overlap(form, bottom_line) >= REPEAT_OVERLAP for form in (said, *shorter_forms(said))
    )


def _overlap(a: str, b: str) -> float:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, len(wa))


def in_context(
    picks: list[Pick],
    labels: dict[int, str],
    before: dict[int, int],
    shown: str,
    sentences: list[Sentence] | None = None,
) -> tuple[dict[int, str], set[int]]:
    """Where each statement's references (``fidelity.references``: "these Afghans", "The
    decision has …", "them") are shown: in ``shown`` (title and bottom line) or the statement
    just before it in its section, naming the same word (a reader keeps that much in mind); or
    in the sentence just before it in the text (``before``), when the brief keeps that one,
    which it then follows in its section. Returns those moves (sentence id → section) and the
    ids of statements whose references point to nothing the brief shows."""
    chosen = {p.sentence.id for p in picks}
    headline = fidelity.word_keys(shown)
    before_sentence = {b.id: a for a, b in pairwise(sentences or [])}
    last: dict[str, Pick] = {}  # the latest statement of each section, in text order
    moves: dict[int, str] = {}
    lost: set[int] = set()
    for pick in picks:  # text order
        sid = pick.sentence.id
        section = labels.get(sid, "other")
        previous = last.get(section)
        seen = headline | (fidelity.word_keys(previous.text) if previous else frozenset())
        earlier_sentence = before_sentence.get(sid)
        if fidelity.unshown(
            pick.text,
            seen,
            fidelity.word_keys(earlier_sentence.text) if earlier_sentence else frozenset(),
            headline=headline,
        ):
            earlier = before.get(sid)
            if earlier is not None and earlier in chosen and earlier not in lost:
                section = moves[sid] = moves.get(earlier, labels[earlier])
            else:
                lost.add(sid)
                continue
        last[section] = pick
    return moves, lost
