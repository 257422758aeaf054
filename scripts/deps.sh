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
  libopenmpi-dev openmpi-bin
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

