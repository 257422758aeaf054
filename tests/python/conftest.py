import os
import pathlib
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
