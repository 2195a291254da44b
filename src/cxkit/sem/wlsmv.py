"""Ordinal SEM: lavaan's ``estimator = "WLSMV"`` with every indicator ordered.

The indicators are taken as cut-up normal variables ``y*`` (delta parameterisation: ``Var(y*) = 1``,
so an indicator's residual variance is ``1 − Σ_common``, not a parameter). The sample statistics are
the thresholds, the polychoric correlations and their NACOV ``Γ`` (:mod:`cxkit.sem.categorical`).

* Estimates minimise the diagonally weighted least squares function
  ``F = (s − σ(θ))' W (s − σ(θ))`` with ``W = diag(Γ)⁻¹``; the thresholds are free, so they equal
  the sample thresholds, and the structural parameters are fitted to the correlations by the one
  optimizer of :mod:`cxkit.sem.optimize` (several groups: :class:`GroupsDWLSObjective` over every
  group's thresholds and correlations).
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
from cxkit.sem.categorical import OrdinalMoments, ordinal_moments, pairs
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
    """Answer codes 0 … K−1 over the categories that occur, −1 where an answer is missing."""
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
        seen = ~np.isnan(values)
        odd = np.flatnonzero(seen & (values != np.round(values)))
        if len(odd):
            raise ResponseError(
                f"column {c!r} has non-integer values (e.g. {values[odd[0]]:g} in row "
                f"{col.index[odd[0]]!r}); ordered variables must be whole answer codes",
                field=c,
            )
        lv = np.unique(values[seen])
        if len(lv) < 2:
            raise ResponseError(
                f"column {c!r} has {'a single answer (' + format(lv[0], 'g') + ')' if len(lv) else 'no answers'} "
                "in the rows used; an ordered variable needs at least two categories",
                field=c,
            )
        if len(lv) > 20:
            raise ResponseError(
                f"column {c!r} has {len(lv)} different values; ordered variables take few "
                "categories (at most 20): is it really an ordinal answer?",
                field=c,
            )
        levels.append(lv)
        code = np.full(len(values), -1, dtype=np.int64)
        code[seen] = np.searchsorted(lv, values[seen])
        codes.append(code)
    return np.column_stack(codes), levels


_codes_missing = _codes


def _check_ordered(probe, opts, mixed_ok: bool = False) -> list[str]:
    """The model's observed variables (or a clear error); all must be ordered unless
    ``mixed_ok``."""
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
        if rest and not mixed_ok:
            raise SpecificationError(
                "a mix of ordered and continuous variables is not available with "
                f"missing='pairwise' yet; continuous: {', '.join(rest)}. Use missing='listwise', "
                "or ordered=True"
            )
    if probe.dummies:
        raise ModelError(
            "observed predictors or outcomes in regressions are not available with ordered "
            f"indicators yet ({', '.join(probe.dummies)}); use latent variables only, or "
            "estimator='MLR' without ordered="
        )
    ordered = set(cols) if opts.ordered is True else set(opts.ordered)
    if any(r.user and r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered for r in probe.rows):
        raise SpecificationError(
            "with ordered indicators their residual variances are not parameters (they are "
            "1 − the common variance); remove 'x ~~ x' lines for indicators"
        )
    return cols


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
    """Fit ``model`` with every indicator ordered (see the module docstring): the fields of its
    SEMResult (made by :func:`cxkit.sem.fit.fit_sem`)."""
    from cxkit._version import __version__
    from cxkit.sem.estimates import build_estimates, r_squared
    from cxkit.sem.information import sandwich_wls
    from cxkit.sem.objective import DWLSObjective
    from cxkit.sem.samplestats import GroupStats, SampleStats, numeric_columns
    from cxkit.sem.syntax import parse_model

    mixed = opts.ordered is not True and bool(opts.ordered)
    if mixed:
        ov = build_partable(parse_model(model), frame.columns, std_lv=opts.std_lv).ov
        mixed = any(v not in opts.ordered for v in ov)
    if opts.group is not None or mixed or opts.parameterization == "theta":
        return fit_wlsmv_groups(model, frame, opts)
    parsed = parse_model(model)
    probe = build_partable(parsed, frame.columns, std_lv=opts.std_lv)
    cols = _check_ordered(probe, opts)
    numeric_columns(frame, cols)
    pairwise = opts.missing == "pairwise"
    used = frame[cols][frame[cols].notna().any(axis=1)] if pairwise else frame[cols].dropna()
    n = len(used)
    if n < 10:
        raise ModelError(f"only {n} usable row(s) for the model's {len(cols)} variables")
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
    indices = _indices(
        n, 1, npar, chisq, df, b_chisq, b_df, srmr(mom.cor, sigma_star), (a, b), (a_b, b_b)
    )
    indices = _more_measures(indices, mom, rho, resid, w_all, n, n_th, sigma_star)
    est = build_estimates(pt, mdl, theta, vcov, opts.level)
    est = _ordinal_rows(est, pt, mom, vcov_full[q:, q:], opts.level)
    provenance = {
        "model": model,
        **opts.describe(),
        "ordered": list(cols),
        "parameterization": "delta",
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
    return dict(
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


def _indices(n, ng, npar, chisq, df, b_chisq, b_df, srmr_value, ab, ab_base) -> pd.Series:
    """The fit indices of a WLSMV fit: the ordinary ones (N − G cases in RMSEA, ×√G with groups,
    as lavaan) and the scaled-shifted ones ``a·T + b`` of the model and the baseline."""
    (a, b), (a_b, b_b) = ab, ab_base
    indices = assemble(n - ng, npar, chisq, df, b_chisq, b_df, srmr_value, np.nan, ng)
    indices["n"] = int(n)
    scaled = a * chisq + b if df > 0 else chisq  # nothing to adjust in a saturated model
    b_scaled = a_b * b_chisq + b_b
    gsq = np.sqrt(ng)
    low, high = rmsea_ci(scaled, df, n - ng)
    scaled_indices = {
        "chisq_scaled": scaled,
        "pvalue_scaled": float(stats.chi2.sf(scaled, df)) if df > 0 else np.nan,
        "scaling_factor": 1 / a,
        "shift_parameter": b,
        "baseline_chisq_scaled": b_scaled,
        "baseline_scaling_factor": 1 / a_b,
        "cfi_scaled": cfi_value(scaled, df, b_scaled, b_df),
        "tli_scaled": tli_value(scaled, df, b_scaled, b_df),
        "rmsea_scaled": rmsea_value(scaled, df, n - ng) * gsq,
        "rmsea_ci_low_scaled": low * gsq,
        "rmsea_ci_high_scaled": high * gsq,
    }
    return pd.concat([indices, pd.Series(scaled_indices)])


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


# -- several groups ---------------------------------------------------------------------------
#: what ``group_equal`` accepts with ordered indicators (lavaan's ``group.equal``)
ORDINAL_EQUAL = ("thresholds", "loadings", "intercepts", "means", "lv.variances",
                 "lv.covariances", "regressions", "residual.covariances")  # fmt: skip


def _renumber(pt, rows):
    """``pt`` with ``rows``, the free indices renumbered 0 … q−1 in order of first appearance."""
    from dataclasses import replace

    new: dict[int, int] = {}
    out = []
    for r in rows:
        if r.free >= 0:
            new.setdefault(r.free, len(new))
            r = replace(r, free=new[r.free])
        out.append(r)
    return replace(pt, rows=tuple(out), npar=len(new), _cache={})


def _ordinal_partable(parsed, columns, ngroups, opts, cols, ordered_cols=None):
    """The table of a multi-group ordinal model, as lavaan builds it with the delta
    parameterization: y* intercepts 0, residual variances of y* not parameters (0 here: Σ is the
    common part), latent means 0 in group 1 and, when thresholds are held equal (and means are
    not), free after it."""
    from dataclasses import replace

    equal = tuple(opts.group_equal)
    bad = [k for k in equal if k not in ORDINAL_EQUAL]
    if bad:
        raise SpecificationError(
            f"group_equal={bad[0]!r} is not available with ordered indicators; use any of: "
            f"{', '.join(map(repr, ORDINAL_EQUAL))} (residual variances of y* are not "
            "parameters with the delta parameterization)"
        )
    th_equal = "thresholds" in equal
    if "intercepts" in equal and not th_equal:
        raise SpecificationError(
            "group_equal 'intercepts' without 'thresholds' is not available with ordered "
            "indicators (their y* intercepts are 0); add 'thresholds' (lavaan's group.equal = "
            'c("thresholds", ...))'
        )
    pt_equal = [k for k in equal if k not in ("thresholds", "intercepts")]
    partial = [s for s in opts.group_partial if "|" not in s]
    if th_equal:
        # frees the latent means after group 1 and, as lavaan, ties the continuous variables'
        # intercepts (their "thresholds")
        pt_equal.append("intercepts")
    pt = build_partable(
        parsed,
        columns,
        ngroups=ngroups,
        meanstructure=True,
        std_lv=opts.std_lv,
        group_equal=tuple(pt_equal),
        group_partial=tuple(partial),
        extra_fixed=tuple(cols if ordered_cols is None else ordered_cols),
    )
    ordered = set(cols if ordered_cols is None else ordered_cols)
    theta = opts.parameterization == "theta"
    rows = []
    fresh = 10**9
    for r in pt.rows:
        if r.op == "~1" and r.lhs in ordered:
            r = replace(r, free=-1, value=0.0)
        elif r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered and r.free < 0:
            if not theta:
                r = replace(r, value=0.0)  # delta: Σ holds the common part only
            elif th_equal and r.group > 1 and not r.user:
                r = replace(r, free=fresh)  # theta: free after group 1 with equal thresholds
                fresh += 1
        rows.append(r)
    return _renumber(pt, rows)


class _GroupsModel:
    """θ = (the table's free parameters, thresholds, scale factors) → every group's
    ``s_g = (τ_g, ρ_g)``: ``ρ_jk = Δ_j Δ_k [ΛΨΛ' + Θ_offdiag]_jk`` and ``τ_jk* = Δ_j (τ_jk − μ_j)``
    with ``μ = Λ (I − B)⁻¹ α`` (lavaan's delta parameterization)."""

    def __init__(
        self, pt, n_th_var: list[int], th_equal: bool, partial_th: set, numeric=None,
        theta_param: bool = False,
    ):  # fmt: skip
        self.pt = pt
        self.theta_param = theta_param
        numeric = np.zeros(len(pt.ov), bool) if numeric is None else np.asarray(numeric, bool)
        self.numeric = numeric
        self.model = Model(pt)
        self.q = pt.npar
        p = len(pt.ov)
        self.p = p
        self.var_of = np.repeat(np.arange(p), n_th_var)
        n_th = int(sum(n_th_var))
        self.n_th = n_th
        g_n = pt.ngroups
        k = self.q
        self.th_idx = np.zeros((g_n, n_th), dtype=int)
        th_names = [(pt.ov[j], t) for j in range(p) for t in range(n_th_var[j])]
        slot_numeric = numeric[self.var_of]
        self.slot_numeric = slot_numeric
        for g in range(g_n):
            for m, (v, t) in enumerate(th_names):
                if slot_numeric[m]:
                    self.th_idx[g, m] = -1
                elif g > 0 and th_equal and (v, t) not in partial_th:
                    self.th_idx[g, m] = self.th_idx[0, m]
                else:
                    self.th_idx[g, m] = k
                    k += 1
        self.sc_idx = np.full((g_n, p), -1)
        if th_equal and not theta_param:
            ords = np.flatnonzero(~numeric)
            for g in range(1, g_n):
                self.sc_idx[g, ords] = np.arange(k, k + len(ords))
                k += len(ords)
        self.num_idx = np.flatnonzero(numeric)
        self.npar = k
        prs = pairs(p)
        self.ii = np.array([i for i, _ in prs], dtype=int)
        self.jj = np.array([j for _, j in prs], dtype=int)

    def scales(self, theta: np.ndarray, g: int, mom=None) -> np.ndarray:
        """Δ of group g for a stack of θ (B, npar) → (B, p); with the theta parameterization
        ``1/sqrt(diag Σ)`` of the ordered variables (``mom``: the group's moments, if known)."""
        if self.theta_param:
            if mom is None:
                mom = self.model.moments(theta[:, : self.q])[g]
            sig = mom.sigma if mom.sigma.ndim == 3 else mom.sigma[None]
            diag = np.diagonal(sig, axis1=-2, axis2=-1)
            return np.where(self.numeric, 1.0, 1.0 / np.sqrt(np.abs(diag)))
        idx = self.sc_idx[g]
        out = np.ones((theta.shape[0], self.p))
        free = idx >= 0
        out[:, free] = theta[:, idx[free]]
        return out

    def s(self, theta: np.ndarray) -> list[np.ndarray]:
        """Every group's model-implied (τ*, ρ) for a stack of θ (B, npar): a list of (B, m_g)."""
        theta = np.atleast_2d(theta)
        moms = self.model.moments(theta[:, : self.q])
        out = []
        for g, mom in enumerate(moms):
            d = self.scales(theta, g, mom)
            tau = theta[:, np.maximum(self.th_idx[g], 0)]
            mu = mom.mu[:, self.var_of] if mom.mu.ndim == 2 else mom.mu[None, self.var_of]
            th = np.where(self.slot_numeric, -mu, d[:, self.var_of] * (tau - mu))
            rho = d[:, self.ii] * d[:, self.jj] * mom.sigma[:, self.ii, self.jj]
            var = mom.sigma[:, self.num_idx, self.num_idx]
            out.append(np.hstack([th, var, rho]))
        return out

    def jacobian(self, theta: np.ndarray) -> list[np.ndarray]:
        """∂s_g/∂θ of every group by central differences (one stacked evaluation)."""
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        eye = np.diag(h)
        vals = self.s(np.vstack([theta + eye, theta - eye]))
        k = len(theta)
        return [((v[:k] - v[k:]) / (2 * h)[:, None]).T for v in vals]


class GroupsDWLSObjective:
    """DWLS over every group's ``s_g = (τ*, ρ)`` for the one optimizer
    (:func:`cxkit.sem.optimize.minimize`): ``½ Σ_g c_g (s_g − σ_g(θ))' W_g (s_g − σ_g(θ))``
    (``c_g = N_g − 1``), its gradient and Gauss–Newton information ``Σ_g c_g J_g' W_g J_g``
    from the model's Jacobian, for a stack of θ."""

    def __init__(self, gm: _GroupsModel, s_obs, ws, nw) -> None:
        self.gm, self.s_obs, self.ws = gm, s_obs, ws
        self.nw = np.asarray(nw, float)
        self.total_n = float(self.nw.sum())

    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        theta = np.atleast_2d(theta)
        with np.errstate(all="ignore"):
            vals = self.gm.s(theta)
            f = sum(
                0.5 * c * (((so - v) ** 2) @ w)
                for so, v, w, c in zip(self.s_obs, vals, self.ws, self.nw, strict=True)
            )
        return np.where(np.isfinite(f), f, np.inf)

    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        theta = np.atleast_2d(theta)
        b, q = theta.shape
        grad = np.zeros((b, q))
        hess = np.zeros((b, q, q)) if info else None
        vals = self.gm.s(theta)
        for k in range(b):
            jac = self.gm.jacobian(theta[k])
            for so, v, w, c, jg in zip(self.s_obs, vals, self.ws, self.nw, jac, strict=True):
                wj = jg * (c * w)[:, None]
                grad[k] -= wj.T @ (so - v[k])
                if info:
                    hess[k] += jg.T @ wj
        return grad, hess


def _dwls_groups(gm: _GroupsModel, s_obs, w, nw, theta, max_iter: int = 500):
    """The DWLS minimum of every group's moments by the one optimizer; (θ, converged,
    iterations)."""
    opt = minimize(GroupsDWLSObjective(gm, s_obs, w, nw), theta, max_iter=max_iter)
    return opt.theta[0], bool(opt.converged[0]), int(opt.iterations[0])


def _scaled_shift(deltas, ws, gammas, fg, df):
    """lavaan's scaled-shifted (a, b) over all groups: ``V = ⊕ f_g W_g``, ``Γ = ⊕ Γ_g / f_g``,
    ``U = V − VΔ(Δ'VΔ)⁻¹Δ'V``."""
    v = np.concatenate([f * w for f, w in zip(fg, ws, strict=True)])
    gam = _block_gamma(gammas, fg)
    d = np.vstack(deltas)
    vd = d * v[:, None]
    if d.shape[1]:
        u = np.diag(v) - vd @ np.linalg.solve(d.T @ vd, vd.T)
    else:
        u = np.diag(v)
    return _shift(u @ gam, df)


def fit_wlsmv_groups(model: str, frame: pd.DataFrame, opts):
    """WLSMV in several groups (``group=``), lavaan's delta parameterization: the groups'
    thresholds, polychoric correlations and Γ; DWLS over ``(τ, ρ)`` of every group; robust SEs
    ``(N − G)⁻¹ E⁻¹ (Σ f_g Δ_g'W_gΓ_gW_gΔ_g) E⁻¹`` with ``E = Σ f_g Δ_g'W_gΔ_g``,
    ``f_g = N_g/N``; ``χ² = Σ (N_g − 1) F_g``; the scaled-shifted test over the stacked groups
    (:func:`_scaled_shift`). ``group_equal`` takes ``thresholds`` (then the scale factors and the
    latent means are free after group 1, as lavaan), ``loadings``, ``intercepts`` (the y*
    intercepts are 0 already: the same model), ...; the fields of its SEMResult."""

    from cxkit._version import __version__
    from cxkit.sem.categorical import mixed_moments
    from cxkit.sem.estimates import build_estimates, r_squared
    from cxkit.sem.information import invert
    from cxkit.sem.samplestats import GroupStats, SampleStats, group_labels, numeric_columns
    from cxkit.sem.syntax import parse_model

    parsed = parse_model(model)
    labels = group_labels(frame, opts.group)
    probe = build_partable(parsed, frame.columns, std_lv=opts.std_lv)
    pairwise = opts.missing == "pairwise"
    cols = _check_ordered(probe, opts, mixed_ok=not pairwise)
    ordered_cols = cols if opts.ordered is True else [v for v in cols if v in opts.ordered]
    numeric = np.array([v not in ordered_cols for v in cols])
    numeric_columns(frame, cols)
    gcol = [opts.group] if opts.group is not None else []
    keep = frame[opts.group].notna() if opts.group is not None else np.ones(len(frame), bool)
    sub = frame.loc[keep, [*cols, *gcol]]
    used = sub[sub[cols].notna().any(axis=1)] if pairwise else sub.dropna()
    ord_codes, ord_levels = _codes_missing(used[ordered_cols], ordered_cols)
    codes_all = np.zeros((len(used), len(cols)), dtype=np.int64)
    levels: list = [None] * len(cols)
    for k, v in enumerate(ordered_cols):
        j = cols.index(v)
        codes_all[:, j] = ord_codes[:, k]
        levels[j] = ord_levels[k]
    if opts.group is None:
        groups_rows = [np.arange(len(used))]
    else:
        groups_rows = [np.flatnonzero((used[opts.group] == lab).to_numpy()) for lab in labels]
    x_all = used[cols].to_numpy(float)
    moms, gstats = [], []
    for lab, idx in zip(labels, groups_rows, strict=True):
        c = codes_all[idx]
        for j, v in enumerate(cols):
            if numeric[j]:
                continue
            seen = np.unique(c[:, j][c[:, j] >= 0])
            if len(seen) != len(levels[j]):
                absent = sorted(set(levels[j]) - {levels[j][s] for s in seen})
                raise ModelError(
                    f"column {v!r} has no answer {', '.join(f'{a:g}' for a in absent)} in group "
                    f"{lab} of {opts.group!r}; lavaan needs every category in every group (merge rare "
                    "categories)"
                )
        if len(idx) < 10:
            raise ModelError(f"group {lab} of {opts.group!r} has only {len(idx)} row(s)")
        x = x_all[idx]
        if numeric.any():
            mom = mixed_moments(x, c, cols, levels)
        else:
            mom = ordinal_moments(c, cols, levels)
        moms.append(mom)
        gstats.append(GroupStats(lab, x, len(idx), np.zeros(len(cols)), mom.cor, ordinal=mom))
    ng = len(labels)
    pt = _ordinal_partable(parsed, frame.columns, ng, opts, cols, ordered_cols)
    th_equal = "thresholds" in opts.group_equal
    partial_th = set()
    for s in opts.group_partial:
        if "|" in s:
            v, t = (x.strip() for x in s.split("|"))
            if v not in cols or not t.startswith("t") or not t[1:].isdigit():
                raise SpecificationError(
                    f"group_partial {s!r} is not a threshold of the model; write e.g. 'A1 | t2'"
                )
            partial_th.add((v, int(t[1:]) - 1))
    n_th_var = [1 if lv is None else len(lv) - 1 for lv in levels]
    theta_param = opts.parameterization == "theta"
    gm = _GroupsModel(pt, n_th_var, th_equal, partial_th, numeric, theta_param)
    s_obs = [m.vector() for m in moms]
    ws = [1.0 / np.diag(m.gamma) for m in moms]
    n_g = np.array([m.n for m in moms], float)
    n = float(n_g.sum())
    m_total = sum(len(s) for s in s_obs)
    if gm.npar > m_total:
        raise ModelError(
            f"the model has {gm.npar} free parameters but only {m_total} sample statistics "
            "(thresholds and polychoric correlations): it is not identified"
        )
    sstats = SampleStats(tuple(cols), gstats, int(len(frame) - len(used)), used)
    theta0 = np.zeros(gm.npar)
    theta0[: gm.q] = Model(pt).start_values(sstats)
    for g in range(ng):
        if g == 0 or not th_equal:
            own = gm.th_idx[g] >= 0
            theta0[gm.th_idx[g][own]] = np.concatenate(moms[g].thresholds)[own]
    for g in range(ng):
        free = gm.sc_idx[g] >= 0
        theta0[gm.sc_idx[g][free]] = 1.0
    theta, converged, iterations = _dwls_groups(gm, s_obs, ws, n_g - 1, theta0)
    vals = [v[0] for v in gm.s(theta[None])]
    resid = [so - v for so, v in zip(s_obs, vals, strict=True)]
    chisq_g = np.array([c * float((r**2) @ w) for r, w, c in zip(resid, ws, n_g - 1, strict=True)])
    chisq = float(chisq_g.sum())
    deltas = gm.jacobian(theta)
    fg = n_g / n
    e = sum(f * (d.T @ (d * w[:, None])) for f, d, w in zip(fg, deltas, ws, strict=True))
    e_inv = invert(e)
    meat = sum(
        f * ((d * w[:, None]).T @ gam @ (d * w[:, None]))
        for f, d, w, gam in zip(fg, deltas, ws, [m.gamma for m in moms], strict=True)
    )
    vcov_full = e_inv @ meat @ e_inv / (n - ng)
    npar = gm.npar
    df = m_total - npar
    gammas = [m.gamma for m in moms]
    a, b = _scaled_shift(deltas, ws, gammas, fg, df) if df > 0 else (np.nan, np.nan)
    # the baseline: thresholds free in every group, no correlations
    n_th = gm.n_th + len(gm.num_idx)  # thresholds (−means), then the continuous variances
    b_deltas, col = [], 0
    k_b = ng * n_th
    for so in s_obs:
        d = np.zeros((len(so), k_b))
        d[:n_th, col : col + n_th] = np.eye(n_th)
        col += n_th
        b_deltas.append(d)
    b_chisq = float(
        sum(
            c * float((so[n_th:] ** 2) @ w[n_th:])
            for so, w, c in zip(s_obs, ws, n_g - 1, strict=True)
        )
    )
    b_df = float(m_total - k_b)
    a_b, b_b = _scaled_shift(b_deltas, ws, gammas, fg, b_df)
    # the y* scale: Var(y*) = 1/Δ², residual variances 1/Δ² − the common variance
    theta_pt = theta[: gm.q]
    moms_c = Model(pt).moments(theta_pt)
    values = {}
    scales = []
    for g in range(ng):
        dg = gm.scales(theta[None], g)[0]
        scales.append(dg)
        common = np.diag(moms_c[g].sigma)
        for k, v in enumerate(cols):
            if not numeric[k] and not theta_param:
                values[(g + 1, v, "~~", v)] = 1.0 / dg[k] ** 2 - common[k]
    pt_out = pt.with_values(values)
    mdl = Model(pt_out)
    srmr_total = 0.0
    for g in range(ng):
        sig = mdl.moments(theta_pt)[g].sigma
        dd = np.diag(scales[g])
        srmr_total += n_g[g] * srmr(moms[g].cor, dd @ sig @ dd)
    indices = _indices(n, ng, npar, chisq, df, b_chisq, b_df, srmr_total / n, (a, b), (a_b, b_b))
    est = build_estimates(pt_out, mdl, theta_pt, vcov_full[: gm.q, : gm.q], opts.level)
    est = _group_ordinal_rows(est, gm, theta, vcov_full, moms, scales, opts.level)
    provenance = {
        "model": model,
        **opts.describe(),
        "ordered": list(ordered_cols),
        "parameterization": opts.parameterization,
        "n_used": int(n),
        "n_dropped": int(len(frame) - len(used)),
        "data_sha256": data_sha256(used),
        "cxkit": __version__,
        "start": "lavaan-like simple starting values, then DWLS by the one optimizer (Fisher scoring, then BFGS)",
        "iterations": iterations,
        "levels": {
            c: [float(v) for v in lv] for c, lv in zip(cols, levels, strict=True) if lv is not None
        },
        **instrument_attrs(frame),
    }
    if opts.group is not None:
        provenance.update(
            group=opts.group,
            groups=[str(g) for g in labels],
            group_equal=sorted(opts.group_equal),
            group_partial=list(opts.group_partial),
        )
    if numeric.any():
        provenance["continuous"] = [v for v, k in zip(cols, numeric, strict=True) if k]
    sig0 = mdl.moments(theta_pt)[0].sigma
    d0 = np.diag(scales[0])
    return dict(
        partable=pt_out,
        model_matrices=mdl,
        stats=sstats,
        options=opts,
        theta=theta_pt,
        vcov=vcov_full[: gm.q, : gm.q],
        sample_cov=pd.DataFrame(moms[0].cor, index=cols, columns=cols),
        implied_cov=pd.DataFrame(d0 @ sig0 @ d0, index=cols, columns=cols),
        estimates=est,
        fit_indices=indices,
        r_squared=r_squared(pt_out, mdl, theta_pt),
        converged=converged,
        provenance=provenance,
        level=opts.level,
        ordinal={
            "s": np.concatenate(s_obs),
            "w": np.concatenate([f * w for f, w in zip(fg, ws, strict=True)]),
            "gamma": _block_gamma(gammas, fg),
            "delta": np.vstack(deltas),
            "chisq": chisq,
            "df": df,
            "theta": theta,
            "th_equal": th_equal,
            "partial_th": partial_th,
            "numeric": numeric,
            "theta_param": theta_param,
        },
    )


def _block_gamma(gammas, fg):
    from scipy.linalg import block_diag

    return block_diag(*[gm / f for gm, f in zip(gammas, fg, strict=True)])


def _group_ordinal_rows(est, gm, theta, vcov, moms, scales, level) -> pd.DataFrame:
    """Thresholds ``x | t1`` … and scale factors ``x ~*~ x`` of every group (lavaan's rows; the
    y* intercepts and latent means are rows of the table already)."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    rows = []
    names = gm.pt.ov
    for g in range(gm.pt.ngroups):
        for m in range(gm.n_th):
            if gm.slot_numeric[m]:
                continue
            j = gm.var_of[m]
            t = m - int(np.flatnonzero(gm.var_of == j)[0])
            k = gm.th_idx[g, m]
            v, s = float(theta[k]), float(se[k])
            zz = v / s if s > 0 else np.nan
            rows.append((names[j], "|", f"t{t + 1}", "", g + 1, v, s, zz,
                         2 * stats.norm.sf(abs(zz)), v - z * s, v + z * s, v * scales[g][j]))  # fmt: skip
        for j, name in enumerate(names):
            if gm.numeric[j]:
                continue
            k = gm.sc_idx[g, j]
            if k >= 0:
                v, s = float(theta[k]), float(se[k])
                zz = v / s if s > 0 else np.nan
                rows.append((name, "~*~", name, "", g + 1, v, s, zz,
                             2 * stats.norm.sf(abs(zz)), v - z * s, v + z * s, 1.0))  # fmt: skip
            else:  # fixed: 1 (delta) or 1/sd(y*) (theta)
                v = float(scales[g][j])
                rows.append((name, "~*~", name, "", g + 1, v, 0.0, np.nan, np.nan, v, v, 1.0))
    extra = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "label", "group", "est", "se", "z",
                                        "pvalue", "ci_low", "ci_high", "std_all"])  # fmt: skip
    out = pd.concat([est, extra[est.columns]], ignore_index=True)
    order = {"=~": 0, "~": 1, "~~": 2, "|": 3, "~1": 4, "~*~": 5, ":=": 6}
    out["_o"] = out["op"].map(order)
    out["_g"] = out["group"].replace(0, 99) if "group" in out else 1
    out = out.sort_values(["_g", "_o"], kind="stable").drop(columns=["_o", "_g"])
    return out.reset_index(drop=True)


def modification_indices(result, minimum: float = 0.0) -> pd.DataFrame:
    """lavaan's ``modindices`` of a WLSMV fit: for every candidate parameter (the candidates of
    :func:`cxkit.sem.diagnostics.modification_indices`), from the DWLS expected information of
    the extended model ``I = Σ f_g Δ_g'W_gΔ_g`` and the gradient
    ``g = −Σ f_g (N_g − 1)/N_g Δ_g'W_g(s_g − σ_g)``
    over (the table's parameters, thresholds, scale factors): ``mi = N g_c² / V_c`` with
    ``V_c = I_cc − I_cf I_ff⁻¹ I_fc``, ``epc = −g_c / V_c`` (``g_c`` net of the model's own
    gradient). Candidates with ``V_c`` below ``eps^(1/3)`` are left out, as lavaan leaves them."""

    from cxkit.sem.diagnostics import extended_partable, score_table

    if result.provenance.get("parameterization") == "theta":
        raise SpecificationError(
            "modification indices of parameterization='theta' fits are not available yet "
            "(lavaan's modindices also frees the derived scale factors there); refit with "
            "parameterization='delta', which gives the same fit"
        )
    pt = result.partable
    q = pt.npar
    pt_ext, tested, values = extended_partable(pt)
    moms = [g.ordinal for g in result.stats.groups]
    state = result.ordinal
    rest = state.get("theta", np.concatenate([result.theta, *moms[0].thresholds]))[q:]
    n_th_var = [len(t) for t in moms[0].thresholds]
    gm = _GroupsModel(
        pt_ext,
        n_th_var,
        state.get("th_equal", False),
        state.get("partial_th", set()),
        state.get("numeric"),
        state.get("theta_param", False),
    )
    theta = np.concatenate([result.theta, values, rest])
    n_g = np.array([m.n for m in moms], float)
    n = float(n_g.sum())
    vals = gm.s(theta[None])
    jac = gm.jacobian(theta)
    info = np.zeros((len(theta), len(theta)))
    grad = np.zeros(len(theta))
    for m, v, d, ng_ in zip(moms, vals, jac, n_g, strict=True):
        w = 1.0 / np.diag(m.gamma)
        wd = d * (w * ng_ / n)[:, None]
        info += d.T @ wd
        grad -= (ng_ - 1) / ng_ * (wd.T @ (m.vector() - v[0]))  # lavaan's (N_g − 1)/N_g
    c_idx = np.arange(q, q + len(tested))
    f_idx = np.setdiff1d(np.arange(len(theta)), c_idx)
    # per-case information and gradient as sample totals; lavaan takes the candidate's own
    # gradient (the model's is 0 at the estimate)
    return score_table(tested, n * grad, n * info, c_idx, f_idx, n, pt.ngroups, minimum, net=False)


def bootstrap_draws(result, per_group: list[np.ndarray], bar=None):
    """Resample draws of a multi-group (or mixed, or theta) WLSMV fit: for every resample each
    group's rows are redrawn (``per_group[g]``: resamples × N_g row indices), its thresholds,
    polychorics and weights recomputed (as lavaan) and the DWLS model refitted from the estimate.
    Returns (draws (B, 2m): ``result.estimates``' est then std_all, ok, admissible); a resample in
    which some item's category is empty in a group is left out (lavaan: an error)."""
    from cxkit.sem.categorical import mixed_moments

    state = result.ordinal
    pt = result.partable
    cols = list(pt.ov)
    numeric = np.asarray(state.get("numeric", np.zeros(len(cols), bool)))
    levels = [
        None if numeric[j] else np.asarray(result.provenance["levels"][v])
        for j, v in enumerate(cols)
    ]
    n_th_var = [1 if lv is None else len(lv) - 1 for lv in levels]
    base = _renumber(pt, pt.rows)  # the fitted table (Θ of y* as fitted)
    rows = []
    for r in base.rows:  # the delta parameterization fits Σ's common part: Θ of y* at 0
        if not state.get("theta_param") and r.op == "~~" and r.lhs == r.rhs and r.free < 0:
            if r.lhs in cols and not numeric[cols.index(r.lhs)]:
                from dataclasses import replace

                r = replace(r, value=0.0)
        rows.append(r)
    fit_pt = _renumber(base, rows)
    gm = _GroupsModel(fit_pt, n_th_var, state.get("th_equal", False),
                      state.get("partial_th", set()), numeric, state.get("theta_param", False))  # fmt: skip
    est0 = result.estimates
    keys = list(zip(est0["lhs"], est0["op"], est0["rhs"], est0.get("group", 1), strict=True))
    m = len(keys)
    b = per_group[0].shape[0]
    draws = np.full((b, 2 * m), np.nan)
    ok = np.zeros(b, dtype=bool)
    adm = np.ones(b, dtype=bool)
    xs = [g.x for g in result.stats.groups]
    theta_hat = state["theta"]
    ng = len(xs)
    for k in range(b):
        moms = []
        for g in range(ng):
            x = xs[g][per_group[g][k]]
            codes = np.zeros(x.shape, dtype=np.int64)
            empty = False
            for j, lv in enumerate(levels):
                if lv is None:
                    continue
                c = np.where(np.isnan(x[:, j]), -1, np.searchsorted(lv, x[:, j]))
                codes[:, j] = c
                empty |= len(np.unique(c[c >= 0])) != len(lv)
            if empty:
                break
            moms.append(mixed_moments(x, codes, cols, levels) if numeric.any()
                        else ordinal_moments(codes, cols, levels))  # fmt: skip
        if len(moms) < ng:
            if bar is not None:
                bar.update(1)
            continue
        s_obs = [mm.vector() for mm in moms]
        ws = [1.0 / np.diag(mm.gamma) for mm in moms]
        n_g = np.array([mm.n for mm in moms], float)
        with np.errstate(all="ignore"):
            theta, conv, _ = _dwls_groups(gm, s_obs, ws, n_g - 1, theta_hat.copy(), max_iter=100)
        if not conv:
            if bar is not None:
                bar.update(1)
            continue
        est, admissible = _value_table(gm, fit_pt, theta, numeric, cols, result.level)
        got = dict(zip(zip(est["lhs"], est["op"], est["rhs"], est.get("group", 1), strict=True),
                       zip(est["est"], est["std_all"], strict=True), strict=True))  # fmt: skip
        vals = [got.get(key, (np.nan, np.nan)) for key in keys]
        draws[k, :m] = [v[0] for v in vals]
        draws[k, m:] = [v[1] for v in vals]
        ok[k] = True
        adm[k] = admissible
        if bar is not None:
            bar.update(1)
    return draws, ok, adm


def _value_table(gm, pt, theta, numeric, cols, level):
    """Estimates and std_all of every row at ``theta`` (no SEs), and whether the y* residual
    variances are admissible (≥ 0)."""
    from cxkit.sem.estimates import build_estimates

    theta_pt = theta[: gm.q]
    moms_c = Model(pt).moments(theta_pt)
    values, scales, admissible = {}, [], True
    for g in range(pt.ngroups):
        dg = gm.scales(theta[None], g)[0]
        scales.append(dg)
        common = np.diag(moms_c[g].sigma)
        for k, v in enumerate(cols):
            if not numeric[k] and not gm.theta_param:
                values[(g + 1, v, "~~", v)] = 1.0 / dg[k] ** 2 - common[k]
                admissible &= bool(values[(g + 1, v, "~~", v)] >= 0)
    pt_out = pt.with_values(values)
    zero = np.zeros((gm.npar, gm.npar))
    est = build_estimates(pt_out, Model(pt_out), theta_pt, zero[: gm.q, : gm.q], level)
    est = _group_ordinal_rows(est, gm, theta, zero, None, scales, level)
    return est, admissible
