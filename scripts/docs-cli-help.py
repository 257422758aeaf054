#!/usr/bin/env python3
"""Rewrites every `$ build/bin/cpsf ... --help` block in docs/cli.md with the binary's output.

    /usr/bin/python3 scripts/docs-cli-help.py [BINARY]   (default build/bin/cpsf)

tests/python/test_docs.py fails when a pasted block differs from the binary; this makes
them equal again. Run it from the repository root after changing an option or its help.
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[1]
binary = sys.argv[1] if len(sys.argv) > 1 else "build/bin/cpsf"
doc = root / "docs" / "cli.md"


def fill(match):
    command = match.group(2)
    out = subprocess.run([binary, *command.split()[1:]], capture_output=True, text=True, cwd=root, check=True).stdout
    out = out.replace(binary, "build/bin/cpsf")
    body = "\n".join(line.rstrip() for line in out.rstrip("\n").splitlines())
    gap = "\n" if match.group(0).endswith("\n\n") else ""  # keep a blank line before the next command
    return f"{match.group(1)}$ {command}\n{body}\n{gap}"


text = doc.read_text()
# A help command's pasted output runs to the next "$ " line of its block, or to the block's end.
new = re.sub(r"(^```console\n(?:(?!```).*\n)*?)\$ (build/bin/cpsf(?: \S+)* --help)\n(?:(?!```|\$ ).*\n)*", fill, text,
             flags=re.M)
if new != text:
    doc.write_text(new)
    print(f"updated {doc.relative_to(root)}")
