"""Stage 2: the sample statistics of every group (lavaan's ``lavSampleStats``).

Per group: the rows used, ``n``, the mean and covariance (N denominator); with missing answers the
missing-data patterns (their counts, means and n-denominator covariances, computed once) and the
saturated model by EM (``h1``); with ordered indicators the thresholds, polychoric correlations and
their NACOV Γ (:mod:`cxkit.sem.categorical`).

A group whose covariance matrix is not positive definite (fewer respondents than variables, an
item that does not vary, items that are linear combinations of each other) cannot be fitted by ML:
that is an error naming the group, as lavaan stops with one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit.errors import ModelError, ResponseError

LOG2PI = np.log(2 * np.pi)


@dataclass(frozen=True)
class Pattern:
    """The rows of one missing-data pattern: observed variables, count, mean, covariance (n)."""

    observed: np.ndarray
    n: int
    mean: np.ndarray
    cov: np.ndarray
    rows: np.ndarray


def patterns(x: np.ndarray) -> list[Pattern]:
    """Group the rows of ``x`` (NaN = missing) by missing-data pattern; empty rows dropped."""
    mask = ~np.isnan(x)
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    out = []
    for k, key in enumerate(keys):
        if not key.any():
            continue
        idx = np.flatnonzero(inverse == k)
        rows = x[idx][:, key]
        m = rows.mean(axis=0)
        c = (rows - m).T @ (rows - m) / len(rows)
        out.append(Pattern(np.flatnonzero(key), len(rows), m, c, idx))
    return out


def loglik_patterns(pats: list[Pattern], mu: np.ndarray, sigma: np.ndarray) -> float:
    """The normal log-likelihood of the patterns' rows at (μ, Σ) (−inf if Σ is not PD there)."""
    total = 0.0
    for g in pats:
        o = g.observed
        s_oo = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(s_oo)
        if sign <= 0:
            return -np.inf
        d = g.mean - mu[o]
        inv = np.linalg.inv(s_oo)
        total += -g.n / 2 * (len(o) * LOG2PI + logdet + np.sum(inv * (g.cov + np.outer(d, d))))
    return float(total)


def em_saturated(pats: list[Pattern], p: int, tol: float = 1e-12, max_iter: int = 10000):
    """EM estimates of the unrestricted mean and covariance; returns (mean, cov, logL)."""
    n = sum(g.n for g in pats)
    t1 = np.zeros(p)
    cnt = np.zeros(p)
    sq = np.zeros(p)
    for g in pats:
        t1[g.observed] += g.n * g.mean
        sq[g.observed] += g.n * (np.diag(g.cov) + g.mean**2)
        cnt[g.observed] += g.n
    mu = t1 / cnt
    sigma = np.diag(sq / cnt - mu**2)
    old = -np.inf
    ll = old
    for _ in range(max_iter):
        a1 = np.zeros(p)
        a2 = np.zeros((p, p))
        for g in pats:
            o = g.observed
            m = np.setdiff1d(np.arange(p), o)
            eo = g.cov + np.outer(g.mean, g.mean)
            if len(m) == 0:
                a1 += g.n * g.mean
                a2 += g.n * eo
                continue
            beta = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)]).T
            resid = sigma[np.ix_(m, m)] - beta @ sigma[np.ix_(o, m)]
            a = mu[m] - beta @ mu[o]
            full_mean = np.empty(p)
            full_mean[o], full_mean[m] = g.mean, a + beta @ g.mean
            second = np.empty((p, p))
            second[np.ix_(o, o)] = eo
            cross = np.outer(a, g.mean) + beta @ eo
            second[np.ix_(m, o)] = cross
            second[np.ix_(o, m)] = cross.T
            bm = beta @ g.mean
            second[np.ix_(m, m)] = (
                np.outer(a, a) + np.outer(a, bm) + np.outer(bm, a) + beta @ eo @ beta.T + resid
            )
            a1 += g.n * full_mean
            a2 += g.n * second
        mu = a1 / n
        sigma = a2 / n - np.outer(mu, mu)
        ll = loglik_patterns(pats, mu, sigma)
        if abs(ll - old) < tol * max(1.0, abs(ll)):
            break
        old = ll
    return mu, sigma, ll


@dataclass
class GroupStats:
    """One group's data and sample statistics."""

    label: object
    x: np.ndarray  # rows used (NaN where missing, with FIML)
    n: int
    mean: np.ndarray  # the h1 mean (EM with missing answers)
    cov: np.ndarray  # the h1 covariance (N denominator; EM with missing answers)
    patterns: list[Pattern] | None = None
    loglik_h1: float = np.nan
    ordinal: object | None = None
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def complete(self) -> bool:
        return self.patterns is None


@dataclass
class SampleStats:
    """Every group's statistics, the variables' names and the rows dropped."""

    ov: tuple[str, ...]
    groups: list[GroupStats]
    n_dropped: int
    used: pd.DataFrame  # the rows used (all groups), for the data hash

    @property
    def n(self) -> int:
        return sum(g.n for g in self.groups)

    @property
    def ngroups(self) -> int:
        return len(self.groups)


def numeric_columns(frame: pd.DataFrame, cols) -> None:
    for c in cols:
        col = frame[c]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise ResponseError(
                f"column {c!r} is not numeric (dtype {col.dtype}); model variables must be numbers",
                field=c,
            )
        values = col.to_numpy(dtype=float)
        if np.isinf(values).any():
            raise ResponseError(
                f"column {c!r} holds an infinite value; model variables must be finite numbers "
                "(or missing)",
                field=c,
            )


def group_labels(frame: pd.DataFrame, group: str | None) -> list:
    if group is None:
        return [None]
    from cxkit.errors import SpecificationError

    if group not in frame.columns:
        raise SpecificationError(
            f"group={group!r} is not a column of the data; columns: "
            f"{', '.join(map(str, frame.columns))}"
        )
    labels = list(pd.unique(frame[group].dropna()))
    if len(labels) < 2:
        raise SpecificationError(
            f"group={group!r} has {len(labels)} group(s); multi-group models need at least 2"
        )
    return labels


def sample_stats(
    frame: pd.DataFrame,
    ov: tuple[str, ...],
    group: str | None,
    missing: str,
    ordinal: bool = False,
) -> SampleStats:
    """Compute every group's statistics from ``frame`` (never modified)."""
    numeric_columns(frame, ov)
    labels = group_labels(frame, group)
    fiml = missing == "ml"
    groups = []
    used_parts = []
    dropped = 0
    p = len(ov)
    for label in labels:
        part = frame if label is None else frame[frame[group] == label]
        rows = part[list(ov)].astype(float)
        if fiml:
            keep = rows.notna().any(axis=1)
        else:
            keep = rows.notna().all(axis=1)
        dropped += int((~keep).sum())
        rows = rows[keep]
        used_parts.append(rows)
        x = rows.to_numpy()
        n = len(x)
        where = "" if label is None else f" in group {label!r}"
        if n < 2:
            raise ModelError(
                f"only {n} {'usable' if fiml else 'complete'} row(s){where} for the model's "
                f"{p} variables; nothing to fit"
            )
        if fiml and np.isnan(x).any():
            pats = patterns(x)
            for j, v in enumerate(ov):
                col = x[:, j][~np.isnan(x[:, j])]
                if len(col) < 2 or np.ptp(col) == 0:
                    raise ModelError(
                        f"variable {v!r} has no variance{where} ({len(col)} answer(s)); it cannot "
                        "be modelled: drop it or the group"
                    )
            mean, cov, ll = em_saturated(pats, p)
            gs = GroupStats(label, x, n, mean, cov, pats, ll)
        else:
            mean = x.mean(axis=0)
            cov = np.cov(x, rowvar=False, bias=True).reshape(p, p)
            gs = GroupStats(label, x, n, mean, cov)
            if fiml:
                gs.loglik_h1 = _complete_loglik(n, cov)
        if not ordinal:
            const = [
                v for j, v in enumerate(ov) if gs.cov[j, j] <= 1e-12 * max(1.0, gs.mean[j] ** 2)
            ]
            if const:
                raise ModelError(
                    f"variable(s) {', '.join(map(repr, const))} do not vary{where} (every answer "
                    "the same); they cannot be modelled: drop them, or the group"
                )
            eig = np.linalg.eigvalsh(gs.cov)
            if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
                if n <= p:
                    reason = f"{n} respondents for {p} variables"
                else:
                    reason = "some variables are linear combinations of others"
                raise ModelError(
                    f"the sample covariance matrix{where} is not positive definite ({reason}); ML "
                    "cannot fit it. Fit fewer variables, merge small groups, or use more data"
                )
        groups.append(gs)
    used = pd.concat(used_parts)
    return SampleStats(tuple(ov), groups, dropped, used)


def _complete_loglik(n: int, cov: np.ndarray) -> float:
    p = cov.shape[0]
    _, logdet = np.linalg.slogdet(cov)
    return float(-n / 2 * (p * LOG2PI + logdet + p))


def resample(stats: SampleStats, index: list[np.ndarray]) -> SampleStats:
    """The statistics of a resample: ``index[g]`` are row numbers into group g's rows."""
    groups = []
    for gs, rows in zip(stats.groups, index, strict=True):
        x = gs.x[rows]
        if gs.patterns is not None:
            pats = patterns(x)
            groups.append(GroupStats(gs.label, x, len(x), gs.mean, gs.cov, pats, 0.0))
        else:
            mean = x.mean(axis=0)
            cov = np.cov(x, rowvar=False, bias=True).reshape(x.shape[1], x.shape[1])
            groups.append(GroupStats(gs.label, x, len(x), mean, cov))
    return SampleStats(stats.ov, groups, 0, stats.used)
