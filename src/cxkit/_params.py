"""Argument checks shared by every public function (one message template, one place), and the data
facts every result records."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Literal, Union

import pandas as pd

from cxkit.errors import SpecificationError

if TYPE_CHECKING:
    from cxkit.responses.core import Responses

#: what the analysis functions accept as data: a DataFrame or cxkit Responses
DataLike = Union[pd.DataFrame, "Responses"]
#: the SEM estimators and missing-data handlings, as the type checker sees them
Estimator = Literal["ML", "MLR", "MLM", "ULS", "GLS", "WLS", "DWLS", "WLSMV"]
Missing = Literal["listwise", "fiml", "ml", "pairwise"]


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


def data_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a DataFrame's values (not its index): the data a result was computed from."""
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()


def instrument_attrs(frame: pd.DataFrame) -> dict:
    """The instrument id@version and sha256 a DataFrame carries in ``.attrs``, if any."""
    return {k: v for k, v in frame.attrs.items() if k in ("instrument", "instrument_sha256")}
