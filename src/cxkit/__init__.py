"""cxkit: online-store customer-experience questionnaire research.

From a versioned questionnaire to a printed form, from the answers to a checked data set, and from
there to reliability, validity and a structural model linking the CX dimensions to loyalty.

>>> import cxkit
>>> cxkit.load_instrument("online-cx@1.0.0").ref
'online-cx@1.0.0'

``import cxkit`` is quick: every public name is imported on first use (a module-level ``__getattr__``,
PEP 562), so pandas, scipy, matplotlib and semopy load only when a function that needs them is called.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

#: public name → the module it lives in (a module itself when the name is that module's)
_LAZY: dict[str, str] = {
    "Instrument": "cxkit.instrument",
    "list_instruments": "cxkit.instrument",
    "load_instrument": "cxkit.instrument",
    "composite_reliability": "cxkit.measure",
    "cross_loadings": "cxkit.measure",
    "fornell_larcker": "cxkit.measure",
    "htmt": "cxkit.measure",
    "htmt_bootstrap": "cxkit.measure",
    "higher_order_reliability": "cxkit.measure",
    "item_statistics": "cxkit.measure",
    "omega_hierarchical": "cxkit.measure",
    "reliability": "cxkit.measure",
    "render": "cxkit.render",
    "Study": "cxkit.study",
    "analyze": "cxkit.study",
    "Responses": "cxkit.responses.core",
    "read_responses": "cxkit.responses.core",
    "ces": "cxkit.responses.metrics",
    "csat": "cxkit.responses.metrics",
    "nps": "cxkit.responses.metrics",
    "score": "cxkit.responses.scoring",
    "SEMResult": "cxkit.sem",
    "compare_models": "cxkit.sem",
    "fit_sem": "cxkit.sem",
    "fit_growth": "cxkit.sem",
    "invariance": "cxkit.sem",
    "PLSResult": "cxkit.pls",
    "fit_pls": "cxkit.pls",
    "models": "cxkit.cx",
    "simulate": "cxkit.simulate",
}
_SUBMODULES = ("datasets", "errors", "plots", "power")

if TYPE_CHECKING:  # what static checkers and IDEs see; at run time the names load lazily
    from cxkit import cx as models
    from cxkit import datasets, errors, plots
    from cxkit.instrument import Instrument, list_instruments, load_instrument
    from cxkit.measure import (
        composite_reliability,
        cross_loadings,
        fornell_larcker,
        higher_order_reliability,
        htmt,
        htmt_bootstrap,
        item_statistics,
        omega_hierarchical,
        reliability,
    )
    from cxkit.pls import PLSResult, fit_pls
    from cxkit.render import render
    from cxkit.responses.core import Responses, read_responses
    from cxkit.responses.metrics import ces, csat, nps
    from cxkit.responses.scoring import score
    from cxkit.sem import SEMResult, compare_models, fit_growth, fit_sem, invariance
    from cxkit.simulate import simulate
    from cxkit.study import Study, analyze

    __version__: str


def _installed_version() -> str:
    from cxkit._version import __version__

    return __version__


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _installed_version()
    elif name in _SUBMODULES:
        value = importlib.import_module(f"cxkit.{name}")
    elif name == "models":  # the CX models: the module cxkit.cx itself
        value = importlib.import_module(_LAZY[name])
    elif name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        try:
            value = getattr(module, name)
        except AttributeError:  # a submodule not imported by its package (cxkit.sem.models)
            value = importlib.import_module(f"{_LAZY[name]}.{name}")
    else:
        raise AttributeError(f"module 'cxkit' has no attribute {name!r}")
    globals()[name] = value  # the next look-up is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _function_over_subpackage(name: str) -> property:
    """``cxkit.render`` and ``cxkit.simulate`` stay the functions when their modules are imported.

    Importing ``cxkit.render.pdf`` makes the import system set ``cxkit.render`` to the subpackage; this
    property ignores that assignment (the module stays in ``sys.modules``), as the eager
    ``from cxkit.render import render`` of an ``__init__`` did.
    """

    def get(self):
        return getattr(importlib.import_module(_LAZY[name]), name)

    def ignore(self, value):
        pass

    return property(get, ignore)


class _Cxkit(types.ModuleType):
    render = _function_over_subpackage("render")
    simulate = _function_over_subpackage("simulate")


sys.modules[__name__].__class__ = _Cxkit


__all__ = [
    "Instrument",
    "SEMResult",
    "Study",
    "analyze",
    "ces",
    "compare_models",
    "composite_reliability",
    "csat",
    "datasets",
    "fit_sem",
    "fit_growth",
    "fit_pls",
    "higher_order_reliability",
    "omega_hierarchical",
    "PLSResult",
    "models",
    "nps",
    "plots",
    "power",
    "__version__",
    "cross_loadings",
    "errors",
    "fornell_larcker",
    "htmt",
    "htmt_bootstrap",
    "item_statistics",
    "invariance",
    "list_instruments",
    "load_instrument",
    "read_responses",
    "reliability",
    "render",
    "Responses",
    "score",
    "simulate",
]
