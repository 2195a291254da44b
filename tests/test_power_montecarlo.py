"""Monte Carlo power (cxkit.power.monte_carlo) run as a plain loop; Dask runs: test_power_dask.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit
from cxkit import power as cp
from cxkit.errors import AnalysisError, SpecificationError
from cxkit.power.montecarlo import _blank, _criteria, _draw

POP = "F =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.7*x4\ny ~ 0.3*F"
MODEL = "F =~ x1 + x2 + x3 + x4\ny ~ F"


def run(**kw):
    args = {
        "n": [80, 200],
        "replications": 40,
        "seed": 11,
        "scheduler": "serial",
        "progress": False,
    }
    return cp.monte_carlo(MODEL, POP, **{**args, **kw})


@pytest.fixture(scope="module")
def ml():
    return run()


def test_table_shape_and_truth(ml):
    t = ml.table
    assert set(t["n"]) == {80, 200}
    assert {"power", "bias", "se_bias", "coverage", "converged"} <= set(t.columns)
    # the truth: marker identification, so the path is .3 / .7 and Var(F) = .49
    truth = ml.truth.set_index(["lhs", "op", "rhs"])["population"]
    assert truth[("y", "~", "F")] == pytest.approx(0.3 / 0.7, rel=1e-9)
    assert truth[("F", "~~", "F")] == pytest.approx(0.49, rel=1e-9)
    assert truth[("x1", "~~", "x1")] == pytest.approx(0.51, rel=1e-9)
    assert ml.target == ("y ~ F",)
    assert (t["used"] == 40).all() and (t["converged"] == 1).all()
    # every replication once
    assert not ml.draws.duplicated(["n", "replication", "lhs", "op", "rhs"]).any()


def test_estimates_recover_the_population(ml):
    t = ml.table[ml.table["n"] == 200]
    # 40 replications: a relative bias's Monte Carlo SE is about sd / (sqrt(40) * truth) < .04
    assert t["bias"].abs().max() < 0.1
    assert t["coverage"].between(0.85, 1.0).all()
    assert t["se_bias"].abs().max() < 0.35
    p = ml.power_table().loc["y ~ F"]
    assert p[80] < p[200]
    # power of the Wald test from the mean SE: Phi(|theta| / SE - z) + Phi(-|theta| / SE - z)
    row = t[t["parameter"] == "y ~ F"].iloc[0]
    ratio = row["population"] / row["mean_se"]
    expected = stats.norm.cdf(ratio - 1.96) + stats.norm.cdf(-ratio - 1.96)
    mcse = np.sqrt(expected * (1 - expected) / 40)
    assert abs(row["power"] - expected) < 3 * mcse + 0.02


def test_same_seed_same_numbers_whatever_the_batching(ml):
    # replication r at N draws from SeedSequence(seed, spawn_key=(N, r)): another grid, another
    # number of replications or another batching leave it as it was
    again = run(n=[120, 200], replications=12, batch_size=5)
    a = ml.draws[(ml.draws["n"] == 200) & (ml.draws["replication"] < 12)].reset_index(drop=True)
    b = again.draws[again.draws["n"] == 200].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    other = run(n=[200], replications=12, seed=12)
    assert not np.allclose(other.draws["est"], b["est"])


def test_criteria_and_smallest_n():
    table = pd.DataFrame(
        {
            "n": [100, 100, 200, 200, 300, 300],
            "parameter": ["a", "b"] * 3,
            "population": [0.3, 0.5] * 3,
            "bias": [0.02, 0.01, 0.01, 0.0, 0.0, 0.0],
            "sd_est": [0.1] * 6,
            "se_bias": [0.02, -0.3, 0.01, 0.02, 0.0, 0.01],
            "coverage": [0.95, 0.95, 0.95, 0.94, 0.95, 0.95],
            "power": [0.5, 1.0, 0.85, 1.0, 0.95, 1.0],
            "converged": [1.0] * 6,
            "used": [10_000] * 6,
        }
    )
    crit = _criteria(table, ("a",))
    assert crit["adequate"].tolist() == [False, True, True]
    assert crit.loc[0, "failing"] == "b"  # its SE bias of -30 %
    res = cp.MonteCarloResult(
        table=table, criteria=crit, draws=pd.DataFrame(), truth=pd.DataFrame(), target=("a",)
    )
    assert res.smallest_n == 200
    # with few replications a coverage of .90 is within Monte Carlo error of .91
    few = table.assign(used=50, coverage=0.90)
    assert _criteria(few, ("a",))["coverage_ok"].all()
    many = table.assign(coverage=0.90)
    assert not _criteria(many, ("a",))["coverage_ok"].any()


def test_summary_html_and_figure(ml):
    s = ml.summary()
    assert "Muthén & Muthén" in s and "y ~ F" in s and "seed 11" in s
    assert "<table" in ml._repr_html_()
    assert "smallest adequate N" in repr(ml)
    fig = ml.plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "N" and len(ax.lines) >= 2  # the curve and the .80 line
    p = ml.provenance
    assert p["seed"] == 11 and p["estimator"] == "ML" and p["replications"] == 40
    assert p["scheduler"].startswith("serial")


def test_missing_data_draws():
    spec_rng = np.random.default_rng(0)
    data = pd.DataFrame(spec_rng.standard_normal((20_000, 3)), columns=list("abc"))
    mcar = _blank(data, 0.2, "MCAR", np.random.default_rng(1))
    assert mcar.isna().mean().between(0.19, 0.21).all()
    mar = _blank(data, 0.2, "MAR", np.random.default_rng(1))
    assert mar["a"].notna().all()
    assert mar[["b", "c"]].isna().mean().between(0.19, 0.21).all()
    # missing more often where the first variable is high: at random given it, not completely
    hi = data["a"] > data["a"].median()
    assert mar.loc[hi, "b"].isna().mean() > 2 * mar.loc[~hi, "b"].isna().mean()
    assert data.notna().all().all()  # the input is not changed


def test_fiml_with_mar_missingness():
    res = run(n=[150], replications=15, missing=0.15, mechanism="MAR")
    assert res.provenance["missing_method"] == "fiml"
    assert ("x1", "~1", "") in set(
        zip(res.truth["lhs"], res.truth["op"], res.truth["rhs"], strict=True)
    )
    t = res.table
    assert (t["converged"] == 1).all()
    loads = t[t["op"] == "=~"]
    assert loads["bias"].abs().max() < 0.15


def test_nonnormal_responses_and_mlr():
    spec = {
        "columns": ["x1", "x2"],
        "likert": None,
        "instrument": None,
        "chol": np.linalg.cholesky(np.array([[1, 0.5], [0.5, 1]])),
        "sd": np.ones(2),
        "fleishman": None,
    }
    from cxkit.power.population import fleishman, intermediate_corr

    coef = fleishman(1.5, 3.0)
    inter = intermediate_corr(np.array([[1, 0.5], [0.5, 1]]), coef)
    spec.update(chol=np.linalg.cholesky(inter), fleishman=coef)
    x = _draw(spec, 400_000, np.random.default_rng(3))
    assert stats.skew(x["x1"]) == pytest.approx(1.5, abs=0.05)
    assert np.corrcoef(x.to_numpy().T)[0, 1] == pytest.approx(0.5, abs=0.01)
    res = run(n=[200], replications=12, estimator="MLR", nonnormal=(1.5, 3.0))
    assert res.provenance["nonnormal"] == (1.5, 3.0)
    assert (res.table["converged"] == 1).all()


def test_wlsmv_on_likert_answers():
    pop = "F =~ .7*x1 + .7*x2 + .7*x3\nG =~ .7*y1 + .7*y2 + .7*y3\nG ~ .3*F"
    model = "F =~ x1 + x2 + x3\nG =~ y1 + y2 + y3\nG ~ F"
    res = cp.monte_carlo(
        model, pop, n=[300], replications=10, estimator="WLSMV", likert=5, seed=3,
        scheduler="serial", progress=False,
    )  # fmt: skip
    truth = res.truth
    th = truth[truth["op"] == "|"]
    assert len(th) == 6 * 4  # 6 variables, 4 thresholds each
    from cxkit.simulate import cut_points

    np.testing.assert_allclose(th[th["lhs"] == "x1"]["population"], cut_points(5), rtol=1e-12)
    t = res.table
    assert (t["converged"] == 1).all()
    assert t[t["op"] == "|"]["bias_abs"].abs().max() < 0.1
    assert t[t["op"] == "=~"]["bias"].abs().max() < 0.15


def test_instrument_population_likert_ml_truth():
    """For ML on Likert codes the truth is the fit to the codes' population moments: a large
    sample drawn by cxkit.simulate agrees with it."""
    ins = cxkit.load_instrument("online-cx@2.0.0")
    model = cxkit.models.pyramid(ins)
    res = cp.monte_carlo(
        model, ins, n=[250], replications=2, seed=5, scheduler="serial", progress=False
    )
    assert res.provenance["likert"] == 7 and res.provenance["instrument"] == "online-cx@2.0.0"
    assert set(res.target) == {"EC ~ OE", "EC ~ RS", "EC ~ TR", "EC ~ FU", "LOY ~ EC"}
    from cxkit.responses.scoring import reverse_keyed

    big, _ = reverse_keyed(cxkit.simulate(ins, 60_000, seed=9), ins)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cxkit.fit_sem(model, big)
    est = fit.estimates.merge(res.truth, on=["lhs", "op", "rhs"])
    est = est[est["op"].isin(["~", "=~"]) & est["z"].notna()]
    # sampling error of the estimates at N = 60,000: SE about .005-.01
    assert np.abs(est["est"] - est["population"]).max() < 0.04
    assert (res.table["converged"] == 1).all()


def test_bad_input_is_named():
    with pytest.raises(SpecificationError, match="estimator="):
        run(estimator="GLS")
    with pytest.raises(SpecificationError, match="WLSMV"):
        run(estimator="WLSMV", likert=False)
    with pytest.raises(SpecificationError, match="target"):
        run(target="y ~ x9")
    with pytest.raises(SpecificationError, match="n="):
        run(n=[1])
    with pytest.raises(SpecificationError, match="replications="):
        run(replications=1)
    with pytest.raises(SpecificationError, match="scheduler="):
        run(scheduler="localhost:8786")
    with pytest.raises(SpecificationError, match="nonnormal"):
        run(nonnormal=(1, 1), likert=5)
    with pytest.raises(AnalysisError, match="observed predictors"):  # WLSMV: latent only
        run(estimator="WLSMV", replications=2, n=[100])
    ins = cxkit.load_instrument("online-cx@2.0.0")
    with pytest.raises(SpecificationError, match="7-point scale"):
        cp.monte_carlo(cxkit.models.pyramid(ins), ins, n=[50], replications=2, likert=5)
    with pytest.raises(SpecificationError, match="none of the population"):
        cp.monte_carlo("G =~ a + b + c", POP, n=[50], replications=2, scheduler="serial")


def test_a_cfa_plans_for_its_loadings():
    res = cp.monte_carlo(
        "F =~ x1 + x2 + x3 + x4", "F =~ .6*x1 + .6*x2 + .5*x3 + .4*x4", n=[100], replications=4,
        seed=1, scheduler="serial", progress=False,
    )  # fmt: skip
    assert res.target == ("F =~ x2", "F =~ x3", "F =~ x4")
