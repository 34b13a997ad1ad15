"""People a text names in full once and by surname after, and a statement that names one by
surname alone before the brief shows who they are (``text/people.py``, ``compose``)."""

from __future__ import annotations

import pytest

from briefer.brief import compose, model_answer, statements
from briefer.check.verify import check_statement, verify_brief
from briefer.models import SECTIONS, Basis, Brief, BriefMeta, Ref, Source, Statement
from briefer.text import turns
from briefer.text.cues import document_cues
from briefer.text.people import introduce, introductions
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.turns import speakers, turn_introductions

# Written for the test: a minister, an organisation named after a person, a place after an
# adjective, a surname with a particle, and w07's (dev corpus) High Commissioner.
TEXT = (
    "On Tuesday, Foreign Minister Amara Okonjo met the envoy in Abuja.\n"
    "The Trump administration said the talks were useful, and Trump said he would call.\n"
    "Neighboring Uganda closed its border, and Uganda reported two cases.\n"
    "Italian Minister for Defence Ignazio La Russa said Wednesday that his country will send "
    "ten instructors.\n"
    "UN High Commissioner for Human Rights Navi Pillay stated that the use of such munitions "
    "would inevitably lead to civilian casualties.\n"
    "Okonjo later said Nigeria would host the next round in March.\n"
    "La Russa added that the instructors would not fight.\n"
    "Pillay praised the government for allowing a U.N. humanitarian base in Tripoli.\n"
    "La Russa also said Italy would send trucks to Benghazi next month.\n"
)


def test_a_person_is_named_in_full_once_and_by_surname_after() -> None:
    people = introductions(split_sentences(TEXT))
    assert {k: v.phrase for k, v in people.items()} == {
        "Okonjo": "Foreign Minister Amara Okonjo",
        "La Russa": "Italian Minister for Defence Ignazio La Russa",
        "Pillay": "UN High Commissioner for Human Rights Navi Pillay",
    }
    assert people["Okonjo"].name == "Amara Okonjo" and people["Okonjo"].sentence == 1
    # Not people: "Trump" stands alone too ("Trump administration" is no first name and
    # surname), and "Neighboring" is a word of the language.
    assert "administration" not in people and "Uganda" not in people
    # Nor a word of the language in a heading ("… Continued War Against Ukraine").
    heading = "Imposing Additional Costs on Russia for Its Continued War Against Ukraine\n"
    assert introductions(split_sentences(heading + "Ukraine has asked for more aid.\n")) == {}
    # A suffix is no surname, a title joined by a hyphen no first name, "sub-" no name.
    marcos = introductions(
        split_sentences(
            "Biden spoke with Philippine President-Elect Ferdinand Marcos Jr. on Monday.\n"
            "Marcos thanked him, and aid to sub-Saharan Africa was discussed; Africa needs it.\n"
        )
    )
    # A title held for a time ("President-Elect", "Former President") is left out: the brief
    # may print the name where another time is meant ("Marcos signed the law in 2023").
    assert {k: v.phrase for k, v in marcos.items()} == {"Marcos": "Ferdinand Marcos"}
    held = introductions(
        split_sentences(
            "Former Prime Minister Alan Okafor spoke on Monday.\nOkafor denied the charge.\n"
            "Secretary-General Ana Petrovic met him.\nPetrovic agreed.\n"
        )
    )
    assert {k: v.phrase for k, v in held.items()} == {
        "Okafor": "Alan Okafor",
        "Petrovic": "Secretary-General Ana Petrovic",
    }
    # A title in lower case is left out whole: a part of it may say the opposite.
    former = introductions(
        split_sentences(
            "Critics called former President Alan Okafor a liar on Monday.\n"
            "Okafor denied the charge in a statement.\n"
        )
    )
    assert former["Okafor"].phrase == "Alan Okafor"
    # An initial is part of the whole name, and a surname that is a word of the language too
    # ("Bush", "Trump") is a person's where a title introduces the name; not where the words
    # before it are another name's ("… of the Nippon Steel", "with NewsNation Now").
    common = introductions(
        split_sentences(
            "On Monday, Governor Anne K. Bush signed the bill.\n"
            "Bush said the law would take effect in May.\n"
            "Analysts at the Nippon Steel works agreed, and Steel shares rose.\n"
            "The deal goes ahead, said Kellie with NewsNation Now.\n"
            "Now the mills can reopen.\n"
        )
    )
    assert {k: v.phrase for k, v in common.items()} == {"Bush": "Governor Anne K. Bush"}
    assert common["Bush"].name == "Anne K. Bush"
    # A title held for a time shows a person too, though the introduction leaves it out; and
    # so does a quotation the whole name speaks ("…," said Daniel Levy), where a capital inside
    # a sentence says the word is a name, and not after an acronym ("U.S. Steel").
    shown = introductions(
        split_sentences(
            "President-elect Julia Price will take office in May.\n"
            "The cabinet that Price named on Friday met.\n"
            "“It was a good day,” said Daniel Levy of the New America Foundation.\n"
            "Levy saw reason for guarded optimism, and critics answered Levy.\n"
            "“We will invest,” Anne Bush told reporters, and Bush left.\n"
            "“We will not sell,” said Nippon Steel.\n"
            "U.S. Steel shares rose, and Steel workers cheered.\n"
        )
    )
    assert {k: v.phrase for k, v in shown.items()} == {
        "Price": "Julia Price",
        "Levy": "Daniel Levy",
        "Bush": "Anne Bush",
    }
    # A speech verb without a quotation is no speaker's; a word of the language that only
    # opens sentences is no surname, whatever title or quotation came before it; nor is a
    # compound that is no title ("Russian-backed").
    for text in (
        "The plan, said Nippon Steel, is off.\nThe mill in Steel fell.\n",
        "“We will invest,” said Tata Steel.\nSteel is a strategic industry for India.\n",
        "USAID Administrator Power visited Kyiv.\nPower was restored to 40,000 homes.\n",
        "Russian-backed Donetsk People’s Republic forces shelled it.\nPeople fled on Monday.\n",
    ):
        assert introductions(split_sentences(text)) == {}, text
    # A person the text names by office and surname, never by first name, is introduced by the
    # office; not where one surname follows two offices, nor by a title held for a time.
    titled = introductions(
        split_sentences(
            "Russian President Ivanov spoke on Monday.\nIvanov denied the charge.\n"
            "Defense Minister Gallant arrived.\nThe talks with Gallant went on.\n"
            "President Kim met Minister Kim.\nKim left.\n"
            "Former President Okafor spoke.\nOkafor left.\n"
        )
    )
    assert {k: v.phrase for k, v in titled.items()} == {
        "Ivanov": "Russian President Ivanov",
        "Gallant": "Defense Minister Gallant",
    }
    assert introduce("Ivanov denied the charge.", "", titled)[0] == (
        "Russian President Ivanov denied the charge."
    )
    assert introduce("Ivanov denied it.", "President Ivanov spoke.", titled)[1] is None
    # "A." and "I." are initials too, not the article and the pronoun.
    arthur = introductions(
        split_sentences("Senator Chester A. Arthur spoke on Monday.\nArthur said it would pass.\n")
    )
    assert arthur["Arthur"].name == "Chester A. Arthur"


def test_a_surname_alone_as_a_verbs_subject_is_named_as_the_text_introduces_it() -> None:
    people = introductions(split_sentences(TEXT))
    text, person = introduce("Okonjo later said the talks would go on.", "", people)
    assert text == "Foreign Minister Amara Okonjo later said the talks would go on."
    assert person is not None and person.sentence == 1
    text, person = introduce("La Russa added that the instructors would not fight.", "", people)
    assert text.startswith("Italian Minister for Defence Ignazio La Russa added that")
    assert person is not None and (person.sentence, person.surname) == (4, "La Russa")
    unchanged = [
        # shown before it in full
        ("Okonjo later said the talks would go on.", "Amara Okonjo met the envoy."),
        # a word that qualifies a noun, not a subject
        ("The Okonjo government collapsed on Friday.", ""),
        ("Aid fell under the first Okonjo administration.", ""),
        ("Aid was the Okonjo administration’s aim.", ""),
        # inside a quotation: the words are someone's own
        ("“Okonjo lied to us,” the critic said.", ""),
        # a surname the text never uses alone
        ("Amara said the talks would go on.", ""),
    ]
    for text, shown in unchanged:
        assert introduce(text, shown, people) == (text, None)
    # Named elsewhere than as the subject: the object, a coordinated subject, a clause's end.
    for text, introduced in [
        ("The envoy met Okonjo on Friday.", "The envoy met Foreign Minister Amara Okonjo on"),
        ("Okonjo and Pillay agreed.", "Foreign Minister Amara Okonjo and Pillay agreed."),
        ("The talks will go on, said Okonjo.", "The talks will go on, said Foreign Minister"),
    ]:
        assert introduce(text, "", people)[0].startswith(introduced)
    # After a title the statement gives itself, the name alone.
    text, person = introduce("Aid stopped, according to Nigeria’s Okonjo.", "", people)
    assert text == "Aid stopped, according to Nigeria’s Amara Okonjo."
    assert person is not None and person.surname == "Okonjo"
    text, _ = introduce("Aid stopped, said foreign minister Okonjo.", "", people)
    assert text == "Aid stopped, said foreign minister Amara Okonjo."


def test_the_brief_introduces_a_person_at_the_first_statement_that_names_them() -> None:
    sentences = split_sentences(TEXT)
    filed = model_answer.Filed(
        title="Okonjo meets envoy",
        bottom_line=sentences[0].text,
        sections={
            2: "us_position",
            6: "us_position",
            7: "outlook",
            8: "ground_situation",
            9: "ground_situation",
        },
    )
    content, notes, _ = compose.compose(filed, sentences, 200)
    by_sentence = {n.sentence: n for n in notes}
    # Pillay's statement cites the sentence that introduces her beside its own.
    pillay = by_sentence[8]
    assert pillay.text.startswith("UN High Commissioner for Human Rights Navi Pillay praised")
    assert pillay.antecedent == 5
    assert [s.cites for s in content.ground_situation] == [[5, 8], [4, 9]]
    # La Russa is introduced at his first statement in reading order (Ground Situation comes
    # before Outlook); the later one keeps the surname and cites its own sentence only.
    assert by_sentence[9].text.startswith("Italian Minister for Defence Ignazio La Russa also said")
    assert by_sentence[7].text == "La Russa added that the instructors would not fight."
    assert by_sentence[7].antecedent is None
    # The bottom line names Okonjo in full: his statement stands as the text has it.
    assert by_sentence[6].text == "Okonjo later said Nigeria would host the next round in March."
    assert by_sentence[6].antecedent is None


def test_a_family_name_first_is_introduced_where_a_title_gives_it() -> None:
    # Written for the test: a family name before the given name, which never stands alone.
    sentences = split_sentences(
        "On Monday, Chinese Premier Li Qiang and PRC President Xi Jinping met the envoy.\n"
        "The Comoran army landed, and The army held the port.\n"
        "Xi said the talks were useful, and Li agreed.\n"
    )
    people = introductions(sentences)
    assert {k: v.phrase for k, v in people.items()} == {
        "Li": "Chinese Premier Li Qiang",
        "Xi": "PRC President Xi Jinping",
    }
    assert people["Xi"].name == "Xi Jinping" and people["Xi"].sentence == 1
    # Two people of one family name: which Li? Neither.
    two = introductions(
        split_sentences("Chinese Premier Li Qiang met envoy Li Hui on Monday.\nLi said so.\n")
    )
    assert two == {}
    # Untitled, it is no person: "Tamil Eelam" is a place.
    assert introductions(split_sentences("Tamil Eelam was declared.\nTamil is spoken.\n")) == {}
    # A possessive is introduced as a subject is: "Xi’s planned visit".
    text, person = introduce("Analysts expect Xi’s planned visit to go ahead.", "", people)
    assert text == "Analysts expect PRC President Xi Jinping’s planned visit to go ahead."
    assert person is not None and person.surname == "Xi"


def test_the_texts_own_speaker_is_introduced_at_their_first_statement() -> None:
    # Written for the test: one speaker's statement, voiced by surname outside US Position.
    sentences = split_sentences(
        "Statement from President Jane Doe on Freedonia\n\n"
        "Freedonia has seen a troubling backsliding of democratic freedoms.\n"
        "Judges were removed from office in March.\n"
        "The United States will continue to stand with the people of Freedonia.\n"
    )
    source = "\n".join(s.text for s in sentences)
    doc = document_cues(sentences[0].text, source)
    assert (doc.speaker, doc.speaker_intro) == ("Doe", "President Jane Doe")
    filed = model_answer.Filed(
        title="Freedonia's courts",
        bottom_line=sentences[3].text,
        sections={2: "background", 3: "ground_situation", 4: "us_position"},
    )
    voices = {2: "Doe", 3: "Doe", 4: "Doe"}
    content, _, _ = compose.compose(filed, sentences, 200, doc, voices, source=source)
    stated = content.background + content.ground_situation
    assert [s.text for s in stated] == [
        "President Jane Doe: Freedonia has seen a troubling backsliding of democratic freedoms.",
        "Doe: Judges were removed from office in March.",
    ]
    # The verifier passes both: the introduction's words are the source's (its title's).
    for statement, cited in zip(stated, sentences[1:3], strict=True):
        assert check_statement(statement.text, [cited], source).problems == []
    # A voice of several words must be the source's, word for word or as a byline gives it;
    # a one-word speaker the source's too (review: each once slipped through).
    for voice in (
        "President Jane Roe",
        "Vice President Jane Doe",
        "Freedonia Rejects Courts",
        "xyzzy",
        "X",
    ):
        check = check_statement(f"{voice}: Judges were removed.", [sentences[2]], source)
        assert check.status == "unsupported", voice
    # Where the title or bottom line names the speaker in full, the surname is enough.
    filed = filed.model_copy(update={"title": sentences[0].text})
    content, _, _ = compose.compose(
        filed, sentences, 200, doc, voices, context=sentences[0].text, source=source
    )
    assert content.title == sentences[0].text
    stated = content.background + content.ground_situation
    assert stated[0].text.startswith("Doe: Freedonia has seen")
    # A byline gives the office after the name.
    byline = document_cues("Freedonia's Referendum", "Maria Lopez, Secretary of Commerce\n\nWe x.")
    assert (byline.speaker, byline.speaker_intro) == ("Lopez", "Secretary of Commerce Maria Lopez")
    # A speaker whose office no line gives is voiced by surname only; the title's words for
    # them, not every capitalised word before the name; nobody where the title names two.
    plain = document_cues("Remarks by Doe at the Summit", "We will act.")
    assert plain.speaker == "Doe" and plain.speaker_intro == ""
    op_ed = document_cues("Op-Ed by Secretary of State Maria Lopez in The Daily Post", "We act.")
    assert op_ed.speaker_intro == "Secretary of State Maria Lopez"
    capitals = document_cues("Statement From President Jane Doe On Freedonia", "We act.")
    assert capitals.speaker_intro == "President Jane Doe"
    joint = document_cues("Joint Statement by Secretary Doe and Foreign Minister Li Wei", "We act.")
    assert joint.speaker_intro == ""
    # A title that says what after who ("… Extending the Pause on …", grouping-april's La).
    what = document_cues("Statement by President Doe Extending the Pause on Rent", "We act.")
    assert (what.speaker, what.speaker_intro) == ("Doe", "President Doe")
    marking = document_cues("Statement by President Li Marking the Anniversary", "We act.")
    assert marking.speaker == "Li"
    # An "-ing" word that opens an office or is the surname is no participle (review).
    for title, who in (
        ("Remarks by Secretary Manning at the Summit", "Manning"),
        ("Statement by Acting Secretary Su on Jobs", "Su"),
        ("Statement by Managing Director Kristalina Georgieva on Debt", "Georgieva"),
    ):
        assert document_cues(title, "We act.").speaker == who, title


def test_the_verifier_names_a_person_the_brief_has_not_introduced() -> None:
    sentences = split_sentences(TEXT)
    source = "\n".join(s.text for s in sentences)
    brief = Brief(
        title="Nigeria to host talks",
        bottom_line=sentences[0].text,
        title_basis=Basis(cites=[Ref(source=1, sentence=1)], form="paraphrase"),
        bottom_line_basis=Basis(cites=[Ref(source=1, sentence=1)], form="verbatim"),
        background=[{"text": sentences[6].text, "cites": [7]}],
        us_position=[],
        ground_situation=[
            {"text": sentences[5].text, "cites": [6]},
            {"text": sentences[3].text, "cites": [4]},
            {"text": sentences[8].text, "cites": [9]},
        ],
        outlook=[],
        sources=[Source(title="Talks")],
        meta=BriefMeta(model="m", endpoint="e", prompt_version="p"),
    )
    summary = verify_brief(brief, sentences, source).verification
    # La Russa by surname before the brief gives his title and name (sentence 4, later);
    # Okonjo after the bottom line has named him in full; La Russa's second statement after
    # the one that introduces him.
    assert summary is not None
    assert summary.unjudged == [
        "[7] a reference, “the instructors” and a person the brief has not introduced, “La Russa”"
    ]


def test_a_name_whose_particle_drops_when_it_repeats_is_introduced() -> None:
    # Written for the test: two texts that give "al-…"/"el-…" in full, the name alone after.
    for text, surname, name in (
        (
            "Iraq's oil minister, Hayan Abdul-Ghani al-Sawad, signed the contract on Monday.\n"
            "Later, Sawad said exports would rise by June.\n",
            "Sawad",
            "Hayan Abdul-Ghani al-Sawad",
        ),
        (
            "Egypt's envoy, Karim el-Masri, met the delegation in Cairo.\n"
            "Masri told reporters the talks would resume on Friday.\n",
            "Masri",
            "Karim el-Masri",
        ),
    ):
        sentences = split_sentences(text)
        people = introductions(sentences)
        assert people[surname].name == name
        said = sentences[1].text
        introduced, person = introduce(said, "", people)
        assert person is not None and name in introduced
        # the checks read "al-Sawad" and "Sawad" as one person
        cited = [sentences[0], sentences[1]]
        assert check_statement(introduced, cited, text).status == "supported"


def test_a_past_the_lexicon_does_not_know_is_a_verb_after_a_surname() -> None:
    # Written for the test: "upended" and "greenlighted" are not in the lexicon
    people = introductions(split_sentences(TEXT))
    text, person = introduce("Delegates met days after Okonjo upended the talks.", "", people)
    assert person is not None and "Foreign Minister Amara Okonjo upended" in text
    text, person = introduce("Pillay greenlighted the inquiry, critics said.", "", people)
    assert person is not None and text.startswith("UN High Commissioner")
    # a word the lexicon knows as no verb is still no verb
    assert introduce("The Okonjo reed beds flooded.", "", people) == (
        "The Okonjo reed beds flooded.",
        None,
    )


def _third_in_outlook(text: str, title: str) -> Statement:
    """The brief of a three-sentence text whose second sentence is the bottom line and whose
    third is its only statement (in Outlook)."""
    sentences = split_sentences(text)
    filed = model_answer.Filed(title=title, bottom_line=sentences[1].text, sections={3: "outlook"})
    content, _, _ = compose.compose(filed, sentences, 200)
    (said,) = content.outlook
    return said


def test_a_second_person_of_a_statement_is_introduced_too() -> None:
    # Written for the test (c05 of the dev corpus: "Trump and PRC President Xi Jinping agreed …"
    # once Xi was introduced, Trump by surname alone).
    said = _third_in_outlook(
        "Foreign Minister Amara Okonjo met Defence Minister Carla Brandt in Abuja on Monday.\n"
        "The talks covered trade and 40,000 tonnes of grain for the north.\n"
        "Okonjo and Brandt agreed to meet again in Berlin in March.\n",
        "Grain talks in Abuja",
    )
    assert said.text == (
        "Foreign Minister Amara Okonjo and Defence Minister Carla Brandt agreed to meet again in "
        "Berlin in March."
    )
    assert said.cites == [1, 3]


def test_a_person_introduced_by_the_name_alone_cites_the_introduction() -> None:
    # Written for the test: "… according to the JX Fund’s Winterhager" (v05 of the dev corpus)
    # is printed with the name alone, and cites the sentence that gives it.
    said = _third_in_outlook(
        "JX Fund managing director Penelope Winterhager agreed with the plan on Monday.\n"
        "Grants to 40 newsrooms were frozen in January by the donors.\n"
        "Support has collapsed, according to the JX Fund’s Winterhager.\n",
        "Newsroom grants frozen",
    )
    assert said.text == "Support has collapsed, according to the JX Fund’s Penelope Winterhager."
    assert said.cites == [1, 3]


def test_a_transcripts_counterpart_is_introduced_by_their_turns_label() -> None:
    # Written for the test, as a State transcript gives it: the counterpart's whole name only
    # in the title; the turn's label gives office and surname.
    source = (
        "Secretary Doe And Freedonian Foreign Minister Ana Ruiz Before Their Meeting\n\n"
        "SECRETARY DOE: Good afternoon. We welcome the minister to Washington today.\n\n"
        "FOREIGN MINISTER RUIZ: Thank you. We signed a new trade pact with Kenya in May.\n"
        "We will open two consulates in Texas next year.\n"
    )
    sentences = split_sentences(source)
    assert turn_introductions(source) == {"Ruiz": "Foreign Minister Ruiz"}
    doc = document_cues(sentences[0].text, source)
    voices = speakers(sentences, doc)
    ids = {s.id: s for s in sentences}
    pact = next(i for i, s in ids.items() if "trade pact" in s.text)
    consulates = next(i for i, s in ids.items() if "consulates" in s.text)
    filed = model_answer.Filed(
        title="Freedonia and the US meet",
        bottom_line=ids[pact].text,
        sections={pact: "ground_situation", consulates: "outlook"},
    )
    content, _, _ = compose.compose(filed, sentences, 200, doc, voices, source=source)
    printed = [s.text for s in content.ground_situation + content.outlook]
    assert printed[-2].startswith("Foreign Minister Ruiz: ")  # the first in reading order
    assert printed[-1].startswith("Ruiz: ")
    # The verifier reads the label as the source's: its turn label in capitals.
    assert check_statement(printed[-2], [ids[pact]], source).problems == []
    # Only a label that holds an office introduces, and only one label per surname: two
    # speakers named Lee are left by surname; a note's heading names nobody (review).
    assert turn_introductions(
        "NOTE TO EDITORS: x\nPRESIDENT MIN LEE: a\nFOREIGN MINISTER LEE: b\nMR. JOHN KIRBY: c\n"
        "SECRETARY OF STATE BLINKEN: d\n"
    ) == {"Blinken": "Secretary of State Blinken"}
    # The verifier takes a label's voice only as a whole label: "Deputy" may not be dropped.
    deputy = "Talks\n\nDEPUTY PRIME MINISTER KULEBA: We met in Kyiv.\n"
    line = check_statement(
        "Prime Minister Kuleba: We met in Kyiv.", split_sentences(deputy), deputy
    )
    assert line.status == "unsupported"
    # A document's kind before a title's colon is nobody's turn ("FACT SHEET: …").
    fact_sheet = split_sentences("FACT SHEET: President Doe Acts on Rent\n\nWe act today.\n")
    doc = document_cues(fact_sheet[0].text, "We act today.")
    assert "Sheet" not in speakers(fact_sheet, doc).values()


def test_a_transcripts_counterpart_speaks_each_line_for_themself() -> None:
    # Written for the test: a foreign minister's turn, as a State transcript gives it, with the
    # interpreter's note and the address to the Secretary; no line of it says "I" or "we".
    source = (
        "Secretary Doe And Freedonian Foreign Minister Ana Ruiz Before Their Meeting\n\n"
        "SECRETARY DOE: Good afternoon. The United States welcomes the minister to Washington "
        "today.\n\n"
        "FOREIGN MINISTER RUIZ: (Via interpreter) Mr. Secretary, Freedonia and the United "
        "States are old friends of many decades.\n"
        "The new port in Baltra opened to American cargo ships in May.\n"
    )
    sentences = split_sentences(source)
    ids = {s.id: s for s in sentences}
    friends = next(i for i, s in ids.items() if "friends" in s.text)
    port = next(i for i, s in ids.items() if "Baltra" in s.text)
    assert statements.statement(ids[friends]) == (
        "Freedonia and the United States are old friends of many decades."
    )
    doc = document_cues(sentences[0].text, source)
    filed = model_answer.Filed(
        title="Freedonia and the US meet",
        bottom_line="",
        sections={friends: "ground_situation", port: "ground_situation"},
    )
    content, _, _ = compose.compose(
        filed, sentences, 200, doc, speakers(sentences, doc), source=source
    )
    printed = [s.text for name, _ in SECTIONS for s in content.section(name)]
    assert (
        "Foreign Minister Ruiz: Freedonia and the United States are old friends of many decades."
        in printed
    )
    assert "Ruiz: The new port in Baltra opened to American cargo ships in May." in printed
    # Another text: a fact sheet's heading in capitals is no one's turn, and its lines go
    # unvoiced.
    sheet = (
        "Fact Sheet: President Doe Protects Rent Payments\n\n"
        "PROTECTING TENANTS NOW: President Doe signed an order on rent in March.\n"
        "PUTTING TENANTS FIRST: The order caps rent increases at 3 percent a year.\n"
    )
    sentences = split_sentences(sheet)
    assert not any(turns.person_turn(s.text) for s in sentences)
    doc = document_cues(sentences[0].text, sheet)
    caps = next(s.id for s in sentences if "caps" in s.text)
    content, _, _ = compose.compose(
        model_answer.Filed(title="Rent order", bottom_line="", sections={caps: "us_position"}),
        sentences,
        200,
        doc,
        speakers(sentences, doc),
        source=sheet,
    )
    printed = [s.text for name, _ in SECTIONS for s in content.section(name)]
    assert "The order caps rent increases at 3 percent a year." in printed


@pytest.mark.parametrize(
    ("line", "turn"),
    [
        ("GENERAL RYDER: We struck two sites.", True),
        ("THE PRESIDENT: Thank you all.", True),
        ("MS. JEAN-PIERRE: Good afternoon.", True),
        # Written for the test (review): headings that hold an office's word name nobody.
        ("PRESIDENT DOE DELIVERS RESULTS: The order caps rent.", False),
        ("SECRETARY SMITH’S ROLE: The Secretary will report.", False),
        ("PUTTING AMERICA FIRST: The President acted.", False),
    ],
)
def test_a_turn_names_a_person_after_a_title_or_is_an_office(line: str, turn: bool) -> None:
    assert turns.person_turn(line) is turn


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("(Via interpreter) Thank you for the warm welcome to Washington.", "Thank you for"),
        ("Madam President, the talks went well in Geneva this week.", "The talks went"),
        # Written for the test (review): a time, a place or whose word stays.
        ("(In 2023) Exports to China fell by 5 percent.", "(In 2023) Exports"),
        ("(As of March 1) 312 people have died in the outbreak.", "(As of March 1)"),
        ("Mr. President, you have my word that we will not abandon Ukraine.", "Mr. President, you"),
    ],
)
def test_a_turns_note_and_address_open_no_statement(text: str, kept: str) -> None:
    assert statements.statement(Sentence(id=1, text=text, paragraph=0)).startswith(kept)
