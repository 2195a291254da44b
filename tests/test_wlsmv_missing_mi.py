"""Ordinal fits with missing answers and their modification indices, against lavaan 0.6-14.

* tests/reference/wlsmv_pairwise: ``missing = "pairwise"`` (thresholds from each item's answers,
  polychorics from each pair's complete cases, Γ from the casewise scores with a missing answer
  scoring zero) on psych's bfi with its blanks, in one group and across gender groups.
* tests/reference/wlsmv_mi: ``modindices`` of WLSMV fits (the DWLS expected information of the
  extended model), one group (bfi, the CX direct model) and across groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError

from .lavaan import REFERENCE, assert_matches_lavaan

MODEL = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
PW = REFERENCE / "wlsmv_pairwise"


def _reverse(d: pd.DataFrame) -> pd.DataFrame:
    d = d.copy()
    for v in ("A1", "C4", "C5"):
        d[v] = 7 - d[v]
    return d


@pytest.fixture(scope="module")
def pairwise():
    d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
    return d, cxkit.fit_sem(MODEL, d, ordered=True, missing="pairwise")


def test_pairwise_sample_statistics(pairwise):
    d, fit = pairwise
    assert d[["A1", "C1"]].isna().any().all()  # the data do have blanks
    ref = pd.read_csv(PW / "pairwise_polychoric.csv", index_col=0)
    np.testing.assert_allclose(fit.sample_cov.to_numpy(), ref.to_numpy(), atol=1e-7)
    mom = fit.stats.groups[0].ordinal
    th = pd.read_csv(PW / "pairwise_thresholds.csv")["value"].to_numpy()
    np.testing.assert_allclose(np.concatenate(mom.thresholds), th, atol=1e-7)
    gamma = pd.read_csv(PW / "pairwise_weights.csv")["gamma"].to_numpy()
    np.testing.assert_allclose(np.diag(mom.gamma), gamma, rtol=1e-6)
    assert fit.provenance["missing"] == "pairwise"
    assert fit.provenance["n_dropped"] == 0


def test_pairwise_matches_lavaan(pairwise):
    _, fit = pairwise
    assert_matches_lavaan(fit, "wlsmv_pairwise", "pairwise")


def test_pairwise_groups_match_lavaan():
    d = _reverse(pd.read_csv(PW / "data.csv"))
    fit = cxkit.fit_sem(
        MODEL, d, ordered=True, missing="pairwise", group="gender",
        group_equal=["thresholds", "loadings"],
    )  # fmt: skip
    assert_matches_lavaan(fit, "wlsmv_pairwise", "pairwise_groups")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"missing": "pairwise"}, "missing='pairwise' is for ordered"),
        ({"ordered": True, "missing": "fiml"}, "'fiml' is not available with ordered"),
        ({"parameterization": "theta"}, "parameterization='theta' is for ordered"),
        (
            {"ordered": True, "parameterization": "gamma"},
            "parameterization='gamma' is not accepted",
        ),
    ],
)
def test_ordinal_options_are_checked(kwargs, message):
    d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
    with pytest.raises(SpecificationError, match=message):
        cxkit.fit_sem(MODEL, d, **kwargs)


@pytest.mark.parametrize("name", ["bfi", "cx_direct", "groups", "mixed"])
def test_modification_indices_match_lavaan(name):
    if name == "mixed":
        d = _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv"))
        fit = cxkit.fit_sem(MODEL, d, ordered=["A1", "A2", "A3", "A4", "A5"])
    elif name == "bfi":
        fit = cxkit.fit_sem(MODEL, _reverse(pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")),
                            ordered=True)  # fmt: skip
    elif name == "cx_direct":
        d = pd.read_csv(REFERENCE / "sem_cx" / "data.csv")
        d["OE4"] = 8 - d["OE4"]
        model = (REFERENCE / "sem_cx" / "direct" / "model.lav").read_text()
        with pytest.warns(cxkit.errors.ModelWarning):
            fit = cxkit.fit_sem(model, d, ordered=True)
    else:
        d = _reverse(pd.read_csv(REFERENCE / "wlsmv_groups" / "data.csv"))
        fit = cxkit.fit_sem(MODEL, d, ordered=True, group="gender",
                            group_equal=["thresholds", "loadings"])  # fmt: skip
    assert_matches_lavaan(fit, "wlsmv_mi", name, ("modindices",))


def test_bootstrap_of_a_pairwise_fit(pairwise):
    _, fit = pairwise
    boot = fit.bootstrap(60, seed=3, progress=False)
    free = fit.estimates["se"] > 0
    ratio = boot.estimates.loc[free, "se"] / fit.estimates.loc[free, "se"]
    assert ratio.notna().all() and ratio.between(0.5, 2.5).all()
    thr = boot.estimates[boot.estimates["op"] == "|"]
    assert (thr["se"] > 0).all()


def test_bootstrap_of_a_multigroup_ordinal_fit():
    d = _reverse(pd.read_csv(REFERENCE / "wlsmv_groups" / "data.csv"))
    fit = cxkit.fit_sem(MODEL, d, ordered=True, group="gender", group_equal=["thresholds"])
    boot = fit.bootstrap(10, seed=1, progress=False)
    assert boot.provenance["bootstrap"]["n_ok"] == 10
    free = fit.estimates["se"] > 0
    ratio = boot.estimates.loc[free, "se"] / fit.estimates.loc[free, "se"]
    assert ratio.notna().all() and ratio.between(0.1, 5).all()
    assert abs(np.log(ratio).median()) < 0.3  # about the robust SEs
    with pytest.raises(SpecificationError, match="BCa intervals of ordinal"):
        fit.bootstrap(10, seed=1, ci="bca")
