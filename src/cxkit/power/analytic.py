"""Analytic power for covariance structure models (MacCallum, Browne & Sugawara, 1996).

The likelihood-ratio statistic ``T = (N − 1)·F̂`` of a model with ``df`` degrees of freedom is,
under the alternative, approximately non-central χ²(df, λ) with ``λ = (N − 1)·F0`` and
``F0 = df·ε²`` (ε: the population RMSEA). A test of ``H0: ε ≤ ε0`` rejects when ``T`` exceeds the
``1 − α`` quantile of χ²(df, (N − 1)·df·ε0²):

* ``rmsea0 = 0`` — the test of exact fit (semPower's model-free RMSEA route);
* ``rmsea0 = .05`` and ``rmsea > .05`` — the test of close fit;
* ``rmsea0 = .05`` and ``rmsea < .05`` — the test of not-close fit (``H0: ε ≥ ε0``, rejected when
  ``T`` falls below the ``α`` quantile).

The effect can also be given as ``F0`` directly, or as a pair of covariance matrices: the
population Σ and the Σ̂ of the (misspecified or restricted) model fitted to it, whose ML
discrepancy is ``F0`` (:func:`discrepancy`, semPower's ``Sigma``/``SigmaHat``).

Examples
--------
>>> from cxkit import power as cp
>>> cp.sample_size(df=50, rmsea=0.05)
243
>>> round(cp.power(n=243, df=50, rmsea=0.05), 3)
0.801
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from cxkit.errors import AnalysisError, SpecificationError

__all__ = [
    "detectable_rmsea",
    "discrepancy",
    "misfit",
    "power",
    "rmsea_from_f0",
    "sample_size",
]


def _check_prob(name: str, value: float) -> float:
    if not isinstance(value, int | float | np.floating) or not 0 < float(value) < 1:
        raise SpecificationError(
            f"{name}={value!r} is not accepted; use a probability between 0 and 1"
        )
    return float(value)


def _check_df(df) -> float:
    if not isinstance(df, int | float | np.integer | np.floating) or not float(df) > 0:
        raise SpecificationError(
            f"df={df!r} is not accepted; use the model's degrees of freedom, a number above 0"
        )
    return float(df)


def _check_rmsea(name: str, value) -> float:
    if not isinstance(value, int | float | np.integer | np.floating) or not float(value) >= 0:
        raise SpecificationError(f"{name}={value!r} is not accepted; use an RMSEA of 0 or more")
    return float(value)


def _f0_of(df: float, rmsea, f0, rmsea0: float) -> tuple[float, float]:
    """The alternative's and the null's F0 from whichever effect was given."""
    if (rmsea is None) == (f0 is None):
        raise SpecificationError(
            "give the effect once: either rmsea= (the population RMSEA) or f0= (the population "
            "discrepancy, e.g. from cxkit.power.discrepancy(sigma, sigma_hat))"
        )
    if f0 is not None:
        if not isinstance(f0, int | float | np.floating) or not float(f0) >= 0:
            raise SpecificationError(f"f0={f0!r} is not accepted; use a discrepancy of 0 or more")
        fa = float(f0)
    else:
        fa = df * _check_rmsea("rmsea", rmsea) ** 2
    f_null = df * rmsea0**2
    if math.isclose(fa, f_null, rel_tol=1e-12, abs_tol=1e-15):
        raise SpecificationError(
            f"the effect equals the null hypothesis (RMSEA {math.sqrt(fa / df):g} = rmsea0 {rmsea0:g}): "
            "there is nothing to detect; use an RMSEA above rmsea0 (exact or close fit) or below it "
            "(not-close fit)"
        )
    return fa, f_null


def _power_f(n, df: float, fa: float, f_null: float, alpha: float):
    """Power at sample size(s) ``n`` for alternative ``fa`` against null ``f_null`` (vectorised)."""
    n = np.asarray(n, dtype=float)
    ncp_a = (n - 1) * fa
    ncp_0 = (n - 1) * f_null
    # scipy.special's χ² functions (cdflib) are ufuncs: ~100× faster than scipy.stats.ncx2
    if fa > f_null:
        crit = special.chndtrix(1 - alpha, df, ncp_0) if f_null > 0 else special.chdtri(df, alpha)
        out = 1.0 - special.chndtr(crit, df, ncp_a)
    else:
        crit = special.chndtrix(alpha, df, ncp_0)
        out = special.chndtr(crit, df, ncp_a) if fa > 0 else special.chdtr(df, crit)
    return np.clip(out, 0.0, 1.0)


def power(n, df, rmsea=None, alpha: float = 0.05, rmsea0: float = 0.0, *, f0=None):
    """Power of the RMSEA test at sample size ``n`` (post-hoc power).

    Parameters
    ----------
    n : int or array of int
        Sample size(s), at least 2.
    df : float
        The model's degrees of freedom.
    rmsea : float
        Population RMSEA ε of the alternative (or give ``f0``).
    alpha : float
        Type I error rate.
    rmsea0 : float
        RMSEA under H0: 0 for the test of exact fit, .05 for close fit (``rmsea > rmsea0``) or
        not-close fit (``rmsea < rmsea0``).
    f0 : float, keyword
        The effect as the population discrepancy ``F0`` (instead of ``rmsea``).

    Returns
    -------
    float or ndarray
        The probability of rejecting H0, one per ``n``.

    Examples
    --------
    >>> from cxkit import power as cp
    >>> round(cp.power(n=1000, df=100, rmsea=0.05), 4)
    1.0
    >>> round(cp.power(n=200, df=50, rmsea=0.08, rmsea0=0.05), 3)   # close fit
    0.769
    >>> round(cp.power(n=200, df=50, rmsea=0.01, rmsea0=0.05), 3)   # not-close fit
    0.608
    """
    df = _check_df(df)
    alpha = _check_prob("alpha", alpha)
    rmsea0 = _check_rmsea("rmsea0", rmsea0)
    arr = np.asarray(n)
    if arr.size == 0 or not np.all(np.isfinite(arr.astype(float))) or np.any(arr < 2):
        raise SpecificationError(f"n={n!r} is not accepted; use sample sizes of at least 2")
    fa, f_null = _f0_of(df, rmsea, f0, rmsea0)
    out = _power_f(arr, df, fa, f_null, alpha)
    return float(out) if np.ndim(out) == 0 else out


def sample_size(
    df, rmsea=None, power: float = 0.80, alpha: float = 0.05, rmsea0: float = 0.0, *, f0=None
) -> int:
    """The smallest whole N whose power reaches ``power`` (a-priori sample size).

    Exact: the smallest integer N ≥ 2 with ``power(N) ≥ power`` (semPower searches with
    Nelder–Mead and rounds up, so its N can exceed this one by its root-finding tolerance).

    Examples
    --------
    >>> from cxkit import power as cp
    >>> cp.sample_size(df=2000, rmsea=0.08)
    14
    >>> cp.sample_size(df=50, rmsea=0.08, rmsea0=0.05)   # close fit
    214
    """
    df = _check_df(df)
    alpha = _check_prob("alpha", alpha)
    target = _check_prob("power", power)
    rmsea0 = _check_rmsea("rmsea0", rmsea0)
    fa, f_null = _f0_of(df, rmsea, f0, rmsea0)
    if target <= alpha:
        raise SpecificationError(
            f"power={target!r} is not accepted: it must exceed alpha={alpha!r} (power .80 is usual)"
        )
    if fa < f_null and _power_f(1e12, df, fa, f_null, alpha) < target:  # pragma: no cover
        raise AnalysisError("the not-close-fit test does not reach that power at any sample size")
    lo, hi = 2, 4
    if _power_f(lo, df, fa, f_null, alpha) >= target:
        return lo
    while _power_f(hi, df, fa, f_null, alpha) < target:
        lo, hi = hi, hi * 2
        if hi > 10**12:
            raise AnalysisError(
                f"no sample size up to 10^12 reaches power {target:g} for this effect "
                f"(F0 = {fa:g}, df = {df:g})"
            )
    while hi - lo > 1:  # invariant: power(lo) < target <= power(hi)
        mid = (lo + hi) // 2
        if _power_f(mid, df, fa, f_null, alpha) >= target:
            hi = mid
        else:
            lo = mid
    return int(hi)


def detectable_rmsea(
    n, df, power: float = 0.80, alpha: float = 0.05, rmsea0: float = 0.0, *, below: bool = False
) -> float:
    """The population RMSEA detected with probability ``power`` at sample size ``n``.

    Parameters
    ----------
    below : bool, keyword
        ``False`` (default): the RMSEA above ``rmsea0`` (exact or close fit). ``True``: the RMSEA
        below ``rmsea0`` that the not-close-fit test detects (needs ``rmsea0 > 0``).

    Examples
    --------
    >>> from cxkit import power as cp
    >>> round(cp.detectable_rmsea(n=243, df=50), 4)
    0.05
    >>> round(cp.detectable_rmsea(n=500, df=50, rmsea0=0.05, below=True), 4)
    0.0297
    """
    df = _check_df(df)
    alpha = _check_prob("alpha", alpha)
    target = _check_prob("power", power)
    rmsea0 = _check_rmsea("rmsea0", rmsea0)
    if not isinstance(n, int | float | np.integer | np.floating) or n < 2:
        raise SpecificationError(f"n={n!r} is not accepted; use a sample size of at least 2")
    if target <= alpha:
        raise SpecificationError(
            f"power={target!r} is not accepted: it must exceed alpha={alpha!r}"
        )
    f_null = df * rmsea0**2

    def gap(eps):
        return float(_power_f(n, df, df * eps**2, f_null, alpha)) - target

    if below:
        if rmsea0 <= 0:
            raise SpecificationError(
                "below=True (the not-close-fit test) needs rmsea0 > 0, e.g. rmsea0=0.05"
            )
        if gap(0.0) < 0:
            raise AnalysisError(
                f"at n={n} even a perfectly fitting population (RMSEA 0) is detected with power "
                f"{gap(0.0) + target:.3f} < {target:g} by the not-close-fit test; a larger n is needed"
            )
        return float(optimize.brentq(gap, 0.0, rmsea0 * (1 - 1e-12), xtol=1e-12))
    hi = max(rmsea0, 0.01) * 2
    while gap(hi) < 0:
        hi *= 2
    return float(optimize.brentq(gap, rmsea0 * (1 + 1e-12) + 1e-15, hi, xtol=1e-12))


def discrepancy(sigma, sigma_hat, mu=None, mu_hat=None) -> float:
    """The ML discrepancy ``F = log|Σ̂| − log|Σ| + tr(Σ Σ̂⁻¹) − p`` (+ the mean part).

    With the population Σ and the Σ̂ a model implies after fitting it to Σ, this is the population
    ``F0`` of that model (semPower's ``Sigma``/``SigmaHat`` route, ``fittingFunction = "ML"``):
    pass it to :func:`power` or :func:`sample_size` as ``f0=``.

    Examples
    --------
    >>> import numpy as np
    >>> from cxkit import power as cp
    >>> sigma = np.array([[1.0, 0.3], [0.3, 1.0]])
    >>> round(cp.discrepancy(sigma, np.eye(2)), 6)      # = -log(1 - .3²)
    0.094311
    """
    s = np.asarray(sigma, dtype=float)
    h = np.asarray(sigma_hat, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape != h.shape:
        raise SpecificationError(
            f"sigma and sigma_hat must be square matrices of the same size; got {s.shape} and {h.shape}"
        )
    for name, m in (("sigma", s), ("sigma_hat", h)):
        if not np.allclose(m, m.T) or np.linalg.eigvalsh((m + m.T) / 2).min() <= 0:
            raise SpecificationError(
                f"{name} is not a symmetric positive-definite covariance matrix"
            )
    _, logdet_h = np.linalg.slogdet(h)
    _, logdet_s = np.linalg.slogdet(s)
    f = logdet_h - logdet_s + float(np.trace(s @ np.linalg.inv(h))) - s.shape[0]
    if (mu is None) != (mu_hat is None):
        raise SpecificationError("give both mu and mu_hat, or neither")
    if mu is not None:
        d = np.asarray(mu, dtype=float) - np.asarray(mu_hat, dtype=float)
        f += float(d @ np.linalg.solve(h, d))
    return float(max(f, 0.0))


def rmsea_from_f0(f0: float, df: float) -> float:
    """RMSEA = √(F0 / df).

    >>> from cxkit import power as cp
    >>> cp.rmsea_from_f0(0.125, 50)
    0.05
    """
    df = _check_df(df)
    return math.sqrt(max(float(f0), 0.0) / df)


def misfit(model: str, population) -> dict:
    """The population misfit of ``model``: fit it (ML) to the population's Σ and compare.

    semPower's model-based route: Σ from a population model (lavaan syntax with values, see
    :mod:`cxkit.power.population`), Σ̂ the covariance matrix ``model`` implies when fitted to Σ
    by :func:`cxkit.fit_sem`, ``F0 = discrepancy(Σ, Σ̂)``. For the power to reject a restriction
    (a parameter fixed at 0 that is not 0 in the population) use ``df`` = the number of
    restrictions, usually 1: ``power(n, df=1, f0=m["f0"])``.

    Returns
    -------
    dict
        ``f0``, ``df`` (of ``model`` against the saturated model), ``rmsea`` (√(F0/df)),
        ``sigma``, ``sigma_hat`` (DataFrames).

    Examples
    --------
    >>> from cxkit import power as cp
    >>> pop = "f1 =~ .5*x1 + .5*x2 + .5*x3\\nf2 =~ .5*y1 + .5*y2 + .5*y3\\nf1 ~~ .2*f2"
    >>> m = cp.misfit("f1 =~ x1 + x2 + x3\\nf2 =~ y1 + y2 + y3\\nf1 ~~ 0*f2", pop)
    >>> round(cp.power(n=125, df=1, f0=m["f0"]), 3), cp.sample_size(df=1, f0=m["f0"])
    (0.2, 782)
    """
    import warnings

    from cxkit import fit_sem
    from cxkit.power.montecarlo import exact_data
    from cxkit.power.population import Population

    pop = population if isinstance(population, Population) else Population.from_syntax(population)
    data = exact_data(pop.cov.to_numpy(), np.zeros(len(pop.observed)), pop.observed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_sem(model, data)
    cols = list(fit.implied_cov.columns)
    sigma = pop.cov.loc[cols, cols]
    f0 = discrepancy(sigma.to_numpy(), fit.implied_cov.to_numpy())
    df = float(fit.fit_indices["df"])
    return {
        "f0": f0,
        "df": df,
        "rmsea": math.sqrt(f0 / df) if df > 0 else float("nan"),
        "sigma": sigma,
        "sigma_hat": fit.implied_cov,
    }
