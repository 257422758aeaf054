#!/usr/bin/env bash
# Functions longer than a limit, measured with Universal Ctags (Debian package
# universal-ctags): a function's length is its last line minus its first plus one, as
# ctags sees them (from the line of its name to its closing brace). Lambdas count
# towards the function they are written in, not on their own.
#
#   scripts/function-lengths.sh [--limit N] [--allow FILE] [--all] [PATH...]
#
# PATH: files or folders to measure, relative to the repository root (default: engine).
# Prints each function over the limit (default 80 lines) as "path:function  length",
# longest first, and exits 1 when one over the limit is not on the allow-list. --all
# prints every function over the limit, marking the allowed ones; without it only the
# ones not allowed and a count of the allowed are printed.
#
# The allow-list (default scripts/long-functions.txt) holds "path:function  # reason"
# lines; blank lines and lines starting with # are ignored. A member function is named
# Class::function; overloads share one entry. An entry that no longer matches a function
# over the limit is reported, so the list does not outlive its reasons.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
limit=80
allow="$root/scripts/long-functions.txt"
show_all=0
paths=()
while (($#)); do
  case "$1" in
    --limit) limit=$2; shift 2 ;;
    --allow) allow=$2; shift 2 ;;
    --all) show_all=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "function-lengths.sh: unknown option $1" >&2; exit 2 ;;
    *) paths+=("$1"); shift ;;
  esac
done
((${#paths[@]})) || paths=(engine)

# (Not `ctags --version | grep -q`: with pipefail, grep leaving early could fail the test.)
if [[ "$(ctags --version 2>/dev/null || true)" != *"Universal Ctags"* ]]; then
  echo "function-lengths.sh: needs Universal Ctags (apt-get install universal-ctags)" >&2
  exit 2
fi

cd "$root"
# One line per function: path, first line, last line, name, scope kind, scope.
measured=$(ctags -x -R --sort=no --languages=C++ --kinds-C++=f --fields=+neZK \
             --_xformat='%{input}	%{line}	%{end}	%{name}	%{scopeKind}	%{scope}' "${paths[@]}" |
           awk -F'\t' -v limit="$limit" '
             $4 ~ /^__anon/ { next }            # lambdas: part of their function
             {
               name = $4
               if ($5 == "class" || $5 == "struct") {   # Class::function, without namespaces
                 n = split($6, parts, "::"); name = parts[n] "::" $4
               }
               length_ = $3 - $2 + 1
               if (length_ > limit) printf "%s:%s\t%d\n", $1, name, length_
             }' | sort -t$'\t' -k2,2nr -k1,1)

declare -A allowed=()
if [[ -f "$allow" ]]; then
  while IFS= read -r line; do
    entry=${line%%#*}
    entry=$(echo "$entry" | xargs)
    [[ -n "$entry" ]] && allowed[$entry]=1
  done <"$allow"
fi

over=0 allowed_count=0
declare -A seen=()
while IFS=$'\t' read -r key length; do
  [[ -n "$key" ]] || continue
  seen[$key]=1
  if [[ -n "${allowed[$key]:-}" ]]; then
    allowed_count=$((allowed_count + 1))
    ((show_all)) && printf '%-60s %5d  (allowed)\n' "$key" "$length"
  else
    over=$((over + 1))
    printf '%-60s %5d\n' "$key" "$length"
  fi
done <<<"$measured"

# Entries for functions under these paths that are no longer over the limit.
for key in "${!allowed[@]}"; do
  for p in "${paths[@]}"; do
    if [[ "${key%%:*}" == "${p%/}"* && -z "${seen[$key]:-}" ]]; then
      echo "function-lengths.sh: $allow: '$key' is not over $limit lines (any more): remove it" >&2
      over=$((over + 1))
    fi
  done
done

if ((over)); then
  echo "function-lengths.sh: $over function(s) over $limit lines and not on $(basename "$allow") (or stale entries)" >&2
  exit 1
fi
echo "function-lengths.sh: no function over $limit lines but the $allowed_count on $(basename "$allow")"
