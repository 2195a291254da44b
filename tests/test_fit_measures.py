"""lavaan 0.6-14's ``fitMeasures(fit)`` ("all") and the estimators MLM, ULS, GLS, WLS, DWLS.

Reference: tests/reference/fitmeasures (``make.R``: ``sem(..., estimator = ...)``, ``fitMeasures``,
``parameterEstimates``), compared through ``tests/lavaan.py`` (``assert_matches_lavaan``, quantities
"estimates" and "fitmeasures"; tolerances: the rows MLM, ULS, GLS, WLS, DWLS, ... of TOLERANCES).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError
from cxkit.sem import fit_measures as fm
from tests.lavaan import REFERENCE, assert_matches_lavaan

HS = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
HS_FIML = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
POLDEM = pd.read_csv(REFERENCE / "sem_poldem" / "data.csv")
POLDEM_MODEL = (REFERENCE / "sem_poldem" / "model.lav").read_text()
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _bfi():
    b = pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")
    for v in ("A1", "C4", "C5"):
        b[v] = 7 - b[v]
    return b


CASES = {
    "hs_ml": lambda: cxkit.fit_sem(HS_MODEL, HS),
    "hs_mlr": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="MLR"),
    "hs_mlm": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="MLM"),
    "hs_uls": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="ULS"),
    "hs_gls": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="GLS"),
    "hs_wls": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="WLS"),
    "hs_dwls": lambda: cxkit.fit_sem(HS_MODEL, HS, estimator="DWLS"),
    "groups_ml": lambda: cxkit.fit_sem(HS_MODEL, HS, group="school"),
    "groups_mlm": lambda: cxkit.fit_sem(HS_MODEL, HS, group="school", estimator="MLM"),
    "groups_uls": lambda: cxkit.fit_sem(HS_MODEL, HS, group="school", estimator="ULS"),
    "fiml_ml": lambda: cxkit.fit_sem(HS_MODEL, HS_FIML, missing="fiml"),
    "fiml_mlr": lambda: cxkit.fit_sem(HS_MODEL, HS_FIML, missing="fiml", estimator="MLR"),
    "wlsmv_bfi": lambda: cxkit.fit_sem(
        "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", _bfi(), ordered=True
    ),
    "poldem_mlm": lambda: cxkit.fit_sem(POLDEM_MODEL, POLDEM, estimator="MLM"),
    "poldem_uls": lambda: cxkit.fit_sem(POLDEM_MODEL, POLDEM, estimator="ULS"),
    "poldem_gls": lambda: cxkit.fit_sem(POLDEM_MODEL, POLDEM, estimator="GLS"),
    "poldem_wls": lambda: cxkit.fit_sem(POLDEM_MODEL, POLDEM, estimator="WLS"),
    "poldem_dwls": lambda: cxkit.fit_sem(POLDEM_MODEL, POLDEM, estimator="DWLS"),
}


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = CASES[name]()
        return cache[name]

    return get


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_lavaan(fits, name):
    assert_matches_lavaan(fits(name), "fitmeasures", name, ("estimates", "fitmeasures"))


def test_options_as_lavaan(fits):
    mlm = fits("hs_mlm")
    assert (mlm.options.se, mlm.options.test, mlm.options.information) == (
        "robust.sem",
        "satorra.bentler",
        "expected",
    )
    uls = fits("hs_uls")
    assert uls.options.se == "standard" and np.isnan(uls.fit_indices["pvalue"])
    assert np.isnan(uls.fit_indices["loglik"]) and np.isnan(uls.fit_indices["aic"])
    # the ML estimates of MLM are ML's; only SEs and the test differ
    ml = fits("hs_ml")
    assert np.allclose(mlm.estimates["est"], ml.estimates["est"])
    assert not np.allclose(mlm.estimates["se"], ml.estimates["se"])


def test_existing_names_kept_and_lavaan_names_added(fits):
    f = fits("hs_ml").fit_indices
    for k in ("n", "npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr", "loglik", "aic", "bic"):
        assert k in f.index
    for k in ("gfi", "agfi", "pgfi", "nfi", "ifi", "rni", "ecvi", "cn_05", "mfi", "chisq_df"):
        assert k in f.index
    assert f["chisq_df"] == pytest.approx(f["chisq"] / f["df"], rel=1e-15)


def test_reviewer_set(fits):
    r = fits("hs_ml").fit_measures("reviewer")
    assert list(r.index) == [
        "chisq", "df", "pvalue", "chisq/df", "gfi", "agfi", "nfi", "ifi", "cfi", "tli", "rmsea",
        "srmr",
    ]  # fmt: skip
    lav = pd.read_csv(REFERENCE / "fitmeasures" / "hs_ml_fitmeasures.csv").set_index("measure")
    assert r["gfi"] == pytest.approx(lav.loc["gfi", "value"], abs=1e-7)
    assert r["chisq/df"] == pytest.approx(lav.loc["chisq", "value"] / 24, rel=1e-8)
    picked = fits("hs_ml").fit_measures(["gfi", "cn_01"])
    assert list(picked.index) == ["gfi", "cn_01"]
    with pytest.raises(SpecificationError, match="fit measure 'wrmr' is not available"):
        fits("hs_ml").fit_measures(["wrmr"])


def test_summary_shows_reviewer_set(fits):
    text = fits("hs_ml").summary()
    assert "GFI = 0.943" in text and "AGFI = 0.894" in text and "χ²/df = 3.55" in text
    assert "Satorra–Bentler scaled χ²" in fits("hs_mlm").summary()
    assert "p not defined" in fits("hs_uls").summary()


def test_complete_data_only():
    with pytest.raises(SpecificationError, match="estimator='MLM' needs complete data"):
        cxkit.fit_sem(HS_MODEL, HS_FIML, estimator="MLM", missing="fiml")
    with pytest.raises(SpecificationError, match="estimator='DWLS' needs complete data"):
        cxkit.fit_sem(HS_MODEL, HS_FIML, estimator="DWLS", missing="fiml")


def test_fixed_x_refused_for_new_estimators():
    with pytest.raises(SpecificationError, match=r"estimator='ULS'.*fixed\.x"):
        cxkit.fit_sem(HS_MODEL + "\nvisual ~ ageyr", HS, estimator="ULS")


def test_edge_cases_as_lavaan():
    # a saturated model: NFI, RFI 1; IFI, RNI from lavaan's rules
    assert fm.nfi_value(0.0, 0, 100.0, 3) == 1.0
    assert fm.rfi_value(0.0, 0, 100.0, 3) == 1.0
    assert np.isnan(fm.nfi_value(5.0, 10, 100.0, 3))  # df above the baseline's
    assert fm.ifi_value(1.0, 2, 1.5, 3) == 1.0  # χ²_B below df
    assert np.isnan(fm.hoelter_cn(0.0, 0, 100, 0.05))
    assert np.isnan(fm.rmsea_pvalue(3.0, 0, 100))
