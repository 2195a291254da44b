"""What the study report says, as plain blocks shared by the HTML and PDF writers.

A block is ``("h1", text)``, ``("h2", text)``, ``("p", text)``, ``("table", caption, frame, note)``
(``frame`` already formatted as strings, APA style) or ``("figure", name, caption)`` (``name`` of a
file in ``figures/``; its printed width is in :data:`FIGURE_WIDTH`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.report.apa import apa_number, reliability_table
from cxkit.responses.quality import FLAG_NAMES, unchecked_flags

#: Printed width of each figure, as a share of the text width.
FIGURE_WIDTH = {"likert": 1.0, "scores": 0.9, "nps": 0.75, "htmt": 0.55, "path": 0.9}


def _n(x) -> str:
    return apa_number(x, 2, bounded=True)


def _p(p) -> str:
    if p is None or not np.isfinite(p):
        return "—"
    return "< .001" if p < 0.001 else apa_number(p, 3, bounded=True)


def _stars(p) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _fit_row(f: pd.Series) -> dict:
    """One fit-table row: the ordinary statistics (ML), the scaled test with the robust indices
    (MLR), or the scaled-shifted test with the scaled indices and no AIC/BIC (WLSMV)."""
    wlsmv, mlr = "shift_parameter" in f, "cfi_robust" in f
    chisq, pvalue = ("chisq_scaled", "pvalue_scaled") if wlsmv or mlr else ("chisq", "pvalue")
    sfx, label = ("_robust", "robust ") if mlr else ("_scaled", "") if wlsmv else ("", "")
    row = {
        "scaled χ²" if wlsmv or mlr else "χ²": f"{f[chisq]:.2f}",
        "df": f"{f['df']:.0f}",
        "p": _p(f[pvalue]),
        f"{label}CFI": _n(f["cfi" + sfx]),
        f"{label}TLI": _n(f["tli" + sfx]),
        f"{label}RMSEA [90% CI]": f"{_n(f['rmsea' + sfx])} [{_n(f['rmsea_ci_low' + sfx])}, "
        f"{_n(f['rmsea_ci_high' + sfx])}]",
        "SRMR": _n(f["srmr"]),
    }
    if not wlsmv:  # no likelihood, no information criteria
        row |= {"AIC": f"{f['aic']:.1f}", "BIC": f"{f['bic']:.1f}"}
    return row


def methods_paragraph(study) -> str:
    s = study.settings
    ins = study.instrument
    boot = (
        f" Indirect effects were tested with {s['n_boot']} nonparametric bootstrap resamples "
        f"(percentile 95% confidence intervals, seed {s['seed']})."
        if s["n_boot"]
        else ""
    )
    robust = s.get("estimator") == "MLR"
    ordinal = s.get("estimator") == "WLSMV"
    estimation = (
        "maximum likelihood with robust (Huber-White) standard errors and the Yuan-Bentler scaled "
        "chi-square (MLR)"
        if robust
        else "diagonally weighted least squares on polychoric correlations, the items treated as "
        "ordinal, with robust standard errors and the mean- and variance-adjusted chi-square (WLSMV)"
        if ordinal
        else "maximum likelihood"
    )
    indices = (
        "the robust (Brosseau-Liard & Savalei, 2014) "
        if robust
        else "the scaled "
        if ordinal
        else ""
    )
    difference = (
        "Satorra-Bentler (2001) scaled chi-square difference tests"
        if robust
        else "DIFFTEST-type adjusted chi-square difference tests (Satorra, 2000)"
        if ordinal
        else "chi-square difference tests"
    )
    if ordinal:
        boot = " Indirect effects were tested with delta-method standard errors."
    excl = (
        f" Respondents flagged for {', '.join(s['exclude'])} were excluded ({s['n_excluded']})."
        if s["exclude"]
        else " No respondent was excluded; quality flags are reported."
    )
    return (
        f"Data were collected with the questionnaire {ins.ref} (sha256 {ins.sha256[:12]}). Of {s['n_read']} "
        f"respondents read, {s['n_flagged']} were flagged by the quality screening (failed attention check, "
        f"straight-lining, too fast, duplicates, too many missing answers).{excl} {s['n_analysed']} respondents "
        "were analysed. Scale reliability was assessed with Cronbach's alpha (Feldt 95% confidence intervals), "
        "McDonald's omega (as semTools compRelSEM), composite reliability and average variance extracted; "
        "discriminant validity with the heterotrait-monotrait ratio (HTMT; Henseler, Ringle & Sarstedt, 2015) "
        "and the Fornell-Larcker criterion. The measurement model and the structural models were estimated by "
        f"{estimation} with listwise deletion of incomplete answers; model fit was judged by {indices}CFI and TLI "
        "(>= .95), RMSEA (<= .06) and SRMR (<= .08; Hu & Bentler, 1999), and competing models were compared with "
        f"{'' if ordinal else 'AIC, BIC and '}{difference} for nested models.{boot} Reverse-keyed items were recoded "
        f"(min + max) - x before analysis. Software: cxkit {s['cxkit']} (Python {s['python']}, numpy "
        f"{s['numpy']}, pandas {s['pandas']}, semopy {s['semopy']}); estimates, standard errors and fit "
        "indices follow lavaan 0.6 definitions."
    )


def blocks(study) -> list[tuple]:
    s = study.settings
    ins = study.instrument
    r = study.responses
    out: list[tuple] = []
    title = ins.text("title", ins.languages[0])
    out.append(("title", f"CX study report: {title}"))

    # 1. study
    out.append(("h1", "1. The study"))
    out.append(
        (
            "p",
            f"Instrument {ins.ref} (sha256 {ins.sha256}); data {s['source']} (sha256 of the analysed answers "
            f"{s['data_sha256'][:16]}…); cxkit {s['cxkit']}. Structural model reported in detail: {s['model']}.",
        )
    )
    counts = pd.DataFrame(
        {"n": [s["n_read"], s["n_flagged"], s["n_excluded"], s["n_analysed"]]},
        index=pd.Index(
            [
                "read",
                "flagged (any quality flag)",
                "excluded" + (f" ({', '.join(s['exclude'])})" if s["exclude"] else ""),
                "analysed",
            ],
            name="respondents",
        ),
    ).astype(str)
    out.append(("table", "Respondents", counts, ""))

    # 2. data quality
    out.append(("h1", "2. Data quality"))
    if len(r.problems):
        probs = r.problems["reason"].value_counts().rename("problems").to_frame().astype(str)
        probs.index.name = "reason"
        out.append(
            (
                "table",
                "Problems found while reading (every cell is listed in tables/problems.csv)",
                probs,
                "",
            )
        )
    else:
        out.append(
            (
                "p",
                "Reading found no problems: every answer is on its scale and every item has its column.",
            )
        )
    unchecked = unchecked_flags(r.flags)
    flags = pd.DataFrame(
        {
            "respondents": [
                "not checked" if f in unchecked else int(r.flags[f].sum()) for f in FLAG_NAMES
            ],
            "share": [
                "no timings" if f in unchecked else f"{100 * r.flags[f].mean():.1f}%"
                for f in FLAG_NAMES
            ],
        },
        index=pd.Index(list(FLAG_NAMES), name="quality flag"),
    ).astype(str)
    out.append(
        (
            "table",
            "Quality flags (flags are reported, not silently dropped)",
            flags,
            "Attention check: instructed answer not given; straight-lining: 10 or more identical answers in a row; "
            "too fast: under 2 s per item; duplicate: same respondent id or same answers; too many missing: over half the items.",
        )
    )

    # 3. descriptives
    out.append(("h1", "3. Descriptives"))
    out.append(
        (
            "figure",
            "likert",
            "Answers to every Likert item by construct (diverging stacked bars, neutral split at zero).",
        )
    )
    out.append(("figure", "scores", "Construct mean scores (reverse-keyed items recoded)."))
    rows = {}
    for key in ("nps", "csat", "ces"):
        m = study.metrics.get(key)
        if m is None:
            continue
        unit = "" if key == "nps" else "%"
        rows[m.metric] = {
            "n": str(m.n),
            "score [95% CI]": f"{m.score:.1f}{unit} [{m.ci_low:.1f}, {m.ci_high:.1f}]",
            "mean [95% CI]": "—"
            if np.isnan(m.mean)
            else f"{m.mean:.2f} [{m.mean_ci_low:.2f}, {m.mean_ci_high:.2f}]",
        }
    if rows:
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "metric"
        out.append(
            (
                "table",
                "CX metrics",
                table,
                "NPS = % promoters (9–10) − % detractors (0–6); CSAT = % answering 4–5 of 5; CES = % agreeing (5–7 of 7) that the store made it easy.",
            )
        )
    if "nps_by_segment" in study.metrics:
        seg = study.metrics["nps_by_segment"]
        out.append(("figure", "nps", f"Net Promoter Score by {study.metrics['segment']}."))
        t = pd.DataFrame(
            {
                "n": seg["n"].astype(int).astype(str),
                "NPS [95% CI]": [
                    f"{a:+.1f} [{b:.1f}, {c:.1f}]"
                    for a, b, c in zip(seg["score"], seg["ci_low"], seg["ci_high"], strict=True)
                ],
            },
            index=seg.index,
        )
        out.append(("table", f"NPS by {study.metrics['segment']}", t, ""))

    # 4. measurement
    out.append(("h1", "4. Measurement quality"))
    apa = reliability_table(study.reliability)
    out.append(("table", apa.title, apa.data, apa.note))
    it = study.items
    items = pd.DataFrame(
        {
            "construct": it["construct"],
            "M": it["mean"].map(lambda v: f"{v:.2f}"),
            "SD": it["sd"].map(lambda v: f"{v:.2f}"),
            "r (drop)": it["r_drop"].map(_n),
            "α if deleted": it["alpha_if_deleted"].map(_n),
            "λ (std.)": it["loading"].map(_n),
        },
        index=it.index,
    )
    items.index.name = "item"
    out.append(
        (
            "table",
            "Item statistics",
            items,
            "r (drop): corrected item–total correlation; λ: standardised loading in the CFA of all constructs. (R) items recoded.",
        )
    )
    out.append(
        ("figure", "htmt", "Heterotrait–monotrait ratios (HTMT); outlined cells at or above .85.")
    )
    fl = study.fornell_larcker.map(_n)
    holds = study.fornell_larcker.attrs.get("holds", {})
    fl.index.name = "construct"
    out.append(
        (
            "table",
            "Fornell–Larcker criterion: √AVE on the diagonal, latent correlations below and above",
            fl,
            "Criterion "
            + (
                "holds for every construct."
                if all(holds.values())
                else f"fails for {', '.join(k for k, v in holds.items() if not v)}."
            ),
        )
    )
    cfa = pd.DataFrame(
        [_fit_row(study.cfa.fit_indices)], index=pd.Index(["CFA (measurement model)"], name="model")
    )
    out.append(
        (
            "table",
            "Fit of the measurement model",
            cfa,
            "Cut-offs (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08.",
        )
    )

    # 5. structure
    out.append(("h1", "5. Structural model"))
    chosen = study.boot if study.boot is not None else study.fits[study.model]
    out.append(
        (
            "figure",
            "path",
            f"The {study.model.replace('_', '-')} model: standardised paths (* p < .05, ** p < .01, *** p < .001) and R².",
        )
    )
    est = chosen.estimates
    reg = est[(est["op"] == "~") | ((est["op"] == "=~") & est["rhs"].isin(chosen.spec.latent))]
    ci = "bootstrap 95% CI" if study.boot is not None else "95% CI"
    paths = pd.DataFrame(
        {
            "β": [
                f"{_n(b)}{_stars(p)}" for b, p in zip(reg["std_all"], reg["pvalue"], strict=True)
            ],
            "b": [f"{v:.3f}" for v in reg["est"]],
            "SE": [f"{v:.3f}" for v in reg["se"]],
            "p": [_p(v) for v in reg["pvalue"]],
            ci: [
                f"[{lo:.3f}, {hi:.3f}]"
                for lo, hi in zip(reg["ci_low"], reg["ci_high"], strict=True)
            ],
        },
        index=pd.Index(
            [f"{a} {op} {b}" for a, op, b in zip(reg["lhs"], reg["op"], reg["rhs"], strict=True)],
            name="path",
        ),
    )
    out.append(
        (
            "table",
            "Structural paths",
            paths,
            "β standardised (std.all), b unstandardised."
            + (
                f" SE and CI from {study.settings['n_boot']} bootstrap resamples."
                if study.boot is not None
                else ""
            ),
        )
    )
    defined = est[est["op"] == ":="]
    if len(defined):
        ind = pd.DataFrame(
            {
                "effect": defined["rhs"].tolist(),
                "b": [f"{v:.3f}" for v in defined["est"]],
                ci: [
                    f"[{lo:.3f}, {hi:.3f}]"
                    for lo, hi in zip(defined["ci_low"], defined["ci_high"], strict=True)
                ],
                "β": [_n(v) for v in defined["std_all"]],
            },
            index=pd.Index(defined["lhs"], name="defined"),
        )
        if "std_ci_low" in defined:
            ind["β 95% CI"] = [
                f"[{_n(lo)}, {_n(hi)}]"
                for lo, hi in zip(defined["std_ci_low"], defined["std_ci_high"], strict=True)
            ]
        out.append(
            (
                "table",
                "Indirect effects",
                ind,
                "An indirect effect is supported when its confidence interval excludes zero.",
            )
        )
    latent_r2 = chosen.r_squared[[v for v in chosen.r_squared.index if v in chosen.spec.latent]]
    if len(latent_r2):
        out.append(
            (
                "table",
                "Variance explained",
                pd.DataFrame({"R²": latent_r2.map(_n)}).rename_axis("construct"),
                "",
            )
        )
    comp = study.comparison
    ctab = pd.DataFrame(
        {
            "npar": comp["npar"].astype(int).astype(str),
            "χ² (df)": [
                f"{c:.2f} ({d:.0f})" for c, d in zip(comp["chisq"], comp["df"], strict=True)
            ],
            "CFI": comp["cfi"].map(_n),
            "RMSEA": comp["rmsea"].map(_n),
            "SRMR": comp["srmr"].map(_n),
            "AIC": comp["aic"].map(lambda v: f"{v:.1f}"),
            "BIC": comp["bic"].map(lambda v: f"{v:.1f}"),
            "Δχ² (Δdf), p": [
                "—" if pd.isna(c) else f"{c:.2f} ({d:.0f}), {_p(p)}"
                for c, d, p in zip(comp["chisq_diff"], comp["df_diff"], comp["p_diff"], strict=True)
            ],
        },
        index=comp.index,
    )
    test = comp.attrs.get("test")
    has_ic = bool(np.isfinite(comp["aic"]).all())
    if not has_ic:  # WLSMV: no likelihood, so no AIC/BIC
        ctab = ctab.drop(columns=["AIC", "BIC"])
    out.append(
        (
            "table",
            "The three CX models compared",
            ctab,
            "Ordered by df; Δχ² against the previous row (meaningful for nested models only)"
            + (
                ", Satorra–Bentler (2001) scaled from the standard χ² shown and the models' scaling factors"
                if test == "satorra.bentler.2001"
                else ", the DIFFTEST-type adjusted difference (Satorra, 2000) of the WLSMV statistics shown"
                if test == "satorra.2000"
                else ""
            )
            + (". Lower AIC/BIC is better." if has_ic else "."),
        )
    )
    fits = pd.DataFrame(
        [_fit_row(f.fit_indices) for f in study.fits.values()],
        index=pd.Index(list(study.fits), name="model"),
    )
    out.append(
        (
            "table",
            "Fit of the structural models",
            fits,
            "Cut-offs (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08.",
        )
    )
    if study.warnings:
        out.append(("p", "Estimation warnings: " + " | ".join(study.warnings)))

    # 6. methods
    out.append(("h1", "6. Methods (a paragraph to adapt)"))
    out.append(("p", methods_paragraph(study)))
    return out
