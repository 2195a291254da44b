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
