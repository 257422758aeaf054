#!/usr/bin/env bash
# The style checks (docs/architecture.md, "Lint"), each saying how to fix what it finds:
#   1. clang-format: the project's C++ files follow .clang-format;
#   2. clang-tidy: the checks of .clang-tidy over engine/, python/src/, tests/ and bench/
#      (scripts/tidy.py, which skips the files that passed unchanged);
#   3. scripts/check-layers.py: the stage folders include one way only;
#   4. scripts/function-lengths.sh: no engine or binding function over 80 lines but the
#      ones on scripts/long-functions.txt.
# Runs all four and exits 1 when one failed.
#   scripts/lint.sh [BUILD_DIR]    (default build: clang-tidy reads its compile_commands.json)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
failed=()
for tool in clang-format clang-tidy ctags; do
  command -v $tool >/dev/null || { echo "lint: $tool is missing: bash scripts/deps.sh installs it" >&2; exit 2; }
done

# part NAME COMMAND...: runs one check, timed.
part() {
  local name=$1 start=$SECONDS
  shift
  echo "-- lint: $name"
  if "$@"; then
    echo "-- lint: $name passed ($((SECONDS - start)) s)"
  else
    echo "-- lint: $name FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
  fi
}

# The project's C++ files: tracked sources and headers. Not the generated table
# (display_width_table.inc, from scripts/gen-display-width.py), the .cpp.in templates
# or the protobuf code, which is generated into the build directory.
mapfile -t cxx_files < <(git ls-files '*.cpp' '*.hpp')

format() {
  local bad
  bad=$(for f in "${cxx_files[@]}"; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
  [[ -z "$bad" ]] && return 0
  echo "Not formatted as .clang-format says ($(wc -l <<<"$bad") files); see the changes with"
  echo "clang-format --dry-run FILE, then apply them with:"
  echo "  clang-format -i $(tr '\n' ' ' <<<"$bad")"
  return 1
}

tidy() {
  if [[ ! -f "$build/compile_commands.json" ]]; then
    echo "$build/compile_commands.json is missing: build first (bash scripts/build.sh $build)"
    return 1
  fi
  /usr/bin/python3 scripts/tidy.py --build "$build" engine python/src tests bench && return 0
  echo "Fix the code as the finding says. If a finding is wrong for that line, say why beside it:"
  echo "  // NOLINT(check-name): reason        (or NOLINTNEXTLINE(check-name) on the line above)"
  echo "A check that is noise for this code base is turned off in .clang-tidy, with its reason."
  return 1
}

layers() {
  /usr/bin/python3 scripts/check-layers.py && return 0
  echo "Include only from the same stage folder or one below it (docs/architecture.md, \"Layout by stage\"):"
  echo "move the code to the stage it belongs to, or pass the data down instead of including up."
  return 1
}

lengths() {
  bash scripts/function-lengths.sh engine python/src && return 0
  echo "Split the function into named steps. If a reviewer would agree it reads best whole, add"
  echo "\"path:function  # reason\" to scripts/long-functions.txt; remove an entry that no longer applies."
  return 1
}

part "clang-format" format
part "clang-tidy" tidy
part "include layers" layers
part "function lengths" lengths

if ((${#failed[@]})); then
  echo "lint: failed: ${failed[*]}"
  exit 1
fi
echo "lint: all checks passed"
