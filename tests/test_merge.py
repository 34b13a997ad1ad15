"""One brief from several sources (``brief --merge``), against the scripted server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefer.brief import model_answer
from briefer.check.verify import verify_sources
from briefer.inputs.sources import load
from briefer.models import SECTIONS, Article, Brief, Ref
from briefer.stories import merge
from briefer.text.sentences import split_sentences

from .scripted_server import ScriptedServer

# Three outlets on one event, given out of date order. The casualty count differs (27 / 26);
# the ceasefire talks are reported by two of them in close wording; each has a fact of its own.
REUTERS = """---
title: Ceasefire talks open in Geneva after border clashes
outlet: Reuters
date: 2025-05-02
---
Border clashes near Rawalkot killed 26 people on Thursday, local officials said.
Delegations from both countries opened ceasefire talks in Geneva on Friday under UN auspices.
The US envoy Jane Doe urged both sides to agree on a monitoring mission.
Swiss officials said the talks would run for three days.
"""
ANI = """---
title: Clashes on the border leave 27 dead
outlet: ANI
date: 2025-05-01
---
Border clashes near Rawalkot killed 27 people on Thursday, according to the district hospital.
The army said 14 soldiers were among the wounded.
Residents of 12 villages fled toward Muzaffarabad overnight.
"""
AP = """---
title: Talks continue as both sides hold fire
outlet: AP
date: 2025-05-03
---
Delegations of both countries opened ceasefire talks in Geneva on Friday under UN auspices,
officials confirmed.
Both armies reported no firing along the border on Saturday.
The foreign ministers will meet in Doha next week to sign an agreement.
It rained.
"""


@pytest.fixture
def story_files(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in (("reuters", REUTERS), ("ani", ANI), ("ap", AP)):
        path = tmp_path / f"{name}.md"
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.fixture
def auto_server(server: ScriptedServer) -> ScriptedServer:
    server.auto = True
    return server


def _statements(brief: Brief) -> list[Any]:
    return [s for name, _ in SECTIONS for s in brief.section(name)]


def test_merged_brief_cites_every_source_once_per_fact_and_shows_disagreement(
    auto_server: ScriptedServer, run_cli: Any, tmp_path: Path, story_files: list[Path]
) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "brief", *map(str, story_files), "--merge", "--name", "clashes", "-o", str(out),
        "-f", "json,md",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["clashes.json", "clashes.md"]
    brief = Brief.model_validate_json((out / "clashes.json").read_text())

    # Sources in time order, each filed in its own call, then one headline call.
    assert [s.outlet for s in brief.sources] == ["ANI", "Reuters", "AP"]
    prompts = [r["messages"][-1]["content"] for r in auto_server.chat_requests]
    # (filed concurrently against a remote endpoint: in any order)
    assert sorted(p.split(",")[0] for p in prompts[:3]) == [f"Source {i} of 3" for i in (1, 2, 3)]
    assert "3 reports on one story" in prompts[3] and len(prompts) == 4

    statements = _statements(brief)
    assert {s.source for s in statements} == {1, 2, 3}  # every source heard
    # The talks, in two sources' words, appear once, citing both.
    talks = [s for s in statements if "Geneva" in s.text]
    assert len(talks) == 1
    cited = {(talks[0].source, c) for c in talks[0].cites} | {
        (r.source, r.sentence) for r in talks[0].also
    }
    assert {src for src, _ in cited} == {2, 3}
    # The death toll differs: shown, never smoothed over.
    assert [d.text for d in brief.disagreements] == ["ANI reports 27 people; Reuters 26"]
    assert brief.disagreements[0].refs == [Ref(source=1, sentence=1), Ref(source=2, sentence=1)]
    assert brief.verification is not None and brief.verification.supported_share == 1.0

    markdown = (out / "clashes.md").read_text()
    assert "## Where Sources Differ" in markdown
    assert "- ANI reports 27 people; Reuters 26 [1:1; 2:1]" in markdown
    assert "[2:2; 3:1]" in markdown or "[3:1; 2:2]" in markdown
    sources_block = markdown.split("## Sources")[1]
    for outlet, date in (("ANI", "2025-05-01"), ("Reuters", "2025-05-02"), ("AP", "2025-05-03")):
        assert f"— {outlet}, {date}" in sources_block
    assert "- [1:1] Border clashes near Rawalkot killed 27 people" in sources_block

    # Every sentence of every source is kept in the JSON (cited or not), so the saved brief
    # renders again without a model, verified as it was.
    for source, path in zip(
        brief.sources, [story_files[1], story_files[0], story_files[2]], strict=True
    ):
        kept = set(source.sentences) | set(source.other_sentences)
        assert kept == {s.id for s in split_sentences(load(str(path)).text)}
    again = run_cli("render", str(out / "clashes.json"), "-o", str(tmp_path / "again"),
                    "--format", "md", endpoint=False)  # fmt: skip
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "clashes.md").read_text() == markdown
    # The saved brief re-checks against its sources in its own order, and only that way.
    ordered = [story_files[1], story_files[0], story_files[2]]
    checked = run_cli("verify", str(out / "clashes.json"), *map(str, ordered), endpoint=False)
    assert checked.exit_code == 0, checked.output
    assert "100% pass every check" in checked.output
    wrong = run_cli("verify", str(out / "clashes.json"), str(ordered[0]), endpoint=False)
    assert wrong.exit_code != 0 and "3 source(s) but 1" in wrong.output


def test_an_unreadable_source_is_reported_and_the_rest_still_merge(
    auto_server: ScriptedServer, run_cli: Any, tmp_path: Path, story_files: list[Path]
) -> None:
    out = tmp_path / "out"
    missing = tmp_path / "gone.txt"
    result = run_cli(
        "brief", str(story_files[0]), str(missing), str(story_files[2]), "--merge",
        "-o", str(out), "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 14, result.output
    assert "gone.txt" in result.stderr
    brief = Brief.model_validate_json((out / "story.json").read_text())
    assert [s.outlet for s in brief.sources] == ["Reuters", "AP"]


def test_merge_name_must_be_a_file_name(run_cli: Any, story_files: list[Path]) -> None:
    result = run_cli("brief", *map(str, story_files), "--merge", "--name", "../x")
    assert result.exit_code != 0 and "--name" in result.output


def _article(name: str, text: str, date: str | None) -> Article:
    return Article(id=name, text=text, date=date, outlet=name)


def test_sources_in_time_order_undated_last() -> None:
    articles = [
        _article("c", "x", "2025-05-03"),
        _article("u", "x", None),
        _article("a", "x", "2025-05-01T10:00:00Z"),
        _article("v", "x", "yesterday"),
    ]
    assert [a.id for a in merge.in_time_order(articles)] == ["a", "c", "u", "v"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Clashes killed 27 people.", "Clashes killed 26 people.", [("people", "27", "26")]),
        (
            "It pledged $550 million in aid.",
            "It pledged $500 million in aid.",
            [("$aid", "$550 million", "$500 million")],
        ),
        ("It pledged $550 million in aid.", "The package is worth $550,000,000 in aid.", []),
        ("Talks began on 27 April 2025.", "Talks began on 26 April 2025.", []),  # a date
        ("The truce began in 2022.", "The truce began in 2021.", []),  # a year
        ("Clashes killed 27 people.", "Clashes wounded 14 soldiers.", []),
    ],
)
def test_number_conflicts(a: str, b: str, expected: list[tuple[str, str, str]]) -> None:
    assert merge._conflicts(a, b) == expected


def _story(*texts: tuple[str, str]) -> merge.Story:
    parts = []
    for date, text in texts:
        article = Article(id=date, text=text, date=date)
        sentences = split_sentences(text)
        parts.append((article, sentences, sentences))
    return merge.build(parts)


def test_an_earlier_report_taken_up_by_a_later_one_becomes_background() -> None:
    story = _story(
        ("2025-05-01", "Troops from India massed near the Rawalkot crossing on Thursday."),
        ("2025-05-03", "Troops from India withdrew from the Rawalkot crossing on Saturday."),
    )
    filed = model_answer.Filed(
        title="T", bottom_line="B", sections={1: "ground_situation", 2: "ground_situation"}
    )
    labels = merge.story_sections(filed, story, merge.Relations(story))
    assert labels == {1: "background", 2: "ground_situation"}
    assert story.refs == {1: Ref(source=1, sentence=1), 2: Ref(source=2, sentence=1)}


def test_verify_flags_a_citation_of_a_sentence_that_does_not_exist() -> None:
    text_a = "Border clashes near Rawalkot killed 27 people on Thursday."
    text_b = "Border clashes near Rawalkot killed 27 people, officials said."
    brief = Brief.model_validate(
        {
            "title": "Clashes",
            "bottom_line": "Clashes killed 27 people.",
            "background": [],
            "us_position": [],
            "ground_situation": [
                {"text": text_a, "cites": [1], "source": 1, "also": [{"source": 2, "sentence": 1}]},
                {"text": text_b, "cites": [1], "source": 2, "also": [{"source": 2, "sentence": 9}]},
            ],
            "outlook": [],
            "sources": [{"title": "a"}, {"title": "b"}],
            "meta": {"model": "m", "endpoint": "e", "prompt_version": "p"},
        }
    )
    articles = [Article(id="a", text=text_a), Article(id="b", text=text_b)]
    checked = verify_sources(brief, articles)
    first, second = checked.ground_situation
    assert first.status == "supported"
    assert second.status == "unsupported" and "2:9" in second.problems[0]
    assert json.loads(checked.model_dump_json())["ground_situation"][0]["also"] == [
        {"source": 2, "sentence": 1}
    ]


def test_a_fact_in_two_wordings_is_stated_in_the_denser_one_citing_both() -> None:
    memo = (
        "By the authority vested in me as President by the Constitution and the laws of the "
        "United States, I hereby delegate to the Secretary of State the authority to direct "
        "the drawdown of up to $550 million in defense articles and services of the "
        "Department of Defense to provide assistance to Ukraine and to make the determinations "
        "required under such section to direct such a drawdown."
    )
    statement = (
        "The Secretary of State authorized a drawdown of $550 million from Department of "
        "Defense stocks for Ukraine on Monday."
    )
    story = _story(("2025-08-01", memo), ("2025-08-01", statement))
    relations = merge.Relations(story)
    assert relations.is_same(1, 2)  # worded apart (cosine well under 0.25), five facts shared
    filed = model_answer.Filed(
        title="Drawdown for Ukraine",
        bottom_line="The Secretary of State authorized a drawdown for Ukraine.",
        sections={1: "us_position", 2: "us_position"},
    )
    content, chosen, _, _ = merge.compose_story(filed, story, 150)
    assert [s.id for s in chosen] == [2]
    (only,) = content.us_position
    assert (only.source, only.cites, only.also) == (2, [1], [Ref(source=1, sentence=1)])
    # Written for the test: another government's order and its announcement (no US actor, so
    # the cues file it under Ground Situation).
    order = (
        "Pursuant to the powers conferred on me by the Constitution and the statutes of the "
        "Republic, I hereby instruct the Minister of Finance to release up to $120 million from "
        "the National Disaster Fund of the Treasury to provide relief to the flooded districts of "
        "Sindh and to make the transfers required under such order to carry out such a release."
    )
    announced = (
        "The Minister of Finance released $120 million from the National Disaster Fund for flood "
        "relief in Sindh on Tuesday."
    )
    story = _story(("2025-08-01", order), ("2025-08-01", announced))
    assert merge.Relations(story).is_same(1, 2)
    filed = model_answer.Filed(
        title="Flood relief for Sindh",
        bottom_line="The Minister of Finance released flood relief for Sindh.",
        sections={1: "ground_situation", 2: "ground_situation"},
    )
    content, chosen, _, _ = merge.compose_story(filed, story, 150)
    assert [s.id for s in chosen] == [2]
    (only,) = content.ground_situation
    assert (only.source, only.cites, only.also) == (2, [1], [Ref(source=1, sentence=1)])
