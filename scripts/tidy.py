#!/usr/bin/python3
"""clang-tidy over the project's files in a build's compile_commands.json, in parallel,
skipping a file whose every input already passed (called by scripts/lint.sh).

Usage: /usr/bin/python3 scripts/tidy.py [--build DIR] [--jobs N] PATH...

PATH: folders (or files) of the source tree, e.g. engine python/src; every translation
unit of the compile database under one of them is checked with the root's .clang-tidy.
Exits 1 when clang-tidy reports anything, 2 when it cannot run.

The pass cache (like ccache, for clang-tidy): a file that passed is remembered under a key
made of clang-tidy's version, the .clang-tidy files, the file's path in the tree, its compile
command and its preprocessed text (every header it includes), with the tree's and the
build's absolute paths taken out, so a clone at another path hits it too. Any change to
one of them checks the file again; a file with findings is never remembered. The cache
is $CPSF_TIDY_CACHE, else ~/.cache/cpsf/clang-tidy; CPSF_TIDY_CACHE=off disables it.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DIAGNOSTIC = re.compile(r"^\S.*:\d+:\d+: \w+: ")  # path:line:col: warning|error|note: message
NOTE = re.compile(r"^\S.*:\d+:\d+: note: ")


def header_filter_regex():
    """.clang-tidy's HeaderFilterRegex, the one place that says which headers are ours (the
    cache key holds .clang-tidy, so a change to it checks every file again)."""
    found = re.search(r"^HeaderFilterRegex:\s*'([^']*)'", (ROOT / ".clang-tidy").read_text(), re.M)
    if not found:
        raise SystemExit("tidy.py: .clang-tidy has no HeaderFilterRegex: '...' line")
    return found.group(1)


def cache_dir():
    setting = os.environ.get("CPSF_TIDY_CACHE")
    if setting == "off":
        return None
    if setting:
        return pathlib.Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "cpsf" / "clang-tidy"


def preprocess_command(args):
    """The compile command with -E -P instead of -c and -o: the text the compiler sees."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg != "-c":
            out.append(arg)
    return out + ["-E", "-P"]


def cache_key(entry, args, build, version):
    pre = subprocess.run(preprocess_command(args), cwd=entry["directory"], capture_output=True)
    if pre.returncode != 0:
        return None  # clang-tidy will say what is wrong
    digest = hashlib.sha256(version)
    source = pathlib.Path(entry["file"]).resolve()
    for folder in source.relative_to(ROOT).parents:  # the .clang-tidy files that apply
        config = ROOT / folder / ".clang-tidy"
        digest.update(config.read_bytes() if config.exists() else b"-")
    for part in (str(source.relative_to(ROOT)), " ".join(args)):
        digest.update(part.replace(str(build), "<build>").replace(str(ROOT), "<root>").encode() + b"\0")
    # __FILE__ in the tests' assertion macros expands to absolute paths.
    digest.update(pre.stdout.replace(str(build).encode(), b"<build>").replace(str(ROOT).encode(), b"<root>"))
    return digest.hexdigest()


def diagnostics(output):
    """clang-tidy's output as (first line, whole text) per diagnostic: its location and
    message, then the quoted code and any notes."""
    found = []
    for line in output.splitlines():
        if DIAGNOSTIC.match(line) and not NOTE.match(line):
            found.append([line])
        elif found and line.strip():
            found[-1].append(line)
    return [(lines[0], "\n".join(lines)) for lines in found]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", help="build directory with compile_commands.json")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("paths", nargs="+")
    opts = parser.parse_args()

    build = (ROOT / opts.build).resolve()
    database = build / "compile_commands.json"
    if not database.exists():
        print(f"tidy.py: {database} is missing: configure the build first (scripts/build.sh)", file=sys.stderr)
        return 2
    wanted = [(ROOT / p).resolve() for p in opts.paths]
    entries = [e for e in json.loads(database.read_text())
               if any(pathlib.Path(e["file"]).resolve().is_relative_to(w) for w in wanted)]
    if not entries:
        print(f"tidy.py: no file of {' '.join(opts.paths)} in {database}", file=sys.stderr)
        return 2

    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, check=True).stdout
    cache = cache_dir()
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    # Headers under this tree's own folders only, anchored at the tree: .clang-tidy's
    # unanchored pattern would also take a generated .pb.h when the clone's path itself
    # contains, say, "engine/".
    header_filter = f"--header-filter=^{re.escape(str(ROOT))}/{header_filter_regex()}"
    printed = set()

    def check(entry):
        args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
        key = cache_key(entry, args, build, version) if cache else None
        if key and (cache / key).exists():
            (cache / key).touch()
            return True, True
        run = subprocess.run(["clang-tidy", "--quiet", "-p", str(build), header_filter, entry["file"]],
                             capture_output=True, text=True)
        # Without findings clang-tidy prints only "N warnings generated." (system headers).
        findings = diagnostics(run.stdout)
        passed = run.returncode == 0 and not findings
        if passed and key:
            (cache / key).touch()
        if not passed:
            with lock:  # a finding in a header once, not once per file that includes it
                new = [text for first, text in findings if first not in printed]
                printed.update(first for first, _ in findings)
                if new or not findings:
                    print("\n".join(new) or run.stderr, flush=True)
        return passed, False

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        results = list(pool.map(check, entries))
    failed = sum(1 for passed, _ in results if not passed)
    cached = sum(1 for _, hit in results if hit)
    print(f"tidy.py: {len(entries)} files, {cached} unchanged since they passed, {failed} with findings "
          f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if cache:  # forget what has not been seen for 60 days
        for entry in cache.iterdir():
            if time.time() - entry.stat().st_mtime > 60 * 86400:
                entry.unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
