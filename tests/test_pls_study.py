"""`cxkit analyze --approach pls`: the SmartPLS-style thesis report of the student's own study
(Google-Forms export, own model with `# H1:` comments, dropped items, store name) in Indonesian,
and of the demo's pyramid model in English — HTML, PDF, DOCX and XLSX each holding every section
and the key numbers, which are those of an independent `cxkit.fit_pls` of the same data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.datasets import load_dataset
from cxkit.errors import SpecificationError
from cxkit.report.apa import apa_number
from cxkit.report.xlsx import typed
from cxkit.study import analyze, drop_items

from .test_study_report import INS, MODEL, STORE, google_forms_export, report_texts, run

SECTIONS_ID = [
    "Penelitian",
    "Profil responden",
    "Statistik deskriptif dan normalitas",
    "Uji validitas dan reliabilitas",
    "Model pengukuran (PLS-SEM)",
    "Model struktural (PLS-SEM)",
    "Metode",
]
TABLES_ID = [
    "Butir yang dikeluarkan dari model pengukuran",
    "Profil responden",
    "Outer loading",
    "Reliabilitas dan validitas konvergen",
    "Validitas diskriminan: HTMT",
    "HTMT dengan interval kepercayaan bootstrap",
    "Validitas diskriminan: kriteria Fornell–Larcker",
    "Cross-loading",
    "Kolinearitas indikator (outer VIF)",
    "Kolinearitas prediktor (inner VIF)",
    "Koefisien determinasi",
    "Ukuran efek (f²)",
    "Prediksi di luar sampel (PLSpredict)",
    "Uji kemampuan prediktif tervalidasi silang (CVPAT)",
    "Kecocokan model",
    "Koefisien jalur (bootstrap)",
    "Hasil pengujian hipotesis",
    "Efek tidak langsung dan efek total",
]
SECTIONS_EN = [
    "The study",
    "Respondent profile",
    "Measurement model (PLS-SEM)",
    "Structural model (PLS-SEM)",
    "Methods",
]
TABLES_EN = [
    "Outer loadings",
    "Reliability and convergent validity",
    "Discriminant validity: HTMT",
    "HTMT with bootstrap confidence intervals",
    "Discriminant validity: Fornell–Larcker criterion",
    "Cross-loadings",
    "Collinearity of the predictors (inner VIF)",
    "Coefficient of determination",
    "Effect sizes (f²)",
    "Out-of-sample prediction (PLSpredict)",
    "Cross-validated predictive ability test (CVPAT)",
    "Path coefficients (bootstrap)",
    "Hypothesis tests",
    "Indirect and total effects",
]
N_BOOT = 300


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return google_forms_export(tmp_path_factory.mktemp("gf") / "jawaban.csv")


@pytest.fixture(scope="module")
def student(export, tmp_path_factory):
    out = tmp_path_factory.mktemp("laporan_pls")
    proc = run(
        "analyze",
        export,
        "--instrument",
        "online-cx@2.0.0",
        "--approach",
        "pls",
        "--model",
        MODEL,
        "--drop-items",
        "EC3,OE2",
        "--store",
        STORE,
        "--lang",
        "id",
        "--bootstrap",
        N_BOOT,
        "--seed",
        "7",
        "--quiet",
        "--out",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc, report_texts(out)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    study = analyze(
        load_dataset("online-cx-demo"),
        ins,
        "pyramid",
        approach="pls",
        n_boot=N_BOOT,
        seed=3,
        progress=False,
    )
    out = study.write(tmp_path_factory.mktemp("pls_en") / "report")
    return study, out, report_texts(out)


def shown(value, decimals, bounded, fmt):
    """A number as the format holds it: APA text, or the typed cell of the workbook."""
    s = apa_number(value, decimals, bounded).replace("−", "-")
    return str(typed(s)) if fmt == "xlsx" else s


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_section_in_every_format(student, demo, lang, fmt):
    text = (student if lang == "id" else demo)[2][fmt]
    sections, titles = (SECTIONS_ID, TABLES_ID) if lang == "id" else (SECTIONS_EN, TABLES_EN)
    for heading in sections:
        assert re.search(rf"\d+\. {re.escape(heading)}", text), (fmt, heading)
    for title in titles:
        assert title in text, (fmt, title)
    # no CB-SEM section in a PLS report
    for cb in ("Pemeriksaan solusi tak wajar", "Improper-solution checks", "modification indices"):
        assert cb not in text, (fmt, cb)
    assert ("diterima" if lang == "id" else "supported") in text


def test_every_table_in_the_workbook(student):
    from openpyxl import load_workbook

    for title in TABLES_ID:
        assert title in student[2]["xlsx"], title
    wb = load_workbook(student[0] / "report.xlsx")
    hyp = next(ws for ws in wb.worksheets if ws.title.endswith("hypotheses"))
    header = [c.value for c in hyp[3]]
    assert header[:6] == ["hipotesis", "jalur", "β", "t", "p", "IK 95%"], header
    values = [c.value for c in hyp[4]]
    assert values[0] == "H1" and values[1] == "OE → TR" and isinstance(values[3], float)


def _independent_fit(export, drop):
    """The student's model fitted by fit_pls directly on the same answers (reverse keys applied)."""
    from cxkit.responses.scoring import reverse_keyed

    r = cxkit.read_responses(export, INS)
    keyed, _ = reverse_keyed(r.data, INS)
    text = drop_items(MODEL.read_text(encoding="utf-8"), drop)
    return cxkit.fit_pls(text, keyed)


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "xlsx"])
def test_key_numbers_in_every_format(student, export, fmt):
    out, _, texts = student
    text = texts[fmt].replace("−", "-")
    fit = _independent_fit(export, ["EC3", "OE2"])
    boot = fit.bootstrap(N_BOOT, seed=7)
    hyp = pd.read_csv(out / "tables" / "hypotheses.csv")
    assert hyp["hypothesis"].tolist() == ["H1", "H2", "H3", "H4", "H5"]
    assert hyp["path"].tolist() == ["OE → TR", "OE → EC", "TR → LOY", "EC → LOY", "OE → LOY"]
    paths = boot.paths.set_index(["rhs", "lhs"])
    for row in hyp.itertuples():
        p = paths.loc[(hyp.loc[row.Index, "from"], row.to)]
        # the report's numbers are an independent fit's and bootstrap's (same seed)
        assert row.beta == pytest.approx(p["est"], abs=1e-12)
        assert row.z == pytest.approx(p["t"], abs=1e-9)
        assert row.ci_low == pytest.approx(p["ci_low"], abs=1e-12)
        assert shown(row.beta, 2, True, fmt) in text, (fmt, row.hypothesis)
        assert shown(row.z, 2, False, fmt) in text, (fmt, row.hypothesis)
        excl = not (row.ci_low <= 0 <= row.ci_high)
        assert row.supported == (row.pvalue < 0.05 and excl)
    rel = fit.reliability
    for c in ("OE", "TR", "LOY"):
        assert shown(rel.loc[c, "rho_a"], 2, True, fmt) in text, (fmt, c)
        assert shown(rel.loc[c, "ave"], 2, True, fmt) in text, (fmt, c)
    assert shown(fit.htmt.loc["LOY", "TR"], 2, True, fmt) in text
    assert shown(fit.r_squared["LOY"], 2, True, fmt) in text
    pred = pd.read_csv(out / "tables" / "pls_predict.csv")
    assert shown(pred.pls_q2_predict.iloc[0], 3, False, fmt) in text
    cv = pd.read_csv(out / "tables" / "pls_cvpat.csv")
    own = fit.cvpat(folds=10, repetitions=10, n_boot=2000, seed=7)
    np.testing.assert_allclose(cv["t"], own["t"], atol=1e-12)
    assert shown(cv["loss"].iloc[-1], 3, False, fmt) in text
    if fmt != "xlsx":
        assert "diterima" in text or "ditolak" in text
        assert re.search(r"N = \d+", text)
        assert f"{N_BOOT} sampel ulang bootstrap" in text and "seed 7" in text
    assert "[X]" not in text and STORE in text
    assert "EC3" in text and "OE2" in text


def test_the_study_tables_are_the_fit(student, export):
    t = student[0] / "tables"
    fit = _independent_fit(export, ["EC3", "OE2"])
    outer = pd.read_csv(t / "pls_outer.csv")
    assert not ({"EC3", "OE2"} & set(outer["item"]))
    np.testing.assert_allclose(outer.loading, fit.outer.loading, atol=1e-12)
    dropped = pd.read_csv(t / "dropped_items.csv", index_col=0)
    full = _independent_fit(export, []).outer.set_index("item")
    assert dropped.index.tolist() == ["EC3", "OE2"]
    np.testing.assert_allclose(dropped.loading, full.loc[["EC3", "OE2"], "loading"], atol=1e-12)
    eff = pd.read_csv(t / "effects.csv")
    ind = eff[eff["kind"] == "indirect"]
    assert set(ind["effect"]) == {"OE → TR → LOY", "OE → EC → LOY"}
    total = eff[eff["kind"] == "total"].set_index("effect").loc["OE → LOY"]
    pe = fit.effects.set_index(["from", "to"]).loc[("OE", "LOY")]
    assert total["beta"] == pytest.approx(pe["total"], abs=1e-12)
    spec = fit.specific_indirect.set_index("path")
    for r in ind.itertuples():
        assert r.beta == pytest.approx(spec.loc[r.effect, "est"], abs=1e-12)
    sig_ind = (~((ind["ci_low"] <= 0) & (ind["ci_high"] >= 0))).any()
    hyp = pd.read_csv(t / "hypotheses.csv").set_index("path")
    sig_dir = not (hyp.loc["OE → LOY", "ci_low"] <= 0 <= hyp.loc["OE → LOY", "ci_high"])
    assert total["mediation"] == (("partial" if sig_dir else "full") if sig_ind else "none")
    fit_csv = pd.read_csv(t / "pls_fit.csv", index_col=0)["value"]
    assert fit_csv["srmr"] == pytest.approx(fit.fit_indices["srmr"], abs=1e-12)
    scores = pd.read_csv(t / "scores.csv")
    assert len(scores) == 300 and scores["respondent"].str.startswith("S").all()
    assert not (t / "cfa_estimates.csv").exists()


def test_console_and_figures(student):
    out, proc, _ = student
    assert "Traceback" not in proc.stderr and "WARNING:root" not in proc.stderr
    assert "PLS model student_model (PLS-PM, path scheme)" in proc.stdout
    assert re.search(r"hypotheses: \d of 5 supported", proc.stdout)
    for fig in ("likert", "scores", "htmt", "path", "path_full"):
        assert (out / "figures" / f"{fig}.png").exists(), fig
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'lang="id"' in html and not re.search(r"<td[^>]*>-[.\d]", html)


def test_demo_pyramid_in_english(demo):
    study, out, texts = demo
    fit = study.pls
    assert fit.provenance["bootstrap"]["n"] == N_BOOT and fit.provenance["scheme"] == "path"
    hyp = study.hypotheses
    # the pyramid: EC ~ OE + RS + TR + FU, LOY ~ EC
    assert hyp.path.tolist() == ["OE → EC", "RS → EC", "TR → EC", "FU → EC", "EC → LOY"]
    assert hyp.hypothesis.tolist() == [f"H{k}" for k in range(1, 6)]
    assert set(hyp.supported) <= {True, False}
    text = texts["html"]
    assert "supported" in text and "SYNTHETIC" in text
    assert "no sign change, seed 3" in text and f"{N_BOOT} bootstrap resamples" in text
    assert "path weighting" in text or "path inner weighting" in text
    ind = study.effects[study.effects["kind"] == "indirect"]
    assert len(ind) == 4 and set(ind["to"]) == {"LOY"}
    assert set(study.effects["mediation"].dropna()) <= {
        "full",
        "partial",
        "none",
        "full (no direct path)",
        "unknown",
    }


def test_second_order_model_keeps_its_measurement_paths_out_of_the_hypotheses():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    study = analyze(
        load_dataset("online-cx-demo"),
        ins,
        "second_order",
        approach="pls",
        n_boot=0,
        progress=False,
    )
    assert study.hypotheses.path.tolist() == ["OBE → LOY"]
    view = study.chosen.estimates
    assert ((view.op == "=~") & (view.lhs == "OBE") & (view.rhs == "EC")).any()


def test_pls_refuses_cb_only_options():
    data = load_dataset("online-cx-demo")
    for kw, word in (
        ({"estimator": "MLR"}, "estimator"),
        ({"missing": "fiml"}, "fiml"),
        ({"group": "GENDER"}, "group"),
        ({"ordered": True}, "ordered"),
    ):
        with pytest.raises(SpecificationError, match=word):
            analyze(data, INS, "direct", approach="pls", progress=False, **kw)
    with pytest.raises(SpecificationError, match="approach='sem' is not accepted"):
        analyze(data, INS, "direct", approach="sem", progress=False)


def test_a_moderated_model_runs_through_the_study():
    """An interaction term (two-stage) in the user's model file: the study reads it, tests it."""
    model = (
        "OE =~ OE1 + OE2 + OE3 + OE4\nTR =~ TR1 + TR2 + TR3\n"
        "LOY =~ LOY1 + LOY2 + LOY3 + LOY4 + LOY5 + LOY6\nLOY ~ OE + TR + OE:TR\n"
    )
    study = analyze(
        load_dataset("online-cx-demo"), INS, model, approach="pls", n_boot=50, progress=False
    )
    assert study.hypotheses.path.tolist() == ["OE → LOY", "TR → LOY", "OE:TR → LOY"]
    assert study.pls.spec.interactions == (("OE:TR", "OE", "TR"),)
    assert np.isfinite(study.hypotheses.pvalue).all()
