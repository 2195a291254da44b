"""Assessment of a PLS model, for a stack of estimates at once (the bootstrap reuses every function).

Reliability as seminr, cSEM, SmartPLS and ADANCO report it: Cronbach's α from the item correlations
(standardised α), ρA (Dijkstra & Henseler 2015), ρC (Jöreskog's composite reliability from the
loadings) and AVE (mean squared loading); HTMT from absolute item correlations (Henseler, Ringle &
Sarstedt 2015; the statistic of :func:`cxkit.htmt`); VIF of the items of a block and of the
predictors of every endogenous construct; f² from the construct correlations
(``(R²_in − R²_out) / (1 − R²_in)``); total, indirect and specific indirect effects from the path
matrix; the fit of the saturated and the estimated model (SRMR, d_ULS, d_G; cSEM's definitions)
and NFI; and :func:`point_arrays`, every bootstrapped quantity of a stack as flat arrays.

>>> import numpy as np
>>> r = np.array([[[1, .5, .4], [.5, 1, .3], [.4, .3, 1.]]])
>>> round(float(alpha_std(r, np.ones((3, 1)))[0, 0]), 6)
0.666667
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from cxkit.pls.algorithm import regress
from cxkit.pls.estimate import Estimates
from cxkit.pls.spec import PLSSpec


def _blocks(membership: np.ndarray) -> list[np.ndarray]:
    return [np.flatnonzero(membership[:, j]) for j in range(membership.shape[1])]


def alpha_std(r: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Standardised Cronbach's α per block (B, J): ``k r̄ / (1 + (k − 1) r̄)``; 1 for one item."""
    out = np.ones((r.shape[0], membership.shape[1]))
    for j, ix in enumerate(_blocks(membership)):
        k = ix.size
        if k < 2:
            continue
        rj = r[:, ix][:, :, ix]
        mean = (rj.sum(axis=(1, 2)) - k) / (k * (k - 1))
        out[:, j] = k * mean / (1 + (k - 1) * mean)
    return out


def own_loadings(est: Estimates, membership: np.ndarray) -> list[np.ndarray]:
    """Each block's loadings on its own construct: a list of (B, k_j) arrays."""
    return [est.loadings[:, ix, j] for j, ix in enumerate(_blocks(membership))]


def rho_c_ave(est: Estimates, membership: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Composite reliability ρC and AVE per block (B, J) from the (own-block) loadings."""
    lam = own_loadings(est, membership)
    rc = np.stack(
        [lj.sum(axis=1) ** 2 / (lj.sum(axis=1) ** 2 + (1 - lj**2).sum(axis=1)) for lj in lam],
        axis=1,
    )
    ave = np.stack([(lj**2).mean(axis=1) for lj in lam], axis=1)
    return rc, ave


def htmt(r: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """HTMT (B, J, J) from item correlations; nan where a block has one item."""
    a = np.abs(r)
    blocks = _blocks(membership)
    j_n = len(blocks)
    mono = np.full((r.shape[0], j_n), np.nan)
    for j, ix in enumerate(blocks):
        k = ix.size
        if k > 1:
            mono[:, j] = (
                a[:, ix][:, :, ix].sum(axis=(1, 2)) - np.trace(a[:, ix][:, :, ix], axis1=1, axis2=2)
            ) / (k * (k - 1))
    out = np.ones((r.shape[0], j_n, j_n))
    for i, j in itertools.combinations(range(j_n), 2):
        hetero = a[:, blocks[i]][:, :, blocks[j]].mean(axis=(1, 2))
        out[:, i, j] = out[:, j, i] = hetero / np.sqrt(mono[:, i] * mono[:, j])
    return out


def vif_outer(r: np.ndarray, membership: np.ndarray) -> list[np.ndarray]:
    """VIF of every item within its block: ``diag(R_jj⁻¹)``; a list of (B, k_j) arrays."""
    out = []
    for ix in _blocks(membership):
        if ix.size < 2:
            out.append(np.ones((r.shape[0], ix.size)))
            continue
        out.append(np.einsum("bii->bi", np.linalg.pinv(r[:, ix][:, :, ix])))
    return out


def vif_inner(cor: np.ndarray, d: np.ndarray) -> np.ndarray:
    """VIF (B, J, J) of predictor i in the regression of construct j; nan where no path."""
    out = np.full(cor.shape, np.nan)
    for j in range(d.shape[0]):
        pred = np.flatnonzero(d[:, j])
        if pred.size == 1:
            out[:, pred, j] = 1.0
        elif pred.size > 1:
            out[:, pred, j] = np.einsum("bii->bi", np.linalg.inv(cor[:, pred][:, :, pred]))
    return out


def f_squared(cor: np.ndarray, d: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """f² (B, J, J) of every path i → j from the construct correlations; nan where no path."""
    out = np.full(cor.shape, np.nan)
    for i, j in zip(*np.nonzero(d), strict=True):
        rest = [k for k in np.flatnonzero(d[:, j]) if k != i]
        if rest:
            beta = regress(cor, j, rest)
            r2_without = np.einsum("bk,bk->b", beta, cor[:, rest, j])
        else:
            r2_without = np.zeros(cor.shape[0])
        out[:, i, j] = (r2[:, j] - r2_without) / (1 - r2[:, j])
    return out


def total_effects(paths: np.ndarray) -> np.ndarray:
    """Total effects (B, J, J): ``(I − B)⁻¹ − I`` of the path matrix (i → j)."""
    eye = np.eye(paths.shape[1])
    return np.linalg.inv(eye - paths) - eye


def chains(d: np.ndarray) -> list[tuple[int, ...]]:
    """Every directed chain of two or more paths (three or more constructs) in the model."""
    succ = {i: list(np.flatnonzero(d[i])) for i in range(d.shape[0])}
    out: list[tuple[int, ...]] = []

    def walk(trail: tuple[int, ...]) -> None:
        for k in succ[trail[-1]]:
            nxt = (*trail, k)
            if len(nxt) > 2:
                out.append(nxt)
            walk(nxt)

    for i in range(d.shape[0]):
        walk((i,))
    return out


def chain_effects(paths: np.ndarray, chain_list) -> np.ndarray:
    """Specific indirect effects (B, n_chains): the product of the paths along each chain."""
    if not chain_list:
        return np.zeros((paths.shape[0], 0))
    return np.stack(
        [np.prod([paths[:, a, b] for a, b in itertools.pairwise(ch)], axis=0) for ch in chain_list],
        axis=1,
    )


# -- overall fit -----------------------------------------------------------------------------------


def implied_construct_cor(cor: np.ndarray, paths: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Construct correlations implied by the structural model (estimated model), one matrix."""
    j_n = d.shape[0]
    endo = d.any(axis=0)
    exo = ~endo
    phi = np.zeros((j_n, j_n))
    phi[np.ix_(exo, exo)] = cor[np.ix_(exo, exo)]
    r2 = np.array([paths[:, j] @ cor[:, j] for j in range(j_n)])
    phi[endo, endo] = 1 - r2[endo]
    inv = np.linalg.inv(np.eye(j_n) - paths.T)
    return inv @ phi @ inv.T


def implied_indicator_cor(
    r: np.ndarray,
    est_w: np.ndarray,
    loadings: np.ndarray,
    cor: np.ndarray,
    membership,
    modes,
    common,
) -> np.ndarray:
    """Indicator correlations implied by a construct correlation matrix ``cor`` (one matrix).

    Composites (``common`` False for the block): the block's own correlations are kept and its
    items relate to others through ``λ = R_jj w_j``; common factors (PLSc): ``λ λ'`` inside blocks.
    """
    p, j_n = membership.shape
    blocks = _blocks(membership)
    lam = np.zeros((p, j_n))
    for j, ix in enumerate(blocks):
        lam[ix, j] = loadings[ix, j]
    sigma = lam @ cor @ lam.T
    for j, ix in enumerate(blocks):
        sub = r[np.ix_(ix, ix)] if not common[j] else np.outer(lam[ix, j], lam[ix, j])
        sigma[np.ix_(ix, ix)] = sub
    np.fill_diagonal(sigma, 1.0)
    return sigma


def fit_measures(r: np.ndarray, sigma: np.ndarray) -> dict[str, float]:
    """SRMR, d_ULS, d_G and d_ML between item correlations ``r`` and an implied matrix ``sigma``,
    as cSEM defines them: d_G = ½ Σ (log₁₀ λ)² over the eigenvalues λ of ``r⁻¹ sigma``
    (cSEM's ``calculateDG`` takes base-10 logarithms), d_ML the ML fit function
    log|Σ| + tr(Σ⁻¹R) − log|R| − p.

    >>> r = np.array([[1, .5], [.5, 1.]])
    >>> {k: round(v, 6) for k, v in fit_measures(r, np.eye(2)).items()}
    {'srmr': 0.288675, 'd_uls': 0.25, 'd_g': 0.060814, 'd_ml': 0.287682}
    """
    low = np.tril_indices(r.shape[0])
    srmr = float(np.sqrt(np.mean((r[low] - sigma[low]) ** 2)))
    d_uls = float(0.5 * np.sum((r - sigma) ** 2))
    eig = np.linalg.eigvals(np.linalg.solve(r, sigma)).real
    d_g = float(0.5 * np.sum(np.log10(eig) ** 2)) if (eig > 0).all() else float("nan")
    d_ml = float(
        np.linalg.slogdet(sigma)[1]
        + np.trace(np.linalg.solve(sigma, r))
        - np.linalg.slogdet(r)[1]
        - r.shape[0]
    )
    return {"srmr": srmr, "d_uls": d_uls, "d_g": d_g, "d_ml": d_ml}


def nfi(r: np.ndarray, sigma: np.ndarray) -> float:
    """Bentler–Bonett NFI of an implied correlation matrix against the independence model."""
    p = r.shape[0]
    _, logdet_s = np.linalg.slogdet(r)
    _, logdet_m = np.linalg.slogdet(sigma)
    f_model = logdet_m + np.trace(np.linalg.solve(sigma, r)) - logdet_s - p
    f_null = -logdet_s
    return float(1 - f_model / f_null)


def fit_indices(e: Estimates, spec: PLSSpec, consistent: bool) -> pd.Series:
    """SRMR, d_ULS, d_G, d_ML of the saturated and the estimated model, and NFI (cSEM's
    definitions; d_G and d_ML agree with cSEM through JASP to 1e-15)."""
    m, d = spec.membership(), spec.adjacency()
    modes = [b.mode for b in spec.blocks]
    common = [consistent and mo == "A" and m[:, j].sum() >= 2 for j, mo in enumerate(modes)]
    r = e.item_cor[0]
    lam = e.loadings[0]
    sat = implied_indicator_cor(r, e.weights_std[0], lam, e.cor[0], m, modes, common)
    implied = implied_construct_cor(e.cor[0], e.paths[0], d)
    est_sigma = implied_indicator_cor(r, e.weights_std[0], lam, implied, m, modes, common)
    fs, fe = fit_measures(r, sat), fit_measures(r, est_sigma)
    return pd.Series(
        {
            "srmr": fs["srmr"],
            "d_uls": fs["d_uls"],
            "d_g": fs["d_g"],
            "srmr_estimated": fe["srmr"],
            "d_uls_estimated": fe["d_uls"],
            "d_g_estimated": fe["d_g"],
            "d_ml": fs["d_ml"],
            "d_ml_estimated": fe["d_ml"],
            "nfi": nfi(r, sat),
        },
        name="fit_indices",
    )


def point_arrays(est: Estimates, spec: PLSSpec) -> dict[str, np.ndarray]:
    """Every bootstrapped quantity of a stack, as flat (B, k) arrays keyed by table."""
    m, d = spec.membership(), spec.adjacency()
    rows = np.nonzero(d)
    pos = [(k, j) for j in range(m.shape[1]) for k in np.flatnonzero(m[:, j])]
    ii = np.array([k for k, _ in pos])
    jj = np.array([j for _, j in pos])
    total = total_effects(est.paths)
    reach = np.nonzero(total_effects(d[None])[0] > 0.5)
    iu = np.triu_indices(m.shape[1], 1)
    ch = chains(d)
    out = {
        "paths": est.paths[:, rows[0], rows[1]],
        "loading": est.loadings[:, ii, jj],
        "weight": est.weights_std[:, ii, jj],
        "total": total[:, reach[0], reach[1]],
        "r2": est.r2[:, d.any(axis=0)],
        "htmt": htmt(est.item_cor, m)[:, iu[0], iu[1]],
        "f2": f_squared(est.cor, d, est.r2)[:, rows[0], rows[1]],
        "specific": chain_effects(est.paths, ch),
    }
    return out
