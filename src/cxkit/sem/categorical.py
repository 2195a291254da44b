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
from scipy import optimize, special, stats

from cxkit.measure.ordinal import bvn_cdf

_BIG = 9.0  # ±infinity for thresholds: Φ(±9) is 1 to 1e-19


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


def _pdf(x):
    return np.exp(-0.5 * np.asarray(x) ** 2) / np.sqrt(2 * np.pi)


def _bounds(tau: np.ndarray) -> np.ndarray:
    return np.concatenate([[-_BIG], tau, [_BIG]])


def _phi2(h, k, rho):
    r2 = 1.0 - rho * rho
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * r2)) / (2 * np.pi * np.sqrt(r2))


def _cells(rho: float, t1: np.ndarray, t2: np.ndarray, thresholds: bool = True):
    """Cell probabilities and their derivatives w.r.t. ρ and the two variables' thresholds.

    Returns P (K1 × K2), dP/dρ (K1 × K2), dP/dτ1 (K1 × K2 × K1−1), dP/dτ2 (K1 × K2 × K2−1); the
    last two only with ``thresholds``.
    """
    b1, b2 = _bounds(t1), _bounds(t2)
    grid = bvn_cdf(b1[:, None], b2[None, :], rho)
    prob = grid[1:, 1:] - grid[:-1, 1:] - grid[1:, :-1] + grid[:-1, :-1]
    dens = _phi2(b1[:, None], b2[None, :], rho)
    d_rho = dens[1:, 1:] - dens[:-1, 1:] - dens[1:, :-1] + dens[:-1, :-1]
    if not thresholds:
        return prob, d_rho
    s = np.sqrt(1.0 - rho * rho)
    # dΦ2(h, k)/dh = φ(h) Φ((k − ρh)/s): G1[a, b] for bound a of variable 1, bound b of variable 2
    g1 = _pdf(b1)[:, None] * special.ndtr((b2[None, :] - rho * b1[:, None]) / s)
    g2 = _pdf(b2)[None, :] * special.ndtr((b1[:, None] - rho * b2[None, :]) / s)
    k1, k2 = len(t1) + 1, len(t2) + 1
    d1 = np.zeros((k1, k2, k1 - 1))
    d2 = np.zeros((k1, k2, k2 - 1))
    # P[a, b] = G(b1[a+1], b2[b+1]) − G(b1[a], b2[b+1]) − G(b1[a+1], b2[b]) + G(b1[a], b2[b])
    for t in range(
        k1 - 1
    ):  # threshold t is bound t + 1: upper bound of cell a = t, lower of a = t + 1
        diff = g1[t + 1, 1:] - g1[t + 1, :-1]
        d1[t, :, t] += diff
        d1[t + 1, :, t] -= diff
    for t in range(k2 - 1):
        diff = g2[1:, t + 1] - g2[:-1, t + 1]
        d2[:, t, t] += diff
        d2[:, t + 1, t] -= diff
    return prob, d_rho, d1, d2


def _rho(table: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> float:
    """ML polychoric correlation of a contingency table given the thresholds (Fisher scoring from
    the table's Pearson correlation; a bounded search if that fails)."""
    n = table.sum()
    ok = table > 0

    def negll(rho):
        prob = _cells(rho, t1, t2, False)[0]
        return -float(np.sum(table[ok] * np.log(np.clip(prob[ok], 1e-300, None))))

    i, j = np.indices(table.shape)
    w = table / n
    mi, mj = (w * i).sum(), (w * j).sum()
    cov = (w * (i - mi) * (j - mj)).sum()
    sd = np.sqrt((w * (i - mi) ** 2).sum() * (w * (j - mj) ** 2).sum())
    rho = float(np.clip(cov / sd if sd > 0 else 0.0, -0.95, 0.95))
    f = negll(rho)
    for _ in range(100):
        prob, d_rho = _cells(rho, t1, t2, False)
        prob = np.clip(prob, 1e-300, None)
        score = float(np.sum(table * d_rho / prob))
        info = float(n * np.sum(d_rho**2 / prob))
        step = score / info
        scale = 1.0
        while scale > 1e-6:
            cand = float(np.clip(rho + scale * step, -0.995, 0.995))
            f_c = negll(cand)
            if f_c <= f + 1e-12:
                break
            scale /= 2
        else:
            break
        moved = abs(cand - rho)
        rho, f = cand, f_c
        if moved < 1e-10:
            return rho
    res = optimize.minimize_scalar(
        negll, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x) if res.fun < f else rho


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
    for m, (i, j) in enumerate(prs):
        ki, kj = len(levels[i]), len(levels[j])
        table = np.zeros((ki, kj))
        np.add.at(table, (codes[:, i], codes[:, j]), 1.0)
        rho = _rho(table, taus[i], taus[j])
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
