"""Runs of non-Latin script in a brief's text, marked with their language and direction in HTML.

News on South Asia, the Middle East, Ukraine or China quotes names and phrases in Devanagari,
Arabic, Urdu, Cyrillic or Chinese. In the handout each run becomes ``<span lang=… dir=rtl>``:
the stylesheet picks the run's font by ``:lang()`` (Urdu in Nastaliq, not in the Arabic Naskh of
the same letters), right-to-left runs get ``dir="rtl"``, and a screen reader knows the language.

The language is read off the letters (documented guesses, no language model): Arabic script with
a letter only Urdu uses (ٹ ڈ ڑ ں ھ ہ ے) is Urdu, with a Persian letter (پ چ ژ گ ک ی) and no Urdu
one Persian, else Arabic; Cyrillic with і ї є ґ is Ukrainian, with ђ ћ џ љ њ ј Serbian, else
Russian; Han with kana is Japanese, with Hangul Korean, else Chinese; Devanagari is Hindi,
Bengali script Bengali, Greek Greek, Hebrew Hebrew.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

from markupsafe import Markup, escape


class Script(NamedTuple):
    name: str
    ranges: tuple[tuple[int, int], ...]
    rtl: bool = False


SCRIPTS: tuple[Script, ...] = (
    Script(
        "Arabic",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
        rtl=True,
    ),
    Script("Hebrew", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)), rtl=True),
    Script("Devanagari", ((0x0900, 0x097F), (0xA8E0, 0xA8FF))),
    Script("Bengali", ((0x0980, 0x09FF),)),
    Script("Greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
    Script("Cyrillic", ((0x0400, 0x052F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))),
    Script(
        "Han",
        (
            (0x1100, 0x11FF),  # Hangul Jamo
            (0x2E80, 0x2FDF),  # radicals
            (0x3000, 0x30FF),  # CJK punctuation, kana
            (0x3100, 0x312F),  # Bopomofo
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xAC00, 0xD7AF),  # Hangul syllables
            (0xF900, 0xFAFF),
            (0xFF00, 0xFFEF),  # full-width forms
            (0x20000, 0x3FFFF),
        ),
    ),
)

_URDU = frozenset("ٹڈڑںھہۂۃےۓ")
_PERSIAN = frozenset("پچژگکی")
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_SERBIAN = frozenset("ђћџљњјЂЋЏЉЊЈ")


# Every range, by its start, for a binary search: a digest's HTML has ~170,000 characters, and
# a scan of every range for each of them took a second of a 20-item digest's render.
_RANGES = sorted((low, high, script) for script in SCRIPTS for low, high in script.ranges)
_STARTS = [low for low, _, _ in _RANGES]
_FIRST = _STARTS[0]


def script_of(char: str) -> Script | None:
    """The script of ``char`` among ``SCRIPTS``; None for Latin and for neutral characters."""
    code = ord(char)
    if code < _FIRST:
        return None
    index = bisect_right(_STARTS, code) - 1
    low, high, script = _RANGES[index]
    return script if low <= code <= high else None


def language(script: Script, run: str) -> str:
    """The BCP 47 tag of a run (see the module's rules)."""
    letters = set(run)
    if script.name == "Arabic":
        return "ur" if letters & _URDU else "fa" if letters & _PERSIAN else "ar"
    if script.name == "Cyrillic":
        return "uk" if letters & _UKRAINIAN else "sr" if letters & _SERBIAN else "ru"
    if script.name == "Han":
        kana = any(0x3040 <= ord(c) <= 0x30FF for c in run)
        hangul = any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF for c in run)
        return "ja" if kana else "ko" if hangul else "zh"
    return {"Hebrew": "he", "Devanagari": "hi", "Bengali": "bn", "Greek": "el"}[script.name]


def runs(text: str) -> list[tuple[str, Script | None]]:
    """``text`` cut into runs of one script (None: Latin and the rest). Spaces, digits and
    punctuation between two letters of a script belong to its run; those at its edges (the
    quotation marks around a quote) do not."""
    out: list[tuple[str, Script | None]] = []
    current: Script | None = None
    start = end = 0  # the open segment, and the end of its last letter
    for i, char in enumerate(text):
        script = script_of(char)
        if script is None and not char.isalpha():
            continue  # neutral: goes with whatever surrounds it
        if script is not current:
            if current is None:
                if i > start:
                    out.append((text[start:i], None))
                start = i
            else:
                out.append((text[start:end], current))
                if script is not None and i > end:  # one script straight into another
                    out.append((text[end:i], None))
                start = i if script is not None else end
            current = script
        end = i + 1
    if current is not None:
        out.append((text[start:end], current))
        start = end
    if start < len(text):
        out.append((text[start:], None))
    return out


def mark_scripts(value: object) -> Markup:
    """Escaped HTML of ``value`` with each non-Latin run in a ``<span lang dir>``."""
    parts: list[str] = []
    for run, script in runs(str(value)):
        if script is None:
            parts.append(escape(run))
            continue
        direction = ' dir="rtl"' if script.rtl else ""
        parts.append(f'<span lang="{language(script, run)}"{direction}>{escape(run)}</span>')
    return Markup("".join(parts))
