"""CVPAT, the cross-validated predictive ability test (Liengaard et al. 2021, *Decision Sciences*
52(2), 362–392; Sharma et al. 2023, *European Journal of Marketing* 57(6), 1662–1677).

Every row's out-of-sample error for every indicator of an endogenous construct comes from
PLSpredict's k-fold cross-validation (:func:`cxkit.pls.predict.cross_validated_errors`; with
repetitions the row's predictions are averaged first, as seminr does). A row's loss for a construct
is the mean squared error over its indicators, its overall loss the mean over the constructs. The
test compares the PLS model's losses with a benchmark's row by row: ``D = L_benchmark − L_PLS``
(positive when PLS predicts better), ``t = mean(D) / SE``, SE the standard deviation of the mean of
``D − mean(D)`` over ``n_boot`` bootstrap resamples, p from Student's t with n − 1 df (two-sided,
or one-sided ``"greater"``: the benchmark's loss is greater). Benchmarks: ``IA`` — each indicator's
training-sample mean (Liengaard et al.; seminr uses the full-sample mean) —, ``LM`` — PLSpredict's
linear model —, or another PLS model with the same endogenous constructs and indicators, fitted on
the same rows (the same folds: same ``seed``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit._params import check_option
from cxkit.errors import SpecificationError
from cxkit.pls.predict import cross_validated_errors

ALTERNATIVES = ("two-sided", "greater")


def _losses(result, errors: np.ndarray, targets) -> pd.DataFrame:
    """Row × construct losses (mean squared error over the construct's indicators)."""
    e = errors.mean(axis=0)  # the rows' predictions averaged over the repetitions
    names = result.spec.names
    cons = list(dict.fromkeys(j for _, j in targets))
    cols = {
        names[j]: (e[:, [c for c, (_, jj) in enumerate(targets) if jj == j]] ** 2).mean(axis=1)
        for j in cons
    }
    out = pd.DataFrame(cols)
    out["overall"] = out.mean(axis=1)
    return out


def _test(loss_model: np.ndarray, loss_bench: np.ndarray, n_boot: int, rng, alternative: str):
    d = loss_bench - loss_model
    n = len(d)
    centred = d - d.mean()
    boot = centred[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
    se = boot.std(ddof=1)
    t = d.mean() / se if se > 0 else np.nan
    p = 2 * stats.t.sf(abs(t), n - 1) if alternative == "two-sided" else stats.t.sf(t, n - 1)
    return t, p


def cvpat(
    result,
    other=None,
    *,
    folds: int = 10,
    repetitions: int = 10,
    n_boot: int = 2000,
    seed=None,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """CVPAT of a PLS model against the IA and LM benchmarks, or against ``other``.

    Returns
    -------
    DataFrame
        One row per benchmark (``IA``, ``LM``, or ``other``) and endogenous construct, plus its
        ``overall`` row: benchmark, construct, loss (the model's average loss), loss_benchmark,
        diff (loss − loss_benchmark: negative when the model predicts better), t, pvalue.
        ``attrs`` record folds, repetitions, n_boot, seed, alternative.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = cxkit.load_instrument("ecsi@1.0.0")
    >>> fit = cxkit.fit_pls("SAT ~ IMAG + EXPE", load_dataset("satisfaction"), constructs=ecsi)
    >>> out = fit.cvpat(folds=5, repetitions=2, n_boot=500, seed=1)
    >>> out[["benchmark", "construct"]].values.tolist()
    [['IA', 'SAT'], ['IA', 'overall'], ['LM', 'SAT'], ['LM', 'overall']]
    >>> bool(out.loc[0, "diff"] < 0 and out.loc[0, "pvalue"] < .05)   # beats the indicator means
    True
    """
    check_option("alternative", alternative, ALTERNATIVES)
    if not (isinstance(n_boot, int | np.integer) and n_boot >= 2):
        raise SpecificationError(f"n_boot={n_boot!r} is not accepted; use an integer ≥ 2")
    targets, err_pls, err_lm, err_ia = cross_validated_errors(result, folds, repetitions, seed)
    model = _losses(result, err_pls, targets)
    if other is None:
        benches = {"IA": _losses(result, err_ia, targets), "LM": _losses(result, err_lm, targets)}
    else:
        mine = [(result.spec.items[k], result.spec.names[j]) for k, j in targets]
        t2, e2, _, _ = cross_validated_errors(other, folds, repetitions, seed)
        theirs = [(other.spec.items[k], other.spec.names[j]) for k, j in t2]
        if sorted(mine) != sorted(theirs) or len(other.raw) != len(result.raw):
            raise SpecificationError(
                "CVPAT compares two models with the same endogenous constructs measured by the "
                "same indicators, fitted on the same rows; these differ "
                f"({sorted(set(mine) ^ set(theirs)) or 'in their rows'})"
            )
        benches = {"other": _losses(other, e2, t2)[model.columns]}
    rng = np.random.default_rng(seed)
    rows = []
    for name, bench in benches.items():
        for c in model.columns:
            t, p = _test(model[c].to_numpy(), bench[c].to_numpy(), n_boot, rng, alternative)
            rows.append(
                {
                    "benchmark": name,
                    "construct": c,
                    "loss": model[c].mean(),
                    "loss_benchmark": bench[c].mean(),
                    "diff": model[c].mean() - bench[c].mean(),
                    "t": t,
                    "pvalue": p,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs.update(
        folds=int(folds),
        repetitions=int(repetitions),
        n_boot=int(n_boot),
        seed=seed,
        alternative=alternative,
    )
    return out
