"""Quality screening: flags per respondent, never silent drops.

* ``attention_failed`` — an instructed-response item not answered as instructed (Meade & Craig, 2012);
* ``longest_run`` and ``straightlining`` — the longest run of identical answers over the Likert items
  in questionnaire order, flagged at ``straightline_run`` or more (long-string index; Johnson, 2005;
  Curran, 2016);
* ``seconds`` and ``too_fast`` — completion time below ``seconds_per_item`` × the number of items
  (2 s per item: Huang, Curran, Keeney, Poposki & DeShon, 2012), when the data have a duration or
  start and end times;
* ``duplicate`` — the respondent id seen before, or the very same answers as an earlier row;
* ``missing_share`` and ``too_many_missing`` — share of blank measure items above ``max_missing``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxkit.instrument.model import Instrument

FLAG_NAMES = ("attention_failed", "straightlining", "too_fast", "duplicate", "too_many_missing")


def unchecked_flags(flags) -> dict[str, str]:
    """Flags that could not be checked on these data → why (``too_fast`` without any timings)."""
    out = {}
    if "seconds" in flags and flags["seconds"].isna().all():
        out["too_fast"] = "not checked: the data have no timings (duration, or start and end)"
    return out


@dataclass(frozen=True)
class QualityRules:
    """Thresholds of the quality flags (see the module docstring for the sources)."""

    straightline_run: int = 10
    seconds_per_item: float = 2.0
    max_missing: float = 0.5


def longest_run(values: np.ndarray) -> np.ndarray:
    """Longest run of identical non-missing answers in each row of ``values`` (n × k).

    >>> longest_run(np.array([[1, 1, 2, 2, 2], [3, np.nan, 3, 3, 4]], dtype=float)).tolist()
    [3, 2]
    """
    n, k = values.shape
    if k == 0:
        return np.zeros(n, dtype=int)
    run = np.where(np.isnan(values[:, 0]), 0, 1)
    best = run.copy()
    for j in range(1, k):
        same = values[:, j] == values[:, j - 1]
        run = np.where(np.isnan(values[:, j]), 0, np.where(same, run + 1, 1))
        best = np.maximum(best, run)
    return best


def _duplicated_rows(frame: pd.DataFrame) -> np.ndarray:
    """``frame.duplicated(keep="first")``: rows hashed once, and only the rows whose hash repeats
    compared in full (a hash collision is never taken for a duplicate)."""
    hashes = pd.util.hash_pandas_object(frame, index=False)
    cand = hashes.duplicated(keep=False).to_numpy()
    out = np.zeros(len(frame), dtype=bool)
    if cand.any():
        out[cand] = frame[cand].duplicated(keep="first").to_numpy()
    return out


def quality_flags(
    data: pd.DataFrame,
    instrument: Instrument,
    respondent: pd.Series,
    seconds: pd.Series | None,
    rules: QualityRules,
) -> pd.DataFrame:
    """One row per respondent (indexed like ``data``): the flags and the numbers behind them."""
    out = pd.DataFrame(index=data.index)
    out["respondent"] = respondent.to_numpy()
    checks = [i for i in instrument.items_by_role("attention") if i.id in data]
    if checks:
        failed = np.zeros(len(data), dtype=bool)
        for item in checks:
            col = data[item.id].to_numpy(dtype=float)
            failed |= ~np.isnan(col) & (col != item.expect)
        out["attention_failed"] = failed
    else:
        out["attention_failed"] = False
    likert = [
        i.id
        for i in instrument.items
        if i.scale.type == "likert" and i.role in ("measure", "attention") and i.id in data
    ]
    out["longest_run"] = longest_run(data[likert].to_numpy(dtype=float)) if likert else 0
    out["straightlining"] = out["longest_run"] >= rules.straightline_run
    n_items = sum(1 for i in instrument.items if i.id in data)
    if seconds is not None:
        out["seconds"] = seconds.to_numpy(dtype=float)
        out["too_fast"] = out["seconds"] < rules.seconds_per_item * n_items
    else:
        out["seconds"] = np.nan
        out["too_fast"] = False
    dup_id = respondent.duplicated(keep="first").to_numpy() & respondent.notna().to_numpy()
    answered = [i.id for i in instrument.items if i.role != "open" and i.id in data]
    dup_answers = _duplicated_rows(data[answered]) if answered else np.zeros(len(data), bool)
    out["duplicate"] = dup_id | dup_answers
    measures = [i.id for i in instrument.items_by_role("measure") if i.id in data]
    share = data[measures].isna().mean(axis=1).to_numpy() if measures else np.zeros(len(data))
    out["missing_share"] = share
    out["too_many_missing"] = share > rules.max_missing
    out["flagged"] = out[list(FLAG_NAMES)].any(axis=1)
    return out
