"""``briefer render``: a saved brief, perhaps edited by hand, verified again and rendered. No model.

The brief is its JSON, or its Markdown in briefer's layout (``render/parse_markdown.py``). It is
verified again (``check/reverify.py``: against the articles given, else what the brief stored)
before anything is rendered, so the flags always match the text that is printed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from briefer import __version__
from briefer.check.reverify import checked_against_stored, reverify
from briefer.check.verify import apply_policy, unsupported
from briefer.config import Settings
from briefer.errors import BriefFileError, UnsupportedStatementsError
from briefer.models import Article, Brief, BriefMeta
from briefer.render.output import Rendered, render_files, write_atomic
from briefer.render.parse_markdown import parse_markdown
from briefer.render.render import Renderer


def read_brief(path: Path) -> Brief:
    """A saved brief: JSON if it starts with ``{``, else Markdown in briefer's layout."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefFileError(
            f"cannot read {path}: {exc}", hint="give a brief briefer wrote"
        ) from exc
    if text.lstrip().startswith("{"):
        try:
            return Brief.model_validate_json(text)
        except ValidationError as exc:
            first = " ".join(str(exc).split())[:200]
            raise BriefFileError(
                f"{path} is not a briefer brief: {first}", hint="give the .json file briefer wrote"
            ) from exc
    # Markdown without its meta comment: the date the file was last saved, no model.
    saved = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    meta = BriefMeta(
        model="", endpoint="", prompt_version="", created=saved, briefer_version=__version__
    )
    return parse_markdown(text, origin=str(path), meta=meta)


class Rerendered(NamedTuple):
    brief: Brief  # as verified again (and with --on-unsupported drop applied)
    paths: list[Path]
    pages: int | None  # the PDF's pages
    stored_only: bool  # checked against stored sentences, not whole articles


def rerender(
    path: Path,
    articles: list[Article],
    settings: Settings,
    out_dir: Path,
    formats: tuple[str, ...],
) -> Rerendered:
    """Read, verify again, apply ``settings.on_unsupported``, render and write ``formats``."""
    brief = reverify(read_brief(path), articles or None)
    brief = apply_policy(brief, settings.on_unsupported)
    if settings.on_unsupported == "fail" and (bad := unsupported(brief)):
        raise UnsupportedStatementsError.listing(str(path), bad)
    rendered: Rendered = render_files(
        brief,
        Renderer(settings.templates_dir),
        formats,
        handling=settings.handling,
        page_size=settings.page_size,
        dates=settings.pdf_dates,
    )
    files = {out_dir / f"{path.stem}.{ext}": data for ext, data in rendered.files.items()}
    paths = write_atomic(files)
    stored_only = not articles and checked_against_stored(brief)
    return Rerendered(brief, paths, rendered.pages, stored_only)
