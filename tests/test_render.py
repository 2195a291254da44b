"""Printable questionnaires and fielding exports: content, literal text, snapshots, pyxform."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import cxkit
from cxkit.errors import InstrumentError, SpecificationError
from cxkit.render import layout, render
from cxkit.render.html import html_source
from cxkit.render.pdf import typst_source
from cxkit.render.xlsform import xlsform_sheets

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
STORE = 'Toko #1 & *Co* $5 <b> _x_ "q"'


def squash(text: str) -> str:
    """White space folded; a line broken after a hyphen ("orang-\norang") joined again."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text))


def pdf_text(path: Path) -> str:
    return squash(" ".join(page.extract_text() or "" for page in PdfReader(path).pages))


@pytest.mark.parametrize("ref", ["online-cx@1.0.0", "online-cx@2.0.0"])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_pdf_holds_every_text_and_anchor(tmp_path, ref, lang):
    ins = cxkit.load_instrument(ref)
    path = render(ins, "pdf", tmp_path / "q.pdf", lang=lang, store=STORE)
    text = pdf_text(path)
    for item in ins.items:
        assert squash(item.label(lang, STORE)) in text, item.id
    for scale in ins.scales.values():
        for label in scale.labels(lang).values():
            assert squash(label.replace("{store}", STORE)) in text, label
    assert STORE in text  # printed literally, never read as markup
    assert f"{ins.ref} · sha256 {ins.sha256[:8]}" in text
    pages = len(PdfReader(path).pages)
    assert (1 <= pages <= 2) if ref.endswith("1.0.0") else (2 <= pages <= 5)
    ui = {"en": "Page 1 of", "id": "Halaman 1 dari"}[lang]
    assert ui in text


def test_html_is_self_contained_and_literal(tmp_path):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    path = render(ins, "html", tmp_path / "q.html", lang="id", store=STORE)
    page = path.read_text(encoding="utf-8")
    assert (
        "Toko #1 &amp; *Co* $5 &lt;b&gt; _x_ &quot;q&quot;" in page
        and "<b>" not in page.split("<body>")[1]
    )
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert page.count('type="radio" name="EC1"') == 7
    assert "@page" in page and "counter(pages)" in page


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("CXKIT_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; rerun with CXKIT_UPDATE_SNAPSHOTS=1 if intended"
    )


def test_snapshots_of_typst_and_html():
    doc = layout(cxkit.load_instrument("online-cx@1.0.0"), "id", "Toko Contoh")
    snapshot("online-cx-1.0.0-id.typ", typst_source(doc))
    snapshot("online-cx-1.0.0-id.html", html_source(doc))


def test_shuffled_order_is_reproducible_and_recorded(tmp_path):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    a = layout(ins, "en", order="shuffled", seed=11)
    b = layout(ins, "en", order="shuffled", seed=11)
    d = layout(ins, "en")
    assert a.printed_order == b.printed_order != d.printed_order
    assert a.order_code == "S11" and d.order_code == "D"
    assert sorted(a.printed_order) == sorted(d.printed_order)
    assert a.printed_order.index("ATT1") == d.printed_order.index("ATT1")  # checks stay in place
    text = pdf_text(render(ins, "pdf", tmp_path / "s.pdf", order="shuffled", seed=11))
    assert "order S11" in text
    first = ins.item(a.printed_order[0]).label("en", ins.default_store("en"))
    assert f"1. {squash(first)}" in text


def test_omit_sections_and_letter_paper(tmp_path):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    doc = layout(ins, "en", omit=["about", "open"])
    assert "AGE" not in doc.printed_order and "OPEN1" not in doc.printed_order
    path = render(ins, "pdf", tmp_path / "l.pdf", paper="letter", omit=["about"])
    box = PdfReader(path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_xlsform_converts_with_pyxform(tmp_path):
    from pyxform.xls2xform import xls2xform_convert

    for ref in ("online-cx@1.0.0", "online-cx@2.0.0", "ecsi@1.0.0"):
        path = render(ref, "xlsform", tmp_path / f"{ref}.xlsx", store="Toko Contoh")
        warnings = xls2xform_convert(
            xlsform_path=str(path), xform_path=str(tmp_path / f"{ref}.xml")
        )
        assert warnings == [], (ref, warnings)
        xml = (tmp_path / f"{ref}.xml").read_text(encoding="utf-8")
        assert 'lang="English (en)"' in xml and 'lang="Indonesian (id)"' in xml
    sheets = xlsform_sheets(cxkit.load_instrument("online-cx@2.0.0"), "Toko Contoh")
    assert sheets["settings"][1][2] == "2.0.0"
    header = sheets["survey"][0]
    assert header[2:4] == ["label::English (en)", "label::Indonesian (id)"]
    names = [row[1] for row in sheets["survey"][1:]]
    assert all(i.id in names for i in cxkit.load_instrument("online-cx@2.0.0").items)
    required = {row[1]: row[4] for row in sheets["survey"][1:]}
    assert required["EC1"] == "yes" and required["OPEN1"] == ""


def test_kobo_export_of_the_xlsform_reads_back_cleanly():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    survey = xlsform_sheets(ins)["survey"]
    group, columns = None, {}
    for row in survey[1:]:
        if row[0] == "begin_group":
            group = row[1]
        elif row[0] == "end_group":
            group = None
        elif row[1] in {i.id for i in ins.items}:
            columns[row[1]] = f"{group}/{row[1]}"
    data = cxkit.simulate(ins, 20, seed=4).drop(columns=["respondent"]).rename(columns=columns)
    data["instrument_version"] = ins.ref
    data["_uuid"] = [f"u{k}" for k in range(20)]
    r = cxkit.read_responses(data, ins)
    assert len(r.problems) == 0, r.problems
    assert r.flags["respondent"].iloc[0] == "u0"


def test_codebook_and_template_follow_the_printed_order(tmp_path):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    path = render(
        ins,
        "codebook",
        tmp_path / "cb.csv",
        lang="id",
        store="Toko Contoh",
        order="shuffled",
        seed=5,
    )
    book = pd.read_csv(path)
    order = layout(ins, "id", order="shuffled", seed=5).printed_order
    assert list(book["variable"]) == list(order)
    assert set(book["variable"]) == {i.id for i in ins.items}
    assert book.set_index("variable").loc["OE4", "reverse"]
    assert book["instrument"].unique().tolist() == ["online-cx@2.0.0"]
    with (tmp_path / "cb-template.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["respondent", *order]
    md = (tmp_path / "cb.md").read_text(encoding="utf-8")
    assert "| 1 |" in md and ins.sha256 in md


def test_bad_options():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    with pytest.raises(InstrumentError, match="has no language 'fr'; available: en, id"):
        layout(ins, "fr")
    with pytest.raises(InstrumentError, match="has no section 'aboutt'; sections: cx, loyalty"):
        layout(ins, omit=["aboutt"])
    with pytest.raises(SpecificationError, match="needs a seed"):
        layout(ins, order="shuffled")
    with pytest.raises(SpecificationError, match="format='docx' is not accepted"):
        render(ins, "docx")
    with pytest.raises(InstrumentError, match="has no version"):
        render("online-cx@5.0.0", "pdf")
