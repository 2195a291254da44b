"""Robust ML (lavaan's ``estimator = "MLR"``): Huber–White standard errors, the Yuan–Bentler scaled
χ² (lavaan's ``test = "yuan.bentler.mplus"``) and the scaled and robust fit indices.

The pieces are the casewise scores of the saturated (h1) normal log-likelihood with respect to the
moments ``m = (μ, vech Σ)`` (``μ`` only with a mean structure; NaN = missing answer), and
``Δ = ∂m/∂θ``, the derivatives of the model's moments. Per case and per group ``g`` (share ``f_g``
of the N cases):

* ``E`` — the observed information of the model (the Hessian of −logL / N), lavaan's
  ``information = "observed"``;
* ``B0_g`` — the first-order information of the model: the mean of ``s_i s_i'`` with ``s_i`` the
  h1 scores at the model-implied moments times ``Δ_g``;
* ``A1_g`` and ``B1_g`` — the observed and first-order information of the saturated model at its own
  estimates (``x̄`` and ``S``, or the EM estimates with missing data); lavaan's Mplus variant uses
  these "unstructured" forms for the h1 part.

Then ``vcov = E⁻¹ (Σ_g f_g B0_g) E⁻¹ / N`` and the scaling factor is
``c = Σ_g [tr(B1_g A1_g⁻¹) − f_g tr(B0_g E⁻¹)] / df``; ``χ²_scaled = χ² / c``. The baseline model
gets its own ``c_B`` in the same way. Robust CFI, TLI and RMSEA (Brosseau-Liard, Savalei & Li,
2012; Brosseau-Liard & Savalei, 2014) use ``χ² − c·df`` for the noncentrality; with missing data they
follow lavaan's FIML-corrected version (Zhang & Savalei, 2023, "V3"): χ² and ``c`` are recomputed
for the model evaluated at the EM moments as if they were complete data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cxkit.sem.fit_measures import discrepancy
from cxkit.sem.objective import dup_kron, moment_weight
from cxkit.sem.samplestats import patterns


def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of ``vech Σ`` (lower triangle, row by row)."""
    return np.tril_indices(p)


def _vech_weight(p: int) -> np.ndarray:
    r, c = vech_index(p)
    return np.where(r == c, 1.0, 2.0)


def h1_scores(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, means: bool) -> np.ndarray:
    """Casewise derivatives of the normal log-likelihood w.r.t. ``(μ, vech Σ)`` (N × k).

    Missing answers (NaN) drop out of a case's likelihood. Without ``means`` only the ``vech Σ``
    part is returned.
    """
    n, p = x.shape
    r, c = vech_index(p)
    w = _vech_weight(p)
    off = p if means else 0
    out = np.zeros((n, off + len(r)))
    mask = ~np.isnan(x)
    if mask.all():  # one pattern: no grouping of the rows
        keys, inverse = np.ones((1, p), bool), np.zeros(n, int)
    else:
        keys, inverse = np.unique(mask, axis=0, return_inverse=True)
        inverse = inverse.ravel()
    for k, key in enumerate(keys):
        rows = np.flatnonzero(inverse == k)
        o = np.flatnonzero(key)
        if len(o) == 0:
            continue
        inv_oo = np.linalg.inv(sigma[np.ix_(o, o)])
        u = np.zeros((len(rows), p))
        u[:, o] = (x[np.ix_(rows, o)] - mu[o]) @ inv_oo
        inv = np.zeros((p, p))
        inv[np.ix_(o, o)] = inv_oo
        out[rows, off:] = 0.5 * (u[:, r] * u[:, c] - inv[r, c]) * w
        if means:
            out[rows, :p] = u
    return out


#: rows of casewise scores formed at a time (bounds the N × k score matrix's memory)
_CHUNK_ELEMENTS = 4_000_000


def _row_chunks(n: int, k: int):
    step = max(1, _CHUNK_ELEMENTS // max(k, 1))
    return (slice(i, min(i + step, n)) for i in range(0, n, step))


def score_crossproduct(x, mu, sigma, means: bool, delta: np.ndarray) -> np.ndarray:
    """``Σ_i t_i t_i'`` with ``t_i = Δ' s_i`` the casewise scores of the model (Q × Q), the rows
    taken a block at a time so that the N × k scores of many moments never sit in memory whole."""
    q = delta.shape[1]
    out = np.zeros((q, q))
    for rows in _row_chunks(len(x), delta.shape[0]):
        t = h1_scores(x[rows], mu, sigma, means) @ delta
        out += t.T @ t
    return out


def complete_h1_trace(x, mu, sigma, means: bool, fixed_x=()) -> float:
    """``tr(B1 A1⁻¹)`` of complete data at the saturated estimates (``x̄``, ``S`` with N) over the
    kept coordinates, in closed form — without the k × k matrices of k = p(p+1)/2 moments.

    With complete data the score of case i is ``s_i = A1 (z_i − m)``, ``z_i = (e_i, vech e_i e_i')``,
    ``e_i = x_i − x̄``, so ``s_i' A1⁻¹ s_i = s_i'(z_i − m) = d_i² + ½(d_i⁴ − 2d_i² + p)`` with
    ``d_i²`` the Mahalanobis distance (the ``d_i²`` term only with means). Dropping the fixed
    predictors' block f (fixed.x) takes the Schur complement of ``Γ = A1⁻¹`` (the normal-theory
    ``Γ_NT``): with ``v = y_f − Γ_ff s_f``, ``y = z − m``, a case adds
    ``s'y − s_f'y_f − v's_f − v'Γ_ff⁻¹v``.

    >>> x = np.random.default_rng(3).normal(size=(400, 3))
    >>> mu, s = x.mean(axis=0), np.cov(x.T, bias=True)
    >>> b1 = h1_scores(x, mu, s, False)
    >>> general = np.trace(b1.T @ b1 / 400 @ np.linalg.inv(complete_information(s, False)))
    >>> bool(np.isclose(complete_h1_trace(x, mu, s, False), general))
    True
    """
    n, p = x.shape
    e = x - mu
    a = np.linalg.inv(sigma)
    d2 = np.einsum("ij,ij->i", e @ a, e)
    total = 0.5 * (d2**2 - 2 * d2 + p) + (d2 if means else 0.0)
    if len(fixed_x):
        fx = np.asarray(fixed_x)
        rf, cf = np.tril_indices(len(fx))
        r, c = fx[rf], fx[cf]
        u = e @ a
        s_f = 0.5 * (u[:, r] * u[:, c] - a[r, c]) * np.where(r == c, 1.0, 2.0)
        y_f = e[:, r] * e[:, c] - sigma[r, c]
        gam_ff = (
            sigma[np.ix_(r, r)] * sigma[np.ix_(c, c)] + sigma[np.ix_(r, c)] * sigma[np.ix_(c, r)]
        )
        v = y_f - s_f @ gam_ff
        total = total - np.einsum("ij,ij->i", s_f, y_f) - np.einsum("ij,ij->i", v, s_f)
        total = total - np.einsum("ij,ij->i", v, np.linalg.solve(gam_ff, v.T).T)
    return float(total.mean())


def complete_information(sigma: np.ndarray, means: bool) -> np.ndarray:
    """Information of one complete case at the saturated estimates: ``Σ⁻¹`` for ``μ`` and
    ``W = ½ D'(Σ⁻¹ ⊗ Σ⁻¹) D`` for ``vech Σ`` (no cross terms) — the objective's
    :func:`~cxkit.sem.objective.moment_weight`."""
    return moment_weight(sigma, means)


def gamma_adf(x: np.ndarray, means: bool) -> np.ndarray:
    """The asymptotic (ADF, distribution-free) covariance of the sample moments ``(x̄, vech S)``
    of complete data ``x`` (N × p), N in the denominator: lavaan's ``NACOV`` (``Gamma``) for
    continuous data, ``gamma.n.minus.one = FALSE``; without ``means`` only the ``vech S`` block.

    >>> x = np.random.default_rng(1).normal(size=(500, 2))
    >>> g = gamma_adf(x, means=False)   # about 2 Σ ⊗ Σ on the diagonal under normality
    >>> g.shape, bool(1.5 < g[0, 0] < 2.5)
    ((3, 3), True)
    """
    p = x.shape[1]
    r, c = vech_index(p)
    xc = x - x.mean(axis=0)
    z = xc[:, r] * xc[:, c]
    if means:
        z = np.hstack([xc, z])
    zc = z - z.mean(axis=0)
    return zc.T @ zc / len(x)


def satorra_bentler(deltas, weights, gammas, shares):
    """Satorra–Bentler pieces over groups (lavaan's ``robust.sem`` and ``satorra.bentler``):
    with ``W = ⊕ f_g W_g``, ``Γ = ⊕ Γ_g / f_g``, ``Δ`` stacked and ``E = Δ'WΔ`` (per case),
    returns ``(E⁻¹, Δ'WΓWΔ, tr(UΓ))`` with ``U = W − WΔE⁻¹Δ'W``; ``vcov = E⁻¹ (Δ'WΓWΔ) E⁻¹ / N``
    and the scaling factor is ``tr(UΓ) / df``. ``weights`` are full matrices."""
    from scipy.linalg import block_diag

    w = block_diag(*[f * wg for f, wg in zip(shares, weights, strict=True)])
    gam = block_diag(*[gg / f for f, gg in zip(shares, gammas, strict=True)])
    d = np.vstack(deltas)
    wd = w @ d
    e_inv = np.linalg.inv(d.T @ wd)
    middle = wd.T @ gam @ wd
    # tr(UΓ) = tr(WΓ) − tr(E⁻¹ Δ'WΓWΔ), without the k × k matrix U
    return e_inv, middle, float(np.sum(w * gam.T) - np.sum(e_inv * middle.T))


def numeric_jacobian(fn: Callable[[np.ndarray], np.ndarray], params: np.ndarray) -> np.ndarray:
    """Central-difference Jacobian of an analytic gradient, symmetrised."""
    k = len(params)
    h = np.zeros((k, k))
    for i in range(k):
        e = 1e-5 * max(1.0, abs(params[i]))
        up, dn = params.copy(), params.copy()
        up[i] += e
        dn[i] -= e
        h[:, i] = (fn(up) - fn(dn)) / (2 * e)
    return (h + h.T) / 2


def gradients(pats, mu: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d logL / d Sigma (full, symmetric p×p, each element once) and d logL / d mu."""
    p = len(mu)
    g_sigma = np.zeros((p, p))
    g_mu = np.zeros(p)
    for g in pats:
        o = g.observed
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = g.mean - mu[o]
        w = inv - inv @ (g.cov + np.outer(d, d)) @ inv
        g_sigma[np.ix_(o, o)] += -g.n / 2 * w
        g_mu[o] += g.n * (inv @ d)
    return g_sigma, g_mu


def h1_gradient(pats, mu: np.ndarray, sigma: np.ndarray, means: bool) -> np.ndarray:
    """Total d logL / d(μ, vech Σ) over the missing-data patterns."""
    p = len(mu)
    r, c = vech_index(p)
    g_sigma, g_mu = gradients(pats, mu, sigma)
    g = g_sigma[r, c] * _vech_weight(p)
    return np.concatenate([g_mu, g]) if means else g


def saturated_information(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Observed information (per case) of the saturated model with missing data, at ``(μ, Σ)``.

    The Hessian of −logL / N w.r.t. ``(μ, vech Σ)``, summed over the missing-data patterns: with
    ``A = Σ_oo⁻¹``, ``d = m_g − μ_o``, ``C = S_g + dd'`` and ``B = A C A``, a pattern of ``n_g`` cases
    adds ``n_g A`` (means), ``n_g (A E_kl A d)`` (means × covariances) and
    ``n_g/2 D'(A ⊗ B + B ⊗ A − A ⊗ A)D`` (covariances).
    """
    n, p = x.shape
    r, c = vech_index(p)
    k = len(r)
    pos = np.full((p, p), -1)
    pos[r, c] = np.arange(k)
    pos[c, r] = np.arange(k)
    out = np.zeros((p + k, p + k))
    for g in patterns(x):
        o = g.observed
        a = np.linalg.inv(sigma[np.ix_(o, o)])
        d = g.mean - mu[o]
        b = a @ (g.cov + np.outer(d, d)) @ a
        ro, co = vech_index(len(o))
        idx = p + pos[o[ro], o[co]]
        out[np.ix_(o, o)] += g.n * a
        ad = a @ d
        cross = (a[:, ro] * ad[co] + a[:, co] * ad[ro]) * np.where(ro == co, 0.5, 1.0)
        out[np.ix_(o, idx)] += g.n * cross
        out[np.ix_(idx, o)] += g.n * cross.T
        out[np.ix_(idx, idx)] += g.n / 2 * (dup_kron(a, b) * 2 - dup_kron(a, a))
    return out / n


@dataclass
class Group:
    """One group's data and moments for the robust computations.

    ``delta``: ∂(μ, vech Σ)/∂θ (k × Q; without a mean structure only the ``vech Σ`` rows), at the
    estimates; ``mu_h1``, ``sigma_h1``: the saturated estimates; ``mu``, ``sigma``: model-implied.
    """

    x: np.ndarray
    mu_h1: np.ndarray
    sigma_h1: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    delta: np.ndarray
    means: bool
    #: the saturated model's A1 and B1, shared with the baseline's Group (same data, same h1)
    cache: dict = field(default_factory=dict, repr=False)
    #: observed exogenous predictors whose (co)variances are fixed at the sample values (fixed.x)
    fixed_x: tuple = ()
    #: this Group's own B0 (at its moments and Δ)
    memo: dict = field(default_factory=dict, repr=False)

    def h1_kept(self) -> np.ndarray:
        """The h1 coordinates in the traces: all but the fixed predictors' block (lavaan drops it)."""
        p = self.x.shape[1]
        r, c = vech_index(p)
        fx = np.isin(np.arange(p), self.fixed_x)
        keep = ~(fx[r] & fx[c])
        return np.flatnonzero(np.concatenate([~fx, keep]) if self.means else keep)

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def complete(self) -> bool:
        return not np.isnan(self.x).any()

    def h1_information(self) -> np.ndarray:
        """A1: the saturated model's observed information per case at its estimates."""
        if "a1" not in self.cache:
            if self.complete:
                self.cache["a1"] = complete_information(self.sigma_h1, self.means)
            else:
                self.cache["a1"] = saturated_information(self.x, self.mu_h1, self.sigma_h1)
        return self.cache["a1"]

    def h1_firstorder(self) -> np.ndarray:
        """B1: mean cross-product of the saturated model's scores at its estimates."""
        if "b1" not in self.cache:
            t = h1_scores(self.x, self.mu_h1, self.sigma_h1, self.means)
            self.cache["b1"] = t.T @ t / self.n
        return self.cache["b1"]

    def firstorder(self) -> np.ndarray:
        """B0: mean cross-product of the model's casewise scores (Q × Q)."""
        if "b0" not in self.memo:
            self.memo["b0"] = (
                score_crossproduct(self.x, self.mu, self.sigma, self.means, self.delta) / self.n
            )
        return self.memo["b0"]

    def h1_trace(self) -> float:
        """``tr(B1 A1⁻¹)`` over the kept coordinates: in closed form for complete data
        (:func:`complete_h1_trace`), else from the saturated information with missing answers."""
        if "h1_trace" not in self.cache:
            if self.complete:
                value = complete_h1_trace(
                    self.x, self.mu_h1, self.sigma_h1, self.means, self.fixed_x
                )
            else:
                kept = np.ix_(self.h1_kept(), self.h1_kept())
                a1 = self.h1_information()[kept]
                value = float(np.sum(self.h1_firstorder()[kept] * np.linalg.inv(a1).T))
            self.cache["h1_trace"] = value
        return self.cache["h1_trace"]


def observed_information(gradient: Callable[[np.ndarray], np.ndarray], theta, n: int):
    """E: the Hessian of −logL / N from the total log-likelihood gradient ``gradient(theta)``."""
    return numeric_jacobian(lambda th: -gradient(th) / n, np.asarray(theta, float))


def sandwich(groups: list[Group], e: np.ndarray, inverse=None) -> tuple[np.ndarray, np.ndarray]:
    """Huber–White vcov ``E⁻¹ B0 E⁻¹ / N`` and ``E⁻¹`` (both Q × Q); ``inverse(E)`` replaces
    ``np.linalg.inv`` (the bordered inverse of a constrained model)."""
    n = sum(g.n for g in groups)
    e_inv = np.linalg.inv(e) if inverse is None else inverse(e)
    b0 = sum(g.n / n * g.firstorder() for g in groups)
    return e_inv @ b0 @ e_inv / n, e_inv


def trace_ugamma(groups: list[Group], e_inv: np.ndarray) -> float:
    """``Σ_g [tr(B1_g A1_g⁻¹) − f_g tr(B0_g E⁻¹)]`` (lavaan's Mplus variant); divide by df for c."""
    h1, h0 = trace_parts(groups, e_inv)
    return h1 - h0


def trace_parts(groups: list[Group], e_inv: np.ndarray) -> tuple[float, float]:
    """The two traces of :func:`trace_ugamma`: ``Σ_g tr(B1_g A1_g⁻¹)`` (h1) and
    ``Σ_g f_g tr(B0_g E⁻¹)`` (h0); over the moments and the free parameters they are lavaan's
    ``scaling.factor.h1`` and ``scaling.factor.h0``."""
    n = sum(g.n for g in groups)
    h1 = h0 = 0.0
    for g in groups:
        h1 += g.h1_trace()
        h0 += g.n / n * float(np.sum(g.firstorder() * e_inv.T))
    return h1, h0


def gaussian_gradient(
    x: np.ndarray, build: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]], means
):
    """The total log-likelihood gradient of a model given by ``build(θ) -> (μ, Σ, Δ)``."""
    pats = patterns(x)

    def grad(theta):
        mu, sigma, delta = build(theta)
        return h1_gradient(pats, mu, sigma, means) @ delta

    return grad


def baseline_group(
    x: np.ndarray, mu_h1: np.ndarray, sigma_h1: np.ndarray, means: bool, cache=None, fixed_x=()
) -> tuple[Group, np.ndarray]:
    """The independence model's Group (at its ML estimates) and its information ``E``.

    Complete data: variances ``diag S`` (the block of fixed predictors ``fixed_x`` kept at the
    sample values); missing data: the mean and variance of every variable over the cases that
    answered it (the independence model's FIML estimates).
    """
    if fixed_x and means:
        raise ValueError("fixed predictors are only handled for complete data")
    p = x.shape[1]
    r, c = vech_index(p)
    off = p if means else 0
    free = np.setdiff1d(np.arange(p), fixed_x)
    fixed_sigma = np.zeros((p, p))
    fixed_sigma[np.ix_(fixed_x, fixed_x)] = sigma_h1[np.ix_(fixed_x, fixed_x)]
    # parameters: the means (with a mean structure), then the free variables' variances
    delta = np.zeros((off + len(r), off + len(free)))
    delta[np.arange(off), np.arange(off)] = 1.0
    var_rows = [off + np.flatnonzero((r == j) & (c == j))[0] for j in free]
    delta[var_rows, off + np.arange(len(free))] = 1.0
    if means:
        mean0, var0 = np.nanmean(x, axis=0), np.nanvar(x, axis=0)[free]
    else:
        mean0, var0 = mu_h1, np.diag(sigma_h1)[free]
    theta0 = np.concatenate([mean0, var0]) if means else var0

    def build(theta):
        sigma = fixed_sigma.copy()
        sigma[free, free] = theta[off:]
        return (theta[:off] if means else mean0), sigma, delta

    grp = Group(
        x, mu_h1, sigma_h1, mean0, build(theta0)[1], delta, means,
        {} if cache is None else cache, tuple(fixed_x),
    )  # fmt: skip
    e = observed_information(gaussian_gradient(x, build, means), theta0, len(x))
    return grp, e


def _f_ml(mu_s, s, mu, sigma) -> float:
    """The ML discrepancy of (μ, Σ) from moments (m, S), mean part included."""
    d = mu_s - mu
    return discrepancy(s, sigma) + float(d @ np.linalg.solve(sigma, d))


def fiml_corrected(groups, bases, df: float, b_df: float, version: str = "V3") -> dict[str, float]:
    """lavaan's FIML-corrected χ² and scaling factors for robust CFI/TLI/RMSEA with missing data
    (``lav_fit_fiml_corrected``, version "V3"): the model and the baseline evaluated at the EM moments
    as complete data (``χ²_3``), and ``c_3 = tr(U Wm⁻¹ Wc Wm⁻¹ U Γ) / df`` with ``Wm`` the
    missing-data h1 information, ``Wc`` the complete-data one at the EM moments, ``Γ = Wm⁻¹ Jm Wm⁻¹``
    and ``U = Wm − Wm Δ (Δ' Wm Δ)⁻¹ Δ' Wm``; over several groups block-diagonal, each group's block
    weighted by its share f_g (``Wm``, ``Wc`` times f_g, ``Wm⁻¹`` and ``Γ`` over f_g).

    ``groups``, ``bases``: one :class:`Group` per group for the model and the baseline (a single
    Group is taken as a list of one). ``version="V6"`` (lavaan's choice for ML without a scaled
    test): ``c_6 = tr(Wc Wm⁻¹ U Wm⁻¹) / df``."""
    from scipy.linalg import block_diag

    groups = [groups] if isinstance(groups, Group) else list(groups)
    bases = [bases] if isinstance(bases, Group) else list(bases)
    n = sum(g.n for g in groups)
    wm, wm_inv, wc, gamma = [], [], [], []
    for g in groups:
        f = g.n / n
        a = g.h1_information()
        a_inv = np.linalg.inv(a)
        wm.append(f * a)
        wm_inv.append(a_inv / f)
        wc.append(f * complete_information(g.sigma_h1, True))
        gamma.append(a_inv @ g.h1_firstorder() @ a_inv / f)
    wm, wm_inv, wc, gamma = (block_diag(*m) for m in (wm, wm_inv, wc, gamma))
    middle = wm_inv @ wc @ wm_inv

    def k(delta):
        e_inv = np.linalg.inv(delta.T @ wm @ delta)
        u = wm - wm @ delta @ e_inv @ delta.T @ wm
        if version == "V6":
            return float(np.trace(wc @ wm_inv @ u @ wm_inv))
        return float(np.trace(u @ middle @ u @ gamma))

    def chisq(models):
        return sum(
            g.n * _f_ml(g.mu_h1, g.sigma_h1, m.mu, m.sigma)
            for g, m in zip(groups, models, strict=True)
        )

    return {
        "chisq": chisq(groups),
        "c": k(np.vstack([g.delta for g in groups])) / df,
        "b_chisq": chisq(bases),
        "b_c": k(block_diag(*[b.delta for b in bases])) / b_df,
    }
