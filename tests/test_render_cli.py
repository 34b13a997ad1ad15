"""``briefer render``: a saved brief, perhaps edited, verified again and rendered; no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from briefer.cli.main import main
from briefer.models import Brief
from briefer.text.sentences import split_sentences

from .briefs import BRIEFS, SEED_ARTICLE, multi_source_brief


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["render", *map(str, args)])


def copy(name: str, folder: Path) -> Path:
    target = folder / name
    target.write_text((BRIEFS / name).read_text())
    return target


def test_json_to_markdown_and_pdf_beside_it(tmp_path: Path) -> None:
    brief = copy("seed_00.json", tmp_path)
    result = run(brief)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / "seed_00.md"), str(tmp_path / "seed_00.pdf")]
    assert "verification (against the sentences stored in the brief): 8 statements" in result.stderr
    assert "--source" in result.stderr  # how to check against the whole article
    md = (tmp_path / "seed_00.md").read_text()
    assert md.startswith("# US Urges Rapid De-Escalation") and "## Verification" in md
    pdf = PdfReader(tmp_path / "seed_00.pdf")
    assert len(pdf.pages) == 1 and round(float(pdf.pages[0].mediabox.height)) == 842


def test_edited_markdown_is_verified_against_its_source(tmp_path: Path) -> None:
    """The analyst's edit brings in a number the article lacks: the statement is flagged."""
    assert run(copy("seed_00.json", tmp_path), "-f", "md").exit_code == 0
    md_file = tmp_path / "seed_00.md"
    md = md_file.read_text()
    first = next(line for line in md.splitlines() if line.startswith("- ") and "[" in line)
    text, _, cite = first.rpartition(" [")
    md_file.write_text(md.replace(first, f"{text} 4,000 more troops were sent. [{cite}"))
    result = run(md_file, "--source", SEED_ARTICLE, "--page-size", "letter", "-f", "md,json,pdf")
    assert result.exit_code == 0, result.output
    assert "verification (against its sources)" in result.stderr
    brief = Brief.model_validate_json((tmp_path / "seed_00.json").read_text())
    flagged = [s for name in ("background", "us_position") for s in brief.section(name)]
    edited = next(s for s in flagged if "4,000 more troops" in s.text)
    assert edited.status == "unsupported"
    assert "number 4000 is not in the source" in edited.problems
    stored = {**brief.sources[0].other_sentences, **brief.sources[0].sentences}
    assert sorted(stored) == [s.id for s in split_sentences(SEED_ARTICLE.read_text())]
    rewritten = md_file.read_text()  # the Markdown, rendered again, shows the flag
    assert "**⚠ Unsupported:**" in rewritten and "4,000 more troops" in rewritten
    pdf = PdfReader(tmp_path / "seed_00.pdf")
    assert round(float(pdf.pages[0].mediabox.height)) == 792
    assert "unsupported" in pdf.pages[0].extract_text()


def test_fail_policy_writes_nothing(tmp_path: Path) -> None:
    data = json.loads((BRIEFS / "seed_00.json").read_text())
    data["us_position"][0]["text"] = "Putin flew to Delhi with 9,999 soldiers."
    brief = tmp_path / "edited.json"
    brief.write_text(json.dumps(data))
    result = run(brief, "--on-unsupported", "fail", "-o", tmp_path / "out")
    assert result.exit_code == 16, result.output
    assert "unsupported statement" in result.stderr
    assert not (tmp_path / "out").exists()


def test_several_sources_are_checked_each_against_its_own(tmp_path: Path) -> None:
    brief = tmp_path / "multi.json"
    brief.write_text(multi_source_brief().model_dump_json())
    result = run(brief, "-f", "json,md")
    assert result.exit_code == 0, result.output
    checked = Brief.model_validate_json((tmp_path / "multi.json").read_text())
    assert checked.background[0].status == "supported"  # [2:3] "Islamabad called for talks."
    assert checked.outlook[0].status == "unsupported"  # 32 is not in source 2's sentences
    assert checked.outlook[0].problems == ["number 32 is not in the stored sentences"]
    assert "- Islamabad called for talks. [2:3]" in (tmp_path / "multi.md").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "x"}', "is not a briefer brief"),
        ("# Title\n\n## Bottom Line\n\nx\n\n## Forecast\n", "unknown heading"),
        ("just some notes\n", "text before the “# title” line"),
    ],
)
def test_a_file_that_is_not_a_brief_is_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    brief = tmp_path / "notes.md"
    brief.write_text(content)
    result = run(brief, "-o", tmp_path / "out")
    assert result.exit_code == 19, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_wrong_number_of_sources_is_a_clear_error(tmp_path: Path) -> None:
    result = run(copy("seed_00.json", tmp_path), "--source", SEED_ARTICLE, "--source", SEED_ARTICLE)
    assert result.exit_code == 7 and "1 source(s) but 2 were given" in result.stderr
