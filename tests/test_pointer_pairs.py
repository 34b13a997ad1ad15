"""A statement that opens on a pointer ("They joined …", "This election was …", "His office …")
stands in a brief only right after the sentence before it in the text, in that sentence's section:
it reads as the text reads it. The ranking takes it only once that sentence is in, the verifier
accepts the opening only there, and a statement opening on a pointer anywhere else is still
flagged. Texts written for the tests."""

from __future__ import annotations

import itertools

import pytest

from briefer.brief import compose, ranking, selection
from briefer.brief.model_answer import Filed
from briefer.check import fidelity, verify
from briefer.check.proxies import proxies
from briefer.models import SECTIONS, Brief, BriefContent, BriefMeta, Source, word_count
from briefer.text.sentences import Sentence, split_sentences

# Two texts of different kinds, each with a pointer opening after a sentence it points to.
LANDING = split_sentences(
    "Fighting eased across the coastal province of Dara on Monday, officials said.\n"
    "About 450 soldiers landed in the port of Velna on Monday.\n"
    "They joined 1,200 regional troops, with Norway providing logistical support.\n"
    "Officials in Velna said the airport had reopened to aid flights.\n"
    "Rain is forecast across the coast for the rest of the week.\n"
)
COUNCIL = split_sentences(
    "Work on the Korla dam will resume next spring, the region's governor said.\n"
    "The city council approved $2 billion for the Korla dam on Tuesday.\n"
    "This decision ends 10 years of delays at the Korla site, the mayor's office said.\n"
    "Farmers downstream have asked for a study of the river's flow.\n"
)


def _statements(content: BriefContent) -> list[tuple[str, str]]:
    return [(name, s.text) for name, _ in SECTIONS for s in content.section(name)]


def _brief(content: BriefContent) -> Brief:
    source = Source(title="Landing", sentences={s.id: s.text for s in LANDING})
    meta = BriefMeta(model="m", endpoint="e", prompt_version="p")
    return Brief.from_content(content, [source], meta)


def test_the_ranking_takes_a_pointer_only_after_what_it_points_to() -> None:
    texts = ["first sentence here", "They did the second thing", "a third one"]
    after = [frozenset(), frozenset({0}), frozenset()]
    kwargs = {"words": word_count, "prior": [0.1, 0.9, 0.5], "positions": [0.0, 0.5, 1.0]}
    # Ranked first, it waits for sentence 0 and comes in right after it.
    chosen = ranking.choose([0, 1, 2], texts, ["a", "a", "a"], 100, after=after, **kwargs)
    assert chosen.index(1) == chosen.index(0) + 1 and set(chosen) == {0, 1, 2}
    # Without room for sentence 0 it is not taken at all.
    chosen = ranking.choose([0, 1, 2], texts, ["a", "a", "a"], 7, after=after, **kwargs)
    assert 1 not in chosen or 0 in chosen
    # What it points to is not a candidate at all: never taken.
    never = [frozenset({7}), frozenset()]
    assert 0 not in ranking.choose(
        [0, 1], texts[1:], ["a", "a"], 100, after=never, words=word_count
    )


def test_a_pointer_statement_follows_its_sentence_in_that_ones_section() -> None:
    for sentences, sections in (
        (LANDING, {2: "ground_situation", 3: "us_position", 4: "ground_situation", 5: "outlook"}),
        (COUNCIL, {2: "ground_situation", 3: "outlook", 4: "ground_situation"}),
    ):
        sections |= {1: "ground_situation"}
        filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
        _, notes, _ = compose.compose(filed, sentences, 200)
        ids = [n.sentence for n in notes]
        assert 3 in ids  # the pointer statement is kept …
        pointer = next(n for n in notes if n.sentence == 3)
        first = next(n for n in notes if n.sentence == 2)
        assert pointer.section == first.section  # … in its sentence's section, right after it
        in_section = [n.sentence for n in notes if n.section == first.section]
        assert in_section.index(3) == in_section.index(2) + 1
        assert fidelity.leans_on_antecedent(pointer.text)


def test_without_its_sentence_a_pointer_statement_is_left_out() -> None:
    for sentences in (LANDING, COUNCIL):
        # The model files the first sentence as having no news value: nothing shows what
        # "They" or "This decision" means.
        sections = {s.id: "ground_situation" for s in sentences} | {2: "other"}
        filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
        _, notes, _ = compose.compose(filed, sentences, 200)
        assert 3 not in [n.sentence for n in notes]
    # Switched off, the rule keeps every pointer statement out, as before.
    sections = {s.id: "ground_situation" for s in LANDING}
    filed = Filed(title="A landing", bottom_line="Soldiers landed.", sections=sections)
    saved = selection.POINTER_PAIRS
    selection.POINTER_PAIRS = False
    try:
        _, notes, _ = compose.compose(filed, LANDING, 200)
    finally:
        selection.POINTER_PAIRS = saved
    assert 3 not in [n.sentence for n in notes]


def test_the_verifier_accepts_a_pointer_opening_only_after_its_sentence() -> None:
    for sentences, pointer in ((LANDING, 2), (COUNCIL, 2)):
        text = sentences[pointer].text
        # Alone, the statement opens on what it does not show.
        alone = verify.check_statement(
            text, [sentences[pointer]], "\n".join(s.text for s in sentences)
        )
        assert alone.status == "partial" and any("opens on" in p for p in alone.problems)
        after = verify.check_statement(
            text,
            [sentences[pointer]],
            "\n".join(s.text for s in sentences),
            antecedent=sentences[pointer - 1].text,
        )
        assert after.status == "supported"


def test_a_brief_verifies_the_pair_and_flags_the_pointer_elsewhere() -> None:
    sections = {s.id: "ground_situation" for s in LANDING} | {5: "outlook"}
    filed = Filed(title="Soldiers land in Velna", bottom_line="Soldiers landed.", sections=sections)
    content, _, _ = compose.compose(filed, LANDING, 200)
    body = _statements(content)
    assert ("ground_situation", LANDING[2].text) in body
    for (_, a), (_, b) in itertools.pairwise(body):
        if b == LANDING[2].text:
            assert a == LANDING[1].text
    brief = verify.verify_brief(_brief(content), LANDING, "\n".join(s.text for s in LANDING))
    assert all(s.status == "supported" for name, _ in SECTIONS for s in brief.section(name))
    assert proxies(brief).unresolved_openings == 0
    # The same statement first in its section opens on nothing shown: flagged.
    moved = content.model_copy(
        update={
            "ground_situation": [s for s in content.ground_situation if s.cites != [2]],
        }
    )
    brief = verify.verify_brief(_brief(moved), LANDING, "\n".join(s.text for s in LANDING))
    flagged = [s for s in brief.ground_situation if s.cites == [3]]
    assert flagged and flagged[0].status == "partial"
    assert proxies(brief).unresolved_openings == 1


def test_a_pointer_statement_goes_with_its_sentence_when_that_one_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "these soldiers" points to nothing the brief shows, so that sentence is left out once the
    # rounds of choosing are spent; "They joined …", which points to it, goes with it.
    sentences = split_sentences(
        "Fighting eased across the coastal province of Dara on Monday, officials said.\n"
        "Aid groups delivered 40 tonnes of rice to camps near Dara.\n"
        "Rain flooded two roads near the port of Kismayo.\n"
        "Officials said 450 of these soldiers landed in the port of Velna on Tuesday.\n"
        "They joined 1,200 regional troops, with Norway providing logistical support.\n"
    )
    sections = {s.id: "ground_situation" for s in sentences} | {3: "other"}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    monkeypatch.setattr(compose, "CONTEXT_ROUNDS", 1)
    _, notes, _ = compose.compose(filed, sentences, 200)
    ids = [n.sentence for n in notes]
    assert 4 not in ids and 5 not in ids
    assert 2 in ids  # the rest stays


def test_a_run_of_statements_each_pointing_back_stays_together() -> None:
    # "This number" follows the count it means; "The survivors", which follows "This number"
    # by its reference, goes where that one went.
    sentences = split_sentences(
        "Fighting eased across the coastal province of Dara on Monday, officials said.\n"
        "On Monday, officials counted 98 bodies at the port of Velna.\n"
        "This number climbed to 107 by Tuesday, including 57 children.\n"
        "The survivors were taken to the Bundibugyo district of Uganda.\n"
    )
    sections = {1: "ground_situation", 2: "background", 3: "ground_situation", 4: "outlook"}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    _, notes, _ = compose.compose(filed, sentences, 200)
    placed = {n.sentence: n.section for n in notes}
    assert placed.get(2) == placed.get(3) == placed.get(4) == "background"


# A quotation that names no speaker goes on the one the sentence before it attributes.
SPOKESWOMAN = split_sentences(
    "Government forces entered the northern town of Kaya on Monday, officials said.\n"
    '"The operation began at dawn and is going to plan," said Amina Yusuf, a government '
    "spokeswoman.\n"
    '"The army now holds the airport and the port of Kaya."\n'
    "Aid groups asked for access to the town's hospital.\n"
)
MINISTER = split_sentences(
    "The central bank held its main rate at 9% on Thursday.\n"
    '"Prices will fall by June," the finance minister, Tomas Ruiz, told reporters on Friday.\n'
    '"The harvest in the south is the largest since 2015."\n'
    "Bread prices rose 14% in the capital last month.\n"
)


def test_a_quotation_that_goes_on_the_one_before_it_follows_it() -> None:
    for sentences in (SPOKESWOMAN, MINISTER):
        sections = {s.id: "ground_situation" for s in sentences}
        filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
        _, notes, _ = compose.compose(filed, sentences, 200)
        ids = [n.sentence for n in notes]
        assert 3 in ids and ids.index(3) == ids.index(2) + 1
        source = "\n".join(s.text for s in sentences)
        quote = sentences[2]
        checked = verify.check_statement(quote.text, [quote], source, antecedent=sentences[1].text)
        assert checked.status == "supported"
        # After a sentence that attributes no quotation, whose words they are is not shown.
        alone = verify.check_statement(quote.text, [quote], source, antecedent=sentences[0].text)
        assert alone.status == "partial"


def test_a_quotation_after_a_sentence_that_attributes_none_is_not_taken() -> None:
    # Whose words these are, nothing before them says.
    sentences = split_sentences(
        "Government forces entered the northern town of Kaya on Monday, officials said.\n"
        "Aid groups asked for access to the town's hospital on Tuesday.\n"
        '"The army now holds the airport and the port of Kaya."\n'
    )
    sections = {s.id: "ground_situation" for s in sentences}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    _, notes, _ = compose.compose(filed, sentences, 200)
    assert 2 in [n.sentence for n in notes] and 3 not in [n.sentence for n in notes]


def test_words_inside_a_quotation_run_stay_out_without_their_speaker() -> None:
    # Written for the test: a quotation over three sentences; the middle one alone would print
    # the analyst's judgement as the text's own.
    sentences = [
        Sentence(id=1, paragraph=1, text="Fighting eased around the town of Kaya on Monday."),
        Sentence(id=2, paragraph=2, text="“The army now holds the airport of Kaya."),
        Sentence(id=3, paragraph=2, text="Now the balance of the war is probably in its favor."),
        Sentence(
            id=4,
            paragraph=2,
            text="Losses of 4,000 seem low to me,” analyst Jon Barr told Reuters.",
        ),
        Sentence(id=5, paragraph=3, text="Aid groups asked for access to the 2 hospitals of Kaya."),
    ]
    sections = {s.id: "ground_situation" for s in sentences}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    _, notes, _ = compose.compose(filed, sentences, 200)
    ids = [n.sentence for n in notes]
    assert 2 not in ids and 3 not in ids
    assert 4 in ids and 5 in ids


def test_a_quotation_whose_speaker_is_he_follows_the_sentence_that_names_him() -> None:
    # Written for the test: names inside the quotation are not its speaker's.
    quote = "“European capitals could end up on the hook for a peace mission,” he told Reuters."
    assert fidelity.leans_on_antecedent(quote)
    assert not fidelity.leans_on_antecedent(
        "“European capitals could end up on the hook,” analyst Ana Ruiz told Reuters."
    )
    sentences = split_sentences(
        "Fighting eased around the town of Kaya on Monday, officials said.\n"
        "Rain flooded two roads near the port of Kismayo on Tuesday.\n"
        "Analyst Ana Ruiz of the Lisbon Institute said Europe had not been invited to the talks.\n"
        f"{quote}\n"
    )
    sections = {1: "ground_situation", 2: "outlook", 3: "ground_situation", 4: "outlook"}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    _, notes, _ = compose.compose(filed, sentences, 200)
    placed = {n.sentence: n.section for n in notes}
    ids = [n.sentence for n in notes if n.section == placed.get(3)]
    assert 4 in placed and placed[4] == placed[3] and ids.index(4) == ids.index(3) + 1


def test_a_section_is_not_seeded_by_a_statement_that_moves_to_another() -> None:
    # "these deployments" follows the sentence before it into that one's section, so the
    # US Position needs a seed of its own: the one line that stays there.
    sentences = split_sentences(
        "Iran launched 300 drones at Israel on Saturday, officials in Jerusalem said.\n"
        "The U.S. military moved aircraft and 2 destroyers to the region over the past week.\n"
        "Thanks to these deployments, Israel took down nearly all of the 300 incoming drones.\n"
        "Washington will stay in close touch with Israel's leaders.\n"
    )
    sections = {1: "ground_situation", 2: "ground_situation", 3: "us_position"}
    sections |= {4: "us_position"}
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    budget = sum(word_count(s.text) for s in sentences[1:3]) + 30
    content, _, _ = compose.compose(filed, sentences, budget)
    assert content.us_position, _statements(content)


# A "the …" that says not which ("the policy", "the gaps") means what the sentence before it
# names; read anywhere else it means whatever the brief shows above it.
ASYLUM = split_sentences(
    "Rubio arrived in Guatemala City on Wednesday for talks on migration.\n"
    "In 2019, Guatemala signed an asylum agreement with the United States.\n"
    "In 2021, the Biden administration suspended that accord.\n"
    "Critics argued that the policy exposed asylum seekers to unsafe conditions.\n"
    "Guatemala will accept 40% more deportation flights, officials said.\n"
)
HOSTAGES = split_sentences(
    "Negotiators met in Doha on Monday for a third round of ceasefire talks.\n"
    "The Israeli and Hamas delegations stayed overnight at the emir's palace.\n"
    "Mediators from Qatar and Egypt said they were narrowing the gaps.\n"
    "The health ministry in Gaza reported 31 deaths on Sunday.\n"
)


@pytest.mark.parametrize(("sentences", "open_id"), [(ASYLUM, 4), (HOSTAGES, 3)])
def test_a_statement_with_an_open_reference_follows_the_sentence_before_it(
    sentences: list[Sentence], open_id: int
) -> None:
    text = next(s.text for s in sentences if s.id == open_id)
    assert fidelity.open_references(text)
    # Filed apart from the sentence before it, it follows that one into its section.
    sections = {s.id: "ground_situation" for s in sentences}
    sections[open_id - 1] = "background"
    filed = Filed(title="A development", bottom_line="Something happened.", sections=sections)
    _, notes, _ = compose.compose(filed, sentences, 200)
    ids = [n.sentence for n in notes]
    placed = {n.sentence: n.section for n in notes}
    assert open_id in ids and ids.index(open_id) == ids.index(open_id - 1) + 1
    assert placed[open_id] == "background"
    # Where the sentence before it is left out, so is the statement.
    chosen = selection.select(filed, sentences, 200, exclude={open_id - 1})
    assert open_id not in {p.sentence.id for p in chosen}
    # Where the title names what it means, it stands anywhere.
    named = Filed(title="The policy on asylum and the gaps", bottom_line="x.", sections=sections)
    shown = selection.Context.of(sentences, named.title, named.bottom_line)
    chosen = selection.select(named, sentences, 200, exclude={open_id - 1}, context=shown)
    assert open_id in {p.sentence.id for p in chosen}


def test_an_open_reference_to_the_texts_running_subject_stands_alone() -> None:
    # "the conflict" is what the text is about (named in sentence after sentence): a reader of
    # the brief knows which, wherever it stands.
    sentences = split_sentences(
        "The conflict in Sudan entered its 17th month on Monday.\n"
        "Aid agencies say the conflict has displaced 10 million people.\n"
        "The army took the town of Sinja on Sunday.\n"
        "Treasury sanctioned 16 firms for contributing to the conflict.\n"
    )
    text = sentences[3].text
    assert fidelity.open_references(text) == ["the conflict"]
    filed = Filed(title="Sudan", bottom_line="Fighting goes on.", sections={4: "us_position"})
    chosen = selection.select(filed, sentences, 200, exclude={3})
    assert [p.sentence.id for p in chosen] == [4]


def test_an_open_reference_after_the_bottom_lines_sentence_stands_alone() -> None:
    # The bottom line says the sentence before it: "the deal" is the one the reader just read.
    sentences = split_sentences(
        "Kenya and Ethiopia agreed on Tuesday to reopen the Moyale border crossing.\n"
        "Foreign Minister Musalia Mudavadi said the deal would let 1,200 lorries a week through.\n"
    )
    assert fidelity.open_references(sentences[1].text) == ["the deal"]
    filed = Filed(
        title="Moyale",
        bottom_line=sentences[0].text,
        sections={1: "ground_situation", 2: "outlook"},
    )
    _, notes, _ = compose.compose(filed, sentences, 200)
    # (The bottom line's sentence stands in Ground Situation too: its only material.)
    assert [(n.sentence, n.section) for n in notes if n.section == "outlook"] == [(2, "outlook")]


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("In 2019, it launched the Blue Dot Network.", True),
        ("According to officials, they will reopen the port by May.", True),
        ("Earlier, she had refused to meet the envoy.", True),
        # Written for the test: no pointer after the opening phrase, or a name.
        ("In 2019, Guatemala launched a new asylum program.", False),
        ("Former Guatemalan President Jimmy Morales signed the agreement in 2019.", False),
        ("Kirby, asked about the delegation, said the talks would go on.", False),
    ],
)
def test_a_pointer_after_an_opening_phrase_is_a_pointer(text: str, pointer: bool) -> None:
    assert fidelity.leans_on_antecedent(text) is pointer


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        (
            "Called the Lobito Corridor, the project is the centerpiece of his administration's "
            "strategy to counter China's clout.",
            True,
        ),
        # Written for the test: "his" with nobody named before it, or with someone named.
        ("The bill is the core of his plan to cut the deficit by 2030.", True),
        ("Secretary Rubio said his visit to Panama would go ahead.", False),
        ("In his remarks, Wang Yi praised South Africa's presidency.", False),
    ],
)
def test_his_with_nobody_named_before_it_leans_on_the_sentence_before(
    text: str, leans: bool
) -> None:
    assert fidelity.leans_on_antecedent(text) is leans


def test_the_subject_after_an_opening_phrase_is_a_reference() -> None:
    called = (
        "Called the Lobito Corridor, the project is the centerpiece of the strategy to counter "
        "China's clout."
    )
    assert fidelity.references(called) == ["the project"]
    assert fidelity.references("On Monday, the decision was announced in Lima.") == ["the decision"]
    assert fidelity.references("On Monday, the Peruvian government announced a plan.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Almost 1.5 million have been forced to leave the country since that time.",
        "By that point, the talks in Doha had stalled for a week.",
        "Nobody was hurt on that day, the police said.",
    ],
)
def test_that_time_points_to_the_sentence_before(text: str) -> None:
    refs = fidelity.references(text)
    assert refs and refs[0].split()[0] == "that"


@pytest.mark.parametrize(
    ("text", "which"),
    [
        ("The city council met on Tuesday to discuss the budget for next year.", True),
        ('"Prices will fall by June," the finance minister, Tomas Ruiz, told reporters.', True),
        ("Critics argued that the policy exposed asylum seekers to danger.", False),
        ("Officials said the compacts give the US military access.", False),
    ],
)
def test_a_second_noun_says_which(text: str, which: bool) -> None:
    opened = [
        r
        for r in fidelity.open_references(text)
        if r.lower().split()[1] in ("city", "finance", "policy", "compacts")
    ]
    assert (not opened) is which
