"""The SmartPLS-style PLS-SEM report: the tables a thesis chapter shows, with their cut-offs, a
hypothesis table and a methods paragraph, in English or Indonesian.

Cut-offs (Hair, Hult, Ringle & Sarstedt 2022, *A Primer on PLS-SEM*, 3rd ed.): outer loadings
≥ .70; α, ρA, ρC ≥ .70; AVE ≥ .50; HTMT < .90; Fornell–Larcker √AVE above the construct
correlations; VIF < 5 (ideally < 3); f² .02 / .15 / .35; a hypothesis is supported when p < .05
and its percentile CI excludes 0.

Examples
--------
>>> import cxkit
>>> from cxkit.datasets import load_dataset
>>> ins = cxkit.load_instrument("online-cx@2.0.0")
>>> fit = cxkit.fit_pls(cxkit.models.direct(ins), load_dataset("online-cx-demo"), constructs=ins)
>>> tables = pls_tables(fit.bootstrap(200, seed=1))
>>> [t.title for t in tables][:3]
['Outer loadings', 'Reliability and convergent validity', 'Discriminant validity: HTMT']
>>> tables[-2].data.columns.tolist()
['Path', 'β', 't', 'p', '95% CI', 'f²', 'Decision']
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit._params import check_option
from cxkit.errors import RenderError, SpecificationError
from cxkit.report.apa import ApaTable, apa_number
from cxkit.report.content import (
    _ci,
    _f,
    _frame,
    _mediation,
    _n,
    _named,
    _p,
    _pct,
    _pt,
    _stars,
    _table,
    _Text,
    construct_name,
    hypothesis_rule,
)

TEXT = {
    "en": {
        "title": "PLS-SEM results",
        "loadings": "Outer loadings",
        "reliability": "Reliability and convergent validity",
        "htmt": "Discriminant validity: HTMT",
        "fl": "Discriminant validity: Fornell–Larcker criterion",
        "vif": "Collinearity of the structural model (inner VIF)",
        "r2": "Coefficient of determination",
        "hyp": "Hypothesis tests (bootstrap)",
        "ind": "Indirect effects (bootstrap)",
        "supported": "supported",
        "not": "not supported",
        "methods": "Method",
    },
    "id": {
        "title": "Hasil PLS-SEM",
        "loadings": "Outer loading",
        "reliability": "Reliabilitas dan validitas konvergen",
        "htmt": "Validitas diskriminan: HTMT",
        "fl": "Validitas diskriminan: kriteria Fornell–Larcker",
        "vif": "Kolinearitas model struktural (inner VIF)",
        "r2": "Koefisien determinasi",
        "hyp": "Uji hipotesis (bootstrap)",
        "ind": "Efek tidak langsung (bootstrap)",
        "supported": "diterima",
        "not": "ditolak",
        "methods": "Metode",
    },
}


def _b(x) -> str:
    return apa_number(x, 3, bounded=True)


def _triangle(frame: pd.DataFrame, diagonal: bool) -> pd.DataFrame:
    """The lower triangle of a construct × construct table, APA-formatted (upper cells blank)."""
    k = len(frame)
    cells = [
        [_b(frame.iloc[i, j]) if j < i or (diagonal and j == i) else "" for j in range(k)]
        for i in range(k)
    ]
    return pd.DataFrame(cells, index=frame.index.rename("Construct"), columns=frame.columns)


def pls_tables(fit, lang: str = "en") -> list[ApaTable]:
    """The report's tables (APA style) from a :class:`~cxkit.pls.PLSResult`, bootstrapped or not."""
    check_option("lang", lang, tuple(TEXT))
    t = TEXT[lang]
    out = []
    lo = fit.outer.copy()
    lo["ok"] = lo.loading >= 0.70
    data = pd.DataFrame(
        {
            "Construct": lo.construct,
            "Loading": [_b(v) for v in lo.loading],
            "Weight": [_b(v) for v in lo.weight],
            "≥ .70": ["✓" if v else "✗" for v in lo.ok],
        }
    ).set_index(lo.item.rename("Item"))
    out.append(
        ApaTable(
            data,
            t["loadings"],
            "Cut-off: loadings ≥ .70 (.40–.70 kept unless removal raises ρC or AVE).",
        )
    )
    rel = fit.reliability
    data = pd.DataFrame(
        {
            "α": [_b(v) for v in rel.alpha],
            "ρA": [_b(v) for v in rel.rho_a],
            "ρC": [_b(v) for v in rel.rho_c],
            "AVE": [_b(v) for v in rel.ave],
        },
        index=rel.index.rename("Construct"),
    )
    out.append(
        ApaTable(
            data,
            t["reliability"],
            "α = Cronbach's alpha (standardised); cut-offs: α, ρA, ρC ≥ .70; AVE ≥ .50.",
        )
    )
    out.append(
        ApaTable(_triangle(fit.htmt, False), t["htmt"], "Cut-off: HTMT < .90 (< .85 strict).")
    )
    out.append(
        ApaTable(
            _triangle(fit.fornell_larcker, True),
            t["fl"],
            "Diagonal: √AVE; it should exceed every correlation in its row and column.",
        )
    )
    vif = fit.vif_inner
    out.append(
        ApaTable(
            pd.DataFrame(
                {"VIF": [apa_number(v, 2) for v in vif.vif]},
                index=pd.Index(vif.rhs + " → " + vif.lhs, name="Path"),
            ),
            t["vif"],
            "Cut-off: VIF < 5 (ideally < 3).",
        )
    )
    out.append(
        ApaTable(
            pd.DataFrame(
                {
                    "R²": [_b(v) for v in fit.r_squared],
                    "R² adj.": [_b(v) for v in fit.r_squared_adj],
                },
                index=fit.r_squared.index.rename("Construct"),
            ),
            t["r2"],
            "R² of .75 / .50 / .25: substantial, moderate, weak.",
        )
    )
    if "se" in fit.paths:
        f2 = fit.f_squared().set_index(["lhs", "rhs"]).f2
        p = fit.paths
        ok = (p.pvalue < 0.05) & ((p.ci_low > 0) | (p.ci_high < 0))
        data = pd.DataFrame(
            {
                "Path": (p.rhs + " → " + p.lhs).to_numpy(),
                "β": [_b(v) for v in p.est],
                "t": [apa_number(v, 2) for v in p.t],
                "p": [_p(v) for v in p.pvalue],
                "95% CI": [f"[{_b(a)}, {_b(b)}]" for a, b in zip(p.ci_low, p.ci_high, strict=True)],
                "f²": [apa_number(f2[(a, b)], 3) for a, b in zip(p.lhs, p.rhs, strict=True)],
                "Decision": [t["supported"] if v else t["not"] for v in ok],
            },
            index=pd.Index([f"H{k + 1}" for k in range(len(p))], name="H"),
        )
        b = fit.provenance["bootstrap"]
        out.append(
            ApaTable(
                data,
                t["hyp"],
                f"{b['n']} bootstrap resamples, {b['ci']} CI; supported when p < .05 and the CI "
                "excludes 0. f² .02 / .15 / .35: small, medium, large.",
            )
        )
        s = fit.specific_indirect
        out.append(
            ApaTable(
                pd.DataFrame(
                    {
                        "β": [_b(v) for v in s.est],
                        "t": [apa_number(v, 2) for v in s.est / s.se],
                        "p": [_p(v) for v in s.pvalue],
                        "95% CI": [
                            f"[{_b(a)}, {_b(b)}]" for a, b in zip(s.ci_low, s.ci_high, strict=True)
                        ],
                    },
                    index=s.path.rename("Path"),
                ),
                t["ind"],
                "Specific indirect effects: products of the paths along each chain.",
            )
        )
    return out


def methods_paragraph(fit, lang: str = "en") -> str:
    """A methods paragraph naming the algorithm and its settings."""
    check_option("lang", lang, tuple(TEXT))
    pv = fit.provenance
    b = pv.get("bootstrap")
    if lang == "id":
        text = (
            f"Model dianalisis dengan PLS-SEM ({pv['method']}; cxkit {pv['cxkit']}), skema bobot "
            f"inner '{pv['scheme']}', data distandardisasi, iterasi berhenti saat perubahan bobot "
            f"< {pv['tol']:g} (maksimum {pv['max_iter']} iterasi; konvergen dalam {pv['iterations']} "
            f"iterasi), n = {pv['n']}."
        )
        if b:
            sign = {
                None: "tanpa perubahan tanda",
                "individual": "perubahan tanda individual",
                "construct": "perubahan tanda tingkat konstruk",
            }[b["sign_change"]]
            text += (
                f" Signifikansi diuji dengan bootstrap {b['n']} sampel ulang (interval {b['ci']} "
                f"{round(100 * b['level'])}%, {sign}, seed {b['seed']}); {b['not_converged']} sampel ulang tidak konvergen."
            )
        return text
    text = (
        f"The model was estimated by PLS-SEM ({pv['method']}; cxkit {pv['cxkit']}) with the "
        f"{pv['scheme']} inner weighting scheme on standardised indicators; the algorithm stopped "
        f"when the change of the weights fell below {pv['tol']:g} (at most {pv['max_iter']} "
        f"iterations; it converged in {pv['iterations']}), n = {pv['n']}."
    )
    if b:
        sign = {
            None: "no sign change",
            "individual": "individual sign change",
            "construct": "construct-level sign change",
        }[b["sign_change"]]
        text += (
            f" Significance was assessed with {b['n']} bootstrap resamples ({b['ci']} "
            f"{round(100 * b['level'])}% intervals, {sign}, seed {b['seed']}); "
            f"{b['not_converged']} resamples did not converge."
        )
    return text


def write_pls_report(fit, path, lang: str = "en") -> Path:
    """Write the report as one HTML file (written atomically; an existing file is replaced)."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise SpecificationError(f"the report path {str(path)!r} must end in .html")
    t = TEXT[lang] if lang in TEXT else TEXT["en"]
    body = [
        f"<h1>{html.escape(t['title'])}</h1>",
        f"<h2>{html.escape(t['methods'])}</h2>",
        f"<p>{html.escape(methods_paragraph(fit, lang))}</p>",
    ]
    body += [tab._repr_html_() for tab in pls_tables(fit, lang)]
    doc = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(t["title"])}</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
        "thead{border-top:1px solid;border-bottom:1px solid}tbody{border-bottom:1px solid}"
        "caption{text-align:left;font-style:italic}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(doc, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise RenderError(f"cannot write the report ({exc.strerror})", file=str(path)) from None
    return path


# -- the study report (cxkit analyze --approach pls) ------------------------------------------------
#: Cut-offs of the PLS study report (Hair, Hult, Ringle & Sarstedt 2022; Henseler et al. 2015)
CUTOFFS = {"loading": 0.708, "reliability": 0.70, "ave": 0.50, "htmt": 0.90, "vif": 5.0}


#: R² bands (Hair et al. 2022) and f² bands (Cohen 1988): (lower bound, English, Indonesian)
R2_BANDS = (
    (0.75, "substantial", "kuat"),
    (0.50, "moderate", "moderat"),
    (0.25, "weak", "lemah"),
    (-np.inf, "very weak", "sangat lemah"),
)
F2_BANDS = (
    (0.35, "large", "besar"),
    (0.15, "medium", "sedang"),
    (0.02, "small", "kecil"),
    (-np.inf, "none", "tidak ada"),
)


def _band(value: float, bands, t) -> str:
    """The word of the first band whose lower bound ``value`` reaches, in the report language."""
    return next(t(en, id_) for lo, en, id_ in bands if value >= lo)


def _holds(failing: list[str], what: tuple[str, str], t) -> str:
    """ "holds for every construct." or "fails for A, B." in the report language."""
    if not failing:
        return t(f"holds for every {what[0]}.", f"terpenuhi untuk semua {what[1]}.")
    return t("fails for ", "tidak terpenuhi untuk ") + ", ".join(failing) + "."


def _ok(flag: bool, t) -> str:
    return "✓" if flag else "✗"


def _inference(fit, quantity: str) -> pd.DataFrame:
    """Bootstrap rows of one quantity (empty without a bootstrap)."""
    if fit.inference is None:
        return pd.DataFrame(columns=["lhs", "rhs", "est", "mean", "se", "t", "pvalue"])
    return fit.inference[fit.inference.quantity == quantity]


def _measurement(study, t, out, num, seen):
    fit, s = study.pls, study.settings
    n = s["n_model"]
    out.append(("h1", f"{num}. " + t("Measurement model (PLS-SEM)", "Model pengukuran (PLS-SEM)")))
    blocks = [b for b in fit.spec.blocks if not b.components]
    mode = {
        "A": t("reflective (Mode A)", "reflektif (Mode A)"),
        "B": t("formative (Mode B)", "formatif (Mode B)"),
    }
    out.append(
        _table(
            t("Constructs and their indicators", "Konstruk dan indikatornya"),
            _frame(
                {
                    t("construct", "konstruk"): [construct_name(study, b.name) for b in blocks],
                    t("measurement", "pengukuran"): [mode[b.mode] for b in blocks],
                    t("indicators", "indikator"): [", ".join(b.items) for b in blocks],
                },
                index=pd.Index([b.name for b in blocks], name=t("abbreviation", "singkatan")),
            ),
            "",
            "constructs",
        )
    )
    # outer loadings
    lo = fit.outer[fit.outer.construct.isin([b.name for b in blocks])]
    li = _inference(fit, "loading").set_index(["lhs", "rhs"])
    cut = CUTOFFS["loading"]
    low = lo[lo.loading < cut]
    boot = fit.inference is not None
    cols = {
        t("construct", "konstruk"): lo.construct,
        t("outer loading", "outer loading"): lo.loading.map(_n),
    }
    if boot:
        cols["t"] = [_f(li.loc[(c, i), "t"]) for c, i in zip(lo.construct, lo.item, strict=True)]
        cols["p"] = [
            _p(li.loc[(c, i), "pvalue"]) for c, i in zip(lo.construct, lo.item, strict=True)
        ]
    cols[t("weight", "bobot")] = lo.weight.map(_n)
    cols["≥ .708"] = [_ok(v >= cut, t) for v in lo.loading]
    out.append(
        (
            "p",
            t(
                f"Outer loadings range from {_n(lo.loading.min())} to {_n(lo.loading.max())}; "
                + (
                    "every loading reaches .708, so each construct explains at least half of its indicators' variance."
                    if not len(low)
                    else f"below .708: {', '.join(low.item)} — keep an indicator between .40 and .708 unless dropping it (--drop-items) raises ρC or AVE above its cut-off; drop it below .40."
                ),
                f"Outer loading berkisar {_n(lo.loading.min())} sampai {_n(lo.loading.max())}; "
                + (
                    "semua loading mencapai .708, sehingga setiap konstruk menjelaskan sedikitnya separuh varians indikatornya."
                    if not len(low)
                    else f"di bawah .708: {', '.join(low.item)} — indikator antara .40 dan .708 dipertahankan kecuali penghapusannya (--drop-items) menaikkan ρC atau AVE melewati batasnya; di bawah .40 dihapus."
                ),
            ),
        )
    )
    out.append(
        _table(
            t("Outer loadings", "Outer loading"),
            _frame(cols, index=pd.Index(lo.item, name=t("indicator", "indikator"))),
            t(
                "Cut-off: outer loading ≥ .708 (Hair et al., 2022)"
                + ("; t and p from the bootstrap." if boot else "."),
                "Batas: outer loading ≥ .708 (Hair dkk., 2022)"
                + ("; t dan p dari bootstrap." if boot else "."),
            ),
            "outer_loadings",
            n=n,
        )
    )
    # reliability and convergent validity
    rel = fit.reliability.loc[[b.name for b in blocks]]
    refl = rel[rel["mode"] == "A"]
    r_ok = (refl.alpha >= 0.7) & (refl.rho_a >= 0.7) & (refl.rho_c >= 0.7) & (refl.ave >= 0.5)
    named = ", ".join(_named(study, c, seen) for c in rel.index)
    out.append(
        (
            "p",
            t(
                f"The constructs are {named}. Cronbach's α ranges from {_n(refl.alpha.min())} to {_n(refl.alpha.max())}, ρA from {_n(refl.rho_a.min())} to {_n(refl.rho_a.max())}, ρC from {_n(refl.rho_c.min())} to {_n(refl.rho_c.max())} and AVE from {_n(refl.ave.min())} to {_n(refl.ave.max())}; "
                f"{int(r_ok.sum())} of {len(refl)} reflective constructs meet α, ρA, ρC ≥ .70 and AVE ≥ .50.",
                f"Konstruk penelitian ini adalah {named}. Cronbach's α berkisar {_n(refl.alpha.min())} sampai {_n(refl.alpha.max())}, ρA {_n(refl.rho_a.min())} sampai {_n(refl.rho_a.max())}, ρC {_n(refl.rho_c.min())} sampai {_n(refl.rho_c.max())} dan AVE {_n(refl.ave.min())} sampai {_n(refl.ave.max())}; "
                f"{int(r_ok.sum())} dari {len(refl)} konstruk reflektif memenuhi α, ρA, ρC ≥ .70 dan AVE ≥ .50.",
            ),
        )
    )
    out.append(
        _table(
            t("Reliability and convergent validity", "Reliabilitas dan validitas konvergen"),
            _frame(
                {
                    "k": rel.n_items.astype(int).astype(str),
                    "α": rel.alpha.map(_n),
                    "ρA": rel.rho_a.map(_n),
                    "ρC": rel.rho_c.map(_n),
                    "AVE": rel.ave.map(_n),
                    t("meets", "memenuhi"): [
                        "—"
                        if m == "B"
                        else _ok(a >= 0.7 and ra >= 0.7 and rc >= 0.7 and v >= 0.5, t)
                        for m, a, ra, rc, v in zip(
                            rel["mode"], rel.alpha, rel.rho_a, rel.rho_c, rel.ave, strict=True
                        )
                    ],
                },
                index=pd.Index(rel.index, name=t("construct", "konstruk")),
            ),
            t(
                "k = indicators; α = Cronbach's alpha (standardised, as SmartPLS); ρA = Dijkstra–Henseler's rho; ρC = composite reliability; AVE = average variance extracted. Cut-offs: α, ρA, ρC ≥ .70 (above .95 suggests redundant items); AVE ≥ .50. Formative constructs (—) are not assessed this way.",
                "k = jumlah indikator; α = Cronbach's alpha (terstandar, seperti SmartPLS); ρA = rho Dijkstra–Henseler; ρC = composite reliability; AVE = average variance extracted. Batas: α, ρA, ρC ≥ .70 (di atas .95 menandakan butir redundan); AVE ≥ .50. Konstruk formatif (—) tidak dinilai dengan cara ini.",
            ),
            "pls_reliability",
            n=n,
        )
    )
    if len(blocks) < 2:
        return
    # discriminant validity: HTMT, its bootstrap, Fornell-Larcker, cross-loadings
    names = [b.name for b in blocks]
    ht = fit.htmt.loc[names, names]
    low_tri = [(names[i], names[j]) for i in range(len(names)) for j in range(i)]
    worst = max(low_tri, key=lambda ab: ht.loc[ab])
    high = [f"{a}–{b}" for a, b in low_tri if ht.loc[a, b] >= CUTOFFS["htmt"]]
    out.append(
        (
            "p",
            t(
                f"The largest HTMT is {_n(ht.loc[worst])} ({worst[1]}–{worst[0]}); "
                + (
                    "every HTMT is below .90, so the constructs are empirically distinct (Henseler, Ringle & Sarstedt, 2015)."
                    if not high
                    else f"at or above .90: {', '.join(high)} — these constructs are not clearly distinct."
                ),
                f"HTMT terbesar {_n(ht.loc[worst])} ({worst[1]}–{worst[0]}); "
                + (
                    "semua HTMT di bawah .90, sehingga konstruk berbeda secara empiris (Henseler, Ringle & Sarstedt, 2015)."
                    if not high
                    else f"mencapai .90 atau lebih: {', '.join(high)} — konstruk ini tidak jelas berbeda."
                ),
            ),
        )
    )
    out.append(
        ("figure", "htmt", t("HTMT ratios (lower triangle).", "Rasio HTMT (segitiga bawah)."))
    )
    out.append(
        _table(
            t("Discriminant validity: HTMT", "Validitas diskriminan: HTMT"),
            _triangle(ht, False).rename_axis(t("construct", "konstruk")),
            t(
                "Heterotrait–monotrait ratio of correlations; cut-off HTMT < .90 (< .85 for conceptually distinct constructs).",
                "Rasio korelasi heterotrait–monotrait; batas HTMT < .90 (< .85 untuk konstruk yang berbeda secara konseptual).",
            ),
            "htmt",
            n=n,
        )
    )
    hi = fit.htmt_inference
    if hi is not None and len(hi):
        hb = _inference(fit, "htmt").set_index(["lhs", "rhs"])
        keep = hi[hi.construct_1.isin(names) & hi.construct_2.isin(names)]
        b = fit.provenance["bootstrap"]
        out.append(
            _table(
                t(
                    "HTMT with bootstrap confidence intervals",
                    "HTMT dengan interval kepercayaan bootstrap",
                ),
                _frame(
                    {
                        "HTMT": keep.htmt.map(_n),
                        t("95% CI", "IK 95%"): [
                            _ci(hb.loc[(a, c), "ci_low"], hb.loc[(a, c), "ci_high"])
                            for a, c in zip(keep.construct_1, keep.construct_2, strict=True)
                        ],
                        t("upper 95% bound", "batas atas 95%"): keep.ci_upper.map(_n),
                        # no resample at .90: p is below 1/B, not zero
                        "p (HTMT ≥ .90)": [
                            _p(v) if v > 0 else "< " + apa_number(1 / b["n"], 3, bounded=True)
                            for v in keep.pvalue_vs_090
                        ],
                        "< .90": [_ok(v < CUTOFFS["htmt"], t) for v in keep.ci_upper],
                    },
                    index=pd.Index(
                        [
                            f"{c} – {a}"
                            for a, c in zip(keep.construct_1, keep.construct_2, strict=True)
                        ],
                        name=t("pair", "pasangan"),
                    ),
                ),
                t(
                    f"{b['n']} bootstrap resamples: two-sided percentile 95% CI; the one-sided upper 95% bound should stay below .90 (SmartPLS's HTMT inference); p = share of resamples with HTMT ≥ .90.",
                    f"{b['n']} sampel ulang bootstrap: IK persentil 95% dua arah; batas atas satu arah 95% seharusnya di bawah .90 (inferensi HTMT SmartPLS); p = proporsi sampel ulang dengan HTMT ≥ .90.",
                ),
                "htmt_bootstrap",
                n=n,
            )
        )
    fl = fit.fornell_larcker.loc[names, names]
    fl_fail = [
        c
        for k, c in enumerate(names)
        if rel.loc[c, "mode"] == "A"
        and any(
            abs(fl.iloc[k, j]) >= fl.iloc[k, k] or abs(fl.iloc[j, k]) >= fl.iloc[k, k]
            for j in range(len(names))
            if j != k
        )
    ]
    out.append(
        _table(
            t(
                "Discriminant validity: Fornell–Larcker criterion",
                "Validitas diskriminan: kriteria Fornell–Larcker",
            ),
            _triangle(fl, True).rename_axis(t("construct", "konstruk")),
            t(
                "Diagonal: √AVE; below it the construct correlations. Each √AVE should exceed the correlations in its row and column: ",
                "Diagonal: √AVE; di bawahnya korelasi antarkonstruk. Setiap √AVE seharusnya melebihi korelasi pada baris dan kolomnya: ",
            )
            + _holds(fl_fail, ("construct", "konstruk"), t),
            "fornell_larcker",
            n=n,
        )
    )
    cl = fit.cross_loadings.loc[list(lo.item), names]
    own = dict(zip(lo.item, lo.construct, strict=True))
    not_own = [i for i in cl.index if cl.loc[i].abs().idxmax() != own[i]]
    tab = cl.map(_n)
    tab.insert(0, t("construct", "konstruk"), [own[i] for i in cl.index])
    out.append(
        _table(
            t("Cross-loadings", "Cross-loading"),
            tab.rename_axis(t("indicator", "indikator")),
            t(
                "Correlation of each indicator with each construct's PLS score; an indicator should load highest on its own construct: ",
                "Korelasi setiap indikator dengan skor PLS setiap konstruk; indikator seharusnya memuat paling tinggi pada konstruknya sendiri: ",
            )
            + _holds(not_own, ("indicator", "indikator"), t),
            "cross_loadings",
            n=n,
        )
    )
    vo = fit.vif_outer[fit.vif_outer.construct.isin(names)]
    out.append(
        _table(
            t("Collinearity of the indicators (outer VIF)", "Kolinearitas indikator (outer VIF)"),
            _frame(
                {
                    t("construct", "konstruk"): vo.construct,
                    "VIF": vo.vif.map(_f),
                    "< 5": [_ok(v < CUTOFFS["vif"], t) for v in vo.vif],
                },
                index=pd.Index(vo.item, name=t("indicator", "indikator")),
            ),
            t(
                "VIF of each indicator on the others of its block; cut-off < 5 (ideally < 3), decisive for formative blocks.",
                "VIF setiap indikator terhadap indikator lain dalam bloknya; batas < 5 (idealnya < 3), menentukan untuk blok formatif.",
            ),
            "vif_outer",
            n=n,
        )
    )


def _structural(study, t, out, num, seen):
    fit, s = study.pls, study.settings
    n = s["n_model"]
    model = s["model"].replace("_", "-")
    boot = fit.inference is not None
    b = fit.provenance.get("bootstrap")
    out.append(("h1", f"{num}. " + t("Structural model (PLS-SEM)", "Model struktural (PLS-SEM)")))
    out.append(
        (
            "figure",
            "path",
            t(
                f"The {model} model: path coefficients on their arrows (* p < .05, ** p < .01, *** p < .001, bootstrap) and R².",
                f"Model {model}: koefisien jalur pada panahnya (* p < .05, ** p < .01, *** p < .001, bootstrap) dan R².",
            ),
        )
    )
    out.append(
        (
            "figure",
            "path_full",
            t(
                f"The {model} model with its indicators and outer loadings.",
                f"Model {model} dengan indikator dan outer loading-nya.",
            ),
        )
    )
    higher = fit.higher_order_paths()
    pth = fit.paths[
        [(a, c) not in higher for a, c in zip(fit.paths.lhs, fit.paths.rhs, strict=True)]
    ]
    vi = fit.vif_inner.set_index(["lhs", "rhs"])
    out.append(
        ("h2", t("Collinearity and explained variance", "Kolinearitas dan varians yang dijelaskan"))
    )
    vif = [vi.loc[(a, c), "vif"] for a, c in zip(pth.lhs, pth.rhs, strict=True)]
    out.append(
        _table(
            t("Collinearity of the predictors (inner VIF)", "Kolinearitas prediktor (inner VIF)"),
            _frame(
                {"VIF": [_f(v) for v in vif], "< 5": [_ok(v < CUTOFFS["vif"], t) for v in vif]},
                index=pd.Index(list(pth.rhs + " → " + pth.lhs), name=t("path", "jalur")),
            ),
            t("Cut-off: VIF < 5 (ideally < 3).", "Batas: VIF < 5 (idealnya < 3)."),
            "vif_inner",
            n=n,
        )
    )
    outcomes = [c for c in fit.r_squared.index if any(pth.lhs == c)]
    r2, r2a = fit.r_squared[outcomes], fit.r_squared_adj[outcomes]
    r2b = _inference(fit, "r_squared").set_index("lhs")

    cols = {"R²": r2.map(_n), t("R² adj.", "R² adj."): r2a.map(_n)}
    if boot:
        cols[t("95% CI", "IK 95%")] = [
            _ci(r2b.loc[c, "ci_low"], r2b.loc[c, "ci_high"]) for c in outcomes
        ]
    cols[t("strength", "kekuatan")] = [_band(v, R2_BANDS, t) for v in r2]
    pred = study.pls_predict
    if pred is not None:
        q2 = pred.groupby("construct").pls_q2_predict
        cols[t("Q²predict (range)", "Q²predict (rentang)")] = [
            f"[{_f(q2.min()[c], 3)}, {_f(q2.max()[c], 3)}]" if c in q2.groups else "—"
            for c in outcomes
        ]
    out.append(
        (
            "p",
            t(
                "The predictors explain "
                + "; ".join(
                    f"{_pct(100 * r2[c])} of {_named(study, c, seen)} (R² adj. {_n(r2a[c])})"
                    for c in outcomes
                )
                + ".",
                "Prediktor menjelaskan "
                + "; ".join(
                    f"{_pct(100 * r2[c])} varians {_named(study, c, seen)} (R² adj. {_n(r2a[c])})"
                    for c in outcomes
                )
                + ".",
            ),
        )
    )
    out.append(
        _table(
            t("Coefficient of determination", "Koefisien determinasi"),
            _frame(cols, index=pd.Index(outcomes, name=t("construct", "konstruk"))),
            t(
                "R² of .75 / .50 / .25: substantial, moderate, weak (Hair et al., 2022); Q²predict > 0: the model predicts the construct's indicators better than their training-sample means.",
                "R² sebesar .75 / .50 / .25: kuat, moderat, lemah (Hair dkk., 2022); Q²predict > 0: model memprediksi indikator konstruk lebih baik daripada rerata sampel latih.",
            ),
            "r_squared",
            n=n,
        )
    )
    f2 = fit.f_squared().set_index(["lhs", "rhs"]).f2
    f2v = [f2[(a, c)] for a, c in zip(pth.lhs, pth.rhs, strict=True)]

    out.append(
        _table(
            t("Effect sizes (f²)", "Ukuran efek (f²)"),
            _frame(
                {
                    "f²": [_f(v, 3) for v in f2v],
                    t("effect size", "ukuran efek"): [_band(v, F2_BANDS, t) for v in f2v],
                },
                index=pd.Index(list(pth.rhs + " → " + pth.lhs), name=t("path", "jalur")),
            ),
            t(
                "f² = (R²included − R²excluded) / (1 − R²included), from the construct correlations (cSEM, ADANCO); .02 / .15 / .35: small, medium, large (Cohen, 1988).",
                "f² = (R²included − R²excluded) / (1 − R²included), dari korelasi antarkonstruk (cSEM, ADANCO); .02 / .15 / .35: kecil, sedang, besar (Cohen, 1988).",
            ),
            "f_squared",
            n=n,
        )
    )
    if pred is not None:
        better = pred.pls_rmse < pred.lm_rmse
        pa = pred.attrs
        out.append(
            (
                "p",
                t(
                    f"PLSpredict ({pa['folds']}-fold cross-validation, {pa['repetitions']} repetitions): Q²predict is above zero for {int((pred.pls_q2_predict > 0).sum())} of {len(pred)} indicators, and the PLS model's RMSE is below the linear benchmark's for {int(better.sum())} of them — "
                    + (
                        "high"
                        if better.all()
                        else "medium"
                        if better.mean() > 0.5
                        else "low"
                        if better.any()
                        else "no"
                    )
                    + " predictive power (Shmueli et al., 2019).",
                    f"PLSpredict (validasi silang {pa['folds']} lipatan, {pa['repetitions']} pengulangan): Q²predict di atas nol untuk {int((pred.pls_q2_predict > 0).sum())} dari {len(pred)} indikator, dan RMSE model PLS di bawah RMSE pembanding linear untuk {int(better.sum())} di antaranya — daya prediksi "
                    + (
                        "tinggi"
                        if better.all()
                        else "sedang"
                        if better.mean() > 0.5
                        else "rendah"
                        if better.any()
                        else "tidak ada"
                    )
                    + " (Shmueli dkk., 2019).",
                ),
            )
        )
        out.append(
            _table(
                t("Out-of-sample prediction (PLSpredict)", "Prediksi di luar sampel (PLSpredict)"),
                _frame(
                    {
                        t("construct", "konstruk"): pred.construct,
                        "Q²predict": pred.pls_q2_predict.map(lambda v: _f(v, 3)),
                        "RMSE PLS": pred.pls_rmse.map(lambda v: _f(v, 3)),
                        "RMSE LM": pred.lm_rmse.map(lambda v: _f(v, 3)),
                        "MAE PLS": pred.pls_mae.map(lambda v: _f(v, 3)),
                        "MAE LM": pred.lm_mae.map(lambda v: _f(v, 3)),
                        "PLS < LM": [_ok(v, t) for v in better],
                    },
                    index=pd.Index(pred.item, name=t("indicator", "indikator")),
                ),
                t(
                    "LM: a linear regression of each indicator on the exogenous constructs' indicators; errors pooled over the hold-out rows of every repetition.",
                    "LM: regresi linear setiap indikator pada indikator konstruk eksogen; galat digabung dari baris hold-out setiap pengulangan.",
                ),
                "pls_predict",
                n=n,
            )
        )
    cv = pred.attrs.get("cvpat") if pred is not None else None
    if cv is not None:
        ov = cv[cv.construct == "overall"].set_index("benchmark")
        beats = [b for b in ov.index if ov.loc[b, "diff"] < 0 and ov.loc[b, "pvalue"] < 0.05]
        out.append(
            _table(
                t(
                    "Cross-validated predictive ability test (CVPAT)",
                    "Uji kemampuan prediktif tervalidasi silang (CVPAT)",
                ),
                _frame(
                    {
                        t("benchmark", "pembanding"): [
                            {
                                "IA": t("indicator means (IA)", "rerata indikator (IA)"),
                                "LM": t("linear model (LM)", "model linear (LM)"),
                            }[b]
                            for b in cv.benchmark
                        ],
                        t("loss PLS", "loss PLS"): cv["loss"].map(_f3),
                        t("loss benchmark", "loss pembanding"): cv["loss_benchmark"].map(_f3),
                        t("difference", "selisih"): cv["diff"].map(_f3),
                        "t": cv["t"].map(_f),
                        "p": cv["pvalue"].map(_p),
                    },
                    index=pd.Index(
                        [
                            t("overall", "keseluruhan") if c == "overall" else c
                            for c in cv.construct
                        ],
                        name=t("construct", "konstruk"),
                    ),
                ),
                t(
                    "Average out-of-sample loss (squared prediction error) of the PLS model and of each benchmark; a negative difference with p < .05 means the PLS model predicts significantly better (Liengaard et al., 2021; two-sided, 2000 bootstrap resamples of the loss differences). "
                    + (
                        "It does so against: " + ", ".join(beats) + "."
                        if beats
                        else "It does not do so against either benchmark."
                    ),
                    "Rata-rata loss di luar sampel (kuadrat galat prediksi) model PLS dan setiap pembanding; selisih negatif dengan p < .05 berarti model PLS memprediksi lebih baik secara signifikan (Liengaard dkk., 2021; dua arah, 2000 sampel ulang bootstrap selisih loss). "
                    + (
                        "Terpenuhi terhadap: " + ", ".join(beats) + "."
                        if beats
                        else "Tidak terpenuhi terhadap kedua pembanding."
                    ),
                ),
                "cvpat",
                n=n,
            )
        )
    fi = fit.fit_indices
    out.append(("h2", t("Model fit", "Kecocokan model")))
    out.append(
        _table(
            t(
                "Model fit (saturated and estimated model)",
                "Kecocokan model (model jenuh dan model estimasi)",
            ),
            _frame(
                {
                    t("saturated", "jenuh"): [
                        _f(fi["srmr"], 3),
                        _f(fi["d_uls"], 3),
                        _f(fi["d_g"], 3),
                        _f(fi["d_ml"], 3),
                        _f(fi["nfi"], 3),
                    ],
                    t("estimated", "estimasi"): [
                        _f(fi["srmr_estimated"], 3),
                        _f(fi["d_uls_estimated"], 3),
                        _f(fi["d_g_estimated"], 3),
                        _f(fi["d_ml_estimated"], 3),
                        "—",
                    ],
                },
                index=pd.Index(["SRMR", "d_ULS", "d_G", "d_ML", "NFI"], name=t("index", "indeks")),
            ),
            t(
                "SRMR < .08 suggests good fit (Henseler et al., 2016); d_ULS, d_G (geodesic, base-10 logarithms as cSEM) and d_ML are discrepancies judged by their bootstrap distribution; PLS-SEM fit indices are approximate.",
                "SRMR < .08 menandakan kecocokan baik (Henseler dkk., 2016); d_ULS, d_G (geodesik, logaritma basis 10 seperti cSEM) dan d_ML adalah diskrepansi yang dinilai dengan distribusi bootstrapnya; indeks kecocokan PLS-SEM bersifat perkiraan.",
            ),
            "pls_fit",
            n=n,
        )
    )
    # path coefficients and hypotheses
    out.append(
        (
            "h2",
            t("Path coefficients and hypothesis tests", "Koefisien jalur dan pengujian hipotesis"),
        )
    )
    h = study.hypotheses
    rule = hypothesis_rule(t, b["n"] if boot else None)
    if boot:
        pb = _inference(fit, "path").set_index(["lhs", "rhs"])
        out.append(
            _table(
                t("Path coefficients (bootstrap)", "Koefisien jalur (bootstrap)"),
                _frame(
                    {
                        t("original (O)", "sampel asli (O)"): pth.est.map(_f3),
                        t("mean (M)", "rerata (M)"): [
                            _f3(pb.loc[(a, c), "mean"])
                            for a, c in zip(pth.lhs, pth.rhs, strict=True)
                        ],
                        "SD": pth.se.map(_f3),
                        "t": pth.t.map(_f),
                        "p": pth.pvalue.map(_p),
                        "2.5%": pth.ci_low.map(_f3),
                        "97.5%": pth.ci_high.map(_f3),
                    },
                    index=pd.Index(list(pth.rhs + " → " + pth.lhs), name=t("path", "jalur")),
                ),
                t(
                    f"{b['n']} bootstrap resamples ({b['ci']} intervals, sign change: {b['sign_change'] or 'none'}, seed {b['seed']}); t = O / SD, p two-sided.",
                    f"{b['n']} sampel ulang bootstrap (interval {b['ci']}, perubahan tanda: {b['sign_change'] or 'tidak ada'}, seed {b['seed']}); t = O / SD, p dua arah.",
                ),
                "paths",
                n=n,
            )
        )
    sentences = []
    for r in h.itertuples():
        a, c = _named(study, h.loc[r.Index, "from"], seen), _named(study, r.to, seen)
        verdict = t("supported", "diterima") if r.supported else t("not supported", "ditolak")
        sentences.append(
            f"{r.hypothesis} ({a} → {c}): β = {_n(r.beta)}, t = {_f(r.z)}, {_pt(r.pvalue)}"
            + (
                f", {t('95% CI', 'IK 95%')} {_ci(r.ci_low, r.ci_high)}"
                if np.isfinite(r.ci_low)
                else ""
            )
            + f"; {verdict}."
        )
    out.append(("p", rule + " " + " ".join(sentences)))
    hf = {(a, c): v for (a, c), v in f2.items()}
    out.append(
        _table(
            t("Hypothesis tests", "Hasil pengujian hipotesis"),
            _frame(
                {
                    t("path", "jalur"): h["path"],
                    "β": [
                        f"{_n(v)}{_stars(p)}" for v, p in zip(h["beta"], h["pvalue"], strict=True)
                    ],
                    "t": h["z"].map(_f),
                    "p": h["pvalue"].map(_p),
                    t("95% CI", "IK 95%"): [
                        _ci(lo_, hi_) for lo_, hi_ in zip(h["ci_low"], h["ci_high"], strict=True)
                    ],
                    "f²": [_f(hf[(c, a)], 3) for a, c in zip(h["from"], h["to"], strict=True)],
                    t("decision", "keputusan"): h["supported"].map(
                        lambda ok: (
                            t("supported", "diterima") if ok else t("not supported", "ditolak")
                        )
                    ),
                },
                index=pd.Index(h["hypothesis"], name=t("hypothesis", "hipotesis")),
            ),
            rule + t(" β: standardised path coefficient.", " β: koefisien jalur terstandar."),
            "hypotheses",
            n=n,
        )
    )
    # indirect effects
    e = study.effects
    ind = e[e["kind"] == "indirect"] if len(e) else e
    if len(ind):
        sp = fit.specific_indirect.set_index("path")
        tot = e[e["kind"] == "total"]
        sig = ind[~((ind["ci_low"] <= 0) & (ind["ci_high"] >= 0))]
        out.append(("h2", t("Indirect effects and mediation", "Efek tidak langsung dan mediasi")))
        out.append(
            (
                "p",
                t(
                    f"{len(sig)} of {len(ind)} specific indirect effects have a bootstrap interval that excludes zero"
                    + (
                        "".join(
                            f"; {r.effect} (β = {_n(r.beta)}, 95% CI {_ci(r.ci_low, r.ci_high)})"
                            for r in sig.itertuples()
                        )
                    )
                    + ". Mediation is full when the direct path is absent or not significant, partial when it is significant, none when no indirect effect is (Zhao, Lynch & Chen, 2010).",
                    f"{len(sig)} dari {len(ind)} efek tidak langsung spesifik memiliki interval bootstrap yang tidak memuat nol"
                    + (
                        "".join(
                            f"; {r.effect} (β = {_n(r.beta)}, IK 95% {_ci(r.ci_low, r.ci_high)})"
                            for r in sig.itertuples()
                        )
                    )
                    + ". Mediasi penuh bila jalur langsung tidak ada atau tidak signifikan, parsial bila signifikan, tidak ada bila tidak satu pun efek tidak langsung signifikan (Zhao, Lynch & Chen, 2010).",
                ),
            )
        )
        rows = []
        for r in ind.itertuples():
            rows.append(
                {
                    t("effect", "efek"): t("indirect", "tidak langsung"),
                    t("path", "jalur"): r.effect,
                    "β": _n(r.beta),
                    "t": _f(sp.loc[r.effect, "t"]) if r.effect in sp.index and "t" in sp else "—",
                    "p": _p(sp.loc[r.effect, "pvalue"])
                    if r.effect in sp.index and "pvalue" in sp
                    else "—",
                    t("95% CI", "IK 95%"): _ci(r.ci_low, r.ci_high),
                    t("mediation", "mediasi"): _mediation(
                        r.mediation if isinstance(r.mediation, str) else "", t
                    ),
                }
            )
        te = fit.effects.set_index(["from", "to"])
        for r in tot.itertuples():
            key = (tot.loc[r.Index, "from"], r.to)
            rows.append(
                {
                    t("effect", "efek"): t("total", "total"),
                    t("path", "jalur"): r.effect,
                    "β": _n(r.beta),
                    "t": _f(te.loc[key, "t"]) if "t" in te else "—",
                    "p": _p(te.loc[key, "pvalue"]) if "pvalue" in te else "—",
                    t("95% CI", "IK 95%"): _ci(r.ci_low, r.ci_high),
                    t("mediation", "mediasi"): _mediation(r.mediation, t),
                }
            )
        out.append(
            _table(
                t("Indirect and total effects", "Efek tidak langsung dan efek total"),
                pd.DataFrame(rows).set_index(t("effect", "efek")),
                t(
                    "Specific indirect effect = product of the paths along the chain; total = direct + indirect; percentile bootstrap 95% CI.",
                    "Efek tidak langsung spesifik = hasil kali jalur sepanjang rantai; total = langsung + tidak langsung; IK bootstrap persentil 95%.",
                ),
                "effects",
                n=n,
            )
        )


def _f3(v) -> str:
    return _f(v, 3)


#: The sections that replace the CB-SEM measurement and structural sections in the study report
SECTIONS = (_measurement, _structural)


def study_methods(study) -> str:
    """The methods paragraph of the PLS study report, in the report language."""
    s = study.settings
    lang = s.get("lang", "en")
    t = _Text(lang)
    ins = study.instrument
    fit = study.pls
    pred = study.pls_predict
    synth = (
        t(
            " The data are SYNTHETIC (simulated respondents), for demonstration only.",
            " Data ini SINTETIS (responden simulasi), hanya untuk demonstrasi.",
        )
        if s.get("synthetic")
        else ""
    )
    dropped = (
        t(
            f" The indicators {', '.join(s['drop'])} were removed (outer loading below .708) and the model re-estimated.",
            f" Indikator {', '.join(s['drop'])} dikeluarkan (outer loading di bawah .708) dan model diestimasi ulang.",
        )
        if s.get("drop")
        else ""
    )
    predict = (
        t(
            f" Out-of-sample predictive power was assessed with PLSpredict ({pred.attrs['folds']} folds, {pred.attrs['repetitions']} repetitions, seed {pred.attrs['seed']}; Shmueli et al., 2019) against a linear-model benchmark, and tested with CVPAT against the indicator means and the linear model (Liengaard et al., 2021).",
            f" Daya prediksi di luar sampel dinilai dengan PLSpredict ({pred.attrs['folds']} lipatan, {pred.attrs['repetitions']} pengulangan, seed {pred.attrs['seed']}; Shmueli dkk., 2019) dibandingkan dengan model linear, dan diuji dengan CVPAT terhadap rerata indikator dan model linear (Liengaard dkk., 2021).",
        )
        if pred is not None
        else ""
    )
    return (
        t(
            f"Data were collected with the questionnaire {ins.ref} (sha256 {ins.sha256[:12]}).{synth} Of {s['n_read']} respondents read, {s['n_flagged']} were flagged by the quality screening and {s['n_excluded']} excluded; {s['n_analysed']} were analysed ({s['n_model']} with complete answers in the model, listwise deletion). ",
            f"Data dikumpulkan dengan kuesioner {ins.ref} (sha256 {ins.sha256[:12]}).{synth} Dari {s['n_read']} responden yang terbaca, {s['n_flagged']} ditandai oleh penyaringan kualitas dan {s['n_excluded']} dikeluarkan; {s['n_analysed']} dianalisis ({s['n_model']} dengan jawaban lengkap dalam model, penghapusan listwise). ",
        )
        + methods_paragraph(fit, lang)
        + t(
            f"{dropped} The measurement model was assessed by outer loadings (≥ .708), Cronbach's α, ρA and ρC (≥ .70), AVE (≥ .50), the HTMT ratio (< .90; Henseler, Ringle & Sarstedt, 2015) with its bootstrap interval, the Fornell–Larcker criterion, cross-loadings and the indicators' VIF; the structural model by inner VIF (< 5), R², f² and the path coefficients' bootstrap t, p and percentile 95% intervals (Hair et al., 2022).{predict} Reverse-keyed items were recoded (min + max) − x before analysis.",
            f"{dropped} Model pengukuran dinilai dengan outer loading (≥ .708), Cronbach's α, ρA dan ρC (≥ .70), AVE (≥ .50), rasio HTMT (< .90; Henseler, Ringle & Sarstedt, 2015) beserta interval bootstrapnya, kriteria Fornell–Larcker, cross-loading dan VIF indikator; model struktural dengan inner VIF (< 5), R², f² dan t, p serta interval persentil 95% bootstrap koefisien jalur (Hair dkk., 2022).{predict} Butir berkode terbalik dikode ulang (min + max) − x sebelum analisis.",
        )
    )


def csv_tables(fit, predict=None) -> dict[str, pd.DataFrame]:
    """The PLS fit's tables (unrounded) to write as ``tables/<name>.csv``."""
    out = {
        "pls_paths": fit.paths,
        "pls_outer": fit.outer,
        "pls_reliability": fit.reliability,
        "pls_htmt": fit.htmt.rename_axis("construct"),
        "pls_fornell_larcker": fit.fornell_larcker.rename_axis("construct"),
        "pls_cross_loadings": fit.cross_loadings,
        "pls_vif_outer": fit.vif_outer,
        "pls_vif_inner": fit.vif_inner,
        "pls_r_squared": pd.DataFrame(
            {"r_squared": fit.r_squared, "r_squared_adj": fit.r_squared_adj}
        ).rename_axis("construct"),
        "pls_f_squared": fit.f_squared(),
        "pls_effects": fit.effects,
        "pls_specific_indirect": fit.specific_indirect,
        "pls_fit": fit.fit_indices.to_frame("value").rename_axis("index"),
    }
    if fit.inference is not None:
        out["pls_bootstrap"] = fit.inference
        out["pls_htmt_bootstrap"] = fit.htmt_inference
    if predict is not None:
        out["pls_predict"] = predict
        if "cvpat" in predict.attrs:
            out["pls_cvpat"] = predict.attrs["cvpat"]
    return out
