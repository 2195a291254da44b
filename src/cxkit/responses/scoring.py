"""Scoring: reverse keying from the instrument, construct mean scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import SpecificationError
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


def score(responses, min_share: float = 0.5, instrument: Instrument | None = None) -> pd.DataFrame:
    """Construct mean scores, one column per construct, reverse keys applied.

    Parameters
    ----------
    responses : Responses or DataFrame
        From :func:`cxkit.read_responses` (its instrument is used), or a DataFrame with
        ``instrument=`` given.
    min_share : float
        Smallest share of a construct's items a respondent must have answered for a score;
        otherwise the score is missing. Default one half.

    Returns
    -------
    DataFrame
        Indexed like the responses' data; ``.attrs`` holds the instrument provenance, the reversed
        items and the number of excluded respondents.

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> ins = cxkit.load_instrument("online-cx@2.0.0")
    >>> df = pd.DataFrame({"OE1": [7, 5], "OE2": [6, None], "OE3": [7, None], "OE4": [1, None]})
    >>> cxkit.score(df, instrument=ins)["OE"].tolist()
    [6.75, nan]
    """
    if not 0 < min_share <= 1:
        raise SpecificationError(
            f"min_share={min_share!r} is not accepted; use a share above 0 and at most 1"
        )
    data = getattr(responses, "data", responses)
    instrument = instrument or getattr(responses, "instrument", None)
    if not isinstance(instrument, Instrument):
        raise SpecificationError(
            "score needs Responses from cxkit.read_responses, or a DataFrame with instrument=..."
        )
    keyed, done = reverse_keyed(data, instrument)
    out = {}
    for cid, ids in instrument.constructs.items():
        present = [i for i in ids if i in keyed.columns]
        if not present:
            continue
        block = keyed[present].astype(float)
        answered = block.notna().sum(axis=1)
        mean = block.mean(axis=1)
        out[cid] = mean.where(answered >= np.ceil(min_share * len(ids)) - 1e-9)
    scores = pd.DataFrame(out, index=data.index)
    scores.attrs.update(
        instrument.provenance,
        reversed_items=done,
        min_share=min_share,
        n_excluded=len(getattr(responses, "excluded", [])),
    )
    return scores
