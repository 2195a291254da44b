"""Stage 9: one ``parameterEstimates()`` builder for every estimator and any number of groups.

Rows follow lavaan's parameter table (the user's rows in syntax order, then the defaults; group by
group; the ``:=`` rows last with group 0). ``std_all`` is lavaan's ``standardizedSolution()``: loadings
and regressions scaled by the standard deviations of both variables, (residual) variances over the
total variance, (residual) covariances over the residual standard deviations (correlations), means and
intercepts over the standard deviation. ``:=`` parameters get delta-method standard errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import costs more than a small fit

from cxkit.sem.model import Model
from cxkit.sem.partable import ParTable, Row
from cxkit.sem.syntax import evaluate

COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_low", "ci_high", "std_all"]


def std_values(pt: ParTable, model: Model, theta: np.ndarray) -> np.ndarray:
    """``std_all`` of every row of ``pt`` (in row order)."""
    moms = model.moments(theta)
    out = np.empty(len(pt.rows))
    for k, r in enumerate(pt.rows):
        mom = moms[r.group - 1]
        out[k] = _std(r, _value(r, theta), mom)
    return out


def _value(r: Row, theta: np.ndarray) -> float:
    return float(theta[r.free]) if r.free >= 0 else r.value


def _std(r: Row, v: float, mom) -> float:
    mats = mom.mats
    sd_obs = np.sqrt(np.clip(np.diag(mom.sigma), 0, None))
    sd_in = np.sqrt(np.clip(np.diag(mats["inner_cov"]), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        if r.matrix == "L":
            return v * sd_in[r.col] / sd_obs[r.row]
        if r.matrix == "B":
            return v * sd_in[r.col] / sd_in[r.row]
        if r.matrix in ("P", "T"):
            if r.row == r.col:
                total = sd_in[r.row] ** 2 if r.matrix == "P" else sd_obs[r.row] ** 2
                return v / total
            res = mats[r.matrix]
            return v / np.sqrt(res[r.row, r.row] * res[r.col, r.col])
        if r.matrix == "nu":
            return v / sd_obs[r.row]
        if r.matrix == "alpha":
            return v / sd_in[r.row]
    return np.nan  # pragma: no cover


def defined_values(pt: ParTable, theta: np.ndarray, std: np.ndarray | None = None) -> list[float]:
    """The ``:=`` parameters at ``theta`` (or, with ``std``, at the standardised solution)."""
    if std is None:
        labels = pt.labels(theta)
    else:
        labels = {}
        for r, s in zip(pt.rows, std, strict=True):
            if r.label and r.label not in labels:
                labels[r.label] = float(s)
    return [evaluate(d.expr, labels) for d in pt.definitions]


def defined_jacobian(pt: ParTable, theta: np.ndarray) -> np.ndarray:
    """∂(:= parameters)/∂θ by central differences."""
    jac = np.zeros((len(pt.definitions), len(theta)))
    if not pt.definitions:
        return jac
    used = {r.free for r in pt.rows if r.label and r.free >= 0}
    for k in sorted(used):
        h = 1e-6 * max(1.0, abs(theta[k]))
        up, dn = theta.copy(), theta.copy()
        up[k] += h
        dn[k] -= h
        jac[:, k] = (np.array(defined_values(pt, up)) - np.array(defined_values(pt, dn))) / (2 * h)
    return jac


def value_matrix(pt: ParTable, model: Model, thetas: np.ndarray) -> np.ndarray:
    """Every reported row's estimate then its ``std_all``, for a stack of θ (B, q) at once: the
    bootstrap's draws (in the order of :func:`build_estimates`)."""
    thetas = np.atleast_2d(thetas)
    b = thetas.shape[0]
    moms = model.moments(thetas)
    n_rows = len(pt.rows)
    est = np.empty((b, n_rows))
    std = np.empty((b, n_rows))
    sd_obs = [np.sqrt(np.clip(np.diagonal(m.sigma, axis1=1, axis2=2), 0, None)) for m in moms]
    sd_in = [
        np.sqrt(np.clip(np.diagonal(m.mats["inner_cov"], axis1=1, axis2=2), 0, None)) for m in moms
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, r in enumerate(pt.rows):
            v = thetas[:, r.free] if r.free >= 0 else np.full(b, r.value)
            est[:, k] = v
            g = r.group - 1
            so, si = sd_obs[g], sd_in[g]
            if r.matrix == "L":
                std[:, k] = v * si[:, r.col] / so[:, r.row]
            elif r.matrix == "B":
                std[:, k] = v * si[:, r.col] / si[:, r.row]
            elif r.matrix in ("P", "T"):
                if r.row == r.col:
                    total = si[:, r.row] ** 2 if r.matrix == "P" else so[:, r.row] ** 2
                    std[:, k] = v / total
                else:
                    res = moms[g].mats[r.matrix]
                    std[:, k] = v / np.sqrt(res[:, r.row, r.row] * res[:, r.col, r.col])
            elif r.matrix == "nu":
                std[:, k] = v / so[:, r.row]
            else:
                std[:, k] = v / si[:, r.row]
    if pt.definitions:
        d_est = np.array([defined_values(pt, th) for th in thetas])
        d_std = np.array([defined_values(pt, th, st) for th, st in zip(thetas, std, strict=True)])
        return np.hstack([est, d_est, std, d_std])
    return np.hstack([est, std])


def value_vector(pt: ParTable, model: Model, theta: np.ndarray) -> np.ndarray:
    """:func:`value_matrix` of one θ."""
    return value_matrix(pt, model, theta[None])[0]


def build_estimates(
    pt: ParTable,
    model: Model,
    theta: np.ndarray,
    vcov: np.ndarray,
    level: float,
    extra_rows: list[dict] | None = None,
    pinned: np.ndarray | None = None,
) -> pd.DataFrame:
    """The estimates table (lavaan's ``parameterEstimates(fit, standardized = TRUE)``).

    ``pinned``: free parameters held at a bound by an active constraint, which get no standard
    error (NA, as lavaan)."""
    zcrit = special.ndtri(1 - (1 - level) / 2)
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None)) if len(vcov) else np.zeros(0)
    se_free = np.where(np.isnan(np.diag(vcov)), np.nan, se_free) if len(vcov) else se_free
    if pinned is not None and len(se_free):
        se_free = np.where(pinned, np.nan, se_free)
    std = std_values(pt, model, theta)
    rows = []
    for r, s in zip(pt.rows, std, strict=True):
        free = r.free >= 0
        rows.append(
            {
                "lhs": r.lhs,
                "op": r.op,
                "rhs": r.rhs,
                "label": r.label,
                "group": r.group,
                "est": _value(r, theta),
                "se": se_free[r.free] if free else 0.0,
                "std_all": s,
                "_free": free,
            }
        )
    rows += extra_rows or []
    if pt.definitions:
        jac = defined_jacobian(pt, theta)
        est = defined_values(pt, theta)
        std_def = defined_values(pt, theta, std)
        with np.errstate(invalid="ignore"):
            vc = vcov if np.isnan(vcov).all() else np.nan_to_num(vcov)
            var = np.einsum("dk,kl,dl->d", jac, vc, jac) if len(vcov) else np.zeros(len(est))
        if pinned is not None and len(vcov):  # a := parameter held by a constraint: NA, as lavaan
            scale = np.nanmax(np.abs(np.diag(vcov))) if np.isfinite(np.diag(vcov)).any() else 1.0
            var = np.where(var <= 1e-12 * max(scale, 1e-300), np.nan, var)
        for d, e, v, s in zip(pt.definitions, est, var, std_def, strict=True):
            rows.append(
                {
                    "lhs": d.name,
                    "op": ":=",
                    "rhs": d.expr.replace(" ", ""),
                    "label": d.name,
                    "group": 0,
                    "est": e,
                    "se": float(np.sqrt(max(v, 0.0))) if np.isfinite(v) else np.nan,
                    "std_all": s,
                    "_free": True,
                }
            )
    df = pd.DataFrame(rows)
    free = df.pop("_free").astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["z"] = np.where(free & (df["se"] > 0), df["est"] / df["se"].where(df["se"] > 0), np.nan)
    df["pvalue"] = 2 * special.ndtr(-np.abs(df["z"]))
    df["ci_low"] = np.where(free, df["est"] - zcrit * df["se"], df["est"])
    df["ci_high"] = np.where(free, df["est"] + zcrit * df["se"], df["est"])
    cols = list(COLUMNS)
    if pt.ngroups > 1:
        cols.insert(4, "group")
    return df[cols].reset_index(drop=True)


def r_squared(pt: ParTable, model: Model, theta: np.ndarray) -> pd.Series:
    """R² of every endogenous variable: indicators, dependent observed variables, latent outcomes
    and lower-order factors (lavaan's ``lavInspect(fit, "r2")``), per group."""
    moms = model.moments(theta)
    endo_inner = {r.lhs for r in pt.rows if r.op == "~"} | {
        r.rhs for r in pt.rows if r.op == "=~" and r.matrix == "B"
    }
    out = {}
    for g, mom in enumerate(moms):
        mats = mom.mats
        for k, name in enumerate(pt.ov):
            if name in pt.inner or name in pt.ov_x:
                continue
            if any(r.op == "=~" and r.rhs == name for r in pt.rows):
                key = name if pt.ngroups == 1 else (g + 1, name)
                out[key] = 1 - mats["T"][k, k] / mom.sigma[k, k]
        for k, name in enumerate(pt.inner):
            if name in endo_inner:
                key = name if pt.ngroups == 1 else (g + 1, name)
                out[key] = 1 - mats["P"][k, k] / mats["inner_cov"][k, k]
    return pd.Series(out, name="r_squared", dtype=float)
