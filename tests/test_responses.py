"""Reading real exports against an instrument: formats, mapping, lazy validation, flags, scoring."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ResponseError, SpecificationError
from cxkit.responses.quality import QualityRules

DATA = Path(__file__).resolve().parent / "data"
V1 = cxkit.load_instrument("online-cx@1.0.0")
V2 = cxkit.load_instrument("online-cx@2.0.0")


def reasons(r):
    return r.problems["reason"].value_counts().to_dict()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_google_forms_indonesian_excel_csv():
    path = DATA / "google_forms_id.csv"
    before = digest(path)
    r = cxkit.read_responses(path, V1)
    assert digest(path) == before  # the input is never modified
    assert (r.meta["encoding"], r.meta["delimiter"], r.meta["decimal"]) == ("utf-8-sig", ";", ",")
    assert list(r.data.columns) == [i.id for i in V1.items]  # question texts mapped to item ids
    assert r.data.loc[1, "EC1"] == 7 and r.data.loc[1, "EC2"] == 6  # 'Sangat setuju', 'Setuju'
    assert reasons(r) == {"not_a_number": 1, "missing": 1, "out_of_range": 1}
    p = r.problems.set_index(["row", "column"])
    assert (
        p.loc[(3, "EC2"), "value"] == "Setuju sekali"
        and p.loc[(3, "EC2"), "reason"] == "not_a_number"
    )
    assert p.loc[(3, "RS1"), "reason"] == "out_of_range" and np.isnan(r.data.loc[3, "RS1"])
    assert p.loc[(3, "OE1"), "reason"] == "missing"
    assert r.flags.loc[2, "straightlining"] and r.flags.loc[2, "too_fast"]
    assert r.flags.loc[1, "seconds"] == pytest.approx(125.5)  # decimal comma
    assert not r.flags.loc[1, "flagged"]
    mapped = r.log[r.log.reason == "answer label mapped to its code"]
    assert (
        len(mapped) == 3
    )  # row 1: EC1 'Sangat setuju', EC2 'Setuju', TR1 'Sangat setuju'; nothing else
    assert set(mapped["old"]) == {"Sangat setuju", "Setuju"}


def test_kobo_export_with_group_prefixes():
    r = cxkit.read_responses(DATA / "kobo.csv", V2)
    assert reasons(r) == {
        "missing_column": 1,
        "out_of_range": 1,
        "duplicate_respondent": 1,
        "wrong_instrument_version": 1,
    }
    assert r.problems.query("reason == 'missing_column'")["column"].tolist() == ["OPEN1"]
    assert "CONTACT" not in r.data and r.personal is None
    assert "EC1" in r.data and r.meta["columns"]["cx/EC1"] == "EC1"
    assert r.flags["respondent"].tolist() == ["101", "102", "103", "103", "105", "106"]
    assert (
        r.flags.loc[4, "duplicate"] and r.flags.loc[6, "too_fast"]
    )  # 40 seconds from start to end
    kept = cxkit.read_responses(DATA / "kobo.csv", V2, keep_personal=True)
    assert kept.personal["CONTACT"].tolist()[0] == "a@example.com"


def test_excel_with_labels_missing_codes_and_text():
    r = cxkit.read_responses(DATA / "answers.xlsx", V1)
    assert reasons(r) == {"not_a_number": 1}
    assert r.data.loc[2, "EC1"] == 7  # 'Strongly agree'
    assert np.isnan(r.data.loc[3, "OE2"])  # 99 is the missing-data code: blank, logged, no problem
    assert "missing-data code set blank" in set(r.log["reason"])


def test_spss_with_value_labels():
    r = cxkit.read_responses(DATA / "answers.sav", V1)
    assert r.meta["format"] == "sav" and len(r.problems) == 0
    assert r.data["EC1"].tolist() == [7, 6, 2]
    assert r.meta["value_labels"]["EC1"][7.0] == "Strongly agree"  # kept


def test_latin1_csv_is_detected():
    r = cxkit.read_responses(DATA / "latin1.csv", V1)
    assert r.meta["encoding"] == "cp1252"
    assert r.flags["respondent"].tolist() == ["André", "Beyoncé"]
    assert reasons(r) == {"missing_column": 9, "unknown_column": 1}


def test_dataframe_input_is_never_modified():
    df = cxkit.simulate(V2, 30, seed=2, missing=0.1)
    df.loc[3, "EC1"] = 12
    before = df.copy()
    r = cxkit.read_responses(df, V2)
    pd.testing.assert_frame_equal(df, before)
    assert np.isnan(r.data.loc[4, "EC1"])  # row numbers start at 1
    assert (r.problems.query("reason == 'out_of_range'")["row"] == 4).all()


def test_each_problem_cell_is_reported_once():
    df = pd.DataFrame({"EC1": ["x", 9, None], "EC2": [1, 2, 3]})
    r = cxkit.read_responses(df, V1)
    cells = r.problems.dropna(subset=["row"])[["row", "column"]]
    assert not cells.duplicated().any()
    assert reasons(r)["missing_column"] == 10


def test_wrong_version_columns_are_named():
    df = cxkit.simulate(V2, 5, seed=1)
    r = cxkit.read_responses(df, V1)
    wrong = r.problems.query("reason == 'wrong_instrument_version'")
    assert "OE4" in set(wrong["column"]) and "online-cx@2.0.0" in wrong["message"].iloc[0]


def test_exclusion_is_explicit_and_logged():
    df = cxkit.simulate(V2, 300, seed=9, careless=0.2)
    r = cxkit.read_responses(df, V2)
    n_failed = int(r.flags["attention_failed"].sum())
    assert n_failed > 0 and len(r.data) == 300
    kept = cxkit.read_responses(df, V2, exclude=["attention_failed"])
    assert len(kept.data) == 300 - n_failed and len(kept.excluded) == n_failed
    assert kept.log["reason"].str.startswith("excluded: attention_failed").sum() == n_failed
    assert f"{n_failed} rows excluded" in kept.summary()
    none = cxkit.read_responses(cxkit.simulate(V2, 20, seed=1), V2, exclude=["attention_failed"])
    assert (
        len(none.data) == 20
        and len(none.excluded) == 0
        and none.meta["exclude"] == ["attention_failed"]
    )
    with pytest.raises(SpecificationError, match="exclude='lazy' is not accepted"):
        r.exclude(["lazy"])


def test_quality_rules_are_configurable():
    df = cxkit.simulate(V2, 50, seed=3)
    strict = cxkit.read_responses(df, V2, rules=QualityRules(straightline_run=3))
    loose = cxkit.read_responses(df, V2)
    assert strict.flags["straightlining"].sum() > loose.flags["straightlining"].sum()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "the file is empty"),
        ("header_only.csv", "has a header but no answers"),
        ("not_a_table.csv", "no column is an item of online-cx@1.0.0"),
        ("binary.csv", "is not text in UTF-8"),
        ("missing.csv", "no such file"),
    ],
)
def test_unreadable_inputs(name, message):
    with pytest.raises(ResponseError, match=message):
        cxkit.read_responses(DATA / name, V1)


def test_unknown_file_type(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text("{}")
    with pytest.raises(ResponseError, match="cannot read files of type '.json'"):
        cxkit.read_responses(path, V1)


# ---- scoring ------------------------------------------------------------------------------------


def test_score_applies_reverse_keys_and_minimum_share():
    df = pd.DataFrame(
        {"OE1": [7, 5, None], "OE2": [6, None, None], "OE3": [7, None, None], "OE4": [1, 3, 4]}
    )
    r = cxkit.read_responses(df, V2)
    s = cxkit.score(r)
    assert s.loc[1, "OE"] == pytest.approx((7 + 6 + 7 + 7) / 4)
    assert s.loc[2, "OE"] == pytest.approx((5 + 5) / 2)  # 2 of 4 answered: enough at min_share .5
    assert np.isnan(s.loc[3, "OE"])  # 1 of 4
    assert np.isnan(cxkit.score(r, min_share=0.75).loc[2, "OE"])
    assert s.attrs["reversed_items"] == ["OE4"] and s.attrs["instrument"] == "online-cx@2.0.0"
