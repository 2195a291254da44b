"""Argument checks shared by every public function: one message template, one place."""

from __future__ import annotations

import pandas as pd

from cxkit.errors import SpecificationError


def check_option(name: str, value, allowed) -> None:
    """Raise :class:`SpecificationError` naming the parameter, the value and what is accepted.

    >>> check_option("missing", "pairwise", ("listwise", "pairwise"))
    >>> check_option("missing", "all", ("listwise", "pairwise"))
    Traceback (most recent call last):
    ...
    cxkit.errors.SpecificationError: missing='all' is not accepted; use one of: 'listwise', 'pairwise'
    """
    if value not in allowed:
        raise SpecificationError(
            f"{name}={value!r} is not accepted; use one of: {', '.join(repr(a) for a in allowed)}"
        )


def as_frame(data) -> pd.DataFrame:
    """The DataFrame behind ``data``: a DataFrame itself, or the ``.data`` of cxkit Responses."""
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    if isinstance(data, pd.DataFrame):
        return data
    raise SpecificationError(
        f"data must be a pandas DataFrame (or cxkit Responses); got {type(data).__name__}"
    )
