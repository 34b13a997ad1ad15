#!/usr/bin/env bash
# Install briefer into .venv/ at the repository root.
#   scripts/setup.sh          the tool
#   scripts/setup.sh --dev    the tool and its test/lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--dev" ]] && extras="[dev]"

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras}"
