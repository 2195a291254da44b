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


def ordinal_moments(
    codes: np.ndarray, names: list[str], levels: list[np.ndarray]
) -> OrdinalMoments:
    """Thresholds, polychoric correlations and Γ of complete ordinal data.

    ``codes``: N × p integer categories 0 … K_j − 1 (every category present).
    """
    n, p = codes.shape
    taus, sc_th, th_start = [], [], [0]
    for j in range(p):
        k = len(levels[j])
        counts = np.bincount(codes[:, j], minlength=k).astype(float)
        tau = stats.norm.ppf(np.cumsum(counts)[:-1] / n)
        taus.append(tau)
        b = _bounds(tau)
        prob = np.diff(special.ndtr(b))
        dens = _pdf(b)
        sc = np.zeros((n, k - 1))
        c = codes[:, j]
        up, low = c < k - 1, c > 0
        sc[np.flatnonzero(up), c[up]] = dens[c[up] + 1] / prob[c[up]]
        sc[np.flatnonzero(low), c[low] - 1] = -dens[c[low]] / prob[c[low]]
        sc_th.append(sc)
        th_start.append(th_start[-1] + k - 1)
    n_th = th_start[-1]
    prs = pairs(p)
    cor = np.eye(p)
    sc_cor = np.zeros((n, len(prs)))
    a21 = np.zeros((len(prs), n_th))
    tables = []
    for i, j in prs:
        table = np.zeros((len(levels[i]), len(levels[j])))
        np.add.at(table, (codes[:, i], codes[:, j]), 1.0)
        tables.append(table)
    # every pair's correlation by Fisher scoring at once (the pairs are independent)
    rhos = pair_rho_many(tables, [taus[i] for i, _ in prs], [taus[j] for _, j in prs])
    for m, (i, j) in enumerate(prs):
        rho = float(rhos[m])
        cor[i, j] = cor[j, i] = rho
        prob, d_rho, d1, d2 = _cells(rho, taus[i], taus[j])
        ci, cj = codes[:, i], codes[:, j]
        pc = prob[ci, cj]
        sc_cor[:, m] = d_rho[ci, cj] / pc
        dth_i = d1[ci, cj] / pc[:, None]
        dth_j = d2[ci, cj] / pc[:, None]
        a21[m, th_start[i] : th_start[i + 1]] = sc_cor[:, m] @ dth_i
        a21[m, th_start[j] : th_start[j + 1]] = sc_cor[:, m] @ dth_j
    sc_all = np.hstack([*sc_th, sc_cor])
    inner = sc_all.T @ sc_all
    a11_inv = np.zeros((n_th, n_th))
    for j in range(p):
        sl = slice(th_start[j], th_start[j + 1])
        a11_inv[sl, sl] = np.linalg.inv(inner[sl, sl])
    a22_inv = 1.0 / np.einsum("ij,ij->j", sc_cor, sc_cor)
    b_inv = np.zeros((n_th + len(prs), n_th + len(prs)))
    b_inv[:n_th, :n_th] = a11_inv
    b_inv[n_th:, :n_th] = -(a22_inv[:, None] * a21) @ a11_inv
    b_inv[n_th:, n_th:] = np.diag(a22_inv)
    gamma = n * b_inv @ inner @ b_inv.T
    return OrdinalMoments(list(names), levels, taus, cor, gamma, n)
