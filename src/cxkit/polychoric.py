"""The polychoric core shared by :mod:`cxkit.measure.ordinal` (psych's ``polychoric``) and the
ordinal SEM (:mod:`cxkit.sem.categorical`, lavaan's WLSMV): the bivariate normal distribution, the
cell probabilities of a contingency table and their derivatives, and the two-step ML correlation of
one pair given its thresholds.

>>> import numpy as np
>>> table = np.array([[20.0, 5.0], [6.0, 19.0]])
>>> round(pair_rho(table, np.array([0.0]), np.array([0.04])), 3)
0.772
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X ≤ h, Y ≤ k) for a standard bivariate normal with correlation ``rho`` (vectorised).

    Uses Φ₂(h, k; ρ) = Φ(h)Φ(k) + (2π)⁻¹ ∫₀^asin ρ exp(−(h² + k² − 2hk sin θ) / (2 cos² θ)) dθ with
    64-point Gauss–Legendre quadrature.

    >>> round(float(bvn_cdf(np.array(0.0), np.array(0.0), 0.5)), 10)  # 1/4 + asin(.5)/(2π)
    0.3333333333
    """
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    top = np.arcsin(np.clip(rho, -0.999999, 0.999999))
    theta = 0.5 * top * (_NODES + 1.0)
    w = 0.5 * top * _WEIGHTS
    s, c2 = np.sin(theta), np.cos(theta) ** 2
    hh, kk = h[..., None], k[..., None]
    integrand = np.exp(-(hh * hh + kk * kk - 2.0 * hh * kk * s) / (2.0 * c2))
    return special.ndtr(h) * special.ndtr(k) + (integrand * w).sum(axis=-1) / (2.0 * np.pi)


BIG = 9.0  # ±infinity for thresholds: Φ(±9) is 1 to 1e-19


def pdf(x):
    return np.exp(-0.5 * np.asarray(x) ** 2) / np.sqrt(2 * np.pi)


def bounds(tau: np.ndarray) -> np.ndarray:
    return np.concatenate([[-BIG], tau, [BIG]])


def phi2(h, k, rho):
    r2 = 1.0 - rho * rho
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * r2)) / (2 * np.pi * np.sqrt(r2))


def cells(rho: float, t1: np.ndarray, t2: np.ndarray, thresholds: bool = True):
    """Cell probabilities and their derivatives w.r.t. ρ and the two variables' thresholds.

    Returns P (K1 × K2), dP/dρ (K1 × K2), dP/dτ1 (K1 × K2 × K1−1), dP/dτ2 (K1 × K2 × K2−1); the
    last two only with ``thresholds``.
    """
    b1, b2 = bounds(t1), bounds(t2)
    grid = bvn_cdf(b1[:, None], b2[None, :], rho)
    prob = grid[1:, 1:] - grid[:-1, 1:] - grid[1:, :-1] + grid[:-1, :-1]
    dens = phi2(b1[:, None], b2[None, :], rho)
    d_rho = dens[1:, 1:] - dens[:-1, 1:] - dens[1:, :-1] + dens[:-1, :-1]
    if not thresholds:
        return prob, d_rho
    s = np.sqrt(1.0 - rho * rho)
    # dΦ2(h, k)/dh = φ(h) Φ((k − ρh)/s): G1[a, b] for bound a of variable 1, bound b of variable 2
    g1 = pdf(b1)[:, None] * special.ndtr((b2[None, :] - rho * b1[:, None]) / s)
    g2 = pdf(b2)[None, :] * special.ndtr((b1[:, None] - rho * b2[None, :]) / s)
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


def pair_rho(table: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> float:
    """ML polychoric correlation of a contingency table given the thresholds (Fisher scoring from
    the table's Pearson correlation; a bounded search if that fails)."""
    n = table.sum()
    ok = table > 0

    def negll(rho):
        prob = cells(rho, t1, t2, False)[0]
        return -float(np.sum(table[ok] * np.log(np.clip(prob[ok], 1e-300, None))))

    i, j = np.indices(table.shape)
    w = table / n
    mi, mj = (w * i).sum(), (w * j).sum()
    cov = (w * (i - mi) * (j - mj)).sum()
    sd = np.sqrt((w * (i - mi) ** 2).sum() * (w * (j - mj) ** 2).sum())
    rho = float(np.clip(cov / sd if sd > 0 else 0.0, -0.95, 0.95))
    f = negll(rho)
    for _ in range(100):
        prob, d_rho = cells(rho, t1, t2, False)
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


def _bvn_many(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """:func:`bvn_cdf` for a stack of grids (P, …) with one ρ per grid (P,)."""
    top = np.arcsin(np.clip(rho, -0.999999, 0.999999))
    theta = 0.5 * top[:, None] * (_NODES[None, :] + 1.0)  # (P, 64)
    w = 0.5 * top[:, None] * _WEIGHTS[None, :]
    s, c2 = np.sin(theta), np.cos(theta) ** 2
    shape = (len(rho),) + (1,) * (h.ndim - 1) + (len(_NODES),)
    s, c2, w = s.reshape(shape), c2.reshape(shape), w.reshape(shape)
    hh, kk = h[..., None], k[..., None]
    integrand = np.exp(-(hh * hh + kk * kk - 2.0 * hh * kk * s) / (2.0 * c2))
    return special.ndtr(h) * special.ndtr(k) + (integrand * w).sum(axis=-1) / (2.0 * np.pi)


def pair_rho_many(tables: list[np.ndarray], t1s: list[np.ndarray], t2s: list[np.ndarray]):
    """:func:`pair_rho` for many pairs at once: Fisher scoring on every pair's ρ together (tables
    padded to a common shape with empty cells), then :func:`pair_rho` for any pair that did not
    settle. Returns the correlations (P,).

    >>> import numpy as np
    >>> table = np.array([[20.0, 5.0], [6.0, 19.0]])
    >>> t1, t2 = np.array([0.0]), np.array([0.04])
    >>> got = pair_rho_many([table, table.T], [t1, t2], [t2, t1])
    >>> bool(np.allclose(got, pair_rho(table, t1, t2), atol=1e-9))
    True
    """
    npairs = len(tables)
    if not npairs:
        return np.zeros(0)
    k1 = max(t.shape[0] for t in tables)
    k2 = max(t.shape[1] for t in tables)
    tab = np.zeros((npairs, k1, k2))
    b1 = np.full((npairs, k1 + 1), BIG)
    b2 = np.full((npairs, k2 + 1), BIG)
    for m, (t, a, b) in enumerate(zip(tables, t1s, t2s, strict=True)):
        tab[m, : t.shape[0], : t.shape[1]] = t
        b1[m, : len(a) + 2] = bounds(a)
        b2[m, : len(b) + 2] = bounds(b)
    n = tab.sum(axis=(1, 2))
    i, j = np.indices((k1, k2))
    w = tab / n[:, None, None]
    mi, mj = (w * i).sum(axis=(1, 2)), (w * j).sum(axis=(1, 2))
    cov = (w * (i - mi[:, None, None]) * (j - mj[:, None, None])).sum(axis=(1, 2))
    var = (w * (i - mi[:, None, None]) ** 2).sum(axis=(1, 2)) * (
        w * (j - mj[:, None, None]) ** 2
    ).sum(axis=(1, 2))
    rho = np.clip(np.where(var > 0, cov / np.sqrt(np.where(var > 0, var, 1.0)), 0.0), -0.95, 0.95)
    h, k = b1[:, :, None], b2[:, None, :]
    settled = np.zeros(npairs, dtype=bool)
    for _ in range(50):
        r2 = 1.0 - rho * rho
        grid = _bvn_many(
            np.broadcast_to(h, (npairs, k1 + 1, k2 + 1)),
            np.broadcast_to(k, (npairs, k1 + 1, k2 + 1)),
            rho,
        )  # noqa: E501
        prob = grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]
        dens = np.exp(-(h * h - 2 * rho[:, None, None] * h * k + k * k) / (2 * r2[:, None, None]))
        dens = dens / (2 * np.pi * np.sqrt(r2))[:, None, None]
        d_rho = dens[:, 1:, 1:] - dens[:, :-1, 1:] - dens[:, 1:, :-1] + dens[:, :-1, :-1]
        prob = np.clip(prob, 1e-300, None)
        score = np.sum(tab * d_rho / prob, axis=(1, 2))
        info = n * np.sum(d_rho**2 / prob, axis=(1, 2))
        step = np.clip(score / info, -0.2, 0.2)
        new = np.clip(rho + step, -0.995, 0.995)
        settled = np.abs(new - rho) < 1e-11
        rho = new
        if settled.all():
            break
    for m in np.flatnonzero(~settled):
        rho[m] = pair_rho(tables[m], t1s[m], t2s[m])
    return rho
