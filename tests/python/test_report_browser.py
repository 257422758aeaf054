"""The HTML report in a real browser (headless Chromium, through tests/python/cdp.py).

Each report (a run, a comparison, a portfolio) must open with no console error or warning
and no network request, draw every chart, and show numbers that are the files' own: every
<span data-key> holds the exact value at that JSON pointer of results.json / compare.json
/ optimise.json, and its text is that value as rounded for people. A screenshot of each
section is kept under build/test-artifacts/report/ (or $CPSF_TEST_ARTIFACTS/report/).
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import re
import subprocess

import pytest

import cdp

SCENARIO = "scenarios/default/scenario.textproto"


def artifacts(cpsf_bin: str, case: str) -> pathlib.Path:
    base = os.environ.get("CPSF_TEST_ARTIFACTS") or str(pathlib.Path(cpsf_bin).resolve().parents[1] / "test-artifacts")
    path = pathlib.Path(base) / "report" / case
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    if not cdp.find_chromium():
        pytest.fail("no Chromium on PATH: scripts/deps.sh installs Debian's chromium")
    with cdp.Browser() as b:
        yield b


def run(cmd, root):
    r = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r


def pointer(doc, key: str):
    value = doc
    for part in key.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


NUMBER = re.compile(r"-?\d+(?:\.(\d+))?(?:e([-+]?\d+))?")


def check_text(text: str, fmt: str, value) -> None:
    """The shown text is `value` rounded as the page rounds (to the digits it shows)."""
    if value is None:
        assert text == "—", text
        return
    match = NUMBER.search(text.replace(",", ""))
    assert match, f"no number in {text!r}"
    shown = float(match.group(0))
    decimals = len(match.group(1) or "")
    exponent = int(match.group(2) or 0)
    tolerance = 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)
    expected = value * 100 if fmt == "prob" else value
    assert abs(shown - expected) <= tolerance + 1e-12 * abs(expected), (text, fmt, value)
    if fmt == "prob":
        assert text.endswith("%"), text


def open_report(browser, html: pathlib.Path, shots: pathlib.Path):
    page = browser.new_page()
    page.navigate(html.resolve().as_uri())
    page.wait_for("document.body && document.body.dataset.ready === 'true'", timeout=120)
    sections = page.evaluate("[...document.querySelectorAll('section')].map(s => s.id)")
    for section in sections:
        page.screenshot(str(shots / f"{section}.png"), "#" + section)
    return page, sections


def check_page(page, html: pathlib.Path, documents: dict) -> int:
    assert page.console_problems() == []
    assert page.requests() == [html.resolve().as_uri()], "the report fetched something"
    charts = page.evaluate("[...document.querySelectorAll('.chart')].map(c => !!c.querySelector('svg'))")
    assert charts and all(charts), "a chart was not drawn"
    assert page.evaluate("document.querySelectorAll('.chart-error').length") == 0
    numbers = page.evaluate(
        "[...document.querySelectorAll('[data-key]')].map(e => [e.dataset.src, e.dataset.key, e.dataset.format,"
        " e.dataset.value, e.textContent])")
    assert numbers
    for src, key, fmt, raw, text in numbers:
        value = pointer(documents[src], key)
        if raw == "null":
            assert value is None or (isinstance(value, float) and math.isnan(value)), (src, key, value)
        else:
            assert float(raw) == value, (src, key, raw, value)  # the exact double of the file
        check_text(text, fmt, value)
    return len(numbers)


def test_run_report_in_a_browser(browser, cpsf_bin, root, tmp_path):
    out = tmp_path / "run"
    r = run([cpsf_bin, "run", SCENARIO, "--trials", "4000", "--out", str(out), "--report"], root)
    assert f"report: {out}/report.html" in r.stdout
    results = json.loads((out / "results.json").read_text())
    page, sections = open_report(browser, out / "report.html", artifacts(cpsf_bin, "run"))
    for section in ("summary", "exceedance", "assets", "layer-element", "enterprises", "paths", "chokepoints",
                    "inherent", "threats", "glossary"):
        assert section in sections
    shown = check_page(page, out / "report.html", {"results": results})
    assert shown > 100
    # The headline figures are on the page, as the file has them.
    keys = set(page.evaluate("[...document.querySelectorAll('[data-key]')].map(e => e.dataset.key)"))
    assert {"/annual/loss/mean", "/annual/loss/var99", "/loss/mean"} <= keys
    # Annual P(compromised) per asset, and layer × element cells that add up to the loss.
    assert any(re.fullmatch(r"/assets/\d+/annual/p_compromised", k) for k in keys)
    assert any(re.fullmatch(r"/layer_element/\d+/share/value", k) for k in keys)
    cells = results["layer_element"]
    assert math.fsum(c["loss"]["mean"] for c in cells) == pytest.approx(results["loss"]["mean"], rel=1e-9)
    assert page.evaluate("document.title").endswith(results["scenario"]["name"])


def test_compare_and_optimise_reports_in_a_browser(browser, cpsf_bin, root, tmp_path):
    sectors = sorted((root / "scenarios" / "sectors").glob("*/scenario.textproto"))[:3]
    out = tmp_path / "compare"
    run([cpsf_bin, "compare", SCENARIO, *map(str, sectors), "-b", "as-is,SCS-4,SCS-4@suppliers", "--trials", "1500",
         "--out", str(out), "--report", "-q"], root)
    page, sections = open_report(browser, out / "report.html", artifacts(cpsf_bin, "compare"))
    assert "comparison" in sections and "summary" not in sections
    check_page(page, out / "report.html", {"compare": json.loads((out / "compare.json").read_text())})
    keys = set(page.evaluate("[...document.querySelectorAll('[data-key]')].map(e => e.dataset.key)"))
    assert {"/rows/1/cost", "/rows/1/removed/mean", "/rows/2/net_benefit/mean"} <= keys  # what a baseline costs
    assert any(re.fullmatch(r"/rows/\d+/layer_element/\d+/share/ci95/0", k) for k in keys)  # the sector profile

    out = tmp_path / "optimise"
    run([cpsf_bin, "optimise", SCENARIO, "--budget", "20000", "--trials", "1000", "--goal", "net", "--out", str(out),
         "--report", "-q"], root)
    page, sections = open_report(browser, out / "report.html", artifacts(cpsf_bin, "optimise"))
    assert "portfolio" in sections
    check_page(page, out / "report.html", {"optimise": json.loads((out / "optimise.json").read_text())})
    keys = set(page.evaluate("[...document.querySelectorAll('[data-key]')].map(e => e.dataset.key)"))
    assert {"/net_benefit/mean", "/marginal/0/net"} <= keys


def test_report_of_a_directory_holds_every_document(browser, cpsf_bin, root, tmp_path):
    out = tmp_path / "all"
    run([cpsf_bin, "run", SCENARIO, "--trials", "1000", "--out", str(out), "-q"], root)
    run([cpsf_bin, "optimise", SCENARIO, "--budget", "9000", "--trials", "500", "--frontier", "3", "--out", str(out),
         "-q"], root)
    r = run([cpsf_bin, "report", str(out)], root)
    assert r.stdout == f"report: {out}/report.html\n"
    page, sections = open_report(browser, out / "report.html", artifacts(cpsf_bin, "run-and-optimise"))
    assert "summary" in sections and "portfolio" in sections
    check_page(page, out / "report.html", {"results": json.loads((out / "results.json").read_text()),
                                           "optimise": json.loads((out / "optimise.json").read_text())})


def test_scenario_text_cannot_run_in_the_page(browser, cpsf_bin, root, tmp_path):
    """Names and ids are the scenario's, untrusted: markup in them is shown, never run."""
    hostile = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">/*CPSF:VEGA*/'
    text = (root / SCENARIO).read_text()
    first_name = re.search(r'\bname: "([^"]*)"', text[text.index("assets {"):]).group(0)
    text = text.replace(first_name, "name: " + json.dumps(hostile), 1)
    scenario = tmp_path / "hostile.textproto"
    scenario.write_text(text)
    out = tmp_path / "hostile"
    run([cpsf_bin, "run", str(scenario), "--trials", "500", "--out", str(out), "--report", "-q"], root)
    page, _ = open_report(browser, out / "report.html", artifacts(cpsf_bin, "hostile"))
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate(f"document.body.textContent.includes({json.dumps(hostile)})")
    assert page.console_problems() == []
    assert page.requests() == [(out / "report.html").resolve().as_uri()]


def test_a_large_chain_is_trimmed_and_the_numbers_still_point_into_the_file(browser, cpsf_bin, root, tmp_path):
    scenario = tmp_path / "big.pb"
    run([cpsf_bin, "generate", "--enterprises", "30", "--assets-per-enterprise", "30", "--seed", "3",
         str(scenario)], root)
    out = tmp_path / "big"
    run([cpsf_bin, "run", str(scenario), "--trials", "300", "--out", str(out), "--report", "-q"], root)
    results = json.loads((out / "results.json").read_text())
    assert len(results["assets"]) == 900
    page, _ = open_report(browser, out / "report.html", artifacts(cpsf_bin, "trimmed"))
    check_page(page, out / "report.html", {"results": results})
    assert page.evaluate("document.body.textContent.includes('500 of the 900 assets')")


def test_pdf_through_headless_chromium(cpsf_bin, root, tmp_path):
    out = tmp_path / "pdf"
    r = run([cpsf_bin, "run", SCENARIO, "--trials", "500", "--out", str(out), "--report", "--pdf", "-q"], root)
    assert r.stdout == ""
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20000
    assert not list(out.glob("*.partial"))


def test_report_refuses_what_it_cannot_show(cpsf_bin, root, tmp_path):
    r = subprocess.run([cpsf_bin, "report", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "holds no results.json, compare.json or optimise.json" in r.stderr
    (tmp_path / "results.json").write_text('{"format": "cpsf.compare.v1"}')
    r = subprocess.run([cpsf_bin, "report", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and 'not a cpsf.results.v1 document' in r.stderr
    (tmp_path / "results.json").write_text('{"format": "cpsf.results.v1", ')
    r = subprocess.run([cpsf_bin, "report", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "not valid JSON" in r.stderr
    (tmp_path / "results.json").write_text("[" * 100000)
    r = subprocess.run([cpsf_bin, "report", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "nests deeper than 64 levels" in r.stderr
    assert not (tmp_path / "report.html").exists()
