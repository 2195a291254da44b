"""The PLS-PM algorithm (Wold; Lohmöller 1989), on covariance matrices, for a stack of them at once.

Every step of PLS path modelling can be written with the indicators' covariance (or correlation)
matrix ``S`` alone: outer estimation gives composites ``Y = X W`` with ``W' S W`` their covariance,
the inner proxies are ``Z = Y E``, Mode A weights are ``cov(X_j, Z_j)`` (the block of ``S W E``) and
Mode B weights ``S_jj⁻¹ cov(X_j, Z_j)``. So one fit is a fit on one ``S``, and a bootstrap is the same
iteration on a stack of ``B`` resampled matrices ``(B, p, p)``, every array carrying the resample as
its first axis: no Python loop over resamples.

Settings follow seminr's ``estimate_pls`` (and SmartPLS): weights start at 1, composites are scaled
to unit variance each iteration, the iteration stops when ``Σ |W_new − W_old| < tol`` (``"sum"``;
cSEM's ``max |W_new − W_old|`` is ``"max"``, R plspm's ``Σ (|w_old| − |w_new|)²`` is ``"square"``).

>>> import numpy as np
>>> s = np.array([[1, .5, .3, .3], [.5, 1, .3, .3], [.3, .3, 1, .6], [.3, .3, .6, 1.]])
>>> m = np.array([[1, 0], [1, 0], [0, 1], [0, 1.]])
>>> d = np.array([[0, 1], [0, 0.]])
>>> out = pls_iterate(s[None], m, d, ("A", "A"), "path")
>>> bool(out.converged[0]), np.round(out.weights[0], 4).tolist()
(True, [[0.5774, 0.0], [0.5774, 0.0], [0.0, 0.5590], [0.0, 0.5590]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCHEMES = ("path", "factorial", "centroid")
CONVERGENCE = ("sum", "max", "square")


@dataclass(frozen=True)
class Iterated:
    """Weights ``(B, p, J)`` (composites of unit variance), iterations and convergence per matrix."""

    weights: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray


def scale_weights(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scale every column of ``w`` (B, p, J) so that its composite has unit variance under ``s``."""
    var = (w * (s @ w)).sum(axis=1)
    return w / np.sqrt(np.where(var > 0, var, np.nan))[:, None, :]


def composite_cov(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``W' S W`` for a stack: the composites' covariance (their correlation when scaled)."""
    return np.swapaxes(w, 1, 2) @ (s @ w)


def regress(c: np.ndarray, y: int, xs: list[int]) -> np.ndarray:
    """Standardised OLS coefficients of composite ``y`` on ``xs`` from a stack of correlations."""
    a = c[:, xs][:, :, xs]
    return np.linalg.solve(a, c[:, xs, y][:, :, None])[:, :, 0]


def inner_weights(c: np.ndarray, d: np.ndarray, scheme: str) -> np.ndarray:
    """Inner weights ``E`` (B, J, J): ``E[i, j]`` weighs construct i in the proxy of construct j."""
    adj = d + d.T
    if scheme == "centroid":
        return np.sign(c) * adj
    if scheme == "factorial":
        return c * adj
    # path weighting: successors by correlation, predecessors by the regression coefficients
    e = c * d.T
    for j in range(d.shape[0]):
        pred = list(np.flatnonzero(d[:, j]))
        if pred:
            e[:, pred, j] = regress(c, j, pred)
    return e


def pls_iterate(
    s: np.ndarray,
    membership: np.ndarray,
    d: np.ndarray,
    modes,
    scheme: str = "path",
    *,
    max_iter: int = 300,
    tol: float = 1e-7,
    convergence: str = "sum",
    start: np.ndarray | None = None,
) -> Iterated:
    """Iterate PLS outer weights on a stack of covariance matrices ``s`` (B, p, p).

    Parameters
    ----------
    s : ndarray (B, p, p)
    membership : ndarray (p, J)
        1 where indicator i belongs to block j.
    d : ndarray (J, J)
        1 where construct i predicts construct j.
    modes : sequence of 'A' / 'B', one per block.
    scheme : 'path', 'factorial' or 'centroid'
    max_iter, tol, convergence : stopping rule (see the module docstring).
    start : ndarray (p, J), optional
        Starting weights (default: 1 for every indicator of a block).
    """
    b, p, _ = s.shape
    mask = membership.astype(bool)
    w0 = membership.copy() if start is None else start * membership
    w = scale_weights(s, np.broadcast_to(w0, (b, *w0.shape)).copy())
    mode_b = [j for j, m in enumerate(modes) if m == "B"]
    idx_b = {j: np.flatnonzero(mask[:, j]) for j in mode_b}
    inv_b = {j: np.linalg.inv(s[:, ix][:, :, ix]) for j, ix in idx_b.items()}
    iterations = np.zeros(b, dtype=int)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    for it in range(1, max_iter + 1):
        sa, wa = s[active], w[active]
        e = inner_weights(composite_cov(sa, wa), d, scheme)
        prox = sa @ wa @ e  # cov(X, Z): (B, p, J)
        new = prox * membership
        for j, ix in idx_b.items():
            new[:, ix, j] = np.einsum("bik,bk->bi", inv_b[j][active], prox[:, ix, j])
        new = scale_weights(sa, new)
        diff = new - wa
        if convergence == "sum":
            crit = np.abs(diff).sum(axis=(1, 2))
        elif convergence == "max":
            crit = np.abs(diff).max(axis=(1, 2))
        else:  # plspm: the squared change of the absolute weights
            crit = ((np.abs(wa) - np.abs(new)) ** 2).sum(axis=(1, 2))
        w[active] = new
        iterations[active] = it
        done = crit < tol
        converged[active[done]] = True
        active = active[~done & np.isfinite(crit)]
        if active.size == 0:
            break
    return Iterated(w, iterations, converged)


def structural(c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Path coefficients (B, J, J) and R² (B, J) by OLS on construct correlations ``c``."""
    b, j_n, _ = c.shape
    paths = np.zeros((b, j_n, j_n))
    r2 = np.full((b, j_n), np.nan)
    for j in range(j_n):
        pred = list(np.flatnonzero(d[:, j]))
        if pred:
            beta = regress(c, j, pred)
            paths[:, pred, j] = beta
            r2[:, j] = np.einsum("bk,bk->b", beta, c[:, pred, j])
    return paths, r2
