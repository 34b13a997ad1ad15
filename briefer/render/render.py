"""Brief → Markdown, JSON and HTML through Jinja2 templates in ``templates/`` (user-overridable).

HTML templates (names ending ``.html`` or ``.html.j2``) are autoescaped; Markdown gets its own
escaping (``md`` filter), so article text can never become markup in either.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Literal

import jinja2

from briefer.errors import RenderError
from briefer.models import EMPTY_SECTION, SECTIONS, Basis, Brief, Statement
from briefer.render.scripts import mark_scripts
from briefer.resources import search_path

MARKDOWN_TEMPLATE = "brief.md.j2"
HTML_TEMPLATE = "brief.html"

PageSize = Literal["a4", "letter"]
#: Paper sizes: the CSS ``size`` of the page and its width and height in PDF points.
PAGE_SIZES: dict[str, tuple[str, tuple[int, int]]] = {
    "a4": ("A4", (595, 842)),
    "letter": ("letter", (612, 792)),
}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_BACKSLASH = re.compile(r"\\(.)")
META_COMMENT_START, META_COMMENT_END = "<!-- briefer-meta ", " -->"
# Constructs that only mean something at the start of a line. An ordered-list number is kept
# off by escaping its dot ("12\. item": CommonMark escapes punctuation only, not digits).
_MD_LINE_START = re.compile(r"^(#|>|[-+*](?=\s)|=|---)")
_MD_ORDERED = re.compile(r"^(\d+)([.)])(?=\s)")


def md_escape(value: object) -> str:
    """One line of Markdown that renders as the literal text (no links, HTML, emphasis)."""
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_ORDERED.sub(r"\1\\\2", text)
    return _MD_LINE_START.sub(lambda m: "\\" + m.group(1), text)


def md_unescape(text: str) -> str:
    """The literal text of a line ``md_escape`` wrote (a backslash keeps the next character)."""
    return _MD_BACKSLASH.sub(r"\1", text)


def meta_comment(brief: Brief) -> str:
    """The brief's meta as a comment (invisible in rendered Markdown), so that a brief read back
    from its Markdown keeps its date and model. ``<``, ``>`` and ``&`` are written as JSON
    escapes, so nothing in it can end the comment early."""
    data = brief.meta.model_dump_json()
    if brief.title_basis or brief.bottom_line_basis:
        # What the title and bottom line rest on, so a brief read back verifies them again.
        bases = {
            key: basis.model_dump(mode="json")
            for key, basis in (
                ("title_basis", brief.title_basis),
                ("bottom_line_basis", brief.bottom_line_basis),
            )
            if basis is not None
        }
        data = json.dumps({**json.loads(data), **bases}, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        data = data.replace(char, code)
    return f"{META_COMMENT_START}{data}{META_COMMENT_END}"


_FORMS = {
    "headline": "the source's own headline",
    "verbatim": "the source's words",
    "shortened": "the source's words, shortened",
    "paraphrase": "a paraphrase",
}
_STATUS = {
    "supported": "passes every check",
    "partial": "partly supported",
    "unsupported": "unsupported",
}


def _line_check(
    name: str, basis: Basis | None, status: str | None, problems: list[str], multi: bool
) -> str:
    if basis is None:
        if status is None:
            return f"{name}: not checked"
        # A brief saved before its bottom line cited sentences: checked against the whole
        # source for names, numbers and quotes only.
        what = "checked against the whole source for names, numbers and quotes only"
        return f"{name}: {what}, {_STATUS[status]}" + (
            f" ({'; '.join(problems)})" if problems else ""
        )
    refs = ",".join(str(r) if multi else str(r.sentence) for r in basis.cites)
    what = _FORMS[basis.form] + (f" of [{refs}]" if refs and basis.form == "paraphrase" else "")
    what += f" [{refs}]" if refs and basis.form in ("verbatim", "shortened") else ""
    if basis.replaced:
        what += ", in place of the model's, which failed the checks"
    verdict = _STATUS.get(status or "", "not checked")
    return f"{name}: {what}; {verdict}" + (f" ({'; '.join(problems)})" if problems else "")


def headline_checks(brief: Brief) -> str:
    """ "Title: …. Bottom line: …": what each rests on and what the checks found."""
    summary = brief.verification
    if summary is None:
        return ""
    multi = len(brief.sources) > 1
    return ". ".join(
        [
            _line_check("Title", brief.title_basis, summary.title, summary.title_problems, multi),
            _line_check(
                "Bottom line",
                brief.bottom_line_basis,
                summary.bottom_line,
                summary.bottom_line_problems,
                multi,
            ),
        ]
    )


def _autoescape(name: str | None) -> bool:
    return bool(name) and name.endswith((".html", ".htm", ".html.j2", ".xml"))  # type: ignore[union-attr]


def cite_marker(statement: Statement, multi_source: bool = False) -> str:
    """`` [3]``, `` [3,4]``, or `` [2:3]`` when a brief has several sources, with the other
    sources stating the same fact after a semicolon (`` [2:3; 1:5]``); '' without cites."""
    if not statement.cites:
        return ""
    if not multi_source:
        return " [" + ",".join(str(i) for i in statement.cites) + "]"
    groups = [f"{statement.source}:" + ",".join(str(i) for i in statement.cites)]
    by_source: dict[int, list[int]] = {}
    for ref in statement.also:
        by_source.setdefault(ref.source, []).append(ref.sentence)
    groups += [f"{src}:" + ",".join(map(str, ids)) for src, ids in sorted(by_source.items())]
    return " [" + "; ".join(groups) + "]"


def brief_date(brief: Brief) -> str:
    return f"{brief.meta.created.day} {brief.meta.created:%B %Y}"


def long_date(value: object) -> str:
    """``2022-08-02`` (or a date / datetime) → ``2 August 2022``; other text as it is."""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


class Renderer:
    """The templates of one run."""

    def __init__(self, override: Path | None = None) -> None:
        self.dirs = search_path("templates", override)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["md"] = md_escape
        self.env.filters["cite_marker"] = cite_marker
        self.env.filters["scripts"] = mark_scripts
        self.env.filters["meta_comment"] = meta_comment
        self.env.filters["headline_checks"] = headline_checks
        self.env.filters["long_date"] = long_date

    def template_dir(self, name: str) -> Path:
        """The folder the named template is taken from (its relative asset links resolve there)."""
        for directory in self.dirs:
            if (directory / name).is_file():
                return directory
        raise RenderError(f"template {name} not found in {', '.join(map(str, self.dirs))}")

    def _render(self, name: str, brief: Brief, **extra: object) -> str:
        try:
            return self.env.get_template(name).render(
                brief=brief,
                sections=SECTIONS,
                empty_section=EMPTY_SECTION,
                not_stated=EMPTY_SECTION,  # its name in templates of earlier releases
                date=brief_date(brief),
                multi_source=len(brief.sources) > 1,
                **extra,
            )
        except jinja2.TemplateError as exc:
            raise RenderError(f"template {name}: {exc}", hint="fix the template") from exc

    def markdown(self, brief: Brief) -> str:
        return self._render(MARKDOWN_TEMPLATE, brief)

    def html(
        self,
        brief: Brief,
        *,
        handling: str,
        style: str = "",
        page_size: PageSize = "a4",
        dates: bool = False,
    ) -> str:
        """``style``: "" (normal), "compact" or "tight": denser settings to stay on one page.
        ``dates``: write the brief's creation time into the PDF's metadata (off: the same
        brief gives the same bytes)."""
        return self._render(
            HTML_TEMPLATE,
            brief,
            handling=handling,
            style=style,
            page_size=PAGE_SIZES[page_size][0],
            dates=dates,
        )


def to_json(brief: Brief) -> str:
    return brief.model_dump_json(indent=2) + "\n"
