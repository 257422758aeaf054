#!/usr/bin/env python3
"""Checks that the engine's stage folders include one way only (docs/architecture.md, "Layout").

    /usr/bin/python3 scripts/check-layers.py

engine/cpsf/<stage>/ may include its own stage and the stages below it, never one above:

    (the schema, cpsf/v1/) ← base ← io ← model ← validate, sim ← analysis ← output

validate and sim stand side by side: neither includes the other. Exits 1 listing every
include that points up or sideways; 0 when there is none.
"""
import pathlib
import re
import sys

# v1: the schema's generated code (model/cpsf/v1/*.proto), beneath everything.
ORDER = {"v1": -1, "base": 0, "io": 1, "model": 2, "validate": 3, "sim": 3, "analysis": 4, "output": 5}

root = pathlib.Path(__file__).resolve().parents[1] / "engine" / "cpsf"
problems = []
for path in sorted(root.rglob("*")):
    if path.suffix not in (".hpp", ".cpp", ".inc", ".in") or path.is_dir():
        continue
    stage = path.relative_to(root).parts[0]
    if stage not in ORDER:
        problems.append(f"{path.relative_to(root.parents[1])}: not in a stage folder ({', '.join(ORDER)})")
        continue
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.match(r'\s*#\s*include\s+"cpsf/(\w+)/', line)
        if not m:
            continue
        target = m.group(1)
        if target not in ORDER:
            problems.append(f"{path.relative_to(root.parents[1])}:{n}: includes unknown stage {target!r}")
        elif target != stage and ORDER[target] >= ORDER[stage]:
            problems.append(f"{path.relative_to(root.parents[1])}:{n}: {stage}/ includes {target}/, "
                            f"which is {'beside' if ORDER[target] == ORDER[stage] else 'above'} it")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
