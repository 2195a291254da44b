"""Checking and preparing the inputs every measurement function takes: data and constructs."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit._params import as_frame
from cxkit.errors import ResponseError, SpecificationError
from cxkit.instrument.model import Instrument
from cxkit.responses.scoring import reverse_keyed

MISSING = ("listwise", "pairwise")


@dataclass(frozen=True)
class Prepared:
    """Numeric item data (reverse keys applied) and the blocks of items per construct."""

    data: pd.DataFrame
    blocks: dict[str, list[str]]
    instrument: Instrument | None = None
    reversed_items: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        return [i for ids in self.blocks.values() for i in ids]


def prepare(data, constructs, *, min_items: int = 2) -> Prepared:
    """Check ``data`` against ``constructs`` and return numeric item columns.

    ``constructs`` is a mapping construct → item columns, or an :class:`Instrument` (then the
    instrument's reverse-keyed items are recoded (min + max) − x, and its provenance is kept).

    Raises
    ------
    SpecificationError
        No constructs, a construct with fewer than ``min_items`` items, an item in two constructs.
    ResponseError
        An item column missing from the data, not numeric, with no answers, or constant.
    """
    frame = as_frame(data)
    instrument = constructs if isinstance(constructs, Instrument) else None
    if instrument is not None:
        blocks = {c: list(ids) for c, ids in instrument.constructs.items() if ids}
    elif isinstance(constructs, Mapping):
        blocks = {}
        for name, ids in constructs.items():
            if isinstance(ids, str):
                raise SpecificationError(
                    f"constructs[{name!r}] must be a list of column names, not the string {ids!r}"
                )
            blocks[str(name)] = list(ids)
    else:
        raise SpecificationError(
            "constructs must be a mapping of construct name → list of item columns, or an "
            f"Instrument; got {type(constructs).__name__}"
        )
    if not blocks:
        raise SpecificationError("constructs is empty; give at least one construct with its items")
    seen: dict[str, str] = {}
    for name, ids in blocks.items():
        if len(ids) < min_items:
            raise SpecificationError(
                f"construct {name!r} has {len(ids)} item{'s' if len(ids) != 1 else ''} "
                f"({', '.join(ids) or 'none'}); it needs at least {min_items}"
            )
        for item in ids:
            if item in seen:
                raise SpecificationError(
                    f"item {item!r} is listed under both {seen[item]!r} and {name!r}; "
                    "each item belongs to one construct"
                )
            seen[item] = name
    columns = list(seen)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(str(c), [str(x) for x in frame.columns], n=1)
            hints.append(f"{c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        shown = ", ".join(hints[:6]) + (f", … ({len(missing)} in all)" if len(missing) > 6 else "")
        advice = (
            "none of the instrument's items is a column of the data: is it the right instrument, "
            f"and are the columns named by item id? The data's columns start {', '.join(map(repr, list(frame.columns)[:5]))}"
            if len(missing) == len(columns)
            else f"the data has {len(frame.columns)} columns"
        )
        raise ResponseError(
            f"item column{'s' if len(missing) > 1 else ''} not in the data: {shown}; {advice}"
        )
    items = frame[columns]
    for c in columns:
        col = items[c]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            bad = col[pd.to_numeric(col, errors="coerce").isna() & col.notna()]
            example = (
                f"; first non-numeric value {bad.iloc[0]!r} in row {_plain(bad.index[0])}"
                if len(bad)
                else ""
            )
            raise ResponseError(
                f"column {c!r} is not numeric (dtype {col.dtype}){example}; item answers must be "
                "numbers (read the file with cxkit.read_responses to map labels to codes)",
                field=c,
            )
    values = items.astype(float)
    for c in columns:
        inf = np.isinf(values[c].to_numpy())
        if inf.any():
            row = values.index[inf][0]
            raise ResponseError(
                f"column {c!r} holds an infinite value ({values[c][inf].iloc[0]}) in row "
                f"{_plain(row)}; item answers must be finite numbers (blank for missing)",
                field=c,
            )
        col = values[c].dropna()
        if col.empty:
            raise ResponseError(f"column {c!r} has no answers", field=c)
        if np.isclose(col.min(), col.max()):
            raise ResponseError(
                f"item {c!r} is constant (every answer is {col.iloc[0]:g}); a constant item has no "
                "variance and cannot enter a reliability or validity analysis: leave it out",
                field=c,
            )
    reversed_items: tuple[str, ...] = ()
    provenance: dict = {}
    if instrument is not None:
        values, done = reverse_keyed(values, instrument)
        reversed_items = tuple(done)
        provenance = dict(instrument.provenance)
    return Prepared(
        data=values,
        blocks=blocks,
        instrument=instrument,
        reversed_items=reversed_items,
        provenance=provenance,
    )


def _plain(v) -> str:
    """A row label as the user would write it: 3, not np.int64(3)."""
    return str(v.item() if hasattr(v, "item") else v)


def block_data(prep: Prepared, construct: str, missing: str) -> pd.DataFrame:
    """The items of one construct; complete rows only when ``missing='listwise'``."""
    x = prep.data[prep.blocks[construct]]
    return x.dropna() if missing == "listwise" else x


def pairwise_n(x: pd.DataFrame) -> int:
    """The smallest number of rows any two columns of ``x`` both answer."""
    present = x.notna().to_numpy(dtype=float)
    counts = present.T @ present
    return int(counts.min())
