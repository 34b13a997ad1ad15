"""A brief's output files: every format rendered in memory, then written so that a failure never
leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from briefer.errors import ConfigError
from briefer.models import Brief
from briefer.render.render import PageSize, Renderer, to_json

FORMATS: tuple[str, ...] = ("md", "json", "pdf")


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"md,pdf"`` → ``("md", "pdf")`` in canonical order; unknown names are a ConfigError."""
    names = [s.strip().lower() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    names = [n for n in names if n]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown or not names:
        raise ConfigError(
            f"unknown output format {', '.join(unknown) or '(none)'}",
            hint=f"choose from {','.join(FORMATS)}",
        )
    return tuple(f for f in FORMATS if f in names)


class Rendered(NamedTuple):
    files: dict[str, bytes]  # by format
    pages: int | None  # the PDF's pages, None without a PDF


def render_files(
    brief: Brief,
    renderer: Renderer,
    formats: Iterable[str] = FORMATS,
    *,
    handling: str,
    page_size: PageSize = "a4",
    dates: bool = False,
) -> Rendered:
    """Every requested format, complete in memory (so a failure writes nothing)."""
    wanted = parse_formats(formats)
    out: dict[str, bytes] = {}
    pages: int | None = None
    if "md" in wanted:
        out["md"] = renderer.markdown(brief).encode()
    if "json" in wanted:
        out["json"] = to_json(brief).encode()
    if "pdf" in wanted:
        from briefer.render.pdf import render_pdf  # WeasyPrint is slow to import

        pdf = render_pdf(brief, renderer, handling=handling, page_size=page_size, dates=dates)
        out["pdf"], pages = pdf.data, pdf.pages
    return Rendered(out, pages)


def _file_mode() -> int:
    """0666 less the process umask (read without changing it for other threads: /proc first)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(files: dict[Path, bytes]) -> list[Path]:
    """Write every file to a temporary name beside it, then rename each into place.

    All contents are complete in memory before the first byte is written; a rename is atomic on
    POSIX, so a reader (or a crash) sees either the old file or the whole new one.
    """
    staged: list[tuple[str, Path]] = []
    mode = _file_mode()
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            staged.append((tmp, path))
            # mkstemp creates 0600 files; handouts are meant to be shared, so give them the
            # mode any other tool would (0666 less the umask).
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            Path(tmp).replace(path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    return list(files)
