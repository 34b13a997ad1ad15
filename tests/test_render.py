"""Templates: the Markdown layout is a contract (golden file); escaping keeps text literal."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefer.models import (
    Basis,
    Brief,
    BriefMeta,
    Ref,
    Source,
    Statement,
    Usage,
    VerificationSummary,
)
from briefer.render.render import Renderer, md_escape

GOLDEN = Path(__file__).parent / "golden" / "brief.md"


def sample_brief() -> Brief:
    return Brief(
        title="Rubio Presses India and Pakistan to De-escalate",
        bottom_line="The US wants rapid de-escalation after the April 22 attack killed 27 people.",
        title_basis=Basis(cites=[Ref(source=1, sentence=2)], form="paraphrase"),
        bottom_line_basis=Basis(
            cites=[Ref(source=1, sentence=1)],
            form="paraphrase",
            replaced="words not in the cited sentences: “calm”",
        ),
        background=[
            Statement(
                text="The Resistance Front claimed the attack on *tourists*.",
                cites=[2],
                status="supported",
            )
        ],
        us_position=[
            Statement(
                text="Marco Rubio called S. Jaishankar and Shehbaz Sharif.",
                cites=[6],
                status="supported",
            ),
            Statement(
                text="Tammy Bruce said the US backs [direct] talks <now>.",
                cites=[9, 10],
                status="partial",
                problems=["number 3 is not in the cited sentences"],
            ),
        ],
        ground_situation=[
            Statement(text="# India launched Operation Sindoor.", cites=[12], status="supported"),
            Statement(text="1. Pakistan reported casualties.", cites=[13], status="supported"),
        ],
        outlook=[],
        sources=[
            Source(
                title="White House urges de-escalation",
                outlet="ANI",
                date="2025-05-08",
                url="https://example.com/story?id=1&x=2",
                origin="seed.txt",
                sentences={
                    2: "The attack was claimed by The Resistance Front.",
                    6: "Rubio called S. Jaishankar and Shehbaz Sharif.",
                    9: "Bruce said so.",
                    10: "Talks <now>.",
                    12: "India struck.",
                    13: "Pakistan reported casualties.",
                },
            ),
        ],
        dropped=[
            Statement(
                text="Putin endorsed the talks.",
                cites=[4],
                status="unsupported",
                problems=["name “putin” is not in the source"],
                section="outlook",
            )
        ],
        verification=VerificationSummary(
            statements=5,
            supported=4,
            partial=1,
            dropped=1,
            supported_share=0.8,
            verbatim=3,
            shortened=1,
            paraphrased=1,
            title="supported",
            unjudged=["[3] a judgement, “could”"],
        ),
        meta=BriefMeta(
            model="m",
            endpoint="http://127.0.0.1:1/v1",
            prompt_version="brief-1+x",
            usage=Usage(calls=1, prompt_tokens=10, completion_tokens=5),
            created=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
        ),
    )


def test_markdown_matches_golden_file() -> None:
    rendered = Renderer().markdown(sample_brief())
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered)
    assert rendered == GOLDEN.read_text()


def test_markdown_headings_in_order_and_bullets() -> None:
    md = Renderer().markdown(sample_brief())
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == [
        "# Rubio Presses India and Pakistan to De-escalate",
        "## Bottom Line",
        "## Background",
        "## US Position",
        "## Ground Situation",
        "## Outlook",
        "## Sources",
        "### Cited sentences",  # the citation appendix belongs to Sources
        "## Verification",
    ]
    assert "_No statement on the outlook was drawn from the sources._" in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text, U.S. policy", "plain text, U.S. policy"),
        ("*bold* and _it_", "\\*bold\\* and \\_it\\_"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("<script>x</script>", "\\<script\\>x\\</script\\>"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("a\nb\n\n# c", "a b # c"),
        ("&amp; stays", "\\&amp; stays"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_html_is_autoescaped() -> None:
    brief = sample_brief().model_copy(update={"title": "<b>x</b>"})
    html = Renderer().html(brief, handling="SECRET <i>")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "SECRET &lt;i&gt;" in html
    assert 'href="https://example.com/story?id=1&amp;x=2"' in html
    assert '<span class="cite"> [9,10]</span>' in html
    assert "⚠ partly supported: number 3 is not in the cited sentences" in html
    assert (
        "5 statements (3 verbatim, 1 shortened, 1 paraphrased), 60% pass every check, "
        "1 the checks cannot judge ([3] a judgement, “could”)"
    ) in html
    assert "Title: a paraphrase of [2]; passes every check" in html
    javascript = sample_brief().model_copy(
        update={"sources": [Source(title="x", url="javascript:alert(1)")]}
    )
    assert "javascript" not in Renderer().html(javascript, handling="U")


def test_user_template_override(tmp_path: Path) -> None:
    (tmp_path / "brief.md.j2").write_text("TITLE={{ brief.title | md }}\n")
    assert Renderer(tmp_path).markdown(sample_brief()) == (
        "TITLE=Rubio Presses India and Pakistan to De-escalate\n"
    )


def test_a_full_450_word_brief_fits_one_page() -> None:
    from pypdf import PdfReader

    from briefer.render.pdf import render_pdf

    statements = [
        Statement(
            text=f"Officials in city {i} said that the talks would resume next week.",
            cites=[i + 1],
            status="supported",
        )
        for i in range(36)
    ]
    brief = sample_brief().model_copy(
        update={
            "background": statements[:6],
            "us_position": statements[6:20],
            "ground_situation": statements[20:32],
            "outlook": statements[32:],
        }
    )
    assert brief.content_words() > 420
    result = render_pdf(brief, Renderer(), handling="UNCLASSIFIED")
    assert result.pages == 1
    import io

    text = PdfReader(io.BytesIO(result.data)).pages[0].extract_text()
    assert "Page 1 of 1" in text and text.count("UNCLASSIFIED") == 2
    assert result.refused == [] and result.fetched  # the stylesheet came through the fetcher
    assert all("/templates/assets/" in u for u in result.fetched), result.fetched
