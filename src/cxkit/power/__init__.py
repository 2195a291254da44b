"""Sample size and power: analytic (RMSEA, F0, Σ vs Σ̂), Monte Carlo (on Dask), PLS minimum N.

* :mod:`cxkit.power.analytic` — :func:`power`, :func:`sample_size`, :func:`detectable_rmsea`,
  :func:`discrepancy` (MacCallum, Browne & Sugawara, 1996; semPower's model-free route);
* :mod:`cxkit.power.montecarlo` — :func:`monte_carlo` (Muthén & Muthén, 2002) for the model
  one will fit, from a population model, replications run on a Dask cluster;
* :mod:`cxkit.power.rules` — :func:`pls_min_n` (Kock & Hadaya, 2018) and the survey-precision
  rules :func:`slovin` and :func:`lemeshow`.

``import cxkit`` does not import this package; ``cxkit.power`` loads it on first use (and Dask
is imported only when a Monte Carlo runs).
"""

from cxkit.power.analytic import (
    detectable_rmsea,
    discrepancy,
    misfit,
    power,
    rmsea_from_f0,
    sample_size,
)
from cxkit.power.montecarlo import MonteCarloResult, monte_carlo
from cxkit.power.population import Population, instrument_population
from cxkit.power.rules import lemeshow, pls_min_n, slovin

__all__ = [
    "MonteCarloResult",
    "Population",
    "instrument_population",
    "lemeshow",
    "pls_min_n",
    "slovin",
    "monte_carlo",
    "detectable_rmsea",
    "discrepancy",
    "misfit",
    "power",
    "rmsea_from_f0",
    "sample_size",
]
