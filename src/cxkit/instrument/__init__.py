"""Instruments: the YAML schema, loading, the registry with its hashes, and diffs between versions."""

from cxkit.instrument.diff import diff, required_bump
from cxkit.instrument.model import Construct, Instrument, Item, Scale, Section
from cxkit.instrument.registry import (
    check_registry,
    instruments_dir,
    list_instruments,
    load_instrument,
    lock_released,
)

__all__ = [
    "Construct",
    "Instrument",
    "Item",
    "Scale",
    "Section",
    "check_registry",
    "diff",
    "instruments_dir",
    "list_instruments",
    "load_instrument",
    "lock_released",
    "required_bump",
]
