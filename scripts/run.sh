#!/usr/bin/env bash
# The main job: set up what is missing, build, and run cpsf on the bundled default
# scenario. Until the simulation engine lands this validates the scenario and prints
# its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
build/bin/cpsf validate --summary "${1:-scenarios/default/scenario.textproto}"
