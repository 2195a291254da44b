"""The pilot-test route of Indonesian methods courses: item validity against the critical r
("r-tabel", computed here from the t distribution, not looked up), Cronbach's α per construct,
Kaiser–Meyer–Olkin and Bartlett's test of sphericity, and an exploratory factor analysis.

* :func:`critical_r` — the smallest |r| significant at ``alpha`` (two-tailed) with n − 2 df;
* :func:`item_validity` — Pearson item–total r (corrected and uncorrected) against it;
* :func:`kmo` — overall and per-item measure of sampling adequacy, as ``psych::KMO``;
* :func:`bartlett` — Bartlett's test that the correlation matrix is an identity, as
  ``psych::cortest.bartlett``;
* :func:`efa` — minimum-residual factoring with varimax rotation, as ``psych::fa(fm = "minres",
  rotate = "varimax")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxkit._params import check_option
from cxkit.errors import AnalysisError, SpecificationError
from cxkit.measure._input import prepare


def critical_r(n: int, alpha: float = 0.05) -> float:
    """The critical Pearson r for ``n`` cases (df = n − 2), two-tailed: t / √(t² + df).

    >>> round(critical_r(30), 3), round(critical_r(100), 3)
    (0.361, 0.197)
    """
    if not isinstance(n, int | np.integer) or n < 3:
        raise SpecificationError(f"n={n!r} is not accepted; the critical r needs n of at least 3")
    df = n - 2
    t = stats.t.ppf(1 - alpha / 2, df)
    return float(t / np.sqrt(t * t + df))


def item_validity(data, constructs, alpha: float = 0.05) -> pd.DataFrame:
    """Item validity the pilot-test way: each item's Pearson r with its construct's total.

    Parameters
    ----------
    data : DataFrame or Responses
    constructs : mapping or Instrument (reverse keys applied through an instrument)
    alpha : float
        Two-tailed significance level of the critical r.

    Returns
    -------
    DataFrame
        Indexed by ``item``: ``construct, n, r_total`` (with the construct's sum including the
        item), ``r_corrected`` (with the sum of the other items: the corrected item–total r),
        ``r_critical`` (for n − 2 df), ``p`` (of ``r_corrected``) and ``valid`` (``r_corrected``
        above ``r_critical``). Complete answers of each construct's items are used.

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> v = item_validity(load_dataset("satisfaction").head(30),
    ...                   {"LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> round(float(v["r_critical"].iloc[0]), 3), bool(v["valid"].all())
    (0.361, True)
    """
    prep = prepare(data, constructs)
    rows = []
    for name, ids in prep.blocks.items():
        x = prep.data[ids].dropna()
        n = len(x)
        rc = critical_r(n, alpha)
        total = x.sum(axis=1)
        for item in ids:
            r_total = float(np.corrcoef(x[item], total)[0, 1])
            r_corr = float(np.corrcoef(x[item], total - x[item])[0, 1])
            t = r_corr * np.sqrt((n - 2) / (1 - r_corr**2))
            rows.append(
                {
                    "item": item,
                    "construct": name,
                    "n": n,
                    "r_total": r_total,
                    "r_corrected": r_corr,
                    "r_critical": rc,
                    "p": float(2 * stats.t.sf(abs(t), n - 2)),
                    "valid": bool(r_corr > rc),
                }
            )
    out = pd.DataFrame(rows).set_index("item")
    out.attrs.update(prep.provenance, alpha=alpha)
    return out


def _correlation(data, items) -> tuple[np.ndarray, int, list[str]]:
    frame = data[list(items)].apply(pd.to_numeric, errors="coerce").dropna()
    if len(frame) <= len(items):
        raise AnalysisError(
            f"the factor analysis needs more complete rows ({len(frame)}) than items ({len(items)})"
        )
    r = np.corrcoef(frame.to_numpy(dtype=float), rowvar=False)
    if not np.all(np.isfinite(r)) or np.linalg.matrix_rank(r) < len(items):
        raise AnalysisError(
            "the items' correlation matrix is singular (a constant item, or an item that is the "
            "sum of others); leave such items out"
        )
    return r, len(frame), list(items)


def _items(data, constructs) -> tuple[pd.DataFrame, list[str]]:
    prep = prepare(data, constructs)
    return prep.data, prep.items


def kmo(data, constructs) -> pd.Series:
    """Kaiser–Meyer–Olkin measure of sampling adequacy (as ``psych::KMO``).

    Returns
    -------
    Series
        ``overall`` then one MSA per item; ``attrs["n"]`` the complete rows used. Above .60 is
        usually taken as adequate for factoring (Kaiser, 1974: .80 meritorious).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> k = kmo(load_dataset("satisfaction"), {"SAT": ["sat1", "sat2", "sat3", "sat4"]})
    >>> bool(0.5 < k["overall"] < 1)
    True
    """
    frame, items = _items(data, constructs)
    r, n, names = _correlation(frame, items)
    q = np.linalg.inv(r)
    partial = q / np.sqrt(np.outer(np.diag(q), np.diag(q)))
    np.fill_diagonal(partial, 0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0)
    r2, q2 = r0**2, partial**2
    overall = r2.sum() / (r2.sum() + q2.sum())
    per = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    out = pd.Series([overall, *per], index=["overall", *names], name="msa")
    out.attrs["n"] = n
    return out


def bartlett(data, constructs) -> pd.Series:
    """Bartlett's (1951) test of sphericity: χ² = −ln|R| · (n − 1 − (2p + 5)/6), p(p − 1)/2 df.

    Returns
    -------
    Series
        ``chisq, df, pvalue, n`` (as ``psych::cortest.bartlett(R, n)``).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> b = bartlett(load_dataset("satisfaction"), {"SAT": ["sat1", "sat2", "sat3", "sat4"]})
    >>> int(b["df"]), bool(b["pvalue"] < .001)
    (6, True)
    """
    frame, items = _items(data, constructs)
    r, n, names = _correlation(frame, items)
    p = len(names)
    chisq = -np.log(np.linalg.det(r)) * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) / 2
    return pd.Series({"chisq": chisq, "df": df, "pvalue": stats.chi2.sf(chisq, df), "n": n})


def _minres_loadings(r: np.ndarray, psi: np.ndarray, k: int) -> np.ndarray:
    s = r - np.diag(psi)
    values, vectors = np.linalg.eigh(s)
    order = np.argsort(values)[::-1][:k]
    return vectors[:, order] * np.sqrt(np.maximum(values[order], 0))


def _minres(r: np.ndarray, k: int) -> np.ndarray:
    """Uniquenesses minimising the off-diagonal residuals (psych's ``fm = "minres"``)."""
    p = len(r)
    start = 1 / np.diag(np.linalg.inv(r))  # 1 − SMC

    def objective(psi):
        s = r.copy()
        np.fill_diagonal(s, 1 - psi)
        values, vectors = np.linalg.eigh(s)
        order = np.argsort(values)[::-1][:k]
        vals = np.maximum(values[order], 100 * np.finfo(float).eps)
        load = vectors[:, order] * np.sqrt(vals)
        res = (r - load @ load.T) ** 2
        np.fill_diagonal(res, 0)
        return res.sum()

    fit = optimize.minimize(
        objective,
        start,
        method="L-BFGS-B",
        bounds=[(0.005, 1.0)] * p,
        options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000},
    )
    return fit.x


def varimax(loadings: np.ndarray, eps: float = 1e-5, normalize: bool = True) -> np.ndarray:
    """Kaiser's varimax rotation, as R's ``stats::varimax`` (Kaiser-normalised rows).

    >>> a = np.array([[.8, .3], [.7, .4], [.3, .8], [.2, .7]])
    >>> bool(np.allclose((varimax(a) ** 2).sum(axis=1), (a ** 2).sum(axis=1)))
    True
    """
    x = np.asarray(loadings, dtype=float)
    if x.shape[1] < 2:
        return x
    sc = np.sqrt((x**2).sum(axis=1)) if normalize else np.ones(len(x))
    x = x / sc[:, None]
    p, m = x.shape
    rot = np.eye(m)
    d = 0.0
    for _ in range(1000):
        z = x @ rot
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        rot = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            break
    return (x @ rot) * sc[:, None]


def fa_minres(r: np.ndarray, k: int, rotation: str = "varimax") -> np.ndarray:
    """Loadings of ``psych::fa(r, k, fm = "minres", rotate = rotation)`` for ``"varimax"`` or
    ``"none"``: columns ordered by their sum of squared loadings, each column's sum made positive."""
    load = _minres_loadings(r, _minres(r, k), k)
    if rotation == "varimax":
        load = varimax(load)
    order = np.argsort(-(load**2).sum(axis=0), kind="stable")
    load = load[:, order]
    signs = np.sign(load.sum(axis=0))
    return load * np.where(signs == 0, 1, signs)


def efa(data, constructs, n_factors: int | None = None, rotation: str = "varimax") -> pd.DataFrame:
    """Exploratory factor analysis: minimum-residual factoring of the item correlations, rotated.

    Parameters
    ----------
    data : DataFrame or Responses
    constructs : mapping or Instrument
        Which items enter (all items of all constructs; reverse keys applied through an instrument).
    n_factors : int, optional
        Number of factors (default: the number of constructs).
    rotation : {"varimax", "none"}

    Returns
    -------
    DataFrame
        Indexed by ``item``: ``construct``, the loadings ``F1 … Fk`` (factors ordered by their sum
        of squared loadings, signs making each column's sum positive, as ``psych::fa``),
        ``communality`` (h²) and ``uniqueness`` (u² = 1 − h²). ``attrs``: ``n``, ``eigenvalues``
        of the correlation matrix, ``variance`` (share explained by each factor).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> f = efa(load_dataset("satisfaction"), {"SAT": ["sat1", "sat2", "sat3", "sat4"],
    ...                                        "LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> list(f.columns), f.attrs["n"]
    (['construct', 'F1', 'F2', 'communality', 'uniqueness'], 250)
    """
    check_option("rotation", rotation, ("varimax", "none"))
    prep = prepare(data, constructs)
    r, n, names = _correlation(prep.data, prep.items)
    k = len(prep.blocks) if n_factors is None else n_factors
    if not isinstance(k, int) or not 1 <= k < len(names):
        raise SpecificationError(
            f"n_factors={n_factors!r} is not accepted; use a whole number from 1 to {len(names) - 1}"
        )
    load = fa_minres(r, k, rotation)
    h2 = (load**2).sum(axis=1)
    cols = [f"F{j + 1}" for j in range(k)]
    own = {i: c for c, ids in prep.blocks.items() for i in ids}
    out = pd.DataFrame(load, index=pd.Index(names, name="item"), columns=cols)
    out.insert(0, "construct", [own[i] for i in names])
    out["communality"] = h2
    out["uniqueness"] = 1 - h2
    out.attrs.update(
        prep.provenance,
        n=n,
        rotation=rotation,
        eigenvalues=np.sort(np.linalg.eigvalsh(r))[::-1].tolist(),
        variance=((load**2).sum(axis=0) / len(names)).tolist(),
    )
    return out
