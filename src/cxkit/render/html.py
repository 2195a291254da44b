"""The questionnaire as one self-contained HTML page that prints like the PDF.

No scripts, no external files, no network. Print CSS repeats each grid's header row on every page,
keeps rows whole, and puts the instrument id@version, the hash prefix, page x of y and a
respondent-number box in the page margins.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from cxkit._io import write_text
from cxkit.render.layout import Choice, Document, Grid, Open

CSS = """
:root { --line: #9a9a9a; }
body { font-family: "Libertinus Serif", "Georgia", serif; font-size: 10.5pt; line-height: 1.35;
       max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; color: #111; overflow-wrap: anywhere; }
h1 { font-size: 1.45rem; text-align: center; margin: 0 0 .6rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .3rem; break-after: avoid; }
p.consent, p.section-instructions { font-style: italic; }
p.instructions { font-weight: bold; }
table.grid { width: 100%; border-collapse: collapse; margin: .4rem 0 .8rem; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 3px; }
table.grid th { font-size: 7.5pt; font-weight: normal; vertical-align: bottom; width: 3.3rem; }
table.grid th.q { width: auto; }
table.grid td.point { text-align: center; }
table.grid tr { break-inside: avoid; }
table.grid thead { display: table-header-group; }
table.grid.points-11 th:not(.q) { width: 1.75rem; }
table.grid.points-5 th:not(.q) { width: 4rem; }
input[type=radio], input[type=checkbox] { width: .9rem; height: .9rem; margin: 0; }
fieldset { border: 0; padding: 0; margin: .5rem 0 .9rem; break-inside: avoid; }
legend { padding: 0; font-weight: normal; }
.num { font-weight: bold; }
.options { display: grid; grid-template-columns: repeat(var(--cols), auto); gap: .3rem 1.2rem;
           justify-content: start; margin-top: .3rem; }
.writing-line { border-bottom: 1px solid var(--line); height: 1.9rem; }
.thanks { text-align: center; font-weight: bold; margin-top: 1.5rem; }
footer.screen { margin-top: 2rem; font-size: 8pt; color: #555; border-top: 1px solid var(--line); padding-top: .4rem; }
@page { size: PAPER; margin: 1.6cm 1.7cm 2.2cm;
        @bottom-left { content: FOOTER; font-size: 7.5pt; color: #444; }
        @bottom-center { content: PAGE " " counter(page) " " OF " " counter(pages); font-size: 7.5pt; color: #444; }
        @bottom-right { content: RESPONDENT " ________"; font-size: 7.5pt; color: #444; } }
@media print { body { max-width: none; margin: 0; padding: 0; } footer.screen { display: none; } }
"""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _grid(block: Grid) -> str:
    n = len(block.columns)
    head = "".join(
        f"<th>{code}{'<br>' + escape(label) if label else ''}</th>" for code, label in block.columns
    )
    rows = []
    for q in block.questions:
        cells = "".join(
            f'<td class="point"><input type="radio" name="{escape(q.item.id)}" value="{code}" '
            f'aria-label="{escape(q.item.id)} {code}"></td>'
            for code, _ in block.columns
        )
        rows.append(
            f'<tr><td><span class="num">{q.number}.</span> {escape(q.text)}</td>{cells}</tr>'
        )
    return (
        f'<table class="grid points-{n}"><thead><tr><th class="q"></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _choice(block: Choice) -> str:
    q = block.question
    cols = 2 if max(len(label) for _, label in block.options) > 22 else 3
    opts = "".join(
        f'<label><input type="radio" name="{escape(q.item.id)}" value="{code}"> {escape(label)}</label>'
        for code, label in block.options
    )
    return (
        f'<fieldset><legend><span class="num">{q.number}.</span> {escape(q.text)}</legend>'
        f'<div class="options" style="--cols: {cols}">{opts}</div></fieldset>'
    )


def _open(block: Open) -> str:
    q = block.question
    lines = '<div class="writing-line"></div>' * block.lines
    return f'<fieldset><legend><span class="num">{q.number}.</span> {escape(q.text)}</legend>{lines}</fieldset>'


def html_source(doc: Document) -> str:
    """The complete HTML page (snapshot-tested)."""
    ui = doc.ui
    css = (
        CSS.replace("PAPER", "A4" if doc.paper == "a4" else "letter")
        .replace("FOOTER", _css_string(doc.footer))
        .replace("PAGE", _css_string(ui["page"]))
        .replace("OF", _css_string(ui["of"]))
        .replace("RESPONDENT", _css_string(ui["respondent"]))
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(doc.lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="cxkit; {escape(doc.instrument.ref)}; sha256 {doc.instrument.sha256}">',
        f"<title>{escape(doc.title)}</title><style>{css}</style></head><body>",
        f"<h1>{escape(doc.title)}</h1>",
        f"<p>{escape(doc.introduction)}</p>",
    ]
    if doc.consent:
        parts.append(f'<p class="consent">{escape(doc.consent)}</p>')
    if doc.instructions:
        parts.append(f'<p class="instructions">{escape(doc.instructions)}</p>')
    parts.append("<form>")
    for sec in doc.sections:
        parts.append(f'<section id="{escape(sec.id)}"><h2>{escape(sec.title)}</h2>')
        if sec.instructions:
            parts.append(f'<p class="section-instructions">{escape(sec.instructions)}</p>')
        for block in sec.blocks:
            parts.append(
                _grid(block)
                if isinstance(block, Grid)
                else _choice(block)
                if isinstance(block, Choice)
                else _open(block)
            )
        parts.append("</section>")
    parts.append("</form>")
    if doc.thanks:
        parts.append(f'<p class="thanks">{escape(doc.thanks)}</p>')
    parts.append(f'<footer class="screen">{escape(doc.footer)}</footer></body></html>')
    return "\n".join(parts) + "\n"


def write_html(doc: Document, path: str | Path, inputs=()) -> Path:
    """Write the page to ``path`` (atomically; never over an input)."""
    return write_text(path, html_source(doc), (*inputs, doc.instrument.path))
