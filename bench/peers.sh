#!/usr/bin/env bash
# Engine vs the NetworkX and graph-tool peers, one command (issue 4, item 3).
#
#   bash bench/peers.sh [TRIALS]       (default 1000; needs build/bin/cpsf: scripts/build.sh)
#
# Generates two 10,000-asset, ~40,000-relation supply chains with `cpsf generate` — one
# where attacks stay local, one where they spread to a large share of the graph — runs
# the engine (one thread) and both peers on each with the same trials, prints the time
# per trial of each and the ratios, writes bench/results/peers-<date>.txt, and fails if
# any asset's P(compromised) disagrees beyond the standard errors (bench/peers/compare.py).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-1000}
cpsf=build/bin/cpsf
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
report=bench/results/peers-$(date +%Y%m%d).txt
status=0
{
  echo "cpsf $($cpsf --version | cut -d' ' -f2-) | $(nproc) cores | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  printf '%-8s %8s %14s %14s %14s %10s %10s\n' graph trials "engine ms" "networkx ms" "graph-tool ms" "nx/engine" "gt/engine"
} | tee "$report"
for shape in local spread; do
  if [[ $shape == local ]]; then p="--p-min 0.02 --p-max 0.2"; else p="--p-min 0.1 --p-max 0.6"; fi
  # shellcheck disable=SC2086
  $cpsf generate "$work/$shape.json" --enterprises 10 --assets-per-enterprise 1000 --relations-per-asset 4 \
    --entry-share 0.01 --horizon 30 --seed 11 $p 2>/dev/null
  $cpsf run "$work/$shape.json" --trials "$trials" --threads 1 --no-inherent --no-paths --quiet --timings \
    --out "$work/engine-$shape" 2>"$work/engine-$shape.timings"
  engine_s=$(awk '$1 == "simulate" {print $2}' "$work/engine-$shape.timings")
  $py bench/peers/peer_networkx.py "$work/$shape.json" --trials "$trials" --seed 1 --out "$work/nx-$shape.json"
  $py bench/peers/peer_graphtool.py "$work/$shape.json" --trials "$trials" --seed 1 --out "$work/gt-$shape.json"
  $py - "$shape" "$trials" "$engine_s" "$work/nx-$shape.json" "$work/gt-$shape.json" <<'PY' | tee -a "$report"
import json, sys
shape, trials, engine = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
nx, gt = (json.load(open(f)) for f in sys.argv[4:6])
e, n, g = engine / trials * 1e3, nx["seconds"] / trials * 1e3, gt["seconds"] / trials * 1e3
print(f"{shape:<8} {trials:>8} {e:>14.4f} {n:>14.4f} {g:>14.4f} {n / e:>10.1f} {g / e:>10.1f}")
PY
  if ! $py bench/peers/compare.py "$work/engine-$shape/results.json" "$work/nx-$shape.json" "$work/gt-$shape.json" \
      | tee -a "$report"; then
    status=1
  fi
done
echo "targets (issue 4): networkx/engine >= 300, graph-tool/engine >= 20 on both graphs" | tee -a "$report"
exit $status
