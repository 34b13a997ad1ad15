"""Which entries are the same: canonical URLs, text hashes and near-identical copies.

A wire story reprinted by several outlets is one entry with several copies: the copies add no
fact, so only one is briefed (the longest: a reprint is often cut short) and the others are
listed under "Not included" as copies of it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefer.check.grounding import numbers
from briefer.models import Article
from briefer.stories.similarity import Batch

#: Query parameters that only track the reader (campaign, click and mail-list ids), never the
#: page: a documented list, matched whole. Short generic names (``ref``, ``cid``, ``id``,
#: ``smid``, ``s_cid``, ``cmpid``, ``ocid``…) are kept: sites use them to pick the article
#: (``article.php?cid=1041``), and dropping one merges different articles into one URL.
TRACKING_PARAMETERS = (
    "utm_*",  # Google Analytics campaign tags (utm_source, utm_medium, utm_campaign…)
    "fbclid",  # Facebook click id
    "gclid",  # Google Ads click id
    "gbraid",
    "wbraid",
    "dclid",  # Google Display click id
    "msclkid",  # Microsoft Ads click id
    "yclid",  # Yandex click id
    "twclid",  # X/Twitter click id
    "ttclid",  # TikTok click id
    "igshid",  # Instagram share id
    "mc_cid",  # Mailchimp campaign and member ids
    "mc_eid",
    "_ga",  # Google Analytics cross-domain ids
    "_gl",
    "_hsenc",  # HubSpot
    "_hsmi",
    "mkt_tok",  # Marketo
    "oly_anon_id",  # Omeda
    "oly_enc_id",
    "vero_id",  # Vero
)
_TRACKING = re.compile(
    "^(?:"
    + "|".join(
        re.escape(p[:-1]) + r"\w+" if p.endswith("*") else re.escape(p) for p in TRACKING_PARAMETERS
    )
    + ")$",
    re.IGNORECASE,
)
#: Share of the shorter text's word 5-grams found in the longer one, from which the shorter is
#: a copy. Reprints with a new title, dateline and outlet boilerplate keep ≥ 0.8 of their
#: shingles (bench/grouping.py's synthetic reprints: Jaccard 0.47-0.99, the cut ones lowest
#: because they are short, not because they differ); different texts share ≤ 0.1.
COPY_CONTAINMENT = 0.8


def canonical_url(url: str) -> str:
    """One spelling of a URL: lower-case scheme and host, no ``www.``, default port, fragment,
    tracking parameters or trailing slash; the other query parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    path = parts.path.rstrip("/") or "/"
    # http and https of one page are one page.
    return urlunsplit(
        (
            "https" if parts.scheme in ("http", "https") else parts.scheme,
            host,
            path,
            urlencode(query),
            "",
        )
    )


def text_hash(text: str) -> str:
    """The same text, whatever its whitespace, case, quote style or Unicode form."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"[\W_]+", " ", folded).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


def copies(articles: Sequence[Article]) -> dict[int, int]:
    """Near-identical copies: index of each copy → index of the text kept (the longest; of
    equal ones the first). A copy brings no number the kept text lacks: two memorandums from
    one template with different amounts are two stories, not one text twice."""
    if len(articles) < 2:
        return {}
    batch = Batch(articles)
    shingles = [t.shingles for t in batch.texts]
    order = sorted(range(len(articles)), key=lambda i: (-len(shingles[i]), i))
    kept: list[int] = []
    out: dict[int, int] = {}
    for i in order:
        for k in kept:
            small = shingles[i]
            if not small:
                continue
            shared = len(small & shingles[k]) / len(small)
            if shared >= COPY_CONTAINMENT and numbers(articles[i].text) <= numbers(
                articles[k].text
            ):
                out[i] = k
                break
        else:
            kept.append(i)
    return out
