"""Reading answer files into a raw table: CSV in any common locale, XLSX, SPSS ``.sav``, DataFrames.

CSV: the delimiter (``,`` ``;`` tab ``|``) is sniffed; a semicolon file is read with decimal commas
(Excel in Indonesian and most European locales writes ``3,5`` and separates with ``;``); the encoding
is UTF-8 (with or without BOM), else Windows-1252 / Latin-1, else a clear error.
Numbers are parsed while reading; any column holding text stays text, so that validation sees the
values exactly as written. Columns named by ``text_columns`` (respondent ids, metadata) are read as
text as they are, so ``00017`` stays ``00017``.

Input limits
------------
Every file is checked before it is parsed, so that a huge or hostile file is refused at once with a
:class:`~cxkit.errors.ResponseError` naming the limit and how to raise it:

=================  ==========================  ===============================================
limit              default                     environment variable
=================  ==========================  ===============================================
file size          500 MB                      ``CXKIT_MAX_BYTES``
XLSX unpacked      200 MB (all parts)          ``CXKIT_MAX_XLSX_BYTES``
columns            2,000                       ``CXKIT_MAX_COLUMNS``
cells              100,000,000 (rows × cols)   ``CXKIT_MAX_CELLS``
=================  ==========================  ===============================================

Only regular files are read (not folders, FIFOs or devices). An XLSX is checked before it is opened:
the zip's declared sizes (and their compression ratio, at most 200 : 1 for a sheet over 1 MB), the
sheet's declared dimension, and then the unpacked size actually read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxkit.errors import ResponseError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: how much of a CSV the separator is sniffed from
SNIFF_BYTES = 64 * 1024
MAX_RATIO = 200


@dataclass(frozen=True)
class Limits:
    """Input limits (see the module docstring); ``Limits.from_env()`` reads the overrides."""

    max_bytes: int = 500_000_000
    max_columns: int = 2_000
    max_cells: int = 100_000_000
    max_xlsx_bytes: int = 200_000_000

    @classmethod
    def from_env(cls) -> Limits:
        def get(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip().replace("_", "")
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise ResponseError(
                    f"{name}={raw!r} is not a whole number; set it to a positive integer"
                ) from None
            if value <= 0:
                raise ResponseError(f"{name}={raw!r} must be a positive integer")
            return value

        base = cls()
        return cls(
            get("CXKIT_MAX_BYTES", base.max_bytes),
            get("CXKIT_MAX_COLUMNS", base.max_columns),
            get("CXKIT_MAX_CELLS", base.max_cells),
            get("CXKIT_MAX_XLSX_BYTES", base.max_xlsx_bytes),
        )


def _over(what: str, value: int, limit: int, env: str, path: str) -> ResponseError:
    return ResponseError(
        f"has {value:,} {what}, more than the limit of {limit:,}; if the file is right, raise the "
        f"limit with the environment variable {env} (e.g. {env}={limit * 10})",
        file=path,
    )


def check_file(path: str, limits: Limits) -> int:
    """Refuse what is not a regular file or is larger than the limit; return its size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ResponseError("no such file", file=path) from None
    except OSError as exc:
        raise ResponseError(f"cannot be read ({exc.strerror})", file=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise ResponseError("is a folder; name a responses file (.csv, .xlsx, .sav)", file=path)
    if not stat.S_ISREG(st.st_mode):
        raise ResponseError(
            "is not a regular file (a device, pipe or socket); save the answers to a file first",
            file=path,
        )
    if st.st_size > limits.max_bytes:
        raise _over("bytes", st.st_size, limits.max_bytes, "CXKIT_MAX_BYTES", path)
    return st.st_size


def unique_header(header: list, path: str) -> tuple[list[str], dict[str, tuple[str, int, int]]]:
    """Header names made unique: a repeated header ``EC1`` in column 5 (first in column 2) is
    renamed ``EC1 (column 5)``; returns the names and ``new name → (header, first, this column)``."""
    names: list[str] = []
    first: dict[str, int] = {}
    dups: dict[str, tuple[str, int, int]] = {}
    for k, h in enumerate(header, start=1):
        text = "" if h is None or (isinstance(h, float) and pd.isna(h)) else str(h)
        key = text.strip()
        if not key:
            name = f"(column {k})"
        elif key in first:
            name = f"{key} (column {k})"
            dups[name] = (key, first[key], k)
        else:
            first[key] = k
            name = text
        names.append(name)
    return names, dups


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
    #: repeated headers: new name → (header, first column, this column), 1-based
    duplicates: dict[str, tuple[str, int, int]] = field(default_factory=dict)


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
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ResponseError(
                f"starts like UTF-16 text but byte {exc.start} is not UTF-16; save it as CSV UTF-8",
                file=path,
            ) from None
    head = raw[:4000]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        enc = (
            "utf-16-le"
            if odd > 3 * max(even, 1)
            else "utf-16-be"
            if even > 3 * max(odd, 1)
            else None
        )
        if enc is not None:
            try:
                return raw.decode(enc), f"{enc} (no byte-order mark)"
            except UnicodeDecodeError:
                pass
        raise ResponseError(
            "holds zero bytes: it is not a text table (a binary file, or UTF-16 text that cannot "
            "be decoded); save it as CSV UTF-8, or pass encoding=...",
            file=path,
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        bad = exc.start
    good = re.search(rb"[\xc2-\xf4][\x80-\xbf]+", raw)
    if good is not None:
        line_bad = raw.count(b"\n", 0, bad) + 1
        line_good = raw.count(b"\n", 0, good.start()) + 1
        sample = good.group().decode("utf-8", "replace")
        raise ResponseError(
            f"mixes encodings: line {line_good} has UTF-8 text ({sample!r}) but line {line_bad} "
            f"has byte 0x{raw[bad]:02X}, which is not UTF-8 (Windows-1252 or Latin-1?); reading it "
            "one way would garble the other. Save the file in one encoding (CSV UTF-8) or pass "
            "encoding=... to read all of it one way",
            file=path,
        )
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
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
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text[:SNIFF_BYTES].split("\n", 1)[0] if text.strip() else ""
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
    *,
    text_columns: Callable[[list[str]], list[str]] | None = None,
    limits: Limits | None = None,
) -> RawTable:
    """Read a CSV export (see the module docstring for what is detected and the limits).

    ``text_columns`` receives the header and names the columns to read as text as written.
    """
    path = str(path)
    limits = limits or Limits.from_env()
    check_file(path, limits)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ResponseError(f"cannot be read ({exc.strerror})", file=path) from None
    if not raw.strip():
        raise ResponseError(
            "the file is empty; expected a header row with the item ids or questions, then answers",
            file=path,
        )
    text, enc = _decode(raw, path, encoding)
    del raw
    sep = delimiter or _sniff(text, path)
    dec = decimal or ("," if sep == ";" else ".")
    # the header and the table's shape, before anything is parsed
    first_line = text[: min(len(text), limits.max_columns * 200 + SNIFF_BYTES)].split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line.lstrip("\ufeff")], delimiter=sep))
    except (csv.Error, StopIteration):
        header = first_line.split(sep)
    if len(header) > limits.max_columns or first_line.count(sep) + 1 > limits.max_columns:
        raise _over(
            "columns", max(len(header), first_line.count(sep) + 1), limits.max_columns,
            "CXKIT_MAX_COLUMNS", path,
        )  # fmt: skip
    rows = text.count("\n")
    if rows * len(header) > limits.max_cells:
        raise _over("cells", rows * len(header), limits.max_cells, "CXKIT_MAX_CELLS", path)
    names, dups = unique_header([h.strip() if isinstance(h, str) else h for h in header], path)
    as_text = list(text_columns(names)) if text_columns is not None else []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            decimal=dec,
            header=0,
            names=names,
            # numbers are parsed by the C reader (fast); a column with any text stays text, cell
            # for cell, for validation; only empty cells are missing
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            dtype={c: str for c in as_text} or None,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise ResponseError(
            f"cannot be read as a {sep!r}-separated table ({exc})", file=path
        ) from None
    except pd.errors.EmptyDataError:
        raise ResponseError("has no header row", file=path) from None
    except (ValueError, OverflowError) as exc:
        raise ResponseError(f"cannot be read as a table ({exc})", file=path) from None
    if frame.shape[1] < 2 and sep != delimiter:
        raise ResponseError(
            f"has only one column ({list(frame.columns)[0]!r}); is it a table? Separators tried: , ; tab |",
            file=path,
        )
    return RawTable(frame, path, "csv", enc, sep, dec, duplicates=dups)


def check_xlsx(path: str, limits: Limits) -> None:
    """Refuse a workbook whose sheets unpack to more than the limits, before it is opened.

    Checks the zip's declared sizes and compression ratios, the first sheet's declared dimension,
    and reads the sheets through a bounded stream, so that a zip bomb is never unpacked.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ResponseError(
            f"cannot be read as an Excel workbook (not a valid .xlsx zip: {exc})", file=path
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise ResponseError(
                f"is a zip of {len(infos):,} parts; not an Excel workbook", file=path
            )
        parts = [i for i in infos if i.filename.startswith("xl/") and i.filename.endswith(".xml")]
        total = sum(i.file_size for i in parts)
        if total > limits.max_xlsx_bytes:
            raise _over(
                "bytes once unpacked", total, limits.max_xlsx_bytes, "CXKIT_MAX_XLSX_BYTES", path
            )
        for i in parts:
            if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise ResponseError(
                    f"{i.filename} unpacks {i.file_size / max(i.compress_size, 1):,.0f} times its "
                    f"packed size ({i.compress_size:,} → {i.file_size:,} bytes), more than "
                    f"{MAX_RATIO} : 1; a workbook of answers does not do that (a zip bomb?)",
                    file=path,
                )
        sheets = sorted(
            (i for i in parts if re.match(r"xl/worksheets/sheet\d+\.xml$", i.filename)),
            key=lambda i: i.filename,
        )
        if sheets:
            with zf.open(sheets[0]) as fh:
                head = fh.read(4096).decode("utf-8", "replace")
            m = re.search(r'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', head)
            if m and m.group(3):
                col = _col_number(m.group(3)) - _col_number(m.group(1)) + 1
                row = int(m.group(4)) - int(m.group(2)) + 1
                if col > limits.max_columns:
                    raise _over("columns", col, limits.max_columns, "CXKIT_MAX_COLUMNS", path)
                if col * row > limits.max_cells:
                    raise _over("cells", col * row, limits.max_cells, "CXKIT_MAX_CELLS", path)
        # declared sizes can lie: count what really comes out, bounded
        seen = 0
        for i in parts:
            try:
                with zf.open(i) as fh:
                    while chunk := fh.read(1 << 20):
                        seen += len(chunk)
                        if seen > limits.max_bytes:
                            raise _over(
                                "bytes once unpacked",
                                seen,
                                limits.max_bytes,
                                "CXKIT_MAX_BYTES",
                                path,
                            )
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise ResponseError(
                    f"cannot be read as an Excel workbook ({i.filename}: {exc})", file=path
                ) from None


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def read_excel(path: str | Path, sheet: str | int = 0, *, limits: Limits | None = None) -> RawTable:
    """Read an XLSX sheet (the first by default) after :func:`check_xlsx`; cells as typed."""
    path = str(path)
    limits = limits or Limits.from_env()
    check_file(path, limits)
    check_xlsx(path, limits)
    try:
        import python_calamine  # noqa: F401

        engine = "calamine"
    except ImportError:  # pragma: no cover - python-calamine is a dependency
        engine = "openpyxl"
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine=engine, header=None)
    except ValueError as exc:
        raise ResponseError(f"cannot be read as an Excel workbook ({exc})", file=path) from None
    except Exception as exc:  # the readers raise zipfile/KeyError/CalamineError flavours
        raise ResponseError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})", file=path
        ) from None
    if frame.shape[1] > limits.max_columns:
        raise _over("columns", frame.shape[1], limits.max_columns, "CXKIT_MAX_COLUMNS", path)
    if frame.size > limits.max_cells:
        raise _over("cells", frame.size, limits.max_cells, "CXKIT_MAX_CELLS", path)
    if len(frame) == 0:
        raise ResponseError("the sheet is empty; expected a header row, then answers", file=path)
    names, dups = unique_header(list(frame.iloc[0]), path)
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = names
    frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return RawTable(frame, path, "xlsx", duplicates=dups)


def read_sav(path: str | Path) -> RawTable:
    """Read an SPSS ``.sav`` file; its value labels are kept (``RawTable.value_labels``)."""
    import pyreadstat

    path = str(path)
    limits = Limits.from_env()
    check_file(path, limits)
    try:
        _, head = pyreadstat.read_sav(path, metadataonly=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ResponseError(f"cannot be read as an SPSS .sav file ({exc})", file=path) from None
    if head.number_columns > limits.max_columns:
        raise _over("columns", head.number_columns, limits.max_columns, "CXKIT_MAX_COLUMNS", path)
    if (head.number_rows or 0) * head.number_columns > limits.max_cells:
        raise _over(
            "cells",
            head.number_rows * head.number_columns,
            limits.max_cells,
            "CXKIT_MAX_CELLS",
            path,
        )
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
        label = f"bundled data set {name}" if name else "<DataFrame>"
        limits = Limits.from_env()
        if source.shape[1] > limits.max_columns:
            raise _over("columns", source.shape[1], limits.max_columns, "CXKIT_MAX_COLUMNS", label)
        if source.size > limits.max_cells:
            raise _over("cells", source.size, limits.max_cells, "CXKIT_MAX_CELLS", label)
        return RawTable(source.copy(), label, "frame")
    if not isinstance(source, str | os.PathLike):
        raise ResponseError(
            f"cannot read a {type(source).__name__}; pass a file path or a pandas DataFrame"
        )
    path = str(source)
    suffix = Path(path).suffix.lower()
    text_columns = kw.pop("text_columns", None)
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path)
    if suffix == ".sav":
        return read_sav(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return read_csv(path, **kw, text_columns=text_columns)
    raise ResponseError(
        f"cannot read files of type {suffix!r}; cxkit reads .csv (any separator), .xlsx, .sav and pandas DataFrames",
        file=path,
    )
