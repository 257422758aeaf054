#!/usr/bin/env bash
# Installs the Debian packages cpsf needs that are missing (apt-get), and nothing when
# all are there. Sourced by scripts/run.sh and scripts/test.sh; safe to run alone.
set -euo pipefail

CPSF_DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  protobuf-compiler libprotobuf-dev
  libboost-graph-dev libeigen3-dev libtbb-dev
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev python3-venv pybind11-dev
  python3-pytest python3-numpy python3-pandas
  python3-protobuf python3-matplotlib python3-tqdm
  python3-nbclient python3-nbformat python3-ipykernel
  python3-networkx python3-graph-tool
  clang-format clang-tidy universal-ctags ccache
  chromium python3-websocket fonts-dejavu-core
)

missing=()
for pkg in "${CPSF_DEBIAN_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "cpsf: installing missing Debian packages: ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "cpsf: need root or sudo to install ${missing[*]}" >&2; exit 2; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm, for Vega (below). A Node.js from another source (NodeSource) brings its own npm,
# which Debian's npm package would conflict with: only when there is no npm at all.
if ! command -v npm >/dev/null; then
  echo "cpsf: installing Debian's npm (for the report's chart library, Vega)" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# Vega, the chart library that reports inline (docs/report.md). Debian's libjs-vega is split
# into modules that need d3's Node packages, so the single-file browser build comes from npm,
# pinned by version and checked against its SHA-512 (npm's own integrity value, in hex).
# The tarball is kept in the user's cache, so clean clones build offline after the first.
vega_version=5.33.1
vega_sha512=d5f02b7d50d4a956dbe73f27fbf9d541bf95341cf1f2cbd8e82aecc932b85239b8cab77d2356aea0ac4100f5cb09abd8d4b72b6c752c9106c650ff205cecf243
vega_dir=.deps/vega-$vega_version
if [[ ! -f "$vega_dir/vega.min.js" ]]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/cpsf
  tarball=$cache/vega-$vega_version.tgz
  mkdir -p "$cache"
  if [[ ! -f "$tarball" ]] || ! echo "$vega_sha512  $tarball" | sha512sum --check --status; then
    echo "cpsf: fetching vega@$vega_version from npm (the report's charts)" >&2
    (cd "$cache" && npm pack --silent "vega@$vega_version" >/dev/null)
  fi
  if ! echo "$vega_sha512  $tarball" | sha512sum --check --status; then
    echo "cpsf: $tarball does not have the pinned SHA-512 of vega@$vega_version; delete it and retry" >&2
    exit 2
  fi
  mkdir -p "$vega_dir"
  tar -xzf "$tarball" -C "$vega_dir" --strip-components=2 package/build/vega.min.js
fi
