"""The public API is a contract (DESIGN.md): its names are pinned here."""

import cxkit

EXPECTED = {
    "Instrument",
    "SEMResult",
    "Study",
    "analyze",
    "ces",
    "compare_models",
    "csat",
    "datasets",
    "fit_sem",
    "fit_pls",
    "PLSResult",
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
}


def test_public_names_are_pinned():
    assert set(cxkit.__all__) == EXPECTED


def test_every_public_name_exists():
    for name in cxkit.__all__:
        assert hasattr(cxkit, name), name


def test_error_hierarchy():
    from cxkit import errors

    assert issubclass(errors.InstrumentError, errors.CxkitError)
    assert issubclass(errors.RegistryError, errors.InstrumentError)
    assert issubclass(errors.ResponseError, errors.CxkitError)
    assert issubclass(errors.ModelError, errors.AnalysisError)
    assert issubclass(errors.ModelWarning, errors.CxkitWarning)
    assert issubclass(errors.CxkitWarning, UserWarning)
    assert errors.ModelError("x").exit_code == 1
    assert errors.InstrumentError("x").exit_code == 2
