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


# -- lavaan's fitMeasures(fit, "all") ---------------------------------------------------------
#
# The functions below follow lav_fit_cfi.R, lav_fit_rmsea.R, lav_fit_gfi.R, lav_fit_other.R and
# lav_fit_srmr.R of lavaan 0.6-14, edge cases included; ``extend`` adds their values (snake_case
# names) to a fit's ``fit_indices`` and ``lavaan_measures`` lists them under lavaan's names.


def nfi_value(chisq, df, b_chisq, b_df) -> float:
    """Bentler–Bonett normed fit index ``(χ²_B − χ²)/χ²_B`` (NaN when df > df_B; 1 when df = 0).

    >>> round(nfi_value(85.3055, 24, 918.8516, 36), 4)  # lavaan, HS CFA: 0.9072
    0.9072
    """
    if np.isnan([chisq, df, b_chisq, b_df]).any() or df > b_df or np.isclose(b_chisq, 0):
        return np.nan
    return (b_chisq - chisq) / b_chisq if df > 0 else 1.0


def pnfi_value(chisq, df, b_chisq, b_df) -> float:
    """James–Mulaik–Brett parsimony NFI ``(df/df_B)·NFI``."""
    if np.isnan([chisq, df, b_chisq, b_df]).any() or not (b_df > 0 and b_chisq > 0):
        return np.nan
    return (df / b_df) * (b_chisq - chisq) / b_chisq


def rfi_value(chisq, df, b_chisq, b_df) -> float:
    """Bollen's relative fit index ``(χ²_B/df_B − χ²/df)/(χ²_B/df_B)`` (lavaan: 1 when negative)."""
    if np.isnan([chisq, df, b_chisq, b_df]).any() or df > b_df:
        return np.nan
    if not (df > 0 and b_df > 0):
        return 1.0
    t1 = b_chisq / b_df - chisq / df
    t2 = b_chisq / b_df
    if not (np.isfinite(t1) and np.isfinite(t2)):
        return np.nan
    return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2


def ifi_value(chisq, df, b_chisq, b_df) -> float:
    """Bollen's incremental fit index (BL89) ``(χ²_B − χ²)/(χ²_B − df)``.

    >>> round(ifi_value(85.3055, 24, 918.8516, 36), 4)  # lavaan, HS CFA: 0.9315
    0.9315
    """
    if np.isnan([chisq, df, b_chisq, b_df]).any():
        return np.nan
    t1, t2 = b_chisq - chisq, b_chisq - df
    if t2 < 0:
        return 1.0
    return np.nan if np.isclose(t2, 0) else t1 / t2


def rni_value(chisq, df, b_chisq, b_df, c: float = 1.0, c_b: float = 1.0) -> float:
    """McDonald–Marsh relative noncentrality index (the CFI without its bounds); with scaling
    factors the robust RNI."""
    if np.isnan([chisq, df, b_chisq, b_df, c, c_b]).any():
        return np.nan
    if not (df > 0 and c != 1 and c_b != 1):
        c = c_b = 1.0
    t1, t2 = chisq - c * df, b_chisq - c_b * b_df
    return np.nan if np.isclose(t2, 0) else 1.0 - t1 / t2


def rmsea_pvalue(chisq, df, n, groups: int = 1, c: float = 1.0, h0: float = 0.05, close=True):
    """P-value of close fit ``P(χ²(df, λ0) ≥ χ²)`` with ``λ0 = N·df·ε0²/(c·G)`` (``close=False``:
    lavaan's "not close fit" ``P(χ²(df, λ0) ≤ χ²)``, ε0 = .08)."""
    if not (np.isfinite(chisq) and np.isfinite(df) and df > 0):
        return np.nan
    ncp = n * df / c * h0**2 / groups
    cdf = float(special.chndtr(chisq, df, ncp))
    return 1.0 - cdf if close else cdf


def hoelter_cn(chisq, df, n, alpha: float) -> float:
    """Hoelter's critical N ``χ²_{1−α}(df)/(χ²/N) + 1``."""
    if df == 0 and chisq < np.finfo(float).eps:
        return np.nan
    return float(special.chdtri(df, alpha) / (chisq / n) + 1)


def gfi_value(parts, nobs) -> float:
    """Jöreskog–Sörbom GFI ``1 − r'Wr / s'Ws`` per group (``s`` the sample moments, ``r`` their
    residuals, ``W`` the estimator's weight: ML's at the implied moments), weighted by group size.
    ``parts``: per group ``(s, r, W)`` with ``W`` a matrix, the vector of a diagonal or the
    quadratic form ``v ↦ v'Wv``."""
    values = []
    for s, r, w in parts:
        if callable(w):
            values.append(1.0 - w(r) / w(s))
        elif w.ndim == 1:
            values.append(1.0 - float(np.sum(r * r * w)) / float(np.sum(s * s * w)))
        else:
            values.append(1.0 - float(r @ w @ r) / float(s @ w @ s))
    nobs = np.asarray(nobs, float)
    return float(nobs @ np.array(values) / nobs.sum())


def residual_summaries(parts, nobs, meanstructure: bool, n_th: int = 0) -> dict[str, float]:
    """RMR, SRMR (Bentler), CRMR (Bollen) and SRMR (Mplus), with and without the means, as
    lavaan's ``lav_residuals_summary``, weighted by group size. ``parts``: per group
    ``(S, Σ, m, μ)`` (``m``, ``μ`` None without a mean structure). With ``n_th`` thresholds
    (ordinal data) the residuals are those of the correlations (and zero threshold residuals):
    no Mplus variant."""
    acc: dict[str, float] = {}
    nobs = np.asarray(nobs, float)
    f = nobs / nobs.sum()
    for share, (s, sigma, m, mu) in zip(f, parts, strict=True):
        p = s.shape[0]
        r, c = np.tril_indices(p)
        off = r != c
        ds, dsig = np.sqrt(np.diag(s)), np.sqrt(np.diag(sigma))
        raw = (s - sigma)[r, c]
        bentler = ((s - sigma) / np.outer(ds, ds))[r, c]
        bollen = (s / np.outer(ds, ds) - sigma / np.outer(dsig, dsig))[r, c]
        vals = {}
        if n_th:  # ordinal: correlations off the diagonal, then with the thresholds
            k = int(off.sum())
            for name, res in (("rmr", raw), ("srmr_bentler", bentler), ("crmr", bollen)):
                ss = float(np.sum(res[off] ** 2))
                extra = 0 if name == "crmr" else p
                vals[name + "_nomean"] = np.sqrt(ss / (k + extra))
                vals[name] = np.sqrt(ss / (k + n_th + extra))
            vals["srmr_mplus"] = vals["srmr_mplus_nomean"] = np.nan
        else:
            k = len(r)
            mres = {}
            if meanstructure:
                mres = {"rmr": m - mu, "srmr_bentler": (m - mu) / ds, "crmr": (m - mu) / ds}
            for name, res in (("rmr", raw), ("srmr_bentler", bentler), ("crmr", bollen)):
                ss = float(np.sum(res**2))
                kk = k - p if name == "crmr" else k
                vals[name + "_nomean"] = np.sqrt(ss / kk)
                if meanstructure:
                    vals[name] = np.sqrt((ss + float(np.sum(mres[name] ** 2))) / (kk + p))
                else:
                    vals[name] = vals[name + "_nomean"]
            # Mplus: correlations off the diagonal, relative variance residuals, the means
            core = float(np.sum(bollen[off] ** 2)) + float(
                np.sum(((np.diag(s) - np.diag(sigma)) / np.diag(s)) ** 2)
            )
            vals["srmr_mplus_nomean"] = np.sqrt(core / k)
            if meanstructure:
                mm = float(np.sum((m / ds - mu / dsig) ** 2))
                vals["srmr_mplus"] = np.sqrt((core + mm) / (k + p))
            else:
                vals["srmr_mplus"] = vals["srmr_mplus_nomean"]
        for key, v in vals.items():
            acc[key] = acc.get(key, 0.0) + share * v
    return acc


def _incremental(chisq, df, b_chisq, b_df, suffix: str) -> dict[str, float]:
    return {
        "nfi" + suffix: nfi_value(chisq, df, b_chisq, b_df),
        "pnfi" + suffix: pnfi_value(chisq, df, b_chisq, b_df),
        "rfi" + suffix: rfi_value(chisq, df, b_chisq, b_df),
        "ifi" + suffix: ifi_value(chisq, df, b_chisq, b_df),
        "rni" + suffix: rni_value(chisq, df, b_chisq, b_df),
    }


def extend(
    indices: pd.Series,
    *,
    estimator: str,
    n_lav: float,
    groups: int,
    nobs,
    gfi_parts,
    resid_parts,
    meanstructure: bool,
    nel: int,
    fiml_corrected: dict | None = None,
    h1h0: dict | None = None,
    n_th: int = 0,
) -> pd.Series:
    """``indices`` with lavaan's other ``fitMeasures`` added (snake_case: ``gfi``, ``agfi``,
    ``pgfi``, ``nfi``, ``pnfi``, ``rfi``, ``ifi``, ``rni``, ``rmr``, ``srmr_bentler``, ``crmr``,
    ``srmr_mplus`` (and ``_nomean``), ``rmsea_pvalue``, ``rmsea_notclose_pvalue``, ``bic2``,
    ``ecvi``, ``cn_05``, ``cn_01``, ``mfi``, ``wrmr``, ``fmin``, ``baseline_pvalue``, the
    ``_scaled`` and ``_robust`` variants) and cxkit's ``chisq_df`` (χ²/df).

    ``n_lav``: lavaan's N of the fit (N for ML, N − G for the least-squares family and WLSMV);
    ``nel``: the number of sample moments (GFI's, WRMR's); ``fiml_corrected``: lavaan's corrected
    statistics for robust indices with missing answers (``chisq``, ``c``, ``b_chisq``, ``b_c``).
    """
    f = indices
    x2, df, b_x2, b_df = (float(f[k]) for k in ("chisq", "df", "baseline_chisq", "baseline_df"))
    n_total = float(np.sum(nobs))
    ordinal = estimator == "WLSMV"
    no_p = estimator == "ULS"  # lavaan: no reference distribution for ULS's χ²
    out: dict[str, float] = {
        "fmin": x2 / (2 * n_total),
        "chisq_df": x2 / df if df > 0 else np.nan,
        "baseline_pvalue": np.nan if no_p else float(special.chdtrc(b_df, b_x2)),
        "nnfi": float(f["tli"]),
    }
    if no_p:
        out["pvalue"] = np.nan
    out.update(_incremental(x2, df, b_x2, b_df, ""))
    out["rmsea_pvalue"] = rmsea_pvalue(x2, df, n_lav, groups)
    out["rmsea_notclose_pvalue"] = rmsea_pvalue(x2, df, n_lav, groups, h0=0.08, close=False)
    scaled = "chisq_scaled" in f.index
    if scaled:
        xs, bxs = float(f["chisq_scaled"]), float(f["baseline_chisq_scaled"])
        out.update(df_scaled=df, baseline_df_scaled=b_df)
        out["baseline_pvalue_scaled"] = float(special.chdtrc(b_df, bxs))
        out.update(_incremental(xs, df, bxs, b_df, "_scaled"))
        out["nnfi_scaled"] = float(f["tli_scaled"])
        c = float(f["scaling_factor"])
        if ordinal:  # scaled-shifted: the adjusted statistic on df
            xx2, df2 = xs, df
        else:
            xx2, df2 = x2, c * df
        out["rmsea_pvalue_scaled"] = rmsea_pvalue(xx2, df2, n_lav, groups)
        out["rmsea_notclose_pvalue_scaled"] = rmsea_pvalue(
            xx2, df2, n_lav, groups, h0=0.08, close=False
        )
    robust = None
    if fiml_corrected is not None:
        fc = fiml_corrected
        robust = (fc["chisq"], fc["c"], fc["b_chisq"], fc["b_c"], fc["chisq"] / fc["c"], fc["c"])
        if "cfi_robust" not in f.index:  # ML with missing answers: lavaan's V6 robust indices
            x3, c3, bx3, bc3 = robust[:4]
            low, high = rmsea_ci(x3 / c3, df, n_lav)
            if df >= 1:
                low, high = low * np.sqrt(c3), high * np.sqrt(c3)
            g = np.sqrt(groups)
            out.update(
                cfi_robust=cfi_value(x3, df, bx3, b_df, c3, bc3),
                tli_robust=tli_value(x3, df, bx3, b_df, c3, bc3),
                rmsea_robust=rmsea_value(x3, df, n_lav, c3) * g,
                rmsea_ci_low_robust=low * g,
                rmsea_ci_high_robust=high * g,
            )
    elif scaled and not ordinal:
        c, cb = float(f["scaling_factor"]), float(f["baseline_scaling_factor"])
        robust = (x2, c, b_x2, cb, float(f["chisq_scaled"]), c)
    if robust is not None:
        x3, c3, bx3, bc3, x3s, c_hat = robust
        out["nnfi_robust"] = tli_value(x3, df, bx3, b_df, c3, bc3)
        out["rni_robust"] = rni_value(x3, df, bx3, b_df, c3, bc3)
        out["rmsea_pvalue_robust"] = rmsea_pvalue(x3s, df, n_lav, groups, c=c_hat)
        out["rmsea_notclose_pvalue_robust"] = rmsea_pvalue(
            x3s, df, n_lav, groups, c=c_hat, h0=0.08, close=False
        )
    if np.isfinite(f["loglik"]):
        npar = float(f["npar"])
        out["unrestricted_loglik"] = float(f["loglik"]) + x2 / 2  # lavaan: logl + χ²/2
        out["bic2"] = -2 * float(f["loglik"]) + npar * np.log((n_total + 2) / 24)
    if h1h0:
        out.update(h1h0)
    out.update(residual_summaries(resid_parts, nobs, meanstructure, n_th))
    # lavaan's srmr: Bentler's (without the means for ordinal data), of the S the estimator fits
    out["srmr"] = out["srmr_bentler_nomean" if ordinal else "srmr_bentler"]
    gfi = gfi_value(gfi_parts, nobs)
    out["gfi"] = gfi
    out["agfi"] = (1 - (nel / df) * (1 - gfi)) if df > 0 else 1.0
    out["pgfi"] = (df / nel) * gfi if nel else np.nan
    out["cn_05"] = hoelter_cn(x2, df, n_lav, 0.05)
    out["cn_01"] = hoelter_cn(x2, df, n_lav, 0.01)
    out["mfi"] = float(np.exp(-0.5 * (x2 - df) / n_lav))
    if ordinal:
        out["wrmr"] = np.sqrt(x2 / nel) if nel > 0 else np.nan
    else:
        out["ecvi"] = x2 / n_lav + 2 * float(f["npar"]) / n_lav
    new = pd.Series(out, name="fit", dtype=float)
    return pd.concat([f.drop(new.index.intersection(f.index)), new])[
        [*f.index, *new.index.difference(f.index, sort=False)]
    ]


#: lavaan's fitMeasures names → cxkit's ``fit_indices`` names where the rule "." → "_" does not do
LAVAAN_NAMES = {
    "ntotal": "n",
    "logl": "loglik",
    "unrestricted.logl": "unrestricted_loglik",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "rmsea.ci.lower.scaled": "rmsea_ci_low_scaled",
    "rmsea.ci.upper.scaled": "rmsea_ci_high_scaled",
    "rmsea.ci.lower.robust": "rmsea_ci_low_robust",
    "rmsea.ci.upper.robust": "rmsea_ci_high_robust",
    "chisq.scaling.factor": "scaling_factor",
    "baseline.chisq.scaling.factor": "baseline_scaling_factor",
    "chisq.shift.parameters": "shift_parameter",
}

#: the measures reviewers of CX studies (AMOS users, Indonesian theses) ask for; ``summary()``
#: shows them, the study report's fit table too
REVIEWER_SET = ("chisq", "df", "pvalue", "chisq_df", "gfi", "agfi", "nfi", "ifi", "cfi", "tli",
                "rmsea", "srmr")  # fmt: skip


def cxkit_name(lavaan: str) -> str:
    """cxkit's ``fit_indices`` name of lavaan's fit measure ``lavaan``.

    >>> cxkit_name("rmsea.notclose.pvalue"), cxkit_name("logl"), cxkit_name("cn_05")
    ('rmsea_notclose_pvalue', 'loglik', 'cn_05')
    """
    return LAVAAN_NAMES.get(lavaan, lavaan.replace(".", "_"))


def lavaan_list(estimator: str, scaled: bool, robust: bool, ordinal: bool, ml: bool) -> list[str]:
    """The names ``fitMeasures(fit, "all")`` of lavaan 0.6-14 returns, in its order (single level):
    ``scaled`` for MLR/MLM/WLSMV, ``robust`` when lavaan adds its robust CFI/TLI/RMSEA (a scaled
    test, ordinal data or missing = "ml"), ``ml`` for the likelihood block."""
    out = ["npar", "fmin", "chisq", "df", "pvalue"]
    if scaled:
        out += ["chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor"]
    out += ["baseline.chisq", "baseline.df", "baseline.pvalue"]
    if scaled:
        out += ["baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
                "baseline.chisq.scaling.factor"]  # fmt: skip
    out += ["cfi", "tli"]
    if scaled:
        out += ["cfi.scaled", "tli.scaled"]
    if robust:
        out += ["cfi.robust", "tli.robust"]
    out += ["nnfi", "rfi", "nfi", "pnfi", "ifi", "rni"]
    if scaled:
        out += ["nnfi.scaled", "rfi.scaled", "nfi.scaled", "pnfi.scaled", "ifi.scaled",
                "rni.scaled"]  # fmt: skip
    if robust:
        out += ["nnfi.robust", "rni.robust"]
    if ml:
        out += ["logl", "unrestricted.logl", "aic", "bic", "ntotal", "bic2"]
        if estimator == "MLR":
            out += ["scaling.factor.h1", "scaling.factor.h0"]
    out += ["rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.ci.level", "rmsea.pvalue",
            "rmsea.close.h0", "rmsea.notclose.pvalue", "rmsea.notclose.h0"]  # fmt: skip
    if scaled:
        out += ["rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
                "rmsea.pvalue.scaled", "rmsea.notclose.pvalue.scaled"]  # fmt: skip
    if robust:
        out += ["rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
                "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust"]  # fmt: skip
    out += ["rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr",
            "crmr_nomean", "srmr_mplus", "srmr_mplus_nomean", "cn_05", "cn_01", "gfi", "agfi",
            "pgfi", "mfi"]  # fmt: skip
    out += ["wrmr"] if ordinal else ["ecvi"]
    return out


#: lavaan's robust indices of ordinal fits rest on its "catML" refit (lav_fit_catml_dwls), which
#: cxkit does not do: these are left out of an ordinal fit's list (never a guessed number)
CATML_ONLY = ("cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust",
              "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
              "rmsea.notclose.pvalue.robust")  # fmt: skip

_CONSTANTS = {"rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08}


def lavaan_measures(indices: pd.Series, estimator: str, fiml: bool) -> pd.Series:
    """``fit_indices`` under lavaan's names, in the order and selection of lavaan 0.6-14's
    ``fitMeasures(fit, "all")`` for this estimator (ordinal fits without the catML-based robust
    indices, :data:`CATML_ONLY`)."""
    ordinal = estimator == "WLSMV"
    scaled = estimator in ("MLR", "MLM", "WLSMV")
    names = lavaan_list(estimator, scaled, scaled or ordinal or fiml, ordinal,
                        estimator in ("ML", "MLR", "MLM"))  # fmt: skip
    if ordinal:
        names = [k for k in names if k not in CATML_ONLY]
    values = {}
    for k in names:
        if k in _CONSTANTS:
            values[k] = _CONSTANTS[k]
        else:
            values[k] = float(indices.get(cxkit_name(k), np.nan))
    return pd.Series(values, name="fitMeasures", dtype=float)
