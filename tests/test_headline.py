"""Title lines, headers and the bottom line: never a statement, never cut mid-sentence."""

from __future__ import annotations

import pytest

from briefer.brief import headline, model_answer, statements
from briefer.brief.model_answer import Filed
from briefer.inputs.sources import article_from_text
from briefer.models import word_count
from briefer.text.line_filters import is_content, is_header
from briefer.text.sentences import Sentence, split_sentences


@pytest.mark.parametrize(
    "line",
    [
        "Sunday, August 6, 2006",
        "Updated March 3, 2024 (R47256)",
        "Updated January 12, 2024",
        "IN12345",
        "May 5, 2025 at 10:30 a.m. EST",
    ],
)
def test_header_lines_are_not_facts(line: str) -> None:
    assert is_header(line)
    assert not is_content(Sentence(id=1, text=line, paragraph=0))


@pytest.mark.parametrize(
    "line",
    [
        "India launched strikes on May 7, 2025.",
        "The talks ended on Sunday, August 6.",
        "Hiroshima was bombed.",
        "Statement from President Joe Biden on Sudan",
    ],
)
def test_sentences_with_dates_are_not_headers(line: str) -> None:
    assert not is_header(line)


def test_a_plain_text_title_line_is_the_title_not_a_statement() -> None:
    text = (
        "Pakistan threatens to deport Afghans if US relocation timeline isn’t met\n\n"
        "ISLAMABAD — Pakistan has warned that thousands of Afghan nationals will be deported.\n"
        "Pakistan threatens to deport Afghans if US relocation timeline isn’t met\n"
    )
    article = article_from_text(text, id="a", origin="a.txt")
    assert (
        article.title == "Pakistan threatens to deport Afghans if US relocation timeline isn’t met"
    )
    # Written for the test: another outlet's headline line, another dateline.
    other = article_from_text(
        "Kenya suspends grain exports as drought deepens in the north\n\n"
        "NAIROBI — Kenya has halted maize exports for three months, the agriculture ministry "
        "said.\n",
        id="k",
        origin="k.txt",
    )
    assert other.title == "Kenya suspends grain exports as drought deepens in the north"
    seed = article_from_text(
        "The White House urged de-escalation.\nThe attack killed 27 people.\n", id="s", origin="s"
    )
    assert seed.title is None  # a first line that is a sentence is not a title


def test_title_line_and_its_repeats_are_left_out_of_the_statements(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from briefer import Briefer, load_settings

    path = tmp_path / "a.txt"
    path.write_text(
        "Statement from President Joe Biden on Sudan\n\n"
        "For over 17 long months, the Sudanese people have endured a senseless war.\n"
        "I call on the belligerents to pull back their forces.\n"
        "Statement from President Joe Biden on Sudan\n"
    )
    briefer = Briefer(
        load_settings({"base_url": "http://127.0.0.1:9/v1", "model": "m"}, environ={})
    )
    plan, everything, _ = briefer.plan(briefer.load(str(path)))
    assert len(everything) == 4
    assert [s.id for s in plan.sentences] == [2, 3]
    # Written for the test: another office's title line, repeated at the foot of the page.
    other = tmp_path / "b.txt"
    other.write_text(
        "Readout of the Foreign Secretary's Call with the Prime Minister of Tonga\n\n"
        "The Foreign Secretary spoke today with Prime Minister Siaosi Sovaleni of Tonga.\n"
        "The two leaders discussed recovery from the floods on the main island.\n"
        "Readout of the Foreign Secretary's Call with the Prime Minister of Tonga\n"
    )
    plan, everything, _ = briefer.plan(briefer.load(str(other)))
    assert len(everything) == 4
    assert [s.id for s in plan.sentences] == [2, 3]


def _filed(bottom_line: str, title: str = "Sudan war enters 18th month") -> Filed:
    return Filed(title=title, bottom_line=bottom_line, sections={})


SENTENCES = split_sentences(
    "Statement from President Joe Biden on Sudan\n"
    "For over 17 long months, the Sudanese people have endured a senseless war in Sudan.\n"
    "The city of El Fasher has been under siege by the Rapid Support Forces.\n"
)


# Written for the tests: the same shape as SENTENCES (a title line, then two facts) in another
# office's words, so that each rule below is seen on a text it was not made for.
OTHER = split_sentences(
    "Statement by Foreign Minister Penny Wong on the floods in Tonga\n"
    "For nearly three weeks, the people of Tonga have faced severe flooding across the main "
    "island.\n"
    "The port of Nuku'alofa has been closed by the Tongan authorities since Monday.\n"
)


def test_bottom_line_cut_by_the_length_cap_loses_the_fragment() -> None:
    _, bottom, *_ = headline.headline(
        _filed(
            "El Fasher has been under siege by the Rapid Support Forces. The Sudanese people "
            "have endured a war with"
        ),
        SENTENCES,
    )
    assert bottom == "El Fasher has been under siege by the Rapid Support Forces."
    _, bottom, *_ = headline.headline(
        _filed(
            "The port of Nuku'alofa has been closed by the Tongan authorities. The people of "
            "Tonga have faced flooding with"
        ),
        OTHER,
    )
    assert bottom == "The port of Nuku'alofa has been closed by the Tongan authorities."


def test_a_single_cut_sentence_falls_back_to_a_whole_lead_sentence() -> None:
    _, bottom, *_ = headline.headline(
        _filed("The Sudanese people have endured a senseless war with"), SENTENCES
    )
    assert bottom.endswith(".") and bottom.startswith("For over 17 long months")
    _, bottom, *_ = headline.headline(
        _filed("The people of Tonga have faced severe flooding with"), OTHER
    )
    assert bottom == OTHER[1].text


def test_bottom_line_is_never_the_title_line() -> None:
    _, bottom, *_ = headline.headline(
        _filed("Statement from President Joe Biden on Sudan"), SENTENCES
    )
    assert bottom != "Statement from President Joe Biden on Sudan"
    assert bottom.startswith("For over 17 long months")
    title = "Statement by Foreign Minister Penny Wong on the floods in Tonga"
    _, bottom, *_ = headline.headline(_filed(title), OTHER)
    assert bottom == OTHER[1].text


def test_bottom_line_over_the_limit_is_not_cut() -> None:
    long = "The Sudanese people " + "have endured a senseless war " * 12 + "in Sudan."
    _, bottom, *_ = headline.headline(_filed(long), SENTENCES)
    assert bottom.endswith(".") and len(bottom.split()) <= headline.BOTTOM_LINE_MAX_WORDS
    long = "The people of Tonga " + "have faced severe flooding again " * 12 + "on the island."
    _, bottom, *_ = headline.headline(_filed(long), OTHER)
    assert bottom.endswith(".") and len(bottom.split()) <= headline.BOTTOM_LINE_MAX_WORDS


def _at_cap(text: str) -> str:
    """``text`` cut at the grammar's cap and closed with a full stop, as the model does."""
    return text[: model_answer.BOTTOM_LINE_MAX_CHARS - 1].rstrip() + "."


@pytest.mark.parametrize(
    ("source", "end"),
    [
        (
            "Secretary Rubio is set to meet Dominican President Luis Abinader in Santo Domingo to "
            "finalize a new migration arrangement under which Guatemala will accept 40% more "
            "deportation flights from the United States, including both Guatemalan nationals and "
            "individuals of other nationalities who crossed through the country in recent months.",
            "40% more deportation flights from the United States.",
        ),
        # Written for the test: another agreement, its list again cut by the cap.
        (
            "Foreign Minister Ahmed Attaf is set to meet Tunisian President Kais Saied in Tunis to "
            "sign a new energy agreement under which Algeria will supply 30% more natural gas to "
            "Tunisia through the Trans-Mediterranean pipeline, including both volumes under "
            "existing contracts and volumes for new industrial customers in the coastal cities who "
            "signed up in the past year.",
            "30% more natural gas to Tunisia through the Trans-Mediterranean pipeline.",
        ),
    ],
)
def test_a_sentence_closed_at_the_length_cap_is_cut_back_to_its_main_clause(
    source: str, end: str
) -> None:
    # The model reached the cap mid-clause and closed the string with a full stop: that text
    # ends "like" a sentence but is cut ("…and individuals of other.").
    capped = _at_cap(source)
    assert len(capped) >= model_answer.BOTTOM_LINE_MAX_CHARS - 3
    _, bottom, *_ = headline.headline(_filed(capped), split_sentences(source))
    assert bottom.endswith(end)


def test_a_bottom_line_a_few_words_over_the_limit_keeps_its_main_clause() -> None:
    # 52 words, one sentence: its main clause (20 words) is the news; the lead sentence that
    # replaced it before said only what the text opens with.
    source = (
        "Today, as the world gathers for the Tenth Review Conference, the United States renews "
        "its commitment to be a responsible steward of its nuclear arsenal. My Administration is "
        "ready to expeditiously negotiate a new arms control framework to replace New START when "
        "it expires in 2026."
    )
    model = (
        "The US is ready to expeditiously negotiate a new arms control framework to replace New "
        "START when it expires in 2026, as part of its commitment to the world to be a responsible "
        "steward of its nuclear arsenal and to continue working toward the ultimate goal of a "
        "world without nuclear weapons and a review conference."
    )
    assert len(model.split()) > headline.BOTTOM_LINE_MAX_WORDS
    _, bottom, *_ = headline.headline(_filed(model), split_sentences(source))
    assert bottom == (
        "The US is ready to expeditiously negotiate a new arms control framework to replace New "
        "START when it expires in 2026."
    )
    # Written for the test: another government's pledge, the same shape.
    source = (
        "Today, as leaders meet in Nairobi for the climate summit, Kenya renews its pledge to be "
        "a careful guardian of its forests. My government is ready to swiftly negotiate a new "
        "carbon market agreement to replace the current scheme when it lapses in 2027."
    )
    model = (
        "Kenya is ready to swiftly negotiate a new carbon market agreement to replace the current "
        "scheme when it lapses in 2027, as part of its pledge to the world to be a careful "
        "guardian of its forests and to keep working toward the long-term goal of a net-zero "
        "economy and a summit outcome."
    )
    assert len(model.split()) > headline.BOTTOM_LINE_MAX_WORDS
    _, bottom, *_ = headline.headline(_filed(model), split_sentences(source))
    assert bottom == (
        "Kenya is ready to swiftly negotiate a new carbon market agreement to replace the current "
        "scheme when it lapses in 2027."
    )


def test_two_sentences_at_the_cap_keep_the_first() -> None:
    first = "El Fasher has been under siege by the Rapid Support Forces."
    capped = _at_cap(first + " " + "The Sudanese people have endured a senseless war " * 8)
    _, bottom, *_ = headline.headline(_filed(capped), SENTENCES)
    assert bottom == first
    first = "The port of Nuku'alofa has been closed by the Tongan authorities."
    capped = _at_cap(first + " " + "The people of Tonga have faced severe flooding " * 8)
    _, bottom, *_ = headline.headline(_filed(capped), OTHER)
    assert bottom == first


def test_a_title_cut_at_its_cap_ends_at_a_pause_not_mid_word() -> None:
    title = (
        "US Press Gaggle: Defense Minister Gallant to Meet with Secretary Blinken, "
        "Secretary Austin, and National Sec."
    )
    assert len(title) >= model_answer.TITLE_MAX_CHARS - 3
    assert headline._uncut_title(title) == (
        "US Press Gaggle: Defense Minister Gallant to Meet with Secretary Blinken, Secretary Austin"
    )
    assert headline._uncut_title("Sudan’s War Enters Its 18th Month") == (
        "Sudan’s War Enters Its 18th Month"
    )


def test_a_first_person_line_is_not_the_lead() -> None:
    sentences = split_sentences(
        "MR. KIRBY: Thanks, everybody, I have a few words at the top and then we will take "
        "questions. The United States abstained on the Security Council resolution on Gaza "
        "this morning."
    )
    assert headline._lead(sentences).text == (
        "The United States abstained on the Security Council resolution on Gaza this morning."
    )


def test_a_briefers_opening_line_with_a_fact_leads_voiced() -> None:
    # A gaggle's story is the briefer's first line of news, first person as it is; the
    # moderator's lines and a welcome are the room, not the news.
    sentences = split_sentences(
        "MODERATOR: Kirby has a few words for the White House press corps at the top today.\n\n"
        "MR. KIRBY: Good afternoon, everyone, and welcome to the White House briefing. "
        "Today we abstained on a U.N. Security Council resolution calling for a ceasefire in "
        "Gaza. Vice President Harris will welcome President Arévalo of Guatemala today."
    )
    moderator = {sentences[0].id}
    voices: dict[int, str | None] = {s.id: "Kirby" for s in sentences[1:]}
    assert headline._lead(sentences, asked=moderator, voices=voices).text == (
        "Kirby: Today we abstained on a U.N. Security Council resolution calling for a "
        "ceasefire in Gaza."
    )
    # Written for the test: another briefer, another opening fact.
    sentences = split_sentences(
        "MODERATOR: The spokesperson has a few words for the press at the top today.\n\n"
        "MS. JEAN-PIERRE: Good morning, everyone, and welcome to the briefing. "
        "Today we imposed sanctions on 12 leaders of the military coup in Niger. "
        "The First Lady will travel to Kenya today."
    )
    voices = {s.id: "Jean-Pierre" for s in sentences[1:]}
    assert headline._lead(sentences, asked={sentences[0].id}, voices=voices).text == (
        "Jean-Pierre: Today we imposed sanctions on 12 leaders of the military coup in Niger."
    )


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        (
            "STATE DEPARTMENT — U.S. Secretary of State Marco Rubio is in the Dominican Republic.",
            "U.S. Secretary of State Marco Rubio is in the Dominican Republic.",
        ),
        # Written for the test: a wire service's dateline, a city-and-country dateline.
        (
            "BRUSSELS (AP) — European Commission President Ursula von der Leyen is in Kyiv for "
            "talks.",
            "European Commission President Ursula von der Leyen is in Kyiv for talks.",
        ),
        (
            "LAGOS, Nigeria — The Nigerian army said it had freed 40 hostages.",
            "The Nigerian army said it had freed 40 hostages.",
        ),
    ],
)
def test_a_dateline_is_not_part_of_the_statement(text: str, statement: str) -> None:
    sentence = split_sentences(text)[0]
    assert statements.statement(sentence) == statement


def test_a_dash_inside_a_sentence_is_no_dateline() -> None:
    text = "The talks in Doha — the third round this year — ended without a deal on Friday."
    assert statements.statement(split_sentences(text)[0]) == text


def test_a_name_from_the_title_line_supports_the_bottom_line() -> None:
    # "President Biden" is only in the title line ("Statement from President Joe Biden on
    # Sudan"), which is no statement; the bottom line may still name him.
    bottom_line = "President Biden says the Sudanese people have endured a senseless war."
    _, bottom, *_ = headline.headline(
        _filed(bottom_line), SENTENCES[1:], context="Statement from President Joe Biden on Sudan"
    )
    assert bottom == bottom_line
    _, without, *_ = headline.headline(_filed(bottom_line), SENTENCES[1:])
    assert without != bottom_line
    # Written for the test: "Foreign Minister Wong" is only in OTHER's title line.
    bottom_line = "Foreign Minister Wong says the people of Tonga have faced severe flooding."
    title = "Statement by Foreign Minister Penny Wong on the floods in Tonga"
    assert headline.headline(_filed(bottom_line), OTHER[1:], context=title)[1] == bottom_line
    assert headline.headline(_filed(bottom_line), OTHER[1:])[1] != bottom_line


def test_a_bottom_line_that_claims_more_than_the_source_gives_way_to_the_lead() -> None:
    # Words of its own (six here): a conclusion the text does not draw.
    claims = (
        "The Sudanese war highlights the challenges faced by aid agencies and the potential "
        "for further regional instability."
    )
    _, bottom, *_ = headline.headline(_filed(claims), SENTENCES[1:])
    assert bottom == SENTENCES[1].text
    # A paraphrase with a word or two of its own stands.
    paraphrase = "The Sudanese people have endured 17 months of a senseless war."
    assert headline.headline(_filed(paraphrase), SENTENCES[1:])[1] == paraphrase
    # Written for the test: the same on OTHER.
    claims = (
        "The Tongan floods highlight the challenges faced by island nations and the potential "
        "for further economic disruption."
    )
    assert headline.headline(_filed(claims), OTHER[1:])[1] == OTHER[1].text
    paraphrase = "The people of Tonga have faced three weeks of severe flooding."
    assert headline.headline(_filed(paraphrase), OTHER[1:])[1] == paraphrase


def test_a_bottom_line_whose_tail_claims_more_keeps_its_main_clause() -> None:
    # The tail is the model's own conclusion; the main clause is the text's news.
    claims = (
        "The city of El Fasher has been under siege by the Rapid Support Forces for months, "
        "which is a critical step in their fight for regional dominance."
    )
    _, bottom, *_ = headline.headline(_filed(claims), SENTENCES[1:])
    assert bottom == (
        "The city of El Fasher has been under siege by the Rapid Support Forces for months."
    )
    claims = (
        "The port of Nuku'alofa has been closed by the Tongan authorities since Monday, which is "
        "a critical blow to the island's struggling economy."
    )
    _, bottom, *_ = headline.headline(_filed(claims), OTHER[1:])
    assert (
        bottom == "The port of Nuku'alofa has been closed by the Tongan authorities since Monday."
    )


def test_a_bottom_line_pointing_back_does_not_stand_alone() -> None:
    _, bottom, *_ = headline.headline(_filed("That is how the siege began."), SENTENCES[1:])
    assert bottom == SENTENCES[1].text
    _, bottom, *_ = headline.headline(_filed("That is why the port was closed."), OTHER[1:])
    assert bottom == OTHER[1].text


def test_a_bottom_line_about_the_text_gives_way_to_the_lead() -> None:
    about = "The article discusses a series of meetings between US officials in Sudan."
    _, bottom, *_ = headline.headline(_filed(about), SENTENCES[1:])
    assert bottom == SENTENCES[1].text
    assert headline._ABOUT_THE_TEXT.match("This press briefing highlights the talks.")
    assert not headline._ABOUT_THE_TEXT.match("The report of the UN panel was published.")
    about = "The statement outlines the government's response to flooding in Tonga."
    assert headline.headline(_filed(about), OTHER[1:])[1] == OTHER[1].text
    assert headline._ABOUT_THE_TEXT.match("The readout describes the call between the leaders.")
    assert not headline._ABOUT_THE_TEXT.match("The statement by the minister was issued on Monday.")


def test_the_lead_is_not_a_sentence_pointing_back() -> None:
    sentences = split_sentences(
        "That’s how the hostage deal is structured, and the resolution acknowledges the talks. "
        "The United States abstained on the Security Council resolution on Gaza this morning."
    )
    assert headline._lead(sentences).text.startswith("The United States abstained")
    # Written for the test: another text opening on a line that points back.
    sentences = split_sentences(
        "This is why the talks stalled, and the communique admits as much. Ethiopia and Eritrea "
        "signed a border agreement in Asmara on Friday."
    )
    assert headline._lead(sentences).text.startswith("Ethiopia and Eritrea signed")


# Written for the test: statements that open on where the US stands before their news.
STANDING = [
    (
        "The United States strongly supports the people of Moldova and their European future. "
        "Moldova’s October 20 referendum was marred by vote buying, observers said. "
        "We urge the authorities to investigate every report of fraud."
    ),
    (
        "The United States has long stood with Ecuador in the fight against organized crime. "
        "Gunmen stormed a television studio in Guayaquil on Tuesday and took staff hostage."
    ),
]


@pytest.mark.parametrize("text", STANDING)
def test_where_the_us_stands_is_not_the_news(text: str) -> None:
    sentences = split_sentences(text)
    # the lead passes over it
    assert headline._lead(sentences).sentence.id == sentences[1].id
    # a title or bottom line that rests on it alone gives way
    first = sentences[0].text.rstrip(".")
    top = headline.headline(
        Filed(title=first, bottom_line=sentences[0].text, sections={}),
        sentences,
        own_title="Statement on the events",
    )
    assert top.title == "Statement on the events"
    assert top.title_basis.replaced and "where the US stands" in top.title_basis.replaced
    assert top.bottom_line == sentences[1].text
    # where nothing else fits, it still leads
    assert headline._lead(sentences[:1]).sentence.id == sentences[0].id


def test_an_act_of_the_us_is_news_not_a_standing_position() -> None:
    # Written for the test: the US acts, or says when; the lead is the US's line.
    for act in (
        "The United States congratulates Ruth Okafor on her election as President of Ghana.",
        "The United States welcomes today’s agreement on a ceasefire in eastern Congo.",
        "The United States supports the ceasefire agreed in Doha on March 3.",
    ):
        sentences = split_sentences(act + " Talks resume next week in Nairobi, officials said.")
        assert headline._lead(sentences).sentence.id == sentences[0].id, act


def test_a_lead_opening_on_a_time_is_not_pointing_back() -> None:
    sentences = split_sentences(
        "This week, the African Union suspended Niger from all of its activities. Mali and "
        "Burkina Faso said they would stand with the junta."
    )
    assert headline._lead(sentences).text.startswith("This week, the African Union")
    # Written for the test: a day's name says when too; "This decision" still points back.
    sentences = split_sentences(
        "This Monday, Kenya reopened the Moyale border crossing to trade with Ethiopia."
    )
    assert headline._lead(sentences).text.startswith("This Monday, Kenya")
    sentences = split_sentences(
        "This decision follows two days of talks in Nairobi. Kenya reopened the Moyale border "
        "crossing to trade with Ethiopia."
    )
    assert headline._lead(sentences).text.startswith("Kenya reopened")


def test_a_short_page_gets_a_short_bottom_line() -> None:
    # A fifth of the page, from 25 to 50 words: a 46-word bottom line on a 150-word page left
    # room for three statements.
    assert headline.bottom_line_words(150) == 30
    assert headline.bottom_line_words(100) == headline.BOTTOM_LINE_MIN_WORDS
    assert headline.bottom_line_words(450) == headline.BOTTOM_LINE_MAX_WORDS
    source = (
        "Today, a commercial vessel carrying Ukrainian grain safely departed the Black Sea for "
        "the first time since the start of Russia’s full-scale invasion in February. It brings "
        "hope of bringing the millions of tons of grain stuck at Ukraine’s ports to those facing "
        "food insecurity around the world. Russia must "
        "meet its commitments, including by facilitating unimpeded exports of agricultural "
        "products from Black Sea ports."
    )
    model = (
        "The commercial vessel carrying Ukrainian grain safely departed the Black Sea for the "
        "first time since the start of Russia's full-scale invasion in February, bringing hope of "
        "bringing the millions of tons of grain stuck at Ukraine's ports to those facing food "
        "insecurity around the world."
    )
    sentences = split_sentences(source)
    _, long, *_ = headline.headline(_filed(model), sentences)
    assert long == model
    _, short, *_ = headline.headline(_filed(model), sentences, max_words=30)
    # The model's main clause, cut before its participle gloss ("…, bringing hope of …").
    assert short == model.split(", bringing")[0] + "."
    assert word_count(short) <= 30
    # With no place to cut within the cap, the lead sentence stands in.
    uncut = model.replace(", bringing hope of bringing", " to bring")
    _, short, *_ = headline.headline(_filed(uncut), sentences, max_words=30)
    assert short == sentences[0].text
    # Written for the test: another first crossing, the same participle gloss.
    source = (
        "Today, the first convoy of trucks carrying Ethiopian coffee safely crossed into Kenya "
        "for the first time since the border closed in March. It brings hope of moving the "
        "thousands of tonnes of coffee stuck at Moyale to buyers waiting around the world. "
        "Ethiopia must keep its promises, including by keeping the crossing open to trucks from "
        "both countries."
    )
    model = (
        "The first convoy of trucks carrying Ethiopian coffee safely crossed into Kenya for the "
        "first time since the border closed in March, bringing hope of moving the thousands of "
        "tonnes of coffee stuck at Moyale to buyers waiting around the world."
    )
    sentences = split_sentences(source)
    assert headline.headline(_filed(model), sentences)[1] == model
    _, short, *_ = headline.headline(_filed(model), sentences, max_words=30)
    assert short == model.split(", bringing")[0] + "."
    assert word_count(short) <= 30
    uncut = model.replace(", bringing hope of moving", " to move")
    _, short, *_ = headline.headline(_filed(uncut), sentences, max_words=30)
    assert short == sentences[0].text


def test_a_bottom_line_cut_by_the_cap_ends_at_a_participle() -> None:
    # The grammar's cap cut this one (and the model's last words were garbage): its main clause
    # ends before ", targeting …", not nowhere — else the text's rhetorical opener stood in.
    cut = (
        "The US government is imposing additional costs on Russia's war machine by designating "
        "24 Russian defense and technology-related entities pursuant to Executive Order (E.O.) "
        "14024, targeting some of Russia's most important defense-related research and "
        "development institutions, semiconductor producers, and advanced computing and电子."
    )
    assert headline._main_clause(cut, 50) == cut.split(", targeting")[0] + "."
    # An adjective that opens a list's next item is no place to end ("…, ongoing talks").
    listed = (
        "The two leaders reviewed the issues discussed at the Woodside Summit, including "
        "counternarcotics cooperation, ongoing military-to-military communication, talks on AI "
        "and the climate, and people-to-people exchanges between the two countries' students."
    )
    assert headline._main_clause(listed, 25) == listed.split(", including")[0] + "."
    # Written for the test: another government's listing, the same participle and list.
    cut = (
        "The EU is imposing new restrictions on Belarus's potash industry by listing 12 "
        "Belarusian companies and banks under Council Regulation (EU) 765/2006, targeting some "
        "of the country's largest fertiliser producers, state-owned exporters, and rail and port "
        "logistics operators in Klaipeda and周边."
    )
    assert headline._main_clause(cut, 50) == cut.split(", targeting")[0] + "."
    listed = (
        "The two ministers reviewed the progress made since the Jakarta meeting, including "
        "maritime security cooperation, ongoing disaster-relief coordination, talks on trade and "
        "fisheries, and student exchanges between the two countries' universities."
    )
    assert headline._main_clause(listed, 25) == listed.split(", including")[0] + "."


def test_a_main_clause_stands_alone() -> None:
    sentence = (
        "President Biden last year committed to the American people that, following the "
        "withdrawal of U.S. forces, the United States would continue to protect our country and "
        "act against terrorist threats emanating from Afghanistan."
    )
    assert headline._main_clause(sentence, 25) == ""
    formula = (
        "By the authority vested in me as President by the Constitution and the laws of the "
        "United States of America, including section 621 of the Foreign Assistance Act of 1961, "
        "I hereby delegate to the Secretary of State the authority to direct the drawdown."
    )
    assert headline._main_clause(formula, 25) == ""
    # Written for the test: the same two shapes in another government's words.
    promise = (
        "The Prime Minister last month promised voters that, after the reopening of the border "
        "crossings, the government would keep funding the reconstruction of the north."
    )
    assert headline._main_clause(promise, 25) == ""
    decree = (
        "In accordance with the powers conferred on me by the Constitution and the laws of the "
        "Republic, including article 12 of the Emergency Powers Act of 1998, I hereby direct the "
        "Minister of Defence to deploy reserve units."
    )
    assert headline._main_clause(decree, 25) == ""


@pytest.mark.parametrize(
    ("text", "blend"),
    [
        # c03's shape, written for the test: a fact, its reading by others and a party's past.
        (
            "Ana Rivera was sworn in as the country's president on Monday.\n"
            "She is the first president from outside the two old parties.\n"
            "Her victory has been read by many as a rejection of the corrupt political elite.\n"
            "Her party was founded in 1965 as a movement of farmers.\n",
            "Rivera, the first president from outside the two old parties, won a victory leading"
            " to a rejection of the corrupt political elite by her party of farmers.",
        ),
        # Written for the test: a deal, its price and a reaction, blended into one line.
        (
            "Kenya and Ethiopia signed a power deal in Nairobi on Tuesday.\n"
            "Ethiopia will sell 400 megawatts of electricity to Kenya.\n"
            "Opposition leaders in Nairobi called the price too high.\n",
            "Kenya signed a deal for 400 megawatts of Ethiopian electricity, a price opposition"
            " leaders called too high.",
        ),
    ],
)
def test_a_bottom_line_that_blends_three_sentences_gives_way_to_the_lead(
    text: str, blend: str
) -> None:
    sentences = split_sentences(text)
    top = headline.headline(_filed(blend), sentences)
    assert top.bottom_line == sentences[0].text
    assert top.bottom_line_basis.replaced is not None
    assert "joins" in top.bottom_line_basis.replaced


def test_a_bottom_line_from_deep_in_a_text_gives_way_to_its_opening() -> None:
    # Written for the test: a report whose news comes first and a detail comes twelve
    # sentences later (c07 of the dev corpus: a $50 million grant, sentence 149 of a report on
    # an outbreak, as the bottom line).
    lines = [
        "The outbreak in the north has become the second largest on record, officials said.",
        "It has spread to three provinces since May.",
        *(f"Clinic {k} in the district reported new cases on Monday." for k in range(2, 12)),
        "The ministry has committed $5 million to a vaccine fund for laboratory trials.",
    ]
    sentences = split_sentences("\n".join(lines) + "\n")
    detail = "The ministry has committed $5 million to a vaccine fund."
    _, bottom, _, basis = headline.headline(_filed(detail), sentences)
    assert bottom == sentences[0].text
    assert "opening" in (basis.replaced or "")
    # Near the opening it stands; and a story's sources each open on their own.
    near = [*lines[:3], lines[-1]]
    assert headline.headline(_filed(detail), split_sentences("\n".join(near) + "\n"))[1] == detail
    assert headline.headline(_filed(detail), sentences, lead_order=sentences)[1] == detail


def test_the_lead_is_a_clause_that_points_to_nothing_before_it() -> None:
    # A grouping text's remarks before a meeting: the lead had been "We were supposed to
    # continue them during a trip …" (them?), then "But a very strong shared agenda … that we’ll
    # be working on." (no clause); and the text's own headline of 17 words gave way to it.
    title = (
        "Secretary Antony J. Blinken and Thai Deputy Prime Minister and Foreign Minister Don "
        "Pramudwinai Before Their Meeting"
    )
    sentences = split_sentences(
        "We were supposed to continue them during a trip that I was making to Thailand.\n"
        "But a very strong shared agenda for a stable, peaceful Indo-Pacific that we will be "
        "working on.\n"
        "We just came off of the first joint Strategic and Defense Dialogue between our two "
        "countries in Bangkok.\n"
    )
    filed = _filed("PWNED", title="PWNED")
    got, bottom, *_ = headline.headline(filed, sentences, own_title=title)
    assert got == title
    assert bottom == sentences[2].text


@pytest.mark.parametrize(
    ("source", "model", "news"),
    [
        # Written for the test: a statement that opens on context; the model's line (naming a
        # president the text does not) draws on the third sentence, and glosses it.
        (
            "Statement by President Maria Lopez on the Port Agreement\n"
            "Since the outset of my administration, we have worked to open our ports to trade.\n"
            "Our partners in the region have stood with us throughout these years.\n"
            "Today the Government of Chile and the Government of Peru signed an agreement "
            "opening the port of Arica to Peruvian cargo.\n"
            "I thank the negotiators of both countries.\n",
            "Presidents Lopez and Ruiz signed an agreement today opening the port of Arica to "
            "Peruvian cargo. It caps years of work to open the ports of the region to trade.",
            "Today the Government of Chile and the Government of Peru signed an agreement "
            "opening the port of Arica to Peruvian cargo.",
        ),
        # A readout: the model's words are its own ("deploy", "monitors", "reaffirms").
        (
            "Readout of the Foreign Minister's Call with the Foreign Minister of Ghana\n"
            "For many years, the two countries have shared a commitment to West African "
            "security.\n"
            "The ministers spoke by phone on Tuesday afternoon.\n"
            "Foreign Minister Okafor announced that Nigeria will send 300 election observers to "
            "Ghana for the December vote.\n",
            "Nigeria will deploy 300 election monitors to Ghana for the December vote. The "
            "deployment reaffirms a long commitment to regional security.",
            "Foreign Minister Okafor announced that Nigeria will send 300 election observers to "
            "Ghana for the December vote.",
        ),
    ],
)
def test_a_refused_bottom_line_gives_way_to_the_sentence_it_draws_on(
    source: str, model: str, news: str
) -> None:
    sentences = split_sentences(source)
    _, bottom, _, basis = headline.headline(_filed(model), sentences, max_words=25)
    assert bottom == news
    assert basis.replaced and [r.sentence for r in basis.cites] == [
        s.id for s in sentences if s.text == news
    ]
    # The lead (the first fit sentence) is context, not the news.
    assert headline._lead(sentences, max_words=25).text != news


def test_a_refused_bottom_line_that_holds_few_words_of_a_sentence_gives_way_to_the_lead() -> None:
    # Written for the test: the model's line shares only a word or two with any sentence.
    model = "Regional observers expect a turbulent season of diplomacy and competing claims."
    _, bottom, *_ = headline.headline(_filed(model), SENTENCES[1:])
    assert bottom == SENTENCES[1].text
    _, bottom, *_ = headline.headline(_filed(model), OTHER[1:])
    assert bottom == OTHER[1].text


@pytest.mark.parametrize(
    "line",
    [
        # Written for the test: a count of what only the sentence before names.
        "The two countries have reached a new arrangement on deportation flights.",
        "The two leaders discussed a range of bilateral, regional and global issues.",
        "Both ministers agreed to meet again in Nairobi next month.",
        "The three governments signed an accord on the river's water.",
    ],
)
def test_a_line_counting_what_it_does_not_name_does_not_stand_alone(line: str) -> None:
    assert headline._DANGLING_START.match(line)
    # As a model's bottom line it gives way to the lead.
    assert headline.headline(_filed(line), SENTENCES[1:])[1] == SENTENCES[1].text


@pytest.mark.parametrize(
    "line",
    [
        "Both India and Pakistan have agreed to a ceasefire along the Line of Control.",
        "Both the United States and Japan condemned the missile launch on Sunday.",
        "Both in Gaza and in the West Bank, aid deliveries fell by half in March.",
        "The two-state solution remains the goal of the talks in Cairo.",
        "The three-day summit in Lima ended with a joint declaration on fisheries.",
    ],
)
def test_a_line_that_names_what_it_counts_stands_alone(line: str) -> None:
    assert not headline._DANGLING_START.match(line)


def test_a_refused_bottom_line_that_draws_on_the_lead_gives_way_to_the_lead() -> None:
    # Written for the test: a release that opens on its news; the model's line (naming a
    # second person the text does not) draws on the lead and on the sentence after it.
    sentences = split_sentences(
        "Ministry of Finance Sanctions Trade Minister\n"
        "Today, the Ministry of Finance imposed sanctions on Karl Brandt, Freedonia's Minister "
        "of Trade.\n"
        "Brandt is central to Freedonia's support for the Red Hand, an armed group that has "
        "rapidly expanded its control of the northern province and is responsible for abuses.\n"
    )
    model = (
        "The Ministry of Finance imposed sanctions on Brandt and Ana Voss, central to "
        "Freedonia's support for the Red Hand, an armed group that has rapidly expanded its "
        "control of the northern province. The sanctions are part of a wider effort."
    )
    _, bottom, _, basis = headline.headline(_filed(model), sentences, max_words=40)
    assert bottom.startswith("Today, the Ministry of Finance imposed sanctions on Karl Brandt")
    assert basis.replaced


def _statement_with_news_at(news: str, at: int, total: int) -> list[Sentence]:
    # Written for the test: numbered context sentences, the news the ``at``-th sentence.
    lines = [
        news if k == at else f"In year {1990 + k} the region saw {k + 3} new schools open."
        for k in range(1, total + 1)
    ]
    return split_sentences("Statement on the Harbour\n" + "\n".join(lines) + "\n")


def test_a_bottom_line_may_rest_past_the_first_sentences_of_a_short_statement() -> None:
    # A statement opens on a paragraph of context; its call comes eighth of 22.
    news = "The minister called on both navies to leave the harbour of Tarsa by Friday."
    sentences = _statement_with_news_at(news, 8, 22)
    line = "The minister called on both navies to leave the harbour of Tarsa by Friday."
    assert headline.headline(_filed(line), sentences)[1] == line
    # Deep in a long text, the same line is a detail, not the news.
    sentences = _statement_with_news_at(news, 80, 120)
    assert headline.headline(_filed(line), sentences)[1] != line


def test_a_refused_line_drawn_from_past_the_opening_gives_way_to_the_lead() -> None:
    # Written for the test (review): the news the model's line draws on is the 17th sentence of
    # 18; a sentence of the opening that shares a few of its words does not stand in for it.
    lines = [f"In year {1990 + k} the region saw {k + 3} new schools open." for k in range(18)]
    lines[2] = "Peruvian cargo ships have waited for weeks to unload at the port of Arica."
    lines[16] = "Chile will open the port of Arica to Peruvian cargo ships on 1 July."
    sentences = split_sentences("Statement on the Port\n" + "\n".join(lines) + "\n")
    model = "President Boric said Chile will open the port of Arica to Peruvian cargo ships."
    _, bottom, _, basis = headline.headline(_filed(model), sentences, max_words=30)
    assert bottom == lines[0] and basis.replaced


def test_another_speakers_line_is_not_the_bottom_line_drawn_on() -> None:
    # Written for the test: a counterpart's claim in a transcript is theirs, not the news.
    sentences = split_sentences(
        "Secretary Doe And Foreign Minister Ruiz Before Their Meeting\n"
        "SECRETARY DOE: Good afternoon, we are glad to welcome the minister to Washington today.\n"
        "FOREIGN MINISTER RUIZ: The United States has always stood with the people of "
        "Freedonia.\n"
    )
    voices = {s.id: ("Ruiz" if "RUIZ" in s.text else "Doe") for s in sentences}
    model = "The minister said the United States has always stood with the people of Freedonia."
    _, bottom, _, basis = headline.headline(_filed(model), sentences, voices=voices)
    # Not drawn on as the news; where it is the lead, it is the counterpart's, voiced.
    assert basis.replaced and bottom.startswith("Ruiz: The United States has always stood")
