"""estimator="MLR" against lavaan 0.6-14 (tests/reference/mlr_cx: make.R, sessionInfo.txt, CSVs).

Robust (Huber–White) standard errors, the Yuan–Bentler scaled χ² (Mplus variant) and the scaled and
robust CFI, TLI and RMSEA, for complete data, FIML and several groups; Satorra–Bentler scaled
difference tests; a model with an observed predictor (fixed.x). Estimates and fit indices through
:func:`tests.lavaan.assert_matches_lavaan` (the "MLR" rows of ``tests.lavaan.TOLERANCES``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError

from .lavaan import REFERENCE, assert_matches_lavaan

MLR = REFERENCE / "mlr_cx"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _cx_data():
    d = pd.read_csv(REFERENCE / "sem_cx" / "data.csv")
    d["OE4"] = 8 - d["OE4"]
    return d


CASES = {
    "cx_direct": lambda: (
        (REFERENCE / "sem_cx" / "direct" / "model.lav").read_text(),
        _cx_data(),
        {},
    ),
    "hs": lambda: (HS, pd.read_csv(REFERENCE / "measure_hs" / "data.csv"), {}),
    "poldem": lambda: (
        (REFERENCE / "sem_poldem" / "model.lav").read_text(),
        pd.read_csv(REFERENCE / "sem_poldem" / "data.csv"),
        {},
    ),
    "fiml": lambda: (HS, pd.read_csv(REFERENCE / "sem_fiml" / "data.csv"), {"missing": "fiml"}),
    "fixedx": lambda: (
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr",
        pd.read_csv(REFERENCE / "measure_hs" / "data.csv"),
        {},
    ),
    "saturated": lambda: (
        "visual =~ x1 + x2 + x3",
        pd.read_csv(REFERENCE / "measure_hs" / "data.csv"),
        {},
    ),
    "mg_fiml": lambda: (
        HS,
        pd.read_csv(REFERENCE / "sem_fiml" / "data.csv"),
        {"group": "school", "group_equal": ["loadings"], "missing": "fiml"},
    ),
    "mg_metric": lambda: (
        HS,
        pd.read_csv(REFERENCE / "measure_hs" / "data.csv"),
        {"group": "school", "group_equal": ["loadings"]},
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    model, data, kwargs = CASES[request.param]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        fit = cxkit.fit_sem(model, data, estimator="MLR", **kwargs)
    return request.param, fit


def test_estimates_and_robust_standard_errors(case):
    name, fit = case
    assert_matches_lavaan(fit, "mlr_cx", name, ("estimates",))
    assert fit.provenance["estimator"] == "MLR"


def test_scaled_and_robust_fit_indices(case):
    name, fit = case
    assert_matches_lavaan(fit, "mlr_cx", name, ("fit",))


def test_mlr_standard_errors_differ_from_ml():
    """Same estimates and χ² as ML, different (robust) standard errors on skewed Likert data."""
    model = (REFERENCE / "sem_cx" / "direct" / "model.lav").read_text()
    ml = cxkit.fit_sem(model, _cx_data())
    mlr = cxkit.fit_sem(model, _cx_data(), estimator="MLR")
    np.testing.assert_allclose(mlr.estimates["est"], ml.estimates["est"])
    assert mlr.fit_indices["chisq"] == pytest.approx(ml.fit_indices["chisq"])
    free = ml.estimates["se"] > 0
    ratio = mlr.estimates.loc[free, "se"] / ml.estimates.loc[free, "se"]
    assert (np.abs(ratio - 1) > 0.01).any()
    assert "scaling_factor" not in ml.fit_indices


def test_scaled_difference_test_matches_lavtestlrt():
    hs = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
    free = cxkit.fit_sem(HS, hs, estimator="MLR")
    equal = cxkit.fit_sem(
        "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + c*x8 + c*x9",
        hs,
        estimator="MLR",
    )
    got = cxkit.compare_models(free, equal, names=["free", "equal"])
    ref = pd.read_csv(MLR / "compare.csv").set_index("model")
    assert got.attrs["test"] == "satorra.bentler.2001"
    assert got.loc["equal", "chisq_diff"] == pytest.approx(ref.loc["equal", "chisq_diff"], rel=1e-5)
    assert got.loc["equal", "p_diff"] == pytest.approx(ref.loc["equal", "p_diff"], rel=1e-4)
    ml = cxkit.fit_sem(HS, hs)
    with pytest.raises(SpecificationError, match="same estimator"):
        cxkit.compare_models(free, ml)


def test_invariance_with_mlr_matches_lavaan():
    hs = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
    got = cxkit.invariance(HS, hs, group="school", estimator="MLR")
    ref = pd.read_csv(MLR / "invariance.csv").set_index("level")
    assert list(got.index) == list(ref.index)
    for col in ("chisq", "chisq_scaled", "chisq_diff"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(got["p_diff"], ref["p_diff"], atol=1e-5, rtol=0)
    for col in ("cfi_robust", "tli_robust", "rmsea_robust"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-4, err_msg=col)
    assert got["cfi_diff"].iloc[1] == pytest.approx(
        ref["cfi_robust"].iloc[1] - ref["cfi_robust"].iloc[0], abs=1e-4
    )
    assert got.attrs["test"] == "satorra.bentler.2001"


def test_mlr_fiml_with_observed_predictor_is_refused_clearly():
    d = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
    with pytest.raises(SpecificationError, match="observed exogenous predictors"):
        cxkit.fit_sem("visual =~ x1 + x2 + x3\nvisual ~ ageyr", d, estimator="MLR", missing="fiml")


def test_unknown_estimator_is_named():
    d = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
    with pytest.raises(SpecificationError, match="'GLSX'.*'ML', 'MLR', 'MLM', 'ULS'.*'WLSMV'"):
        cxkit.fit_sem(HS, d, estimator="GLSX")


@pytest.mark.parametrize(
    "means, fixed_x", [(False, ()), (True, ()), (False, (1, 3)), (False, (0,))]
)
def test_closed_form_h1_trace_equals_the_saturated_matrices(means, fixed_x):
    """The Yuan–Bentler h1 trace of complete data in closed form (no k × k matrices) equals
    ``tr(B1 A1⁻¹)`` formed from the saturated model's matrices over the kept moments."""
    from cxkit.sem import robust

    rng = np.random.default_rng(len(fixed_x) + means)
    x = rng.standard_t(df=6, size=(300, 5)) @ rng.normal(size=(5, 5))
    mu, s = x.mean(axis=0), np.cov(x.T, bias=True)
    grp = robust.Group(x, mu, s, mu, s, np.eye(1), means, fixed_x=fixed_x)
    kept = np.ix_(grp.h1_kept(), grp.h1_kept())
    scores = robust.h1_scores(x, mu, s, means)
    b1 = (scores.T @ scores / len(x))[kept]
    a1 = robust.complete_information(s, means)[kept]
    expected = float(np.trace(b1 @ np.linalg.inv(a1)))
    assert robust.complete_h1_trace(x, mu, s, means, fixed_x) == pytest.approx(expected, rel=1e-10)


def test_saturated_model_with_missing_answers_fits_as_with_complete_data():
    """A just-identified model (df = 0) by MLR with FIML: no FIML-corrected robust indices to
    compute (they divide by df), the same undefined scaling as with complete data."""
    data = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cxkit.fit_sem("visual =~ x1 + x2 + x3", data, estimator="MLR", missing="fiml")
    assert fit.fit_indices["df"] == 0
    assert np.isnan(fit.fit_indices["scaling_factor"])
    assert fit.estimates["se"].notna().all()
