#!/usr/bin/env python3
"""Print pip constraints pinning each direct dependency of briefer to its floor (>=X → ==X).

CI installs with them to prove the floors in pyproject.toml are true. ``--names`` prints the
names as one regular expression instead (to show what was installed).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def floors() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned: dict[str, str] = {}
    for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)", spec)
        if match:
            pinned[match.group(1)] = match.group(2)
    return pinned


if __name__ == "__main__":
    found = floors()
    if "--names" in sys.argv:
        print("^(" + "|".join(re.escape(n) for n in found) + ")==")
    else:
        print("\n".join(f"{name}=={version}" for name, version in found.items()))
