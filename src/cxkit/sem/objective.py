"""Stage 4: the discrepancy functions — ML, FIML, DWLS, the least-squares family — per group, summed; value, gradient and a
positive-definite curvature (the expected information) for the optimizer, vectorised over a stack.

Every objective is written as ``ℓ(θ) = Σ_g ℓ_g(m_g(θ))`` with ``m_g = (μ_g, vech Σ_g)``, so its
gradient is ``Σ_g Δ_g' ∂ℓ_g/∂m_g`` and its curvature ``Σ_g n_g Δ_g' W_g Δ_g``:

* **ML** (complete data): ``ℓ_g = n_g/2 [log|Σ| + tr(SΣ⁻¹) + (m − μ)'Σ⁻¹(m − μ) − log|S| − p]`` — so
  ``χ² = 2ℓ`` at the optimum (lavaan's ``N F_ML``);
* **FIML**: ``ℓ_g = logL_h1 − Σ_patterns logL_pattern`` — ``χ² = 2ℓ`` against the EM saturated model;
* **DWLS**: ``ℓ = ½ (s − σ)' W (s − σ)`` over the polychoric correlations (the thresholds are
  saturated and equal their sample values), lavaan's WLSMV estimator;
* **ULS, GLS, WLS, DWLS** (continuous): ``ℓ_g = (n_g − 1)/2 (s − σ)' W (s − σ)`` over the sample
  means and covariances (:class:`WLSObjective`).

The stack axis: ``theta`` is (B, q) and the statistics carry B too (the bootstrap fits B resamples
at once); a single fit is B = 1.
"""

from __future__ import annotations

import numpy as np

from cxkit.sem.model import Model
from cxkit.sem.samplestats import PatternSet, single_thread


def unvech(v: np.ndarray, p: int) -> np.ndarray:
    """Symmetric (…, p, p) matrices from their ``vech`` (last axis, tril order)."""
    r, c = np.tril_indices(p)
    out = np.zeros((*v.shape[:-1], p, p))
    out[..., r, c] = v
    out[..., c, r] = v
    return out


def vech_grad(mat: np.ndarray) -> np.ndarray:
    """``∂f/∂vech Σ`` from the symmetric matrix derivative ``∂f/∂Σ`` (off-diagonals twice)."""
    p = mat.shape[-1]
    r, c = np.tril_indices(p)
    return mat[..., r, c] * np.where(r == c, 1.0, 2.0)


def _sel(arr: np.ndarray, idx):
    """The stack members ``idx`` of a statistic (a statistic of one broadcasts to any stack)."""
    return arr if idx is None or arr.shape[0] == 1 else arr[idx]


def dup_kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``D'(A ⊗ B)D`` for stacks of symmetric (…, p, p) ``A``, ``B`` (``D`` the duplication
    matrix, vech in tril order), without the p² × p² Kronecker product.

    >>> a = np.array([[2.0, 0.5], [0.5, 1.0]]); b = np.array([[1.0, 0.2], [0.2, 3.0]])
    >>> dup = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]], float)  # vec ← vech
    >>> bool(np.allclose(dup_kron(a, b), dup.T @ np.kron(a, b) @ dup))
    True
    """
    p = a.shape[-1]
    r, c = np.tril_indices(p)
    ri, ci = r[:, None], c[:, None]
    rj, cj = r[None, :], c[None, :]
    m = (
        a[..., ri, rj] * b[..., ci, cj]
        + a[..., ri, cj] * b[..., ci, rj]
        + a[..., ci, rj] * b[..., ri, cj]
        + a[..., ci, cj] * b[..., ri, rj]
    )
    half = np.where(r == c, 0.5, 1.0)
    return m * np.outer(half, half)


def moment_weight(sigma: np.ndarray, means: bool) -> np.ndarray:
    """The normal-theory information of one complete case in (μ, vech Σ): ``Σ⁻¹`` for μ and
    ``½ D'(Σ⁻¹ ⊗ Σ⁻¹)D`` for Σ (stacked)."""
    inv = np.linalg.inv(sigma)
    big = 0.5 * dup_kron(inv, inv)
    if not means:
        return big
    p = sigma.shape[-1]
    k = big.shape[-1]
    out = np.zeros((*sigma.shape[:-2], p + k, p + k))
    out[..., :p, :p] = inv
    out[..., p:, p:] = big
    return out


def moment_quadratic(inv: np.ndarray, v: np.ndarray, means: bool, weights=None) -> float:
    """``v' W v`` for the normal-theory weight ``W`` of :func:`moment_weight` given the inverse
    ``inv`` of Σ, without the k × k matrix: with ``M`` the symmetric matrix of ``v``'s ``vech`` part
    and ``m`` its mean part, ``½ tr(Σ⁻¹MΣ⁻¹M) + m'Σ⁻¹m``. ``inv`` may be a stack (P, p, p) — the
    missing-data patterns' zero-padded ``Σ_oo⁻¹`` — summed with ``weights`` (P,).

    >>> s = np.array([[2.0, 0.5], [0.5, 1.0]]); v = np.array([0.3, -0.2, 0.1, 0.4, -0.5])
    >>> bool(np.isclose(moment_quadratic(np.linalg.inv(s), v, True), v @ moment_weight(s, True) @ v))
    True
    """
    inv = np.asarray(inv)
    stack = inv if inv.ndim == 3 else inv[None]
    w = np.ones(len(stack)) if weights is None else np.asarray(weights, float)
    p = stack.shape[-1]
    off = p if means else 0
    r, c = np.tril_indices(p)
    m = np.zeros((p, p))
    m[r, c] = v[off:]
    m[c, r] = v[off:]
    am = stack @ m
    out = 0.5 * np.einsum("k,kij,kji->", w, am, am)
    if means:
        out += np.einsum("k,i,kij,j->", w, v[:p], stack, v[:p])
    return float(out)


def expected_information(
    model: Model, deltas: list[np.ndarray], moments, weights: list[np.ndarray]
) -> np.ndarray:
    """``Σ_g w_g Δ_g' W_g Δ_g`` with ``W_g`` the normal-theory information of one complete case at
    the model's moments (:func:`moment_weight`); stacked (B, q, q)."""
    b = deltas[0].shape[0]
    info = np.zeros((b, model.q, model.q))
    for g, (delta, mom, w) in enumerate(zip(deltas, moments, weights, strict=True)):
        wm = moment_weight(mom.sigma, model.means)
        cols = model.groups[g]["cols"]  # the parameters this group's moments depend on
        if len(cols) == model.q:
            info += w[:, None, None] * (np.swapaxes(delta, 1, 2) @ wm @ delta)
        elif len(cols):
            d = delta[:, :, cols]
            info[:, cols[:, None], cols[None, :]] += w[:, None, None] * (
                np.swapaxes(d, 1, 2) @ wm @ d
            )
    return info


def _one_thread(method):
    def wrapped(self, *args, **kwargs):
        with single_thread():
            return method(self, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = method.__name__, method.__doc__
    return wrapped


class MLObjective:
    """Complete-data ML over groups; statistics per group: n (B,), mean (B, p), cov (B, p, p)."""

    def __init__(self, model: Model, n, mean, cov):
        self.model = model
        self.n = [np.asarray(v, float) for v in n]
        self.mean = mean
        self.cov = cov
        self.logdet_s = [np.linalg.slogdet(s)[1] for s in cov]
        self.total_n = float(np.sum([v[0] for v in self.n]))

    @_one_thread
    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        moms = self.model.moments(theta)
        total = np.zeros(theta.shape[0])
        for g, mom in enumerate(moms):
            sign, logdet = np.linalg.slogdet(mom.sigma)
            inv = np.linalg.inv(np.where(sign[:, None, None] > 0, mom.sigma, np.eye(self.model.p)))
            tr = np.einsum("bij,bji->b", _sel(self.cov[g], idx), inv)
            f = logdet + tr - _sel(self.logdet_s[g], idx) - self.model.p
            if self.model.means:
                d = _sel(self.mean[g], idx) - mom.mu
                f = f + np.einsum("bi,bij,bj->b", d, inv, d)
            # F ≥ 0 for every positive definite Σ: a negative value is a numerical breakdown
            ok = (sign > 0) & ~mom.mats["bad"] & (f > -1e-8 * np.maximum(1.0, np.abs(logdet)))
            total += np.where(ok, 0.5 * _sel(self.n[g], idx) * f, np.inf)
        return total

    @_one_thread
    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        moms = self.model.moments(theta)
        pieces = self.model.lowrank(theta, moms)
        grad = np.zeros(theta.shape)
        infos = np.zeros((theta.shape[0], self.model.q, self.model.q)) if info else None
        for g, (mom, piece) in enumerate(zip(moms, pieces, strict=True)):
            inv = np.linalg.inv(mom.sigma)
            n = _sel(self.n[g], idx)
            c = _sel(self.cov[g], idx)
            g_mu = None
            if self.model.means:
                d = _sel(self.mean[g], idx) - mom.mu
                c = c + d[:, :, None] * d[:, None, :]
                g_mu = -n[:, None] * np.einsum("bij,bj->bi", inv, d)
            g_sigma = 0.5 * n[:, None, None] * (inv - inv @ c @ inv)
            grad += self.model.chain(piece, g_sigma, g_mu)
            if info:
                infos += self.model.fisher(piece, inv, np.broadcast_to(n, (theta.shape[0],)))
        return grad, infos


class FIMLObjective:
    """FIML over groups and missing-data patterns; per group a list of patterns, each
    ``(observed, n (B,), mean (B, po), cov (B, po, po))`` (or a ready
    :class:`~cxkit.sem.samplestats.PatternSet`), and the h1 log-likelihood (B,).

    The patterns are held as arrays (:class:`~cxkit.sem.samplestats.PatternSet`): value, gradient
    and curvature are one vectorised pass over all patterns (and the stack), inverting only the
    small blocks of the missing variables."""

    def __init__(self, model: Model, patterns, loglik_h1):
        self.model = model
        self.sets = [
            pats if isinstance(pats, PatternSet) else PatternSet(pats, model.p) for pats in patterns
        ]
        self.h1 = [np.asarray(v, float) for v in loglik_h1]
        self.n = [s.total for s in self.sets]
        self.total_n = float(np.sum([v[0] for v in self.n]))
        #: parameter vectors per stack in the observed information (arrays of ~4 M numbers)
        self.chunk = max(1, int(4e6 // max(sum(s.rows.shape[1] for s in self.sets) * model.p, 1)))

    @_one_thread
    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        moms = self.model.moments(theta)
        total = np.zeros(theta.shape[0])
        bad = np.zeros(theta.shape[0], dtype=bool)
        for g, mom in enumerate(moms):
            ll, bad_g = self.sets[g].evaluate(mom.mu, mom.sigma, idx)
            bad |= bad_g | mom.mats["bad"]
            total += _sel(self.h1[g], idx) - ll
        return np.where(bad, np.inf, total)

    @_one_thread
    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        moms = self.model.moments(theta)
        pieces = self.model.lowrank(theta, moms)
        grad = np.zeros(theta.shape)
        infos = np.zeros((theta.shape[0], self.model.q, self.model.q)) if info else None
        for g, (mom, piece) in enumerate(zip(moms, pieces, strict=True)):
            _, _, (g_sigma, g_mu) = self.sets[g].evaluate(mom.mu, mom.sigma, idx, grad=True)
            grad += self.model.chain(piece, g_sigma, g_mu if self.model.means else None)
            if info:
                n = np.broadcast_to(_sel(self.n[g], idx), (theta.shape[0],))
                infos += self.model.fisher(piece, np.linalg.inv(mom.sigma), n)
        return grad, infos


class DWLSObjective:
    """DWLS over the correlations of ordered indicators (one group): ``½ Σ w (ρ − σ)²``."""

    def __init__(self, model: Model, rho: np.ndarray, w: np.ndarray, pairs):
        self.model = model
        self.rho = np.atleast_2d(rho)
        self.w = np.atleast_2d(w)
        self.ii = np.array([i for i, _ in pairs])
        self.jj = np.array([j for _, j in pairs])
        # vech position of every pair (i > j): the row-major lower triangle
        r, c = np.tril_indices(model.p)
        pos = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(r, c, strict=True))}
        self.vpos = np.array([pos[(i, j)] for i, j in pairs])
        self.total_n = 1.0

    def resid(self, theta, idx=None):
        mom = self.model.moments(theta)[0]
        return _sel(self.rho, idx) - mom.sigma[:, self.ii, self.jj], mom

    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        r, mom = self.resid(theta, idx)
        f = 0.5 * np.einsum("bk,bk,bk->b", r, np.broadcast_to(_sel(self.w, idx), r.shape), r)
        return np.where(mom.mats["bad"], np.inf, f)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        mom = self.model.moments(theta)[0]
        return self.model.delta(theta, [mom])[0][:, self.vpos, :]

    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        r, _ = self.resid(theta, idx)
        w = np.broadcast_to(_sel(self.w, idx), r.shape)
        jac = self.jacobian(theta)
        grad = -np.einsum("bk,bk,bkq->bq", r, w, jac)
        if not info:
            return grad, None
        return grad, np.einsum("bkq,bk,bkl->bql", jac, w, jac)


class WLSObjective:
    """The least-squares family for continuous data (lavaan's ULS, GLS, WLS and continuous DWLS)
    over groups: ``ℓ = Σ_g (N_g − 1)/2 · (s_g − σ_g)' W_g (s_g − σ_g)`` with ``s_g`` the sample
    moments ``(x̄, vech S)`` (means only with a mean structure; S with the N denominator) and
    ``W_g`` a full matrix (GLS, WLS) or its diagonal as a vector (ULS, DWLS) — so ``χ² = 2ℓ``,
    lavaan's ``(N − 1) F``; the curvature is ``Σ_g (N_g − 1) Δ_g' W_g Δ_g``.

    ``obs``: per group (B, k); ``weights``: per group (k, k) or (k,); ``n``: per group (B,).
    """

    def __init__(self, model: Model, obs, weights, n):
        self.model = model
        self.obs = [np.atleast_2d(o) for o in obs]
        self.weights = [np.asarray(w, float) for w in weights]
        self.n = [np.asarray(v, float) for v in n]
        self.total_n = float(np.sum([v[0] for v in self.n]))
        r, c = np.tril_indices(model.p)
        self._rc = (r, c)

    def _resid(self, mom, g, idx):
        r, c = self._rc
        est = mom.sigma[:, r, c]
        if self.model.means:
            est = np.concatenate([mom.mu, est], axis=1)
        return _sel(self.obs[g], idx) - est

    def _weigh(self, w: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``W x`` for the stacked (B, k) ``x``."""
        return x * w if w.ndim == 1 else x @ w

    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        moms = self.model.moments(theta)
        total = np.zeros(theta.shape[0])
        bad = np.zeros(theta.shape[0], dtype=bool)
        for g, mom in enumerate(moms):
            res = self._resid(mom, g, idx)
            f = np.einsum("bk,bk->b", self._weigh(self.weights[g], res), res)
            total += 0.5 * (_sel(self.n[g], idx) - 1.0) * f
            bad |= mom.mats["bad"]
        return np.where(bad, np.inf, total)

    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        moms = self.model.moments(theta)
        deltas = self.model.delta(theta, moms)
        grad = np.zeros(theta.shape)
        curv = np.zeros((theta.shape[0], self.model.q, self.model.q)) if info else None
        for g, (mom, delta) in enumerate(zip(moms, deltas, strict=True)):
            w = self.weights[g]
            m = (_sel(self.n[g], idx) - 1.0)[:, None]
            wr = self._weigh(w, self._resid(mom, g, idx))
            grad -= m * np.einsum("bk,bkq->bq", wr, delta)
            if info:
                wd = delta * w[None, :, None] if w.ndim == 1 else w @ delta
                curv += m[:, :, None] * (np.swapaxes(delta, 1, 2) @ wd)
        return grad, curv
