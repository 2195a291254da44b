"""The main job: analyze → tables, figures, report.html, report.pdf; the figures on their own."""

from __future__ import annotations

import re
import subprocess
import sys

import matplotlib.figure
import pytest
from pypdf import PdfReader

import cxkit
from cxkit import plots
from cxkit.errors import ResponseError, SpecificationError
from cxkit.study import analyze

INS = cxkit.load_instrument("online-cx@2.0.0")


@pytest.fixture(scope="module")
def study():
    return analyze(
        cxkit.datasets.load_dataset("online-cx-demo"),
        INS,
        "pyramid",
        n_boot=100,
        seed=1,
        progress=False,
    )


@pytest.fixture(scope="module")
def written(study, tmp_path_factory):
    return study.write(tmp_path_factory.mktemp("report"))


def test_every_section_is_computed(study):
    assert study.settings["n_read"] == 400 and study.settings["n_analysed"] == 400
    assert set(study.fits) == {"direct", "second_order", "pyramid"}
    assert list(study.comparison.index) == ["direct", "pyramid", "second_order"]
    assert study.boot.provenance["bootstrap"]["n"] == 100
    assert {"nps", "csat", "ces", "nps_by_segment"} <= set(study.metrics)
    assert study.metrics["segment"] == "MARKET"
    assert "cxkit" in study.methods() and "bootstrap" in study.methods()


def test_report_files(written):
    for name in ("report.html", "report.pdf"):
        assert (written / name).stat().st_size > 10_000
    for fig in ("likert", "scores", "htmt", "path", "path_full", "nps"):
        assert (written / "figures" / f"{fig}.png").exists() and (
            written / "figures" / f"{fig}.svg"
        ).exists()
    for table in (
        "reliability",
        "items",
        "htmt",
        "fornell_larcker",
        "comparison",
        "fit",
        "metrics",
        "problems",
        "flags",
    ):
        assert (written / "tables" / f"{table}.csv").exists(), table


def test_html_report_is_self_contained_and_complete(written, study):
    page = (written / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"https?://", page) and "<script" not in page
    for heading in (
        "1. The study",
        "2. Respondent profile",
        "3. Data quality and missing answers",
        "4. Descriptive statistics and normality",
        "5. Item validity and reliability (pilot-test route)",
        "6. Measurement model",
        "7. Structural model",
        "Methods",
    ):
        assert heading in page
    assert page.count("data:image/png;base64,") == 6
    assert INS.sha256 in page and ">nan<" not in page
    alpha = study.reliability.loc["TR", "alpha"]
    assert f"{alpha:.2f}".lstrip("0") in page


def test_pdf_report(written):
    text = " ".join(p.extract_text() for p in PdfReader(written / "report.pdf").pages)
    assert "Hypothesis tests" in text and "Indirect and total effects" in text and "Methods" in text
    assert " nan " not in text


def test_figures_on_their_own(study):
    r = study.responses
    figs = [
        plots.likert_bars(r, INS),
        plots.score_distributions(study.scores, 1, 7, items=study.constructs),
        plots.heatmap(study.htmt, "HTMT", threshold=0.85, lower=True),
        plots.path_diagram(study.fits["pyramid"], indicators=True, lang="id"),
        plots.heatmap(study.htmt, "HTMT", threshold=0.85),
        plots.path_diagram(study.fits["second_order"]),
        plots.nps_breakdown(study.metrics["nps_by_segment"]),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    with pytest.raises(SpecificationError, match="no structural part"):
        plots.path_diagram(study.cfa)


def test_bad_input():
    with pytest.raises(SpecificationError, match="model='full' is not accepted"):
        analyze(cxkit.datasets.load_dataset("online-cx-demo"), INS, "full")
    with pytest.raises(ResponseError, match="item columns not in the data"):
        analyze(cxkit.datasets.load_dataset("satisfaction"), INS, progress=False)


def test_cli_analyze(tmp_path):
    out = tmp_path / "rep"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxkit.cli",
            "analyze",
            "--dataset",
            "online-cx-demo",
            "--out",
            str(out),
            "--bootstrap",
            "50",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").exists() and "report (en):" in proc.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxkit.cli",
            "analyze",
            str(tmp_path / "none.csv"),
            "--instrument",
            "online-cx@2.0.0",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_analyze_reads_an_indonesian_google_forms_export(tmp_path):
    """Semicolons, decimal commas, a BOM and Indonesian question texts as headers, end to end."""
    d = cxkit.simulate(INS, 250, seed=8, careless=0.05)
    ids = {i.id for i in INS.items}
    d.columns = [INS.item(c).label("id", "Toko Contoh") if c in ids else c for c in d.columns]
    path = tmp_path / "jawaban.csv"
    d.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    out = tmp_path / "rep"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxkit.cli",
            "analyze",
            str(path),
            "--instrument",
            "online-cx@2.0.0",
            "--out",
            str(out),
            "--bootstrap",
            "50",
            "--exclude",
            "attention_failed",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "separator ';', decimal ','" in proc.stdout and "rows excluded" in proc.stdout
    assert (out / "report.pdf").exists()


@pytest.mark.parametrize("how", ["MLR", "ordered"])
def test_robust_and_ordinal_reports(how, tmp_path):
    """analyze(estimator="MLR") and analyze(ordered=True): the tables and the methods say so."""
    from cxkit.report.content import blocks

    options = {"estimator": "MLR"} if how == "MLR" else {"ordered": True}
    st = analyze(
        cxkit.datasets.load_dataset("online-cx-demo"), INS, n_boot=0, progress=False, **options
    )
    tables = {b[1]: b[2] for b in blocks(st) if b[0] == "table"}
    fit = tables["Fit of the structural models"]
    comp = tables["The three CX models compared"]
    methods = st.methods()
    if how == "MLR":
        assert st.settings["estimator"] == "MLR"
        assert {"scaled χ²", "robust CFI", "robust RMSEA [90% CI]"} <= set(fit.columns)
        assert "Yuan-Bentler" in methods and "Satorra-Bentler (2001)" in methods
        assert st.comparison.attrs["test"] == "satorra.bentler.2001"
    else:
        assert st.settings["estimator"] == "WLSMV" and st.boot is None
        assert "scaled χ²" in fit.columns and "AIC" not in comp.columns
        assert "polychoric" in methods and "Satorra, 2000" in methods
        assert st.comparison.attrs["test"] == "satorra.2000"
        assert not comp.apply(lambda c: c.str.contains("nan")).any().any()
    out = st.write(tmp_path)
    assert (out / "report.pdf").stat().st_size > 10_000
    with pytest.raises(SpecificationError, match="does not combine"):
        analyze(
            cxkit.datasets.load_dataset("online-cx-demo"),
            INS,
            progress=False,
            ordered=True,
            estimator="MLR",
        )


def test_report_figures_leave_the_users_backend_alone(tmp_path):
    """No backend change at import; the writer draws on an explicit Agg canvas, never via pyplot."""
    import subprocess
    import sys

    code = (
        "import sys, matplotlib, cxkit, cxkit.plots\n"
        "assert matplotlib.rcParams._get_backend_or_none() is None, 'backend set at import'\n"
        "d = cxkit.datasets.load_dataset('online-cx-demo')\n"
        "s = cxkit.analyze(d, 'online-cx@2.0.0', 'direct', n_boot=0, progress=False)\n"
        f"s.write({str(tmp_path / 'r')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'the report went through pyplot'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"},
    )
    assert done.stdout.strip().endswith("ok"), done.stderr
    assert (tmp_path / "r" / "figures" / "likert.png").stat().st_size > 10_000
