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

from dataclasses import dataclass, field

import numpy as np

from cxkit.sem.fit_measures import discrepancy
from cxkit.sem.objective import moment_weight
from cxkit.sem.samplestats import PatternSet, padded_inverses, pattern_tuples, patterns


def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of ``vech Σ`` (lower triangle, row by row)."""
    return np.tril_indices(p)


def _vech_weight(p: int) -> np.ndarray:
    r, c = vech_index(p)
    return np.where(r == c, 1.0, 2.0)


def h1_scores(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, means: bool) -> np.ndarray:
    """Casewise derivatives of the normal log-likelihood w.r.t. ``(μ, vech Σ)`` (N × k).

    Missing answers (NaN) drop out of a case's likelihood: a case's ``u = Σ_oo⁻¹ (x_o − μ_o)``
    uses its pattern's (zero-padded) inverse (:func:`~cxkit.sem.samplestats.padded_inverses`),
    and its ``vech Σ`` part is ``½ (u u' − Σ_oo⁻¹)`` (off-diagonals twice). Without ``means`` only
    the ``vech Σ`` part is returned.
    """
    n, p = x.shape
    r, c = vech_index(p)
    mask = ~np.isnan(x)
    e = np.where(mask, x - mu, 0.0)
    if mask.all():  # one pattern: no grouping of the rows
        inv = np.linalg.inv(sigma)
        u = e @ inv
        inv_v = inv[r, c][None, :]
    else:
        keys, inverse = np.unique(mask, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        inv = padded_inverses(sigma, keys)
        u = np.einsum("ip,ipq->iq", e, inv[inverse])
        inv_v = inv[:, r, c][inverse]
    out = 0.5 * (u[:, r] * u[:, c] - inv_v) * _vech_weight(p)
    return np.hstack([u, out]) if means else out


#: rows of casewise scores formed at a time (bounds the N × k score matrix's memory)
_CHUNK_ELEMENTS = 4_000_000


def _row_chunks(n: int, k: int):
    step = max(1, _CHUNK_ELEMENTS // max(k, 1))
    return (slice(i, min(i + step, n)) for i in range(0, n, step))


def score_crossproduct(x, mu, sigma, means: bool, delta: np.ndarray | None = None) -> np.ndarray:
    """``Σ_i t_i t_i'`` with ``t_i = Δ' s_i`` the casewise scores of the model (Q × Q; without
    ``delta`` those of the moments, k × k), the rows taken a block at a time so that the N × k
    scores of many moments never sit in memory whole."""
    p = x.shape[1]
    k = p * (p + 1) // 2 + (p if means else 0)
    q = k if delta is None else delta.shape[1]
    out = np.zeros((q, q))
    for rows in _row_chunks(len(x), k + p * p):
        t = h1_scores(x[rows], mu, sigma, means)
        if delta is not None:
            t = t @ delta
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


def saturated_information(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, pattern_set=None):
    """Observed information (per case) of the saturated model with missing data, at ``(μ, Σ)``
    (:meth:`~cxkit.sem.samplestats.PatternSet.information` of the patterns of ``x``, or of
    ``pattern_set`` when they are grouped already)."""
    if pattern_set is None:
        pattern_set = PatternSet(pattern_tuples(patterns(x)), x.shape[1])
    return pattern_set.information(mu, sigma) / len(x)


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
    #: the missing-data patterns as a :class:`~cxkit.sem.samplestats.PatternSet` (None: group them)
    pattern_set: object = field(default=None, repr=False)

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
                self.cache["a1"] = saturated_information(
                    self.x, self.mu_h1, self.sigma_h1, self.pattern_set
                )
        return self.cache["a1"]

    def h1_inverse(self) -> np.ndarray:
        """A1⁻¹ (kept with A1: the traces and lavaan's FIML-corrected statistics both use it)."""
        if "a1_inv" not in self.cache:
            self.cache["a1_inv"] = np.linalg.inv(self.h1_information())
        return self.cache["a1_inv"]

    def h1_firstorder(self) -> np.ndarray:
        """B1: mean cross-product of the saturated model's scores at its estimates."""
        if "b1" not in self.cache:
            b1 = score_crossproduct(self.x, self.mu_h1, self.sigma_h1, self.means)
            self.cache["b1"] = b1 / self.n
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
            elif len(self.h1_kept()) == len(self.h1_information()):
                value = float(np.sum(self.h1_firstorder() * self.h1_inverse().T))
            else:
                kept = np.ix_(self.h1_kept(), self.h1_kept())
                a1 = self.h1_information()[kept]
                value = float(np.sum(self.h1_firstorder()[kept] * np.linalg.inv(a1).T))
            self.cache["h1_trace"] = value
        return self.cache["h1_trace"]


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

    sigma = fixed_sigma.copy()
    sigma[free, free] = var0
    grp = Group(
        x, mu_h1, sigma_h1, mean0, sigma, delta, means, {} if cache is None else cache,
        tuple(fixed_x),
    )  # fmt: skip
    return grp, independence_information(x, mean0, var0, free, means)


def independence_information(x, mean, var, free, means: bool) -> np.ndarray:
    """The observed information (Hessian of −logL / N) of the independence model at the means
    ``mean`` (p,) and the variances ``var`` of the variables ``free``, in closed form: the
    log-likelihood is a sum of univariate normal ones over the answers given, so per variable j
    (``n_j`` answers, residuals ``e``) ``n_j/σ_j`` (mean), ``Σe/σ_j²`` (mean × variance) and
    ``−n_j/(2σ_j²) + Σe²/σ_j³`` (variance); the fixed predictors' block does not depend on θ.
    Without ``means`` only the variances' block.

    >>> x = np.array([[1.0, 2.0], [2.0, np.nan], [4.0, 1.0]])
    >>> m, v = np.nanmean(x, axis=0), np.nanvar(x, axis=0)
    >>> np.round(np.diag(independence_information(x, m, v, np.arange(2), True)), 4).tolist()
    [0.6429, 2.6667, 0.2066, 5.3333]
    """
    xs = x[:, free]
    obs = ~np.isnan(xs)
    nj = obs.sum(axis=0)
    dev = np.where(obs, xs - mean[free], 0.0)
    e_ss = np.diag(-nj / (2 * var**2) + (dev**2).sum(axis=0) / var**3)
    if not means:
        return e_ss / len(x)
    e_ms = np.diag(dev.sum(axis=0) / var**2)
    return np.block([[np.diag(nj / var), e_ms], [e_ms, e_ss]]) / len(x)


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
    # with P = WmΔE⁻¹Δ'Wm (E = Δ'WmΔ), WmΓWm = Jm and Wm(Wm⁻¹WcWm⁻¹)Wm = Wc the traces reduce to
    #   V3: tr(WcΓ) − 2 tr(E⁻¹ (WcΔ)'(Wm⁻¹JmΔ)) + tr(E⁻¹ Δ'WcΔ E⁻¹ Δ'JmΔ)
    #   V6: tr(WcWm⁻¹) − tr(E⁻¹ Δ'WcΔ)
    # so no k × k product depends on Δ (the model and the baseline share the k × k work)
    wm, wm_inv, wc, jm = [], [], [], []
    tr_wc_gamma = tr_wc_wminv = 0.0
    for g in groups:
        f = g.n / n
        a, a_inv = g.h1_information(), g.h1_inverse()
        w_c = complete_information(g.sigma_h1, True)
        wm.append(f * a)
        wm_inv.append(a_inv / f)
        wc.append(f * w_c)
        jm.append(f * g.h1_firstorder())
        tr_wc_wminv += float(np.sum(w_c * a_inv))
        if version != "V6":
            tr_wc_gamma += float(np.sum((w_c @ a_inv) * (g.h1_firstorder() @ a_inv).T))
    wm, wm_inv, wc, jm = (block_diag(*m) for m in (wm, wm_inv, wc, jm))

    def k(delta):
        e_inv = np.linalg.inv(delta.T @ wm @ delta)
        wcd = wc @ delta
        dwcd = delta.T @ wcd
        if version == "V6":
            return tr_wc_wminv - float(np.sum(e_inv * dwcd))
        jd = jm @ delta
        cross = wcd.T @ (wm_inv @ jd)
        return (
            tr_wc_gamma
            - 2 * float(np.sum(e_inv * cross.T))
            + float(np.trace(e_inv @ dwcd @ e_inv @ (delta.T @ jd)))
        )

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
