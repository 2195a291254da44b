"""fit_sem against lavaan 0.6-14 (tests/reference/sem_*: data, make.R, sessionInfo.txt, CSVs).

Tolerances (issue 6): estimates 1e-3 relative, standard errors 1e-2 relative, standardised 1e-3
(absolute), fit indices 1e-3 (absolute; χ² and log-likelihood 1e-4 relative), R² 1e-3 absolute,
modification indices 1e-2 relative (on the candidates lavaan lists).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit

from .conftest import LAVAAN_FIT_NAMES, REFERENCE

CASES = {
    "sem_hs": REFERENCE / "measure_hs" / "data.csv",
    "sem_poldem": REFERENCE / "sem_poldem" / "data.csv",
    "sem_ecsi": REFERENCE / "measure_ecsi" / "data.csv",
    # the CX models of cxkit.models on the synthetic demo data, OE4 recoded 8 - x
    "sem_cx/direct": REFERENCE / "sem_cx" / "data.csv",
    "sem_cx/second_order": REFERENCE / "sem_cx" / "data.csv",
    "sem_cx/pyramid": REFERENCE / "sem_cx" / "data.csv",
    # FIML: Holzinger & Swineford with MAR missing answers, lavaan missing = "ml"
    "sem_fiml": REFERENCE / "sem_fiml" / "data.csv",
}


def load(name):
    data = pd.read_csv(CASES[name])
    if name.startswith("sem_cx"):
        data["OE4"] = 8 - data["OE4"]
    return data


def key(df):
    rhs = df.rhs.fillna("")
    return [
        (a, op, b) if not (op == "~~" and b < a) else (b, op, a)
        for a, op, b in zip(df.lhs, df.op, rhs, strict=True)
    ]


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    name = request.param
    model = (REFERENCE / name / "model.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        fit = cxkit.fit_sem(model, load(name), missing="fiml" if name == "sem_fiml" else "listwise")
    return name, fit


def test_estimates(case):
    name, fit = case
    ref = pd.read_csv(REFERENCE / name / "estimates.csv")
    ref["label"] = ref["label"].fillna("") if "label" in ref else ""
    got = fit.estimates.set_axis(key(fit.estimates))
    ref = ref.set_axis(key(ref))
    assert sorted(got.index) == sorted(ref.index)
    got = got.loc[ref.index]
    assert list(got["label"]) == list(ref["label"])
    np.testing.assert_allclose(got["est"], ref["est"], rtol=1e-3, atol=1e-9)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-2, atol=1e-9)
    np.testing.assert_allclose(got["std_all"], ref["std.all"], atol=1e-3, rtol=0)
    free = ref["se"] > 0
    np.testing.assert_allclose(got.loc[free, "z"], ref.loc[free, "z"], rtol=1e-2)
    np.testing.assert_allclose(got.loc[free, "pvalue"], ref.loc[free, "pvalue"], atol=1e-3)
    np.testing.assert_allclose(got["ci_low"], ref["ci.lower"], rtol=1e-2, atol=1e-6)
    np.testing.assert_allclose(got["ci_high"], ref["ci.upper"], rtol=1e-2, atol=1e-6)


def test_fit_indices(case):
    name, fit = case
    ref = pd.read_csv(REFERENCE / name / "fit.csv").set_index("measure")
    values = ref["value"].rename(lambda k: LAVAAN_FIT_NAMES.get(k, k))
    got = fit.fit_indices
    assert got["n"] == ref["n"].iloc[0]
    for k, v in values.items():
        if k in ("chisq", "loglik", "aic", "bic", "baseline_chisq"):
            assert got[k] == pytest.approx(v, rel=1e-4), k
        else:
            assert got[k] == pytest.approx(v, abs=1e-3), k


def test_r_squared(case):
    name, fit = case
    ref = pd.read_csv(REFERENCE / name / "r2.csv").set_index("variable")["r2"]
    assert set(fit.r_squared.index) == set(ref.index)
    np.testing.assert_allclose(fit.r_squared[ref.index], ref, atol=1e-3)


def test_modification_indices(case):
    name, fit = case
    if name == "sem_fiml":
        with pytest.raises(cxkit.errors.SpecificationError, match="not available for FIML"):
            fit.modification_indices()
        return
    ref = pd.read_csv(REFERENCE / name / "modindices.csv")
    got = fit.modification_indices()
    got = got.set_axis(key(got))
    ref = ref.set_axis(key(ref))
    basic = [
        k
        for k, op in zip(ref.index, ref.op, strict=True)
        if op == "=~" or (k[0] in fit.spec.observed and k[2] in fit.spec.observed)
    ]
    missing = [k for k in basic if k not in got.index]
    assert not missing, missing
    common = [k for k in ref.index if k in got.index]
    big = ref.loc[common, "mi"] > 0.1
    np.testing.assert_allclose(got.loc[common, "mi"][big], ref.loc[common, "mi"][big], rtol=1e-2)
    np.testing.assert_allclose(
        got.loc[common, "epc"][big], ref.loc[common, "epc"][big], rtol=1e-2, atol=1e-4
    )


def test_defined_parameters_delta_method():
    model = (REFERENCE / "sem_poldem" / "model.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        fit = cxkit.fit_sem(model, load("sem_poldem"))
    est = fit.estimates.set_index("lhs")
    ref = pd.read_csv(REFERENCE / "sem_poldem" / "estimates.csv").set_index("lhs")
    for name in ("indirect", "total"):
        assert est.loc[name, "op"] == ":="
        assert est.loc[name, "est"] == pytest.approx(ref.loc[name, "est"], rel=1e-3)
        assert est.loc[name, "se"] == pytest.approx(ref.loc[name, "se"], rel=1e-2)
        assert est.loc[name, "std_all"] == pytest.approx(ref.loc[name, "std.all"], abs=1e-3)


def test_cx_models_built_from_the_instrument_are_the_reference_models():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    for name in ("direct", "second_order", "pyramid"):
        syntax = getattr(cxkit.models, name)(ins)
        assert syntax.strip() == (REFERENCE / "sem_cx" / name / "model.lav").read_text().strip()
