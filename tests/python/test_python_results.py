"""The Python package: Results — numpy arrays without a copy (and their lifetime), DataFrames
of the documented shapes agreeing with results.json / losses.csv, NetworkX, plots."""
import csv
import gc
import io
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cpsf  # noqa: E402

TRIALS = 6000


@pytest.fixture(scope="module")
def res():
    return cpsf.run(cpsf.DEFAULT_SCENARIO, trials=TRIALS, seed=12, progress=False)


@pytest.fixture(scope="module")
def doc(res):
    return res.to_dict()


def test_arrays_are_read_only_views_of_the_engine_memory(res):
    for a in (res.loss_array(), res.loss_array("inherent"), res.loss_array("annual"), res.hit_counts(),
              res.hit_counts(inherent=True, threat="ransomware-crew"), res.enterprise_loss_array(part="direct"),
              res.enterprise_loss_array(part="cascade"), res.arrival_array()):
        assert a.base is res._core, "the base is the compiled result, which owns the memory"
        assert not a.flags.owndata and not a.flags.writeable and a.flags.c_contiguous
        with pytest.raises(ValueError):
            a[...] = 0
    # Two calls view the same memory.
    assert np.shares_memory(res.loss_array(), res.loss_array())
    assert res.loss_array().dtype == np.float64 and res.hit_counts().dtype == np.uint64
    assert res.enterprise_loss_array().shape == (TRIALS, len(res.enterprise_ids))
    assert res.arrival_array().shape == (TRIALS, len(res.tracked_assets))


def test_an_array_keeps_the_run_alive():
    r = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=5000, seed=1, progress=False)
    losses, expected = r.loss_array(), r.loss_array().copy()
    hits = r.hit_counts()
    del r
    gc.collect()
    assert np.array_equal(losses, expected) and hits.sum() > 0
    assert isinstance(losses.base, cpsf._core.results.Result)


def test_per_trial_numbers_are_those_of_losses_csv(res):
    rows = list(csv.DictReader(io.StringIO(res._core.losses_csv())))
    assert len(rows) == TRIALS
    assert [float(r["loss"]) for r in rows] == res.loss_array().tolist()
    assert [float(r["inherent_loss"]) for r in rows] == res.loss_array("inherent").tolist()
    assert [float(r["annual_loss"]) for r in rows] == res.loss_array("annual").tolist()
    df = res.losses()
    assert list(df.columns) == ["loss", "inherent_loss", "annual_loss", "annual_inherent_loss"]
    assert df.shape == (TRIALS, 4) and df.index.name == "trial"
    assert np.array_equal(df["loss"].to_numpy(), res.loss_array())
    # Every asset has one owner: the enterprises' losses add up to the trial's loss.
    assert np.allclose(res.enterprise_loss_array().sum(axis=1), res.loss_array(), rtol=1e-12, atol=0)


def test_assets_table(res, doc):
    df = res.assets()
    assert df.shape[0] == 49 and df.index.name == "id" and list(df.index) == res.asset_ids
    for column in ("owner", "layer", "element", "target", "p_compromised", "ci95_low", "ci95_high", "mean_time",
                   "inherent_p_compromised", "expected_loss", "loss", "p_reduction"):
        assert column in df.columns
    for a in doc["assets"]:
        row = df.loc[a["id"]]
        assert (row.owner, row.layer, row.element, bool(row.target)) == (a["owner"], a["layer"], a["element"],
                                                                        a["target"])
        assert row.compromised_trials == a["compromised_trials"] and row.p_compromised == a["p_compromised"]
        assert [row.ci95_low, row.ci95_high] == a["ci95"]
        assert row.inherent_p_compromised == a["inherent"]["p_compromised"]
        mean = a["time_to_compromise"]["mean"]
        assert (math.isnan(row.mean_time) if mean is None else row.mean_time == mean)
    assert np.array_equal(df["compromised_trials"].to_numpy(), res.hit_counts())
    assert (df["p_compromised"] <= df["inherent_p_compromised"]).all()
    tracked = df.loc[res.tracked_assets]
    assert tracked["p50_time"].notna().any()
    threat = res.assets(threat="apt-supply-chain")
    expected = {a["id"]: a["p_compromised"] for a in doc["threats"][1]["assets"]}
    assert threat["p_compromised"].to_dict() == expected


def test_enterprises_threats_layer_element(res, doc):
    ent = res.enterprises()
    assert list(ent.index) == [e["id"] for e in doc["enterprises"]] and ent.shape[0] == 6
    for e in doc["enterprises"]:
        assert ent.loc[e["id"], "loss_mean"] == e["loss"]["mean"]
        assert ent.loc[e["id"], "loss_var99"] == e["loss"]["var99"]
        assert ent.loc[e["id"], "inherent_loss_mean"] == e["inherent_loss_mean"]
    th = res.threats()
    assert list(th.index) == ["ransomware-crew", "apt-supply-chain", "ot-saboteur"]
    assert th.loc["ot-saboteur", "annual_frequency"] == 0.01
    assert th.loc["ransomware-crew", "loss_mean"] == doc["threats"][0]["loss"]["mean"]
    table = res.layer_element()
    assert table.shape == (3, 6) and list(table.index) == ["L1", "L2", "L3"]
    assert list(table.columns) == ["ORGANIZATION", "PEOPLE", "COMPONENT", "DATA", "PROCEDURE", "SYSTEM"]
    for cell in doc["layer_element"]:
        assert table.loc[cell["layer"], cell["element"]] == cell["expected_loss"]
        assert res.layer_element("expected_compromised").loc[cell["layer"], cell["element"]] == \
            cell["expected_compromised"]


_LAYER_ELEMENT_WHATS = ("expected_loss", "expected_compromised", "production_loss", "cascade_loss", "loss",
                        "loss_stderr", "share", "share_ci95_low", "share_ci95_high")


def test_layer_element_attributes_the_whole_loss(res, doc):
    # Every what is results.json's; the whole cells add up to the mean loss, and so do own +
    # production + cascade (the parts' sums are in fixed point: 2^-16 a trial).
    frames = {what: res.layer_element(what) for what in _LAYER_ELEMENT_WHATS}
    for cell in doc["layer_element"]:
        at = (cell["layer"], cell["element"])
        assert frames["production_loss"].loc[at] == cell["production_loss"]
        assert frames["cascade_loss"].loc[at] == cell["cascade_loss"]
        assert frames["loss"].loc[at] == cell["loss"]["mean"]
        assert frames["loss_stderr"].loc[at] == cell["loss"]["stderr"]
        assert frames["share"].loc[at] == cell["share"]["value"]
        assert [frames["share_ci95_low"].loc[at], frames["share_ci95_high"].loc[at]] == cell["share"]["ci95"]
        assert cell["share"]["ci95"][0] <= cell["share"]["value"] <= cell["share"]["ci95"][1]
    mean = res.loss.mean
    assert frames["loss"].to_numpy().sum() == pytest.approx(mean, rel=1e-9)
    parts = frames["expected_loss"] + frames["production_loss"] + frames["cascade_loss"]
    assert parts.to_numpy().sum() == pytest.approx(mean, rel=1e-9)
    assert frames["share"].to_numpy().sum() == pytest.approx(1.0, rel=1e-9)
    assert frames["cascade_loss"].to_numpy().sum() == pytest.approx(doc["cascade"]["loss_mean"], rel=1e-9)
    with pytest.raises(ValueError, match="what"):
        res.layer_element("shares")


def test_annual_probability_of_compromise_per_asset(res, doc):
    df = res.assets()
    assert res.has_annual
    for a in doc["assets"]:
        row = df.loc[a["id"]]
        assert row.annual_p_compromised == a["annual"]["p_compromised"]
        assert [row.annual_ci95_low, row.annual_ci95_high] == a["annual"]["ci95"]
    # Without an annual frequency on every threat: no columns, results.json null.
    s = cpsf.Scenario.from_text(
        'enterprises { id: "e" }\n'
        'assets { id: "a" owner: "e" layer: L3 element: SYSTEM exposure: 0.5 loss { integrity: 1 } }\n')
    r = cpsf.run(s, trials=200, seed=1, progress=False)
    assert not r.has_annual and "annual_p_compromised" not in r.assets().columns
    assert r.to_dict()["assets"][0]["annual"] is None


def test_loss_summaries_exceedance_and_inherent_vs_residual(res, doc):
    assert res.loss.mean == doc["loss"]["mean"] and list(res.loss.ci95) == doc["loss"]["ci95"]
    assert res.loss.var99 == doc["loss"]["var99"] and res.loss.es99 == doc["loss"]["es99"]
    assert res.inherent_loss.mean == doc["inherent"]["loss"]["mean"]
    assert res.annual_loss.mean == doc["annual"]["loss"]["mean"]
    assert res.controls_effect.mean == doc["controls_effect"]["loss_removed"]
    assert [res.controls_effect.ci95_low, res.controls_effect.ci95_high] == pytest.approx(
        doc["controls_effect"]["ci95"], rel=1e-15)
    curve = res.exceedance()
    assert list(curve.columns) == ["threshold", "probability", "stderr", "ci95_low", "ci95_high"]
    assert curve[["threshold", "probability", "stderr"]].to_dict("records") == doc["loss"]["exceedance"]
    assert (curve["ci95_low"] <= curve["probability"]).all() and (curve["probability"] <= curve["ci95_high"]).all()
    both = res.inherent_vs_residual()
    assert list(both.index) == ["residual", "inherent", "removed"] and both.shape == (3, 8)
    assert both.loc["removed", "mean"] == res.controls_effect.mean
    assert both.loc["inherent", "mean"] - both.loc["residual", "mean"] == pytest.approx(both.loc["removed", "mean"])


def test_without_inherent_trials_the_inherent_parts_are_absent():
    r = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=2000, inherent=False, progress=False)
    assert not r.has_inherent and r.inherent_loss is None and r.controls_effect is None
    assert "inherent_p_compromised" not in r.assets().columns
    assert list(r.losses().columns) == ["loss", "annual_loss"]
    with pytest.raises(ValueError, match="inherent=False"):
        r.loss_array("inherent")
    with pytest.raises(ValueError):
        r.inherent_vs_residual()


def test_to_networkx(res):
    g = res.to_networkx()
    s = res.scenario
    assert g.number_of_nodes() == len(s.assets) and g.number_of_edges() == len(s.relations)
    assert g.graph["trials"] == TRIALS and g.graph["currency"] == "kJPY"
    assert g.nodes["oem-mes"]["p_compromised"] == res.assets().loc["oem-mes", "p_compromised"]
    assert g.nodes["oem-mes"]["owner"] == "oem"
    for u, v, key, d in g.edges(keys=True, data=True):
        assert key == (d["id"] or f"{u}->{v}#{d['index']}")
        assert 0 <= d["p_residual"] <= d["p_inherent"] <= 1
        assert d["layer"] in ("L1", "L2", "L3") and isinstance(d["mitigated_by"], list)
    mitigated = [d for *_, d in g.edges(keys=True, data=True) if d["p_residual"] < d["p_inherent"]]
    assert mitigated and all(d["mitigated_by"] for d in mitigated)


def test_plots_draw(res, tmp_path):
    for name, draw in (("exceedance", res.plot_exceedance), ("heatmap", res.plot_layer_element),
                       ("heatmap-share", lambda: res.plot_layer_element(what="share")),
                       ("assets", res.plot_asset_risk), ("graph", res.plot_attack_graph),
                       ("spring", lambda: cpsf.plot.attack_graph(res, layout="spring"))):
        ax = draw()
        assert isinstance(ax, matplotlib.axes.Axes)
        path = tmp_path / f"{name}.png"
        ax.figure.savefig(path)
        assert path.stat().st_size > 5000
        plt.close(ax.figure)
    ax = cpsf.plot.exceedance(res, which=["annual", "annual_inherent"])
    assert len(ax.get_lines()) == 2
    plt.close("all")
    x, p, se = cpsf.plot.empirical_exceedance(res.loss_array())
    assert p[0] == 1.0 and np.all(np.diff(p) < 0) and x[-1] == res.loss.max


def test_repr_and_summary(res):
    assert repr(res).startswith("<cpsf.Results 'Automotive supply chain (default)': 6000 trials, seed 12")
    assert "loss per trial" in res.summary() and str(res) == res.summary()
    assert isinstance(res.losses(), pd.DataFrame)


# ---- pickling and copies: results come back from multiprocessing workers --------------------

_KINDS = ("residual", "inherent", "annual", "annual_inherent")


def _assert_same_results(a, b):
    """Every number, array and table of b is exactly a's (NaN where a has NaN)."""
    assert b is not a and b.to_json() == a.to_json()
    assert b._core.assets_csv() == a._core.assets_csv() and b._core.losses_csv() == a._core.losses_csv()
    assert b.summary() == a.summary() and repr(b) == repr(a)
    for name in ("trials", "trials_planned", "partial", "stopped_by_precision", "seed", "threads", "horizon",
                 "has_inherent", "has_annual", "currency", "asset_ids", "enterprise_ids", "threat_ids", "view",
                 "tracked_assets", "loss", "inherent_loss", "annual_loss", "annual_inherent_loss", "controls_effect"):
        assert getattr(b, name) == getattr(a, name), name
    assert b.scenario.proto == a.scenario.proto and b.scenario.source == a.scenario.source
    assert b.scenario is not a.scenario
    assert b.cascade() == a.cascade()

    def same_array(x, y):
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")

    kinds = [k for k in _KINDS if (a.has_inherent or "inherent" not in k) and (a.has_annual or "annual" not in k)]
    for k in kinds:
        same_array(a.loss_array(k), b.loss_array(k))
        pd.testing.assert_frame_equal(a.exceedance(k), b.exceedance(k))
    modes = (False, True) if a.has_inherent else (False,)
    for threat in (None, *range(len(a.threat_ids))):
        pd.testing.assert_frame_equal(a.assets(threat), b.assets(threat))
        for inherent in modes:
            same_array(a.loss_array("inherent" if inherent else "residual", threat=threat),
                       b.loss_array("inherent" if inherent else "residual", threat=threat))
            same_array(a.hit_counts(inherent, threat=threat), b.hit_counts(inherent, threat=threat))
    for inherent in modes:
        for part in ("direct", "cascade", "total"):
            same_array(a.enterprise_loss_array(inherent, part), b.enterprise_loss_array(inherent, part))
        same_array(a._core.relation_p(inherent), b._core.relation_p(inherent))
    same_array(a.arrival_array(), b.arrival_array())
    for table in ("enterprises", "threats", "paths", "relation_shares", "chokepoints", "losses", "arrival_times"):
        pd.testing.assert_frame_equal(getattr(a, table)(), getattr(b, table)(), obj=table)
    for what in _LAYER_ELEMENT_WHATS:
        pd.testing.assert_frame_equal(a.layer_element(what), b.layer_element(what))
    if a.has_inherent:
        pd.testing.assert_frame_equal(a.inherent_vs_residual(), b.inherent_vs_residual())


def _partial_run():
    """A run stopped by Ctrl-C after its first round (on_interrupt='raise')."""
    calls = []

    def progress(done, planned):
        calls.append(done)
        # Progress counts trials within a round, and Ctrl-C drops the round it lands in: only
        # a trial beyond the first round of 4,096 shows that round kept (done > 0 alone gave
        # a run of 0 trials, NaN estimates, when the first report came mid-round on a busy host).
        if done > 4096:
            raise KeyboardInterrupt

    with pytest.raises(cpsf.RunInterrupted) as caught:
        cpsf.run(cpsf.DEFAULT_SCENARIO, trials=10**7, seed=3, target_rse=0, progress=progress, on_interrupt="raise")
    assert caught.value.results.partial
    return caught.value


@pytest.fixture(scope="module")
def varied():
    """Runs of different shapes: several threats with annual and inherent views and a
    cascade; one implicit threat without inherent trials under a horizon; a partial run."""
    generated = cpsf.generate(enterprises=3, assets_per_enterprise=30, seed=4)
    # Times of 10^4 days: their squares' fixed-point sums need more than 64 bits.
    slow = cpsf.Scenario.from_text(
        'enterprises { id: "e" }\n'
        'assets { id: "a" owner: "e" layer: L3 element: SYSTEM exposure: 0.9 }\n'
        'assets { id: "b" owner: "e" layer: L3 element: DATA target: true loss { integrity: 5 } }\n'
        'relations { from: "a" to: "b" layer: L3 step { p: 0.8 ttc { uniform { min: 9000 max: 11000 } } } }\n')
    return {
        "no inherent, horizon, implicit threat": cpsf.run(generated, trials=1500, seed=5, inherent=False, horizon=20,
                                                          progress=False),
        "partial": _partial_run().results,
        "long times": cpsf.run(slow, trials=3000, seed=6, progress=False),
    }


def test_results_survive_pickle_exactly(res, varied):
    import pickle

    for r in (res, *varied.values()):
        for protocol in (2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
            back = pickle.loads(pickle.dumps(r, protocol=protocol))
            assert isinstance(back, cpsf.Results)
            _assert_same_results(r, back)
    high_words = varied["long times"]._core._state()["threats"][0]["residual"]["time_square"][:, 1]
    assert high_words.any()  # the 128-bit sums' high words round-trip too
    # The restored arrays are views of the restored run, as after cpsf.run.
    back = pickle.loads(pickle.dumps(res))
    assert back.loss_array().base is back._core and not back.loss_array().flags.writeable


def test_results_deepcopy_and_copy_exactly(res, varied):
    import copy

    for r in (res, *varied.values()):
        deep = copy.deepcopy(r)
        _assert_same_results(r, deep)
        assert deep.scenario is not r.scenario  # the scenario, mutable, is copied
    nested = copy.deepcopy({"a": [res, res]})
    assert nested["a"][0] is nested["a"][1]  # the memo keeps shared references shared
    _assert_same_results(res, nested["a"][0])
    _assert_same_results(res, copy.copy(res))


def test_pickled_results_carry_arrays_not_lists(res):
    import pickle

    state = res._core._state()
    arrays = [v for v in _leaves(state) if isinstance(v, np.ndarray)]
    assert arrays and not any(isinstance(v, list) and len(v) > 100 for v in _leaves(state))
    # The per-trial losses go into the pickle as raw float64 data: about 8 bytes a value;
    # the run's statistics (moments and histograms) as one bytes object.
    per_trial = sum(a.nbytes for a in arrays)
    size = len(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
    assert per_trial <= size < 1.1 * per_trial + len(state["stats"]) + len(res.scenario.to_bytes()) + 200_000


def test_a_run_without_per_trial_values_has_every_estimate_and_pickles(res):
    import pickle

    flat = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=TRIALS, seed=12, progress=False, per_trial=False)
    assert flat.to_json() == res.to_json() and not flat._core.per_trial
    for call in (flat.loss_array, flat.enterprise_loss_array, flat.arrival_array, flat.losses):
        with pytest.raises(ValueError, match="per_trial=True"):
            call()
    back = pickle.loads(pickle.dumps(flat))
    assert back.to_json() == res.to_json()
    # Without the arrays the pickle holds the statistics alone: smaller than the arrays.
    assert len(pickle.dumps(flat)) < len(pickle.dumps(res))



def test_save_without_per_trial_values_retires_an_old_losses_csv(res, tmp_path):
    res.save(tmp_path / "out")
    assert (tmp_path / "out" / "losses.csv").exists()
    (tmp_path / "out" / "mine.txt").write_text("kept")
    flat = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=TRIALS, seed=12, progress=False, per_trial=False)
    flat.save(tmp_path / "out")
    assert not (tmp_path / "out" / "losses.csv").exists()
    assert (tmp_path / "out" / "mine.txt").read_text() == "kept"
    assert (tmp_path / "out" / "results.json").read_text() == res.to_json()


def _leaves(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    elif isinstance(x, (list, tuple)):
        yield x
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def test_run_interrupted_and_scenario_errors_pickle():
    import pickle

    interrupted = _partial_run()
    back = pickle.loads(pickle.dumps(interrupted))
    assert isinstance(back, cpsf.RunInterrupted) and str(back) == str(interrupted)
    _assert_same_results(interrupted.results, back.results)
    with pytest.raises(cpsf.ScenarioError) as invalid:
        cpsf.Scenario.from_text('assets { id: "a" owner: "nobody" }').validate()
    with pytest.raises(cpsf.ScenarioFileError) as missing:
        cpsf.load("/nonexistent/scenario.textproto")
    for e in (invalid.value, missing.value):
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e) and str(back) == str(e) and back.problems == e.problems
        assert back.errors == e.errors


def test_results_come_back_from_a_multiprocessing_worker(res):
    import multiprocessing

    # spawn: a fresh interpreter, as on macOS and Windows (forking a process that holds
    # the engine's worker threads is not safe).
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        remote = pool.apply(cpsf.run, (cpsf.DEFAULT_SCENARIO,), {"trials": TRIALS, "seed": 12, "progress": False,
                                                                 "threads": res.threads})
        with pytest.raises(cpsf.ScenarioFileError) as caught:  # errors come back too
            pool.apply(cpsf.load, ("/nonexistent/scenario.textproto",))
    assert isinstance(remote, cpsf.Results)
    _assert_same_results(res, remote)
    assert "nonexistent" in str(caught.value)


def test_a_state_that_does_not_fit_the_scenario_is_refused(res):
    from cpsf.results import _restore

    state = res._core._state()
    other = cpsf.generate(enterprises=2, assets_per_enterprise=10).to_bytes()
    with pytest.raises(ValueError, match="cannot restore the run"):
        _restore(other, None, "x", state)
    with pytest.raises(ValueError, match="unknown state layout"):
        _restore(res.scenario.to_bytes(), None, "x", {**state, "version": 0})
    cut = {**state, "tracked_arrival": state["tracked_arrival"][:-1]}
    with pytest.raises(ValueError, match="'tracked_arrival' has the wrong shape"):
        _restore(res.scenario.to_bytes(), None, "x", cut)


def test_to_networkx_shows_the_step_a_run_resolves(res):
    """A relation that takes its p and mitigations from the attack-step library shows them."""
    g = res.to_networkx()
    edges = {d["id"]: d for *_, d in g.edges(keys=True, data=True)}
    ad = edges["r-oem-ws-ad"]  # p from the library (network-l3), mitigations and time written
    assert ad["p"] == 0.5 and ad["p_by_capability"] == (0.5, 0.6, 0.75) and ad["p_from"] == "library"
    assert ad["mitigated_by"] == ["CPS.AC-1", "CPS.DP-1"] and ad["ttc"].startswith("lognormal(")
    written = edges["r-oem-staff-purchasing"]  # everything written by hand
    assert written["p_from"] == "scenario" and written["p_by_capability"] == (written["p"],) * 3
    from_library = [d for d in edges.values() if d["p_from"] == "library" and d["mitigated_by"]]
    assert from_library and all(d["p_residual"] < d["p_inherent"] for d in from_library)
