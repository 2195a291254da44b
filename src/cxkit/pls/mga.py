"""Multi-group analysis of PLS path models: the permutation test (Chin & Dibbern 2010) and
Henseler's bootstrap-based PLS-MGA (Henseler, Ringle & Sinkovics 2009).

Both groups are fitted with the same settings. The permutation test reshuffles the group labels
``n`` times (every permutation's two covariance matrices fitted as one stack) and reports the share
of permutations whose absolute path difference reaches the observed one. Henseler's test bootstraps
each group (``n`` resamples each); its one-sided p value for β₁ > β₂ is
P = 1 − (1/B²) Σᵢ Σⱼ Θ(2β̄₁ − β₁ᵢ − 2β̄₂ + β₂ⱼ) (Θ the unit step), reported two-sided as
2·min(P, 1 − P).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit._params import as_frame
from cxkit.errors import SpecificationError
from cxkit.pls.assess import point_arrays
from cxkit.pls.bootstrap import resample_covariances
from cxkit.pls.estimate import estimate_like
from cxkit.pls.fit import fit_pls


def two_groups(data, group: str, n, what: str):
    """The frame, its group labels and the two groups (sorted); checks ``n`` (permutations)."""
    frame = as_frame(data)
    if group not in frame.columns:
        raise SpecificationError(f"group={group!r} is not a column of the data")
    labels = frame[group]
    groups = sorted(labels.dropna().unique().tolist(), key=str)
    if len(groups) != 2:
        raise SpecificationError(
            f"group={group!r} has {len(groups)} groups ({', '.join(map(str, groups))}); "
            f"{what} compares exactly two — subset the data first"
        )
    if not (isinstance(n, int | np.integer) and n >= 10):
        raise SpecificationError(f"n={n!r} is not accepted; use an integer ≥ 10")
    return frame, labels, groups


def _henseler(b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Henseler's one-sided p value for β₁ > β₂ per column, from two sets of bootstrap draws (all
    B₁ × B₂ pairs, counted by sorting)."""
    out = np.empty(b1.shape[1])
    for k in range(b1.shape[1]):
        a = 2 * b1[:, k].mean() - b1[:, k]  # Θ(a_i − c_j) with c_j = 2β̄₂ − β₂ⱼ
        c = np.sort(2 * b2[:, k].mean() - b2[:, k])
        out[k] = np.searchsorted(c, a, side="left").sum() / (len(a) * len(c))
    return 1 - out


def mga(model: str, data, group: str, *, n: int = 1000, seed=None, **options) -> pd.DataFrame:
    """Compare the paths of two groups: permutation and Henseler's PLS-MGA p values.

    Parameters
    ----------
    model : str
        As for :func:`cxkit.fit_pls`.
    data : DataFrame
    group : str
        The column holding the group of every row (exactly two groups).
    n : int
        Permutations, and bootstrap resamples per group.
    seed : int, optional
    **options
        Passed to :func:`cxkit.fit_pls` (scheme, consistent, …).

    Returns
    -------
    DataFrame
        One row per path: lhs, rhs, est_<g1>, est_<g2>, diff (g1 − g2), p_permutation,
        p_henseler (two-sided). ``attrs``: groups, their n, n, seed.

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> out = mga("SAT =~ sat1 + sat2 + sat3 + sat4; LOY =~ loy1 + loy2 + loy3 + loy4; LOY ~ SAT",
    ...           load_dataset("satisfaction"), "gender", n=200, seed=1)
    >>> out.columns.tolist()
    ['lhs', 'rhs', 'est_female', 'est_male', 'diff', 'p_permutation', 'p_henseler']
    """
    frame, labels, groups = two_groups(data, group, n, "PLS-MGA")
    pooled = fit_pls(model, frame[labels.notna()], **options)
    fits = [fit_pls(model, frame[labels == g], **options) for g in groups]
    raw = pooled.raw.to_numpy()
    in_first = (labels.loc[pooled.raw.index] == groups[0]).to_numpy()
    spec, o = pooled.spec, pooled.options
    est = [f.paths.set_index(["lhs", "rhs"]).est for f in fits]
    out = pooled.paths[["lhs", "rhs"]].copy()
    for g, e in zip(groups, est, strict=True):
        out[f"est_{g}"] = [e[(a, b)] for a, b in zip(out.lhs, out.rhs, strict=True)]
    out["diff"] = out[f"est_{groups[0]}"] - out[f"est_{groups[1]}"]
    rng = np.random.default_rng(seed)
    perm = np.stack([rng.permutation(in_first) for _ in range(n)]).astype(float)
    counts = np.concatenate([perm, 1 - perm])
    s = resample_covariances(raw, counts, o["standardize"])
    st = estimate_like(spec, o, s)
    paths = point_arrays(st, spec)["paths"]
    diff_perm = paths[:n] - paths[n:]
    # point_arrays orders paths as np.nonzero(adjacency); map them to the table's rows
    names = spec.names
    d = spec.adjacency()
    col = {(names[j], names[i]): k for k, (i, j) in enumerate(zip(*np.nonzero(d), strict=True))}
    order = [col[(a, b)] for a, b in zip(out.lhs, out.rhs, strict=True)]
    observed = out["diff"].to_numpy()
    out["p_permutation"] = (np.abs(diff_perm[:, order]) >= np.abs(observed) - 1e-12).mean(axis=0)
    boots = [
        f.bootstrap(n, seed=None if seed is None else seed + 1 + k) for k, f in enumerate(fits)
    ]
    draws = [b.bootstrap_draws["paths"][:, order] for b in boots]
    p = _henseler(draws[0], draws[1])
    out["p_henseler"] = 2 * np.minimum(p, 1 - p)
    out.attrs.update(
        groups=groups, n_group=[int(f.provenance["n"]) for f in fits], n=int(n), seed=seed
    )
    return out
