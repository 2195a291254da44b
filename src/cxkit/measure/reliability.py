"""Scale reliability: Cronbach's α with its Feldt interval, standardised α, McDonald's ω, CR and AVE.

Checked against R: ``psych::alpha`` and ``psych::alpha.ci`` (α, standardised α, average inter-item r,
Feldt interval), ``semTools::compRelSEM`` (ω) and ``semTools::AVE`` on ``lavaan::cfa`` (see
``tests/reference/measure_*``).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import check_option
from cxkit.errors import ReverseKeyWarning, SpecificationError
from cxkit.measure._cfa import fit_cfa
from cxkit.measure._input import MISSING, Prepared, block_data, pairwise_n, prepare
from cxkit.measure.ordinal import alpha_from_cor, omega_total_from_cor, polychoric

#: Cut-offs of the threshold columns.
#: α ≥ .70 — Nunnally, J. C. (1978). Psychometric theory (2nd ed.). McGraw-Hill.
#: CR ≥ .70 and AVE ≥ .50 — Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models
#: with unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39–50;
#: Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019). Multivariate data analysis (8th ed.).
THRESHOLDS = {"alpha": 0.70, "cr": 0.70, "ave": 0.50}

COLUMNS = [
    "n",
    "n_items",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "alpha_std",
    "omega",
    "cr",
    "ave",
    "omega_implied",
    "mean_inter_item_r",
    "alpha_ok",
    "cr_ok",
    "ave_ok",
    "missing",
]


def cov_matrix(x: pd.DataFrame, missing: str) -> np.ndarray:
    """Item covariance matrix (n − 1 denominator); pairwise-complete or on complete rows."""
    x = x.dropna() if missing == "listwise" else x
    return x.cov().to_numpy()


def alpha_from_cov(c: np.ndarray) -> float:
    """Cronbach's α from a covariance matrix: k/(k − 1) · (1 − tr C / ΣC).

    >>> import numpy as np
    >>> round(alpha_from_cov(np.array([[1.0, 0.5], [0.5, 1.0]])), 4)
    0.6667
    """
    k = c.shape[0]
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))


def _cor(c: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) interval for α, as ``psych::alpha.ci``.

    >>> low, high = feldt_ci(0.8, n=200, k=5)
    >>> round(low, 4), round(high, 4)
    (0.7526, 0.8407)
    """
    p = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - p / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(p / 2, df1, df2)
    return float(low), float(high)


def negative_items(x: pd.DataFrame) -> list[str]:
    """Items loading negatively on the first principal component of their pairwise correlations,
    the component oriented to a positive sum of loadings (``psych::alpha``'s check.keys rule).

    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [5, 4, 4, 2, 1]})
    >>> negative_items(x)
    ['c']
    """
    r = x.corr().to_numpy()
    values, vectors = np.linalg.eigh(r)
    first = vectors[:, -1] * np.sqrt(max(values[-1], 0))
    first = -first if first.sum() < 0 else first
    return [c for c, v in zip(x.columns, first, strict=True) if v < 0]


def apply_check_keys(prep: Prepared, check_keys) -> tuple[Prepared, dict[str, list[str]]]:
    """Reverse the items ``check_keys`` names (True: every item :func:`negative_items` flags) as
    ``psych::alpha(check.keys = TRUE)`` does, (min + max) − x with the construct's smallest and
    largest answer; warn with :class:`~cxkit.errors.ReverseKeyWarning` about flagged items left as
    they are. Returns the new data and construct → reversed items."""
    if check_keys is None or check_keys is False:
        wanted: set[str] = set()
    elif check_keys is True:
        wanted = {"*"}
    elif isinstance(check_keys, str) or not all(isinstance(i, str) for i in check_keys):
        raise SpecificationError(
            f"check_keys={check_keys!r} is not accepted; use True (reverse every item that "
            "correlates negatively with its scale), False, or a list of item columns"
        )
    else:
        wanted = set(check_keys)
        unknown = sorted(wanted - set(prep.items))
        if unknown:
            raise SpecificationError(
                f"check_keys (--check-keys) names {', '.join(map(repr, unknown))}, not an item of "
                "the constructs; "
                f"the items are: {', '.join(prep.items)}"
            )
    data = prep.data.copy()
    done: dict[str, list[str]] = {}
    for name, ids in prep.blocks.items():
        x = data[ids]
        flagged = negative_items(x)
        flip = flagged if "*" in wanted else [i for i in ids if i in wanted]
        if flip:
            lo, hi = np.nanmin(x.to_numpy()), np.nanmax(x.to_numpy())
            data[flip] = lo + hi - x[flip]
            done[name] = flip
        left = [i for i in flagged if i not in flip]
        if left:
            warnings.warn(
                f"construct {name!r}: item{'s' if len(left) > 1 else ''} {', '.join(left)} "
                f"correlate{'' if len(left) > 1 else 's'} negatively with the scale (negative "
                "loading on its first principal component; psych::alpha's check.keys hint): a "
                "reverse-worded item left unrecoded? Recode it in the data or the instrument, or "
                f"pass check_keys=True (or check_keys={left!r}; cxkit reliability --check-keys) to "
                "reverse it here",
                ReverseKeyWarning,
                stacklevel=3,
            )
    return replace(prep, data=data), done


def reliability(
    data,
    constructs,
    *,
    missing: str = "listwise",
    level: float = 0.95,
    cfa: bool = True,
    ordinal: bool = False,
    check_keys: bool | list[str] = False,
) -> pd.DataFrame:
    """Reliability of each construct's scale.

    Parameters
    ----------
    data : DataFrame or Responses
        One row per respondent; the item columns numeric.
    constructs : mapping or Instrument
        Construct → item columns, or an :class:`~cxkit.Instrument` (its reverse-keyed items are
        recoded (min + max) − x first, and its id@version and sha256 are kept in ``.attrs``).
    missing : {"listwise", "pairwise"}
        For α and the inter-item correlations: complete rows of each construct's items, or
        pairwise-complete covariances (``psych::alpha``'s default). The Feldt interval uses the n
        that was used: the complete rows, or for pairwise the smallest number of rows any two of
        the construct's items share. ω, CR and AVE come from one CFA of all the constructs on
        the rows that answer every item (lavaan's listwise default).
    level : float
        Confidence level of the Feldt interval.
    cfa : bool
        Fit the CFA for ω, CR and AVE (left missing when False).
    ordinal : bool
        Also compute ordinal α and ω (Zumbo, Gadermann & Zeisser, 2007) from each construct's
        polychoric correlations (``psych::polychoric``; answers pairwise), as the columns
        ``alpha_ordinal`` (standardised α of the polychoric matrix) and ``omega_ordinal`` (ω total
        of a one-factor minres solution, ``psych::omega(rho, nfactors = 1)``). For Likert items
        with at most 8 categories.
    check_keys : bool or list of str
        Items that load negatively on their scale's first principal component (psych's
        ``check.keys`` rule) raise a :class:`~cxkit.errors.ReverseKeyWarning` naming them and the
        construct. ``True`` reverses every such item, a list reverses the items named, as
        ``psych::alpha(x, check.keys = TRUE)`` / ``alpha(x, keys = ...)``: (min + max) − x with
        the construct's smallest and largest answer. What was reversed is kept in
        ``.attrs["check_keys"]`` (construct → items). The caller's data is never changed.

    Returns
    -------
    DataFrame
        Indexed by ``construct``; columns ``n`` (rows behind α), ``n_items``, ``alpha``,
        ``alpha_ci_low``, ``alpha_ci_high`` (Feldt), ``alpha_std`` (standardised α, from
        correlations), ``omega`` (McDonald's ω as ``semTools::compRelSEM``: (Σλ)²ψ over the observed
        variance of the sum score), ``omega_implied`` (the same over the model-implied variance,
        ``compRelSEM(fit, obs.var = FALSE)``), ``cr`` (composite reliability from standardised loadings,
        (Σλ)²/((Σλ)² + Σ(1 − λ²))), ``ave`` (average variance extracted as ``semTools::AVE``),
        ``mean_inter_item_r``, ``alpha_ok`` (α ≥ .70; Nunnally, 1978), ``cr_ok`` (CR ≥ .70) and
        ``ave_ok`` (AVE ≥ .50; Fornell & Larcker, 1981), ``missing``. Unrounded; ``.attrs`` holds
        the provenance (instrument, reversed items, CFA n).

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> rel = cxkit.reliability(ecsi, cxkit.load_instrument("ecsi@1.0.0"))
    >>> rel.loc["SAT", ["alpha", "omega", "ave"]].round(3).tolist()
    [0.894, 0.891, 0.687]
    >>> bool(rel["alpha_ok"].all())
    True
    """
    check_option("missing", missing, MISSING)
    prep = prepare(data, constructs)
    prep, keyed = apply_check_keys(prep, check_keys)
    rows = {}
    for name, ids in prep.blocks.items():
        x = block_data(prep, name, missing)
        c = cov_matrix(x, missing)
        k = len(ids)
        a = alpha_from_cov(c)
        r = _cor(c)
        n = len(x) if missing == "listwise" else pairwise_n(x)
        low, high = feldt_ci(a, n, k, level) if n > 1 else (np.nan, np.nan)
        rows[name] = {
            "n": n,
            "n_items": k,
            "alpha": a,
            "alpha_ci_low": low,
            "alpha_ci_high": high,
            "alpha_std": alpha_from_cov(r),
            "mean_inter_item_r": float(r[np.triu_indices(k, 1)].mean()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "construct"
    sol = fit_cfa(prep) if cfa else None
    for col, fn in (
        ("omega", "omega"),
        ("omega_implied", "omega_implied"),
        ("cr", "cr"),
        ("ave", "ave"),
    ):
        out[col] = [getattr(sol, fn)(c) if sol is not None else np.nan for c in out.index]
    out["alpha_ok"] = out["alpha"] >= THRESHOLDS["alpha"]
    out["cr_ok"] = (out["cr"] >= THRESHOLDS["cr"]).where(out["cr"].notna())
    out["ave_ok"] = (out["ave"] >= THRESHOLDS["ave"]).where(out["ave"].notna())
    out["missing"] = missing
    out = out[COLUMNS]
    if ordinal:
        rhos = {c: polychoric(prep.data, ids).to_numpy() for c, ids in prep.blocks.items()}
        out["alpha_ordinal"] = [alpha_from_cor(rhos[c]) for c in out.index]
        out["omega_ordinal"] = [omega_total_from_cor(rhos[c]) for c in out.index]
    out.attrs.update(
        prep.provenance,
        reversed_items=list(prep.reversed_items),
        cfa_n=None if sol is None else sol.n,
        level=level,
        check_keys=keyed,
    )
    return out
