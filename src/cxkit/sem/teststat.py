"""Stage 7: the test statistics — standard χ², the baseline model, Yuan–Bentler (MLR) with lavaan's
FIML correction, Satorra–Bentler (MLM), the least-squares family's (ULS, GLS, WLS, DWLS) — for any
number of groups.

The baseline (independence) model is a model like any other: its parameter table
(:func:`cxkit.sem.partable.independence`) is fitted through the same pipeline (objective and
optimizer) as the user's model. The robust pieces are in :mod:`cxkit.sem.robust`.
"""

from __future__ import annotations

import numpy as np

from cxkit.errors import SpecificationError
from cxkit.sem import robust
from cxkit.sem.information import observed_information
from cxkit.sem.model import Model
from cxkit.sem.optimize import minimize
from cxkit.sem.partable import ParTable, independence


def exo_values(pt: ParTable, stats) -> dict:
    """The fixed.x values: the predictors' sample (co)variances and means, per group."""
    out = {}
    oi = {v: k for k, v in enumerate(pt.ov)}
    for r in pt.rows:
        if not r.exo:
            continue
        gs = stats.groups[r.group - 1]
        if r.op == "~~":
            out[(r.group, r.lhs, r.op, r.rhs)] = float(gs.cov[oi[r.lhs], oi[r.rhs]])
        else:
            out[(r.group, r.lhs, r.op, r.rhs)] = float(gs.mean[oi[r.lhs]])
    return out


def moments_count(pt: ParTable) -> tuple[float, float]:
    """(sample moments the model fits, moments of the fixed.x block) summed over groups."""
    p, k = len(pt.ov), len(pt.ov_x)
    ms = 1 if pt.meanstructure else 0
    return pt.ngroups * (p * (p + 1) / 2 + ms * p), pt.ngroups * (k * (k + 1) / 2 + ms * k)


def degrees_of_freedom(pt: ParTable) -> float:
    moments, exo = moments_count(pt)
    return moments - exo - pt.npar


def ls_cov(gs) -> np.ndarray:
    """The covariance matrix the least-squares family fits: with the N − 1 denominator, as
    lavaan (which rescales S to N only for the likelihood estimators)."""
    return gs.cov * gs.n / (gs.n - 1)


def sample_moments(gs, means: bool, unbiased: bool = False) -> np.ndarray:
    """A group's sample moments in the objective's order: ``(x̄, vech S)`` (``vech S`` alone
    without a mean structure; ``unbiased``: S with the N − 1 denominator)."""
    r, c = robust.vech_index(len(gs.mean))
    s = (ls_cov(gs) if unbiased else gs.cov)[r, c]
    return np.concatenate([gs.mean, s]) if means else s


def ls_weights(stats, estimator: str, means: bool) -> list[np.ndarray]:
    """The weight of every group for the least-squares family, as lavaan's ``WLS.V``: GLS the
    normal-theory ``Γ_NT⁻¹`` at the sample moments (S with N − 1, full), WLS the inverse of the ADF ``Γ``
    (full), DWLS the inverse of its diagonal and ULS ones (vectors)."""
    from cxkit.errors import ModelError
    from cxkit.sem.objective import moment_weight

    out = []
    for gs in stats.groups:
        if estimator == "GLS":
            out.append(moment_weight(ls_cov(gs), means))
            continue
        k = len(gs.mean) * (len(gs.mean) + 1) // 2 + (len(gs.mean) if means else 0)
        if estimator == "ULS":
            out.append(np.ones(k))
            continue
        gamma = gs.cache.get(("gamma", means))
        if gamma is None:
            gamma = gs.cache[("gamma", means)] = robust.gamma_adf(gs.x, means)
        if estimator == "DWLS":
            out.append(1.0 / np.diag(gamma))
            continue
        eig = np.linalg.eigvalsh(gamma)
        if eig.min() <= 1e-12 * eig.max():
            raise ModelError(
                f"estimator='WLS' needs a positive definite Γ (the fourth-moment matrix of the "
                f"{k} sample moments) in group {gs.label!r}; with {gs.n} rows it is singular: "
                "use estimator='DWLS' or 'MLM', or more respondents"
            )
        out.append(np.linalg.inv(gamma))
    return out


def make_objective(model: Model, stats, estimator: str = "ML"):
    """The objective of ``stats`` (a single fit: stack of one): ML or FIML, or for ``estimator``
    one of ULS, GLS, WLS, DWLS the least-squares one."""
    from cxkit.sem.objective import FIMLObjective, MLObjective, WLSObjective

    if estimator in ("ULS", "GLS", "WLS", "DWLS"):
        means = model.means
        return WLSObjective(
            model,
            [sample_moments(g, means, unbiased=True)[None] for g in stats.groups],
            ls_weights(stats, estimator, means),
            [np.array([g.n], float) for g in stats.groups],
        )

    if any(not g.complete for g in stats.groups):
        pats = []
        h1 = []
        for g in stats.groups:
            if g.patterns is None:  # a complete group inside a FIML fit: one pattern
                obs = np.arange(model.p)
                pats.append([(obs, np.array([g.n], float), g.mean[None], g.cov[None])])
            else:
                pats.append(g.pattern_set())
            h1.append(np.array([g.loglik_h1]))
        return FIMLObjective(model, pats, h1)
    return MLObjective(
        model,
        [np.array([g.n], float) for g in stats.groups],
        [g.mean[None] for g in stats.groups],
        [g.cov[None] for g in stats.groups],
    )


def baseline(
    pt: ParTable, stats, estimator: str = "ML"
) -> tuple[float, float, ParTable, np.ndarray]:
    """Fit the independence model (with the fit's estimator); returns (χ², df, its table, its θ)."""
    base = independence(pt)
    base = base.with_values(exo_values(base, stats))
    model = Model(base)
    theta0 = np.zeros(base.npar)
    for r in base.rows:  # its ML estimates with complete data: the sample moments
        if r.free >= 0:
            gs = stats.groups[r.group - 1]
            theta0[r.free] = gs.cov[r.row, r.row] if r.matrix == "T" else gs.mean[r.row]
    if any(not g.complete for g in stats.groups):  # FIML: start from the available moments
        for r in base.rows:
            if r.free >= 0:
                x = stats.groups[r.group - 1].x[:, r.row]
                theta0[r.free] = np.nanvar(x) if r.matrix == "T" else np.nanmean(x)
    obj = make_objective(model, stats, "ML" if estimator in ("MLR", "MLM") else estimator)
    opt = minimize(obj, theta0)
    return 2 * float(opt.value[0]), degrees_of_freedom(base), base, opt.theta[0]


def mlr(
    pt: ParTable, model: Model, stats, theta, objective, df, b_df, base_pt, base_theta, inverse=None,
    info=None,
):  # fmt: skip
    """Robust vcov and the Yuan–Bentler traces (model, baseline), with missing answers lavaan's
    FIML-corrected statistics for the robust indices, and lavaan's ``scaling.factor.h1`` /
    ``scaling.factor.h0`` (the two traces over the moments and the free parameters).
    ``inverse``: how to invert the information (constraints: the bordered inverse of
    :mod:`cxkit.sem.constraints`); ``info``: the observed information of ``objective`` at
    ``theta`` when the caller has it already."""
    fixed_x = tuple(pt.ov.index(v) for v in pt.ov_x)
    means = pt.meanstructure
    if fixed_x and means:
        raise SpecificationError(
            "estimator='MLR' with groups or missing='fiml' is not available yet for models with "
            "observed exogenous predictors; use estimator='ML', or missing='listwise' with one "
            "group"
        )
    groups = _robust_groups(pt, model, stats, theta)
    n = stats.n
    e = (observed_information(objective, theta) if info is None else info) / n
    vcov, e_inv = robust.sandwich(groups, e, inverse)
    h1, h0 = robust.trace_parts(groups, e_inv)
    trace = h1 - h0
    h1_moments = sum(len(g.h1_kept()) for g in groups)
    bases, e_bs = _robust_bases(groups, means, fixed_x)
    base_trace = sum(
        robust.trace_ugamma([b], np.linalg.inv(e_b)) for b, e_b in zip(bases, e_bs, strict=True)
    )
    corrected = None
    if df > 0 and any(not gs.complete for gs in stats.groups):  # a saturated model has none
        corrected = robust.fiml_corrected(groups, bases, df, b_df)
    c = trace / df if df > 0 else np.nan
    parts = {"scaling_factor_h1": h1 / h1_moments, "scaling_factor_h0": h0 / pt.npar}
    return vcov, c, base_trace / b_df, corrected, parts


def _robust_groups(pt: ParTable, model: Model, stats, theta) -> list:
    """One :class:`robust.Group` per group at the estimates ``theta``."""
    fixed_x = tuple(pt.ov.index(v) for v in pt.ov_x)
    means = pt.meanstructure
    moms = model.moments(theta)
    deltas = model.delta(theta, moms)
    groups = []
    for gs, mom, delta in zip(stats.groups, moms, deltas, strict=True):
        mu_h1 = gs.mean
        groups.append(
            robust.Group(
                gs.x, mu_h1, gs.cov, mom.mu if means else mu_h1, mom.sigma, delta, means,
                fixed_x=fixed_x, pattern_set=None if gs.complete else gs.pattern_set(),
            )
        )  # fmt: skip
    return groups


def _robust_bases(groups, means: bool, fixed_x) -> tuple[list, list]:
    """The independence model's Group and information per group."""
    pairs = [
        robust.baseline_group(g.x, g.mu_h1, g.sigma_h1, means, g.cache, fixed_x) for g in groups
    ]
    return [b for b, _ in pairs], [e for _, e in pairs]


def fiml_robust(pt: ParTable, model: Model, stats, theta, df, b_df) -> dict | None:
    """lavaan's FIML-corrected statistics for the robust CFI/TLI/RMSEA of an ML fit with missing
    answers (version "V6", lavaan's choice without a scaled test); None with fixed.x predictors
    (not available)."""
    if pt.ov_x or not df > 0:
        return None
    groups = _robust_groups(pt, model, stats, theta)
    bases, _ = _robust_bases(groups, pt.meanstructure, ())
    return robust.fiml_corrected(groups, bases, df, b_df, version="V6")


def _no_fixed_x(pt: ParTable, estimator: str) -> None:
    if pt.ov_x:
        raise SpecificationError(
            f"estimator={estimator!r} is not available yet for models with observed exogenous "
            f"predictors ({', '.join(pt.ov_x)}: lavaan's fixed.x); use estimator='ML' or 'MLR'"
        )


def ls_vcov(model: Model, stats, theta, objective) -> np.ndarray:
    """lavaan's ``se = "standard"`` for the least-squares family: ``E⁻¹ / (N − G)`` with the
    expected information per case ``E = Σ_g f_g Δ_g' W_g Δ_g`` (``f_g = N_g / N``)."""
    from cxkit.sem.information import invert

    moms = model.moments(theta[None])
    deltas = model.delta(theta[None], moms)
    n = stats.n
    e = np.zeros((model.q, model.q))
    for gs, delta, w in zip(stats.groups, deltas, objective.weights, strict=True):
        d = delta[0]
        wd = d * w[:, None] if w.ndim == 1 else w @ d
        e += gs.n / n * d.T @ wd
    return invert(e) / (n - stats.ngroups)


def mlm(pt: ParTable, model: Model, stats, theta, df, base_pt, base_theta, b_df):
    """Satorra–Bentler (lavaan's ``estimator = "MLM"``): the ``robust.sem`` vcov
    ``E⁻¹ (Σ f_g Δ'WΓWΔ) E⁻¹ / N`` (``W`` the normal-theory weight at the implied moments,
    ``Γ`` the ADF one of the data) and the scaling factors ``c = tr(UΓ)/df`` of the model and the
    baseline."""
    from cxkit.sem.objective import moment_weight

    _no_fixed_x(pt, "MLM")
    means = pt.meanstructure
    n = stats.n
    shares = [g.n / n for g in stats.groups]
    gammas = [robust.gamma_adf(g.x, means) for g in stats.groups]

    def pieces(m: Model, th):
        moms = m.moments(th[None])
        deltas = [d[0] for d in m.delta(th[None], moms)]
        weights = [moment_weight(mo.sigma[0], means) for mo in moms]
        return robust.satorra_bentler(deltas, weights, gammas, shares)

    e_inv, middle, trace = pieces(model, theta)
    vcov = e_inv @ middle @ e_inv / n
    _, _, b_trace = pieces(Model(base_pt), base_theta)
    c = trace / df if df > 0 else np.nan
    return vcov, c, b_trace / b_df
