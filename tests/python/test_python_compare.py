"""The Python package: cpsf.compare — the same numbers as `cpsf compare`, labels,
threat filter and errors; cpsf.apply_supplier_rule and cpsf.assign_baseline; the plot."""
import json
import subprocess

import pytest

import cpsf

DEFAULT = "scenarios/default/scenario.textproto"


@pytest.fixture(autouse=True)
def _from_the_repository_root(root, monkeypatch):
    monkeypatch.chdir(root)  # so that scenario paths read like the command line's


def chain() -> cpsf.Scenario:
    """A buyer, an IT provider reaching it over a trust relation, a parts maker whose
    outage the buyer cannot accept, and a logistics firm with neither."""
    s = cpsf.Scenario(name="chain", currency="kJPY")
    for e in ("buyer", "it", "parts", "logi"):
        s.add_enterprise(id=e, daily_output=100)
    s.add_asset(id="erp", owner="buyer", layer="L3", element="SYSTEM", target=True, loss={"integrity": 500})
    s.add_asset(id="it-pc", owner="it", layer="L3", element="COMPONENT", exposure=0.4)
    s.add_asset(id="truck", owner="logi", layer="L1", element="PROCEDURE")
    s.add_relation(id="r-trust", from_="it-pc", to="erp", layer="L1", kind="TRUST",
                   step={"p": 0.5, "mitigated_by": ["CPS.AC-1", "CPS.DS-1"]})
    s.add_relation(id="r-goods", from_="truck", to="erp", layer="L1", kind="GOODS_SUPPLY", step={"p": 0.1})
    s.add_dependency(customer="buyer", supplier="it", share=0)
    s.add_dependency(customer="buyer", supplier="parts", share=0.2, unacceptable_delay=True)
    s.add_dependency(customer="buyer", supplier="logi", share=0.1)
    return s


def test_same_numbers_as_the_command_line(cpsf_bin, root, tmp_path):
    r = subprocess.run([cpsf_bin, "compare", DEFAULT, "-b", "as-is,SCS-3,supplier-rule", "--trials", "2000",
                        "--seed", "9", "--out", str(tmp_path), "-q"], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    t = cpsf.compare(DEFAULT, ["as-is", "SCS-3", "supplier-rule"], trials=2000, seed=9, progress=False)
    assert t.attrs["json"] == (tmp_path / "compare.json").read_text()
    assert t.attrs["csv"] == (tmp_path / "compare.csv").read_text()
    assert list(t.columns) == (tmp_path / "compare.csv").read_text().splitlines()[0].split(",")
    doc = json.loads(t.attrs["json"])
    assert list(t["mean"]) == [row["loss"]["mean"] for row in doc["rows"]]
    assert list(t["baseline"]) == ["as-is", "SCS-3", "supplier-rule"]
    assert (t["scenario"] == "Automotive supply chain (default)").all()  # the scenario's name


def test_one_row_per_scenario_and_baseline_with_paired_differences():
    t = cpsf.compare({"chain": chain(), "default": DEFAULT}, ("SCS-3", "SCS-4"), trials=3000, seed=2, threads=2,
                     progress=False)
    assert t[["scenario", "baseline"]].values.tolist() == [
        ["chain", "SCS-3"], ["chain", "SCS-4"], ["default", "SCS-3"], ["default", "SCS-4"]]
    for _, row in t.iterrows():
        assert row["ci95_low"] <= row["mean"] <= row["ci95_high"]
        assert row["var95_ci95_low"] <= row["var95"] <= row["var95_ci95_high"]
        assert row["p_any_target_ci95_low"] <= row["p_any_target"] <= row["p_any_target_ci95_high"]
        assert row["reduction_mean"] == pytest.approx(row["inherent_mean"] - row["mean"], rel=1e-9, abs=1e-9)
    assert (t.loc[t["baseline"] == "SCS-3", ["difference_mean", "difference_stderr"]] == 0).all().all()
    scs4 = t[t["baseline"] == "SCS-4"]
    assert (scs4["difference_mean"] < 0).all()
    assert scs4["annual_mean"].isna().tolist() == [True, False]  # chain has no threat frequencies
    # One thread gives the same bytes.
    one = cpsf.compare({"chain": chain(), "default": DEFAULT}, ("SCS-3", "SCS-4"), trials=3000, seed=2, threads=1,
                       progress=False)
    assert one.attrs["json"] == t.attrs["json"]


def test_labels_from_files_and_names():
    t = cpsf.compare([DEFAULT, chain(), chain()], trials=200, progress=False)
    assert list(t["scenario"]) == ["Automotive supply chain (default)", "chain", "chain (2)"]
    unnamed = chain()
    unnamed.proto.name = ""
    assert list(cpsf.compare([unnamed, chain()], trials=50, progress=False)["scenario"]) == ["scenario 1", "chain"]
    with pytest.raises(ValueError, match="the same file"):
        cpsf.compare([DEFAULT, "./" + DEFAULT], trials=50, progress=False)


def test_threat_filter_and_errors():
    t = cpsf.compare(DEFAULT, threat="ot-saboteur", trials=500, progress=False)
    assert json.loads(t.attrs["json"])["scenarios"][0]["threats"] == ["ot-saboteur"]
    with pytest.raises(ValueError, match=r"scenario 'chain': threat 'ot-saboteur' is not defined \(fix: it has no"):
        cpsf.compare({"d": DEFAULT, "chain": chain()}, threat="ot-saboteur", trials=10, progress=False)
    with pytest.raises(ValueError, match="SCS ★5 is still under design"):
        cpsf.compare(DEFAULT, ["SCS-5"], trials=10, progress=False)
    with pytest.raises(ValueError, match=r"baseline 'as is' is not defined \(fix: use as-is, supplier-rule"):
        cpsf.compare(DEFAULT, ["as is"], trials=10, progress=False)
    with pytest.raises(ValueError, match="trials"):
        cpsf.compare(DEFAULT, trials=0, progress=False)
    bad = chain()
    bad.asset("erp").containment = 2
    with pytest.raises(cpsf.ScenarioError):
        cpsf.compare(bad, trials=10, progress=False)


def test_progress_callback_sees_every_run():
    seen = []
    cpsf.compare(DEFAULT, ["as-is", "SCS-4"], trials=200, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)
    assert all(total == 2 for _, total in seen)


def test_apply_supplier_rule():
    s = chain()
    new, why = cpsf.apply_supplier_rule(s)
    assert list(why.index) == ["it", "parts", "logi"]
    assert why.loc["it", "baseline"] == "SCS-4" and bool(why.loc["it", "reaches_systems"])
    assert why.loc["parts", "baseline"] == "SCS-4" and bool(why.loc["parts", "unacceptable_delay"])
    assert why.loc["logi", "baseline"] == "SCS-3" and why.loc["logi", "reasons"] == []
    assert not why.loc["logi", ["confidential_data", "unacceptable_delay", "reaches_systems"]].any()
    assert new.enterprise("buyer").baseline == ""  # not a supplier: unchanged
    assert [e.baseline for e in s.enterprises] == ["", "", "", ""]  # the input is left alone
    # The chain's steps into the suppliers list no requirement, so the baselines the rule gives
    # change nothing, and validation says so (no silent no-ops, docs/library.md).
    assert [(p.entity, p.message.split(":")[0]) for p in new.validate()] == [
        ("baseline 'SCS-3'", "changes nothing"), ("baseline 'SCS-4'", "changes nothing")]


def test_assign_baseline():
    s = cpsf.assign_baseline(chain(), "JC-STAR-1")
    assert {e.baseline for e in s.enterprises} == {"JC-STAR-1"}
    s = cpsf.assign_baseline(s, "SCS-4", ["buyer"])
    assert [e.baseline for e in s.enterprises] == ["SCS-4", "JC-STAR-1", "JC-STAR-1", "JC-STAR-1"]
    with pytest.raises(ValueError, match="'nobody' is not in the scenario"):
        cpsf.assign_baseline(s, "SCS-4", ["nobody"])
    with pytest.raises(ValueError, match="still under design"):
        cpsf.assign_baseline(s, "SCS-5")
    with pytest.raises(ValueError, match="enterprises must be"):
        cpsf.assign_baseline(s, "SCS-4", "everyone")


def test_plot_compare():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = cpsf.compare({"chain": chain(), "default": DEFAULT}, ["as-is", "SCS-4"], trials=300, progress=False)
    ax = cpsf.plot_compare(t)
    assert [x.get_text() for x in ax.get_xticklabels()] == ["chain", "default"]
    assert len(ax.patches) == 4
    assert "kJPY" in ax.get_ylabel()
    plt.close("all")


def test_scoped_baselines_and_money_columns():
    variant = cpsf.scoped("SCS-4", roles="OEM")
    assert variant == "SCS-4@role=OEM"
    t = cpsf.compare(DEFAULT, ["as-is", variant, cpsf.scoped("SCS-4", ids=["t2", "oem"])], trials=1500,
                     progress=False)
    assert list(t.columns[-5:]) == ["cost", "removed_mean", "removed_stderr", "net_benefit_mean",
                                    "net_benefit_stderr"]
    assert t.loc[0, "cost"] == 0 and t.loc[0, "removed_mean"] == 0
    assert t.loc[1, "changed_enterprises"] == 1 and t.loc[1, "cost"] > 0
    assert t.loc[2, "cost"] > t.loc[1, "cost"]
    assert (t["net_benefit_mean"] - (t["removed_mean"] - t["cost"])).abs().max() < 1e-6
    assert t.loc[1, "removed_mean"] == pytest.approx(t.loc[0, "annual_mean"] - t.loc[1, "annual_mean"])


def test_scoped_escapes_and_errors():
    assert cpsf.scoped("SCS-4", sectors=["a,b", "c|d"]) == "SCS-4@sector=a%2Cb|c%7Cd"
    assert cpsf.scoped("SCS-4", suppliers=True) == "SCS-4@suppliers"
    with pytest.raises(ValueError, match="exactly one of ids, roles, sectors or suppliers=True"):
        cpsf.scoped("SCS-4", ids=["a"], roles=["b"])
    with pytest.raises(ValueError, match=r"no enterprise has role 'CEO' \(fix: use one of the roles that exist"):
        cpsf.compare(DEFAULT, ["SCS-4@role=CEO"], trials=10, progress=False)


def test_scope_matching_nothing_and_unstated_costs_warn():
    s = chain()
    s.proto.baselines.add(id="Free").controls.add(requirement="CPS.AC-1", efficacy=0.5)
    with pytest.warns(UserWarning, match="'SCS-4@role=OEM' matches no enterprise of scenario 'chain'"):
        t = cpsf.compare({"default": DEFAULT, "chain": s}, ["SCS-4@role=OEM"], trials=200, progress=False)
    assert t.loc[t["scenario"] == "chain", "removed_mean"].isna().all()  # chain has no annual frequencies
    assert t.loc[t["scenario"] == "chain", "cost"].tolist() == [0.0]
    with pytest.warns(UserWarning, match=r"baseline 'Free' states no cost \(cost 0\) for CPS.AC-1"):
        cpsf.compare(s, ["Free"], trials=200, progress=False)


def test_sector_profile_per_row(cpsf_bin, root, tmp_path):
    # The command line's compare-profile.csv is attrs["profile_csv"]; compare_profile() holds
    # its numbers; each row's 18 cells add up to its mean loss and their shares to 1.
    r = subprocess.run([cpsf_bin, "compare", DEFAULT, "-b", "as-is,SCS-4", "--trials", "2000", "--seed", "9",
                        "--out", str(tmp_path), "-q"], capture_output=True, text=True, cwd=root, timeout=120)
    assert r.returncode == 0, r.stderr
    t = cpsf.compare(DEFAULT, ["as-is", "SCS-4"], trials=2000, seed=9, progress=False)
    text = (tmp_path / "compare-profile.csv").read_text()
    assert t.attrs["profile_csv"] == text
    header, *lines = text.splitlines()
    assert header == ("scenario,baseline,layer,element,loss_mean,loss_stderr,share,share_ci95_low,"
                      "share_ci95_high")
    p = cpsf.compare_profile(t)
    assert len(lines) == len(p) == 36
    assert list(p.columns[:9]) == header.split(",")
    for line, (_, row) in zip(lines, p.iterrows()):
        cells = line.split(",")
        assert cells[1:4] == [row.baseline, row.layer, row.element]
        assert [float(x) for x in cells[4:]] == [row.loss_mean, row.loss_stderr, row.share, row.share_ci95_low,
                                                 row.share_ci95_high]
        assert row.share_ci95_low <= row.share <= row.share_ci95_high
    for k, baseline in enumerate(["as-is", "SCS-4"]):
        rows = p[p.baseline == baseline]
        assert rows.loss_mean.sum() == pytest.approx(t.loc[k, "mean"], rel=1e-9)
        assert rows.share.sum() == pytest.approx(1.0, rel=1e-9)
        parts = rows.expected_loss + rows.production_loss + rows.cascade_loss
        assert parts.sum() == pytest.approx(t.loc[k, "mean"], rel=1e-9)
    # Labels are text cells: neutralised like compare.csv's.
    n = cpsf.compare({"=chain": chain()}, ["SCS-3"], trials=200, progress=False)
    assert n.attrs["profile_csv"].splitlines()[1].startswith("'=chain,SCS-3,L1,ORGANIZATION,")
    assert set(cpsf.compare_profile(n).scenario) == {"=chain"}
    bare = n.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="attrs"):
        cpsf.compare_profile(bare)
