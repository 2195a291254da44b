"""Latent growth models with lavaan's ``growth()`` defaults, on the one engine.

``growth()`` is lavaan's ``sem()`` with a mean structure, the observed intercepts fixed at 0
(``int.ov.free = FALSE``) and the latent means free (``int.lv.free = TRUE``); the loadings are the
ones the model fixes (``i =~ 1*t1 + 1*t2 + 1*t3``, ``s =~ 0*t1 + 1*t2 + 2*t3``), the first loading
of a factor written without a value fixed at 1 as usual (``auto.fix.first = TRUE``), the latent
variances and covariances free. Time-invariant covariates (``i ~ x1``) are fixed.x predictors;
time-varying ones are regressions of the scores (``t1 ~ c1``). The same model can be written for
``fit_sem`` with ``i ~ 1``, ``s ~ 1`` and ``t1 ~ 0*1``… spelled out.
"""

from __future__ import annotations

from cxkit._params import DataLike, Estimator, Missing
from cxkit.sem.fit import fit_sem
from cxkit.sem.result import SEMResult


def fit_growth(
    model: str,
    data: DataLike,
    estimator: Estimator = "ML",
    missing: Missing = "listwise",
    group: str | None = None,
    **options,
) -> SEMResult:
    """Fit a latent growth model as lavaan's ``growth(model, data)``.

    Parameters
    ----------
    model : str
        lavaan syntax with the growth factors' loadings fixed, e.g.
        ``i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4`` and ``s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4`` (a quadratic
        factor ``q =~ 0*t1 + 1*t2 + 4*t3 + 9*t4``), covariates ``i ~ x1``, constraints.
    data, estimator, missing, group, **options
        As :func:`cxkit.fit_sem` (``group_equal``, ``std_lv``, ``level``…).

    Returns
    -------
    SEMResult
        With the latent means (``i ~1``, ``s ~1``) among the estimates.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> demo = load_dataset("satisfaction")  # four repeated-looking items, for the shape only
    >>> fit = cxkit.fit_growth('''
    ...     i =~ 1*sat1 + 1*sat2 + 1*sat3 + 1*sat4
    ...     s =~ 0*sat1 + 1*sat2 + 2*sat3 + 3*sat4''', demo)
    >>> est = fit.estimates.set_index(["lhs", "op", "rhs"])
    >>> int(fit.fit_indices["df"]), float(est.loc[("sat1", "~1", ""), "est"])
    (5, 0.0)
    """
    for key in ("meanstructure", "int_ov_free", "int_lv_free"):
        if key in options:
            from cxkit.errors import SpecificationError

            raise SpecificationError(
                f"fit_growth sets {key} as lavaan's growth() does; use fit_sem(..., {key}=...) "
                "to choose it yourself"
            )
    return fit_sem(
        model,
        data,
        estimator,
        missing,
        group,
        meanstructure=True,
        int_ov_free=False,
        int_lv_free=True,
        **options,
    )
