#!/usr/bin/env bash
# What share of a trial's time per step goes to its random numbers (docs/performance.md,
# "What limits the spread target"). An experiment, not a benchmark of the product:
#
#   bash bench/experiments/random_share.sh [REPETITIONS]     (default 5)
#
# Builds `cpsf` from HEAD four times in a scratch worktree — as is; with splitmix64 in place
# of the Philox4x32-10 blocks; with a uniform time of the same mean in place of the
# exponential's log1p; with both (cheap-random.patch, compile-time switches) — and runs each
# on the peers' two 10,000-asset graphs (bench/peers.sh), interleaved, one thread. Prints the
# `simulate` stage's nanoseconds per step tried. The cheap variants draw different numbers,
# so their results are not the engine's: only their time per step means anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-5}
root=$(pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --quiet --detach "$work/src" HEAD
git -C "$work/src" apply "$root/bench/experiments/cheap-random.patch"
declare -A flags=([as-is]="" [cheap-blocks]="-DCPSF_EXPERIMENT_CHEAP_BLOCKS" [cheap-times]="-DCPSF_EXPERIMENT_CHEAP_TIMES"
                  [both-cheap]="-DCPSF_EXPERIMENT_CHEAP_BLOCKS -DCPSF_EXPERIMENT_CHEAP_TIMES")
variants=(as-is cheap-blocks cheap-times both-cheap)
for v in "${variants[@]}"; do
  cmake -S "$work/src" -B "$work/build-$v" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="${flags[$v]}" \
    -DCPSF_PYTHON=/usr/bin/python3 -DCPSF_BUILD_TESTS=OFF -DCPSF_BUILD_PYTHON=OFF -DCPSF_BUILD_BENCH=OFF >/dev/null
  cmake --build "$work/build-$v" --target cpsf >/dev/null
done
cpsf=$work/build-as-is/bin/cpsf
for shape in local spread; do
  if [[ $shape == local ]]; then p="--p-min 0.02 --p-max 0.2" trials=40000; else p="--p-min 0.1 --p-max 0.6" trials=4000; fi
  # shellcheck disable=SC2086
  $cpsf generate "$work/$shape.pb" --enterprises 10 --assets-per-enterprise 1000 --relations-per-asset 4 \
    --entry-share 0.01 --horizon 30 --seed 11 $p 2>/dev/null
  echo "$shape graph, $trials trials, ns per step tried (simulate stage), one line per repetition:"
  printf '  %s' "${variants[@]}"; echo
  for _ in $(seq "$reps"); do
    for v in "${variants[@]}"; do
      "$work/build-$v/bin/cpsf" run "$work/$shape.pb" --trials $trials --threads 1 --no-inherent --no-paths -q --timings \
        --out "$work/out-$v" 2>&1 | awk '/simulate/ {s = $2} /steps tried/ {gsub("[(,]", "", $3); n = $3}
                                        END {printf "  %.1f", s / n * 1e9}'
    done
    echo
  done
done
