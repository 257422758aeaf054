"""The Python package: cpsf.run — the same numbers as `cpsf run`, at any thread count;
options as on the command line; the GIL released; progress; Ctrl-C gives the partial result."""
import os
import signal
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest

import cpsf

DEFAULT = "scenarios/default/scenario.textproto"


def cli_run(cpsf_bin, root, out, *args):
    r = subprocess.run([cpsf_bin, "run", DEFAULT, "--out", str(out), "-q", *args], capture_output=True, text=True,
                       timeout=300, cwd=root)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(autouse=True)
def _from_the_repository_root(root, monkeypatch):
    monkeypatch.chdir(root)  # so that scenario paths read like the command line's


def test_same_files_as_cpsf_run_for_the_same_seed(cpsf_bin, root, tmp_path):
    cli_run(cpsf_bin, root, tmp_path / "cli", "--trials", "6000", "--seed", "3", "--per-trial")
    res = cpsf.run(DEFAULT, trials=6000, seed=3, progress=False)
    res.save(tmp_path / "py")
    for name in ("results.json", "assets.csv", "losses.csv", "enterprises.csv", "paths.csv", "chokepoints.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert res.to_json() == (tmp_path / "cli" / "results.json").read_text()


def test_save_replaces_the_set_keeps_other_files_and_respects_the_lock(cpsf_bin, root, tmp_path):
    """Results.save writes as `cpsf run --out` does (docs/cli.md, "Output directories"): the
    old set replaced as one, the user's files kept, and a directory another cpsf is writing
    into refused, naming it."""
    out = cli_run(cpsf_bin, root, tmp_path / "out", "--trials", "1000", "--seed", "3")
    (out / "mine.txt").write_text("the user's")
    res = cpsf.run(DEFAULT, trials=2000, seed=3, progress=False)
    fifo = tmp_path / "pause"
    os.mkfifo(fifo)
    p = subprocess.Popen([cpsf_bin, "run", DEFAULT, "--trials", "1000", "--out", str(out), "-q"], cwd=root,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "CPSF_TEST_PAUSE_BEFORE_SWITCH": str(fifo)})
    deadline = time.monotonic() + 120
    while True:  # until the run waits at its switch, holding the lock
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert p.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
    with pytest.raises(OSError, match=rf"is in use: another cpsf \(pid {p.pid}\) is writing into it"):
        res.save(out)
    os.close(fd)
    assert p.wait(timeout=120) == 0
    assert res.save(out) == out
    assert (out / "results.json").read_text() == res.to_json() and (out / "mine.txt").read_text() == "the user's"
    assert not [q for q in tmp_path.rglob("*") if ".cpsf-" in q.name]


def test_ctrl_c_during_save_waits_for_the_set_then_raises(tmp_path, monkeypatch):
    """A Ctrl-C while save() writes is held until the new set is in place, then raised as
    KeyboardInterrupt: the directory holds the new files, all of them."""
    out = tmp_path / "out"
    cpsf.run(DEFAULT, trials=1000, seed=3, progress=False).save(out)
    res = cpsf.run(DEFAULT, trials=2000, seed=3, progress=False)
    fifo = tmp_path / "pause"
    os.mkfifo(fifo)
    monkeypatch.setenv("CPSF_TEST_PAUSE_BEFORE_SWITCH", str(fifo))

    def interrupt_at_the_switch():
        deadline = time.monotonic() + 120
        while True:  # until save() waits at its switch
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(2000):  # until it is no longer pending: the held handler has it
            status = open("/proc/self/status").read().splitlines()
            if not any(int(line.split()[1], 16) & 2 for line in status if line.startswith(("SigPnd", "ShdPnd"))):
                break
            time.sleep(0.005)
        os.close(fd)

    t = threading.Thread(target=interrupt_at_the_switch)
    t.start()
    with pytest.raises(KeyboardInterrupt):
        res.save(out)
        time.sleep(5)  # the interrupt is raised at once, not after this
    t.join()
    assert (out / "results.json").read_text() == res.to_json()
    assert (out / "losses.csv").read_text() == res._core.losses_csv()
    assert not [q for q in tmp_path.rglob("*") if ".cpsf-" in q.name]


def test_defaults_come_from_the_scenario_settings_as_on_the_command_line(cpsf_bin, root, tmp_path):
    """settings: 100,000 trials cap, seed 20261123, 90-day horizon, target RSE 1%."""
    cli_run(cpsf_bin, root, tmp_path / "cli")
    res = cpsf.run(DEFAULT, progress=False)
    assert res.to_json() == (tmp_path / "cli" / "results.json").read_text()
    assert res.seed == 20261123 and res.horizon == 90 and res.trials_planned == 100000


@pytest.mark.parametrize("options, flags", [
    ({"horizon": 1}, ["--horizon", "1"]),
    ({"no_horizon": True}, ["--no-horizon"]),
    ({"inherent": False}, ["--no-inherent"]),
    ({"target_rse": 0.1}, ["--target-rse", "0.1"]),
])
def test_options_mirror_cpsf_run(cpsf_bin, root, tmp_path, options, flags):
    cli_run(cpsf_bin, root, tmp_path, "--trials", "5000", "--seed", "8", *flags)
    res = cpsf.run(DEFAULT, trials=5000, seed=8, progress=False, **options)
    assert res.to_json() == (tmp_path / "results.json").read_text()
    if "target_rse" in options:
        assert res.stopped_by_precision and res.trials == 4096


def test_a_scenario_object_runs_to_the_same_numbers(root):
    from_file = cpsf.run(DEFAULT, trials=5000, seed=4, progress=False)
    s = cpsf.load(DEFAULT)
    assert s.run(trials=5000, seed=4, progress=False).to_json() == from_file.to_json()
    # Built in memory (no source file): only the file label differs.
    memory = cpsf.Scenario.from_bytes(s.to_bytes())
    doc = cpsf.run(memory, trials=5000, seed=4, progress=False).to_dict()
    expected = from_file.to_dict()
    assert doc["scenario"]["file"] == "<memory>"
    doc["scenario"]["file"] = expected["scenario"]["file"]
    assert doc == expected
    assert cpsf.run(s.proto, trials=5000, seed=4, progress=False).to_dict()["loss"] == expected["loss"]


def test_identical_at_one_two_and_seven_threads():
    runs = [cpsf.run(DEFAULT, trials=9000, seed=5, threads=t, progress=False) for t in (1, 2, 7)]
    assert [r.threads for r in runs] == [1, 2, 7]
    assert runs[0].to_json() == runs[1].to_json() == runs[2].to_json()
    for r in runs[1:]:
        assert np.array_equal(r.loss_array(), runs[0].loss_array())
        assert np.array_equal(r.loss_array("annual"), runs[0].loss_array("annual"))
        assert np.array_equal(r.enterprise_loss_array(inherent=True), runs[0].enterprise_loss_array(inherent=True))
        assert np.array_equal(r.arrival_array(), runs[0].arrival_array(), equal_nan=True)


def test_changing_a_control_moves_the_residual_risk_only():
    """Common random numbers: with the same seed, the inherent losses do not move at all."""
    s = cpsf.load(DEFAULT)
    base = s.run(trials=8000, seed=6, progress=False)
    s.control("cand-oem-vendor-accounts").implemented = True
    better = s.run(trials=8000, seed=6, progress=False)
    assert np.array_equal(base.loss_array("inherent"), better.loss_array("inherent"))
    assert np.all(better.loss_array() <= base.loss_array())  # dominated trial by trial
    assert better.loss.mean < base.loss.mean


def test_invalid_scenarios_and_options_are_refused_before_running():
    s = cpsf.load(DEFAULT)
    s.asset("oem-mes").exposure = 3
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.run(s, progress=False)
    assert any(p.entity == "asset 'oem-mes'" and p.path.endswith(".exposure") for p in caught.value.errors)
    for bad in ({"trials": 0}, {"trials": 2**40}, {"threads": 2000}, {"seed": -1},
                {"horizon": 1, "no_horizon": True}, {"horizon": -1}, {"target_rse": 2}, {"on_interrupt": "x"}):
        with pytest.raises(ValueError):
            cpsf.run(DEFAULT, progress=False, **bad)
    with pytest.raises(TypeError):
        cpsf.run(42)


def _interrupt_main_after(seconds):
    def fire():
        time.sleep(seconds)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    t = threading.Thread(target=fire, daemon=True)
    t.start()
    return t


def test_ctrl_c_returns_the_partial_result_with_a_warning():
    _interrupt_main_after(1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.monotonic()
        res = cpsf.run(DEFAULT, trials=10**8, seed=2, target_rse=0, progress=False)
        elapsed = time.monotonic() - started
    assert elapsed < 30
    assert res.partial and 0 < res.trials < res.trials_planned == 10**8
    assert res.trials % 4096 == 0  # whole rounds
    assert res.to_dict()["partial"] is True
    assert [w.category for w in caught] == [cpsf.PartialResultWarning]
    # The partial result is exactly the first `trials` trials of the full run.
    head = cpsf.run(DEFAULT, trials=res.trials, seed=2, target_rse=0, progress=False)
    assert np.array_equal(head.loss_array(), res.loss_array())
    assert head.assets()["compromised_trials"].equals(res.assets()["compromised_trials"])


def test_ctrl_c_can_raise_run_interrupted_carrying_the_result():
    _interrupt_main_after(1.0)
    with pytest.raises(KeyboardInterrupt) as caught:
        cpsf.run(DEFAULT, trials=10**8, target_rse=0, progress=False, on_interrupt="raise")
    assert isinstance(caught.value, cpsf.RunInterrupted)
    assert caught.value.results.partial and caught.value.results.trials > 0


def test_ctrl_c_during_a_progress_update_still_gives_the_partial_result():
    calls = []

    def progress(done, planned):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if Ctrl-C arrived while a progress bar was drawing

    with pytest.warns(cpsf.PartialResultWarning):
        res = cpsf.run(DEFAULT, trials=10**8, target_rse=0, progress=progress)
    assert res.partial


def test_progress_is_reported_from_the_calling_thread_and_errors_stop_the_run():
    seen = []
    caller = threading.get_ident()

    def progress(done, planned):
        assert threading.get_ident() == caller
        seen.append((done, planned))

    res = cpsf.run(DEFAULT, trials=300000, target_rse=0, progress=progress)
    assert seen[-1] == (300000, 300000) and res.trials == 300000
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def failing(done, planned):
        raise RuntimeError("progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        cpsf.run(DEFAULT, trials=10**8, target_rse=0, progress=failing)


def test_progress_bar_on_stderr(capfd):
    cpsf.run(DEFAULT, trials=400000, target_rse=0, progress=True)
    err = capfd.readouterr().err
    assert "cpsf run" in err and "trials" in err


def test_the_gil_is_released_while_the_engine_runs(ticking):
    res, ticks, elapsed = ticking(lambda: cpsf.run(DEFAULT, trials=400000, target_rse=0, progress=False))
    assert res.trials == 400000
    # The other thread kept running: at least a tick per 50 ms of run on a loaded machine.
    assert len(ticks) >= max(5, elapsed / 0.05), (len(ticks), elapsed)


def test_interrupted_before_the_first_round_gives_empty_but_usable_tables():
    s = cpsf.generate(enterprises=20, assets_per_enterprise=500, seed=3)  # rounds of 4,096 trials take a while
    warnings_expected = [p for p in s.problems() if not p.is_error]

    def interrupt(done, planned):
        raise KeyboardInterrupt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cpsf.run(s, trials=100000, progress=interrupt)
    scenario_warnings = [w for w in caught if issubclass(w.category, cpsf.ScenarioWarning)]
    n = len(warnings_expected)
    assert len(scenario_warnings) == min(n, 5) + (n > 5)  # at most five, then one summary
    assert res.partial and res.trials % 4096 == 0
    assert res.assets().shape[0] == len(s.assets) and res.losses().shape == (res.trials, 2)
    assert res.enterprises().shape[0] == 20 and res.threats().shape[0] == 1
    assert res.layer_element().shape == (3, 6) and res.to_dict()["partial"] is True


def test_no_trial_gives_nan_estimates_never_zero_and_saves_nothing(tmp_path):
    """Interrupted before its first round: every estimate is NaN (null in JSON), counts 0,
    and save() refuses to replace an earlier result with estimates of nothing."""
    s = cpsf.generate(enterprises=20, assets_per_enterprise=500, seed=3)  # a round of 4,096 trials takes seconds

    def interrupt(done, planned):  # the first progress call, 0.1 s into the first round
        raise KeyboardInterrupt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cpsf.run(s, trials=100000, progress=interrupt)
    assert res.partial and res.trials == 0
    loss = res.loss
    assert all(np.isnan(getattr(loss, k)) for k in ("mean", "stderr", "ci95_low", "var95", "var99", "es99", "max"))
    assert np.isnan(res.inherent_loss.mean) and np.isnan(res.controls_effect.mean)
    assets = res.assets()
    assert (assets["compromised_trials"] == 0).all()
    assert assets[["p_compromised", "ci95_low", "ci95_high", "expected_loss", "inherent_p_compromised"]].isna().all().all()
    assert res.layer_element().isna().all().all()
    assert res.enterprises()[["loss_mean", "direct_mean", "cascade_mean"]].isna().all().all()
    assert np.isnan(res.cascade()["loss_mean"])
    assert res.threats()["loss_mean"].isna().all()
    d = res.to_dict()
    assert d["trials"] == 0 and d["loss"]["mean"] is None and d["assets"][0]["p_compromised"] is None
    assert "nan" in repr(res).lower()
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("an earlier result")
    with pytest.raises(ValueError, match="no trial"):
        res.save(out)
    assert (out / "results.json").read_text() == "an earlier result"
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]
