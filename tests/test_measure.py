"""Measurement functions: instruments and reverse keys, provenance, bad input, pingouin agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import yaml

import cxkit
from cxkit.datasets import load_dataset
from cxkit.errors import ResponseError, SpecificationError

from .conftest import INSTRUMENTS

LOY = {"LOY": ["loy1", "loy2", "loy3", "loy4"]}


@pytest.fixture(scope="module")
def ecsi():
    return load_dataset("satisfaction")


def test_instrument_gives_constructs_and_provenance(ecsi):
    ins = cxkit.load_instrument("ecsi@1.0.0")
    rel = cxkit.reliability(ecsi, ins)
    assert list(rel.index) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
    assert rel.attrs["instrument"] == "ecsi@1.0.0"
    assert rel.attrs["instrument_sha256"] == ins.sha256
    assert rel.attrs["cfa_n"] == 250


def test_reverse_keyed_items_are_reversed_through_the_instrument(ecsi, tmp_path):
    data = yaml.safe_load((INSTRUMENTS / "ecsi" / "1.0.0.yaml").read_text(encoding="utf-8"))
    data["scales"]["rating11"]["type"] = "likert"
    for item in data["items"]:
        if item["id"] == "loy2":
            item["reverse"] = True
    path = tmp_path / "ecsi-rev.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ins = cxkit.load_instrument(path)
    flipped = ecsi.assign(loy2=10 - ecsi["loy2"])
    before = flipped.copy()
    got = cxkit.reliability(flipped, ins)
    want = cxkit.reliability(ecsi, dict(ins.constructs))
    pd.testing.assert_frame_equal(got, want, check_exact=False, atol=1e-9, rtol=0)
    assert got.attrs["reversed_items"] == ["loy2"]
    pd.testing.assert_frame_equal(flipped, before)  # the caller's data is untouched
    items = cxkit.item_statistics(flipped, ins)
    assert bool(items.loc["loy2", "reversed"]) and not bool(items.loc["loy1", "reversed"])
    assert items.loc["loy2", "r_drop"] > 0


def test_alpha_agrees_with_pingouin_on_complete_data(ecsi):
    ours = cxkit.reliability(ecsi, LOY, cfa=False).loc["LOY"]
    theirs, ci = pg.cronbach_alpha(ecsi[LOY["LOY"]])
    assert ours["alpha"] == pytest.approx(theirs, abs=1e-12)
    # pingouin rounds its interval to three decimals inside the computation
    assert ours["alpha_ci_low"] == pytest.approx(ci[0], abs=5e-4)


def test_output_columns_are_documented(ecsi):
    rel = cxkit.reliability(ecsi, LOY, cfa=False)
    assert list(rel.columns[:9]) == [
        "n",
        "n_items",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "alpha_std",
        "omega",
        "cr",
        "ave",
    ]
    assert rel["omega"].isna().all()  # cfa=False
    st = cxkit.item_statistics(ecsi, LOY)
    assert list(st.columns[:6]) == ["construct", "n", "mean", "sd", "r_drop", "alpha_if_deleted"]


def test_two_item_single_construct_warns_and_leaves_cfa_columns_empty(ecsi):
    with pytest.warns(cxkit.errors.ModelWarning, match="not identified"):
        rel = cxkit.reliability(ecsi, {"X": ["loy1", "loy2"]})
    assert np.isnan(rel.loc["X", "omega"]) and not np.isnan(rel.loc["X", "alpha"])


def test_htmt_bootstrap_is_reproducible(ecsi):
    blocks = {"VAL": ["val1", "val2", "val3", "val4"], **LOY}
    a = cxkit.htmt_bootstrap(ecsi, blocks, n_boot=100, seed=3)
    b = cxkit.htmt_bootstrap(ecsi, blocks, n_boot=100, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[0, "htmt"] == pytest.approx(cxkit.htmt(ecsi, blocks).loc["VAL", "LOY"])


def test_cross_loadings_shape(ecsi):
    cl = cxkit.cross_loadings(ecsi, cxkit.load_instrument("ecsi@1.0.0"))
    assert cl.shape == (27, 8)
    assert cl.loc["sat1", "SAT"] > 0.8


# ---- bad input -------------------------------------------------------------------------------


def test_construct_with_one_item(ecsi):
    with pytest.raises(
        SpecificationError, match=r"construct 'X' has 1 item \(loy1\); it needs at least 2"
    ):
        cxkit.reliability(ecsi, {"X": ["loy1"]})


def test_constant_item(ecsi):
    with pytest.raises(ResponseError, match="item 'loy1' is constant .every answer is 5"):
        cxkit.reliability(ecsi.assign(loy1=5), LOY)


def test_non_numeric_column(ecsi):
    data = ecsi.assign(loy3=ecsi["loy3"].astype(str).replace("7", "seven"))
    with pytest.raises(
        ResponseError, match="column 'loy3' is not numeric .* first non-numeric value 'seven'"
    ):
        cxkit.reliability(data, LOY)


def test_missing_column_with_hint(ecsi):
    with pytest.raises(
        ResponseError,
        match=r"not in the data: 'loy5' \(did you mean 'loy1'\?\)|not in the data: 'loy5'",
    ):
        cxkit.htmt(ecsi, {"LOY": ["loy1", "loy5"], "VAL": ["val1", "val2"]})


def test_bad_options(ecsi):
    with pytest.raises(
        SpecificationError,
        match="missing='everything' is not accepted; use one of: 'listwise', 'pairwise'",
    ):
        cxkit.reliability(ecsi, LOY, missing="everything")
    with pytest.raises(SpecificationError, match="data must be a pandas DataFrame"):
        cxkit.reliability(ecsi.to_numpy(), LOY)
    with pytest.raises(SpecificationError, match="must be a list of column names"):
        cxkit.reliability(ecsi, {"LOY": "loy1"})
    with pytest.raises(SpecificationError, match="listed under both"):
        cxkit.reliability(ecsi, {"A": ["loy1", "loy2"], "B": ["loy2", "loy3"]})


def test_ordinal_needs_few_categories(ecsi):
    with pytest.raises(
        SpecificationError, match="at most 8 answer categories; these items use 11 different values"
    ):
        cxkit.reliability(ecsi, LOY, ordinal=True)


def test_apa_reliability_table(ecsi):
    from cxkit.report import reliability_table

    rel = cxkit.reliability(ecsi, cxkit.load_instrument("ecsi@1.0.0"))
    table = reliability_table(rel)
    row = table.data.loc["IMAG"]
    assert row["α [95% CI]"] == ".82 [.78, .85]"  # 0.8219 [0.7844, 0.8545]
    assert row["AVE"] == ".52"
    assert "ecsi@1.0.0" in table.note
    assert "<table>" in table._repr_html_() and "| IMAG |" in table.to_markdown()
    assert rel.loc["IMAG", "alpha"] != round(
        rel.loc["IMAG", "alpha"], 2
    )  # the frame stays unrounded
