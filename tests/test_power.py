"""Analytic power (cxkit.power.analytic), PLS and survey rules, population models.

Checked against semPower's published numbers and base R's pchisq (tests/reference/power_sempower)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit
from cxkit import power as cp
from cxkit.errors import AnalysisError, ModelError, SpecificationError
from cxkit.power.population import (
    Population,
    cut_points,
    fleishman,
    instrument_population,
    likert_moments,
)

REF = Path(__file__).parent / "reference" / "power_sempower"


@pytest.fixture(scope="module")
def published():
    return json.loads((REF / "sempower.json").read_text())["semPower"]


def test_sempower_published_a_priori_n(published):
    assert cp.sample_size(df=50, rmsea=0.05) == published["RMSEA.05_df50_p.80"] == 243
    assert cp.sample_size(df=2000, rmsea=0.08) == published["RMSEA.08_df2000"] == 14
    # semPower's Nelder-Mead search rounds up; the exact smallest N is 78,490
    n = cp.sample_size(df=1, rmsea=0.01)
    assert n == 78490
    assert abs(n - published["RMSEA.01_df1"]) / published["RMSEA.01_df1"] < 5e-4


def test_against_base_r_pchisq():
    ref = pd.read_csv(REF / "expected_rmsea.csv")
    for row in ref.itertuples():
        n = cp.sample_size(df=row.df, rmsea=row.rmsea, rmsea0=row.rmsea0)
        assert n == row.exact_n, row.case
        assert cp.power(n, row.df, row.rmsea, rmsea0=row.rmsea0) == pytest.approx(
            row.power_at_exact_n, abs=1e-11
        )
        assert cp.power(200, row.df, row.rmsea, rmsea0=row.rmsea0) == pytest.approx(
            row.power_at_n_200, abs=1e-11
        )
        # the smallest N: one fewer falls short
        assert (
            cp.power(n - 1, row.df, row.rmsea, rmsea0=row.rmsea0)
            < 0.80
            <= cp.power(n, row.df, row.rmsea, rmsea0=row.rmsea0)
        )


def test_cfa_example_sigma_versus_sigma_hat(published):
    ref = pd.read_csv(REF / "expected_cfa.csv").iloc[0]
    sigma = pd.read_csv(REF / "sigma_cfa.csv", index_col=0)
    sigma_hat = pd.read_csv(REF / "sigma_hat_cfa.csv", index_col=0)
    f0 = cp.discrepancy(sigma, sigma_hat)
    assert f0 == pytest.approx(ref["f0"], rel=1e-11)
    pop = "f1 =~ .5*x1 + .5*x2 + .5*x3\nf2 =~ .5*y1 + .5*y2 + .5*y3\nf1 ~~ .2*f2"
    m = cp.misfit("f1 =~ x1 + x2 + x3\nf2 =~ y1 + y2 + y3\nf1 ~~ 0*f2", pop)
    assert m["f0"] == pytest.approx(ref["f0"], rel=1e-10)
    assert m["df"] == ref["df"] == 9
    np.testing.assert_allclose(m["sigma_hat"].to_numpy(), sigma_hat.to_numpy(), atol=1e-8)
    np.testing.assert_allclose(m["sigma"].to_numpy(), sigma.to_numpy(), atol=1e-12)
    pw = cp.power(125, df=1, f0=m["f0"])
    assert pw == pytest.approx(ref["power_n125"], abs=1e-11)
    assert pw == pytest.approx(published["cfa_r.20_loadings.5_N125_power"], abs=0.005)
    n = cp.sample_size(df=1, f0=m["f0"])
    assert n == ref["n_for_80"] == 782
    assert abs(n - published["cfa_N_for_.80"]) <= 1


def test_closed_forms():
    # exact fit: the ncp is (N - 1) df eps^2 and the critical value the central chi2's
    n, df, eps = 300, 40, 0.06
    crit = stats.chi2.isf(0.05, df)
    assert cp.power(n, df, eps) == pytest.approx(
        stats.ncx2.sf(crit, df, (n - 1) * df * eps**2), rel=1e-12
    )
    # rmsea and f0 are the same effect
    assert cp.power(n, df, f0=df * eps**2) == cp.power(n, df, eps)
    # vectorised over n, increasing
    p = cp.power([50, 100, 200, 400], df, eps)
    assert np.all(np.diff(p) > 0)
    # detectable RMSEA inverts power
    e = cp.detectable_rmsea(n, df)
    assert cp.power(n, df, e) == pytest.approx(0.80, abs=1e-9)
    e2 = cp.detectable_rmsea(n, df, rmsea0=0.05)
    assert e2 > 0.05 and cp.power(n, df, e2, rmsea0=0.05) == pytest.approx(0.80, abs=1e-9)
    e3 = cp.detectable_rmsea(1000, df, rmsea0=0.05, below=True)
    assert e3 < 0.05 and cp.power(1000, df, e3, rmsea0=0.05) == pytest.approx(0.80, abs=1e-9)
    # the ML discrepancy of two independent variables with r = .3
    s = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert cp.discrepancy(s, np.eye(2)) == pytest.approx(-math.log(1 - 0.09), rel=1e-12)
    assert cp.discrepancy(s, s) == pytest.approx(0.0, abs=1e-14)
    assert cp.rmsea_from_f0(0.125, 50) == pytest.approx(0.05)


def test_bad_input_is_named():
    with pytest.raises(SpecificationError, match="df="):
        cp.power(100, 0, 0.05)
    with pytest.raises(SpecificationError, match="n="):
        cp.power(1, 10, 0.05)
    with pytest.raises(SpecificationError, match="nothing to detect"):
        cp.power(100, 10, 0.05, rmsea0=0.05)
    with pytest.raises(SpecificationError, match="either rmsea="):
        cp.sample_size(df=10)
    with pytest.raises(SpecificationError, match="alpha="):
        cp.sample_size(df=10, rmsea=0.05, alpha=1.5)
    with pytest.raises(SpecificationError, match="below=True"):
        cp.detectable_rmsea(200, 10, below=True)
    with pytest.raises(AnalysisError, match="larger n"):
        cp.detectable_rmsea(50, 10, rmsea0=0.05, below=True)
    with pytest.raises(SpecificationError, match="positive-definite"):
        cp.discrepancy(np.eye(2), np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_pls_and_survey_rules():
    ref = json.loads((REF / "sempower.json").read_text())["kock_hadaya_2018_inverse_square_root"]
    assert cp.pls_min_n() == ref["pmin_unknown"] == 160
    assert cp.pls_min_n(method="gamma") == ref["gamma_exponential_unknown"] == 146
    # N > (2.486 / |p_min|)^2, the formula as published
    for p_min in (0.1, 0.15, 0.2, 0.3, -0.25):
        assert cp.pls_min_n(p_min) == math.ceil((2.486 / abs(p_min)) ** 2)
    assert cp.pls_min_n(0.2, power=0.9) > cp.pls_min_n(0.2)
    with pytest.raises(SpecificationError, match="gamma"):
        cp.pls_min_n(0.2, method="gamma")
    with pytest.raises(SpecificationError, match="p_min"):
        cp.pls_min_n(1.5)
    with pytest.raises(SpecificationError, match="method="):
        cp.pls_min_n(0.2, method="10-times")
    # survey precision: Slovin n = N / (1 + N e^2); Lemeshow z^2 p q / d^2
    assert cp.slovin(1000) == math.ceil(1000 / (1 + 1000 * 0.0025)) == 286
    assert cp.lemeshow() == math.ceil(1.959963984540054**2 * 0.25 / 0.0025) == 385
    assert cp.lemeshow(population=500) < cp.lemeshow()
    with pytest.raises(SpecificationError, match="population="):
        cp.slovin(0)


def test_population_syntax():
    pop = Population.from_syntax("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3\ny ~ 0.5*F\nx1 ~~ 0.1*x2")
    c = pop.cov
    assert np.allclose(np.diag(c), 1.0)  # standardised by default
    assert c.loc["x1", "x3"] == pytest.approx(0.56)
    assert c.loc["x1", "x2"] == pytest.approx(0.48 + 0.1)
    assert c.loc["y", "x1"] == pytest.approx(0.5 * 0.8)
    with pytest.raises(ModelError, match="has no value"):
        Population.from_syntax("F =~ x1 + 0.5*x2")
    with pytest.raises(ModelError, match="more than all the variance"):
        Population.from_syntax("F =~ 1.2*x1 + 0.5*x2")
    with pytest.raises(SpecificationError, match="lavaan syntax"):
        Population.from_syntax(3)


def test_instrument_population_is_simulates():
    """The syntax written from cxkit.simulate.POPULATION gives the covariance simulate draws."""
    ins = cxkit.load_instrument("online-cx@2.0.0")
    pop = Population.from_syntax(instrument_population(ins))
    data = cxkit.simulate(ins, 100_000, seed=3, discretise=False)
    cols = list(pop.observed)
    x = data[cols].astype(float).copy()
    for item in ins.items:
        if item.reverse and item.id in x:
            x[item.id] = -x[item.id]
    diff = np.abs(np.cov(x.to_numpy().T) - pop.cov.to_numpy())
    assert diff.max() < 0.02  # sampling error of a covariance at N = 100,000: about 0.004


def test_likert_moments():
    # against scipy's bivariate normal for 2 codes, and a large sample for 7
    t = cut_points(2)[0]
    c = pd.DataFrame([[1, 0.5], [0.5, 1]], index=list("ab"), columns=list("ab"))
    s, m = likert_moments(c, 2)
    joint = stats.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]]).cdf([-t, -t])
    pa = stats.norm.sf(t)
    assert s.loc["a", "b"] == pytest.approx(joint - pa**2, abs=1e-7)
    assert s.loc["a", "a"] == pytest.approx(pa * (1 - pa), rel=1e-12)
    assert m["a"] == pytest.approx(1 + pa, rel=1e-12)
    c7 = pd.DataFrame([[1, 0.6], [0.6, 1]], index=list("ab"), columns=list("ab"))
    s7, m7 = likert_moments(c7, 7)
    z = np.random.default_rng(1).multivariate_normal([0, 0], c7.to_numpy(), 400_000)
    x = 1 + np.searchsorted(cut_points(7), z)
    assert np.abs(np.cov(x.T) - s7.to_numpy()).max() < 0.02
    assert np.abs(x.mean(axis=0) - m7.to_numpy()).max() < 0.01


def test_fleishman_moments():
    a, b, c, d = fleishman(1.0, 1.5)
    z = np.random.default_rng(2).standard_normal(1_000_000)
    y = a + b * z + c * z**2 + d * z**3
    assert y.mean() == pytest.approx(0, abs=0.005)
    assert y.var() == pytest.approx(1, abs=0.01)
    assert stats.skew(y) == pytest.approx(1.0, abs=0.03)
    assert stats.kurtosis(y) == pytest.approx(1.5, abs=0.1)


def test_import_cxkit_stays_light():
    code = "import sys, cxkit; print('cxkit.power' in sys.modules, 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    code = "import sys, cxkit; cxkit.power.power(100, 5, .05); print('distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
