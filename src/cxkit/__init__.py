"""cxkit: online-store customer-experience questionnaire research.

From a versioned questionnaire to a printed form, from the answers to a checked data set, and from
there to reliability, validity and a structural model linking the CX dimensions to loyalty.

>>> import cxkit
>>> cxkit.load_instrument("online-cx@1.0.0").ref
'online-cx@1.0.0'
"""

from cxkit import cx as models
from cxkit import datasets, errors, plots
from cxkit._version import __version__
from cxkit.instrument import Instrument, list_instruments, load_instrument
from cxkit.measure import (
    cross_loadings,
    fornell_larcker,
    htmt,
    htmt_bootstrap,
    item_statistics,
    reliability,
)
from cxkit.render import render
from cxkit.responses.core import Responses, read_responses
from cxkit.responses.metrics import ces, csat, nps
from cxkit.responses.scoring import score
from cxkit.sem import SEMResult, compare_models, fit_sem, invariance
from cxkit.simulate import simulate
from cxkit.study import Study, analyze

__all__ = [
    "Instrument",
    "SEMResult",
    "Study",
    "analyze",
    "ces",
    "compare_models",
    "csat",
    "datasets",
    "fit_sem",
    "models",
    "nps",
    "plots",
    "__version__",
    "cross_loadings",
    "errors",
    "fornell_larcker",
    "htmt",
    "htmt_bootstrap",
    "invariance",
    "item_statistics",
    "list_instruments",
    "load_instrument",
    "read_responses",
    "reliability",
    "render",
    "Responses",
    "score",
    "simulate",
]
