"""`briefer eval`: metrics by the key-fact rule, the lead-N baseline, caching, comparison."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefer import load_settings
from briefer.check.grouping_scores import readme_dates
from briefer.check.scoring import KeyFact, fact_recalled, recall, scored_text
from briefer.evaluate import (
    OTHER_KIND,
    EvalReport,
    ItemReport,
    SectionLabels,
    absent_numbers,
    absent_quotes,
    by_kind,
    kind_of,
    load_keyfacts,
    load_sections,
    score_brief,
)
from briefer.models import Brief, BriefMeta, Source

from .conftest import filed_answer
from .scripted_server import ScriptedServer


def fact(*anchors: str) -> KeyFact:
    return KeyFact(fact="f", anchors=list(anchors))


@pytest.mark.parametrize(
    ("anchors", "text", "expected"),
    [
        (("Pahalgam",), "the pahalgam attack", True),  # case-insensitive
        (("Pahalgam", "April 22"), "in Pahalgam", True),  # 1 of 2: half, rounded up
        (("Pahalgam", "April 22", "27"), "in Pahalgam", False),  # 1 of 3 < 2
        (("Pahalgam", "April 22", "27"), "27 died in Pahalgam", True),  # 2 of 3
        (("Rubio’s call",), "Rubio's call", True),  # curly vs straight quotes
        (("“concrete steps”",), 'take "concrete steps" now', True),
        (("1,000 troops",), "1000 troops", True),  # thousands separator
        (("2,500",), "2,500", True),
        (("East–West",), "East-West", True),  # dashes
    ],
)
def test_key_fact_rule(anchors: tuple[str, ...], text: str, expected: bool) -> None:
    assert fact_recalled(fact(*anchors), text) is expected


def make_brief(**sections: list[str]) -> Brief:
    meta = BriefMeta(
        model="m",
        endpoint="e",
        prompt_version="p",
        word_limit=150,
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )
    body = {
        name: sections.get(name, [])
        for name in ("background", "us_position", "ground_situation", "outlook")
    }
    return Brief(
        title="Talks resume in Geneva",
        bottom_line="Iran and the US meet on 4 May.",
        sources=[Source(title="t")],
        meta=meta,
        **body,
    )


def test_score_a_known_brief() -> None:
    source = "Iran and the US meet in Geneva on 4 May. " + "Filler words here. " * 100
    brief = make_brief(
        us_position=['Blinken said "we are hopeful" about 12 proposals.'],
        outlook=["A second round follows in June."],
    )
    facts = [fact("Geneva"), fact("4 May", "Iran"), fact("Blinken", "hopeful", "12"), fact("Oslo")]
    from briefer.evaluate import ItemReport

    item = score_brief(brief, source, facts, ItemReport(file="x.txt"))
    assert (item.recalled, item.facts, item.recall) == (3, 4, 0.75)
    assert item.sections_covered == 2
    assert item.statements == {
        "background": 0,
        "us_position": 1,
        "ground_situation": 0,
        "outlook": 1,
    }
    assert item.absent_numbers == ["12"]
    assert item.absent_quotes == ["we are hopeful"]
    assert item.words_in == len(source.split())


def test_length_limit_cuts_late_facts() -> None:
    brief = make_brief(background=["word " * 200 + "Zanzibar"])
    assert recall([fact("Zanzibar")], scored_text(brief, 100)) == 0.0  # limit 150 words
    assert recall([fact("Zanzibar")], scored_text(brief, 1000)) == 1.0  # limit 450 words


def test_absent_helpers() -> None:
    assert absent_numbers("1,000 people and 27 more", "1000 people, 27 more") == []
    assert absent_quotes("He said “no deal today”.", 'He said "no  deal today".') == []


def write_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "The minister met envoys in Geneva on Monday. The talks covered 1,200 detainees. "
        "Washington said it backs the talks. A second round is planned for June in Oslo.\n"
    )
    (corpus / "b.txt").write_text(
        "Floods hit the northern province on Tuesday. Officials said 40 villages were cut off. "
        "The US pledged $5 million in aid. More rain is expected next week.\n"
    )
    (corpus / "keyfacts.json").write_text(
        json.dumps(
            {
                "a.txt": [
                    {"fact": "Geneva talks", "anchors": ["Geneva"]},
                    {"fact": "detainees", "anchors": ["1,200", "detainees"]},
                    {"fact": "Oslo round", "anchors": ["June", "Oslo"]},
                ],
                "b.txt": [
                    {"fact": "villages", "anchors": ["40 villages"]},
                    {"fact": "aid", "anchors": ["$5 million"]},
                ],
            }
        )
    )
    (corpus / "sections.json").write_text(
        json.dumps(
            {
                "a.txt": {
                    "facts": [["ground_situation"], ["background"], ["outlook"]],
                    "present": ["ground_situation", "us_position", "outlook"],
                },
            }
        )
    )
    return corpus


def test_eval_command_report_cache_and_compare(
    server: ScriptedServer, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = write_corpus(tmp_path)
    a, b = (corpus / "a.txt").read_text(), (corpus / "b.txt").read_text()
    server.add_json(
        filed_answer(
            a,
            {1: "ground_situation", 2: "ground_situation", 3: "us_position", 4: "outlook"},
            title="Envoys meet in Geneva",
            bottom_line="The minister met envoys.",
        )
    )
    server.add_json(
        filed_answer(
            b,
            {1: "ground_situation", 2: "ground_situation", 3: "us_position", 4: "other"},
            title="Floods cut off villages",
            bottom_line="Floods hit.",
        )
    )
    result = run_cli("eval", str(corpus), "--out", "r1.json")
    assert result.exit_code == 0, result.output
    report = EvalReport.model_validate_json(Path("r1.json").read_text())
    first, second = report.items
    assert (first.file, first.recall, first.facts) == ("a.txt", 1.0, 3)
    assert second.recall == 1.0 and second.sections_covered == 2
    assert second.statements["outlook"] == 0  # "other" is left out
    assert report.summary.calls == 2 and report.summary.texts == 2
    assert report.summary.statements == 7 and report.summary.supported_share == 1.0
    assert first.supported == 4 and first.flagged == 0
    assert (tmp_path / "r1-briefs" / "a.md").exists() and (
        tmp_path / "r1-briefs" / "b.json"
    ).exists()
    assert "lead-N" in result.stdout and "only matches the lead-N baseline" in result.stdout
    requests = server.chat_requests
    assert len(requests) == 2  # one a text
    assert all(r["temperature"] == 0 and r["seed"] == 42 for r in requests)

    markdown = run_cli("eval", str(corpus), "--out", "r1.json", "--markdown")
    # a.txt has sections.json labels: the Geneva fact is placed by the title, the detainees
    # fact sits under Ground Situation where only Background is accepted; nothing left empty.
    row = "| a.txt | 1.000 (3/3) | 1.000 | 2/3 | 0/3 | 1.000 (3/3) | 1.000 | 3/4 | 4/4 | 0 / 0 |"
    assert row + " 28 → 36 |" in markdown.stdout
    assert "| b.txt | 1.000 (2/2) | 1.000 |  |  |" in markdown.stdout  # no labels: not measured
    assert "placed in an accepted section: 67%; empty sections with material: 0 of 3" in (
        markdown.stdout
    )
    assert "Statements that pass every check of the verifier: 100% of 7." in markdown.stdout
    # the fidelity proxies, a row a text: b.txt's bottom line ("Floods hit.") is the model's
    assert "| title/bottom-line words not in cited sentences | negation mismatches |" in (
        markdown.stdout
    )
    assert "| a.txt | 0 | 0 | 0 | 0 | 0 | 0 |" in markdown.stdout
    assert len(server.chat_requests) == 2  # cached
    # means per kind: neither name has a letter prefix
    assert "| **all** | **2** | **1.000** | **1.000** | **+0.000** | **67%** |" in markdown.stdout
    assert "| other | 2 | 1.000 |" in markdown.stdout

    # A rerun is answered from the cache: no request reaches the server.
    result = run_cli("eval", str(corpus), "--out", "r2.json", "--compare", "r1.json")
    assert result.exit_code == 0, result.output
    assert len(server.chat_requests) == 2
    again = EvalReport.model_validate_json(Path("r2.json").read_text())
    assert again.items[0].cached_calls == 1 and again.summary.mean_recall == 1.0
    assert "compared with the earlier report" in result.stdout
    assert "1.000 → 1.000" in result.stdout

    # --fresh asks the model again; a text whose answers stay invalid is reported, not fatal.
    server.add_content("garbage")
    server.add_content("garbage")
    server.add_json(filed_answer(b, title="Floods", bottom_line="Floods hit."))
    result = run_cli("eval", str(corpus), "--out", "r3.json", "--fresh", "--compare", "r1.json")
    assert result.exit_code == 14
    failed = EvalReport.model_validate_json(Path("r3.json").read_text())
    assert failed.items[0].error and failed.items[0].recall == 0.0
    assert failed.summary.failed == 1
    assert "-1.000" in result.stdout  # recall delta of a.txt


def test_an_unexpected_error_costs_its_text_only(tmp_path: Path) -> None:
    """A bug met on one text is that text's error in the report; the others are measured."""
    from briefer.evaluate import evaluate
    from briefer.models import Article

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Iran and the US meet in Geneva on 4 May. More words follow.")
    (corpus / "b.txt").write_text("Talks resume in Geneva. Iran and the US meet on 4 May.")
    (corpus / "keyfacts.json").write_text(
        json.dumps({name: [{"fact": "f", "anchors": ["Geneva"]}] for name in ("a.txt", "b.txt")})
    )

    class Stand:
        """Briefs b.txt; meets a bug on a.txt."""

        def brief(self, article: Article, progress: object = None) -> Brief:
            if "More words" in article.text:
                raise TypeError("'NoneType' object is not subscriptable")
            return make_brief(outlook=["Iran and the US meet in Geneva."])

        def write(self, brief: Brief, folder: Path, stem: str, formats: object) -> list[Path]:
            return []

    report = evaluate(Stand(), corpus, tmp_path / "briefs")  # type: ignore[arg-type]
    failed, measured = report.items
    assert failed.error is not None and "a.txt: unexpected TypeError" in failed.error
    assert failed.strict_missed == ["f"] and failed.strict_recall == 0.0
    assert measured.error is None and measured.strict_recall == 1.0
    assert report.summary.failed == 1


def test_kind_of_a_text_and_means_per_kind() -> None:
    assert kind_of("c01_crs_insight_haiti.txt") == "c"
    assert kind_of("w3_wikinews.txt") == "w"
    assert kind_of("00_seed.txt") == OTHER_KIND
    assert kind_of("00_seed.txt", SectionLabels(facts=[], present=[], kind="news")) == "news"
    items = [
        ItemReport(file="c01.txt", kind="c", strict_recall=0.5, lead_strict_recall=0.25),
        ItemReport(file="c02.txt", kind="c", strict_recall=1.0, lead_strict_recall=0.75),
        ItemReport(file="w01.txt", kind="w", strict_recall=0.5, lead_strict_recall=0.5),
    ]
    kinds = by_kind(items)
    assert list(kinds) == ["c", "w"]
    assert kinds["c"].texts == 2 and kinds["c"].mean_strict_recall == 0.75
    assert kinds["c"].mean_lead_strict_recall == 0.5 and kinds["w"].texts == 1


def test_the_sample_corpus_is_in_the_corpus_format() -> None:
    """eval/sample: key facts and section labels for every text and no other, a label per fact,
    and a date in its README for every text but the seed article."""
    sample = Path(__file__).resolve().parent.parent / "eval" / "sample"
    texts = sorted(p.name for p in sample.glob("*.txt"))
    facts, labels = load_keyfacts(sample), load_sections(sample)
    assert len(texts) == 10 and sorted(facts) == sorted(labels) == texts
    assert all(len(labels[name].facts) == len(facts[name]) for name in texts)
    assert sorted(readme_dates(sample)) == [n for n in texts if not n.startswith("00_seed")]


def test_eval_needs_keyfacts(run_cli, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Some text here for the test.")
    result = run_cli("eval", str(tmp_path), "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 7
    assert "keyfacts.json not found" in result.stderr


def test_cache_key_of_the_embedded_model_ignores_its_port() -> None:
    from briefer.errors import EndpointUnreachableError
    from briefer.model.answer_cache import AnswerCache
    from briefer.model.llm import ChatModel
    from briefer.model.local_server import local_settings
    from briefer.models import Usage

    keys: list[str] = []

    class Spy(AnswerCache):
        def get(self, key: str) -> None:
            keys.append(key)

    settings = load_settings({"max_retries": 0}, environ={})
    for port in (40001, 40002):
        model = ChatModel(local_settings(settings, f"http://127.0.0.1:{port}/v1"))
        model.cache = Spy(Path("/nonexistent"))
        with pytest.raises(EndpointUnreachableError):  # nothing listens; the key comes first
            model.complete_json(
                [{"role": "user", "content": "x"}],
                {"type": "string"},
                name="n",
                max_tokens=5,
                usage=Usage(),
            )
    assert len(keys) == 2 and keys[0] == keys[1]


def test_eval_stories_scores_grouping_and_merged_briefs(
    server: ScriptedServer, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.auto = True
    corpus = tmp_path / "stories"
    corpus.mkdir()
    texts = {
        "a1.txt": "Quake in Ardmore\n\nA magnitude 6.1 earthquake struck Ardmore on Monday, "
        "killing 12 people.\nRescue teams from Tulsa reached the collapsed school in Ardmore.\n",
        "a2.txt": "Ardmore quake toll\n\nThe Ardmore earthquake of magnitude 6.1 killed 12 "
        "people, officials said.\nThe US Secretary of State Jane Doe offered aid to Ardmore.\n",
        "b1.txt": "Port strike ends\n\nDock workers in Valparaiso ended a 9-day strike on "
        "Friday.\nShipping lines said 40 vessels were waiting outside the port.\n",
    }
    for name, text in texts.items():
        (corpus / name).write_text(text)
    (corpus / "GROUPS.json").write_text(
        json.dumps({"stories": {"S1": ["a1.txt", "a2.txt"]}, "singletons": ["b1.txt"]})
    )
    facts = {
        "S1": [
            {"fact": "6.1 quake", "anchors": ["6.1", "Ardmore"]},
            {"fact": "school", "anchors": ["collapsed school"]},
            {"fact": "aid", "anchors": ["offered aid"]},
        ],
        "b1.txt": [{"fact": "strike ended", "anchors": ["9-day strike"]}],
    }
    (corpus / "keyfacts.json").write_text(json.dumps(facts))
    monkeypatch.chdir(tmp_path)
    result = run_cli("eval", str(corpus), "--stories", "--out", "r.json")
    assert result.exit_code == 0, result.output
    report = EvalReport.model_validate_json((tmp_path / "r.json").read_text())
    assert report.grouping is not None
    assert sorted(map(sorted, report.grouping.predicted)) == [["a1.txt", "a2.txt"], ["b1.txt"]]
    assert (report.grouping.exact, report.grouping.expected, report.grouping.f1) == (2, 2, 1.0)
    story, single = report.items
    assert (story.file, story.sources, single.file, single.sources) == ("S1", 2, "b1.txt", 1)
    assert story.sources_cited == 2 and story.facts == 3 and story.strict_recalled == 3
    assert single.strict_recall == 1.0
    assert "2 of 2 groups exactly right" in result.output
    assert (tmp_path / "r-briefs" / "S1.json").is_file()
    table = run_cli("eval", str(corpus), "--stories", "--out", "r.json", "--markdown").output
    assert "| sources cited |" in table and "| 2/2 |" in table and "1/1 stories all" in table
