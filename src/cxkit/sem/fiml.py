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
    from cxkit.sem.robust import saturated_information, spec_delta

    p = x.shape[1]
    q = spec.n_free
    n = len(x)
    negll = make_negll(spec, x)
    params = np.concatenate([theta0, np.nanmean(x, axis=0)])
    f, g = negll(params)
    # quasi-Newton: the Hessian starts as Δ' H_h1 Δ (the saturated model's observed information at
    # the model's moments, which misses only the curvature of the moments) and is refined by BFGS
    # updates; step halving keeps every step downhill
    sigma, mats = spec.implied(params[:q])
    delta = spec_delta(spec, params[:q], True, mats)
    h = n * delta.T @ saturated_information(x, params[q:], sigma) @ delta
    for _ in range(200):
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(h, g, rcond=None)[0]
        scale = 1.0
        for _ in range(40):
            cand = params - scale * step
            f_c, g_c = negll(cand)
            if f_c <= f + 1e-12:
                break
            scale /= 2
        else:
            break
        s_k, y_k = cand - params, g_c - g
        params, f_old, f, g = cand, f, f_c, g_c
        if np.max(np.abs(s_k)) < 1e-10 or (
            f_old - f < 1e-13 * max(1.0, abs(f)) and np.max(np.abs(g)) < 1e-6 * n
        ):
            break
        sy = float(s_k @ y_k)
        if sy > 1e-12:
            hs = h @ s_k
            h = h - np.outer(hs, hs) / float(s_k @ hs) + np.outer(y_k, y_k) / sy
    if np.max(np.abs(g)) > 1e-4 * max(1.0, n / 100):  # fall back on quasi-Newton
        res = optimize.minimize(
            negll, params, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 10000}
        )
        if res.fun < f:
            params = res.x
    f, g = negll(params)
    converged = bool(np.max(np.abs(g)) < 1e-4 * max(1.0, n / 100))
    return params[:q], params[q : p + q], converged, -f


def fiml_information(spec: ModelSpec, x: np.ndarray, theta: np.ndarray, nu: np.ndarray):
    """The observed information (Hessian of −logL) over ``[θ, ν]`` of a FIML fit.

    ``Δ' (N A) Δ − Σ_j g_j ∂²m_j/∂θ∂θ'`` with ``A`` the saturated model's observed information at
    the model's moments ``m = (μ, vech Σ)`` (analytic), ``g`` the saturated log-likelihood gradient
    there and the curvature of the moments by central differences of ``Δ(θ)' g`` (cheap: no pass
    over the data).
    """
    from cxkit.sem.robust import h1_gradient, numeric_jacobian, saturated_information, spec_delta

    n = len(x)
    q = spec.n_free
    sigma, mats = spec.implied(theta)
    delta = spec_delta(spec, theta, True, mats)
    info = n * delta.T @ saturated_information(x, nu, sigma) @ delta
    g = h1_gradient(patterns(x), nu, sigma, True)
    curvature = numeric_jacobian(lambda th: spec_delta(spec, th, True)[:, :q].T @ g, theta)
    info[:q, :q] -= curvature
    return info


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
