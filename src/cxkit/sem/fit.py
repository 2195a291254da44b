"""``fit_sem``: estimate a model written in lavaan syntax and report it as lavaan does.

semopy estimates the model (``_semopy.py``); cxkit then polishes the estimate with Fisher scoring on
its own matrix form of the model to lavaan's tolerance, and computes everything it reports —
standard errors from the expected information, the standardised solution, ``:=`` parameters with
delta-method standard errors, R², fit indices, modification indices — from the matrices.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import as_frame, check_option, data_sha256, instrument_attrs
from cxkit.errors import ModelError, ModelWarning, ResponseError, SpecificationError
from cxkit.sem.fiml import em_saturated, fiml_information, fit_fiml
from cxkit.sem.indices import assemble, fit_indices, srmr
from cxkit.sem.ml import discrepancy, fisher_scoring, information
from cxkit.sem.result import SEMResult
from cxkit.sem.spec import ModelSpec
from cxkit.sem.syntax import evaluate, expression_names

ESTIMATORS = ("ML", "MLR", "WLSMV")
MISSING = ("listwise", "fiml", "ml")


def _semopy_start(
    spec: ModelSpec, model: str, data: pd.DataFrame, s: np.ndarray
) -> tuple[np.ndarray, str]:
    """Estimates from semopy mapped onto ``spec``'s parameters; simple starts where it cannot help."""
    from cxkit.sem import _semopy

    theta = spec.start_values(s)
    semopy_model = "\n".join(line for line in model.splitlines() if ":=" not in line)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = _semopy.fit_ml(semopy_model, data)
    except ModelError as exc:
        return theta, f"semopy: {exc.message}; simple starting values used"
    oi = {n: k for k, n in enumerate(raw.observed)}
    ii = {n: k for k, n in enumerate(raw.inner)}
    mats = {
        "L": (raw.Lambda, oi, ii),
        "B": (raw.B, ii, ii),
        "P": (raw.Psi, ii, ii),
        "T": (raw.Theta, oi, oi),
    }
    for par in spec.params:
        if par.free < 0:
            continue
        m, ri, ci = mats[par.matrix]
        rname = spec.observed[par.row] if par.matrix in ("L", "T") else spec.inner[par.row]
        cname = spec.inner[par.col] if par.matrix in ("L", "B", "P") else spec.observed[par.col]
        if rname in ri and cname in ci:
            theta[par.free] = m[ri[rname], ci[cname]]
    return (
        theta,
        f"semopy {_semopy.SEMOPY_VERSION}: {'converged' if raw.converged else 'not converged'}",
    )


def fit_sem(
    model: str,
    data,
    estimator: str = "ML",
    missing: str = "listwise",
    group: str | None = None,
    *,
    group_equal=(),
    group_partial=(),
    std_lv: bool = False,
    level: float = 0.95,
    ordered=None,
) -> SEMResult:
    """Fit a CFA or SEM written in lavaan syntax.

    Parameters
    ----------
    model : str
        lavaan syntax: ``=~`` (loadings), ``~`` (regressions), ``~~`` (variances, covariances),
        ``:=`` (defined parameters), labels ``a*x`` (equal labels: equal parameters), fixed values
        ``1*x``, ``NA*x``. The defaults are ``lavaan::sem()``'s.
    data : DataFrame or Responses
        One row per respondent; the model's observed variables are columns.
    estimator : {"ML", "MLR"}
        ``"ML"``: maximum likelihood with standard errors from the expected information (observed,
        with FIML). ``"MLR"``: the same estimates with robust (Huber–White sandwich) standard errors
        from the observed information, and the Yuan–Bentler scaled χ² with scaled and robust CFI,
        TLI and RMSEA added to ``fit_indices`` — lavaan's ``estimator = "MLR"``, the usual choice for
        skewed Likert answers (:mod:`cxkit.sem.robust`). Works with FIML and groups, and with
        observed exogenous predictors on complete data.
    missing : {"listwise", "fiml"}
        ``"listwise"``: rows with a missing answer on any model variable are dropped (the count is
        recorded). ``"fiml"`` (or lavaan's name ``"ml"``): full-information ML on every row with at
        least one answer; the model gains intercepts, χ² is against the EM-estimated saturated model
        and standard errors come from the observed information, as lavaan's ``missing = "ml"``.
    group : str, optional
        A column whose values define groups: the model is fitted in every group with intercepts and
        latent means (:mod:`cxkit.sem.multigroup`); ``estimates`` gains a ``group`` column (1, 2, …
        in order of appearance; names in ``provenance["groups"]``). Works with ``missing="fiml"``.
    group_equal : iterable of str
        With ``group``: parameters held equal across groups (``loadings``, ``intercepts``,
        ``residuals``, ``residual.covariances``, ``lv.variances``, ``lv.covariances``,
        ``regressions``, ``means``), as lavaan's ``group.equal``.
    group_partial : iterable of str
        With ``group_equal``: parameters exempt from it (partial invariance), in lavaan syntax as
        ``group.partial``: ``["x3 ~ 1", "visual =~ x2"]``. :meth:`SEMResult.score_tests` says which
        equalities the data object to.
    std_lv : bool
        Identify factors by fixing their variances to 1 instead of their first loadings.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    ordered : True or list of str, optional
        Treat the indicators as ordinal (Likert answers as cut-up normal variables): ``True`` or
        the list of all the model's observed variables (a mix of ordered and continuous ones is not
        available yet). The estimator becomes ``"WLSMV"``, lavaan's default for ordered data:
        thresholds, polychoric correlations, DWLS with robust standard errors and the mean- and
        variance-adjusted χ² (:mod:`cxkit.sem.wlsmv`); listwise deletion, one group.

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
        estimated.

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
    if isinstance(estimator, str) and estimator.upper() in ESTIMATORS:
        estimator = estimator.upper()  # lavaan's names, in any case
    check_option("estimator", estimator, ESTIMATORS)
    check_option("missing", missing, MISSING)
    if ordered is not None and ordered is not False:
        return _fit_ordered(model, data, estimator, missing, group, ordered, std_lv, level)
    if estimator == "WLSMV":
        raise SpecificationError(
            "estimator='WLSMV' is for ordered indicators: pass ordered=True (or the list of them)"
        )
    fiml = missing in ("fiml", "ml")
    if group is not None:
        from cxkit.sem.multigroup import fit_multigroup

        return fit_multigroup(
            model,
            as_frame(data),
            group,
            tuple(group_equal),
            std_lv=std_lv,
            level=level,
            estimator=estimator,
            fiml=fiml,
            group_partial=tuple(group_partial),
        )
    if group_equal or group_partial:
        raise SpecificationError(
            "group_equal and group_partial need group=... (the column that defines the groups)"
        )
    frame = as_frame(data)
    spec0 = ModelSpec.build(model, frame.columns, std_lv=std_lv)
    cols = spec0.observed
    used = frame[cols]
    for c in cols:
        if not pd.api.types.is_numeric_dtype(used[c]) or pd.api.types.is_bool_dtype(used[c]):
            raise ResponseError(
                f"column {c!r} is not numeric (dtype {used[c].dtype}); model variables must be numbers",
                field=c,
            )
    if fiml:
        x_all = used.astype(float).to_numpy()
        keep = ~np.isnan(x_all).all(axis=1)
        x = x_all[keep]
        complete = used[keep].astype(float)
        n, dropped = len(x), int((~keep).sum())
        if n < 2:
            raise ModelError(
                f"only {n} row(s) with any answer on the model's variables; nothing to fit"
            )
        mu_em, s, ll_sat = em_saturated(x)
    else:
        complete = used.dropna().astype(float)
        n = len(complete)
        dropped = len(used) - n
        if n < 2:
            raise ModelError(
                f"only {n} complete row(s) for the model's {len(cols)} variables; nothing to fit"
            )
        s = np.cov(complete.to_numpy(), rowvar=False, bias=True)
    s_df = pd.DataFrame(s, index=cols, columns=cols)
    spec = ModelSpec.build(model, frame.columns, sample_cov=s_df, std_lv=std_lv)
    moments = len(cols) * (len(cols) + 1) // 2
    if spec.n_free > moments:
        raise ModelError(
            f"the model has {spec.n_free} free parameters but only {moments} variances and covariances to "
            f"fit them to (df = {moments - spec.n_free}): it is not identified"
        )
    if np.linalg.matrix_rank(s) < len(cols):
        warnings.warn(
            "the sample covariance matrix is singular (some variables are linear combinations of others, "
            "or constant); estimates may not be trustworthy",
            ModelWarning,
            stacklevel=2,
        )
    nu = se_nu = None
    if fiml:
        start, _, _ = fisher_scoring(spec, s, spec.start_values(s))
        start_note = "ML on the EM-estimated moments, then FIML (semopy's FIML is not used)"
        theta, nu, converged, ll = fit_fiml(spec, x, start)
        iterations = 0
        info_full = fiml_information(spec, x, theta, nu)
        vcov_full = _invert(info_full)
        vcov = vcov_full[: spec.n_free, : spec.n_free]
        se_nu = np.sqrt(np.clip(np.diag(vcov_full)[spec.n_free :], 0, None))
        sigma, mats = spec.implied(theta)
    else:
        start, start_note = _semopy_start(spec, model, complete, s)
        theta, converged, iterations = fisher_scoring(spec, s, start)
        if not converged:
            # fall back on simple starting values once
            theta2, converged2, it2 = fisher_scoring(spec, s, spec.start_values(s))
            sig1, _ = spec.implied(theta)
            sig2, _ = spec.implied(theta2)
            if converged2 or discrepancy(s, sig2) < discrepancy(s, sig1):
                theta, converged, iterations = theta2, converged2, iterations + it2
        sigma, mats = spec.implied(theta)
        if not np.isfinite(discrepancy(s, sigma)):
            raise ModelError(
                "the model could not be estimated: the implied covariance matrix is not positive definite"
            )
        vcov = _invert(n * information(spec, theta))
    if fiml:
        p_ = len(cols)
        npar = spec.n_free + p_
        var_avail = np.nanvar(x, axis=0)
        n_avail = (~np.isnan(x)).sum(axis=0)
        ll_base = float(np.sum(-n_avail / 2 * (np.log(2 * np.pi) + np.log(var_avail) + 1)))
        indices = assemble(
            n,
            npar,
            2 * (ll_sat - ll),
            p_ * (p_ + 1) / 2 + p_ - npar,
            2 * (ll_sat - ll_base),
            p_ * (p_ - 1) / 2,
            srmr(s, sigma, mu_em, nu),
            ll,
        )
    else:
        indices = fit_indices(s, sigma, n, spec.n_free, _fixed_x(spec))
    if estimator == "MLR":
        if fiml:
            vcov, robust_fit = _mlr(spec, theta, x, indices, nu, mu_em, s, info_full)
        else:
            xc = complete.to_numpy()
            vcov, robust_fit = _mlr(spec, theta, xc, indices, None, xc.mean(axis=0), s)
        if fiml:
            vcov_full = vcov
            vcov = vcov_full[: spec.n_free, : spec.n_free]
            se_nu = np.sqrt(np.clip(np.diag(vcov_full)[spec.n_free :], 0, None))
        indices = pd.concat([indices, robust_fit])
    estimates = _estimates(spec, theta, vcov, mats, sigma, level, nu, se_nu)
    r2 = _r_squared(spec, mats, sigma)
    from cxkit import __version__
    from cxkit.sem._semopy import SEMOPY_VERSION

    provenance = {
        "model": model,
        "estimator": estimator,
        "missing": missing,
        "n_used": n,
        "n_dropped": dropped,
        "data_sha256": data_sha256(complete),
        "cxkit": __version__,
        "semopy": SEMOPY_VERSION,
        "start": start_note,
        "iterations": iterations,
        "std_lv": std_lv,
        **instrument_attrs(frame),
    }
    result = SEMResult(
        spec=spec,
        theta=theta,
        vcov=vcov,
        sample_cov=s_df,
        implied_cov=pd.DataFrame(sigma, index=cols, columns=cols),
        estimates=estimates,
        fit_indices=indices,
        r_squared=r2,
        converged=converged,
        provenance=provenance,
        level=level,
        data_used=x if fiml else complete.to_numpy(),
    )
    _warn_improper(result)
    return result


def _fit_ordered(model, data, estimator, missing, group, ordered, std_lv, level) -> SEMResult:
    from cxkit.sem.wlsmv import fit_wlsmv

    if estimator not in ("ML", "WLSMV"):
        raise SpecificationError(
            f"estimator={estimator!r} with ordered indicators is not available; ordered data take "
            "estimator='WLSMV' (the default when ordered= is given)"
        )
    if missing != "listwise" or group is not None:
        raise SpecificationError(
            "ordered indicators are fitted with listwise deletion and one group for now "
            "(missing='listwise', no group=)"
        )
    frame = as_frame(data)
    cols = ModelSpec.build(model, frame.columns, std_lv=std_lv).observed
    if ordered is not True:
        names = [ordered] if isinstance(ordered, str) else list(ordered)
        unknown = [v for v in names if v not in cols]
        if unknown:
            raise SpecificationError(
                f"ordered= names {', '.join(map(repr, unknown))}, which the model does not use; "
                f"its observed variables: {', '.join(cols)}"
            )
        rest = [v for v in cols if v not in names]
        if rest:
            raise SpecificationError(
                "a mix of ordered and continuous variables is not available yet; continuous: "
                f"{', '.join(rest)}. Use ordered=True, or estimator='MLR' for all variables"
            )
    return fit_wlsmv(model, frame, std_lv=std_lv, level=level)


def _mlr(spec: ModelSpec, theta, x, indices, nu, mu_h1, s_h1, e_total=None):
    """Robust vcov and the MLR fit entries (:mod:`cxkit.sem.robust`); ``nu`` only with FIML."""
    from cxkit.sem.robust import mlr_single

    fixed_x = _fixed_x(spec)
    if fixed_x and nu is not None:
        raise SpecificationError(
            "estimator='MLR' with missing='fiml' is not available yet for models with observed "
            "exogenous predictors; use missing='listwise', or turn the predictor into a "
            "single-indicator factor"
        )
    return mlr_single(spec, x, theta, nu, mu_h1, s_h1, indices, e_total, fixed_x)


def _fixed_x(spec: ModelSpec) -> list[int]:
    """Observed exogenous predictors, whose (co)variances are fixed at the sample values."""
    return [
        spec.observed.index(p.lhs)
        for p in spec.params
        if p.matrix == "P" and p.lhs == p.rhs and p.free < 0 and p.lhs in spec.observed
    ]


def _invert(info: np.ndarray) -> np.ndarray:
    """Inverse of an information matrix; NaN (with a warning) when it is singular."""
    eig = np.linalg.eigvalsh(info) if len(info) else np.array([1.0])
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.warn(
            "the information matrix is singular: the model is not identified (fix a loading or a latent "
            "variance per factor, or remove a parameter); standard errors are missing",
            ModelWarning,
            stacklevel=3,
        )
        return np.full(info.shape, np.nan)
    return np.linalg.inv(info)


def _label_values(spec: ModelSpec, theta: np.ndarray) -> dict[str, float]:
    return {p.label: (theta[p.free] if p.free >= 0 else p.value) for p in spec.params if p.label}


def _std_values(spec: ModelSpec, theta: np.ndarray, mats: dict, sigma: np.ndarray) -> list[float]:
    sd_obs = np.sqrt(np.diag(sigma))
    sd_in = np.sqrt(np.clip(np.diag(mats["inner_cov"]), 0, None))
    out = []
    for p in spec.params:
        v = theta[p.free] if p.free >= 0 else p.value
        with np.errstate(divide="ignore", invalid="ignore"):
            if p.matrix == "L":
                out.append(v * sd_in[p.col] / sd_obs[p.row])
            elif p.matrix == "B":  # regressions, and second-order loadings (B[lower, higher])
                out.append(v * sd_in[p.col] / sd_in[p.row])
            elif p.row == p.col:  # (residual) variance over total variance
                total = sd_in[p.row] ** 2 if p.matrix == "P" else sd_obs[p.row] ** 2
                out.append(v / total)
            else:  # (residual) covariance over the residual standard deviations, as lavaan
                res = mats[p.matrix]
                out.append(v / np.sqrt(res[p.row, p.row] * res[p.col, p.col]))
    return out


def _estimates(
    spec: ModelSpec, theta, vcov, mats, sigma, level: float, nu=None, se_nu=None
) -> pd.DataFrame:
    zcrit = stats.norm.ppf(1 - (1 - level) / 2)
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std = _std_values(spec, theta, mats, sigma)
    rows = []
    for p, s_all in zip(spec.params, std, strict=True):
        if p.op == "=~" and p.lhs == p.rhs:  # phantom of an observed variable in a regression
            continue
        est = theta[p.free] if p.free >= 0 else p.value
        se = se_free[p.free] if p.free >= 0 else 0.0
        rows.append(
            {
                "lhs": p.lhs,
                "op": p.op,
                "rhs": p.rhs,
                "label": p.label,
                "est": est,
                "se": se,
                "std_all": s_all,
                "_free": p.free >= 0,
            }
        )
    if nu is not None:  # mean structure (FIML): intercepts of observed variables, latent means 0
        sd_obs = np.sqrt(np.diag(sigma))
        for k, name in enumerate(spec.observed):
            rows.append(
                {
                    "lhs": name,
                    "op": "~1",
                    "rhs": "",
                    "label": "",
                    "est": nu[k],
                    "se": se_nu[k],
                    "std_all": nu[k] / sd_obs[k],
                    "_free": True,
                }
            )
        for name in spec.latent:
            rows.append(
                {
                    "lhs": name,
                    "op": "~1",
                    "rhs": "",
                    "label": "",
                    "est": 0.0,
                    "se": 0.0,
                    "std_all": 0.0,
                    "_free": False,
                }
            )
    # defined parameters: delta method on the free parameters
    if spec.definitions:
        std_labels = {p.label: v for p, v in zip(spec.params, std, strict=True) if p.label}
        for d in spec.definitions:
            f = lambda th, d=d: evaluate(d.expr, _label_values(spec, th))  # noqa: E731
            est = f(theta)
            grad = np.zeros(spec.n_free)
            used = expression_names(d.expr)
            involved = sorted({p.free for p in spec.params if p.label in used and p.free >= 0})
            for k in involved:
                h = 1e-6 * max(1.0, abs(theta[k]))
                up, dn = theta.copy(), theta.copy()
                up[k] += h
                dn[k] -= h
                grad[k] = (f(up) - f(dn)) / (2 * h)
            se = float(np.sqrt(max(grad @ vcov @ grad, 0.0)))
            rows.append(
                {
                    "lhs": d.name,
                    "op": ":=",
                    "rhs": d.expr.replace(" ", ""),
                    "label": d.name,
                    "est": est,
                    "se": se,
                    "std_all": evaluate(d.expr, std_labels),
                    "_free": True,
                }
            )
    df = pd.DataFrame(rows)
    free = df.pop("_free")
    df["z"] = np.where(free & (df["se"] > 0), df["est"] / df["se"].where(df["se"] > 0), np.nan)
    df["pvalue"] = 2 * stats.norm.sf(np.abs(df["z"]))
    df["ci_low"] = np.where(free, df["est"] - zcrit * df["se"], df["est"])
    df["ci_high"] = np.where(free, df["est"] + zcrit * df["se"], df["est"])
    order = {"=~": 0, "~": 1, "~~": 2, "~1": 3, ":=": 4}
    df["_o"] = df["op"].map(order)
    df = df.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    return df[
        ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_low", "ci_high", "std_all"]
    ]


def _r_squared(spec: ModelSpec, mats, sigma) -> pd.Series:
    out = {}
    endo_inner = {p.lhs for p in spec.params if p.op == "~"} | {
        p.rhs for p in spec.params if p.op == "=~" and p.matrix == "B"
    }
    phantoms = set(spec.inner) - set(spec.latent)
    for k, name in enumerate(spec.observed):
        if name in phantoms:
            continue
        out[name] = 1 - mats["T"][k, k] / sigma[k, k]
    for k, name in enumerate(spec.inner):
        if name in endo_inner:
            out[name] = 1 - mats["P"][k, k] / mats["inner_cov"][k, k]
    return pd.Series(out, name="r_squared", dtype=float)


def _warn_improper(result: SEMResult) -> None:
    est = result.estimates
    if not result.converged:
        warnings.warn(
            "the ML fit did not converge; the estimates are not trustworthy",
            ModelWarning,
            stacklevel=3,
        )
    var = est[(est.op == "~~") & (est.lhs == est.rhs)]
    neg = var[var.est < 0]
    if len(neg):
        warnings.warn(
            "negative variance estimate(s) (Heywood case): "
            + ", ".join(f"{r.lhs} ~~ {r.lhs} = {r.est:.3g}" for r in neg.itertuples()),
            ModelWarning,
            stacklevel=3,
        )
    big = est[(est.op == "=~") & (est.std_all.abs() > 1)]
    if len(big):
        warnings.warn(
            "standardised loading(s) above 1 (Heywood case): "
            + ", ".join(f"{r.lhs} =~ {r.rhs} = {r.std_all:.3f}" for r in big.itertuples()),
            ModelWarning,
            stacklevel=3,
        )
    lat = result.spec.latent
    if lat:
        _, mats = result.spec.implied(result.theta)
        idx = [result.spec.inner.index(v) for v in lat]
        ev = np.linalg.eigvalsh(mats["inner_cov"][np.ix_(idx, idx)])
        if ev.min() <= 0:
            warnings.warn(
                "the covariance matrix of the latent variables is not positive definite "
                f"(smallest eigenvalue {ev.min():.3g}); some latent correlations are at or beyond ±1",
                ModelWarning,
                stacklevel=3,
            )
    n, npar = result.fit_indices["n"], result.fit_indices["npar"]
    if n < 5 * npar:
        warnings.warn(
            f"{int(n)} cases for {int(npar)} free parameters ({n / npar:.1f} per parameter); at least 5 per "
            "parameter is the usual minimum (Bentler & Chou, 1987): treat the estimates with care",
            ModelWarning,
            stacklevel=3,
        )
