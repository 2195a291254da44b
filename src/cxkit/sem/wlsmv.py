"""Ordinal SEM: lavaan's ``estimator = "WLSMV"`` with every indicator ordered.

The indicators are taken as cut-up normal variables ``y*`` (delta parameterisation: ``Var(y*) = 1``,
so an indicator's residual variance is ``1 − Σ_common``, not a parameter). The sample statistics are
the thresholds, the polychoric correlations and their NACOV ``Γ`` (:mod:`cxkit.sem.categorical`).

* Estimates minimise the diagonally weighted least squares function
  ``F = (s − σ(θ))' W (s − σ(θ))`` with ``W = diag(Γ)⁻¹``; the thresholds are free, so they equal
  the sample thresholds, and the structural parameters are fitted to the correlations by
  Gauss–Newton steps.
* Standard errors are robust: ``vcov = (Δ'WΔ)⁻¹ Δ'WΓWΔ (Δ'WΔ)⁻¹ / (N − 1)`` (lavaan's
  ``robust.sem``; lavaan's DWLS uses N − 1 here and in χ²).
* ``chisq = (N − 1) F``; the mean- and variance-adjusted statistic (lavaan's ``scaled.shifted``) is
  ``a·χ² + b`` with ``U = W − WΔ(Δ'WΔ)⁻¹Δ'W``, ``a = sqrt(df / tr((UΓ)²))`` and
  ``b = df − a·tr(UΓ)``; ``scaling_factor = 1/a``, ``shift_parameter = b``. The baseline model has
  all correlations zero. CFI, TLI and RMSEA are computed from the ordinary statistics and, as
  ``*_scaled``, from the adjusted ones (RMSEA with N − 1 too); SRMR over the correlations, the diagonal
  included, as lavaan. There is no likelihood: ``loglik``, ``aic`` and ``bic`` are
  NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import data_sha256, instrument_attrs
from cxkit.errors import ModelError, ResponseError, SpecificationError
from cxkit.sem.categorical import OrdinalMoments, ordinal_moments
from cxkit.sem.fit_measures import assemble, cfi_value, rmsea_ci, rmsea_value, srmr, tli_value
from cxkit.sem.model import Model
from cxkit.sem.optimize import minimize
from cxkit.sem.partable import build_partable

SCALED_NAMES = [
    "chisq_scaled",
    "pvalue_scaled",
    "scaling_factor",
    "shift_parameter",
    "baseline_chisq_scaled",
    "baseline_scaling_factor",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "rmsea_ci_low_scaled",
    "rmsea_ci_high_scaled",
]


def _codes(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    levels, codes = [], []
    for c in cols:
        col = frame[c]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise ResponseError(
                f"column {c!r} is not numeric (dtype {col.dtype}); ordered variables must be "
                "answer codes such as 1-7",
                field=c,
            )
        values = col.to_numpy(dtype=float)
        odd = np.flatnonzero(values != np.round(values))
        if len(odd):
            raise ResponseError(
                f"column {c!r} has non-integer values (e.g. {values[odd[0]]:g} in row "
                f"{col.index[odd[0]]!r}); ordered variables must be whole answer codes",
                field=c,
            )
        lv = np.unique(values)
        if len(lv) < 2:
            raise ResponseError(
                f"column {c!r} has a single answer ({lv[0]:g}) in the rows used; an ordered "
                "variable needs at least two categories",
                field=c,
            )
        if len(lv) > 20:
            raise ResponseError(
                f"column {c!r} has {len(lv)} different values; ordered variables take few "
                "categories (at most 20): is it really an ordinal answer?",
                field=c,
            )
        levels.append(lv)
        codes.append(np.searchsorted(lv, values))
    return np.column_stack(codes), levels


def _starts(pt_free, pt, used: pd.DataFrame, r: np.ndarray) -> np.ndarray:
    """Starting values: ML on the polychoric matrix with free residual variances, mapped over."""
    from cxkit.sem.objective import MLObjective
    from cxkit.sem.samplestats import GroupStats, SampleStats

    p = r.shape[0]
    model = Model(pt_free)
    stats = SampleStats(
        pt_free.ov, [GroupStats(None, used.to_numpy(), len(used), np.zeros(p), r)], 0, used
    )
    obj = MLObjective(model, [np.array([len(used)], float)], [np.zeros((1, p))], [r[None]])
    opt = minimize(obj, model.start_values(stats))
    values = {
        (q.lhs, q.op, q.rhs): float(opt.theta[0][q.free]) for q in pt_free.rows if q.free >= 0
    }
    theta = Model(pt).start_values(stats)
    for q in pt.rows:
        if q.free >= 0 and (q.lhs, q.op, q.rhs) in values:
            theta[q.free] = values[(q.lhs, q.op, q.rhs)]
    return theta


def _shift(ug: np.ndarray, df: float) -> tuple[float, float]:
    """(a, b) of the mean- and variance-adjusted statistic a·T + b from ``UΓ``:
    ``a = sqrt(df / tr((UΓ)²))``, ``b = df − a·tr(UΓ)``."""
    a = np.sqrt(df / float(np.sum(ug * ug.T)))
    return a, df - a * float(np.trace(ug))


def _adjusted(delta: np.ndarray, w: np.ndarray, gamma: np.ndarray, df: float):
    """(a, b) of a model's test, ``U = W − WΔ(Δ'WΔ)⁻¹Δ'W``."""
    wd = delta * w[:, None]
    u = np.diag(w) - wd @ np.linalg.solve(delta.T @ wd, wd.T)
    return _shift(u @ gamma, df)


def fit_wlsmv(model: str, frame: pd.DataFrame, opts):
    """Fit ``model`` with every indicator ordered (see the module docstring); a SEMResult."""
    from cxkit._version import __version__
    from cxkit.sem.diagnostics import warn_improper
    from cxkit.sem.estimates import build_estimates, r_squared
    from cxkit.sem.information import sandwich_wls
    from cxkit.sem.objective import DWLSObjective
    from cxkit.sem.result import SEMResult
    from cxkit.sem.samplestats import GroupStats, SampleStats, numeric_columns
    from cxkit.sem.syntax import parse_model

    parsed = parse_model(model)
    probe = build_partable(parsed, frame.columns, std_lv=opts.std_lv)
    cols = list(probe.ov)
    if opts.ordered is not True:
        names = list(opts.ordered)
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
    if probe.dummies:
        raise ModelError(
            "observed predictors or outcomes in regressions are not available with ordered "
            f"indicators yet ({', '.join(probe.dummies)}); use latent variables only, or "
            "estimator='MLR' without ordered="
        )
    if any(r.user and r.op == "~~" and r.lhs == r.rhs and r.lhs in cols for r in probe.rows):
        raise SpecificationError(
            "with ordered indicators their residual variances are not parameters (they are "
            "1 − the common variance); remove 'x ~~ x' lines for indicators"
        )
    numeric_columns(frame, cols)
    used = frame[cols].dropna()
    n = len(used)
    if n < 10:
        raise ModelError(f"only {n} complete row(s) for the model's {len(cols)} variables")
    codes, levels = _codes(used, cols)
    mom: OrdinalMoments = ordinal_moments(codes, cols, levels)
    pt = build_partable(parsed, frame.columns, std_lv=opts.std_lv, extra_fixed=tuple(cols))
    q = pt.npar
    prs = mom.pairs
    n_th = sum(len(t) for t in mom.thresholds)
    if q > len(prs):
        raise ModelError(
            f"the model has {q} free parameters but only {len(prs)} polychoric correlations to fit "
            f"them to: it is not identified"
        )
    w_all = 1.0 / np.diag(mom.gamma)
    rho = np.array([mom.cor[i, j] for i, j in prs])
    mdl = Model(pt)
    start = _starts(probe, pt, used.astype(float), mom.cor)
    obj = DWLSObjective(mdl, rho, w_all[n_th:], prs)
    opt = minimize(obj, start, grad_tol=1e-14, step_tol=1e-10)
    theta, converged, iterations = opt.theta[0], bool(opt.converged[0]), int(opt.iterations[0])
    # the y* scale: unit variances, residual variances 1 − the common variance
    sigma = mdl.moments(theta)[0].sigma
    common = np.diag(sigma) - 1.0
    pt = pt.with_values({(1, v, "~~", v): 1.0 - common[k] for k, v in enumerate(cols)})
    mdl = Model(pt)
    mom0 = mdl.moments(theta)[0]
    sigma_star = mom0.sigma
    jac = DWLSObjective(mdl, rho, w_all[n_th:], prs).jacobian(theta[None])[0]
    # Δ over [θ, τ] for s = (τ, ρ)
    delta = np.zeros((n_th + len(prs), q + n_th))
    delta[:n_th, q:] = np.eye(n_th)
    delta[n_th:, :q] = jac
    vcov_full = sandwich_wls(delta, w_all, mom.gamma, n - 1)
    vcov = vcov_full[:q, :q]
    resid = rho - sigma_star[obj.ii, obj.jj]
    chisq = (n - 1) * float(resid @ (w_all[n_th:] * resid))
    npar = q + n_th
    df = n_th + len(prs) - npar
    b_chisq = (n - 1) * float(rho @ (w_all[n_th:] * rho))
    b_df = float(len(prs))
    a, b = _adjusted(delta, w_all, mom.gamma, df) if df > 0 else (np.nan, np.nan)
    a_b, b_b = _adjusted(delta[:, q:], w_all, mom.gamma, b_df)
    # lavaan's DWLS counts N − 1 cases in RMSEA too
    indices = assemble(n - 1, npar, chisq, df, b_chisq, b_df, srmr(mom.cor, sigma_star), np.nan)
    indices["n"] = n
    scaled = a * chisq + b if df > 0 else chisq  # nothing to adjust in a saturated model
    b_scaled = a_b * b_chisq + b_b
    low, high = rmsea_ci(scaled, df, n - 1)
    indices = pd.concat(
        [
            indices,
            pd.Series(
                {
                    "chisq_scaled": scaled,
                    "pvalue_scaled": float(stats.chi2.sf(scaled, df)) if df > 0 else np.nan,
                    "scaling_factor": 1 / a,
                    "shift_parameter": b,
                    "baseline_chisq_scaled": b_scaled,
                    "baseline_scaling_factor": 1 / a_b,
                    "cfi_scaled": cfi_value(scaled, df, b_scaled, b_df),
                    "tli_scaled": tli_value(scaled, df, b_scaled, b_df),
                    "rmsea_scaled": rmsea_value(scaled, df, n - 1),
                    "rmsea_ci_low_scaled": low,
                    "rmsea_ci_high_scaled": high,
                }
            ),
        ]
    )
    indices = _more_measures(indices, mom, rho, resid, w_all, n, n_th, sigma_star)
    est = build_estimates(pt, mdl, theta, vcov, opts.level)
    est = _ordinal_rows(est, pt, mom, vcov_full[q:, q:], opts.level)
    provenance = {
        "model": model,
        **opts.describe(),
        "ordered": list(cols),
        "n_used": n,
        "n_dropped": int(len(frame) - n),
        "data_sha256": data_sha256(used),
        "cxkit": __version__,
        "start": "ML on the polychoric correlations, then DWLS (semopy is not used)",
        "iterations": iterations,
        "levels": {c: [float(v) for v in lv] for c, lv in zip(cols, levels, strict=True)},
        **instrument_attrs(frame),
    }
    r = pd.DataFrame(mom.cor, index=cols, columns=cols)
    sstats = SampleStats(
        tuple(cols),
        [GroupStats(None, used.to_numpy(float), n, np.zeros(len(cols)), mom.cor, ordinal=mom)],
        int(len(frame) - n),
        used,
    )
    result = SEMResult(
        partable=pt,
        model_matrices=mdl,
        stats=sstats,
        options=opts,
        theta=theta,
        vcov=vcov,
        sample_cov=r,
        implied_cov=pd.DataFrame(sigma_star, index=cols, columns=cols),
        estimates=est,
        fit_indices=indices,
        r_squared=r_squared(pt, mdl, theta),
        converged=converged,
        provenance=provenance,
        level=opts.level,
        ordinal={
            "s": mom.vector(),
            "w": w_all,
            "gamma": mom.gamma,
            "delta": delta,
            "chisq": chisq,
            "df": df,
        },
    )
    warn_improper(result)
    return result


def difftest(restricted: dict, free: dict) -> tuple[float, float, float]:
    """The mean- and variance-adjusted χ² difference of two nested WLSMV fits (lavaan's
    ``lavTestLRT``, method "satorra.2000", scaled-shifted), from their ``SEMResult.ordinal``.

    With ``Δ1``, ``W``, ``Γ`` of the less restricted model, ``A`` spanning the restrictions (the
    orthogonal complement of ``Δ1⁺ Δ0``), ``P = Δ1'WΔ1`` and
    ``U = WΔ1 P⁻¹A'(AP⁻¹A')⁻¹AP⁻¹ Δ1'W``: ``Δχ² = a (T0 − T1) + b`` with ``a = sqrt(m / tr((UΓ)²))``,
    ``b = m − a·tr(UΓ)`` and ``m`` the difference in df. Returns (Δχ², m, p).
    """
    from scipy.linalg import null_space

    m = restricted["df"] - free["df"]
    d1, d0 = free["delta"], restricted["delta"]
    h = np.linalg.pinv(d1) @ d0
    a_mat = null_space(h.T).T
    w = free["w"]
    p_inv = np.linalg.inv(d1.T @ (d1 * w[:, None]))
    apa = a_mat @ p_inv @ a_mat.T
    paap = p_inv @ a_mat.T @ np.linalg.pinv(apa) @ a_mat @ p_inv
    wd = d1 * w[:, None]
    a, b = _shift(wd @ paap @ wd.T @ free["gamma"], m)
    diff = (restricted["chisq"] - free["chisq"]) * a + b
    return diff, m, float(stats.chi2.sf(diff, m))


def _ordinal_rows(est, pt, mom, vcov_th, level) -> pd.DataFrame:
    """lavaan's rows for ordered indicators: thresholds ``x | t1`` …, zero intercepts and latent
    means, unit scale factors ``x ~*~ x`` (the residual variances are fixed rows already)."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    est = est.copy()
    rows = []
    se_th = np.sqrt(np.clip(np.diag(vcov_th), 0, None))
    k = 0
    for name, tau in zip(mom.names, mom.thresholds, strict=True):
        for t, value in enumerate(tau):
            s = se_th[k]
            k += 1
            zz = value / s
            rows.append(
                (name, "|", f"t{t + 1}", "", value, s, zz, 2 * stats.norm.sf(abs(zz)),
                 value - z * s, value + z * s, value)
            )  # fmt: skip
    fixed = [(v, "~1", "", 0.0) for v in mom.names] + [(v, "~1", "", 0.0) for v in pt.lv]
    fixed += [(v, "~*~", v, 1.0) for v in mom.names]
    for lhs, op, rhs, value in fixed:
        rows.append((lhs, op, rhs, "", value, 0.0, np.nan, np.nan, value, value, value))
    extra = pd.DataFrame(rows, columns=est.columns)
    out = pd.concat([est, extra], ignore_index=True)
    order = {"=~": 0, "~": 1, "~~": 2, "|": 3, "~1": 4, "~*~": 5, ":=": 6}
    out["_o"] = out["op"].map(order)
    return out.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _more_measures(indices, mom, rho, resid, w_all, n, n_th, sigma_star):
    """lavaan's other fitMeasures of an ordinal fit (GFI on the DWLS weights, WRMR, ...):
    :func:`cxkit.sem.fit_measures.extend` with zero threshold residuals."""
    from cxkit.sem.fit_measures import extend

    tau = np.concatenate([np.asarray(t, float) for t in mom.thresholds])
    s = np.concatenate([tau, rho])
    r = np.concatenate([np.zeros(n_th), resid])
    return extend(
        indices,
        estimator="WLSMV",
        n_lav=n - 1,
        groups=1,
        nobs=[n],
        gfi_parts=[(s, r, w_all)],
        resid_parts=[(mom.cor, sigma_star, None, None)],
        meanstructure=False,
        nel=len(s),
        n_th=n_th,
    )
