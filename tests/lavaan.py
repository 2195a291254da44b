"""Comparing a cxkit fit with lavaan 0.6-14's reference values (tests/reference/<case>/).

One row key, one case loader, one assertion — ``assert_matches_lavaan(fit, case, name)`` — and the
tolerances in ONE table (``TOLERANCES``, below). A case folder holds ``make.R`` (run from inside the
folder), ``sessionInfo.txt``, the data (``data.csv``, or ``data.txt`` naming another case's
``data.csv``) and per fitted model ``<name>``:

=========================  =========================================================================
``<name>_estimates.csv``   ``parameterEstimates(fit, standardized = TRUE)``: lhs, op, rhs, label,
                           group, est, se, z, pvalue, ci.lower, ci.upper, std.all
``<name>_fit.csv``         ``fitMeasures``: measure, value, n
``<name>_r2.csv``          ``lavInspect(fit, "r2")``: variable, group, r2
``<name>_modindices.csv``  ``modindices(fit, sort. = FALSE)``: lhs, op, rhs, group, mi, epc
``<name>_residuals_<kind>.csv``  a residual matrix (first column ``variable``)
``<name>_fitmeasures.csv``  ``fitMeasures(fit)`` ("all"): measure, value, n — compared with
                           ``fit.fit_measures("all")`` by lavaan's names (quantity "fitmeasures")
=========================  =========================================================================

A file named by ``quantities`` that is not there is an error, never a silent skip. ``name=None``
reads the older one-model layout (``estimates.csv``, ``fit.csv``, ...).

Tolerances are ``(rtol, atol)`` pairs used as ``|got − lavaan| ≤ atol + rtol·|lavaan|`` per profile
(the estimator, and FIML for ``missing="ml"``): set a small factor above the agreement measured on
the reference cases (see tests/reference/README.md), so that a 0.5 % drift of a standard error
fails. Integer measures (``n``, ``npar``, ``df``, ``baseline_df``) must be equal.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parent / "reference"

# fmt: off
#: quantity → (rtol, atol). A row per profile (:func:`profile`: the estimator, FIML for ML with
#: missing="ml", "+groups" for multi-group fits), and "<profile>:<case>" rows for the cases whose
#: likelihood is flat near the optimum (Political Democracy, ECSI), where lavaan's nlminb stops
#: earlier than cxkit's Fisher scoring: χ² agrees to 1e-9 there, the parameters only to ~1e-4.
#: Each entry is 2-5 times the worst difference measured on today's cxkit (README.md of
#: tests/reference: the table of cases). "chisq": χ²-like statistics (χ², baseline and scaled χ²,
#: log-lik, AIC, BIC); "fit": the other indices (p, CFI, TLI, RMSEA, SRMR, scaling factors);
#: "ci": CI bounds; "mi"/"epc": modification indices; "residuals": residual matrices.
Q = ("est", "se", "std_all", "z", "pvalue", "ci", "chisq", "fit", "r2", "mi", "epc", "residuals")
def _row(pairs): return dict(zip(Q, pairs, strict=True))  # noqa: E704
TOLERANCES: dict[str, dict[str, tuple[float, float]]] = {
    #                        est           se            std_all    z             pvalue     ci            chisq         fit        r2         mi            epc           residuals
    "ML":              _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ML:sem_poldem":   _row([(3e-4, 3e-5), (6e-5, 1e-6), (0, 6e-5), (2e-4, 1e-4), (0, 4e-5), (3e-4, 2e-4), (1e-8, 1e-7), (0, 6e-7), (0, 2e-5), (1e-3, 3e-4), (1e-3, 1e-4), (0, 3e-4)]),  # noqa: E501
    "ML:sem_ecsi":     _row([(1e-4, 2e-5), (6e-5, 1e-6), (0, 1e-4), (1e-4, 1e-4), (0, 4e-5), (1e-4, 5e-4), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-2, 5e-3), (1e-2, 1e-3), (0, 2e-6)]),  # noqa: E501
    "ML:residuals/poldem": _row([(3e-4, 3e-5), (6e-5, 1e-6), (0, 6e-5), (1e-3, 5e-4), (0, 4e-5), (3e-4, 2e-4), (1e-8, 1e-7), (0, 6e-7), (0, 2e-5), (1e-3, 3e-4), (1e-3, 1e-4), (0, 3e-4)]),  # noqa: E501
    # MIMIC with DIF: cxkit's χ² is 9e-9 below lavaan's (lavaan's nlminb stops earlier); one
    # regression (visual ~ sex) differs by 3.5e-5 of its value, 7e-5 of its SE
    "ML:mimic/dif":    _row([(5e-5, 5e-6), (1e-5, 1e-7), (5e-5, 5e-6), (5e-5, 2e-5), (0, 5e-5), (5e-5, 1e-5), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (5e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # nonlinear equalities and inequalities: lavaan's nlminb.constr (augmented Lagrangian) stops with
    # the constraints violated by 5e-8 to 2e-7 (a - b^2, a/b - 0.8, b - 0.6, f - e in its
    # estimates), cxkit's SLSQP + projected scoring holds them to 1e-12: lavaan's χ² is lower by
    # 2e-8..1.3e-6, the estimates differ by up to 2.1e-5 of their value
    "ML:constraints_hs/nonlinear": _row([(6e-5, 5e-5), (5e-5, 5e-6), (6e-5, 3e-5), (6e-5, 5e-4), (0, 5e-8), (1e-4, 5e-5), (5e-8, 4e-6), (0, 5e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ML:constraints_hs/defined":   _row([(6e-5, 5e-5), (5e-5, 5e-6), (6e-5, 3e-5), (6e-5, 5e-4), (0, 5e-8), (1e-4, 5e-5), (5e-8, 4e-6), (0, 5e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ML:constraints_hs/active":    _row([(6e-5, 5e-5), (5e-5, 5e-6), (6e-5, 3e-5), (6e-5, 5e-4), (0, 5e-8), (1e-4, 5e-5), (5e-8, 4e-6), (0, 5e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ML+groups":       _row([(5e-5, 1e-5), (3e-5, 1e-6), (0, 3e-5), (1e-4, 1e-4), (0, 5e-5), (5e-5, 3e-5), (1e-8, 1e-7), (0, 6e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "FIML":            _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # 40 items, 165 parameters: lavaan's nlminb stops ~1e-5 from the optimum (cxkit's χ² is 9e-8
    # below lavaan's, at lavaan's estimates cxkit's objective gives lavaan's χ²): est 1.6e-5, SE 2.3e-5
    "FIML:fiml_40items": _row([(5e-5, 3e-5), (6e-5, 1e-6), (0, 2e-5), (5e-5, 5e-4), (0, 1e-9), (5e-5, 5e-5), (1e-8, 1e-7), (0, 1e-6), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "FIML+groups":     _row([(5e-5, 1e-5), (3e-5, 1e-6), (0, 3e-5), (1e-4, 1e-4), (0, 5e-5), (5e-5, 1e-5), (1e-8, 1e-7), (0, 6e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "MLR":             _row([(1e-5, 5e-6), (1e-5, 1e-7), (0, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (5e-7, 1e-6), (0, 2e-6), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "MLR:mlr_cx/poldem": _row([(3e-4, 3e-5), (1e-4, 1e-6), (0, 6e-5), (2e-4, 1e-4), (0, 4e-5), (3e-4, 2e-4), (2e-6, 1e-6), (0, 3e-6), (0, 2e-5), (1e-3, 3e-4), (1e-3, 1e-4), (0, 3e-4)]),  # noqa: E501
    "MLR+groups":      _row([(5e-5, 1e-5), (3e-5, 1e-6), (0, 3e-5), (1e-4, 1e-4), (0, 2e-5), (5e-5, 1e-5), (1e-6, 1e-6), (0, 1e-6), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "WLSMV":           _row([(1e-5, 5e-6), (1e-5, 1e-7), (0, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-7, 3e-5), (0, 1e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # issue 13 (tests/reference/fitmeasures, tests/test_fit_measures.py): MLM and the least-squares
    # family; "<profile>:fitmeasures/<name>" rows where lavaan's nlminb stops early (Political
    # Democracy; DWLS) or the FIML-corrected robust RMSEA p-values (7e-6, as the existing robust
    # FIML RMSEA)
    "MLM":             _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-6, 1e-6), (0, 1e-6), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "MLM+groups":      _row([(5e-5, 1e-5), (5e-5, 1e-6), (0, 3e-5), (1e-4, 2e-4), (0, 5e-5), (5e-5, 3e-5), (3e-6, 1e-6), (0, 3e-6), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "MLM:fitmeasures/poldem_mlm": _row([(3e-4, 3e-5), (6e-5, 1e-6), (0, 6e-5), (2e-4, 1e-4), (0, 4e-5), (3e-4, 2e-4), (3e-6, 1e-6), (0, 6e-6), (0, 2e-5), (1e-3, 3e-4), (1e-3, 1e-4), (0, 3e-4)]),  # noqa: E501
    "ULS":             _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ULS+groups":      _row([(5e-5, 1e-5), (3e-5, 1e-6), (0, 3e-5), (1e-4, 1e-4), (0, 5e-5), (5e-5, 3e-5), (1e-8, 1e-7), (0, 2e-7), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "ULS:fitmeasures/poldem_uls": _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (5e-5, 3e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "GLS":             _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "GLS:fitmeasures/poldem_gls": _row([(2e-5, 1e-5), (1e-5, 1e-6), (0, 5e-6), (2e-5, 5e-5), (0, 2e-5), (2e-5, 1e-5), (1e-8, 1e-7), (0, 1e-6), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "WLS":             _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 3e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "DWLS":            _row([(5e-5, 2e-5), (3e-5, 1e-6), (0, 3e-5), (2e-4, 2e-4), (0, 4e-5), (5e-5, 2e-5), (1e-8, 1e-7), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "DWLS:fitmeasures/poldem_dwls": _row([(1e-3, 3e-4), (2e-5, 1e-5), (0, 2e-4), (1e-3, 3e-4), (0, 3e-4), (1e-3, 3e-4), (1e-8, 1e-7), (0, 5e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "FIML:fitmeasures/fiml_ml": _row([(1e-5, 5e-6), (1e-5, 1e-7), (1e-6, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-8, 1e-7), (0, 2e-5), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "FIML+groups:fitmeasures/groups_fiml_ml": _row([(5e-5, 1e-5), (3e-5, 1e-6), (0, 3e-5), (1e-4, 1e-4), (0, 5e-5), (5e-5, 1e-5), (1e-8, 1e-7), (0, 2e-5), (0, 3e-5), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    "MLR:fitmeasures/fiml_mlr": _row([(1e-5, 5e-6), (1e-5, 1e-7), (0, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (5e-7, 1e-6), (0, 2e-5), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # modification indices with continuous indicators (wlsmv_mi/mixed): MI 2.5e-3 absolute, 2.3e-3
    # relative, EPC 9e-6 absolute, where lavaan's estimates stop 2e-5 early (wlsmv_mixed)
    "WLSMV:wlsmv_mi/mixed": _row([(1e-5, 5e-6), (1e-5, 1e-7), (0, 5e-6), (2e-5, 2e-5), (0, 2e-5), (1e-5, 5e-6), (1e-7, 3e-5), (0, 1e-7), (0, 5e-6), (5e-3, 5e-3), (3e-3, 2e-5), (0, 2e-6)]),  # noqa: E501
    # the theta parameterization across groups (wlsmv_theta): lavaan stops earlier there, est 3.2e-5
    # absolute (8e-5 relative), SEs 4.9e-6 absolute (3e-5 relative)
    "WLSMV+groups:wlsmv_theta": _row([(2e-4, 5e-5), (1e-4, 1e-5), (2e-4, 3e-5), (3e-4, 5e-4), (0, 1e-4), (2e-4, 5e-5), (3e-8, 5e-4), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # ordered and continuous indicators (wlsmv_mixed): lavaan's nlminb stops early, est 2e-5
    # absolute on intercepts near 4.5 (1.3e-5 relative), z 3e-4 on z near 155
    "WLSMV:wlsmv_mixed": _row([(5e-5, 2e-5), (3e-5, 2e-6), (3e-5, 2e-5), (5e-5, 2e-4), (0, 5e-5), (5e-5, 2e-5), (1e-7, 3e-5), (0, 1e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
    # WLSMV across groups (wlsmv_groups): lavaan's nlminb stops a little early, est 6e-6, se 7e-7,
    # χ² 5e-6 absolute (1e-8 relative), baseline χ² 1.4e-4 absolute (9e-9 relative)
    "WLSMV+groups":    _row([(5e-5, 2e-5), (3e-5, 2e-6), (5e-5, 2e-5), (1e-4, 2e-4), (0, 5e-5), (1e-4, 2e-5), (3e-8, 5e-4), (0, 2e-7), (0, 5e-6), (2e-4, 5e-4), (1e-4, 2e-5), (0, 2e-6)]),  # noqa: E501
}
# fmt: on

#: lavaan's fitMeasures names → cxkit's fit_indices names (where they differ)
FIT_NAMES = {
    "logl": "loglik",
    "baseline.chisq": "baseline_chisq",
    "baseline.df": "baseline_df",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "chisq.shift.parameters": "shift_parameter",
    "df.scaled": "df",
    "pvalue.scaled": "pvalue_scaled",
    "baseline.chisq.scaled": "baseline_chisq_scaled",
    "baseline.chisq.scaling.factor": "baseline_scaling_factor",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "rmsea.ci.lower.scaled": "rmsea_ci_low_scaled",
    "rmsea.ci.upper.scaled": "rmsea_ci_high_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
    "rmsea.ci.lower.robust": "rmsea_ci_low_robust",
    "rmsea.ci.upper.robust": "rmsea_ci_high_robust",
}
CHISQ_LIKE = {
    "chisq",
    "chisq_scaled",
    "baseline_chisq",
    "baseline_chisq_scaled",
    "loglik",
    "aic",
    "bic",
}
INTEGER = {"n", "npar", "df", "baseline_df"}


def row_key(df: pd.DataFrame) -> list[tuple[str, str, str, int]]:
    """lavaan's row key ``(lhs, op, rhs, group)``: ``~~`` is symmetric (lhs/rhs in sorted order),
    ``~1`` rows have rhs ``""``, a frame without a ``group`` column is group 1, and ``:=`` rows
    carry the group lavaan gives them (0 in a multi-group fit)."""
    rhs = df["rhs"].fillna("").astype(str)
    group = df["group"].astype(int) if "group" in df else pd.Series(1, index=df.index)
    out = []
    for a, op, b, g in zip(df["lhs"].astype(str), df["op"], rhs, group, strict=True):
        if op == "~~" and b < a:
            a, b = b, a
        out.append((a, op, b, int(g)))
    return out


@dataclass(frozen=True)
class Case:
    """The expected values of one fitted model of a reference case."""

    case: str
    name: str | None

    @property
    def folder(self) -> Path:
        return REFERENCE / self.case

    def path(self, what: str) -> Path:
        file = f"{what}.csv" if self.name is None else f"{self.name}_{what}.csv"
        path = self.folder / file
        if not path.is_file():
            raise FileNotFoundError(
                f"reference file {path} is missing (run make.R in {self.folder})"
            )
        return path

    def read(self, what: str) -> pd.DataFrame:
        return pd.read_csv(self.path(what), dtype={"lhs": str, "op": str, "rhs": str, "label": str})

    def estimates(self) -> pd.DataFrame:
        ref = self.read("estimates")
        ref["rhs"] = ref["rhs"].fillna("")
        ref["label"] = ref["label"].fillna("") if "label" in ref else ""
        return ref.set_axis(row_key(ref))

    def fit(self) -> pd.DataFrame:
        ref = self.read("fit")
        ref["measure"] = ref["measure"].map(lambda k: FIT_NAMES.get(k, k))
        return ref.set_index("measure")

    def r2(self) -> pd.Series:
        ref = self.read("r2")
        group = ref["group"] if "group" in ref else 1
        return ref.assign(group=group).set_index(["variable", "group"])["r2"]

    def modindices(self) -> pd.DataFrame:
        ref = self.read("modindices")
        return ref.set_axis(row_key(ref))

    def residuals(self, kind: str) -> pd.DataFrame:
        return self.read(f"residuals_{kind}").set_index("variable")


def load_case(case: str, name: str | None = None) -> Case:
    """The reference values of model ``name`` in ``tests/reference/<case>/``."""
    if not (REFERENCE / case).is_dir():
        raise FileNotFoundError(f"no reference case {case!r} in {REFERENCE}")
    return Case(case, name)


def case_data(case: str) -> pd.DataFrame:
    """The data of a case: its ``data.csv``, or the ``data.csv`` that its ``data.txt`` names
    (a path relative to the case folder, on the first line)."""
    folder = REFERENCE / case
    own = folder / "data.csv"
    if own.is_file():
        return pd.read_csv(own)
    pointer = folder / "data.txt"
    if not pointer.is_file():
        raise FileNotFoundError(f"{folder} has neither data.csv nor data.txt")
    return pd.read_csv(folder / pointer.read_text().splitlines()[0].strip())


def profile(fit) -> str:
    """The tolerance profile of a fit: its estimator (FIML for ML with ``missing="fiml"``), with
    ``+groups`` for a multi-group fit."""
    est = fit.provenance.get("estimator", "ML")
    if est == "ML" and fit.provenance.get("missing") in ("fiml", "ml"):
        est = "FIML"
    return est + ("+groups" if fit.provenance.get("group") is not None else "")


def tolerances(fit, case: str, name: str | None = None) -> dict[str, tuple[float, float]]:
    """``TOLERANCES`` for ``fit``: the row of ``<profile>:<case>/<name>``, else of
    ``<profile>:<case>``, else of the profile."""
    prof = profile(fit)
    for key in (f"{prof}:{case}/{name}", f"{prof}:{case}", prof):
        if key in TOLERANCES:
            return TOLERANCES[key]
    raise KeyError(f"no tolerances for profile {prof!r}")


#: set by :func:`measure`: collect (quantity, worst abs, worst rel) instead of asserting
_MEASURED: list | None = None


def _close(what: str, got, ref, tol: tuple[float, float], label: str) -> None:
    rtol, atol = tol
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if _MEASURED is not None:
        _MEASURED.append((label, what, *agreement(got, ref)))
        return
    np.testing.assert_allclose(
        got, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"{label}: {what}"
    )


def agreement(got, ref) -> tuple[float, float]:
    """The worst absolute and relative difference (for measuring what a case reaches)."""
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    ok = np.isfinite(ref) & np.isfinite(got)
    if not ok.any():
        return 0.0, 0.0
    d = np.abs(got[ok] - ref[ok])
    return float(d.max()), float((d / np.maximum(np.abs(ref[ok]), 1e-12)).max())


def _estimates(fit, ref: Case, tol, label: str) -> None:
    exp = ref.estimates()
    got = fit.estimates.set_axis(row_key(fit.estimates))
    extra = sorted(set(got.index) - set(exp.index))
    missing = sorted(set(exp.index) - set(got.index))
    assert not extra and not missing, f"{label}: rows cxkit adds {extra}, rows it lacks {missing}"
    assert not got.index.duplicated().any(), f"{label}: duplicated rows"
    got = got.loc[exp.index]
    user = ~exp["label"].str.startswith(".") & (exp["label"] != "")
    if user.any():
        assert list(got.loc[user, "label"].fillna("")) == list(exp.loc[user, "label"]), (
            f"{label}: labels"
        )
    _close("est", got["est"], exp["est"], tol["est"], label)
    if "se" in exp:
        _close("se", got["se"], exp["se"], tol["se"], label)
    if "std.all" in exp:
        _close("std_all", got["std_all"], exp["std.all"], tol["std_all"], label)
    free = exp["se"] > 0 if "se" in exp else None
    if "z" in exp:
        _close("z", got.loc[free, "z"], exp.loc[free, "z"], tol["z"], label)
    if "pvalue" in exp:
        _close("pvalue", got.loc[free, "pvalue"], exp.loc[free, "pvalue"], tol["pvalue"], label)
    for mine, theirs in (("ci_low", "ci.lower"), ("ci_high", "ci.upper")):
        if theirs in exp:
            _close(mine, got[mine], exp[theirs], tol["ci"], label)


def _fit_indices(fit, ref: Case, tol, label: str) -> None:
    exp = ref.fit()
    got = fit.fit_indices
    if "n" in exp:
        assert int(got["n"]) == int(exp["n"].iloc[0]), (
            f"{label}: n {got['n']} vs {exp['n'].iloc[0]}"
        )
    for k, v in exp["value"].items():
        assert k in got.index, f"{label}: fit index {k!r} missing from fit_indices"
        if k in INTEGER:
            assert got[k] == v, f"{label}: {k} {got[k]} vs lavaan {v}"
        else:
            _close(k, got[k], v, tol["chisq" if k in CHISQ_LIKE else "fit"], label)


#: fitMeasures on a χ² scale (relative tolerance "chisq"); the rest take "fit"
FM_CHISQ_LIKE = {"chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled", "logl",
                 "unrestricted.logl", "aic", "bic", "bic2", "cn_05", "cn_01"}  # fmt: skip


FM_INTEGER = {"npar", "ntotal", "df", "baseline.df", "df.scaled", "baseline.df.scaled"}


def _fitmeasures(fit, ref: Case, tol, label: str) -> None:
    """Every measure of lavaan's ``fitMeasures(fit)`` against ``fit.fit_measures("all")``: the
    same names (an ordinal fit without lavaan's catML-based robust indices, which cxkit does not
    offer) and values, NA where lavaan's is NA."""
    from cxkit.sem.fit_measures import CATML_ONLY

    exp = ref.read("fitmeasures").set_index("measure")["value"]
    got = fit.fit_measures("all")
    skip = set(CATML_ONLY) if fit.options.estimator == "WLSMV" else set()
    missing = sorted(set(exp.index) - set(got.index) - skip)
    extra = sorted(set(got.index) - set(exp.index))
    assert not missing and not extra, f"{label}: fitMeasures cxkit lacks {missing}, adds {extra}"
    assert list(got.index) == [k for k in exp.index if k not in skip], f"{label}: order"
    for k in got.index:
        if k in FM_INTEGER:
            assert got[k] == exp[k], f"{label}: {k} {got[k]} vs lavaan {exp[k]}"
        else:
            _close(k, got[k], exp[k], tol["chisq" if k in FM_CHISQ_LIKE else "fit"], label)


def _r2(fit, ref: Case, tol, label: str) -> None:
    exp = ref.r2()
    got = fit.r_squared
    if not isinstance(got.index, pd.MultiIndex):
        got = got.set_axis(pd.MultiIndex.from_tuples([(v, 1) for v in got.index]))
    else:  # cxkit's multi-group R²: indexed (group, variable)
        got = got.set_axis(pd.MultiIndex.from_tuples([(str(v), int(g)) for g, v in got.index]))
    assert set(got.index) == set(exp.index), (
        f"{label}: R² rows cxkit adds {sorted(set(got.index) - set(exp.index))}, "
        f"lacks {sorted(set(exp.index) - set(got.index))}"
    )
    _close("r2", got[exp.index], exp, tol["r2"], label)


#: MI rows lavaan lists with a numerically zero statistic (the fixed moments of fixed.x
#: predictors, such as ``ageyr ~~ ageyr`` or ``sex ~ ageyr``): not candidates, left out on both sides
MI_ZERO = 1e-12


def _modindices(fit, ref: Case, tol, label: str) -> None:
    exp = ref.modindices()
    exp = exp[exp["mi"] > MI_ZERO]
    got = fit.modification_indices()
    got = got.set_axis(row_key(got))
    got = got[got["mi"] > MI_ZERO]
    missing = sorted(set(exp.index) - set(got.index))
    extra = sorted(set(got.index) - set(exp.index))
    assert not missing and not extra, f"{label}: MI rows cxkit lacks {missing}, adds {extra}"
    got = got.loc[exp.index]
    _close("mi", got["mi"], exp["mi"], tol["mi"], label)
    _close("epc", got["epc"], exp["epc"], tol["epc"], label)


def _residuals(fit, ref: Case, kind: str, cxkit_kind: str, tol, label: str) -> None:
    exp = ref.residuals(kind)
    got = fit.residuals(cxkit_kind)
    got = got.loc[list(exp.index), list(exp.columns)]
    # z-type residuals (over a standard error) are z statistics: the "z" tolerance
    key = "z" if kind in ("cov_z", "normalized", "standardized") else "residuals"
    _close(f"residuals {kind}", got.to_numpy(), exp.to_numpy(), tol[key], label)


#: lavaan's residual kinds (file suffix) → cxkit's ``SEMResult.residuals(kind)``
RESIDUAL_KINDS = {
    "raw": "raw",
    "cor_bentler": "cor",
    "standardized": "standardized",
    "normalized": "normalized",
    "cov_z": "standardized",
}


def assert_matches_lavaan(
    fit, case: str, name: str | None = None, quantities=("estimates", "fit")
) -> None:
    """Assert that ``fit`` agrees with lavaan's values for model ``name`` of ``case``.

    ``quantities``: any of ``"estimates"`` (row set, user labels, est, se, std_all, z and p of
    the free parameters, CI bounds), ``"fit"``, ``"r2"``, ``"modindices"`` (the same candidate
    rows, mi, epc), ``"residuals:<kind>"`` (``kind`` a key of ``RESIDUAL_KINDS``). Tolerances from
    ``TOLERANCES[profile(fit)]``.
    """
    ref = load_case(case, name)
    tol = tolerances(fit, case, name)
    label = f"{case}/{name}" if name else case
    for q in quantities:
        if q == "estimates":
            _estimates(fit, ref, tol, label)
        elif q == "fit":
            _fit_indices(fit, ref, tol, label)
        elif q == "r2":
            _r2(fit, ref, tol, label)
        elif q == "fitmeasures":
            _fitmeasures(fit, ref, tol, label)
        elif q == "modindices":
            _modindices(fit, ref, tol, label)
        elif q.startswith("residuals:"):
            kind = q.split(":", 1)[1]
            _residuals(fit, ref, kind, RESIDUAL_KINDS[kind], tol, label)
        else:
            raise ValueError(f"unknown quantity {q!r}")


def measure(fit, case: str, name: str | None = None, quantities=("estimates", "fit")):
    """The agreement reached, quantity by quantity: a DataFrame ``quantity, abs, rel`` (the
    worst absolute and relative difference from lavaan), for setting ``TOLERANCES``."""
    global _MEASURED
    _MEASURED = []
    try:
        assert_matches_lavaan(fit, case, name, quantities)
        rows = _MEASURED
    finally:
        _MEASURED = None
    out = pd.DataFrame(rows, columns=["label", "quantity", "abs", "rel"])
    return out.groupby("quantity", sort=False)[["abs", "rel"]].max()


def within(seconds: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a forked process, given up after ``seconds`` with
    ``TimeoutError`` (for fits that used to run for minutes; the child is terminated). The result
    must pickle; an exception in the child is raised here."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        job = pool.apply_async(fn, args, kwargs)
        try:
            return job.get(timeout=seconds)
        except multiprocessing.TimeoutError:
            pool.terminate()
            raise TimeoutError(f"gave up after {seconds} s") from None
