"""Stage 0: the options of a fit, checked once and resolved to lavaan's per-estimator defaults.

========  =========  ===========================  ====================  ===========
estimator  missing   information (SEs)            se                    test
========  =========  ===========================  ====================  ===========
ML        listwise   expected                     standard              standard
ML        ml (FIML)  observed                     standard              standard
MLR       any        observed                     robust.huber.white    yuan.bentler.mplus
MLM       listwise   expected                     robust.sem            satorra.bentler
ULS       listwise   expected (Δ'WΔ, W = I)       standard              standard (no p)
GLS       listwise   expected (Δ'WΔ, W = Γ_NT⁻¹)  standard              standard
WLS       listwise   expected (Δ'WΔ, W = Γ_ADF⁻¹) standard              standard
DWLS      listwise   expected (W = diag Γ_ADF⁻¹)  standard              standard
WLSMV     listwise,  expected (Δ'WΔ)              robust.sem            scaled.shifted
          pairwise
========  =========  ===========================  ====================  ===========

MLM (Satorra–Bentler) and the least-squares family ULS, GLS, WLS, DWLS (continuous data) need
complete data, as in lavaan; the least-squares family has no likelihood (no loglik, AIC, BIC) and,
as lavaan, counts N − G cases in its standard errors, RMSEA, ECVI, Hoelter's CN and MFI. ULS's χ²
has no known reference distribution: its p-value is NaN, as lavaan's.

Groups always carry a mean structure (intercepts and latent means), as does FIML; one group has
one when ``meanstructure=True`` or the model has ``~ 1`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkit._params import check_option
from cxkit.errors import SpecificationError

ESTIMATORS = ("ML", "MLR", "MLM", "ULS", "GLS", "WLS", "DWLS", "WLSMV")
#: the least-squares estimators for continuous data (lavaan's WLS family)
LS_FAMILY = ("ULS", "GLS", "WLS", "DWLS")
#: estimators that need complete data (lavaan refuses missing = "ml" with them)
COMPLETE_ONLY = ("MLM", *LS_FAMILY)
MISSING = ("listwise", "fiml", "ml", "pairwise")
#: lavaan's other estimators, refused by name
NOT_OFFERED = {
    "MLMV": 'estimator = "MLMV", mean- and variance-adjusted ML test',
    "MLMVS": 'estimator = "MLMVS", Satterthwaite-adjusted ML test',
    "ULSM": 'estimator = "ULSM"',
    "ULSMV": 'estimator = "ULSMV"',
    "WLSM": 'estimator = "WLSM"',
    "WLSMVS": 'estimator = "WLSMVS"',
    "PML": 'estimator = "PML", pairwise maximum likelihood',
    "MML": 'estimator = "MML", marginal maximum likelihood',
    "REML": 'estimator = "REML"',
    "FML": 'estimator = "FML"',
    "DLS": 'estimator = "DLS", distributionally-weighted least squares',
    "NTRLS": 'estimator = "NTRLS"',
    "BAYES": "blavaan's Bayesian estimation",
}


@dataclass(frozen=True)
class Options:
    estimator: str = "ML"
    missing: str = "listwise"  # "listwise" or "ml"
    group: str | None = None
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    std_lv: bool = False
    level: float = 0.95
    meanstructure: bool = False
    ordered: tuple[str, ...] | bool = ()
    information: str = "expected"
    se: str = "standard"
    test: str = "standard"
    #: lavaan's int.ov.free / int.lv.free (growth(): False / True)
    int_ov_free: bool = True
    int_lv_free: bool = False
    parameterization: str = "delta"

    @property
    def fiml(self) -> bool:
        return self.missing == "ml"

    def describe(self) -> dict:
        return {
            "estimator": self.estimator,
            "missing": "fiml" if self.fiml else self.missing,
            "information": self.information,
            "se": self.se,
            "test": self.test,
            "meanstructure": self.meanstructure,
            "std_lv": self.std_lv,
            **(
                {}
                if self.int_ov_free and not self.int_lv_free
                else {"int_ov_free": self.int_ov_free, "int_lv_free": self.int_lv_free}
            ),
        }


def resolve(
    estimator="ML",
    missing="listwise",
    group=None,
    group_equal=(),
    group_partial=(),
    std_lv=False,
    level=0.95,
    meanstructure=None,
    ordered=None,
    has_intercepts=False,
    parameterization="delta",
) -> Options:
    """Check every option (one message template) and resolve lavaan's defaults."""
    if isinstance(estimator, str) and estimator.upper() in ESTIMATORS:
        estimator = estimator.upper()
    if isinstance(estimator, str) and estimator.upper() in NOT_OFFERED:
        raise SpecificationError(
            f"estimator={estimator!r} (lavaan's {NOT_OFFERED[estimator.upper()]}) is not available "
            f"in cxkit; use one of: {', '.join(map(repr, ESTIMATORS))}"
        )
    check_option("estimator", estimator, ESTIMATORS)
    check_option("missing", missing, MISSING)
    check_option("parameterization", parameterization, ("delta", "theta"))
    if isinstance(group_equal, str):
        group_equal = (group_equal,)
    if isinstance(group_partial, str):
        group_partial = (group_partial,)
    if not isinstance(level, int | float) or isinstance(level, bool) or not 0 < level < 1:
        raise SpecificationError(
            f"level={level!r} is not accepted; use a confidence level between 0 and 1, e.g. 0.95"
        )
    if not isinstance(std_lv, bool):
        raise SpecificationError(f"std_lv={std_lv!r} is not accepted; use True or False")
    if meanstructure is not None and not isinstance(meanstructure, bool):
        raise SpecificationError(
            f"meanstructure={meanstructure!r} is not accepted; use True, False or None"
        )
    miss = "ml" if missing in ("fiml", "ml") else missing
    is_ordered = ordered is not None and ordered is not False
    if estimator == "WLSMV" and not is_ordered:
        raise SpecificationError(
            "estimator='WLSMV' is for ordered indicators: pass ordered=True (or the list of them)"
        )
    if is_ordered:
        if estimator not in ("ML", "WLSMV"):
            raise SpecificationError(
                f"estimator={estimator!r} with ordered indicators is not available; ordered data "
                "take estimator='WLSMV' (the default when ordered= is given)"
            )
        estimator = "WLSMV"
        if miss == "ml":
            raise SpecificationError(
                "missing='fiml' is not available with ordered indicators (lavaan fits them by "
                "WLSMV); use missing='pairwise' (pairwise-complete polychorics) or 'listwise'"
            )
    elif parameterization != "delta":
        raise SpecificationError(
            f"parameterization={parameterization!r} is for ordered indicators (ordered=...), "
            "as lavaan's"
        )
    elif miss == "pairwise":
        raise SpecificationError(
            "missing='pairwise' is for ordered indicators (ordered=...); continuous data take "
            "'listwise' or 'fiml'"
        )
    if estimator in COMPLETE_ONLY and miss == "ml":
        raise SpecificationError(
            f"estimator={estimator!r} needs complete data, as in lavaan (which refuses "
            f'missing = "ml" with estimator = "{estimator}"); use missing=\'listwise\', or '
            "estimator='MLR' with missing='fiml' for robust FIML"
        )
    ms = bool(group is not None or miss == "ml" or has_intercepts or meanstructure)
    if meanstructure is False and (group is not None or miss == "ml"):
        raise SpecificationError(
            "meanstructure=False is not available with groups or missing='fiml': both need the "
            "intercepts"
        )
    info = "observed" if (miss == "ml" or estimator == "MLR") else "expected"
    se = {"MLR": "robust.huber.white", "WLSMV": "robust.sem", "MLM": "robust.sem"}.get(
        estimator, "standard"
    )
    test = {
        "MLR": "yuan.bentler.mplus",
        "WLSMV": "scaled.shifted",
        "MLM": "satorra.bentler",
    }.get(estimator, "standard")
    if ordered is True:
        ordered_v: tuple[str, ...] | bool = True
    elif is_ordered:
        ordered_v = (ordered,) if isinstance(ordered, str) else tuple(ordered)
    else:
        ordered_v = ()
    return Options(
        estimator=estimator,
        missing=miss,
        group=group,
        group_equal=tuple(group_equal),
        group_partial=tuple(group_partial),
        std_lv=std_lv,
        level=float(level),
        meanstructure=ms,
        ordered=ordered_v,
        information=info,
        se=se,
        test=test,
        parameterization=parameterization,
    )
