"""The bootstrap against lavaan's (se = "bootstrap", 1000 resamples, percentile intervals).

Different random numbers: compared within Monte Carlo error. With 1000 resamples a bootstrap SE has a
relative error of about 1/sqrt(2·1000) ≈ 2.2%, so two independent ones differ by about 3%: the SE
ratio must lie within 0.85–1.15 (about five standard deviations). A 2.5% quantile has a Monte Carlo
error of roughly 0.12 SE, the difference of two ≈ 0.17 SE: bounds must agree within 0.6 SE.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ModelWarning, SpecificationError

from .lavaan import REFERENCE, row_key

DATA = pd.read_csv(REFERENCE / "sem_poldem" / "data.csv")
MODEL = (REFERENCE / "sem_poldem" / "model.lav").read_text()


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return cxkit.fit_sem(MODEL, DATA)


@pytest.fixture(scope="module")
def boot(fit):
    return fit.bootstrap(1000, seed=2026, progress=False)


def assert_within_monte_carlo_error(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    """SE ratio within 0.85–1.15 and interval bounds within 0.6 SE of lavaan's (module docstring);
    ``got`` and ``ref`` on the same index."""
    free = ref["se"] > 0
    ratio = got.loc[free, "se"] / ref.loc[free, "se"]
    assert ratio.between(0.85, 1.15).all(), ratio[~ratio.between(0.85, 1.15)]
    for mine, theirs in (("ci_low", "ci.lower"), ("ci_high", "ci.upper")):
        gap = (got.loc[free, mine] - ref.loc[free, theirs]).abs() / ref.loc[free, "se"]
        assert (gap < 0.6).all(), gap[gap >= 0.6]


def test_bootstrap_agrees_with_lavaan(boot):
    ref = pd.read_csv(REFERENCE / "boot_poldem" / "estimates.csv")
    got = boot.estimates.set_axis(row_key(boot.estimates))
    ref = ref.set_axis(row_key(ref))
    got = got.loc[ref.index]
    assert_within_monte_carlo_error(got, ref)
    ind = got.loc[[("indirect", ":=", "g1*b1", 1)]].iloc[0]
    assert ind["ci_low"] < ind["est"] < ind["ci_high"] and ind["ci_low"] > 0


def test_counts_and_standardised_intervals(boot):
    info = boot.provenance["bootstrap"]
    assert info["n"] == 1000 and info["n_ok"] + info["n_failed"] == 1000
    assert 300 < info["n_inadmissible"] < 450  # lavaan: 377 of 1000 non-admissible
    est = boot.estimates
    assert {"std_se", "std_ci_low", "std_ci_high"} <= set(est.columns)
    free = est["se"] > 0
    assert (est.loc[free, "std_ci_low"] <= est.loc[free, "std_all"]).mean() > 0.95
    assert boot.bootstrap_draws.shape == (info["n_ok"], len(est))


def test_same_seed_same_answer(fit):
    a = fit.bootstrap(120, seed=5, progress=False)
    b = fit.bootstrap(120, seed=5, progress=False)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    from cxkit.sem.bootstrap import bootstrap

    one = bootstrap(fit, n=120, seed=5, progress=False, workers=1)
    pd.testing.assert_frame_equal(a.estimates, one.estimates)  # however the work is split


def test_bca_intervals(fit):
    bca = fit.bootstrap(300, seed=1, ci="bca", progress=False)
    est = bca.estimates[bca.estimates["se"] > 0]
    inside = (est["ci_low"] < est["est"]) & (est["est"] < est["ci_high"])
    assert inside.mean() > 0.9
    assert bca.provenance["bootstrap"]["ci"] == "bca"


def test_bounded_stacks_give_the_same_answer(fit, monkeypatch):
    """Resamples and the BCa jackknife refitted in smaller stacks (a bound on the stack's memory)
    give the same draws and intervals as the stacks the bound would otherwise allow."""
    from cxkit.sem import bootstrap as boot

    whole = boot.bootstrap(fit, n=120, seed=4, ci="bca", progress=False, workers=1)
    monkeypatch.setattr(boot, "STACK_NUMBERS", 30 * fit.stats.groups[0].x.size)
    assert boot.stack_size([g.x for g in fit.stats.groups]) == 30
    split = boot.bootstrap(fit, n=120, seed=4, ci="bca", progress=False, workers=1)
    pd.testing.assert_frame_equal(whole.estimates, split.estimates, rtol=1e-12)


def test_pyramid_indirect_effects_in_one_call():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    demo = cxkit.datasets.load_dataset("online-cx-demo")
    demo["OE4"] = 8 - demo["OE4"]
    b = cxkit.fit_sem(cxkit.models.pyramid(ins), demo).bootstrap(200, seed=3, progress=False)
    ind = b.estimates[b.estimates["op"] == ":="]
    assert list(ind["lhs"]) == ["ind_OE", "ind_RS", "ind_TR", "ind_FU"]
    assert np.isfinite(ind[["ci_low", "ci_high", "std_ci_low", "std_ci_high"]].to_numpy()).all()


def test_bad_arguments(fit):
    with pytest.raises(SpecificationError, match="n=5 is not accepted"):
        fit.bootstrap(5)
    with pytest.raises(SpecificationError, match="ci='normal' is not accepted"):
        fit.bootstrap(100, ci="normal")


FIML_DATA = pd.read_csv(REFERENCE / "sem_fiml" / "data.csv")
FIML_MODEL = (REFERENCE / "sem_fiml" / "model.lav").read_text()


def test_fiml_bootstrap_agrees_with_lavaan():
    """FIML fits: every resample refitted by FIML (lavaan: missing = "ml", se = "bootstrap")."""
    fit = cxkit.fit_sem(FIML_MODEL, FIML_DATA, missing="fiml")
    boot = fit.bootstrap(1000, seed=7, progress=False)
    ref = pd.read_csv(REFERENCE / "boot_fiml" / "estimates.csv")
    got = boot.estimates.set_axis(row_key(boot.estimates))
    ref = ref.set_axis(row_key(ref))
    assert sorted(got.index) == sorted(ref.index)  # intercepts included
    got = got.loc[ref.index]
    assert_within_monte_carlo_error(got, ref)
    info = boot.provenance["bootstrap"]
    assert info["n_ok"] + info["n_failed"] == 1000 and info["n_failed"] <= 10


@pytest.mark.parametrize(
    "case, data, missing",
    [("boot_groups", "measure_hs", "listwise"), ("boot_fiml_groups", "sem_fiml", "fiml")],
)
def test_multigroup_bootstrap_agrees_with_lavaan(case, data, missing):
    """Multi-group fits, complete or FIML: resampled within groups (lavaan: group = "school",
    se = "bootstrap"; missing = "ml" for the second)."""
    hs = pd.read_csv(REFERENCE / data / "data.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    fit = cxkit.fit_sem(model, hs, group="school", group_equal=["loadings"], missing=missing)
    boot = fit.bootstrap(1000, seed=11, progress=False)
    ref = pd.read_csv(REFERENCE / case / "estimates.csv")
    got = boot.estimates.set_axis(row_key(boot.estimates))
    ref = ref.set_axis(row_key(ref))
    assert sorted(got.index) == sorted(ref.index)
    got = got.loc[ref.index]
    assert_within_monte_carlo_error(got, ref)
    # BCa: the jackknife leaves one respondent out within their group
    bca = fit.bootstrap(200, seed=1, ci="bca", progress=False).estimates
    free = bca[bca["se"] > 0]
    assert ((free["ci_low"] < free["est"]) & (free["est"] < free["ci_high"])).mean() > 0.9


def test_fiml_resamples_weight_the_data_rows_as_separate_fits():
    """The stacked FIML objective of resamples (the data rows weighted by how often each resample
    drew them) equals, value and gradient, the objective of each resample's own data."""
    from cxkit.sem.bootstrap import stacked_objective
    from cxkit.sem.model import Model
    from cxkit.sem.samplestats import em_saturated, patterns
    from cxkit.sem.teststat import make_objective

    fit = cxkit.fit_sem(FIML_MODEL, FIML_DATA, missing="fiml")
    x = fit.stats.groups[0].x
    model = Model(fit.partable)
    rng = np.random.default_rng(3)
    index = rng.integers(0, len(x), size=(3, len(x)))
    theta = fit.theta + rng.normal(scale=0.02, size=(3, len(fit.theta)))
    stacked = stacked_objective(model, [x], [index], fiml=True)
    values = stacked.value(theta)
    grads, _ = stacked.gradient(theta, info=False)
    for b in range(3):
        xb = x[index[b]]
        pats = patterns(xb)
        _, _, ll_h1 = em_saturated(pats, xb.shape[1])
        stats = fit.stats.__class__(
            fit.stats.ov,
            [replace(fit.stats.groups[0], x=xb, patterns=pats, loglik_h1=ll_h1, cache={})],
            0,
            fit.stats.used,
        )
        own = make_objective(model, stats)
        # the stacked objective has h1 = 0: the same value up to the resample's h1 constant
        assert values[b] == pytest.approx(own.value(theta[b][None])[0] - ll_h1, rel=1e-12)
        np.testing.assert_allclose(
            grads[b], own.gradient(theta[b][None], info=False)[0][0], rtol=1e-10, atol=1e-9
        )
