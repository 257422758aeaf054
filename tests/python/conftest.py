import os
import pathlib

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
