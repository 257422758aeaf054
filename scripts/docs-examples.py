#!/usr/bin/env python3
"""Holds the console examples of the docs to the binary: runs them, and reports or rewrites the blocks that differ.

    /usr/bin/python3 scripts/docs-examples.py [BINARY] [--write]   (default build/bin/cpsf)

Which blocks. Every ```console block of README.md, docs/*.md and scenarios/**/README.md with a command
`$ build/bin/cpsf ...` that is not `--help` (those are scripts/docs-cli-help.py's). A block whose output cannot be
the same at every run (Ctrl-C at a moment of its own) is marked on the line just before its fence, and not run:

    <!-- docs-examples: skip (the reason) -->

How a block runs. Each `$ ` line is a command, continued on the next lines while it ends in `\\`; the lines up to
the next `$ ` are its output. Every command of the block runs in order (`echo $?`, `head`, `cat` and pipes
included), each in `bash -c` from the repository root with `$?` set to the previous command's exit code, stdin
empty, stderr and stdout into one pipe: the order is that of `COMMAND 2>&1 | cat`, where cpsf's stdout, buffered,
comes after its stderr. `build/bin/cpsf` in a command is the BINARY. The inputs the examples read that are not
scenarios of the repository are in docs/examples/. The output of a `--help` command is left as written
(tests/python/test_docs.py holds it to the binary).

What is masked, so that the output does not depend on the machine or on other runs:
- `/tmp/` in a command is a fresh private directory for the block, printed back as `/tmp/` (two runs at once do
  not share files, and the doc shows the path it wrote);
- the BINARY's path is printed back as `build/bin/cpsf`;
- the git revision (`git` followed by 7 to 40 hex digits, and `-dirty` if present) is left as the doc wrote it.
Nothing else is masked: examples do not ask for `--timings`, and progress goes to a terminal only, which a run
here is not. Trailing spaces are ignored.

Elision. A doc line that is only `...` (indented or not) stands for any number of output lines, none included.
The doc's lines before it are matched line by line; the output resumes at the first later line that reads like
the doc's line after the `...` with every number ignored (`mean 370508 kJPY` reads like `mean 2.44e+06 kJPY`).
A trailing `...` stands for the rest. When no output line reads like it, the elision ends there and the doc is
rewritten with the rest of the output in full (the message says so): put the `...` back where it belongs.

Without --write, prints a unified diff of each block that differs and exits 1 if any. With --write, rewrites
them with the actual output (elisions kept) and prints the files it changed; then read the diff, and the prose
around each block, which may quote its numbers.
"""
import difflib
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = "build/bin/cpsf"
SKIP = re.compile(r"^<!-- docs-examples: skip\b.*-->\s*$")
FENCE = re.compile(r"^```console\n(.*?)^```\s*$", re.S | re.M)
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?")
REVISION = re.compile(r"\bgit [0-9a-f]{7,40}(?:-dirty)?")


def documents(root=ROOT):
    """The Markdown files whose console blocks are held to the binary."""
    files = [root / "README.md", *sorted((root / "docs").glob("*.md")), *sorted((root / "scenarios").rglob("README.md"))]
    return [f for f in files if f.exists()]


def parse(body):
    """[(command lines, output lines)] of a console block's text."""
    steps, lines, i = [], body.splitlines(), 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1  # text before the first command: none in practice
            continue
        command = [lines[i]]
        while command[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            command.append(lines[i])
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        steps.append((command, lines[i + 1:j]))
        i = j
    return steps


def is_help(command):
    return re.match(r"^\$ build/bin/cpsf( \S+)* --help$", command[0]) is not None


def is_cpsf_example(command):
    return command[0].startswith(f"$ {DOC} ") and not is_help(command)


def blocks(root=ROOT):
    """(file, start offset, end offset, body, skipped) of every console block with a cpsf example."""
    found = []
    for path in documents(root):
        text = path.read_text()
        for m in FENCE.finditer(text):
            body = m.group(1)
            if not any(is_cpsf_example(c) for c, _ in parse(body)):
                continue
            before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
            found.append((path, m.start(1), m.end(1), body, bool(SKIP.match(before))))
    return found


def execute(binary, steps, root=ROOT):
    """The actual output lines of each step (None for a --help step)."""
    binary = str(binary)
    outputs, status = [], 0
    with tempfile.TemporaryDirectory(prefix="cpsf-docex-") as tmp:
        for command, _ in steps:
            if is_help(command):
                outputs.append(None)
                status = 0
                continue
            text = "\n".join(command)[2:]
            text = re.sub(r"(^|(?<=[\s|;&(]))build/bin/cpsf(?=\s)", lambda _: shlex.quote(binary), text)
            text = text.replace("/tmp/", tmp + "/")
            r = subprocess.run(["bash", "-c", f"(exit {status}); {text}"], cwd=root, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
            status = r.returncode
            out = r.stdout.replace(tmp + "/", "/tmp/").replace(tmp, "/tmp")
            if binary != DOC:
                out = out.replace(binary, DOC)
            outputs.append([line.rstrip() for line in out.rstrip("\n").splitlines()])
    return outputs


def shape(line):
    return NUMBER.sub("N", line.strip())


def render(doc, actual, notes):
    """The doc's output lines made to say `actual`, keeping its elisions and its git revisions."""
    doc = [line.rstrip() for line in doc]
    gap = [""] if doc and doc[-1] == "" else []  # a blank line before the next command stays
    if gap:
        doc = doc[:-1]
    out, j, k = [], 0, 0
    while k < len(doc):
        if doc[k].strip() != "...":
            if j < len(actual):
                line = actual[j]
                if REVISION.search(doc[k]) and REVISION.sub("", doc[k]) == REVISION.sub("", line):
                    line = doc[k]
                out.append(line)
                j += 1
            k += 1
            continue
        while k < len(doc) and doc[k].strip() == "...":
            k += 1
        if k == len(doc):  # a trailing elision: the rest
            out.append(doc[k - 1])
            j = len(actual)
            break
        anchor = next((i for i in range(j, len(actual)) if shape(actual[i]) == shape(doc[k])), None)
        if anchor is None:
            notes.append(f"no output line reads like {doc[k].strip()!r} after '...': the rest is written in full")
            break
        out.append(doc[k - 1])
        j = anchor
    out += actual[j:]
    return out + gap


def expected(binary, body, root=ROOT):
    """(the block's text as the binary makes it, notes)."""
    steps = parse(body)
    outputs = execute(binary, steps, root)
    notes, lines = [], []
    for (command, doc), actual in zip(steps, outputs):
        lines += command
        lines += doc if actual is None else render(doc, actual, notes)
    return "\n".join(lines) + "\n", notes


def check(binary, root=ROOT, write=False, log=print):
    """Runs every example; returns the blocks that differ as (file, diff). With write, rewrites them."""
    differ, changed = [], {}
    for path, start, end, body, skipped in blocks(root):
        if skipped:
            continue
        new, notes = expected(binary, body, root)
        rel = path.relative_to(root)
        for note in notes:
            log(f"{rel}: {body.splitlines()[0]}: {note}")
        if new != body:
            diff = "".join(difflib.unified_diff(body.splitlines(True), new.splitlines(True), f"{rel} (doc)",
                                                f"{rel} (binary)"))
            differ.append((rel, diff))
            changed.setdefault(path, []).append((start, end, new))
    if write:
        for path, edits in changed.items():
            text = path.read_text()
            for start, end, new in sorted(edits, reverse=True):
                text = text[:start] + new + text[end:]
            path.write_text(text)
            log(f"updated {path.relative_to(root)}")
    return differ


def main(argv):
    write = "--write" in argv
    args = [a for a in argv if a != "--write"]
    binary = args[0] if args else DOC
    if not os.path.exists(binary if os.path.isabs(binary) else ROOT / binary):
        sys.exit(f"{binary} does not exist: build first")
    if not os.path.isabs(binary):
        binary = str(ROOT / binary)
    differ = check(binary, write=write)
    if write:
        return 0
    for _, diff in differ:
        print(diff, end="")
    if differ:
        print(f"{len(differ)} console block(s) differ from the binary's output "
              "(fix: /usr/bin/python3 scripts/docs-examples.py --write, then read the diff)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
