"""``SEMResult``: estimates, fit indices, R², summary, modification indices, residuals."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit.sem.spec import ModelSpec, dsigma

_FIT_LABELS = {
    "chisq": "χ²",
    "df": "df",
    "pvalue": "p",
    "cfi": "CFI",
    "tli": "TLI",
    "rmsea": "RMSEA",
    "srmr": "SRMR",
    "aic": "AIC",
    "bic": "BIC",
}


@dataclass(frozen=True)
class SEMResult:
    """A fitted model. Attributes are read-only; DataFrames are unrounded.

    Attributes
    ----------
    estimates : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)``: ``lhs, op, rhs, label, est, se, z,
        pvalue, ci_low, ci_high, std_all``.
    fit_indices : Series
        ``n, npar, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, srmr, loglik, aic, bic`` (see :mod:`cxkit.sem.indices`); with
        ``estimator="MLR"`` also ``chisq_scaled, scaling_factor, pvalue_scaled,
        baseline_chisq_scaled, baseline_scaling_factor, cfi_scaled, tli_scaled, rmsea_scaled,
        rmsea_ci_low_scaled, rmsea_ci_high_scaled, cfi_robust, tli_robust, rmsea_robust,
        rmsea_ci_low_robust, rmsea_ci_high_robust`` (:mod:`cxkit.sem.robust`).
    r_squared : Series
        R² of every endogenous variable (indicators and latent outcomes).
    provenance : dict
        Model, estimator, missing-data handling, n used and dropped, data hash, versions.
    """

    spec: ModelSpec = field(repr=False)
    theta: np.ndarray = field(repr=False)
    vcov: np.ndarray = field(repr=False)
    sample_cov: pd.DataFrame = field(repr=False)
    implied_cov: pd.DataFrame = field(repr=False)
    estimates: pd.DataFrame = field(repr=False)
    fit_indices: pd.Series = field(repr=False)
    r_squared: pd.Series = field(repr=False)
    converged: bool = True
    provenance: dict = field(default_factory=dict, repr=False)
    level: float = 0.95
    data_used: np.ndarray | None = field(default=None, repr=False, compare=False)
    bootstrap_draws: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: a multi-group fit's layout and data (:class:`cxkit.sem.multigroup.MultiGroup`)
    multigroup: object | None = field(default=None, repr=False, compare=False)
    #: an ordinal (WLSMV) fit's sample statistics, weights and Δ, for difference tests
    ordinal: dict | None = field(default=None, repr=False, compare=False)

    def bootstrap(
        self,
        n: int = 1000,
        seed: int | None = None,
        ci: str = "percentile",
        progress: bool = True,
        level: float | None = None,
    ) -> SEMResult:
        """Nonparametric bootstrap: a new result whose ``estimates`` carry bootstrap ``se``, ``z``,
        ``pvalue``, ``ci_low``, ``ci_high`` for every parameter and ``:=`` parameter, and ``std_se``,
        ``std_ci_low``, ``std_ci_high`` for the standardised solution.

        Parameters
        ----------
        n : int
            Number of resamples.
        seed : int, optional
            Same seed, same answer.
        ci : {"percentile", "bca"}
            Percentile intervals (lavaan's ``boot.ci.type = "perc"``) or bias-corrected and
            accelerated ones.
        progress : bool
            Show a progress bar (tqdm).

        The counts of failed (left out) and non-admissible (kept) resamples are in
        ``provenance["bootstrap"]``; the draws in ``bootstrap_draws``. FIML fits are refitted by
        FIML; multi-group fits are resampled within each group (percentile intervals). See
        :mod:`cxkit.sem.bootstrap`.
        """
        from cxkit.sem.bootstrap import bootstrap

        self._not_for("the bootstrap", ordinal=True)
        return bootstrap(self, n=n, seed=seed, ci=ci, progress=progress, level=level)

    def score_tests(self) -> pd.DataFrame:
        """Score tests for releasing each across-group equality of a multi-group fit (lavaan's
        ``lavTestScore``): which loadings or intercepts differ between groups (partial invariance).

        Returns
        -------
        DataFrame
            ``lhs, op, rhs, group, x2, df, pvalue``: the parameter whose copy in ``group`` would be
            freed; ``attrs["total"]`` holds the test of releasing them all. Refit with
            ``group_partial=["x3 ~ 1", ...]`` to free the ones that matter.
        """
        from cxkit.errors import SpecificationError
        from cxkit.sem.multigroup import score_tests

        if self.multigroup is None:
            raise SpecificationError(
                "score tests are for equalities across groups: fit with group= and group_equal="
            )
        if self.multigroup.fiml:
            raise SpecificationError(
                "score tests of multi-group FIML fits are not available yet; use missing='listwise'"
            )
        return score_tests(self.multigroup, self.theta)

    def _not_for(self, what: str, groups: bool = False, ordinal: bool = False) -> None:
        """Refuse ``what`` for the kinds of fit it does not serve yet (multi-group, ordinal)."""
        from cxkit.errors import SpecificationError

        if groups and self.provenance.get("group") is not None:
            raise SpecificationError(
                f"{what} of multi-group fits is not available yet; fit each group on its own"
            )
        if ordinal and self.provenance.get("estimator") == "WLSMV":
            raise SpecificationError(
                f"{what} of ordinal (WLSMV) fits is not available yet; for a screen, refit with "
                "estimator='MLR' and without ordered="
            )

    # -- diagnostics --------------------------------------------------------------------------
    def residuals(self, kind: str = "cor") -> pd.DataFrame:
        """Residual matrix ``S - Sigma``: ``"raw"``, ``"cor"`` (correlation residuals, as in SRMR) or
        ``"standardized"`` (raw residual over its asymptotic standard error, normal theory)."""
        self._not_for("residuals", groups=True)
        s, sig = self.sample_cov.to_numpy(), self.implied_cov.to_numpy()
        names = list(self.sample_cov.index)
        if kind == "raw":
            out = s - sig
        elif kind == "cor":
            d = np.sqrt(np.diag(s))
            out = (s - sig) / np.outer(d, d)
        elif kind == "standardized":
            if self.provenance.get("estimator") == "WLSMV":
                from cxkit.errors import SpecificationError

                raise SpecificationError(
                    "standardized residuals of ordinal (WLSMV) fits are not available yet; use "
                    "kind='cor' (polychoric minus model-implied correlations)"
                )
            n = self.fit_indices["n"]
            p = len(names)
            d = self.spec.derivatives(self.theta)  # (q, p, p)
            # acov of s_ij under normality: (sig_ii sig_jj + sig_ij^2) / N; minus the model part
            gamma = (np.outer(np.diag(sig), np.diag(sig)) + sig**2) / n
            model_part = np.einsum("kij,kl,lij->ij", d, self.vcov, d)
            var = gamma - model_part
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.where(
                    var > 1e-12, (s - sig) / np.sqrt(np.where(var > 0, var, np.nan)), np.nan
                )
            out[np.diag_indices(p)] = np.where(np.abs(np.diag(s - sig)) < 1e-10, 0.0, np.diag(out))
        else:
            from cxkit.errors import SpecificationError

            raise SpecificationError(
                f"kind={kind!r} is not accepted; use one of: 'raw', 'cor', 'standardized'"
            )
        return pd.DataFrame(out, index=names, columns=names)

    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Score tests for parameters the model fixes to zero (lavaan's ``modindices``).

        Returns
        -------
        DataFrame
            ``lhs, op, rhs, mi`` (χ²(1) score statistic) and ``epc`` (expected parameter change),
            sorted by ``mi``; rows with ``mi`` below ``minimum`` left out.
        """
        self._not_for("modification indices", groups=True, ordinal=True)
        if self.provenance.get("missing") in ("fiml", "ml"):
            from cxkit.errors import SpecificationError

            raise SpecificationError(
                "modification indices are not available for FIML fits yet; refit with missing='listwise' to screen"
            )
        spec = self.spec
        n = self.fit_indices["n"]
        sigma, mats = spec.implied(self.theta)
        inv = np.linalg.inv(sigma)
        resid = inv @ (self.sample_cov.to_numpy() - sigma) @ inv
        dfree = spec.derivatives(self.theta)
        mfree = np.einsum("ij,kjl->kil", inv, dfree)
        i_ff = 0.5 * n * np.einsum("kij,lji->kl", mfree, mfree)
        i_ff_inv = np.linalg.pinv(i_ff)
        present = {(p.lhs, p.op, p.rhs) for p in spec.params} | {
            (p.rhs, p.op, p.lhs) for p in spec.params if p.op == "~~"
        }
        oidx = {v: k for k, v in enumerate(spec.observed)}
        iidx = {v: k for k, v in enumerate(spec.inner)}
        indicators = [v for v in spec.observed if v not in iidx]
        cands = []
        for f in spec.latent:
            for x in indicators:
                if (f, "=~", x) not in present:
                    cands.append((f, "=~", x, "L", oidx[x], iidx[f]))
        for i, a in enumerate(indicators):
            for b in indicators[i + 1 :]:
                if (a, "~~", b) not in present:
                    cands.append((a, "~~", b, "T", oidx[a], oidx[b]))
        for i, a in enumerate(spec.latent):
            for b in spec.latent[i + 1 :]:
                if (a, "~~", b) not in present:
                    cands.append((a, "~~", b, "P", iidx[a], iidx[b]))
        for a in spec.latent:
            for b in spec.latent:
                if a != b and (a, "~", b) not in present:
                    cands.append((a, "~", b, "B", iidx[a], iidx[b]))
        # fixed parameters of the model (such as marker loadings) where a test is defined
        for p in spec.params:
            if (
                p.free < 0
                and p.user
                and p.matrix in ("L", "T")
                and not (p.op == "=~" and p.lhs == p.rhs)
            ):
                cands.append((p.lhs, p.op, p.rhs, p.matrix, p.row, p.col))
        rows = []
        for lhs, op, rhs, matrix, r, c in cands:
            dc = dsigma(mats, matrix, r, c)
            g = 0.5 * n * np.sum(resid * dc)
            mc = inv @ dc
            i_cc = 0.5 * n * np.trace(mc @ mc)
            i_cf = 0.5 * n * np.einsum("ij,kji->k", mc, mfree)
            denom = i_cc - i_cf @ i_ff_inv @ i_cf
            if denom <= 1e-8 * max(1.0, i_cc):
                continue
            rows.append({"lhs": lhs, "op": op, "rhs": rhs, "mi": g * g / denom, "epc": g / denom})
        out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "mi", "epc"])
        out = out[out["mi"] >= minimum].sort_values("mi", ascending=False).reset_index(drop=True)
        return out

    # -- display ------------------------------------------------------------------------------
    def _fit_line(self) -> str:
        f = self.fit_indices

        def pv(v):
            return "< .001" if v < 0.001 else f"= {v:.3f}".replace("0.", ".")

        if "shift_parameter" in f:  # WLSMV: the mean- and variance-adjusted test
            return (
                f"χ²({f['df']:.0f}) = {f['chisq']:.2f}; scaled-shifted χ² = {f['chisq_scaled']:.2f} "
                f"(scaling factor {f['scaling_factor']:.3f}, shift {f['shift_parameter']:.2f}), "
                f"p {pv(f['pvalue_scaled'])}; CFI = {f['cfi_scaled']:.3f}; TLI = {f['tli_scaled']:.3f}; "
                f"RMSEA = {f['rmsea_scaled']:.3f} [{f['rmsea_ci_low_scaled']:.3f}, "
                f"{f['rmsea_ci_high_scaled']:.3f}] (scaled); SRMR = {f['srmr']:.3f}"
            )
        if "cfi_robust" in f:  # MLR: the scaled test and the robust indices
            return (
                f"χ²({f['df']:.0f}) = {f['chisq']:.2f}; Yuan–Bentler scaled χ² = {f['chisq_scaled']:.2f} "
                f"(scaling factor {f['scaling_factor']:.3f}), p {pv(f['pvalue_scaled'])}; "
                f"robust CFI = {f['cfi_robust']:.3f}; robust TLI = {f['tli_robust']:.3f}; "
                f"robust RMSEA = {f['rmsea_robust']:.3f} [{f['rmsea_ci_low_robust']:.3f}, "
                f"{f['rmsea_ci_high_robust']:.3f}]; SRMR = {f['srmr']:.3f}"
            )
        return (
            f"χ²({f['df']:.0f}) = {f['chisq']:.2f}, p {pv(f['pvalue'])}; CFI = {f['cfi']:.3f}; TLI = {f['tli']:.3f}; "
            f"RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, {f['rmsea_ci_high']:.3f}]; SRMR = {f['srmr']:.3f}"
        )

    def summary(self) -> str:
        """A plain-text report: data, fit, estimates with standardised values, R²."""
        pv = self.provenance
        lines = [
            f"cxkit {pv.get('cxkit', '')} SEM — estimator {pv.get('estimator', 'ML')}, "
            f"{'converged' if self.converged else 'NOT converged'} ({pv.get('iterations', '?')} iterations)",
            f"n = {int(self.fit_indices['n'])} (missing = {pv.get('missing', 'listwise')}: "
            f"{pv.get('n_dropped', 0)} rows dropped); {int(self.fit_indices['npar'])} free parameters",
        ]
        if "instrument" in pv:
            lines.append(
                f"instrument {pv['instrument']} (sha256 {pv.get('instrument_sha256', '')[:12]})"
            )
        lines += [
            "",
            "Fit: " + self._fit_line(),
        ]
        if np.isfinite(self.fit_indices["loglik"]):
            lines.append(
                f"log-likelihood {self.fit_indices['loglik']:.3f}; AIC {self.fit_indices['aic']:.2f}; "
                f"BIC {self.fit_indices['bic']:.2f}"
            )
        lines += [
            "",
        ]
        est = self.estimates.copy()
        est["param"] = est["lhs"] + " " + est["op"] + " " + est["rhs"]
        shown = est[["param", "label", "est", "se", "z", "pvalue", "std_all"]]
        with pd.option_context(
            "display.width", 200, "display.max_rows", None, "display.max_colwidth", 60
        ):
            lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
        if len(self.r_squared):
            lines += ["", "R²: " + ", ".join(f"{k} {v:.3f}" for k, v in self.r_squared.items())]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        f = self.fit_indices
        return f"<SEMResult n={int(f['n'])} npar={int(f['npar'])} chisq={f['chisq']:.3f} df={int(f['df'])} cfi={f['cfi']:.3f}>"

    def _repr_html_(self) -> str:
        est = self.estimates
        head = "".join(f"<th>{c}</th>" for c in ["", "label", "est", "se", "z", "p", "std.all"])
        body = []
        for r in est.itertuples():
            cells = [f"{r.lhs} {r.op} {r.rhs}", r.label or ""]
            cells += [
                "" if pd.isna(v) else f"{v:.3f}" for v in (r.est, r.se, r.z, r.pvalue, r.std_all)
            ]
            body.append(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
            )
        pv = self.provenance
        return (
            f"<div><strong>SEM</strong> — {html.escape(pv.get('estimator', 'ML'))}, n = {int(self.fit_indices['n'])}"
            f"<br>{html.escape(self._fit_line())}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
