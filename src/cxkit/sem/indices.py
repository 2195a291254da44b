"""Fit indices as lavaan 0.6 defines them (ML, complete data, ``likelihood = "normal"``).

Computed from the sample covariance ``S`` (N denominator) and the implied ``Sigma``:

* ``chisq = N F_ML``; ``df = p(p + 1)/2 - npar``; ``pvalue`` from χ²(df);
* baseline: the independence model (diagonal ``Sigma``, but the covariances of fixed exogenous
  observed predictors kept), its χ² and df;
* ``cfi = 1 - max(χ² - df, 0) / max(χ² - df, χ²_b - df_b, 0)``;
  ``tli = (χ²_b/df_b - χ²/df) / (χ²_b/df_b - 1)``;
* ``rmsea = sqrt(max(χ²/(N df) - 1/N, 0))`` (N, not N - 1), with the 90% interval from the
  noncentral χ² (``rmsea_ci_low``, ``rmsea_ci_high``);
* ``srmr``: root mean square of the correlation residuals ``(s_ij - σ_ij)/sqrt(s_ii s_jj)`` over
  the p(p + 1)/2 distinct elements (lavaan's ``srmr``, Bentler's definition);
* ``loglik = -N/2 (p log 2π + log|Sigma| + tr(S Sigma^-1))``, ``aic = -2 loglik + 2 npar``,
  ``bic = -2 loglik + npar log N``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxkit.sem.ml import discrepancy

FIT_INDEX_NAMES = [
    "n",
    "npar",
    "chisq",
    "df",
    "pvalue",
    "baseline_chisq",
    "baseline_df",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "loglik",
    "aic",
    "bic",
]


def _ncp_for(chisq: float, df: float, target: float) -> float:
    """The noncentrality λ with P(χ²(df, λ) ≤ chisq) = target (0 when even λ = 0 is below it)."""
    if stats.chi2.cdf(chisq, df) < target:
        return 0.0
    hi = max(chisq, 1.0)
    while stats.ncx2.cdf(chisq, df, hi) > target:
        hi *= 2
    return float(
        optimize.brentq(
            lambda lam: stats.ncx2.cdf(chisq, df, max(lam, 1e-12)) - target, 0.0, hi, xtol=1e-12
        )
    )


def rmsea_ci(chisq: float, df: float, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's RMSEA interval: sqrt(λ / (N df)) at the two noncentralities.

    >>> low, high = rmsea_ci(85.3055217699727, 24, 301)
    >>> round(low, 6), round(high, 6)  # lavaan: 0.071418, 0.113678
    (0.071418, 0.113678)
    """
    if df <= 0:
        return np.nan, np.nan
    a = (1 - level) / 2
    lam_low = _ncp_for(chisq, df, 1 - a)
    lam_high = _ncp_for(chisq, df, a)
    return float(np.sqrt(lam_low / (n * df))), float(np.sqrt(lam_high / (n * df)))


def baseline_sigma(s: np.ndarray, keep: list[int]) -> np.ndarray:
    """Independence model: diagonal, except the block of fixed exogenous predictors ``keep``."""
    b = np.diag(np.diag(s))
    if keep:
        b[np.ix_(keep, keep)] = s[np.ix_(keep, keep)]
    return b


def assemble(n, npar, chisq, df, b_chisq, b_df, srmr, loglik, groups: int = 1) -> pd.Series:
    """The fit-index Series from its pieces (shared by complete-data ML, FIML and multi-group ML;
    with several groups RMSEA and its interval are multiplied by √G, as lavaan does)."""
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    num = max(chisq - df, 0.0)
    den = max(chisq - df, b_chisq - b_df, 0.0)
    cfi = 1.0 - num / den if den > 0 else 1.0
    tli = (
        ((b_chisq / b_df) - (chisq / df)) / ((b_chisq / b_df) - 1.0)
        if df > 0 and b_df > 0
        else np.nan
    )
    g = np.sqrt(groups)
    rmsea = float(np.sqrt(max(chisq / (n * df) - 1.0 / n, 0.0))) * g if df > 0 else np.nan
    low, high = (v * g for v in rmsea_ci(chisq, df, n))
    return pd.Series(
        {
            "n": n,
            "npar": npar,
            "chisq": chisq,
            "df": df,
            "pvalue": pvalue,
            "baseline_chisq": b_chisq,
            "baseline_df": b_df,
            "cfi": cfi,
            "tli": tli,
            "rmsea": rmsea,
            "rmsea_ci_low": low,
            "rmsea_ci_high": high,
            "srmr": srmr,
            "loglik": loglik,
            "aic": -2 * loglik + 2 * npar,
            "bic": -2 * loglik + npar * np.log(n),
        },
        name="fit",
    )[FIT_INDEX_NAMES]


def srmr(
    s: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None = None, mu: np.ndarray | None = None
) -> float:
    """Bentler's SRMR; with a mean structure the standardised mean residuals count too (lavaan)."""
    p = s.shape[0]
    d = np.sqrt(np.diag(s))
    resid = ((s - sigma) / np.outer(d, d))[np.tril_indices(p)]
    if mean is not None:
        resid = np.concatenate([resid, (mean - mu) / d])
    return float(np.sqrt(np.mean(resid**2)))


def fit_indices(
    s: np.ndarray, sigma: np.ndarray, n: int, npar: int, fixed_x: list[int] | None = None
) -> pd.Series:
    """The fit-index Series of :attr:`SEMResult.fit_indices` for complete data (``FIT_INDEX_NAMES``)."""
    p = s.shape[0]
    fixed_x = fixed_x or []
    k = len(fixed_x)
    chisq = n * discrepancy(s, sigma)
    df = p * (p + 1) / 2 - k * (k + 1) / 2 - npar
    b_chisq = n * discrepancy(s, baseline_sigma(s, fixed_x))
    b_df = p * (p - 1) / 2 - k * (k - 1) / 2
    _, logdet = np.linalg.slogdet(sigma)
    loglik = -n / 2 * (p * np.log(2 * np.pi) + logdet + np.trace(np.linalg.solve(sigma, s)))
    return assemble(n, npar, chisq, df, b_chisq, b_df, srmr(s, sigma), loglik)
