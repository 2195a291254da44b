"""Multi-group models and measurement invariance against lavaan 0.6-14 (tests/reference/invariance_hs).

Holzinger & Swineford by school, cfa(group = "school", group.equal = ...), complete and with missing
answers (FIML); estimates and fit indices through :func:`tests.lavaan.assert_matches_lavaan` (the
"ML+groups" and "FIML+groups" rows of ``tests.lavaan.TOLERANCES``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError
from cxkit.sem.invariance import LEVELS

from .lavaan import REFERENCE, assert_matches_lavaan

DATA = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
MODEL = (REFERENCE / "invariance_hs" / "model.lav").read_text()
FIT = pd.read_csv(REFERENCE / "invariance_hs" / "fit.csv").pivot(
    index="level", columns="measure", values="value"
)


@pytest.mark.parametrize("level", list(LEVELS))
def test_group_equal_fits_match_lavaan(level):
    fit = cxkit.fit_sem(MODEL, DATA, group="school", group_equal=LEVELS[level])
    assert fit.provenance["groups"] == ["Pasteur", "Grant-White"]
    assert_matches_lavaan(fit, "invariance_hs", level, ("estimates", "fit"))


def test_invariance_table():
    inv = cxkit.invariance(MODEL, DATA, group="school")
    assert list(inv.index) == ["configural", "metric", "scalar", "strict"]
    assert inv.loc["metric", "df_diff"] == 6 and inv.loc["scalar", "df_diff"] == 6
    assert inv.loc["metric", "chisq_diff"] == pytest.approx(
        FIT.loc["metric", "chisq"] - FIT.loc["configural", "chisq"], rel=1e-4
    )
    assert inv.loc["metric", "verdict"] == "holds"  # ΔCFI -.003, ΔRMSEA -.004
    assert inv.loc["scalar", "verdict"] == "does not hold"  # ΔCFI -.038


def test_multigroup_errors():
    with pytest.raises(SpecificationError, match="group='house' is not a column"):
        cxkit.fit_sem(MODEL, DATA, group="house")
    with pytest.raises(SpecificationError, match="group_equal='slopes' is not accepted"):
        cxkit.fit_sem(MODEL, DATA, group="school", group_equal=["slopes"])


def test_multigroup_modification_indices_are_the_groups_own():
    """Configural groups share nothing: each group's MIs equal those of its own single-group fit."""
    fit = cxkit.fit_sem(MODEL, DATA, group="school")
    mi = fit.modification_indices()
    assert set(mi["group"]) == {1, 2}
    for g, label in enumerate(fit.provenance["groups"], start=1):
        own = cxkit.fit_sem(MODEL, DATA[DATA["school"].astype(str) == label])
        want = own.modification_indices().set_index(["lhs", "op", "rhs"])
        got = mi[mi["group"] == g].set_index(["lhs", "op", "rhs"])
        assert set(got.index) == set(want.index)
        np.testing.assert_allclose(got.loc[want.index, "mi"], want["mi"], rtol=1e-6)
        np.testing.assert_allclose(got.loc[want.index, "epc"], want["epc"], rtol=1e-6)


FIML_DATA = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
FIML_FIT = pd.read_csv(REFERENCE / "fiml_groups" / "fit.csv").pivot(
    index="level", columns="measure", values="value"
)


@pytest.mark.parametrize("level", list(LEVELS))
def test_multigroup_fiml_matches_lavaan(level):
    """Groups with missing answers: lavaan cfa(group = "school", missing = "ml", group.equal = ...)."""
    fit = cxkit.fit_sem(MODEL, FIML_DATA, group="school", group_equal=LEVELS[level], missing="fiml")
    assert fit.provenance["missing"] == "fiml"
    assert_matches_lavaan(fit, "fiml_groups", level, ("estimates", "fit"))


def test_invariance_with_fiml():
    inv = cxkit.invariance(MODEL, FIML_DATA, group="school", missing="fiml")
    np.testing.assert_allclose(inv["chisq"], FIML_FIT.loc[list(LEVELS), "chisq"], rtol=1e-5)
    assert inv.loc["metric", "verdict"] == "holds"


PARTIAL = REFERENCE / "partial_hs"


def test_score_tests_match_lavtestscore():
    """Which equalities of the scalar model the data object to (lavaan's lavTestScore)."""
    fit = cxkit.fit_sem(MODEL, DATA, group="school", group_equal=["loadings", "intercepts"])
    got = fit.score_tests()
    ref = pd.read_csv(PARTIAL / "score_tests.csv").fillna({"rhs": ""})
    keys = ["lhs", "op", "rhs", "group"]
    got, ref = got.set_index(keys), ref.set_index(keys)
    assert sorted(got.index) == sorted(ref.index)
    np.testing.assert_allclose(got.loc[ref.index, "x2"], ref["x2"], rtol=1e-3)
    np.testing.assert_allclose(got.loc[ref.index, "pvalue"], ref["pvalue"], atol=1e-4)
    total = pd.read_csv(PARTIAL / "score_total.csv").iloc[0]
    assert got.attrs["total"]["x2"] == pytest.approx(total["x2"], rel=1e-3)
    assert got.attrs["total"]["df"] == total["df"]
    # the two largest are the intercepts of x3 and x7: free them (partial scalar invariance)
    assert set(got["x2"].nlargest(2).index.get_level_values("lhs")) == {"x3", "x7"}


def test_group_partial_matches_lavaan():
    fit = cxkit.fit_sem(
        MODEL,
        DATA,
        group="school",
        group_equal=["loadings", "intercepts"],
        group_partial=["x3 ~ 1", "x7~1"],
    )
    assert fit.provenance["group_partial"] == ["x3~1", "x7~1"]
    assert_matches_lavaan(fit, "partial_hs", "partial", ("estimates", "fit"))


def test_partial_and_score_test_errors():
    with pytest.raises(SpecificationError, match="'x10~1', which is not a parameter"):
        cxkit.fit_sem(
            MODEL, DATA, group="school", group_equal=["intercepts"], group_partial=["x10 ~ 1"]
        )
    with pytest.raises(SpecificationError, match="need group="):
        cxkit.fit_sem(MODEL, DATA, group_partial=["x3 ~ 1"])
    with pytest.raises(SpecificationError, match="fit with group="):
        cxkit.fit_sem(MODEL, DATA).score_tests()
    assert cxkit.fit_sem(MODEL, DATA, group="school").score_tests().empty
