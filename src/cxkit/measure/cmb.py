"""Common-method bias screens: Harman's single-factor test and full-collinearity VIFs (Kock, 2015).

Both are screens, not proofs (Podsakoff, MacKenzie, Lee & Podsakoff, 2003): a first factor taking
half or more of the variance, or a full-collinearity VIF above 3.3, suggests common-method variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import AnalysisError
from cxkit.measure._input import prepare


def harman(data, constructs) -> pd.Series:
    """Harman's single-factor test: the share of the items' variance on the first unrotated
    principal component of their correlation matrix (SPSS "extraction sums of squared loadings").

    Returns
    -------
    Series
        ``n`` (complete rows), ``items``, ``eigenvalue`` (first), ``share`` (eigenvalue / items),
        ``flag`` (share of .50 or more).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> h = harman(load_dataset("satisfaction"), {"SAT": ["sat1", "sat2", "sat3", "sat4"],
    ...                                          "LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> bool(0 < h["share"] < 1), int(h["items"])
    (True, 8)
    """
    prep = prepare(data, constructs)
    x = prep.data[prep.items].dropna()
    if len(x) <= len(prep.items):
        raise AnalysisError(
            f"Harman's test needs more complete rows ({len(x)}) than items ({len(prep.items)})"
        )
    ev = np.linalg.eigvalsh(np.corrcoef(x.to_numpy(dtype=float), rowvar=False))[-1]
    share = ev / len(prep.items)
    return pd.Series(
        {
            "n": len(x),
            "items": len(prep.items),
            "eigenvalue": ev,
            "share": share,
            "flag": share >= 0.5,
        }
    )


def full_collinearity_vif(scores: pd.DataFrame) -> pd.DataFrame:
    """Full-collinearity VIF of every construct score against all the others (Kock, 2015).

    Parameters
    ----------
    scores : DataFrame
        One column per construct (e.g. :func:`cxkit.score`); complete rows are used.

    Returns
    -------
    DataFrame
        Indexed by ``construct``: ``r2`` (of its regression on the other scores), ``vif`` = 1 / (1 −
        R²), ``flag`` (VIF above 3.3); ``attrs["n"]`` the rows used.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"A": [1, 2, 3, 4, 5.], "B": [2, 1, 4, 3, 5.], "C": [1, 3, 2, 5, 4.]})
    >>> v = full_collinearity_vif(s)
    >>> bool((v["vif"] >= 1).all())
    True
    """
    x = scores.apply(pd.to_numeric, errors="coerce").dropna()
    if x.shape[1] < 2 or len(x) <= x.shape[1]:
        raise AnalysisError(
            f"full-collinearity VIFs need at least two construct scores and more complete rows "
            f"({len(x)}) than scores ({x.shape[1]})"
        )
    r = np.corrcoef(x.to_numpy(dtype=float), rowvar=False)
    vif = np.diag(np.linalg.inv(r))  # 1 / (1 − R²_j), R² of each score on the others
    out = pd.DataFrame(
        {"r2": 1 - 1 / vif, "vif": vif, "flag": vif > 3.3},
        index=pd.Index(list(x.columns), name="construct"),
    )
    out.attrs["n"] = len(x)
    return out
