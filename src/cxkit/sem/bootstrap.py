"""Nonparametric bootstrap of a fitted SEM: every parameter, the standardised solution and ``:=``.

Rows are resampled with replacement (lavaan's ``se = "bootstrap"``, ordinary bootstrap), within each
group. Every resample is refitted through the same pipeline as the fit itself, and blocks of resamples
are refitted **together**: their sample statistics are stacked (covariance matrices and means for
complete data; per missing-data pattern counts, means and cross-products for FIML) and the one
optimizer (:mod:`cxkit.sem.optimize`) iterates the whole stack, warm-started at the full-sample
estimate. The blocks are split between processes. All indices are drawn up front from one generator,
so the same seed gives the same answer however the work is split.

A resample *fails* when the optimizer does not converge (it is left out); it is *non-admissible* when a
variance estimate is negative (it is kept, as lavaan keeps it, and counted). BCa intervals take their
acceleration from the jackknife, itself fitted as one stack.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import ModelWarning, SpecificationError
from cxkit.sem.constraints import ConstraintSet
from cxkit.sem.estimates import value_matrix, value_vector
from cxkit.sem.model import Model
from cxkit.sem.objective import FIMLObjective, MLObjective
from cxkit.sem.optimize import minimize, minimize_stack
from cxkit.sem.partable import ParTable
from cxkit.sem.samplestats import PatternSet

#: the interval types: percentile (lavaan's "perc"), BCa with the jackknife acceleration, and
#: lavaan's "bca.simple" (bias-corrected, no acceleration)
CI_TYPES = ("percentile", "bca", "bca.simple")


def stacked_objective(model: Model, data: list[np.ndarray], index: list[np.ndarray], fiml: bool):
    """The objective of B resamples at once: ``index[g]`` (B, n_g) row numbers into ``data[g]``."""
    if not fiml:
        ns, means, covs = [], [], []
        for x, idx in zip(data, index, strict=True):
            xb = x[idx]  # (B, n, p)
            m = xb.mean(axis=1)
            c = xb - m[:, None, :]
            ns.append(np.full(len(idx), idx.shape[1], float))
            means.append(m)
            covs.append(np.einsum("bni,bnj->bij", c, c) / idx.shape[1])
        return MLObjective(model, ns, means, covs)
    # FIML: the data rows themselves, weighted by how often each resample drew them — the rows
    # are shared by the stack, only the (B, n) counts differ
    sets, h1 = [], []
    for x, idx in zip(data, index, strict=True):
        counts = np.stack([np.bincount(row, minlength=len(x)) for row in idx])
        sets.append(PatternSet.casewise(x, counts))
        h1.append(np.zeros(idx.shape[0]))
    return FIMLObjective(model, sets, h1)


#: numbers (resamples × respondents × variables) refitted in one stack, at most
STACK_NUMBERS = 20_000_000


def stack_size(data: list[np.ndarray]) -> int:
    """How many resamples of ``data`` (one array per group) one stack holds (its arrays are
    resamples × respondents × variables: bounded by :data:`STACK_NUMBERS`)."""
    return max(1, STACK_NUMBERS // max(1, sum(x.size for x in data)))


def _admissible(pt: ParTable, theta: np.ndarray) -> np.ndarray:
    idx = [r.free for r in pt.rows if r.free >= 0 and r.matrix in ("P", "T") and r.row == r.col]
    if not idx:
        return np.ones(len(theta), dtype=bool)
    return np.all(theta[:, idx] >= 0, axis=1)


def _work_block(pt: ParTable, data, theta0, index, fiml):
    """One block of resamples: stacked, refitted together; (values, ok, admissible)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        model = Model(pt)
        obj = stacked_objective(model, data, index, fiml)
        b = index[0].shape[0]
        with np.errstate(all="ignore"):
            # a resample's estimates need not be as sharp as the fit's: 1e-8 per case
            opt = minimize_stack(
                obj, np.broadcast_to(theta0, (b, len(theta0))), ConstraintSet(pt), max_iter=300,
                grad_tol=1e-8, step_tol=1e-7,
            )  # fmt: skip
        ok = opt.converged.copy()
        with np.errstate(all="ignore"):
            out = value_matrix(pt, model, opt.theta)
        ok &= np.all(np.isfinite(out), axis=1)
        out[~ok] = np.nan
        return out, ok, _admissible(pt, opt.theta)


def _work_block_ordinal(pt: ParTable, codes, levels, names, theta0, index, order):
    """One block of resamples of an ordinal (WLSMV) fit: each resample's thresholds, polychoric
    correlations and weights (as lavaan recomputes them), then the block's DWLS fits as one stack.
    A resample in which a category of some item is empty is left out (lavaan: an error)."""
    from threadpoolctl import threadpool_limits

    from cxkit.sem.categorical import ordinal_moments
    from cxkit.sem.objective import DWLSObjective

    with threadpool_limits(limits=1):
        idx = index[0]
        b = idx.shape[0]
        moms = []
        ok = np.ones(b, dtype=bool)
        for k in range(b):
            c = codes[idx[k]]
            if any(
                len(np.unique(c[:, j][c[:, j] >= 0])) != len(levels[j]) for j in range(c.shape[1])
            ):
                ok[k] = False
                moms.append(None)
                continue
            moms.append(ordinal_moments(c, names, levels))
        first = next(m for m in moms if m is not None) if ok.any() else None
        out = np.full((b, 2 * len(order)), np.nan)
        adm = np.ones(b, dtype=bool)
        if first is None:
            return out, ok, adm
        prs = first.pairs
        n_th = sum(len(t) for t in first.thresholds)
        rho = np.array([[m.cor[i, j] for i, j in prs] if m is not None else
                        [first.cor[i, j] for i, j in prs] for m in moms])  # fmt: skip
        w = np.array([1.0 / np.diag(m.gamma)[n_th:] if m is not None else
                      1.0 / np.diag(first.gamma)[n_th:] for m in moms])  # fmt: skip
        fit_pt = pt.with_values({(1, v, "~~", v): 1.0 for v in names})
        model = Model(fit_pt)
        obj = DWLSObjective(model, rho, w, prs)
        with np.errstate(all="ignore"):
            opt = minimize(obj, np.broadcast_to(theta0, (b, len(theta0))), max_iter=300)
        ok &= opt.converged
        for k in np.flatnonzero(ok):
            th = opt.theta[k]
            sigma = model.moments(th)[0].sigma
            common = np.diag(sigma) - 1.0
            pt_k = pt.with_values({(1, v, "~~", v): 1.0 - common[j] for j, v in enumerate(names)})
            vals = value_matrix(pt_k, Model(pt_k), th[None])[0]
            n_rows = len(pt.rows) + len(pt.definitions)
            est = dict(zip(order[:n_rows], vals[:n_rows], strict=True))
            std = dict(zip(order[:n_rows], vals[n_rows:], strict=True))
            for name, tau in zip(names, moms[k].thresholds, strict=True):
                for t, value in enumerate(tau):
                    est[(name, "|", f"t{t + 1}")] = std[(name, "|", f"t{t + 1}")] = value
            adm[k] = bool(np.all(1.0 - common >= 0))
            out[k, : len(order)] = [est.get(key, np.nan) for key in order]
            out[k, len(order) :] = [std.get(key, np.nan) for key in order]
        return out, ok, adm


def _work(job):
    if job[0] == "ordinal":
        return _work_block_ordinal(*job[1:])
    return _work_block(*job)


def _names(est: pd.DataFrame) -> list[str]:
    out = []
    multi = "group" in est.columns
    for _, r in est.iterrows():
        name = r["lhs"] if r["op"] == ":=" else f"{r['lhs']} {r['op']} {r['rhs']}".strip()
        if multi and r["op"] != ":=":
            name += f" [g{int(r['group'])}]"
        out.append(name)
    return out


def bootstrap(
    result,
    n: int = 1000,
    seed: int | None = None,
    ci: str = "percentile",
    progress: bool = True,
    level: float | None = None,
    workers: int | None = None,
):
    """See :meth:`cxkit.SEMResult.bootstrap`."""
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 10:
        raise SpecificationError(
            f"n={n!r} is not accepted; use a whole number of resamples, at least 10 (1000 or more "
            "for intervals)"
        )
    if ci not in CI_TYPES:
        raise SpecificationError(
            f"ci={ci!r} is not accepted; use one of: {', '.join(map(repr, CI_TYPES))}"
        )
    if level is not None and not (isinstance(level, float | int) and 0 < level < 1):
        raise SpecificationError(f"level={level!r} is not accepted; use a number between 0 and 1")
    level = result.level if level is None else float(level)
    pt: ParTable = result.partable
    fiml = result.options.fiml
    data = [g.x for g in result.stats.groups]
    rng = np.random.default_rng(seed)
    per_group = [rng.integers(0, len(x), size=(n, len(x))) for x in data]
    workers = workers or min(2, os.cpu_count() or 1)
    nblocks = max(1, min(workers * 4, n // 100), -(-n // stack_size(data)))
    splits = np.array_split(np.arange(n), nblocks)
    ordinal = result.options.estimator == "WLSMV"
    # groups, mixed indicators or the theta parameterization: every resample refitted whole
    whole = ordinal and "theta" in (result.ordinal or {})
    if whole:
        if ci.startswith("bca"):
            raise SpecificationError(
                "BCa intervals of ordinal (WLSMV) fits are not available yet; use ci='percentile'"
            )
        jobs, splits = [], []
    elif ordinal:
        if ci.startswith("bca"):
            raise SpecificationError(
                "BCa intervals of ordinal (WLSMV) fits are not available yet; use ci='percentile'"
            )
        names = list(pt.ov)
        levels = [np.asarray(result.provenance["levels"][v]) for v in names]
        raw = result.stats.groups[0].x
        codes = np.column_stack(  # −1: a missing answer (missing="pairwise")
            [np.where(np.isnan(raw[:, j]), -1, np.searchsorted(lv, raw[:, j]))
             for j, lv in enumerate(levels)]
        )  # fmt: skip
        est = result.estimates
        order = [
            (a, op, b) if op != ":=" else (a, op, b)
            for a, op, b in zip(est.lhs, est.op, est.rhs, strict=True)
        ]  # noqa: E501
        keyed = [(r.lhs, r.op, r.rhs) for r in pt.rows] + [
            (d.name, ":=", d.expr.replace(" ", "")) for d in pt.definitions
        ]
        order_rows = keyed + [k for k in order if k not in set(keyed)]
        jobs = [
            ("ordinal", pt, codes, levels, names, result.theta, [idx[s] for idx in per_group],
             order_rows)
            for s in splits
        ]  # fmt: skip
    else:
        jobs = [(pt, data, result.theta, [idx[s] for idx in per_group], fiml) for s in splits]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="bootstrap", unit="resample", leave=False)
    parts = []
    if workers > 1 and n >= 100:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part, s in zip(pool.map(_work, jobs), splits, strict=True):
                parts.append(part)
                if bar is not None:
                    bar.update(len(s))
    else:
        for job, s in zip(jobs, splits, strict=True):
            parts.append(_work(job))
            if bar is not None:
                bar.update(len(s))
    if whole:
        from cxkit.sem.wlsmv import bootstrap_draws

        parts = [bootstrap_draws(result, per_group, bar)]
    if bar is not None:
        bar.close()
    draws = np.vstack([p[0] for p in parts])
    ok = np.concatenate([p[1] for p in parts])
    adm = np.concatenate([p[2] for p in parts])
    est = result.estimates
    m = len(est)
    if ordinal and not whole:  # the blocks return partable-then-extra order: to the table's
        pos = {k: i for i, k in enumerate(order_rows)}
        sel = np.array([pos[k] for k in zip(est.lhs, est.op, est.rhs, strict=True)])
        draws = np.hstack([draws[:, sel], draws[:, len(order_rows) + sel]])
    good = draws[ok]
    if len(good) < 2:
        raise SpecificationError(
            "fewer than 2 bootstrap resamples could be fitted; no bootstrap results"
        )
    se = good[:, :m].std(axis=0, ddof=1)
    std_se = good[:, m:].std(axis=0, ddof=1)
    alpha = 1 - level
    if ci == "percentile":
        lo, hi = np.nanquantile(good[:, :m], [alpha / 2, 1 - alpha / 2], axis=0)
        slo, shi = np.nanquantile(good[:, m:], [alpha / 2, 1 - alpha / 2], axis=0)
    elif ci == "bca.simple":
        full = value_vector(pt, result.model_matrices, result.theta)
        lo, hi = bca_simple(good, full, level)
        lo, hi, slo, shi = lo[:m], hi[:m], lo[m:], hi[m:]
    else:
        full = value_vector(pt, result.model_matrices, result.theta)
        lo, hi, slo, shi = _bca(result, good, full, level)
    new = est.copy()
    fixed = est["se"].to_numpy() == 0
    new["se"] = np.where(fixed, 0.0, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        new["z"] = np.where(fixed, np.nan, new["est"] / new["se"])
    new["pvalue"] = 2 * stats.norm.sf(np.abs(new["z"]))
    new["ci_low"] = np.where(fixed, new["est"], lo)
    new["ci_high"] = np.where(fixed, new["est"], hi)
    new["std_se"] = np.where(fixed, 0.0, std_se)
    new["std_ci_low"] = np.where(fixed, new["std_all"], slo)
    new["std_ci_high"] = np.where(fixed, new["std_all"], shi)
    info = {
        "n": int(n),
        "n_ok": int(ok.sum()),
        "n_failed": int((~ok).sum()),
        "n_inadmissible": int((ok & ~adm).sum()),
        "seed": seed,
        "ci": ci,
        "level": level,
    }
    if info["n_failed"]:
        warnings.warn(
            f"{info['n_failed']} of {n} bootstrap resamples did not converge and were left out",
            ModelWarning,
            stacklevel=3,
        )
    prov = dict(result.provenance, bootstrap=info)
    return replace(
        result,
        estimates=new,
        provenance=prov,
        bootstrap_draws=pd.DataFrame(good[:, :m], columns=_names(new)),
    )


def norm_inter(t: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Quantiles of the draws ``t`` at ``alpha`` interpolated on the normal scale between order
    statistics (``boot``'s ``norm.inter``, as lavaan's bootstrap intervals use it).

    >>> float(norm_inter(np.arange(1.0, 100.0), np.array([0.5]))[0])  # (R + 1)·α = 50: t₍₅₀₎
    50.0
    """
    t = np.sort(t[np.isfinite(t)])
    r = len(t)
    alpha = np.asarray(alpha, float)
    rk = (r + 1) * alpha
    k = np.trunc(rk).astype(int)
    out = np.empty(len(alpha))
    for i, (kk, rr, a) in enumerate(zip(k, rk, alpha, strict=True)):
        if kk == 0:
            out[i] = t[0]
        elif kk >= r:
            out[i] = t[r - 1]
        elif kk == rr:
            out[i] = t[kk - 1]
        else:
            z, z1, z2 = stats.norm.ppf([a, kk / (r + 1), (kk + 1) / (r + 1)])
            out[i] = t[kk - 1] + (z - z1) / (z2 - z1) * (t[kk] - t[kk - 1])
    return out


def bca_simple(draws: np.ndarray, full: np.ndarray, level: float):
    """lavaan's ``boot.ci.type = "bca.simple"``: bias-corrected percentile intervals without the
    acceleration — ``w = Φ⁻¹(share of draws below the estimate)``, bounds at
    ``Φ(2w + z_α)`` by :func:`norm_inter`; a column whose draws do not vary keeps the estimate.
    Returns (low, high) per column of ``draws``."""
    z = stats.norm.ppf([(1 - level) / 2, (1 + level) / 2])
    lo, hi = full.astype(float).copy(), full.astype(float).copy()
    for j in range(draws.shape[1]):
        t = draws[:, j]
        t = t[np.isfinite(t)]
        if len(t) < 2 or np.var(t) == 0:
            continue
        with np.errstate(divide="ignore"):
            w = stats.norm.ppf(np.sum(t < full[j]) / len(t))
        lo[j], hi[j] = norm_inter(t, stats.norm.cdf(w + (w + z)))
    return lo, hi


def _bca(result, good: np.ndarray, full: np.ndarray, level: float):
    """Bias-corrected and accelerated intervals (Efron, 1987), acceleration from the jackknife
    (leave one respondent out, within their group), fitted as one stack."""
    pt = result.partable
    data = [g.x for g in result.stats.groups]
    model = result.model_matrices
    jack = []
    size = stack_size(data)
    for g, x in enumerate(data):
        nobs = len(x)
        for start in range(0, nobs, size):  # the leave-one-out fits, a stack at a time
            left = np.arange(start, min(start + size, nobs))
            rows = np.array([np.delete(np.arange(nobs), i) for i in left])
            index = []
            for h, other in enumerate(data):
                if h == g:
                    index.append(rows)
                else:
                    index.append(np.broadcast_to(np.arange(len(other)), (len(left), len(other))))
            obj = stacked_objective(Model(pt), data, index, result.options.fiml)
            with np.errstate(all="ignore"):
                opt = minimize_stack(
                    obj, np.broadcast_to(result.theta, (len(left), len(result.theta))),
                    ConstraintSet(pt),
                )  # fmt: skip
            jack.append(value_matrix(pt, model, opt.theta))
    jack = np.vstack(jack)
    mean = jack.mean(axis=0)
    d = mean - jack
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (d**3).sum(axis=0) / (6 * ((d**2).sum(axis=0)) ** 1.5)
        z0 = stats.norm.ppf(np.clip((good < full).mean(axis=0), 1e-10, 1 - 1e-10))
    a = np.nan_to_num(a)
    alpha = 1 - level
    out = []
    for q in (alpha / 2, 1 - alpha / 2):
        zq = stats.norm.ppf(q)
        adj = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
        out.append(
            np.array(
                [
                    np.nanquantile(good[:, j], adj[j]) if np.isfinite(adj[j]) else np.nan
                    for j in range(good.shape[1])
                ]
            )
        )
    m = len(result.estimates)
    return out[0][:m], out[1][:m], out[0][m:], out[1][m:]
