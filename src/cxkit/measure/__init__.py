"""Measurement quality: reliability, item statistics, discriminant validity, normality, the pilot-test
route (item validity, KMO, Bartlett, EFA) and common-method screens."""

from cxkit.measure.cmb import full_collinearity_vif, harman
from cxkit.measure.items import item_statistics
from cxkit.measure.normality import item_descriptives, mahalanobis, mardia
from cxkit.measure.ordinal import polychoric
from cxkit.measure.pilot import bartlett, critical_r, efa, item_validity, kmo
from cxkit.measure.reliability import THRESHOLDS, feldt_ci, reliability
from cxkit.measure.validity import cross_loadings, fornell_larcker, htmt, htmt_bootstrap

__all__ = [
    "THRESHOLDS",
    "bartlett",
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
    "htmt_bootstrap",
    "item_statistics",
    "polychoric",
    "reliability",
]
