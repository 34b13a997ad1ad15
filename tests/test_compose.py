"""The staged pipeline's model-free parts: grammar, parsing, composing, grounding."""

from __future__ import annotations

import json
import re

import pytest

from briefer.brief import compose, fact_density, headline, model_answer, selection, statements
from briefer.check import verify
from briefer.check.grounding import names, numbers, title_unsupported, unsupported_terms
from briefer.model.grammar import schema_to_gbnf
from briefer.models import BriefContent, word_count
from briefer.text.cues import voiced
from briefer.text.line_filters import is_content
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.turns import asked

from .conftest import SEED, SEED_LABELS, filed_answer

SENTENCES = [s for s in split_sentences(SEED.read_text()) if is_content(s)]
# Written for the tests: a short news text that is not the seed, filed by ``filed_answer``'s
# default label.
OTHER_TEXT = (
    "Kenya and Ethiopia agreed on Tuesday to reopen the Moyale border crossing, which has been "
    "closed to trucks since the drought began in March.\n"
    "Foreign Minister Musalia Mudavadi said the deal would let about 1,200 lorries a week carry "
    "food into northern Kenya.\n"
    "The U.N. World Food Programme said 4.4 million Kenyans need food aid, up from 3.5 million in "
    "January.\n"
    "Ethiopia's government spokesman, Legesse Tulu, said talks on a wider trade agreement would "
    "resume in Addis Ababa next month.\n"
)
OTHER = [s for s in split_sentences(OTHER_TEXT) if is_content(s)]
OTHER_TITLE = "Kenya and Ethiopia reopen the Moyale crossing"


def test_splitter_keeps_abbreviations_whole() -> None:
    texts = [s.text for s in SENTENCES]
    assert any(
        "Minister S. Jaishankar and Pakistani Prime Minister Shehbaz Sharif." in t for t in texts
    )
    # No count of the seed's sentences: what holds for any text. Ids run in order from 1, and
    # no sentence ends at an initial or a title's abbreviation (a split inside a name).
    assert SENTENCES[0].id == 1
    assert [s.id for s in SENTENCES] == sorted({s.id for s in SENTENCES})
    assert not [t for t in texts if re.search(r"\b(?:[A-Z]|Mr|Dr|Gen|St|No)\.$", t)]
    assert all(t.endswith((".", "”", "?", "!")) for t in texts)
    # Written for the test: initials, titles, "U.S.", "U.K.", "Jan. 6", "No. 10", "St.".
    passage = (
        "Gen. Michael E. Kurilla, head of U.S. Central Command, met Israeli officials on Jan. 6 "
        "in Tel Aviv. Dr. Tedros Adhanom Ghebreyesus said the WHO had sent 12 tonnes of supplies. "
        "The U.K. Foreign Office summoned the ambassador to No. 10 Downing St. on Friday. "
        "Mr. Sullivan spoke with Foreign Minister S. Jaishankar by phone."
    )
    assert [s.text for s in split_sentences(passage)] == [
        "Gen. Michael E. Kurilla, head of U.S. Central Command, met Israeli officials on Jan. 6 "
        "in Tel Aviv.",
        "Dr. Tedros Adhanom Ghebreyesus said the WHO had sent 12 tonnes of supplies.",
        "The U.K. Foreign Office summoned the ambassador to No. 10 Downing St. on Friday.",
        "Mr. Sullivan spoke with Foreign Minister S. Jaishankar by phone.",
    ]


def test_procedural_lines_are_not_content() -> None:
    text = (
        "11:12 A.M. EDT\nMODERATOR: Hey, everyone.\nThanks for joining.\n"
        "The US abstained on the vote today."
    )
    kept = [s.text for s in split_sentences(text) if is_content(s)]
    assert kept == ["The US abstained on the vote today."]
    # A presidential memorandum's closing line is no fact either.
    memo = (
        "I hereby determine that the drawdown is in the national interest. You are authorized "
        "and directed to publish this determination and the accompanying memorandum in the "
        "Federal Register."
    )
    kept = [s.text for s in split_sentences(memo) if is_content(s)]
    assert kept == ["I hereby determine that the drawdown is in the national interest."]


def test_grammar_is_compact_and_ordered() -> None:
    grammar = schema_to_gbnf(model_answer.schema(SENTENCES[:2]))
    assert 'ws ::= " "?' in grammar  # at most one space: no padding runs
    root = next(line for line in grammar.splitlines() if line.startswith("root-"))
    assert root.index('"\\"title\\""') < root.index('"\\"bottom_line\\""') < root.index("S1 The")
    assert '"\\"background\\"" | "\\"us_position\\""' in grammar


def test_parse_and_compose_the_seed() -> None:
    filed = model_answer.parse(json.dumps(filed_answer()), SENTENCES)
    assert filed.sections == SEED_LABELS
    content, notes, left_out = compose.compose(filed, SENTENCES, 260)
    assert content.content_words() <= 260
    assert [n.sentence for n in notes] == sorted(n.sentence for n in notes)
    assert len({n.sentence for n in notes}) == len(notes)  # one sentence, one section
    # Something was chosen, from every section the model filed sentences in (an empty choice
    # would make the per-note checks below pass vacuously).
    assert len(notes) >= 6
    assert {n.section for n in notes} == set(SEED_LABELS.values())
    assert all(n.section == SEED_LABELS[n.sentence] for n in notes)
    assert sum(len(content.section(name)) for name in set(SEED_LABELS.values())) == len(notes)
    for note in notes:
        matching = [s for s in content.section(note.section) if s.text == note.text]
        # "She highlighted …" is printed with her name and cites the sentence that gives it.
        cites = sorted({note.sentence, *([note.antecedent] if note.antecedent else [])})
        assert len(matching) == 1 and matching[0].cites == cites
    # "the situation remains tense": no facts
    tense = next(s.id for s in SENTENCES if "remains tense" in s.text)
    assert tense not in {n.sentence for n in notes}
    assert left_out == len(SENTENCES) - len(notes)


def test_parse_and_compose_another_text() -> None:
    # Written for the test: the seed test's properties on a text that is not the seed.
    labels = {1: "background", 2: "ground_situation", 3: "ground_situation", 4: "outlook"}
    answer = filed_answer(
        OTHER_TEXT,
        labels,
        title=OTHER_TITLE,
        bottom_line="The U.N. World Food Programme said 4.4 million Kenyans need food aid.",
    )
    filed = model_answer.parse(json.dumps(answer), OTHER)
    assert filed.sections == labels
    content, notes, left_out = compose.compose(filed, OTHER, 260)
    assert content.content_words() <= 260
    assert [n.sentence for n in notes] == sorted({n.sentence for n in notes})
    assert {n.section for n in notes} == set(labels.values())
    # "… said the deal would …" says which deal only right after sentence 1: it follows that
    # one into its section; every other statement stays in its own.
    assert all(n.section == labels[1 if n.sentence == 2 else n.sentence] for n in notes)
    for note in notes:
        matching = [s for s in content.section(note.section) if s.text == note.text]
        assert len(matching) == 1 and note.sentence in matching[0].cites
    assert left_out == len(OTHER) - len(notes)
    assert content.bottom_line == answer["bottom_line"]


def test_parse_rejects_unusable_answers() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        model_answer.parse("{nope", SENTENCES)
    with pytest.raises(ValueError, match="bottom_line missing"):
        model_answer.parse(json.dumps({"title": "T", "bottom_line": " "}), SENTENCES)
    with pytest.raises(ValueError, match="no sentence was filed"):
        model_answer.parse(
            json.dumps({"title": "T", "bottom_line": "B", "S99 x": "outlook"}), SENTENCES
        )


def test_bottom_line_repeating_a_sentence_frees_its_words() -> None:
    lead = SENTENCES[0].text
    filed = model_answer.parse(json.dumps(filed_answer(bottom_line=lead)), SENTENCES)
    content, notes, _ = compose.compose(filed, SENTENCES, 260)
    assert 1 not in {n.sentence for n in notes}
    assert content.bottom_line == lead
    # Written for the test: the same on another text.
    lead = OTHER[0].text
    answer = filed_answer(OTHER_TEXT, bottom_line=lead, title=OTHER_TITLE)
    content, notes, left_out = compose.compose(
        model_answer.parse(json.dumps(answer), OTHER), OTHER, 260
    )
    assert content.bottom_line == lead
    assert OTHER[0].id not in {n.sentence for n in notes}
    assert {n.sentence for n in notes} == {s.id for s in OTHER[1:]}
    assert left_out == 1


def test_invented_bottom_line_falls_back_to_the_lead() -> None:
    filed = model_answer.parse(
        json.dumps(filed_answer(bottom_line="Vladimir Putin said 4,000 troops moved.")), SENTENCES
    )
    content, _, _ = compose.compose(filed, SENTENCES, 260)
    assert "Putin" not in content.bottom_line
    assert content.bottom_line.startswith("The White House has underscored")
    # Written for the test: the same on another text.
    answer = filed_answer(
        OTHER_TEXT, bottom_line="Vladimir Putin said 4,000 troops moved.", title=OTHER_TITLE
    )
    content, _, _ = compose.compose(model_answer.parse(json.dumps(answer), OTHER), OTHER, 260)
    assert "Putin" not in content.bottom_line
    assert content.bottom_line == OTHER[0].text


def test_grounding_helpers() -> None:
    assert numbers("27 people, 1,000 troops and 2.5%") == {"27", "1000", "2.5"}
    assert names("The talks in Geneva, said Rubio.") == {"geneva", "rubio"}
    assert unsupported_terms("Rubio met Putin on 5 May", "Rubio met leaders on 5 May") == ["putin"]


def test_long_title_is_cut() -> None:
    # A headline of the article's own words, only too long: it must be cut to its first
    # TITLE_MAX_WORDS words. (A title of made-up words would be replaced by the lead sentence
    # before any cutting, so it could not show the cut.)
    long_title = (
        "White House urges rapid de-escalation between India and Pakistan  after the Pahalgam "
        "attack as Rubio calls Jaishankar and Sharif, urging restraint, dialogue and concrete "
        "steps against terrorism in the region"
    )
    words = long_title.split()
    assert len(words) == 30
    assert title_unsupported(long_title, " ".join(s.text for s in SENTENCES)) == []  # kept
    filed = model_answer.parse(json.dumps(filed_answer(title=long_title)), SENTENCES)
    content, _, _ = compose.compose(filed, SENTENCES, 260)
    assert content.title == " ".join(words[: headline.TITLE_MAX_WORDS])
    assert len(content.title.split()) == headline.TITLE_MAX_WORDS == 16
    assert isinstance(content, BriefContent) and not re.search(r"\s{2}", content.title)
    # Written for the test: another text's long title of its own words.
    long_title = (
        "Kenya and Ethiopia agree to reopen the Moyale border crossing  as Mudavadi says 1,200 "
        "lorries carry food into northern Kenya, and the World Food Programme says 4.4 million "
        "need aid"
    )
    words = long_title.split()
    assert len(words) > headline.TITLE_MAX_WORDS
    assert title_unsupported(long_title, " ".join(s.text for s in OTHER)) == []
    answer = filed_answer(OTHER_TEXT, title=long_title)
    content, _, _ = compose.compose(model_answer.parse(json.dumps(answer), OTHER), OTHER, 260)
    assert content.title == " ".join(words[: headline.TITLE_MAX_WORDS])


def test_a_long_title_is_not_cut_after_an_auxiliary() -> None:
    long_title = (
        "Kenya and Ethiopia agree to reopen the Moyale border crossing as Mudavadi says 1,200 "
        "lorries will carry food into northern Kenya, and the World Food Programme says 4.4 "
        "million need aid"
    )
    assert headline._uncut_title(long_title).split()[-1] != "will"
    # Written for the test: the clause that lost its verb goes whole.
    assert headline._uncut_title(long_title) == (
        "Kenya and Ethiopia agree to reopen the Moyale border crossing"
    )


def test_transcript_housekeeping_is_not_content() -> None:
    lines = [
        "MODERATOR: Our next question will go to Vivian with the Wall Street Journal.",
        "MR. KIRBY: Thanks, everybody.",
        "Q Thanks so much, Sam.",
        "Q Is this open revolt from the Israelis?",
        "MR. KIRBY: Hey, Andrea.",
        "MR. KIRBY: We abstained on the resolution because it did not condemn Hamas.",
    ]
    kept = [s.text for s in split_sentences("\n".join(lines)) if is_content(s)]
    assert kept == [lines[-1]]
    (sentence,) = [s for s in split_sentences(lines[-1])]
    assert statements.statement(sentence).startswith("We abstained on the resolution")
    # Written for the test: another briefing's room and its one line of news.
    lines = [
        "MODERATOR: Our next question goes to Hiba with Al Arabiya.",
        "MS. JEAN-PIERRE: Thanks, Karen.",
        "Q Thank you so much, Karine.",
        "Q Is the ceasefire in Lebanon holding?",
        "MS. JEAN-PIERRE: Go ahead, Peter.",
        "MS. JEAN-PIERRE: We voted for the resolution because it called for the release of all "
        "hostages.",
    ]
    kept = [s.text for s in split_sentences("\n".join(lines)) if is_content(s)]
    assert kept == [lines[-1]]
    (sentence,) = split_sentences(lines[-1])
    assert statements.statement(sentence).startswith("We voted for the resolution")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MR. KIRBY: Well, look, we abstained.", "We abstained."),
        ("You know, al-Zawahiri was bin Laden’s leader.", "Al-Zawahiri was bin Laden’s leader."),
        ("And since 2011, he led al Qaeda.", "Since 2011, he led al Qaeda."),
        ("But, you know, talks went on.", "Talks went on."),
        ("Meanwhile, India struck nine sites.", "India struck nine sites."),
        # A briefer's asides and a fact sheet's run-in heading.
        ("MR. KIRBY: I would just note that Gallant is in town.", "Gallant is in town."),
        ("As you know, the talks resumed in Doha.", "The talks resumed in Doha."),
        (
            "MR. KIRBY: I think you probably saw — today we abstained on the resolution.",
            "Today we abstained on the resolution.",
        ),
        (
            "ADVANCING U.S. NATIONAL SECURITY AND FOREIGN POLICY: President Trump is acting.",
            "President Trump is acting.",
        ),
        # "As I said" keeps its "said": the verifier reads it as the attribution.
        ("As I said, the talks resumed in Doha.", "As I said, the talks resumed in Doha."),
        ("I think the talks will resume.", "I think the talks will resume."),
        # Not fillers: "So far", "Now is".
        ("So far, 12 people have died.", "So far, 12 people have died."),
        ("Now is the time to act.", "Now is the time to act."),
        # "Yet" ties the sentence to the one before, unless it counts ("Yet another").
        (
            "Yet in a poll released in January, 85% say no.",
            "In a poll released in January, 85% say no.",
        ),
        ("Yet another strike hit the city.", "Yet another strike hit the city."),
        # Whom a speaker addresses (a transcript's "…, Steve, I …"; sentences written for the
        # test): no reader knows who, and what is said stands without the name.
        (
            "MR. PRICE: As of this morning, Matt, we have no word of a delay.",
            "As of this morning, we have no word of a delay.",
        ),
        ("MS. JEAN-PIERRE: Yeah, Zeke, I’m afraid not.", "I’m afraid not."),
        ("But, Yohannes, you must come back.", "You must come back."),
        # Not addressed: a place set off by commas, a name the lexicon knows, one before no "I".
        ("In the capital, Kabul, the army held.", "In the capital, Kabul, the army held."),
        ("Sure, I agree.", "Sure, I agree."),
        ("Thanks, Matt, for the question.", "Thanks, Matt, for the question."),
        # A subject before an aside is no one addressed.
        (
            "MR. KIRBY: Russia, we believe, is preparing an offensive.",
            "Russia, we believe, is preparing an offensive.",
        ),
        (
            "Again, Hamas, you know, has refused the offer.",
            "Hamas, you know, has refused the offer.",
        ),
    ],
)
def test_a_statement_drops_leading_connectives_and_fillers(text: str, expected: str) -> None:
    (sentence,) = split_sentences(text)
    assert statements.statement(sentence) == expected


def test_speaker_names_count_against_the_word_limit() -> None:
    # "Kirby: We will …" prints more words than the sentence: the budget must count them,
    # or a first-person transcript overruns its limit (seen on the long gaggle transcript).
    text = " ".join(
        f"We will send {n} more trucks of aid to Gaza this week, and we expect more."
        for n in range(3, 30)
    )
    sentences = split_sentences(text)
    answer = {"title": "Aid to Gaza", "bottom_line": "Trucks of aid will be sent to Gaza."}
    answer |= {model_answer.key(s): "us_position" for s in sentences}
    filed = model_answer.parse(json.dumps(answer), sentences)
    voices = {s.id: "National Security Communications Adviser John Kirby" for s in sentences}
    for limit in (60, 97, 150):
        content, notes, _ = compose.compose(filed, sentences, limit, voices=voices)
        assert notes and all(n.text.startswith("National Security") for n in notes)
        assert content.content_words() <= limit


def test_no_casualties_is_a_number_in_the_fact_density() -> None:
    # Zero is a count: the fact a reader of a strike looks for, with no digit in it.
    assert (
        fact_density.density(
            "None of his family members were hurt, and there were no civilian casualties."
        )
        > 0
    )
    assert (
        fact_density.density("There were no deaths among the crew, officials said on the day.") > 0
    )
    # A bare mention says no more than an unstated number.
    assert (
        fact_density.density("In turn, the other side reported civilian casualties and damage.")
        == 0
    )


def test_a_long_statement_must_carry_more_to_win_its_place() -> None:
    # Past LONG_STATEMENT words the density counts for less: an 80-word quotation full of
    # place names does not outrank two short sentences with facts of their own.
    names = "Panama, El Salvador, Guatemala, Mexico, Honduras, Nicaragua and Costa Rica"
    long = f"The envoy said {names} " + "agreed to talk more about it " * 10 + "."
    assert word_count(long) > fact_density.LONG_STATEMENT
    assert fact_density.weight(long) == pytest.approx(
        fact_density.density(long) * fact_density.LONG_STATEMENT / word_count(long)
    )
    short = "Guatemala will accept 40% more deportation flights from the United States."
    assert fact_density.weight(short) == fact_density.density(short)


def test_a_common_word_capitalised_by_its_place_is_no_name() -> None:
    # "Watching" is the text's own "watching", capitalised because it starts the line: the
    # line has no fact and is not chosen over one that has ("There was no linkage to Ukraine").
    sentences = split_sentences(
        "MR. KIRBY: We are watching ISIS very closely. Watching them very, very close. "
        "China also has a responsibility as a member of the P5."
    )
    found = fact_density.names_in(sentences)
    assert found("Watching them very, very close.") == set()
    assert fact_density.density("Watching them very, very close.", found) == 0
    assert fact_density.density("Watching them very, very close.") > 0  # without the text: a name
    # A name that starts a line stays one, and so does one followed by more of a name.
    assert found("China also has a responsibility as a member of the P5.") == {"china", "p5"}
    assert "watching" not in found("We are watching ISIS very closely.")
    # Written for the test: another briefer, another verb that starts its line.
    line = "Tracking them hour by hour."
    sentences = split_sentences(
        f"MS. JEAN-PIERRE: We are tracking the storm closely. {line} Cuba also has a duty as a "
        "member of the G77."
    )
    found = fact_density.names_in(sentences)
    assert found(line) == set()
    assert fact_density.density(line, found) == 0
    assert fact_density.density(line) > 0
    assert found("Cuba also has a duty as a member of the G77.") == {"cuba", "g77"}


def test_a_briefers_opening_position_is_chosen_in_a_transcript() -> None:
    # A gaggle: the briefer's opening line of position names nobody; a later answer has names
    # (who meets whom). In a transcript the opening remarks and the briefer's own
    # position lines count: the position is taken, though only one of the two fits.
    text = (
        "MR. KIRBY: Our vote today does not represent a shift in our policy on the hostages.\n\n"
        "Q Will Defense Minister Gallant meet Secretary Blinken and Secretary Austin?\n\n"
        "MR. KIRBY: Defense Minister Gallant is in town today and tomorrow, meeting with Jake."
    )
    everything = split_sentences(text)
    sentences = [s for s in everything if is_content(s)]
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "us_position" for s in sentences}
    )
    voices = {s.id: "Kirby" for s in sentences}

    def printed(s: Sentence) -> str:
        return voiced(statements.statement(s), voices[s.id])

    questions = asked(everything)
    assert questions == {2}
    # The title names the hostages, so "the hostages" needs no sentence before it.
    title = "Kirby: the U.N. vote is no shift on the hostages"
    shown = selection.Context.of(sentences, title, filed.bottom_line)
    picked = selection.select(filed, sentences, 18, text=printed, asked=questions, context=shown)
    assert [p.text for p in picked] == [
        "Kirby: Our vote today does not represent a shift in our policy on the hostages."
    ]
    # The same lines, not a transcript (no questions): names per word decide.
    plain = selection.select(filed, sentences, 18, text=printed)
    assert [p.sentence.id for p in plain] == [3]
    # Written for the test: another briefing of the same shape.
    text = (
        "MS. JEAN-PIERRE: Our decision today does not change our support for the talks in "
        "Doha.\n\n"
        "Q Will Foreign Minister Shoukry meet Secretary Blinken and Director Burns?\n\n"
        "MS. JEAN-PIERRE: Foreign Minister Shoukry is in Washington today, meeting with Jake."
    )
    everything = split_sentences(text)
    sentences = [s for s in everything if is_content(s)]
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "us_position" for s in sentences}
    )
    voices = {s.id: "Jean-Pierre" for s in sentences}
    questions = asked(everything)
    assert questions == {2}
    picked = selection.select(filed, sentences, 18, text=printed, asked=questions)
    assert [p.text for p in picked] == [
        "Jean-Pierre: Our decision today does not change our support for the talks in Doha."
    ]
    assert [p.sentence.id for p in selection.select(filed, sentences, 18, text=printed)] == [3]


def test_a_sentence_whose_main_clause_the_bottom_line_says_is_not_repeated() -> None:
    sentences = split_sentences(
        "Meanwhile, the two countries have reached a new migration arrangement under which "
        "Guatemala will accept 40% more deportation flights from the United States, including "
        "both Guatemalan nationals and individuals of other nationalities. Rubio will travel to "
        "Santo Domingo on Thursday to meet President Luis Abinader."
    )
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "ground_situation" for s in sentences}
    )
    bottom_line = (
        "Rubio met Guatemalan officials to finalize a new migration arrangement under which "
        "Guatemala will accept 40% more deportation flights from the United States."
    )
    # The whole sentence says more than the bottom line (its "including …" tail), not its
    # main clause: it is not a statement in any form.
    assert selection._overlap(statements.statement(sentences[0]), bottom_line) < 0.7
    picked = selection.select(filed, sentences, 100, bottom_line)
    assert [p.sentence.id for p in picked] == [2]
    assert [p.sentence.id for p in selection.select(filed, sentences, 100)] == [1, 2]
    # Written for the test: another agreement, the same shape.
    sentences = split_sentences(
        "Meanwhile, the two governments have signed a new energy agreement under which Algeria "
        "will supply 30% more natural gas to Tunisia, including both existing contract volumes "
        "and new supplies for industry. Attaf will travel to Rome on Friday to meet Prime "
        "Minister Giorgia Meloni."
    )
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "ground_situation" for s in sentences}
    )
    bottom_line = (
        "Attaf met Tunisian officials to sign a new energy agreement under which Algeria will "
        "supply 30% more natural gas to Tunisia."
    )
    assert selection._overlap(statements.statement(sentences[0]), bottom_line) < 0.7
    picked = selection.select(filed, sentences, 100, bottom_line)
    assert [p.sentence.id for p in picked] == [2]
    assert [p.sentence.id for p in selection.select(filed, sentences, 100)] == [1, 2]


def test_a_sentence_is_cut_only_to_fit() -> None:
    # a readout's line and a wire report's, both with a clause a cut would lose
    sentences = split_sentences(
        "Mr. Sullivan noted recent decisions by NATO to bolster the NATO Kosovo Force presence "
        "in northern Kosovo, and underscored the readiness of the United States to work with "
        "its Allies to ensure the force remained resourced. Foreign Minister Ishaq Dar issued "
        "the warning during a television interview aired Saturday, noting that the U.S. has "
        "promised to relocate the Afghan contractors."
    )
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "us_position" for s in sentences}
    )
    whole = [statements.statement(s) for s in sentences]
    roomy = selection.select(filed, sentences, 200)
    assert [p.text for p in roomy] == whole
    # where the words left do not allow the whole sentences, their shorter forms stand in
    tight = selection.select(filed, sentences, 30)
    assert tight and all(
        p.text != w and w.startswith(p.text[:-1]) for p, w in zip(tight, whole, strict=False)
    )
    # Written for the test: another minister's line and another interview, the same clauses.
    sentences = split_sentences(
        "Ms. Wong noted recent decisions by the Pacific Islands Forum to expand the regional "
        "police force in Solomon Islands, and underscored the readiness of Australia to work with "
        "its partners to ensure the force remained funded. Prime Minister Shehbaz Sharif made "
        "the remarks during a radio interview broadcast Sunday, noting that China has pledged to "
        "finance the new port in Gwadar."
    )
    filed = model_answer.Filed(
        title="", bottom_line="", sections={s.id: "us_position" for s in sentences}
    )
    whole = [statements.statement(s) for s in sentences]
    assert [p.text for p in selection.select(filed, sentences, 200)] == whole
    # 32 words: both shorter forms (19 and 13), not both whole sentences (36 and 25).
    tight = selection.select(filed, sentences, 32)
    assert len(tight) == 2 and all(
        p.text != w and w.startswith(p.text[:-1]) for p, w in zip(tight, whole, strict=True)
    )


def _repeat_case(extra: str = "") -> tuple[model_answer.Filed, list[Sentence]]:
    # Written for the test: the bottom line's sentence is Ground Situation's only material.
    sentences = split_sentences(
        "Rebels seized the town of Sake on Tuesday, the army said.\n"
        "The United States condemned the offensive and called for an immediate ceasefire.\n"
        "Washington also announced $20 million in humanitarian aid for Goma.\n" + extra
    )
    sections = {1: "ground_situation", 2: "us_position", 3: "us_position"}
    if extra:
        sections[4] = "ground_situation"
    filed = model_answer.Filed(title="Sake falls", bottom_line=sentences[0].text, sections=sections)
    return filed, sentences


def test_a_section_whose_only_material_is_the_bottom_lines_sentence_holds_it() -> None:
    filed, sentences = _repeat_case()
    _, notes, _ = compose.compose(filed, sentences, 200)
    assert [(n.sentence, n.section) for n in notes] == [
        (1, "ground_situation"),
        (2, "us_position"),
        (3, "us_position"),
    ]
    # Where the words are spent, another section's last-ranked statement gives way to it.
    title_and_bottom_line = 11 + 11  # the title is refused for the lead (words of its own)
    _, notes, _ = compose.compose(filed, sentences, title_and_bottom_line + 23)
    assert {n.section for n in notes} == {"ground_situation", "us_position"}
    assert len(notes) == 2
    # A section with material of its own does not repeat the bottom line.
    filed, sentences = _repeat_case("Fighting continued in Masisi on Wednesday, residents said.\n")
    _, notes, _ = compose.compose(filed, sentences, 200)
    assert [n.sentence for n in notes if n.section == "ground_situation"] == [4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # written for the test: an "also" before a verb, after an auxiliary, in a voiced line
        ("Kenya also delayed its deployment.", "Kenya delayed its deployment."),
        ("OFAC is also sanctioning two companies.", "OFAC is sanctioning two companies."),
        ("Smith: We also issued an advisory.", "Smith: We issued an advisory."),
        # a "further" before a verb of saying (w07's), not one that says "more"
        ("La Russa further said the rebels had arms.", "La Russa said the rebels had arms."),
        ("The sanctions will further increase pressure.", None),
        # not before a verb, "but also", "also known as", inside a quotation
        ("The ban covers ships and also aircraft.", "The ban covers ships and also aircraft."),
        ("It is not only costly but also slow to build.", None),
        ("Siad (also known as Inda'ade) said ten died.", None),
        ("“We also reject it,” the minister said.", None),
    ],
)
def test_an_also_is_dropped_only_before_a_verb(text: str, expected: str | None) -> None:
    assert statements.without_also(text) == (expected or text)


def test_an_also_goes_where_the_brief_does_not_show_the_sentence_before() -> None:
    # Written for the test: the same "also" kept right after its sentence, dropped elsewhere.
    sentences = split_sentences(
        "Kenya imposed a curfew in Nairobi on Monday.\n"
        "Kenya also closed the northern border crossings to trucks.\n"
        "Aid groups said 4,000 people were stranded at the border.\n"
        "Kenya also cut the fuel subsidy by half in May.\n"
    )
    filed = model_answer.Filed(
        title="Aid groups say 4,000 stranded",
        bottom_line=sentences[2].text,
        sections={1: "ground_situation", 2: "ground_situation", 4: "background"},
    )
    content, _, _ = compose.compose(filed, sentences, 200)
    assert [s.text for s in content.background] == ["Kenya cut the fuel subsidy by half in May."]
    assert [s.text for s in content.ground_situation] == [
        "Kenya imposed a curfew in Nairobi on Monday.",
        "Kenya also closed the northern border crossings to trucks.",
    ]


def test_where_the_us_stands_comes_after_its_news_in_the_us_position() -> None:
    # Written for the test: two statements, each opening on where the US stands.
    for text in (
        "The United States strongly supports the people of Moldova and their European future. "
        "We share the concerns of observers that vote buying in Moldova limited a free choice.",
        "The United States remains committed to the security of Estonia and its neighbours. "
        "Washington will deploy 300 more troops to Tapa under a NATO agreement.",
    ):
        sentences = split_sentences(text)
        filed = model_answer.Filed(
            title="", bottom_line="", sections={s.id: "us_position" for s in sentences}
        )
        # Room for one: the news, not the courtesy; with room for both, both.
        one = word_count(sentences[1].text) + 1
        assert [p.sentence.id for p in selection.select(filed, sentences, one)] == [2]
        # Alone in its section, it is the section's material.
        assert [p.sentence.id for p in selection.select(filed, sentences[:1], 100)] == [1]


def test_a_quotation_that_goes_on_an_attributed_one_is_printed_with_it() -> None:
    # Written for the test: the second quotation names no speaker; the sentence before says
    # whose words both are.
    text = (
        "About 450 troops landed on Anjouan on Tuesday.\n"
        '"The operation is going to plan," said Amina Yusuf, a government spokeswoman. '
        '"The army holds the airport and the port of Mutsamudu."\n'
        "Fighting went on near Domoni, where 40 people fled.\n"
    )
    sentences = split_sentences(text)
    quote = next(s for s in sentences if s.text.startswith('"The army'))
    filed = model_answer.Filed(
        title="Troops land on Anjouan",
        bottom_line=sentences[0].text,
        sections={s.id: "ground_situation" for s in sentences[1:]},
    )
    content, _, _ = compose.compose(filed, sentences, 200)
    printed = {tuple(s.cites): s.text for s in content.ground_situation}
    said = printed[(quote.id - 1, quote.id)]
    assert said.startswith('"The operation is going to plan," said Amina Yusuf')
    assert said.endswith('"The army holds the airport and the port of Mutsamudu."')
    # Verbatim: the two sentences in turn.
    assert verify.wording(said, [sentences[1].text, quote.text]) == "verbatim"
    # Not in another order: that is no sentence of the text.
    assert verify.wording(said, [quote.text, sentences[1].text]) != "verbatim"


def test_a_bottom_line_in_the_speakers_voice_introduces_them() -> None:
    """Written for the test, as a State statement reads: the bottom line is read first, so it
    names the speaker as the byline does; the statement after it, by surname."""
    from briefer.text.cues import document_cues
    from briefer.text.turns import speakers

    title = "Congratulations to Zambia's President-elect Hakainde Hichilema"
    body = (
        "On behalf of the United States, I congratulate President-elect Hakainde Hichilema on his"
        " election.\nWe look forward to working with President-elect Hichilema to deepen the"
        " partnership between our countries.\n"
    )

    def composed(byline: str) -> BriefContent:
        text = f"{byline}\n\n{body}"
        doc = document_cues(title, text)
        sentences = split_sentences(text)
        filed = model_answer.Filed(
            title="Zambia elects a president",
            bottom_line="A line of words the text does not hold at all.",
            sections={s.id: "us_position" for s in sentences},
        )
        return compose.compose(filed, sentences, 200, doc, speakers(sentences, doc), context=title)[
            0
        ]

    content = composed("Antony J. Blinken, Secretary of State")
    assert content.bottom_line.startswith(
        "Secretary of State Antony J. Blinken: On behalf of the United States"
    )
    assert [s.text.split(":")[0] for s in content.us_position] == ["Blinken"]
    # An introduction the verifier cannot read as a speaker's is not made.
    content = composed("Linda Thomas-Greenfield, Ambassador to the United Nations")
    assert content.bottom_line.startswith("Thomas-Greenfield: On behalf of")
