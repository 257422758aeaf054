"""The documentation held to the code: what the docs paste or list must be what the binary does.

- every `$ build/bin/cpsf ... --help` block in docs/cli.md equals the binary's output;
- every other console example of the docs (`$ build/bin/cpsf run ...` and the rest) is what the binary prints,
  run by scripts/docs-examples.py;
- every verb has a section in docs/cli.md, and every option of every verb is named there;
- every key results.json, optimise.json and compare.json can hold is named in docs/results-format.md,
  and every column of the CSV files too;
- every field of the scenario schema is named in docs/scenario-format.md;
- docs/library.md's tables are those scripts/docs-library.py makes from the bundled library.
"""
import csv
import importlib.util
import io
import json
import pathlib
import re
import subprocess
import sys

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
AUTOMOTIVE = "scenarios/sectors/automotive/scenario.textproto"


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def help_blocks(text):
    """(command line, pasted output) for each `$ build/bin/cpsf ... --help` in a fenced block: its output runs to
    the next `$ ` line of the block or to the block's end."""
    blocks = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^\$ build/bin/cpsf( \S+)* --help$", line):
                end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("$ ")), len(lines))
                blocks.append((line[2:], "\n".join(lines[i + 1:end])))
    return blocks


def verbs(cpsf_bin):
    out = run(cpsf_bin, "--help").stdout
    section = re.split(r"^Subcommands:|^SUBCOMMANDS:", out, flags=re.M)[1]
    return [m.group(1) for m in re.finditer(r"^  (\w+)\s", section, flags=re.M)]


def options_of(cpsf_bin, verb):
    out = run(cpsf_bin, verb, "--help").stdout
    names = set()
    for m in re.finditer(r"^\s+((?:-\w,)?--[\w-]+)", out, flags=re.M):
        names.add(m.group(1).split(",")[-1])
    names.discard("--help")
    return sorted(names)


def test_every_help_block_in_cli_md_is_the_binarys_output(cpsf_bin, root):
    text = (root / "docs/cli.md").read_text()
    blocks = help_blocks(text)
    pasted = {cmd for cmd, _ in blocks}
    # One pasted --help per verb, and the top level.
    expected = {"build/bin/cpsf --help"} | {f"build/bin/cpsf {v} --help" for v in verbs(cpsf_bin)}
    assert expected <= pasted, f"docs/cli.md lacks --help blocks for {sorted(expected - pasted)}"
    for cmd, doc in blocks:
        r = run(cpsf_bin, *cmd.split()[1:])
        assert r.returncode == 0, cmd
        # The usage line names the program as invoked; the docs invoke build/bin/cpsf.
        stdout = r.stdout.replace(cpsf_bin, "build/bin/cpsf")
        actual = "\n".join(line.rstrip() for line in stdout.rstrip("\n").splitlines())
        doc = "\n".join(line.rstrip() for line in doc.rstrip("\n").splitlines())
        assert doc == actual, (f"docs/cli.md's block for `{cmd}` differs from the binary's output "
                               "(fix: /usr/bin/python3 scripts/docs-cli-help.py, then read the diff)")


def docs_examples(root):
    """scripts/docs-examples.py as a module (its name is not an identifier)."""
    spec = importlib.util.spec_from_file_location("docs_examples", root / "scripts" / "docs-examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_console_examples_are_the_binarys_output(cpsf_bin, root):
    """Every console example with a `$ build/bin/cpsf` command other than --help, run from the repository root
    (the rules: scripts/docs-examples.py). A changed number in an example's output fails here."""
    examples = docs_examples(root)
    found = examples.blocks(root)
    run = [body.splitlines()[0] for _, _, _, body, skipped in found if not skipped]
    # The examples the section names promise are among those run, not skipped.
    for command in ("$ build/bin/cpsf validate --summary", "$ build/bin/cpsf run scenarios/default",
                    "$ build/bin/cpsf optimise scenarios/default", "$ build/bin/cpsf compare scenarios/default"):
        assert any(line.startswith(command) for line in run), f"no console example starting {command!r} is run"
    differ = examples.check(cpsf_bin, root)
    assert not differ, ("console examples differ from the binary's output "
                        "(fix: /usr/bin/python3 scripts/docs-examples.py --write, then read the diff and the prose "
                        "around it):\n" + "".join(diff for _, diff in differ))


def test_every_verb_and_option_is_documented_in_cli_md(cpsf_bin, root):
    text = (root / "docs/cli.md").read_text()
    for verb in verbs(cpsf_bin):
        assert f"## `cpsf {verb}`" in text, f"docs/cli.md has no section for `cpsf {verb}`"
        section = text.split(f"## `cpsf {verb}`", 1)[1].split("\n## ", 1)[0]
        # Named in the prose or the option table, not only in the pasted --help output.
        prose = re.sub(r"```.*?```", "", section, flags=re.S)
        for option in options_of(cpsf_bin, verb):
            assert f"`{option}" in prose, f"docs/cli.md does not describe `cpsf {verb} {option}`"


def key_paths(value, prefix=""):
    """Every key of a JSON document, as dotted paths (arrays as [])."""
    paths = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            paths.add(p)
            paths |= key_paths(v, p)
    elif isinstance(value, list):
        for v in value:
            paths |= key_paths(v, prefix + "[]")
    return paths


def documented_names(markdown):
    """Every `name` written in backticks, split on the punctuation the tables use."""
    names = set()
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)  # fenced blocks would misalign the pairs
    for code in re.findall(r"`([^`\n]+)`", prose):
        for part in re.split(r"[\s.,{}\[\]()=:/]+", code):
            if part:
                names.add(part)
    return names


def undocumented(paths, names):
    missing = set()
    for p in paths:
        for key in re.split(r"\.|\[\]", p):
            if key and key not in names:
                missing.add(f"{p}")
    return sorted(missing)


@pytest.fixture(scope="module")
def outputs(cpsf_bin, root, tmp_path_factory):
    """run, optimise and compare on scenarios that fill every optional part of their outputs."""
    out = tmp_path_factory.mktemp("docs")
    # The automotive chain: several threats (per-threat views), annual frequencies, cascade.
    r = run(cpsf_bin, "run", str(root / AUTOMOTIVE), "--trials", "2000", "--out", str(out / "auto"), "-q",
            "--path-loss-threshold", "0", "--per-trial")
    assert r.returncode == 0, r.stderr
    r = run(cpsf_bin, "run", str(root / DEFAULT), "--trials", "2000", "--out", str(out / "default"), "-q",
            "--target-rse", "0.5", "--per-trial")
    assert r.returncode == 0, r.stderr
    r = run(cpsf_bin, "optimise", str(root / DEFAULT), "--budget", "40000", "--trials", "500",
            "--out", str(out / "opt"), "-q")
    assert r.returncode == 0, r.stderr
    r = run(cpsf_bin, "compare", str(root / DEFAULT), str(root / AUTOMOTIVE), "--baseline", "as-is,SCS-4",
            "--trials", "500", "--out", str(out / "cmp"), "-q")
    assert r.returncode == 0, r.stderr
    return out


def test_every_results_key_and_column_is_documented(outputs, root):
    names = documented_names((root / "docs/results-format.md").read_text())
    paths = set()
    for d in ("auto", "default"):
        paths |= key_paths(json.loads((outputs / d / "results.json").read_text()))
    paths |= key_paths(json.loads((outputs / "opt" / "optimise.json").read_text()))
    paths |= key_paths(json.loads((outputs / "cmp" / "compare.json").read_text()))
    missing = undocumented(paths, names)
    assert not missing, f"keys not named in docs/results-format.md: {missing}"
    columns = set()
    for f in ("auto/assets.csv", "auto/losses.csv", "default/losses.csv", "opt/frontier.csv", "cmp/compare.csv"):
        columns |= set(next(csv.reader(io.StringIO((outputs / f).read_text()))))
    missing = sorted(c for c in columns if c not in names)
    assert not missing, f"CSV columns not named in docs/results-format.md: {missing}"


def schema_entities(proto_text):
    """{message or enum name: [(field type, field name)] or [(None, enum value)]} from .proto text."""
    entities, stack = {}, []
    for line in proto_text.splitlines():
        line = line.split("//", 1)[0].strip()
        if m := re.match(r"^(message|enum) (\w+) \{(.*)", line):
            entities.setdefault(m.group(2), [])
            inner = m.group(3).strip()
            if inner.endswith("}"):  # a one-line message: message Fixed { double value = 1; }
                for f in re.finditer(r"(?:optional |repeated )?([\w.]+) (\w+) = \d+;", inner):
                    entities[m.group(2)].append((f.group(1).split(".")[-1], f.group(2)))
            else:
                stack.append(m.group(2))
        elif line.startswith("oneof "):
            stack.append(None)  # its fields belong to the enclosing message
        elif line.startswith("}"):
            stack.pop()
        elif m := re.match(r"^(?:optional |repeated )?([\w.]+) (\w+) = \d+;", line):
            owner = next(n for n in reversed(stack) if n)
            entities[owner].append((m.group(1).split(".")[-1], m.group(2)))
        elif m := re.match(r"^([A-Z][A-Z0-9_]*) = -?\d+;", line):
            entities[stack[-1]].append((None, m.group(1)))
    return entities


def test_every_schema_field_is_documented(root):
    """Every field and enum value a scenario can hold (reachable from Scenario) is named in scenario-format.md."""
    names = documented_names((root / "docs/scenario-format.md").read_text())
    entities = {}
    for proto in sorted((root / "model/cpsf/v1").glob("*.proto")):
        entities.update(schema_entities(proto.read_text()))
    reachable, todo = set(), ["Scenario"]
    while todo:
        name = todo.pop()
        if name in reachable or name not in entities:
            continue
        reachable.add(name)
        todo += [t for t, _ in entities[name] if t]
    missing = sorted({f"{e}.{n}" for e in reachable for _, n in entities[e] if n not in names})
    assert not missing, f"schema fields or enum values not named in docs/scenario-format.md: {missing}"


def test_every_source_and_test_file_is_named_in_architecture_md(root):
    """A newcomer finds every file of the engine, the bindings, the package, the tests and the notebooks."""
    text = (root / "docs/architecture.md").read_text()
    patterns = ("engine/**/*.hpp", "engine/**/*.cpp", "engine/**/*.in", "python/cpsf/*.py", "python/src/*",
                "tests/engine/**/*.cpp", "tests/engine/**/*.hpp", "tests/python/test_*.py", "notebooks/*.ipynb")
    missing = []
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            stem = path.name.split(".")[0]
            if not re.search(r"(?<![\w-])" + re.escape(stem) + r"[.`]", text):
                missing.append(str(path.relative_to(root)))
    assert not missing, f"files not named in docs/architecture.md: {missing}"


def test_library_md_tables_are_the_generators_output(root):
    """The tables of docs/library.md are generated from model/library/cpsf-steps.textproto; a change to either
    without the other fails here."""
    r = subprocess.run([sys.executable, str(root / "scripts/docs-library.py"), "--check"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
