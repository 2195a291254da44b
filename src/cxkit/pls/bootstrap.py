"""The bootstrap of a PLS fit, vectorised over resamples.

A resample is a vector of counts ``c`` (how often each row is drawn); its covariance matrix is
``(c' O / n − m m') n/(n − 1)`` with ``O`` the rows' outer products, so a chunk of ``B`` resamples
is one matrix product, and the PLS iteration (:func:`cxkit.pls.algorithm.pls_iterate`) runs on the
``(B, p, p)`` stack at once. Every estimate — paths, loadings, weights, total and specific indirect
effects, R², f², HTMT — comes from the same functions as the point estimate.

Standard errors are the draws' standard deviation, ``t = est / se``, p values two-sided from
Student's t with ``B − 1`` degrees of freedom (SmartPLS); intervals percentile or BCa (jackknife
acceleration, all ``n`` leave-one-out fits again as one stack). HTMT is tested one-sided against 1
and .90 (the share of draws at or above the cut-off, SmartPLS's HTMT inference).
``sign_change``: ``None``, ``"individual"`` (each draw takes the sign of the estimate) or
``"construct"`` (a construct's weights turned round when its loadings match the estimate's better
that way).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import check_option
from cxkit.errors import SpecificationError
from cxkit.pls.assess import point_arrays
from cxkit.pls.estimate import estimate_like, inadmissible, staged_data, weighted_covariances
from cxkit.sem.syntax import evaluate

CI = ("percentile", "bca")
SIGN_CHANGE = (None, "individual", "construct")
#: resamples per row-level block of a two-stage model (memory: B × n × p floats)
STAGED_CHUNK = 200


def resample_covariances(x: np.ndarray, counts: np.ndarray, standardize: bool) -> np.ndarray:
    """Covariance (or correlation) matrices (B, p, p) of the resamples given by ``counts`` (B, n)."""
    n, p = x.shape
    total = counts.sum(axis=1, keepdims=True)
    outer = (x[:, :, None] * x[:, None, :]).reshape(n, p * p)
    mean = counts @ x / total
    second = (counts @ outer / total).reshape(-1, p, p)
    cov = (second - mean[:, :, None] * mean[:, None, :]) * (total / (total - 1))[:, :, None]
    if standardize:
        sd = np.sqrt(np.einsum("bii->bi", cov))
        cov = cov / sd[:, :, None] / sd[:, None, :]
    return cov


def resample_matrices(result, counts: np.ndarray) -> np.ndarray:
    """The (B, p, p) matrices of the resamples ``counts`` (B, n) of a fit's data.

    A two-stage model (two-stage higher-order constructs, interaction terms) runs every stage on
    each resample, as seminr's bootstrap re-estimates the whole model: the first stage's weights
    from the resample's own rows, the scores and products it hands on row by row
    (:func:`cxkit.pls.estimate.staged_data`), their covariances weighted by the counts — the
    resamples of a chunk at once.
    """
    st = result.stages
    if st is None:
        return resample_covariances(result.data, counts, result.options["standardize"])
    out = []
    for start in range(0, counts.shape[0], STAGED_CHUNK):
        c = counts[start : start + STAGED_CHUNK]
        x = np.broadcast_to(st["data"], (c.shape[0], *st["data"].shape))
        made, names = staged_data(x, c, st["items"], st, result.options)
        cols = [names.index(i) for i in result.spec.items]
        cov = weighted_covariances(made[:, :, cols], c)
        if result.options["standardize"]:
            sd = np.sqrt(np.einsum("bii->bi", cov))
            cov = cov / sd[:, :, None] / sd[:, None, :]
        out.append(cov)
    return np.concatenate(out)


def _stack(result, s: np.ndarray, sign_change):
    ref = result.estimates.loadings[0] if sign_change == "construct" else None
    est = estimate_like(result.spec, result.options, s, reference_loadings=ref)
    bad = inadmissible(est, result.spec.membership(), [b.mode for b in result.spec.blocks])
    return point_arrays(est, result.spec), est.converged, bad


def bootstrap(
    result, n: int = 10000, seed=None, *, ci="percentile", sign_change=None, level=0.95, chunk=2000
):
    """Bootstrap a :class:`~cxkit.pls.PLSResult`: the same result with inference columns.

    Returns a result whose ``paths`` carry ``se, t, pvalue, ci_low, ci_high``, whose ``inference``
    table lists every bootstrapped quantity (quantity, lhs, rhs, est, mean, se, t, pvalue,
    ci_low, ci_high) and whose ``htmt_inference`` gives each HTMT with its one-sided upper bound
    and p values against 1 and .90; ``provenance["bootstrap"]`` records the settings, the number
    of resamples that did not converge (left out) and of inadmissible ones (kept, as SmartPLS:
    ρA or a loading above 1, a construct correlation beyond ±1 — PLSc's Heywood cases).

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> fit = cxkit.fit_pls("SAT =~ sat1 + sat2 + sat3 + sat4; LOY =~ loy1 + loy2 + loy3 + loy4; "
    ...                     "LOY ~ SAT", load_dataset("satisfaction"))
    >>> boot = fit.bootstrap(200, seed=1)
    >>> boot.paths[["lhs", "rhs", "est", "se"]].columns.tolist()
    ['lhs', 'rhs', 'est', 'se']
    >>> bool(boot.paths.loc[0, "ci_low"] < boot.paths.loc[0, "est"] < boot.paths.loc[0, "ci_high"])
    True
    """
    check_option("ci", ci, CI)
    check_option("sign_change", sign_change, SIGN_CHANGE)
    if not (isinstance(n, int | np.integer) and n >= 2):
        raise SpecificationError(f"n={n!r} is not accepted; use an integer ≥ 2 (resamples)")
    if not 0 < level < 1:
        raise SpecificationError(f"level={level!r} is not accepted; use a number between 0 and 1")
    x = result.data
    rows = x.shape[0]
    rng = np.random.default_rng(seed)
    draws: dict[str, list[np.ndarray]] = {}
    ok: list[np.ndarray] = []
    flagged: list[np.ndarray] = []
    for start in range(0, n, chunk):
        b = min(chunk, n - start)
        idx = rng.integers(0, rows, size=(b, rows))
        counts = np.bincount((idx + rows * np.arange(b)[:, None]).ravel(), minlength=b * rows)
        s = resample_matrices(result, counts.reshape(b, rows).astype(float))
        pt, conv, bad = _stack(result, s, sign_change)
        for k, v in pt.items():
            draws.setdefault(k, []).append(v)
        ok.append(conv)
        flagged.append(bad)
    good = np.concatenate(ok)
    inadmissible_n = int((np.concatenate(flagged) & good).sum())
    draws_all = {k: np.concatenate(v)[good] for k, v in draws.items()}
    point = point_of(result)
    if sign_change == "individual":
        draws_all = {
            k: np.abs(v) * np.sign(point[k])[None] if k in ("paths", "loading", "weight") else v
            for k, v in draws_all.items()
        }
    draws_all["defined"] = defined_draws(result, draws_all["paths"])
    point["defined"] = defined_draws(result, point["paths"][None])[0]
    jack = None
    if ci == "bca":
        s = resample_matrices(result, np.ones((rows, rows)) - np.eye(rows))
        jack, _, _ = _stack(result, s, sign_change)
        jack["defined"] = defined_draws(result, jack["paths"])
    table = inference_table(result, point, draws_all, jack, level)
    return result.with_bootstrap(
        table,
        draws_all,
        {
            "n": int(n),
            "seed": seed,
            "ci": ci,
            "level": level,
            "sign_change": sign_change,
            "not_converged": int((~good).sum()),
            "inadmissible": inadmissible_n,
        },
    )


def defined_draws(result, paths: np.ndarray) -> np.ndarray:
    """The ``:=`` effects (B, n_defined) evaluated on every draw of the labelled paths."""
    defs = result.spec.definitions
    if not defs:
        return np.zeros((paths.shape[0], 0))
    names = result.spec.names
    d = result.spec.adjacency()
    labels = {(lhs, rhs): lab for lhs, rhs, lab in result.spec.paths if lab}
    cols = {
        labels[(names[j], names[i])]: k
        for k, (i, j) in enumerate(zip(*np.nonzero(d), strict=True))
        if (names[j], names[i]) in labels
    }
    out = np.empty((paths.shape[0], len(defs)))
    for b in range(paths.shape[0]):
        values = {lab: paths[b, k] for lab, k in cols.items()}
        out[b] = [evaluate(expr, values) for _, expr in defs]
    return out


def point_of(result) -> dict[str, np.ndarray]:
    return {k: v[0] for k, v in point_arrays(result.estimates, result.spec).items()}


def _interval(est, d, jack, level):
    alpha = (1 - level) / 2
    if jack is None:
        return np.nanquantile(d, alpha, axis=0), np.nanquantile(d, 1 - alpha, axis=0)
    z0 = stats.norm.ppf(np.clip((d < est).mean(axis=0), 1e-12, 1 - 1e-12))
    dev = jack.mean(axis=0) - jack
    acc = (dev**3).sum(axis=0) / (6 * ((dev**2).sum(axis=0)) ** 1.5)
    acc = np.nan_to_num(acc)
    za, zb = stats.norm.ppf(alpha), stats.norm.ppf(1 - alpha)
    lo = stats.norm.cdf(z0 + (z0 + za) / (1 - acc * (z0 + za)))
    hi = stats.norm.cdf(z0 + (z0 + zb) / (1 - acc * (z0 + zb)))
    out_lo = np.array([np.nanquantile(d[:, k], lo[k]) for k in range(d.shape[1])])
    out_hi = np.array([np.nanquantile(d[:, k], hi[k]) for k in range(d.shape[1])])
    return out_lo, out_hi


def inference_table(result, point, draws, jack, level) -> pd.DataFrame:
    """One row per bootstrapped quantity: est, mean, se, t, pvalue, ci_low, ci_high."""
    labels = result.quantity_labels()
    frames = []
    for key, lab in labels.items():
        d = draws[key]
        if d.shape[1] == 0:
            continue
        est = point[key]
        se = np.nanstd(d, axis=0, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
        p = 2 * stats.t.sf(np.abs(t), df=d.shape[0] - 1)
        lo, hi = _interval(est, d, None if jack is None else jack[key], level)
        f = lab.copy()
        f["est"], f["mean"], f["se"], f["t"], f["pvalue"] = est, np.nanmean(d, axis=0), se, t, p
        f["ci_low"], f["ci_high"] = lo, hi
        frames.append(f)
    return pd.concat(frames, ignore_index=True)
