"""PLS-SEM (cxkit.fit_pls) against published seminr, cSEM (JASP) and R/Python plspm results.

Reference cases (each folder's README names the source repository, commit and file):
- tests/reference/pls_seminr_mobi: seminr's test fixtures on `mobi` (path and factorial schemes,
  reliability, HTMT, VIF, f², PLSc) — agreement to 1e-12.
- tests/reference/pls_poldem_plsc: JASP's PLSc test on Political Democracy (cSEM defaults) — 1e-12.
- tests/reference/pls_plspm_satisfaction: R plspm on the bundled ECSI data (centroid, unscaled) —
  agreement limited by plspm's own stopping rule (see the tolerances).
- tests/reference/pls_plspm_python: the Python package plspm 0.5.7 (make.py) — three schemes.
- tests/reference/pls_seminr_corp_rep_interaction: seminr's two-stage interaction fixture (f² of
  every path of the corp_rep moderation model) — 1e-10 (observed 8e-16).
- tests/reference/pls_seminr_mobi_hoc: seminr's two-stage higher-order construct fixtures (paths,
  loadings, weights) — 1e-12 (observed 1e-15); with an interaction, the interaction path does not
  agree (strict xfail).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.datasets import load_dataset
from cxkit.errors import DataWarning, ModelError, ModelWarning, ResponseError, SpecificationError

REF = Path(__file__).parent / "reference"

MOBI = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value
"""

ECSI = cxkit.models.ecsi(cxkit.load_instrument("ecsi@1.0.0"))  # the ECSI model of plspm's example

POLDEM = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
"""


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(REF / "pls_seminr_mobi" / "mobi.csv", index_col=0)


@pytest.fixture(scope="module")
def satisfaction():
    return load_dataset("satisfaction")


def _expected(case):
    return pd.read_csv(REF / case / "expected.csv", keep_default_na=False)


# -- seminr (mobi) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["path", "factorial"])
def test_seminr_paths(mobi, scheme):
    exp = _expected("pls_seminr_mobi")
    exp = exp[(exp.fit == scheme) & (exp.quantity == "path")]
    res = cxkit.fit_pls(MOBI, mobi, scheme=scheme)
    got = res.paths.set_index("rhs").est
    for r in exp.itertuples():
        assert got[r.rhs] == pytest.approx(r.value, abs=1e-12)


def test_seminr_assessment(mobi):
    exp = _expected("pls_seminr_mobi")
    exp = exp[exp.fit == "path"]
    res = cxkit.fit_pls(MOBI, mobi)
    rel = res.reliability
    f2 = res.f_squared(reestimate=True).set_index("rhs").f2
    vif = res.vif_inner.set_index("rhs").vif
    checked = 0
    for r in exp.itertuples():
        if r.quantity in ("alpha", "rho_c", "ave", "rho_a"):
            got = rel.loc[r.lhs, r.quantity]
        elif r.quantity == "r_squared":
            got = res.r_squared[r.lhs]
        elif r.quantity == "r_squared_adj":
            got = res.r_squared_adj[r.lhs]
        elif r.quantity == "htmt":
            got = res.htmt.loc[r.lhs, r.rhs]
        elif r.quantity == "vif_inner":
            got = vif[r.rhs]
        elif r.quantity == "f2_reestimated":
            got = f2[r.rhs]
        else:
            continue
        assert got == pytest.approx(r.value, abs=1e-12), (r.quantity, r.lhs, r.rhs)
        checked += 1
    assert checked == 1 + 1 + 16 + 6 + 3 + 1


def test_seminr_plsc(mobi):
    exp = _expected("pls_seminr_mobi")
    exp = exp[exp.fit == "plsc_factorial"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an admissible solution: no warning
        res = cxkit.fit_pls(MOBI, mobi, scheme="factorial", consistent=True)
    got = res.paths.set_index("rhs").est
    for r in exp[exp.quantity == "path"].itertuples():
        assert got[r.rhs] == pytest.approx(r.value, abs=1e-12)
    r2 = exp[exp.quantity == "r_squared"].value.iloc[0]
    assert res.r_squared["Satisfaction"] == pytest.approx(r2, abs=1e-12)
    assert res.provenance["method"] == "PLSc"


def test_htmt_is_the_measure_statistic(mobi):
    res = cxkit.fit_pls(MOBI, mobi)
    blocks = {b.name: list(b.items) for b in res.spec.blocks}
    np.testing.assert_allclose(res.htmt, cxkit.htmt(mobi, blocks), atol=1e-12)


# -- JASP / cSEM (Political Democracy, PLSc) ---------------------------------------------------------


def test_cSEM_plsc_poldem():
    data = pd.read_csv(REF / "pls_poldem_plsc" / "poldem_grouped.csv")
    exp = _expected("pls_poldem_plsc")
    # cSEM's defaults: path scheme, max |ΔW| < 1e-5, at most 100 iterations
    res = cxkit.fit_pls(POLDEM, data, consistent=True, convergence="max", tol=1e-5, max_iter=100)
    outer = res.outer.set_index("item")
    total = res.effects.set_index(["to", "from"]).total
    fit = res.fit_indices
    for r in exp.itertuples():
        if r.quantity == "loading":
            got = outer.loading[r.name]
        elif r.quantity == "weight":
            got = outer.weight[r.name]
        elif r.quantity == "total_effect":
            got = total[tuple(r.name.split("~"))]
        elif r.quantity == "SRMR" and r.name == "second":
            got = fit["srmr"]
        elif r.quantity == "dL" and r.name == "second":
            got = fit["d_uls"]
        elif r.quantity == "dG" and r.name == "second":
            got = fit["d_g"]  # cSEM: ½ Σ (log₁₀ λ)²
        elif r.quantity == "dML" and r.name == "second":
            got = fit["d_ml"]
        else:  # the first of each pair: the bootstrap's 95% quantile (RNG-specific)
            continue
        assert got == pytest.approx(r.value, abs=1e-12), (r.quantity, r.name)


# -- plspm (R and Python) on the bundled ECSI data ---------------------------------------------------

#: plspm stops when Σ (|w_old| − |w_new|)² < 1e-6: its numbers sit ~1e-7–1e-6 from the fixed point
PLSPM_TOL = 1e-6


def _plspm_compare(res, outer, effects, n, tol_weights, tol_other):
    """plspm's weights give composites of unit variance with divisor n: theirs = ours·√(n/(n−1))."""
    mine = res.outer.set_index("item")
    outer = outer.set_index("name") if "name" in outer else outer
    np.testing.assert_allclose(
        mine.weight[outer.index] * np.sqrt(n / (n - 1)), outer.weight, atol=tol_weights
    )
    np.testing.assert_allclose(mine.loading[outer.index], outer.loading, atol=tol_other)
    total = res.effects.set_index(["from", "to"]).total
    got = [total.get((f, t), 0.0) for f, t in zip(effects["from"], effects["to"], strict=True)]
    np.testing.assert_allclose(got, effects.total, atol=tol_other)


def test_r_plspm_satisfaction_centroid(satisfaction):
    case = REF / "pls_plspm_satisfaction"
    res = cxkit.fit_pls(ECSI, satisfaction, scheme="centroid", standardize=False)
    outer = pd.read_csv(case / "satisfaction.outer-model.csv")
    effects = pd.read_csv(case / "satisfaction.effects.csv")
    _plspm_compare(res, outer, effects, len(satisfaction), 6e-7, 7e-7)
    inner = pd.read_csv(case / "satisfaction.inner-summary.csv", index_col=0)
    np.testing.assert_allclose(res.r_squared, inner.r_squared[res.r_squared.index], atol=2e-7)
    np.testing.assert_allclose(res.reliability.ave, inner.ave[res.reliability.index], atol=1e-6)
    scores = pd.read_csv(case / "satisfaction.scores.csv")
    n = len(satisfaction)
    np.testing.assert_allclose(res.scores * np.sqrt(n / (n - 1)), scores, atol=5e-6)
    cross = pd.read_csv(case / "satisfaction.crossloadings.csv", index_col=0)
    np.testing.assert_allclose(
        res.cross_loadings.loc[cross.index, cross.columns[1:]], cross.iloc[:, 1:], atol=1e-6
    )


@pytest.mark.parametrize("scheme", ["centroid", "path", "factorial"])
def test_python_plspm_satisfaction(satisfaction, scheme):
    case = REF / "pls_plspm_python"
    res = cxkit.fit_pls(ECSI, satisfaction, scheme=scheme, standardize=False)
    outer = pd.read_csv(case / f"{scheme}_unscaled_outer.csv", index_col=0)
    effects = pd.read_csv(case / f"{scheme}_unscaled_effects.csv", index_col=0)
    _plspm_compare(res, outer, effects, len(satisfaction), PLSPM_TOL, PLSPM_TOL)
    inner = pd.read_csv(case / f"{scheme}_unscaled_inner.csv", index_col=0)
    endo = res.r_squared.index
    np.testing.assert_allclose(res.r_squared, inner.r_squared[endo], atol=PLSPM_TOL)
    np.testing.assert_allclose(res.r_squared_adj, inner.r_squared_adj[endo], atol=PLSPM_TOL)


def test_python_plspm_mode_b(satisfaction):
    case = REF / "pls_plspm_python"
    model = ECSI.replace("IMAG =~", "IMAG <~").replace("VAL =~", "VAL <~")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no collinearity warning on these blocks
        res = cxkit.fit_pls(model, satisfaction, scheme="path", standardize=False)
    assert set(res.outer[res.outer["mode"] == "B"].construct) == {"IMAG", "VAL"}
    outer = pd.read_csv(case / "modeb_path_unscaled_outer.csv", index_col=0)
    effects = pd.read_csv(case / "modeb_path_unscaled_effects.csv", index_col=0)
    # Mode B converges more slowly: plspm's stopping rule leaves weights 1.4e-6, loadings 1.7e-6 off
    _plspm_compare(res, outer, effects, len(satisfaction), 1.5e-6, 2e-6)
    assert res.reliability.loc[["IMAG", "VAL"], "rho_c"].isna().all()


# -- PLSc recovers a population exactly when sample Σ = population Σ -------------------------------


def _exact_sample(sigma, n, seed):
    """Data whose sample covariance (divisor n − 1) equals ``sigma`` exactly."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, sigma.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return z @ np.linalg.cholesky(sigma).T


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_plsc_recovers_population_paths(scheme):
    lam = {"X": [0.8, 0.7, 0.6], "M": [0.75, 0.7, 0.65, 0.6], "Y": [0.85, 0.75, 0.7]}
    b_xm, b_xy, b_my = 0.5, 0.3, 0.4
    phi = np.array(
        [
            [1, b_xm, b_xy + b_my * b_xm],
            [b_xm, 1, b_my + b_xy * b_xm],
            [b_xy + b_my * b_xm, b_my + b_xy * b_xm, 1],
        ]
    )
    load = np.zeros((10, 3))
    names = []
    k = 0
    for j, (c, ls) in enumerate(lam.items()):
        for i, v in enumerate(ls):
            load[k, j] = v
            names.append(f"{c.lower()}{i + 1}")
            k += 1
    sigma = load @ phi @ load.T
    np.fill_diagonal(sigma, 1.0)
    data = pd.DataFrame(_exact_sample(sigma, 300, 7), columns=names)
    model = "X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3 + m4\nY =~ y1 + y2 + y3\nM ~ X\nY ~ X + M"
    res = cxkit.fit_pls(model, data, scheme=scheme, consistent=True, tol=1e-12)
    got = res.paths.set_index(["lhs", "rhs"]).est
    assert got["M", "X"] == pytest.approx(b_xm, abs=1e-9)
    assert got["Y", "X"] == pytest.approx(b_xy, abs=1e-9)
    assert got["Y", "M"] == pytest.approx(b_my, abs=1e-9)
    outer = res.outer.set_index("item").loading
    np.testing.assert_allclose(outer[names], load.sum(axis=1), atol=1e-9)
    # plain PLS is not consistent: it underestimates these paths (attenuation)
    plain = cxkit.fit_pls(model, data, scheme=scheme).paths.set_index(["lhs", "rhs"]).est
    assert abs(plain["M", "X"] - b_xm) > 0.05
    # the saturated common-factor model reproduces Σ: SRMR is 0
    assert res.fit_indices["srmr"] == pytest.approx(0, abs=1e-9)


# -- bad input -----------------------------------------------------------------------------------


def test_one_item_block_under_plsc_warns(mobi):
    model = MOBI.replace("Value =~ PERV1 + PERV2", "Value =~ PERV1")
    with pytest.warns(ModelWarning, match="'Value' has one indicator"):
        res = cxkit.fit_pls(model, mobi, consistent=True)
    assert res.reliability.loc["Value", "rho_a"] == 1.0


def test_constant_indicator(mobi):
    data = mobi.assign(CUEX2=5)
    with pytest.raises(ResponseError, match="'CUEX2' is constant"):
        cxkit.fit_pls(MOBI, data)


def test_non_convergence_warns(satisfaction):
    with pytest.warns(ModelWarning, match="did not converge in 2 iterations"):
        res = cxkit.fit_pls(ECSI, satisfaction, max_iter=2)
    assert not res.converged
    assert "NOT converged" in res.summary()


def test_collinear_formative_block(satisfaction):
    noise = np.random.default_rng(0).normal(0, 0.3, len(satisfaction))
    data = satisfaction.assign(imag6=satisfaction.imag1 + satisfaction.imag2 + noise)
    model = ECSI.replace(
        "IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5", "IMAG <~ imag1 + imag2 + imag3 + imag6"
    )
    with pytest.warns(ModelWarning, match="formative block 'IMAG': collinear items"):
        cxkit.fit_pls(model, data)
    data = satisfaction.assign(imag6=satisfaction.imag1 + satisfaction.imag2)
    model = model.replace("imag3 + imag6", "imag6")
    with pytest.raises(ModelError, match="perfectly collinear"):
        cxkit.fit_pls(model, data)


def test_missing_values(satisfaction):
    data = satisfaction.copy()
    data.loc[[3, 10], "sat2"] = np.nan
    with pytest.warns(DataWarning, match="2 of 250 rows have missing indicator values"):
        res = cxkit.fit_pls(ECSI, data)
    assert res.provenance["n"] == 248 and res.provenance["n_dropped"] == 2
    with pytest.warns(DataWarning, match="replaced by their column means"):
        res = cxkit.fit_pls(ECSI, data, missing="mean")
    assert res.provenance["n"] == 250
    assert satisfaction.sat2.notna().all()  # the caller's data is untouched


def test_model_and_option_errors(satisfaction):
    with pytest.raises(SpecificationError, match="scheme='pathway'"):
        cxkit.fit_pls(ECSI, satisfaction, scheme="pathway")
    with pytest.raises(ModelError, match="'FOO' is in the structural model but has no indicators"):
        cxkit.fit_pls(ECSI + "\nLOY ~ FOO", satisfaction)
    with pytest.raises(ModelError, match="no structural paths"):
        cxkit.fit_pls("SAT =~ sat1 + sat2", satisfaction)
    with pytest.raises(ModelError, match="feedback loop"):
        cxkit.fit_pls(ECSI + "\nIMAG ~ LOY", satisfaction)
    with pytest.raises(ResponseError, match="'sat9'"):
        cxkit.fit_pls(ECSI.replace("sat4", "sat9"), satisfaction)


# -- the bootstrap --------------------------------------------------------------------------------


def test_bootstrap_stack_equals_single_fits(satisfaction):
    """The vectorised resamples give exactly what fitting each resample on its own gives."""
    from cxkit.pls.bootstrap import resample_covariances

    res = cxkit.fit_pls(ECSI, satisfaction)
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 250, size=(4, 250))
    counts = np.stack([np.bincount(i, minlength=250) for i in idx]).astype(float)
    stack = resample_covariances(res.data, counts, True)
    items = res.spec.items
    for b in range(4):
        single = cxkit.fit_pls(ECSI, satisfaction.iloc[idx[b]].reset_index(drop=True))
        np.testing.assert_allclose(stack[b], single.estimates.item_cor[0], atol=1e-12)
        sub = satisfaction.iloc[idx[b]][items].to_numpy(float)
        assert np.allclose(np.corrcoef(sub, rowvar=False), stack[b], atol=1e-12)


def test_bootstrap_tables(satisfaction):
    res = cxkit.fit_pls(ECSI, satisfaction)
    boot = res.bootstrap(500, seed=11)
    assert boot.provenance["bootstrap"]["not_converged"] == 0
    assert boot.provenance["bootstrap"]["inadmissible"] == 0
    p = boot.paths
    assert (p.se > 0).all() and (p.ci_low < p.est).all() and (p.est < p.ci_high).all()
    np.testing.assert_allclose(p.t, p.est / p.se)
    # the draws' spread is the reported standard error
    draws = boot.bootstrap_draws["paths"]
    assert draws.shape == (500, len(p))
    same = res.bootstrap(500, seed=11)
    pd.testing.assert_frame_equal(same.paths, boot.paths)
    assert set(boot.inference.quantity) >= {
        "path",
        "loading",
        "weight",
        "total_effect",
        "r_squared",
        "f_squared",
        "htmt",
        "specific_indirect",
    }
    h = boot.htmt_inference
    assert ((h.pvalue_vs_1 >= 0) & (h.pvalue_vs_1 <= 1)).all()
    assert res.paths.columns.tolist() == ["lhs", "op", "rhs", "label", "est"]  # res unchanged
    bca = res.bootstrap(300, seed=2, ci="bca")
    assert (bca.paths.ci_low < bca.paths.ci_high).all()
    for sc in ("individual", "construct"):
        s = res.bootstrap(200, seed=5, sign_change=sc)
        assert s.provenance["bootstrap"]["sign_change"] == sc


# -- CX models, higher-order constructs, defined effects, CLI ------------------------------------


def test_cx_models_from_the_instrument():
    data = load_dataset("online-cx-demo")
    ins = cxkit.load_instrument("online-cx@2.0.0")
    res = cxkit.fit_pls(cxkit.models.pyramid(ins), data, constructs=ins)
    assert res.provenance["reversed_items"] == ["OE4"]
    assert res.provenance["instrument"] == "online-cx@2.0.0"
    paths = res.paths.set_index("label").est
    defined = res.defined.set_index("name").est
    assert defined["ind_TR"] == pytest.approx(paths["a_TR"] * paths["b"], abs=1e-15)
    spec = res.specific_indirect.set_index("path").est
    assert spec["TR → EC → LOY"] == pytest.approx(defined["ind_TR"], abs=1e-15)
    boot = res.bootstrap(200, seed=4)
    d = boot.defined.set_index("name")
    assert (d.se > 0).all() and (d.ci_low < d.est).all()
    # second order by repeated indicators: OBE's block is every CX item, LOCs ~ OBE in the inner model
    so = cxkit.fit_pls(cxkit.models.second_order(ins), data, constructs=ins)
    assert set(so.outer[so.outer.construct == "OBE"].item) == {
        i for c in ("EC", "OE", "RS", "TR", "FU") for i in ins.constructs[c]
    }
    assert {("EC", "OBE"), ("LOY", "OBE")} <= set(zip(so.paths.lhs, so.paths.rhs, strict=True))


def test_result_display(satisfaction):
    res = cxkit.fit_pls(ECSI, satisfaction)
    text = res.summary()
    assert "PLS-PM — path scheme, converged" in text and "ecsi@1.0.0" in text
    html = res._repr_html_()
    assert "<table" in html and "VAL → SAT" in html
    assert repr(res).startswith("<PLSResult PLS-PM n=250")
    with pytest.raises(AttributeError):
        res.paths = None  # immutable


def test_cli_pls(capsys):
    from cxkit.cli import main

    assert (
        main(["pls", "--dataset", "online-cx-demo", "--model", "direct", "--bootstrap", "100"]) == 0
    )
    out = capsys.readouterr().out
    assert "LOY  ~  EC" in out and "bootstrap: 100 resamples" in out
    assert main(["pls", "--dataset", "online-cx-demo", "--model", "nope.lav"]) == 2
    assert "neither direct" in capsys.readouterr().err


# -- PLSpredict -----------------------------------------------------------------------------------


def test_predict_equals_fold_by_fold_fits(mobi):
    res = cxkit.fit_pls(MOBI, mobi)
    pred = res.predict(folds=3, repetitions=1, seed=9)
    n = len(mobi)
    fold = np.empty(n, dtype=int)
    fold[np.random.default_rng(9).permutation(n)] = np.arange(n) % 3
    items = ["CUSA1", "CUSA2", "CUSA3"]
    err = np.zeros((n, 3))
    naive = np.zeros((n, 3))
    for f in range(3):
        train, test = mobi[fold != f], mobi[fold == f]
        fit = cxkit.fit_pls(MOBI, train)
        w = fit.outer.set_index("item")
        exo = ["Image", "Expectation", "Value"]
        mean, sd = train.mean(), train.std(ddof=1)
        scores = {
            c: ((test[list(g.index)] - mean[g.index]) / sd[g.index]) @ g.weight
            for c, g in w.groupby("construct")
        }
        eta = sum(fit.paths.set_index("rhs").est[c] * scores[c] for c in exo)
        for k, it in enumerate(items):
            hat = mean[it] + sd[it] * w.loading[it] * eta
            err[fold == f, k] = test[it] - hat
            naive[fold == f, k] = test[it] - mean[it]
    got = pred.set_index("item")
    np.testing.assert_allclose(got.pls_rmse[items], np.sqrt((err**2).mean(axis=0)), atol=1e-10)
    np.testing.assert_allclose(got.pls_mae[items], np.abs(err).mean(axis=0), atol=1e-10)
    q2 = 1 - (err**2).sum(axis=0) / (naive**2).sum(axis=0)
    np.testing.assert_allclose(got.pls_q2_predict[items], q2, atol=1e-10)
    assert (got.lm_rmse > 0).all()


def test_ipma(satisfaction):
    res = cxkit.fit_pls(ECSI, satisfaction)
    out = res.ipma("LOY", bounds=(0, 10))
    assert set(out.index) == {"IMAG", "EXPE", "QUAL", "VAL", "SAT"}
    # performance: the rescaled-weight score's mean; for a block with equal weights it is the
    # mean item on 0–100, so it lies within the items' 0–100 means
    sat_items = satisfaction[["sat1", "sat2", "sat3", "sat4"]].mean() * 10
    assert sat_items.min() <= out.performance["SAT"] <= sat_items.max()
    # importance: the unstandardised total effect = regression slope of rescaled scores for a
    # direct-only predictor of a single-predictor outcome
    small = cxkit.fit_pls(
        "SAT =~ sat1 + sat2 + sat3 + sat4\nLOY =~ loy1 + loy2 + loy3 + loy4\nLOY ~ SAT",
        satisfaction,
    )
    imp = small.ipma("LOY", bounds=(0, 10))
    raw = small.raw.to_numpy() * 10
    w = small.estimates.weights_std[0] / small.raw.std(ddof=1).to_numpy()[:, None]
    s = raw @ (w / w.sum(axis=0))
    slope = np.polyfit(s[:, 0], s[:, 1], 1)[0]
    assert imp.importance["SAT"] == pytest.approx(slope, abs=1e-12)
    with pytest.raises(SpecificationError, match="target='IMAG' is not an endogenous"):
        res.ipma("IMAG")


# -- multi-group analysis -------------------------------------------------------------------------

SMALL = "SAT =~ sat1 + sat2 + sat3 + sat4\nLOY =~ loy1 + loy2 + loy3 + loy4\nLOY ~ SAT"


def test_mga_permutations_equal_refits(satisfaction):
    from cxkit.pls import mga

    out = mga(SMALL, satisfaction, "gender", n=12, seed=3)
    fem = cxkit.fit_pls(SMALL, satisfaction[satisfaction.gender == "female"]).paths.est[0]
    male = cxkit.fit_pls(SMALL, satisfaction[satisfaction.gender == "male"]).paths.est[0]
    assert out.loc[0, "diff"] == pytest.approx(fem - male, abs=1e-12)
    rng = np.random.default_rng(3)
    first = (satisfaction.gender == "female").to_numpy()
    hits = 0
    for _ in range(12):
        lab = rng.permutation(first)
        a = cxkit.fit_pls(SMALL, satisfaction[lab]).paths.est[0]
        b = cxkit.fit_pls(SMALL, satisfaction[~lab]).paths.est[0]
        hits += abs(a - b) >= abs(fem - male) - 1e-12
    assert out.loc[0, "p_permutation"] == pytest.approx(hits / 12)
    assert 0 <= out.loc[0, "p_henseler"] <= 1


def test_henseler_formula_against_all_pairs():
    from cxkit.pls.mga import _henseler

    rng = np.random.default_rng(0)
    b1, b2 = rng.normal(0.5, 0.1, (40, 2)), rng.normal(0.4, 0.1, (30, 2))
    step = (2 * b1.mean(axis=0) - b1[:, None, :] - 2 * b2.mean(axis=0) + b2[None, :, :] > 0).mean(
        axis=(0, 1)
    )
    np.testing.assert_allclose(_henseler(b1, b2), 1 - step)


def test_mga_refuses_other_than_two_groups(satisfaction):
    from cxkit.pls import mga

    data = satisfaction.assign(g=np.arange(250) % 3)
    with pytest.raises(SpecificationError, match="has 3 groups"):
        mga(SMALL, data, "g", n=20)
    with pytest.raises(SpecificationError, match="not a column"):
        mga(SMALL, data, "nope", n=20)


def test_micom_statistics_equal_direct_computation(satisfaction):
    from cxkit.pls import micom

    out = micom(SMALL, satisfaction, "gender", n=50, seed=2)
    assert out.attrs["groups"] == ["female", "male"]
    fem = cxkit.fit_pls(SMALL, satisfaction[satisfaction.gender == "female"])
    male = cxkit.fit_pls(SMALL, satisfaction[satisfaction.gender == "male"])
    pooled = cxkit.fit_pls(SMALL, satisfaction)
    r = pooled.estimates.item_cor[0]
    for j, c in enumerate(["SAT", "LOY"]):
        w1, w2 = fem.estimates.weights_std[0][:, j], male.estimates.weights_std[0][:, j]
        expected = w1 @ r @ w2 / np.sqrt((w1 @ r @ w1) * (w2 @ r @ w2))
        assert out.loc[c, "c"] == pytest.approx(expected, abs=1e-12)
        s = pooled.scores[c]
        diff = s[satisfaction.gender == "female"].mean() - s[satisfaction.gender == "male"].mean()
        assert out.loc[c, "mean_diff"] == pytest.approx(diff, abs=1e-12)
        ratio = s[satisfaction.gender == "female"].var() / s[satisfaction.gender == "male"].var()
        assert out.loc[c, "var_log_ratio"] == pytest.approx(np.log(ratio), abs=1e-12)
    assert ((out.p_compositional >= 0) & (out.p_compositional <= 1)).all()


def test_plsc_inadmissible_solution_warns():
    """Two items correlating .9 with a third item correlating .1 give ρA far above 1."""
    rng = np.random.default_rng(1)
    sigma = np.array(
        [[1, 0.1, 0.1, 0.3], [0.1, 1, 0.05, 0.3], [0.1, 0.05, 1, 0.3], [0.3, 0.3, 0.3, 1]]
    )
    data = pd.DataFrame(_exact_sample(sigma, 200, 1), columns=["a1", "a2", "a3", "y1"])
    data["y2"] = data.y1 + rng.normal(0, 0.5, 200)
    with pytest.warns(ModelWarning, match="inadmissible"):
        cxkit.fit_pls("A =~ a1 + a2 + a3\nY =~ y1 + y2\nY ~ A", data, consistent=True)


def test_pls_report(tmp_path):
    from cxkit.cli import main

    out = tmp_path / "pls.html"
    code = main(
        [
            "pls",
            "--dataset",
            "online-cx-demo",
            "--model",
            "pyramid",
            "--bootstrap",
            "200",
            "--report",
            str(out),
            "--lang",
            "id",
        ]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "Hasil PLS-SEM" in text and "Uji hipotesis" in text and "OE → EC" in text
    assert ">nan<" not in text
    assert main(["pls", "--dataset", "online-cx-demo", "--report", str(tmp_path / "x.pdf")]) == 2


# -- interaction terms (two-stage) ------------------------------------------------------------------

CORP_REP = """
QUAL <~ qual_1 + qual_2 + qual_3 + qual_4 + qual_5 + qual_6 + qual_7 + qual_8
PERF <~ perf_1 + perf_2 + perf_3 + perf_4 + perf_5
CSOR <~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5
ATTR <~ attr_1 + attr_2 + attr_3
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
SC =~ switch_1 + switch_2 + switch_3 + switch_4
CUSL =~ cusl_1 + cusl_2 + cusl_3
COMP ~ QUAL + PERF + CSOR + ATTR
LIKE ~ QUAL + PERF + CSOR + ATTR
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA + SC + CUSA:SC
"""


@pytest.fixture(scope="module")
def corp_rep_fit():
    case = REF / "pls_seminr_corp_rep_interaction"
    data = pd.read_csv(case / "corp_rep_data.csv").replace(-99, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # 70 answers coded -99: mean replacement
        return cxkit.fit_pls(CORP_REP, data, missing="mean")


def test_interaction_two_stage_f_squared_matches_seminr(corp_rep_fit):
    """seminr's fixture interaction_fsquare.csv (corp_rep, CUSA × SC → CUSL, two_stage): f² by
    re-estimating both stages without each path; NA for the interaction's own constructs."""
    ref = pd.read_csv(REF / "pls_seminr_corp_rep_interaction" / "expected.csv")
    got = corp_rep_fit.f_squared(reestimate=True).set_index(["lhs", "rhs"]).f2
    for r in ref.itertuples():
        assert got[(r.lhs, r.rhs)] == pytest.approx(r.f2, abs=1e-10), (r.lhs, r.rhs)
    assert np.isnan(got[("CUSL", "CUSA")]) and np.isnan(got[("CUSL", "SC")])
    paths = corp_rep_fit.paths.set_index(["lhs", "rhs"]).est
    assert paths[("CUSL", "CUSA:SC")] < 0  # switching costs weaken satisfaction's effect


def test_interaction_column_is_the_first_stage_score_product(corp_rep_fit):
    spec = corp_rep_fit.spec
    assert spec.interactions == (("CUSA:SC", "CUSA", "SC"),)
    main = cxkit.fit_pls(
        CORP_REP.replace(" + CUSA:SC", ""), corp_rep_fit.raw.drop(columns="CUSA:SC")
    )
    z = main.scores
    assert np.allclose(corp_rep_fit.raw["CUSA:SC"], z["CUSA"] * z["SC"], atol=1e-12)


def test_interaction_bootstrap_reruns_both_stages(corp_rep_fit):
    """A resample's matrix (both stages, vectorised) gives the paths of a fit on those rows."""
    from cxkit.pls.bootstrap import resample_matrices
    from cxkit.pls.estimate import estimate_like

    fit = corp_rep_fit
    n = len(fit.raw)
    ones = resample_matrices(fit, np.ones((1, n)))[0]
    assert np.abs(ones - fit.data.T @ fit.data / (n - 1)).max() < 1e-12
    rng = np.random.default_rng(5)
    idx = rng.integers(0, n, n)
    counts = np.bincount(idx, minlength=n)[None].astype(float)
    est = estimate_like(fit.spec, fit.options, resample_matrices(fit, counts))
    rows = fit.raw[fit.spec.main_effects().items].iloc[idx].reset_index(drop=True)
    refit = cxkit.fit_pls(CORP_REP, rows)
    d = np.nonzero(fit.spec.adjacency())
    assert np.abs(est.paths[0][d] - refit.estimates.paths[0][d]).max() < 1e-10
    boot = fit.bootstrap(200, seed=1)
    row = boot.paths.set_index(["lhs", "rhs"]).loc[("CUSL", "CUSA:SC")]
    assert row.ci_low < row.est < row.ci_high and row.se > 0


@pytest.mark.parametrize(
    "model, message",
    [
        ("Y =~ y1 + y2\nF =~ f1 + f2\nY ~ F + F:H", "'H', which is not a construct"),
        ("Y =~ y1 + y2\nF =~ f1 + f2\nG =~ g1 + g2\nY ~ F + F:G:Y", "must join two constructs"),
        ("Y =~ y1 + y2\nF =~ f1 + f2\nG =~ g1 + g2\nY ~ F + G\nF:G ~ Y", "only predict"),
    ],
)
def test_interaction_errors(model, message):
    from cxkit.errors import ModelSyntaxError
    from cxkit.pls import parse_pls

    with pytest.raises((ModelError, ModelSyntaxError), match=message):
        parse_pls(model)


# -- higher-order constructs, two-stage ------------------------------------------------------------

MOBI_HOC = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ Image + Value
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation + Quality
Complaints ~ Satisfaction
Loyalty ~ Satisfaction
"""


def _fixture(name):
    return pd.read_csv(REF / "pls_seminr_mobi_hoc" / f"{name}.csv", index_col=0)


def test_two_stage_higher_order_construct_matches_seminr(mobi):
    """seminr's fixtures hoc-paths/-loadings/-weights (higher_composite, method = two_stage)."""
    fit = cxkit.fit_pls(MOBI_HOC, mobi, hoc="two_stage")
    paths, loads, weights = _fixture("hoc-paths"), _fixture("hoc-loadings"), _fixture("hoc-weights")
    for r in fit.paths.itertuples():
        assert r.est == pytest.approx(paths.loc[r.rhs, r.lhs], abs=1e-12), (r.lhs, r.rhs)
    assert len(fit.paths) == 4  # no repeated-indicator paths in the second stage
    # second stage: Satisfaction measured by Image's and Value's first-stage scores
    for r in fit.outer.itertuples():
        assert r.loading == pytest.approx(loads.loc[r.item, r.construct], abs=1e-12), r.item
        assert r.weight == pytest.approx(weights.loc[r.item, r.construct], abs=1e-12), r.item
    assert set(fit.outer[fit.outer.construct == "Satisfaction"].item) == {"Image", "Value"}
    # first stage: the lower-order constructs' own loadings
    from cxkit.pls.estimate import estimate_like

    first = fit.stages["hoc"]
    x = fit.stages["data"][:, [fit.stages["items"].index(i) for i in first.items]]
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    est = estimate_like(first, fit.options, (z.T @ z / (len(z) - 1))[None])
    for c in ("Image", "Value"):
        j = first.names.index(c)
        for i in first.blocks[j].items:
            got = est.loadings[0][first.items.index(i), j]
            assert got == pytest.approx(loads.loc[i, c], abs=1e-12), i
    # repeated indicators (the default) is another model
    rep = cxkit.fit_pls(MOBI_HOC, mobi)
    assert ("Image", "Satisfaction") in rep.higher_order_paths()
    assert rep.paths.est.iloc[0] != pytest.approx(fit.paths.est.iloc[0], abs=1e-3)


def test_two_stage_bootstrap_reruns_both_stages(mobi):
    from cxkit.pls.bootstrap import resample_matrices
    from cxkit.pls.estimate import estimate_like

    fit = cxkit.fit_pls(MOBI_HOC, mobi, hoc="two_stage")
    idx = np.random.default_rng(2).integers(0, len(mobi), len(mobi))
    counts = np.bincount(idx, minlength=len(mobi))[None].astype(float)
    est = estimate_like(fit.spec, fit.options, resample_matrices(fit, counts))
    refit = cxkit.fit_pls(MOBI_HOC, mobi.iloc[idx].reset_index(drop=True), hoc="two_stage")
    d = np.nonzero(fit.spec.adjacency())
    assert np.abs(est.paths[0][d] - refit.estimates.paths[0][d]).max() < 1e-10
    f2 = fit.f_squared(reestimate=True)  # both stages re-run without each path
    assert (f2.f2 > 0).all()


MOBI_HOC_INTERACTION = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Value =~ PERV1 + PERV2
Nick =~ Quality + Loyalty
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value + Nick + Image:Expectation
"""


def test_two_stage_hoc_with_an_interaction_matches_seminr_but_the_interaction(mobi):
    """seminr's hoc_2si-paths: the main-effect paths agree to 1e-12."""
    fit = cxkit.fit_pls(MOBI_HOC_INTERACTION, mobi, hoc="two_stage")
    ref = _fixture("hoc_2si-paths")
    for r in fit.paths.itertuples():
        if r.rhs != "Image:Expectation":
            assert r.est == pytest.approx(ref.loc[r.rhs, r.lhs], abs=1e-12), r.rhs


@pytest.mark.xfail(
    strict=True,
    reason="seminr's fixture (2021) gives the interaction path .00893, cxkit .01121 while every "
    "other path agrees to 1e-15; not resolved (see tests/reference/pls_seminr_mobi_hoc)",
)
def test_two_stage_hoc_interaction_path_matches_seminr(mobi):
    fit = cxkit.fit_pls(MOBI_HOC_INTERACTION, mobi, hoc="two_stage")
    row = fit.paths.set_index("rhs").loc["Image:Expectation"]
    ref = _fixture("hoc_2si-paths").loc["Image*Expectation", "Satisfaction"]
    assert row.est == pytest.approx(ref, abs=1e-6)


# -- CVPAT ------------------------------------------------------------------------------------------


def test_cvpat_losses_and_test_statistic(satisfaction):
    """Losses from PLSpredict's own out-of-sample errors; the bootstrap SE of the mean loss
    difference is the paired t-test's SE (seminr reports both) to within a few per cent."""
    from scipy import stats

    from cxkit.pls.predict import cross_validated_errors

    ecsi = cxkit.load_instrument("ecsi@1.0.0")
    fit = cxkit.fit_pls(ECSI, satisfaction, constructs=ecsi)
    out = fit.cvpat(folds=10, repetitions=3, n_boot=20000, seed=4)
    targets, e_pls, e_lm, e_ia = cross_validated_errors(fit, 10, 3, 4)
    endo = [c for c in fit.spec.names if fit.spec.predictors(c)]
    assert out.construct.tolist() == [*endo, "overall"] * 2
    names = fit.spec.names

    def loss(err, c):
        cols = [k for k, (_, j) in enumerate(targets) if names[j] == c]
        return (err.mean(axis=0)[:, cols] ** 2).mean(axis=1)

    for bench, err in (("IA", e_ia), ("LM", e_lm)):
        rows = out[out.benchmark == bench].set_index("construct")
        overall_m = np.mean([loss(e_pls, c) for c in endo], axis=0)
        overall_b = np.mean([loss(err, c) for c in endo], axis=0)
        assert rows.loc["overall", "loss"] == pytest.approx(overall_m.mean(), abs=1e-12)
        assert rows.loc["overall", "loss_benchmark"] == pytest.approx(overall_b.mean(), abs=1e-12)
        for c in endo:
            assert rows.loc[c, "loss"] == pytest.approx(loss(e_pls, c).mean(), abs=1e-12)
        paired = stats.ttest_rel(overall_b, overall_m).statistic
        assert rows.loc["overall", "t"] == pytest.approx(paired, rel=0.03)
    ia = out[(out.benchmark == "IA") & (out.construct == "overall")].iloc[0]
    assert ia["diff"] < 0 and ia.pvalue < 0.001  # the model beats the indicator means


def test_cvpat_compares_two_models(satisfaction):
    ecsi = cxkit.load_instrument("ecsi@1.0.0")
    full = cxkit.fit_pls("SAT ~ IMAG + EXPE + QUAL + VAL", satisfaction, constructs=ecsi)
    poor = cxkit.fit_pls("SAT ~ EXPE", satisfaction, constructs=ecsi)
    out = full.cvpat(poor, folds=10, repetitions=2, n_boot=2000, seed=1)
    row = out.set_index("construct").loc["overall"]
    assert row.benchmark == "other" and row["diff"] < 0 and row.pvalue < 0.05
    other = cxkit.fit_pls("LOY ~ SAT", satisfaction, constructs=ecsi)
    with pytest.raises(SpecificationError, match="same endogenous constructs"):
        full.cvpat(other)
    with pytest.raises(SpecificationError, match="alternative='less' is not accepted"):
        full.cvpat(alternative="less")
