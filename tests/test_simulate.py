"""Synthetic respondents: reproducible, on the instrument's scales, and recovering the population model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.datasets import load_dataset
from cxkit.errors import SpecificationError
from cxkit.simulate import POPULATION, simulate

INS = cxkit.load_instrument("online-cx@2.0.0")


def test_same_seed_same_data():
    a = simulate(INS, 50, seed=7)
    b = simulate(INS, 50, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(simulate(INS, 50, seed=8))


def test_bundled_demo_data_is_reproduced_by_its_recipe():
    shipped = load_dataset("online-cx-demo")
    again = simulate(INS, 400, seed=2026)
    assert shipped.attrs["synthetic"] is True
    for col in shipped.columns:
        if col in ("OPEN1", "CONTACT"):
            assert shipped[col].isna().all()
            continue
        np.testing.assert_array_equal(shipped[col].to_numpy(), again[col].to_numpy(), err_msg=col)


def test_answers_lie_on_each_scale():
    df = simulate(INS, 300, seed=3)
    for item in INS.items:
        if item.scale.values:
            assert set(df[item.id].dropna().unique()) <= set(item.scale.values), item.id
    assert (df["ATT1"] == 2).all()  # no careless respondents asked for
    assert df["OE4"].mean() < df["OE1"].mean()  # a reversed item is mostly disagreed with


def test_careless_and_missing():
    df = simulate(INS, 2000, seed=4, careless=0.2, missing=0.05)
    share_failed = (df["ATT1"] != 2).mean()
    assert 0.2 * 6 / 7 - 0.03 < share_failed < 0.2 * 6 / 7 + 0.03
    assert 0.04 < df["EC1"].isna().mean() < 0.06
    assert df["NPS1"].notna().all()


def test_population_model_is_recovered():
    """Fit the partial-mediation pyramid on 20 000 latent responses: the standardised paths and
    loadings are the population's within 4 standard errors (std errors of ~0.01)."""
    big = simulate(INS, 20000, seed=11, discretise=False)
    big["OE4"] = -big["OE4"]  # latent responses: a reversed item is -x*, reversed back by negating
    fit = cxkit.fit_sem(cxkit.models.pyramid(INS, direct_paths=True), big)
    est = fit.estimates.set_index(["lhs", "op", "rhs"])
    for c, g in POPULATION["ec_paths"].items():
        assert est.loc[("EC", "~", c), "std_all"] == pytest.approx(g, abs=0.03), c
    assert est.loc[("LOY", "~", "EC"), "std_all"] == pytest.approx(0.60, abs=0.03)
    assert est.loc[("LOY", "~", "FU"), "std_all"] == pytest.approx(0.15, abs=0.03)
    for c in ("OE", "RS", "TR"):
        assert abs(est.loc[("LOY", "~", c), "est"]) < 4 * est.loc[("LOY", "~", c), "se"]
    loadings = est.xs("=~", level="op")["std_all"].to_numpy()
    expected = np.resize(POPULATION["loadings"], len(loadings))
    np.testing.assert_allclose(loadings, expected, atol=0.03)


def test_bad_arguments():
    with pytest.raises(SpecificationError, match="n=0 is not accepted"):
        simulate(INS, 0)
    with pytest.raises(SpecificationError, match="careless=1.5 is not accepted"):
        simulate(INS, 10, careless=1.5)
    with pytest.raises(SpecificationError, match="must be an Instrument"):
        simulate("online-cx@2.0.0", 10)
