"""Shorter statements: a sentence cut where its main clause ends, verified like any other."""

from __future__ import annotations

import pytest

from briefer.brief import model_answer, selection
from briefer.brief.shorten import main_clause, shorter_forms
from briefer.check.verify import check_statement
from briefer.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "head"),
    [
        (
            "She highlighted that US Secretary of State Marco Rubio has been in direct "
            "communication with leaders from both India and Pakistan, emphasising the need for "
            "immediate de-escalation and expressing the US President’s personal interest.",
            "She highlighted that US Secretary of State Marco Rubio has been in direct "
            "communication with leaders from both India and Pakistan.",
        ),
        # Written for the test: another speaker, another region, the same gloss of two
        # participles after the main clause.
        (
            "The foreign minister said that Japan has held talks with officials from both Seoul "
            "and Beijing, stressing the need for calm and voicing concern over the missile tests.",
            "The foreign minister said that Japan has held talks with officials from both Seoul "
            "and Beijing.",
        ),
    ],
)
def test_a_gloss_after_the_main_clause_is_cut(text: str, head: str) -> None:
    assert shorter_forms(text) == [head]


def test_a_participle_inside_the_main_clause_is_no_gloss() -> None:
    # Not after the main clause: the participle clause sits between subject and verb.
    assert (
        shorter_forms(
            "Officials said the fund, ensuring payment of salaries, would run until June."
        )
        == []
    )


@pytest.mark.parametrize(
    ("text", "head"),
    [
        (
            "Leavitt noted, “The President wants to see this de-escalate as quickly as possible,” "
            "adding that both Secretary Rubio and the National Security Adviser have been "
            "involved.",
            "Leavitt noted, “The President wants to see this de-escalate as quickly as possible”.",
        ),
        # Written for the test: another speaker and quotation.
        (
            "Guterres said, “The world cannot afford another year of conflict in this region,” "
            "adding that the Secretary-General had spoken to both leaders.",
            "Guterres said, “The world cannot afford another year of conflict in this region”.",
        ),
    ],
)
def test_a_quotation_keeps_its_words_and_closing_mark(text: str, head: str) -> None:
    short = shorter_forms(text)
    assert short == [head]
    # The quoted words are the source's own, so the verifier finds the quote.
    assert check_statement(short[0], split_sentences(text), text).status == "supported"


def test_no_cut_inside_a_quote_an_open_clause_or_before_a_short_head() -> None:
    assert (
        shorter_forms(
            "The attack, which resulted in the deaths of 27 people, including mostly tourists, was "
            "claimed by The Resistance Front."
        )
        == []
    )
    assert (
        shorter_forms(
            "He said “we will keep pressing, which is what the region needs, until it ends” "
            "on Monday."
        )
        == []
    )
    # The head would be four words, and the tail of "…, saying so." is too short to cut.
    assert shorter_forms("The talks ended, saying that nothing was agreed by either side.") == []
    assert shorter_forms("The ministers met in Geneva on Monday for talks, saying so.") == []
    # Written for the test: a relative clause still open, a quote still open.
    assert shorter_forms("The delegation, which included six ministers, arrived in Nairobi.") == []
    assert (
        shorter_forms(
            "He said “we will not stop, which is what our people expect, until the border is "
            "secure” on Friday."
        )
        == []
    )


def test_no_cut_at_a_dash_that_closes_an_aside() -> None:
    # The head would be "Through diplomacy – in coordination with our Allies and regional
    # partners.": no verb of its own. A dash after a closed aside is a place to cut.
    text = (
        "Biden: Through diplomacy – in coordination with our Allies and regional partners – we "
        "have developed a proposal to secure a mutual return to full implementation of the deal."
    )
    assert shorter_forms(text) == []
    closed = (
        "Kirby: Our vote does not — and I repeat that — does not represent a shift in our policy "
        "— which has been the same since the start of this conflict."
    )
    assert shorter_forms(closed) == [
        "Kirby: Our vote does not — and I repeat that — does not represent a shift in our policy."
    ]
    # Written for the test: the same two shapes in other words.
    assert (
        shorter_forms(
            "Macron: Through negotiation – together with our European partners and the United "
            "Nations – we have drafted a plan to restore full access for inspectors to the sites."
        )
        == []
    )
    assert shorter_forms(
        "Spokesperson: Our decision does not — and let me be clear about this — does not change "
        "our position on the talks — which has been consistent since the war began."
    ) == [
        "Spokesperson: Our decision does not — and let me be clear about this — does not change "
        "our position on the talks."
    ]
    # An aside opened by a dash with no space after it (10's "a “road map” —-drawn up by Nuuk
    # and Copenhagen — for an independent Greenland"; written for the test too): still open.
    for text in (
        'A 2009 law called the Act on Greenland Self-Government outlines a "road map" —-drawn up '
        "by Nuuk and Copenhagen — for an independent Greenland, which requires a referendum.",
        "The 2019 accord between the two provinces sets out a timetable —agreed by both "
        "assemblies — for a single customs union, which needs a vote in each of them.",
    ):
        cuts = shorter_forms(text)
        assert not any(form.endswith(("Copenhagen.", "assemblies.")) for form in cuts)
    # Nor is a sentence cut at a dash that opens an aside a later dash closes: what follows
    # the aside goes with it (10's "… — in exchange for economic aid"; and one written for it).
    for text in (
        "The compacts give the United States military access to three strategic Pacific Islands "
        "— the Republic of the Marshall Islands, the Federated States of Micronesia, and the "
        "Republic of Palau — in exchange for economic aid.",
        "The treaty lets the navy use four deep-water ports on the southern coast of the island "
        "— Port Amel, Sarin and two smaller harbours — only in time of war.",
        # nor at a comma inside the aside
        "The compacts give the United States military access to three strategic Pacific Islands "
        "— the Marshall Islands, which lie north of the equator, and Palau — in exchange for "
        "economic aid.",
    ):
        assert shorter_forms(text) == []
    # An aside that runs to the end, a pair of dashes inside it: cut before it.
    assert shorter_forms(
        "The ministry lifted the curfew in the capital and the two northern provinces on Monday "
        "— a move that the army—long opposed to it—had resisted for years."
    ) == ["The ministry lifted the curfew in the capital and the two northern provinces on Monday."]


def test_a_speakers_label_is_no_part_of_the_head() -> None:
    # Eleven words of clause: one short of what a head before a dash needs, with or without
    # the label in front.
    bare = (
        "We have pressed for peace across the region and in Sudan — and that effort "
        "will continue for as long as it takes."
    )
    assert shorter_forms(bare) == []
    assert shorter_forms("Biden: " + bare) == []


def test_a_second_verb_needs_a_longer_head() -> None:
    # The fact is the second verb: the head alone would keep the promise and lose the act.
    assert (
        shorter_forms(
            "In 2021, the Biden administration fulfilled a campaign promise and suspended the "
            "agreement that let the US deport asylum seekers."
        )
        == []
    )
    assert (
        shorter_forms(
            "Last month, the Kenyan government honoured a pledge to donors and reopened the camps "
            "that had been closed since the drought."
        )
        == []
    )
    assert shorter_forms(
        "He also urged Pakistan to take “concrete steps” against terrorist organisations "
        "operating from its territory and stressed the need for restraint between both sides."
    ) == [
        "He also urged Pakistan to take “concrete steps” against terrorist organisations "
        "operating from its territory."
    ]


def sentences_of(*texts: str) -> list:
    return split_sentences(" ".join(texts))


def test_a_tight_budget_takes_the_main_clause_and_room_for_another_fact() -> None:
    sentences = sentences_of(
        "Rubio spoke with Pakistani Prime Minister Shehbaz Sharif on Tuesday, emphasising the "
        "need for calm and expressing the hope that tensions would ease soon enough.",
        "India expelled two Pakistani diplomats from New Delhi on Wednesday.",
    )
    filed = model_answer.Filed(
        title="t", bottom_line="b", sections={1: "us_position", 2: "ground_situation"}
    )
    # 24 words: the whole first sentence (26) does not fit beside the second (10); its main
    # clause (11) does.
    picks = selection.select(filed, sentences, 24)
    assert [p.sentence.id for p in picks] == [1, 2]
    assert picks[0].text == ("Rubio spoke with Pakistani Prime Minister Shehbaz Sharif on Tuesday.")
    # With room, a sentence is printed whole when its whole form ranks higher.
    roomy = selection.select(filed, sentences, 500)
    assert all(p.text.rstrip(".") in " ".join(s.text for s in sentences) for p in roomy)


@pytest.mark.parametrize(
    ("text", "head"),
    [
        (
            "Pakistan has forcibly repatriated more than 825,000 undocumented Afghans since 2023, "
            "including many families with children, the United Nations said on Monday.",
            "Pakistan has forcibly repatriated more than 825,000 undocumented Afghans since 2023.",
        ),
        # Written for the test: another country, another source named at the end.
        (
            "Turkey has deported more than 60,000 Syrians since January, including many families "
            "with young children, the interior ministry said on Friday.",
            "Turkey has deported more than 60,000 Syrians since January.",
        ),
    ],
)
def test_a_cut_that_drops_the_attribution_is_not_offered(text: str, head: str) -> None:
    assert shorter_forms(text) == [head]
    sentences = sentences_of(text)
    # The verifier would call the head partly supported: it drops who said it.
    assert check_statement(head, sentences, text).status == "partial"
    filed = model_answer.Filed(title="t", bottom_line="b", sections={1: "ground_situation"})
    assert selection.select(filed, sentences, len(head.split()) + 4) == []
    assert [p.text for p in selection.select(filed, sentences, 50)] == [text]


@pytest.mark.parametrize(
    "text",
    [
        "President Biden last year committed to the American people that, following the "
        "withdrawal of U.S. forces, the United States would continue to protect our country.",
        # Written for the test: "that," again leaves the head wanting its clause.
        "The minister told parliament on Thursday that, following the collapse of the ceasefire, "
        "the government would continue to supply the army.",
    ],
)
def test_no_cut_after_a_word_that_needs_more(text: str) -> None:
    assert shorter_forms(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "A Danish policy brief in 2022 pointed out that the compact has created economic "
        "dependence between the Marshall Islands and the United States, as U.S. donor money "
        "makes up 70% of the Marshall Islands’ total GDP.",
        # Written for the test: another pact, the number again only in the tail.
        "A 2021 World Bank study found that the Falepili Union has tied the economies of Tuvalu "
        "and Australia closely together, as Australian aid money accounts for 40% of Tuvalu’s "
        "annual budget.",
    ],
)
def test_a_cut_never_drops_a_number(text: str) -> None:
    assert shorter_forms(text)  # the cut exists, at ", as"
    filed = model_answer.Filed(title="t", bottom_line="b", sections={1: "background"})
    # Where only the head would fit, nothing is taken rather than the fact without its number.
    assert selection.select(filed, sentences_of(text), len(text.split()) - 1) == []
    assert [p.text for p in selection.select(filed, sentences_of(text), 50)] == [text]


def test_a_relative_clause_closed_by_the_main_verb_leaves_a_head_that_stands() -> None:
    # The "which" clause ends where "was claimed" begins: the head has its verb.
    text = (
        "The attack, which resulted in the deaths of 27 people, including mostly tourists, was "
        "claimed by The Resistance Front, an offshoot of Lashkar-e-Taiba, and led to a series of "
        "retaliatory actions and military escalations between the two nuclear-armed neighbours."
    )
    assert shorter_forms(text) == [
        "The attack, which resulted in the deaths of 27 people, including mostly tourists, was "
        "claimed by The Resistance Front, an offshoot of Lashkar-e-Taiba."
    ]
    # Written for the test: another "which" clause closed by its main verb ("was stopped").
    assert shorter_forms(
        "The convoy, which carried food for 12,000 families, including many displaced children, "
        "was stopped by militia fighters near Goma, a city in eastern Congo, and forced to turn "
        "back toward Rwanda after two days."
    ) == [
        "The convoy, which carried food for 12,000 families, including many displaced children, "
        "was stopped by militia fighters near Goma, a city in eastern Congo."
    ]


def test_a_concessive_tail_is_cut() -> None:
    text = (
        "The US stands ready to facilitate dialogue and, if necessary, President Trump himself "
        "may intervene directly, though such a move would be announced if and when it occurs."
    )
    assert shorter_forms(text) == [
        "The US stands ready to facilitate dialogue and, if necessary, President Trump himself "
        "may intervene directly."
    ]
    # Written for the test: another actor, the same "…, though …" tail.
    assert shorter_forms(
        "The European Union is prepared to send monitors to the border and, if asked, its envoy "
        "may travel to Baku herself, though no date for such a trip has been set so far."
    ) == [
        "The European Union is prepared to send monitors to the border and, if asked, its envoy "
        "may travel to Baku herself."
    ]
    # A head too short to stand is not offered.
    assert shorter_forms("The talks were held in Doha, though no agreement was reached.") == []


def test_a_participle_gloss_is_a_place_to_cut() -> None:
    text = (
        "Today, President Donald J. Trump signed an Executive Order declaring a national "
        "emergency to safeguard Venezuelan oil revenue held in U.S. Treasury accounts, ensuring "
        "these funds are preserved to advance U.S. foreign policy objectives."
    )
    assert shorter_forms(text)[0].endswith("held in U.S. Treasury accounts.")
    # Written for the test: another government's order, the same "…, ensuring …" gloss.
    assert shorter_forms(
        "On Monday, Prime Minister Anthony Albanese announced a new package of sanctions "
        "targeting Russian banks operating in Australian markets, ensuring that these assets are "
        "frozen until the war ends."
    ) == [
        "On Monday, Prime Minister Anthony Albanese announced a new package of sanctions "
        "targeting Russian banks operating in Australian markets."
    ]


def test_a_list_of_what_a_number_comprises_is_a_place_to_cut() -> None:
    text = (
        "The targeted population encompasses over 2.5 million Afghans nationwide, comprising "
        "lawful refugees, documented economic migrants, and those without legal status."
    )
    assert shorter_forms(text) == [
        "The targeted population encompasses over 2.5 million Afghans nationwide."
    ]
    # Written for the test: another number and another list of what it comprises.
    assert shorter_forms(
        "The relief effort reaches more than 1.2 million Sudanese across the region, comprising "
        "returning refugees, internally displaced families, and host communities."
    ) == ["The relief effort reaches more than 1.2 million Sudanese across the region."]


def test_an_appositive_that_ends_the_sentence_is_a_place_to_cut() -> None:
    text = (
        "The decision has stranded around 45,000 Afghans and at least 15,000 qualified refugees "
        "in Pakistan, according to #AfghanEvac, a coalition that assists Afghans with their "
        "relocation and resettlement in the U.S."
    )
    assert shorter_forms(text) == [
        "The decision has stranded around 45,000 Afghans and at least 15,000 qualified refugees "
        "in Pakistan, according to #AfghanEvac."
    ]
    # Written for the test: another group named by an appositive at the end.
    assert shorter_forms(
        "The strike killed at least 14 civilians in the village, according to Airwars, a "
        "monitoring group that tracks civilian casualties from air strikes."
    ) == ["The strike killed at least 14 civilians in the village, according to Airwars."]
    # One in the middle of the sentence is not: its verb follows ("…, a former official, said").
    assert shorter_forms(
        "The plan was welcomed on Monday by Alexander Gray, a former official of the council, "
        "who said it would work."
    ) == ["The plan was welcomed on Monday by Alexander Gray, a former official of the council."]


@pytest.mark.parametrize(
    "sentence",
    [
        # Written for the test: a cut inside brackets would leave them open.
        "The ministers agreed on a ceasefire. (A joint statement added the words "
        '"without conditions," which the other side did not repeat.)',
        "Exports rose by 12% in May (the statistics office, which publishes the figures "
        "monthly, revised April's number down).",
    ],
)
def test_a_cut_never_leaves_a_bracket_open(sentence: str) -> None:
    for form in shorter_forms(sentence):
        assert form.count("(") == form.count(")"), form


@pytest.mark.parametrize(
    ("sentence", "forms"),
    [
        # w01 of the dev corpus: the cut at the relative clause left "… skeptical that the two
        # leaders." with the verb of the leaders ("will be able to reach") gone.
        (
            "Analysts, however, are skeptical that the two leaders, who are both politically "
            "weakened at home, will be able to reach an agreement by the deadline.",
            [],
        ),
        # Written for the test: the same, after "whether" and a name.
        (
            "Diplomats in the region now doubt whether Prime Minister Alvarez, who lost his "
            "majority in the spring elections, can hold the coalition together.",
            [],
        ),
        # A "that" clause with its verb before the cut stays a short form ("were", "remain",
        # "this is"), and so does a "that" that points ("that Senate bill").
        (
            "The minister said that the talks were over for this year, adding that the next "
            "round would begin in the capital in March.",
            ["The minister said that the talks were over for this year."],
        ),
        (
            "The ministry said on Tuesday that the sanctions remain in force, adding that no "
            "exemption had been asked for by the importers.",
            ["The ministry said on Tuesday that the sanctions remain in force."],
        ),
        (
            "The spokesman repeated that this is not a change of policy, noting that the "
            "council had voted the same way twice before.",
            ["The spokesman repeated that this is not a change of policy."],
        ),
        (
            "The governor rejected that Senate bill on Friday, which would have cut the "
            "state's school budget by a tenth.",
            ["The governor rejected that Senate bill on Friday."],
        ),
        (
            "Officials rejected that plan as too costly for the ministry, which had asked for "
            "a smaller version to be drawn up within weeks.",
            ["Officials rejected that plan as too costly for the ministry."],
        ),
    ],
)
def test_a_cut_never_ends_a_that_clause_before_its_verb(sentence: str, forms: list[str]) -> None:
    assert shorter_forms(sentence) == forms


@pytest.mark.parametrize(
    ("sentence", "forms"),
    [
        # c07 of the dev corpus: the cut at "and concentrated" left "First reported in May
        # 2026, the current Ebola disease outbreak, caused by Bundibugyo virus." (no verb).
        (
            "First reported in May 2026, the current Ebola disease outbreak, caused by "
            "Bundibugyo virus and concentrated in northeastern Democratic Republic of Congo "
            "(DRC), has rapidly become the second-largest Ebola outbreak on record.",
            [],
        ),
        # Written for the test: the same after a subject alone.
        (
            "The rebel coalition in the eastern provinces, led by a former army colonel from "
            "the capital and financed by mining revenue, has taken three more towns this week.",
            [],
        ),
        # A participle closed by a comma, or after the main verb, leaves a head that stands.
        (
            "The M23 rebel group, backed by neighboring Rwanda, controls sizable territory in "
            "North Kivu, including the area's two largest cities, Goma and Bukavu.",
            [
                "The M23 rebel group, backed by neighboring Rwanda, controls sizable territory in "
                "North Kivu."
            ],
        ),
        (
            "The ministers supported the regional initiatives, initiated by North Macedonia and "
            "welcomed by its neighbours, which the summit endorsed in full last spring.",
            [
                "The ministers supported the regional initiatives, initiated by North "
                "Macedonia and welcomed by its neighbours."
            ],
        ),
    ],
)
def test_a_cut_never_ends_inside_a_participle_before_the_main_verb(
    sentence: str, forms: list[str]
) -> None:
    assert shorter_forms(sentence) == forms


@pytest.mark.parametrize(
    "sentence",
    [
        # A grouping text's OSCE statement: the cut at ", including" and the bottom line's at
        # ", as" dropped "as appropriate".
        "The expert mission will prepare a new report that will be shared with all OSCE "
        "participating States and relevant accountability mechanisms, including national, "
        "regional, and international courts and tribunals, as appropriate.",
        # Written for the test.
        "The ministry will release the reserve stocks to the northern provinces, starting "
        "with the three hardest hit by the drought, unless the rains return by March.",
    ],
)
def test_a_cut_never_drops_a_condition(sentence: str) -> None:
    assert shorter_forms(sentence) == []
    assert main_clause(sentence, 30, 8) == ""
