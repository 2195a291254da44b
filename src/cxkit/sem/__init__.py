"""Structural equation models: CFA and SEM as one lavaan-style pipeline (options → partable →
samplestats → model → objective → optimize → information → teststat → fit_measures → estimates →
diagnostics), every stage looping over groups; semopy only proposes starting values
(``_semopy.py``)."""

from cxkit.sem.compare import compare_models
from cxkit.sem.fit import fit_sem
from cxkit.sem.growth import fit_growth
from cxkit.sem.invariance import invariance
from cxkit.sem.result import SEMResult

__all__ = ["SEMResult", "compare_models", "fit_growth", "fit_sem", "invariance"]
