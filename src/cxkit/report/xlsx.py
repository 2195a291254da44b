"""``report.xlsx``: every table of the report on a sheet of its own, numbers as numbers.

Cells that hold a number in the report (``.85``, ``−0.12``, ``400``) are written as numbers; other
text is written as typed text (never a formula), and text starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading quote (:func:`cxkit._io.neutralise_value`), so that a
spreadsheet never reads a user's label as a formula.
"""

from __future__ import annotations

import re

from cxkit._io import finished_workbook, neutralise_value

_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def typed(value):
    """The cell value for a formatted report string.

    >>> typed(".85"), typed("−0.120"), typed("400"), typed("< .001"), typed("=1+1"), typed("")
    (0.85, -0.12, 400, '< .001', "'=1+1", None)
    """
    text = str(value).strip()
    if not text:
        return None
    plain = text.replace("−", "-")
    if _NUMBER.match(plain):
        if re.match(r"^-?\d+$", plain):
            return int(plain)
        return float(
            plain if not plain.lstrip("-").startswith(".") else plain.replace(".", "0.", 1)
        )
    return neutralise_value(text)


def _sheet_name(key: str, used: set) -> str:
    base = _BAD_SHEET.sub("_", key)[:28] or "table"
    name, k = base, 2
    while name.lower() in used:
        name, k = f"{base[:26]}_{k}", k + 1
    used.add(name.lower())
    return name


def xlsx_bytes(items: list[tuple], lang: str, title: str) -> bytes:
    """The numbered tables of ``items`` (see :func:`cxkit.report.writer.numbered`) as an XLSX
    workbook (bytes, for :meth:`cxkit._io.OutputFolder.write_bytes`), dated by
    :func:`cxkit._io.build_time`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    label = {"en": "Table", "id": "Tabel"}[lang]
    wb = Workbook()
    index = wb.active
    index.title = "contents"
    index.append([typed(title)])
    index["A1"].font = Font(bold=True, size=13)
    index.append([])
    index.append(["sheet", label, "title"])
    used = {"contents"}
    for block in items:
        if block[0] != "table":
            continue
        _, number, caption, frame, note, key = block
        name = _sheet_name(f"{number:02d}_{key}", used)
        ws = wb.create_sheet(name)
        ws.append([f"{label} {number}"])
        ws.append([typed(caption)])
        ws["A1"].font = Font(bold=True)
        ws["A2"].font = Font(italic=True)
        ws.append([typed(frame.index.name or ""), *[typed(c) for c in frame.columns]])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for i, row in zip(frame.index, frame.to_numpy(), strict=True):
            ws.append([typed(i), *[typed(v) for v in row]])
        if note:
            ws.append([])
            ws.append([typed(("Catatan. " if lang == "id" else "Note. ") + note)])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
        for col in ws.columns:
            width = max(len(str(c.value)) if c.value is not None and c.row > 2 else 0 for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
        index.append([name, number, typed(caption)])
    return finished_workbook(wb)
