"""Shared fixtures: paths, and small instrument files made from the registry's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = ROOT / "instruments"
REFERENCE = Path(__file__).resolve().parent / "reference"

#: lavaan's fitMeasures names → cxkit's fit_indices names (where they differ)
LAVAAN_FIT_NAMES = {
    "logl": "loglik",
    "baseline.chisq": "baseline_chisq",
    "baseline.df": "baseline_df",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    # estimator = "MLR"
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "pvalue.scaled": "pvalue_scaled",
    "baseline.chisq.scaled": "baseline_chisq_scaled",
    "baseline.chisq.scaling.factor": "baseline_scaling_factor",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "rmsea.ci.lower.scaled": "rmsea_ci_low_scaled",
    "rmsea.ci.upper.scaled": "rmsea_ci_high_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
    "rmsea.ci.lower.robust": "rmsea_ci_low_robust",
    "rmsea.ci.upper.robust": "rmsea_ci_high_robust",
}


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
