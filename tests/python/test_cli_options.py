"""Every option of every verb, given malformed and valid values (issue 14, items 2, 3, 16).

The verbs and their options are read from ``cpsf --help`` and ``cpsf <verb> --help``, so a
new verb or option is covered without touching this file. An option's kind and range come
from its help line: ``UINT:an integer in [1, 2^40)=1000``, ``FLOAT:a number in [0, 1)``,
``FLOAT:a finite number ≥ 0``; a number option whose help states no range fails the test.

Verdicts:
- a malformed value (not a number, NaN, ±inf, 1e999, hex, a fraction or 1e-3 where an
  integer is expected, a number beyond 2^64, an empty value, a negative or out-of-range
  value) exits 2 with a message on stderr naming the option, and never aborts;
- legitimately valid (exit 0): the option's default (else its lower bound), also in
  scientific notation ("1e4" for 10000, "1.073741824e9" for 1073741824: an integer
  option takes any integer-valued notation, read exactly) and with a "+" sign;
- a flag given a value other than a boolean (``--quiet=abc``) exits 2;
- text options are listed in TEXT below with their malformed and valid values: a new
  text option must be added there (the test fails until it is).
"""
import concurrent.futures
import math
import pathlib
import re
import shutil
import subprocess

import pytest

TINY = """name: "tiny"
enterprises { id: "e" }
assets { id: "pc" owner: "e" layer: L3 element: COMPONENT exposure: 0.5 }
assets { id: "files" owner: "e" layer: L3 element: DATA loss { confidentiality: 100 } target: true }
relations { from: "pc" to: "files" layer: L3 kind: NETWORK step { p: 0.5 mitigated_by: "CPS.AC-1" } }
controls { id: "mfa" requirement: "CPS.AC-1" efficacy: 0.5 cost: 5 implemented: false }
threats { id: "crew" entry_points { asset: "pc" probability: 0.5 } }
"""

# Positionals and options that make each verb quick on the tiny scenario (an option
# under test replaces its entry here).
BASE = {
    "validate": (["tiny.textproto"], {}),
    "convert": (["tiny.textproto", "copy.json"], {}),
    "run": (["tiny.textproto"], {"--trials": "1", "--out": "o", "-q": None}),
    "generate": (["generated.textproto"], {"--enterprises": "2", "--assets-per-enterprise": "2"}),
    "catalogue": ([], {}),
    "optimise": (["tiny.textproto"], {"--budget": "10", "--trials": "1", "--frontier": "0", "--out": "o", "-q": None}),
    "compare": (["tiny.textproto"], {"--trials": "1", "--out": "o", "-q": None}),
    "import": (["inventory", str(pathlib.Path(__file__).resolve().parents[2] / "scenarios/examples/inventory")],
               {"--output": "imported.textproto"}),
    "export": (["inventory", "tiny.textproto"], {"--output": "exported"}),
    "report": (["reported"], {"-q": None}),  # a run's --out, made first by the test
}
# An option that only some kind of a verb takes is tried with that kind's quick arguments.
SELF_ASSESSMENT = pathlib.Path(__file__).resolve().parents[2] / "scenarios/examples/self-assessment"
SBOM = pathlib.Path(__file__).resolve().parents[2] / "tests/data/cyclonedx/hmi-app-1.4.json"
BASE_FOR = {
    ("import", "--map"): (["self-assessment", str(SELF_ASSESSMENT / "answers.csv")], {"--output": "imported.textproto"}),
    ("import", "--product"): (["cyclonedx", str(SBOM)], {"--output": "imported.textproto", "--into": "tiny.textproto"}),
}

# Text options: (malformed values, exit 2; valid values, exit 0).
TEXT = {
    ("convert", "--to"): (["nope", ""], ["json", "binary"]),
    ("generate", "--to"): (["nope", ""], ["text"]),
    ("catalogue", "--format"): (["nope", "", "binary"], ["json"]),
    ("run", "--chokepoints"): (["nope", ""], ["off", "on"]),
    ("run", "--out"): ([""], ["out2"]),
    ("run", "--graph"): (["nope", "", "svg", "graphml,svg"], ["graphml", "dot", "graphml,dot"]),
    ("run", "--checkpoint"): ([""], ["run.ckpt"]),
    ("run", "--resume"): (["", "missing.ckpt", "tiny.textproto"], []),  # a good one: tests/python/test_checkpoint.py
    ("optimise", "--candidates"): (["nope", ""], ["mfa"]),
    ("optimise", "--method"): (["nope", ""], ["greedy"]),
    ("optimise", "--goal"): (["nope", "", "Net"], ["loss"]),
    ("optimise", "--out"): ([""], ["out2"]),
    ("compare", "--baseline"): (["nope", "", "SCS-5", "SCS-3@colour=x", "SCS-3@id=nope", "as-is@suppliers"],
                                ["SCS-3", "SCS-3@suppliers"]),
    ("compare", "--threat"): (["nope", ""], ["crew"]),
    ("compare", "--format"): (["nope", ""], ["json"]),
    ("compare", "--out"): ([""], ["out2"]),
    ("import", "--output"): (["", "imported.txt"], ["imported.json"]),
    ("import", "--to"): (["nope", ""], ["json", "binary"]),
    ("import", "--into"): (["", "missing.textproto"], ["tiny.textproto"]),
    ("import", "--map"): (["", "missing.csv"], [str(SELF_ASSESSMENT / "mapping.csv")]),
    ("import", "--product"): ([""], ["pc"]),  # an asset that is not there is exit 1 (the SBOM's error), not 2
    ("export", "--output"): ([""], ["exported2"]),
    ("report", "--output"): ([""], ["page.html"]),
}
# --library FILE: an empty path, or a file that is not there, exits 2; the bundled library is a library file.
BUNDLED_LIBRARY = str(pathlib.Path(__file__).resolve().parents[2] / "model" / "library" / "cpsf-steps.textproto")
TEXT[("validate", "--explain")] = (["nope", "", "-1", "99"], ["0"])
for _verb in ("validate", "run", "optimise", "compare"):
    TEXT[(_verb, "--library")] = (["", "missing.textproto"], [BUNDLED_LIBRARY])

NOT_INTEGERS = ["abc", "", "1.5", "1e-3", "2.5e0", "0x10", "1,000", "1_000", " 1", "nan", "inf", "-inf",
                "18446744073709551616", "1e20", "-1", "--"]
NOT_NUMBERS = ["abc", "", "nan", "-nan", "inf", "-inf", "1e999", "-1e999", "0x1p3", "1,5", "1.2.3", " 1"]

OPTION_LINE = re.compile(r"^\s+((?:-\w,)?--[a-z][\w-]*)(?: ([A-Z]+)(:\S.*?)?)?(?:=(\S+))?(?: REQUIRED| \.\.\.| Excludes:.*)*(?:\s{2,}.*)?$")


def run(cpsf_bin, args, cwd):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def verbs(cpsf_bin):
    out = subprocess.run([cpsf_bin, "--help"], capture_output=True, text=True, check=True).stdout
    section = out.split("Subcommands:", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()]


def options(cpsf_bin, verb):
    """[(long name, kind, range description, default)] from `cpsf <verb> --help`."""
    out = subprocess.run([cpsf_bin, verb, "--help"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.split("Options:", 1)[1].splitlines():
        m = OPTION_LINE.match(line)
        if not m:
            continue
        names, kind, described, default = m.groups()
        name = names.split(",")[-1]
        if name == "--help":
            continue
        found.append((name, kind or "FLAG", (described or "")[1:], default))
    return found


def integer_range(text):
    """(min, max, except_one) from "an integer in [1, 2^40)" or "0 or an integer in [2, 1001]"."""
    m = re.search(r"(0 or )?an integer in \[(\d+), (?:2\^(\d+)\)|(\d+)\])", text)
    if not m:
        return None
    top = 2 ** int(m.group(3)) - 1 if m.group(3) else int(m.group(4))
    return (0 if m.group(1) else int(m.group(2))), top, bool(m.group(1))


def number_range(text):
    """(min, max, open_min, open_max) from "a number in [0, 1)" or "a finite number ≥ 0"."""
    m = re.search(r"a number in ([\[(])([-\d.e+]+), ([-\d.e+]+)([\])])", text)
    if m:
        return float(m.group(2)), float(m.group(3)), m.group(1) == "(", m.group(4) == ")"
    m = re.search(r"a finite number (≥|>) ([-\d.e+]+)", text)
    if m:
        return float(m.group(2)), math.inf, m.group(1) == ">", False
    return None


def scientific(v):
    """An integer in scientific notation, exactly: 10000 -> "1e4", 1073741824 -> "1.073741824e9"."""
    digits = str(v)
    if v == 0:
        return "0e0"
    mantissa = digits.rstrip("0")
    return f"{mantissa[0]}{'.' + mantissa[1:] if len(mantissa) > 1 else ''}e{len(digits) - 1}"


def cases(verb, name, kind, described, default):
    """[(value, expected exit)] for one option; (None, why) where it cannot be fully tested."""
    if kind == "FLAG":
        return [("abc", 2)]
    if kind in ("UINT", "INT"):
        r = integer_range(described)
        bad = [(v, 2) for v in NOT_INTEGERS]
        if r is None:
            return bad + [(None, f"{verb} {name}: an integer option whose help states no range ({described!r})")]
        lo, hi, except_one = r
        bad += [(str(hi + 1), 2), (scientific(hi + 1), 2)]
        if lo > 0:
            bad.append((str(lo - 1), 2))
        if except_one:
            bad.append(("1", 2))
        good_value = int(default) if default is not None else lo
        return bad + [(str(good_value), 0), (scientific(good_value), 0), ("+" + str(good_value), 0)]
    if kind == "FLOAT":
        r = number_range(described)
        bad = [(v, 2) for v in NOT_NUMBERS]
        if r is None:
            return bad + [(None, f"{verb} {name}: a number option whose help states no range ({described!r})")]
        lo, hi, open_lo, open_hi = r
        bad.append((repr(lo) if open_lo else repr(lo - 1), 2))
        if math.isfinite(hi):
            bad.append((repr(hi) if open_hi else repr(hi + 1), 2))
        good_value = float(default) if default is not None else (lo + 1 if open_lo else lo)
        return bad + [(repr(good_value), 0), (f"{good_value:e}", 0)]
    if (verb, name) in TEXT:
        bad, good = TEXT[(verb, name)]
        return [(v, 2) for v in bad] + [(v, 0) for v in good]
    return [(None, f"{verb} {name}: a {kind} option missing from TEXT in {__file__}: say which values it refuses")]


def command(verb, name, value):
    positionals, base = BASE_FOR.get((verb, name), BASE[verb])
    args = [verb, *positionals]
    for option, v in base.items():
        if option != name:
            args += [option] if v is None else [option, v]
    # An empty value is its own argument ("--x=" would take the next one); others go
    # with "=", so that "-1" or "-inf" cannot be read as an option.
    return args + ([name, value] if value == "" else [f"{name}={value}"])


def test_every_option_of_every_verb(cpsf_bin, tmp_path):
    (tmp_path / "tiny.textproto").write_text(TINY)
    assert run(cpsf_bin, ["run", "tiny.textproto", "--trials", "1", "--out", "reported", "-q"], tmp_path).returncode == 0
    found = verbs(cpsf_bin)
    assert {"validate", "convert", "run", "generate", "catalogue", "optimise", "compare"} <= set(found)
    jobs, problems = [], []
    for verb in found:
        assert verb in BASE, f"a new verb {verb!r}: add its quick arguments to BASE"
        for name, kind, described, default in options(cpsf_bin, verb):
            for value, code in cases(verb, name, kind, described, default):
                if value is None:
                    problems.append(code)
                else:
                    jobs.append((verb, name, kind, value, code))
    assert len(jobs) > 300  # the help was read

    def private(arg, i):
        """The job's own output directory: one directory has one writer at a time (a second
        is refused, docs/cli.md "Output directories"), and the jobs run four at once."""
        for shared in ("o", "out2", "exported", "exported2", "reported"):
            if arg == shared or arg.endswith("=" + shared):
                return f"{arg}-{i}"
        return arg

    def check(numbered):
        i, (verb, name, kind, value, code) = numbered
        args = command(verb, name, value)
        if "reported" in args:
            shutil.copytree(tmp_path / "reported", tmp_path / f"reported-{i}")
        args = [private(a, i) for a in args]
        r = run(cpsf_bin, args, tmp_path)
        shown = "cpsf " + " ".join(repr(a) if a == "" or " " in a else a for a in args)
        if r.returncode != code:
            return f"{shown}: exit {r.returncode}, expected {code}\n    {r.stderr.strip()[:300]}"
        if code == 2:
            if not r.stderr.strip():
                return f"{shown}: exit 2 with nothing on stderr"
            if kind != "TEXT" and name not in r.stderr:
                return f"{shown}: the message does not name {name}: {r.stderr.strip()[:300]}"
        return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        problems += [p for p in pool.map(check, enumerate(jobs)) if p]
    assert not problems, f"{len(problems)} of {len(jobs)} cases:\n" + "\n".join(problems)


@pytest.mark.parametrize("value, stored", [("1e6", 1000000), ("2.5e3", 2500), ("1000.0", 1000), ("+7", 7),
                                           ("1.099511627775e12", 2**40 - 1)])
def test_integer_options_take_integer_valued_notation_exactly(cpsf_bin, tmp_path, value, stored):
    out = tmp_path / "g.json"
    r = run(cpsf_bin, ["generate", str(out), "--enterprises", "1", "--assets-per-enterprise", "2",
                       f"--trials={value}"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert f'"trials": "{stored}"' in out.read_text()


@pytest.mark.parametrize("value", ["1.5e0", "1e-1", "1e6.5", "1099511627776", "1.099511627776e12"])
def test_integer_options_refuse_fractions_and_out_of_range(cpsf_bin, tmp_path, value):
    r = run(cpsf_bin, ["run", "x.textproto", f"--trials={value}"], tmp_path)
    assert r.returncode == 2
    assert f"--trials: must be an integer in [1, 2^40), not '{value}'" in r.stderr


# ---- a scenario's settings are options too (item 3): the same limits, refused by the validator
@pytest.mark.parametrize("settings, message", [
    ("trials: 9223372036854775808",
     "settings: trials must be an integer in [1, 2^40), not 9223372036854775808"),
    ("trials: 1099511627776", "settings: trials must be an integer in [1, 2^40), not 1099511627776"),
    ("threads: 4294967295", "settings: threads must be an integer in [0, 1024] (0: every core), not 4294967295"),
    ("threads: 1000000", "settings: threads must be an integer in [0, 1024] (0: every core), not 1000000"),
    ("threads: 1025", "not 1025"),
    ("target_relative_stderr: 1", "settings: target_relative_stderr must be a number in [0, 1) (0: off), not 1"),
    ("horizon: -1", "settings: horizon must be a number in [0, 1e8] (days), not -1"),
])
def test_settings_out_of_range_are_invalid_for_validate_and_run(cpsf_bin, tmp_path, settings, message):
    f = tmp_path / "s.textproto"
    f.write_text(TINY + f"settings {{ {settings} }}\n")
    r = run(cpsf_bin, ["validate", str(f)], tmp_path)
    assert r.returncode == 1, r.stderr
    assert message in r.stderr
    assert f"{f}:8:" in r.stderr  # the line of the settings
    r = run(cpsf_bin, ["run", str(f), "--out", str(tmp_path / "o"), "-q"], tmp_path)
    assert r.returncode == 1, r.stderr  # invalid input, never an internal error
    assert message in r.stderr and "nothing was run" in r.stderr


@pytest.mark.parametrize("settings", ["trials: 0", "trials: 1", "threads: 0", "threads: 1024", "seed: 18446744073709551615",
                                      "target_relative_stderr: 0.5", "horizon: 0"])
def test_settings_within_range_are_valid(cpsf_bin, tmp_path, settings):
    f = tmp_path / "s.textproto"
    f.write_text(TINY + f"settings {{ {settings} }}\n")
    r = run(cpsf_bin, ["validate", str(f)], tmp_path)
    assert r.returncode == 0, r.stderr


# ---- threads that cannot be started (item 3): fewer threads and a warning, never an abort
def _run_as_nobody_with_few_processes(cpsf_bin, args, nproc, cwd):
    """Runs cpsf as uid 65534 with RLIMIT_NPROC = nproc (root is exempt from the limit)."""
    import os
    import resource

    def limit():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd, timeout=120, preexec_fn=limit)


@pytest.mark.parametrize("verb", ["run", "optimise", "compare"])
def test_threads_that_cannot_start_fall_back_with_a_warning(cpsf_bin, verb):
    import os
    import shutil
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("needs root to run as another user under a process limit")
    work = tempfile.mkdtemp(prefix="cpsf-threads-")  # readable and writable by uid 65534
    try:
        os.chmod(work, 0o777)
        with open(os.path.join(work, "tiny.textproto"), "w") as f:
            f.write(TINY)
        os.chmod(os.path.join(work, "tiny.textproto"), 0o644)
        args = {"run": ["run", "tiny.textproto", "--trials", "20000"],
                "optimise": ["optimise", "tiny.textproto", "--budget", "10", "--trials", "5000"],
                "compare": ["compare", "tiny.textproto", "--trials", "20000"]}[verb]
        for nproc in (3, 8, 40):
            r = _run_as_nobody_with_few_processes(cpsf_bin, args + ["--threads", "1024", "-q", "--out", "o"], nproc,
                                                  work)
            assert r.returncode == 0, (nproc, r.returncode, r.stderr)
            assert f"cpsf {verb}: warning: only " in r.stderr and "of the 1024 threads asked for" in r.stderr
        # ... and the numbers do not change: the same run on one thread.
        out_many = open(os.path.join(work, "o", {"run": "results.json", "optimise": "optimise.json",
                                                 "compare": "compare.json"}[verb])).read()
        r = subprocess.run([cpsf_bin, *args, "--threads", "1", "-q", "--out", "o1"], capture_output=True,
                           text=True, cwd=work, timeout=120)
        assert r.returncode == 0, r.stderr
        name = {"run": "results.json", "optimise": "optimise.json", "compare": "compare.json"}[verb]
        assert open(os.path.join(work, "o1", name)).read() == out_many
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_an_empty_value_after_equals_is_refused_not_taken_from_the_next_argument(cpsf_bin, tmp_path):
    """CLI11 reads `--out= -q` as `--out -q`: the next argument became the value (a directory named -q)."""
    (tmp_path / "tiny.textproto").write_text(TINY)
    problems = []
    for verb in verbs(cpsf_bin):
        positionals, base = BASE[verb]
        for name, kind, _, _ in options(cpsf_bin, verb):
            if kind == "FLAG":
                continue
            args = [verb, f"{name}=", *positionals]
            for option, v in base.items():
                if option != name:
                    args += [option] if v is None else [option, v]
            r = run(cpsf_bin, args, tmp_path)
            if r.returncode != 2 or name not in r.stderr:
                problems.append(f"cpsf {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[:200]}")
    assert not list(tmp_path.glob("-*")), "a value was taken from the next argument"
    assert not problems, "\n".join(problems)
