"""The text stage's words: one home for function words, months, reporting verbs and word forms."""

from __future__ import annotations

import re

from briefer.text import words


def test_stems_fold_a_words_family_together() -> None:
    assert words.stem("designation") == words.stem("designated") == words.stem("designating")
    assert words.stem("casualties") == words.stem("casualty")
    assert words.stem("Rubio’s") == words.stem("rubio")
    assert words.stem("attacked") != words.stem("attached")


def test_grouping_stems_keep_names_and_short_words_whole() -> None:
    assert words.suffix_stem("al-Sharaa") == "sharaa"
    assert words.suffix_stem("news") == "news"
    assert words.suffix_stem("designations") == words.suffix_stem("designation") == "design"


def test_months_names_and_reporting_verbs() -> None:
    assert words.MONTHS["sept"] == words.MONTHS["september"] == 9
    assert words.MONTH_NAMES[0] == "january" and len(words.MONTH_NAMES) == 12
    assert {"say", "warn", "deny"} <= words.REPORTING
    assert words.is_name("Erdoğan") and not words.is_name("However") and not words.is_name("Twelve")
    assert words.finite("signed") and not words.finite("signature")
    assert words.same_word("condemnation", "condemned")


def test_stems_are_right_when_threads_stem_at_once() -> None:
    """A morning run briefs items in threads; one shared Snowball stemmer gave wrong stems and
    IndexErrors there (its state is the word it is working on)."""
    import itertools
    import threading

    import snowballstemmer

    alone = snowballstemmer.stemmer("english")
    vocab = [
        "".join(p) + end
        for p in itertools.product("abcdefghij", repeat=4)
        for end in ("ational", "ing", "ness", "ies")
    ]
    expected = {w: alone.stemWord(w) for w in vocab}
    wrong: list[str] = []

    def work(k: int) -> None:
        for w in vocab[k::8]:
            try:
                if words.stem(w) != expected[w]:
                    wrong.append(w)
            except IndexError as exc:
                wrong.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_one_base_list_of_function_words_and_named_extensions() -> None:
    assert words.FUNCTION_WORDS < words.STOPWORDS
    assert words.FUNCTION_WORDS < words.TOPIC_STOPWORDS
    # "new" is a word of a topic to grouping ("New Delhi"), a word a line may add to the checks.
    assert "new" in words.STOPWORDS and "new" not in words.TOPIC_STOPWORDS
    assert {"said", "mr", "today"} <= words.TOPIC_STOPWORDS - words.STOPWORDS


def test_month_pattern_takes_names_and_abbreviations() -> None:
    pattern = re.compile(words.MONTH_PATTERN + r"\.?\s+\d", re.IGNORECASE)
    assert pattern.fullmatch("Sept. 5") and pattern.fullmatch("September 5")
    assert pattern.fullmatch("jun 5") and not pattern.fullmatch("Junk 5")
