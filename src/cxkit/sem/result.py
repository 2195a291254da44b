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
        ci : {"percentile", "bca"}
            Percentile intervals (lavaan's ``boot.ci.type = "perc"``) or bias-corrected and
            accelerated ones.
        progress : bool
            Show a progress bar (tqdm).

        The counts of failed (left out) and non-admissible (kept) resamples are in
        ``provenance["bootstrap"]``; the draws in ``bootstrap_draws``. Every resample is refitted
        through the same stacked optimizer; multi-group fits are resampled within each group. See
        :mod:`cxkit.sem.bootstrap`.
        """
        from cxkit.sem.bootstrap import bootstrap

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
        from cxkit.sem.diagnostics import score_tests

        if self.partable.ngroups < 2:
            raise SpecificationError(
                "score tests are for equalities across groups: fit with group= and group_equal="
            )
        self._not_for("score tests", ordinal=True)
        if self.options.fiml:
            raise SpecificationError(
                "score tests of multi-group FIML fits are not available yet; use missing='listwise'"
            )
        return score_tests(self)

    def _not_for(self, what: str, groups: bool = False, ordinal: bool = False) -> None:
        """Refuse ``what`` for the kinds of fit it does not serve yet (multi-group, ordinal)."""
        from cxkit.errors import SpecificationError

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

        if self.options.estimator == "WLSMV":
            from cxkit.sem.wlsmv import modification_indices as ordinal_mi

            return ordinal_mi(self, minimum)
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
