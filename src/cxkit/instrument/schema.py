"""The instrument file schema (pydantic v2, strict: an unknown key is an error).

An instrument file is one YAML mapping. Its fields, in the order a file usually gives them:

``id``, ``version``, ``status``
    Identifier (lower case, digits, ``-``), semantic version ``MAJOR.MINOR.PATCH``, and ``draft`` or
    ``released``. A released file never changes; its sha256 is kept in ``instruments/registry.lock``.
``languages``
    Language codes (``en``, ``id``). Every text in the file gives every one of them.
``title``, ``introduction``, ``consent``, ``instructions``, ``thanks``, ``store_default``
    Texts per language. ``{store}`` in any text is replaced by the store's name at render time;
    ``store_default`` is used when no name is given.
``citations``
    The sources of the items: ``key``, ``text`` (APA reference), optional ``doi`` and ``url``.
``translation``
    Per language other than the source language: ``method``, ``status``, ``notes``.
``scales``
    Mapping scale id → ``type`` (``likert``, ``rating``, ``choice``, ``text``), ``min``/``max`` and
    ``anchors`` (value → text per language, at least both ends) for likert and rating scales,
    ``options`` (``code`` and ``label``) for choice scales, ``missing_codes``.
``constructs``
    List of ``id``, ``name`` and ``definition`` per language, ``level`` (``emotional``,
    ``rational``, ``outcome`` or ``other``: the place in the online CX pyramid) and ``citation``.
``items``
    List of ``id`` (stable across versions), ``construct`` (or none for metrics, checks,
    demographics and open questions), ``role`` (``measure``, ``metric``, ``attention``,
    ``demographic``, ``open``), ``metric`` (``nps``, ``csat``, ``ces``) for metric items,
    ``expect`` (the instructed answer) for attention checks, ``text`` per language, ``scale``,
    ``reverse``, ``required``, ``personal``, ``source`` (a citation key), ``status`` (``original``,
    ``adapted``, ``new``), ``wording`` (how the text was checked against its source) and ``note``.
``sections``
    The order of the questionnaire: ``id``, ``title``, optional ``instructions`` and the ``items``.
    Every item stands in exactly one section.
``changes``
    For every version after an instrument's first: ``previous`` (the version it replaces),
    ``bump`` (``major``, ``minor``, ``patch``), ``summary`` per language, and ``comparability``:
    construct id → ``comparable`` (true/false) and a ``note``.

Examples
--------
>>> from cxkit.instrument.schema import InstrumentSpec
>>> sorted(InstrumentSpec.model_fields)[:4]
['changes', 'citations', 'consent', 'constructs']
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)]
InstrumentId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=60)
]
Version = Annotated[
    str, StringConstraints(pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
Text = dict[Lang, Annotated[str, StringConstraints(min_length=1, max_length=20_000)]]
#: codes, scale ends and expected answers: small integers (a scale has at most 101 points)
Code = Annotated[int, Field(ge=-100_000, le=100_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, populate_by_name=True)


class Citation(_Strict):
    key: Id
    text: str
    doi: str | None = None
    url: str | None = None


class Translation(_Strict):
    method: str
    status: Literal["forward", "forward-backward", "reviewed", "pending"]
    translators: str | None = None
    notes: str | None = None


class Option(_Strict):
    code: Code
    label: Text


class Scale(_Strict):
    type: Literal["likert", "rating", "choice", "text"]
    min: Code | None = None
    max: Code | None = None
    anchors: dict[Code, Text] | None = None
    options: list[Option] | None = Field(default=None, max_length=1000)
    multiple: bool = False
    missing_codes: list[Code] = Field(default_factory=list)
    lines: Annotated[int, Field(ge=1, le=100)] | None = None
    note: str | None = None


class Construct(_Strict):
    id: Id
    name: Text
    definition: Text
    level: Literal["emotional", "rational", "outcome", "other"]
    citation: str | None = None


class Item(_Strict):
    """One question. ``construct`` is stored as ``construct_`` (pydantic reserves the name)."""

    id: Id
    construct_: Id | None = Field(default=None, alias="construct")
    role: Literal["measure", "metric", "attention", "demographic", "open"] = "measure"
    metric: Literal["nps", "csat", "ces"] | None = None
    expect: Code | None = None
    text: Text
    scale: Id
    reverse: bool = False
    required: bool = True
    personal: bool = False
    source: str | None = None
    status: Literal["original", "adapted", "new"]
    wording: str | None = None
    note: str | None = None


class Section(_Strict):
    id: Id
    title: Text
    instructions: Text | None = None
    items: list[Id]


class Comparability(_Strict):
    comparable: bool
    note: str | None = None


class Changes(_Strict):
    previous: Version
    bump: Literal["major", "minor", "patch"]
    summary: Text
    comparability: dict[Id, Comparability]


class InstrumentSpec(_Strict):
    id: InstrumentId
    version: Version
    status: Literal["draft", "released"]
    languages: list[Lang] = Field(min_length=1)
    title: Text
    introduction: Text
    consent: Text | None = None
    instructions: Text | None = None
    thanks: Text | None = None
    store_default: Text | None = None
    citations: list[Citation] = Field(default_factory=list)
    translation: dict[Lang, Translation] = Field(default_factory=dict)
    scales: dict[Id, Scale] = Field(min_length=1)
    constructs: list[Construct] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    changes: Changes | None = None
    note: str | None = None
