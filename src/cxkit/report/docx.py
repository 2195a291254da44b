"""``report.docx``: the report for Word (python-docx), APA-style tables and numbered figures.

Tables have rules above and below the header and below the last row, no vertical lines; the number
("Table 1") in bold above the title in italics, the note below ("Note." in italics).
"""

from __future__ import annotations

import io
from pathlib import Path

from cxkit._io import build_time, reproducible_zip
from cxkit.report.content import FIGURE_WIDTH, numeric_columns

_LABELS = {
    "en": {"table": "Table", "figure": "Figure", "note": "Note."},
    "id": {"table": "Tabel", "figure": "Gambar", "note": "Catatan."},
}


def _rule(cell, edges: tuple[str, ...], size: int = 8) -> None:
    """Horizontal borders on one cell (python-docx has no API for cell borders)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    pr = cell._tc.get_or_add_tcPr()
    borders = pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        pr.append(borders)
    for edge in edges:
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:color"), "000000")
        borders.append(el)


def docx_bytes(items: list[tuple], figures: dict[str, Path], lang: str, title: str) -> bytes:
    """The numbered blocks (see :func:`cxkit.report.writer.numbered`) as a Word document (bytes,
    for :meth:`cxkit._io.OutputFolder.write_bytes`), dated by :func:`cxkit._io.build_time`."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    lab = _LABELS[lang]
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    text_width = 17.0
    for block in items:
        kind = block[0]
        if kind == "title":
            doc.add_heading(block[1], level=0)
        elif kind == "h1":
            doc.add_heading(block[1], level=1)
        elif kind == "h2":
            doc.add_heading(block[1], level=2)
        elif kind == "p":
            doc.add_paragraph(block[1])
        elif kind == "warning":
            run = doc.add_paragraph().add_run(block[1])
            run.bold = True
            run.font.color.rgb = RGBColor(0xB2, 0x18, 0x2B)
        elif kind == "table":
            _, number, caption, frame, note, _key = block
            p = doc.add_paragraph()
            p.add_run(f"{lab['table']} {number}").bold = True
            p.paragraph_format.keep_with_next = True
            p = doc.add_paragraph()
            p.add_run(caption).italic = True
            p.paragraph_format.keep_with_next = True
            header = [str(frame.index.name or ""), *map(str, frame.columns)]
            table = doc.add_table(rows=1 + len(frame), cols=len(header))
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            size = Pt(9 if len(header) <= 7 else 7.5)
            rows = [header] + [
                [str(i), *map(str, row)]
                for i, row in zip(frame.index, frame.to_numpy(), strict=True)
            ]
            right = numeric_columns(frame)
            for r, values in enumerate(rows):
                for c, value in enumerate(values):
                    cell = table.cell(r, c)
                    cell.text = value
                    par = cell.paragraphs[0]
                    par.alignment = (
                        WD_ALIGN_PARAGRAPH.RIGHT if right[c] else WD_ALIGN_PARAGRAPH.LEFT
                    )
                    for run in par.runs:
                        run.font.size = size
                        run.bold = r == 0
                    if r == 0:
                        _rule(cell, ("top", "bottom"))
                    if r == len(rows) - 1:
                        _rule(cell, ("bottom",))
            if note:
                p = doc.add_paragraph()
                p.add_run(lab["note"] + " ").italic = True
                r = p.add_run(note)
                r.font.size = Pt(9)
        elif kind == "figure":
            _, number, name, caption = block
            if name in figures:
                doc.add_picture(
                    str(figures[name]), width=Cm(text_width * FIGURE_WIDTH.get(name, 1.0))
                )
                p = doc.add_paragraph()
                p.add_run(f"{lab['figure']} {number}. ").bold = True
                p.add_run(caption).italic = True
    doc.core_properties.title = title
    stamp = build_time().replace(tzinfo=None)
    doc.core_properties.created = stamp
    doc.core_properties.modified = stamp
    doc.core_properties.last_printed = stamp
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue())
