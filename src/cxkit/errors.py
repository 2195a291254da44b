"""The one exception hierarchy of cxkit.

Every error cxkit raises on purpose is a :class:`CxkitError`; every warning it issues is a
:class:`CxkitWarning`. The ``cxkit`` command prints a :class:`CxkitError` without a traceback and exits
with code 2 (bad input) or 1 (an analysis that failed).

::

    CxkitError (Exception)
    ├── InstrumentError            an instrument file, reference or registry is not valid
    │   └── RegistryError          a released file was edited, or the lock file disagrees
    ├── ResponseError              a responses file or frame cannot be read or does not fit
    ├── SpecificationError         an argument, a construct mapping or an option is not usable
    ├── AnalysisError              an analysis could not be carried out on the given data
    │   └── ModelError             a model cannot be parsed, identified or estimated
    │       └── ModelSyntaxError   the model's lavaan syntax cannot be read (bad input: exit 2)
    └── RenderError                a questionnaire or report could not be written

    CxkitWarning (UserWarning)
    ├── DataWarning                data usable, but something deserves a look
    │   └── ReverseKeyWarning      an item correlates negatively with its scale (psych's check.keys)
    ├── InstrumentWarning          a copy claims a released id@version but differs from it
    └── ModelWarning               non-convergence, Heywood cases, non-positive-definite matrices

Examples
--------
>>> from cxkit.errors import CxkitError, InstrumentError
>>> issubclass(InstrumentError, CxkitError)
True
>>> err = InstrumentError("unknown construct 'XX'", file="a.yaml", field="items[0].construct", line=12)
>>> print(err)
a.yaml, line 12, items[0].construct: unknown construct 'XX'
"""

from __future__ import annotations

__all__ = [
    "CxkitError",
    "InstrumentError",
    "RegistryError",
    "ResponseError",
    "SpecificationError",
    "AnalysisError",
    "ModelError",
    "ModelSyntaxError",
    "RenderError",
    "CxkitWarning",
    "DataWarning",
    "ReverseKeyWarning",
    "InstrumentWarning",
    "ModelWarning",
]


class CxkitError(Exception):
    """Root of every error cxkit raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong and what would be accepted.
    file, field, line : optional
        Where the problem is: the file, the field path (``items[3].text.id``) or column, and the
        1-based line number where one is known. They are prefixed to the message.
    details : list of str, optional
        Further problems found at the same time (lazy validation reports them all).
    exit_code : int
        The CLI's exit code for this error: 2 for bad input (the default), 1 for a failed analysis.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
        details: list[str] | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.field = field
        self.line = line
        self.details = list(details or [])
        super().__init__(self._format())

    def _format(self) -> str:
        where = [
            p
            for p in (self.file, None if self.line is None else f"line {self.line}", self.field)
            if p
        ]
        head = (", ".join(where) + ": " if where else "") + self.message
        if self.details:
            head += "\n" + "\n".join(f"  - {d}" for d in self.details)
        return head


class InstrumentError(CxkitError):
    """An instrument file, reference (``id@version``) or registry entry is not valid."""


class RegistryError(InstrumentError):
    """A released instrument file differs from its hash in ``instruments/registry.lock``."""


class ResponseError(CxkitError):
    """A responses file or frame cannot be read, or does not fit its instrument."""


class SpecificationError(CxkitError):
    """An argument is not usable: an unknown option value, a construct with too few items, ...

    The message names the parameter, what was passed and what is accepted.
    """


class AnalysisError(CxkitError):
    """An analysis could not be carried out on the given data."""

    exit_code = 1


class ModelError(AnalysisError):
    """A structural equation model cannot be parsed, identified or estimated."""


class ModelSyntaxError(ModelError):
    """A model's lavaan syntax cannot be read, or names what the data or the model do not have (a
    variable, a label), or gives one parameter two ways: bad input (exit code 2), not a failed
    analysis."""

    exit_code = 2


class RenderError(CxkitError):
    """A questionnaire, codebook or report could not be written."""


class CxkitWarning(UserWarning):
    """Root of cxkit's warnings."""


class DataWarning(CxkitWarning):
    """The data can be used, but something in them deserves a look."""


class ReverseKeyWarning(DataWarning):
    """An item loads negatively on its scale's first principal component (``psych::alpha``'s
    check.keys hint): probably a reverse-worded item left unrecoded."""


class InstrumentWarning(CxkitWarning):
    """An instrument loaded by path claims a released ``id@version`` but its bytes differ."""


class ModelWarning(CxkitWarning):
    """A fit converged badly, or its solution is improper (Heywood case, non-positive-definite)."""
