"""Reading answer files into a raw table: CSV in any common locale, XLSX, SPSS ``.sav``, DataFrames.

CSV: the delimiter (``,`` ``;`` tab ``|``) is sniffed; a semicolon file is read with decimal commas
(Excel in Indonesian and most European locales writes ``3,5`` and separates with ``;``); the encoding
is UTF-8 (with or without BOM), else Windows-1252 / Latin-1, else a clear error.
Numbers are parsed while reading; any column holding text stays text, so that validation sees the
values exactly as written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxkit.errors import ResponseError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass
class RawTable:
    """A table as read, with what was learned while reading (format, encoding, labels)."""

    frame: pd.DataFrame
    source: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    value_labels: dict[str, dict] = field(default_factory=dict)


def _decode(raw: bytes, path: str, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ResponseError(
                f"cannot be decoded as {encoding!r} ({exc}); try encoding='utf-8', 'cp1252' or 'latin-1'",
                file=path,
            ) from None
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16"), "utf-16"
    for enc in ENCODINGS[:2]:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    # latin-1 decodes any bytes; accept it only when the text looks like text
    text = raw.decode("latin-1")
    if (
        sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:20000]) / max(len(text[:20000]), 1)
        > 0.98
    ):
        return text, "latin-1"
    raise ResponseError(
        "is not text in UTF-8, Windows-1252 or Latin-1 (is it a binary file, or UTF-16 without a BOM?); "
        "save it as CSV UTF-8 or pass encoding=...",
        file=path,
    )


def _sniff(text: str, path: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text.strip() else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        if counts[best] == 0:
            raise ResponseError(
                "is not a table: no comma, semicolon, tab or | separates the columns of its first line",
                file=path,
            ) from None
        return best


def read_csv(
    path: str | Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    skip_rows: int = 0,
) -> RawTable:
    """Read a CSV export (see the module docstring for what is detected)."""
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ResponseError("no such file", file=path) from None
    except OSError as exc:
        raise ResponseError(f"cannot be read ({exc.strerror})", file=path) from None
    if not raw.strip():
        raise ResponseError(
            "the file is empty; expected a header row with the item ids or questions, then answers",
            file=path,
        )
    text, enc = _decode(raw, path, encoding)
    if skip_rows:
        text = "".join(text.splitlines(keepends=True)[skip_rows:])
    sep = delimiter or _sniff(text, path)
    dec = decimal or ("," if sep == ";" else ".")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            decimal=dec,
            # numbers are parsed by the C reader (fast); a column with any text stays text, cell
            # for cell, for validation; only empty cells are missing
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise ResponseError(
            f"cannot be read as a {sep!r}-separated table ({exc})", file=path
        ) from None
    except pd.errors.EmptyDataError:
        raise ResponseError("has no header row", file=path) from None
    if frame.shape[1] < 2 and sep != delimiter:
        raise ResponseError(
            f"has only one column ({list(frame.columns)[0]!r}); is it a table? Separators tried: , ; tab |",
            file=path,
        )
    return RawTable(frame, path, "csv", enc, sep, dec)


def read_excel(path: str | Path, sheet: str | int | None = 0, skip_rows: int = 0) -> RawTable:
    """Read an XLSX sheet (the first by default; a name or a 0-based number), ``skip_rows`` title rows."""
    path = str(path)
    if not Path(path).is_file():
        raise ResponseError("no such file", file=path)
    sheet = 0 if sheet is None else sheet
    if isinstance(sheet, str) and sheet.isdigit():
        sheet = int(sheet)
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet, dtype=object, engine="openpyxl", skiprows=skip_rows or None
        )
    except (ValueError, IndexError) as exc:
        if "not found" in str(exc) or isinstance(exc, IndexError):
            import openpyxl

            names = openpyxl.load_workbook(path, read_only=True).sheetnames
            raise ResponseError(
                f"has no sheet {sheet!r}; its sheets: {', '.join(map(repr, names))} "
                "(give a name or a number counted from 0)",
                file=path,
            ) from None
        raise ResponseError(f"cannot be read as an Excel workbook ({exc})", file=path) from None
    except Exception as exc:  # openpyxl raises zipfile/KeyError flavours on broken files
        raise ResponseError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})", file=path
        ) from None
    frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return RawTable(frame, path, "xlsx")


def read_sav(path: str | Path) -> RawTable:
    """Read an SPSS ``.sav`` file; its value labels are kept (``RawTable.value_labels``)."""
    import pyreadstat

    path = str(path)
    if not Path(path).is_file():
        raise ResponseError("no such file", file=path)
    try:
        frame, meta = pyreadstat.read_sav(path, apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ResponseError(f"cannot be read as an SPSS .sav file ({exc})", file=path) from None
    frame = frame.astype(object).where(frame.notna(), "")
    return RawTable(
        frame, path, "sav", meta.file_encoding, value_labels=dict(meta.variable_value_labels)
    )


def read_raw(source, **kw) -> RawTable:
    """Dispatch on the kind of input: DataFrame, ``.csv``/``.txt``, ``.xlsx``, ``.sav``."""
    if isinstance(source, pd.DataFrame):
        name = source.attrs.get("name")
        return RawTable(
            source.copy(), f"bundled data set {name}" if name else "<DataFrame>", "frame"
        )
    path = str(source)
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path, kw.get("sheet"), kw.get("skip_rows") or 0)
    if suffix == ".sav":
        return read_sav(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        kw.pop("sheet", None)
        return read_csv(path, **kw)
    raise ResponseError(
        f"cannot read files of type {suffix!r}; cxkit reads .csv (any separator), .xlsx, .sav and pandas DataFrames",
        file=path,
    )
