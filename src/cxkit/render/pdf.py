"""The printable questionnaire as PDF, typeset with the ``typst`` Python package (no system binary).

Every text from the instrument or the user (store name included) enters the typst source as a
string literal, so ``#``, ``$``, ``*``, ``_``, ``<``, ``&`` and quotes print as written and are never
read as markup.
"""

from __future__ import annotations

import re
from pathlib import Path

from cxkit._io import build_time, source_date_epoch, write_bytes
from cxkit.errors import RenderError
from cxkit.render.layout import PAPERS, Choice, Document, Grid, Open

COLUMN_WIDTH = {5: "1.7cm", 7: "1.45cm", 11: "0.95cm"}


#: a run of this many characters without a space gets break opportunities (zero-width spaces)
LONG_WORD = 30
_LONG = re.compile(rf"[^\s\u200b]{{{LONG_WORD + 1},}}")


def _breakable(text: str) -> str:
    """Long words (URLs, 10,000 letters) may break at the margin instead of running off the page."""
    return _LONG.sub(
        lambda m: "\u200b".join(
            m.group()[k : k + LONG_WORD] for k in range(0, len(m.group()), LONG_WORD)
        ),
        text,
    )


def lit(text: str) -> str:
    """A typst string literal: the text printed exactly as it is.

    >>> lit('Toko "#1" & *Co*')
    '"Toko \\\\"#1\\\\" & *Co*"'
    """
    return (
        '"'
        + _breakable(str(text)).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        + '"'
    )


#: a question longer than this may break across pages (else it is kept whole on one page)
KEEP_WHOLE = 1500


def _breaks(text: str) -> str:
    return "true" if len(text) > KEEP_WHOLE else "false"


def _grid(block: Grid) -> str:
    n = len(block.columns)
    width = COLUMN_WIDTH.get(n, "1.2cm" if n <= 9 else "0.9cm")
    header = ", ".join(
        f"align(center + bottom, text(size: 6.5pt, hyphenate: false)[#{lit(str(code))}"
        + (f" \\ #{lit(label)}" if label else "")
        + "])"
        for code, label in block.columns
    )
    rows = []
    for q in block.questions:
        circles = ", ".join(["align(center + horizon, circle(radius: 4.2pt, stroke: 0.6pt))"] * n)
        rows.append(
            f"table.cell(breakable: {_breaks(q.text)})[#{lit(f'{q.number}.')} #{lit(q.text)}], {circles}"
        )
    return (
        f"#table(columns: (1fr, ..range({n}).map(_ => {width})), stroke: 0.4pt + luma(160), inset: (x: 4pt, y: 5pt),\n"
        f"  align: (left + horizon, ..range({n}).map(_ => center)),\n"
        f"  table.header(repeat: true, [], {header}),\n  " + ",\n  ".join(rows) + ")\n#v(0.4em)\n"
    )


def _choice(block: Choice) -> str:
    boxes = ", ".join(
        f"[#box(width: 7.5pt, height: 7.5pt, stroke: 0.6pt) #h(3pt) #{lit(label)}]"
        for _, label in block.options
    )
    cols = 2 if max(len(label) for _, label in block.options) > 22 else 3
    q = block.question
    return (
        f"#block(breakable: {_breaks(q.text)}, below: 1em)[#strong[#{lit(f'{q.number}.')}] #{lit(q.text)}\n"
        f"#v(0.2em)\n#grid(columns: {cols}, column-gutter: 1.2em, row-gutter: 0.55em, {boxes})]\n"
    )


def _open(block: Open) -> str:
    q = block.question
    lines = " ".join(["#v(0.75cm) #line(length: 100%, stroke: 0.4pt + luma(120))"] * block.lines)
    return f"#block(breakable: {_breaks(q.text)}, below: 1em)[#strong[#{lit(f'{q.number}.')}] #{lit(q.text)}\n{lines}]\n"


def typst_source(doc: Document) -> str:
    """The complete typst source of the questionnaire (snapshot-tested)."""
    ui = doc.ui
    footer = (
        "context { set text(size: 7.5pt, fill: luma(60)); grid(columns: (1fr, auto, 1fr), align: (left + horizon, center + horizon, right + horizon), "
        f"[#{lit(doc.footer)}], "
        f"[#{lit(ui['page'])} #counter(page).display() #{lit(ui['of'])} #counter(page).final().first()], "
        f"[#{lit(ui['respondent'])} #box(width: 2.4cm, height: 0.55cm, stroke: 0.5pt, baseline: 30%)]) }}"
    )
    out = [
        f"#set document(title: {lit(doc.title)})",
        f"#set page(paper: {lit(PAPERS[doc.paper])}, margin: (x: 1.7cm, top: 1.6cm, bottom: 2.2cm), footer: {footer})",
        f"#set text(size: 9.5pt, lang: {lit(doc.lang if len(doc.lang) == 2 else 'en')})",
        "#set par(justify: false, leading: 0.55em)",
        "#set smartquote(enabled: false)",
        f'#align(center, text(size: 15pt, weight: "bold")[#{lit(doc.title)}])',
        "#v(0.3em)",
        f"#{lit(doc.introduction)}",
        "",
    ]
    if doc.consent:
        out += [f'#text(style: "italic")[#{lit(doc.consent)}]', ""]
    if doc.instructions:
        out += [f"#strong[#{lit(doc.instructions)}]", ""]
    for sec in doc.sections:
        out.append(
            f'#block(breakable: false, above: 1.1em, below: 0.5em, sticky: true)[#text(size: 11.5pt, weight: "bold")[#{lit(sec.title)}]]'
        )
        if sec.instructions:
            out.append(f'#block(sticky: true)[#text(style: "italic")[#{lit(sec.instructions)}]]')
        for block in sec.blocks:
            if isinstance(block, Grid):
                out.append(_grid(block))
            elif isinstance(block, Choice):
                out.append(_choice(block))
            else:
                out.append(_open(block))
    if doc.thanks:
        out += ["#v(1em)", f'#align(center, text(size: 11pt, weight: "bold")[#{lit(doc.thanks)}])']
    return "\n".join(out) + "\n"


def compile_pdf(source: str, root: str | None = None) -> bytes:
    """Typeset typst source to PDF bytes, dated by ``$SOURCE_DATE_EPOCH`` when it is set."""
    import typst

    kw = {} if root is None else {"root": root}
    epoch = source_date_epoch()
    if epoch is not None:
        kw["timestamp"] = epoch
        stamp = build_time()
        source = (
            f"#set document(date: datetime(year: {stamp.year}, month: {stamp.month}, day: "
            f"{stamp.day}, hour: {stamp.hour}, minute: {stamp.minute}, second: {stamp.second}))\n"
            + source
        )
    try:
        return typst.compile(source.encode("utf-8"), format="pdf", **kw)
    except Exception as exc:  # typst.TypstError: a bug in the generated source, not user input
        raise RenderError(f"typst could not typeset the document: {exc}") from None


def write_pdf(doc: Document, path: str | Path, inputs=()) -> Path:
    """Typeset ``doc`` and write the PDF to ``path`` (atomically; never over an input)."""
    return write_bytes(path, compile_pdf(typst_source(doc)), (*inputs, doc.instrument.path))
