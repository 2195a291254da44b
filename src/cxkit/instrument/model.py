"""The public, immutable view of an instrument: :class:`Instrument`, :class:`Item`, :class:`Scale`.

Built from a validated :class:`~cxkit.instrument.schema.InstrumentSpec`; nothing here reads files.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cxkit.errors import InstrumentError, SpecificationError
from cxkit.instrument.diff import diff as instrument_diff
from cxkit.instrument.schema import InstrumentSpec

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PLACEHOLDER = "{store}"


class FrozenMap(Mapping):
    """A read-only mapping (hashable views of instrument data).

    >>> m = FrozenMap({"a": 1})
    >>> m["a"], len(m), dict(m)
    (1, 1, {'a': 1})
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, key, value):  # pragma: no cover - immutability guard
        raise AttributeError("FrozenMap is read-only")

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self):
        return (FrozenMap, (self._data,))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_store(store: str | None) -> str | None:
    """The store's name if it is printable text on one line; else :class:`SpecificationError`.

    >>> check_store("Toko #1 & {Co}")
    'Toko #1 & {Co}'
    >>> check_store("Toko\\nContoh")
    Traceback (most recent call last):
    ...
    cxkit.errors.SpecificationError: store='Toko\\nContoh' holds the control character U+000A at position 4; the store's name is one line of printable text
    """
    if store is None:
        return None
    if not isinstance(store, str):
        raise SpecificationError(f"store must be text; got {type(store).__name__}")
    try:
        store.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SpecificationError(
            f"store={store!r} is not valid UTF-8 text (position {exc.start}); give the store's "
            "name as UTF-8"
        ) from None
    m = _CONTROL.search(store)
    if m:
        raise SpecificationError(
            f"store={store!r} holds the control character U+{ord(m.group()):04X} at position "
            f"{m.start()}; the store's name is one line of printable text"
        )
    if len(store) > 200:
        raise SpecificationError(
            f"store is {len(store)} characters long; the store's name has at most 200"
        )
    return store


def fill_store(text: str, store: str) -> str:
    """Put the store's name in place of ``{store}``, literally (no markup, no format codes).

    >>> fill_store("I trust {store} with my data", "Toko #1 & {Co}")
    'I trust Toko #1 & {Co} with my data'
    """
    return text.replace(PLACEHOLDER, store)


@dataclass(frozen=True)
class Scale:
    """A response scale: its type, range and labels (each label a language → text mapping)."""

    id: str
    type: str
    min: int | None
    max: int | None
    anchors: FrozenMap
    options: tuple[tuple[int, FrozenMap], ...]
    multiple: bool
    missing_codes: tuple[int, ...]
    lines: int | None = None

    @property
    def values(self) -> tuple[int, ...]:
        """Valid codes: ``min..max`` for likert and rating scales, option codes for choices."""
        if self.type in ("likert", "rating"):
            return tuple(range(self.min, self.max + 1))
        if self.type == "choice":
            return tuple(code for code, _ in self.options)
        return ()

    @property
    def points(self) -> int:
        """Number of response options (0 for text)."""
        return len(self.values)

    def labels(self, lang: str) -> dict[int, str]:
        """Code → label in ``lang``: anchors (likert, rating) or options (choice)."""
        if self.type == "choice":
            return {code: label[lang] for code, label in self.options}
        return {value: text[lang] for value, text in self.anchors.items()}


@dataclass(frozen=True)
class Item:
    """One question: ``id``, ``construct`` (or None), ``text`` (language → text), ``scale``, ``reverse``."""

    id: str
    construct: str | None
    role: str
    text: FrozenMap
    scale: Scale
    reverse: bool = False
    metric: str | None = None
    expect: int | None = None
    required: bool = True
    personal: bool = False
    source: str | None = None
    status: str = "original"
    wording: str | None = None
    note: str | None = None

    def label(self, lang: str = "en", store: str | None = None) -> str:
        """The item's text in ``lang`` with ``{store}`` filled in (left as is when no store)."""
        if lang not in self.text:
            raise InstrumentError(
                f"item {self.id} has no text in language '{lang}'; it has {', '.join(self.text)}"
            )
        text = self.text[lang]
        return text if store is None else fill_store(text, store)


@dataclass(frozen=True)
class Construct:
    """A latent construct: ``id``, ``name`` and ``definition`` per language, pyramid ``level``."""

    id: str
    name: FrozenMap
    definition: FrozenMap
    level: str
    citation: str | None = None


@dataclass(frozen=True)
class Section:
    """A part of the questionnaire, in order: ``id``, ``title``, ``instructions``, ``items`` (ids)."""

    id: str
    title: FrozenMap
    instructions: FrozenMap | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire, immutable.

    Load one with :func:`cxkit.load_instrument`. ``constructs`` maps construct id → item ids and can be
    passed wherever cxkit takes ``constructs``.

    Examples
    --------
    >>> import cxkit
    >>> ins = cxkit.load_instrument("online-cx@1.0.0")
    >>> ins.ref, ins.languages
    ('online-cx@1.0.0', ('en', 'id'))
    >>> ins.constructs["TR"]
    ('TR1', 'TR2')
    >>> print(ins.measurement_model().splitlines()[0])
    EC =~ EC1 + EC2 + EC3
    """

    id: str
    version: str
    status: str
    languages: tuple[str, ...]
    sha256: str
    path: str | None
    spec: InstrumentSpec = field(repr=False, compare=False)
    items: tuple[Item, ...] = field(repr=False)
    scales: FrozenMap = field(repr=False)
    construct_info: FrozenMap = field(repr=False)
    sections: tuple[Section, ...] = field(repr=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: InstrumentSpec, sha256: str, path: str | None = None) -> Instrument:
        """Build the public view from a validated spec (see :func:`cxkit.load_instrument`)."""
        scales = {
            sid: Scale(
                id=sid,
                type=s.type,
                min=s.min,
                max=s.max,
                anchors=FrozenMap({k: FrozenMap(v) for k, v in sorted((s.anchors or {}).items())}),
                options=tuple((o.code, FrozenMap(o.label)) for o in (s.options or [])),
                multiple=s.multiple,
                missing_codes=tuple(s.missing_codes),
                lines=s.lines,
            )
            for sid, s in spec.scales.items()
        }
        by_id = {
            i.id: Item(
                id=i.id,
                construct=i.construct_,
                role=i.role,
                text=FrozenMap(i.text),
                scale=scales[i.scale],
                reverse=i.reverse,
                metric=i.metric,
                expect=i.expect,
                required=i.required,
                personal=i.personal,
                source=i.source,
                status=i.status,
                wording=i.wording,
                note=i.note,
            )
            for i in spec.items
        }
        sections = tuple(
            Section(
                id=s.id,
                title=FrozenMap(s.title),
                instructions=None if s.instructions is None else FrozenMap(s.instructions),
                items=tuple(s.items),
            )
            for s in spec.sections
        )
        # items in questionnaire order (section by section)
        ordered = tuple(by_id[iid] for s in sections for iid in s.items)
        constructs = FrozenMap(
            {
                c.id: Construct(
                    id=c.id,
                    name=FrozenMap(c.name),
                    definition=FrozenMap(c.definition),
                    level=c.level,
                    citation=c.citation,
                )
                for c in spec.constructs
            }
        )
        return cls(
            id=spec.id,
            version=spec.version,
            status=spec.status,
            languages=tuple(spec.languages),
            sha256=sha256,
            path=path,
            spec=spec,
            items=ordered,
            scales=FrozenMap(scales),
            construct_info=constructs,
            sections=sections,
        )

    # -- views --------------------------------------------------------------------------------
    @property
    def ref(self) -> str:
        """``id@version``."""
        return f"{self.id}@{self.version}"

    @property
    def constructs(self) -> FrozenMap:
        """Construct id → tuple of its item ids, in questionnaire order."""
        out: dict[str, list[str]] = {c: [] for c in self.construct_info}
        for item in self.items:
            if item.construct is not None:
                out[item.construct].append(item.id)
        return FrozenMap({c: tuple(ids) for c, ids in out.items()})

    @property
    def title(self) -> FrozenMap:
        """Title per language."""
        return FrozenMap(self.spec.title)

    def item(self, item_id: str) -> Item:
        """The item with this id (``InstrumentError`` naming the known ids otherwise)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise InstrumentError(
            f"{self.ref} has no item '{item_id}'; items: {', '.join(i.id for i in self.items)}"
        )

    def items_by_role(self, role: str) -> tuple[Item, ...]:
        """Items whose role is ``measure``, ``metric``, ``attention``, ``demographic`` or ``open``."""
        return tuple(i for i in self.items if i.role == role)

    def check_language(self, lang: str) -> str:
        """Return ``lang`` if the instrument has it; raise ``InstrumentError`` listing those it has."""
        if lang not in self.languages:
            raise InstrumentError(
                f"{self.ref} has no language '{lang}'; available: {', '.join(self.languages)}"
            )
        return lang

    def text(self, key: str, lang: str = "en", store: str | None = None) -> str | None:
        """An instrument-level text (title, introduction, consent, instructions, thanks)."""
        self.check_language(lang)
        check_store(store)
        value = getattr(self.spec, key)
        if value is None:
            return None
        store = self.default_store(lang) if store is None else store
        return fill_store(value[lang], store)

    def default_store(self, lang: str = "en") -> str:
        """What stands for the store when no name is given (``store_default``, else ``[X]``)."""
        if self.spec.store_default is not None:
            return self.spec.store_default[lang]
        return "[X]"

    @property
    def provenance(self) -> dict[str, str]:
        """``instrument`` (id@version) and ``instrument_sha256``, recorded in every result."""
        return {"instrument": self.ref, "instrument_sha256": self.sha256}

    def measurement_model(self, min_items: int = 2) -> str:
        """lavaan syntax for the measurement model: one ``=~`` line per construct.

        Constructs with fewer than ``min_items`` items are left out (a comment says so).
        """
        lines, skipped = [], []
        for cid, ids in self.constructs.items():
            if len(ids) >= min_items:
                lines.append(f"{cid} =~ {' + '.join(ids)}")
            else:
                skipped.append(cid)
        if skipped:
            lines.append(f"# left out (fewer than {min_items} items): {', '.join(skipped)}")
        return "\n".join(lines)

    def diff(self, other: Instrument) -> pd.DataFrame:
        """What changed from ``self`` to ``other``; see :func:`cxkit.instrument.diff.diff`."""
        return instrument_diff(self, other)

    # -- display ------------------------------------------------------------------------------
    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per item: id, section, construct, role, scale, reverse, status, text."""
        import pandas as pd

        self.check_language(lang)
        section_of = {iid: s.id for s in self.sections for iid in s.items}
        return pd.DataFrame(
            [
                {
                    "id": i.id,
                    "section": section_of[i.id],
                    "construct": i.construct,
                    "role": i.role,
                    "scale": i.scale.id,
                    "reverse": i.reverse,
                    "status": i.status,
                    "text": i.text[lang],
                }
                for i in self.items
            ]
        )

    def summary(self, lang: str = "en", store: str | None = None) -> str:
        """A plain-text overview: header, constructs with their items, other questions.

        ``{store}`` is shown as ``store`` (default: the instrument's ``store_default``).
        """
        self.check_language(lang)
        check_store(store)
        store = self.default_store(lang) if store is None else store
        out = [
            f"{self.ref}  [{self.status}]  sha256 {self.sha256[:12]}",
            self.text("title", lang, store),
            f"languages: {', '.join(self.languages)}; {len(self.items)} items; "
            f"{len(self.construct_info)} constructs",
            "",
        ]
        for cid, ids in self.constructs.items():
            c = self.construct_info[cid]
            out.append(f"{cid}  {c.name[lang]}  ({c.level}, {len(ids)} items)")
            for iid in ids:
                item = self.item(iid)
                flag = " (R)" if item.reverse else ""
                out.append(f"    {iid:<8}{item.label(lang, store)}{flag}  [{item.scale.id}]")
        others = [i for i in self.items if i.construct is None]
        if others:
            out.append("other questions")
            for item in others:
                kind = item.metric.upper() if item.metric else item.role
                out.append(f"    {item.id:<8}{item.label(lang, store)}  [{kind}, {item.scale.id}]")
        if self.spec.changes is not None:
            ch = self.spec.changes
            out += ["", f"changes from {ch.previous} ({ch.bump}): {ch.summary[lang]}"]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    i.id,
                    i.construct or i.role,
                    i.text[self.languages[0]],
                    i.scale.id,
                    "R" if i.reverse else "",
                )
            )
            + "</tr>"
            for i in self.items
        )
        return (
            f"<div><strong>{html.escape(self.ref)}</strong> ({html.escape(self.status)}, sha256 "
            f"<code>{self.sha256[:12]}</code>): {html.escape(self.spec.title[self.languages[0]])}"
            "<table><thead><tr><th>item</th><th>construct</th><th>text</th><th>scale</th><th>reverse</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
