"""WLSMV with ``parameterization="theta"`` against lavaan 0.6-14 (tests/reference/wlsmv_theta:
make.R, sessionInfo.txt, CSVs): residual variances of y* fixed at 1 (free after group 1 when the
thresholds are held equal), scale factors ``1/sd(y*)`` derived; the same χ² as the delta
parameterization."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError

from .lavaan import REFERENCE, assert_matches_lavaan
from .test_wlsmv_missing_mi import MODEL, _reverse


@pytest.mark.parametrize(
    "name, equal",
    [("one", None), ("groups_thresholds", ["thresholds"]),
     ("groups_loadings", ["thresholds", "loadings"])],
)  # fmt: skip
def test_theta_matches_lavaan(name, equal):
    if equal is None:
        d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
        fit = cxkit.fit_sem(MODEL, d, ordered=True, parameterization="theta")
    else:
        d = _reverse(pd.read_csv(REFERENCE / "wlsmv_groups" / "data.csv"))
        fit = cxkit.fit_sem(MODEL, d, ordered=True, parameterization="theta", group="gender",
                            group_equal=equal)  # fmt: skip
    assert fit.converged and fit.provenance["parameterization"] == "theta"
    assert_matches_lavaan(fit, "wlsmv_theta", name)
    est = fit.estimates
    first = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & est["lhs"].str.match(r"[AC]\d")]
    if "group" in first:
        first = first[first["group"] == 1]
    assert (first["est"] == 1.0).all() and (first["se"] == 0).all()


def test_theta_modification_indices_are_refused():
    d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
    fit = cxkit.fit_sem(MODEL, d, ordered=True, parameterization="theta")
    with pytest.raises(SpecificationError, match="parameterization='theta' fits are not available"):
        fit.modification_indices()
