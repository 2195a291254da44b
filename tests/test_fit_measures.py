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


def _cx():
    d = pd.read_csv(REFERENCE / "sem_cx" / "data.csv")
    d["OE4"] = 8 - d["OE4"]
    return d


CX_MODEL = (REFERENCE / "sem_cx" / "direct" / "model.lav").read_text()


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
    "fixedx_ml": lambda: cxkit.fit_sem(HS_MODEL.rsplit("\n", 1)[0] + "\nvisual ~ ageyr + sex", HS),
    "groups_fiml_ml": lambda: cxkit.fit_sem(HS_MODEL, HS_FIML, group="school", missing="fiml"),
    "cx_direct_mlm": lambda: cxkit.fit_sem(CX_MODEL, _cx(), estimator="MLM"),
    "cx_direct_uls": lambda: cxkit.fit_sem(CX_MODEL, _cx(), estimator="ULS"),
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


# -- bootstrap: lavaan's bca.simple ----------------------------------------------------------------

BCA = REFERENCE / "boot_bca_simple"
BCA_MODEL = "visual =~ x1 + x2 + a*x3\ntextual =~ x4 + x5 + b*x6\nspeed =~ x7 + x8 + x9\nab := a*b"


def _lavaan_ci(kind: str) -> pd.DataFrame:
    ref = pd.read_csv(BCA / "ci.csv")
    ref = ref[ref["type"] == kind].reset_index(drop=True)
    ref["rhs"] = ref["rhs"].fillna("")
    return ref


def test_bca_simple_formula_matches_lavaan_on_the_same_draws():
    """lavaan's parameterEstimates(boot.ci.type = "bca.simple") on cxkit's draws (make.R puts
    them into fit@boot$coef): the same interval to rounding."""
    from cxkit.sem.bootstrap import bca_simple

    draws = pd.read_csv(BCA / "draws.csv")
    ref = _lavaan_ci("bca.simple")
    names = [
        f"{a} {o} {b}" if o != ":=" else a for a, o, b in zip(ref.lhs, ref.op, ref.rhs, strict=True)
    ]
    free = [k for k in names if k in draws.columns]
    assert len(free) == 25
    rows = [names.index(k) for k in free]
    lo, hi = bca_simple(draws[free].to_numpy(), ref.loc[rows, "est"].to_numpy(), 0.95)
    np.testing.assert_allclose(lo, ref.loc[rows, "ci.lower"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(hi, ref.loc[rows, "ci.upper"], rtol=0, atol=1e-12)


def test_bootstrap_bca_simple_end_to_end():
    fit = cxkit.fit_sem(BCA_MODEL, HS)
    bt = fit.bootstrap(500, seed=13, ci="bca.simple", progress=False)
    saved = pd.read_csv(BCA / "draws.csv")
    np.testing.assert_allclose(
        bt.bootstrap_draws.to_numpy(), saved.to_numpy(), rtol=1e-9, atol=1e-9
    )
    ref = _lavaan_ci("bca.simple")
    lav = {
        (a, o, "" if o == ":=" else b): (lo, hi)
        for a, o, b, lo, hi in zip(
            ref.lhs, ref.op, ref.rhs, ref["ci.lower"], ref["ci.upper"], strict=True
        )
    }
    est = bt.estimates
    for a, o, b, lo, hi in zip(est.lhs, est.op, est.rhs, est.ci_low, est.ci_high, strict=True):
        exp = lav[(a, o, "" if o == ":=" else b)]
        assert (lo, hi) == pytest.approx(exp, abs=1e-8), (a, o, b)
    assert bt.provenance["bootstrap"]["ci"] == "bca.simple"
    # cxkit's "bca" keeps its jackknife acceleration: a different interval
    bca = fit.bootstrap(200, seed=13, ci="bca", progress=False).estimates
    simple = fit.bootstrap(200, seed=13, ci="bca.simple", progress=False).estimates
    assert not np.allclose(bca["ci_low"], simple["ci_low"])


def test_bootstrap_refuses_least_squares_fits():
    fit = cxkit.fit_sem(HS_MODEL, HS, estimator="ULS")
    with pytest.raises(SpecificationError, match="bootstrap of estimator='ULS' fits"):
        fit.bootstrap(100, seed=1, progress=False)
    with pytest.raises(SpecificationError, match="modification indices of estimator='ULS'"):
        fit.modification_indices()
    with pytest.raises(SpecificationError, match="ci='bcx' is not accepted.*'bca.simple'"):
        cxkit.fit_sem(HS_MODEL, HS).bootstrap(100, ci="bcx", progress=False)


def test_cli_estimators_and_fit_measures(capsys):
    from cxkit.cli import main

    assert (
        main(
            [
                "sem",
                "--dataset",
                "online-cx-demo",
                "--model",
                "direct",
                "--estimator",
                "uls",
                "--fit-measures",
                "all",
            ]
        )  # fmt: skip
        == 0
    )
    out = capsys.readouterr().out
    assert "estimator ULS" in out and "GFI = " in out
    assert "Fit measures (lavaan's fitMeasures(fit) names):" in out
    for name in ("gfi", "agfi", "cn_05", "ecvi", "srmr_mplus", "rmsea.notclose.pvalue"):
        assert f"\n  {name} " in out
    assert "(cxkit's χ²/df)" in out
