"""The words of English that the text stage knows, in one place: function words, the words
that start sentences, number words, the month names, verbs that report speech, and the forms
of a word — its dictionary lemmas (lemminflect's lexicon) and its stem (the Snowball English
stemmer). Every stage that compares words imports them from here."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# --- names and plain words -----------------------------------------------------------------------

_COMMON_CAPITALISED = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "and",
        "but",
        "or",
        "so",
        "yet",
        "if",
        "while",
        "when",
        "after",
        "before",
        "during",
        "since",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "to",
        "with",
        "without",
        "both",
        "either",
        "neither",
        "each",
        "all",
        "some",
        "many",
        "most",
        "more",
        "meanwhile",
        "however",
        "also",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "why",
        "how",
        "mr",
        "mrs",
        "ms",
        "dr",
        # More words that often start a sentence, and little else capitalised: a statement that
        # starts with one of them does not name anyone ("New tariffs…", "Despite…").
        "new",
        "despite",
        "although",
        "though",
        "because",
        "until",
        "unless",
        "once",
        "following",
        "amid",
        "among",
        "against",
        "under",
        "over",
        "about",
        "across",
        "through",
        "within",
        "earlier",
        "later",
        "last",
        "next",
        "now",
        "then",
        "today",
        "yesterday",
        "tomorrow",
        "still",
        "instead",
        "thus",
        "therefore",
        "nevertheless",
        "nonetheless",
        "separately",
        "such",
        "several",
        "few",
        "other",
        "another",
        "only",
        "even",
        "not",
        "no",
        "nor",
        "every",
        "any",
        "according",
    ]
)
# A possessive, or a contraction ("We’ve", "I’m", "They’ll"): the word before it is what counts.
_POSSESSIVE = re.compile(r"['’ʼ](s|ve|re|ll|d|m)?$")


APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


# The word functions below are pure and called for every word of every check, hundreds of
# thousands of times a brief: each is cached (bounded), which halves the checks' cost.
_WORD_CACHE = 1 << 17


@lru_cache(maxsize=_WORD_CACHE)
def bare_lower(word: str) -> str:
    """Lower case without a possessive ending: "Rubio’s" → "rubio", "US" → "us"."""
    return _POSSESSIVE.sub("", word.lower().translate(APOSTROPHES))


@lru_cache(maxsize=_WORD_CACHE)
def fold(word: str) -> str:
    """``word`` without accents, for comparing names: "lópez" → "lopez", "çelik" → "celik"."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=_WORD_CACHE)
def is_name(word: str) -> bool:
    """A capitalised word that is not a common word starting a sentence ("The", "However") nor a
    spelled number ("Twelve", checked as a number)."""
    lower = bare_lower(word)
    if not word[:1].isupper() or lower in _COMMON_CAPITALISED:
        return False
    return not all(part in NUMBER_WORDS for part in lower.split("-"))


def name_of(word: str) -> str:
    """A capitalised word as ``names`` gives it: "Zelenskyy’s" → "zelenskyy", "Ömer" → "ömer"."""
    return bare_lower(word)


@lru_cache(maxsize=_WORD_CACHE)
def bare(word: str) -> str:
    """A word as ``bare_words`` holds it: lower case, no possessive ending, no accents."""
    return fold(bare_lower(word))


# --- numbers and months --------------------------------------------------------------------------

UNIT_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TEN_NUMBERS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = frozenset(
    [*UNIT_NUMBERS, *TEN_NUMBERS, "hundred", "thousand", "million", "billion", "trillion"]
)
#: The months' names, in order.
MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
#: The days of the week.
DAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday".split()
#: Nouns that name a stretch or a point of time: with "this" they say when ("This week, …"), not
#: what; with "that" after a preposition, a time the sentence before names ("since that time").
TIME_NOUNS = frozenset(
    "day week weekend month year morning afternoon evening night spring summer autumn fall winter "
    "season quarter time date point moment stage".split()
    + DAY_NAMES
    + MONTH_NAMES
)
#: Offices a person holds, as a title before the name ("President Trump", "Minister Okonjo")
#: or a transcript's label ("THE SECRETARY:").
OFFICES = frozenset(
    "President Secretary Ambassador Chairman Chair Minister Spokesperson Senator Representative "
    "Governor Mayor Envoy Premier Chancellor Commissioner Administrator".split()
)
#: Month names and their abbreviations → the month's number.
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
#: Any month's name or abbreviation, as a regular expression (lower case; the longest first).
MONTH_PATTERN = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"

# --- reporting verbs -----------------------------------------------------------------------------

#: Words that report speech as written ("said", "warns", "according", "allegedly"): the
#: verifier's attribution check, which reads the written form ("the call" is no report).
SPEECH = frozenset(
    "said says saying say told tells stated states stating claimed claims claiming alleged "
    "alleges allegedly reported reports reportedly according announced announces asserted "
    "accused insisted denied denies warned warns noted notes added confirmed confirms affirmed "
    "highlighted emphasised emphasized described called calls urged argued maintained believes "
    "believed acknowledged admitted".split()
)
#: Verbs that attribute what follows to someone (lemmas), speech and judgement alike: a line
#: that keeps the claim must keep who made it (the fidelity checks).
REPORTING = frozenset(
    """say tell state claim allege report announce assert accuse insist deny warn note add confirm
    affirm emphasize emphasise describe urge argue maintain believe acknowledge admit suggest
    assess estimate think fear worry expect hope express stress underscore reiterate read write
    predict caution contend conclude find show indicate according comment""".split()
)
#: Words that make what follows a report of someone's words, as written ("told", "was told",
#: "according to", "tweeted"): the instruction filter's, where an order that someone is reported
#: to have given is no order to the brief.
REPORTED = (
    "said says told tells wrote writes added announced stated argued argues warned warns urged "
    "urges according_to asked insisted claimed claims tweeted posted testified declared ordered "
    "instructed demanded noted explained recalled reported ruled recommended quoted typed "
    "was_told were_told"
).split()

# --- word forms ----------------------------------------------------------------------------------

#: Function words, the base list: every stage that compares content words leaves them out.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet for of to in on at by from with without into onto over
    under about above below between among against amidst across through throughout during
    before after since until till upon within via per than then as if whether because while
    although though unless that this these those there here where when which who whom whose what
    why how it its itself he him his she her hers they them their theirs we us our ours i me
    my mine you your yours one ones be is are was were been being am have has had having do does
    did done doing will would shall should can could may might must also just only very more most
    much many some any each every all both either neither other another such own same too not no
    never now up down out off again further once still even already s ’s 's""".split()
)
#: Words before a noun that tell which or whose ("the course", "our state", "his remarks"):
#: the word after one is no verb.
DETERMINERS = frozenset("the a an its their his her our my your this these those more most".split())
#: Spelled ordinals: "second round", "twenty-first century", "the first time".
ORDINAL = re.compile(
    r"\b(?:[^\W\d_]+-)*(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|[^\W\d_]+teenth|[^\W\d_]+tieth|hundredth|thousandth|millionth)\b",
    re.IGNORECASE,
)
#: Prepositions (and particles the lexicon also lists as verbs: "over", "up"): a noun after one
#: is its object, not a subject.
PREPOSITIONS = frozenset(
    "over up down out off about above across after against along alongside amid among around "
    "at before behind below beneath beside between beyond by despite down during for from in "
    "inside into like near of off on onto outside past per since through throughout till to "
    "toward towards under until upon via with within without".split()
)
#: Words a line may add or drop freely, to the checks: they carry no claim of their own. Beyond
#: the function words, "new", "amid" and "it's": grouping reads these as words of a topic
#: ("New Delhi"); taken out there, they moved bench/grouping.py's pair scores.
STOPWORDS = FUNCTION_WORDS | frozenset(["new", "amid", "it's"])
#: Function words and the filler of official prose (titles, "said", "today"): what texts share
#: in these says nothing of what they are about. Grouping stories and ranking sentences by their
#: shared words leave them out.
TOPIC_STOPWORDS = FUNCTION_WORDS | frozenset(
    """almost always anyone anything around became cannot else enough ever few herself himself
    however least less let like made make myself often others ourselves perhaps rather several
    themselves thus toward towards well whatever yourself yourselves two mr mrs ms dr said says
    say today yesterday tomorrow""".split()
)
#: Adverbs that leave a claim as it is ("did not immediately attend", "formally"): function
#: words to the verifier too.
VERIFY_FILLER = frozenset(
    "immediately ever longer single formally officially publicly directly".split()
)

#: Endings that make a word of the same family ("condemn" + "ation", "elect" + "ion"): a
#: derivation, not a synonym. The shorter word must have at least ``_MIN_ROOT`` letters.
_DERIVATIONS = (
    "ation", "ations", "ition", "ion", "ions", "tion", "ment", "ments", "al", "ial", "ive", "er",
    "ers", "or", "ors", "ing", "ed", "s", "es", "ity", "ic", "ist", "ists", "ism", "ure", "ance",
    "ence", "ant", "ent", "ly", "ship",
)  # fmt: skip
_MIN_ROOT = 5


_LEXICON_LOCK = threading.Lock()
_LEXICON: tuple[object, object] | None = None


def lexicon() -> tuple[object, object]:
    """lemminflect's lookups, its lexicon loaded once. Imported on first use: loading takes
    ~0.6 s, which a brief that is only rendered never needs. lemminflect loads its tables lazily
    on the first lookup, so threads starting at once would each load them (seconds of CPU):
    one lookup of each kind is made here, under a lock, before any thread gets them."""
    global _LEXICON
    if _LEXICON is None:
        with _LEXICON_LOCK:
            if _LEXICON is None:
                from lemminflect import getAllInflections, getAllLemmas

                getAllLemmas("was")
                getAllInflections("be")
                _LEXICON = (getAllLemmas, getAllInflections)
    return _LEXICON


@lru_cache(maxsize=1 << 16)
def lemmas(word: str) -> frozenset[str]:
    """The word (lower case, no possessive) and every dictionary form it may be of."""
    plain = fold(bare(word))
    get_lemmas, _ = lexicon()
    found = {plain}
    for forms in get_lemmas(plain).values():  # type: ignore[operator]
        found.update(f.lower() for f in forms)
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def keys(word: str) -> frozenset[str]:
    """The word's lemmas and their roots without a derivational ending: two words are one word
    in another form when their keys meet."""
    found = set(lemmas(word))
    for lemma in list(found):
        for ending in _DERIVATIONS:
            root = lemma.removesuffix(ending)
            if root != lemma and len(root) >= _MIN_ROOT:
                found.add(root)
        if lemma.endswith("e") and len(lemma) > _MIN_ROOT:
            found.add(lemma[:-1])
    return frozenset(found)


def same_word(a: str, b: str) -> bool:
    """Whether two words are one word in another form (see the module's docstring)."""
    return bool(keys(a) & keys(b))


@lru_cache(maxsize=1 << 16)
def verb_forms(word: str) -> frozenset[str]:
    """Penn tags the word may carry as a verb (VBD, VBZ, VBN, ...): from the lexicon."""
    get_lemmas, get_inflections = lexicon()
    plain = word.lower()
    tags: set[str] = set()
    for upos in ("VERB", "AUX"):
        for lemma in get_lemmas(plain, upos=upos).get(upos, ()):  # type: ignore[operator]
            for tag, forms in get_inflections(lemma, upos=upos).items():  # type: ignore[operator]
                if plain in forms:
                    tags.add(tag)
    return frozenset(tags)


MODALS = frozenset("will would shall should can could may might must".split())
_FINITE_AUX = frozenset(
    "is are was were am has have had does do did 's ’s isn't aren't wasn't weren't hasn't "
    "haven't hadn't doesn't don't didn't won't wouldn't can't couldn't shouldn't mustn't".split()
)

#: Modals and auxiliaries: a clause that ends on one has lost its verb ("… lorries will").
AUXILIARIES = MODALS | _FINITE_AUX | frozenset(["be", "been", "being"])


def finite(word: str) -> bool:
    """Whether the word can be a finite verb: a modal, an auxiliary, a past or present form."""
    plain = word.lower().replace("’", "'")
    return (
        plain in MODALS or plain in _FINITE_AUX or bool(verb_forms(plain) & {"VBD", "VBZ", "VBP"})
    )


@lru_cache(maxsize=_WORD_CACHE)
def parts_of_speech(word: str) -> frozenset[str]:
    """The word classes the lexicon knows ``word`` in, as written ("NOUN", "VERB", "ADJ",
    "ADV"); none for a name or a function word."""
    get_lemmas, _ = lexicon()
    return frozenset(get_lemmas(word))  # type: ignore[operator]


def only_adjective(word: str) -> bool:
    found = parts_of_speech(word.lower())
    return bool(found) and found <= {"ADJ"}


# One Snowball stemmer per thread: a stemmer keeps the word it works on in its own fields, so
# threads sharing one (a morning run briefs items at once) get wrong stems or an IndexError.
_STEMMERS = threading.local()


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The word's Snowball stem ("designation", "designated" → "design"; "casualties" →
    "casualti"), lower case, without a possessive ending."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(bare_lower(word)))


@lru_cache(maxsize=65536)
def suffix_stem(word: str) -> str:
    """A light suffix stripper for grouping stories: plural, possessive and the commonest
    derivations fold together ("designating", "designated", "designation" → "design"), names
    and short words stay whole. Grouping keeps it over ``stem``: with Snowball stems the most
    similar pair of different stories in ``bench/grouping.py``'s far-apart set rose from 0.092
    to 0.158 (the threshold is 0.20), the groups found unchanged."""
    w = word.lower().removesuffix("'s").strip("'-")
    if w.startswith("al-"):
        w = w[3:]
    if len(w) <= 4:
        return w
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                break
            w = w[: -len(suffix)]
            if suffix == "ies":
                w += "y"
            break
    return w
