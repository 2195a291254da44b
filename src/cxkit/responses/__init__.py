"""Responses: reading, validation, quality screening, scoring and CX metrics."""
