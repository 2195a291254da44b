"""Comparing fitted models: χ² difference tests for nested models, information criteria, fit."""

from __future__ import annotations

import pandas as pd
from scipy import stats

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
        chisq_diff, df_diff, p_diff``.

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
    df["chisq_diff"] = df["chisq"].diff()
    df["df_diff"] = df["df"].diff()
    df["p_diff"] = [
        stats.chi2.sf(c, d) if pd.notna(d) and d > 0 else float("nan")
        for c, d in zip(df["chisq_diff"], df["df_diff"], strict=True)
    ]
    return df
