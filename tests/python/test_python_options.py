"""Arguments of the package's public functions (issue 14, items 12 and 13).

Every public function and method checks its parameters' types and ranges (cpsf/_check.py):
a wrong type raises TypeError, a value out of range ValueError, each naming the parameter
and what it takes. Ranges are the engine's: the same value gets the same verdict through
Python, the command line and a scenario's settings.
"""
import subprocess

import numpy as np
import pytest

import cpsf

TINY = """name: "tiny"
enterprises { id: "e" }
assets { id: "pc" owner: "e" layer: L3 element: COMPONENT exposure: 0.5 }
assets { id: "files" owner: "e" layer: L3 element: DATA loss { confidentiality: 100 } target: true }
relations { from: "pc" to: "files" layer: L3 kind: NETWORK step { p: 0.5 mitigated_by: "CPS.AC-1" } }
controls { id: "mfa" requirement: "CPS.AC-1" efficacy: 0.5 cost: 5 implemented: false }
threats { id: "crew" entry_points { asset: "pc" probability: 0.5 } }
"""


@pytest.fixture(scope="module")
def tiny():
    return cpsf.Scenario.from_text(TINY)


@pytest.fixture(scope="module")
def results(tiny):
    return cpsf.run(tiny, trials=200, seed=1, progress=False)


def run(s, **kw):
    kw.setdefault("trials", 1)
    return cpsf.run(s, progress=False, **kw)


def optimise(s, budget=10, **kw):
    kw.setdefault("trials", 1)
    return cpsf.optimise(s, budget, progress=False, **kw)


def compare(s, **kw):
    kw.setdefault("trials", 1)
    return cpsf.compare(s, progress=False, **kw)


# (call, exception, text in the message): what each public function refuses.
REFUSED = {
    "run trials=1.5": (lambda s, r: run(s, trials=1.5), TypeError,
                       "trials must be an integer in [1, 2^40) (an int), not float 1.5"),
    "run trials=1.9": (lambda s, r: run(s, trials=1.9), TypeError, "not float 1.9"),
    "run trials=1e6": (lambda s, r: run(s, trials=1e6), TypeError, "trials must be an integer"),
    "run trials='1000'": (lambda s, r: run(s, trials="1000"), TypeError, "not str '1000'"),
    "run trials=True": (lambda s, r: run(s, trials=True), TypeError, "not bool True"),
    "run trials=0": (lambda s, r: run(s, trials=0), ValueError, "trials must be an integer in [1, 2^40), not 0"),
    "run trials=2**40": (lambda s, r: run(s, trials=2**40), ValueError, "not 1099511627776"),
    "run seed=-1": (lambda s, r: run(s, seed=-1), ValueError, "seed must be an integer in [0, 2^64), not -1"),
    "run seed=2**64": (lambda s, r: run(s, seed=2**64), ValueError, "not 18446744073709551616"),
    "run seed=1.0": (lambda s, r: run(s, seed=1.0), TypeError, "seed must be"),
    "run threads=1025": (lambda s, r: run(s, threads=1025), ValueError,
                         "threads must be an integer in [0, 1024] (0: every core), not 1025"),
    "run threads=-1": (lambda s, r: run(s, threads=-1), ValueError, "threads must be"),
    "run threads=np.float64(2)": (lambda s, r: run(s, threads=np.float64(2)), TypeError, "not float64"),
    "run horizon=nan": (lambda s, r: run(s, horizon=float("nan")), ValueError,
                        "horizon must be a number in [0, 1e8] (days), not nan"),
    "run horizon=inf": (lambda s, r: run(s, horizon=float("inf")), ValueError, "not inf"),
    "run horizon=-1": (lambda s, r: run(s, horizon=-1), ValueError, "not -1.0"),
    "run horizon='3'": (lambda s, r: run(s, horizon="3"), TypeError, "horizon must be"),
    "run horizon=10**400": (lambda s, r: run(s, horizon=10**400), ValueError, "not inf"),
    "run target_rse=1.0": (lambda s, r: run(s, target_rse=1.0), ValueError,
                           "target_rse must be a number in [0, 1) (0: off), not 1.0"),
    "run target_rse='0.1'": (lambda s, r: run(s, target_rse="0.1"), TypeError, "target_rse must be"),
    "run no_horizon=1": (lambda s, r: run(s, no_horizon=1), TypeError, "no_horizon must be True or False"),
    "run inherent='yes'": (lambda s, r: run(s, inherent="yes"), TypeError, "inherent must be True or False"),
    "run horizon and no_horizon": (lambda s, r: run(s, horizon=1, no_horizon=True), ValueError, "exclude"),
    "run progress=3": (lambda s, r: cpsf.run(s, trials=1, progress=3), TypeError, "progress must be"),
    "run on_interrupt='x'": (lambda s, r: run(s, on_interrupt="x"), ValueError, "on_interrupt must be one of"),
    "run scenario=3": (lambda s, r: cpsf.run(3), TypeError, "run() takes a Scenario"),
    "optimise budget='1000'": (lambda s, r: optimise(s, "1000"), TypeError,
                               "budget must be a finite number ≥ 0 (an int or a float), not str '1000'"),
    "optimise budget=nan": (lambda s, r: optimise(s, float("nan")), ValueError, "budget must be"),
    "optimise budget=-1": (lambda s, r: optimise(s, -1), ValueError, "not -1.0"),
    "optimise budget=True": (lambda s, r: optimise(s, True), TypeError, "not bool"),
    "optimise frontier=1": (lambda s, r: optimise(s, frontier=1), ValueError,
                            "frontier must be 0 or an integer in [2, 1001], not 1"),
    "optimise frontier=1002": (lambda s, r: optimise(s, frontier=1002), ValueError, "not 1002"),
    "optimise frontier=2.0": (lambda s, r: optimise(s, frontier=2.0), TypeError, "frontier must be"),
    "optimise candidates='mfa'": (lambda s, r: optimise(s, candidates="mfa"), TypeError,
                                  "candidates must be a list of str"),
    "optimise candidates=[1]": (lambda s, r: optimise(s, candidates=[1]), TypeError, "candidates[0] must be a str"),
    "optimise candidates=[]": (lambda s, r: optimise(s, candidates=[]), ValueError, "candidates is empty"),
    "optimise method='best'": (lambda s, r: optimise(s, method="best"), ValueError, "method must be one of"),
    "optimise trials=1.5": (lambda s, r: optimise(s, trials=1.5), TypeError, "trials must be"),
    "optimise threads=2000": (lambda s, r: optimise(s, threads=2000), ValueError, "threads must be"),
    "optimise seed=-5": (lambda s, r: optimise(s, seed=-5), ValueError, "seed must be"),
    "compare trials=1.5": (lambda s, r: compare(s, trials=1.5), TypeError, "trials must be"),
    "compare trials='10'": (lambda s, r: compare(s, trials="10"), TypeError, "trials must be"),
    "compare seed=2**64": (lambda s, r: compare(s, seed=2**64), ValueError, "seed must be"),
    "compare threads='0'": (lambda s, r: compare(s, threads="0"), TypeError, "threads must be"),
    "compare baselines=[3]": (lambda s, r: compare(s, baselines=[3]), TypeError, "baselines[0] must be a str"),
    "compare threat=3": (lambda s, r: compare(s, threat=3), TypeError, "threat must be a str"),
    "compare {1: s}": (lambda s, r: compare({1: s}), TypeError, "a key of scenarios (a label) must be a str"),
    "generate enterprises=0": (lambda s, r: cpsf.generate(enterprises=0), ValueError,
                               "enterprises must be an integer in [1, 2^32), not 0"),
    "generate enterprises=2.0": (lambda s, r: cpsf.generate(enterprises=2.0), TypeError, "enterprises must be"),
    "generate enterprises=2**32": (lambda s, r: cpsf.generate(enterprises=2**32), ValueError, "not 4294967296"),
    "generate p_min='0.1'": (lambda s, r: cpsf.generate(p_min="0.1"), TypeError, "p_min must be"),
    "generate p_min > p_max": (lambda s, r: cpsf.generate(p_min=0.6, p_max=0.5), ValueError,
                               "p_min (0.6) must not exceed p_max (0.5)"),
    "generate ttc_max=inf": (lambda s, r: cpsf.generate(ttc_max=float("inf")), ValueError, "ttc_max must be"),
    "generate trials=0": (lambda s, r: cpsf.generate(trials=0), ValueError, "trials must be"),
    "generate relation_ids=1": (lambda s, r: cpsf.generate(relation_ids=1), TypeError, "relation_ids must be"),
    "generate colour=1": (lambda s, r: cpsf.generate(colour=1), TypeError, "unexpected keyword 'colour'"),
    "load path=3": (lambda s, r: cpsf.load(3), TypeError, "path must be a path"),
    "load validate='no'": (lambda s, r: cpsf.load(cpsf.DEFAULT_SCENARIO, validate="no"), TypeError,
                           "validate must be True or False"),
    "load max_file_bytes=-1": (lambda s, r: cpsf.load(cpsf.DEFAULT_SCENARIO, max_file_bytes=-1), ValueError,
                               "max_file_bytes must be an integer in [0, 2^64), not -1"),
    "load max_file_bytes=1e6": (lambda s, r: cpsf.load(cpsf.DEFAULT_SCENARIO, max_file_bytes=1e6), TypeError,
                                "max_file_bytes must be"),
    "validate strict=1": (lambda s, r: cpsf.validate(s, strict=1), TypeError, "strict must be True or False"),
    "validate scenario=3": (lambda s, r: cpsf.validate(3), TypeError, "validate() takes a Scenario"),
    "Scenario.remove('assets')": (lambda s, r: s.copy().remove("assets", "pc"), ValueError,
                                  "kind must be one of 'enterprise', 'asset'"),
    "Scenario.remove('dependency')": (lambda s, r: s.copy().remove("dependency", "x"), ValueError,
                                      "dependencies have no id"),
    "Scenario.remove(id=3)": (lambda s, r: s.copy().remove("asset", 3), TypeError, "id must be a str"),
    "Scenario.remove(kind=3)": (lambda s, r: s.copy().remove(3, "pc"), TypeError, "kind must be one of"),
    "Scenario.add('assets')": (lambda s, r: s.copy().add("assets", {"id": "x"}), ValueError, "the singular, 'asset'"),
    "Scenario.add(fields=[1])": (lambda s, r: s.copy().add("asset", [1]), TypeError, "fields must be a dict"),
    "Scenario.asset(3)": (lambda s, r: s.asset(3), TypeError, "id must be a str"),
    "Scenario.save(3)": (lambda s, r: s.save(3), TypeError, "path must be a path"),
    "Scenario.save(format='yaml')": (lambda s, r: s.save("x.txt", format="yaml"), ValueError,
                                     "format must be one of 'text', 'json', 'binary'"),
    "Scenario.problems(name=3)": (lambda s, r: s.problems(name=3), TypeError, "name must be a str"),
    "Scenario.validate(strict='yes')": (lambda s, r: s.validate(strict="yes"), TypeError, "strict must be"),
    "Scenario.from_text(b'')": (lambda s, r: cpsf.Scenario.from_text(b"name: 'x'"), TypeError, "text must be a str"),
    "Scenario.from_dict([])": (lambda s, r: cpsf.Scenario.from_dict([]), TypeError, "data must be a dict"),
    "Scenario.from_bytes('x')": (lambda s, r: cpsf.Scenario.from_bytes("x"), TypeError, "data must be bytes"),
    "Scenario.from_json(3)": (lambda s, r: cpsf.Scenario.from_json(3), TypeError, "text must be a str"),
    "Results.paths(0)": (lambda s, r: r.paths(0), ValueError, "top must be an integer in [1, 1000], not 0"),
    "Results.paths(1.5)": (lambda s, r: r.paths(1.5), TypeError, "top must be"),
    "Results.paths(True)": (lambda s, r: r.paths(True), TypeError, "not bool"),
    "Results.loss_array('x')": (lambda s, r: r.loss_array("x"), ValueError, "which must be one of"),
    "Results.loss_array(threat=1.5)": (lambda s, r: r.loss_array(threat=1.5), TypeError, "threat must be"),
    "Results.loss_array(threat=5)": (lambda s, r: r.loss_array(threat=5), IndexError, "threat index 5"),
    "Results.assets(threat=-1)": (lambda s, r: r.assets(threat=-1), IndexError, "threat index -1"),
    "Results.hit_counts(inherent='x')": (lambda s, r: r.hit_counts(inherent="x"), TypeError, "inherent must be"),
    "Results.enterprise_loss_array(part='x')": (lambda s, r: r.enterprise_loss_array(part="x"), ValueError,
                                                "part must be one of"),
    "Results.layer_element(what=3)": (lambda s, r: r.layer_element(what=3), TypeError, "what must be one of"),
    "Results.exceedance('x')": (lambda s, r: r.exceedance("x"), ValueError, "which must be one of"),
    "Results.save(3)": (lambda s, r: r.save(3), TypeError, "out must be a path"),
    "plot.exceedance(None)": (lambda s, r: cpsf.plot.exceedance(None), TypeError, "results must be a cpsf.Results"),
    "plot.exceedance(which=['x'])": (lambda s, r: cpsf.plot.exceedance(r, which=["x"]), ValueError,
                                     "which must hold only"),
    "plot.exceedance(ci='no')": (lambda s, r: cpsf.plot.exceedance(r, ci="no"), TypeError, "ci must be"),
    "plot.layer_element(annotate=1)": (lambda s, r: cpsf.plot.layer_element(r, annotate=1), TypeError,
                                       "annotate must be"),
    "plot.asset_risk(top=1.5)": (lambda s, r: cpsf.plot.asset_risk(r, top=1.5), TypeError, "top must be an int"),
    "plot.asset_risk(top=0)": (lambda s, r: cpsf.plot.asset_risk(r, top=0), ValueError, "top must be at least 1"),
    "plot.asset_risk(by='x')": (lambda s, r: cpsf.plot.asset_risk(r, by="x"), ValueError, "by must be a column"),
    "plot.attack_graph(layout='x')": (lambda s, r: cpsf.plot.attack_graph(r, layout="x"), ValueError,
                                      "layout must be one of"),
    "plot.attack_graph(seed=1.5)": (lambda s, r: cpsf.plot.attack_graph(r, seed=1.5), TypeError, "seed must be"),
    "plot.variants('t')": (lambda s, r: cpsf.plot.variants("t", "x"), TypeError, "table must be a pandas DataFrame"),
    "plot.empirical_exceedance('x')": (lambda s, r: cpsf.plot.empirical_exceedance("x"), TypeError,
                                       "losses must be an array of numbers"),
    "plot_compare([])": (lambda s, r: cpsf.plot_compare([]), TypeError, "table must be the DataFrame"),
    "is_requirement_id(3)": (lambda s, r: cpsf.is_requirement_id(3), TypeError, "id must be a str"),
    "assign_baseline(baseline=3)": (lambda s, r: cpsf.assign_baseline(s, 3), TypeError, "baseline must be a str"),
    "assign_baseline(enterprises=[1])": (lambda s, r: cpsf.assign_baseline(s, "SCS-4", [1]), TypeError,
                                         "enterprises[0] must be a str"),
    "apply_supplier_rule(3)": (lambda s, r: cpsf.apply_supplier_rule(3), TypeError, "not int"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_wrong_types_and_values_are_refused_naming_the_parameter(tiny, results, case):
    call, exception, message = REFUSED[case]
    with pytest.raises(exception) as e:
        call(tiny, results)
    assert message in str(e.value)


# numpy's integers and floats are ints and numbers; values within range run.
ACCEPTED = {
    "run numpy": lambda s: run(s, trials=np.int64(3), seed=np.uint64(2**64 - 1), threads=np.int32(1),
                               horizon=np.float32(30), target_rse=np.float64(0), no_horizon=np.bool_(False)),
    "run limits": lambda s: run(s, trials=1, seed=0, threads=0, horizon=0, target_rse=0.999),
    "optimise numpy": lambda s: optimise(s, np.int64(10), frontier=np.int16(0), trials=np.uint8(2)),
    "optimise candidates tuple": lambda s: optimise(s, 10, candidates=("mfa",), frontier=2),
    "compare numpy": lambda s: compare(s, trials=np.int64(2), seed=np.int64(3), threads=np.int64(1),
                                       baselines=("as-is", "SCS-3")),
    "generate numpy": lambda s: cpsf.generate(enterprises=np.int64(2), assets_per_enterprise=2, p_min=np.float32(0.1),
                                              horizon=None, trials=np.int64(5)),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_numpy_numbers_and_values_in_range_are_accepted(tiny, case):
    ACCEPTED[case](tiny)


def test_trials_as_a_float_no_longer_runs_one_trial(tiny):
    # It used to run int(1.9) = 1 trial and report "± nan".
    with pytest.raises(TypeError):
        cpsf.run(tiny, trials=1.9, progress=False)
    assert cpsf.run(tiny, trials=2, progress=False).trials == 2


def test_the_limits_come_from_the_engine():
    assert cpsf.MAX_TRIALS == 2**40 - 1 == cpsf._core.limits.max_trials
    assert cpsf.MAX_THREADS == 1024 == cpsf._core.limits.max_threads
    assert cpsf._core.limits.integers["trials"][3] == "an integer in [1, 2^40)"


# ---- one verdict everywhere (item 12): command line, Python, a scenario's settings -------------
# (option, CLI flag, settings field, value, valid?)
SAME = [
    ("trials", "--trials", "trials", 2**40, False),
    ("trials", "--trials", "trials", 2, True),
    ("threads", "--threads", "threads", 1025, False),
    ("threads", "--threads", "threads", 4294967295, False),
    ("threads", "--threads", "threads", 1, True),
    ("target_rse", "--target-rse", "target_relative_stderr", 1.0, False),
    ("target_rse", "--target-rse", "target_relative_stderr", 0.5, True),
    ("horizon", "--horizon", "horizon", -1.0, False),
    ("horizon", "--horizon", "horizon", float("nan"), False),
    ("horizon", "--horizon", "horizon", 3.0, True),
    ("seed", "--seed", "seed", 2**64, False),
    ("seed", "--seed", "seed", 2**64 - 1, True),
]


@pytest.mark.parametrize("option, flag, field, value, valid", SAME)
def test_the_same_value_gets_the_same_verdict_everywhere(cpsf_bin, tiny, tmp_path, option, flag, field, value,
                                                         valid):
    f = tmp_path / "tiny.textproto"
    f.write_text(TINY)
    trials = [] if option == "trials" else ["--trials", "1"]
    r = subprocess.run([cpsf_bin, "run", str(f), "-q", "--out", str(tmp_path / "o"), *trials, f"{flag}={value}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == (0 if valid else 2), r.stderr
    if not valid:
        assert flag in r.stderr

    kw = {option: value}
    if option != "trials":
        kw["trials"] = 1
    if valid:
        cpsf.run(tiny, progress=False, **kw)
    else:
        with pytest.raises(ValueError, match=option):
            cpsf.run(tiny, progress=False, **kw)

    s = tmp_path / "settings.textproto"
    s.write_text(TINY + f"settings {{ {field}: {value} }}\n")
    r = subprocess.run([cpsf_bin, "validate", str(s)], capture_output=True, text=True, timeout=60)
    assert r.returncode == (0 if valid else 1), r.stderr
    if not valid:  # names the field, or (a seed beyond 64 bits) cannot even be read: its line and column
        assert field in r.stderr or f"{s}:8:" in r.stderr and "Integer out of range" in r.stderr


def test_threads_that_cannot_start_give_a_warning_not_an_abort(tmp_path):
    import os
    import resource
    import shutil
    import sys
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("needs root to run as another user under a process limit")
    work = tempfile.mkdtemp(prefix="cpsf-threads-")  # readable by uid 65534
    os.chmod(work, 0o777)
    script = os.path.join(work, "t.py")
    with open(script, "w") as f:
        f.write(f"""import warnings, cpsf
s = cpsf.Scenario.from_text({TINY!r})
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    r = cpsf.run(s, trials=20000, threads=1024, progress=False)
one = cpsf.run(s, trials=20000, threads=1, progress=False)
print([str(x.message) for x in w if x.category is RuntimeWarning], r.to_json() == one.to_json())
""")

    def limit():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        resource.setrlimit(resource.RLIMIT_NPROC, (30, 30))

    try:
        r = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=300, preexec_fn=limit,
                           env={**os.environ, "HOME": work})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert r.returncode == 0, r.stderr  # before: the interpreter (a Jupyter kernel) died with SIGABRT
    assert "of the 1024 threads asked for could be started" in r.stdout and "True" in r.stdout
