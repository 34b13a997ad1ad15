"""The morning brief's parts: feeds, sameness, profiles, ranking, continuing stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefer.config import load_settings
from briefer.errors import ConfigError, FetchError, InputNotTextError
from briefer.inputs.feeds import fetch_source, html_text, parse_feed
from briefer.inputs.fetch import FetchPolicy
from briefer.models import Article, Brief, BriefMeta, Statement
from briefer.morning.changes import what_changed
from briefer.morning.dedupe import canonical_url, copies, text_hash
from briefer.morning.profile import load_profile, parse_duration
from briefer.morning.rank import Candidate, rank
from briefer.stories.grouping import continuing

from .feed_server import HARVEST, NOW, PORT, TALKS, TALKS_AP, FeedServer, atom, rss


def test_rss_and_atom_entries() -> None:
    feed = parse_feed(rss("https://news.example"), url="https://news.example/rss.xml")
    assert feed.title == "Northwire" and len(feed.entries) == 8
    first, port = feed.entries[0], feed.entries[1]
    assert first.link == "https://news.example/talks.html"
    assert first.published == NOW - timedelta(hours=9)
    assert first.text == "Talks opened."  # a teaser: its page is fetched
    assert port.text.startswith("Dock workers at the port of Veldhaven")  # content:encoded
    entries = parse_feed(atom("https://desk.example")).entries
    assert entries[0].title == "Arvandia and Belmora hold first day of Geneva talks"
    assert entries[0].text.startswith("Delegations of Arvandia")


def test_feedparser_never_fetches_anything_itself(tmp_path: Path) -> None:
    # Bytes that are a URL or a path are not a feed, whatever feedparser would do with them.
    (tmp_path / "feed.xml").write_bytes(rss("https://x.example"))
    for data in (b"http://127.0.0.1:9/feed.xml", str(tmp_path / "feed.xml").encode()):
        with pytest.raises(InputNotTextError, match="not an RSS or Atom feed"):
            parse_feed(data)
    # A feed URL goes through the hardened fetcher: this machine's addresses are refused.
    server = FeedServer().start()
    try:
        with pytest.raises(FetchError, match="loopback"):
            fetch_source(f"{server.base_url}/rss.xml", FetchPolicy())
        assert server.hits == []
    finally:
        server.stop()


def test_a_broken_feed_is_one_line() -> None:
    with pytest.raises(InputNotTextError, match=r"not well-formed XML \(line 1\)"):
        parse_feed(b"<?xml version='1.0'?><rss><chan")


def test_html_text_keeps_paragraphs_and_drops_scripts() -> None:
    text = html_text("<p>One &amp; two.</p><script>alert(1)</script><p>Three <b>four</b>.</p>")
    assert text == "One & two.\nThree four."


def test_canonical_urls_and_text_hashes() -> None:
    same = [
        "https://www.example.org/news/story/?utm_source=rss&id=7&fbclid=x#top",
        "http://example.org:80/news/story?id=7",
        "HTTPS://EXAMPLE.ORG/news/story?id=7&utm_medium=feed",
    ]
    assert len({canonical_url(u) for u in same}) == 1
    assert canonical_url("https://example.org/a?id=7") != canonical_url(
        "https://example.org/a?id=8"
    )
    assert text_hash("The  talks “opened”.\n") == text_hash('the talks "opened"')
    assert text_hash("The talks opened.") != text_hash("The talks closed.")


def test_near_identical_copies_but_not_a_template_with_other_numbers() -> None:
    original = Article(id="a", text=TALKS)
    reprint = Article(id="b", text="GENEVA (Metro Ledger) - " + TALKS.rsplit(". Swiss", 1)[0])
    other = Article(id="c", text=TALKS_AP)
    assert copies([reprint, other, original]) == {0: 2}  # the shorter copy goes, the full stays
    template = Article(id="d", text=TALKS.replace("26 people", "31 people"))
    assert copies([original, template]) == {}


def test_profiles_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'model = "top-level"\nhandling = "UNCLASSIFIED"\n'
        "[profiles.asia]\n"
        'sources = ["feeds/", "https://example.org/rss.xml"]\n'
        'topics = ["Taiwan"]\nmax_items = 5\nsince = "36h"\nout_dir = "briefs"\n'
        'model = "asia-model"\nmax_cost = 0.25\npage_size = "Letter"\n'
        "[profiles.asia.delivery]\n"
        'smtp_host = "smtp.example.org"\nfrom = "b@example.org"\nto = "me@example.org"\n'
        'password_env = "SMTP_PASSWORD"\n'
    )
    profile = load_profile("asia", config)
    assert profile.sources == [str(tmp_path / "feeds"), "https://example.org/rss.xml"]
    assert profile.output_dir() == tmp_path / "briefs"
    assert profile.window() == timedelta(hours=36) and profile.max_items == 5
    assert profile.delivery is not None and profile.delivery.to == ["me@example.org"]
    assert profile.delivery.port == 587
    settings = load_settings({}, config_file=config, profile=profile.settings, environ={})
    assert (settings.model, settings.max_cost, settings.page_size) == ("asia-model", 0.25, "letter")
    assert settings.handling == "UNCLASSIFIED"
    flags = load_settings({"model": "flag"}, config_file=config, profile=profile.settings)
    assert flags.model == "flag"  # flags still beat the profile
    # The plain commands read the same file without tripping over the profiles.
    assert load_settings({}, config_file=config, environ={}).model == "top-level"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('sources = ["a"]\nmax_itmes = 3\n', "unknown key 'max_itmes'"),
        ('sources = ["a"]\nsince = "yesterday"\n', "not a duration"),
        ("sources = []\n", "invalid 'sources'"),
        ('sources = ["a"]\n[profiles.x.delivery]\nsmtp_host = "h"\n', "invalid 'delivery"),
    ],
)
def test_bad_profiles_are_config_errors(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[profiles.x]\n" + table)
    with pytest.raises(ConfigError, match=message):
        load_profile("x", config)


def test_durations() -> None:
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2) and parse_duration("1w") == timedelta(days=7)
    with pytest.raises(ConfigError):
        parse_duration("0h")


def test_ranking_by_sources_recency_and_topics() -> None:
    now = datetime(2026, 3, 10, 7, tzinfo=UTC)
    port = Candidate([Article(id="p", text=PORT, title="Veldhaven strike")], now)
    harvest = Candidate([Article(id="h", text=HARVEST, title="Wheat")], now - timedelta(hours=30))
    story = Candidate(
        [Article(id="a", text=TALKS), Article(id="b", text=TALKS_AP)], now - timedelta(hours=40)
    )
    assert rank([port, harvest, story], [], now) == [2, 0, 1]  # two sources first
    assert rank([port, harvest, story], ["wheat"], now) == [1, 2, 0]  # a topic in a title
    assert rank([port, harvest, story], ["debt moratorium"], now)[0] == 1  # in a text
    assert rank([harvest, port], [], now) == [1, 0]  # the newer of two singles


def _brief(*texts: str) -> Brief:
    return Brief(
        title="Talks",
        bottom_line="The talks go on.",
        background=[],
        us_position=[],
        ground_situation=[Statement(text=t, cites=[i]) for i, t in enumerate(texts, 1)],
        outlook=[],
        sources=[],
        meta=BriefMeta(model="m", endpoint="e", prompt_version="p"),
    )


def test_what_changed_keeps_only_new_facts() -> None:
    before = _brief(
        "Ceasefire talks between Arvandia and Belmora opened in Geneva on Monday.",
        "Foreign minister Lena Okafor wants a monitoring mission on the border.",
    )
    now = _brief(
        "The ceasefire talks between Arvandia and Belmora opened in Geneva on Monday, "
        "officials said.",
        "Foreign minister Lena Okafor said 40 monitors would arrive next week.",
        "Belmora's envoy said the talks would resume in April.",
    )
    change = what_changed(now, before, "2026-03-09")
    assert change.since == "2026-03-09" and change.previous_title == "Talks"
    assert [s.text for s in change.statements] == [
        "Foreign minister Lena Okafor said 40 monitors would arrive next week.",
        "Belmora's envoy said the talks would resume in April.",
    ]
    assert change.statements[0].cites == [2]


def test_todays_group_continues_the_earlier_story_it_belongs_to() -> None:
    def article(text: str, date: str) -> Article:
        return Article(id=text[:8], text=text, date=date)

    earlier = [[article(TALKS, "2026-03-09")], [article(HARVEST, "2026-03-09")]]
    today = [[article(TALKS_AP, "2026-03-10")], [article(PORT, "2026-03-10")]]
    assert continuing(today, earlier) == [0, None]
    months_later = [[article(TALKS_AP, "2026-06-10")]]
    assert continuing(months_later, earlier) == [None]
