"""WLSMV across groups (``ordered=True, group=``) against lavaan 0.6-14
(tests/reference/wlsmv_groups: make.R, sessionInfo.txt, CSVs): psych's bfi by gender, the
invariance steps as lavaan's ``group.equal`` applies them with ordered data (delta
parameterization) — configural; thresholds (scale factors and latent means free after group 1);
thresholds + loadings; + intercepts (y* intercepts stay 0: the same model) — and the scaled χ²
differences between them (``lavTestLRT``, method "satorra.2000")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ModelError, SpecificationError

from .lavaan import REFERENCE, assert_matches_lavaan

CASE = REFERENCE / "wlsmv_groups"
MODEL = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
STEPS = {
    "configural": (),
    "thresholds": ("thresholds",),
    "loadings": ("thresholds", "loadings"),
    "intercepts": ("thresholds", "loadings", "intercepts"),
}


def _data() -> pd.DataFrame:
    d = pd.read_csv(CASE / "data.csv")
    for v in ("A1", "C4", "C5"):
        d[v] = 7 - d[v]
    return d


@pytest.fixture(scope="module")
def fits():
    d = _data()
    return {
        name: cxkit.fit_sem(MODEL, d, ordered=True, group="gender", group_equal=equal)
        for name, equal in STEPS.items()
    }


@pytest.mark.parametrize("name", list(STEPS))
def test_steps_match_lavaan(fits, name):
    fit = fits[name]
    assert fit.converged
    assert_matches_lavaan(fit, "wlsmv_groups", name, ("estimates", "fit"))
    assert fit.provenance["groups"] == ["1", "2"]


def test_scale_factors_free_only_with_equal_thresholds(fits):
    conf = fits["configural"].estimates
    assert (conf.loc[conf["op"] == "~*~", "est"] == 1.0).all()
    thr = fits["thresholds"].estimates
    g2 = thr[(thr["op"] == "~*~") & (thr["group"] == 2)]
    assert (g2["se"] > 0).all() and not np.allclose(g2["est"], 1.0)
    means = thr[(thr["op"] == "~1") & thr["lhs"].isin(["agree", "consc"]) & (thr["group"] == 2)]
    assert (means["se"] > 0).all()


def test_difftest_between_steps(fits):
    ref = pd.read_csv(CASE / "difftest.csv")
    table = cxkit.compare_models(*(fits[k] for k in STEPS))
    assert table.attrs["test"] == "satorra.2000"
    for _, row in ref.iterrows():
        if row["df_diff"] == 0:
            continue
        got = cxkit.compare_models(fits[row["free"]], fits[row["restricted"]])
        got = got.loc[got["chisq_diff"].notna()].iloc[0]
        assert int(got["df_diff"]) == int(row["df_diff"])
        np.testing.assert_allclose(got["chisq_diff"], row["chisq_diff"], rtol=1e-6)
        np.testing.assert_allclose(got["p_diff"], row["p_diff"], rtol=1e-5, atol=1e-12)


def test_ordered_group_errors_are_clear():
    d = _data()
    with pytest.raises(SpecificationError, match="'residuals' is not available with ordered"):
        cxkit.fit_sem(MODEL, d, ordered=True, group="gender", group_equal=["residuals"])
    with pytest.raises(SpecificationError, match="'intercepts' without 'thresholds'"):
        cxkit.fit_sem(MODEL, d, ordered=True, group="gender", group_equal=["intercepts"])
    with pytest.raises(SpecificationError, match="not a threshold"):
        cxkit.fit_sem(
            MODEL, d, ordered=True, group="gender", group_equal=["thresholds"],
            group_partial=["A1 | x"],
        )  # fmt: skip
    sparse = d[~((d["gender"] == 2) & (d["A2"] == 1))]
    with pytest.raises(ModelError, match="'A2' has no answer 1 in group 2"):
        cxkit.fit_sem(MODEL, sparse, ordered=True, group="gender")


def test_invariance_with_ordered_items(fits):
    ref = pd.read_csv(CASE / "difftest.csv").set_index("restricted")
    inv = cxkit.invariance(MODEL, _data(), group="gender", ordered=True,
                           levels=["configural", "thresholds", "metric", "scalar"])  # fmt: skip
    assert list(inv.index) == ["configural", "thresholds", "metric", "scalar"]
    assert inv.attrs["test"] == "satorra.2000"
    for level, name in (("thresholds", "thresholds"), ("metric", "loadings")):
        np.testing.assert_allclose(inv.loc[level, "chisq_diff"], ref.loc[name, "chisq_diff"],
                                   rtol=1e-6)  # fmt: skip
        assert inv.loc[level, "df_diff"] == ref.loc[name, "df_diff"]
        assert inv.loc[level, "chisq_scaled"] == pytest.approx(
            fits[name].fit_indices["chisq_scaled"], rel=1e-12
        )
    # lavaan: the y* intercepts are 0 already, so "scalar" is the metric model (0 df more)
    assert inv.loc["scalar", "df_diff"] == 0 and np.isnan(inv.loc["scalar", "chisq_diff"])
    assert inv.loc["thresholds", "verdict"] in ("holds", "does not hold")
    with pytest.raises(SpecificationError, match="level 'strict' is not accepted with ordered"):
        cxkit.invariance(MODEL, _data(), group="gender", ordered=True, levels=["strict"])
    with pytest.raises(SpecificationError, match="estimator='MLR' with ordered"):
        cxkit.invariance(MODEL, _data(), group="gender", ordered=True, estimator="MLR")


def test_cli_sem_ordered_with_groups(tmp_path, capsys):
    from cxkit.cli import main

    data = tmp_path / "bfi.csv"
    _data().to_csv(data, index=False)
    model = tmp_path / "bfi.lav"
    model.write_text(MODEL + "\n")
    args = ["sem", str(data), "--model", str(model), "--ordered", "--group", "gender"]
    assert main([*args, "--group-equal", "thresholds,loadings"]) == 0
    out = capsys.readouterr().out
    assert "estimator WLSMV" in out and "scaled-shifted" in out and " group " in out
    assert "A1 ~*~ A1" in out
    assert main([*args, "--group-equal", "thresholds", "--parameterization", "theta"]) == 0
    assert "A1 ~~ A1" in capsys.readouterr().out
    assert main([*args, "--group-equal", "residuals"]) == 2
    err = capsys.readouterr().err
    assert "group_equal='residuals' is not available with ordered" in err
    assert "Traceback" not in err
