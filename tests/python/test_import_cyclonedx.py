"""`cpsf import cyclonedx` end to end: the example attached to the default scenario's PLC (validated,
and run), the SBOM alone, two SBOMs sharing a library, and the refusals with their exit codes and
messages (docs/import.md, "CycloneDX SBOMs")."""
import re
import subprocess
import sys

EXAMPLE = "scenarios/examples/cyclonedx/plc-firmware.cdx.json"
DATA = "tests/data/cyclonedx"
DEFAULT = "scenarios/default/scenario.textproto"


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_example_attached_to_the_plc_validates_and_runs(cpsf_bin, root, tmp_path):
    out = tmp_path / "chain.textproto"
    r = run(cpsf_bin, "import", "cyclonedx", str(root / EXAMPLE), "--into", str(root / DEFAULT), "--product",
            "oem-plc", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stderr.endswith(f"wrote {out}: 10 enterprises, 55 assets, 70 relations "
                             "(6 components, 2 vulnerabilities applied, 1 skipped)\n")
    assert "1 component names no supplier" in r.stderr
    text = out.read_text()
    block = re.search(r'relations \{\n  id: "sbom:pkg:github/mbed-tls/mbedtls@v3.5.1->oem-plc"\n(.*?)\n\}', text,
                      re.S).group(1)
    assert "p: 0.91" in block and 'mitigated_by: "CPS.SC-1"' in block and "kind: SOFTWARE_SUPPLY" in block
    assert 'owner: "t1a"' in re.search(r'id: "pkg:generic/aoba/fieldbus-stack@2.3.0"\n(.*?)\n\}', text, re.S).group(1)
    assert 'id: "pkg:generic/hinode/line-plc-firmware@4.2.1"' not in text  # the product is oem-plc
    v = run(cpsf_bin, "validate", str(out))
    assert v.returncode == 0, v.stdout + v.stderr
    ran = run(cpsf_bin, "run", str(out), "--trials", "200", "--threads", "1", "--out", str(tmp_path / "o"), "-q")
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "o" / "results.json").exists()


def test_sbom_alone_and_a_shared_library(cpsf_bin, root, tmp_path):
    first = tmp_path / "fw.json"
    r = run(cpsf_bin, "import", "cyclonedx", str(root / DATA / "plc-firmware-1.6.json"), "-o", str(first))
    assert r.returncode == 0, r.stderr
    assert "nothing can be compromised" in r.stderr  # no threats: a warning, the scenario is written
    assert "(5 components, 2 vulnerabilities applied, 1 skipped)" in r.stderr
    both = tmp_path / "both.textproto"
    r = run(cpsf_bin, "import", "cyclonedx", str(root / DATA / "hmi-app-1.4.json"), "--into", str(first), "-o",
            str(both))
    assert r.returncode == 0, r.stderr
    text = both.read_text()
    assert text.count('id: "pkg:generic/zlib@1.3.1"') == 1
    assert 'id: "sbom:pkg:generic/zlib@1.3.1->pkg:github/mbed-tls/mbedtls@v3.5.1"' in text
    assert 'id: "sbom:pkg:generic/zlib@1.3.1->pkg:nuget/log4net@2.0.15"' in text


def test_refusals(cpsf_bin, root, tmp_path):
    bad = write(tmp_path / "bad.json", '{\n  "bomFormat": "CycloneDX",\n  }\n')
    r = run(cpsf_bin, "import", "cyclonedx", bad, "-o", str(tmp_path / "o.textproto"))
    assert r.returncode == 1 and f"{bad}:3:3: error: not valid JSON" in r.stderr
    assert not (tmp_path / "o.textproto").exists()
    xml = write(tmp_path / "bom.xml", '<?xml version="1.0"?>\n<bom/>\n')
    r = run(cpsf_bin, "import", "cyclonedx", xml, "-o", str(tmp_path / "o.textproto"))
    assert r.returncode == 1 and "this is an XML document" in r.stderr and "cyclonedx-cli convert" in r.stderr
    old = write(tmp_path / "old.json", '{"bomFormat": "CycloneDX", "specVersion": "1.3"}')
    r = run(cpsf_bin, "import", "cyclonedx", old, "-o", str(tmp_path / "o.textproto"))
    assert r.returncode == 1 and "specVersion '1.3' is not one cpsf reads (1.4, 1.5, 1.6)" in r.stderr
    r = run(cpsf_bin, "import", "cyclonedx", str(tmp_path / "none.json"), "-o", str(tmp_path / "o.textproto"))
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run(cpsf_bin, "import", "cyclonedx", str(root / EXAMPLE), "-o", str(tmp_path / "o.textproto"),
            "--max-file-size", "100")
    assert r.returncode == 2 and "over the limit of 100 bytes" in r.stderr
    r = run(cpsf_bin, "import", "cyclonedx", str(root / EXAMPLE), "--product", "oem-plc", "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "--product needs --into" in r.stderr
    r = run(cpsf_bin, "import", "inventory", str(root / "scenarios/examples/inventory"), "--product", "x", "-o",
            str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "--product is an option of import cyclonedx" in r.stderr
    r = run(cpsf_bin, "import", "cyclonedx", str(root / EXAMPLE), "--into", str(root / DEFAULT), "--product", "nope",
            "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 1 and "error: product 'nope': --product names no asset of the scenario" in r.stderr
    assert not (tmp_path / "o.pb").exists()


def test_generator_is_seeded_and_imports(cpsf_bin, root, tmp_path):
    """scripts/gen-cyclonedx.py: the same file twice for one seed, and an SBOM the importer takes whole."""
    for name in ("a.json", "b.json"):
        subprocess.run([sys.executable, str(root / "scripts/gen-cyclonedx.py"), str(tmp_path / name), "--components",
                        "300", "--vulnerabilities", "50", "--suppliers", "7"], check=True)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    r = run(cpsf_bin, "import", "cyclonedx", str(tmp_path / "a.json"), "-o", str(tmp_path / "a.pb"))
    assert r.returncode == 0, r.stderr
    assert "8 enterprises, 301 assets" in r.stderr and "(300 components, 50 vulnerabilities applied, 0 skipped)" in r.stderr
