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

#: the steps for ordered indicators, as lavaan's ``group.equal`` applies them with the delta
#: parameterization (Wu & Estabrook, 2016): equal thresholds free the scale factors and the latent
#: means after group 1; the y* intercepts are 0 throughout, so "scalar" is the "metric" model
ORDINAL_LEVELS = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
}


def invariance(
    model: str,
    data,
    group: str,
    levels=None,
    estimator: str = "ML",
    missing: str = "listwise",
    group_partial=(),
    ordered=None,
) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar and strict models.

    Parameters
    ----------
    model : str
        The measurement model (lavaan syntax).
    data : DataFrame or Responses
    group : str
        The column that defines the groups.
    levels : iterable of str, optional
        Which of configural, metric, scalar, strict to fit, in that order (default: all four).
        With ``ordered``: configural, thresholds, metric (thresholds and loadings), scalar (and
        intercepts) — default the first three, since with lavaan's delta parameterization the y*
        intercepts are 0 and "scalar" is the "metric" model.
    estimator : {"ML", "MLR"}
        With ``"MLR"`` the χ² differences are Satorra–Bentler (2001) scaled and the verdict uses the
        robust CFI and RMSEA; ``chisq_scaled``, ``cfi_robust``, ``tli_robust`` and
        ``rmsea_robust`` are added.
    missing : {"listwise", "fiml"}
        ``"fiml"``: every row with an answer, full-information ML in each group (ML only).
    group_partial : iterable of str
        Parameters exempt from the equalities at every level (partial invariance), e.g.
        ``["x3 ~ 1"]``; find them with :meth:`cxkit.SEMResult.score_tests`.
    ordered : True or list of str, optional
        Ordinal indicators (WLSMV, :func:`cxkit.fit_sem`'s ``ordered``): the steps are lavaan's
        ``group.equal`` with ordered data, the χ² differences the scaled DIFFTEST-type ones
        (``lavTestLRT``, method "satorra.2000") and the verdict uses the scaled CFI and RMSEA;
        ``chisq_scaled``, ``cfi_scaled``, ``tli_scaled``, ``rmsea_scaled`` are added.
        ``missing`` may then be ``"pairwise"``.

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
    if ordered is not None and ordered is not False:
        if estimator not in ("ML", "WLSMV"):
            raise SpecificationError(
                f"estimator={estimator!r} with ordered indicators is not available; ordered data "
                "take estimator='WLSMV' (the default when ordered= is given)"
            )
        return _ordinal(model, data, group, levels, missing, group_partial, ordered)
    levels = ("configural", "metric", "scalar", "strict") if levels is None else levels
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


def _ordinal(model, data, group, levels, missing, group_partial, ordered) -> pd.DataFrame:
    """:func:`invariance` with ordered indicators (WLSMV; see its ``ordered``)."""
    from cxkit.sem.wlsmv import difftest

    check_option("missing", missing, ("listwise", "pairwise"))
    levels = ("configural", "thresholds", "metric") if levels is None else tuple(levels)
    for lv in levels:
        if lv not in ORDINAL_LEVELS:
            raise SpecificationError(
                f"level {lv!r} is not accepted with ordered indicators; use: "
                f"{', '.join(ORDINAL_LEVELS)}"
            )
    frame = as_frame(data)
    names = ["chisq", "df", "pvalue", "chisq_scaled", "pvalue_scaled", "cfi", "tli", "rmsea",
             "cfi_scaled", "tli_scaled", "rmsea_scaled", "srmr"]  # fmt: skip
    rows, states = {}, []
    for lv in levels:
        partial = tuple(group_partial) if ORDINAL_LEVELS[lv] else ()
        fit = fit_sem(model, frame, missing=missing, group=group, ordered=ordered,
                      group_equal=ORDINAL_LEVELS[lv], group_partial=partial)  # fmt: skip
        rows[lv] = {k: fit.fit_indices[k] for k in names}
        states.append(fit.ordinal)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "level"
    diff, ddf, pval = ([float("nan")] * len(levels) for _ in range(3))
    for k in range(1, len(levels)):
        ddf[k] = states[k]["df"] - states[k - 1]["df"]
        if ddf[k] > 0:
            diff[k], _, pval[k] = difftest(states[k], states[k - 1])
    out["chisq_diff"], out["df_diff"], out["p_diff"] = diff, ddf, pval
    out["cfi_diff"] = out["cfi_scaled"].diff()
    out["rmsea_diff"] = out["rmsea_scaled"].diff()
    out["verdict"] = [
        "" if pd.isna(c) else ("holds" if c >= -0.010 and r <= 0.015 else "does not hold")
        for c, r in zip(out["cfi_diff"], out["rmsea_diff"], strict=True)
    ]
    out.attrs["test"] = "satorra.2000"
    return out
