"""Writing a :class:`~cxkit.report.study.Study`: tables (CSV), figures (PNG, SVG), report.html, report.pdf."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

import matplotlib

from cxkit._io import OutputFolder, build_time
from cxkit.render.pdf import compile_pdf, lit
from cxkit.report.content import FIGURE_WIDTH, blocks

CSS = """
body { font-family: Georgia, "Libertinus Serif", serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.4; font-size: 11pt; }
h1.title { font-size: 1.6rem; text-align: center; }
h1 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: .4rem 0 .2rem; font-size: 9.5pt; }
caption { text-align: left; font-style: italic; padding-bottom: .3rem; }
th, td { padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-top: 1.5px solid #222; border-bottom: 1px solid #222; }
tbody tr:last-child td { border-bottom: 1.5px solid #222; }
p.note { font-size: 9pt; margin-top: .2rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { font-size: 9.5pt; font-style: italic; }
@media print { body { max-width: none; margin: 0; } figure, table { break-inside: avoid; } }
"""


def _figures(study, folder: OutputFolder) -> dict[str, Path]:
    from cxkit import plots

    made = {}
    chosen = study.boot if study.boot is not None else study.fits[study.model]
    figs = {
        "likert": lambda: plots.likert_bars(study.responses, study.instrument),
        "scores": lambda: plots.score_distributions(study.scores, *_scale_range(study)),
        "htmt": lambda: plots.heatmap(study.htmt, "HTMT", threshold=0.85),
        "path": lambda: plots.path_diagram(chosen),
    }
    if "nps_by_segment" in study.metrics:
        figs["nps"] = lambda: plots.nps_breakdown(
            study.metrics["nps_by_segment"], f"Net Promoter Score by {study.metrics['segment']}"
        )
    stamp = build_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, make in figs.items():
        with plots.offscreen():  # an explicit Agg canvas: the user's backend is left alone
            fig = make()
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
    folder.write_csv(t + "fornell_larcker.csv", study.fornell_larcker, index=True)
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


def _html(study, figures: dict[str, Path]) -> str:
    parts = []
    for block in blocks(study):
        kind = block[0]
        if kind == "title":
            parts.append(f'<h1 class="title">{escape(block[1])}</h1>')
        elif kind in ("h1", "h2"):
            parts.append(f"<{kind}>{escape(block[1])}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{escape(block[1])}</p>")
        elif kind == "table":
            _, caption, frame, note = block
            head = "".join(
                f"<th>{escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns]
            )
            rows = "".join(
                "<tr>"
                + f"<td>{escape(str(i))}</td>"
                + "".join(f"<td>{escape(str(v))}</td>" for v in row)
                + "</tr>"
                for i, row in zip(frame.index, frame.to_numpy(), strict=True)
            )
            parts.append(
                f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            )
            if note:
                parts.append(f'<p class="note"><em>Note.</em> {escape(note)}</p>')
        elif kind == "figure":
            _, name, caption = block
            if name in figures:
                data = base64.b64encode(figures[name].read_bytes()).decode("ascii")
                parts.append(
                    f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}"><figcaption>{escape(caption)}</figcaption></figure>'
                )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>CX study report — {escape(study.instrument.ref)}</title><style>{CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def _typst(study) -> str:
    out = [
        '#set page(paper: "a4", margin: 2cm, footer: context [#set text(size: 8pt, fill: luma(80)); '
        f"#{lit(study.instrument.ref + ' · cxkit ' + study.settings['cxkit'])} #h(1fr) #counter(page).display() / #counter(page).final().first()])",
        "#set text(size: 9.5pt)",
        "#set smartquote(enabled: false)",
        "#set par(justify: true)",
    ]
    for block in blocks(study):
        kind = block[0]
        if kind == "title":
            out.append(f'#align(center, text(size: 15pt, weight: "bold")[#{lit(block[1])}])')
        elif kind == "h1":
            out.append(
                f'#block(above: 1.4em, below: 0.6em, sticky: true)[#text(size: 12pt, weight: "bold")[#{lit(block[1])}]]'
            )
        elif kind == "p":
            out.append(f"#{lit(block[1])}\n")
        elif kind == "table":
            _, caption, frame, note = block
            ncol = len(frame.columns) + 1
            cells = [lit(str(frame.index.name or ""))] + [lit(str(c)) for c in frame.columns]
            header = ", ".join(f"[#strong[#{c}]]" for c in cells)
            body = []
            for i, row in zip(frame.index, frame.to_numpy(), strict=True):
                body += [f"[#{lit(str(i))}]"] + [f"[#{lit(str(v))}]" for v in row]
            out.append(
                f'#block(breakable: false)[#text(style: "italic")[#{lit(caption)}]\n'
                f"#table(columns: {ncol}, stroke: none, inset: (x: 5pt, y: 3pt), align: (left, ..range({ncol - 1}).map(_ => right)),\n"
                f"  table.hline(stroke: 1pt), table.header({header}), table.hline(stroke: 0.6pt),\n  "
                + ", ".join(body)
                + ", table.hline(stroke: 1pt))"
                + (f"\n#text(size: 8pt)[#emph[Note.] #{lit(note)}]" if note else "")
                + "]\n#v(0.5em)"
            )
        elif kind == "figure":
            _, name, caption = block
            out.append(
                f"#figure(image({lit('figures/' + name + '.png')}, width: {round(100 * FIGURE_WIDTH.get(name, 1.0))}%), caption: [#{lit(caption)}])"
            )
    return "\n".join(out) + "\n"


def write_study(study, out: Path, formats=("html", "pdf"), force: bool = False) -> Path:
    """Write the study into the folder ``out`` (see :class:`cxkit._io.OutputFolder`): a new or
    empty folder, or one an earlier cxkit run made (its stale files removed); any other folder only
    with ``force``. Every file is written atomically and listed in ``out/.cxkit-output``."""
    folder = OutputFolder(out, force=force, inputs=_study_inputs(study))
    figures = _figures(study, folder)
    _tables(study, folder)
    if "html" in formats:
        folder.write_text("report.html", _html(study, figures))
    if "pdf" in formats:
        source = _typst(study)
        folder.write_text("report.typ", source)
        folder.write_bytes("report.pdf", compile_pdf(source, root=str(folder.path)))
    folder.finish()
    return out


def _study_inputs(study) -> list[str]:
    source = getattr(study.responses, "source", None)
    return [p for p in (source, study.instrument.path) if p and Path(p).exists()]
