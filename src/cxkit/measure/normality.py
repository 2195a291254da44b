"""Item descriptives and multivariate normality: what a CB-SEM results chapter reports before the
model (the AMOS "assessment of normality" table, Mardia's coefficients, Mahalanobis outliers).

* :func:`item_descriptives` — n, min, max, mean, median, SD, skewness and excess kurtosis with their
  critical ratios (statistic / standard error, SE = √(6/n) and √(24/n), as AMOS prints them);
* :func:`mardia` — Mardia's (1970) multivariate skewness and kurtosis, as ``psych::mardia``;
* :func:`mahalanobis` — each respondent's squared Mahalanobis distance d² with its χ² p value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import as_frame
from cxkit.errors import AnalysisError, ResponseError


def _numeric(data, items) -> pd.DataFrame:
    frame = as_frame(data)
    items = list(frame.columns if items is None else items)
    missing = [i for i in items if i not in frame.columns]
    if missing:
        raise ResponseError(
            f"item columns not in the data: {', '.join(missing)}; the data have "
            f"{', '.join(map(str, frame.columns[:12]))}{' …' if len(frame.columns) > 12 else ''}"
        )
    return frame[items].apply(pd.to_numeric, errors="coerce")


def item_descriptives(data, items=None) -> pd.DataFrame:
    """One row per item: ``n, missing, min, max, mean, median, sd, skew, skew_cr, kurtosis,
    kurtosis_cr``.

    ``skew`` is the moment coefficient g₁ = m₃ / m₂^1.5 and ``kurtosis`` the excess g₂ = m₄ / m₂² − 3
    (the values AMOS prints); the critical ratios divide them by √(6/n) and √(24/n). |c.r.| above
    2.58 marks a departure from normality at p < .01. ``sd`` uses n − 1.

    Examples
    --------
    >>> import pandas as pd
    >>> d = item_descriptives(pd.DataFrame({"x": [1, 2, 2, 3, 7]}))
    >>> d.loc["x", ["n", "median", "skew"]].round(3).tolist()
    [5.0, 2.0, 1.17]
    """
    x = _numeric(data, items)
    rows = {}
    for c in x.columns:
        v = x[c].dropna().to_numpy(dtype=float)
        n = len(v)
        dev = v - v.mean() if n else v
        m2 = np.mean(dev**2) if n else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            g1 = np.mean(dev**3) / m2**1.5 if n else np.nan
            g2 = np.mean(dev**4) / m2**2 - 3 if n else np.nan
        rows[c] = {
            "n": n,
            "missing": int(x[c].isna().sum()),
            "min": v.min() if n else np.nan,
            "max": v.max() if n else np.nan,
            "mean": v.mean() if n else np.nan,
            "median": float(np.median(v)) if n else np.nan,
            "sd": v.std(ddof=1) if n > 1 else np.nan,
            "skew": g1,
            "skew_cr": g1 / np.sqrt(6 / n) if n else np.nan,
            "kurtosis": g2,
            "kurtosis_cr": g2 / np.sqrt(24 / n) if n else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "item"
    return out


def _complete(data, items) -> np.ndarray:
    x = _numeric(data, items).dropna().to_numpy(dtype=float)
    if len(x) <= x.shape[1]:
        raise AnalysisError(
            f"multivariate normality needs more complete rows ({len(x)}) than items ({x.shape[1]})"
        )
    return x


def _d_matrix(x: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=0)
    s = np.cov(xc, rowvar=False)
    try:
        inv = np.linalg.inv(s)
    except np.linalg.LinAlgError:
        raise AnalysisError(
            "the items' covariance matrix is singular (an item is constant or a copy of others)"
        ) from None
    return xc @ inv @ xc.T


def mardia(data, items=None) -> pd.Series:
    """Mardia's multivariate skewness and kurtosis on the complete rows, as ``psych::mardia``.

    Returns
    -------
    Series
        ``n, p, b1p, b2p, skew`` (n·b1p/6, χ² with p(p+1)(p+2)/6 df), ``skew_df, skew_p``,
        ``small_skew, small_skew_p`` (small-sample corrected), ``kurtosis`` ((b2p − p(p+2)) /
        √(8p(p+2)/n), standard normal; the multivariate critical ratio AMOS prints), ``kurtosis_p``.
        The covariance matrix uses n − 1, as psych does.

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> m = mardia(load_dataset("satisfaction"), ["sat1", "sat2", "sat3", "sat4"])
    >>> int(m["n"]), int(m["skew_df"])
    (250, 20)
    """
    x = _complete(data, items)
    n, p = x.shape
    d = _d_matrix(x)
    b1p = float(np.sum(d**3) / n**2)
    b2p = float(np.sum(np.diag(d) ** 2) / n)
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew = n * b1p / 6
    kurt = (b2p - p * (p + 2)) * np.sqrt(n / (8 * p * (p + 2)))
    return pd.Series(
        {
            "n": n,
            "p": p,
            "b1p": b1p,
            "b2p": b2p,
            "skew": skew,
            "skew_df": df,
            "skew_p": float(stats.chi2.sf(skew, df)),
            "small_skew": n * k * b1p / 6,
            "small_skew_p": float(stats.chi2.sf(n * k * b1p / 6, df)),
            "kurtosis": float(kurt),
            "kurtosis_p": float(2 * stats.norm.sf(abs(kurt))),
        }
    )


def mahalanobis(data, items=None) -> pd.DataFrame:
    """Squared Mahalanobis distance of every complete row from the centroid (covariance n − 1).

    Returns
    -------
    DataFrame
        Indexed as the complete rows of ``data``, sorted by ``d2`` (largest first): ``d2`` and
        ``p`` (χ² upper tail with p = number of items df). Rows with p < .001 are the usual
        multivariate outliers (Tabachnick & Fidell, 2013).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> d = mahalanobis(load_dataset("satisfaction"), ["sat1", "sat2", "sat3", "sat4"])
    >>> bool(d["d2"].is_monotonic_decreasing), len(d)
    (True, 250)
    """
    frame = _numeric(data, items).dropna()
    x = _complete(data, items)
    d2 = np.diag(_d_matrix(x))
    out = pd.DataFrame({"d2": d2, "p": stats.chi2.sf(d2, x.shape[1])}, index=frame.index)
    return out.sort_values("d2", ascending=False)
