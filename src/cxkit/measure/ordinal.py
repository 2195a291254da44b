"""Polychoric correlations, and the ordinal α and ω computed from them.

For Likert items, α and ω computed from Pearson correlations understate reliability; Zumbo, Gadermann
& Zeisser (2007) compute them from polychoric correlations instead. The estimator follows
``psych::polychoric`` (two-step ML: thresholds from each item's own answers, then one correlation per
pair from the pair's contingency table; a non-positive-definite matrix is smoothed as
``psych::cor.smooth`` does). Checked against psych 2.2.9 in ``tests/reference/ordinal_bfi``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxkit.errors import SpecificationError
from cxkit.polychoric import BIG, pair_rho

_BIG = BIG


def _thresholds(col: pd.Series, levels: np.ndarray) -> np.ndarray:
    counts = col.value_counts().reindex(levels, fill_value=0).to_numpy(dtype=float)
    cum = np.cumsum(counts)[:-1] / counts.sum()
    return np.clip(stats.norm.ppf(cum), -_BIG, _BIG)


def _smooth(r: np.ndarray) -> np.ndarray:
    """``psych::cor.smooth``: raise eigenvalues below 1e-12 to 100·eps and rescale to a correlation."""
    values, vectors = np.linalg.eigh(r)
    if values.min() > np.finfo(float).eps:
        return r
    values = np.where(values < np.finfo(float).eps, 100 * np.finfo(float).eps, values)
    values = values * len(values) / values.sum()
    s = vectors @ np.diag(values) @ vectors.T
    d = np.sqrt(np.diag(s))
    return s / np.outer(d, d)


def polychoric(
    data: pd.DataFrame, items: list[str] | None = None, *, max_cat: int = 8
) -> pd.DataFrame:
    """Polychoric correlation matrix of ordinal items (two-step ML, as ``psych::polychoric``).

    Parameters
    ----------
    data : DataFrame
        Integer-coded answers; missing answers are left out pair by pair.
    items : list of str, optional
        Columns to use (default: all).
    max_cat : int
        Most categories an item may have (psych's default, 8).

    Returns
    -------
    DataFrame
        Items × items.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2, 3, 4, 1, 5], "b": [1, 2, 3, 5, 4, 3, 2, 4, 2, 5]})
    >>> round(float(polychoric(df).loc["a", "b"]), 2)  # psych::polychoric: 0.92424
    0.92
    """
    items = list(data.columns) if items is None else list(items)
    x = data[items]
    values = x.to_numpy(dtype=float).ravel()
    levels = np.unique(values[~np.isnan(values)])
    if len(levels) > max_cat:
        raise SpecificationError(
            f"ordinal estimation takes items with at most {max_cat} answer categories; these items use "
            f"{len(levels)} different values ({levels.min():g}–{levels.max():g}): treat them as continuous"
        )
    if not np.allclose(levels, np.round(levels)):
        raise SpecificationError("ordinal estimation needs whole-number answer codes")
    taus = {c: _thresholds(x[c].dropna(), levels) for c in items}
    r = np.eye(len(items))
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            pair = x[[a, b]].dropna()
            table = pd.crosstab(pair[a], pair[b]).reindex(
                index=levels, columns=levels, fill_value=0
            )
            r[i, j] = r[j, i] = pair_rho(table.to_numpy(dtype=float), taus[a], taus[b])
    return pd.DataFrame(_smooth(r), index=items, columns=items)


def alpha_from_cor(r: np.ndarray) -> float:
    """Standardised α of a correlation matrix (ordinal α when ``r`` is polychoric)."""
    k = r.shape[0]
    return float(k / (k - 1) * (1 - k / r.sum()))


def one_factor_minres(r: np.ndarray) -> np.ndarray:
    """Loadings of a one-factor minimum-residual (ULS) solution: min Σ_{i≠j} (r_ij − λ_i λ_j)²."""
    k = r.shape[0]
    off = ~np.eye(k, dtype=bool)
    values, vectors = np.linalg.eigh(r)
    start = vectors[:, -1] * np.sqrt(values[-1])
    start = start if start.sum() >= 0 else -start

    def resid(lam):
        return (r - np.outer(lam, lam))[off]

    return optimize.least_squares(resid, start, xtol=1e-14, ftol=1e-14, gtol=1e-14).x


def omega_total_from_cor(r: np.ndarray) -> float:
    """ω total of a one-factor model, as ``psych::omega(r, nfactors = 1)$omega.tot``: 1 − Σu² / 1'R1."""
    lam = one_factor_minres(r)
    return float(1 - (1 - lam**2).sum() / r.sum())
