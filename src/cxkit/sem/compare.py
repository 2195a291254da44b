"""Comparing fitted models: χ² difference tests for nested models, information criteria, fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import costs more than a small fit

from cxkit.errors import SpecificationError


def compare_models(*results, names: list[str] | None = None) -> pd.DataFrame:
    """Models side by side, with χ² difference tests between neighbours ordered by df.

    As ``lavaan::lavTestLRT`` (``anova``) for ML: models are sorted by df (fewest first); each row
    after the first tests the model against the previous one, Δχ² = χ² − χ²_previous with
    Δdf = df − df_previous. The test is only meaningful for nested models on the same data.

    Returns
    -------
    DataFrame
        Indexed by model name: ``npar, chisq, df, pvalue, aic, bic, cfi, tli, rmsea, srmr,
        chisq_diff, df_diff, p_diff``. When every model was fitted with ``estimator="MLR"`` the
        difference is the Satorra–Bentler (2001) scaled one, and between ordinal (WLSMV) fits the
        mean- and variance-adjusted DIFFTEST-type one (Satorra, 2000), as lavaan's ``lavTestLRT``
        (``attrs["test"]`` says which).

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> d = load_dataset("satisfaction")
    >>> free = cxkit.fit_sem("SAT =~ sat1 + sat2 + sat3 + sat4", d)
    >>> equal = cxkit.fit_sem("SAT =~ sat1 + a*sat2 + a*sat3 + a*sat4", d)
    >>> cmp = cxkit.compare_models(free, equal, names=["free", "equal"])
    >>> int(cmp.loc["equal", "df_diff"])
    2
    """
    if len(results) < 2:
        raise SpecificationError("compare_models needs at least two fitted models")
    names = names or [f"model{k + 1}" for k in range(len(results))]
    if len(names) != len(results):
        raise SpecificationError(f"names has {len(names)} entries for {len(results)} models")
    ns = {int(r.fit_indices["n"]) for r in results}
    if len(ns) > 1:
        raise SpecificationError(
            f"the models were fitted on different numbers of cases ({sorted(ns)}); compare models on the same data"
        )
    rows = []
    for name, r in zip(names, results, strict=True):
        f = r.fit_indices
        rows.append(
            {
                "model": name,
                **{
                    k: f[k]
                    for k in (
                        "npar",
                        "chisq",
                        "df",
                        "pvalue",
                        "aic",
                        "bic",
                        "cfi",
                        "tli",
                        "rmsea",
                        "srmr",
                    )
                },
            }
        )
    df = pd.DataFrame(rows).sort_values(["df", "chisq"], kind="stable").set_index("model")
    ordinal = [r.provenance.get("estimator") == "WLSMV" for r in results]
    if any(ordinal):
        if not all(ordinal):
            raise SpecificationError(
                "some models were fitted with ordered indicators (WLSMV) and some not; compare "
                "models fitted the same way"
            )
        return _difftest(df, dict(zip(names, results, strict=True)))
    scaling = _scaling(results, names, df.index)
    df["chisq_diff"], df["df_diff"], df["p_diff"] = chisq_difference(df["chisq"], df["df"], scaling)
    df.attrs["test"] = "likelihood ratio" if scaling is None else "satorra.bentler.2001"
    return df


def _difftest(table: pd.DataFrame, by_name: dict) -> pd.DataFrame:
    """Neighbouring WLSMV fits compared by the DIFFTEST-type test (lavaan's satorra.2000)."""
    from cxkit.sem.wlsmv import difftest

    states = [by_name[name].ordinal for name in table.index]
    first = states[0]["s"]
    if any(len(s["s"]) != len(first) or not np.allclose(s["s"], first) for s in states):
        raise SpecificationError(
            "the WLSMV fits have different thresholds or polychoric correlations: compare models "
            "of the same ordered variables on the same data"
        )
    diff, ddf, pval = (np.full(len(states), np.nan) for _ in range(3))
    for k in range(1, len(states)):
        if table["df"].iloc[k] > table["df"].iloc[k - 1]:
            diff[k], ddf[k], pval[k] = difftest(states[k], states[k - 1])
    table["chisq_diff"], table["df_diff"], table["p_diff"] = diff, ddf, pval
    table.attrs["test"] = "satorra.2000"
    return table


def _scaling(results, names, order) -> pd.Series | None:
    """The models' Yuan–Bentler scaling factors in ``order`` when every model has one (MLR)."""
    factors = {n: r.fit_indices.get("scaling_factor") for n, r in zip(names, results, strict=True)}
    if any(v is None for v in factors.values()):
        if any(v is not None for v in factors.values()):
            raise SpecificationError(
                "some models were fitted with estimator='MLR' and some not; compare models fitted "
                "with the same estimator"
            )
        return None
    return pd.Series(factors).reindex(order)


def chisq_difference(chisq, df, scaling=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """χ² difference tests between neighbours (ordered by df): Δχ², Δdf and p (NaN for the first).

    With ``scaling`` (the models' scaling factors c, estimator MLR) the difference is scaled as
    Satorra & Bentler (2001), lavaan's default for robust tests:
    ``Δχ² = (χ²_1 − χ²_0) / c_d`` with ``c_d = (df_1 c_1 − df_0 c_0) / (df_1 − df_0)``, where model 1
    is the one with more df (χ² the standard, unscaled statistics).

    >>> d, k, p = chisq_difference([85.3055, 97.5459], [24, 27], [0.979042, 1.020055])
    >>> float(round(d[1], 3)), int(k[1])  # lavaan's lavTestLRT, HS free vs equal loadings: 9.079
    (9.079, 3)
    """
    x2 = np.asarray(chisq, float)
    dof = np.asarray(df, float)
    diff = np.full(len(x2), np.nan)
    ddf = np.full(len(x2), np.nan)
    pval = np.full(len(x2), np.nan)
    c = None if scaling is None else np.asarray(scaling, float)
    for k in range(1, len(x2)):
        ddf[k] = dof[k] - dof[k - 1]
        diff[k] = x2[k] - x2[k - 1]
        if c is not None:
            cd = (dof[k] * c[k] - dof[k - 1] * c[k - 1]) / ddf[k] if ddf[k] > 0 else np.nan
            diff[k] = diff[k] / cd if cd > 0 else np.nan
        if ddf[k] > 0 and np.isfinite(diff[k]):
            pval[k] = special.chdtrc(ddf[k], diff[k])
    return diff, ddf, pval
