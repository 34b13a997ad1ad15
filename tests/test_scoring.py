"""The eval's measures: strict key-fact recall, placement and empty sections (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefer.check.scoring import KeyFact, fact_placed, fact_recalled, scored_parts
from briefer.evaluate import ItemReport, SectionLabels, load_sections, score_brief, summarise
from briefer.models import Brief, BriefContent, BriefMeta, Source


def make_brief(content: BriefContent) -> Brief:
    meta = BriefMeta(model="m", endpoint="e", prompt_version="p", word_limit=300)
    return Brief.from_content(content, [Source(title="t")], meta)


@pytest.mark.parametrize(
    ("anchors", "text", "lenient", "strict"),
    [
        (["Pahalgam", "27"], "The Pahalgam attack.", True, False),  # one of two: old rule only
        (["Pahalgam", "27"], "27 died at Pahalgam.", True, True),
        (["Leavitt"], "Leavitt spoke.", True, True),
        (["Leavitt"], "She spoke.", False, False),
        (["A", "B", "C"], "A and B.", True, True),  # two of three suffice for both
        (["Alpha", "Beta", "Gamma"], "Alpha only.", False, False),
        (["Alpha", "Beta", "Gamma"], "Alpha and Beta.", True, True),
        (["w", "x", "y", "z"], "w x y.", True, True),
        (["w", "x", "y", "z"], "w x.", True, False),
    ],
)
def test_strict_rule(anchors: list[str], text: str, lenient: bool, strict: bool) -> None:
    fact = KeyFact(fact="f", anchors=anchors)
    assert fact_recalled(fact, text) is lenient
    assert fact_recalled(fact, text, strict=True) is strict


def _content(**parts: list[str]) -> BriefContent:
    title = parts.pop("title", ["Talks resume"])[0]
    bottom_line = parts.pop("bottom_line", ["Talks resume in Doha."])[0]
    body = {
        name: [{"text": t, "cites": [1]} for t in parts.get(name, [])]
        for name in ("background", "us_position", "ground_situation", "outlook")
    }
    return BriefContent.model_validate({"title": title, "bottom_line": bottom_line, **body})


def test_scored_parts_cut_at_the_limit_in_reading_order() -> None:
    content = _content(background=["one two three four five"], outlook=["six seven eight nine ten"])
    # 150 words is the smallest limit; fill the background past it.
    long = _content(background=["word " * 160], outlook=["Ceasefire expires Friday."])
    parts = scored_parts(content, source_words=100)
    assert parts["background"] == "one two three four five"
    cut = scored_parts(long, source_words=100)
    assert cut["outlook"] == ""  # past the limit: not scored, so not placed
    assert len(" ".join(cut.values()).split()) == 150


def test_fact_is_placed_only_in_an_accepted_section_or_the_headline() -> None:
    fact = KeyFact(fact="f", anchors=["Pahalgam", "April 22"])
    wrong = scored_parts(
        _content(ground_situation=["The April 22 Pahalgam attack killed 27."]), 300
    )
    right = scored_parts(_content(background=["The April 22 Pahalgam attack killed 27."]), 300)
    headline = scored_parts(_content(title=["After the April 22 Pahalgam attack"]), 300)
    assert not fact_placed(fact, wrong, ["background"])
    assert fact_placed(fact, right, ["background"])
    assert fact_placed(fact, headline, ["background"])
    # Anchors split over two sections are recalled but placed in neither.
    split = scored_parts(_content(background=["Pahalgam."], outlook=["April 22."]), 300)
    assert fact_recalled(fact, " ".join(split.values()), strict=True)
    assert not fact_placed(fact, split, ["background", "outlook"])


def test_score_brief_reports_placement_and_empty_sections() -> None:
    source = "word " * 400
    facts = [
        KeyFact(fact="attack", anchors=["Pahalgam", "27"]),
        KeyFact(fact="envoy", anchors=["Rubio"]),
        KeyFact(fact="missing", anchors=["Sindoor"]),
    ]
    labels = SectionLabels(
        facts=[["background"], ["us_position"], ["ground_situation"]],
        present=["background", "us_position", "outlook"],
    )
    brief = make_brief(
        _content(
            ground_situation=["The Pahalgam attack killed 27."],  # recalled, misplaced
            us_position=["Rubio called both sides."],  # recalled, placed
            background=[],
        )
    )
    item = score_brief(brief, source, facts, ItemReport(file="x.txt"), labels)
    assert (item.strict_recalled, item.placed) == (2, 1)
    assert item.empty_sections == ["background", "outlook"]
    assert item.filled_absent == ["ground_situation"]
    summary = summarise([item])
    assert summary.placement == 0.5
    assert (summary.empty_sections, summary.present_sections) == (2, 3)


def test_load_sections(tmp_path: Path) -> None:
    assert load_sections(tmp_path) == {}
    (tmp_path / "sections.json").write_text(
        json.dumps({"a.txt": {"facts": [["outlook"]], "present": ["outlook"], "notes": "n"}})
    )
    assert load_sections(tmp_path)["a.txt"].present == ["outlook"]
