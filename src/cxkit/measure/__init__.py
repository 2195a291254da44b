"""Measurement quality: reliability, item statistics and discriminant validity."""

from cxkit.measure.items import item_statistics
from cxkit.measure.ordinal import polychoric
from cxkit.measure.reliability import THRESHOLDS, feldt_ci, reliability
from cxkit.measure.validity import cross_loadings, fornell_larcker, htmt, htmt_bootstrap

__all__ = [
    "THRESHOLDS",
    "cross_loadings",
    "feldt_ci",
    "fornell_larcker",
    "htmt",
    "htmt_bootstrap",
    "item_statistics",
    "polychoric",
    "reliability",
]
