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
* ``loglik = -N/2 (p log 2π + log|Sigma| + tr(S Sigma^-1))`` (with observed exogenous predictors,
  whose (co)variances are fixed, minus their own marginal log-likelihood, as lavaan), ``aic = -2 loglik
  + 2 npar``, ``bic = -2 loglik + npar log N``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import costs more than a small fit

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


def discrepancy(s: np.ndarray, sigma: np.ndarray) -> float:
    """The ML discrepancy ``log|Σ| + tr(SΣ⁻¹) − log|S| − p`` (inf when Σ is not positive definite)."""
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf
    _, logdet_s = np.linalg.slogdet(s)
    return float(logdet + np.trace(np.linalg.solve(sigma, s)) - logdet_s - s.shape[0])


def _ncp_for(chisq: float, df: float, target: float) -> float:
    """The noncentrality λ with P(χ²(df, λ) ≤ chisq) = target (0 when even λ = 0 is below it):
    scipy.special's inverse of the noncentral χ² distribution in λ (``chndtrinc``)."""
    if special.chdtr(df, chisq) < target:
        return 0.0
    return float(special.chndtrinc(chisq, df, target))


def rmsea_ci(chisq: float, df: float, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's RMSEA interval: sqrt(λ / (N df)) at the two noncentralities.

    >>> low, high = rmsea_ci(85.3055217699727, 24, 301)
    >>> round(low, 6), round(high, 6)  # lavaan: 0.071418, 0.113678
    (0.071418, 0.113678)
    """
    if not (np.isfinite(df) and np.isfinite(chisq)):
        return np.nan, np.nan
    if df < 1:  # lavaan: no interval below one degree of freedom
        return 0.0, 0.0
    a = (1 - level) / 2
    lam_low = _ncp_for(chisq, df, 1 - a)
    lam_high = _ncp_for(chisq, df, a)
    return float(np.sqrt(lam_low / (n * df))), float(np.sqrt(lam_high / (n * df)))


def cfi_value(chisq, df, b_chisq, b_df, c: float = 1.0, c_b: float = 1.0) -> float:
    """CFI; with scaling factors ``c``, ``c_B`` the robust CFI (noncentrality ``χ² − c·df``).

    >>> round(cfi_value(85.3055, 24, 918.8516, 36), 4)  # lavaan, HS CFA: 0.9306
    0.9306
    """
    if np.isnan([chisq, df, b_chisq, b_df, c, c_b]).any():
        return np.nan
    num = max(chisq - c * df, 0.0)
    den = max(chisq - c * df, b_chisq - c_b * b_df, 0.0)
    return 1.0 - num / den if den > 0 else 1.0


def tli_value(chisq, df, b_chisq, b_df, c: float = 1.0, c_b: float = 1.0) -> float:
    """TLI; with scaling factors ``c``, ``c_B`` the robust TLI, as lavaan's ``lav_fit_tli``
    (1 for a saturated model)."""
    if np.isnan([chisq, df, b_chisq, b_df, c, c_b]).any():
        return np.nan
    if not df > 0:
        return 1.0
    t1 = (chisq - c * df) * b_df
    t2 = (b_chisq - c_b * b_df) * df
    return 1.0 - t1 / t2 if t2 != 0 else 1.0


def rmsea_value(chisq, df, n, c: float = 1.0) -> float:
    """RMSEA ``sqrt(max(χ²/(N df) − c/N, 0))``; with ``c`` the robust RMSEA (0 when df = 0, as
    lavaan)."""
    if np.isnan(df):
        return np.nan
    if not df > 0:
        return 0.0
    value = chisq / (n * df) - c / n
    return float(np.sqrt(max(value, 0.0))) if np.isfinite(value) else np.nan


def assemble(n, npar, chisq, df, b_chisq, b_df, srmr, loglik, groups: int = 1) -> pd.Series:
    """The fit-index Series from its pieces (shared by complete-data ML, FIML and multi-group ML;
    with several groups RMSEA and its interval are multiplied by √G, as lavaan does)."""
    pvalue = float(special.chdtrc(df, chisq)) if df > 0 else np.nan
    cfi = cfi_value(chisq, df, b_chisq, b_df)
    tli = tli_value(chisq, df, b_chisq, b_df)
    g = np.sqrt(groups)
    rmsea = rmsea_value(chisq, df, n) * g
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


ROBUST_INDEX_NAMES = [
    "chisq_scaled",
    "scaling_factor",
    "pvalue_scaled",
    "baseline_chisq_scaled",
    "baseline_scaling_factor",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "rmsea_ci_low_scaled",
    "rmsea_ci_high_scaled",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "rmsea_ci_low_robust",
    "rmsea_ci_high_robust",
]


def robust_indices(
    n, chisq, df, c, b_chisq, b_df, c_b, groups: int = 1, corrected: dict | None = None
) -> pd.Series:
    """The scaled and robust entries added to the fit indices by ``estimator="MLR"``, as lavaan 0.6.

    ``c`` and ``c_b`` are the Yuan–Bentler scaling factors of the model and the baseline:
    ``chisq_scaled = χ²/c``; ``cfi_scaled``, ``tli_scaled`` are CFI and TLI of the scaled statistics;
    ``rmsea_scaled`` and its interval use χ² with ``c·df`` degrees of freedom. The robust CFI, TLI
    and RMSEA (and its interval) take ``χ² − c·df`` as the noncentrality; with missing data
    (``corrected``: the FIML-corrected ``chisq``, ``c``, ``b_chisq``, ``b_c``) they use those.

    >>> r = robust_indices(301, 85.3055, 24, 0.979042, 918.8516, 36, 1.044053)
    >>> round(float(r["chisq_scaled"]), 3), round(float(r["cfi_robust"]), 4)  # lavaan 87.132, 0.9299
    (87.132, 0.9299)
    """
    g = np.sqrt(groups)
    if not (df > 0 and np.isfinite(c)):  # a saturated model: nothing to scale (lavaan: NA)
        c = np.nan
    scaled = chisq / c if np.isfinite(c) else chisq
    b_scaled = b_chisq / c_b
    x3, c3, xb3, cb3 = (
        (chisq, c, b_chisq, c_b)
        if corrected is None
        else (corrected["chisq"], corrected["c"], corrected["b_chisq"], corrected["b_c"])
    )
    low_s, high_s = rmsea_ci(chisq, c * df, n)
    low_r, high_r = rmsea_ci(x3 / c3 if corrected is not None else scaled, df, n)
    if df >= 1:
        low_r, high_r = low_r * np.sqrt(c3), high_r * np.sqrt(c3)
    return pd.Series(
        {
            "chisq_scaled": scaled,
            "scaling_factor": c,
            "pvalue_scaled": float(special.chdtrc(df, scaled)) if df > 0 else np.nan,
            "baseline_chisq_scaled": b_scaled,
            "baseline_scaling_factor": c_b,
            "cfi_scaled": cfi_value(scaled, df, b_scaled, b_df),
            "tli_scaled": tli_value(scaled, df, b_scaled, b_df),
            "rmsea_scaled": rmsea_value(chisq, c * df, n) * g,
            "rmsea_ci_low_scaled": low_s * g,
            "rmsea_ci_high_scaled": high_s * g,
            "cfi_robust": cfi_value(x3, df, xb3, b_df, c3, cb3),
            "tli_robust": tli_value(x3, df, xb3, b_df, c3, cb3),
            "rmsea_robust": rmsea_value(x3, df, n, c3) * g,
            "rmsea_ci_low_robust": low_r * g,
            "rmsea_ci_high_robust": high_r * g,
        },
        name="fit",
    )[ROBUST_INDEX_NAMES]
