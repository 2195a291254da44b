"""Ordered and continuous indicators mixed (``ordered=[...]`` naming some of the model's
variables), lavaan's WLSMV, against lavaan 0.6-14 (tests/reference/wlsmv_mixed: make.R,
sessionInfo.txt, CSVs): psych's bfi with A1–A5 ordered and C1–C5 continuous — polychoric,
polyserial and Pearson moments, the continuous items' means and variances, Γ (Muthén, 1984, with
lavaan's change to covariances), DWLS estimates, robust SEs, fit; in one group and across gender
groups (thresholds equal: lavaan ties the continuous intercepts too; thresholds, loadings and
intercepts equal)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.sem.categorical import mixed_moments

from .lavaan import REFERENCE, assert_matches_lavaan
from .test_wlsmv_missing_mi import MODEL, _reverse

CASE = REFERENCE / "wlsmv_mixed"
ORDERED = ["A1", "A2", "A3", "A4", "A5"]


@pytest.fixture(scope="module")
def fit():
    d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
    return cxkit.fit_sem(MODEL, d, ordered=ORDERED)


def test_mixed_sample_statistics():
    d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")).dropna()
    cols = list(d.columns)
    x = d.to_numpy(float)
    levels = [np.unique(x[:, j]) if c in ORDERED else None for j, c in enumerate(cols)]
    codes = np.column_stack(
        [np.searchsorted(lv, x[:, j]) if lv is not None else np.zeros(len(x), int)
         for j, lv in enumerate(levels)]
    )  # fmt: skip
    mom = mixed_moments(x, codes, cols, levels)
    ref = pd.read_csv(CASE / "mixed_weights.csv")
    np.testing.assert_allclose(mom.vector(), ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(mom.gamma), ref["gamma"], rtol=1e-6)
    cov = pd.read_csv(CASE / "mixed_cov.csv", index_col=0)
    np.testing.assert_allclose(mom.cov, cov.loc[cols, cols].to_numpy(), atol=1e-7)


def test_mixed_matches_lavaan(fit):
    assert fit.converged
    assert fit.provenance["continuous"] == ["C1", "C2", "C3", "C4", "C5"]
    assert_matches_lavaan(fit, "wlsmv_mixed", "mixed")
    est = fit.estimates
    assert set(est.loc[est["op"] == "|", "lhs"]) == set(ORDERED)
    assert set(est.loc[est["op"] == "~*~", "lhs"]) == set(ORDERED)


@pytest.mark.parametrize(
    "name, equal",
    [("thresholds", ["thresholds"]), ("intercepts", ["thresholds", "loadings", "intercepts"])],
)
def test_mixed_groups_match_lavaan(name, equal):
    d = _reverse(pd.read_csv(REFERENCE / "wlsmv_groups" / "data.csv"))
    fit = cxkit.fit_sem(MODEL, d, ordered=ORDERED, group="gender", group_equal=equal)
    assert_matches_lavaan(fit, "wlsmv_mixed", f"groups_{name}")


def test_mixed_modification_indices_run(fit):
    mi = fit.modification_indices()
    assert {"=~", "~~"} <= set(mi["op"]) and (mi["mi"] >= 0).all()
