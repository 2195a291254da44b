"""Reading a PLS path model: lavaan syntax as cSEM reads it.

``F =~ x1 + x2`` is a Mode A (reflective, "composite mode A") block, ``F <~ x1 + x2`` a Mode B
(formative) block, ``Y ~ F + G`` the structural model (labels ``a*F`` allowed), ``name := a*b`` a
named effect. A block whose terms are all constructs is a higher-order construct estimated by
repeated indicators (its block is the union of its lower-order constructs' items, and the inner
model gains the paths ``LOC ~ HOC``, or ``HOC ~ LOC`` for a ``<~`` higher-order construct).
``Y ~ F + G + F:G`` adds the interaction ``F:G``, a one-indicator construct whose indicator
:func:`cxkit.fit_pls` makes (two-stage; ``PLSSpec.interactions``). Constructs used
in the structural model without a block of their own take their items from ``constructs`` (a
mapping or an :class:`~cxkit.instrument.Instrument`).

>>> spec = parse_pls('''
... IMAG =~ i1 + i2
... SAT <~ s1 + s2 + s3
... SAT ~ a*IMAG
... ''')
>>> [(b.name, b.mode, b.items) for b in spec.blocks]
[('IMAG', 'A', ('i1', 'i2')), ('SAT', 'B', ('s1', 's2', 's3'))]
>>> spec.paths
(('SAT', 'IMAG', 'a'),)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cxkit.errors import ModelError, SpecificationError
from cxkit.instrument.model import Instrument
from cxkit.sem.syntax import parse_model

_FORMATIVE = re.compile(r"([A-Za-z_.][A-Za-z0-9_.]*)\s*<~")
_INTERACTION = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*(?:\s*:(?!=)\s*[A-Za-z_.][A-Za-z0-9_.]*)+")
#: how an interaction term ``F:G`` is spelled while lavaan's parser reads the model
_JOIN = "__x__"


@dataclass(frozen=True)
class Block:
    """One construct: its name, mode ('A' or 'B') and indicator columns."""

    name: str
    mode: str
    items: tuple[str, ...]
    #: the lower-order constructs of a higher-order construct (repeated indicators), else ()
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class PLSSpec:
    """A parsed PLS model: blocks, structural paths ``(outcome, predictor, label)``, definitions."""

    blocks: tuple[Block, ...]
    paths: tuple[tuple[str, str, str | None], ...]
    definitions: tuple[tuple[str, str], ...] = ()
    text: str = ""
    #: interaction terms ``(name, construct, moderator)``: ``Y ~ F + G + F:G`` gives
    #: ``("F:G", "F", "G")``, a one-indicator block whose indicator (column ``F:G``) is the product
    #: of the two constructs' scores in the model without interactions (the two-stage approach)
    interactions: tuple[tuple[str, str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [b.name for b in self.blocks]

    @property
    def items(self) -> list[str]:
        """Every indicator once, in order of first appearance."""
        return list(dict.fromkeys(i for b in self.blocks for i in b.items))

    @property
    def endogenous(self) -> list[str]:
        seen = dict.fromkeys(lhs for lhs, _, _ in self.paths)
        return [n for n in self.names if n in seen]

    def predictors(self, outcome: str) -> list[str]:
        return [rhs for lhs, rhs, _ in self.paths if lhs == outcome]

    def adjacency(self) -> np.ndarray:
        """``D[i, j] = 1`` when construct i predicts construct j."""
        pos = {n: k for k, n in enumerate(self.names)}
        d = np.zeros((len(pos), len(pos)))
        for lhs, rhs, _ in self.paths:
            d[pos[rhs], pos[lhs]] = 1.0
        return d

    def membership(self) -> np.ndarray:
        """``M[i, j] = 1`` when indicator i belongs to block j (an item may serve two blocks)."""
        pos = {n: k for k, n in enumerate(self.items)}
        m = np.zeros((len(pos), len(self.blocks)))
        for j, b in enumerate(self.blocks):
            for i in b.items:
                m[pos[i], j] = 1.0
        return m

    def without(self, outcome: str, predictor: str) -> PLSSpec:
        """The model without the path ``outcome ~ predictor`` (for f² by re-estimation, as seminr):
        a construct left without any path is dropped with it."""
        paths = tuple(p for p in self.paths if (p[0], p[1]) != (outcome, predictor))
        used = {n for p in paths for n in p[:2]}
        return PLSSpec(
            tuple(b for b in self.blocks if b.name in used),
            paths,
            (),
            self.text,
            tuple(i for i in self.interactions if i[0] in used),
        )

    def higher_order_paths(self) -> set[tuple[str, str]]:
        """The paths ``(outcome, predictor)`` that tie a higher-order construct to its lower-order
        constructs (repeated indicators): ``LOC ~ HOC`` (Mode A) or ``HOC ~ LOC`` (Mode B)."""
        return {
            (c, b.name) if b.mode == "A" else (b.name, c) for b in self.blocks for c in b.components
        }

    def two_stage(self) -> tuple[PLSSpec, PLSSpec]:
        """The two stages of the two-stage approach to higher-order constructs (seminr's
        ``higher_composite(method = two_stage)``; Sarstedt et al. 2019).

        Stage one: every higher-order construct replaced by its lower-order constructs in the
        structural model (its antecedents predict each of them, each of them predicts its
        outcomes), interaction terms left out. Stage two: the model as written, each higher-order
        construct measured by its lower-order constructs' scores — columns named as those
        constructs —, the lower-order constructs themselves gone unless the model names them.
        """
        higher = {b.name: b for b in self.blocks if b.components}
        tied = self.higher_order_paths()
        inter = {i[0] for i in self.interactions}
        own = [p for p in self.paths if (p[0], p[1]) not in tied]
        first: dict[tuple[str, str], None] = {}
        for lhs, rhs, _ in own:
            if rhs in inter:
                continue
            for o in higher[lhs].components if lhs in higher else (lhs,):
                for q in higher[rhs].components if rhs in higher else (rhs,):
                    first[(o, q)] = None
        used1 = {n for pair in first for n in pair}
        stage1 = PLSSpec(
            tuple(b for b in self.blocks if b.name in used1 and not b.components),
            tuple((o, q, None) for o, q in first),
            (),
            self.text,
        )
        used2 = {n for p in own for n in p[:2]}
        blocks2 = tuple(
            Block(b.name, b.mode, b.components) if b.components else b
            for b in self.blocks
            if b.name in used2
        )
        stage2 = PLSSpec(
            blocks2,
            tuple(own),
            self.definitions,
            self.text,
            tuple(i for i in self.interactions if i[0] in used2),
        )
        return stage1, stage2

    def staged(self, hoc: str = "repeated") -> tuple[PLSSpec, dict | None, list[str]]:
        """The model as estimated, its stages and the data columns it reads.

        Returns the model of the (last) stage, the stages (``None`` when there is one:
        ``"hoc"`` the first stage of two-stage higher-order constructs and ``"hoc_columns"`` the
        lower-order constructs whose scores it hands on, ``"main"`` the model without
        interaction terms and ``"interactions"`` the terms, ``"model"`` this model) and the
        indicator columns to read.
        """
        first, spec = self.two_stage() if hoc == "two_stage" else (None, self)
        if first is not None and not any(b.components for b in self.blocks):
            first, spec = None, self
        if first is None and not spec.interactions:
            return spec, None, spec.items
        columns = [c for b in spec.blocks if first is not None for c in b.items if c in first.names]
        columns = list(dict.fromkeys(columns))
        made = set(columns) | {n for n, _, _ in spec.interactions}
        read = list(first.items) if first is not None else []
        read += [i for i in spec.items if i not in made and i not in read]
        stages = {
            "hoc": first,
            "hoc_columns": columns,
            "main": spec.main_effects(),
            "interactions": spec.interactions,
            "model": self,
            "method": hoc,
        }
        return spec, stages, read

    def main_effects(self) -> PLSSpec:
        """The model without its interaction terms (blocks and paths): the first stage."""
        names = {i[0] for i in self.interactions}
        return PLSSpec(
            tuple(b for b in self.blocks if b.name not in names),
            tuple(p for p in self.paths if p[1] not in names),
            (),
            self.text,
        )


def _constructs_mapping(constructs) -> dict[str, list[str]]:
    if constructs is None:
        return {}
    if isinstance(constructs, Instrument):
        return {c: list(ids) for c, ids in constructs.constructs.items() if ids}
    if isinstance(constructs, Mapping):
        return {str(k): list(v) for k, v in constructs.items()}
    raise SpecificationError(
        "constructs must be a mapping of construct name → item columns, or an Instrument; "
        f"got {type(constructs).__name__}"
    )


def spell_interactions(text: str) -> str:
    """The model with every interaction term ``F:G`` spelled as one name lavaan's parser reads
    (``F__x__G``), so that code reading lavaan syntax can read a PLS model with interactions.

    >>> spell_interactions("Y ~ F + G + F:G; ab := a*b")
    'Y ~ F + G + F__x__G; ab := a*b'
    """
    return _INTERACTION.sub(lambda m: re.sub(r"\s*:\s*", _JOIN, m.group(0)), text)


def parse_pls(text: str, constructs=None) -> PLSSpec:
    """Parse a PLS model written in lavaan syntax (see the module docstring).

    Raises
    ------
    ModelError
        Covariances (``~~``), a construct in the structural model without indicators, a block
        defined twice, an item used as a construct, a model without structural paths.
    """
    if not isinstance(text, str):
        raise SpecificationError(
            f"model must be a string in lavaan syntax; got {type(text).__name__}"
        )
    formative = set(_FORMATIVE.findall(text))
    statements, defs = parse_model(spell_interactions(text).replace("<~", "=~"))
    extra = _constructs_mapping(constructs)
    defined: dict[str, tuple[str, list[str], int]] = {}
    paths: list[tuple[str, str, str | None]] = []
    interactions: dict[str, tuple[str, str, str, int]] = {}
    for s in statements:
        if s.op in ("==", "<", ">"):
            raise ModelError(
                f"model line {s.line}: {s.lhs} {s.op} {s.rhs} — PLS path models take no "
                "parameter constraints; leave the line out (CB-SEM: cxkit.fit_sem takes them)"
            )
        if s.op == "~~":
            raise ModelError(
                f"model line {s.line}: {s.lhs} ~~ … — PLS path models have no (co)variance "
                "parameters; leave the line out"
            )
        if s.op == "=~":
            if s.lhs in defined:
                raise ModelError(
                    f"model line {s.line}: the block of {s.lhs!r} is defined twice "
                    f"(also on line {defined[s.lhs][2]}); list all its items on one line"
                )
            for t in s.terms:
                if t.fixed is not None or t.label is not None:
                    raise ModelError(
                        f"model line {s.line}: {t.name!r} in the block of {s.lhs!r} carries a "
                        "label or fixed value; PLS blocks list plain indicator names"
                    )
            mode = "B" if s.lhs in formative else "A"
            defined[s.lhs] = (mode, [t.name for t in s.terms], s.line)
        elif s.op == "~":
            if _JOIN in s.lhs:
                raise ModelError(
                    f"model line {s.line}: the interaction {s.lhs.replace(_JOIN, ':')} can only "
                    "predict (stand on the right of ~), not be predicted"
                )
            for t in s.terms:
                if t.fixed is not None:
                    raise ModelError(
                        f"model line {s.line}: fixed value on {t.name!r}; PLS estimates every path"
                    )
                name = t.name.replace(_JOIN, ":")
                if ":" in name:
                    parts = name.split(":")
                    if len(parts) != 2 or not all(parts):
                        raise ModelError(
                            f"model line {s.line}: the interaction term {name!r} must join two "
                            "constructs (F:G); for a three-way interaction add F:G as a construct"
                        )
                    interactions.setdefault(name, (name, parts[0], parts[1], s.line))
                paths.append((s.lhs, name, t.label))
    if not paths:
        raise ModelError(
            "the model has no structural paths (Y ~ X); a PLS path model needs at least one"
        )
    names = list(defined)
    for name, a, b, line in interactions.values():
        for n in (a, b):
            if n not in defined and n not in extra:
                raise ModelError(
                    f"model line {line}: the interaction {name} names {n!r}, which is not a "
                    f"construct of the model; define it ({n} =~ item1 + item2)"
                )
    for lhs, rhs, _ in paths:
        for n in (rhs, lhs):
            if n in interactions:
                continue
            if n not in defined:
                if n in extra:
                    defined[n] = ("A", extra[n], 0)
                    names.append(n)
                else:
                    raise ModelError(
                        f"construct {n!r} is in the structural model but has no indicators; "
                        f"define it ({n} =~ item1 + item2) or pass constructs= with it"
                    )
    for _name, a, b, _ in interactions.values():
        for n in (a, b):
            if n not in defined:
                defined[n] = ("A", extra[n], 0)
                names.append(n)
    blocks = []
    for n in names:
        mode, terms, line = defined[n]
        if all(t in defined for t in terms):
            items = tuple(dict.fromkeys(i for t in terms for i in defined[t][1]))
            blocks.append(Block(n, mode, items, tuple(terms)))
            # repeated indicators: the higher-order construct explains (Mode A) or is formed by
            # (Mode B) its lower-order constructs in the inner model
            for t in terms:
                paths.append((t, n, None) if mode == "A" else (n, t, None))
            continue
        bad = [t for t in terms if t in defined]
        if bad:
            raise ModelError(
                f"model line {line}: the block of {n!r} mixes constructs ({', '.join(bad)}) "
                "and items; a higher-order construct lists only constructs"
            )
        blocks.append(Block(n, mode, tuple(terms)))
    for name in interactions:  # one-indicator blocks, their column made by fit_pls
        blocks.append(Block(name, "A", (name,)))
        names.append(name)
    for lhs, rhs, _ in paths:
        if lhs == rhs:
            raise ModelError(f"path {lhs} ~ {rhs}: a construct cannot predict itself")
    _check_recursive(names, paths)
    return PLSSpec(
        tuple(blocks),
        tuple(paths),
        tuple((d.name, d.expr) for d in defs),
        text,
        tuple((n, a, b) for n, a, b, _ in interactions.values()),
    )


def _check_recursive(names: list[str], paths) -> None:
    succ: dict[str, set[str]] = {n: set() for n in names}
    for lhs, rhs, _ in paths:
        succ[rhs].add(lhs)
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1:
                raise ModelError(
                    "the structural model has a feedback loop ("
                    + " → ".join([*trail[trail.index(m) :], m])
                    + "); PLS path models must be recursive"
                    if m in trail
                    else f"the structural model has a feedback loop through {m}"
                )
            if m not in state:
                visit(m, [*trail, m])
        state[n] = 2

    for n in names:
        if n not in state:
            visit(n, [n])
