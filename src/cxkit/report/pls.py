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

import pandas as pd

from cxkit._params import check_option
from cxkit.errors import RenderError, SpecificationError
from cxkit.report.apa import ApaTable, apa_number

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


def _p(p) -> str:
    return "< .001" if p < 0.001 else apa_number(p, 3, bounded=True)


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
            text += f" Signifikansi diuji dengan bootstrap {b['n']} sampel ulang (CI {b['ci']})."
        return text
    text = (
        f"The model was estimated by PLS-SEM ({pv['method']}; cxkit {pv['cxkit']}) with the "
        f"{pv['scheme']} inner weighting scheme on standardised indicators; the algorithm stopped "
        f"when the change of the weights fell below {pv['tol']:g} (at most {pv['max_iter']} "
        f"iterations; it converged in {pv['iterations']}), n = {pv['n']}."
    )
    if b:
        text += (
            f" Significance was assessed with {b['n']} bootstrap resamples ({b['ci']} intervals)."
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
