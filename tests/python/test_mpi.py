"""`mpirun -np K cpsf run|compare|optimise` (issue 19 item 3, docs/cluster.md): the ranks
share the trial rounds and rank 0 writes files byte-identical to one process's, at K = 1, 2
and 3 (more ranks than cores: --oversubscribe); checkpoints move between rank counts; a
failure on any rank ends the job with a message and a non-zero exit, never a hang.

tests/engine/sim/ranked_run_test.cpp checks the same merge with the ranks as threads."""
import os
import shutil
import subprocess

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
RUN_FILES = ("results.json", "assets.csv", "enterprises.csv", "paths.csv", "chokepoints.csv")
ROUND = 4096
# 3 rounds and a short one: with 3 ranks the last super-round leaves ranks idle.
ARGS = ["--trials", str(3 * ROUND + 500), "--seed", "11", "-q"]


def mpi_env():
    env = dict(os.environ)
    env.update({
        # The tests run as root in CI, and on 2 cores with 3 ranks.
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        "OMPI_MCA_rmaps_base_oversubscribe": "1",
        # Containers often forbid the cross-memory attach Open MPI's shared memory tries first.
        "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    })
    # Under ASan (scripts/test.sh), LeakSanitizer reports what Open MPI and the plugins it
    # unloads keep allocated at exit, with stacks too shallow to suppress by library. Leak
    # checks stay on for everything else, including the engine's shared rounds
    # (ranked_run_test runs the same code with the ranks as threads); here they go off.
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def mpirun(cpsf_bin, ranks, *args, env=None):
    mpirun_bin = shutil.which("mpirun")
    assert mpirun_bin, "mpirun is missing: scripts/deps.sh installs openmpi-bin"
    return subprocess.run([mpirun_bin, "-np", str(ranks), cpsf_bin, *args], capture_output=True, text=True,
                          timeout=600, env={**mpi_env(), **(env or {})})


def files(out, names):
    return {n: (out / n).read_bytes() for n in names}


@pytest.fixture(scope="module")
def one_process(cpsf_bin, root, tmp_path_factory):
    outs = {}
    for per_trial in (False, True):
        out = tmp_path_factory.mktemp("one")
        extra = ["--per-trial"] if per_trial else []
        r = subprocess.run([cpsf_bin, "run", str(root / DEFAULT), *ARGS, *extra, "--out", str(out)],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        outs[per_trial] = out
    return outs


@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_run_on_ranks_writes_one_processs_files(cpsf_bin, root, tmp_path, one_process, ranks):
    out = tmp_path / "out"
    r = mpirun(cpsf_bin, ranks, "run", str(root / DEFAULT), *ARGS, "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert files(out, RUN_FILES) == files(one_process[False], RUN_FILES)
    assert not (out / "losses.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no rank wrote anywhere else


def test_per_trial_values_on_ranks_are_one_processs(cpsf_bin, root, tmp_path, one_process):
    out = tmp_path / "out"
    r = mpirun(cpsf_bin, 3, "run", str(root / DEFAULT), *ARGS, "--per-trial", "--out", str(out))
    assert r.returncode == 0, r.stderr
    names = RUN_FILES + ("losses.csv",)
    assert files(out, names) == files(one_process[True], names)


def test_rank_0_alone_prints(cpsf_bin, root, tmp_path):
    """The summary once, not once per rank."""
    args = ["run", str(root / DEFAULT), "--trials", "3000", "--out", str(tmp_path / "out")]
    alone = subprocess.run([cpsf_bin, *args], capture_output=True, text=True, timeout=600)
    r = mpirun(cpsf_bin, 3, *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout == alone.stdout


@pytest.mark.parametrize("verb, args, names", [
    ("compare", ["--baseline", "as-is,SCS-3", "--trials", str(2 * ROUND + 9)],
     ("compare.json", "compare.csv", "compare-profile.csv")),
    ("optimise", ["--budget", "50000", "--trials", str(ROUND + 7)], ("optimise.json", "frontier.csv")),
])
def test_compare_and_optimise_on_ranks_write_one_processs_files(cpsf_bin, root, tmp_path, verb, args, names):
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    r = subprocess.run([cpsf_bin, verb, str(root / DEFAULT), *args, "-q", "--out", str(alone)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    r = mpirun(cpsf_bin, 3, verb, str(root / DEFAULT), *args, "-q", "--out", str(shared))
    assert r.returncode == 0, r.stderr
    assert files(shared, names) == files(alone, names)


def test_a_checkpoint_moves_between_rank_counts(cpsf_bin, root, tmp_path):
    """Checkpointed on 2 ranks after 5 rounds, resumed to 9 on 3 ranks, then on one
    process: the files of 9 rounds run at once."""
    scenario = str(root / DEFAULT)
    whole, out, ckpt = tmp_path / "whole", tmp_path / "out", tmp_path / "run.ckpt"
    nine = ["--trials", str(9 * ROUND), "--seed", "5", "-q"]
    r = subprocess.run([cpsf_bin, "run", scenario, *nine, "--out", str(whole)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    r = mpirun(cpsf_bin, 2, "run", scenario, "--trials", str(5 * ROUND), "--seed", "5", "-q", "--out", str(out),
               "--checkpoint", str(ckpt), "--checkpoint-every", "2")
    assert r.returncode == 0, r.stderr
    assert ckpt.exists()
    r = mpirun(cpsf_bin, 3, "run", scenario, *nine, "--out", str(out), "--resume", str(ckpt))
    assert r.returncode == 0, r.stderr
    assert files(out, RUN_FILES) == files(whole, RUN_FILES)
    r = subprocess.run([cpsf_bin, "run", scenario, *nine, "--out", str(out), "--resume", str(ckpt)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert files(out, RUN_FILES) == files(whole, RUN_FILES)


def test_an_error_every_rank_meets_is_said_and_ends_the_job(cpsf_bin, tmp_path):
    r = mpirun(cpsf_bin, 3, "run", str(tmp_path / "missing.textproto"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert "missing.textproto: error: no such file" in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_failure_on_one_rank_alone_is_shown_with_its_rank(cpsf_bin, root, tmp_path):
    """Rank 1 fails before its first round (as one whose machine lacks the file would) while
    rank 0 waits for it: the job ends, with rank 1's message marked, instead of hanging."""
    r = mpirun(cpsf_bin, 2, "run", str(root / DEFAULT), *ARGS, "--out", str(tmp_path / "out"),
               env={"CPSF_TEST_FAIL_ON_RANK": "1"})
    assert r.returncode == 2, r.stderr
    assert "[rank 1 on " in r.stderr and "this rank fails (CPSF_TEST_FAIL_ON_RANK)" in r.stderr
    assert not (tmp_path / "out" / "results.json").exists()


@pytest.mark.parametrize("second, said", [
    (["--no-inherent"], "rank 1 of 2 was given other options than rank 0"),
    (["--scenario-is", "other"], "rank 1 of 2 loaded another scenario than rank 0"),
])
def test_ranks_given_another_job_are_refused(cpsf_bin, root, tmp_path, second, said):
    """mpirun's MPMD form gives rank 1 another command line: refused before any round, exit 2."""
    scenario = str(root / DEFAULT)
    other = str(root / "scenarios/sectors/automotive/scenario.textproto")
    rank1 = ["run", other, *ARGS] if second[0] == "--scenario-is" else ["run", scenario, *ARGS, *second]
    mpirun_bin = shutil.which("mpirun")
    assert mpirun_bin, "mpirun is missing: scripts/deps.sh installs openmpi-bin"
    out = str(tmp_path / "out")
    r = subprocess.run([mpirun_bin, "-np", "1", cpsf_bin, "run", scenario, *ARGS, "--out", out, ":",
                        "-np", "1", cpsf_bin, *rank1, "--out", out], capture_output=True, text=True, timeout=600,
                       env=mpi_env())
    assert r.returncode == 2, r.stderr
    assert said in r.stderr and "(fix: give every rank the same" in r.stderr
    assert not (tmp_path / "out" / "results.json").exists()
