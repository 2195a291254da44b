"""Importance–performance map analysis (IPMA; Ringle & Sarstedt 2016, Industrial Management & Data
Systems 116(9), 1865–1886).

Indicators are rescaled to 0–100 (``(x − min) / (max − min) · 100``, the scale's bounds or the
observed ones); each construct's performance is the mean of its score formed with the
unstandardised outer weights rescaled to sum to 1; a predictor's importance is its unstandardised
total effect on the target (the standardised total effect × sd(target) / sd(predictor) of the
rescaled scores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import SpecificationError


def ipma(result, target: str, bounds=None) -> pd.DataFrame:
    """Importance and performance of every construct with a total effect on ``target``.

    Parameters
    ----------
    result : PLSResult
    target : str
        An endogenous construct.
    bounds : (min, max), mapping item → (min, max), or None
        The indicators' scale bounds; by default the observed minimum and maximum.

    Returns
    -------
    DataFrame indexed by construct: importance, performance (0–100).

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> fit = cxkit.fit_pls("SAT =~ sat1 + sat2 + sat3 + sat4; VAL =~ val1 + val2 + val3 + val4; "
    ...                     "LOY =~ loy1 + loy2 + loy3 + loy4; SAT ~ VAL; LOY ~ SAT + VAL",
    ...                     load_dataset("satisfaction"))
    >>> ipma(fit, "LOY", bounds=(0, 10)).index.tolist()
    ['SAT', 'VAL']
    """
    names = result.spec.names
    if target not in names or target not in result.r_squared.index:
        raise SpecificationError(
            f"target={target!r} is not an endogenous construct; use one of: "
            + ", ".join(result.r_squared.index)
        )
    raw = result.raw
    items = result.spec.items
    if bounds is None:
        lo, hi = raw.min().to_numpy(), raw.max().to_numpy()
    elif isinstance(bounds, tuple) and len(bounds) == 2:
        lo, hi = np.full(len(items), float(bounds[0])), np.full(len(items), float(bounds[1]))
    else:
        lo = np.array([bounds[i][0] for i in items], dtype=float)
        hi = np.array([bounds[i][1] for i in items], dtype=float)
    scaled = (raw.to_numpy() - lo) / (hi - lo) * 100
    w_std = result.estimates.weights_std[0]
    w = w_std / raw.std(ddof=1).to_numpy()[:, None]
    w = w / w.sum(axis=0, keepdims=True)
    scores = scaled @ w
    total = result.effects.set_index(["from", "to"]).total
    sd = scores.std(axis=0, ddof=1)
    j = names.index(target)
    rows = {}
    for i, c in enumerate(names):
        if (c, target) in total.index:
            rows[c] = {
                "importance": total[(c, target)] * sd[j] / sd[i],
                "performance": scores[:, i].mean(),
            }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "construct"
    out.attrs["target"] = target
    return out
