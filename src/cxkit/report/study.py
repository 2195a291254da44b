"""Kept for older imports: the study lives in :mod:`cxkit.study`."""

from cxkit.study import MODELS, Study, analyze

__all__ = ["MODELS", "Study", "analyze"]
