"""fit_sem against lavaan 0.6-14 (tests/reference/sem_*: data, make.R, sessionInfo.txt, CSVs).

Estimates (est, se, z, p, CI, std.all), fit indices, R² and modification indices, all through
:func:`tests.lavaan.assert_matches_lavaan` with the tolerances of ``tests.lavaan.TOLERANCES``
(profile ML, FIML for ``sem_fiml``; the flat Political Democracy and ECSI likelihoods have their
own rows).
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd
import pytest

import cxkit

from .lavaan import REFERENCE, assert_matches_lavaan

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


@functools.cache
def fitted(name):
    model = (REFERENCE / name / "model.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        return cxkit.fit_sem(
            model, load(name), missing="fiml" if name == "sem_fiml" else "listwise"
        )


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    return request.param, fitted(request.param)


def test_estimates(case):
    """Every row of parameterEstimates, := parameters (delta-method SEs) included."""
    name, fit = case
    assert_matches_lavaan(fit, name, None, ("estimates",))


def test_fit_indices(case):
    name, fit = case
    assert_matches_lavaan(fit, name, None, ("fit",))


def test_r_squared(case):
    name, fit = case
    assert_matches_lavaan(fit, name, None, ("r2",))


MI_CASES = [
    "sem_hs",
    "sem_poldem",
    "sem_ecsi",
    "sem_cx/direct",
    "sem_cx/second_order",
    "sem_cx/pyramid",
]


@pytest.mark.parametrize("name", MI_CASES)
def test_modification_indices(name):
    """The same candidate rows as lavaan's modindices, and their mi and epc."""
    assert_matches_lavaan(fitted(name), name, None, ("modindices",))


def test_modification_indices_of_fiml_fits_are_refused():
    fit = fitted("sem_fiml")
    with pytest.raises(cxkit.errors.SpecificationError, match="not available for FIML"):
        fit.modification_indices()


def test_cx_models_built_from_the_instrument_are_the_reference_models():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    for name in ("direct", "second_order", "pyramid"):
        syntax = getattr(cxkit.models, name)(ins)
        assert syntax.strip() == (REFERENCE / "sem_cx" / name / "model.lav").read_text().strip()
