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
    lavaan's ``lavCor(ordered=)``), without Γ: (thresholds, cor).

    ``codes``: N × p categories 0 … K_j − 1, −1 for a missing answer.

    >>> import numpy as np
    >>> codes = np.array([[0, 0], [0, 1], [1, 1], [1, 1], [0, 0], [1, 0], [1, 1], [-1, 0]])
    >>> taus, cor = polychoric_matrix(codes, [np.arange(2.0), np.arange(2.0)])
    >>> [round(float(t[0]), 3) for t in taus]  # Φ⁻¹(3/7), Φ⁻¹(4/8)
    [-0.18, 0.0]
    >>> round(float(cor[0, 1]), 3)  # the 7 complete rows; lavaan's lavCor: 0.598
    0.598
    """
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


# -- ordered and continuous variables mixed ---------------------------------------------------
@dataclass(frozen=True)
class MixedMoments:
    """Sample statistics of ordered and continuous variables together, in lavaan's order:
    ``s = (per variable: its thresholds, or −mean for a continuous one; the continuous ones'
    variances; the correlations (i, j), i > j, column by column)``, the correlations being
    polychoric (both ordered), polyserial (one continuous; times its SD) or Pearson (both
    continuous; as a covariance). ``cov``: that matrix (1 on the diagonal of ordered variables,
    the variance for continuous ones); ``gamma``: the NACOV of ``s``."""

    names: list[str]
    levels: list[np.ndarray | None]
    thresholds: list[np.ndarray]
    means: np.ndarray
    var: np.ndarray
    cov: np.ndarray
    gamma: np.ndarray
    n: int

    @property
    def numeric(self) -> np.ndarray:
        return np.array([lv is None for lv in self.levels])

    @property
    def cor(self) -> np.ndarray:
        return self.cov

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return pairs(len(self.names))

    def vector(self) -> np.ndarray:
        num = self.numeric
        return np.concatenate(
            [*self.thresholds, self.var[num], np.array([self.cov[i, j] for i, j in self.pairs])]
        )


def _polyserial(z: np.ndarray, c: np.ndarray, tau: np.ndarray) -> float:
    """Two-step ML polyserial correlation of standardised ``z`` with ordered codes ``c``."""
    from scipy import optimize

    b = _bounds(tau)
    lo, up = b[c], b[c + 1]

    def negll(rho):
        s = np.sqrt(1 - rho * rho)
        p = special.ndtr((up - rho * z) / s) - special.ndtr((lo - rho * z) / s)
        return -float(np.sum(np.log(np.clip(p, 1e-300, None))))

    res = optimize.minimize_scalar(
        negll, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x)


def mixed_moments(x: np.ndarray, codes: np.ndarray, names: list[str], levels) -> MixedMoments:
    """:class:`MixedMoments` of complete rows: ``x`` the values (N × p), ``codes`` the ordered
    variables' codes 0 … K−1 (ignored for continuous columns), ``levels[j]`` None for a
    continuous variable. Means and variances by ML (N denominator), thresholds from the answer
    shares, each correlation by two-step ML given those; Γ from the casewise scores as
    :func:`ordinal_moments` (Muthén, 1984), the continuous variables' mean and variance scored
    together, then lavaan's change from correlations to covariances (``H``) and the sign of the
    −mean slots."""
    n, p = x.shape
    num = np.array([lv is None for lv in levels])
    taus: list[np.ndarray] = []
    mu = np.zeros(p)
    var = np.ones(p)
    th_cols: list[np.ndarray] = []  # score columns per variable (thresholds or [mean, var])
    for j in range(p):
        if num[j]:
            mu[j] = x[:, j].mean()
            var[j] = x[:, j].var()
            d = x[:, j] - mu[j]
            taus.append(np.array([-mu[j]]))
            th_cols.append(np.column_stack([d / var[j], -0.5 / var[j] + d * d / (2 * var[j] ** 2)]))
        else:
            k = len(levels[j])
            counts = np.bincount(codes[:, j], minlength=k).astype(float)
            tau = stats.norm.ppf(np.cumsum(counts)[:-1] / n)
            taus.append(tau)
            th_cols.append(_threshold_scores(codes[:, j], tau))
    sd = np.sqrt(var)
    z = (x - mu) / sd
    n_th = sum(len(t) for t in taus)
    th_start = np.concatenate([[0], np.cumsum([len(t) for t in taus])]).astype(int)
    num_idx = np.flatnonzero(num)
    var_pos = {j: n_th + k for k, j in enumerate(num_idx)}
    a11_size = n_th + len(num_idx)
    prs = pairs(p)
    cor = np.eye(p)
    sc_cor = np.zeros((n, len(prs)))
    a21 = np.zeros((len(prs), a11_size))
    h21 = np.zeros((len(prs), a11_size))
    h22 = np.ones(len(prs))
    ord_pairs = [m for m, (i, j) in enumerate(prs) if not num[i] and not num[j]]
    if ord_pairs:
        sub = [prs[m] for m in ord_pairs]
        tables = []
        for i, j in sub:
            t = np.zeros((len(levels[i]), len(levels[j])))
            np.add.at(t, (codes[:, i], codes[:, j]), 1.0)
            tables.append(t)
        rhos = pair_rho_many(tables, [taus[i] for i, _ in sub], [taus[j] for _, j in sub])
        for m, (i, j), rho in zip(ord_pairs, sub, rhos, strict=True):
            cor[i, j] = cor[j, i] = rho
            prob, d_rho, d1, d2 = _cells(float(rho), taus[i], taus[j])
            ci, cj = codes[:, i], codes[:, j]
            pc = prob[ci, cj]
            sc_cor[:, m] = d_rho[ci, cj] / pc
            a21[m, th_start[i] : th_start[i + 1]] = sc_cor[:, m] @ (d1[ci, cj] / pc[:, None])
            a21[m, th_start[j] : th_start[j + 1]] = sc_cor[:, m] @ (d2[ci, cj] / pc[:, None])
    for m, (i, j) in enumerate(prs):
        if num[i] and num[j]:
            rho = float(np.mean(z[:, i] * z[:, j]))
            cor[i, j] = cor[j, i] = rho
            r2 = 1 - rho * rho
            z1, z2 = z[:, i], z[:, j]
            q = z1 * z1 - 2 * rho * z1 * z2 + z2 * z2
            sc_cor[:, m] = rho / r2 + z1 * z2 / r2 - rho * q / r2**2
            d_mu1 = (z1 - rho * z2) / (sd[i] * r2)
            d_mu2 = (z2 - rho * z1) / (sd[j] * r2)
            d_v1 = -0.5 / var[i] + z1 * (z1 - rho * z2) / (2 * var[i] * r2)
            d_v2 = -0.5 / var[j] + z2 * (z2 - rho * z1) / (2 * var[j] * r2)
            a21[m, th_start[i]] = sc_cor[:, m] @ d_mu1
            a21[m, th_start[j]] = sc_cor[:, m] @ d_mu2
            a21[m, var_pos[i]] = sc_cor[:, m] @ d_v1
            a21[m, var_pos[j]] = sc_cor[:, m] @ d_v2
            h21[m, var_pos[i]] = sd[j] * rho / (2 * sd[i])
            h21[m, var_pos[j]] = sd[i] * rho / (2 * sd[j])
            h22[m] = sd[i] * sd[j]
        elif num[i] or num[j]:
            y1, y2 = (i, j) if num[i] else (j, i)  # y1 continuous, y2 ordered
            c = codes[:, y2]
            tau = taus[y2]
            rho = _polyserial(z[:, y1], c, tau)
            cor[i, j] = cor[j, i] = rho
            s = np.sqrt(1 - rho * rho)
            b = _bounds(tau)
            zz = z[:, y1]
            u_up, u_lo = (b[c + 1] - rho * zz) / s, (b[c] - rho * zz) / s
            f_up, f_lo = _pdf(u_up), _pdf(u_lo)
            prob = np.clip(special.ndtr(u_up) - special.ndtr(u_lo), 1e-300, None)
            dp_rho = f_up * (rho * b[c + 1] - zz) / s**3 - f_lo * (rho * b[c] - zz) / s**3
            sc_cor[:, m] = dp_rho / prob
            d_mu = zz / sd[y1] + (f_up - f_lo) * rho / (sd[y1] * s) / prob
            d_v = (
                -0.5 / var[y1]
                + zz * zz / (2 * var[y1])
                + (f_up - f_lo) * rho * zz / (2 * var[y1] * s) / prob
            )
            k = len(tau) + 1
            d_th = np.zeros((n, k - 1))
            upper = c < k - 1
            d_th[np.flatnonzero(upper), c[upper]] += f_up[upper] / s / prob[upper]
            lower = c > 0
            d_th[np.flatnonzero(lower), c[lower] - 1] -= f_lo[lower] / s / prob[lower]
            a21[m, th_start[y1]] = sc_cor[:, m] @ d_mu
            a21[m, var_pos[y1]] = sc_cor[:, m] @ d_v
            a21[m, th_start[y2] : th_start[y2 + 1]] = sc_cor[:, m] @ d_th
            h21[m, var_pos[y1]] = rho / (2 * sd[y1])
            h22[m] = sd[y1]
    sc_th = np.zeros((n, a11_size))
    for j in range(p):
        if num[j]:
            sc_th[:, th_start[j]] = th_cols[j][:, 0]
            sc_th[:, var_pos[j]] = th_cols[j][:, 1]
        else:
            sc_th[:, th_start[j] : th_start[j + 1]] = th_cols[j]
    sc_all = np.hstack([sc_th, sc_cor])
    inner = sc_all.T @ sc_all
    a11 = np.zeros((a11_size, a11_size))
    for j in range(p):
        idx = list(range(th_start[j], th_start[j + 1])) + ([var_pos[j]] if num[j] else [])
        a11[np.ix_(idx, idx)] = inner[np.ix_(idx, idx)]
    a11_inv = np.linalg.inv(a11)
    a22_inv = 1.0 / np.einsum("ij,ij->j", sc_cor, sc_cor)
    width = a11_size + len(prs)
    b_inv = np.zeros((width, width))
    b_inv[:a11_size, :a11_size] = a11_inv
    b_inv[a11_size:, :a11_size] = -(a22_inv[:, None] * a21) @ a11_inv
    b_inv[a11_size:, a11_size:] = np.diag(a22_inv)
    gamma = n * b_inv @ inner @ b_inv.T
    h = np.eye(width)
    h[a11_size:, :a11_size] = h21
    h[a11_size:, a11_size:] = np.diag(h22)
    gamma = h @ gamma @ h.T
    sign = np.ones(width)
    sign[th_start[num_idx]] = -1.0  # the −mean slots
    gamma = gamma * np.outer(sign, sign)
    cov = cor * np.outer(np.where(num, sd, 1.0), np.where(num, sd, 1.0))
    return MixedMoments(list(names), list(levels), taus, mu, var, cov, gamma, n)
