"""feedparser's own test corpus (tests/data/feedparser, see its README) through
``read_feed_file``: every feed feedparser reads gives the entries feedparser gives."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest

from briefer.errors import BrieferError, InputNotTextError
from briefer.inputs.feeds import Feed, html_text, read_feed_file, root_element
from briefer.models import safe_url

CORPUS = Path(__file__).parent / "data" / "feedparser"
FILES = sorted(p for p in CORPUS.rglob("*.xml") if p.is_file())


def _title(entry: Any) -> str | None:
    """feedparser's title as plain text, converted only where feedparser says it is HTML."""
    value = entry.get("title") or ""
    kind = (entry.get("title_detail") or {}).get("type", "text/html")
    text = html_text(value) if kind in ("text/html", "application/xhtml+xml") else value
    return " ".join(text.split()) or None


def _read(path: Path) -> tuple[Feed | BrieferError, float]:
    start = time.perf_counter()
    try:
        result: Feed | BrieferError = read_feed_file(path)
    except BrieferError as err:  # anything else fails the test
        result = err
    return result, time.perf_counter() - start


def test_the_corpus_is_all_there() -> None:
    assert (CORPUS / "LICENSE").is_file() and (CORPUS / "README.md").is_file()
    assert len(FILES) > 2000


def test_every_feed_feedparser_reads_gives_its_entries() -> None:
    well_formed = read = 0
    slow: list[str] = []
    for path in FILES:
        result, seconds = _read(path)
        if seconds > 1.0:
            slow.append(f"{path.name}: {seconds:.2f} s")
        name = str(path.relative_to(CORPUS))
        try:
            direct = feedparser.parse(io.BytesIO(path.read_bytes()))
        except Exception:  # feedparser 6.0.11 fails on one file: briefer says so in one line
            assert isinstance(result, InputNotTextError) and "\n" not in result.message, name
            continue
        cdf = root_element(path.read_bytes()) == "channel"
        if not direct.bozo and direct.version:
            well_formed += 1
        if cdf:
            assert isinstance(result, InputNotTextError) and "CDF" in result.message, name
            continue
        if isinstance(result, BrieferError):
            # Only a document feedparser recovers no feed from may be refused.
            assert not direct.entries and (direct.bozo or not direct.version), name
            assert "\n" not in result.message and "<unknown>" not in result.message, name
            continue
        read += 1
        assert len(result.entries) == len(direct.entries), name
        assert [e.link for e in result.entries] == [
            safe_url(e.get("link")) for e in direct.entries
        ], name
        assert [e.title for e in result.entries] == [_title(e) for e in direct.entries], name
        if direct.bozo:
            assert result.warning and "\n" not in result.warning, name
            assert "<unknown>" not in result.warning, name
        else:
            assert result.warning is None, name
    assert slow == []
    assert well_formed > 1800 and read >= well_formed


@pytest.mark.parametrize(
    "name",
    [
        "encoding/utf-8-bom.xml",
        "encoding/utf-16le-bom.xml",
        "encoding/utf-32be-bom.xml",
        "encoding/utf-16be-autodetect.xml",
        "wellformed/rss/rss_version_091_netscape.xml",  # a DOCTYPE
        "wellformed/namespace/atomthreadingwithentry.xml",  # an xml-stylesheet
        "wellformed/namespace/rss2.0NSwithModulesNoDefNS.xml",  # <r:rss>
        "wellformed/rss/entity_in_doctype.xml",  # an internal DTD subset
        "illformed/rdf_channel_empty_textinput.xml",  # a comment before <?xml
    ],
)
def test_feeds_the_old_prefilter_refused(name: str) -> None:
    feed = read_feed_file(CORPUS / name)
    direct = feedparser.parse(io.BytesIO((CORPUS / name).read_bytes()))
    assert direct.version and feed.title == _title(direct.feed)
    assert len(feed.entries) == len(direct.entries)


def test_an_ill_formed_feed_message_names_the_line_and_the_problem() -> None:
    feed = read_feed_file(CORPUS / "entities" / "dagger.xml")
    assert feed.warning == (
        f"{CORPUS / 'entities' / 'dagger.xml'}: the feed is not well-formed XML (line 7): "
        "an undefined entity, &dagger; (XML has only &amp; &lt; &gt; &quot; &apos;); "
        "read anyway (0 entries)"
    )
    with pytest.raises(InputNotTextError, match=r"\(line 6\): it ends inside a tag"):
        read_feed_file(CORPUS / "illformed" / "aaa_illformed.xml")
