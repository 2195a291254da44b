"""``fit_sem``: the one pipeline, lavaan's stages with every stage looping over groups.

options → partable → samplestats → model → objective → optimize → information → teststat →
fit_measures → estimates → diagnostics → :class:`~cxkit.sem.result.SEMResult`. One group is the case
G = 1; ML, FIML, MLR and (through :mod:`cxkit.sem.wlsmv`) WLSMV share the table, the model, the
optimizer, the estimates builder and the warnings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cxkit._params import DataLike, Estimator, Missing, as_frame, data_sha256, instrument_attrs
from cxkit._version import __version__
from cxkit.errors import ModelError
from cxkit.sem import options as _options
from cxkit.sem.estimates import build_estimates, r_squared
from cxkit.sem.fit_measures import assemble, robust_indices
from cxkit.sem.information import invert, observed_information
from cxkit.sem.model import Model
from cxkit.sem.optimize import minimize
from cxkit.sem.partable import build_partable
from cxkit.sem.result import SEMResult
from cxkit.sem.samplestats import LOG2PI, sample_stats, single_thread
from cxkit.sem.syntax import parse_model
from cxkit.sem.teststat import (
    baseline,
    degrees_of_freedom,
    exo_values,
    make_objective,
    mlr,
    moments_count,
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
    estimator : {"ML", "MLR", "WLSMV"}
        ``"ML"``: maximum likelihood with standard errors from the expected information (observed,
        with FIML). ``"MLR"``: the same estimates with robust (Huber–White sandwich) standard errors
        and the Yuan–Bentler scaled χ² with scaled and robust CFI, TLI and RMSEA — lavaan's
        ``estimator = "MLR"``, the usual choice for skewed Likert answers (:mod:`cxkit.sem.robust`).
        ``"WLSMV"``: for ordered indicators (``ordered=``).
    missing : {"listwise", "fiml"}
        ``"listwise"``: rows with a missing answer on any model variable are dropped (the count is
        recorded). ``"fiml"`` (or lavaan's name ``"ml"``): full-information ML on every row with at
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
        Treat the indicators as ordinal (Likert answers as cut-up normal variables): ``True`` or
        the list of all the model's observed variables. The estimator becomes ``"WLSMV"``:
        thresholds, polychoric correlations, DWLS with robust standard errors and the mean- and
        variance-adjusted χ² (:mod:`cxkit.sem.wlsmv`); listwise deletion, one group.
    meanstructure : bool, optional
        Add intercepts and latent means to a single-group fit (always there with groups, FIML or
        ``~ 1`` rows).

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
    )
    frame = as_frame(data)
    with single_thread():  # small matrices: a BLAS thread pool costs more than it gives
        if opts.estimator == "WLSMV":
            from cxkit.sem.wlsmv import fit_wlsmv

            return fit_wlsmv(model, frame, opts)
        return _fit(model, (statements, defs), frame, opts)


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
    objective = make_objective(mdl, stats)
    theta, converged, iterations, start_note = _optimize(model, pt, mdl, objective, stats, frame)
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
    vcov = invert(info)
    chisq = 2 * float(objective.value(theta[None])[0])
    df = degrees_of_freedom(pt)
    b_chisq, b_df, base_pt, base_theta = baseline(pt, stats)
    loglik = _loglik(pt, stats, chisq)
    indices = assemble(
        n, pt.npar, chisq, df, b_chisq, b_df, _srmr(pt, mdl, stats, theta), loglik, pt.ngroups
    )
    if opts.estimator == "MLR":
        vcov, c, c_b, corrected = mlr(
            pt, mdl, stats, theta, objective, df, b_df, base_pt, base_theta
        )
        robust = robust_indices(
            n, chisq, df, c, b_chisq, b_df, c_b, groups=pt.ngroups, corrected=corrected
        )
        indices = pd.concat([indices, robust])
    estimates = build_estimates(pt, mdl, theta, vcov, opts.level)
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


def _optimize(model_text, pt, mdl, objective, stats, frame):
    """Minimise from lavaan-like simple starts; if that fails, from semopy's estimates."""
    start = mdl.start_values(stats)
    opt = minimize(objective, start)
    note = "simple starting values (lavaan's 'simple')"
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
            _, logdet = np.linalg.slogdet(gs.cov)
            total += -gs.n / 2 * (p * LOG2PI + logdet + p)
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
