"""Discriminant validity: HTMT and HTMT2, Fornell–Larcker, cross-loadings.

HTMT is checked against ``semTools::htmt`` (``htmt2 = FALSE`` and ``TRUE``); the latent correlations
of Fornell–Larcker against ``lavInspect(cfa(...), "cor.lv")`` (``tests/reference/measure_*``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit._params import check_option
from cxkit.errors import SpecificationError
from cxkit.measure._cfa import fit_cfa
from cxkit.measure._input import prepare

#: HTMT cut-offs: .85 (strict) and .90 (liberal) — Henseler, Ringle & Sarstedt (2015).
HTMT_THRESHOLDS = (0.85, 0.90)


def _htmt_np(r: np.ndarray, index: list[np.ndarray], htmt2: bool) -> np.ndarray:
    """HTMT matrix from an item correlation matrix (numpy; ``index`` holds each block's positions)."""
    r = np.abs(r)
    avg = (lambda v: np.exp(np.log(v).mean())) if htmt2 else np.mean
    mono = []
    for ix in index:
        m = r[np.ix_(ix, ix)]
        mono.append(avg(m[np.triu_indices(len(ix), 1)]))
    q = len(index)
    out = np.eye(q)
    for i in range(q):
        for j in range(i + 1, q):
            out[i, j] = out[j, i] = avg(r[np.ix_(index[i], index[j])]) / np.sqrt(mono[i] * mono[j])
    return out


def _block_index(items: list[str], blocks: dict[str, list[str]]) -> list[np.ndarray]:
    pos = {item: k for k, item in enumerate(items)}
    return [np.array([pos[i] for i in ids]) for ids in blocks.values()]


def _htmt_from_cor(r: pd.DataFrame, blocks: dict[str, list[str]], htmt2: bool) -> pd.DataFrame:
    items = list(r.index)
    names = list(blocks)
    out = _htmt_np(r.to_numpy(), _block_index(items, blocks), htmt2)
    return pd.DataFrame(out, index=names, columns=names)


def htmt(data, constructs, htmt2: bool = False, *, missing: str = "listwise") -> pd.DataFrame:
    """Heterotrait–monotrait ratio of correlations for every pair of constructs.

    HTMT (Henseler, Ringle & Sarstedt, 2015) divides the mean absolute correlation between the items
    of two constructs by the geometric mean of their mean within-construct correlations; HTMT2
    (Roemer, Schuberth & Henseler, 2021) uses geometric instead of arithmetic means. Values below .85
    (strict) or .90 (liberal) support discriminant validity.

    Parameters
    ----------
    data : DataFrame or Responses
    constructs : mapping or Instrument
        Constructs need at least two items each.
    htmt2 : bool
        Geometric-mean version.
    missing : {"listwise", "pairwise"}
        Correlations on complete rows (``semTools::htmt``'s default) or pairwise-complete.

    Returns
    -------
    DataFrame
        Square, constructs × constructs, ones on the diagonal.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> m = cxkit.htmt(ecsi, {"VAL": ["val1", "val2", "val3", "val4"], "LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> round(float(m.loc["VAL", "LOY"]), 3)
    0.8
    """
    check_option("missing", missing, ("listwise", "pairwise"))
    prep = prepare(data, constructs)
    x = prep.data[prep.items]
    x = x.dropna() if missing == "listwise" else x
    return _htmt_from_cor(x.corr(), prep.blocks, htmt2)


def htmt_bootstrap(
    data,
    constructs,
    htmt2: bool = False,
    *,
    n_boot: int = 2000,
    seed: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Percentile bootstrap confidence intervals for HTMT (complete rows resampled).

    Returns
    -------
    DataFrame
        One row per pair of constructs: ``construct_a``, ``construct_b``, ``htmt``, ``ci_low``,
        ``ci_high``, ``n_boot``; an upper bound below .85 (or .90) supports discriminant validity
        (Henseler et al., 2015).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> b = htmt_bootstrap(load_dataset("satisfaction"),
    ...                    {"VAL": ["val1", "val2", "val3", "val4"], "LOY": ["loy1", "loy2", "loy3", "loy4"]},
    ...                    n_boot=200, seed=1)
    >>> bool(b.loc[0, "ci_low"] < b.loc[0, "htmt"] < b.loc[0, "ci_high"])
    True
    """
    if not isinstance(n_boot, int) or n_boot < 2:
        raise SpecificationError(
            f"n_boot={n_boot!r} is not accepted; use a whole number of at least 2"
        )
    prep = prepare(data, constructs)
    x = prep.data[prep.items].dropna().to_numpy()
    names = list(prep.blocks)
    index = _block_index(prep.items, prep.blocks)
    point = _htmt_np(np.corrcoef(x, rowvar=False), index, htmt2)
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    rows, cols = (np.array(v, dtype=int) for v in zip(*pairs, strict=True))
    draws = np.empty((n_boot, len(pairs)))
    n = len(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in range(n_boot):
            m = _htmt_np(np.corrcoef(x[rng.integers(0, n, n)], rowvar=False), index, htmt2)
            draws[k] = m[rows, cols]
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(draws, [alpha, 1 - alpha], axis=0)
    return pd.DataFrame(
        {
            "construct_a": [names[i] for i, _ in pairs],
            "construct_b": [names[j] for _, j in pairs],
            "htmt": point[rows, cols],
            "ci_low": lo,
            "ci_high": hi,
            "n_boot": n_boot,
        }
    )


def fornell_larcker(data, constructs) -> pd.DataFrame:
    """The Fornell–Larcker table: √AVE on the diagonal, latent correlations off it.

    Discriminant validity holds for a construct when its √AVE exceeds its correlations with every
    other construct (Fornell & Larcker, 1981). Correlations come from the joint CFA (lavaan's
    ``cor.lv``), AVE as in :func:`cxkit.reliability`.

    Returns
    -------
    DataFrame
        Square, constructs × constructs; ``.attrs["holds"]`` maps each construct to True/False.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> fl = cxkit.fornell_larcker(load_dataset("satisfaction"), cxkit.load_instrument("ecsi@1.0.0"))
    >>> fl.attrs["holds"]["IMAG"]
    False
    """
    prep = prepare(data, constructs)
    sol = fit_cfa(prep)
    if sol is None:
        raise SpecificationError(
            "Fornell–Larcker needs at least two constructs with a CFA that is identified"
        )
    table = sol.factor_cor.copy()
    names = list(prep.blocks)
    for c in names:
        table.loc[c, c] = np.sqrt(sol.ave(c))
    holds = {
        c: bool(all(table.loc[c, c] > abs(table.loc[c, o]) for o in names if o != c)) for c in names
    }
    table.attrs.update(prep.provenance, holds=holds)
    return table


def cross_loadings(data, constructs, *, missing: str = "listwise") -> pd.DataFrame:
    """Correlation of every item with every construct's mean score.

    An item should correlate more with its own construct's score than with any other (Chin, 1998).
    Scores are unit-weighted means of each construct's items (reverse keys applied through an
    instrument); the own-construct score includes the item.

    Returns
    -------
    DataFrame
        Indexed by ``item``; a ``construct`` column, one column per construct, and ``highest_own``
        (True when the item's largest correlation is with its own construct).

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> cl = cross_loadings(load_dataset("satisfaction"),
    ...                     {"VAL": ["val1", "val2", "val3", "val4"], "LOY": ["loy1", "loy2", "loy3", "loy4"]})
    >>> bool(cl["highest_own"].all())
    True
    """
    check_option("missing", missing, ("listwise", "pairwise"))
    prep = prepare(data, constructs)
    x = prep.data[prep.items]
    x = x.dropna() if missing == "listwise" else x
    scores = pd.DataFrame({c: x[ids].mean(axis=1) for c, ids in prep.blocks.items()})
    rows = []
    for c, ids in prep.blocks.items():
        for item in ids:
            corr = {k: x[item].corr(scores[k]) for k in scores}
            best = max(corr, key=lambda k: abs(corr[k]))
            rows.append({"item": item, "construct": c, **corr, "highest_own": best == c})
    out = pd.DataFrame(rows).set_index("item")
    out.attrs.update(prep.provenance, missing=missing)
    return out
