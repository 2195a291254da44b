"""``fit_sem``: the one pipeline, lavaan's stages with every stage looping over groups.

options → partable → samplestats → model → objective → optimize → information → teststat →
fit_measures → estimates → diagnostics → :class:`~cxkit.sem.result.SEMResult`. One group is the case
G = 1; ML, FIML, MLR and (through :mod:`cxkit.sem.wlsmv`) WLSMV share the table, the model, the
optimizer, the estimates builder and the warnings.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from cxkit._params import DataLike, Estimator, Missing, as_frame, data_sha256, instrument_attrs
from cxkit._version import __version__
from cxkit.errors import ModelError, SpecificationError
from cxkit.sem import options as _options
from cxkit.sem.constraints import ConstraintSet, constrained_inverse, constrained_vcov, pinned
from cxkit.sem.estimates import build_estimates, r_squared
from cxkit.sem.fit_measures import assemble, robust_indices
from cxkit.sem.information import invert, observed_information
from cxkit.sem.model import Model
from cxkit.sem.optimize import minimize, minimize_constrained
from cxkit.sem.partable import build_partable, user_starts
from cxkit.sem.result import SEMResult
from cxkit.sem.samplestats import LOG2PI, sample_stats, single_thread
from cxkit.sem.syntax import parse_model
from cxkit.sem.teststat import (
    _no_fixed_x,
    baseline,
    degrees_of_freedom,
    exo_values,
    fiml_robust,
    ls_cov,
    ls_vcov,
    make_objective,
    mlm,
    mlr,
    moments_count,
    sample_moments,
)

ESTIMATORS = _options.ESTIMATORS
MISSING = _options.MISSING


def fit_sem(
    model: str,
    data: DataLike,
    estimator: Estimator = "ML",
    missing: Missing = "listwise",
    group: str | None = None,
    *,
    group_equal=(),
    group_partial=(),
    std_lv: bool = False,
    level: float = 0.95,
    ordered=None,
    meanstructure: bool | None = None,
    int_ov_free: bool = True,
    int_lv_free: bool = False,
    parameterization: str = "delta",
) -> SEMResult:
    """Fit a CFA or SEM written in lavaan syntax.

    Parameters
    ----------
    model : str
        lavaan syntax: ``=~`` (loadings), ``~`` (regressions), ``~~`` (variances, covariances),
        ``~ 1`` (intercepts, latent means), ``:=`` (defined parameters), labels ``a*x`` (equal
        labels: equal parameters), fixed values ``1*x``, ``NA*x``. The defaults are
        ``lavaan::sem()``'s (:mod:`cxkit.sem.partable`).
    data : DataFrame or Responses
        One row per respondent; the model's observed variables are columns.
    estimator : {"ML", "MLR", "MLM", "ULS", "GLS", "WLS", "DWLS", "WLSMV"}
        ``"ML"``: maximum likelihood with standard errors from the expected information (observed,
        with FIML). ``"MLR"``: the same estimates with robust (Huber–White sandwich) standard errors
        and the Yuan–Bentler scaled χ² with scaled and robust CFI, TLI and RMSEA — lavaan's
        ``estimator = "MLR"``, the usual choice for skewed Likert answers (:mod:`cxkit.sem.robust`).
        ``"WLSMV"``: for ordered indicators (``ordered=``). ``"MLM"``: ML estimates with
        Satorra–Bentler standard errors (``robust.sem``) and scaled χ². ``"ULS"``, ``"GLS"``,
        ``"WLS"`` (ADF), ``"DWLS"``: the least-squares family for continuous data with lavaan's
        settings (no likelihood; ULS's χ² has no p-value). MLM and the least-squares family need
        complete data. ``fit.fit_measures("all")`` lists lavaan's ``fitMeasures`` for each.
    missing : {"listwise", "fiml", "pairwise"}
        ``"listwise"``: rows with a missing answer on any model variable are dropped (the count is
        recorded). ``"pairwise"`` (ordered indicators only): thresholds from each item's answers
        and polychoric correlations from each pair's complete rows (lavaan's
        ``missing = "pairwise"``). ``"fiml"`` (or lavaan's name ``"ml"``): full-information ML on every row with at
        least one answer, against the EM-estimated saturated model, standard errors from the
        observed information, as lavaan's ``missing = "ml"``.
    group : str, optional
        A column whose values define groups: the model is fitted in every group with intercepts and
        latent means; ``estimates`` gains a ``group`` column (1, 2, … in order of appearance; names
        in ``provenance["groups"]``; ``:=`` rows have group 0, as lavaan).
    group_equal : iterable of str
        With ``group``: parameters held equal across groups (``loadings``, ``intercepts``,
        ``residuals``, ``residual.covariances``, ``lv.variances``, ``lv.covariances``,
        ``regressions``, ``means``), as lavaan's ``group.equal``.
    group_partial : iterable of str
        With ``group_equal``: parameters exempt from it (partial invariance), in lavaan syntax as
        ``group.partial``: ``["x3 ~ 1", "visual =~ x2"]``. :meth:`SEMResult.score_tests` says which
        equalities the data object to.
    std_lv : bool
        Identify factors by fixing every latent (residual) variance to 1 instead of the first
        loadings (lavaan's ``std.lv``; with groups and equal loadings the variances are free after
        the first group).
    level : float
        Confidence level of ``ci_low``/``ci_high``, between 0 and 1.
    ordered : True or list of str, optional
        Treat the indicators as ordinal (Likert answers as cut-up normal variables): ``True``
        (all the model's observed variables) or the list of the ordered ones (the others stay
        continuous: polyserial and Pearson moments, as lavaan). The estimator becomes
        ``"WLSMV"``: thresholds, polychoric correlations, DWLS with robust standard errors and
        the mean- and variance-adjusted χ² (:mod:`cxkit.sem.wlsmv`), lavaan's delta
        parameterization; with ``group`` the thresholds are per group and ``group_equal`` takes
        ``"thresholds"``; ``missing`` is ``"listwise"`` (lavaan's default) or ``"pairwise"``.
    parameterization : {"delta", "theta"}
        With ``ordered``: lavaan's parameterization of the y* scale. ``"delta"`` (lavaan's
        default): Var(y*) = 1 (scale factors ``x ~*~ x``, free after group 1 with equal
        thresholds), residual variances derived; ``"theta"``: residual variances of y* fixed at 1
        (free after group 1 with equal thresholds), scale factors derived. The fit is the same.
    meanstructure : bool, optional
        Add intercepts and latent means to a single-group fit (always there with groups, FIML or
        ``~ 1`` rows).
    int_ov_free, int_lv_free : bool
        lavaan's ``int.ov.free`` (observed intercepts free; ``False`` fixes them at 0) and
        ``int.lv.free`` (latent means free in every group); :func:`cxkit.sem.growth.fit_growth`
        sets them as lavaan's ``growth()`` does.

    Returns
    -------
    SEMResult
        ``.estimates`` (lavaan's ``parameterEstimates(fit, standardized = TRUE)``), ``.fit_indices``,
        ``.r_squared``, ``.summary()``, ``.modification_indices()``, ``.residuals()``,
        ``.provenance``.

    Raises
    ------
    ModelError
        Unreadable syntax, a variable that is neither latent nor a column, a model that cannot be
        identified or estimated, a group whose covariance matrix is not positive definite.
    SpecificationError
        An option that is not accepted, or a combination that is not available.

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> fit = cxkit.fit_sem('''
    ...     SAT =~ sat1 + sat2 + sat3 + sat4
    ...     LOY =~ loy1 + loy2 + loy3 + loy4
    ...     LOY ~ SAT''', ecsi)
    >>> round(float(fit.fit_indices["cfi"]), 3), int(fit.fit_indices["df"])  # lavaan: 0.977, 19
    (0.977, 19)
    >>> est = fit.estimates.set_index(["lhs", "op", "rhs"])
    >>> round(float(est.loc[("LOY", "~", "SAT"), "std_all"]), 2)  # lavaan: 0.78
    0.78

    Robust standard errors and the scaled test, for answers that are not normal:

    >>> robust = cxkit.fit_sem('''
    ...     SAT =~ sat1 + sat2 + sat3 + sat4
    ...     LOY =~ loy1 + loy2 + loy3 + loy4
    ...     LOY ~ SAT''', ecsi, estimator="MLR")
    >>> f = robust.fit_indices
    >>> round(float(f["chisq_scaled"]), 2), round(float(f["cfi_robust"]), 3)
    (34.5, 0.982)
    """
    statements, defs = parse_model(model)
    opts = _options.resolve(
        estimator,
        missing,
        group,
        group_equal,
        group_partial,
        std_lv,
        level,
        meanstructure,
        ordered,
        has_intercepts=any(s.op == "~1" for s in statements),
        parameterization=parameterization,
    )
    if not isinstance(int_ov_free, bool) or not isinstance(int_lv_free, bool):
        raise SpecificationError(
            f"int_ov_free={int_ov_free!r}, int_lv_free={int_lv_free!r}: use True or False"
        )
    if not int_ov_free or int_lv_free:
        opts = replace(opts, int_ov_free=int_ov_free, int_lv_free=int_lv_free)
    frame = as_frame(data)
    with single_thread():  # small matrices: a BLAS thread pool costs more than it gives
        if opts.estimator == "WLSMV":
            _wlsmv_refuses(statements, opts)
            from cxkit.sem.diagnostics import warn_improper
            from cxkit.sem.wlsmv import fit_wlsmv

            # the ordinal estimation stage returns the result's fields; the result is made here,
            # as for every other estimator (wlsmv.py never imports the result: no circle)
            result = SEMResult(**fit_wlsmv(model, frame, opts))
            warn_improper(result)
            return result
        return _fit(model, (statements, defs), frame, opts)


def _wlsmv_refuses(statements, opts) -> None:
    """What the ordinal (WLSMV) fit does not take yet: constraints, composites, growth defaults."""
    from cxkit.sem.syntax import Constraint

    what = []
    if any(isinstance(s, Constraint) for s in statements):
        what.append("==, < or > constraints")
    if any(s.op == "<~" for s in statements):
        what.append("composites (<~)")
    if not opts.int_ov_free or opts.int_lv_free:
        what.append("growth models (int_ov_free/int_lv_free)")
    if what:
        raise SpecificationError(
            f"ordinal (WLSMV) fits do not take {' or '.join(what)} yet; fit the answers as "
            "continuous (estimator='ML' or 'MLR', without ordered=)"
        )


def _fit(model: str, parsed, frame: pd.DataFrame, opts) -> SEMResult:
    from cxkit.sem.samplestats import group_labels

    ngroups = len(group_labels(frame, opts.group))
    probe = build_partable(
        parsed,
        frame.columns,
        ngroups=ngroups,
        meanstructure=opts.meanstructure,
        std_lv=opts.std_lv,
        group_equal=opts.group_equal,
        group_partial=opts.group_partial,
        int_ov_free=opts.int_ov_free,
        int_lv_free=opts.int_lv_free,
    )
    stats = sample_stats(frame, probe.ov, opts.group, opts.missing)
    pt = probe.with_values(exo_values(probe, stats))
    moments, exo = moments_count(pt)
    if pt.npar > moments - exo:
        raise ModelError(
            f"the model has {pt.npar} free parameters but only {int(moments - exo)} "
            f"{'sample moments' if pt.meanstructure else 'variances and covariances'} to fit them "
            f"to (df = {int(moments - exo - pt.npar)}): it is not identified"
        )
    mdl = Model(pt)
    if opts.estimator in _options.COMPLETE_ONLY and opts.estimator != "MLM" and pt.ov_x:
        _no_fixed_x(pt, opts.estimator)
    objective = make_objective(mdl, stats, opts.estimator)
    con = ConstraintSet(pt)
    if con and opts.estimator not in ("ML", "MLR"):
        raise SpecificationError(
            f"constraints (==, <, >) with estimator={opts.estimator!r} are not available yet; "
            "use estimator='ML' or 'MLR'"
        )
    theta, converged, iterations, start_note = _optimize(
        model, pt, mdl, objective, stats, frame, con
    )
    if not np.isfinite(objective.value(theta[None])[0]):
        raise ModelError(
            "the model could not be estimated: the implied covariance matrix is not positive definite"
        )
    n = stats.n
    fiml = opts.fiml
    if opts.information == "expected":
        _, info = objective.gradient(theta[None], info=True)
        info = info[0]
    else:
        info = observed_information(objective, theta)
    # constraints (lavaan): df + the rank of the equalities, npar − that rank, vcov from the
    # information bordered by the active constraints
    neq = con.rank_eq(theta) if con else 0
    vcov = constrained_vcov(info, con, theta) if con else invert(info)
    chisq = 2 * float(objective.value(theta[None])[0])
    df = degrees_of_freedom(pt) + neq
    b_chisq, b_df, base_pt, base_theta = baseline(pt, stats, opts.estimator)
    least_squares = opts.estimator in _options.LS_FAMILY
    loglik = np.nan if least_squares else _loglik(pt, stats, chisq)
    # lavaan's N: N − G for the least-squares family (standard errors, RMSEA, CN, ECVI, MFI)
    n_lav = n - pt.ngroups if least_squares else n
    indices = assemble(
        n_lav, pt.npar - neq, chisq, df, b_chisq, b_df, _srmr(pt, mdl, stats, theta), loglik,
        pt.ngroups,
    )  # fmt: skip
    indices["n"] = n
    if least_squares:
        vcov = ls_vcov(mdl, stats, theta, objective)
    extra = {}
    if opts.estimator == "MLR":
        inverse = (lambda e: constrained_inverse(e, con.active(theta))) if con else None
        vcov, c, c_b, corrected, extra["h1h0"] = mlr(
            pt, mdl, stats, theta, objective, df, b_df, base_pt, base_theta, inverse=inverse,
            info=info if opts.information == "observed" else None,
        )  # fmt: skip
        robust = robust_indices(
            n, chisq, df, c, b_chisq, b_df, c_b, groups=pt.ngroups, corrected=corrected
        )
        indices = pd.concat([indices, robust])
        extra["fiml_corrected"] = corrected
    elif opts.estimator == "MLM":
        vcov, c, c_b = mlm(pt, mdl, stats, theta, df, base_pt, base_theta, b_df)
        robust = robust_indices(n, chisq, df, c, b_chisq, b_df, c_b, groups=pt.ngroups)
        indices = pd.concat([indices, robust])
    elif fiml and opts.estimator == "ML":
        extra["fiml_corrected"] = fiml_robust(pt, mdl, stats, theta, df, b_df)
    indices = _extend_measures(indices, opts, pt, mdl, stats, theta, objective, n_lav, extra)
    estimates = build_estimates(
        pt, mdl, theta, vcov, opts.level, pinned=pinned(vcov) if con else None
    )
    provenance = {
        "model": model,
        **opts.describe(),
        "n_used": n,
        "n_dropped": stats.n_dropped,
        "data_sha256": data_sha256(stats.used),
        "cxkit": __version__,
        "start": start_note,
        "iterations": iterations,
        **instrument_attrs(frame),
    }
    if con:
        provenance["constraints"] = [c.text for c in pt.constraints]
    if opts.group is not None:
        provenance.update(
            group=opts.group,
            groups=[str(g.label) for g in stats.groups],
            group_equal=sorted(opts.group_equal),
            group_partial=list(pt.group_partial),
        )
    g0 = stats.groups[0]
    mom0 = mdl.moments(theta)[0]
    cols = list(pt.ov)
    result = SEMResult(
        partable=pt,
        model_matrices=mdl,
        stats=stats,
        options=opts,
        theta=theta,
        vcov=vcov,
        sample_cov=pd.DataFrame(g0.cov, index=cols, columns=cols),
        implied_cov=pd.DataFrame(mom0.sigma, index=cols, columns=cols),
        estimates=estimates,
        fit_indices=indices,
        r_squared=r_squared(pt, mdl, theta),
        converged=converged,
        provenance=provenance,
        level=opts.level,
        data_used=g0.x if pt.ngroups == 1 else None,
    )
    from cxkit.sem.diagnostics import warn_improper

    warn_improper(result)
    if fiml and not converged:
        pass
    return result


def _optimize(model_text, pt, mdl, objective, stats, frame, con=None):
    """Minimise from lavaan-like simple starts (the user's ``start()`` values in place); if that
    fails, from semopy's estimates. With constraints: :func:`minimize_constrained`."""
    start = user_starts(pt, mdl.start_values(stats))
    note = "simple starting values (lavaan's 'simple')"
    if any(np.isfinite(r.start) for r in pt.rows):
        note += " with the model's start() values"
    if con:
        theta, ok, iters = minimize_constrained(objective, start, con)
        return theta, ok, iters, note
    opt = minimize(objective, start)
    if not opt.converged[0]:
        alt = _semopy_start(model_text, pt, stats, frame)
        if alt is not None:
            opt2 = minimize(objective, alt)
            if opt2.converged[0] or opt2.value[0] < opt.value[0]:
                opt = opt2
                note = "semopy's estimates as starting values"
    return opt.theta[0], bool(opt.converged[0]), int(opt.iterations[0]), note


def _semopy_start(model_text, pt, stats, frame) -> np.ndarray | None:
    """semopy's ML estimates of group 1 (complete rows) mapped onto the table's free parameters."""
    from cxkit.sem import _semopy

    gs = stats.groups[0]
    data = pd.DataFrame(gs.x, columns=list(pt.ov)).dropna()
    lines = [ln for ln in model_text.splitlines() if ":=" not in ln and "~ 1" not in ln]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = _semopy.fit_ml("\n".join(lines), data)
    except Exception:  # noqa: BLE001 - semopy only proposes starting values
        return None
    start = Model(pt).start_values(stats)
    oi = {v: k for k, v in enumerate(raw.observed)}
    ii = {v: k for k, v in enumerate(raw.inner)}
    mats = {"L": (raw.Lambda, oi, ii), "B": (raw.B, ii, ii), "P": (raw.Psi, ii, ii)}
    mats["T"] = (raw.Theta, oi, oi)
    for r in pt.rows:
        if r.free < 0 or r.matrix not in mats:
            continue
        m, ri, ci = mats[r.matrix]
        rn = pt.ov[r.row] if r.matrix in ("L", "T") else pt.inner[r.row]
        cn = pt.inner[r.col] if r.matrix in ("L", "B", "P") else pt.ov[r.col]
        if rn in ri and cn in ci and np.isfinite(m[ri[rn], ci[cn]]):
            start[r.free] = m[ri[rn], ci[cn]]
    return start


def _loglik(pt, stats, chisq: float) -> float:
    """The model's log-likelihood: h1's minus χ²/2; with fixed.x conditional on the predictors
    (their own marginal log-likelihood subtracted), as lavaan reports it."""
    p = len(pt.ov)
    total = 0.0
    for gs in stats.groups:
        if gs.complete:
            total += _complete_h1(gs, p)
        else:
            total += gs.loglik_h1
    ll = total - chisq / 2
    if pt.ov_x:
        idx = [pt.ov.index(v) for v in pt.ov_x]
        k = len(idx)
        for gs in stats.groups:
            _, logdet_x = np.linalg.slogdet(gs.cov[np.ix_(idx, idx)])
            ll += gs.n / 2 * (k * LOG2PI + logdet_x + k)
    return float(ll)


def _srmr(pt, mdl, stats, theta) -> float:
    """Bentler's SRMR per group (the standardised mean residuals too with a mean structure),
    weighted by the group sizes as lavaan."""
    from cxkit.sem.fit_measures import srmr

    total = 0.0
    for gs, mom in zip(stats.groups, mdl.moments(theta), strict=True):
        if pt.meanstructure:
            value = srmr(gs.cov, mom.sigma, gs.mean, mom.mu)
        else:
            value = srmr(gs.cov, mom.sigma)
        total += gs.n * value
    return total / stats.n


def _extend_measures(indices, opts, pt, mdl, stats, theta, objective, n_lav, extra):
    """lavaan's other fit measures (:func:`cxkit.sem.fit_measures.extend`): GFI's weights are the
    estimator's (ML: the normal-theory weight at the implied moments)."""
    from cxkit.sem.fit_measures import extend

    means = pt.meanstructure
    moms = mdl.moments(theta[None])
    gfi_parts, resid_parts = [], []
    r, c = np.tril_indices(len(pt.ov))
    for g, (gs, mom) in enumerate(zip(stats.groups, moms, strict=True)):
        sigma = mom.sigma[0]
        least_squares = opts.estimator in _options.LS_FAMILY
        s = sample_moments(gs, means, unbiased=least_squares)
        cov = ls_cov(gs) if least_squares else gs.cov
        if not gs.complete:  # lavaan's WLS.obs with missing answers: available-case moments
            s = _available_moments(gs.x, means)
        est = sigma[r, c]
        if means:
            est = np.concatenate([mom.mu[0], est])
        if least_squares:
            w = objective.weights[g]
        else:  # ML: the normal-theory weight at Σ; missing answers: its h1 expectation
            w = _normal_weight(gs, sigma, means)
        resid = s - est
        if pt.ov_x:  # fixed.x: lavaan's weight has zero rows and columns for the x moments
            x_mom = _x_moments([pt.ov.index(v) for v in pt.ov_x], len(pt.ov), means)
            s, resid = np.where(x_mom, 0.0, s), np.where(x_mom, 0.0, resid)
        gfi_parts.append((s, resid, w))
        resid_parts.append((cov, sigma, gs.mean if means else None, mom.mu[0] if means else None))
    return extend(
        indices,
        estimator=opts.estimator,
        n_lav=n_lav,
        groups=pt.ngroups,
        nobs=[g.n for g in stats.groups],
        gfi_parts=gfi_parts,
        resid_parts=resid_parts,
        meanstructure=means,
        nel=sum(len(p[0]) for p in gfi_parts),
        fiml_corrected=extra.get("fiml_corrected"),
        h1h0=extra.get("h1h0"),
    )


def _complete_h1(gs, p: int) -> float:
    _, logdet = np.linalg.slogdet(gs.cov)
    return -gs.n / 2 * (p * LOG2PI + logdet + p)


def _normal_weight(gs, sigma: np.ndarray, means: bool):
    """GFI's ML weight as its quadratic form ``v ↦ v'Wv`` (:func:`~cxkit.sem.objective.
    moment_quadratic`, no k × k matrix): the normal-theory weight at ``Σ`` with complete data; with
    missing answers lavaan's h1 expected information, each pattern's weight of its observed block
    by its share of rows."""
    from cxkit.sem.objective import moment_quadratic
    from cxkit.sem.samplestats import padded_inverses

    if gs.complete:
        inv, shares = np.linalg.inv(sigma), None
    else:
        ps = gs.pattern_set()
        inv, shares = padded_inverses(sigma, ps.obs), ps.n[0] / gs.n
    return lambda v: moment_quadratic(inv, v, means, shares)


def _available_moments(x: np.ndarray, means: bool) -> np.ndarray:
    """Available-case means and pairwise covariances (N − 1, rescaled by (N − 1)/N), lavaan's
    sample statistics with missing answers (its ``WLS.obs`` under FIML)."""
    frame = pd.DataFrame(x)
    n = len(x)
    cov = frame.cov().to_numpy() * (n - 1) / n
    r, c = np.tril_indices(x.shape[1])
    s = cov[r, c]
    return np.concatenate([np.nanmean(x, axis=0), s]) if means else s


def _x_moments(x_idx, p: int, means: bool) -> np.ndarray:
    """Which moments belong to the fixed predictors (their (co)variances, and means)."""
    r, c = np.tril_indices(p)
    fx = np.isin(np.arange(p), x_idx)
    x_mom = fx[r] & fx[c]
    return np.concatenate([fx, x_mom]) if means else x_mom
