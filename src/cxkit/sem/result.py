"""``SEMResult``: estimates, fit indices, R², summary, modification indices, residuals."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
        pvalue, ci_low, ci_high, std_all`` (and ``group`` after ``label`` with several groups).
    fit_indices : Series
        ``n, npar, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, srmr, loglik, aic, bic`` (see :mod:`cxkit.sem.fit_measures`); with
        ``estimator="MLR"`` also the scaled and robust entries (:mod:`cxkit.sem.robust`), with
        WLSMV the scaled-shifted ones (:mod:`cxkit.sem.wlsmv`).
    r_squared : Series
        R² of every endogenous variable (indicators and latent outcomes); indexed by
        ``(group, variable)`` with several groups.
    provenance : dict
        Model, estimator and its options, missing-data handling, n used and dropped, data hash,
        instrument, versions.
    partable : ParTable
        The parameter table (:mod:`cxkit.sem.partable`), ``options`` the resolved options.
    """

    partable: object = field(repr=False)
    model_matrices: object = field(repr=False)
    stats: object = field(repr=False)
    options: object = field(repr=False)
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
    #: an ordinal (WLSMV) fit's sample statistics, weights and Δ, for difference tests
    ordinal: dict | None = field(default=None, repr=False, compare=False)

    @property
    def spec(self):
        """The parameter table (``.latent``, ``.observed`` name the variables)."""
        return self.partable

    @property
    def latent(self) -> tuple[str, ...]:
        """The latent variables, in the order the model names them."""
        return tuple(self.partable.lv)

    @property
    def ngroups(self) -> int:
        return int(self.partable.ngroups)

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
        ci : {"percentile", "bca", "bca.simple"}
            Percentile intervals (lavaan's ``boot.ci.type = "perc"``), bias-corrected and
            accelerated ones (acceleration from the jackknife), or lavaan's ``"bca.simple"``
            (bias-corrected, no acceleration, bounds interpolated as lavaan's).
        progress : bool
            Show a progress bar (tqdm).

        The counts of failed (left out) and non-admissible (kept) resamples are in
        ``provenance["bootstrap"]``; the draws in ``bootstrap_draws``. Every resample is refitted
        through the same stacked optimizer; multi-group fits are resampled within each group. See
        :mod:`cxkit.sem.bootstrap`.
        """
        from cxkit.sem.bootstrap import bootstrap

        self._not_for("the bootstrap")
        return bootstrap(self, n=n, seed=seed, ci=ci, progress=progress, level=level)

    def wald(self, constraints: str) -> pd.Series:
        """Wald test of equality constraints on the labelled parameters, lavaan's
        ``lavTestWald(fit, constraints = "a == b")`` (several: one per line); the vcov of the fit
        (robust with MLR). Returns a Series ``stat, df, pvalue``
        (:func:`cxkit.sem.diagnostics.wald_test`)."""
        from cxkit.sem.diagnostics import wald_test

        self._not_for("the Wald test", ordinal=True)
        return wald_test(self, constraints)

    def _not_constrained(self, what: str) -> None:
        from cxkit.errors import SpecificationError

        if self.partable.constraints:
            raise SpecificationError(
                f"{what} of a model with ==, < or > constraints is not available yet; drop the "
                "constraint lines (or write equalities as shared labels, a*x1 + a*x2)"
            )

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
        from cxkit.sem.diagnostics import score_tests

        if self.partable.ngroups < 2:
            raise SpecificationError(
                "score tests are for equalities across groups: fit with group= and group_equal="
            )
        self._not_for("score tests", ordinal=True)
        self._not_constrained("score tests")
        if self.options.fiml:
            raise SpecificationError(
                "score tests of multi-group FIML fits are not available yet; use missing='listwise'"
            )
        return score_tests(self)

    def _not_for(self, what: str, groups: bool = False, ordinal: bool = False) -> None:
        """Refuse ``what`` for the kinds of fit it does not serve yet (multi-group, ordinal, the
        least-squares family)."""
        from cxkit.errors import SpecificationError
        from cxkit.sem.options import LS_FAMILY

        if self.options.estimator in LS_FAMILY:
            raise SpecificationError(
                f"{what} of estimator={self.options.estimator!r} fits is not available yet "
                "(lavaan computes it with that estimator's own objective); refit with "
                "estimator='ML' or 'MLM' for it"
            )

        if groups and self.partable.ngroups > 1:
            raise SpecificationError(
                f"{what} of multi-group fits is not available yet; fit each group on its own"
            )
        if ordinal and self.options.estimator == "WLSMV":
            raise SpecificationError(
                f"{what} of ordinal (WLSMV) fits is not available yet; for a screen, refit with "
                "estimator='MLR' and without ordered="
            )

    # -- diagnostics --------------------------------------------------------------------------
    def residuals(self, kind: str = "cor") -> pd.DataFrame:
        """Residual matrix ``S − Σ`` as lavaan's ``lavResiduals``: ``"raw"``, ``"cor"`` (correlation
        residuals, as in SRMR), ``"standardized"`` (raw residual over its standard error) or
        ``"normalized"`` (over the sample moments' standard error); see
        :mod:`cxkit.sem.diagnostics`."""
        from cxkit.sem.diagnostics import residuals

        self._not_for("residuals", groups=True)
        return residuals(self, kind)

    def residual_summary(self) -> pd.DataFrame:
        """lavaan's ``lavResiduals(fit)$summary`` for ``type = "cor.bentler"`` (SRMR), ``"cor.bollen"``
        (CRMR) and ``"raw"`` (RMR): each with its standard error, the test of exact fit, the
        bias-corrected value with its 90% interval and the test of close fit (H0 ≤ .05); columns
        ``cov`` (and ``mean``, ``total`` with a mean structure). See
        :func:`cxkit.sem.diagnostics.residual_summary`."""
        from cxkit.errors import SpecificationError
        from cxkit.sem.diagnostics import residual_summary

        self._not_for("residual summaries", groups=True, ordinal=True)
        if self.options.fiml:
            raise SpecificationError(
                "residual summaries of FIML fits are not available yet; refit with "
                "missing='listwise' to see them"
            )
        return residual_summary(self)

    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Score tests for parameters the model fixes to zero (lavaan's ``modindices``).

        Returns
        -------
        DataFrame
            ``lhs, op, rhs`` (and ``group``), ``mi`` (χ²(1) score statistic) and ``epc`` (expected
            parameter change), sorted by ``mi``; rows with ``mi`` below ``minimum`` left out.
        """
        from cxkit.errors import SpecificationError
        from cxkit.sem.diagnostics import modification_indices

        self._not_constrained("modification indices")
        if self.options.estimator == "WLSMV":
            from cxkit.sem.wlsmv import modification_indices as ordinal_mi

            return ordinal_mi(self, minimum)
        self._not_for("modification indices")
        if self.options.fiml:
            raise SpecificationError(
                "modification indices are not available for FIML fits yet; refit with "
                "missing='listwise' to screen"
            )
        return modification_indices(self, minimum)

    # -- display ------------------------------------------------------------------------------
    def _fit_line(self) -> str:
        f = self.fit_indices

        def pv(v):
            if not np.isfinite(v):  # ULS: lavaan gives no p-value
                return "not defined (no reference distribution)"
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
                f"χ²({f['df']:.0f}) = {f['chisq']:.2f}; {self._scaled_name()} scaled χ² = {f['chisq_scaled']:.2f} "
                f"(scaling factor {f['scaling_factor']:.3f}), p {pv(f['pvalue_scaled'])}; "
                f"robust CFI = {f['cfi_robust']:.3f}; robust TLI = {f['tli_robust']:.3f}; "
                f"robust RMSEA = {f['rmsea_robust']:.3f} [{f['rmsea_ci_low_robust']:.3f}, "
                f"{f['rmsea_ci_high_robust']:.3f}]; SRMR = {f['srmr']:.3f}"
            )
        return (
            f"χ²({f['df']:.0f}) = {f['chisq']:.2f}, p {pv(f['pvalue'])}; CFI = {f['cfi']:.3f}; TLI = {f['tli']:.3f}; "
            f"RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, {f['rmsea_ci_high']:.3f}]; SRMR = {f['srmr']:.3f}"
        )

    def _scaled_name(self) -> str:
        return "Satorra–Bentler" if self.options.estimator == "MLM" else "Yuan–Bentler"

    def fit_measures(self, what="all") -> pd.Series:
        """The fit measures under lavaan's names, as ``fitMeasures(fit, what)`` of lavaan 0.6-14.

        Parameters
        ----------
        what : "all", "reviewer" or list of str
            ``"all"``: every measure lavaan's ``fitMeasures(fit)`` gives for this estimator, in
            its order (GFI, AGFI, PGFI, NFI, IFI, RNI, RMR, SRMR variants, RMSEA p-values, BIC2,
            ECVI, Hoelter's CN, MFI, WRMR, the scaled and robust variants ...).
            ``"reviewer"``: the set reviewers ask for — χ², df, p, χ²/df, GFI, AGFI, NFI, IFI,
            CFI, TLI, RMSEA, SRMR (``"chisq/df"`` is cxkit's: lavaan has no such measure). A
            list: those of lavaan's names (and ``"chisq/df"``).

        Examples
        --------
        >>> import cxkit
        >>> from cxkit.datasets import load_dataset
        >>> fit = cxkit.fit_sem("SAT =~ sat1 + sat2 + sat3 + sat4", load_dataset("satisfaction"))
        >>> fm = fit.fit_measures()
        >>> round(float(fm["gfi"]), 3), round(float(fm["cn_05"]), 1)
        (0.985, 187.0)
        """
        from cxkit.errors import SpecificationError
        from cxkit.sem.fit_measures import REVIEWER_SET, cxkit_name, lavaan_measures

        full = lavaan_measures(self.fit_indices, self.options.estimator, self.options.fiml)
        if isinstance(what, str) and what == "all":
            return full
        names = (
            ["chisq/df" if k == "chisq_df" else k for k in REVIEWER_SET]
            if isinstance(what, str) and what == "reviewer"
            else ([what] if isinstance(what, str) else list(what))
        )
        out = {}
        for k in names:
            if k == "chisq/df":
                out[k] = float(self.fit_indices["chisq_df"])
            elif k in full.index:
                out[k] = float(full[k])
            elif cxkit_name(k) in self.fit_indices.index:
                out[k] = float(self.fit_indices[cxkit_name(k)])
            else:
                raise SpecificationError(
                    f"fit measure {k!r} is not available for this fit; "
                    f"use 'all', 'reviewer' or some of: {', '.join(full.index)}, 'chisq/df'"
                )
        return pd.Series(out, name="fitMeasures", dtype=float)

    def _reviewer_line(self) -> str:
        f = self.fit_indices
        if "gfi" not in f.index:
            return ""
        parts = [f"χ²/df = {f['chisq_df']:.2f}"] if np.isfinite(f["chisq_df"]) else []
        parts += [f"{k.upper()} = {f[k]:.3f}" for k in ("gfi", "agfi", "nfi", "ifi")]
        return "Also: " + "; ".join(parts)

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
        if self._reviewer_line():
            lines.append(self._reviewer_line())
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
        if self.partable.constraints:
            lines += ["", *self._constraint_lines()]
        if len(self.r_squared):
            lines += ["", "R²: " + ", ".join(f"{k} {v:.3f}" for k, v in self.r_squared.items())]
        return "\n".join(lines)

    def _constraint_lines(self) -> list[str]:
        """lavaan's "Constraints:" block: each constraint as ``lhs - (rhs)`` with its |slack|."""
        from cxkit.sem.constraints import ConstraintSet

        con = ConstraintSet(self.partable)
        ceq, cin = con.values(self.theta)
        texts = [f"{c.lhs} - ({c.rhs})" for c in con.eq]
        texts += [
            f"{c.lhs} - ({c.rhs})" if c.op == ">" else f"{c.rhs} - ({c.lhs})" for c in con.ineq
        ]
        width = max(40, *(len(t) + 2 for t in texts))
        out = ["Constraints:" + " " * (width - 8) + "|Slack|"]
        for t, v in zip(texts, [*ceq, *cin], strict=True):
            out.append(f"    {t:<{width}}{abs(v):7.3f}")
        return out

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
