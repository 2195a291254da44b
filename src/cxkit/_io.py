"""Writing files safely: every file cxkit writes goes through here.

* **Atomic.** A file is written to a temporary file in the same folder and moved into place with
  :func:`os.replace`, so an interrupted or disk-full run never leaves a half-written file; a failed
  write raises :class:`~cxkit.errors.RenderError` naming the file and leaves the old file as it was.
* **Inputs are never outputs.** A path that is (:func:`os.path.samefile`) one of the inputs of the
  run — passed as ``inputs=`` or registered with :func:`protect` (the ``cxkit`` command registers
  every file it was given) — is refused with :class:`~cxkit.errors.SpecificationError`.
* **Output folders.** :class:`OutputFolder` writes into a fresh folder, or into one cxkit made before
  (it holds the marker file ``.cxkit-output`` listing the files of the last run); any other folder
  that is not empty is refused unless ``force=True`` (``--force``). Files of an earlier run that the
  new run does not write again are removed, and only in a folder cxkit made.
* **Spreadsheet cells.** :func:`neutralise` prefixes text cells that start with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return with ``'`` (OWASP's rule against CSV/formula injection), so that
  Excel and LibreOffice show them as text; numbers stay numbers, and text that is a plain number
  (``-3.5``) is left as it is. XLSX cells are written as typed strings, never formulas.
* **Reproducible.** :func:`build_time` is ``$SOURCE_DATE_EPOCH`` when set (else now): PDF, SVG and
  XLSX timestamps come from it, so the same inputs and seed give byte-identical files.

Examples
--------
>>> neutralise_value("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_value("-3.5"), neutralise_value(-3.5), neutralise_value("Toko Contoh")
('-3.5', -3.5, 'Toko Contoh')
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from cxkit.errors import CxkitError, RenderError, SpecificationError

MARKER = ".cxkit-output"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
#: lavaan operators: cxkit's own tokens in an ``op`` column, written as they are
LAVAAN_OPS = frozenset({"=~", "~", "~~", ":=", "~1", "|", "<~"})
_PROTECTED: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "cxkit_protected", default=()
)


# -- time ------------------------------------------------------------------------------------------
def source_date_epoch() -> int | None:
    """``$SOURCE_DATE_EPOCH`` as an integer, or None when unset or not a number.

    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"; source_date_epoch()
    1700000000
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        epoch = int(value)
    except ValueError:
        return None
    return epoch if epoch >= 0 else None


def build_time() -> _dt.datetime:
    """The time stamped into written files: ``$SOURCE_DATE_EPOCH`` (UTC) when set, else now."""
    epoch = source_date_epoch()
    if epoch is None:
        return _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    return _dt.datetime.fromtimestamp(epoch, _dt.UTC)


# -- inputs ----------------------------------------------------------------------------------------
@contextlib.contextmanager
def protect(*paths) -> Iterator[None]:
    """Within the block, refuse to write over any of ``paths`` (the run's input files)."""
    token = _PROTECTED.set(
        _PROTECTED.get() + tuple(os.fspath(p) for p in paths if p is not None and str(p) != "")
    )
    try:
        yield
    finally:
        _PROTECTED.reset(token)


def _same(a: Path, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_not_input(path: str | os.PathLike, inputs: Iterable = ()) -> Path:
    """Raise :class:`SpecificationError` when ``path`` is one of the inputs (same file on disk).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"; _ = p.write_text("x")
    >>> check_not_input(p, [p])
    Traceback (most recent call last):
    ...
    cxkit.errors.SpecificationError: ...a.csv: is an input of this run; cxkit never writes over its inputs: choose another output name
    """
    path = Path(path)
    if not path.exists():
        return path
    for other in (*_PROTECTED.get(), *(os.fspath(i) for i in inputs if i is not None)):
        if _same(path, other):
            raise SpecificationError(
                "is an input of this run; cxkit never writes over its inputs: choose another output name",
                file=str(path),
            )
    return path


# -- atomic writes ---------------------------------------------------------------------------------
def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes(path: str | os.PathLike, data: bytes, inputs: Iterable = ()) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + :func:`os.replace`).

    Raises
    ------
    SpecificationError
        ``path`` is an input of the run.
    RenderError
        The file cannot be written (no such folder, no permission, disk full, a folder of that name);
        nothing is left behind and an earlier file of that name is unchanged.
    """
    path = check_not_input(path, inputs)
    if path.is_dir():
        raise RenderError("is a folder; name a file to write", file=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        if not folder.is_dir():
            why = f"the folder {folder} does not exist"
        raise RenderError(f"cannot be written ({why})", file=str(path)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def write_text(path: str | os.PathLike, text: str, inputs: Iterable = ()) -> Path:
    """Write UTF-8 text atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"), inputs)


# -- spreadsheet cells -----------------------------------------------------------------------------
def neutralise_value(value):
    """One cell: text starting with ``= + - @`` tab or CR gets a leading ``'``; the rest unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _neutral_series(s: pd.Series) -> pd.Series:
    if s.dtype != object and not pd.api.types.is_string_dtype(s):
        return s
    if s.name == "op":
        return s.map(lambda v: v if v in LAVAAN_OPS else neutralise_value(v))
    return s.map(neutralise_value)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, header and index label neutralised.

    >>> df = pd.DataFrame({"value": ["=1+1", "ok", 3], "op": ["=~", "=x", "~"]})
    >>> neutralise(df).to_dict("list")
    {'value': ["'=1+1", 'ok', 3], 'op': ['=~', "'=x", '~']}
    """
    out = frame.copy()
    for k, name in enumerate(out.columns):
        out.isetitem(k, _neutral_series(out.iloc[:, k].rename(name)))
    out.columns = pd.Index([neutralise_value(c) for c in out.columns], name=out.columns.name)
    if out.index.dtype == object:
        out.index = pd.Index([neutralise_value(v) for v in out.index], name=out.index.name)
    return out


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike, *, index: bool = False, inputs: Iterable = ()
) -> Path:
    """Write a table as UTF-8 CSV, text cells neutralised, atomically."""
    buf = io.StringIO()
    neutralise(frame).to_csv(buf, index=index, lineterminator="\n")
    return write_text(path, buf.getvalue(), inputs)


def write_csv_rows(rows: list[list], path: str | os.PathLike, inputs: Iterable = ()) -> Path:
    """Write rows of cells as CSV (text neutralised), atomically."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise_value(v) for v in row])
    return write_text(path, buf.getvalue(), inputs)


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip (XLSX, DOCX) with every entry stamped :func:`build_time`, entries in order."""
    stamp = build_time()
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' when saving
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + iso + m.group(2),
                    body,
                )
            dst.writestr(new, body)
    return out.getvalue()


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX workbook of ``sheets`` (name → rows): text as typed strings (never a formula),
    numbers as numbers, timestamps from :func:`build_time`.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(str(name)[:31])
        for row in rows:
            ws.append([None if _is_na(v) else v for v in row])
    return finished_workbook(wb)


def finished_workbook(wb) -> bytes:
    """The bytes of an openpyxl workbook: every text cell typed as a string (never a formula),
    created/modified from :func:`build_time`, the zip made reproducible."""
    from openpyxl.cell.cell import TYPE_STRING

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING
    stamp = build_time().replace(tzinfo=None)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible_zip(buf.getvalue())


def _is_na(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def write_xlsx(sheets: dict[str, list[list]], path: str | os.PathLike, inputs: Iterable = ()):
    """Write an XLSX workbook atomically (see :func:`workbook_bytes`)."""
    return write_bytes(path, workbook_bytes(sheets), inputs)


def frame_rows(frame: pd.DataFrame, index: bool = True) -> list[list]:
    """A DataFrame as rows of cells (header first) for :func:`write_xlsx`."""
    head = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows = [head]
    for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [v.item() if hasattr(v, "item") else v for v in row]
        rows.append(([i] if index else []) + cells)
    return rows


# -- output folders --------------------------------------------------------------------------------
class OutputFolder:
    """A folder that cxkit writes a set of files into (a study report).

    Parameters
    ----------
    path : path
        The folder. Created when missing. An existing folder must be empty or carry the marker
        ``.cxkit-output`` of an earlier cxkit run; otherwise :class:`SpecificationError` unless
        ``force``.
    force : bool
        Write into a folder cxkit did not make (files of the same names are replaced; nothing else
        there is touched or removed).
    inputs : iterable of paths
        Files that must not be written over.

    Use :meth:`write_bytes` / :meth:`write_text` / :meth:`write_csv` for each file and
    :meth:`finish` at the end: it removes the files of the previous run that were not written again
    (only when the folder carries the marker) and records the new list in the marker.
    """

    @staticmethod
    def check(path: str | os.PathLike, force: bool = False) -> None:
        """Raise the error :class:`OutputFolder` would raise for ``path``, creating nothing
        (so that a long analysis is not run for a folder that will be refused)."""
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise SpecificationError(
                "is a file, not a folder; name a folder for the outputs", file=str(p)
            )
        if p.is_dir() and not (p / MARKER).is_file() and not force:
            entries = sorted(e.name for e in p.iterdir())
            if entries:
                shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
                raise SpecificationError(
                    f"the folder is not empty ({shown}) and was not made by cxkit; cxkit writes "
                    "into a new folder, an empty one or one it made before (it holds "
                    f"{MARKER}): choose another folder or pass --force (force=True) to write "
                    "into this one (files of the same names are replaced)",
                    file=str(p),
                )

    def __init__(self, path: str | os.PathLike, *, force: bool = False, inputs: Iterable = ()):
        self.check(path, force)
        self.path = Path(path)
        self.inputs = tuple(inputs)
        self.written: list[str] = []
        self.previous: list[str] = []
        self.owned = False
        self.finished = False
        p = self.path
        marker = p / MARKER
        if p.is_dir():
            if marker.is_file():
                self.owned = True
                self.previous = _read_marker(marker)
            else:
                self.owned = not any(p.iterdir())
        else:
            self.owned = True
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RenderError(
                f"cannot create the output folder ({exc.strerror})", file=str(p)
            ) from None
        if self.owned:
            self._mark()

    def _mark(self) -> None:
        payload = {
            "comment": "made by cxkit; these files are rewritten or removed by the next run",
            "files": sorted(self.written if self.finished else self.previous),
        }
        write_text(self.path / MARKER, json.dumps(payload, indent=1) + "\n")

    def file(self, name: str) -> Path:
        """The path of ``name`` (``tables/fit.csv``) inside the folder; sub-folders made."""
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise SpecificationError(f"{name!r} is not a file name inside the output folder")
        target = self.path / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RenderError(
                f"cannot create the folder ({exc.strerror})", file=str(target.parent)
            ) from None
        if rel.as_posix() not in self.written:
            self.written.append(rel.as_posix())
        return target

    def write_bytes(self, name: str, data: bytes) -> Path:
        return write_bytes(self.file(name), data, self.inputs)

    def write_text(self, name: str, text: str) -> Path:
        return write_text(self.file(name), text, self.inputs)

    def write_csv(self, name: str, frame: pd.DataFrame, *, index: bool = False) -> Path:
        return write_csv(frame, self.file(name), index=index, inputs=self.inputs)

    def finish(self) -> list[Path]:
        """Remove stale files of the previous run (folders cxkit made only); return what was written."""
        if self.owned:
            for rel in self.previous:
                if rel in self.written or rel == MARKER:
                    continue
                stale = self.path / rel
                if ".." in Path(rel).parts or not stale.is_file():
                    continue
                with contextlib.suppress(OSError):
                    stale.unlink()
            self.finished = True
            self._mark()
        return [self.path / rel for rel in self.written]


def written_files(folder: str | os.PathLike) -> list[str]:
    """The files the last cxkit run wrote into ``folder`` (from its marker), relative names."""
    return _read_marker(Path(folder) / MARKER)


def _read_marker(marker: Path) -> list[str]:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        files = data.get("files", []) if isinstance(data, dict) else []
        return [str(f) for f in files if isinstance(f, str)]
    except (OSError, ValueError):
        return []


def as_cxkit_error(exc: BaseException) -> CxkitError:
    """A cxkit error for an OSError or MemoryError escaping a run (the CLI prints it)."""
    if isinstance(exc, MemoryError):
        return CxkitError(
            "ran out of memory; the input is too large for this machine (see the input limits "
            "in the README: CXKIT_MAX_BYTES, CXKIT_MAX_COLUMNS, CXKIT_MAX_CELLS)"
        )
    if isinstance(exc, OSError):
        return RenderError(
            f"cannot be read or written ({exc.strerror or exc})",
            file=None if exc.filename is None else str(exc.filename),
        )
    return CxkitError(str(exc))
