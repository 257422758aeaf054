"""`cpsf run --checkpoint / --resume` (issue 19 item 4): a run stopped by SIGKILL, SIGINT or
SIGTERM and resumed from its checkpoint writes the files of a run never stopped, byte for
byte; a checkpoint of another scenario, seed, option set or engine build is refused."""
import signal
import struct
import subprocess
import time

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
AUTOMOTIVE = "scenarios/sectors/automotive/scenario.textproto"
FILES = ("results.json", "assets.csv", "enterprises.csv", "paths.csv", "chokepoints.csv")
ARGS = ["--trials", "120000", "--seed", "4", "--target-rse", "0", "-q"]


def run(cpsf_bin, root, *args):
    return subprocess.run([cpsf_bin, "run", str(root / DEFAULT), *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def uninterrupted(cpsf_bin, root, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    r = run(cpsf_bin, root, *ARGS, "--out", str(out))
    assert r.returncode == 0, r.stderr
    return {f: (out / f).read_bytes() for f in FILES}


def start_and_stop(cpsf_bin, root, tmp_path, sig):
    """Starts a checkpointed run, waits for its first checkpoint, sends `sig`; returns
    (exit code, checkpoint path, out)."""
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "out"
    p = subprocess.Popen([cpsf_bin, "run", str(root / DEFAULT), *ARGS, "--out", str(out), "--checkpoint", str(ckpt),
                          "--checkpoint-every", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not ckpt.exists():
        assert p.poll() is None, p.communicate()
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.01)
    p.send_signal(sig)
    _, err = p.communicate(timeout=300)
    return p.returncode, err, ckpt, out


@pytest.mark.parametrize("sig, code", [(signal.SIGKILL, -9), (signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_run_resumed_gives_the_uninterrupted_files(cpsf_bin, root, tmp_path, uninterrupted, sig, code):
    returncode, err, ckpt, out = start_and_stop(cpsf_bin, root, tmp_path, sig)
    if returncode == 0:
        pytest.fail("the run ended before the signal: make ARGS longer")
    assert returncode == code, err
    if sig != signal.SIGKILL:  # interrupted: the partial result is written, and says how to go on
        assert "--resume the checkpoint" in err
        assert (out / "results.json").exists()
    r = run(cpsf_bin, root, *ARGS, "--out", str(out), "--checkpoint", str(ckpt), "--resume", str(ckpt))
    assert r.returncode == 0, r.stderr
    for f in FILES:
        assert (out / f).read_bytes() == uninterrupted[f], f


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def test_a_checkpoint_of_another_run_is_refused(cpsf_bin, root, tmp_path):
    ckpt = tmp_path / "c.ckpt"
    short = ["--trials", "8192", "--seed", "4", "--target-rse", "0", "-q"]
    r = run(cpsf_bin, root, *short, "--out", str(tmp_path / "a"), "--checkpoint", str(ckpt))
    assert r.returncode == 0, r.stderr

    def refused(*args, scenario=DEFAULT):
        r = subprocess.run([cpsf_bin, "run", str(root / scenario), *args, "--out", str(tmp_path / "b"), "--resume",
                            str(ckpt)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 2, r.stderr
        assert "cannot resume from" in r.stderr and "fix:" in r.stderr
        return r.stderr

    assert "seed 4 and this run has seed 5" in refused("--trials", "8192", "--seed", "5")
    assert "another scenario" in refused("--trials", "8192", "--seed", "4", scenario=AUTOMOTIVE)
    assert "other options" in refused("--trials", "8192", "--seed", "4", "--no-inherent")
    assert "more than the 4096 asked for" in subprocess.run(
        [cpsf_bin, "run", str(root / DEFAULT), "--trials", "4096", "--seed", "4", "--target-rse", "0", "--out",
         str(tmp_path / "b"), "--resume", str(ckpt)], capture_output=True, text=True, timeout=300).stderr
    # Another engine build: the same file with its engine text changed (and its checksum made good).
    data = bytearray(ckpt.read_bytes())
    length = struct.unpack_from("<Q", data, 20)[0]
    engine = data[28:28 + length]
    data[28:28 + length] = engine.replace(b"git ", b"gix ")
    data[-4:] = struct.pack("<I", crc32c(bytes(data[:-4])))
    ckpt.write_bytes(bytes(data))
    assert "written by cpsf" in refused("--trials", "8192", "--seed", "4")
    data[100] ^= 0xFF  # a damaged file
    ckpt.write_bytes(bytes(data))
    assert "damaged" in refused("--trials", "8192", "--seed", "4")
    ckpt.write_bytes(b"not a checkpoint")
    assert "not a cpsf checkpoint" in refused("--trials", "8192", "--seed", "4")
    r = run(cpsf_bin, root, *short, "--out", str(tmp_path / "c"), "--checkpoint", str(ckpt), "--per-trial")
    assert r.returncode == 2 and "--per-trial" in r.stderr and "fix:" in r.stderr


def test_checkpoint_every_without_a_checkpoint_is_warned_about(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, root, "--trials", "4096", "-q", "--out", str(tmp_path / "o"), "--checkpoint-every", "3")
    assert r.returncode == 0, r.stderr
    assert "--checkpoint-every has no effect without --checkpoint FILE" in r.stderr and "fix:" in r.stderr
