"""Full-information maximum likelihood for incomplete data (lavaan's ``missing = "ml"``).

The model gains a mean structure: one free intercept per observed variable, latent means fixed at 0.
The log-likelihood sums over the missing-data patterns g (observed variables o, n_g cases, pattern
mean m_g and covariance S_g with n_g denominator)::

    logL = Σ_g -n_g/2 [p_o log 2π + log|Σ_oo| + tr(Σ_oo⁻¹ (S_g + (m_g − μ_o)(m_g − μ_o)'))]

χ² is 2 (logL_saturated − logL_model), the saturated model estimated by EM (semopy's FIML χ² is not
this, which is why cxkit does FIML itself). Standard errors come from the observed information
(the Hessian of −logL), lavaan's default for FIML.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from cxkit.sem.spec import ModelSpec

LOG2PI = np.log(2 * np.pi)


@dataclass(frozen=True)
class Pattern:
    observed: np.ndarray  # indices of the observed variables
    n: int
    mean: np.ndarray
    cov: np.ndarray  # n denominator


def patterns(x: np.ndarray) -> list[Pattern]:
    """Group the rows of ``x`` (NaN = missing) by missing-data pattern; rows with nothing dropped."""
    mask = ~np.isnan(x)
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        if not key.any():
            continue
        rows = x[inverse.ravel() == k][:, key]
        m = rows.mean(axis=0)
        c = (rows - m).T @ (rows - m) / len(rows)
        out.append(Pattern(np.flatnonzero(key), len(rows), m, c))
    return out


def loglik(pats: list[Pattern], mu: np.ndarray, sigma: np.ndarray) -> float:
    total = 0.0
    for g in pats:
        o = g.observed
        s_oo = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(s_oo)
        if sign <= 0:
            return -np.inf
        d = g.mean - mu[o]
        inv = np.linalg.inv(s_oo)
        total += -g.n / 2 * (len(o) * LOG2PI + logdet + np.trace(inv @ (g.cov + np.outer(d, d))))
    return float(total)


def gradients(
    pats: list[Pattern], mu: np.ndarray, sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """d logL / d Sigma (full, symmetric p×p, each element once) and d logL / d mu."""
    p = len(mu)
    g_sigma = np.zeros((p, p))
    g_mu = np.zeros(p)
    for g in pats:
        o = g.observed
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = g.mean - mu[o]
        w = inv - inv @ (g.cov + np.outer(d, d)) @ inv
        g_sigma[np.ix_(o, o)] += -g.n / 2 * w
        g_mu[o] += g.n * (inv @ d)
    return g_sigma, g_mu


def em_saturated(
    x: np.ndarray, tol: float = 1e-12, max_iter: int = 10000
) -> tuple[np.ndarray, np.ndarray, float]:
    """EM estimates of the unrestricted mean and covariance; returns (mean, cov, logL)."""
    pats = patterns(x)
    n = sum(g.n for g in pats)
    mu = np.nanmean(x, axis=0)
    sigma = np.diag(np.nanvar(x, axis=0))
    old = -np.inf
    for _ in range(max_iter):
        t1 = np.zeros_like(mu)
        t2 = np.zeros_like(sigma)
        for g in pats:
            o = g.observed
            m = np.setdiff1d(np.arange(len(mu)), o)
            if len(m) == 0:
                t1 += g.n * g.mean
                t2 += g.n * (g.cov + np.outer(g.mean, g.mean))
                continue
            s_oo_inv = np.linalg.inv(sigma[np.ix_(o, o)])
            beta = sigma[np.ix_(m, o)] @ s_oo_inv  # regression of missing on observed
            resid_cov = sigma[np.ix_(m, m)] - beta @ sigma[np.ix_(o, m)]
            # sufficient statistics of the pattern, completed
            mean_m = mu[m] + beta @ (g.mean - mu[o])
            full_mean = np.empty(len(mu))
            full_mean[o], full_mean[m] = g.mean, mean_m
            second = np.empty((len(mu), len(mu)))
            eo = g.cov + np.outer(g.mean, g.mean)
            second[np.ix_(o, o)] = eo
            # E[x_m x_o'] = mu_m|o x_o' averaged: (mu[m] - beta mu[o]) m_o' + beta E[x_o x_o']
            a = mu[m] - beta @ mu[o]
            cross = np.outer(a, g.mean) + beta @ eo
            second[np.ix_(m, o)] = cross
            second[np.ix_(o, m)] = cross.T
            mm = (
                np.outer(a, a)
                + np.outer(a, beta @ g.mean)
                + np.outer(beta @ g.mean, a)
                + beta @ eo @ beta.T
            )
            second[np.ix_(m, m)] = mm + resid_cov
            t1 += g.n * full_mean
            t2 += g.n * second
        mu = t1 / n
        sigma = t2 / n - np.outer(mu, mu)
        ll = loglik(pats, mu, sigma)
        if abs(ll - old) < tol * max(1.0, abs(ll)):
            break
        old = ll
    return mu, sigma, ll


def fit_fiml(
    spec: ModelSpec, x: np.ndarray, theta0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool, float]:
    """Maximise the FIML log-likelihood over the covariance parameters and the intercepts.

    Returns (theta, intercepts, converged, logL).
    """
    p = x.shape[1]
    q = spec.n_free
    negll = make_negll(spec, x)

    start = np.concatenate([theta0, np.nanmean(x, axis=0)])
    res = optimize.minimize(
        negll, start, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 10000}
    )
    params = res.x
    # polish with Newton steps on the numerical Hessian of the analytic gradient
    for _ in range(5):
        f, g = negll(params)
        h = observed_information(negll, params)
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        if np.max(np.abs(step)) < 1e-10:
            break
        cand = params - step
        if negll(cand)[0] <= f + 1e-10:
            params = cand
        else:
            break
    f, g = negll(params)
    converged = bool(np.max(np.abs(g)) < 1e-4 * max(1.0, len(x) / 100))
    return params[:q], params[q : p + q], converged, -f


def observed_information(negll, params: np.ndarray) -> np.ndarray:
    """Hessian of −logL by central differences of its analytic gradient (symmetrised)."""
    k = len(params)
    h = np.zeros((k, k))
    for i in range(k):
        e = 1e-5 * max(1.0, abs(params[i]))
        up, dn = params.copy(), params.copy()
        up[i] += e
        dn[i] -= e
        h[:, i] = (negll(up)[1] - negll(dn)[1]) / (2 * e)
    return (h + h.T) / 2


def make_negll(spec: ModelSpec, x: np.ndarray):
    """The (−logL, gradient) function over [theta, intercepts], for standard errors."""
    pats = patterns(x)
    q = spec.n_free

    def negll(params):
        theta, nu = params[:q], params[q:]
        sigma, _ = spec.implied(theta)
        ll = loglik(pats, nu, sigma)
        if not np.isfinite(ll):
            return 1e20, np.zeros_like(params)
        g_sigma, g_mu = gradients(pats, nu, sigma)
        d = spec.derivatives(theta)
        return -ll, -np.concatenate([np.einsum("ij,kij->k", g_sigma, d), g_mu])

    return negll
