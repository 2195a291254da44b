"""One PLS estimate on a stack of covariance matrices: the iteration, then PLSc if asked, then
construct correlations, loadings, paths and R².

:func:`estimate_stack` joins the stages below it — the weight iteration
(:func:`cxkit.pls.algorithm.pls_iterate`) and the consistency correction and ρA
(:mod:`cxkit.pls.consistent`) — into :class:`Estimates`, the arrays every assessment table, the
bootstrap, PLSpredict, MGA and MICOM read. Every array carries the matrix (e.g. the bootstrap
resample) as its first axis.

>>> import numpy as np
>>> s = np.array([[1, .5, .3, .3], [.5, 1, .3, .3], [.3, .3, 1, .6], [.3, .3, .6, 1.]])
>>> m = np.array([[1, 0], [1, 0], [0, 1], [0, 1.]])
>>> d = np.array([[0, 1], [0, 0.]])
>>> est = estimate_stack(s[None], m, d, ("A", "A"))
>>> round(float(est.paths[0, 0, 1]), 4), round(float(est.r2[0, 1]), 4)
(0.3873, 0.15)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxkit.pls.algorithm import composite_cov, pls_iterate, structural
from cxkit.pls.consistent import correction, rho_a, to_correlation


@dataclass(frozen=True)
class Estimates:
    """One stack of PLS estimates (first axis: the matrix, e.g. the bootstrap resample).

    ``weights`` are in the metric of the data given (composites of unit variance), ``weights_std``
    those of the standardised indicators; ``loadings`` (B, p, J) are the correlations of every
    indicator with every composite (cross-loadings), under PLSc the consistent loadings in each
    Mode A block's own column; ``cor`` the construct correlations (disattenuated under PLSc);
    ``paths[b, i, j]`` the coefficient of i → j; ``r2`` nan for exogenous constructs; ``rho_a``
    Dijkstra–Henseler ρA of every block.
    """

    weights: np.ndarray
    weights_std: np.ndarray
    item_cor: np.ndarray
    composite_cor: np.ndarray
    cor: np.ndarray
    loadings: np.ndarray
    paths: np.ndarray
    r2: np.ndarray
    rho_a: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray


def estimate_stack(
    s: np.ndarray,
    membership: np.ndarray,
    d: np.ndarray,
    modes,
    scheme: str = "path",
    *,
    consistent: bool = False,
    max_iter: int = 300,
    tol: float = 1e-7,
    convergence: str = "sum",
    reference_loadings: np.ndarray | None = None,
) -> Estimates:
    """Iterate, then derive construct correlations, loadings, paths and R² (PLSc if asked).

    With ``reference_loadings`` (p, J) a construct's weights are turned round where its loadings
    sit closer to the reference's with the other sign (the construct-level sign change of the
    bootstrap; Tenenhaus et al. 2005).
    """
    it = pls_iterate(
        s, membership, d, modes, scheme, max_iter=max_iter, tol=tol, convergence=convergence
    )
    weights = it.weights
    if reference_loadings is not None:
        r, w_std = to_correlation(s, weights)
        lo = (r @ w_std) * membership
        ref = reference_loadings * membership
        flip = np.abs((ref - lo).sum(axis=1)) > np.abs((ref + lo).sum(axis=1))
        weights = weights * np.where(flip, -1.0, 1.0)[:, None, :]
    r, w_std = to_correlation(s, weights)
    c = composite_cov(r, w_std)
    loadings = r @ w_std
    rho = rho_a(r, w_std, membership)
    cor = c
    if consistent:
        reflective = np.array([m == "A" for m in modes]) & (membership.sum(axis=0) >= 2)
        q = np.where(reflective, rho, 1.0)
        cor = c / np.sqrt(q[:, :, None] * q[:, None, :])
        idx = np.arange(c.shape[1])
        cor[:, idx, idx] = 1.0
        cc = correction(r, w_std, membership)
        own = membership.astype(bool) & reflective[None, :]
        loadings = np.where(own[None], cc[:, None, :] * w_std, loadings)
    paths, r2 = structural(cor, d)
    return Estimates(
        weights, w_std, r, c, cor, loadings, paths, r2, rho, it.iterations, it.converged
    )


def inadmissible(est: Estimates, membership: np.ndarray, modes) -> np.ndarray:
    """Per matrix: a reflective block's ρA above 1 or an own-block loading above 1 in absolute
    value (PLSc's Heywood cases), or a construct correlation beyond ±1."""
    reflective = np.array([m == "A" for m in modes]) & (membership.sum(axis=0) >= 2)
    bad = (est.rho_a[:, reflective] > 1).any(axis=1)
    own = np.abs(est.loadings * membership[None]) > 1 + 1e-12
    bad |= own.any(axis=(1, 2))
    off = ~np.eye(est.cor.shape[1], dtype=bool)
    bad |= (np.abs(est.cor[:, off]) > 1 + 1e-12).any(axis=1)
    return bad


def estimate_like(spec, options: dict, s: np.ndarray, **extra) -> Estimates:
    """:func:`estimate_stack` for a parsed model and a fit's options (scheme, PLSc, stopping rule)."""
    return estimate_stack(
        s,
        spec.membership(),
        spec.adjacency(),
        [b.mode for b in spec.blocks],
        options["scheme"],
        consistent=options["consistent"],
        max_iter=options["max_iter"],
        tol=options["tol"],
        convergence=options["convergence"],
        **extra,
    )


def interaction_columns(x: np.ndarray, spec, options: dict) -> np.ndarray:
    """The two-stage interaction indicators (n, k) for ``spec.interactions``.

    Stage one estimates the model without its interaction terms (``spec.main_effects()``) on the
    standardised indicators ``x`` (n, p — the first stage's items, in ``main_effects().items``
    order); each interaction's column is the product of its two constructs' standardised scores
    (Henseler & Chin 2010; seminr's ``two_stage``), which stage two uses as a one-indicator block.
    """
    main = spec.main_effects()
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    s = (z.T @ z) / (len(z) - 1)
    scores = z @ estimate_like(main, options, s[None]).weights_std[0]
    pos = {n: k for k, n in enumerate(main.names)}
    return np.column_stack([scores[:, pos[a]] * scores[:, pos[b]] for _, a, b in spec.interactions])
