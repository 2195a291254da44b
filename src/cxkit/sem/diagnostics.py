"""Stage 10: diagnostics — score tests with one kernel (modification indices and the release of
equality constraints), residuals, and the warnings about improper solutions.

**Score tests.** A parameter that the model fixes (a modification index) or ties to another (an
equality across groups) is added to the table as a new free parameter at its current value; with
``g`` and ``I`` the gradient and expected information of the extended model at the estimate, the
statistic of the extra parameters ``c`` is ``g_c' [I⁻¹]_cc g_c`` (one at a time: ``g_c² / (I_cc −
I_cf I_ff⁻¹ I_fc)``, lavaan's ``modindices`` and ``lavTestScore``), and the expected parameter change
is ``−[I⁻¹ g]_c``.

**Residuals** (lavaan's ``lavResiduals``): ``raw`` (S − Σ), ``cor`` (over the sample standard
deviations, as in SRMR), ``standardized`` (raw over its standard error, ``Γ_S/N − Δ V Δ'``, with
``Γ_S`` the normal-theory covariance of the sample moments computed from S) and ``normalized`` (raw
over ``sqrt(diag Γ_S / N)``).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats as sps

from cxkit.errors import ModelWarning, SpecificationError
from cxkit.sem.model import Model
from cxkit.sem.partable import ParTable, Row
from cxkit.sem.teststat import make_objective


def _extended(pt: ParTable, extra: list[Row], release: list[tuple[int, int]]) -> ParTable:
    """``pt`` with ``extra`` rows appended and the rows at positions ``release[i][0]`` given the new
    free index ``npar + len(extra) + i``."""
    rows = list(pt.rows)
    q = pt.npar
    for j, (pos, _) in enumerate(release):
        rows[pos] = replace(rows[pos], free=q + len(extra) + j)
    rows += [replace(r, free=q + j) for j, r in enumerate(extra)]
    return replace(pt, rows=tuple(rows), npar=q + len(extra) + len(release), _cache={})


def score_kernel(result, extra: list[Row], release: list[tuple[int, int]] | None = None):
    """Gradient and expected information of the extended model at the estimate: (g, I, q)."""
    release = release or []
    pt = _extended(result.partable, extra, release)
    values = [r.value if np.isfinite(r.value) else 0.0 for r in extra]
    values += [float(result.theta[k]) for _, k in release]
    theta = np.concatenate([result.theta, values])
    model = Model(pt)
    grad, info = make_objective(model, result.stats).gradient(theta[None], info=True)
    return grad[0], info[0], result.partable.npar


def _univariate(grad, info, q):
    i_ff_inv = np.linalg.pinv(info[:q, :q])
    out = []
    for c in range(q, len(grad)):
        i_cf = info[c, :q]
        denom = info[c, c] - i_cf @ i_ff_inv @ i_cf
        if denom <= 1e-8 * max(1.0, info[c, c]):
            out.append((np.nan, np.nan))
            continue
        gc = grad[c] - i_cf @ i_ff_inv @ grad[:q]
        out.append((gc * gc / denom, -gc / denom))
    return out


def modification_indices(result, minimum: float = 0.0) -> pd.DataFrame:
    """lavaan's ``modindices``: a score test (χ²(1)) and EPC for every fixed-to-zero parameter of the
    usual kinds and the user's fixed loadings and residual (co)variances, in every group."""
    pt: ParTable = result.partable
    present = {(r.group, r.lhs, r.op, r.rhs) for r in pt.rows}
    present |= {(r.group, r.rhs, r.op, r.lhs) for r in pt.rows if r.op == "~~"}
    used = {(r.group, r.matrix, r.row, r.col) for r in pt.rows}
    oi = {v: k for k, v in enumerate(pt.ov)}
    ii = {v: k for k, v in enumerate(pt.inner)}
    indicators = [v for v in pt.ov if v not in ii]
    extra: list[Row] = []
    for g in range(1, pt.ngroups + 1):

        def cand(lhs, op, rhs, matrix, row, col, g=g):
            # a cell the model already uses (``F =~ G`` is the cell of ``G ~ F``) is no candidate
            if (g, lhs, op, rhs) not in present and (g, matrix, row, col) not in used:
                extra.append(Row(lhs, op, rhs, g, False, -1, 0.0, "", False, matrix, row, col))

        for f in pt.lv:
            for x in indicators:
                cand(f, "=~", x, "L", oi[x], ii[f])
        for i, a in enumerate(indicators):
            for b in indicators[i + 1 :]:
                cand(a, "~~", b, "T", oi[b], oi[a])
        for i, a in enumerate(pt.lv):
            for b in pt.lv[i + 1 :]:
                cand(a, "~~", b, "P", ii[b], ii[a])
        for a in pt.lv:
            for b in pt.lv:
                if a != b:
                    cand(a, "~", b, "B", ii[a], ii[b])
    fixed_user = [
        (k, r)
        for k, r in enumerate(pt.rows)
        if r.free < 0 and r.user and r.matrix in ("L", "T") and not r.exo
    ]
    # a fixed row becomes free at its value: a "release" of its fixedness
    rows = list(pt.rows)
    q = pt.npar
    freed = []
    for j, (k, r) in enumerate(fixed_user):
        rows[k] = replace(r, free=q + len(extra) + j)
        freed.append(r)
    pt_ext = replace(
        pt,
        rows=tuple(rows) + tuple(replace(r, free=q + j) for j, r in enumerate(extra)),
        npar=q + len(extra) + len(freed),
        _cache={},
    )
    values = [0.0] * len(extra) + [r.value for r in freed]
    theta = np.concatenate([result.theta, values])
    grad, info = make_objective(Model(pt_ext), result.stats).gradient(theta[None], info=True)
    res = _univariate(grad[0], info[0], q)
    out_rows = []
    for r, (mi, epc) in zip([*extra, *freed], res, strict=True):
        if np.isnan(mi):
            continue
        row = {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "mi": mi, "epc": epc}
        if pt.ngroups > 1:
            row["group"] = r.group
        out_rows.append(row)
    cols = ["lhs", "op", "rhs"] + (["group"] if pt.ngroups > 1 else []) + ["mi", "epc"]
    out = pd.DataFrame(out_rows, columns=cols)
    return out[out["mi"] >= minimum].sort_values("mi", ascending=False).reset_index(drop=True)


def score_tests(result) -> pd.DataFrame:
    """lavaan's ``lavTestScore`` for the equalities across groups: releasing each copy in groups
    after the first that shares its free parameter with group 1, and all of them together."""
    pt: ParTable = result.partable
    first = {}
    for r in pt.rows:
        if r.group == 1 and r.free >= 0:
            first[(r.lhs, r.op, r.rhs)] = r.free
    tied = [
        (k, r)
        for k, r in enumerate(pt.rows)
        if r.group > 1 and r.free >= 0 and first.get((r.lhs, r.op, r.rhs)) == r.free
    ]
    rows = []
    for k, r in tied:
        # the released copy moves gradient from the shared parameter to itself: the statistic is
        # the whole quadratic form g' I⁻¹ g, not only the released coordinate's part
        grad, info, _ = score_kernel(result, [], [(k, r.free)])
        x2 = float(grad @ np.linalg.pinv(info) @ grad)
        rows.append((r.lhs, r.op, r.rhs, r.group, x2, 1, float(sps.chi2.sf(x2, 1))))
    out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group", "x2", "df", "pvalue"])
    if tied:
        grad, info, q = score_kernel(result, [], [(k, r.free) for k, r in tied])
        g = grad.copy()
        x2 = float(g @ np.linalg.pinv(info) @ g)
        out.attrs["total"] = {
            "x2": x2,
            "df": len(tied),
            "pvalue": float(sps.chi2.sf(x2, len(tied))),
        }
    return out


def residuals(result, kind: str = "cor") -> pd.DataFrame:
    """Residual covariances of a single-group fit (see the module docstring for the kinds)."""
    kinds = ("raw", "cor", "standardized", "normalized")
    if kind not in kinds:
        raise SpecificationError(
            f"kind={kind!r} is not accepted; use one of: {', '.join(map(repr, kinds))}"
        )
    s, sig = result.sample_cov.to_numpy(), result.implied_cov.to_numpy()
    names = list(result.sample_cov.index)
    p = len(names)
    raw = s - sig
    if kind == "raw":
        return pd.DataFrame(raw, index=names, columns=names)
    if kind == "cor":
        d = np.sqrt(np.diag(s))
        return pd.DataFrame(raw / np.outer(d, d), index=names, columns=names)
    if result.options.estimator == "WLSMV":
        raise SpecificationError(
            f"{kind} residuals of ordinal (WLSMV) fits are not available yet; use kind='cor' "
            "(polychoric minus model-implied correlations)"
        )
    n = float(result.fit_indices["n"])
    gamma = (np.outer(np.diag(s), np.diag(s)) + s**2) / n
    var = gamma
    if kind == "standardized":
        model = result.model_matrices
        delta = model.delta(result.theta)[0]
        off = p if model.means else 0
        r, c = np.tril_indices(p)
        dv = delta[off:]
        with np.errstate(invalid="ignore"):
            part = np.einsum("kq,ql,kl->k", dv, result.vcov, dv)
        mp = np.zeros((p, p))
        mp[r, c] = part
        mp[c, r] = part
        var = gamma - mp
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(var > 1e-12 * np.max(np.abs(gamma)), raw / np.sqrt(np.abs(var)), 0.0)
    out[np.abs(raw) < 1e-10] = 0.0
    return pd.DataFrame(out, index=names, columns=names)


def warn_improper(result) -> None:
    """The warnings lavaan gives about an improper solution, for every estimator and group."""
    est = result.estimates
    pt: ParTable = result.partable
    multi = pt.ngroups > 1
    labels = result.provenance.get("groups", [])

    def where(row) -> str:
        if not multi or "group" not in row:
            return ""
        g = int(row["group"])
        return f" (group {labels[g - 1] if g - 1 < len(labels) else g})"

    if not result.converged:
        warnings.warn(
            f"the {result.options.estimator} fit did not converge; the estimates are not "
            "trustworthy",
            ModelWarning,
            stacklevel=4,
        )
    var = est[(est.op == "~~") & (est.lhs == est.rhs)]
    neg = var[var.est < 0]
    if len(neg):
        warnings.warn(
            "negative variance estimate(s) (Heywood case): "
            + ", ".join(
                f"{r['lhs']} ~~ {r['lhs']} = {r['est']:.3g}{where(r)}" for _, r in neg.iterrows()
            ),
            ModelWarning,
            stacklevel=4,
        )
    big = est[(est.op == "=~") & (est.std_all.abs() > 1)]
    if len(big):
        warnings.warn(
            "standardised loading(s) above 1 (Heywood case): "
            + ", ".join(
                f"{r['lhs']} =~ {r['rhs']} = {r['std_all']:.3f}{where(r)}"
                for _, r in big.iterrows()
            ),
            ModelWarning,
            stacklevel=4,
        )
    if pt.lv:
        idx = [pt.inner.index(v) for v in pt.lv]
        for g, mom in enumerate(result.model_matrices.moments(result.theta)):
            ev = np.linalg.eigvalsh(mom.mats["inner_cov"][np.ix_(idx, idx)])
            if ev.min() <= 0:
                grp = f" in group {labels[g]}" if multi and g < len(labels) else ""
                warnings.warn(
                    f"the covariance matrix of the latent variables{grp} is not positive definite "
                    f"(smallest eigenvalue {ev.min():.3g}); some latent correlations are at or "
                    "beyond ±1",
                    ModelWarning,
                    stacklevel=4,
                )
    n, npar = result.fit_indices["n"], result.fit_indices["npar"]
    if npar and n < 5 * npar:
        warnings.warn(
            f"{int(n)} cases for {int(npar)} free parameters ({n / npar:.1f} per parameter); at "
            "least 5 per parameter is the usual minimum (Bentler & Chou, 1987): treat the "
            "estimates with care",
            ModelWarning,
            stacklevel=4,
        )
