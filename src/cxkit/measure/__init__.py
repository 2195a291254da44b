"""Measurement quality: reliability (also of a fitted model's factors, and hierarchical ω), item statistics, discriminant validity, normality, the pilot-test
route (item validity, KMO, Bartlett, EFA) and common-method screens."""

from cxkit.measure.cmb import full_collinearity_vif, harman
from cxkit.measure.composite import composite_reliability, higher_order_reliability
from cxkit.measure.items import item_statistics
from cxkit.measure.normality import item_descriptives, mahalanobis, mardia
from cxkit.measure.omega import OmegaResult, omega_hierarchical
from cxkit.measure.ordinal import polychoric
from cxkit.measure.pilot import bartlett, critical_r, efa, item_validity, kmo
from cxkit.measure.reliability import THRESHOLDS, feldt_ci, reliability
from cxkit.measure.validity import cross_loadings, fornell_larcker, htmt, htmt_bootstrap

__all__ = [
    "OmegaResult",
    "THRESHOLDS",
    "bartlett",
    "composite_reliability",
    "critical_r",
    "efa",
    "full_collinearity_vif",
    "harman",
    "item_descriptives",
    "item_validity",
    "kmo",
    "mahalanobis",
    "mardia",
    "cross_loadings",
    "feldt_ci",
    "fornell_larcker",
    "htmt",
    "higher_order_reliability",
    "htmt_bootstrap",
    "item_statistics",
    "omega_hierarchical",
    "polychoric",
    "reliability",
]
