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


def weighted_covariances(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Covariance matrices (B, p, p) of row-level data ``x`` (B, n, p), row ``i`` of stack ``b``
    counted ``counts[b, i]`` times (a bootstrap resample)."""
    total = counts.sum(axis=1)
    mean = np.einsum("bi,bip->bp", counts, x) / total[:, None]
    second = np.einsum("bi,bip,biq->bpq", counts, x, x) / total[:, None, None]
    return (second - mean[:, :, None] * mean[:, None, :]) * (total / (total - 1))[:, None, None]


def _scores(x: np.ndarray, counts: np.ndarray, spec, options: dict) -> np.ndarray:
    """Standardised construct scores (B, n, J) of ``spec`` estimated on each stack's resample."""
    s = weighted_covariances(x, counts)
    sd = np.sqrt(np.einsum("bii->bi", s))
    mean = np.einsum("bi,bip->bp", counts, x) / counts.sum(axis=1)[:, None]
    w = estimate_like(spec, options, s / sd[:, :, None] / sd[:, None, :]).weights_std
    return np.einsum("bip,bpj->bij", (x - mean[:, None, :]) / sd[:, None, :], w)


def staged_data(x: np.ndarray, counts: np.ndarray, items: list[str], stages: dict, options: dict):
    """The indicators the second stage reads, made from the first stage's, row by row.

    ``x`` (B, n, p) holds the indicators ``items`` (of each resample, rows counted ``counts``);
    ``stages["hoc"]`` is the first stage of two-stage higher-order constructs (each lower-order
    construct's standardised score becomes a column named as the construct), ``stages["main"]``
    the model without interaction terms and ``stages["interactions"]`` its terms (each the product
    of two standardised scores: Henseler & Chin 2010; seminr's ``two_stage``). Every stage is
    estimated on each resample's own rows, as a re-estimation of the whole model would. Returns
    the augmented data (B, n, q) and its column names.
    """
    names = list(items)
    if stages.get("hoc") is not None:
        first = stages["hoc"]
        sc = _scores(x, counts, first, options)
        keep = [first.names.index(c) for c in stages["hoc_columns"]]
        x = np.concatenate([x, sc[:, :, keep]], axis=2)
        names += list(stages["hoc_columns"])
    if stages.get("interactions"):
        main = stages["main"]
        cols = [names.index(i) for i in main.items]
        sc = _scores(x[:, :, cols], counts, main, options)
        pos = {n: k for k, n in enumerate(main.names)}
        prod = np.stack(
            [sc[:, :, pos[a]] * sc[:, :, pos[b]] for _, a, b in stages["interactions"]], axis=2
        )
        x = np.concatenate([x, prod], axis=2)
        names += [n for n, _, _ in stages["interactions"]]
    return x, names
