#!/usr/bin/env bash
# Replaces third_party/vega/vega.min.js with Vega VERSION's browser build from npm, after
# checking the tarball against npm's published integrity value, and prints the SHA-512 that
# engine/CMakeLists.txt must then pin (CPSF_VEGA_SHA512). Needs npm and the network.
#   bash scripts/update-vega.sh 5.33.1
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/update-vega.sh VERSION}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
integrity=$(npm view "vega@$version" dist.integrity)
(cd "$tmp" && npm pack --silent "vega@$version" >/dev/null)
tarball=$tmp/vega-$version.tgz
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$integrity" ]]; then
  echo "update-vega: $tarball has integrity $actual, npm says $integrity: not used" >&2
  exit 2
fi
tar -xzf "$tarball" -C "$tmp" package/build/vega.min.js
cp "$tmp/package/build/vega.min.js" third_party/vega/vega.min.js
echo "third_party/vega/vega.min.js is vega $version (npm integrity $integrity)."
echo "Pin its SHA-512 in engine/CMakeLists.txt (CPSF_VEGA_SHA512) and the version in third_party/vega/README.md:"
sha512sum third_party/vega/vega.min.js | cut -d' ' -f1
