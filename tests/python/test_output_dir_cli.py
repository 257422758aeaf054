"""Output directories end to end (docs/cli.md, "Output directories"): the set of files is
replaced as one, interrupts wait for the switch, a directory has one writer at a time, and
a full disk or a killed writer leaves the old set and nothing stray.

The moments are made deterministic by the test hooks CPSF_TEST_PAUSE_BEFORE_SWITCH and
CPSF_TEST_PAUSE_AFTER_SWITCH: the writer waits on a FIFO, which the test opens (so it knows
the writer is there), signals, and closes (so the writer goes on)."""
import errno
import os
import pathlib
import signal
import subprocess
import time

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
RUN_FILES = {"results.json", "assets.csv", "enterprises.csv", "paths.csv", "chokepoints.csv"}


def cpsf(cpsf_bin, root, *args, env=None):
    return subprocess.run([cpsf_bin, *args], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def run_into(cpsf_bin, root, out, trials, *more, env=None):
    return cpsf(cpsf_bin, root, "run", DEFAULT, "--trials", str(trials), "--seed", "5", "--out", str(out), "-q",
                *more, env=env)


def listing(directory):
    """What a reader sees: every entry's name and bytes ("<dir>" for a directory)."""
    return {p.name: ("<dir>" if p.is_dir() else p.read_bytes()) for p in pathlib.Path(directory).iterdir()}


def stray(parent):
    """cpsf's staging directories (and their markers) left anywhere under `parent`, the
    outermost only."""
    found = {p for p in pathlib.Path(parent).rglob("*") if ".cpsf-" in p.name}
    return sorted(str(p) for p in found if not any(a in found for a in p.parents))


def start_paused(cpsf_bin, root, fifo, hook, args):
    if not fifo.exists():
        os.mkfifo(fifo)
    return subprocess.Popen([cpsf_bin, *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, hook: str(fifo)})


def wait_at_pause(process, fifo):
    """Blocks until `process` waits on `fifo` (its reader is open); the writer's end."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno != errno.ENXIO or process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"cpsf never reached the pause: {process.poll()} {e}")
            time.sleep(0.02)


def delivered(pid, sig):
    """Waits until `sig` is no longer pending for `pid` (its handler ran)."""
    bit = 1 << (sig - 1)
    for _ in range(2000):
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
        pending = [int(line.split()[1], 16) for line in status.splitlines() if line.startswith(("SigPnd", "ShdPnd"))]
        if not any(p & bit for p in pending):
            return
        time.sleep(0.005)
    raise AssertionError("the signal stayed pending")


@pytest.fixture
def sets(cpsf_bin, root, tmp_path):
    """An old set in tmp/out (1,000 trials, with a file of the user's and a subdirectory),
    and the new set (2,000 trials) as a run writes it into a fresh directory."""
    out = tmp_path / "work" / "out"
    assert run_into(cpsf_bin, root, out, 1000).returncode == 0
    (out / "mine.txt").write_text("the user's")
    (out / "sub").mkdir()
    (out / "sub" / "deep.txt").write_text("also the user's")
    new = tmp_path / "new"
    assert run_into(cpsf_bin, root, new, 2000).returncode == 0
    expected_new = {**listing(new), "mine.txt": b"the user's", "sub": "<dir>"}
    return out, listing(out), expected_new


def test_a_second_writer_is_refused_at_once_naming_the_first(cpsf_bin, root, tmp_path, sets):
    out, old, new = sets
    fifo = tmp_path / "pause"
    first = start_paused(cpsf_bin, root, fifo, "CPSF_TEST_PAUSE_BEFORE_SWITCH",
                         ["run", DEFAULT, "--trials", "2000", "--seed", "5", "--out", str(out), "-q"])
    fd = wait_at_pause(first, fifo)
    (tmp_path / "link").symlink_to(out)  # the same directory by another path
    for verb in (["run", DEFAULT, "--trials", "100", "--out"], ["compare", DEFAULT, "--trials", "100", "--out"],
                 ["optimise", DEFAULT, "--budget", "10", "--trials", "100", "--out"], ["report"]):
        for path in (out, tmp_path / "link"):
            started = time.monotonic()
            second = cpsf(cpsf_bin, root, *verb, str(path), "-q")
            assert second.returncode == 2, second.stderr
            assert f"is in use: another cpsf (pid {first.pid}) is writing into it (fix: wait for it to end, or " \
                   "give another directory)" in second.stderr
            assert time.monotonic() - started < 30  # refused before any work, not after it
    assert listing(out) == old
    os.close(fd)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert listing(out) == new and stray(tmp_path / "work") == []
    assert (out / "sub" / "deep.txt").read_text() == "also the user's"


def test_two_runs_at_once_one_refused(cpsf_bin, root, tmp_path, sets):
    """Without hooks: of two runs started together, one writes and the other is refused, or
    the second starts after the first ended; never an interleaved directory."""
    out, old, new = sets
    runs = [subprocess.Popen([cpsf_bin, "run", DEFAULT, "--trials", "2000", "--seed", "5", "--out", str(out), "-q"],
                             cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    if codes == [0, 2]:
        assert any("is in use: another cpsf (pid" in err for _, err in results)
    assert listing(out) == new and stray(tmp_path / "work") == []


@pytest.mark.parametrize("hook", ["CPSF_TEST_PAUSE_BEFORE_SWITCH", "CPSF_TEST_PAUSE_AFTER_SWITCH"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_writing_waits_for_the_whole_new_set(cpsf_bin, root, tmp_path, sets, hook, sig):
    out, old, new = sets
    fifo = tmp_path / "pause"
    p = start_paused(cpsf_bin, root, fifo, hook, ["run", DEFAULT, "--trials", "2000", "--seed", "5", "--out",
                                                  str(out), "-q"])
    fd = wait_at_pause(p, fifo)
    p.send_signal(sig)
    delivered(p.pid, sig)
    assert p.poll() is None  # held: still writing
    os.close(fd)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 128 + sig, err
    assert f"cpsf run: interrupted ({signal.Signals(sig).name}) while writing {out}; it holds the new files, all " \
           "of them" in err
    assert listing(out) == new
    assert stray(tmp_path / "work") == []


def test_a_signal_before_the_write_leaves_the_old_set(cpsf_bin, root, tmp_path, sets):
    """SIGTERM during the simulation stops the run as Ctrl-C does (exit 143); before its first
    round is complete nothing is written: the old set stays whole, and nothing is left beside it."""
    out, old, new = sets
    big = tmp_path / "big.pb"
    assert cpsf(cpsf_bin, root, "generate", str(big), "--enterprises", "40", "--assets-per-enterprise",
                "500").returncode == 0
    for made in (False, True):
        target = tmp_path / "fresh" / "o" if made else out
        p = subprocess.Popen([cpsf_bin, "run", str(big), "--trials", "100000000", "--target-rse", "0", "--out",
                              str(target), "-q"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.0)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        assert p.returncode == 128 + signal.SIGTERM, err
        assert b"nothing was written" in err
        if made:  # a directory made for the run goes with it
            assert not (tmp_path / "fresh").exists()
        else:
            assert listing(out) == old
    assert stray(tmp_path / "work") == []


@pytest.mark.parametrize("hook", ["CPSF_TEST_PAUSE_BEFORE_SWITCH", "CPSF_TEST_PAUSE_AFTER_SWITCH"])
def test_after_sigkill_the_next_writer_cleans_up(cpsf_bin, root, tmp_path, sets, hook):
    out, old, new = sets
    fifo = tmp_path / "pause"
    p = start_paused(cpsf_bin, root, fifo, hook, ["run", DEFAULT, "--trials", "2000", "--seed", "5", "--out",
                                                  str(out), "-q"])
    fd = wait_at_pause(p, fifo)
    p.kill()
    p.communicate(timeout=60)
    os.close(fd)
    left = stray(tmp_path / "work")
    assert len(left) == 1 and left[0].endswith(f".out.cpsf-{p.pid}"), left
    if hook == "CPSF_TEST_PAUSE_BEFORE_SWITCH":
        assert listing(out) == old  # never switched in
    else:  # switched in; the user's subdirectory is still in the old directory beside
        assert {k: v for k, v in listing(out).items() if k != "sub"} == {k: v for k, v in new.items() if k != "sub"}
    r = run_into(cpsf_bin, root, out, 2000)
    assert r.returncode == 0, r.stderr
    assert listing(out) == new and stray(tmp_path / "work") == []
    assert (out / "sub" / "deep.txt").read_text() == "also the user's"


def _mount_tmpfs(path, size):
    """A real full disk needs a filesystem of our own. Mounting one takes root and a kernel
    that lets this process mount (CI runs as root here; a container may forbid it): where it
    cannot, the test is skipped, since the same failure is still covered without a mount by
    CPSF_TEST_FAIL_WRITE_AFTER_BYTES (test_a_write_failing_half_way_leaves_the_old_set)
    and by output_set_test.AWriteThatFailsHalfWayLeavesTheOldSetAndNoStaging."""
    path.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr!r}")


@pytest.mark.parametrize("mount_point", [False, True])
def test_a_full_disk_leaves_the_old_set(cpsf_bin, root, tmp_path, mount_point):
    """A small tmpfs: the first run fits, the larger second does not. With --out inside the
    tmpfs the directories are exchanged; with --out the mount point itself, the files are
    renamed in one by one, after every one was written."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "400k")
    try:
        out = disk if mount_point else disk / "out"
        assert run_into(cpsf_bin, root, out, 1000).returncode == 0
        old = listing(out)
        r = run_into(cpsf_bin, root, out, 3000)
        assert r.returncode == 2 and "No space left on device" in r.stderr, r.stderr
        assert listing(out) == old and stray(disk) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.parametrize("verb", ["run", "compare", "optimise", "export", "report"])
def test_a_write_failing_half_way_leaves_the_old_set(cpsf_bin, root, tmp_path, verb):
    """The write-failure hook, for every verb that writes a directory (no mount needed)."""
    out = tmp_path / "out"
    make = {
        "run": ["run", DEFAULT, "--trials", "1000", "--out", str(out), "-q"],
        "compare": ["compare", DEFAULT, "--trials", "200", "--out", str(out), "-q"],
        "optimise": ["optimise", DEFAULT, "--budget", "40000", "--trials", "200", "--frontier", "2", "--out",
                     str(out), "-q"],
        "export": ["export", "inventory", DEFAULT, "-o", str(out)],
        "report": ["report", str(out), "-q"],
    }[verb]
    if verb == "report":
        assert run_into(cpsf_bin, root, out, 500, "--report").returncode == 0
        (out / "report.html").write_text("the old page")
    else:
        assert cpsf(cpsf_bin, root, *make).returncode == 0
    (out / "mine.txt").write_text("the user's")
    old = listing(out)
    r = cpsf(cpsf_bin, root, *make, env={"CPSF_TEST_FAIL_WRITE_AFTER_BYTES": "100"})
    assert r.returncode == 2 and "No space left on device" in r.stderr, r.stderr
    assert listing(out) == old and stray(tmp_path) == []
    r = cpsf(cpsf_bin, root, *make)
    assert r.returncode == 0, r.stderr
    assert (out / "mine.txt").read_text() == "the user's" and stray(tmp_path) == []
    if verb == "report":
        assert (out / "report.html").read_text() != "the old page"


def test_the_report_joins_the_set(cpsf_bin, root, tmp_path):
    """`run --report`: report.html switched in with the results; a later `cpsf report DIR`
    adds it again by a switch, keeping everything else."""
    out = tmp_path / "out"
    assert run_into(cpsf_bin, root, out, 500, "--report").returncode == 0
    assert set(listing(out)) == RUN_FILES | {"report.html"}
    before = listing(out)
    ino = out.stat().st_ino
    r = cpsf(cpsf_bin, root, "report", str(out))
    assert r.returncode == 0 and r.stdout == f"report: {out}/report.html\n", r.stderr
    assert listing(out) == before and stray(tmp_path) == []
    assert out.stat().st_ino != ino  # switched, not written in place


def test_the_working_directory_as_out_stays_the_same_directory(cpsf_bin, root, tmp_path, sets):
    """`--out .`: the files are renamed in, so that the shell cpsf came from still looks at
    them (an exchange would leave it in the old, removed directory)."""
    out, old, new = sets
    ino = out.stat().st_ino
    r = subprocess.run([cpsf_bin, "run", str(root / DEFAULT), "--trials", "2000", "--seed", "5", "--out", ".", "-q"],
                       cwd=out, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_ino == ino and stray(tmp_path / "work") == []
    got = listing(out)  # results.json names the scenario's file as given: here by its absolute path
    assert set(got) == set(new) and all(got[k] == new[k] for k in new if k != "results.json")


@pytest.mark.parametrize("verb", [["run", DEFAULT, "--trials", "100"], ["compare", DEFAULT, "--trials", "100"],
                                  ["optimise", DEFAULT, "--budget", "10", "--trials", "100"]])
def test_pdf_without_chromium_is_refused_before_anything_runs(cpsf_bin, root, tmp_path, verb):
    """The report is part of the set: a PDF that cannot be printed would keep the whole set
    out, so the missing Chromium is said first, before the run."""
    out = tmp_path / "out"
    r = subprocess.run([cpsf_bin, *verb, "--out", str(out), "--report", "--pdf", "-q"], cwd=root, capture_output=True,
                       text=True, timeout=60, env={**os.environ, "PATH": str(tmp_path), "CPSF_CHROMIUM": ""})
    assert r.returncode == 2 and "--pdf needs Chromium and none is installed (fix: " in r.stderr, r.stderr
    assert not out.exists()


def test_a_reader_never_sees_a_mix(cpsf_bin, root, tmp_path):
    """While runs of 1,000 and 2,000 trials replace each other's files, a reader that opens
    the directory once and reads results.json and losses.csv from it finds them of one run
    (or, in the old directory being emptied after a switch, a file gone: it looks again)."""
    import json
    import threading

    out = tmp_path / "out"
    assert run_into(cpsf_bin, root, out, 1000, "--per-trial").returncode == 0
    seen, mixed, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            try:
                with open("results.json", opener=lambda p, f: os.open(p, f, dir_fd=fd)) as f:
                    trials = json.load(f)["trials"]
                with open("losses.csv", opener=lambda p, f: os.open(p, f, dir_fd=fd)) as f:
                    rows = sum(1 for _ in f) - 1
                (seen if trials == rows else mixed).append((trials, rows))
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for trials in (2000, 1000, 2000, 1000, 2000, 1000):
            assert run_into(cpsf_bin, root, out, trials, "--per-trial").returncode == 0
    finally:
        stop.set()
        t.join()
    assert not mixed, mixed[:5]
    assert {n for n, _ in seen} == {1000, 2000}, len(seen)
