"""Multi-group ML with a mean structure and equality constraints across groups; invariance tests.

Each group has the same model with its own parameters, intercepts ν and latent means α (α fixed
at 0 — or, when the intercepts are constrained equal, free in every group but the first, as lavaan
does). ``group_equal`` names the kinds of parameter held equal across groups, with lavaan's words:
``loadings``, ``intercepts``, ``residuals``, ``residual.covariances``, ``lv.variances``,
``lv.covariances``, ``regressions``, ``means``. A label used in the model is one parameter in every
group. Estimation is Fisher scoring on ``Σ_g n_g F_g`` with
``F_g = log|Σ| + tr(S Σ⁻¹) − log|S| − p + (m − μ)'Σ⁻¹(m − μ)``; standard errors from the expected
information. Fit indices as lavaan 0.6 reports them for several groups (RMSEA multiplied by √G).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import ModelError, SpecificationError
from cxkit.sem.fiml import em_saturated, gradients, loglik, patterns
from cxkit.sem.indices import assemble, robust_indices
from cxkit.sem.ml import fisher_scoring
from cxkit.sem.spec import ModelSpec

EQUAL = (
    "loadings",
    "intercepts",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "regressions",
    "means",
)


def _key(lhs: str, op: str, rhs: str) -> str:
    """A parameter as lavaan writes it in ``group.partial``, without spaces: ``x3~1``."""
    return f"{lhs}{op}{rhs}".replace(" ", "")


def _split(text: str) -> tuple[str, str, str]:
    """``'visual =~ x2'`` → ('visual', '=~', 'x2'); ``'x3 ~ 1'`` → ('x3', '~1', '')."""
    s = str(text).replace(" ", "")
    for op in ("=~", "~~", "~1", "~"):
        if op == "~1" and s.endswith("~1"):
            return s[:-2], "~1", ""
        if op != "~1" and op in s:
            lhs, rhs = s.split(op, 1)
            return lhs, op, rhs
    raise SpecificationError(
        f"group_partial entry {text!r} is not a parameter in lavaan syntax, e.g. 'x3 ~ 1'"
    )


def _kind(spec: ModelSpec, k: int) -> str:
    p = next(par for par in spec.params if par.free == k)
    if p.op == "=~":
        return "loadings"
    if p.op == "~":
        return "regressions"
    if p.matrix == "T":
        return "residuals" if p.row == p.col else "residual.covariances"
    return "lv.variances" if p.row == p.col else "lv.covariances"


class MultiGroup:
    """The global parameter layout and the pieces each group's likelihood needs."""

    def __init__(
        self,
        model: str,
        frame: pd.DataFrame,
        group: str,
        group_equal=(),
        std_lv: bool = False,
        fiml: bool = False,
        group_partial=(),
    ):
        if group not in frame.columns:
            raise SpecificationError(
                f"group={group!r} is not a column of the data; columns: {', '.join(map(str, frame.columns))}"
            )
        for g in group_equal:
            if g not in EQUAL:
                raise SpecificationError(
                    f"group_equal={g!r} is not accepted; use any of: {', '.join(map(repr, EQUAL))}"
                )
        self.labels = list(pd.unique(frame[group].dropna()))
        if len(self.labels) < 2:
            raise SpecificationError(
                f"group={group!r} has {len(self.labels)} group(s); multi-group models need at least 2"
            )
        probe = ModelSpec.build(model, frame.columns, std_lv=std_lv)
        cols = probe.observed
        self.groups = []
        self.fiml = fiml
        for label in self.labels:
            rows = frame.loc[frame[group] == label, cols].astype(float)
            x = (rows[rows.notna().any(axis=1)] if fiml else rows.dropna()).to_numpy()
            if len(x) < 2:
                raise ModelError(f"group {label!r} has {len(x)} usable row(s); too few to fit")
            extra = {}
            if fiml:  # the saturated model by EM: its moments start the fit and anchor χ²
                mean, s, ll_sat = em_saturated(x)
                extra = {"patterns": patterns(x), "ll_sat": ll_sat}
            else:
                mean, s = x.mean(axis=0), np.cov(x, rowvar=False, bias=True)
            spec = ModelSpec.build(
                model,
                frame.columns,
                sample_cov=pd.DataFrame(s, index=cols, columns=cols),
                std_lv=std_lv,
            )
            self.groups.append(
                {"label": label, "x": x, "n": len(x), "s": s, "mean": mean, "spec": spec, **extra}
            )
        spec0 = self.groups[0]["spec"]
        self.q, self.p = spec0.n_free, len(cols)
        self.latent_idx = [spec0.inner.index(v) for v in spec0.latent]
        self.m = len(self.latent_idx)
        self.equal = set(group_equal)
        # local layout per group: [theta (q), nu (p), alpha (m)]; global index or -1 (fixed)
        kinds = [_kind(spec0, k) for k in range(self.q)]
        labelled = {k for par in spec0.params if par.label and par.free >= 0 for k in [par.free]}
        keys = {}
        for par in spec0.params:
            if par.free >= 0 and par.free not in keys:
                keys[par.free] = _key(par.lhs, par.op, par.rhs)
        means = [_key(v, "~1", "") for v in cols] + [_key(v, "~1", "") for v in spec0.latent]
        partial = {_key(*_split(s)) for s in group_partial}
        unknown = sorted(partial - set(keys.values()) - set(means))
        if unknown:
            raise SpecificationError(
                f"group_partial names {', '.join(map(repr, unknown))}, which is not a parameter of "
                "the model; write them as lavaan does, e.g. 'x3 ~ 1' (an intercept) or "
                "'visual =~ x2' (a loading)"
            )
        self.partial = partial
        nglob = 0
        self.maps = []
        first = None
        for gi, _ in enumerate(self.groups):
            mp = np.full(self.q + self.p + self.m, -1)
            for k in range(self.q):
                tied = (kinds[k] in self.equal and keys[k] not in partial) or k in labelled
                if gi > 0 and tied:
                    mp[k] = first[k]
                else:
                    mp[k], nglob = nglob, nglob + 1
            for j in range(self.p):
                if gi > 0 and "intercepts" in self.equal and means[j] not in partial:
                    mp[self.q + j] = first[self.q + j]
                else:
                    mp[self.q + j], nglob = nglob, nglob + 1
            for a in range(self.m):
                free_mean = gi > 0 and "intercepts" in self.equal and "means" not in self.equal
                if free_mean:
                    mp[self.q + self.p + a], nglob = nglob, nglob + 1
            self.maps.append(mp)
            if gi == 0:
                first = mp.copy()
        self.n_free = nglob
        self.n = sum(g["n"] for g in self.groups)
        self.cols = cols

    def local(self, theta: np.ndarray, gi: int) -> np.ndarray:
        mp = self.maps[gi]
        return np.where(mp >= 0, theta[np.clip(mp, 0, None)], 0.0)

    def group_moments(self, theta: np.ndarray, gi: int):
        g = self.groups[gi]
        loc = self.local(theta, gi)
        th, nu, alpha = loc[: self.q], loc[self.q : self.q + self.p], loc[self.q + self.p :]
        sigma, mats = g["spec"].implied(th)
        a_full = np.zeros(len(g["spec"].inner))
        a_full[self.latent_idx] = alpha
        mu = nu + mats["LA"] @ a_full
        return sigma, mu, mats, a_full

    def objective(self, theta: np.ndarray) -> float:
        """Σ_g n_g F_g (complete data) or −2 Σ_g (logL_g − logL_sat,g) (FIML): χ² at the optimum."""
        if self.fiml:
            total = 0.0
            for gi, g in enumerate(self.groups):
                sigma, mu, _, _ = self.group_moments(theta, gi)
                ll = loglik(g["patterns"], mu, sigma)
                if not np.isfinite(ll):
                    return np.inf
                total += 2 * (g["ll_sat"] - ll)
            return float(total)
        total = 0.0
        for gi, g in enumerate(self.groups):
            sigma, mu, _, _ = self.group_moments(theta, gi)
            sign, logdet = np.linalg.slogdet(sigma)
            if sign <= 0:
                return np.inf
            inv = np.linalg.inv(sigma)
            d = g["mean"] - mu
            _, logdet_s = np.linalg.slogdet(g["s"])
            total += g["n"] * (logdet + np.trace(g["s"] @ inv) - logdet_s - self.p + d @ inv @ d)
        return float(total)

    def local_derivatives(self, theta: np.ndarray, gi: int):
        """Group ``gi``'s moments and their derivatives w.r.t. its local parameters.

        Returns (sigma, mu, d_cov (L × p × p), d_mu (L × p)) with L = q + p + m local parameters.
        """
        spec = self.groups[gi]["spec"]
        sigma, mu, mats, a_full = self.group_moments(theta, gi)
        L = self.q + self.p + self.m
        d_cov = np.zeros((L, self.p, self.p))
        d_cov[: self.q] = spec.derivatives(self.local(theta, gi)[: self.q], mats)
        d_mu = np.zeros((L, self.p))
        aa = mats["A"] @ a_full
        for k, locs in enumerate(spec._loc):
            for matrix, r, c in locs:
                if matrix == "L":
                    d_mu[k, r] += aa[c]
                elif matrix == "B":
                    d_mu[k] += mats["LA"][:, r] * aa[c]
        d_mu[self.q : self.q + self.p] = np.eye(self.p)
        d_mu[self.q + self.p :] = mats["LA"][:, self.latent_idx].T
        return sigma, mu, d_cov, d_mu

    def delta(self, theta: np.ndarray, gi: int) -> np.ndarray:
        """∂(μ_g, vech Σ_g)/∂θ for the global parameters ((p + p(p+1)/2) × n_free)."""
        _, _, d_cov, d_mu = self.local_derivatives(theta, gi)
        r, c = np.tril_indices(self.p)
        local = np.concatenate([d_mu.T, d_cov[:, r, c].T])
        out = np.zeros((local.shape[0], self.n_free))
        mp = self.maps[gi]
        sel = np.flatnonzero(mp >= 0)
        np.add.at(out, (slice(None), mp[sel]), local[:, sel])
        return out

    def score_info(self, theta: np.ndarray, info: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The log-likelihood gradient and (with ``info``) the expected information (totals)."""
        grad = np.zeros(self.n_free)
        total = np.zeros((self.n_free, self.n_free))
        for gi, g in enumerate(self.groups):
            sigma, mu, d_cov, d_mu = self.local_derivatives(theta, gi)
            inv = np.linalg.inv(sigma)
            if self.fiml:
                g_sigma, g_mu = gradients(g["patterns"], mu, sigma)
                g_loc = (np.einsum("ij,kij->k", g_sigma, d_cov) + d_mu @ g_mu) / g["n"]
            else:
                dev = g["mean"] - mu
                w = inv @ (g["s"] + np.outer(dev, dev) - sigma) @ inv
                g_loc = 0.5 * np.einsum("ij,kji->k", w, d_cov) + d_mu @ inv @ dev
            mp = self.maps[gi]
            sel = np.flatnonzero(mp >= 0)
            np.add.at(grad, mp[sel], g["n"] * g_loc[sel])
            if info:
                m_ = np.einsum("ij,kjl->kil", inv, d_cov)
                i_loc = 0.5 * np.einsum("kij,lji->kl", m_, m_) + d_mu @ inv @ d_mu.T
                np.add.at(
                    total, (mp[sel][:, None], mp[sel][None, :]), g["n"] * i_loc[np.ix_(sel, sel)]
                )
        return grad, total

    def start(self) -> np.ndarray:
        theta = np.zeros(self.n_free)
        counts = np.zeros(self.n_free)
        for gi, g in enumerate(self.groups):
            th, _, _ = fisher_scoring(
                g["spec"], g["s"], g["spec"].start_values(g["s"]), max_iter=200
            )
            loc = np.concatenate([th, g["mean"], np.zeros(self.m)])
            mp = self.maps[gi]
            sel = np.flatnonzero(mp >= 0)
            np.add.at(theta, mp[sel], loc[sel])
            np.add.at(counts, mp[sel], 1)
        return theta / np.maximum(counts, 1)

    def fit(self, max_iter: int = 500, theta0=None) -> tuple[np.ndarray, bool]:
        """Maximise the likelihood: quasi-Newton steps whose Hessian starts as the expected
        information and is refined by BFGS updates (Fisher scoring alone converges only linearly
        when the model misfits), with step halving; from ``theta0`` when given (warm start)."""
        theta = self.start() if theta0 is None else np.array(theta0, dtype=float)
        f = self.objective(theta)
        grad, h = self.score_info(theta)
        for _ in range(max_iter):
            step = np.linalg.lstsq(h, grad, rcond=None)[0]
            if np.max(np.abs(step)) < 1e-9 and np.max(np.abs(grad)) < 1e-6 * self.n:
                return theta, True
            scale = 1.0
            for _ in range(40):
                cand = theta + scale * step
                f_c = self.objective(cand)
                if np.isfinite(f_c) and f_c <= f + 1e-12:
                    break
                scale /= 2
            else:
                return theta, bool(np.max(np.abs(grad)) < 1e-4 * self.n)
            grad_c, _ = self.score_info(cand, info=False)
            s, y = cand - theta, grad - grad_c  # y: change of the gradient of −logL
            theta, f_old, f, grad = cand, f, f_c, grad_c
            if abs(f_old - f) < 1e-12 and np.max(np.abs(grad)) < 1e-5 * self.n:
                return theta, True
            sy = float(s @ y)
            if sy > 1e-14:
                hs = h @ s
                h = h - np.outer(hs, hs) / float(s @ hs) + np.outer(y, y) / sy
        return theta, False


def score_tests(mg: MultiGroup, theta: np.ndarray) -> pd.DataFrame:
    """Score (Lagrange multiplier) tests for releasing each across-group equality, one at a time,
    and all together (``attrs["total"]``), as lavaan's ``lavTestScore`` (expected information).

    For the copy in group g of a parameter held equal to group 1's, the model is extended with a
    free copy for g, and ``X² = s' I⁻¹ s`` with ``s`` and ``I`` the extended model's score and
    information at the constrained estimate (df = 1 each).
    """
    import copy

    spec0 = mg.groups[0]["spec"]
    names = {}
    for par in spec0.params:
        if par.free >= 0 and par.free not in names:
            names[par.free] = (par.lhs, par.op, par.rhs)
    for j, v in enumerate(mg.cols):
        names[mg.q + j] = (v, "~1", "")
    for a, k in enumerate(mg.latent_idx):
        names[mg.q + mg.p + a] = (spec0.inner[k], "~1", "")
    tied = [
        (gi, k)
        for gi in range(1, len(mg.groups))
        for k in range(len(mg.maps[gi]))
        if mg.maps[gi][k] >= 0 and mg.maps[gi][k] == mg.maps[0][k]
    ]

    def statistic(release) -> float:
        aug = copy.copy(mg)
        aug.maps = [m.copy() for m in mg.maps]
        extra = []
        for gi, k in release:
            aug.maps[gi][k] = mg.n_free + len(extra)
            extra.append(theta[mg.maps[gi][k]])
        aug.n_free = mg.n_free + len(extra)
        grad, info = aug.score_info(np.concatenate([theta, extra]))
        return float(grad @ np.linalg.lstsq(info, grad, rcond=None)[0])

    rows = []
    for gi, k in tied:
        x2 = statistic([(gi, k)])
        rows.append((*names[k], gi + 1, x2, 1, float(stats.chi2.sf(x2, 1))))
    out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group", "x2", "df", "pvalue"])
    if tied:
        x2 = statistic(tied)
        out.attrs["total"] = {
            "x2": x2,
            "df": len(tied),
            "pvalue": float(stats.chi2.sf(x2, len(tied))),
        }
    return out


def estimate_rows(mg: MultiGroup, theta: np.ndarray, se_glob: np.ndarray | None = None) -> list:
    """The rows of a multi-group ``estimates`` table: (lhs, op, rhs, label, group, est, se, free,
    std_all), group by group: parameters, intercepts, latent means."""
    from cxkit.sem.fit import _std_values

    se_glob = np.zeros(mg.n_free) if se_glob is None else se_glob
    rows = []
    for gi, g in enumerate(mg.groups):
        spec = g["spec"]
        sigma, _, mats, _ = mg.group_moments(theta, gi)
        loc = mg.local(theta, gi)
        mp = mg.maps[gi]
        std = _std_values(spec, loc[: mg.q], mats, sigma)
        for par, s_all in zip(spec.params, std, strict=True):
            if par.op == "=~" and par.lhs == par.rhs:
                continue
            free = par.free >= 0
            est = loc[par.free] if free else par.value
            se = se_glob[mp[par.free]] if free else 0.0
            rows.append((par.lhs, par.op, par.rhs, par.label, gi + 1, est, se, free, s_all))
        sd = np.sqrt(np.diag(sigma))
        for j, name in enumerate(mg.cols):
            value = loc[mg.q + j]
            rows.append(
                (name, "~1", "", "", gi + 1, value, se_glob[mp[mg.q + j]], True, value / sd[j])
            )
        sd_in = np.sqrt(np.diag(mats["inner_cov"]))
        for a, k in enumerate(mg.latent_idx):
            gidx = mp[mg.q + mg.p + a]
            free = gidx >= 0
            val = loc[mg.q + mg.p + a]
            se = se_glob[gidx] if free else 0.0
            rows.append((spec.inner[k], "~1", "", "", gi + 1, val, se, free, val / sd_in[k]))
    return rows


def resampled(mg: MultiGroup, index: list[np.ndarray]) -> MultiGroup:
    """A copy of ``mg`` whose groups hold the rows ``index[g]`` of their data (a resample)."""
    import copy

    out = copy.copy(mg)
    out.groups = []
    for g, rows in zip(mg.groups, index, strict=True):
        x = g["x"][rows]
        if mg.fiml:  # the saturated log-likelihood only shifts the objective: left at 0
            out.groups.append(dict(g, x=x, n=len(x), patterns=patterns(x), ll_sat=0.0))
            continue
        out.groups.append(
            dict(g, x=x, n=len(x), s=np.cov(x, rowvar=False, bias=True), mean=x.mean(axis=0))
        )
    return out


def _mlr(mg: MultiGroup, theta: np.ndarray) -> tuple[np.ndarray, float, float, dict | None]:
    """Robust vcov, the Yuan–Bentler traces (model, baseline) of a multi-group fit and, with FIML,
    lavaan's FIML-corrected statistics for the robust indices."""
    from cxkit.sem import robust
    from cxkit.sem.fit import _fixed_x

    if _fixed_x(mg.groups[0]["spec"]):
        raise SpecificationError(
            "estimator='MLR' with groups is not available yet for models with observed exogenous "
            "predictors; use estimator='ML', or turn the predictor into a single-indicator factor"
        )
    groups, bases = [], []
    base_trace = 0.0
    for gi, g in enumerate(mg.groups):
        sigma, mu, _, _ = mg.group_moments(theta, gi)
        grp = robust.Group(g["x"], g["mean"], g["s"], mu, sigma, mg.delta(theta, gi), True)
        groups.append(grp)
        base, e_b = robust.baseline_group(g["x"], g["mean"], g["s"], True, cache=grp.cache)
        bases.append(base)
        # the baseline's groups share no parameters: its information is block-diagonal
        base_trace += robust.trace_ugamma([base], np.linalg.inv(e_b))
    e = robust.observed_information(lambda th: mg.score_info(th, info=False)[0], theta, mg.n)
    vcov, e_inv = robust.sandwich(groups, e)
    trace = robust.trace_ugamma(groups, e_inv)
    corrected = None
    if mg.fiml:
        df = len(groups) * (mg.p * (mg.p + 1) / 2 + mg.p) - mg.n_free
        b_df = len(groups) * mg.p * (mg.p - 1) / 2
        corrected = robust.fiml_corrected(groups, bases, df, b_df)
    return vcov, trace, base_trace, corrected


def fit_multigroup(
    model: str,
    frame: pd.DataFrame,
    group: str,
    group_equal=(),
    std_lv: bool = False,
    level: float = 0.95,
    estimator: str = "ML",
    fiml: bool = False,
    group_partial=(),
):
    """Fit ``model`` in every group of ``group``; returns a SEMResult with a ``group`` column.

    With ``fiml`` every row with at least one answer is used (full-information ML per group, the
    saturated model by EM, standard errors from the observed information, as lavaan's
    ``missing = "ml"``)."""
    from cxkit import __version__
    from cxkit.sem.result import SEMResult

    mg = MultiGroup(
        model, frame, group, group_equal, std_lv, fiml=fiml, group_partial=group_partial
    )
    theta, converged = mg.fit()
    _, info = mg.score_info(theta)
    if fiml:  # the observed information, lavaan's default for FIML
        from cxkit.sem.robust import observed_information

        info = mg.n * observed_information(lambda th: mg.score_info(th, info=False)[0], theta, mg.n)
    try:
        vcov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        vcov = np.full((mg.n_free, mg.n_free), np.nan)
    if estimator == "MLR":
        vcov, trace_model, trace_base, corrected = _mlr(mg, theta)
    se_glob = np.sqrt(np.clip(np.diag(vcov), 0, None))
    z = stats.norm.ppf(1 - (1 - level) / 2)
    chisq = b_chisq = loglik_total = 0.0
    srmr_parts = []
    r2 = {}
    rows = estimate_rows(mg, theta, se_glob)
    for gi, g in enumerate(mg.groups):
        sigma, mu, mats, _ = mg.group_moments(theta, gi)
        inv = np.linalg.inv(sigma)
        d = g["mean"] - mu
        _, logdet = np.linalg.slogdet(sigma)
        _, logdet_s = np.linalg.slogdet(g["s"])
        if fiml:
            ll_g = loglik(g["patterns"], mu, sigma)
            x = g["x"]
            n_avail = (~np.isnan(x)).sum(axis=0)
            ll_base = float(
                np.sum(-n_avail / 2 * (np.log(2 * np.pi) + np.log(np.nanvar(x, axis=0)) + 1))
            )
            chisq += 2 * (g["ll_sat"] - ll_g)
            b_chisq += 2 * (g["ll_sat"] - ll_base)
            loglik_total += ll_g
        else:
            fg = logdet + np.trace(g["s"] @ inv) - logdet_s - mg.p + d @ inv @ d
            chisq += g["n"] * fg
            b_chisq += g["n"] * (np.sum(np.log(np.diag(g["s"]))) - logdet_s)
            loglik_total += (
                -g["n"]
                / 2
                * (mg.p * np.log(2 * np.pi) + logdet + np.trace(g["s"] @ inv) + d @ inv @ d)
            )
        ds = np.sqrt(np.diag(g["s"]))
        res = np.concatenate([((g["s"] - sigma) / np.outer(ds, ds))[np.tril_indices(mg.p)], d / ds])
        srmr_parts.append((g["n"], float(np.sqrt(np.mean(res**2)))))
        for j, name in enumerate(mg.cols):
            r2[(gi + 1, name)] = 1 - mats["T"][j, j] / sigma[j, j]
    est = pd.DataFrame(
        rows, columns=["lhs", "op", "rhs", "label", "group", "est", "se", "_free", "std_all"]
    )
    free = est.pop("_free").astype(bool)
    est["z"] = np.where(free & (est["se"] > 0), est["est"] / est["se"].where(est["se"] > 0), np.nan)
    est["pvalue"] = 2 * stats.norm.sf(np.abs(est["z"]))
    est["ci_low"] = np.where(free, est["est"] - z * est["se"], est["est"])
    est["ci_high"] = np.where(free, est["est"] + z * est["se"], est["est"])
    est = est[
        [
            "lhs",
            "op",
            "rhs",
            "label",
            "group",
            "est",
            "se",
            "z",
            "pvalue",
            "ci_low",
            "ci_high",
            "std_all",
        ]
    ]
    n, G, npar = mg.n, len(mg.groups), mg.n_free
    df = G * (mg.p * (mg.p + 1) / 2 + mg.p) - npar
    b_df = G * mg.p * (mg.p - 1) / 2
    srmr = sum(k * v for k, v in srmr_parts) / n
    indices = assemble(n, npar, chisq, df, b_chisq, b_df, srmr, loglik_total, groups=G)
    if estimator == "MLR":
        robust = robust_indices(
            n,
            chisq,
            df,
            trace_model / df,
            b_chisq,
            b_df,
            trace_base / b_df,
            groups=G,
            corrected=corrected,
        )
        indices = pd.concat([indices, robust])
    provenance = {
        "model": model,
        "estimator": estimator,
        "missing": "fiml" if fiml else "listwise",
        "group": group,
        "groups": [str(g["label"]) for g in mg.groups],
        "group_equal": sorted(mg.equal),
        "group_partial": sorted(mg.partial),
        "n_used": n,
        "n_dropped": int(len(frame) - n),
        "cxkit": __version__,
        "iterations": None,
    }
    s0 = mg.groups[0]["s"]
    return SEMResult(
        spec=mg.groups[0]["spec"],
        theta=theta,
        vcov=vcov,
        sample_cov=pd.DataFrame(s0, index=mg.cols, columns=mg.cols),
        implied_cov=pd.DataFrame(mg.group_moments(theta, 0)[0], index=mg.cols, columns=mg.cols),
        estimates=est,
        fit_indices=indices,
        r_squared=pd.Series(r2, name="r_squared"),
        converged=converged,
        provenance=provenance,
        level=level,
        multigroup=mg,
    )


LEVELS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}


def invariance(
    model: str,
    data,
    group: str,
    levels=("configural", "metric", "scalar", "strict"),
    estimator: str = "ML",
    missing: str = "listwise",
    group_partial=(),
) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar and strict models.

    Parameters
    ----------
    model : str
        The measurement model (lavaan syntax).
    data : DataFrame or Responses
    group : str
        The column that defines the groups.
    levels : iterable of str
        Which of configural, metric, scalar, strict to fit, in that order.
    estimator : {"ML", "MLR"}
        With ``"MLR"`` the χ² differences are Satorra–Bentler (2001) scaled and the verdict uses the
        robust CFI and RMSEA; ``chisq_scaled``, ``cfi_robust``, ``tli_robust`` and
        ``rmsea_robust`` are added.
    missing : {"listwise", "fiml"}
        ``"fiml"``: every row with an answer, full-information ML in each group (ML only).
    group_partial : iterable of str
        Parameters exempt from the equalities at every level (partial invariance), e.g.
        ``["x3 ~ 1"]``; find them with :meth:`cxkit.SEMResult.score_tests`.

    Returns
    -------
    DataFrame
        Indexed by level: ``chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic`` and, against the
        previous level, ``chisq_diff, df_diff, p_diff, cfi_diff, rmsea_diff`` and ``verdict``:
        invariance holds when CFI drops by at most .010 and RMSEA rises by at most .015 (Chen, 2007).

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> from cxkit.datasets import load_dataset
    >>> d = load_dataset("satisfaction")
    >>> inv = cxkit.invariance("SAT =~ sat1 + sat2 + sat3 + sat4", d, group="gender")
    >>> list(inv.index)
    ['configural', 'metric', 'scalar', 'strict']
    """
    from cxkit._params import as_frame, check_option
    from cxkit.sem.compare import chisq_difference

    check_option("estimator", estimator, ("ML", "MLR"))
    check_option("missing", missing, ("listwise", "fiml", "ml"))
    fiml = missing in ("fiml", "ml")
    frame = as_frame(data)
    for lv in levels:
        if lv not in LEVELS:
            raise SpecificationError(f"level {lv!r} is not accepted; use: {', '.join(LEVELS)}")
    robust = estimator == "MLR"
    names = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    if robust:
        names += ["chisq_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"]
    rows = {}
    for lv in levels:
        partial = tuple(group_partial) if LEVELS[lv] else ()
        f = fit_multigroup(
            model, frame, group, LEVELS[lv], estimator=estimator, fiml=fiml, group_partial=partial
        ).fit_indices
        rows[lv] = {k: f[k] for k in names}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "level"
    scaling = out.pop("scaling_factor") if robust else None
    out["chisq_diff"], out["df_diff"], out["p_diff"] = chisq_difference(
        out["chisq"], out["df"], scaling
    )
    cfi, rmsea = ("cfi_robust", "rmsea_robust") if robust else ("cfi", "rmsea")
    out["cfi_diff"] = out[cfi].diff()
    out["rmsea_diff"] = out[rmsea].diff()
    out["verdict"] = [
        "" if pd.isna(c) else ("holds" if c >= -0.010 and r <= 0.015 else "does not hold")
        for c, r in zip(out["cfi_diff"], out["rmsea_diff"], strict=True)
    ]
    out.attrs["test"] = "satorra.bentler.2001" if robust else "likelihood ratio"
    return out
