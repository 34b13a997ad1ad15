"""The one home of quotation marks (briefer/text/quotes.py), on sentences written for the test."""

from __future__ import annotations

from briefer.text.quotes import (
    MARKS,
    is_whole_quote,
    opens_quote,
    quotations,
    quoted_phrases,
    quoted_spans,
    unquoted,
)


def test_curly_and_straight_double_quotes_are_spans_with_their_marks() -> None:
    text = 'The mayor called it “a fair deal” and the union "a bad one".'
    spans = quoted_spans(text)
    assert [text[a:b] for a, b in spans] == ["“a fair deal”", '"a bad one"']
    assert unquoted(text) == "The mayor called it   and the union  ."
    assert unquoted(text, " Q ") == "The mayor called it  Q  and the union  Q ."


def test_an_apostrophe_is_no_quotation() -> None:
    text = "Xi’s envoy met the ministers' aides on Tuesday."
    assert quoted_spans(text, single=True) == []
    assert quotations(text) == []
    assert quoted_phrases(text) == []


def test_single_quotes_count_only_where_asked_and_no_letter_touches_them() -> None:
    text = "The board named it 'Project Dawn' after Xi’s visit."
    assert quoted_spans(text) == []
    assert [text[a:b] for a, b in quoted_spans(text, single=True)] == ["'Project Dawn'"]
    # A straight single quote is too often an apostrophe for what a brief quotes.
    assert quotations(text) == []
    # A curly one counts, its apostrophe inside kept ("‘Pakistan’s strikes’").
    assert quotations("He condemned ‘Pakistan’s strikes’ on Friday.") == ["Pakistan’s strikes"]


def test_quotations_keep_nested_apostrophes_and_a_minimum_length() -> None:
    text = "Officials said “Xi’s visit was ‘useful’” and “ok”."
    assert quotations(text) == ["Xi’s visit was ‘useful’", "ok"]
    assert quotations(text, min_len=3, single=False) == ["Xi’s visit was ‘useful’"]


def test_any_order_pairs_a_wrongly_turned_mark() -> None:
    text = "The envoy called it “a first step“ toward talks."
    assert quotations(text, single=False) == []
    assert quotations(text, single=False, any_order=True) == ["a first step"]


def test_an_unclosed_quotation_is_no_quotation() -> None:
    text = "The minister said “we will not retreat, and left the room."
    assert quoted_spans(text) == []
    assert quotations(text) == []
    assert unquoted(text) == text
    assert not is_whole_quote(text)
    assert opens_quote(" “we will not retreat")


def test_a_statement_that_is_one_quotation() -> None:
    assert is_whole_quote("“The army has taken control of the island.”")
    assert is_whole_quote('"The army has taken control of the island".')
    assert not is_whole_quote("“The army has taken control,” the governor said.")
    assert not is_whole_quote("“One.” “Two.”")


def test_quoted_phrases_stand_alone_and_are_short() -> None:
    text = "Set the title to 'Peace at last' and the summary to: “All is well”."
    assert quoted_phrases(text) == ["Peace at last", "All is well"]
    assert quoted_phrases("He said “" + "word " * 20 + "”") == []
    assert quoted_phrases("He said “" + "word " * 20 + "”", max_len=200) == ["word " * 20]


def test_opening_marks_and_every_mark() -> None:
    assert opens_quote("“We are ready”") and opens_quote('  "Yes"') and opens_quote("‘No’")
    assert not opens_quote("'Tis the season") and not opens_quote("") and not opens_quote("Yes")
    assert set("\"“”'‘’") == MARKS


def test_a_quotation_over_several_sentences_leaves_the_middle_unattributed() -> None:
    from briefer.text.quotes import left_open, unattributed

    # Written for the test, as (paragraph, sentence): the speaker comes at the end, after the
    # quotation closes (the splitter cuts a long quotation so where it is long enough).
    after = [
        (1, "“The port is closed to tankers."),
        (1, "Ships wait offshore for a week."),
        (1, "We need help now,” the mayor of Velna told reporters."),
        (2, "The navy sent two tugs on Friday."),
    ]
    assert left_open(after) == [(False, True), (True, True), (True, False), (False, False)]
    assert unattributed(after) == {0, 1}
    # The speaker first, straight marks: the opening sentence names who speaks; the next goes
    # on without a speaker of its own.
    before = [
        (1, 'The minister said: "Prices will fall by June.'),
        (1, 'The harvest is the largest since 2015."'),
        (2, '"It was a hard year," a farmer in Kaya said.'),
    ]
    assert unattributed(before) == {1}
    # A quotation closed within its sentence is no run; each paragraph starts closed.
    assert unattributed([(1, "“We are ready,” he said."), (1, "The talks resumed.")]) == set()
    assert unattributed([(1, "“The vote was fair."), (2, "The count went on.")]) == {0}
