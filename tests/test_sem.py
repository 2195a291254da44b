"""fit_sem beyond the lavaan fixtures: model comparison, CX models, warnings on bad solutions, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.datasets import load_dataset
from cxkit.errors import ModelError, ModelWarning, ResponseError, SpecificationError

from .conftest import REFERENCE

HS = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def normal_data(cor: np.ndarray, n: int, seed: int, names: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.multivariate_normal(np.zeros(len(cor)), cor, size=n), columns=names)


def test_compare_models_matches_lavaan_lrt():
    free = cxkit.fit_sem(HS_MODEL, HS)
    equal = cxkit.fit_sem(
        "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + c*x8 + c*x9", HS
    )
    got = cxkit.compare_models(equal, free, names=["equal", "free"])
    ref = pd.read_csv(REFERENCE / "sem_hs" / "compare.csv").set_index("model")
    assert list(got.index) == ["free", "equal"]  # sorted by df, as lavTestLRT
    for col in ("df", "df_diff"):
        np.testing.assert_allclose(got[col].dropna(), ref[col].dropna())
    for col in ("chisq", "aic", "bic", "chisq_diff"):
        np.testing.assert_allclose(got[col].dropna(), ref[col].dropna(), rtol=1e-4)
    assert got.loc["equal", "p_diff"] == pytest.approx(ref.loc["equal", "p_diff"], abs=1e-4)


def test_compare_models_refuses_different_data():
    a = cxkit.fit_sem(HS_MODEL, HS)
    b = cxkit.fit_sem(HS_MODEL, HS.iloc[:200])
    with pytest.raises(SpecificationError, match="different numbers of cases"):
        cxkit.compare_models(a, b)


def test_ecsi_model_from_the_instrument_matches_the_reference():
    ins = cxkit.load_instrument("ecsi@1.0.0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        fit = cxkit.fit_sem(cxkit.models.ecsi(ins), load_dataset("satisfaction"))
    ref = pd.read_csv(REFERENCE / "sem_ecsi" / "fit.csv").set_index("measure")["value"]
    assert fit.fit_indices["chisq"] == pytest.approx(ref["chisq"], rel=1e-4)
    assert fit.provenance["instrument"] == "ecsi@1.0.0"


@pytest.mark.parametrize("builder", ["direct", "second_order", "pyramid"])
def test_cx_models_are_valid_syntax(builder):
    ins = cxkit.load_instrument("online-cx@2.0.0")
    syntax = getattr(cxkit.models, builder)(ins)
    from cxkit.sem.syntax import parse_model

    statements, defs = parse_model(syntax)
    assert any(s.op == "~" for s in statements)
    if builder == "pyramid":
        assert [d.name for d in defs] == ["ind_OE", "ind_RS", "ind_TR", "ind_FU"]


def test_cx_models_need_a_loyalty_construct():
    with pytest.raises(ModelError, match="has no loyalty .outcome. construct"):
        cxkit.models.direct(cxkit.load_instrument("online-cx@1.0.0"))
    with pytest.raises(ModelError, match="does not have the CX pyramid's dimensions"):
        cxkit.models.pyramid(cxkit.load_instrument("ecsi@1.0.0"))


# ---- warnings on improper or doubtful solutions ----------------------------------------------


def test_heywood_case_warns():
    cor = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.3], [0.8, 0.3, 1.0]])  # λ1² = .8·.8/.3 > 1
    data = normal_data(cor, 500, 1, ["a", "b", "c"])
    with pytest.warns(ModelWarning, match="negative variance estimate.*a ~~ a"):
        fit = cxkit.fit_sem("F =~ a + b + c", data)
    assert fit.estimates.query("lhs == 'a' and op == '~~'")["est"].iloc[0] < 0


def test_latent_correlation_beyond_one_warns():
    within, across = 0.5, 0.55  # implied factor correlation .55/.5 > 1
    cor = np.full((6, 6), across)
    cor[:3, :3] = cor[3:, 3:] = within
    np.fill_diagonal(cor, 1.0)
    data = normal_data(cor, 400, 2, ["a1", "a2", "a3", "b1", "b2", "b3"])
    with pytest.warns(ModelWarning, match="latent variables is not positive definite"):
        cxkit.fit_sem("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", data)


def test_unidentified_model_warns_and_gives_no_standard_errors():
    with pytest.warns(ModelWarning, match="not identified"):
        fit = cxkit.fit_sem("A =~ NA*x1 + x2 + x3\nB =~ x4 + x5 + x6", HS)
    assert fit.estimates.query("op == '=~' and lhs == 'A'")["se"].isna().all()


def test_more_parameters_than_moments_is_an_error():
    with pytest.raises(ModelError, match="7 free parameters but only 6 .* not identified"):
        cxkit.fit_sem("F =~ NA*x1 + x2 + x3", HS)


def test_few_cases_per_parameter_warns():
    with pytest.warns(ModelWarning, match="cases for 21 free parameters"):
        cxkit.fit_sem(HS_MODEL, HS.iloc[:60])


def test_listwise_deletion_is_recorded():
    data = HS.copy()
    data.loc[[0, 5, 9], "x4"] = np.nan
    before = data.copy()
    fit = cxkit.fit_sem(HS_MODEL, data)
    assert fit.provenance["n_dropped"] == 3 and fit.fit_indices["n"] == 298
    assert "3 rows dropped" in fit.summary()
    pd.testing.assert_frame_equal(data, before)


# ---- display --------------------------------------------------------------------------------


def test_summary_and_html():
    fit = cxkit.fit_sem(HS_MODEL, HS)
    text = fit.summary()
    assert "χ²(24) = 85.31" in text and "visual =~ x2" in text and "R²:" in text
    html = fit._repr_html_()
    assert html.startswith("<div>") and "<table>" in html
    assert "chisq=85.306" in repr(fit)
    res = fit.residuals("cor")
    assert res.shape == (9, 9) and abs(res.loc["x1", "x1"]) < 1e-6
    std = fit.residuals("standardized")
    assert np.isfinite(std.loc["x1", "x2"])
    with pytest.raises(SpecificationError, match="kind='bogus'"):
        fit.residuals("bogus")


def test_std_lv_identification():
    a = cxkit.fit_sem(HS_MODEL, HS)
    b = cxkit.fit_sem(HS_MODEL, HS, std_lv=True)
    assert a.fit_indices["chisq"] == pytest.approx(b.fit_indices["chisq"], rel=1e-8)
    lb = b.estimates.query("op == '=~'")["std_all"].to_numpy()
    la = a.estimates.query("op == '=~'")["std_all"].to_numpy()
    np.testing.assert_allclose(la, lb, atol=1e-6)


# ---- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("", "the model is empty"),
        ("F =~ x1 + x2 +", "ends in '\\+' with nothing after it"),
        ("F x1 x2", "has no operator"),
        (
            "F =~ x1 + x2 + xx3",
            r"neither latent .* nor columns of the data: 'xx3' \(did you mean 'x3'\?\)",
        ),
        ("F =~ x1 + x2 + x3\nd := a*b", "unknown label"),
        ("F =~ x1 + x2 + x3\nx1 ~~ F", "7 free parameters but only 6 .* not identified"),
        ("F =~ x1 + foo(1)*x2", "is not supported|cannot read"),
        ("F =~ x1 + x2\nF ~ 1", "7 free parameters but only 5 sample moments"),
        ("F =~ x1 + x2 + x3\nd := __import__('os')", "arithmetic on labels|other than sqrt"),
    ],
)
def test_model_errors_name_the_problem(model, message):
    with pytest.raises(ModelError, match=message):
        cxkit.fit_sem(model, HS)


def test_data_errors():
    with pytest.raises(ResponseError, match="column 'x2' is not numeric"):
        cxkit.fit_sem("F =~ x1 + x2 + x3", HS.assign(x2="high"))
    with pytest.raises(
        SpecificationError,
        match="missing='available' is not accepted; use one of: 'listwise', 'fiml', 'ml'",
    ):
        cxkit.fit_sem(HS_MODEL, HS, missing="available")
    with pytest.raises(SpecificationError, match="missing='pairwise' is for ordered indicators"):
        cxkit.fit_sem(HS_MODEL, HS, missing="pairwise")
    with pytest.raises(SpecificationError, match="group_equal and group_partial need group"):
        cxkit.fit_sem(HS_MODEL, HS, group_equal=["loadings"])
    with pytest.raises(SpecificationError, match="estimator='GLSX' is not accepted"):
        cxkit.fit_sem(HS_MODEL, HS, estimator="GLSX")
    with pytest.raises(SpecificationError, match='lavaan\'s estimator = "PML", pairwise'):
        cxkit.fit_sem(HS_MODEL, HS, estimator="PML")
    with pytest.raises(SpecificationError, match="data must be a pandas DataFrame"):
        cxkit.fit_sem(HS_MODEL, HS.to_numpy())


def test_fiml_on_complete_data_equals_ml():
    ml = cxkit.fit_sem(HS_MODEL, HS)
    fiml = cxkit.fit_sem(HS_MODEL, HS, missing="fiml")
    assert fiml.fit_indices["chisq"] == pytest.approx(ml.fit_indices["chisq"], rel=1e-6)
    assert fiml.fit_indices["npar"] == ml.fit_indices["npar"] + 9
    a = ml.estimates.query("op != '~1'").reset_index(drop=True)
    b = fiml.estimates.query("op != '~1'").reset_index(drop=True)
    np.testing.assert_allclose(a["est"], b["est"], rtol=1e-5, atol=1e-7)


def test_fiml_keeps_incomplete_rows():
    data = HS.copy()
    data.loc[:99, "x2"] = np.nan
    data.loc[5, [f"x{i}" for i in range(1, 10)]] = np.nan  # no answers at all: dropped
    fit = cxkit.fit_sem(HS_MODEL, data, missing="fiml")
    assert fit.fit_indices["n"] == 300 and fit.provenance["n_dropped"] == 1
    assert (fit.estimates["op"] == "~1").sum() == 12


def test_non_convergence_warns(monkeypatch):
    import cxkit.sem.fit as fitmod

    real = fitmod.minimize
    monkeypatch.setattr(fitmod, "minimize", lambda obj, theta, **kw: real(obj, theta, max_iter=1))
    with pytest.warns(ModelWarning, match="did not converge"):
        fit = cxkit.fit_sem(HS_MODEL, HS)
    assert not fit.converged and "NOT converged" in fit.summary()
