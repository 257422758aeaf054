"""The report from Python: cpsf.report_html / write_report, Results.report and
Results._repr_html_ (the page in a sandboxed frame, drawn in headless Chromium)."""

import json
import pathlib

import pytest

import cdp
import cpsf


@pytest.fixture(scope="module")
def res():
    return cpsf.run(cpsf.DEFAULT_SCENARIO, trials=600, seed=3, progress=False)


def test_results_report_writes_the_page_of_its_json(res, tmp_path):
    out = res.report(tmp_path / "dir")
    assert out == tmp_path / "dir" / "report.html"
    page = out.read_text(encoding="utf-8")
    assert page == cpsf.report_html(results=res.to_json()) == cpsf.report_html(res)
    assert res.report(tmp_path / "named.html") == tmp_path / "named.html"
    assert not list(tmp_path.glob("**/.report-*"))  # no temporary file left


def test_the_documents_of_compare_and_optimise(res, tmp_path):
    table = cpsf.compare(cpsf.DEFAULT_SCENARIO, ["as-is", "SCS-4"], trials=300, progress=False)
    portfolio = cpsf.optimise(cpsf.DEFAULT_SCENARIO, budget=9000, trials=200, frontier=3, progress=False)
    page = cpsf.report_html(res, compare=table, optimise=portfolio)
    assert page == cpsf.report_html(res.to_dict(), table.attrs["json"], json.loads(portfolio.to_json()))
    assert portfolio.report(tmp_path).read_text(encoding="utf-8") == cpsf.report_html(optimise=portfolio)
    path = cpsf.write_report(tmp_path / "all.html", results=res, compare=table, optimise=portfolio)
    assert path.read_text(encoding="utf-8") == page


def test_bad_documents_are_refused(res):
    with pytest.raises(ValueError, match="nothing to report"):
        cpsf.report_html()
    with pytest.raises(ValueError, match="not a cpsf.compare.v1 document"):
        cpsf.report_html(compare=res.to_json())
    with pytest.raises(ValueError, match="not valid JSON"):
        cpsf.report_html(results="{")
    with pytest.raises(TypeError, match="not int"):
        cpsf.report_html(results=3)


def test_repr_html_draws_the_report_in_a_sandboxed_frame(res, tmp_path):
    frame = res._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    holder = tmp_path / "notebook.html"
    holder.write_text(
        "<!DOCTYPE html><html><body><script>window.addEventListener('message', (e) => {"
        " if (e.data && e.data.cpsfReport === 'ready') document.body.dataset.numbers = e.data.numbers; });"
        "</script>" + frame + "</body></html>", encoding="utf-8")
    with cdp.Browser() as browser:
        page = browser.new_page()
        page.navigate(holder.resolve().as_uri())
        page.wait_for("document.body && document.body.dataset.numbers !== undefined", timeout=120)
        assert int(page.evaluate("document.body.dataset.numbers")) > 100
        assert page.console_problems() == []
        assert page.requests() == [holder.resolve().as_uri()]
