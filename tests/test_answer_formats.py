"""Answers and headers as real exports write them; reading options for one's own files."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit
from cxkit.cli import main
from cxkit.errors import ResponseError

V1 = cxkit.load_instrument("online-cx@1.0.0")
V2 = cxkit.load_instrument("online-cx@2.0.0")


def test_coded_labels_abbreviations_and_numbered_headers():
    ec1 = V2.item("EC1").text["id"].replace("{store}", "Toko Contoh")
    df = pd.DataFrame(
        {
            f"1. {ec1}": ["6 - Setuju", "7 – Sangat setuju", "3. Agak tidak setuju", "4"],
            "EC2": ["STS", "TS", "ATS", "N"],
            "EC3": ["AS", "S", "SS", "sangat setuju."],
        }
    )
    r = cxkit.read_responses(df, V2)
    assert r.data["EC1"].tolist() == [6, 7, 3, 4]
    assert r.data["EC2"].tolist() == [1, 2, 3, 4]
    assert r.data["EC3"].tolist() == [5, 6, 7, 7]
    assert not r.problems["reason"].eq("not_a_number").any()
    bad = cxkit.read_responses(pd.DataFrame({"EC1": ["9 - Setuju", "kadang"]}), V2).problems
    assert bad.query("reason == 'not_a_number'")["value"].tolist() == ["9 - Setuju", "kadang"]


def test_choice_labels_with_the_store_name_count_in_nps_by_segment():
    sim = cxkit.simulate(V2, 60, seed=2)
    own = next(c for c, lab in V2.item("MARKET").scale.labels("id").items() if "{store}" in lab)
    label = V2.item("MARKET").scale.labels("id")[own].replace("{store}", "Toko Contoh")
    sim["MARKET"] = sim["MARKET"].astype(object)
    sim.loc[sim.index[:13], "MARKET"] = label
    r = cxkit.read_responses(sim, V2)
    assert not r.problems.query("column == 'MARKET' and reason == 'not_a_number'").shape[0]
    by = cxkit.nps(r, by="MARKET")
    assert int(by["n"].drop("(all)").sum()) == int(r.data["NPS1"].notna().sum()) == 60
    assert int(by["n"].filter(like="own").sum()) >= 13


def test_own_column_codes_with_a_map_file(tmp_path, capsys):
    sim = cxkit.simulate(V1, 20, seed=1)
    codes = {
        i: f"X{k + 1}.{j + 1}"
        for k, ids in enumerate(V1.constructs.values())
        for j, i in enumerate(ids)
    }
    data = tmp_path / "mine.csv"
    sim.rename(columns=codes).to_csv(data, index=False)
    mapping = tmp_path / "map.csv"
    pd.DataFrame({"column": list(codes.values()), "item": list(codes)}).to_csv(mapping, index=False)
    assert main(
        ["validate", str(data), "-i", V1.ref, "--map", str(mapping), "-o", str(tmp_path / "p.csv")]
    ) in (0, 1)
    r = cxkit.read_responses(data, V1, column_map=mapping)
    assert set(r.meta["columns"].values()) >= set(codes)
    (tmp_path / "bad.yaml").write_text("X1.1: EC9\n", encoding="utf-8")
    with pytest.raises(
        ResponseError, match="maps 'X1.1' to 'EC9', which is no item of online-cx@1.0.0"
    ):
        cxkit.read_responses(data, V1, column_map=tmp_path / "bad.yaml")


def test_data_of_another_version_get_the_hint():
    r = cxkit.read_responses(cxkit.simulate(V1, 30, seed=1), V2)
    hint = r.problems.query("reason == 'wrong_instrument_version'")["message"]
    assert hint.str.contains("these data look like online-cx@1.0.0").any()
    same = cxkit.read_responses(cxkit.simulate(V2, 30, seed=1), V2).problems
    assert not same["message"].str.contains("these data look like").any()


def test_title_row_above_the_header_sheet_and_skip_rows(tmp_path, capsys):
    sim = cxkit.simulate(V1, 10, seed=1)
    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"a": [1]}).to_excel(xw, sheet_name="notes", index=False)
        title = pd.DataFrame(
            [["Survei kepuasan Toko Contoh"] + [""] * (sim.shape[1] - 1)], columns=sim.columns
        )
        pd.concat([pd.DataFrame([sim.columns], columns=sim.columns), sim.astype(object)]).to_excel(
            xw, sheet_name="jawaban", index=False, header=list(title.iloc[0])
        )
    with pytest.raises(ResponseError, match="header seems to be on row 2"):
        cxkit.read_responses(path, V1, sheet="jawaban")
    r = cxkit.read_responses(path, V1, sheet="jawaban", skip_rows=1)
    assert r.data["EC1"].tolist() == sim["EC1"].astype(float).tolist()
    assert (
        main(
            ["validate", str(path), "-i", V1.ref, "--sheet", "nope", "-o", str(tmp_path / "p.csv")]
        )
        == 2
    )
    assert "has no sheet 'nope'; its sheets: 'notes', 'jawaban'" in capsys.readouterr().err
    assert main(
        [
            "validate",
            str(path),
            "-i",
            V1.ref,
            "--sheet",
            "1",
            "--skip-rows",
            "1",
            "-o",
            str(tmp_path / "p.csv"),
        ]
    ) in (0, 1)
