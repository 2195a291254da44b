"""Item statistics: psych's ``alpha()`` item table, with standardised CFA loadings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit._params import check_option
from cxkit.measure._cfa import fit_cfa
from cxkit.measure._input import MISSING, block_data, prepare
from cxkit.measure.reliability import alpha_from_cov, cov_matrix

COLUMNS = ["construct", "n", "mean", "sd", "r_drop", "alpha_if_deleted", "loading", "reversed"]


def item_statistics(
    data, constructs, *, missing: str = "listwise", cfa: bool = True
) -> pd.DataFrame:
    """One row per item, as the item table of ``psych::alpha``.

    Parameters
    ----------
    data : DataFrame or Responses
    constructs : mapping or Instrument
        As in :func:`cxkit.reliability` (reverse keys applied through an instrument).
    missing : {"listwise", "pairwise"}
        Complete rows of each construct's items, or pairwise-complete covariances.
    cfa : bool
        Add the standardised loadings of the joint CFA.

    Returns
    -------
    DataFrame
        Indexed by ``item``; columns ``construct``, ``n`` (answers used), ``mean``, ``sd`` (n − 1),
        ``r_drop`` (corrected item–total correlation: the item against the sum of the construct's
        other items), ``alpha_if_deleted``, ``loading`` (standardised, ``std.all``), ``reversed``.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> st = cxkit.item_statistics(load_dataset("satisfaction"), {"LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> st[["r_drop", "alpha_if_deleted"]].round(3).loc["loy2"].tolist()
    [0.569, 0.808]
    """
    check_option("missing", missing, MISSING)
    prep = prepare(data, constructs)
    rows = []
    for name, ids in prep.blocks.items():
        x = block_data(prep, name, missing)
        c = cov_matrix(x, missing)
        for k, item in enumerate(ids):
            rest = [j for j in range(len(ids)) if j != k]
            cov_rest = c[k, rest].sum()
            var_rest = c[np.ix_(rest, rest)].sum()
            r_drop = cov_rest / np.sqrt(c[k, k] * var_rest)
            a_del = alpha_from_cov(c[np.ix_(rest, rest)]) if len(rest) > 1 else np.nan
            col = x[item].dropna()
            rows.append(
                {
                    "item": item,
                    "construct": name,
                    "n": len(col),
                    "mean": float(col.mean()),
                    "sd": float(col.std(ddof=1)),
                    "r_drop": float(r_drop),
                    "alpha_if_deleted": float(a_del),
                    "reversed": item in prep.reversed_items,
                }
            )
    out = pd.DataFrame(rows).set_index("item")
    sol = fit_cfa(prep) if cfa else None
    out["loading"] = sol.std_loadings.reindex(out.index) if sol is not None else np.nan
    out = out[COLUMNS]
    out.attrs.update(prep.provenance, missing=missing)
    return out
