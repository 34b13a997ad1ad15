"""Section cues (no model) and coverage ranking."""

from __future__ import annotations

import pytest

from briefer.brief.ranking import choose, cosine, tfidf
from briefer.text.cues import (
    DocumentCues,
    author,
    document_cues,
    earlier,
    fuse,
    future,
    standing_position,
    us_actor,
    us_names,
    us_subject,
    voiced,
)
from briefer.text.sentences import split_sentences
from briefer.text.turns import asked, non_answer, speakers, vocatives

NEWS = DocumentCues(us_voice=False, latest_year=2025)
WHITE_HOUSE = DocumentCues(us_voice=True, latest_year=2024)
FACT_SHEET = DocumentCues(us_voice=True, latest_year=2026)
US_NAMES = DocumentCues(us_voice=False, latest_year=2025, us_names=frozenset({"Leavitt"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The United States stands with the Sudanese people.", True),
        ("U.S. President Donald Trump halted refugee applications.", True),
        ("Secretary of State Marco Rubio called both leaders.", True),
        ("The White House urged restraint.", True),
        ("Washington imposed new sanctions.", True),
        ("Pakistan expelled Indian diplomats.", False),
        ("The Washington Post reported the figures.", False),
        ("Russia used its veto.", False),
        ("President Joseph R. Biden, Jr. spoke today with President Xi Jinping.", True),
        ("Vice President Harris will welcome President Arévalo.", True),
    ],
)
def test_us_actor(text: str, expected: bool) -> None:
    assert us_actor(text) is expected


def test_us_subject_is_near_the_start() -> None:
    assert us_subject("The US State Department echoed this stance.")
    assert not us_subject(
        "Pakistan has warned that thousands of Afghans awaiting resettlement in the United States "
        "will be deported."
    )
    # Written for the test: another US office near the start; another country's warning.
    assert us_subject("The U.S. Treasury Department announced this move.")
    assert not us_subject("The British Foreign Office echoed this position.")
    assert not us_subject(
        "Kenya has warned that refugees waiting for resettlement in the United States will be "
        "sent home."
    )


def test_a_us_actor_in_an_aside_is_not_the_subject() -> None:
    assert not us_subject(
        "President Arévalo, after talks with Rubio, said the two countries will set up groups."
    )
    assert not us_subject("Jackson Soram, ambassador to the United States, told VOA.")
    # Written for the test: the same asides in other words.
    assert not us_subject(
        "Prime Minister Modi, after a call with Biden, said the two nations would deepen ties."
    )
    assert not us_subject("Oksana Markarova, Ukraine's ambassador to the United States, told us.")
    # An opening phrase or adverb before the comma is no subject.
    assert us_subject("Speaking in Guatemala City, Secretary Rubio cautioned against debt traps.")
    assert us_subject("Finally, Department of the Treasury is also imposing sanctions today.")
    assert us_subject("Today, President Donald J. Trump signed an Executive Order.")
    assert us_subject("Speaking in Manila, Secretary Austin warned against coercion.")
    assert us_subject("Today, the Department of State is announcing new visa restrictions.")


def test_a_foreign_envoy_to_the_us_named_after_the_post_is_not_the_subject() -> None:
    assert not us_subject(
        "Ukraine's ambassador to the United States, Oksana Markarova, told reporters."
    )


def test_a_us_actor_in_an_opening_subordinate_clause_is_not_the_subject() -> None:
    assert not us_subject(
        "Since the United States delivered justice to bin Laden 11 years ago, Zawahiri has been "
        "a leader of al Qaeda."
    )
    assert not us_subject("After talks with Secretary Rubio, Guatemala agreed to more flights.")
    # Written for the test: the same shapes in other words.
    assert not us_subject(
        "Before the United States lifted sanctions on Venezuela in 2023, Maduro had refused to "
        "hold talks."
    )
    assert not us_subject("After meeting Secretary Blinken, Egypt agreed to open the crossing.")
    # The main clause decides: here it is the US again.
    assert us_subject("After the talks in Doha, the United States announced new aid.")
    assert us_subject("After the summit in Vilnius, the United States pledged more air defence.")


def test_a_former_official_or_a_reported_view_is_not_the_us_speaking() -> None:
    # Who once held a US office speaks for himself.
    assert not us_subject("Alexander Gray, a former National Security Council chief, told VOA.")
    assert not us_subject("A former U.S. ambassador criticised the plan.")
    assert us_subject("The U.S. ambassador criticised the plan.")
    # The US in a clause someone else reports: "Gray told VOA that the U.S. … should".
    assert not us_subject("Gray told VOA that the U.S. and Denmark should hold talks.")
    assert us_subject("The U.S. told Denmark it should hold talks.")
    # Written for the test: another former official, another reported view.
    assert not us_subject("John Bolton, a former national security adviser, told reporters.")
    assert not us_subject("A former U.S. envoy praised the deal.")
    assert us_subject("The U.S. envoy praised the deal.")
    assert not us_subject("Bolton said that the U.S. and Japan should expand drills.")
    assert us_subject("The U.S. told Japan it should expand drills.")


def test_the_state_now_is_not_background() -> None:
    now = "Nearly 10 million people have been displaced by this conflict."
    assert fuse("background", now, NEWS) == "ground_situation"
    assert fuse("background", "Famine has taken hold in Darfur.", NEWS) == "ground_situation"
    # With an earlier time, or in the past tense, the model's Background stands.
    since = "Since 2023, Pakistan has repatriated 825,000 Afghans."
    assert fuse("background", since, NEWS) == "background"
    assert fuse("background", "The war began in April.", NEWS) == "background"
    # Written for the test: other places, other numbers, the same tenses.
    hunger = "More than 3 million people are now facing acute hunger in Gaza."
    assert fuse("background", hunger, NEWS) == "ground_situation"
    assert fuse("background", "The death toll has risen to 300.", NEWS) == "ground_situation"
    assert fuse("background", "Cholera has taken hold in Yemen.", NEWS) == "ground_situation"
    turkey = "Since 2022, Turkey has deported 60,000 Syrians."
    assert fuse("background", turkey, NEWS) == "background"
    assert fuse("background", "The fighting began in October.", NEWS) == "background"


@pytest.mark.parametrize(
    "now",
    [
        "Famine has spread across Darfur.",
        "The number of displaced people has grown to 12 million.",
        "Cholera is spreading across Yemen.",
    ],
)
def test_the_state_now_in_an_irregular_or_progressive_verb_is_not_background(now: str) -> None:
    assert fuse("background", now, NEWS) == "ground_situation"


def test_a_noun_or_a_plan_after_have_or_is_is_not_the_state_now() -> None:
    # Written for the test: "have" with a noun ending in -en, a progressive that tells a plan.
    assert fuse("background", "Many families have children in the camps.", NEWS) == "background"
    assert fuse("background", "The envoy is meeting rebels next week.", NEWS) == "background"


def test_the_event_the_lead_says_set_off_the_news_is_background() -> None:
    lead = (
        "The White House urged de-escalation following a sharp rise in hostilities triggered by "
        "the April 22 Pahalgam terror attack in Jammu and Kashmir."
    )
    cues = document_cues("India and Pakistan", lead + "\nThe attack was claimed by TRF.")
    assert cues.triggers == frozenset({"attack"})
    assert fuse("ground_situation", "The attack, which killed 27, was claimed by TRF.", cues) == (
        "background"
    )
    # Another attack, or a lead that names no cause: no change.
    assert fuse("ground_situation", "Shelling hit Poonch overnight.", cues) == "ground_situation"
    plain = document_cues("t", "India struck nine sites on Wednesday.\nThe attack killed 31.")
    assert fuse("ground_situation", "The attack killed 31.", plain) == "ground_situation"
    # Written for the test: another event, another verb ("sparked by").
    lead = (
        "The government declared a state of emergency following a surge in violence sparked by "
        "the March 3 bombing of a market in Quetta."
    )
    cues = document_cues("Pakistan emergency", lead + "\nThe bombing was claimed by the BLA.")
    assert cues.triggers == frozenset({"bombing"})
    claimed = "The bombing, which killed 40, was claimed by the BLA."
    assert fuse("ground_situation", claimed, cues) == "background"
    assert fuse("ground_situation", "Troops patrolled Quetta overnight.", cues) == (
        "ground_situation"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rubio is set to meet President Abinader in Santo Domingo.", True),
        ("The deadline for processing the cases is March 31.", True),
        ("A second round is planned for June.", True),
        ("Talks will resume next week.", True),
        ("President Trump may intervene directly.", True),
        ("The talks were held in May.", False),  # the month, not the modal
        ("Loss of control would empower malign actors.", False),  # counterfactual: weak only
        ("It stranded 45,000 Afghans prepared to fly out.", False),  # an adjective, not a plan
        ("Islamabad is prepared to negotiate.", True),
    ],
)
def test_future(text: str, expected: bool) -> None:
    assert future(text) is expected


def test_weak_future_includes_modals() -> None:
    assert future("Loss of control would empower malign actors.", strong=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2004, the United States, Greenland and Denmark signed the Igaliku Agreement.", True),
        ("Last month, Trump halted refugee applications.", True),
        ("For over 17 long months, the Sudanese people have endured a war.", True),
        ("India launched missile strikes on Wednesday.", False),
        ("The repatriations began in 2023.", True),  # earlier than the text's latest year
        ("The deadline is in 2025.", False),
    ],
)
def test_earlier(text: str, expected: bool) -> None:
    assert earlier(text, NEWS) is expected


def test_document_cues() -> None:
    cues = document_cues("Statement from President Joe Biden on Sudan", "For 17 months… in 2024.")
    assert cues.us_voice and cues.latest_year == 2024
    assert not document_cues("Pakistan threatens to deport Afghans", "ISLAMABAD — …").us_voice
    # A US office-holder named in the title speaks for the US: "we" is the United States.
    npt = document_cues(
        "President Biden Statement Ahead of the 10th Review Conference of the NPT",
        "Today, the United States renews its commitment. My Administration is ready to act.",
    )
    assert npt.us_voice and npt.speaker == "Biden"
    assert document_cues(
        "Remarks by President Biden on a Successful Counterterrorism Operation",
        "My fellow Americans: the United States conducted a strike.",
    ).us_voice
    # A foreign president's statement that never names the United States is not.
    assert not document_cues(
        "President Zelenskyy Statement on the Grain Deal", "Our ports are open again."
    ).us_voice
    # The publication date counts among the text's years: "in 2023" is then earlier time.
    assert document_cues("t", "A crackdown began in 2023.", "2025-02-23").latest_year == 2025


def test_us_names_are_those_given_a_us_title() -> None:
    text = (
        "White House Press Secretary Karoline Leavitt affirmed the US is engaged. "
        "State Department spokesperson Tammy Bruce said so too. "
        "U.S. Central Command chief told lawmakers about it. "
        "Pakistani Prime Minister Shehbaz Sharif spoke with US Secretary of State Marco Rubio, "
        "who urged restraint.\n"
        "President Donald J. Trump Safeguards Venezuelan Oil Revenue"
    )
    assert us_names(text) == {"Leavitt", "Bruce", "Rubio"}
    # Written for the test: other offices, a foreign minister who is not named.
    text = (
        "Deputy Secretary of State Kurt Campbell met officials in Manila. Pentagon spokesman Pat "
        "Ryder said the drills would go ahead. Philippine Foreign Secretary Enrique Manalo "
        "welcomed U.S. Secretary of Defense Lloyd Austin, who pledged support.\n"
        "Vice President Kamala Harris Travels to Manila"
    )
    assert us_names(text) == {"Campbell", "Ryder", "Austin"}


def test_a_us_name_after_a_department_secretary_title() -> None:
    assert us_names("U.S. Defense Secretary Lloyd Austin pledged support.") == {"Austin"}


def test_a_title_case_title_line_gives_no_us_name() -> None:
    found = us_names("Secretary Blinken Announces New Aid for Sudan\nThe aid reaches Darfur.")
    assert "Aid" not in found


def test_a_title_naming_a_us_official_makes_his_lines_the_us_position() -> None:
    # a readout's title names the official with a possessive; the text names him by office
    for title, text, line in (
        (
            "Readout of National Security Advisor Jake Sullivan’s Call with Prime Minister Kurti",
            "Assistant to the President for National Security Affairs Jake Sullivan spoke today "
            "with Prime Minister Kurti. Mr. Sullivan conveyed condolences for the officer slain.",
            "Mr. Sullivan conveyed condolences for the officer slain.",
        ),
        (
            "Readout of Secretary of State Antony Blinken’s Meeting with Foreign Minister Wang",
            "The Secretary met Foreign Minister Wang Yi today. Blinken raised the detention of "
            "three American citizens.",
            "Blinken raised the detention of three American citizens.",
        ),
    ):
        doc = document_cues(title, text)
        assert line in text
        assert fuse("ground_situation", line, doc) == "us_position"


@pytest.mark.parametrize(
    ("label", "text", "doc", "expected"),
    [
        # The model's Ground Situation moved by wording.
        ("ground_situation", "The US State Department echoed this stance.", NEWS, "us_position"),
        ("ground_situation", "Rubio is set to meet Abinader on Thursday.", NEWS, "outlook"),
        ("ground_situation", "In 2019, Morales signed an asylum agreement.", NEWS, "background"),
        ("ground_situation", "India launched missile strikes.", NEWS, "ground_situation"),
        # US Position without a US actor: the other side's acts are Ground Situation…
        (
            "us_position",
            "The RSF has besieged El Fasher for months.",
            WHITE_HOUSE,
            "ground_situation",
        ),
        # …but "we" in a White House statement is the US.
        ("us_position", "We have pressed for peace.", WHITE_HOUSE, "us_position"),
        ("us_position", "We have pressed for peace.", NEWS, "ground_situation"),
        # A pronoun's actor is in the sentence before: the model's label stands.
        ("us_position", "He also urged Pakistan to take concrete steps.", NEWS, "us_position"),
        ("us_position", "During these calls, he urged restraint.", NEWS, "us_position"),
        # Never moved: other, and the model's own Outlook; a Background whose subject is a US
        # actor, in no earlier time, is read as a Ground Situation sentence would be.
        ("other", "The US will act next week.", NEWS, "other"),
        ("background", "The US will act next week.", NEWS, "us_position"),
        ("background", "Rebels will attack next week.", NEWS, "background"),
        ("outlook", "In 2019, talks failed.", NEWS, "outlook"),
        # An earlier year outweighs a US subject: history is Background, whoever acted.
        (
            "ground_situation",
            "In 2004, the United States and Denmark signed the Igaliku Agreement.",
            NEWS,
            "background",
        ),
        # A US actor only as an object ("a framework … with Washington") is no US position.
        (
            "us_position",
            "Greenland representatives declined to comment on a framework that Pacific Island "
            "nations have with Washington.",
            NEWS,
            "ground_situation",
        ),
        # A name the text gave a US title to is a US actor later on.
        ("us_position", "Leavitt noted that talks went on.", US_NAMES, "us_position"),
        ("us_position", "Leavitt noted that talks went on.", NEWS, "ground_situation"),
        # A US government text's own act: "The Order blocks …".
        (
            "ground_situation",
            "The Order affirms the funds are sovereign.",
            FACT_SHEET,
            "us_position",
        ),
        (
            "us_position",
            "- The Order blocks any attachment of the funds.",
            FACT_SHEET,
            "us_position",
        ),
        (
            "ground_situation",
            "The Order affirms the funds are sovereign.",
            NEWS,
            "ground_situation",
        ),
    ],
)
def test_fuse(label: str, text: str, doc: DocumentCues, expected: str) -> None:
    assert fuse(label, text, doc) == expected


SENTENCES = [
    "Floods cut off 40 villages in the northern province on Tuesday.",
    "Floods in the northern province cut off 40 villages, officials said.",  # a repeat
    "The US pledged $5 million in aid for the flooded province.",
    "More rain is expected in the province next week.",
    "A local football club postponed its match.",
]


def test_tfidf_cosine() -> None:
    vectors = tfidf(SENTENCES)
    assert cosine(vectors[0], vectors[1]) > 0.6 > cosine(vectors[0], vectors[4])


def test_choose_skips_a_repeat_and_seeds_each_section() -> None:
    sections = ["ground_situation", "ground_situation", "us_position", "outlook", "other"]
    ids = [1, 2, 3, 4, 5]
    picked = choose(ids, SENTENCES, sections, 40, words=lambda t: len(t.split()))
    assert 1 in picked and 2 not in picked  # a repeat is not taken, though it fits
    seeded = choose(
        ids, SENTENCES, sections, 20, words=lambda t: len(t.split()), seed_sections=["outlook"]
    )
    assert seeded[0] == 4  # the outlook's best candidate went first
    assert sum(len(SENTENCES[i - 1].split()) for i in seeded) <= 20


def test_a_seed_is_the_best_informative_candidate_of_its_section() -> None:
    # The early line without a name or number ranks first by position alone; the section's
    # seed is still the sentence with the facts, and the bare line is taken only after it.
    texts = [
        "Today, a violent history is repeating itself.",
        "The SAF and the RSF committed war crimes in Darfur.",
    ]

    def pick(informative: list[bool] | None) -> list[int]:
        return choose(
            [1, 2],
            texts,
            ["background"] * 2,
            10,
            words=lambda t: len(t.split()),
            seed_sections=["background"],
            informative=informative,
        )

    assert pick(None) == [1]  # all informative: the position prior decides
    assert pick([False, True]) == [2]
    # Written for the test: another bare opening line and another line of facts.
    texts[:] = ["Today, old fears are returning.", "Houthi forces fired 12 missiles at ships."]
    assert pick(None) == [1]
    assert pick([False, True]) == [2]


def test_choose_news_only_takes_what_adds_a_name_or_number() -> None:
    # Two sources on one story: the second source's line names nobody and gives no number the
    # first one did not, so it takes no room from one that does.
    texts = [
        "Guterres said 40 trucks entered Gaza on Monday.",
        "Guterres confirmed Monday that Gaza received 40 trucks.",
        "Egypt said the Rafah crossing would reopen on Friday.",
    ]
    facts = [frozenset({"guterres", "40", "gaza", "monday"})] * 2 + [
        frozenset({"egypt", "rafah", "friday"})
    ]
    sections = ["ground_situation"] * 3

    def pick(
        facts: list[frozenset[str]] | None = None, known: frozenset[str] = frozenset()
    ) -> list[int]:
        words = lambda t: len(t.split())  # noqa: E731
        return choose([1, 2, 3], texts, sections, 17, words=words, facts=facts, known=known)

    assert pick() == [1, 2]  # the budget holds two; the repeat wording is taken
    assert pick(facts) == [1, 3]
    assert pick(facts, known=frozenset({"egypt", "rafah", "friday"})) == [1]


# --- who speaks: a first-person statement names its speaker --------------------------------


def test_author_from_the_title() -> None:
    assert author("Statement from President Joe Biden on Sudan") == "Biden"
    assert (
        author(
            "On-the-Record Press Gaggle by White House National Security Communications Advisor "
            "John Kirby"
        )
        == "Kirby"
    )
    assert author("Remarks by Secretary Rubio at the OAS") == "Rubio"
    assert author("Pakistan threatens to deport Afghans") is None


def test_speakers_follow_transcript_turns() -> None:
    text = (
        "MODERATOR: Thanks for joining. Kirby has a few words.\n"
        "MR. KIRBY: Thanks, everybody. Today we abstained on the resolution.\n"
        "Our vote does not represent a shift in our policy.\n"
        "Q Thank you. We wanted to ask about Rafah. Is the visit cancelled?\n"
        "MR. KIRBY: We have not been notified of any change.\n"
    )
    sentences = split_sentences(text)
    who = speakers(sentences, DocumentCues(speaker="Kirby"))
    by_text = {s.text: who[s.id] for s in sentences}
    assert by_text["MODERATOR: Thanks for joining."] is None  # the moderator is nobody to name
    assert by_text["Kirby has a few words."] is None
    assert by_text["Today we abstained on the resolution."] == "Kirby"
    assert by_text["Our vote does not represent a shift in our policy."] == "Kirby"
    assert by_text["We wanted to ask about Rafah."] is None  # a reporter's question turn
    assert by_text["Q Thank you."] is None
    assert by_text["MR. KIRBY: We have not been notified of any change."] == "Kirby"
    # Written for the test: another briefing, the same turns.
    text = (
        "MODERATOR: Good afternoon. The spokesperson will start with a few announcements.\n"
        "MR. PRICE: Thank you. Today we announced new sanctions on Niger's junta.\n"
        "Our goal is a return to civilian rule.\n"
        "Q Thanks, Ned. We have a question on Niger. Will the ambassador stay?\n"
        "MR. PRICE: The ambassador will remain in Niamey.\n"
    )
    sentences = split_sentences(text)
    who = speakers(sentences, DocumentCues(speaker="Price"))
    by_text = {s.text: who[s.id] for s in sentences}
    assert by_text["MODERATOR: Good afternoon."] is None
    assert by_text["The spokesperson will start with a few announcements."] is None
    assert by_text["Today we announced new sanctions on Niger's junta."] == "Price"
    assert by_text["Our goal is a return to civilian rule."] == "Price"
    assert by_text["We have a question on Niger."] is None
    assert by_text["Will the ambassador stay?"] is None
    assert by_text["MR. PRICE: The ambassador will remain in Niamey."] == "Price"


def test_a_hyphenated_speaker_label_keeps_its_name() -> None:
    sentences = split_sentences(
        "MS. JEAN-PIERRE: Thank you. Today we announced new sanctions on Niger's junta.\n"
    )
    who = speakers(sentences, DocumentCues(speaker="Jean-Pierre"))
    assert set(who.values()) == {"Jean-Pierre"}


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        ("I call on them to pull back.", "Biden", "Biden: I call on them to pull back."),
        ("We have pressed for peace.", "Biden", "Biden: We have pressed for peace."),
        # a demand is the speaker's, not a fact: voiced like a first-person line
        ("The RSF must stop its assault.", "Biden", "Biden: The RSF must stop its assault."),
        ("The RSF stopped its assault.", "Biden", "The RSF stopped its assault."),
        ("He said, “They must go.”", "Biden", "He said, “They must go.”"),  # a quote
        ("Biden said we must act.", "Biden", "Biden said we must act."),  # already named
        ("He said, “We will fight on.”", "Biden", "He said, “We will fight on.”"),  # a quote
        ("We have pressed for peace.", None, "We have pressed for peace."),
    ],
)
def test_voiced(text: str, speaker: str | None, expected: str) -> None:
    assert voiced(text, speaker) == expected


def test_the_speaker_of_a_statement_is_found_in_its_byline_or_title() -> None:
    from briefer.text.authors import author, byline

    assert byline("The Death of X\n\nAntony J. Blinken, Secretary of State\n\nText.") == "Blinken"
    assert byline("Call\n\nOffice of the Spokesperson\n\nThe below is attributable to "
                  "Spokesperson Ned Price:\n\nText.") == "Price"  # fmt: skip
    assert byline("Talks resumed, Reuters said.\n\nIndia and Pakistan met.") is None
    # An office of two words: a grouping text's "Ned Price, Department Spokesperson", and one
    # written for the test.
    assert byline("Atrocities\n\nNed Price, Department Spokesperson\n\nWe urge …") == "Price"
    assert byline("Floods\n\nAna Ruiz, Deputy Secretary\n\nWe will help.") == "Ruiz"
    # A dateline in capitals before an office is no byline.
    assert (
        byline("KYIV, Ukrainian President Volodymyr Zelensky visited.\n\nRussia must go.") is None
    )
    assert author(
        "President Biden Statement Ahead of the 10th Review Conference of the Treaty"
    ) == ("Biden")
    assert author("Remarks at the Conference of the Parties") is None


def test_a_transcript_label_that_is_an_office_names_the_documents_speaker() -> None:
    from briefer.text.cues import document_cues
    from briefer.text.sentences import split_sentences

    title = "Remarks by President Biden on a Successful Counterterrorism Operation"
    text = f"{title}\n\nTHE PRESIDENT: My fellow Americans, we acted.\n\nWe will not stop."
    said = speakers(split_sentences(text), document_cues(title, text))
    assert set(said.values()) == {"Biden"}
    # Written for the test: another office's label.
    title = "Remarks by Secretary Blinken on the Release of American Hostages"
    text = f"{title}\n\nTHE SECRETARY: Good afternoon, we brought them home.\n\nWe will go on."
    said = speakers(split_sentences(text), document_cues(title, text))
    assert set(said.values()) == {"Blinken"}


def test_the_vice_presidents_transcript_label_names_her() -> None:
    title = "Remarks by Vice President Harris at the Munich Security Conference"
    text = (
        f"{title}\n\nTHE VICE PRESIDENT: Thank you, we stand with our allies.\n\nWe will not waver."
    )
    said = speakers(split_sentences(text), document_cues(title, text))
    assert set(said.values()) == {"Harris"}


def test_a_contraction_is_not_a_name() -> None:
    from briefer.check.grounding import names

    assert names("We’ve done just that, and I’m sure of it.") == set()
    assert names("Rubio’s call to Kabul") == {"rubio", "kabul"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kirby: Let me take that question, Josh, and get back to you.", True),
        ("I’ll let the Israelis speak to whether they’re coming or not.", True),
        ("Well, again, the Israeli government can speak to their plans.", True),
        ("No, we are not going to speculate.", True),
        ("I don’t have anything more on that.", True),
        ("And thanks for your words about the U.N. resolution.", True),
        ("Nothing.", True),
        ("Okay, thanks.", True),
        ("That’s between him and the Prime Minister.", True),
        ("That’s up to the Israelis to decide.", True),
        # Facts, however conversational.
        ("That is between India and Pakistan to settle, officials said.", False),
        ("Kirby: Yeah, David, the talks went on for 3 hours.", False),
        ("The US will not comment on the talks until Friday, a spokesperson said.", False),
        ("No deal was reached by Iran and the US on Monday.", False),
        ("Nothing has changed about our policy.", False),
        ("No connection to the election, the ministry said.", False),
        ("Thanks to these deployments, the navy shot down most of the missiles.", False),
        ("Thank you to everyone for coming today.", True),
        ("No, no.", True),
    ],
)
def test_non_answer(text: str, expected: bool) -> None:
    assert non_answer(text) is expected


def test_vocatives_are_who_is_spoken_to() -> None:
    assert vocatives("Kirby: Yeah, David, the talks went on.") == {"david"}
    assert vocatives("Sure, Josh.") == {"josh"}
    assert vocatives("Rubio met Sharif in Islamabad.") == set()


def test_asked_are_a_questioners_lines() -> None:
    sentences = split_sentences(
        "MODERATOR: Our first question goes to Steve.\n\n"
        "Q Thanks, John. It sounds like Netanyahu canceled the visit. Is that right?\n\n"
        "MR. KIRBY: We have not been notified of any change to the visit. We expect them."
    )
    spoken = {s.text: s.id in asked(sentences) for s in sentences}
    assert spoken["It sounds like Netanyahu canceled the visit."]
    assert not spoken["We expect them."]
    assert not any(asked(split_sentences("India struck. Pakistan said it would respond.")))


def test_a_pronoun_keeps_us_position_only_after_a_us_actor() -> None:
    urged = "He also urged Pakistan to take concrete steps."
    assert fuse("us_position", urged, NEWS, "Rubio’s State Department said so.") == "us_position"
    assert fuse("us_position", urged, US_NAMES, "Leavitt spoke on Tuesday.") == "us_position"
    # "He" is the one the sentence before speaks of: here not a US actor.
    deputy = "He was his number-two man at the time of the attack."
    assert fuse("us_position", deputy, NEWS, "Zawahiri was bin Laden’s leader.") == (
        "ground_situation"
    )
    # With nothing before it, the model's label stands.
    assert fuse("us_position", deputy, NEWS) == "us_position"


def test_a_pronoun_after_a_us_actor_is_us_position_whatever_the_model_said() -> None:
    # The model filed it under Ground Situation and "plans" made it Outlook; "he" is Rubio.
    travelled = (
        "He traveled from Guatemala, where he announced U.S. plans to support Guatemala with "
        "new infrastructure projects."
    )
    before = "Secretary Rubio is set to meet with Dominican President Luis Abinader."
    assert fuse("ground_situation", travelled, NEWS, before) == "us_position"
    # After someone else, the model's label and the cues stand.
    assert fuse("ground_situation", travelled, NEWS, "Abinader met the press.") == "outlook"
    # Written for the test: another official, another trip.
    flew = "She flew on to Manila, where she announced U.S. plans to fund new coast guard vessels."
    before = "Vice President Harris is set to meet Philippine President Ferdinand Marcos Jr."
    assert fuse("ground_situation", flew, NEWS, before) == "us_position"
    assert fuse("ground_situation", flew, NEWS, "Marcos met the press.") == "outlook"


def test_what_would_follow_in_a_us_text_is_the_us_argument() -> None:
    argument = (
        "Loss of control over these revenues would empower malign actors like Iran and Hezbollah."
    )
    assert fuse("ground_situation", argument, FACT_SHEET) == "us_position"
    # In a news report it is the model's call; a named actor's "would" is that actor's.
    assert fuse("ground_situation", argument, NEWS) == "ground_situation"
    named = "Iran said the sanctions would not change its course."
    assert fuse("ground_situation", named, FACT_SHEET) == "ground_situation"
    # The model's US Position stands for such an argument, where it would have become Ground.
    assert fuse("us_position", argument, FACT_SHEET) == "us_position"
    # Written for the test: another fact sheet's argument, another named actor.
    ports = "Failure to secure these ports would hand Beijing control of the region's shipping."
    assert fuse("ground_situation", ports, FACT_SHEET) == "us_position"
    assert fuse("ground_situation", ports, NEWS) == "ground_situation"
    china = "China said the tariffs would not change its policy."
    assert fuse("ground_situation", china, FACT_SHEET) == "ground_situation"


def test_we_acting_in_a_us_text_is_the_us() -> None:
    abstained = "Today we abstained on a U.N. Security Council resolution on Gaza."
    assert fuse("ground_situation", abstained, WHITE_HOUSE) == "us_position"
    # In a news report "we" is the reporter's source, not the US.
    assert fuse("ground_situation", abstained, NEWS) == "ground_situation"
    # Written for the test: other acts of the same "we".
    for act in (
        "Yesterday we voted against a U.N. General Assembly resolution on Ukraine.",
        "This week we imposed new sanctions on three Russian banks.",
    ):
        assert fuse("ground_situation", act, WHITE_HOUSE) == "us_position"
        assert fuse("ground_situation", act, NEWS) == "ground_situation"


def test_our_after_a_third_person_subject_is_not_the_us_acting() -> None:
    videos = (
        "He made videos, including in recent weeks, calling for his followers to attack the "
        "United States and our allies."
    )
    assert fuse("us_position", videos, WHITE_HOUSE, before="Zawahiri led al Qaeda.") == (
        "ground_situation"
    )
    assert fuse("us_position", "Our forces conducted a mission in Syria.", WHITE_HOUSE) == (
        "us_position"
    )
    # Written for the test: another third-person subject whose call names "our" partners.
    posted = (
        "She posted messages, including in recent days, urging her supporters to attack the "
        "United States and our partners."
    )
    assert fuse("us_position", posted, WHITE_HOUSE, before="Ahmadi led the militia.") == (
        "ground_situation"
    )
    assert fuse("us_position", "Our diplomats reopened the embassy in Kyiv.", WHITE_HOUSE) == (
        "us_position"
    )


def test_the_two_leaders_of_a_readout_include_the_president() -> None:
    assert us_subject("The two leaders held a candid and constructive discussion.", WHITE_HOUSE)
    # "They" after them is the US too, whatever the model filed it as.
    reviewed = "They reviewed and encouraged progress on key issues discussed at the summit."
    before = "The two leaders held a candid and constructive discussion."
    assert fuse("ground_situation", reviewed, WHITE_HOUSE, before) == "us_position"
    # In a news report the leaders are someone else's.
    assert not us_subject("The two leaders held a candid and constructive discussion.", NEWS)
    # Written for the test: another readout's wording.
    for leaders in (
        "The two leaders discussed the war in Ukraine and the situation in the Middle East.",
        "Both leaders discussed the war in Ukraine.",
    ):
        assert us_subject(leaders, WHITE_HOUSE)
        assert not us_subject(leaders, NEWS)
        agreed = "They agreed to keep open channels of communication between their militaries."
        assert fuse("ground_situation", agreed, WHITE_HOUSE, leaders) == "us_position"


def test_an_office_label_names_only_who_holds_that_office() -> None:
    # Written for the test: the Vice President's label in the President's remarks, and the
    # President's in the Vice President's, name nobody; the holder's own label names them.
    title = "Remarks by President Biden at a Meeting with Japanese Business Leaders"
    text = f"{title}\n\nTHE VICE PRESIDENT: We stand ready.\n\nTHE PRESIDENT: We stand with Japan."
    said = speakers(split_sentences(text), document_cues(title, text))
    assert sorted(map(str, said.values())) == ["Biden", "Biden", "None"]
    title = "Remarks by Vice President Harris at the Munich Security Conference"
    text = f"{title}\n\nTHE PRESIDENT: Thank you all.\n\nTHE VICE PRESIDENT: We stand firm."
    said = speakers(split_sentences(text), document_cues(title, text))
    assert sorted(map(str, said.values())) == ["Harris", "Harris", "None"]
    # A name the text spells in mixed case keeps that spelling; one it does not, each part cased.
    who = speakers(split_sentences("MR. O’BRIEN: We met today.\n"), DocumentCues())
    assert set(who.values()) == {"O’Brien"}


def test_department_titles_title_lines_and_objects_written_for_the_test() -> None:
    assert us_names("U.S. Treasury Secretary Janet Yellen met bankers.") == {"Yellen"}
    assert us_names("U.S. Army General Mark Milley spoke.") == {"Milley"}
    # A title line in title case gives no name; running text below it still does.
    text = (
        "Secretary Rubio Welcomes Tighter Border Controls in Panama\nU.S. envoy John Doe said so."
    )
    assert us_names(text) == {"Doe"}
    # The US as the object of a preposition, the subject later: the main actor decides.
    assert not us_subject("Israel's envoy to Washington, Yechiel Leiter, said talks went well.")
    assert us_subject("In Washington, the White House said talks went well.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The administration as research and news texts write it, capitalised or not.
        ("In May 2025, the Administration designated two gangs as terrorist groups.", True),
        ("On June 24, 2026, the Trump Administration sent Congress a request.", True),
        ("The Obama Administration lifted the embargo in 2016.", True),
        # An opening quotation's speaker is the subject.
        (
            "“We have mobilized $60 billion,” national security adviser Jake Sullivan told VOA.",
            True,
        ),
        ('"The deal is done," Secretary Rubio told reporters in Panama.', True),
        ("“The U.S. is wrong,” said the Chinese spokesman, Lin Jian.", False),
        # A US actor after a preposition and its article is no subject.
        ("According to a U.S. congressional report, 80% of the mines are Chinese owned.", False),
        ("Under the U.S. plan, Kenya would lead the mission.", False),
    ],
)
def test_us_subject_in_other_wordings(text: str, expected: bool) -> None:
    assert us_subject(text, NEWS) is expected


def test_the_speaker_of_a_us_text_acting_in_the_first_person_is_the_us_position() -> None:
    spoke = "I’ve just spoken with Prime Minister Netanyahu to reaffirm our commitment."
    assert fuse("ground_situation", spoke, WHITE_HOUSE) == "us_position"
    assert fuse("ground_situation", "Today I directed new sanctions on Iran.", WHITE_HOUSE) == (
        "us_position"
    )
    # What comes next stays next; a news text's "I" is not the US.
    assert fuse("ground_situation", "Tomorrow, I will convene G7 leaders.", WHITE_HOUSE) == (
        "outlook"
    )
    assert fuse("ground_situation", spoke, NEWS) == "ground_situation"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Past opening phrases, the subject is what follows them.
        (
            "At my direction, to support Israel, the U.S. military moved aircraft to the region.",
            True,
        ),
        (
            "On Monday, during a visit to the new port of Lima, Secretary Rubio met its mayor.",
            True,
        ),
        # Written for the test: a reporting clause or a list before the US actor.
        ("In a statement, the Chinese Foreign Ministry said the U.S. was wrong.", False),
        ("Kenya, Brazil, and the United States agreed on a plan.", False),
        # The US actor as the object after the opening phrase, or inside a quotation.
        (
            "In Washington, Chinese Embassy spokesperson Liu Pengyu dismissed Rubio’s remarks.",
            False,
        ),
        ("In Paris, the French minister criticized the U.S. tariffs.", False),
        (
            "Retired U.S. diplomat Brooks Spector said, “Now that President Trump has ended it, …”",
            False,
        ),
    ],
)
def test_us_subject_after_opening_phrases(text: str, expected: bool) -> None:
    assert us_subject(text, NEWS) is expected


def test_a_contracted_first_person_is_the_speaker_acting() -> None:
    assert fuse(
        "ground_situation", "I’m deeply concerned by the vote in Tbilisi.", WHITE_HOUSE
    ) == ("us_position")
    assert fuse("ground_situation", "I-95 was closed after the storm.", WHITE_HOUSE) == (
        "ground_situation"
    )


@pytest.mark.parametrize(
    ("text", "section"),
    [
        # g03's lead and sentences written for the test: the day of the news is not history.
        (
            "Earlier today, Iran and its proxies launched an unprecedented air attack against"
            " Israel.",
            "ground_situation",
        ),
        ("Tonight, rebels shelled the port of Hodeidah.", "ground_situation"),
        # A US actor who acts today, or in no earlier time, is the US position (w01's lead).
        (
            "The State Department today designated the group a terrorist organization.",
            "us_position",
        ),
        (
            "At the conclusion of the Annapolis Conference, United States President George W. Bush"
            " read a statement of joint understanding by Prime Minister Ehud Olmert.",
            "us_position",
        ),
        ("Secretary Rubio announced new visa restrictions on Nicaraguan officials.", "us_position"),
        # An earlier time keeps the model's Background.
        (
            "Last year, the State Department designated the group a terrorist organization.",
            "background",
        ),
        ("In 2019, the United States imposed sanctions on the company.", "background"),
    ],
)
def test_the_day_of_the_news_and_a_us_act_are_not_background(text: str, section: str) -> None:
    assert fuse("background", text, NEWS) == section


@pytest.mark.parametrize(
    ("text", "standing"),
    [
        # Written for the test: where the US stands, restated
        ("The United States strongly supports the people of Moldova and their future.", True),
        ("The U.S. has always supported a free and open Indo-Pacific.", True),
        ("The United States remains committed to a two-state solution.", True),
        ("The United States continues to stand with Ukraine and its people.", True),
        # an act, a time, a plan, or another subject
        ("The United States congratulates Ruth Okafor on her election.", False),
        ("The United States supported the resolution.", False),
        ("The United States supports the ceasefire agreed on March 3.", False),
        ("The United States strongly supports today’s agreement.", False),
        ("The United States will continue to support Ukraine.", False),
        ("Russia strongly supports the referendum.", False),
        ("The United States is designating six entities.", False),
    ],
)
def test_a_standing_position_is_told_from_an_act(text: str, standing: bool) -> None:
    assert standing_position(text) is standing


def test_a_department_spokespersons_statement_speaks_for_the_us() -> None:
    from briefer.text.cues import document_cues

    # A grouping text's byline, and one written for the test.
    for byline_line in ("Ned Price, Department Spokesperson", "Ana Ruiz, Department Spokesperson"):
        text = f"Reports of Atrocities\n\n{byline_line}\n\nWe urge the government to act."
        cues = document_cues("Reports of Atrocities", text)
        assert cues.us_voice and cues.speaker == byline_line.split(",")[0].split()[-1]
