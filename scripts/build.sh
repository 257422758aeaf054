#!/usr/bin/env bash
# Configures and builds cpsf (Release) into build/, quickly when nothing changed.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
dir=${1:-build}
shift || true
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCPSF_PYTHON=/usr/bin/python3 "$@" >/dev/null
fi
# Two cores: keep memory and the machine responsive.
cmake --build "$dir" --parallel "$(nproc)"
