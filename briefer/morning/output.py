"""The day's files: ``morning-brief.{md,json,pdf}`` and each item's brief under ``items/``,
all rendered in memory first and written together (all or none), then mailed if asked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from briefer.inputs.sources import slug
from briefer.model.local_server import raise_if_interrupted
from briefer.models import Brief, Digest
from briefer.morning.deliver import message, send
from briefer.morning.profile import Delivery
from briefer.pipeline import Briefer
from briefer.render import digest as render_digest
from briefer.render.output import parse_formats, write_atomic

DIGEST = "morning-brief"
ITEMS = "items"


def item_stem(number: int, brief: Brief) -> str:
    return f"{number:02d}-{slug(brief.title.lower())[:48].rstrip('-.')}"


def render(
    digest: Digest, briefs: Sequence[Brief], briefer: Briefer, folder: Path, formats: Sequence[str]
) -> dict[Path, bytes]:
    wanted = parse_formats(formats)
    files: dict[Path, bytes] = {}
    renderer = briefer.renderer
    if "md" in wanted:
        files[folder / f"{DIGEST}.md"] = render_digest.markdown(digest, renderer).encode()
    if "json" in wanted:
        files[folder / f"{DIGEST}.json"] = render_digest.to_json(digest).encode()
    if "pdf" in wanted:
        files[folder / f"{DIGEST}.pdf"] = render_digest.pdf(
            digest,
            renderer,
            handling=briefer.settings.handling,
            page_size=briefer.settings.page_size,
        ).data
    for number, brief in enumerate(briefs, start=1):
        stem = item_stem(number, brief)
        for ext, data in briefer.render(brief, wanted).items():
            files[folder / ITEMS / f"{stem}.{ext}"] = data
    return files


def write(
    digest: Digest, briefs: Sequence[Brief], briefer: Briefer, folder: Path, formats: Sequence[str]
) -> list[Path]:
    """Write the day's files at once; item files of an earlier run of the same day that are
    not part of this digest are removed (``items/`` is briefer's)."""
    files = render(digest, briefs, briefer, folder, formats)
    # Nothing is written after Ctrl-C or SIGTERM, even one swallowed while rendering a PDF.
    raise_if_interrupted()
    paths = write_atomic(files)
    items = folder / ITEMS
    if items.is_dir():
        for stale in items.iterdir():
            if stale.is_file() and stale.suffix in (".md", ".json", ".pdf") and stale not in files:
                stale.unlink()
    return paths


def deliver(
    delivery: Delivery, digest: Digest, paths: Sequence[Path], briefer: Briefer
) -> list[str]:
    """Mail the digest: the PDF attached (when written), the Markdown as the body. Returns the
    recipients the server refused."""
    by_name = {p.name: p for p in paths}
    pdf_path = by_name.get(f"{DIGEST}.pdf")
    md_path = by_name.get(f"{DIGEST}.md")
    markdown = (
        md_path.read_text(encoding="utf-8")
        if md_path
        else render_digest.markdown(digest, briefer.renderer)
    )
    fields = {"date": digest.run.date, "items": len(digest.items), "profile": digest.run.profile}
    try:
        subject = delivery.subject.format(**fields)
    except (KeyError, IndexError, ValueError):  # a template naming other fields
        subject = Delivery.model_fields["subject"].default.format(**fields)
    mail = message(
        delivery,
        subject=subject,
        markdown=markdown,
        pdf=pdf_path.read_bytes() if pdf_path else None,
        filename=f"{DIGEST}-{digest.run.date}.pdf",
    )
    return send(delivery, mail)
