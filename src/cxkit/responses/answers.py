"""Answers written as text, as real exports write them, read as the codes of the item's scale.

A text answer (one that is not a plain number) is read, in this order, as

1. a code with its label: ``"6 - Setuju"``, ``"7 – Sangat setuju"``, ``"3. Netral"``, ``"5) Sangat puas"``
   (what Google Forms grids made by :mod:`cxkit.render.gforms` export, and what many forms write);
2. a label of the scale in any of the instrument's languages (anchors of Likert and rating scales,
   options of choice items), compared without case, quotes, dashes or end punctuation, with any
   store name in place of ``{store}`` (``"Situs web atau aplikasi Toko Contoh sendiri"``);
3. the usual Indonesian and English abbreviations of agreement scales of 5 or 7 points:
   ``STS TS N S SS`` (5), ``STS TS ATS N AS S SS`` (7), ``SD D N A SA`` (5),
   ``SD D SWD N SWA A SA`` (7).

>>> import cxkit
>>> from cxkit.responses.answers import answer_codes
>>> ins = cxkit.load_instrument("online-cx@2.0.0")
>>> codes = answer_codes(ins.item("EC1"))
>>> [codes.lookup(t) for t in ["6 - Setuju", "Sangat setuju.", "SS", "STS", "9 - Setuju", "kadang"]]
[6.0, 7.0, 7.0, 1.0, None, None]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cxkit.instrument.model import Item
from cxkit.responses.columns import normalise

#: "6 - Setuju", "6 – Setuju", "6. Setuju", "6) Setuju", "6: Setuju", "6 = Setuju"
_CODED = re.compile(r"^\s*(-?\d+)\s*(?:[-–—.:)=]|\s)\s*\D.*$")

#: the usual abbreviations of agreement scales, by number of points (lowest code first)
ABBREVIATIONS = {
    5: (("sts", "ts", "n", "s", "ss"), ("sd", "d", "n", "a", "sa")),
    7: (
        ("sts", "ts", "ats", "n", "as", "s", "ss"),
        ("sd", "d", "swd", "n", "swa", "a", "sa"),
    ),
}


@dataclass(frozen=True)
class AnswerCodes:
    """Text → code for one item: exact labels, labels with ``{store}``, abbreviations, ``code - label``."""

    labels: dict[str, float]
    patterns: tuple[tuple[re.Pattern, float], ...]
    values: frozenset[float]

    def lookup(self, text) -> float | None:
        """The code of ``text``, or None when it is none of the accepted forms."""
        key = normalise(text)
        if key in self.labels:
            return self.labels[key]
        for pattern, code in self.patterns:
            if pattern.match(key):
                return code
        m = _CODED.match(str(text))
        if m and float(m.group(1)) in self.values:
            return float(m.group(1))
        return None


def answer_codes(item: Item, extra: dict | None = None) -> AnswerCodes:
    """The text forms of the answers of ``item`` (``extra``: SPSS value labels, code → label)."""
    scale = item.scale
    pairs: list[tuple[str, float]] = []
    if scale.type == "choice":
        pairs = [(text, float(code)) for code, label in scale.options for text in label.values()]
    else:
        pairs = [(t, float(v)) for v, text in scale.anchors.items() for t in text.values()]
    pairs += [(str(text), float(code)) for code, text in (extra or {}).items()]
    labels: dict[str, float] = {}
    patterns = []
    for text, code in pairs:
        if "{store}" in text:
            parts = [re.escape(normalise(p)) for p in text.split("{store}")]
            patterns.append((re.compile("^" + ".+?".join(parts) + "$"), code))
        else:
            labels.setdefault(normalise(text), code)
    agreement = any(("setuju" in t or "agree" in t) for t in map(normalise, labels))
    if scale.type == "likert" and agreement and scale.points in ABBREVIATIONS:
        for abbreviations in ABBREVIATIONS[scale.points]:
            for abbr, code in zip(abbreviations, scale.values, strict=True):
                labels.setdefault(abbr, float(code))
    return AnswerCodes(labels, tuple(patterns), frozenset(float(v) for v in scale.values))
