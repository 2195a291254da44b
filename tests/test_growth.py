"""Latent growth models (``cxkit.fit_growth``, lavaan's ``growth()``) and latent means in
``fit_sem`` against lavaan 0.6-14 on Demo.growth (tests/reference/growth_demo)."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit
from cxkit.errors import SpecificationError
from tests.lavaan import REFERENCE, assert_matches_lavaan

FOLDER = REFERENCE / "growth_demo"
DATA = pd.read_csv(FOLDER / "data.csv")


def _model(name: str) -> str:
    return (FOLDER / f"{name}.lav").read_text()


@pytest.mark.parametrize("name", ["linear", "quadratic", "covariates", "tvc"])
def test_growth_matches_lavaan(name):
    fit = cxkit.fit_growth(_model(name), DATA)
    assert fit.converged
    assert_matches_lavaan(fit, "growth_demo", name, ("estimates", "fit", "r2"))


def test_growth_defaults_are_lavaans():
    fit = cxkit.fit_growth(_model("covariates"), DATA)
    est = fit.estimates.set_index(["lhs", "op", "rhs"])
    for t in ("t1", "t2", "t3", "t4"):  # int.ov.free = FALSE
        assert est.loc[(t, "~1", ""), "est"] == 0.0 and est.loc[(t, "~1", ""), "se"] == 0.0
    for f in ("i", "s"):  # int.lv.free = TRUE
        assert est.loc[(f, "~1", ""), "se"] > 0
    assert est.loc[("x1", "~1", ""), "est"] == pytest.approx(DATA["x1"].mean())  # fixed.x
    assert fit.provenance["int_ov_free"] is False and fit.provenance["int_lv_free"] is True


def test_latent_means_in_fit_sem_give_the_growth_model():
    fit = cxkit.fit_sem(_model("sem_means"), DATA)
    assert_matches_lavaan(fit, "growth_demo", "sem_means", ("estimates", "fit", "r2"))
    growth = cxkit.fit_growth(_model("linear"), DATA)
    assert fit.fit_indices["chisq"] == pytest.approx(growth.fit_indices["chisq"], rel=1e-9)


def test_growth_with_missing_answers_fiml():
    data = pd.read_csv(FOLDER / "data_missing.csv")
    fit = cxkit.fit_growth(_model("linear"), data, missing="fiml")
    assert_matches_lavaan(fit, "growth_demo", "fiml", ("estimates", "fit"))


def test_growth_with_a_constraint_and_groups():
    # equal residual variances by labels and by ==: the same model, lavaan's df
    labels = _model("linear") + "\nt1 ~~ r*t1\nt2 ~~ r*t2\nt3 ~~ r*t3\nt4 ~~ r*t4"
    cons = _model("linear") + "\nt1 ~~ r1*t1\nt2 ~~ r2*t2\nt3 ~~ r3*t3\nt4 ~~ r4*t4"
    cons += "\nr1 == r2\nr2 == r3\nr3 == r4"
    a, b = cxkit.fit_growth(labels, DATA), cxkit.fit_growth(cons, DATA)
    assert a.fit_indices["df"] == b.fit_indices["df"] == 8
    assert b.fit_indices["chisq"] == pytest.approx(a.fit_indices["chisq"], rel=1e-8)
    half = DATA.assign(half=(DATA.index % 2).map({0: "a", 1: "b"}))
    mg = cxkit.fit_growth(_model("linear"), half, group="half")
    means = mg.estimates.query("op == '~1' and lhs in ('i', 's')")
    assert len(means) == 4 and (means["se"] > 0).all()  # latent means free in both groups


def test_growth_options_lavaan_sets_are_not_taken():
    with pytest.raises(SpecificationError, match="meanstructure"):
        cxkit.fit_growth(_model("linear"), DATA, meanstructure=False)


def test_cli_growth_flag_fits_lavaans_growth(capsys):
    """`cxkit sem --growth` is lavaan's growth(): the latent means of the reference case."""
    from cxkit.cli import main

    code = main(
        ["sem", str(FOLDER / "data.csv"), "--model", str(FOLDER / "linear.lav"), "--growth"]
    )
    out = capsys.readouterr().out
    assert code == 0
    lav = pd.read_csv(FOLDER / "linear_estimates.csv")
    means = lav[(lav.op == "~1") & lav.lhs.isin(["i", "s"])]
    for lhs, est in zip(means.lhs, means.est, strict=True):
        row = next(line for line in out.splitlines() if line.split()[:2] == [lhs, "~1"])
        assert float(row.split()[2]) == pytest.approx(est, abs=5e-4)  # printed to 3 decimals
    assert "t1 ~1        0.000" in out


def test_cli_growth_refuses_ordered(capsys):
    from cxkit.cli import main

    code = main(
        ["sem", str(FOLDER / "data.csv"), "--model", str(FOLDER / "linear.lav"), "--growth",
         "--ordered"]
    )  # fmt: skip
    assert code == 2
    assert "--growth with --ordered" in capsys.readouterr().err
