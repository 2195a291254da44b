"""Item descriptives, Mardia, Mahalanobis d², the pilot-test route and common-method screens,
checked against R psych 2.2.9 (tests/reference/mardia_ecsi, tests/reference/pilot_ecsi)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxkit.errors import AnalysisError, SpecificationError
from cxkit.measure.cmb import full_collinearity_vif, harman
from cxkit.measure.normality import item_descriptives, mahalanobis, mardia
from cxkit.measure.pilot import bartlett, critical_r, efa, item_validity, kmo

REF = Path(__file__).parent / "reference"
BLOCKS = {
    "VAL": ["val1", "val2", "val3", "val4"],
    "SAT": ["sat1", "sat2", "sat3", "sat4"],
    "LOY": ["loy1", "loy2", "loy3", "loy4"],
}


@pytest.fixture(scope="module")
def full():
    return pd.read_csv(REF / "mardia_ecsi" / "data.csv")


@pytest.fixture(scope="module")
def pilot():
    return pd.read_csv(REF / "pilot_ecsi" / "data.csv")


def test_mardia_matches_psych(full):
    """psych::mardia: b1p, b2p, the χ² skewness (and small-sample), the z kurtosis, their p."""
    ref = pd.read_csv(REF / "mardia_ecsi" / "mardia.csv").iloc[0]
    got = mardia(full)
    for k in ("b1p", "b2p", "skew", "small_skew", "kurtosis"):
        assert got[k] == pytest.approx(ref[k], rel=1e-10), k
    for k in ("skew_p", "small_skew_p"):
        assert got[k] == pytest.approx(ref[k], rel=1e-6), k
    assert got["skew_df"] == 12 * 13 * 14 / 6 and got["n"] == 250


def test_mahalanobis_matches_psych(full):
    """psych::mardia's d (√d²) for every row."""
    ref = pd.read_csv(REF / "mardia_ecsi" / "d2.csv")
    got = mahalanobis(full).sort_index()
    np.testing.assert_allclose(got["d2"].to_numpy(), ref["d2"].to_numpy(), rtol=1e-10)
    assert got["p"].between(0, 1).all()


def test_item_descriptives_match_psych_describe(full):
    """psych::describe(type = 1): g1 and g2, the moment coefficients AMOS prints."""
    ref = pd.read_csv(REF / "mardia_ecsi" / "describe.csv").set_index("item")
    got = item_descriptives(full)
    for k in ("n", "mean", "sd", "median", "min", "max", "skew", "kurtosis"):
        np.testing.assert_allclose(got[k], ref[k], rtol=1e-10, err_msg=k)
    np.testing.assert_allclose(got["skew_cr"], got["skew"] / np.sqrt(6 / 250))
    np.testing.assert_allclose(got["kurtosis_cr"], got["kurtosis"] / np.sqrt(24 / 250))


def test_kmo_and_bartlett_match_psych(pilot):
    ref = pd.read_csv(REF / "pilot_ecsi" / "kmo.csv")
    got = kmo(pilot, BLOCKS)
    assert list(got.index) == ref["item"].tolist()
    np.testing.assert_allclose(got.to_numpy(), ref["msa"].to_numpy(), rtol=1e-10)
    b = bartlett(pilot, BLOCKS)
    rb = pd.read_csv(REF / "pilot_ecsi" / "bartlett.csv").iloc[0]
    assert b["chisq"] == pytest.approx(rb["chisq"], rel=1e-10)
    assert b["df"] == rb["df"] and b["pvalue"] == pytest.approx(rb["pvalue"], rel=1e-8)


def test_efa_matches_psych_fa_minres_varimax(pilot):
    """psych::fa(fm = "minres", rotate = "varimax"): loadings in psych's column order (by sum of
    squared loadings) and sign, communalities; worst agreement reached 2.2e-6."""
    ref = pd.read_csv(REF / "pilot_ecsi" / "efa.csv").set_index("item")
    got = efa(pilot, BLOCKS)
    np.testing.assert_allclose(
        got[["F1", "F2", "F3"]].to_numpy(), ref[["MR1", "MR3", "MR2"]].to_numpy(), atol=5e-6
    )
    np.testing.assert_allclose(got["communality"], ref["communality"], atol=5e-6)
    assert got.attrs["n"] == 30 and len(got.attrs["eigenvalues"]) == 12


def test_item_validity_against_r_table(pilot):
    """r_corrected is psych::alpha's r.drop; the critical r is the r-tabel value for n − 2 df."""
    ref = pd.read_csv(REF / "pilot_ecsi" / "r_drop.csv").set_index("item")
    got = item_validity(pilot, BLOCKS)
    np.testing.assert_allclose(got["r_corrected"], ref.loc[got.index, "r_drop"], rtol=1e-10)
    assert got["r_critical"].iloc[0] == pytest.approx(0.3610, abs=5e-5)  # r-tabel, df = 28
    assert (got["valid"] == (got["r_corrected"] > got["r_critical"])).all()
    assert (got["r_total"] > got["r_corrected"]).all()
    assert critical_r(102) == pytest.approx(0.1946, abs=5e-5)  # r-tabel, df = 100
    with pytest.raises(SpecificationError, match="n of at least 3"):
        critical_r(2)


def test_common_method_screens(full):
    h = harman(full, BLOCKS)
    eig = np.linalg.eigvalsh(full.corr().to_numpy())[-1]
    assert h["eigenvalue"] == pytest.approx(eig) and h["share"] == pytest.approx(eig / 12)
    scores = pd.DataFrame({c: full[ids].mean(axis=1) for c, ids in BLOCKS.items()})
    v = full_collinearity_vif(scores)
    # the VIF by its definition: 1 / (1 − R²) of an ordinary regression on the other scores
    y, x = scores["SAT"], np.column_stack([np.ones(250), scores[["VAL", "LOY"]]])
    resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    r2 = 1 - resid.var() / y.var()
    assert v.loc["SAT", "vif"] == pytest.approx(1 / (1 - r2))
    with pytest.raises(AnalysisError, match="more complete rows"):
        full_collinearity_vif(scores.head(2))
