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
from cxkit.sem.indices import assemble, cfi_value, rmsea_ci, rmsea_value, srmr, tli_value
from cxkit.sem.ml import fisher_scoring
from cxkit.sem.spec import ModelSpec

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


def _delta_spec(model: str, columns, cols: list[str], s: pd.DataFrame, std_lv: bool) -> ModelSpec:
    """The model with every indicator's residual variance fixed (its value is not used: only the
    off-diagonal correlations are fitted)."""
    extra = "\n".join(f"{v} ~~ 1*{v}" for v in cols)
    try:
        return ModelSpec.build(model + "\n" + extra, columns, sample_cov=s, std_lv=std_lv)
    except (ModelError, SpecificationError) as exc:
        raise SpecificationError(
            "with ordered indicators their residual variances are not parameters (they are "
            f"1 − the common variance); remove 'x ~~ x' lines for indicators. ({exc.message})"
        ) from exc


def _starts(
    spec: ModelSpec, model: str, used: pd.DataFrame, r: pd.DataFrame, std_lv: bool
) -> np.ndarray:
    """Starting values: ML on the polychoric matrix with free residual variances (itself started
    from semopy on the standardised answers), mapped over."""
    from cxkit.sem.fit import _semopy_start
    from cxkit.sem.ml import discrepancy

    free_spec = ModelSpec.build(model, used.columns, sample_cov=r, std_lv=std_lv)
    rm = r.to_numpy()
    z = (used - used.mean()) / used.std(ddof=0)
    best, best_f = None, np.inf
    for start in (_semopy_start(free_spec, model, z, rm)[0], free_spec.start_values(rm)):
        th, _, _ = fisher_scoring(free_spec, rm, start)
        f = discrepancy(rm, free_spec.implied(th)[0])
        if f < best_f:
            best, best_f = th, f
    values = {(p.lhs, p.op, p.rhs): best[p.free] for p in free_spec.params if p.free >= 0}
    theta = spec.start_values(rm)
    for p in spec.params:
        if p.free >= 0 and (p.lhs, p.op, p.rhs) in values:
            theta[p.free] = values[(p.lhs, p.op, p.rhs)]
    return theta


def _dwls(spec: ModelSpec, theta: np.ndarray, rho: np.ndarray, w: np.ndarray, prs):
    """Gauss–Newton for ``Σ w (ρ − σ(θ))²`` over the off-diagonal elements; (θ, converged, its)."""
    ii = np.array([i for i, _ in prs])
    jj = np.array([j for _, j in prs])

    def resid(th):
        sigma, mats = spec.implied(th)
        return rho - sigma[ii, jj], mats

    r, mats = resid(theta)
    f = float(r @ (w * r))
    for it in range(1, 501):
        jac = spec.derivatives(theta, mats)[:, ii, jj].T
        jtw = jac.T * w
        step = np.linalg.lstsq(jtw @ jac, jtw @ r, rcond=None)[0]
        scale = 1.0
        for _ in range(40):
            cand = theta + scale * step
            r_c, mats_c = resid(cand)
            f_c = float(r_c @ (w * r_c))
            if np.isfinite(f_c) and f_c <= f + 1e-15:
                break
            scale /= 2
        else:
            return theta, False, it
        theta, r, mats, f_old, f = cand, r_c, mats_c, f, f_c
        if np.max(np.abs(scale * step)) < 1e-10 or abs(f_old - f) < 1e-15:
            return theta, True, it
    return theta, False, 500


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


def fit_wlsmv(model: str, frame: pd.DataFrame, std_lv: bool = False, level: float = 0.95):
    """Fit ``model`` with every indicator ordered (see the module docstring); a SEMResult."""
    from cxkit import __version__
    from cxkit.sem.fit import _estimates, _r_squared
    from cxkit.sem.result import SEMResult

    probe = ModelSpec.build(model, frame.columns, std_lv=std_lv)
    cols = probe.observed
    used = frame[cols].dropna()
    n = len(used)
    if n < 10:
        raise ModelError(f"only {n} complete row(s) for the model's {len(cols)} variables")
    codes, levels = _codes(used, cols)
    mom: OrdinalMoments = ordinal_moments(codes, cols, levels)
    r = pd.DataFrame(mom.cor, index=cols, columns=cols)
    spec = _delta_spec(model, frame.columns, cols, r, std_lv)
    if any(
        p.matrix == "P" and p.lhs == p.rhs and p.lhs in spec.observed and p.free < 0
        for p in spec.params
    ):
        raise SpecificationError(
            "observed predictors are not available with ordered indicators yet; use latent "
            "variables only"
        )
    prs = mom.pairs
    n_th = sum(len(t) for t in mom.thresholds)
    w_all = 1.0 / np.diag(mom.gamma)
    rho = np.array([mom.cor[i, j] for i, j in prs])
    theta, converged, iterations = _dwls(
        spec, _starts(spec, model, used.astype(float), r, std_lv), rho, w_all[n_th:], prs
    )
    sigma, mats = spec.implied(theta)
    q = spec.n_free
    ii = np.array([i for i, _ in prs])
    jj = np.array([j for _, j in prs])
    # Δ over [θ, τ] for s = (τ, ρ)
    delta = np.zeros((n_th + len(prs), q + n_th))
    delta[:n_th, q:] = np.eye(n_th)
    delta[n_th:, :q] = spec.derivatives(theta, mats)[:, ii, jj].T
    wd = delta * w_all[:, None]
    bread = np.linalg.inv(delta.T @ wd)
    vcov_full = bread @ (wd.T @ mom.gamma @ wd) @ bread / (n - 1)
    vcov = vcov_full[:q, :q]
    resid = rho - sigma[ii, jj]
    chisq = (n - 1) * float(resid @ (w_all[n_th:] * resid))
    npar = q + n_th
    df = n_th + len(prs) - npar
    b_chisq = (n - 1) * float(rho @ (w_all[n_th:] * rho))
    b_df = float(len(prs))
    a, b = _adjusted(delta, w_all, mom.gamma, df) if df > 0 else (np.nan, np.nan)
    a_b, b_b = _adjusted(delta[:, q:], w_all, mom.gamma, b_df)
    # the y* scale: unit variances, residual variances 1 − common variance
    common = np.diag(sigma) - np.diag(mats["T"])
    sigma_star = sigma.copy()
    np.fill_diagonal(sigma_star, 1.0)
    mats_star = dict(mats)
    mats_star["T"] = mats["T"].copy()
    np.fill_diagonal(mats_star["T"], 1.0 - common)
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
    est = _estimates(spec, theta, vcov, mats_star, sigma_star, level)
    est = _ordinal_rows(est, spec, mom, vcov_full[q:, q:], common, level)
    r2 = _r_squared(spec, mats_star, sigma_star)
    provenance = {
        "model": model,
        "estimator": "WLSMV",
        "missing": "listwise",
        "ordered": list(cols),
        "n_used": n,
        "n_dropped": int(len(frame) - n),
        "data_sha256": data_sha256(used),
        "cxkit": __version__,
        "start": "ML on the polychoric correlations, then DWLS (semopy is not used)",
        "iterations": iterations,
        "std_lv": std_lv,
        "levels": {c: [float(v) for v in lv] for c, lv in zip(cols, levels, strict=True)},
        **instrument_attrs(frame),
    }
    return SEMResult(
        spec=spec,
        theta=theta,
        vcov=vcov,
        sample_cov=r,
        implied_cov=pd.DataFrame(sigma_star, index=cols, columns=cols),
        estimates=est,
        fit_indices=indices,
        r_squared=r2,
        converged=converged,
        provenance=provenance,
        level=level,
        ordinal={
            "s": mom.vector(),
            "w": w_all,
            "gamma": mom.gamma,
            "delta": delta,
            "chisq": chisq,
            "df": df,
        },
    )


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


def _ordinal_rows(est, spec, mom, vcov_th, common, level) -> pd.DataFrame:
    """lavaan's rows for ordered indicators: residual variances as fixed values, thresholds
    ``x | t1`` …, zero intercepts and latent means, unit scale factors ``x ~*~ x``."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    est = est.copy()
    obs = {v: k for k, v in enumerate(spec.observed)}
    mask = (est["op"] == "~~") & (est["lhs"] == est["rhs"]) & est["lhs"].isin(obs)
    vals = est.loc[mask, "lhs"].map(lambda v: 1.0 - common[obs[v]])
    est.loc[mask, ["est", "ci_low", "ci_high", "std_all"]] = np.column_stack([vals] * 4)
    est.loc[mask, ["se", "z", "pvalue"]] = [0.0, np.nan, np.nan]
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
    fixed = [(v, "~1", "", 0.0) for v in mom.names] + [(v, "~1", "", 0.0) for v in spec.latent]
    fixed += [(v, "~*~", v, 1.0) for v in mom.names]
    for lhs, op, rhs, value in fixed:
        rows.append((lhs, op, rhs, "", value, 0.0, np.nan, np.nan, value, value, value))
    extra = pd.DataFrame(rows, columns=est.columns)
    out = pd.concat([est, extra], ignore_index=True)
    order = {"=~": 0, "~": 1, "~~": 2, "|": 3, "~1": 4, "~*~": 5, ":=": 6}
    out["_o"] = out["op"].map(order)
    return out.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
