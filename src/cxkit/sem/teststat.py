"""Stage 7: the test statistics — standard χ², the baseline model, Yuan–Bentler (MLR) with lavaan's
FIML correction — for any number of groups.

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


def make_objective(model: Model, stats):
    """The ML or FIML objective of ``stats`` (a single fit: stack of one)."""
    from cxkit.sem.objective import FIMLObjective, MLObjective

    if any(not g.complete for g in stats.groups):
        pats = []
        h1 = []
        for g in stats.groups:
            if g.patterns is None:  # a complete group inside a FIML fit: one pattern
                obs = np.arange(model.p)
                pats.append([(obs, np.array([g.n], float), g.mean[None], g.cov[None])])
            else:
                pats.append(
                    [
                        (pt.observed, np.array([pt.n], float), pt.mean[None], pt.cov[None])
                        for pt in g.patterns
                    ]
                )
            h1.append(np.array([g.loglik_h1]))
        return FIMLObjective(model, pats, h1)
    return MLObjective(
        model,
        [np.array([g.n], float) for g in stats.groups],
        [g.mean[None] for g in stats.groups],
        [g.cov[None] for g in stats.groups],
    )


def baseline(pt: ParTable, stats) -> tuple[float, float, ParTable, np.ndarray]:
    """Fit the independence model; returns (χ², df, its table, its θ)."""
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
    obj = make_objective(model, stats)
    opt = minimize(obj, theta0)
    return 2 * float(opt.value[0]), degrees_of_freedom(base), base, opt.theta[0]


def mlr(
    pt: ParTable, model: Model, stats, theta, objective, df, b_df, base_pt, base_theta, inverse=None
):
    """Robust vcov and the Yuan–Bentler traces (model, baseline) and, with missing answers,
    lavaan's FIML-corrected statistics for the robust indices. ``inverse``: how to invert the
    information (constraints: the bordered inverse of :mod:`cxkit.sem.constraints`)."""
    fixed_x = tuple(pt.ov.index(v) for v in pt.ov_x)
    means = pt.meanstructure
    if fixed_x and means:
        raise SpecificationError(
            "estimator='MLR' with groups or missing='fiml' is not available yet for models with "
            "observed exogenous predictors; use estimator='ML', or missing='listwise' with one "
            "group"
        )
    moms = model.moments(theta)
    deltas = model.delta(theta, moms)
    groups = []
    for gs, mom, delta in zip(stats.groups, moms, deltas, strict=True):
        mu_h1 = gs.mean
        groups.append(
            robust.Group(
                gs.x, mu_h1, gs.cov, mom.mu if means else mu_h1, mom.sigma, delta, means,
                fixed_x=fixed_x,
            )
        )  # fmt: skip
    n = stats.n
    e = observed_information(objective, theta) / n
    vcov, e_inv = robust.sandwich(groups, e, inverse)
    trace = robust.trace_ugamma(groups, e_inv)
    bases = []
    base_trace = 0.0
    for grp in groups:
        b, e_b = robust.baseline_group(grp.x, grp.mu_h1, grp.sigma_h1, means, grp.cache, fixed_x)
        bases.append(b)
        base_trace += robust.trace_ugamma([b], np.linalg.inv(e_b))
    corrected = None
    if any(not gs.complete for gs in stats.groups):
        corrected = robust.fiml_corrected(groups, bases, df, b_df)
    c = trace / df if df > 0 else np.nan
    return vcov, c, base_trace / b_df, corrected
