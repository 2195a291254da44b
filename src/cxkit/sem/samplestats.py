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

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit.errors import ModelError, ResponseError

LOG2PI = np.log(2 * np.pi)


_CONTROLLER = None


def single_thread():
    """A context in which BLAS runs on one thread. The objectives work on many small matrices,
    where a BLAS thread pool only adds overhead — and on a busy machine, much more than that
    (lavaan's R BLAS is single-threaded too)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1)


#: vech pairs (k²) up to which the positions of :func:`_kron_index` are kept between calls;
#: above it they are formed for ``_KRON_BLOCK`` pairs at a time
_KRON_CACHED = 4_000_000
_KRON_BLOCK = 2_000_000


def _kron_index(p: int, lo: int, hi: int) -> np.ndarray:
    """For the vech rows ``lo:hi`` and every vech column, the flat positions in a k × k matrix
    ``Tv[(α, β), (γ, δ)]`` (symmetric pairs folded) of ``T[r_i r_j c_i c_j]``, ``T[r_i c_j c_i r_j]``,
    ``T[c_i r_j r_i c_j]`` and ``T[c_i c_j r_i r_j]`` (4, hi − lo, k): the sum of them is
    ``D'(Σ A ⊗ C)D`` read from ``Tv = Σ vech(A) vech(C)'``. Small questionnaires keep theirs."""
    k = p * (p + 1) // 2
    if k * k <= _KRON_CACHED:
        return _kron_index_cached(p)[:, lo:hi]
    return _kron_positions(p, lo, hi)


@functools.lru_cache(maxsize=2)
def _kron_index_cached(p: int) -> np.ndarray:
    return _kron_positions(p, 0, p * (p + 1) // 2)


def _kron_positions(p: int, lo: int, hi: int) -> np.ndarray:
    r, c = np.tril_indices(p)
    k = len(r)
    pos = np.zeros((p, p), dtype=np.intp)
    pos[r, c] = pos[c, r] = np.arange(k)
    ri, ci, rj, cj = r[lo:hi, None], c[lo:hi, None], r[None, :], c[None, :]
    out = np.stack(
        [
            pos[ri, rj] * k + pos[ci, cj],
            pos[ri, cj] * k + pos[ci, rj],
            pos[ci, rj] * k + pos[ri, cj],
            pos[ci, cj] * k + pos[ri, rj],
        ]
    )
    return out.astype(np.int32) if k * k < 2**31 else out


def padded_inverses(sigma: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Every pattern's ``Σ_oo⁻¹`` placed in a p × p matrix of zeros (P, p, p), for the observed
    masks ``observed`` (P, p): with ``K = Σ⁻¹``, ``Σ_oo⁻¹ = K − K_·m K_mm⁻¹ K_m·`` on the observed
    block, so only the small ``K_mm`` of the missing variables is inverted, for the patterns
    grouped by their number of missing variables.

    >>> s = np.array([[2.0, 0.5, 0.3], [0.5, 1.0, 0.2], [0.3, 0.2, 1.5]])
    >>> a = padded_inverses(s, np.array([[True, False, True]]))[0]
    >>> bool(np.allclose(a[np.ix_([0, 2], [0, 2])], np.linalg.inv(s[np.ix_([0, 2], [0, 2])])))
    True
    """
    observed = np.asarray(observed, bool)
    p = sigma.shape[0]
    k = np.linalg.inv(sigma)
    out = np.broadcast_to(k, (len(observed), p, p)).copy()
    nmiss = p - observed.sum(axis=1)
    for nm in np.unique(nmiss):
        if nm == 0:
            continue
        pidx = np.flatnonzero(nmiss == nm)
        miss = np.nonzero(~observed[pidx])[1].reshape(len(pidx), int(nm))
        kam = np.swapaxes(k[:, miss], 0, 1)  # (Pg, p, nm)
        kmm = k[miss[:, :, None], miss[:, None, :]]  # (Pg, nm, nm)
        out[pidx] -= kam @ np.linalg.solve(kmm, np.swapaxes(kam, 1, 2))
    np.multiply(out, observed[:, :, None] & observed[:, None, :], out=out)
    return out


@dataclass(frozen=True)
class Pattern:
    """The rows of one missing-data pattern: observed variables, count, mean, covariance (n)."""

    observed: np.ndarray
    n: int
    mean: np.ndarray
    cov: np.ndarray
    rows: np.ndarray


def patterns(x: np.ndarray) -> list[Pattern]:
    """Group the rows of ``x`` (NaN = missing) by missing-data pattern; empty rows dropped.

    One sort of the rows by pattern; the means from one sum per pattern, the covariance only for
    patterns with more than one row (a single row's is zero).
    """
    mask = ~np.isnan(x)
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    counts = np.bincount(inverse, minlength=len(keys))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    filled = np.where(mask, x, 0.0)[order]
    sums = np.add.reduceat(filled, starts, axis=0) if len(filled) else filled
    out = []
    for k, key in enumerate(keys):
        if not key.any():
            continue
        o = np.flatnonzero(key)
        idx = order[starts[k] : starts[k] + counts[k]]
        m = sums[k, o] / counts[k]
        if counts[k] > 1:
            dev = x[np.ix_(idx, o)] - m
            c = dev.T @ dev / counts[k]
        else:
            c = np.zeros((len(o), len(o)))
        out.append(Pattern(o, int(counts[k]), m, c, idx))
    return out


class PatternSet:
    """One group's missing-data patterns as arrays, for work vectorised over patterns (and over a
    stack of B samples or parameter vectors).

    ``patterns``: a list of ``(observed, n (B,), mean (B, po), cov (B, po, po))``. The sufficient
    statistics become *rows*, zero where missing: each pattern's mean (weight ``n``), and for a
    pattern whose scatter ``n · cov`` is not zero its factor rows ``f_j`` (``Σ_j f_j f_j'`` = the
    scatter, from an eigendecomposition; weight 1, not shifted by μ). Then every quantity is a sum
    over rows of the same few products, whatever the number of patterns.

    With ``K = Σ⁻¹`` a pattern needs no inverse of its own: ``Σ_oo⁻¹`` (zero-padded) is
    ``K − K_·m K_mm⁻¹ K_m·`` and ``log|Σ_oo| = log|Σ| + log|K_mm|`` — only the small ``K_mm`` of
    the missing variables is inverted, for the patterns grouped by their number of missing
    variables.
    """

    def __init__(self, pats, p: int):
        self.p = p
        npat = len(pats)
        b0 = max(int(np.shape(pt[1])[0]) for pt in pats) if npat else 1
        self.npat = npat
        self.obs = np.zeros((npat, p), dtype=bool)
        self.n = np.zeros((b0, npat))
        mean = np.zeros((b0, npat, p))
        factors, owner = [], []
        for k, (o, n, m, cov) in enumerate(pats):
            o = np.asarray(o)
            self.obs[k, o] = True
            self.n[:, k] = n
            mean[:, k, o] = m
            cov = np.asarray(cov, float)
            if np.any(cov != 0):
                lam, vec = np.linalg.eigh(np.asarray(n, float)[:, None, None] * cov)
                # the scatter of n rows has rank n − 1 at most: only its nonzero components
                keep = np.any(lam > 1e-13 * np.maximum(lam[:, -1:], 1e-300), axis=0)
                lam, vec = lam[:, keep], vec[:, :, keep]
                rows = np.zeros((b0, lam.shape[1], p))  # row j: sqrt(λ_j) v_j'
                rows[:, :, o] = np.swapaxes(vec * np.sqrt(np.maximum(lam, 0.0))[:, None, :], 1, 2)
                factors.append(rows)
                owner += [k] * lam.shape[1]
        nf = len(owner)
        self.rows = np.concatenate([mean, *factors], axis=1) if factors else mean
        self.row_pat = np.concatenate([np.arange(npat), np.array(owner, dtype=int)])
        self.row_obs = self.obs[self.row_pat]
        self.is_mean = np.arange(npat + nf) < npat
        self.w = np.concatenate([self.n, np.ones((b0, nf))], axis=1)
        self.po = self.obs.sum(axis=1)
        self._mean_rows = slice(0, npat)  # the rows that are means (shifted by μ)
        self.groups = self._missing_groups()

    @classmethod
    def casewise(cls, x: np.ndarray, counts: np.ndarray) -> PatternSet:
        """B weighted copies of one data set: the rows of ``x`` (n, p; NaN = missing) are the
        statistics themselves (each a "mean" of one case), shared by the whole stack, and
        ``counts`` (B, n) their weights — the bootstrap, where ``counts[b, i]`` is how often
        resample b drew row i. Rows without any answer are left out.

        >>> x = np.array([[1.0, 2.0], [np.nan, 1.0], [2.0, 0.5], [0.0, np.nan]])
        >>> ps = PatternSet.casewise(x, np.array([[1, 1, 1, 1], [2, 0, 1, 1]], float))
        >>> ps.npat, ps.total.tolist()
        (3, [4.0, 4.0])
        """
        mask = ~np.isnan(x)
        keep = mask.any(axis=1)
        x, mask, counts = x[keep], mask[keep], np.asarray(counts, float)[:, keep]
        keys, inverse = np.unique(mask, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        self = cls.__new__(cls)
        self.p, self.npat, self.obs = x.shape[1], len(keys), keys
        self.n = np.stack([np.bincount(inverse, weights=c, minlength=len(keys)) for c in counts])
        self.rows = np.where(mask, x, 0.0)[None]
        self.row_pat = inverse
        self.row_obs = keys[inverse]
        self.is_mean = np.ones(len(x), dtype=bool)
        self.w = counts
        self.po = keys.sum(axis=1)
        self._mean_rows = slice(None)
        self.groups = self._missing_groups()
        return self

    def _missing_groups(self) -> list:
        """The patterns by their number of missing variables: per count ``nm`` the patterns, their
        missing positions (Pg, nm), their rows and each row's place among the patterns."""
        out = []
        nmiss = self.p - self.po
        for nm in np.unique(nmiss):
            pidx = np.flatnonzero(nmiss == nm)
            miss = np.array([np.flatnonzero(~self.obs[k]) for k in pidx], dtype=int)
            miss = miss.reshape(len(pidx), int(nm))
            pos = np.full(self.npat, -1)
            pos[pidx] = np.arange(len(pidx))
            ridx = np.flatnonzero(pos[self.row_pat] >= 0)
            out.append((int(nm), pidx, miss, ridx, pos[self.row_pat[ridx]]))
        return out

    @property
    def total(self) -> np.ndarray:
        """The number of rows (B,)."""
        return self.n.sum(axis=1)

    def evaluate(self, mu, sigma, idx=None, grad: bool = False, em: bool = False):
        """The log-likelihood (B,) of the patterns at stacked ``mu`` (B, p), ``sigma`` (B, p, p).

        Returns ``(loglik, bad)``, with ``grad`` also ``(g_sigma, g_mu)``: the derivative of
        ``−loglik`` with respect to Σ (symmetric, ``d = tr(G dΣ)``) and μ; with ``em`` instead the
        expected first and second moments ``(T1 (B, p), T2 (B, p, p))`` summed over the
        respondents (the EM E-step). ``bad`` marks a Σ that is not positive definite.

        Per row ``e`` (the mean's residual, or a factor row; zero where missing), ``y = e K`` and
        ``z = K_mm⁻¹ y_m``: ``e'Σ_oo⁻¹e = e·y − y_m·z`` and ``Σ_oo⁻¹e = (e − z↑) K`` (``z↑``: z
        placed at the missing positions); summed over patterns, ``Σ n_k Σ_oo⁻¹ = N K − K M K``
        with ``M`` the counts times the ``K_mm⁻¹`` placed in the missing blocks.
        """
        b, p, npat = mu.shape[0], self.p, self.npat
        n = _take(self.n, idx)  # (B|1, P)
        w = _take(self.w, idx)  # (B|1, R)
        rows = _take(self.rows, idx)
        sign, logdet = np.linalg.slogdet(sigma)
        bad = sign <= 0
        k = np.linalg.inv(np.where(bad[:, None, None], np.eye(p), sigma))
        e = rows - mu[:, None, :] * self.is_mean[None, :, None]
        e *= self.row_obs
        y = e @ k
        quad = np.einsum("brp,brp->br", e, y)
        ld = np.broadcast_to(logdet[:, None], (b, npat)).copy()
        zpad = np.zeros(y.shape)
        solved = []
        for nm, pidx, miss, ridx, rpos in self.groups:
            if nm == 0:
                continue
            kmm = k[:, miss[:, :, None], miss[:, None, :]]  # (B, Pg, nm, nm)
            s2, ldm = np.linalg.slogdet(kmm)
            bad = bad | np.any(s2 <= 0, axis=1)
            kinv = np.linalg.inv(kmm)
            ld[:, pidx] += ldm
            rmiss = miss[rpos]
            ym = y[:, ridx[:, None], rmiss]  # (B, Rg, nm)
            z = (kinv[:, rpos] @ ym[..., None])[..., 0]
            quad[:, ridx] -= np.einsum("bri,bri->br", ym, z)
            zpad[:, ridx[:, None], rmiss] = z
            solved.append((pidx, miss, kinv))
        ll = -0.5 * (np.sum(n * (self.po * LOG2PI + ld), axis=1) + np.sum(w * quad, axis=1))
        if not (grad or em):
            return ll, bad
        msum = self._placed(solved, n, b)  # M: Σ n_k K_mm⁻¹ in the missing blocks (B, p, p)
        if em:
            c = e - zpad  # completed: observed values, and −z (+ μ for the means) where missing
            means = self._mean_rows
            c[:, means] += mu[:, None, :]
            wc = c * w[:, :, None]
            return ll, bad, (wc[:, means].sum(axis=1), msum + np.swapaxes(wc, 1, 2) @ c)
        u = y - zpad @ k  # Σ_oo⁻¹ e per row
        wu = u * w[:, :, None]
        npk = np.sum(n, axis=1)[:, None, None] * k - k @ msum @ k
        g_sigma = 0.5 * (npk - np.swapaxes(wu, 1, 2) @ u)
        return ll, bad, (g_sigma, -wu[:, self._mean_rows].sum(axis=1))

    def information(self, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        """The observed information of the saturated model — the Hessian of −logL w.r.t.
        ``(μ, vech Σ)`` — at ``mu`` (p,), ``sigma`` (p, p), summed over the rows (a stack of one).

        Per pattern, with ``A = Σ_oo⁻¹`` zero-padded (:func:`padded_inverses`), ``n`` its cases,
        ``f = Σ w e`` over its mean rows (``n (m − μ)``) and ``C = Σ w e e'`` over all its rows (the
        scatter about μ): ``n A`` (means), ``A E_kl A f`` (means × covariances) and
        ``½ D'(A ⊗ (2ACA − nA))D`` (covariances; ``D'(A ⊗ B)D`` is symmetric in A and B). The sum
        over patterns is one product ``Tv = Σ vech(A) vech(2ACA − nA)'`` (k × k), read at the
        positions of :func:`_kron_index`.
        """
        p, npat = self.p, self.npat
        r, c = np.tril_indices(p)
        w = self.w[0]
        e = (self.rows[0] - mu * self.is_mean[:, None]) * self.row_obs
        first = np.zeros((npat, p))
        np.add.at(first, self.row_pat[self._mean_rows], (w[:, None] * e)[self._mean_rows])
        # C per pattern: the rows sorted by pattern, summed a block of rows at a time
        order = np.argsort(self.row_pat, kind="stable")
        pat, we, es = self.row_pat[order], (w[:, None] * e)[order], e[order]
        scatter = np.zeros((npat, p, p))
        step = max(1, 4_000_000 // (p * p))
        for i in range(0, len(order), step):
            blk = slice(i, i + step)
            keys, starts = np.unique(pat[blk], return_index=True)
            scatter[keys] += np.add.reduceat(we[blk, :, None] * es[blk, None, :], starts, axis=0)
        n = self.n[0]
        a = padded_inverses(sigma, self.obs)
        na = n[:, None, None] * a
        half = np.where(r == c, 0.5, 1.0)
        x_ = np.transpose(a, (1, 2, 0)) @ np.einsum("kpq,kq->kp", a, first)  # Σ a_ir (Af)_c
        cross = (x_[:, r, c] + x_[:, c, r]) * half
        out = np.zeros((p + len(r), p + len(r)))
        out[:p, :p] = na.sum(axis=0)
        out[:p, p:] = cross
        out[p:, :p] = cross.T
        # covariances: with T[α, β, γ, δ] = Σ_k A_k[α, β] C'_k[γ, δ] (C' = 2ACA − nA), element
        # (i, j) of vech positions (r_i, c_i), (r_j, c_j) is T[r_i r_j c_i c_j] + T[r_i c_j c_i r_j]
        # + T[c_i r_j r_i c_j] + T[c_i c_j r_i r_j]. A and C' are symmetric, so T is read from
        # Tv = Σ_k vech(A_k) vech(C'_k)' (k × k, one product over the patterns)
        tv = (a[:, r, c].T @ (2 * a @ scatter @ a - na)[:, r, c]).ravel()
        k = len(r)
        cov = np.empty((k, k))
        step = k if k * k <= _KRON_CACHED else max(1, _KRON_BLOCK // k)
        for i in range(0, k, step):
            terms = _kron_index(p, i, min(i + step, k))
            cov[i : i + step] = tv[terms[0]] + tv[terms[1]] + tv[terms[2]] + tv[terms[3]]
        out[p:, p:] = 0.5 * cov * np.outer(half, half)
        return out

    def _placed(self, solved, n, b):
        p = self.p
        out = np.zeros((b, p, p))
        if not solved:
            return out
        flat = np.concatenate([(m[:, :, None] * p + m[:, None, :]).ravel() for _, m, _ in solved])
        vals = np.concatenate(
            [
                (np.broadcast_to(n[:, pidx], kinv.shape[:2])[:, :, None, None] * kinv).reshape(
                    b, -1
                )
                for pidx, _, kinv in solved
            ],
            axis=1,
        )
        for j in range(b):
            out[j] = np.bincount(flat, weights=vals[j], minlength=p * p).reshape(p, p)
        return out


def _take(arr: np.ndarray, idx):
    """The stack members ``idx`` of a statistic (a statistic of one broadcasts to any stack)."""
    return arr if idx is None or arr.shape[0] == 1 else arr[idx]


def loglik_patterns(pats: list[Pattern], mu: np.ndarray, sigma: np.ndarray) -> float:
    """The normal log-likelihood of the patterns' rows at (μ, Σ) (−inf if Σ is not PD there)."""
    ps = PatternSet(pattern_tuples(pats), len(mu))
    ll, bad = ps.evaluate(mu[None], sigma[None])
    return -np.inf if bad[0] else float(ll[0])


def pattern_tuples(pats: list[Pattern]):
    """The patterns as :class:`PatternSet` takes them: ``(observed, n, mean, cov)``, a stack of one."""
    return [(g.observed, np.array([g.n], float), g.mean[None], g.cov[None]) for g in pats]


def em_saturated(
    pats: list[Pattern], p: int, tol: float = 1e-12, max_iter: int = 10000, pattern_set=None
):
    """EM estimates of the unrestricted mean and covariance; returns (mean, cov, logL).

    Each iteration is one pass over the patterns' arrays (:class:`PatternSet`; ``pattern_set``: the
    patterns' set when it is built already): the E-step's completed moments and the
    log-likelihood of the current estimates come from the same ``Σ⁻¹``.
    """
    with single_thread():
        ps = PatternSet(pattern_tuples(pats), p) if pattern_set is None else pattern_set
        return _em(ps, pats, p, tol, max_iter)


def _em(ps, pats, p, tol, max_iter):
    n = float(ps.total[0])
    obs = ps.obs
    w = ps.n[0][:, None] * obs
    cnt = w.sum(axis=0)
    means = ps.rows[0, : len(pats)]
    mu = np.sum(w * means, axis=0) / cnt
    diag = np.zeros((len(pats), p))
    for k, g in enumerate(pats):
        diag[k, g.observed] = np.diag(g.cov)
    sq = np.sum(w * (diag + means**2), axis=0)
    sigma = np.diag(sq / cnt - mu**2)
    old = -np.inf
    ll = old
    for it in range(max_iter + 1):
        ll_now, bad, (t1, t2) = ps.evaluate(mu[None], sigma[None], em=True)
        ll = -np.inf if bad[0] else float(ll_now[0])
        if it >= 2 and abs(ll - old) < tol * max(1.0, abs(ll)):
            break
        if it > 0:
            old = ll
        mu = t1[0] / n
        sigma = t2[0] / n - np.outer(mu, mu)
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

    def pattern_set(self) -> PatternSet:
        """The missing-data patterns as one :class:`PatternSet` (built once, shared by the fit,
        the baseline and the robust statistics)."""
        if "pattern_set" not in self.cache:
            self.cache["pattern_set"] = PatternSet(pattern_tuples(self.patterns), self.x.shape[1])
        return self.cache["pattern_set"]


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
            gs = GroupStats(label, x, n, np.zeros(p), np.eye(p), pats)
            gs.mean, gs.cov, gs.loglik_h1 = em_saturated(pats, p, pattern_set=gs.pattern_set())
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
