"""The student's own study end to end: a Google-Forms-style export (Indonesian question texts as
headers, answer labels as values), the student's lavaan model with hypothesis comments, dropped
items, a store name, invariance by gender, the report in Indonesian — HTML, PDF, DOCX and XLSX each
holding every section and the key numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

import cxkit
from cxkit.errors import SpecificationError
from cxkit.report.apa import apa_number
from cxkit.report.xlsx import typed
from cxkit.study import analyze, drop_items, hypotheses_of

INS = cxkit.load_instrument("online-cx@2.0.0")
MODEL = Path(__file__).parent / "data" / "student_model.lav"
STORE = "Toko Contoh"

#: the report's sections in Indonesian, in every format
SECTIONS_ID = [
    "Penelitian",
    "Profil responden",
    "Kualitas data dan jawaban kosong",
    "Statistik deskriptif dan normalitas",
    "Uji validitas dan reliabilitas",
    "Model pengukuran",
    "Model struktural",
    "Invariansi pengukuran menurut GENDER",
    "Metode",
]
#: table titles every format must hold
TABLES_ID = [
    "Butir yang dikeluarkan dari model pengukuran",
    "Profil responden",
    "Jawaban kosong per butir",
    "Jawaban kosong per responden",
    "Statistik deskriptif butir",
    "Normalitas multivariat",
    "Jarak Mahalanobis terbesar",
    "Validitas butir",
    "Kecukupan sampel: KMO dan uji Bartlett",
    "Analisis faktor eksploratori",
    "Reliabilitas dan validitas konvergen",
    "Cross-loading",
    "HTMT dengan interval bootstrap",
    "Kriteria Fornell",
    "Uji bias metode umum",
    "Pemeriksaan solusi tak wajar",
    "Hasil pengujian hipotesis",
    "Efek tidak langsung dan efek total",
    "Residual terstandar terbesar",
    "Indeks modifikasi terbesar",
    "Invariansi pengukuran",
]


def google_forms_export(path: Path, n: int = 300, seed: int = 11) -> Path:
    """What Google Forms → Sheets → CSV gives an Indonesian student: question texts (store name
    filled in) as headers, answer labels as values, a timestamp column, ';' and a BOM."""
    d = cxkit.simulate(INS, n, seed=seed)
    ids = {i.id for i in INS.items}
    out = d.copy()
    for c in d.columns:
        if c not in ids:
            continue
        scale = INS.item(c).scale
        labels = scale.labels("id")
        if scale.type == "likert" or (scale.type == "choice" and labels):
            out[c] = d[c].map(
                lambda v, lab=labels: None if pd.isna(v) else lab[int(v)].replace("{store}", STORE)
            )
    out.columns = [INS.item(c).label("id", STORE) if c in ids else c for c in d.columns]
    out.insert(0, "Cap waktu", "2026/11/01 10:00:00")
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def run(*args, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "cxkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return google_forms_export(tmp_path_factory.mktemp("gf") / "jawaban.csv")


@pytest.fixture(scope="module")
def report(export, tmp_path_factory):
    out = tmp_path_factory.mktemp("laporan")
    proc = run(
        "analyze",
        export,
        "--instrument",
        "online-cx@2.0.0",
        "--model",
        MODEL,
        "--drop-items",
        "EC3,OE2",
        "--store",
        STORE,
        "--lang",
        "id",
        "--group",
        "GENDER",
        "--bootstrap",
        "100",
        "--quiet",
        "--out",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def texts(report):
    return report_texts(report[0])


def report_texts(out: Path) -> dict[str, str]:
    """The text of each format: HTML, PDF, DOCX (paragraphs and tables), XLSX (every cell)."""
    from docx import Document
    from openpyxl import load_workbook

    html = (out / "report.html").read_text(encoding="utf-8")
    html_text = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", html))
    pdf = " ".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages)
    doc = Document(str(out / "report.docx"))
    docx = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    wb = load_workbook(out / "report.xlsx")
    xlsx = "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    return {"html": html_text, "pdf": re.sub(r"\s+", " ", pdf), "docx": docx, "xlsx": xlsx}


def tables(report) -> Path:
    return report[0] / "tables"


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_every_section_in_every_format(texts, fmt):
    text = texts[fmt]
    for heading in SECTIONS_ID:
        assert re.search(rf"\d+\. {re.escape(heading)}", text), (fmt, heading)
    for title in TABLES_ID:
        assert title in text, (fmt, title)


def test_every_table_in_the_workbook(texts, report):
    from openpyxl import load_workbook

    for title in TABLES_ID:
        assert title in texts["xlsx"], title
    wb = load_workbook(report[0] / "report.xlsx")
    # 34 tables (a reading-problems table joins them only when the export has problems: this one
    # reads cleanly since answer labels with the store's name are read)
    assert len(wb.sheetnames) >= 35 - 1 and wb.sheetnames[0] == "contents"
    hyp = next(ws for ws in wb.worksheets if ws.title.endswith("hypotheses"))
    values = [c.value for c in hyp[4]]  # first hypothesis row: H1, path, β, b, SE, z, p, …
    assert values[0] == "H1" and isinstance(values[3], float) and isinstance(values[5], float)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value[:1] in "=+-@"), (ws.title, c.value)


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "xlsx"])
def test_key_numbers_in_every_format(texts, report, fmt):
    t = tables(report)
    text = texts[fmt].replace("−", "-")

    def shown(value, decimals, bounded=False):
        """The number as the format holds it: APA text, or the typed cell of the workbook."""
        s = apa_number(value, decimals, bounded).replace("−", "-")
        return str(typed(s)) if fmt == "xlsx" else s

    hyp = pd.read_csv(t / "hypotheses.csv")
    assert hyp["hypothesis"].tolist() == ["H1", "H2", "H3", "H4", "H5"]
    assert hyp["path"].tolist()[:2] == ["OE → TR", "OE → EC"]
    for row in hyp.itertuples():
        assert shown(row.b, 3) in text, (fmt, row.hypothesis)
        assert shown(row.beta, 2, True) in text, (fmt, row.hypothesis)
    rel = pd.read_csv(t / "reliability.csv", index_col=0)
    assert shown(rel.loc["TR", "alpha"], 2, True) in text
    mardia = pd.read_csv(t / "mardia.csv", index_col=0)["value"]
    assert shown(mardia["b2p"], 2) in text
    kmo = pd.read_csv(t / "pilot_kmo.csv", index_col=0).iloc[:, 0]
    assert shown(kmo["overall"], 2, True) in text
    if fmt != "xlsx":
        assert "diterima" in text and "ditolak" in text
        assert re.search(r"N = \d+", text)
    assert "[X]" not in text and STORE in text
    assert "EC3" in text and "OE2" in text


def test_the_student_model_as_reported(report):
    t = tables(report)
    dropped = pd.read_csv(t / "dropped_items.csv", index_col=0)
    assert dropped.index.tolist() == ["EC3", "OE2"] and set(dropped["construct"]) == {"EC", "OE"}
    est = pd.read_csv(t / "estimates_student_model.csv")
    assert not ({"EC3", "OE2"} & set(est["rhs"]))
    hyp = pd.read_csv(t / "hypotheses.csv")
    boot = pd.read_csv(t / "estimates_student_model_bootstrap.csv")
    reg = boot[boot["op"] == "~"].set_index(["rhs", "lhs"])
    for row in hyp.itertuples():
        b = reg.loc[(hyp.loc[row.Index, "from"], row.to)]
        assert row.b == pytest.approx(b["est"]) and row.ci_low == pytest.approx(b["ci_low"])
        excl = not (row.ci_low <= 0 <= row.ci_high)
        assert row.supported == (row.pvalue < 0.05 and excl)
    eff = pd.read_csv(t / "effects.csv")
    total = eff[eff["kind"] == "total"].set_index("effect").loc["OE → LOY"]
    ind = eff[eff["kind"] == "indirect"]
    assert set(ind["effect"]) == {"OE → TR → LOY", "OE → EC → LOY"}
    # total = direct + both indirect effects
    direct = reg.loc[("OE", "LOY"), "est"]
    assert total["b"] == pytest.approx(direct + ind["b"].sum())
    sig_ind = (~((ind["ci_low"] <= 0) & (ind["ci_high"] >= 0))).any()
    sig_dir = not (reg.loc[("OE", "LOY"), "ci_low"] <= 0 <= reg.loc[("OE", "LOY"), "ci_high"])
    assert total["mediation"] == (("partial" if sig_dir else "full") if sig_ind else "none")
    for r in ind.itertuples():  # each specific indirect effect: none when its interval holds zero
        holds_zero = r.ci_low <= 0 <= r.ci_high
        assert r.mediation == ("none" if holds_zero else total["mediation"]), r.effect
    scores = pd.read_csv(t / "scores.csv")
    assert scores["respondent"].str.startswith("S").all() and len(scores) == 300
    inv = pd.read_csv(t / "invariance.csv", index_col=0)
    assert inv.index.tolist() == ["configural", "metric", "scalar", "strict"]


def test_console_and_figures(report):
    out, proc = report
    assert "WARNING:root" not in proc.stderr and "Traceback" not in proc.stderr
    assert "{store}" not in proc.stderr  # the store was given: no warning about it
    assert "report (id)" in proc.stdout and "hypotheses:" in proc.stdout
    for fig in ("likert", "scores", "htmt", "path", "path_full", "nps"):
        assert (out / "figures" / f"{fig}.png").exists(), fig
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Tabel 1</b>" in html and "<b>Gambar 1.</b>" in html and 'lang="id"' in html
    # one minus sign: no ASCII hyphen-minus before a number in any table cell
    assert not re.search(r"<td[^>]*>-[.\d]", html)
    pages = PdfReader(out / "report.pdf").pages
    assert len(pages[0].extract_text()) > 1200  # the first page is not mostly empty


def test_warnings_are_cxkit_own_and_name_their_model(tmp_path):
    """No store: one warning saying where {store} was left unfilled; the demo is SYNTHETIC."""
    st = analyze(
        cxkit.datasets.load_dataset("online-cx-demo"), INS, "pyramid", n_boot=0, progress=False
    )
    assert st.settings["synthetic"]
    store = [w for w in st.warnings if "{store}" in w]
    assert len(store) == 1 and store[0].startswith("report:")
    assert len(st.warnings) == len(set(st.warnings))
    out = st.write(tmp_path, formats=("html",))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in page and "[X]" not in page
    # the three CX models: direct is the measurement model (saturated structure), the other two are
    # nested in it (Δχ²) and not in each other (BIC)
    v = st.verdict
    assert v["saturated"] == ["direct"] and set(v["nested"]) == {"pyramid", "second_order"}
    assert v["best"] == min(v["candidates"], key=lambda n: st.comparison.loc[n, "bic"])
    d = st.settings["df"]
    assert d["moments"] - d["npar"] == d["df"] == 198  # 22 items: 253 moments, 55 free


def test_print_warns_when_store_is_left_unfilled(tmp_path):
    proc = run("print", "online-cx@2.0.0", "--lang", "id", "-o", tmp_path / "k.html")
    assert proc.returncode == 0 and "no --store given" in proc.stderr
    proc = run("print", "online-cx@2.0.0", "--store", STORE, "-o", tmp_path / "k2.html")
    assert proc.returncode == 0 and "no --store" not in proc.stderr


def test_reliability_sem_and_pilot_read_google_forms(export, tmp_path):
    proc = run("reliability", export, "--instrument", "online-cx@2.0.0")
    assert proc.returncode == 0, proc.stderr
    assert "Reliability and convergent validity" in proc.stdout
    proc = run("sem", export, "--instrument", "online-cx@2.0.0", "--model", "direct")
    assert proc.returncode == 0, proc.stderr
    assert "CFI" in proc.stdout
    small = tmp_path / "pilot.csv"
    pd.read_csv(export, sep=";", encoding="utf-8-sig").head(30).to_csv(small, sep=";", index=False)
    proc = run(
        "pilot", small, "--instrument", "online-cx@2.0.0", "--lang", "id", "--out", tmp_path / "p"
    )
    assert proc.returncode == 0, proc.stderr
    assert "KMO" in proc.stdout and "0.361" in proc.stdout  # r-tabel for df = 28
    page = (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
    assert "r-tabel" in page and ".36" in page and "Analisis faktor eksploratori" in page
    assert (tmp_path / "p" / "report.docx").exists() and (tmp_path / "p" / "report.xlsx").exists()


def test_model_file_helpers():
    syntax = MODEL.read_text(encoding="utf-8")
    h = hypotheses_of(syntax)
    assert h[("TR", "OE")][0] == "H1" and h[("LOY", "OE")][0] == "H5"
    assert "kepercayaan" in h[("TR", "OE")][1]
    with pytest.raises(SpecificationError, match="cannot tell which path H2"):
        hypotheses_of("# H2: something\nY ~ X")
    with pytest.raises(SpecificationError, match="2 predictors"):
        hypotheses_of("Y ~ X + Z  # H1")
    assert "EC3" not in drop_items(syntax, ["EC3"]) and "EC1 + EC2" in drop_items(syntax, ["EC3"])
    with pytest.raises(SpecificationError, match="XX9 is not an indicator"):
        drop_items(syntax, ["XX9"])
    with pytest.raises(SpecificationError, match="no indicator"):
        drop_items("F =~ a + b\nG =~ c", ["c"])


def test_typed_cells():
    assert typed(".85") == 0.85 and typed("−.050") == -0.05 and typed("12") == 12
    assert typed("=HYPERLINK(1)") == "'=HYPERLINK(1)" and typed("@x") == "'@x"
    assert (
        typed("-x") == "'-x" and typed("+62 812") == "'+62 812" and typed("[.1, .2]") == "[.1, .2]"
    )
    assert np.isclose(typed("−0.120"), -0.12)
