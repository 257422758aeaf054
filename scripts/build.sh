#!/usr/bin/env bash
# Configures and builds cpsf (Release) into build/, quickly when nothing changed.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
dir=${1:-build}
shift || true
# ccache, when installed, keeps compiled objects across builds and clones. Paths under this
# tree are rewritten relative to the build directory (base_dir), so a clone at another
# path hits the same entries; the sanitizer builds' -g leaves the directory out of the
# hash too (hash_dir), at the price of debug info that may name another clone's directory.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCPSF_PYTHON=/usr/bin/python3 "${launcher[@]}" "$@" >/dev/null
fi
# Two cores: keep memory and the machine responsive.
cmake --build "$dir" --parallel "$(nproc)"
