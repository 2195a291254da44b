"""SEM at scale (issue 19): the vectorised FIML pieces checked against their definitions, and FIML
for 40 items against lavaan 0.6-14 (tests/reference/fiml_40items: data, make.R, sessionInfo.txt).

The speed itself is measured in benchmarks/bench_fiml.py, never asserted here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.sem.model import Model
from cxkit.sem.objective import expected_information, vech_grad
from cxkit.sem.partable import build_partable
from cxkit.sem.samplestats import PatternSet, em_saturated, patterns

from .lavaan import REFERENCE, assert_matches_lavaan


def _data(p=6, n=200, share=0.2, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(p, p))
    sigma = a @ a.T / p + np.eye(p)
    x = rng.multivariate_normal(np.zeros(p), sigma, size=n)
    x[rng.random(x.shape) < share] = np.nan
    return x[~np.isnan(x).all(axis=1)], sigma


def _by_pattern(pats, mu, sigma):
    """The log-likelihood and its Σ, μ derivatives pattern by pattern, as written in the books."""
    ll, g_sigma, g_mu = 0.0, np.zeros(sigma.shape), np.zeros(len(mu))
    for g in pats:
        o = g.observed
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = g.mean - mu[o]
        c = g.cov + np.outer(d, d)
        ll += -g.n / 2 * (len(o) * np.log(2 * np.pi) + np.linalg.slogdet(sigma[np.ix_(o, o)])[1])
        ll += -g.n / 2 * np.sum(inv * c)
        g_sigma[np.ix_(o, o)] += g.n / 2 * (inv - inv @ c @ inv)
        g_mu[o] += -g.n * inv @ d
    return ll, g_sigma, g_mu


def _set(pats, p):
    return PatternSet(
        [(g.observed, np.array([g.n], float), g.mean[None], g.cov[None]) for g in pats], p
    )


def test_patterns_group_every_row_once():
    x, _ = _data()
    pats = patterns(x)
    rows = np.sort(np.concatenate([g.rows for g in pats]))
    assert np.array_equal(rows, np.arange(len(x)))
    for g in pats:
        sub = x[np.ix_(g.rows, g.observed)]
        assert not np.isnan(sub).any() and np.isnan(np.delete(x[g.rows], g.observed, 1)).all()
        np.testing.assert_allclose(g.mean, sub.mean(axis=0), rtol=1e-13)
        np.testing.assert_allclose(
            g.cov, np.cov(sub, rowvar=False, bias=True).reshape(g.cov.shape), atol=1e-12
        )


def test_pattern_set_loglik_and_gradient_match_the_pattern_by_pattern_sums():
    x, sigma = _data()
    pats = patterns(x)
    ps = _set(pats, x.shape[1])
    mu = np.linspace(-0.2, 0.3, x.shape[1])
    ref = [_by_pattern(pats, mu, s) for s in (sigma, 1.3 * sigma)]
    ll, bad, (g_sigma, g_mu) = ps.evaluate(
        np.stack([mu, mu]), np.stack([sigma, 1.3 * sigma]), grad=True
    )
    assert not bad.any()
    for j, (r_ll, r_gs, r_gm) in enumerate(ref):
        assert ll[j] == pytest.approx(r_ll, rel=1e-13)
        np.testing.assert_allclose(g_sigma[j], r_gs, atol=1e-10)
        np.testing.assert_allclose(g_mu[j], r_gm, atol=1e-10)


def test_pattern_set_flags_a_sigma_that_is_not_positive_definite():
    x, sigma = _data()
    ps = _set(patterns(x), x.shape[1])
    _, bad = ps.evaluate(np.zeros((1, x.shape[1])), (sigma - 10 * np.eye(x.shape[1]))[None])
    assert bad[0]


def test_em_reaches_the_saturated_maximum():
    x, _ = _data()
    pats = patterns(x)
    mu, sigma, ll = em_saturated(pats, x.shape[1])
    r_ll, g_sigma, g_mu = _by_pattern(pats, mu, sigma)
    assert ll == pytest.approx(r_ll, rel=1e-13)
    # the score vanishes at the maximum (relative to the size of the data)
    assert np.abs(g_sigma).max() < 1e-3 and np.abs(g_mu).max() < 1e-3


@pytest.mark.parametrize(
    "syntax, means",
    [
        ("F =~ x1 + x2 + x3\nG =~ x4 + x5 + x6\nG ~ F\nx1 ~~ x4", True),
        ("F =~ x1 + x2 + x3\nG =~ x4 + x5 + x6 + x1\nG ~ F", False),
        ("F =~ x1 + a*x2 + a*x3\nG =~ x4 + x5 + x6\nH =~ F + G", True),
    ],
)
def test_low_rank_derivatives_equal_the_delta_matrix(syntax, means):
    model = Model(build_partable(syntax, meanstructure=means))
    rng = np.random.default_rng(5)
    theta = np.abs(rng.normal(size=(3, model.q))) * 0.3 + 0.5
    moms = model.moments(theta)
    deltas = model.delta(theta, moms)
    piece = model.lowrank(theta, moms)[0]
    g_sigma = rng.normal(size=(3, model.p, model.p))
    g_sigma = g_sigma + np.swapaxes(g_sigma, 1, 2)
    g_mu = rng.normal(size=(3, model.p))
    gm = vech_grad(g_sigma)
    if means:
        gm = np.concatenate([g_mu, gm], axis=1)
    np.testing.assert_allclose(
        model.chain(piece, g_sigma, g_mu if means else None),
        np.einsum("bk,bkq->bq", gm, deltas[0]),
        atol=1e-12,
    )
    w = np.array([10.0, 20.0, 30.0])
    ref = expected_information(model, deltas, moms, [w])
    got = model.fisher(piece, np.linalg.inv(moms[0].sigma), w)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


@pytest.mark.slow
def test_fiml_40_items_agrees_with_lavaan():
    """10 factors × 4 items, n = 1000, 10 % of the answers missing completely at random (927
    missing-data patterns): every row of parameterEstimates (est, se, z, p, CI, std.all), χ², the
    baseline, CFI, TLI, RMSEA and its CI, SRMR, log-likelihood, AIC, BIC at the tolerances of row
    ``FIML:fiml_40items``."""
    data = pd.read_csv(REFERENCE / "fiml_40items" / "data.csv")
    model = (REFERENCE / "fiml_40items" / "model.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        fit = cxkit.fit_sem(model, data, missing="fiml")
    assert fit.converged
    assert_matches_lavaan(fit, "fiml_40items", None, ("estimates", "fit"))


@pytest.mark.parametrize("group", [None, "school"])
def test_fiml_hessian_in_the_moments_equals_differences_of_the_gradient(group):
    """FIML's observed information from the saturated model's information at the model's moments
    plus the moments' curvature equals the central differences of the whole analytic gradient
    (the generic route) — one group and several."""
    from cxkit.sem.information import central_differences, fiml_hessian
    from cxkit.sem.teststat import make_objective

    data = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    fit = cxkit.fit_sem(model, data, missing="fiml", group=group)
    obj = make_objective(Model(fit.partable), fit.stats)
    numeric = central_differences(lambda pts: obj.gradient(pts, info=False)[0], fit.theta)
    got = fiml_hessian(obj, fit.theta)
    np.testing.assert_allclose(got, numeric, rtol=0, atol=1e-8 * np.abs(numeric).max())


def test_saturated_information_by_blocks_equals_the_whole(monkeypatch):
    """Large questionnaires read the saturated information a block of rows at a time (their
    index tables are not kept): the same matrix as the kept tables of a small one."""
    from cxkit.sem import samplestats

    x = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")[[f"x{i}" for i in range(1, 10)]]
    x = x.to_numpy()
    x = x[~np.isnan(x).all(axis=1)]
    pats = patterns(x)
    mu, sigma, _ = em_saturated(pats, x.shape[1])
    ps = PatternSet(samplestats.pattern_tuples(pats), x.shape[1])
    whole = ps.information(mu, sigma)
    monkeypatch.setattr(samplestats, "_KRON_CACHED", 0)
    monkeypatch.setattr(samplestats, "_KRON_BLOCK", 100)  # two rows of 45 moments a block
    np.testing.assert_array_equal(ps.information(mu, sigma), whole)
