#!/usr/bin/env bash
# Every test: set up what is missing, build (Release), check the style (scripts/lint.sh),
# run the C++ tests and the Python tests (CTest runs both), then build again with
# AddressSanitizer + UndefinedBehaviorSanitizer and run them there too, and with
# ThreadSanitizer for the C++ tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build (Release)"
bash scripts/build.sh build
# The lint comes after the Release build, whose compile_commands.json and generated protobuf
# headers clang-tidy reads, and before the tests, so that a style failure shows before the
# tests and the sanitizer builds have taken their time.
echo "== lint (scripts/lint.sh: clang-format, clang-tidy, include layers, function lengths)"
bash scripts/lint.sh build
echo "== Python environment (.venv seeing build/python: scripts/python-env.sh)"
bash scripts/python-env.sh --no-build
echo "== tests (Release): GoogleTest and pytest under CTest"
ctest --test-dir build --output-on-failure --parallel "$(nproc)"

echo "== build (ASan + UBSan)"
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCPSF_WITH_SANITIZERS=ON
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)"

echo "== build (ThreadSanitizer; plain threads stand in for TBB, see engine/cpsf/base/parallel.hpp)"
bash scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCPSF_WITH_TSAN=ON
echo "== C++ tests (ThreadSanitizer)"
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure --parallel "$(nproc)" -E pytest
