#!/usr/bin/env bash
# The main job: set up what is missing, build, then validate and run cpsf on the
# bundled default scenario (or the scenario given), writing out/<name>/ and, last, its
# HTML report out/<name>/report.html, whose path it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
scenario=${1:-scenarios/default/scenario.textproto}
name=$(basename "$(dirname "$scenario")")
build/bin/cpsf validate --summary "$scenario"
echo
build/bin/cpsf run "$scenario" --out "out/$name" --report
