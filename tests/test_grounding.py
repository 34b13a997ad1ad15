"""Model-free text facts: names in any script, number values, known words."""

from __future__ import annotations

import pytest

from briefer.check.grounding import (
    bare_words,
    known,
    names,
    number_values,
    same_name,
    title_unsupported,
    unsupported_terms,
)


def test_names_take_letters_of_any_script() -> None:
    text = "Ömer Çelik met Zelenskyy’s aide, Álvaro López Miera and Recep Tayyip Erdoğan."
    assert names(text) == {
        "ömer",
        "çelik",
        "zelenskyy",
        "álvaro",
        "lópez",
        "miera",
        "recep",
        "tayyip",
        "erdoğan",
    }


def test_names_skip_sentence_starters_and_spelled_numbers() -> None:
    assert names("Despite the talks, New tariffs hit. Twelve died. Twenty-seven fled.") == set()
    assert names("The talks in Geneva, said Rubio.") == {"geneva", "rubio"}


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("zelenskyy", "Zelenskyy’s office said"),  # curly possessive
        ("zelenskyy", "Zelenskyy's office said"),  # straight possessive
        ("erdogan", "Recep Tayyip Erdoğan said"),  # accent folded
        ("erdoğan", "Recep Tayyip Erdogan said"),
        ("al-sharaa", "Ahmed al-Sharaa met"),  # hyphenated, lower-case particle
        ("russia-ukraine", "talks between Russian and Ukrainian delegations"),
        ("ukraine", "the Ukrainian delegation"),  # demonym
        ("iran", "Iranian oil"),
        ("us", "the United States said"),  # initials of a run of capitals
        ("us", "Today, America is stronger"),  # a President's statement that says "America"
        ("us", "Millions of Americans struggled"),
        ("imf", "the International Monetary Fund approved"),
        ("eu", "European Union members"),
        ("qa'ida", "the leader of al Qa’ida"),  # straight and curly apostrophes are one
        ("qa’ida", "the leader of al Qa'ida"),
        ("chinese", "the People’s Republic of China"),  # demonym of a name ending in a vowel
        ("russian", "Russia said"),
    ],
)
def test_known_names(name: str, source: str) -> None:
    assert known(name, bare_words(source))


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("putin", "Rubio met Sharif"),
        ("çelik", "the spokesman said"),
        ("us", "Across Latin America, prices rose"),  # a region, not the country
        ("us", "South American leaders met"),
        ("us", "Brazil and the Organization of American States sent aid"),  # the adjective
        ("us", "a loan from the Bank of America"),
    ],
)
def test_unknown_names(name: str, source: str) -> None:
    assert not known(name, bare_words(source))


def test_same_name_is_strict_for_different_names() -> None:
    assert same_name("israel", "israeli") and same_name("zelensky", "zelenskyy")
    assert not same_name("johnson", "johnston") and not same_name("iran", "iraq")
    assert not same_name("chinese", "chile")


def test_unsupported_terms_with_unicode_names() -> None:
    assert unsupported_terms("Ömer Çelik spoke", "The AK Party spokesman spoke") == [
        "çelik",
        "ömer",
    ]
    assert unsupported_terms("Erdogan spoke on 5 May", "Erdoğan spoke on 5 May") == []


def test_title_with_unicode() -> None:
    assert title_unsupported("Erdoğan offers to mediate", "Erdoğan offered to mediate.") == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("twenty-seven, Forty two, 1,000 and 2.5", {"27", "42", "1000", "2.5"}),
        ("two hundred soldiers", {"200"}),
        ("a thousand people", {"1000"}),
        ("twelve hundred prisoners", {"1200"}),
        ("seven hundred thousand", {"700000"}),
        ("1.5 million dollars", {"1500000"}),
        ("1,500,000 dollars", {"1500000"}),
        ("$2 billion", {"2000000000"}),
        ("$2bn", {"2000000000"}),
        ("£3.2m", {"3200000"}),
        ("€4bn", {"4000000000"}),
        ("a 100m race", {"100"}),  # "m" is a scale only after a currency sign
        ("40%", {"40"}),
        ("40 percent", {"40"}),
        ("Forty-two per cent", {"42"}),
        ("2.50 dollars", {"2.5"}),
        ("three-quarters of voters", {"75"}),  # an exact per cent
        ("two-thirds of exports", {"2/3"}),
        ("a third of the budget", {"1/3"}),
        ("a third round", set()),  # an ordinal, not a fraction
        ("the second round of the twenty-first century", set()),
        ("hundreds of people", set()),
        ("tens of thousands", set()),
        ("one of the officials", set()),
        ("a sixty-five-year-old man", {"65"}),
        ("twenty‐seven", {"27"}),  # Unicode hyphen
        ("April 22", {"22"}),
        ("22 April 2025", {"22", "2025"}),
    ],
)
def test_number_values(text: str, values: set[str]) -> None:
    assert number_values(text) == values


def test_unsourced_words_are_content_words_the_source_has_in_no_form() -> None:
    from briefer.check.grounding import unsourced_words

    source = (
        "The President delegated the authority; the delegation covers drawdowns of $550 million."
    )
    assert unsourced_words("The President's delegation of authority was delegated.", source) == []
    assert unsourced_words("This highlights the challenges and further restrictions.", source) == [
        "highlights",
        "challenges",
        "further",
        "restrictions",
    ]


def test_a_dotted_initialism_is_one_name() -> None:
    # A memorandum spells out "the United States of America"; the model's bottom line says
    # "The U.S. President …" — supported, not the unknown names "u" and "s".
    memo = (
        "By the authority vested in me as President by the Constitution and the laws of the "
        "United States of America, I hereby delegate to the Secretary of State the authority to "
        "direct the drawdown of up to $550 million to provide assistance to Ukraine."
    )
    assert unsupported_terms("The U.S. President delegated the drawdown for Ukraine.", memo) == []
    assert unsupported_terms("The U.N. welcomed it.", "The United Nations welcomed it.") == []
    assert unsupported_terms("The U.S. said so.", "The U.S. said so.") == []
    # An initialism the source does not support is still one.
    assert unsupported_terms("The U.K. said so.", "The United States said so.") == ["uk"]
