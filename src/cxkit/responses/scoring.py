"""Scoring helpers: reverse keying from the instrument."""

from __future__ import annotations

import pandas as pd

from cxkit.instrument.model import Instrument


def reverse_keyed(data: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[str]]:
    """A copy of ``data`` with the instrument's reverse-keyed items recoded as (min + max) − x.

    Only columns present in ``data`` are touched; the caller's frame is never changed.

    Returns
    -------
    DataFrame, list of str
        The recoded copy, and the ids of the items that were reversed.

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> ins = cxkit.load_instrument("online-cx@2.0.0")
    >>> df = pd.DataFrame({"OE3": [7, 6], "OE4": [1, 7]})
    >>> out, done = reverse_keyed(df, ins)
    >>> out["OE4"].tolist(), done, df["OE4"].tolist()
    ([7, 1], ['OE4'], [1, 7])
    """
    out = data.copy()
    done = []
    for item in instrument.items:
        if item.reverse and item.id in out.columns:
            scale = item.scale
            out[item.id] = (scale.min + scale.max) - out[item.id]
            done.append(item.id)
    return out, done
