"""Shared fixtures: paths, and small instrument files made from the registry's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = ROOT / "instruments"
REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture
def registry_copy(tmp_path, monkeypatch):
    """A copy of instruments/ that the test may edit; cxkit is pointed at it."""
    dest = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, dest)
    monkeypatch.setenv("CXKIT_INSTRUMENTS", str(dest))
    return dest


@pytest.fixture
def spec_data():
    """online-cx@1.0.0 as plain data, to be changed and written by a test."""
    return yaml.safe_load((INSTRUMENTS / "online-cx" / "1.0.0.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def write_yaml(tmp_path):
    def write(data, name="instrument.yaml"):
        path = tmp_path / name
        text = (
            data
            if isinstance(data, str)
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


#: test modules that take long on a 2-core machine (reference fits, bootstrap, notebooks, the wheel,
#: whole studies): marked slow, so `make check` leaves them out; `make test` and CI run everything
SLOW_MODULES = {
    "test_bootstrap",
    "test_cli",
    "test_invariance",
    "test_measure_reference",
    "test_mlr",
    "test_notebooks",
    "test_pls_study",
    "test_report",
    "test_sem_reference",
    "test_wlsmv",
}


#: single slow tests in otherwise quick modules (over ~5 s each on a loaded 2-core machine)
SLOW_TESTS = {
    "test_reverse_keyed_items_are_reversed_through_the_instrument",
    "test_apa_reliability_table",
    "test_instrument_gives_constructs_and_provenance",
    "cxkit.measure.reliability.reliability",
    "cxkit.measure.validity.fornell_larcker",
    "cxkit.report.apa.reliability_table",
    "cxkit.sem.fit.fit_sem",
    "test_xlsform_converts_with_pyxform",
    "test_ecsi_model_from_the_instrument_matches_the_reference",
    "test_population_model_is_recovered",
    "test_sem_prints_apa_p_values_and_the_iterations",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.name.split("[")[0] in SLOW_TESTS or (
            item.path.stem in SLOW_MODULES and item.path.parent.name == "tests"
        ):
            item.add_marker(pytest.mark.slow)
