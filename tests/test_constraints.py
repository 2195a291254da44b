"""Constraints (==, <, >, nonlinear, := names in constraints), start(), lavTestWald and composites
``<~`` against lavaan 0.6-14 (tests/reference/constraints_hs, tests/reference/composite)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ModelError, ModelSyntaxError, SpecificationError
from cxkit.sem.syntax import parse_model
from tests.lavaan import REFERENCE, assert_matches_lavaan, case_data

HS = case_data("constraints_hs")
FOLDER = REFERENCE / "constraints_hs"
GROUPS = dict(group="school", group_equal=("loadings", "intercepts"))
BASE = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + e*x8 + f*x9"


def _model(name: str) -> str:
    return (FOLDER / f"{name}.lav").read_text()


@pytest.mark.parametrize(
    "name, file, data, options, quantities",
    [
        ("linear", "linear", "hs", {}, ("estimates", "fit", "r2")),
        ("nonlinear", "nonlinear", "hs", {}, ("estimates", "fit", "r2")),
        ("defined", "defined", "hs", {}, ("estimates", "fit", "r2")),
        ("inactive", "inactive", "hs", {}, ("estimates", "fit", "r2")),
        ("active", "active", "hs", {}, ("estimates", "fit", "r2")),
        ("start", "start", "hs", {}, ("estimates", "fit")),
        ("groups", "groups", "hs", GROUPS, ("estimates", "fit", "r2")),
        ("fiml", "linear", "fiml", {"missing": "fiml"}, ("estimates", "fit")),
        ("mlr", "linear", "hs", {"estimator": "MLR"}, ("estimates", "fit")),
        ("mlr_groups", "groups", "hs", {**GROUPS, "estimator": "MLR"}, ("estimates", "fit")),
    ],
)
def test_constraints_match_lavaan(name, file, data, options, quantities):
    frame = HS if data == "hs" else pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
    fit = cxkit.fit_sem(_model(file), frame, **options)
    assert fit.converged
    assert_matches_lavaan(fit, "constraints_hs", name, quantities)


def test_linear_equalities_add_their_rank_to_df():
    free = cxkit.fit_sem(BASE, HS)
    lin = cxkit.fit_sem(_model("linear"), HS)
    assert lin.fit_indices["df"] == free.fit_indices["df"] + 2
    assert lin.fit_indices["npar"] == free.fit_indices["npar"] - 2
    est = lin.estimates.set_index("label")
    assert est.loc["a", "est"] == pytest.approx(est.loc["b", "est"], abs=1e-9)
    assert est.loc["d", "est"] == pytest.approx(0.9 * est.loc["c", "est"], abs=1e-9)
    # a redundant copy of a constraint adds nothing to df (lavaan: the rank of the Jacobian)
    twice = cxkit.fit_sem(_model("linear") + "\n2*a == 2*b", HS)
    assert twice.fit_indices["df"] == lin.fit_indices["df"]
    assert twice.fit_indices["chisq"] == pytest.approx(lin.fit_indices["chisq"], rel=1e-9)


def test_inequalities_keep_df_and_inactive_ones_change_nothing():
    free = cxkit.fit_sem(BASE, HS)
    inactive = cxkit.fit_sem(_model("inactive"), HS)
    active = cxkit.fit_sem(_model("active"), HS)
    assert inactive.fit_indices["df"] == active.fit_indices["df"] == free.fit_indices["df"]
    np.testing.assert_allclose(inactive.estimates["se"], free.estimates["se"], rtol=1e-6)
    est = active.estimates.set_index("label")
    assert est.loc["b", "est"] == pytest.approx(0.6, abs=1e-9)  # held at its bound: no SE
    assert np.isnan(est.loc["b", "se"]) and np.isnan(est.loc["b", "z"])
    assert est.loc["e", "se"] == pytest.approx(est.loc["f", "se"], rel=1e-8)  # e == f binds
    assert active.fit_indices["chisq"] > free.fit_indices["chisq"] + 1


def test_start_values_are_used_and_do_not_change_the_optimum():
    fit = cxkit.fit_sem(_model("start"), HS)
    assert "start()" in fit.provenance["start"]
    pt = fit.partable
    starts = {r.rhs: r.start for r in pt.rows if np.isfinite(r.start)}
    assert starts == {"x2": 0.5, "x6": 1.0, "x8": 1.2}
    # per group: start(c(...)) and start() inside a c(...) of labels
    stmts, _ = parse_model("F =~ x1 + start(c(0.5, 0.6))*x2 + c(a1, a2)*start(0.7)*x3")
    t2, t3 = stmts[0].terms[1], stmts[0].terms[2]
    assert [t.start for t in t2.per_group] == [0.5, 0.6]
    assert [(t.label, t.start) for t in t3.per_group] == [("a1", 0.7), ("a2", 0.7)]
    grp = cxkit.fit_sem(
        "visual =~ x1 + start(c(0.5, 0.6))*x2 + x3\ntextual =~ x4 + x5 + x6", HS, group="school"
    )
    plain = cxkit.fit_sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", HS, group="school")
    np.testing.assert_allclose(grp.estimates["est"], plain.estimates["est"], rtol=1e-6, atol=1e-7)
    with pytest.raises(ModelSyntaxError, match="one per group"):
        parse_model("F =~ x1 + c(a1, a2)*start(c(1, 2, 3))*x2")


def test_wald_matches_lavTestWald():
    # rel 1e-4: 'a == b^2' is small (W = 0.02) and a - b² loses digits (6e-5 reached; 4e-6 the rest)
    ref = pd.read_csv(FOLDER / "wald.csv")
    free = cxkit.fit_sem(BASE, HS)
    for row in ref.itertuples():
        got = free.wald(row.constraints)
        assert got["df"] == row.df
        assert got["stat"] == pytest.approx(row.stat, rel=1e-4)
        assert got["pvalue"] == pytest.approx(row._4, rel=1e-5, abs=1e-6)
    robust = pd.read_csv(FOLDER / "wald_mlr.csv").iloc[0]
    got = cxkit.fit_sem(BASE, HS, estimator="MLR").wald("a == b")
    assert got["stat"] == pytest.approx(robust["stat"], rel=1e-5)


def test_wald_refuses_what_is_not_an_equality():
    free = cxkit.fit_sem(BASE, HS)
    with pytest.raises(SpecificationError, match="only equality"):
        free.wald("a > b")
    with pytest.raises(ModelError, match="uses 'z', which is no parameter label"):
        free.wald("a == z")


def test_summary_prints_the_constraints_with_their_slack():
    text = cxkit.fit_sem(_model("active"), HS).summary()
    block = text[text.index("Constraints:") :].splitlines()
    assert "|Slack|" in block[0]
    assert block[1].split() == ["0.6", "-", "(b)", "0.000"]
    assert block[2].split() == ["f", "-", "(e)", "0.000"]
    assert cxkit.fit_sem(_model("linear"), HS).provenance["constraints"] == [
        "a == b",
        "d == 0.9*c",
    ]


def test_constraint_errors_name_the_line_and_the_labels():
    with pytest.raises(ModelError, match=r"model line 4: the constraint 'a == g'.*labels: a, b"):
        cxkit.fit_sem(BASE + "\na == g", HS)
    with pytest.raises(ModelSyntaxError, match="lavaan has no <= or >="):
        parse_model("F =~ x1 + a*x2\na <= 1")
    fit = cxkit.fit_sem(_model("linear"), HS)
    for call in (lambda: fit.modification_indices(), lambda: fit.score_tests()):
        with pytest.raises(SpecificationError, match="not available|across groups"):
            call()


@pytest.mark.parametrize("name", ["linear", "active"])
def test_bootstrap_keeps_the_constraints_in_every_resample(name):
    fit = cxkit.fit_sem(_model(name), HS)
    boot = fit.bootstrap(20, seed=3, progress=False)
    assert boot.provenance["bootstrap"]["n_ok"] == 20
    draws = boot.bootstrap_draws
    cols = {r.label: k for k, r in enumerate(fit.partable.rows) if r.label}
    a, b = draws.iloc[:, cols["a"]], draws.iloc[:, cols["b"]]
    e, f = draws.iloc[:, cols["e"]], draws.iloc[:, cols["f"]]
    if name == "linear":
        np.testing.assert_allclose(a, b, atol=1e-9)
    else:
        assert (b <= 0.6 + 1e-9).all() and (f >= e - 1e-9).all()
        assert (b > 0.6 - 1e-9).any() and (b < 0.6 - 1e-3).any()  # at the bound, and inside


@pytest.mark.parametrize(
    "syntax, needle",
    [
        ('F =~ efa("b1")*x1 + efa("b1")*x2', "efa"),
        ("F =~ x1 + x2\nx1 | t1", "thresholds"),
        ("F =~ x1 + x2\nx1 ~*~ x1", "~\\*~"),
        ("F =~ x1 + lower(0)*x2", "lower"),
        ('F =~ x1 + label("a")*x2', "label"),
    ],
)
def test_lavaan_features_not_offered_are_named(syntax, needle):
    with pytest.raises(SpecificationError, match=needle):
        parse_model(syntax)


# -- composites ------------------------------------------------------------------------------------
POLDEM = case_data("composite")


@pytest.mark.parametrize("name", ["weights", "mimic"])
def test_composites_match_lavaan(name):
    model = (REFERENCE / "composite" / f"{name}.lav").read_text()
    fit = cxkit.fit_sem(model, POLDEM)
    assert fit.converged
    assert_matches_lavaan(fit, "composite", name, ("estimates", "fit", "r2"))
    est = fit.estimates.set_index(["lhs", "op", "rhs"])
    composite = "ind60" if name == "weights" else "f"
    assert est.loc[(composite, "~~", composite), "est"] == 0.0  # no disturbance


def test_composite_without_a_scale_or_a_path_is_refused():
    lavaan_says = (REFERENCE / "composite" / "unscaled_messages.txt").read_text()
    assert "could not be inverted" in " ".join(lavaan_says.split())  # lavaan: NA standard errors
    with pytest.raises(SpecificationError, match=r"'ind60' has no scale.*ind60 <~ 1\*x1"):
        cxkit.fit_sem("ind60 <~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60", POLDEM)
    with pytest.raises(SpecificationError, match="'ind60' .*predicts nothing"):
        cxkit.fit_sem("ind60 <~ 1*x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4", POLDEM)


def test_pls_refuses_constraints_instead_of_dropping_them():
    data = case_data("composite")
    with pytest.raises(ModelError, match="PLS path models take no parameter constraints"):
        cxkit.fit_pls("A =~ x1 + x2 + x3\nB =~ y1 + y2\nB ~ b*A\nb > 0", data)


@pytest.mark.parametrize(
    "extra, message",
    [
        ("a == b", "which is no parameter label"),
        ("visual =~ x2", "specified twice"),
        ("ab := a*b\nvisual =~ ab*x2", "is already a parameter label"),
    ],
)
def test_model_file_mistakes_are_bad_input_exit_2(tmp_path, capsys, extra, message):
    """A model that names an unknown label or gives a parameter twice is the user's input to fix
    (exit 2, no traceback), not a failed analysis (exit 1)."""
    from cxkit.cli import main

    model = tmp_path / "m.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n" + extra + "\n")
    data = REFERENCE / "measure_hs" / "data.csv"
    assert main(["sem", str(data), "--model", str(model)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
