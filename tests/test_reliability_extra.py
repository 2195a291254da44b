"""Residual summaries and reliability extras against R (issue 13 item 7).

Reference case ``tests/reference/reliability_extra`` (make.R, sessionInfo.txt): lavaan 0.6-14
``lavResiduals(fit, type = "raw" | "cor.bentler" | "cor.bollen")$summary``; semTools 0.5-6
``compRelSEM(fit, obs.var =, tau.eq =, higher =, return.total =)`` and ``reliabilityL2``; psych
2.2.9 ``omega(items, nfactors = 3)`` (GPArotation 2022.10-2) and ``alpha(check.keys =)``.

Tolerances sit a small factor above the agreement reached (in the comments): residual summaries of
Holzinger & Swineford 1e-6 absolute (reached 8.6e-7 on the z statistics, 1e-7 elsewhere; by MLR 3e-6,
reached 1.07e-6; as MIMIC with fixed.x covariates 5e-6, reached 1.9e-6); of Political
Democracy 1e-4 (its estimates are 3e-4 from lavaan's, row ``ML:sem_poldem``); compRelSEM and
reliabilityL2 3e-6 on HS (reached 8e-7) and 1e-5 on ECSI (reached 5.7e-6: the ECSI estimates agree
to 1e-5, ``ML:sem_ecsi``); α with tau.eq 1e-12; psych::omega's coefficients 1e-5 (HS, reached 1.1e-6)
and 2e-5 (ECSI, reached 5.3e-6), its Schmid–Leiman loadings 2e-5 (HS, reached 7.0e-6) and 1e-4
(ECSI, reached 4.0e-5): psych's minres (L-BFGS-B, factr 1e7) and GPArotation's stopping rule
(‖gradient‖ < 1e-5) leave that much in R's own solution; α and G6 of omega 1e-12.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit
from cxkit.errors import ReverseKeyWarning, SpecificationError

from .conftest import REFERENCE
from .test_measure_reference import BLOCKS as MEASURE_BLOCKS

CASE = REFERENCE / "reliability_extra"
HS = pd.read_csv(REFERENCE / "measure_hs" / "data.csv")
ECSI = pd.read_csv(REFERENCE / "measure_ecsi" / "data.csv")
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BLOCKS = MEASURE_BLOCKS["measure_ecsi"]
MIMIC = CFA3 + "\nvisual + textual + speed ~ sex + ageyr"
ECSI_MODEL = "\n".join(f"{k} =~ {' + '.join(v)}" for k, v in BLOCKS.items())


def _fit(model, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        return cxkit.fit_sem(model, data, **kw)


# --- lavResiduals summaries ---------------------------------------------------------------------
RESID_FITS = {
    "hs": (lambda: _fit(CFA3, HS), 1e-6),
    "hs_mean": (lambda: _fit(CFA3, HS, meanstructure=True), 1e-6),
    "hs_mlr": (lambda: _fit(CFA3, HS, estimator="MLR"), 3e-6),
    "mimic": (lambda: _fit(MIMIC, HS), 5e-6),
    "poldem": (
        lambda: _fit(
            (REFERENCE / "sem_poldem" / "model.lav").read_text(),
            pd.read_csv(REFERENCE / "sem_poldem" / "data.csv"),
        ),
        1e-4,
    ),
}


@pytest.mark.parametrize("name", list(RESID_FITS))
def test_residual_summary_matches_lavresiduals(name):
    make, tol = RESID_FITS[name]
    got = make().residual_summary()
    ref = pd.read_csv(CASE / "lavresiduals_summary.csv")
    ref = ref[ref["model"] == name].copy()
    # lavaan's names with "_" for "."; its crmr block spells the upper bound "ucrmr.cilupper"
    ref["measure"] = ref["measure"].str.replace(".", "_").str.replace("cilupper", "ci_upper")
    ref = ref.pivot(index="measure", columns="column", values="value")
    assert list(got.columns) == list(ref.columns)
    assert set(got.index) == set(ref.index)
    for col in ref.columns:
        g, e = got.loc[ref.index, col], ref[col]
        assert (g.isna() == e.isna()).all(), (col, list(ref.index[g.isna() != e.isna()]))
        np.testing.assert_allclose(g[e.notna()], e[e.notna()], atol=tol, rtol=0, err_msg=col)


@pytest.mark.parametrize("kind", ["standardized", "normalized"])
@pytest.mark.parametrize(
    "name,make,tol",
    [("hs_mlr", lambda: _fit(CFA3, HS, estimator="MLR"), 2e-5), ("mimic", lambda: _fit(MIMIC, HS), 5e-5)],
)  # fmt: skip
def test_residuals_of_robust_and_fixed_x_fits_as_lavaan(kind, name, make, tol):
    """MLR: the residuals' covariance is A⁻¹BA⁻¹/N of the saturated model and Q uses the observed
    information (reached 1.3e-5 on z-values up to 6: the MLR estimates agree to 1e-5); fixed.x:
    the covariates' own moments drop out of both informations, as lavaan's x.idx (reached 3.1e-5;
    the MIMIC estimates agree to about 1e-5)."""
    got = make().residuals(kind)
    ref = pd.read_csv(CASE / f"{name}_residuals_{kind}.csv", index_col=0)
    np.testing.assert_allclose(got.loc[ref.index, ref.columns], ref, atol=tol, rtol=0)


def test_residual_summary_refuses_what_it_does_not_serve():
    fit = _fit(CFA3, HS.assign(school=HS["school"]), group="school")
    with pytest.raises(SpecificationError, match="multi-group"):
        fit.residual_summary()
    holes = HS.copy()
    holes.loc[:20, "x1"] = np.nan
    fiml = _fit(CFA3, holes, missing="fiml")
    with pytest.raises(SpecificationError, match="FIML fits are not available yet"):
        fiml.residual_summary()


# --- compRelSEM and reliabilityL2 ---------------------------------------------------------------
REL_FITS = {
    "hs": (lambda: _fit(CFA3, HS), 3e-6),
    "hs2": (lambda: _fit(CFA3 + "\ng =~ visual + textual + speed", HS), 3e-6),
    "ecsi": (lambda: _fit(ECSI_MODEL, ECSI), 1e-5),
    "fiml": (
        lambda: _fit(CFA3, pd.read_csv(REFERENCE / "sem_fiml" / "data.csv"), missing="fiml"),
        3e-6,
    ),
}


@pytest.fixture(scope="module")
def rel_fits():
    return {k: (make(), tol) for k, (make, tol) in REL_FITS.items()}


def _comprelsem_cases():
    ref = pd.read_csv(CASE / "comprelsem.csv")
    return [
        (m, bool(o), bool(t), "total" in set(g["construct"]))
        for (m, o, t), g in ref.groupby(["model", "obs_var", "tau_eq"])
    ] + [(m, True, False, True) for m in ("hs", "ecsi")]  # the return.total rows


@pytest.mark.parametrize("model,obs_var,tau_eq,total", _comprelsem_cases())
def test_composite_reliability_matches_comprelsem(rel_fits, model, obs_var, tau_eq, total):
    fit, tol = rel_fits[model]
    ref = pd.read_csv(CASE / "comprelsem.csv")
    ref = ref[(ref["model"] == model) & (ref["obs_var"] == obs_var) & (ref["tau_eq"] == tau_eq)]
    ref = ref.set_index("construct")["value"]
    ref = ref[ref.index == "total"] if total else ref[ref.index != "total"]
    higher = ["g"] if model == "hs2" and not tau_eq else []
    got = cxkit.composite_reliability(
        fit, obs_var=obs_var, tau_eq=tau_eq, higher=higher, return_total=total
    )
    got = got[got.index == "total"] if total else got
    assert list(got.index) == list(ref.index)
    # α of the sample covariances is closed-form; with FIML Σ observed is the EM estimate (2e-7)
    exact = tau_eq and obs_var and model != "fiml"
    np.testing.assert_allclose(got, ref, atol=1e-12 if exact else tol, rtol=0)
    assert got.attrs["r_call"].startswith("semTools::compRelSEM(fit, obs.var = ")


def test_higher_order_reliability_matches_reliabilityl2(rel_fits):
    fit, tol = rel_fits["hs2"]
    ref = pd.read_csv(CASE / "reliabilityL2.csv").set_index("measure")["value"]
    got = cxkit.higher_order_reliability(fit, "g")
    names = {"omegaL1": "omega_l1", "omegaL2": "omega_l2", "partialOmegaL1": "partial_omega_l1"}
    np.testing.assert_allclose(got[[names[k] for k in ref.index]], ref, atol=tol, rtol=0)
    # compRelSEM(higher = "g", obs.var = FALSE) is reliabilityL2's omega_L1
    implied = cxkit.composite_reliability(fit, obs_var=False, higher="g")
    assert implied["g"] == pytest.approx(got["omega_l1"], abs=1e-12)


def test_composite_reliability_names_what_is_wrong(rel_fits):
    fit, _ = rel_fits["hs"]
    with pytest.raises(SpecificationError, match="higher='visual' is not a higher-order factor"):
        cxkit.composite_reliability(fit, higher="visual")
    with pytest.raises(SpecificationError, match="higher='G' is not a factor"):
        cxkit.composite_reliability(fit, higher="G")
    with pytest.raises(SpecificationError, match="factor='visual' is not a higher-order"):
        cxkit.higher_order_reliability(fit, "visual")
    with pytest.raises(SpecificationError, match="fitted CB-SEM result"):
        cxkit.composite_reliability(HS)


# --- psych::omega -------------------------------------------------------------------------------
OMEGA_CASES = {
    "hs": (HS, [f"x{i}" for i in range(1, 10)], 1e-5, 2e-5),
    "ecsi": (ECSI, [i for ids in BLOCKS.values() for i in ids], 2e-5, 1e-4),
}


@pytest.mark.parametrize("case", list(OMEGA_CASES))
def test_omega_hierarchical_matches_psych_omega(case):
    data, items, tol, tol_sl = OMEGA_CASES[case]
    om = cxkit.omega_hierarchical(data, items, n_factors=3)
    ref = pd.read_csv(CASE / "omega.csv")
    ref = ref[ref["case"] == case].set_index("measure")["value"]
    assert om.omega_h == pytest.approx(ref["omega_h"], abs=tol)
    assert om.omega_total == pytest.approx(ref["omega_tot"], abs=tol)
    assert om.omega_h_asymptotic == pytest.approx(ref["omega_lim"], abs=tol)
    assert om.ecv == pytest.approx(ref["ECV"], abs=tol)
    assert om.alpha == pytest.approx(ref["alpha"], abs=1e-12)
    assert om.g6 == pytest.approx(ref["G6"], abs=1e-12)
    sl = pd.read_csv(CASE / f"omega_sl_{case}.csv").set_index("item")
    assert list(om.loadings.index) == list(sl.index)
    assert list(om.loadings.columns) == list(sl.columns)
    np.testing.assert_allclose(om.loadings.to_numpy(), sl.to_numpy(), atol=tol_sl, rtol=0)
    groups = pd.read_csv(CASE / f"omega_group_{case}.csv").set_index("factor")
    np.testing.assert_allclose(om.groups.to_numpy(), groups.to_numpy(), atol=tol_sl, rtol=0)
    assert om.n == len(data) and om.n_factors == 3
    assert "omega_h" in om.summary() and "ω" in om._repr_html_()


def test_omega_hierarchical_reflects_a_reversed_item_and_checks_n_factors():
    items = [f"x{i}" for i in range(1, 10)]
    flipped = HS.assign(x2=-HS["x2"])
    om = cxkit.omega_hierarchical(flipped, items, n_factors=3)
    ref = cxkit.omega_hierarchical(HS, items, n_factors=3)
    assert om.reflected == ("x2",)
    assert om.omega_h == pytest.approx(ref.omega_h, abs=1e-9)
    with pytest.raises(
        SpecificationError, match=r"n_factors=9 \(--group-factors\) is not accepted"
    ):
        cxkit.omega_hierarchical(HS, items, n_factors=9)


# --- reliability(): model-implied ω and check_keys ----------------------------------------------
@pytest.mark.parametrize(
    "model,data,blocks,tol",
    [
        ("hs", HS, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
                    "speed": ["x7", "x8", "x9"]}, 3e-6),
        ("ecsi", ECSI, BLOCKS, 1e-5),
    ],
)  # fmt: skip
def test_reliability_omega_columns_match_comprelsem(model, data, blocks, tol):
    ref = pd.read_csv(CASE / "comprelsem.csv")
    ref = ref[(ref["model"] == model) & ~ref["tau_eq"] & (ref["construct"] != "total")]
    rel = cxkit.reliability(data, blocks)
    for obs, col in ((True, "omega"), (False, "omega_implied")):
        expect = ref[ref["obs_var"] == obs].set_index("construct")["value"]
        np.testing.assert_allclose(rel.loc[expect.index, col], expect, atol=tol, rtol=0)


REVERSED = pd.read_csv(CASE / "reversed.csv")
SAT_LOY = {"SAT": BLOCKS["SAT"], "LOY": BLOCKS["LOY"]}


def test_negatively_correlated_item_warns_naming_item_and_scale():
    ref = pd.read_csv(CASE / "alpha_keys.csv").set_index("call")
    assert ref.loc["check.keys=FALSE", "flagged"] == "loy3"
    with pytest.warns(ReverseKeyWarning, match=r"construct 'LOY': item loy3 correlates negatively"):
        rel = cxkit.reliability(REVERSED, SAT_LOY, cfa=False)
    assert rel.loc["LOY", "alpha"] == pytest.approx(
        ref.loc["check.keys=FALSE", "raw_alpha"], abs=1e-12
    )
    assert rel.attrs["check_keys"] == {}


@pytest.mark.parametrize("keys,call", [(True, "check.keys=TRUE"), (["loy3"], "keys=loy3")])
def test_check_keys_reverses_as_psych_alpha(keys, call):
    ref = pd.read_csv(CASE / "alpha_keys.csv").set_index("call").loc[call]
    before = REVERSED.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReverseKeyWarning)
        rel = cxkit.reliability(REVERSED, SAT_LOY, check_keys=keys)
    assert rel.loc["LOY", "alpha"] == pytest.approx(ref["raw_alpha"], abs=1e-12)
    assert rel.loc["LOY", "alpha_std"] == pytest.approx(ref["std_alpha"], abs=1e-12)
    assert rel.attrs["check_keys"] == {"LOY": ["loy3"]} and ref["reversed"] == "-loy3"
    pd.testing.assert_frame_equal(REVERSED, before)  # the caller's data is not changed
    # reversing gives back the ECSI item's own reliability
    orig = cxkit.reliability(ECSI, SAT_LOY)
    assert rel.loc["LOY", "omega"] == pytest.approx(orig.loc["LOY", "omega"], abs=1e-9)


def test_check_keys_names_unknown_items():
    with pytest.raises(SpecificationError, match=r"check_keys \(--check-keys\) names 'loy9'"):
        cxkit.reliability(REVERSED, SAT_LOY, check_keys=["loy9"])
    with pytest.raises(SpecificationError, match="check_keys='loy3' is not accepted"):
        cxkit.reliability(REVERSED, SAT_LOY, check_keys="loy3")


# --- reachable from the command line ------------------------------------------------------------
def test_cli_reliability_check_keys_and_omega_h(tmp_path, capsys):
    from cxkit.cli import main

    path = tmp_path / "ecsi-loy3-unrecoded.csv"
    ECSI.assign(loy3=10 - ECSI["loy3"]).to_csv(path, index=False)
    assert main(["reliability", str(path), "-i", "ecsi@1.0.0"]) == 0
    cap = capsys.readouterr()
    assert "ω (model)" in cap.out
    assert "warning: construct 'LOY': item loy3 correlates negatively" in cap.err
    assert main(["reliability", str(path), "-i", "ecsi@1.0.0", "--check-keys"]) == 0
    cap = capsys.readouterr()
    assert "LOY: reversed (min + max) - x as psych::alpha(check.keys): loy3" in cap.out
    assert "correlates negatively" not in cap.err
    assert main(["reliability", str(path), "-i", "ecsi@1.0.0", "--check-keys", "loy3"]) == 0
    assert "correlates negatively" not in capsys.readouterr().err
    args = ["reliability", "--dataset", "satisfaction", "--omega-h", "--group-factors", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    ref = pd.read_csv(CASE / "omega.csv").query("case == 'ecsi'").set_index("measure")["value"]
    assert f"omega_h = {ref['omega_h']:.3f}; omega total = {ref['omega_tot']:.3f}" in out
    assert main(["reliability", "--dataset", "satisfaction", "--check-keys", "loy9"]) == 2
    assert "check_keys (--check-keys) names 'loy9'" in capsys.readouterr().err
    assert main(["reliability", "--dataset", "satisfaction", "--group-factors", "3"]) == 2
    assert "--group-factors sets the group factors of --omega-h" in capsys.readouterr().err


def test_cli_sem_residual_summary_and_reliability(capsys):
    from cxkit.cli import main

    args = ["sem", "--dataset", "online-cx-demo", "--model", "second_order"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cxkit.errors.ModelWarning)
        assert main([*args, "--residual-summary", "--reliability"]) == 0
    out = capsys.readouterr().out
    assert "usrmr_closefit_pvalue" in out and "crmr_se" in out
    assert "omega_model" in out and "semTools::reliabilityL2): omega_L1" in out


# --- ordinal (WLSMV) fits: ord.scale ------------------------------------------------------------
@pytest.fixture(scope="module")
def bfi_fit():
    b = pd.read_csv(REFERENCE / "ordinal_bfi" / "data.csv")
    for v in ("A1", "C4", "C5"):
        b[v] = 7 - b[v]
    model = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
    return _fit(model, b, ordered=True, estimator="WLSMV")


@pytest.mark.parametrize("obs_var", [True, False])
@pytest.mark.parametrize("tau_eq", [False, True])
@pytest.mark.parametrize("ord_scale", [True, False])
def test_composite_reliability_of_ordinal_fit_matches_comprelsem(
    bfi_fit, obs_var, tau_eq, ord_scale
):
    """compRelSEM(WLSMV fit, ord.scale = TRUE): Green & Yang's categorical ω (reached 6.0e-8; the
    WLSMV estimates agree to 1e-6), α of the item codes (1e-15); ord.scale = FALSE (4.9e-8)."""
    ref = pd.read_csv(CASE / "comprelsem_ordinal.csv")
    ref = ref[
        (ref["obs_var"] == obs_var) & (ref["tau_eq"] == tau_eq) & (ref["ord_scale"] == ord_scale)
    ].set_index("construct")["value"]
    got = cxkit.composite_reliability(bfi_fit, obs_var=obs_var, tau_eq=tau_eq, ord_scale=ord_scale)
    np.testing.assert_allclose(got[ref.index], ref, atol=3e-7, rtol=0)
    with pytest.raises(SpecificationError, match="pass ord_scale=False"):
        cxkit.composite_reliability(bfi_fit, return_total=True)


def test_study_report_lists_the_check_keys_warning(tmp_path):
    """An item the instrument reverse-keys but the data already hold recoded (reversed twice)."""
    from cxkit.study import analyze

    demo = cxkit.datasets.load_dataset("online-cx-demo")
    ins = cxkit.load_instrument(demo.attrs["instrument"])
    twice = demo.assign(OE4=8 - demo["OE4"])
    st = analyze(twice, ins, "direct", n_boot=0, progress=False)
    hits = [w for w in st.warnings if "item OE4 correlates negatively" in w]
    assert len(hits) == 1 and "construct 'OE'" in hits[0]
    page = (st.write(tmp_path, formats=("html",)) / "report.html").read_text(encoding="utf-8")
    assert "ω (model)" in page and "item OE4 correlates negatively" in page
