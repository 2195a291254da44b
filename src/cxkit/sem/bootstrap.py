"""Nonparametric bootstrap of a fitted SEM: every parameter, the standardised solution and ``:=``.

Rows are resampled with replacement (lavaan's ``se = "bootstrap"``, ordinary bootstrap). Each resample
needs only its covariance matrix; blocks of resampled matrices are refitted *together* by Fisher
scoring vectorised over the stack (:mod:`cxkit.sem.batch`), *warm-started* at the full-sample
estimate, and the blocks are split between processes (both cores). All indices are drawn up front from one
generator, so the same seed gives the same answer however the work is split.

FIML fits (missing answers) are bootstrapped the same way, each resample refitted by FIML from the
full-sample estimate (one at a time: there is no stacked form for incomplete data). Multi-group fits
are resampled within each group (lavaan's choice) and refitted one at a time, warm-started.

A resample *fails* when scoring does not converge (it is left out); it is *non-admissible* when a
variance estimate is negative (it is kept, as lavaan keeps it, and counted).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import ModelWarning, SpecificationError
from cxkit.sem.batch import BatchModel, batch_fisher_scoring
from cxkit.sem.ml import fisher_scoring
from cxkit.sem.spec import ModelSpec
from cxkit.sem.syntax import evaluate


def _values(spec: ModelSpec, theta: np.ndarray, nu: np.ndarray | None = None) -> np.ndarray:
    """Estimates and standardised values of every reported row, in :func:`_positions` order
    (with FIML's intercepts ``nu``: the observed intercepts and the latent means after the
    parameters)."""
    from cxkit.sem.fit import _label_values, _std_values

    sigma, mats = spec.implied(theta)
    std = _std_values(spec, theta, mats, sigma)
    est, st = [], []
    for p, s in zip(spec.params, std, strict=True):
        if p.op == "=~" and p.lhs == p.rhs:
            continue
        est.append(theta[p.free] if p.free >= 0 else p.value)
        st.append(s)
    if nu is not None:
        est += list(nu) + [0.0] * len(spec.latent)
        st += list(nu / np.sqrt(np.diag(sigma))) + [0.0] * len(spec.latent)
    if spec.definitions:
        labels = _label_values(spec, theta)
        std_labels = {p.label: v for p, v in zip(spec.params, std, strict=True) if p.label}
        for d in spec.definitions:
            est.append(evaluate(d.expr, labels))
            st.append(evaluate(d.expr, std_labels))
    return np.array(est + st)


def _admissible(spec: ModelSpec, theta: np.ndarray) -> bool:
    for p in spec.params:
        if p.free >= 0 and p.matrix in ("P", "T") and p.row == p.col and theta[p.free] < 0:
            return False
    return True


def _work_block_fiml(spec, x, theta0, index_block, nu0):
    """FIML resamples, one by one: each refitted by :func:`cxkit.sem.fiml.fit_fiml` from the
    full-sample estimate."""
    from cxkit.sem.fiml import fit_fiml

    first = _values(spec, theta0, nu0)
    out = np.full((len(index_block), len(first)), np.nan)
    ok = np.zeros(len(index_block), dtype=bool)
    adm = np.zeros(len(index_block), dtype=bool)
    for k, rows in enumerate(index_block):
        try:
            theta, nu, converged, _ = fit_fiml(spec, x[rows], theta0)
        except (np.linalg.LinAlgError, ValueError):
            continue
        vals = _values(spec, theta, nu)
        if converged and np.all(np.isfinite(vals)):
            out[k], ok[k], adm[k] = vals, True, _admissible(spec, theta)
    return out, ok, adm


def _work(job) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run one block of resamples: ``job = (block function, its arguments)``.

    BLAS runs single-threaded here: the parallelism is across blocks, and BLAS threads on top of
    the worker processes would oversubscribe the cores (measured: twice as slow).
    """
    from threadpoolctl import threadpool_limits

    fn, args = job
    with threadpool_limits(limits=1):
        return fn(*args)


def _work_block_multigroup(mg, theta0, index_block):
    """Multi-group resamples, one by one: refitted from the full-sample estimate."""
    from cxkit.sem.multigroup import estimate_rows, resampled

    def values(model, theta):
        rows = estimate_rows(model, theta)
        return np.array([r[5] for r in rows] + [r[8] for r in rows], dtype=float)

    first = values(mg, theta0)
    count = len(index_block[0])
    out = np.full((count, len(first)), np.nan)
    ok = np.zeros(count, dtype=bool)
    adm = np.zeros(count, dtype=bool)
    spec = mg.groups[0]["spec"]
    for k in range(count):
        model = resampled(mg, [idx[k] for idx in index_block])
        try:
            theta, converged = model.fit(theta0=theta0)
        except (np.linalg.LinAlgError, ValueError):
            continue
        vals = values(model, theta)
        if converged and np.all(np.isfinite(vals)):
            out[k], ok[k] = vals, True
            adm[k] = all(
                _admissible(spec, model.local(theta, gi)[: model.q])
                for gi in range(len(model.groups))
            )
    return out, ok, adm


def _work_block(spec, x, theta0, index_block) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Complete data: the block's covariance matrices refitted together (vectorised Fisher
    scoring, warm start)."""
    xb = x[index_block]  # (B, n, p)
    centred = xb - xb.mean(axis=1, keepdims=True)
    s = np.einsum("bni,bnj->bij", centred, centred) / xb.shape[1]
    theta, ok = batch_fisher_scoring(BatchModel(spec), s, theta0)
    first = _values(spec, theta0)
    out = np.full((len(index_block), len(first)), np.nan)
    adm = np.zeros(len(index_block), dtype=bool)
    for k in np.flatnonzero(ok):
        vals = _values(spec, theta[k])
        if np.all(np.isfinite(vals)):
            out[k] = vals
            adm[k] = _admissible(spec, theta[k])
        else:
            ok[k] = False
    return out, ok, adm


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
    if not isinstance(n, int | np.integer) or n < 10:
        raise SpecificationError(
            f"n={n!r} is not accepted; use a whole number of resamples, at least 10 (1000 or more for intervals)"
        )
    if ci not in ("percentile", "bca"):
        raise SpecificationError(f"ci={ci!r} is not accepted; use one of: 'percentile', 'bca'")
    fiml = result.provenance.get("missing") in ("fiml", "ml")
    level = result.level if level is None else level
    spec = result.spec
    rng = np.random.default_rng(seed)
    workers = workers or min(2, os.cpu_count() or 1)
    nblocks = max(1, min(workers * 4, n // 100))
    mg = result.multigroup
    if mg is not None:
        if ci == "bca":
            raise SpecificationError(
                "BCa intervals of multi-group fits are not available yet; use ci='percentile'"
            )
        # resample within each group, as lavaan does
        per_group = [rng.integers(0, g["n"], size=(n, g["n"])) for g in mg.groups]
        splits = np.array_split(np.arange(n), nblocks)
        blocks = [[idx[s] for idx in per_group] for s in splits]
        jobs = [(_work_block_multigroup, (mg, result.theta, b)) for b in blocks]
        sizes = [len(s) for s in splits]
    else:
        x = result.data_used
        nobs = len(x)
        indices = rng.integers(0, nobs, size=(n, nobs))
        blocks = np.array_split(indices, nblocks)
        nu = _intercepts(result) if fiml else None
        jobs = [
            (_work_block_fiml, (spec, x, result.theta, b, nu))
            if fiml
            else (_work_block, (spec, x, result.theta, b))
            for b in blocks
        ]
        sizes = [len(b) for b in blocks]
    parts = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="bootstrap", unit="resample", leave=False)
    if workers > 1 and n >= 100:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part, size in zip(pool.map(_work, jobs), sizes, strict=True):
                parts.append(part)
                if bar is not None:
                    bar.update(size)
    else:
        for job, size in zip(jobs, sizes, strict=True):
            parts.append(_work(job))
            if bar is not None:
                bar.update(size)
    if bar is not None:
        bar.close()
    draws = np.vstack([p[0] for p in parts])
    ok = np.concatenate([p[1] for p in parts])
    adm = np.concatenate([p[2] for p in parts])
    good = draws[ok]
    est = result.estimates
    m = len(est)
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
    else:
        full = _values(spec, result.theta, nu)
        lo, hi, slo, shi = _bca(result, good, full, level)
    # estimates rows are in the order _values produces them, once sorted like result.estimates
    order = np.arange(m) if mg is not None else _positions(result)
    new = est.copy()
    fixed = est["se"].to_numpy() == 0
    new["se"] = np.where(fixed, 0.0, se[order])
    with np.errstate(divide="ignore", invalid="ignore"):
        new["z"] = np.where(fixed, np.nan, new["est"] / new["se"])
    new["pvalue"] = 2 * stats.norm.sf(np.abs(new["z"]))
    new["ci_low"] = np.where(fixed, new["est"], lo[order])
    new["ci_high"] = np.where(fixed, new["est"], hi[order])
    new["std_se"] = np.where(fixed, 0.0, std_se[order])
    new["std_ci_low"] = np.where(fixed, new["std_all"], slo[order])
    new["std_ci_high"] = np.where(fixed, new["std_all"], shi[order])
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
        import warnings

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
        bootstrap_draws=pd.DataFrame(good[:, :m][:, order], columns=_names(new)),
    )


def _intercepts(result) -> np.ndarray:
    """The observed intercepts of a FIML fit, in ``spec.observed`` order."""
    est = result.estimates
    rows = est[(est["op"] == "~1") & est["lhs"].isin(result.spec.observed)]
    return rows.set_index("lhs").loc[result.spec.observed, "est"].to_numpy(dtype=float)


def _names(est: pd.DataFrame) -> list[str]:
    return [
        f"{a} {op} {b}" if op != ":=" else a
        for a, op, b in zip(est.lhs, est.op, est.rhs, strict=True)
    ]


def _positions(result) -> np.ndarray:
    """Map rows of ``result.estimates`` to positions in the ``_values`` vector."""
    spec = result.spec
    keys = []
    for p in spec.params:
        if p.op == "=~" and p.lhs == p.rhs:
            continue
        keys.append((p.lhs, p.op, p.rhs))
    if (result.estimates["op"] == "~1").any():
        keys += [(v, "~1", "") for v in spec.observed] + [(v, "~1", "") for v in spec.latent]
    for d in spec.definitions:
        keys.append((d.name, ":=", d.expr.replace(" ", "")))
    where = {k: i for i, k in enumerate(keys)}
    return np.array(
        [
            where[(a, op, b)]
            for a, op, b in zip(
                result.estimates.lhs, result.estimates.op, result.estimates.rhs, strict=True
            )
        ]
    )


def _bca(result, good: np.ndarray, full: np.ndarray, level: float):
    """Bias-corrected and accelerated intervals (Efron, 1987), acceleration from the jackknife."""
    spec = result.spec
    x = result.data_used
    nobs = len(x)
    jack = np.empty((nobs, len(full)))
    fiml = result.provenance.get("missing") in ("fiml", "ml")
    for i in range(nobs):
        xi = np.delete(x, i, axis=0)
        if fiml:
            from cxkit.sem.fiml import fit_fiml

            theta, nu, _, _ = fit_fiml(spec, xi, result.theta)
            jack[i] = _values(spec, theta, nu)
            continue
        s = np.cov(xi, rowvar=False, bias=True)
        theta, _, _ = fisher_scoring(
            spec, s, result.theta, max_iter=200, tol=0.0, step_tol=1e-6, grad_tol=1e-6
        )
        jack[i] = _values(spec, theta)
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
