"""Writing output files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
