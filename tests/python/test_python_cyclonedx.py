"""cpsf.import_cyclonedx (python/cpsf/cyclonedx.py): the same scenario as `cpsf import cyclonedx`,
and its errors as cpsf's exceptions with the engine's diagnostics."""
import os
import pathlib
import subprocess
import warnings

import pytest

import cpsf

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "cyclonedx"


def cli(*args):
    return subprocess.run([os.environ.get("CPSF_BIN", str(ROOT / "build/bin/cpsf")), *args], check=True,
                          capture_output=True)


def test_the_same_scenario_as_the_cli(tmp_path):
    with pytest.warns(cpsf.ScenarioWarning, match="1 component names no supplier"):
        s = cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, into=cpsf.load(cpsf.DEFAULT_SCENARIO), product="oem-plc")
    out = tmp_path / "a.pb"
    cli("import", "cyclonedx", str(cpsf.EXAMPLE_SBOM), "--into", str(cpsf.DEFAULT_SCENARIO), "--product", "oem-plc",
        "-o", str(out))
    assert s.to_bytes() == cpsf.Scenario.from_bytes(out.read_bytes()).to_bytes()
    assert s.relation("sbom:pkg:github/mbed-tls/mbedtls@v3.5.1->oem-plc").step.p == pytest.approx(0.91, abs=1e-15)
    # Alone, and into a path.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpsf.ScenarioWarning)
        alone = cpsf.import_cyclonedx(DATA / "gateway-1.5.json")
        into_path = cpsf.import_cyclonedx(DATA / "gateway-1.5.json", into=cpsf.DEFAULT_SCENARIO)
    assert [a.id for a in alone.assets] == ["gw", "pkg:generic/openssl@3.0.13", "pkg:generic/openvpn@2.6.9"]
    assert len(into_path.assets) == len(cpsf.load(cpsf.DEFAULT_SCENARIO).assets) + 3


def test_errors_raise_with_the_diagnostics(tmp_path):
    bad = tmp_path / "bom.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": 7}]}')
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_cyclonedx(bad)
    assert any(p.is_error and "name is not a string" in p.message and p.path == "/components/0/name"
               for p in e.value.problems)
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_cyclonedx(tmp_path / "none.json")
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, max_file_bytes=10)
    with pytest.raises(ValueError, match="product needs into"):
        cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, product="oem-plc")
    with pytest.raises(ValueError, match="product is empty"):
        cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, into=cpsf.DEFAULT_SCENARIO, product="")
    with pytest.raises(TypeError):
        cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, into=cpsf.DEFAULT_SCENARIO, product=3)
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, into=cpsf.DEFAULT_SCENARIO, product="nope")
    assert "--product names no asset" in str(e.value.problems[0].message)
