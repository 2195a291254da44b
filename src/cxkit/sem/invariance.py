"""Measurement invariance across groups: configural, metric, scalar and strict models, each fitted
through the one pipeline (:func:`cxkit.sem.fit.fit_sem` with ``group_equal``), compared by χ²
differences (Satorra–Bentler scaled with MLR) and the changes in CFI and RMSEA (Chen, 2007)."""

from __future__ import annotations

import pandas as pd

from cxkit._params import as_frame, check_option
from cxkit.errors import SpecificationError
from cxkit.sem.compare import chisq_difference
from cxkit.sem.fit import fit_sem

LEVELS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}


def invariance(
    model: str,
    data,
    group: str,
    levels=("configural", "metric", "scalar", "strict"),
    estimator: str = "ML",
    missing: str = "listwise",
    group_partial=(),
) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar and strict models.

    Parameters
    ----------
    model : str
        The measurement model (lavaan syntax).
    data : DataFrame or Responses
    group : str
        The column that defines the groups.
    levels : iterable of str
        Which of configural, metric, scalar, strict to fit, in that order.
    estimator : {"ML", "MLR"}
        With ``"MLR"`` the χ² differences are Satorra–Bentler (2001) scaled and the verdict uses the
        robust CFI and RMSEA; ``chisq_scaled``, ``cfi_robust``, ``tli_robust`` and
        ``rmsea_robust`` are added.
    missing : {"listwise", "fiml"}
        ``"fiml"``: every row with an answer, full-information ML in each group (ML only).
    group_partial : iterable of str
        Parameters exempt from the equalities at every level (partial invariance), e.g.
        ``["x3 ~ 1"]``; find them with :meth:`cxkit.SEMResult.score_tests`.

    Returns
    -------
    DataFrame
        Indexed by level: ``chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic`` and, against the
        previous level, ``chisq_diff, df_diff, p_diff, cfi_diff, rmsea_diff`` and ``verdict``:
        invariance holds when CFI drops by at most .010 and RMSEA rises by at most .015 (Chen, 2007).

    Examples
    --------
    >>> import pandas as pd, cxkit
    >>> from cxkit.datasets import load_dataset
    >>> d = load_dataset("satisfaction")
    >>> inv = cxkit.invariance("SAT =~ sat1 + sat2 + sat3 + sat4", d, group="gender")
    >>> list(inv.index)
    ['configural', 'metric', 'scalar', 'strict']
    """
    check_option("estimator", estimator, ("ML", "MLR"))
    check_option("missing", missing, ("listwise", "fiml", "ml"))
    frame = as_frame(data)
    for lv in levels:
        if lv not in LEVELS:
            raise SpecificationError(f"level {lv!r} is not accepted; use: {', '.join(LEVELS)}")
    robust = estimator == "MLR"
    names = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    if robust:
        names += ["chisq_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"]
    rows = {}
    for lv in levels:
        partial = tuple(group_partial) if LEVELS[lv] else ()
        f = fit_sem(
            model,
            frame,
            estimator=estimator,
            missing=missing,
            group=group,
            group_equal=LEVELS[lv],
            group_partial=partial,
        ).fit_indices
        rows[lv] = {k: f[k] for k in names}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "level"
    scaling = out.pop("scaling_factor") if robust else None
    out["chisq_diff"], out["df_diff"], out["p_diff"] = chisq_difference(
        out["chisq"], out["df"], scaling
    )
    cfi, rmsea = ("cfi_robust", "rmsea_robust") if robust else ("cfi", "rmsea")
    out["cfi_diff"] = out[cfi].diff()
    out["rmsea_diff"] = out[rmsea].diff()
    out["verdict"] = [
        "" if pd.isna(c) else ("holds" if c >= -0.010 and r <= 0.015 else "does not hold")
        for c, r in zip(out["cfi_diff"], out["rmsea_diff"], strict=True)
    ]
    out.attrs["test"] = "satorra.bentler.2001" if robust else "likelihood ratio"
    return out
