"""Structural equation models: CFA and SEM estimated through semopy (``_semopy.py`` only), with
lavaan's estimates, standard errors and fit indices computed by cxkit."""

from cxkit.sem.compare import compare_models
from cxkit.sem.fit import fit_sem
from cxkit.sem.multigroup import invariance
from cxkit.sem.result import SEMResult

__all__ = ["SEMResult", "compare_models", "fit_sem", "invariance"]
