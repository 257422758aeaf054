"""The Python package: cpsf.optimise — the same files as `cpsf optimise`, greedy vs exact,
the marginal values and the frontier as DataFrames, errors, determinism, the GIL, Ctrl-C."""
import signal
import subprocess
import threading
import time

import pytest

import cpsf

DEFAULT = "scenarios/default/scenario.textproto"
REQUIREMENTS = ["CPS.AC-1", "CPS.DS-1", "CPS.IP-1", "CPS.CM-1", "CPS.MA-1", "CPS.AT-1"]


@pytest.fixture(autouse=True)
def _from_the_repository_root(root, monkeypatch):
    monkeypatch.chdir(root)  # so that scenario paths read like the command line's


def chains(spec, requirements=None):
    """Independent chains entry → target, each closed by one candidate of efficacy 1:
    the loss is deterministic and candidate k removes exactly spec[k][0]."""
    s = cpsf.Scenario(name="chains", currency="kJPY")
    s.add_enterprise(id="e")
    for k, (loss, cost) in enumerate(spec):
        req = (requirements or REQUIREMENTS)[k % len(requirements or REQUIREMENTS)]
        s.add_asset(id=f"s{k}", owner="e", layer="L3", element="PEOPLE", exposure=1)
        s.add_asset(id=f"t{k}", owner="e", layer="L3", element="DATA", loss={"integrity": loss})
        s.add_relation(id=f"r{k}", from_=f"s{k}", to=f"t{k}", layer="L3", step={"p": 1, "mitigated_by": [req]})
        s.add_control(id=f"c{k}", requirement=req, efficacy=1, cost=cost, relations=[f"r{k}"])
    return s


def test_same_files_as_cpsf_optimise_for_the_same_seed(cpsf_bin, root, tmp_path):
    r = subprocess.run([cpsf_bin, "optimise", DEFAULT, "--budget", "40000", "--trials", "1500", "--seed", "3",
                        "--frontier", "5", "--out", str(tmp_path / "cli"), "-q"],
                       capture_output=True, text=True, timeout=300, cwd=root)
    assert r.returncode == 0, r.stderr
    p = cpsf.optimise(DEFAULT, 40000, trials=1500, seed=3, frontier=5, progress=False)
    p.save(tmp_path / "py")
    for name in ("optimise.json", "frontier.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert p.to_dict()["chosen"] == p.chosen
    assert p.summary().startswith("Control portfolio for Automotive supply chain (default): exact search")


def test_default_scenario_tables():
    p = cpsf.optimise(DEFAULT, 40000, trials=1500, seed=5, progress=False)
    assert p.method == "exact" and p.annual and len(p.candidates) == 5
    assert p.cost <= 40000 and set(p.chosen) <= set(p.candidates)
    assert p.all.mean <= p.loss.mean <= p.none.mean
    assert p.reduction.mean == pytest.approx(p.none.mean - p.loss.mean, rel=1e-9)
    m = p.marginal()
    assert list(m.index) == p.candidates
    assert list(m.columns) == ["cost", "chosen", "value", "stderr", "ci95_low", "ci95_high", "value_per_cost",
                               "value_per_cost_stderr", "net", "alone", "alone_stderr", "pays"]
    assert (m["net"] == m["value"] - m["cost"]).all()
    assert (m["value_per_cost_stderr"] == m["stderr"] / m["cost"]).all()
    assert p.net_benefit.mean == pytest.approx(p.reduction.mean - p.cost)
    assert sorted(m.index[m["chosen"]]) == sorted(p.chosen)
    assert (m["value"] >= 0).all()  # monotone under common random numbers
    f = p.frontier()
    assert list(f.columns) == ["budget", "cost", "loss", "stderr", "ci95_low", "ci95_high", "chosen"]
    assert len(f) == 11 and f["budget"].iloc[0] == 0 and f["budget"].iloc[-1] == p.total_cost
    assert (f["cost"] <= f["budget"]).all()
    assert f["loss"].is_monotonic_decreasing  # exact: more budget never hurts
    assert f["loss"].iloc[-1] == p.all.mean and f["loss"].iloc[0] == p.none.mean
    g = p.greedy()
    assert list(g.columns) == ["control", "control_cost", "cost", "loss", "stderr"]
    assert g["loss"].is_monotonic_decreasing and (g["cost"] <= 40000).all()
    assert "cpsf.Portfolio exact, budget 40000 kJPY" in repr(p)


def test_greedy_falls_into_the_knapsack_trap_exact_does_not():
    s = chains([(7, 6), (5, 5), (5, 5)])
    exact = cpsf.optimise(s, 10, trials=500, progress=False)
    greedy = cpsf.optimise(s, 10, method="greedy", trials=500, progress=False)
    assert (exact.method, exact.chosen, exact.loss.mean, exact.cost) == ("exact", ["c1", "c2"], 7.0, 10.0)
    assert (greedy.method, greedy.chosen, greedy.loss.mean) == ("greedy", ["c0"], 10.0)
    assert exact.greedy_loss.mean == greedy.loss.mean
    assert greedy.greedy()["control"].tolist() == ["c0"]
    assert exact.marginal()["value"].to_dict() == {"c0": 7.0, "c1": 5.0, "c2": 5.0}
    assert exact.frontier()["chosen"].iloc[-1] == ("c0", "c1", "c2")


def test_budget_zero_and_free_controls():
    p = cpsf.optimise(chains([(7, 6), (5, 5)]), 0, trials=200, progress=False)
    assert p.chosen == [] and p.cost == 0 and p.loss.mean == p.none.mean == 12.0
    p = cpsf.optimise(chains([(7, 6), (1, 0)]), 0, trials=200, progress=False)
    assert p.chosen == ["c1"]
    assert p.marginal()["value_per_cost"].isna().tolist() == [False, True]


def test_explicit_candidates_and_the_objective_without_frequencies():
    s = chains([(7, 6), (5, 5), (5, 5)])
    p = cpsf.optimise(s, 100, candidates=["c2", "c0"], trials=300, frontier=0, progress=False)
    assert p.candidates == ["c0", "c2"] and p.chosen == ["c0", "c2"]
    assert p.none.mean == 17.0 and p.loss.mean == 5.0  # c1 stays off
    assert not p.annual and p.frontier().empty


def test_identical_at_one_and_two_threads():
    a = cpsf.optimise(DEFAULT, 30000, trials=1000, seed=9, threads=1, frontier=3, progress=False)
    b = cpsf.optimise(DEFAULT, 30000, trials=1000, seed=9, threads=2, frontier=3, progress=False)
    assert a.to_json() == b.to_json() and a.summary() == b.summary()


def test_bad_options_and_candidates_are_refused():
    s = chains([(7, 6), (5, 5)])
    for budget in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="budget must be a finite number ≥ 0"):
            cpsf.optimise(s, budget, progress=False)
    with pytest.raises(ValueError, match="candidate 'nope' is not a control"):
        cpsf.optimise(s, 5, candidates=["nope"], progress=False)
    with pytest.raises(ValueError, match="listed twice"):
        cpsf.optimise(s, 5, candidates=["c0", "c0"], progress=False)
    with pytest.raises(ValueError, match="candidates is empty"):
        cpsf.optimise(s, 5, candidates=[], progress=False)
    with pytest.raises(TypeError):
        cpsf.optimise(s, 5, candidates="c0", progress=False)
    with pytest.raises(ValueError, match="method"):
        cpsf.optimise(s, 5, method="best", progress=False)
    with pytest.raises(ValueError, match="frontier"):
        cpsf.optimise(s, 5, frontier=1, progress=False)
    for bad in ({"trials": 0}, {"threads": 2000}, {"seed": -1}):
        with pytest.raises(ValueError):
            cpsf.optimise(s, 5, progress=False, **bad)
    s.control("c0").implemented = True
    with pytest.raises(ValueError, match="already implemented"):
        cpsf.optimise(s, 5, candidates=["c0"], progress=False)
    s.control("c1").implemented = True
    with pytest.raises(ValueError, match="no candidate controls"):
        cpsf.optimise(s, 5, progress=False)
    many = chains([(1, 1)] * 21)
    with pytest.raises(ValueError, match="at most 20 candidates"):
        cpsf.optimise(many, 3, method="exact", trials=10, progress=False)
    assert cpsf.optimise(many, 3, trials=10, frontier=0, progress=False).method == "greedy"
    bad = cpsf.load(DEFAULT)
    bad.asset("oem-mes").exposure = 3
    with pytest.raises(cpsf.ScenarioError):
        cpsf.optimise(bad, 1000, progress=False)


def test_progress_is_reported_from_the_calling_thread():
    seen = []
    caller = threading.get_ident()

    def progress(n):
        assert threading.get_ident() == caller
        seen.append(n)

    p = cpsf.optimise(DEFAULT, 40000, trials=20000, seed=1, frontier=0, progress=progress)
    assert seen and seen == sorted(seen) and seen[-1] <= p.simulations

    def failing(n):
        raise RuntimeError("progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        cpsf.optimise(DEFAULT, 40000, trials=20000, frontier=0, progress=failing)


def test_the_gil_is_released_while_the_engine_runs(ticking):
    _, ticks, elapsed = ticking(lambda: cpsf.optimise(DEFAULT, 40000, trials=20000, frontier=0, progress=False))
    assert len(ticks) >= max(5, elapsed / 0.05), (len(ticks), elapsed)


def test_ctrl_c_stops_the_search_with_keyboard_interrupt():
    def fire():
        time.sleep(1.0)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=fire, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        cpsf.optimise(DEFAULT, 40000, trials=10**8, progress=False)
    assert time.monotonic() - started < 30


def annual_chains(spec):
    """chains() attacked by one threat entering every chain, once a year on average."""
    s = chains(spec)
    s.add_threat(id="crew", annual_frequency=1,
                 entry_points=[{"asset": f"s{k}", "probability": 1} for k in range(len(spec))])
    return s


def test_net_goal_never_buys_what_costs_more_than_it_removes():
    # c0 removes 20 a year for 10, c1 removes 5 for 50: the loss goal buys both (and warns),
    # the net goal only c0.
    s = annual_chains([(20, 10), (5, 50)])
    with pytest.warns(UserWarning, match=r"cost more than they remove.*--goal net"):
        loss = cpsf.optimise(s, 100, trials=2000, frontier=0, progress=False)
    assert loss.goal == "loss" and loss.chosen == ["c0", "c1"]
    assert loss.costs_more_than_removes is True and loss.cost == 60
    for method in ("exact", "greedy"):
        net = cpsf.optimise(s, 100, goal="net", method=method, trials=2000, frontier=0, progress=False)
        assert net.goal == "net" and net.chosen == ["c0"], method
        m = net.marginal()
        assert m.loc["c0", "pays"] == True and m.loc["c1", "pays"] == False  # noqa: E712 (numpy bools)
        assert abs(m.loc["c0", "alone"] - 20) <= 4 * m.loc["c0", "alone_stderr"]
        assert net.none_pays is False and net.to_dict()["none_pays"] is False
        assert net.to_dict()["goal"] == "net"


def test_net_goal_may_choose_nothing_and_says_so():
    p = cpsf.optimise(annual_chains([(5, 50)]), 100, goal="net", trials=1000, frontier=0, progress=False)
    assert p.chosen == [] and p.cost == 0 and p.none_pays is True
    assert "no candidate pays for itself" in p.summary()


def test_net_goal_needs_annual_frequencies():
    with pytest.raises(ValueError, match=r"net-benefit goal .* no threats.*fix: "):
        cpsf.optimise(chains([(7, 6)]), 10, goal="net", trials=100, progress=False)
    with pytest.raises(ValueError, match="goal must be one of"):
        cpsf.optimise(chains([(7, 6)]), 10, goal="benefit", trials=100, progress=False)
    p = cpsf.optimise(chains([(7, 6)]), 10, trials=100, progress=False)  # per trial: no money verdicts
    assert p.net_benefit is None and p.none_pays is None and p.marginal()["pays"].isna().all()
