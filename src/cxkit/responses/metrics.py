"""CX metrics: Net Promoter Score, customer satisfaction (CSAT), customer effort (CES).

Definitions (cxkit seed articles 000 and 001, and the sources they summarise):

* **NPS** (Reichheld, 2003): on the 0–10 "how likely are you to recommend" question, promoters answer
  9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors (−100 to +100). Interval:
  the normal approximation with the multinomial variance
  (p_pro + p_det − (p_pro − p_det)²)/n, in percentage points.
* **CSAT**: the share of satisfied answers, 4–5 on the 1–5 scale, in percent, with Wilson's interval;
  and the mean answer with a t interval.
* **CES**: the share of answers on the agreeing side, 5–7 on the 1–7 "made it easy" scale (4–5 on a
  1–5 scale, as seed 001 states it), in percent, with Wilson's interval; and the mean with a t
  interval.

Missing answers are ignored; ``n`` counts the answers used. With ``by=`` every metric is given for
each segment (and overall) as a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import costs more than the metrics

from cxkit.errors import ResponseError, SpecificationError


@dataclass(frozen=True)
class MetricResult:
    """A CX metric: ``score`` (percent or NPS points), ``n``, ``counts``, ``ci_low``, ``ci_high``."""

    metric: str
    score: float
    n: int
    counts: dict = field(default_factory=dict)
    ci_low: float = np.nan
    ci_high: float = np.nan
    mean: float = np.nan
    mean_ci_low: float = np.nan
    mean_ci_high: float = np.nan
    level: float = 0.95

    def to_dict(self) -> dict:
        out = {
            "metric": self.metric,
            "n": self.n,
            "score": self.score,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }
        out.update(self.counts)
        if not np.isnan(self.mean):
            out.update(mean=self.mean, mean_ci_low=self.mean_ci_low, mean_ci_high=self.mean_ci_high)
        return out

    def __str__(self) -> str:
        unit = "" if self.metric == "NPS" else "%"
        return f"{self.metric} = {self.score:.1f}{unit} [{self.ci_low:.1f}, {self.ci_high:.1f}], n = {self.n}"


def _values(values, metric: str, lo: int, hi: int) -> np.ndarray:
    if hasattr(values, "instrument") and hasattr(values, "data"):
        items = [i.id for i in values.instrument.items if i.metric == metric.lower()]
        if not items or items[0] not in values.data:
            raise ResponseError(f"the responses have no {metric} item ({values.instrument.ref})")
        values = values.data[items[0]]
    arr = pd.to_numeric(
        pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce"
    ).to_numpy(dtype=float)
    arr = arr[~np.isnan(arr)]
    bad = arr[(arr < lo) | (arr > hi) | (arr != np.round(arr))]
    if len(bad):
        raise ResponseError(
            f"{metric} answers must be whole numbers {lo}–{hi}; got {bad[0]:g} (and {len(bad) - 1} more)"
        )
    return arr


def _wilson(k: int, n: int, level: float) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    z = special.ndtri(1 - (1 - level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def _mean_ci(arr: np.ndarray, level: float) -> tuple[float, float, float]:
    n = len(arr)
    if n == 0:
        return np.nan, np.nan, np.nan
    m = float(arr.mean())
    if n < 2:
        return m, np.nan, np.nan
    half = special.stdtrit(n - 1, 1 - (1 - level) / 2) * arr.std(ddof=1) / np.sqrt(n)
    return m, m - half, m + half


def _segmented(fn, values, by, level):
    if hasattr(values, "data") and isinstance(by, str):
        if by not in values.data:
            raise SpecificationError(
                f"by={by!r} is not a column of the responses; columns: {', '.join(values.data.columns)}"
            )
        seg = values.data[by]
        labels = {}
        item = next((i for i in values.instrument.items if i.id == by), None)
        if item is not None and item.scale.type == "choice":
            lang = values.instrument.languages[0]
            store = values.instrument.default_store(lang)
            labels = {k: v.replace("{store}", store) for k, v in item.scale.labels(lang).items()}
        data = values
        rows = [{"segment": "(all)", **fn(data, level=level).to_dict()}]
        for key in sorted(seg.dropna().unique()):
            sub = replace(values, data=values.data[seg == key])
            rows.append(
                {
                    "segment": labels.get(int(key), key) if labels else key,
                    **fn(sub, level=level).to_dict(),
                }
            )
        return pd.DataFrame(rows).set_index("segment")
    vals = pd.Series(np.asarray(values, dtype=object).ravel())
    seg = pd.Series(np.asarray(by, dtype=object).ravel())
    if len(seg) != len(vals):
        raise SpecificationError(f"by has {len(seg)} entries for {len(vals)} answers")
    rows = [{"segment": "(all)", **fn(vals, level=level).to_dict()}]
    for key in sorted(seg.dropna().unique(), key=str):
        rows.append({"segment": key, **fn(vals[seg == key], level=level).to_dict()})
    return pd.DataFrame(rows).set_index("segment")


def nps(values, by=None, level: float = 0.95):
    """Net Promoter Score of 0–10 answers (or of the NPS item of ``Responses``).

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, None])
    >>> r.score, r.counts, r.n
    (25.0, {'promoters': 4, 'passives': 2, 'detractors': 2}, 8)
    """
    if by is not None:
        return _segmented(nps, values, by, level)
    arr = _values(values, "NPS", 0, 10)
    n = len(arr)
    pro, det = int((arr >= 9).sum()), int((arr <= 6).sum())
    counts = {"promoters": pro, "passives": n - pro - det, "detractors": det}
    if n == 0:
        return MetricResult("NPS", np.nan, 0, counts, level=level)
    p_pro, p_det = pro / n, det / n
    score = 100 * (p_pro - p_det)
    se = 100 * np.sqrt(max(p_pro + p_det - (p_pro - p_det) ** 2, 0) / n)
    z = special.ndtri(1 - (1 - level) / 2)
    return MetricResult(
        "NPS", score, n, counts, max(score - z * se, -100), min(score + z * se, 100), level=level
    )


def _top_share(metric: str, values, lo: int, hi: int, top: int, level: float):
    arr = _values(values, metric, lo, hi)
    n = len(arr)
    k = int((arr >= top).sum())
    low, high = _wilson(k, n, level)
    m, ml, mh = _mean_ci(arr, level)
    return MetricResult(
        metric,
        100 * k / n if n else np.nan,
        n,
        {"top": k, "rest": n - k},
        low,
        high,
        m,
        ml,
        mh,
        level,
    )


def csat(values, by=None, level: float = 0.95, scale: tuple[int, int] = (1, 5)):
    """Customer satisfaction: percent answering 4–5 on the 1–5 scale, and the mean.

    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.score, r.mean, r.n
    (60.0, 3.4, 5)
    """
    if by is not None:
        return _segmented(lambda v, level: csat(v, level=level, scale=scale), values, by, level)
    lo, hi = scale
    return _top_share("CSAT", values, lo, hi, hi - 1, level)


def ces(values, by=None, level: float = 0.95, scale: tuple[int, int] = (1, 7)):
    """Customer effort: percent agreeing (5–7 on 1–7; 4–5 on 1–5) that it was easy, and the mean.

    >>> r = ces([7, 6, 5, 4, 2])
    >>> r.score, r.n
    (60.0, 5)
    """
    if by is not None:
        return _segmented(lambda v, level: ces(v, level=level, scale=scale), values, by, level)
    lo, hi = scale
    top = (lo + hi) // 2 + 1
    return _top_share("CES", values, lo, hi, top, level)
