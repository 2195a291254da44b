"""Reports: APA-style tables (and, later, the HTML/PDF study report)."""

from cxkit.report.apa import ApaTable, apa_number, reliability_table

__all__ = ["ApaTable", "apa_number", "reliability_table"]
