#!/usr/bin/env bash
# One process against several (issue 19, item 3; docs/cluster.md): the simulate stage of
# `cpsf run` (--timings) on the default scenario with 1 and 2 threads in one process, and
# with 1 and 2 MPI ranks of one thread each (mpirun binds each rank to a core).
#
#   bash bench/ranks.sh [TRIALS] [REPEATS]    (default 1000000 trials, 3 repeats; needs build/bin/cpsf)
#
# Runs the configurations interleaved and writes bench/results/ranks-<date>.txt. Every run
# writes the same results.json (tests/python/test_mpi.py checks that); this measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-1000000}
repeats=${2:-3}
cpsf=$PWD/build/bin/cpsf
scenario=scenarios/default/scenario.textproto
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
report=bench/results/ranks-$(date +%Y%m%d).txt
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(run "$scenario" --trials "$trials" --target-rse 0 -q --timings --out "$work/out")
simulate() { "$@" 2>&1 | awk '/simulate/ {print $2}'; }
{
  echo "$($cpsf --version) | $scenario, $trials trials | $(nproc) cores | load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-28s %s\n' configuration "simulate stage, seconds (each repeat)"
  declare -A times
  for ((i = 0; i < repeats; i++)); do
    times[1 thread]+="$(simulate "$cpsf" "${args[@]}" --threads 1) "
    times[2 threads]+="$(simulate "$cpsf" "${args[@]}" --threads 2) "
    times[mpirun -np 1, 1 thread]+="$(simulate mpirun -np 1 "$cpsf" "${args[@]}" --threads 1) "
    times[mpirun -np 2, 1 thread each]+="$(simulate mpirun -np 2 "$cpsf" "${args[@]}" --threads 1) "
  done
  for c in "1 thread" "2 threads" "mpirun -np 1, 1 thread" "mpirun -np 2, 1 thread each"; do
    printf '%-28s %s\n' "$c" "${times[$c]}"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$report"
