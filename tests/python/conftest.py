import os
import pathlib
import signal
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cpsf_bin():
    """The cpsf command line under test: $CPSF_BIN, else build/bin/cpsf."""
    path = pathlib.Path(os.environ.get("CPSF_BIN", ROOT / "build" / "bin" / "cpsf"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: build first (scripts/test.sh does)")
    return str(path)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture
def ticking():
    """Runs `call()` while another Python thread ticks every 5 ms; gives (what the call
    returned, the ticks, the seconds it took). With the GIL released by the engine, the
    other thread keeps ticking."""
    def run(call):
        ticks = []
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.005)

        t = threading.Thread(target=ticker)
        started = time.monotonic()
        t.start()
        try:
            result = call()
        finally:
            stop.set()
            t.join()
        return result, ticks, time.monotonic() - started

    return run


@pytest.fixture
def interrupt():
    """Sends Ctrl-C (SIGINT) to a started cpsf process `after` seconds past the moment it
    catches SIGINT. A fixed sleep from the start raced with the process's start-up: under
    a sanitizer on a loaded machine, 50 ms did not reach the handler, and the default
    action killed the process (exit -2) instead of the exit 130 under test."""
    def send(process, after):
        deadline = time.monotonic() + 60
        status = pathlib.Path(f"/proc/{process.pid}/status")
        while True:
            assert process.poll() is None, f"cpsf ended (exit {process.returncode}) before catching SIGINT"
            caught = next((line.split()[1] for line in status.read_text().splitlines()
                           if line.startswith("SigCgt:")), "0")
            if int(caught, 16) & (1 << (signal.SIGINT - 1)):
                break
            assert time.monotonic() < deadline, "cpsf did not catch SIGINT within 60 s"
            time.sleep(0.002)
        time.sleep(after)
        process.send_signal(signal.SIGINT)

    return send
