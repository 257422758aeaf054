#!/usr/bin/env bash
# Peak memory against the trial count (issue 19, item 1): a run keeps its statistics in
# memory that does not depend on the trial count, unless --per-trial asks for every trial.
#
#   bash bench/memory.sh [MAX_EXPONENT]    (default 8: up to 10^8 trials; needs build/bin/cpsf)
#
# Generates a 40-asset, 4-enterprise chain, runs it at 10^4, 10^5, ... 10^MAX trials (2
# threads), and with --per-trial up to 10^6, and prints each run's peak resident memory
# (getrusage of the child) and time; writes bench/results/memory-<date>.txt. Fails when the
# peak at the largest count exceeds 1.2 × the peak at 10^4 (the goal).
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-8}
cpsf=$PWD/build/bin/cpsf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
report=bench/results/memory-$(date +%Y%m%d).txt
$cpsf generate "$work/chain.textproto" --enterprises 4 --assets-per-enterprise 10 --seed 7 >/dev/null
/usr/bin/python3 - "$cpsf" "$work" "$max" <<'PY' | tee "$report"
import resource, subprocess, sys, time
cpsf, work, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
version = subprocess.run([cpsf, "--version"], capture_output=True, text=True).stdout.strip()
print(f"{version} | 40 assets, 4 enterprises (cpsf generate --enterprises 4 --assets-per-enterprise 10 --seed 7), 2 threads")
print(f"{'trials':>12} {'mode':>10} {'peak MB':>9} {'seconds':>9}")
peaks = {}
def run(trials, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    subprocess.run([cpsf, "run", f"{work}/chain.textproto", "--trials", str(trials), "--threads", "2", "-q",
                    "--target-rse", "0", "--out", f"{work}/out", *extra], check=True)
    seconds = time.monotonic() - start
    # ru_maxrss of the children is the largest of any child so far: run the counts ascending.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"{trials:>12} {'per-trial' if extra else 'default':>10} {peak:>9.1f} {seconds:>9.1f}", flush=True)
    return peak
for e in range(4, top + 1):
    peaks[e] = run(10 ** e, [])
for e in range(4, min(top, 6) + 1):
    run(10 ** e, ["--per-trial"])
ratio = peaks[top] / peaks[4]
print(f"peak at 10^{top} / peak at 10^4 = {ratio:.3f} (goal <= 1.2)")
sys.exit(0 if ratio <= 1.2 else 1)
PY
