"""Writing a :class:`~cxkit.study.Study`: tables (CSV), figures (PNG, SVG), report.html, report.pdf,
report.docx (:mod:`cxkit.report.docx`) and report.xlsx (:mod:`cxkit.report.xlsx`).

Tables and figures are numbered in every format (APA: "Table 1", then the title in italics). Every
file goes through :class:`cxkit._io.OutputFolder`: written atomically, never over an input, listed
in ``.cxkit-output``; CSV cells formula-safe; figures, PDF, DOCX and XLSX stamped with
:func:`cxkit._io.build_time` (``$SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

import matplotlib

from cxkit._io import OutputFolder, build_time
from cxkit.render.pdf import compile_pdf, lit
from cxkit.report import pls as pls_report
from cxkit.report.content import FIGURE_WIDTH, blocks, numeric_columns, segment_table

CSS = """
body { font-family: Georgia, "Libertinus Serif", serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.4; font-size: 11pt; }
h1.title { font-size: 1.6rem; text-align: center; }
h1 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #bbb; }
h2 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .4rem 0 .2rem; font-size: 9.5pt; }
p.caption { margin: 1rem 0 .2rem; } p.caption .title { font-style: italic; }
div.table { overflow-x: auto; }
th, td { padding: 3px 8px; text-align: left; white-space: nowrap; }
th.num, td.num { text-align: right; }
thead th { border-top: 1.5px solid #222; border-bottom: 1px solid #222; }
tbody tr:last-child td { border-bottom: 1.5px solid #222; }
p.note { font-size: 9pt; margin-top: .2rem; }
p.warning { border-left: 4px solid #b2182b; background: #fbeaea; padding: .4rem .6rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { font-size: 9.5pt; }
@media print { body { max-width: none; margin: 0; } figure, div.table { break-inside: avoid; } }
"""

LABELS = {
    "en": {"table": "Table", "figure": "Figure", "note": "Note."},
    "id": {"table": "Tabel", "figure": "Gambar", "note": "Catatan."},
}


def numbered(items: list[tuple], lang: str) -> list[tuple]:
    """The blocks with ``("table", number, caption, frame, note, key)`` and ``("figure", number,
    name, caption)``: tables and figures numbered in order (figures only when their file exists)."""
    out, nt, nf = [], 0, 0
    for b in items:
        if b[0] == "table":
            nt += 1
            out.append(("table", nt, *b[1:]))
        elif b[0] == "figure":
            nf += 1
            out.append(("figure", nf, *b[1:]))
        else:
            out.append(b)
    return out


def _figures(study, folder: OutputFolder) -> dict[str, Path]:
    from cxkit import plots

    lang = study.settings.get("lang", "en")
    store = study.settings.get("store")
    made = {}
    chosen = study.chosen
    scores = study.scores.drop(columns="respondent", errors="ignore")
    figs = {
        "likert": lambda: plots.likert_bars(
            study.responses, study.instrument, lang=lang, store=store, constructs=study.constructs
        ),
        "scores": lambda: plots.score_distributions(
            scores, *_scale_range(study), items=study.constructs, lang=lang
        ),
        "path": lambda: plots.path_diagram(chosen, lang=lang),
        "path_full": lambda: plots.path_diagram(chosen, indicators=True, lang=lang),
    }
    if len(study.constructs) > 1:
        figs["htmt"] = lambda: plots.heatmap(study.htmt, "HTMT", threshold=0.85, lower=True)
    if "nps_by_segment" in study.metrics:
        figs["nps"] = lambda: plots.nps_breakdown(
            segment_table(study),
            ("Net Promoter Score menurut " if lang == "id" else "Net Promoter Score by ")
            + study.metrics["segment"],
            lang=lang,
        )
    stamp = build_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, make in figs.items():
        try:
            with plots.offscreen():  # an explicit Agg canvas: the user's backend is left alone
                fig = make()
        except Exception:  # noqa: BLE001 - a figure that cannot be drawn is left out
            continue
        with matplotlib.rc_context({"svg.hashsalt": "cxkit"}):
            png, svg = io.BytesIO(), io.BytesIO()
            fig.savefig(png, format="png", dpi=150, bbox_inches="tight")
            fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": stamp})
        made[name] = folder.write_bytes(f"figures/{name}.png", png.getvalue())
        folder.write_bytes(f"figures/{name}.svg", svg.getvalue())
    return made


def _scale_range(study) -> tuple[float, float]:
    likert = [i.scale for i in study.instrument.items if i.role == "measure" and i.scale.values]
    return (min(s.min for s in likert), max(s.max for s in likert)) if likert else (None, None)


def _tables(study, folder: OutputFolder) -> None:
    import pandas as pd

    r = study.responses
    t = "tables/"
    folder.write_csv(t + "problems.csv", r.problems)
    folder.write_csv(t + "flags.csv", r.flags, index=True)
    folder.write_csv(t + "excluded.csv", r.excluded)
    folder.write_csv(t + "scores.csv", study.scores, index=True)
    folder.write_csv(t + "reliability.csv", study.reliability, index=True)
    folder.write_csv(t + "items.csv", study.items, index=True)
    folder.write_csv(t + "htmt.csv", study.htmt, index=True)
    if study.fornell_larcker is not None:
        folder.write_csv(t + "fornell_larcker.csv", study.fornell_larcker, index=True)
    if study.pls is not None:
        for name, frame in pls_report.csv_tables(study.pls, study.pls_predict).items():
            folder.write_csv(t + f"{name}.csv", frame, index=frame.index.name is not None)
    else:
        folder.write_csv(t + "cfa_estimates.csv", study.cfa.estimates)
        for name, fit in study.fits.items():
            folder.write_csv(t + f"estimates_{name}.csv", fit.estimates)
        if study.boot is not None:
            folder.write_csv(t + f"estimates_{study.model}_bootstrap.csv", study.boot.estimates)
        folder.write_csv(
            t + "fit.csv",
            pd.DataFrame({k: f.fit_indices for k, f in {"cfa": study.cfa, **study.fits}.items()}).T,
            index=True,
        )
        folder.write_csv(t + "comparison.csv", study.comparison, index=True)
    metrics = [m.to_dict() for k, m in study.metrics.items() if k in ("nps", "csat", "ces")]
    folder.write_csv(t + "metrics.csv", pd.DataFrame(metrics))
    if "nps_by_segment" in study.metrics:
        folder.write_csv(t + "nps_by_segment.csv", study.metrics["nps_by_segment"], index=True)
    frames = {
        "descriptives": study.descriptives,
        "mahalanobis": study.outliers,
        "missing_items": study.missing_items,
        "missing_respondents": study.missing_respondents,
        "cross_loadings": study.cross_loadings,
        "htmt_bootstrap": study.htmt_ci,
        "vif": study.vif,
        "modification_indices": study.modification,
        "residuals": study.residuals,
        "invariance": study.invariance,
        "dropped_items": study.dropped,
        **{f"pilot_{k}": v for k, v in study.pilot.items()},
    }
    for name, frame in frames.items():
        if frame is not None:
            folder.write_csv(t + f"{name}.csv", as_frame(frame), index=True)
    if study.hypotheses is not None:
        folder.write_csv(t + "hypotheses.csv", study.hypotheses)
    if study.effects is not None:
        folder.write_csv(t + "effects.csv", study.effects)
    if study.mardia is not None:
        folder.write_csv(t + "mardia.csv", study.mardia.to_frame("value"), index=True)
    if study.harman is not None:
        folder.write_csv(t + "harman.csv", study.harman.to_frame("value"), index=True)
    if study.profile:
        folder.write_csv(
            t + "profile.csv", pd.concat(study.profile, names=["item", "row"]), index=True
        )


def _html_table(number, caption, frame, note, lang) -> str:
    lab = LABELS[lang]
    align = [' class="num"' if n else "" for n in numeric_columns(frame)]
    head = "".join(
        f"<th{a}>{escape(str(c))}</th>"
        for a, c in zip(align, [frame.index.name or "", *frame.columns], strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td{a}>{escape(str(v))}</td>" for a, v in zip(align, [i, *row], strict=True))
        + "</tr>"
        for i, row in zip(frame.index, frame.to_numpy(), strict=True)
    )
    text = (
        f'<div class="table"><p class="caption"><b>{lab["table"]} {number}</b><br>'
        f'<span class="title">{escape(caption)}</span></p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    if note:
        text += f'<p class="note"><em>{lab["note"]}</em> {escape(note)}</p>'
    return text + "</div>"


def html_report(items: list[tuple], figures: dict[str, Path], lang: str, title: str) -> str:
    """One self-contained HTML page from blocks (figures embedded as PNG data)."""
    lab = LABELS[lang]
    parts = []
    for block in numbered(items, lang):
        kind = block[0]
        if kind == "title":
            parts.append(f'<h1 class="title">{escape(block[1])}</h1>')
        elif kind in ("h1", "h2"):
            parts.append(f"<{kind}>{escape(block[1])}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{escape(block[1])}</p>")
        elif kind == "warning":
            parts.append(f'<p class="warning">{escape(block[1])}</p>')
        elif kind == "table":
            _, number, caption, frame, note, _key = block
            parts.append(_html_table(number, caption, frame, note, lang))
        elif kind == "figure":
            _, number, name, caption = block
            if name in figures:
                data = base64.b64encode(figures[name].read_bytes()).decode("ascii")
                parts.append(
                    f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
                    f"<figcaption><b>{lab['figure']} {number}.</b> {escape(caption)}</figcaption></figure>"
                )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def _width(frame) -> int:
    """Estimated width of a table in characters (header and widest cell per column)."""
    cols = [[str(frame.index.name or ""), *map(str, frame.index)]] + [
        [str(c), *map(str, frame[c])] for c in frame.columns
    ]
    return sum(max(len(v) for v in col) + 2 for col in cols)


def _nobreak(text: str) -> str:
    return text.replace(" ", "\u00a0")


def typst_report(items: list[tuple], figures: dict[str, Path], lang: str, footer: str) -> str:
    """Typst source of the PDF: A4, numbered tables (headers never wrap) and figures."""
    lab = LABELS[lang]
    out = [
        '#set page(paper: "a4", margin: (x: 1.8cm, y: 2cm), footer: context [#set text(size: 8pt, fill: luma(80)); '
        f"#{lit(footer)} #h(1fr) #counter(page).display() / #counter(page).final().first()])",
        f'#set text(size: 9.5pt, lang: "{lang}")',
        "#set smartquote(enabled: false)",
        "#set par(justify: true)",
        f"#set figure(supplement: [{lab['figure']}])",
    ]
    for block in numbered(items, lang):
        kind = block[0]
        if kind == "title":
            out.append(
                f'#block(width: 100%)[#set par(justify: false)\n#align(center, text(size: 15pt, weight: "bold")[#{lit(block[1])}])]'
            )
        elif kind == "h1":
            out.append(
                f'#block(above: 1.4em, below: 0.6em, sticky: true)[#text(size: 12pt, weight: "bold")[#{lit(block[1])}]]'
            )
        elif kind == "h2":
            out.append(
                f'#block(above: 1.1em, below: 0.5em, sticky: true)[#text(size: 10.5pt, weight: "bold", style: "italic")[#{lit(block[1])}]]'
            )
        elif kind == "p":
            out.append(f"#{lit(block[1])}\n")
        elif kind == "warning":
            out.append(
                f'#block(fill: rgb("#fbeaea"), stroke: (left: 3pt + rgb("#b2182b")), inset: 6pt, width: 100%)[#{lit(block[1])}]\n'
            )
        elif kind == "table":
            _, number, caption, frame, note, _key = block
            ncol = len(frame.columns) + 1
            size = max(6.0, min(9.0, 9.0 * 96 / max(_width(frame), 1)))
            cells = [lit(_nobreak(str(frame.index.name or "")))] + [
                lit(_nobreak(str(c))) for c in frame.columns
            ]
            header = ", ".join(f"[#strong[#{c}]]" for c in cells)
            body = []
            for i, row in zip(frame.index, frame.to_numpy(), strict=True):
                body += [f"[#{lit(str(i))}]"] + [f"[#{lit(_nobreak(str(v)))}]" for v in row]
            breakable = "true" if len(frame) > 14 else "false"
            align = ", ".join("right" if n else "left" for n in numeric_columns(frame))
            out.append(
                f'#block(breakable: {breakable}, above: 1em)[#text(weight: "bold")[{lab["table"]} {number}] #linebreak() '
                f'#text(style: "italic")[#{lit(caption)}]\n'
                f"#set text(size: {size:.1f}pt, hyphenate: false)\n#set par(justify: false)\n"
                f"#table(columns: {ncol}, stroke: none, inset: (x: 4pt, y: 2.5pt), align: ({align},),\n"
                f"  table.hline(stroke: 1pt), table.header({header}), table.hline(stroke: 0.6pt),\n  "
                + ", ".join(body)
                + ", table.hline(stroke: 1pt))"
                + (f"\n#text(size: 8pt)[#emph[{lab['note']}] #{lit(note)}]" if note else "")
                + "]\n#v(0.4em)"
            )
        elif kind == "figure":
            _, number, name, caption = block
            if name in figures:
                out.append(
                    f"#figure(image({lit('figures/' + name + '.png')}, width: {round(100 * FIGURE_WIDTH.get(name, 1.0))}%), caption: [#{lit(caption)}], placement: auto)"
                )
    return "\n".join(out) + "\n"


def _report_title(study) -> str:
    return next(b[1] for b in study_blocks(study) if b[0] == "title")


def study_blocks(study) -> list[tuple]:
    """The study report's blocks: CB-SEM sections, or the PLS-SEM ones (:mod:`cxkit.report.pls`)."""
    if study.settings.get("approach") == "pls":
        return blocks(study, pls_report.SECTIONS, pls_report.study_methods)
    return blocks(study)


def write_blocks(
    items, folder: OutputFolder, figures: dict, formats, lang: str, title: str, footer: str
) -> None:
    """Write the report files for a list of blocks into ``folder`` (an :class:`OutputFolder`):
    report.html, report.typ + report.pdf, report.docx and report.xlsx, each atomically."""
    if "html" in formats:
        folder.write_text("report.html", html_report(items, figures, lang, title))
    if "pdf" in formats:
        source = typst_report(items, figures, lang, footer)
        folder.write_text("report.typ", source)
        folder.write_bytes("report.pdf", compile_pdf(source, root=str(folder.path)))
    if "docx" in formats:
        from cxkit.report.docx import docx_bytes

        folder.write_bytes("report.docx", docx_bytes(numbered(items, lang), figures, lang, title))
    if "xlsx" in formats:
        from cxkit.report.xlsx import xlsx_bytes

        folder.write_bytes("report.xlsx", xlsx_bytes(numbered(items, lang), lang, title))


def write_study(
    study, out: Path, formats=("html", "pdf", "docx", "xlsx"), force: bool = False
) -> Path:
    """Write the study into the folder ``out`` (see :class:`cxkit._io.OutputFolder`): a new or
    empty folder, or one an earlier cxkit run made (its stale files removed); any other folder only
    with ``force``. Every file is written atomically and listed in ``out/.cxkit-output``."""
    folder = OutputFolder(out, force=force, inputs=study_inputs(study))
    figures = _figures(study, folder)
    _tables(study, folder)
    items = study_blocks(study)
    lang = study.settings.get("lang", "en")
    title = next(b[1] for b in items if b[0] == "title")
    footer = study.instrument.ref + " · cxkit " + study.settings["cxkit"]
    write_blocks(items, folder, figures, formats, lang, title, footer)
    folder.finish()
    return out


def as_frame(table):
    """A table to write as CSV: a Series (e.g. the KMO per item) as a one-column frame."""
    return (
        table.to_frame() if hasattr(table, "to_frame") and not hasattr(table, "columns") else table
    )


def study_inputs(study) -> list[str]:
    """The input files of a study (answers, instrument): never written over."""
    source = getattr(study.responses, "source", None)
    return [p for p in (source, study.instrument.path) if p and Path(p).exists()]
