"""Reading inputs into Articles: metadata, decoding, HTML extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.errors import InputNotTextError
from briefer.sources import article_from_text, decode, read_file, slug

from .conftest import SEED


def test_seed_article() -> None:
    article = read_file(SEED)
    assert article.id == SEED.stem
    assert article.outlet == "ANI"  # wire credit line at the end
    assert article.words == 433
    assert article.text.startswith("The White House has underscored")


def test_front_matter_gives_metadata() -> None:
    text = (
        "---\ntitle: Talks end\noutlet: Reuters\ndate: 2026-11-26\nurl: https://x.org/a\n---\n"
        "Body text here.\n"
    )
    article = article_from_text(text, id="a", origin="a.md")
    assert (article.title, article.outlet, article.date, article.url) == (
        "Talks end",
        "Reuters",
        "2026-11-26",
        "https://x.org/a",
    )
    assert article.text == "Body text here."


def test_markdown_heading_is_title() -> None:
    article = article_from_text(
        "# The Headline\n\nFirst paragraph.", id="a", origin="a.md", markdown=True
    )
    assert article.title == "The Headline"


def test_no_credit_line_in_ordinary_ending() -> None:
    article = article_from_text("One.\nTwo sentences here.\nThe talks ended.", id="a", origin="x")
    assert article.outlet is None


def test_decode_utf16_and_bom() -> None:
    assert decode("Zoë".encode("utf-16"), "x") == "Zoë"
    assert decode("\ufeffZoë".encode(), "x") == "Zoë"
    with pytest.raises(InputNotTextError):
        decode(b"\xff\xfe\x00", "x")


def test_html_file_extraction(tmp_path: Path) -> None:
    body = " ".join(["The minister said talks would resume next week in Geneva."] * 6)
    page = tmp_path / "story.html"
    page.write_text(
        f"<html><head><title>Talks to resume</title></head><body><nav>Home News"
        f"</nav><article><p>{body}</p></article><footer>Cookies</footer></body></html>"
    )
    article = read_file(page)
    assert article.title == "Talks to resume"
    assert "Geneva" in article.text and "Cookies" not in article.text


def test_slug() -> None:
    assert slug("My Article (final)") == "My-Article-final"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("???") == "article"
