#!/usr/bin/env bash
# Fuzz the scenario loader, validator and (for what validates) a short run with every
# writer, then the inventory importer and its round trip, then the self-assessment importer,
# then the GraphML importer and its round trip, then the CycloneDX importer, with libFuzzer
# (clang, ASan + UBSan).
#   bash tests/fuzz/run.sh [SECONDS per target, default 120]
# Seeds: the default scenario in every format and the sector scenarios. Crashes land in
# build-fuzz/crashes/. Not part of scripts/test.sh: a fuzz run is open-ended.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-120}
command -v clang++ >/dev/null || { echo "needs clang (apt-get install clang)" >&2; exit 2; }
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCPSF_BUILD_FUZZ=ON \
    -DCPSF_BUILD_TESTS=OFF -DCPSF_BUILD_BENCH=OFF -DCPSF_BUILD_PYTHON=OFF >/dev/null
fi
cmake --build build-fuzz --target scenario_fuzz inventory_fuzz self_assessment_fuzz graphml_fuzz cyclonedx_fuzz
corpus=build-fuzz/corpus
mkdir -p "$corpus" build-fuzz/crashes
seed() { printf "\\x$(printf %02x "$1")" | cat - "$2" > "$corpus/$(basename "$2").$1"; }
seed 0 scenarios/default/scenario.textproto
build/bin/cpsf convert scenarios/default/scenario.textproto /tmp/cpsf-fuzz-seed.json 2>/dev/null && seed 1 /tmp/cpsf-fuzz-seed.json
build/bin/cpsf convert scenarios/default/scenario.textproto /tmp/cpsf-fuzz-seed.pb 2>/dev/null && seed 2 /tmp/cpsf-fuzz-seed.pb
# The sector scenarios (cascade, annualised threats, ALL gates...), flattened: small valid
# scenarios of every feature, so that mutations reach the run stage often.
for f in scenarios/sectors/*/scenario*.textproto; do
  name=$(basename "$(dirname "$f")")-$(basename "$f" .textproto)
  build/bin/cpsf convert --flatten "$f" "/tmp/cpsf-fuzz-$name.textproto" 2>/dev/null && seed 0 "/tmp/cpsf-fuzz-$name.textproto"
done
build-fuzz/bin/scenario_fuzz "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
# The inventory importer (inventory_fuzz.cpp): seeds are the example inventory and the
# default scenario's export, each file's text joined by 0x1E in kInventoryFiles' order.
inventory_seed() {
  local folder=$1 out=$2 first=1
  : > "$out"
  for f in scenario enterprises assets relations dependencies controls threats requirements; do
    [[ $first == 1 ]] || printf '\x1e' >> "$out"
    first=0
    if [[ -f "$folder/$f.csv" ]]; then cat "$folder/$f.csv" >> "$out"; fi
  done
}
mkdir -p build-fuzz/inventory-corpus
inventory_seed scenarios/examples/inventory build-fuzz/inventory-corpus/example
build/bin/cpsf export inventory scenarios/default/scenario.textproto -o /tmp/cpsf-fuzz-inventory 2>/dev/null &&
  inventory_seed /tmp/cpsf-fuzz-inventory build-fuzz/inventory-corpus/default
build-fuzz/bin/inventory_fuzz build-fuzz/inventory-corpus -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
# The self-assessment importer (self_assessment_fuzz.cpp): seeds are the example's answers and
# mapping, into the default scenario (first byte 1) and as a fragment (0).
mkdir -p build-fuzz/self-assessment-corpus
for into in 0 1; do
  { printf "\\x0$into"; cat scenarios/examples/self-assessment/answers.csv; printf '\x1e'
    cat scenarios/examples/self-assessment/mapping.csv; } > "build-fuzz/self-assessment-corpus/example.$into"
done
build-fuzz/bin/self_assessment_fuzz build-fuzz/self-assessment-corpus -max_total_time="$seconds" -max_len=65536 \
  -timeout=10 -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
# The GraphML importer (graphml_fuzz.cpp): seeds are the example drawing with its mapping
# (joined by 0x1E) and the default scenario's graph.
mkdir -p build-fuzz/graphml-corpus
{ cat scenarios/examples/graphml/drawing.graphml; printf '\x1e'; cat scenarios/examples/graphml/mapping.csv; } \
  > build-fuzz/graphml-corpus/example
build/bin/cpsf export graphml scenarios/default/scenario.textproto -o build-fuzz/graphml-corpus/default 2>/dev/null || true
build-fuzz/bin/graphml_fuzz build-fuzz/graphml-corpus -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
# The CycloneDX importer (cyclonedx_fuzz.cpp): seeds are the test SBOMs and the example, alone
# (first byte 0) and attached to the default scenario's oem-plc (1).
mkdir -p build-fuzz/cyclonedx-corpus
for f in tests/data/cyclonedx/*.json scenarios/examples/cyclonedx/*.json; do
  for into in 0 1; do
    { printf "\\x0$into"; cat "$f"; } > "build-fuzz/cyclonedx-corpus/$(basename "$f").$into"
  done
done
build-fuzz/bin/cyclonedx_fuzz build-fuzz/cyclonedx-corpus -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
