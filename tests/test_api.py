"""The public API is a contract (DESIGN.md): its names are pinned here."""

import cxkit

EXPECTED = {
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


def test_import_and_help_load_nothing_heavy():
    """``import cxkit`` and ``cxkit --help`` load no pandas, numpy, scipy, matplotlib, pydantic."""
    import subprocess
    import sys

    heavy = ["pandas", "numpy", "scipy", "matplotlib", "pydantic", "semopy"]
    code = (
        "import sys, cxkit, contextlib, io\n"
        "from cxkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_lazy_names_resolve_to_the_functions():
    import cxkit.render.pdf  # noqa: F401  (sets the subpackage attribute, which must not win)
    import cxkit.simulate  # noqa: F401

    assert callable(cxkit.render) and cxkit.render.__module__ == "cxkit.render"
    assert callable(cxkit.simulate) and cxkit.simulate.__name__ == "simulate"
    assert cxkit.models.pyramid.__name__ == "pyramid"
    assert "load_instrument" in dir(cxkit)
