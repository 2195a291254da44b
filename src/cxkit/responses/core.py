"""``read_responses``: a responses file (or DataFrame) read against the instrument it was collected with.

Validation is lazy: every problem is collected, none stops the reading, and the input is never
changed. ``Responses.problems`` has one row per problem cell (or column), with a reason code:

=============================  ============================================================
reason                          meaning
=============================  ============================================================
``out_of_range``                a number that is not a code of the item's scale
``not_a_number``                text that is neither a number nor one of the scale's labels
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
from cxkit.responses.columns import map_columns
from cxkit.responses.quality import FLAG_NAMES, QualityRules, quality_flags
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
        flagged = {f: int(self.flags[f].sum()) for f in FLAG_NAMES}
        lines.append("quality flags: " + ", ".join(f"{k} {v}" for k, v in flagged.items()))
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


def _value_labels(item: Item, extra: dict | None) -> dict[str, float]:
    labels: dict[str, float] = {}
    scale = item.scale
    if scale.type == "choice":
        for code, label in scale.options:
            for text in label.values():
                labels[text.casefold().strip()] = float(code)
    else:
        for value, text in scale.anchors.items():
            for t in text.values():
                labels[t.casefold().strip()] = float(value)
    for code, text in (extra or {}).items():
        labels[str(text).casefold().strip()] = float(code)
    return labels


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
            labels = _value_labels(item, extra_labels)
            mapped = text[unparsed].str.casefold().map(labels)
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
        num.isin(scale.missing_codes) if scale.missing_codes else pd.Series(False, index=num.index)
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
    invalid = present & ~num.isin(values)
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
    blanks are empty."""

    def one(v) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float | np.floating) and np.isfinite(v) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()

    return col.map(one).astype(object)


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


def _other_versions(instrument: Instrument) -> dict[str, str]:
    """Item id → ref of another version of the same instrument that has it (and this one does not)."""
    from cxkit.instrument.registry import (
        _registry_files,
        _versions,
        instruments_dir,
        load_instrument,
    )

    out: dict[str, str] = {}
    root = instruments_dir()
    if f"{instrument.id}@{instrument.version}" not in _registry_files(root):
        return out
    own = {i.id for i in instrument.items}
    for v in _versions(root, instrument.id):
        if v == instrument.version:
            continue
        try:
            other = load_instrument(f"{instrument.id}@{v}")
        except Exception:  # noqa: BLE001 - a broken other version must not stop reading
            continue
        for item in other.items:
            if item.id not in own:
                out.setdefault(item.id.casefold(), other.ref)
    return out


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
        )
        if not isinstance(source, pd.DataFrame)
        else read_raw(source)
    )
    frame = raw.frame
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
    respondent = (
        as_text(frame[resp_col])
        if resp_col is not None
        else pd.Series([f"row {k}" for k in frame.index], index=frame.index)
    )
    respondent = respondent.where(respondent.ne(""), [f"row {k}" for k in frame.index])

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
        out.problem(
            [np.nan] * len(rest),
            rest,
            "",
            ["wrong_instrument_version" if w else "unknown_column" for w in wrong],
            [
                f"column {c!r} is an item of {others[k]}, not of {instrument.ref}"
                if w
                else f"column {c!r} is no item of {instrument.ref} and no known metadata; ignored"
                for c, k, w in zip(rest, keys, wrong, strict=True)
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
    if not cmap.items:
        shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:5])
        raise ResponseError(
            f"no column is an item of {instrument.ref} (columns: {shown}{', …' if frame.shape[1] > 5 else ''}); "
            "is it the right file and the right instrument? Columns are matched by item id (EC1), "
            "KoboToolbox group/item (cx/EC1) or the question text",
            file=raw.source,
        )
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
        dup = respondent.duplicated(keep="first") & as_text(frame[resp_col]).ne("")
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
