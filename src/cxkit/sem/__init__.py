"""Structural equation models: CFA and SEM estimated through semopy (``_semopy.py`` only)."""
