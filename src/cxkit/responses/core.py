"""``read_responses``: a responses file (or DataFrame) read against the instrument it was collected with.

Validation is lazy: every problem is collected, none stops the reading, and the input is never
changed. ``Responses.problems`` has one row per problem cell (or column), with a reason code:

=============================  ============================================================
reason                          meaning
=============================  ============================================================
``out_of_range``                a number that is not a code of the item's scale
``not_a_number``                text that is neither a number nor one of the scale's labels (the
                                forms accepted are listed in :mod:`cxkit.responses.answers`)
``missing``                     a required item left blank
``missing_column``              an instrument item with no column in the data
``unknown_column``              a column that is no item and no known metadata
``duplicate_respondent``        a respondent id seen in an earlier row
``wrong_instrument_version``    a version column naming another version, or a column that
                                belongs to another version of the instrument
``duplicate_column``            a header repeated in a later column (only the first is read)
=============================  ============================================================

``Responses.data`` holds the clean answers (item ids as columns, invalid cells blank, anchor labels
mapped to codes, missing codes blank); ``Responses.log`` lists every change made on the way (cell,
old value, new value, why).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cxkit.errors import ResponseError, SpecificationError
from cxkit.instrument.model import Instrument, Item
from cxkit.responses.answers import answer_codes
from cxkit.responses.columns import map_columns
from cxkit.responses.quality import FLAG_NAMES, QualityRules, quality_flags, unchecked_flags
from cxkit.responses.read import RawTable, read_raw

PROBLEM_COLUMNS = ["row", "respondent", "column", "value", "reason", "message"]
LOG_COLUMNS = ["row", "respondent", "column", "old", "new", "reason"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{9,}$")


@dataclass(frozen=True)
class Responses:
    """Answers read against an instrument.

    Attributes
    ----------
    data : DataFrame
        Clean answers, item ids as columns, indexed by ``row`` (1 = the first data row of the input).
    problems : DataFrame
        ``row, respondent, column, value, reason, message`` — one row per problem.
    flags : DataFrame
        Quality flags per row (:mod:`cxkit.responses.quality`).
    log : DataFrame
        ``row, respondent, column, old, new, reason`` — every change from input to ``data``.
    excluded : DataFrame
        Rows taken out of ``data`` by an explicit exclusion, with the reasons.
    personal : DataFrame or None
        Personal data (e-mail, phone, items marked personal), only when asked for.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    flags: pd.DataFrame
    log: pd.DataFrame
    instrument: Instrument
    source: str
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "respondent", "reasons"])
    )
    personal: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    @property
    def respondents(self) -> pd.Series:
        """Respondent id per row of ``data``."""
        return self.flags.loc[self.data.index, "respondent"]

    @property
    def provenance(self) -> dict:
        return {
            **self.instrument.provenance,
            "source": self.source,
            "n_read": self.meta.get("n_read"),
            "n_excluded": len(self.excluded),
        }

    def exclude(self, reasons) -> Responses:
        """A new ``Responses`` without the rows flagged for any of ``reasons`` (logged, reported).

        ``reasons`` are flag names: ``attention_failed``, ``straightlining``, ``too_fast``,
        ``duplicate``, ``too_many_missing`` (or ``flagged`` for any of them).
        """
        reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        allowed = (*FLAG_NAMES, "flagged")
        for r in reasons:
            if r not in allowed:
                raise SpecificationError(
                    f"exclude={r!r} is not accepted; use flag names: {', '.join(allowed)}"
                )
        if not reasons:
            return self
        hit = self.flags.loc[self.data.index, reasons]
        drop = hit.any(axis=1)
        rows = drop[drop].index
        if not len(rows):
            return replace(
                self, meta={**self.meta, "exclude": [*self.meta.get("exclude", []), *reasons]}
            )
        why = hit.loc[rows].apply(lambda r: ", ".join(c for c in reasons if r[c]), axis=1)
        new_excl = pd.DataFrame(
            {
                "row": rows,
                "respondent": self.flags.loc[rows, "respondent"].to_numpy(),
                "reasons": why.to_numpy(),
            }
        )
        log_rows = pd.DataFrame(
            {
                "row": rows,
                "respondent": new_excl["respondent"].to_numpy(),
                "column": "",
                "old": "",
                "new": "",
                "reason": "excluded: " + why,
            }
        )
        return replace(
            self,
            data=self.data.drop(index=rows),
            excluded=pd.concat([self.excluded, new_excl], ignore_index=True)
            if len(self.excluded)
            else new_excl,
            log=pd.concat([self.log, log_rows], ignore_index=True),
        )

    def summary(self) -> str:
        """What was read, what is wrong, what was flagged and excluded."""
        m = self.meta
        lines = [
            f"{self.source} read as {m.get('format')}"
            + (
                f" ({m.get('encoding')}, separator {m.get('delimiter')!r}, decimal {m.get('decimal')!r})"
                if m.get("format") == "csv"
                else ""
            ),
            f"instrument {self.instrument.ref} (sha256 {self.instrument.sha256[:12]})",
            f"{m.get('n_read')} rows read; {len(self.data.columns)} item columns; {len(self.excluded)} rows excluded; {len(self.data)} rows in the data",
        ]
        if len(self.problems):
            counts = self.problems["reason"].value_counts()
            lines.append(
                f"{len(self.problems)} problems: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
            )
        else:
            lines.append("no problems")
        unchecked = unchecked_flags(self.flags)
        flagged = {f: str(int(self.flags[f].sum())) for f in FLAG_NAMES}
        flagged.update({f: why.split(":")[0] for f, why in unchecked.items()})
        lines.append("quality flags: " + ", ".join(f"{k} {v}" for k, v in flagged.items()))
        lines += [f"{f}: {why}" for f, why in unchecked.items()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _show(v) -> str:
    """A value as the user wrote it: 9 not 9.0, text quoted."""
    if isinstance(v, str):
        return repr(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return repr(v)
    return str(int(f)) if f.is_integer() else repr(f)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[pd.DataFrame] = []
        self.log: list[pd.DataFrame] = []

    def problem(self, rows, column, values, reason, messages):
        rows = np.asarray(rows)
        if len(rows):
            self.problems.append(
                pd.DataFrame(
                    {
                        "row": rows,
                        "column": column,
                        "value": values,
                        "reason": reason,
                        "message": messages,
                    }
                )
            )

    def change(self, rows, column, old, new, reason):
        rows = np.asarray(rows)
        if len(rows):
            self.log.append(
                pd.DataFrame(
                    {"row": rows, "column": column, "old": old, "new": new, "reason": reason}
                )
            )


def _convert(
    raw: pd.Series,
    item: Item,
    decimal: str | None,
    extra_labels: dict | None,
    col: str,
    out: _Collector,
) -> pd.Series:
    """Raw column → float codes of ``item``'s scale; problems and changes recorded."""
    scale = item.scale
    rows = raw.index.to_numpy()
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        num = raw.astype(float)
        blank = num.isna()
        text = None
    else:
        text = raw.astype("string").fillna("").str.strip().astype(object)
        blank = text.eq("")
        parse = text.str.replace(",", ".", regex=False) if decimal == "," else text
        num = pd.to_numeric(parse, errors="coerce")
        if decimal == ",":
            comma = num.notna() & text.str.contains(",", regex=False)
            out.change(
                rows[comma],
                col,
                text[comma].to_numpy(),
                num[comma].to_numpy(),
                "decimal comma read as a decimal point",
            )
        unparsed = num.isna() & ~blank
        if unparsed.any():
            codes = answer_codes(item, extra_labels)
            mapped = text[unparsed].map(codes.lookup).astype(float)
            hit = mapped.notna()
            if hit.any():
                idx = mapped[hit].index
                num.loc[idx] = mapped[hit]
                out.change(
                    idx.to_numpy(),
                    col,
                    text.loc[idx].to_numpy(),
                    mapped[hit].to_numpy(),
                    "answer label mapped to its code",
                )
            bad = num.isna() & ~blank
            if bad.any():
                vals = text[bad].to_numpy()
                out.problem(
                    rows[bad.to_numpy()],
                    col,
                    vals,
                    "not_a_number",
                    [
                        f"{v!r} is neither a number nor an answer label of scale {scale.id}"
                        for v in vals
                    ],
                )
    values = np.array(scale.values, dtype=float)
    missing_code = (
        _isin(num, scale.missing_codes)
        if scale.missing_codes
        else pd.Series(False, index=num.index)
    )
    if missing_code.any():
        out.change(
            rows[missing_code.to_numpy()],
            col,
            num[missing_code].to_numpy(),
            np.nan,
            "missing-data code set blank",
        )
    present = num.notna() & ~missing_code
    invalid = present & ~_isin(num, values)
    if invalid.any():
        vals = (text if text is not None else num)[invalid].to_numpy()
        span = (
            f"{int(values.min())}–{int(values.max())}"
            if scale.type != "choice"
            else ", ".join(str(int(v)) for v in values)
        )
        out.problem(
            rows[invalid.to_numpy()],
            col,
            vals,
            "out_of_range",
            [
                f"{_show(v)} is not an answer code of scale {scale.id} ({span}); set blank"
                for v in vals
            ],
        )
        out.change(rows[invalid.to_numpy()], col, vals, np.nan, "invalid answer set blank")
    clean = num.where(present & ~invalid)
    if item.required:
        req = (blank | missing_code) if text is None else blank
        req = req & ~missing_code
        if req.any():
            out.problem(
                rows[req.to_numpy()], col, "", "missing", f"required item {item.id} left blank"
            )
    return clean


def _isin(num: pd.Series, codes) -> pd.Series:
    """``num.isin(codes)`` for a few numeric codes: one comparison per code (no hash table)."""
    arr = num.to_numpy(dtype=float)
    hit = np.zeros(len(arr), dtype=bool)
    for code in np.asarray(codes, dtype=float):
        hit |= arr == code
    return pd.Series(hit, index=num.index)


def _seconds(frame: pd.DataFrame, metadata: dict) -> pd.Series | None:
    if "duration" in metadata:
        s = frame[metadata["duration"]]
        return (
            pd.to_numeric(s.astype(str).str.replace(",", ".", regex=False), errors="coerce")
            if not pd.api.types.is_numeric_dtype(s)
            else s.astype(float)
        )
    if "start" in metadata and "end" in metadata:
        start = pd.to_datetime(frame[metadata["start"]], errors="coerce", utc=True, format="mixed")
        end = pd.to_datetime(frame[metadata["end"]], errors="coerce", utc=True, format="mixed")
        return (end - start).dt.total_seconds()
    return None


def as_text(col: pd.Series) -> pd.Series:
    """Ids and metadata as text, as written: ``00017`` stays, ``17.0`` (from Excel/SPSS) is ``17``,
    blanks are empty.

    Text cells (what a CSV gives) are stripped in one vectorised pass; only other cells (numbers
    from Excel or SPSS) are converted one by one.

    >>> as_text(pd.Series([" 00017 ", 17.0, None, 2.5])).tolist()
    ['00017', '17', '', '2.5']
    """

    def one(v) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float | np.floating) and np.isfinite(v) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()

    values = col.to_numpy(dtype=object)
    is_text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    out = np.empty(len(values), dtype=object)
    if is_text.any():
        out[is_text] = pd.Series(values[is_text], dtype=object).str.strip().to_numpy(dtype=object)
    rest = ~is_text
    if rest.any():
        out[rest] = [one(v) for v in values[rest]]
    return pd.Series(out, index=col.index, dtype=object, name=col.name)


def _personal_columns(frame: pd.DataFrame, columns: list) -> list:
    """The columns (of ``columns``) whose first 200 answers are mostly e-mail addresses or phone
    numbers: vectorised over all columns, the first five answers of each screening it first."""
    if not columns:
        return []

    def hits(head: pd.DataFrame) -> pd.Series:
        head = head.copy()
        head.columns = range(head.shape[1])
        vals = head.stack().astype(str).str.strip()
        vals = vals[vals.ne("") & vals.ne("nan")]
        if vals.empty:
            return pd.Series(dtype=float)
        email = vals.str.match(_EMAIL.pattern)
        phone = vals.str.match(_PHONE.pattern) & vals.str.count(r"\d").ge(9)
        return (email | phone).astype(float).groupby(level=1).mean()

    first = hits(frame[columns].head(5))
    candidates = [columns[k] for k in first.index[first > 0]]
    if not candidates:
        return []
    share = hits(frame[candidates].head(200))
    return [candidates[k] for k in share.index[share > 0.5]]


def _sibling_versions(instrument: Instrument) -> list[Instrument]:
    """The other versions of a registry instrument (none for a file outside the registry)."""
    from cxkit.instrument.registry import instruments_dir, list_instruments, load_instrument

    root = instruments_dir()
    if not (root / instrument.id / f"{instrument.version}.yaml").is_file():
        return []
    listed = list_instruments()
    out = []
    for v in listed.loc[listed["id"] == instrument.id, "version"]:
        if v == instrument.version:
            continue
        try:
            out.append(load_instrument(f"{instrument.id}@{v}"))
        except Exception:  # noqa: BLE001 - a broken other version must not stop reading
            continue
    return out


def _other_versions(instrument: Instrument) -> dict[str, str]:
    """Item id → ref of another version of the same instrument that has it (and this one does not)."""
    out: dict[str, str] = {}
    own = {i.id for i in instrument.items}
    for other in _sibling_versions(instrument):
        for item in other.items:
            if item.id not in own:
                out.setdefault(item.id.casefold(), other.ref)
    return out


def _spelled_item(col, instrument: Instrument) -> str | None:
    """The item id a header spells with other separators or case (``EC_1``, ``ec-1``, ``EC 1``)."""
    key = re.sub(r"[^0-9a-z]", "", str(col).casefold())
    return next((i.id for i in instrument.items if i.id.casefold() == key), None)


def _column_map(spec, columns, instrument: Instrument, source: str) -> dict:
    """``column_map`` (a mapping or a .csv/.yaml file) checked against the data and the instrument."""
    from pathlib import Path

    where = "column_map"
    if not isinstance(spec, dict):
        path = Path(spec)
        where = str(path)
        if not path.is_file():
            raise ResponseError("no such column map file", file=where)
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(spec, dict):
                raise ResponseError("must be a mapping of column: item id", file=where)
        else:
            table = read_raw(path).frame
            if table.shape[1] != 2:
                raise ResponseError(
                    f"has {table.shape[1]} columns; a column map has two: column, item", file=where
                )
            spec = dict(
                zip(table.iloc[:, 0].astype(str), table.iloc[:, 1].astype(str), strict=True)
            )
    spec = {str(k).strip(): str(v).strip() for k, v in spec.items()}
    ids = {i.id for i in instrument.items}
    bad = {k: v for k, v in spec.items() if v not in ids}
    if bad:
        k, v = next(iter(bad.items()))
        raise ResponseError(
            f"maps {k!r} to {v!r}, which is no item of {instrument.ref}"
            + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
            + f"; items: {', '.join(sorted(ids)[:8])}, …",
            file=where,
        )
    present = {str(c).strip(): c for c in columns}
    absent = [k for k in spec if k not in present]
    if len(absent) == len(spec):
        raise ResponseError(
            f"none of its columns ({', '.join(map(repr, absent[:5]))}) is in {source}", file=where
        )
    return {present[k]: v for k, v in spec.items() if k in present}


def _better_version(columns, instrument: Instrument, matched: int) -> str:
    """ "these data look like id@other" when another version of the instrument fits the columns better."""
    share = matched / max(len(instrument.items), 1)
    best = ("", share, 0)
    for other in _sibling_versions(instrument):
        n = len(map_columns(columns, other).items)
        if n / max(len(other.items), 1) > best[1] + 0.2 and n >= matched:
            best = (other.ref, n / len(other.items), n)
    if not best[0]:
        return ""
    other_n = round(best[2] / best[1])
    return (
        f"these data look like {best[0]}: {best[2]} of its {other_n} items have a column here, "
        f"against {matched} of the {len(instrument.items)} items of {instrument.ref}; "
        f"read them with --instrument {best[0]}"
    )


def read_responses(
    source,
    instrument,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    rules: QualityRules | None = None,
    exclude=(),
    keep_personal: bool = False,
    sheet: str | int | None = None,
    skip_rows: int = 0,
    column_map=None,
) -> Responses:
    """Read answers against the instrument version they were collected with.

    Parameters
    ----------
    source : path or DataFrame
        ``.csv`` (comma or semicolon, point or comma decimals, UTF-8 with or without BOM, Windows-1252,
        Latin-1), ``.xlsx``, ``.sav`` (SPSS; value labels kept and understood), a KoboToolbox/ODK or
        Google Forms export, or a pandas DataFrame. Never modified.
    instrument : Instrument or str
        The instrument (or its ``id@version``).
    encoding, delimiter, decimal : str, optional
        Override what is detected in a CSV file.
    rules : QualityRules, optional
        Thresholds of the quality flags.
    exclude : iterable of str
        Flags whose rows are taken out of ``data`` (explicit, logged, reported); default none.
    keep_personal : bool
        Keep personal data (items marked personal, e-mail and phone columns) in ``.personal``;
        otherwise they are dropped and only their column names are logged.
    sheet : str or int, optional
        The sheet of an ``.xlsx`` file (a name or a number counted from 0; default the first).
    skip_rows : int
        Rows above the header to skip (a title row above the header: ``skip_rows=1``).
    column_map : mapping or path, optional
        One's own column codes → item ids (``{"X1.1": "EC1"}``), or a ``.csv`` (two columns:
        column, item) or ``.yaml`` file of them; applied before the columns are matched.

    Returns
    -------
    Responses

    Raises
    ------
    ResponseError
        The input cannot be read at all (no such file, empty, only a header, not a table, unknown
        encoding). Problems in the answers do not raise: they are in ``.problems``.

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> ins = cxkit.load_instrument("online-cx@1.0.0")
    >>> df = pd.DataFrame({"respondent": ["a", "b"], "EC1": [7, 9], "EC2": ["Sangat setuju", "x"]})
    >>> r = cxkit.read_responses(df, ins)
    >>> r.data[["EC1", "EC2"]].to_dict("list")
    {'EC1': [7.0, nan], 'EC2': [7.0, nan]}
    >>> sorted(set(r.problems["reason"]))
    ['missing_column', 'not_a_number', 'out_of_range']
    >>> print(r.problems.query("row == 2")["message"].tolist()[0])
    9 is not an answer code of scale agree7 (1–7); set blank
    """
    if isinstance(instrument, str):
        from cxkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    if not isinstance(instrument, Instrument):
        raise SpecificationError(
            f"instrument must be an Instrument or 'id@version'; got {type(instrument).__name__}"
        )

    def text_columns(header: list[str]) -> list[str]:
        # ids, timestamps, versions: read as written (00017 stays 00017)
        return list(map_columns(header, instrument).metadata.values())

    raw: RawTable = (
        read_raw(
            source,
            encoding=encoding,
            delimiter=delimiter,
            decimal=decimal,
            text_columns=text_columns,
            sheet=sheet,
            skip_rows=skip_rows,
        )
        if not isinstance(source, pd.DataFrame)
        else read_raw(source)
    )
    frame = raw.frame
    if column_map is not None:
        frame = frame.rename(columns=_column_map(column_map, frame.columns, instrument, raw.source))
    if frame.shape[1] == 0:
        raise ResponseError("has no columns", file=raw.source)
    if len(frame) == 0:
        raise ResponseError("has a header but no answers (0 data rows)", file=raw.source)
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    dup_cols = raw.duplicates
    cmap = map_columns([c for c in frame.columns if c not in dup_cols], instrument)
    out = _Collector()
    for col, (header, first, this) in dup_cols.items():
        out.problem(
            [np.nan],
            str(col),
            "",
            "duplicate_column",
            f"column {this} has the same header {header!r} as column {first}; only column "
            f"{first} is read (rename or delete the other)",
        )
    resp_col = cmap.metadata.get("respondent")
    ids = as_text(frame[resp_col]) if resp_col is not None else None
    respondent = ids.copy() if ids is not None else pd.Series("", index=frame.index, dtype=object)
    blank_id = respondent.eq("").to_numpy()
    if blank_id.any():  # a blank id: the row's number stands for it
        respondent[blank_id] = [f"row {k}" for k in frame.index[blank_id]]

    # columns: renamed, missing, unknown, other versions, personal
    for col, iid in cmap.items.items():
        if str(col) != iid:
            out.change(
                [0],
                str(col),
                str(col),
                iid,
                f"column renamed to the item id ({cmap.how[col]} match)",
            )
    personal_cols: dict[str, pd.Series] = {}
    others = _other_versions(instrument)
    personal_unknown = _personal_columns(frame, cmap.unknown)
    for col in personal_unknown:
        personal_cols[str(col)] = frame[col]
    if personal_unknown:
        out.change(
            [0] * len(personal_unknown),
            [str(c) for c in personal_unknown],
            "",
            "",
            "personal data (e-mail or phone numbers) kept out of the data",
        )
    rest = [str(c) for c in cmap.unknown if c not in set(personal_unknown)]
    if rest:
        keys = [re.sub(r"^.*[/\-.:]", "", c.strip().casefold()) for c in rest]
        wrong = [k in others for k in keys]
        # a look-alike of an item id (EC_1 for EC1): said, for the first few hundred columns only
        spelled = [
            _spelled_item(c, instrument) if not w and k < 200 else None
            for k, (c, w) in enumerate(zip(rest, wrong, strict=True))
        ]
        out.problem(
            [np.nan] * len(rest),
            rest,
            "",
            ["wrong_instrument_version" if w else "unknown_column" for w in wrong],
            [
                f"column {c!r} is an item of {others[k]}, not of {instrument.ref}"
                if w
                else f"column {c!r} is no item of {instrument.ref} and no known metadata; ignored"
                + (
                    f" (it spells item {sp}: rename the column to {sp}, or map it with "
                    "column_map=/--map)"
                    if sp
                    else ""
                )
                for c, k, w, sp in zip(rest, keys, wrong, spelled, strict=True)
            ],
        )
    for col, iid in cmap.duplicates.items():
        out.problem(
            [np.nan],
            str(col),
            "",
            "unknown_column",
            f"column {col!r} also matches item {iid}, already read from another column; ignored",
        )
    fits = _better_version(frame.columns, instrument, len(cmap.items))
    if not cmap.items:
        shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:5])
        hint = ""
        if map_columns([str(v) for v in frame.iloc[0].tolist()], instrument).items:
            hint = (
                " The first data row holds the question texts or item ids: the header seems to "
                "be on row 2, below a title row; skip the title with skip_rows=1 (--skip-rows 1)."
            )
        elif fits:
            hint = f" {fits}."
        raise ResponseError(
            f"no column is an item of {instrument.ref} (columns: {shown}{', …' if frame.shape[1] > 5 else ''}); "
            "is it the right file and the right instrument? Columns are matched by item id (EC1), "
            "KoboToolbox group/item (cx/EC1) or the question text; your own codes (X1.1) map with "
            f"column_map= (--map FILE).{hint}",
            file=raw.source,
        )
    if fits:
        out.problem([np.nan], "", "", "wrong_instrument_version", fits)
    mapped = set(cmap.items.values())
    for item in instrument.items:
        if item.id not in mapped:
            out.problem(
                [np.nan],
                item.id,
                "",
                "missing_column",
                f"item {item.id} ({item.role}) has no column in the data",
            )

    # values
    data = {}
    for col, iid in cmap.items.items():
        item = instrument.item(iid)
        if item.personal:
            personal_cols[iid] = frame[col]
            out.change([0], iid, "", "", "personal item kept out of the data")
            continue
        if item.scale.type == "text":
            data[iid] = frame[col].astype(object).where(frame[col].notna(), None)
            continue
        data[iid] = _convert(frame[col], item, raw.decimal, raw.value_labels.get(col), iid, out)
    order = [i.id for i in instrument.items if i.id in data]
    clean = pd.DataFrame({k: data[k] for k in order}, index=frame.index)

    # respondents and version
    if resp_col is not None:
        dup = respondent.duplicated(keep="first") & ids.ne("")
        if dup.any():
            out.problem(
                frame.index[dup.to_numpy()],
                str(resp_col),
                respondent[dup].to_numpy(),
                "duplicate_respondent",
                [f"respondent {v!r} already appears in an earlier row" for v in respondent[dup]],
            )
    if "version" in cmap.metadata:
        col = cmap.metadata["version"]
        vals = as_text(frame[col])
        ok = vals.isin([instrument.version, instrument.ref, ""])
        if (~ok).any():
            out.problem(
                frame.index[(~ok).to_numpy()],
                str(col),
                vals[~ok].to_numpy(),
                "wrong_instrument_version",
                [f"collected with version {v!r}, read against {instrument.ref}" for v in vals[~ok]],
            )

    problems = (
        pd.concat(out.problems, ignore_index=True)
        if out.problems
        else pd.DataFrame(columns=["row", "column", "value", "reason", "message"])
    )
    problems["respondent"] = problems["row"].map(respondent) if len(problems) else []
    problems = (
        problems[PROBLEM_COLUMNS]
        .sort_values(["row", "column"], na_position="first", kind="stable")
        .reset_index(drop=True)
    )
    problems["row"] = problems["row"].astype("Int64")
    log = (
        pd.concat(out.log, ignore_index=True)
        if out.log
        else pd.DataFrame(columns=["row", "column", "old", "new", "reason"])
    )
    log["respondent"] = log["row"].map(respondent) if len(log) else []
    log = log[LOG_COLUMNS].reset_index(drop=True)
    log["row"] = log["row"].astype("Int64").where(log["row"] != 0, pd.NA)

    flags = quality_flags(
        clean, instrument, respondent, _seconds(frame, cmap.metadata), rules or QualityRules()
    )
    personal = (
        pd.DataFrame(personal_cols, index=frame.index)
        if (keep_personal and personal_cols)
        else None
    )
    meta = {
        "format": raw.format,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "decimal": raw.decimal,
        "n_read": len(frame),
        "columns": dict(cmap.items),
        "metadata": dict(cmap.metadata),
        "value_labels": dict(raw.value_labels),  # SPSS: column -> {code: label}
    }
    result = Responses(
        clean, problems, flags, log, instrument, raw.source, personal=personal, meta=meta
    )
    return result.exclude(exclude) if exclude else result
