"""The printed questionnaire as plain data, shared by the PDF and HTML renderers and the codebook.

:func:`layout` turns an instrument and the printing options (language, store name, item order,
sections to leave out) into a :class:`Document`: numbered questions grouped into response grids
(consecutive items on the same Likert or rating scale), choice questions and open questions, with
every text already in the chosen language and the store's name filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxkit.errors import InstrumentError, SpecificationError
from cxkit.instrument.model import Instrument, Item, Scale, check_store

#: Fixed words of the form, per language (English for languages not listed).
UI = {
    "en": {
        "page": "Page",
        "of": "of",
        "respondent": "Respondent no.",
        "order": "order",
        "scale": "Answer scale",
        "tick": "Tick one box.",
        "write": "Write your answer on the lines.",
        "optional": "optional",
    },
    "id": {
        "page": "Halaman",
        "of": "dari",
        "respondent": "No. responden",
        "order": "urutan",
        "scale": "Skala jawaban",
        "tick": "Centang satu kotak.",
        "write": "Tuliskan jawaban Anda pada garis.",
        "optional": "opsional",
    },
}


@dataclass(frozen=True)
class Question:
    item: Item
    number: int
    text: str


@dataclass(frozen=True)
class Grid:
    """Questions answered on one scale: a column per scale point."""

    scale: Scale
    questions: tuple[Question, ...]
    columns: tuple[tuple[int, str], ...]  # (code, header label, possibly "")


@dataclass(frozen=True)
class Choice:
    question: Question
    options: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Open:
    question: Question
    lines: int


@dataclass(frozen=True)
class SectionBlock:
    id: str
    title: str
    instructions: str | None
    blocks: tuple


@dataclass(frozen=True)
class Document:
    instrument: Instrument
    lang: str
    store: str
    title: str
    introduction: str
    consent: str | None
    instructions: str | None
    thanks: str | None
    sections: tuple[SectionBlock, ...]
    order_code: str
    printed_order: tuple[str, ...]
    paper: str
    ui: dict = field(default_factory=dict)

    @property
    def footer(self) -> str:
        return f"{self.instrument.ref} · sha256 {self.instrument.sha256[:8]} · {self.ui['order']} {self.order_code}"


PAPERS = {"a4": "a4", "letter": "us-letter"}


def layout(
    instrument: Instrument,
    lang: str = "en",
    store: str | None = None,
    *,
    paper: str = "a4",
    order: str = "defined",
    seed: int | None = None,
    omit=(),
) -> Document:
    """Lay out the questionnaire (see the module docstring).

    Parameters
    ----------
    order : {"defined", "shuffled"}
        ``shuffled`` reorders the measure items within each section with ``seed`` (attention
        checks, metrics, demographics and open questions keep their places); the order code
        printed in the footer (``S<seed>``) lets data entry map answers back (the codebook's template
        follows the same order).
    omit : iterable of str
        Section ids to leave out.

    Raises
    ------
    InstrumentError
        An unknown language or section (the message lists those that exist).
    """
    instrument.check_language(lang)
    if paper not in PAPERS:
        raise SpecificationError(
            f"paper={paper!r} is not accepted; use one of: {', '.join(map(repr, PAPERS))}"
        )
    if order not in ("defined", "shuffled"):
        raise SpecificationError(
            f"order={order!r} is not accepted; use one of: 'defined', 'shuffled'"
        )
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise SpecificationError(f"seed={seed!r} is not accepted; use a whole number 0 or more")
    if order == "shuffled" and seed is None:
        raise SpecificationError(
            "order='shuffled' needs a seed, so that the printed order can be reproduced"
        )
    omit = [omit] if isinstance(omit, str) else list(omit)
    known = [s.id for s in instrument.sections]
    for sid in omit:
        if sid not in known:
            raise InstrumentError(
                f"{instrument.ref} has no section {sid!r}; sections: {', '.join(known)}"
            )
    store = instrument.default_store(lang) if store is None else check_store(store)
    rng = np.random.default_rng(seed) if order == "shuffled" else None
    number = 0
    sections = []
    printed = []
    for sec in instrument.sections:
        if sec.id in omit:
            continue
        items = [instrument.item(i) for i in sec.items]
        if rng is not None:
            movable = [k for k, it in enumerate(items) if it.role == "measure"]
            shuffled = [items[k] for k in rng.permutation(movable)]
            for k, it in zip(movable, shuffled, strict=True):
                items[k] = it
        blocks: list = []
        for item in items:
            number += 1
            printed.append(item.id)
            q = Question(item, number, item.label(lang, store))
            scale = item.scale
            if scale.type in ("likert", "rating"):
                labels = {k: v.replace("{store}", store) for k, v in scale.labels(lang).items()}
                if blocks and isinstance(blocks[-1], Grid) and blocks[-1].scale.id == scale.id:
                    blocks[-1] = Grid(scale, (*blocks[-1].questions, q), blocks[-1].columns)
                else:
                    cols = tuple((v, labels.get(v, "")) for v in scale.values)
                    blocks.append(Grid(scale, (q,), cols))
            elif scale.type == "choice":
                options = tuple(
                    (k, v.replace("{store}", store)) for k, v in scale.labels(lang).items()
                )
                blocks.append(Choice(q, options))
            else:
                blocks.append(Open(q, scale.lines or 3))
        sections.append(
            SectionBlock(
                sec.id,
                sec.title[lang].replace("{store}", store),
                None
                if sec.instructions is None
                else sec.instructions[lang].replace("{store}", store),
                tuple(blocks),
            )
        )
    return Document(
        instrument=instrument,
        lang=lang,
        store=store,
        title=instrument.text("title", lang, store),
        introduction=instrument.text("introduction", lang, store),
        consent=instrument.text("consent", lang, store),
        instructions=instrument.text("instructions", lang, store),
        thanks=instrument.text("thanks", lang, store),
        sections=tuple(sections),
        order_code="D" if rng is None else f"S{seed}",
        printed_order=tuple(printed),
        paper=paper,
        ui=UI.get(lang, UI["en"]),
    )
