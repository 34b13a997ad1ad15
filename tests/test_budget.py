from __future__ import annotations

from briefer.budget import fit_to_budget, word_limit
from briefer.models import BriefContent


def test_word_limit_formula() -> None:
    assert word_limit(100) == 150  # floor for short texts
    assert word_limit(433) == 260  # 0.6 × source words
    assert word_limit(5306) == 450  # one page at most


def test_fit_drops_from_longest_section_keeping_leads() -> None:
    content = BriefContent(
        title="Five words in this title",
        bottom_line="Ten words " * 5,
        background=["a b c d e"] + [f"filler statement number {i} here" for i in range(10)],
        us_position=["one two three"],
        ground_situation=["x y"],
        outlook=[],
    )
    fitted, dropped = fit_to_budget(content, 40)
    assert fitted.content_words() <= 40
    assert fitted.background[0] == "a b c d e"
    assert fitted.us_position == ["one two three"] and fitted.ground_situation == ["x y"]
    assert dropped == 7  # 75 words, 7 five-word statements over


def test_fit_leaves_short_brief_alone() -> None:
    content = BriefContent(
        title="t",
        bottom_line="b",
        background=["s"],
        us_position=[],
        ground_situation=[],
        outlook=["o"],
    )
    assert fit_to_budget(content, 100) == (content, 0)


def test_statements_are_cleaned_and_deduplicated() -> None:
    content = BriefContent(
        title="  A\n title ",
        bottom_line="b",
        background=["- one", "One", "", "• two"],
        us_position=[],
        ground_situation=[],
        outlook=[],
    )
    assert content.title == "A title"
    assert content.background == ["one", "two"]
