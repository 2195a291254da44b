"""Ordinal SEM (``ordered=True``, lavaan's ``estimator = "WLSMV"``) against lavaan 0.6-14
(tests/reference/wlsmv: make.R, sessionInfo.txt, CSVs).

Thresholds, polychoric correlations and the NACOV diagonal; estimates (thresholds, loadings,
regressions, latent (co)variances, the fixed residual variances of y*), robust SEs, standardised
values; χ², the scaled-shifted χ², CFI, TLI, RMSEA (ordinary and scaled), SRMR. Tolerances: sample
statistics 1e-6 (Γ 1e-5 relative), estimates 1e-5, SEs 1e-3 relative, std.all 1e-4, fit indices 1e-4
absolute (χ² statistics 1e-5 relative).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ResponseError, SpecificationError
from cxkit.sem.categorical import ordinal_moments

from .lavaan import REFERENCE, assert_matches_lavaan

WL = REFERENCE / "wlsmv"
BFI = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"


def _bfi():
    d = pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")
    for v in ("A1", "C4", "C5"):
        d[v] = 7 - d[v]
    return d


def _cx():
    d = pd.read_csv(REFERENCE / "sem_cx" / "data.csv")
    d["OE4"] = 8 - d["OE4"]
    return d


CASES = {
    "bfi": lambda: (BFI, _bfi()),
    "cx_direct": lambda: ((REFERENCE / "sem_cx" / "direct" / "model.lav").read_text(), _cx()),
    "cx_pyramid": lambda: ((REFERENCE / "sem_cx" / "pyramid" / "model.lav").read_text(), _cx()),
    # saturated, with negative loadings (A1 not reversed)
    "bfi3": lambda: ("a =~ A1 + A2 + A3", pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    model, data = CASES[request.param]()
    return request.param, data, cxkit.fit_sem(model, data, ordered=True)


def test_sample_statistics_match_lavaan(case):
    name, data, fit = case
    ref_cor = pd.read_csv(WL / f"{name}_polychoric.csv", index_col=0)
    cols = list(ref_cor.columns)
    used = data[cols].dropna()
    levels = [np.sort(used[c].unique()) for c in cols]
    codes = np.column_stack(
        [np.searchsorted(lv, used[c]) for lv, c in zip(levels, cols, strict=True)]
    )
    mom = ordinal_moments(codes, cols, levels)
    assert mom.n == int((WL / f"{name}_n.txt").read_text())
    th = pd.read_csv(WL / f"{name}_thresholds.csv")["value"].to_numpy()
    np.testing.assert_allclose(np.concatenate(mom.thresholds), th, atol=1e-6)
    np.testing.assert_allclose(mom.cor, ref_cor.to_numpy(), atol=1e-6)
    gamma = pd.read_csv(WL / f"{name}_weights.csv")["gamma"].to_numpy()
    np.testing.assert_allclose(np.diag(mom.gamma), gamma, rtol=1e-5)
    np.testing.assert_allclose(fit.sample_cov.to_numpy(), ref_cor.to_numpy(), atol=1e-6)


def test_estimates_and_robust_standard_errors(case):
    name, _, fit = case
    assert_matches_lavaan(fit, "wlsmv", name, ("estimates",))
    assert fit.provenance["estimator"] == "WLSMV"


def test_fit_indices(case):
    name, _, fit = case
    assert_matches_lavaan(fit, "wlsmv", name, ("fit",))
    assert np.isnan(fit.fit_indices["loglik"])
    assert "WLSMV" in fit.summary()


def test_ordered_errors_are_clear():
    d = _bfi()
    with pytest.raises(SpecificationError, match="ordered=True"):
        cxkit.fit_sem(BFI, d, estimator="WLSMV")
    with pytest.raises(SpecificationError, match="mix of ordered and continuous.*C1"):
        cxkit.fit_sem(BFI, d, ordered=["A1", "A2", "A3", "A4", "A5"], missing="pairwise")
    with pytest.raises(SpecificationError, match="'E1', which the model does not use"):
        cxkit.fit_sem(BFI, d, ordered=["E1"])
    with pytest.raises(SpecificationError, match="not available"):
        cxkit.fit_sem(BFI, d, ordered=True, estimator="MLR")
    with pytest.raises(SpecificationError, match="listwise"):
        cxkit.fit_sem(BFI, d, ordered=True, missing="fiml")
    bad = d.assign(A2=d["A2"] + 0.5)
    with pytest.raises(ResponseError, match="'A2'.*non-integer"):
        cxkit.fit_sem(BFI, bad, ordered=True)
    fit = cxkit.fit_sem(BFI, d, ordered=True)
    assert len(fit.modification_indices()) > 0  # lavaan's values: test_wlsmv_missing_mi.py
    with pytest.raises(SpecificationError, match="BCa intervals of ordinal"):
        fit.bootstrap(100, ci="bca")
    resid = fit.residuals("cor")
    assert resid.shape == (10, 10)
    with pytest.raises(SpecificationError, match="fitted the same way"):
        cxkit.compare_models(fit, cxkit.fit_sem(BFI, d))
    complete = d.dropna()
    with pytest.raises(SpecificationError, match="same ordered variables"):
        cxkit.compare_models(
            cxkit.fit_sem(BFI, complete, ordered=True),
            cxkit.fit_sem("agree =~ A1 + A2 + A3 + A4 + A5", complete, ordered=True),
        )


@pytest.mark.parametrize(
    "restricted, model",
    [
        ("one", "f =~ A1 + A2 + A3 + A4 + A5 + C1 + C2 + C3 + C4 + C5"),
        ("eq", "agree =~ A1 + a*A2 + a*A3 + a*A4 + a*A5\nconsc =~ C1 + c*C2 + c*C3 + c*C4 + c*C5"),
    ],
)
def test_difftest_matches_lavtestlrt(restricted, model):
    """Nested WLSMV fits: the mean- and variance-adjusted difference (lavaan: satorra.2000)."""
    d = _bfi()
    two = cxkit.fit_sem(BFI, d, ordered=True)
    other = cxkit.fit_sem(model, d, ordered=True)
    got = cxkit.compare_models(two, other, names=["two", restricted])
    ref = pd.read_csv(WL / "bfi_difftest.csv").set_index("restricted").loc[restricted]
    assert got.attrs["test"] == ref["method"] == "satorra.2000"
    assert got.loc[restricted, "chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=1e-5)
    assert got.loc[restricted, "df_diff"] == ref["df_diff"]
    assert got.loc[restricted, "p_diff"] == pytest.approx(ref["p_diff"], rel=1e-3)


def test_wlsmv_differs_from_ml_on_likert_data():
    """Polychoric loadings exceed the Pearson-based ML standardised loadings on skewed items."""
    d = _bfi()
    ml = cxkit.fit_sem(BFI, d).estimates.query("op == '=~'")["std_all"].to_numpy()
    wl = cxkit.fit_sem(BFI, d, ordered=True).estimates.query("op == '=~'")["std_all"].to_numpy()
    assert (wl > ml).mean() >= 0.8
