"""Sample statistics for ordinal indicators: thresholds, polychoric correlations and their asymptotic
covariance matrix, as lavaan 0.6 computes them for ``estimator = "WLSMV"`` (``muthen1984``).

Every variable's answers are coded 0 … K−1 over the categories that occur. Step 1: the thresholds of
each variable from its cumulative proportions, ``τ = Φ⁻¹(cumulative share)``. Step 2: one
correlation per pair, maximising the pair's bivariate-probit likelihood with the thresholds fixed
(lavaan adds nothing to empty cells of tables larger than 2 × 2, and neither does cxkit).

The asymptotic covariance of ``s = (τ, ρ)`` (``Γ``, "NACOV", N times the covariance of the
estimates) comes from the casewise scores: with ``SC = [∂ℓ_j/∂τ_j, ∂ℓ_jk/∂ρ_jk]`` per case, ``A11``
the block-diagonal outer products of the threshold scores, ``A22`` the diagonal of those of the
correlation scores and ``A21`` the outer products of the correlation scores with the bivariate
scores for the thresholds, ``B⁻¹ = [[A11⁻¹, 0], [−A22⁻¹ A21 A11⁻¹, A22⁻¹]]`` and
``Γ = N B⁻¹ (SC'SC) B⁻¹'`` (Muthén, 1984).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from cxkit.polychoric import bounds as _bounds
from cxkit.polychoric import cells as _cells
from cxkit.polychoric import pair_rho_many
from cxkit.polychoric import pdf as _pdf


@dataclass(frozen=True)
class OrdinalMoments:
    """Thresholds, polychoric correlations and Γ, in lavaan's order.

    ``thresholds``: one array per variable; ``cor``: p × p; ``gamma``: the NACOV of
    ``s = (all thresholds, variable by variable; correlations (i, j), i > j, column by column)``.
    """

    names: list[str]
    levels: list[np.ndarray]
    thresholds: list[np.ndarray]
    cor: np.ndarray
    gamma: np.ndarray
    n: int

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return pairs(len(self.names))

    def vector(self) -> np.ndarray:
        """``s``: the thresholds, then the correlations in :attr:`pairs` order."""
        return np.concatenate([*self.thresholds, np.array([self.cor[i, j] for i, j in self.pairs])])


def pairs(p: int) -> list[tuple[int, int]]:
    """The correlations' order: (i, j) with i > j, column by column (lavaan's vech without diagonal)."""
    return [(i, j) for j in range(p - 1) for i in range(j + 1, p)]


def _threshold_scores(codes_j: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Casewise scores ∂ℓ/∂τ of one variable (N × K−1); zero where the answer is missing (−1)."""
    k = len(tau) + 1
    n = len(codes_j)
    b = _bounds(tau)
    prob = np.diff(special.ndtr(b))
    dens = _pdf(b)
    sc = np.zeros((n, k - 1))
    c = codes_j
    up, low = (c >= 0) & (c < k - 1), c > 0
    sc[np.flatnonzero(up), c[up]] = dens[c[up] + 1] / prob[c[up]]
    sc[np.flatnonzero(low), c[low] - 1] = -dens[c[low]] / prob[c[low]]
    return sc


def _cells_of(codes: np.ndarray, kk: int) -> np.ndarray:
    """Codes variable by variable (p × N, contiguous), a missing answer (−1) as category kk − 1."""
    return np.ascontiguousarray(np.where(codes < 0, kk - 1, codes).T, dtype=np.intp)


def _pair_index(cells: np.ndarray, i: int, j: int, kk: int) -> np.ndarray:
    """Each case's cell of the kk × kk table of pair (i, j) (``cells`` from :func:`_cells_of`)."""
    return cells[i] * kk + cells[j]


def univariate(codes: np.ndarray, levels: list[np.ndarray]):
    """Thresholds of every variable from its available answers (codes ≥ 0): τ = Φ⁻¹(cumulative
    share); and the number of answers per variable."""
    taus, counts_n = [], []
    for j, lv in enumerate(levels):
        c = codes[:, j]
        c = c[c >= 0]
        counts = np.bincount(c, minlength=len(lv)).astype(float)
        taus.append(stats.norm.ppf(np.cumsum(counts)[:-1] / len(c)))
        counts_n.append(len(c))
    return taus, counts_n


def pair_tables(codes: np.ndarray, levels: list[np.ndarray]) -> list[np.ndarray]:
    """The bivariate tables of every pair (pairwise-complete cases), one ``bincount`` per pair."""
    p = codes.shape[1]
    kk = max(len(lv) for lv in levels) + 1
    cells = _cells_of(codes, kk)
    out = []
    for i, j in pairs(p):
        idx = _pair_index(cells, i, j, kk)
        table = np.bincount(idx, minlength=kk * kk).reshape(kk, kk).astype(float)
        out.append(table[: len(levels[i]), : len(levels[j])])
    return out


def polychoric_matrix(codes: np.ndarray, levels: list[np.ndarray]):
    """Thresholds and the polychoric correlation matrix (two-step, pairwise-complete cases, as
    lavaan's ``lavCor(ordered=)``), without Γ: (thresholds, cor)."""
    p = codes.shape[1]
    taus, _ = univariate(codes, levels)
    prs = pairs(p)
    tables = pair_tables(codes, levels)
    rhos = pair_rho_many(tables, [taus[i] for i, _ in prs], [taus[j] for _, j in prs])
    cor = np.eye(p)
    for m, (i, j) in enumerate(prs):
        cor[i, j] = cor[j, i] = rhos[m]
    return taus, cor


def ordinal_moments(
    codes: np.ndarray, names: list[str], levels: list[np.ndarray], chunk: int = 20000
) -> OrdinalMoments:
    """Thresholds, polychoric correlations and Γ of ordinal data.

    ``codes``: N × p integer categories 0 … K_j − 1 (every category present among the answers),
    −1 for a missing answer: thresholds then come from each variable's answers and every
    correlation from the pair's complete cases, the casewise scores of a missing answer being zero
    (lavaan's ``missing = "pairwise"``). The tables are one ``bincount`` per pair, the
    correlations one vectorised Fisher scoring over all pairs, the cross-products of the scores
    accumulated over blocks of ``chunk`` rows.
    """
    codes = np.asarray(codes)
    n, p = codes.shape
    taus, _ = univariate(codes, levels)
    th_start = np.concatenate([[0], np.cumsum([len(t) for t in taus])]).astype(int)
    n_th = int(th_start[-1])
    prs = pairs(p)
    kk = max(len(lv) for lv in levels) + 1
    tables = pair_tables(codes, levels)
    rhos = pair_rho_many(tables, [taus[i] for i, _ in prs], [taus[j] for _, j in prs])
    cor = np.eye(p)
    a21 = np.zeros((len(prs), n_th))
    a22 = np.zeros(len(prs))
    cell_scores = np.zeros((len(prs), kk * kk))
    for m, (i, j) in enumerate(prs):
        rho = float(rhos[m])
        cor[i, j] = cor[j, i] = rho
        prob, d_rho, d1, d2 = _cells(rho, taus[i], taus[j])
        table = tables[m]
        s = np.where(table > 0, d_rho / np.where(table > 0, prob, 1.0), 0.0)
        wts = table * s / np.where(table > 0, prob, 1.0)
        a21[m, th_start[i] : th_start[i + 1]] = np.einsum("ab,abt->t", wts, d1)
        a21[m, th_start[j] : th_start[j + 1]] = np.einsum("ab,abt->t", wts, d2)
        a22[m] = float(np.sum(table * s * s))
        full = np.zeros((kk, kk))
        full[: table.shape[0], : table.shape[1]] = s
        cell_scores[m] = full.ravel()
    width = n_th + len(prs)
    inner = np.zeros((width, width))
    for start in range(0, n, chunk):
        block = codes[start : start + chunk]
        cells = _cells_of(block, kk)
        sc = np.empty((len(block), width))
        for j in range(p):
            sc[:, th_start[j] : th_start[j + 1]] = _threshold_scores(block[:, j], taus[j])
        for m, (i, j) in enumerate(prs):
            sc[:, n_th + m] = cell_scores[m][_pair_index(cells, i, j, kk)]
        inner += sc.T @ sc
    a11_inv = np.zeros((n_th, n_th))
    for j in range(p):
        sl = slice(th_start[j], th_start[j + 1])
        a11_inv[sl, sl] = np.linalg.inv(inner[sl, sl])
    a22_inv = 1.0 / a22
    b_inv = np.zeros((width, width))
    b_inv[:n_th, :n_th] = a11_inv
    b_inv[n_th:, :n_th] = -(a22_inv[:, None] * a21) @ a11_inv
    b_inv[n_th:, n_th:] = np.diag(a22_inv)
    gamma = n * b_inv @ inner @ b_inv.T
    return OrdinalMoments(list(names), levels, taus, cor, gamma, n)
