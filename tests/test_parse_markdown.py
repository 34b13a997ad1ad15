"""Markdown read back into a brief: render → parse → render gives the same bytes."""

from __future__ import annotations

import pytest

from briefer.errors import BriefFileError
from briefer.models import Brief, Source
from briefer.render.parse_markdown import parse_cites, parse_markdown, statement_cites
from briefer.render.render import Renderer

from .briefs import multi_source_brief, saved, script_brief, story_brief
from .test_render import GOLDEN, sample_brief


def parse(markdown: str, brief: Brief | None = None) -> Brief:
    return parse_markdown(markdown, origin="b.md", meta=(brief or sample_brief()).meta)


@pytest.mark.parametrize(
    ("marker", "pairs"),
    [
        ("3", [(None, 3)]),
        ("3,4", [(None, 3), (None, 4)]),
        ("2:3", [(2, 3)]),
        ("2:3,4", [(2, 3), (2, 4)]),
        ("1:9,1:10", [(1, 9), (1, 10)]),
        ("1:4; 2:7", [(1, 4), (2, 7)]),
        (" 1:4,5 ;2:7 ", [(1, 4), (1, 5), (2, 7)]),
    ],
)
def test_parse_cites(marker: str, pairs: list[tuple[int | None, int]]) -> None:
    assert parse_cites(marker) == pairs


@pytest.mark.parametrize("marker", ["", "x", "3,", "a:3", "1:", "1:2:3", "3 4"])
def test_parse_cites_refuses_what_is_not_a_citation(marker: str) -> None:
    with pytest.raises(ValueError, match="bad"):
        parse_cites(marker)


def test_statement_cites_a_source_and_others_stating_the_same_fact() -> None:
    assert statement_cites([(None, 3), (None, 4)]) == {"cites": [3, 4], "source": 1, "also": []}
    assert statement_cites([(2, 7)]) == {"cites": [7], "source": 2, "also": []}
    assert statement_cites([(2, 7), (1, 4), (1, 5)]) == {
        "cites": [7],
        "source": 2,
        "also": [{"source": 1, "sentence": 4}, {"source": 1, "sentence": 5}],
    }


ROUND_TRIPS = {
    "golden sample (flag, dropped, escapes)": sample_brief,
    "longest dev brief": lambda: saved("longest_09_gaggle.json"),
    "seed brief": lambda: saved("seed_00.json"),
    "partly supported statements": lambda: saved("flagged_04.json"),
    "several sources": multi_source_brief,
    "a story (also-cited facts, disagreements)": story_brief,
    "every script": script_brief,
    "not verified, no sources": lambda: sample_brief().model_copy(
        update={"verification": None, "dropped": [], "sources": []}
    ),
    "sources without link, outlet or date": lambda: sample_brief().model_copy(
        update={
            "sources": [
                Source(origin="a.txt", sentences={2: "x", 6: "y", 9: "z", 10: "w", 12: "v"}),
                Source(title="Talks, again — live", date="2025-05-08"),
                Source(title="[1] Odd *title*", outlet="Voice of America, Washington"),
            ]
        }
    ),
}


@pytest.mark.parametrize("make", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_render_parse_render_gives_the_same_bytes(make: object) -> None:
    brief = make()  # type: ignore[operator]
    renderer = Renderer()
    markdown = renderer.markdown(brief)
    again = parse(markdown, brief)
    assert renderer.markdown(again).encode() == markdown.encode()
    # What the Markdown shows is what was parsed, not just the same text.
    assert again.title == brief.title and again.bottom_line == brief.bottom_line
    assert [s.text for s in again.us_position] == [s.text for s in brief.us_position]
    assert [s.cites for s in again.background] == [s.cites for s in brief.background]
    assert [s.source for s in again.outlook] == [s.source for s in brief.outlook]
    assert [s.sentences for s in again.sources] == [s.sentences for s in brief.sources]
    assert again.meta == brief.meta
    assert again.verification == brief.verification


def test_golden_file_parses_to_the_sample_brief() -> None:
    brief = parse(GOLDEN.read_text())
    expected = sample_brief()
    assert brief.us_position[1].status == "partial"
    assert brief.us_position[1].problems == ["number 3 is not in the cited sentences"]
    assert brief.us_position[1].text == "Tammy Bruce said the US backs [direct] talks <now>."
    assert brief.background[0].text == "The Resistance Front claimed the attack on *tourists*."
    assert brief.dropped[0].text == "Putin endorsed the talks." and brief.dropped[0].cites == [4]
    assert brief.sources[0].url == "https://example.com/story?id=1&x=2"
    assert brief.sources[0].outlet == "ANI" and brief.sources[0].date == "2025-05-08"
    assert brief.sources[0].sentences[10] == "Talks <now>."
    assert brief.meta.created == expected.meta.created


def test_hand_edits_are_read() -> None:
    """An editor wraps long lines and removes the meta comment; a statement is reworded."""
    markdown = Renderer().markdown(sample_brief())
    markdown = markdown.replace(
        "- India launched Operation Sindoor. [12]",
        "- India launched\n  Operation Sindoor on\n  Wednesday. [12]",
    )
    markdown = "\n".join(ln for ln in markdown.splitlines() if "briefer-meta" not in ln)
    fallback = sample_brief().meta.model_copy(update={"model": "fallback"})
    brief = parse_markdown(markdown, origin="b.md", meta=fallback)
    assert brief.ground_situation[0].text == "India launched Operation Sindoor on Wednesday."
    assert brief.ground_situation[0].cites == [12]
    assert brief.meta.model == "fallback"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda md: md.replace("## Outlook", "## Forecast"), "unknown heading “Forecast”"),
        (lambda md: md.replace("# Rubio", "Rubio"), "text before the “# title” line"),
        (lambda md: md.replace("Sindoor. [12]", "Sindoor. [1,x]"), "line 18: bad sentence number"),
        (
            lambda md: md.replace("- [12] India struck.", "- [9:12] India struck."),
            "line 35: cites source 9",
        ),
        (lambda md: md.replace("5 statements", "five statements"), "verification summary"),
        (lambda md: md + "\n## Background\n", "a second “## Background”"),
    ],
)
def test_what_is_not_the_layout_is_a_clear_error(change: object, message: str) -> None:
    markdown = change(Renderer().markdown(sample_brief()))  # type: ignore[operator]
    with pytest.raises(BriefFileError, match=message) as caught:
        parse(markdown)
    assert caught.value.exit_code == 19 and caught.value.hint


def test_a_story_brief_reads_back_with_its_citations_and_disagreements() -> None:
    brief = story_brief()
    back = parse(Renderer().markdown(brief))
    assert back.background[0].also == brief.background[0].also
    assert [d.text for d in back.disagreements] == ["Reuters reports 31 people; Dawn 32"]
    assert back.disagreements[0].refs == brief.disagreements[0].refs
