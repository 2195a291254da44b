"""Rules for the minimum sample size of PLS-SEM, and survey-precision rules.

* :func:`pls_min_n` — Kock & Hadaya (2018), *Information Systems Journal* 28(1), 227–261: the
  inverse square root method, ``N > ((z₁₋α + z_power) / |p_min|)²`` with one-tailed tests
  (α .05, power .80: ``(2.486 / |p_min|)²``). When the smallest path is not known in advance the
  authors recommend N = 160 (inverse square root, ``p_min`` = .197) or 146 (gamma-exponential).
* :func:`slovin` and :func:`lemeshow` are **survey-precision rules**: how many respondents estimate
  a proportion of a finite population within a margin of error. They say nothing about the power
  of a structural model; they are here because thesis committees ask for them.
"""

from __future__ import annotations

import math

from scipy import stats

from cxkit._params import check_option
from cxkit.errors import SpecificationError

__all__ = ["PMIN_UNKNOWN", "lemeshow", "pls_min_n", "slovin"]

#: the smallest path Kock & Hadaya (2018) assume when it is not known in advance
PMIN_UNKNOWN = 0.197
#: Kock & Hadaya's (2018) recommendation for the gamma-exponential method with p_min unknown
GAMMA_EXPONENTIAL_UNKNOWN = 146


def _prob(name, value):
    if not isinstance(value, int | float) or not 0 < value < 1:
        raise SpecificationError(
            f"{name}={value!r} is not accepted; use a probability between 0 and 1"
        )
    return float(value)


def pls_min_n(
    p_min: float | None = None, power: float = 0.80, alpha: float = 0.05, method: str = "isr"
) -> int:
    """Minimum sample size for PLS-SEM (Kock & Hadaya, 2018).

    Parameters
    ----------
    p_min : float, optional
        The smallest absolute path coefficient expected to be significant. None: not known in
        advance (Kock & Hadaya's .197).
    power, alpha : float
        Power and one-tailed significance level.
    method : {"isr", "gamma"}
        ``"isr"``: the inverse square root method, ``N = ⌈((z₁₋α + z_power) / |p_min|)²⌉``.
        ``"gamma"``: the gamma-exponential method; only its published recommendation for an
        unknown smallest path (146, at α .05 and power .80) is available — its equations for a
        given ``p_min`` are not implemented, and asking for them raises an error.

    Examples
    --------
    >>> from cxkit import power as cp
    >>> cp.pls_min_n()                  # smallest path unknown
    160
    >>> cp.pls_min_n(0.2)
    155
    >>> cp.pls_min_n(method="gamma")
    146
    """
    check_option("method", method, ("isr", "gamma"))
    power = _prob("power", power)
    alpha = _prob("alpha", alpha)
    if p_min is not None and (not isinstance(p_min, int | float) or not 0 < abs(p_min) < 1):
        raise SpecificationError(
            f"p_min={p_min!r} is not accepted; use the smallest expected path, e.g. 0.2 "
            "(its absolute value between 0 and 1), or None when it is not known"
        )
    if method == "gamma":
        if p_min is None and math.isclose(power, 0.80) and math.isclose(alpha, 0.05):
            return GAMMA_EXPONENTIAL_UNKNOWN
        raise SpecificationError(
            "method='gamma' (gamma-exponential) is available only as Kock & Hadaya's recommendation "
            "for an unknown smallest path at power .80 and alpha .05 (N = 146); for a given p_min, "
            "power or alpha use method='isr'"
        )
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(power)
    pm = PMIN_UNKNOWN if p_min is None else abs(float(p_min))
    return int(math.ceil((z / pm) ** 2))


def slovin(population: int, margin: float = 0.05) -> int:
    """Slovin's survey-precision rule ``n = N / (1 + N e²)`` — **not** a power analysis.

    Examples
    --------
    >>> from cxkit import power as cp
    >>> cp.slovin(10_000)
    385
    """
    if not isinstance(population, int) or population < 1:
        raise SpecificationError(
            f"population={population!r} is not accepted; use the number of customers (a whole number)"
        )
    margin = _prob("margin", margin)
    return int(math.ceil(population / (1 + population * margin**2)))


def lemeshow(
    population: int | None = None, margin: float = 0.05, p: float = 0.5, confidence: float = 0.95
) -> int:
    """Lemeshow et al.'s (1990) survey-precision rule for estimating a proportion — **not** a
    power analysis: ``n₀ = z² p(1 − p) / d²``, and with a finite population of N,
    ``n = N z² p(1 − p) / (d²(N − 1) + z² p(1 − p))``.

    Examples
    --------
    >>> from cxkit import power as cp
    >>> cp.lemeshow()                   # an unknown (large) population, p = .5, ±5 %, 95 %
    385
    >>> cp.lemeshow(population=2_000)
    323
    """
    margin = _prob("margin", margin)
    p = _prob("p", p)
    confidence = _prob("confidence", confidence)
    z2pq = stats.norm.ppf(1 - (1 - confidence) / 2) ** 2 * p * (1 - p)
    if population is None:
        return int(math.ceil(z2pq / margin**2))
    if not isinstance(population, int) or population < 1:
        raise SpecificationError(
            f"population={population!r} is not accepted; use the number of customers (a whole number)"
        )
    return int(math.ceil(population * z2pq / (margin**2 * (population - 1) + z2pq)))
