"""Brief → Markdown, JSON and HTML through Jinja2 templates in ``templates/`` (user-overridable).

HTML templates (names ending ``.html`` or ``.html.j2``) are autoescaped; Markdown gets its own
escaping (``md`` filter), so article text can never become markup in either.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import jinja2

from briefer.errors import RenderError
from briefer.models import NOT_STATED, SECTIONS, Brief, Statement
from briefer.resources import search_path

MARKDOWN_TEMPLATE = "brief.md.j2"
HTML_TEMPLATE = "brief.html"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
# Constructs that only mean something at the start of a line.
_MD_LINE_START = re.compile(r"^(#|>|[-+*](?=\s)|\d+(?=[.)]\s)|=|---)")


def md_escape(value: object) -> str:
    """One line of Markdown that renders as the literal text (no links, HTML, emphasis)."""
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(lambda m: "\\" + m.group(1), text)


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
                not_stated=NOT_STATED,
                date=brief_date(brief),
                multi_source=len(brief.sources) > 1,
                **extra,
            )
        except jinja2.TemplateError as exc:
            raise RenderError(f"template {name}: {exc}", hint="fix the template") from exc

    def markdown(self, brief: Brief) -> str:
        return self._render(MARKDOWN_TEMPLATE, brief)

    def html(self, brief: Brief, *, handling: str, style: str = "", page_size: str = "A4") -> str:
        """``style``: "" (normal), "compact" or "tight": denser settings to stay on one page."""
        return self._render(
            HTML_TEMPLATE, brief, handling=handling, style=style, page_size=page_size
        )


def to_json(brief: Brief) -> str:
    return brief.model_dump_json(indent=2) + "\n"
