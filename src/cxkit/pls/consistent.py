"""Consistent PLS (PLSc; Dijkstra & Henseler, 2015, MIS Quarterly 39(2), 297–316) and ρA.

For a Mode A block with weights ``w`` (composite of unit variance, standardised indicators, item
correlations ``R``), ``c² = w'(R − diag R)w / w'(ww' − diag ww')w``, ``ρA = (w'w)² c²`` and the
consistent loadings are ``λ = c w``. Construct correlations are disattenuated by
``√(ρA_i ρA_j)`` (ρA = 1 for Mode B and one-item blocks), and the paths re-estimated from them.

In a one-factor population with loadings λ and weights ∝ λ, ρA is the reliability of the
λ-weighted composite, (λ'λ)² / ((λ'λ)² + Σ λ²(1 − λ²)) = 2.2201 / 2.9308:

>>> import numpy as np
>>> lam = np.array([0.8, 0.7, 0.6])
>>> r = np.outer(lam, lam); np.fill_diagonal(r, 1)
>>> w = lam / np.sqrt(lam @ r @ lam)
>>> round(float(rho_a(r[None], w[None, :, None], np.ones((3, 1)))[0, 0]), 6)
0.757506
"""

from __future__ import annotations

import numpy as np


def to_correlation(s: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Item correlations and the weights of the standardised items, from covariances and weights."""
    sd = np.sqrt(np.einsum("bii->bi", s))
    return s / sd[:, :, None] / sd[:, None, :], w * sd[:, :, None]


def correction(r: np.ndarray, w: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """``c`` per block (B, J) from item correlations ``r`` and standardised weights ``w``."""
    b, p, j_n = w.shape
    out = np.ones((b, j_n))
    for j in range(j_n):
        ix = np.flatnonzero(membership[:, j])
        if ix.size < 2:
            continue
        wj = w[:, ix, j]
        rj = r[:, ix][:, :, ix]
        off = rj * (1 - np.eye(ix.size))
        num = np.einsum("bi,bik,bk->b", wj, off, wj)
        den = (wj**2).sum(axis=1) ** 2 - (wj**4).sum(axis=1)
        out[:, j] = np.sqrt(np.where(num > 0, num, np.nan) / den)
    return out


def rho_a(r: np.ndarray, w: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Dijkstra–Henseler ρA (B, J); 1 for one-item blocks."""
    c = correction(r, w, membership)
    ww = np.einsum("bpj,bpj->bj", w * membership, w * membership)
    return np.where(membership.sum(axis=0) < 2, 1.0, ww**2 * c**2)
