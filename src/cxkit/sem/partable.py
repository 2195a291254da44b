"""Stage 1: the parameter table — one row per parameter per group, with lavaan 0.6's defaults.

The table is built as ``lavaan::lavaanify()`` builds it for ``sem()``/``cfa()``:

* **names** (``lav_partable_vnames``): latent variables are the left-hand sides of ``=~``; observed
  variables are ordered indicators first, then dependent observed variables, then exogenous
  observed predictors (``ov.x``: right of ``~`` only), then the rest;
* **default rows**: (residual) variances of every observed variable but the ``ov.x`` and of every
  latent variable; covariances of the exogenous latent variables (``auto.cov.lv.x``); covariances
  of the pure dependent variables, latent and observed (``auto.cov.y``); the variances and
  covariances of the ``ov.x`` block; with a mean structure, intercepts of every observed and
  latent variable;
* **free or fixed**: the first loading of every factor is fixed to 1 (``std_lv=False``) or every
  latent (residual) variance to 1 (``std_lv=True``); a factor with one unique indicator fixes that
  indicator's residual variance to 0; latent means are 0; the ``ov.x`` block and its means are fixed
  at their sample values (``fixed.x``); then the user's modifiers (``1*x`` fixes, ``NA*x`` frees, a
  label only names — it does not free a marker);
* **groups**: the rows are repeated per group; in groups after the first, latent means are free when
  intercepts are held equal (and means are not), and latent variances are free when ``std_lv`` and
  loadings are held equal; ``group_equal`` ties the kinds it names to group 1 (except the
  ``group_partial`` parameters), and a label is one parameter wherever it appears.

Each row is placed in a matrix of the LISREL form (``lav_lisrel``): observed variables in regressions
or in covariances with latent variables get a *dummy* latent variable (loading 1, no residual), so
``Σ = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λ' + Θ`` and ``μ = ν + Λ (I − B)⁻¹ α``.

>>> from cxkit.sem.partable import build_partable
>>> pt = build_partable("F =~ x1 + x2 + x3\\ny ~ F")
>>> pt.ov, pt.lv, pt.inner
(('x1', 'x2', 'x3', 'y'), ('F',), ('F', 'y'))
>>> [(r.lhs, r.op, r.rhs, r.free >= 0) for r in pt.rows if r.op == "=~"]
[('F', '=~', 'x1', False), ('F', '=~', 'x2', True), ('F', '=~', 'x3', True)]
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

import numpy as np

from cxkit.errors import ModelError, ModelSyntaxError, SpecificationError
from cxkit.sem.syntax import Constraint, Definition, Statement, Term, expression_names, parse_model

#: the kinds of parameter ``group_equal`` accepts (lavaan's ``group.equal``)
EQUAL_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "regressions",
)


@dataclass(frozen=True)
class Row:
    """One parameter of one group (lavaan's partable row).

    ``free`` is the index into the free-parameter vector θ (shared by equal parameters) or −1;
    ``value`` the fixed value (NaN while a fixed.x value still waits for the data); ``matrix`` one
    of ``L`` (Λ), ``B``, ``P`` (Ψ), ``T`` (Θ), ``nu`` (ν), ``alpha`` (α), with its ``row``/``col``.
    """

    lhs: str
    op: str
    rhs: str
    group: int
    user: bool
    free: int
    value: float
    label: str
    exo: bool
    matrix: str
    row: int
    col: int
    start: float = float("nan")


@dataclass(frozen=True)
class ParTable:
    """The parameter table of a model over ``ngroups`` groups and the names it was built with."""

    rows: tuple[Row, ...]
    ov: tuple[str, ...]
    lv: tuple[str, ...]
    inner: tuple[str, ...]  # latent variables, then the dummy latent variables of observed ones
    ov_x: tuple[str, ...]  # exogenous observed predictors with fixed (co)variances and means
    ngroups: int
    meanstructure: bool
    std_lv: bool
    definitions: tuple[Definition, ...]
    npar: int
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    #: the model's ``==``, ``<``, ``>`` lines (:mod:`cxkit.sem.constraints` evaluates them)
    constraints: tuple[Constraint, ...] = ()
    #: the formative composites (left of ``<~``)
    composites: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def latent(self) -> list[str]:
        """The latent variables (a list, to index DataFrames with)."""
        return list(self.lv)

    @property
    def observed(self) -> list[str]:
        """The observed variables, in lavaan's order (a list, to index DataFrames with)."""
        return list(self.ov)

    @property
    def dummies(self) -> tuple[str, ...]:
        return self.inner[len(self.lv) :]

    def group_rows(self, g: int) -> list[Row]:
        return [r for r in self.rows if r.group == g]

    def free_rows(self) -> list[Row]:
        """The first row of every free parameter, in θ order."""
        first: dict[int, Row] = {}
        for r in self.rows:
            if r.free >= 0 and r.free not in first:
                first[r.free] = r
        return [first[k] for k in range(self.npar)]

    def labels(self, theta: np.ndarray) -> dict[str, float]:
        """Label → value (the first row carrying the label)."""
        out: dict[str, float] = {}
        for r in self.rows:
            if r.label and r.label not in out:
                out[r.label] = float(theta[r.free]) if r.free >= 0 else r.value
        return out

    def with_values(self, values: dict[tuple[int, str, str, str], float]) -> ParTable:
        """A copy whose fixed rows keyed ``(group, lhs, op, rhs)`` take the given values."""
        rows = tuple(
            replace(r, value=values[(r.group, r.lhs, r.op, r.rhs)])
            if (r.group, r.lhs, r.op, r.rhs) in values
            else r
            for r in self.rows
        )
        return replace(self, rows=rows, _cache={})

    def as_frame(self):
        import pandas as pd

        return pd.DataFrame([r.__dict__ for r in self.rows])


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    if op == "~~" and rhs < lhs:
        return rhs, op, lhs
    return lhs, op, rhs


def _partial_key(text: str) -> tuple[str, str, str]:
    """``'visual =~ x2'`` → ('visual', '=~', 'x2'); ``'x3 ~ 1'`` → ('x3', '~1', '')."""
    s = str(text).replace(" ", "")
    if s.endswith("~1") and "~~" not in s and "=~" not in s:
        return s[:-2], "~1", ""
    for op in ("=~", "~~", "~"):
        if op in s:
            lhs, rhs = s.split(op, 1)
            if lhs and rhs:
                return _key(lhs, op, rhs)
    raise SpecificationError(
        f"group_partial entry {text!r} is not a parameter in lavaan syntax, e.g. 'x3 ~ 1' or "
        "'visual =~ x2'"
    )


def _merge_terms(old: Term, new: Term, s: Statement, rhs: str) -> Term:
    """Two mentions of one parameter: their modifiers combined, or a clear error if they clash."""
    where = f"model line {s.line}: {s.lhs} {s.op} {rhs or '1'}"
    if old.per_group or new.per_group:
        raise ModelSyntaxError(f"{where} has modifiers twice; give them in one c(...)")
    if old.label and new.label and old.label != new.label:
        raise ModelSyntaxError(f"{where} has two labels ({old.label!r}, {new.label!r}); give one")
    if old.fixed is not None and new.fixed is not None and old.fixed != new.fixed:
        raise ModelSyntaxError(f"{where} is fixed to two values ({old.fixed:g}, {new.fixed:g})")
    fixed = old.fixed if old.fixed is not None else new.fixed
    free = (old.free or new.free) and fixed is None
    if not (
        old.label
        or new.label
        or old.free
        or new.free
        or old.fixed is not None
        or new.fixed is not None
        or old.start is not None
        or new.start is not None
    ):
        raise ModelSyntaxError(f"{where} is specified twice; give each parameter once")
    start = old.start if old.start is not None else new.start
    return Term(old.name, old.label or new.label, fixed, free, start=start)


def _unique(seq) -> list[str]:
    out: list[str] = []
    for v in seq:
        if v not in out:
            out.append(v)
    return out


def build_partable(
    model: str | tuple[list[Statement], list[Definition]],
    columns=None,
    *,
    ngroups: int = 1,
    meanstructure: bool = False,
    std_lv: bool = False,
    fixed_x: bool = True,
    group_equal=(),
    group_partial=(),
    extra_fixed: tuple[str, ...] = (),
    int_ov_free: bool = True,
    int_lv_free: bool = False,
) -> ParTable:
    """Build the parameter table of ``model`` (lavaan syntax or parsed statements).

    ``columns``: the data's columns, to check that every observed variable is one (with a hint).
    ``extra_fixed``: observed variables whose residual variances the caller fixes (the ordinal
    indicators of WLSMV, whose scale is set by the thresholds). ``int_ov_free`` / ``int_lv_free``:
    lavaan's ``int.ov.free`` / ``int.lv.free`` (``growth()``: observed intercepts fixed at 0,
    latent means free).

    A composite ``f <~ x1 + x2`` is placed as lavaan places it: ``f`` a latent variable regressed
    on its components (op ``<~``, every weight free unless fixed), its residual variance fixed at
    0, the components exogenous (fixed.x).
    """
    statements, defs = parse_model(model) if isinstance(model, str) else model
    constraints = tuple(s for s in statements if isinstance(s, Constraint))
    statements = [s for s in statements if not isinstance(s, Constraint)]
    for g in group_equal:
        if g not in EQUAL_KINDS:
            raise SpecificationError(
                f"group_equal={g!r} is not accepted; use any of: {', '.join(map(repr, EQUAL_KINDS))}"
            )
    if ngroups == 1 and (group_equal or group_partial):
        raise SpecificationError(
            "group_equal and group_partial need group=... (the column that defines the groups)"
        )
    # -- names (lav_partable_vnames) ----------------------------------------------------------
    composites = _unique(s.lhs for s in statements if s.op == "<~")
    lv = _unique([*(s.lhs for s in statements if s.op == "=~"), *composites])
    v_ind = _unique(t.name for s in statements if s.op == "=~" for t in s.terms)
    eqs_y = _unique(s.lhs for s in statements if s.op in ("~", "<~"))
    eqs_x = _unique(t.name for s in statements if s.op in ("~", "<~") for t in s.terms)
    ov_ind = [v for v in v_ind if v not in lv]
    ov_y_all = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y_all]
    user_mentioned = {
        n for s in statements if s.op in ("~~", "~1") for n in (s.lhs, *(t.name for t in s.terms))
    }
    extras = _unique(
        n
        for s in statements
        if s.op in ("~~", "~1")
        for n in (s.lhs, *(t.name for t in s.terms))
        if n not in lv and n != "__one__"
    )
    ov = _unique([*ov_ind, *ov_y_all, *ov_x, *extras])
    if not fixed_x:
        ov_x_fixed: list[str] = []
    else:
        ov_x_fixed = [v for v in ov_x if v not in user_mentioned]
    if columns is not None:
        cols = [str(c) for c in columns]
        missing = [n for n in ov if n not in cols]
        if missing:
            hints = []
            for n in missing:
                close = difflib.get_close_matches(n, cols, n=1)
                hints.append(repr(n) + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ModelSyntaxError(
                "the model uses variable(s) that are neither latent (left of =~) nor columns of "
                f"the data: {', '.join(hints)}"
            )
    if not ov:
        raise ModelSyntaxError("the model has no observed variables")
    ov_nox = [v for v in ov if v not in ov_x_fixed]
    lv_x = [v for v in lv if v not in v_ind and v not in eqs_y]
    lv_y = [v for v in eqs_y if v in lv and v not in v_ind and v not in eqs_x]
    ov_y = [v for v in ov if v in eqs_y and v not in v_ind and v not in eqs_x and v not in lv]
    for s in statements:
        if s.op == "=~":
            for t in s.terms:
                if t.name == s.lhs:
                    raise ModelSyntaxError(
                        f"model line {s.line}: {s.lhs} cannot be its own indicator"
                    )

    # -- user rows, then default rows (lav_partable_flat) -------------------------------------
    user: list[tuple[str, str, str, Term | None, int]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for s in statements:
        for t in s.terms:
            rhs = "" if s.op == "~1" else t.name
            k = _key(s.lhs, s.op, rhs)
            if k in seen:  # the same parameter again: its modifiers add up (NA*x1 + a*x1)
                pos = seen[k]
                old = user[pos][3]
                merged = _merge_terms(old, t, s, rhs)
                user[pos] = (*user[pos][:3], merged, user[pos][4])
                continue
            seen[k] = len(user)
            user.append((s.lhs, s.op, rhs, t, s.line))
    default: list[tuple[str, str, str]] = []
    for v in [*ov_nox, *lv]:
        default.append((v, "~~", v))
    for i, a in enumerate(lv_x):
        for b in lv_x[i + 1 :]:
            default.append((a, "~~", b))
    lvov_y = [*lv_y, *ov_y]
    for i, a in enumerate(lvov_y):
        for b in lvov_y[i + 1 :]:
            default.append((a, "~~", b))
    for i, a in enumerate(ov_x_fixed):
        for b in ov_x_fixed[i:]:
            default.append((a, "~~", b))
    if meanstructure:
        for v in [*ov, *lv]:
            default.append((v, "~1", ""))
    kept, dkeys = [], set()
    for k in default:
        nk = _key(*k)
        if nk not in seen and nk not in dkeys:
            dkeys.add(nk)
            kept.append(k)
    default = kept

    # -- free / fixed for one group ------------------------------------------------------------
    entries = []  # dicts for one group
    for lhs, op, rhs, term, _ in user:
        entries.append(dict(lhs=lhs, op=op, rhs=rhs, user=True, term=term))
    for lhs, op, rhs in default:
        entries.append(dict(lhs=lhs, op=op, rhs=rhs, user=False, term=None))
    for e in entries:
        e.update(free=True, value=np.nan, exo=False, label="", start=np.nan)
    for e in entries:
        if std_lv and e["op"] == "~~" and e["lhs"] == e["rhs"] and e["lhs"] in lv:
            e.update(free=False, value=1.0)
    if not std_lv:
        first: set[str] = set()
        for e in entries:
            if e["op"] == "=~" and e["lhs"] not in first:
                first.add(e["lhs"])
                e.update(free=False, value=1.0)
    # a factor with one indicator used by no other factor: that indicator has no residual
    counts = {f: sum(1 for e in entries if e["op"] == "=~" and e["lhs"] == f) for f in lv}
    ind_use = {}
    for e in entries:
        if e["op"] == "=~":
            ind_use[e["rhs"]] = ind_use.get(e["rhs"], 0) + 1
    single = {
        e["rhs"]
        for e in entries
        if e["op"] == "=~" and counts[e["lhs"]] == 1 and ind_use[e["rhs"]] == 1
    }
    for e in entries:
        if (
            not e["user"]
            and e["op"] == "~~"
            and e["lhs"] == e["rhs"]
            and e["lhs"] in single
            and e["lhs"] not in lv
        ):
            e.update(free=False, value=0.0)
    for e in entries:
        if e["op"] == "~1" and not e["user"] and e["lhs"] in lv and not int_lv_free:
            e.update(free=False, value=0.0)
        if e["op"] == "~1" and not e["user"] and e["lhs"] not in lv and not int_ov_free:
            e.update(free=False, value=0.0)
        if not e["user"] and e["op"] == "~~" and e["lhs"] == e["rhs"] and e["lhs"] in composites:
            e.update(free=False, value=0.0)
        if (
            not e["user"]
            and e["lhs"] in ov_x_fixed
            and (e["op"] == "~1" or (e["op"] == "~~" and e["rhs"] in ov_x_fixed))
        ):
            e.update(free=False, value=np.nan, exo=True)
        if e["op"] == "~~" and e["lhs"] == e["rhs"] and e["lhs"] in extra_fixed and not e["user"]:
            e.update(free=False, value=1.0)
    # -- groups --------------------------------------------------------------------------------
    equal = set(group_equal)
    per_group = []
    for g in range(1, ngroups + 1):
        rows = [dict(e, group=g) for e in entries]
        if g > 1:
            for r in rows:
                if r["user"]:
                    continue
                if (
                    r["op"] == "~1"
                    and r["lhs"] in lv
                    and "intercepts" in equal
                    and "means" not in equal
                ):
                    r.update(free=True, value=np.nan)
                if (
                    std_lv
                    and "loadings" in equal
                    and "lv.variances" not in equal
                    and r["op"] == "~~"
                    and r["lhs"] == r["rhs"]
                    and r["lhs"] in lv
                ):
                    r.update(free=True, value=np.nan)
        per_group.append(rows)
    # user modifiers (recycled over groups, as lavaan; c(...) gives one per group)
    for g, rows in enumerate(per_group, start=1):
        for r in rows:
            t: Term | None = r["term"]
            if t is None:
                continue
            if t.per_group:
                if len(t.per_group) != ngroups:
                    raise ModelSyntaxError(
                        f"{r['lhs']} {r['op']} {r['rhs'] or '1'}: c(...) gives "
                        f"{len(t.per_group)} modifier(s) for {ngroups} group(s); give one per "
                        "group"
                    )
                t = t.per_group[g - 1]
            if t.fixed is not None:
                r.update(free=False, value=float(t.fixed))
            elif t.free:
                r.update(free=True, value=np.nan)
            if t.label:
                r["label"] = t.label
            if t.start is not None:
                r["start"] = float(t.start)
    # -- matrices (lav_lisrel) -------------------------------------------------------------------
    in_reg = _unique(
        [s.lhs for s in statements if s.op in ("~", "<~")]
        + [t.name for s in statements if s.op in ("~", "<~") for t in s.terms]
    )
    dummy = [v for v in in_reg if v not in lv]
    for s in statements:  # observed variables in covariances with latent (or dummy) variables
        if s.op != "~~":
            continue
        for t in s.terms:
            a, b = s.lhs, t.name
            if (a in lv or a in dummy) and b not in lv and b not in dummy:
                dummy.append(b)
            if (b in lv or b in dummy) and a not in lv and a not in dummy:
                dummy.append(a)
    dummy = [v for v in ov if v in dummy]
    inner = [*lv, *dummy]
    oi = {v: k for k, v in enumerate(ov)}
    ii = {v: k for k, v in enumerate(inner)}
    placed = []
    for rows in per_group:
        for r in rows:
            lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
            if op == "=~":
                if rhs in ii:
                    mat = ("B", ii[rhs], ii[lhs])
                else:
                    mat = ("L", oi[rhs], ii[lhs])
            elif op in ("~", "<~"):
                if lhs not in ii or rhs not in ii:
                    raise ModelError(f"{lhs} ~ {rhs}: cannot place this regression")
                mat = ("B", ii[lhs], ii[rhs])
            elif op == "~~":
                if lhs in ii and rhs in ii:
                    a, b = sorted((ii[lhs], ii[rhs]), reverse=True)
                    mat = ("P", a, b)
                elif lhs in oi and rhs in oi and lhs not in ii and rhs not in ii:
                    a, b = sorted((oi[lhs], oi[rhs]), reverse=True)
                    mat = ("T", a, b)
                else:
                    raise ModelSyntaxError(
                        f"{lhs} ~~ {rhs} joins a latent variable with an indicator; covariances "
                        "join two latent or two observed variables"
                    )
            elif op == "~1":
                mat = ("alpha", ii[lhs], 0) if lhs in ii else ("nu", oi[lhs], 0)
            else:  # pragma: no cover - the parser allows no other operator here
                raise ModelError(f"operator {op!r} is not available")
            r["mat"] = mat
            placed.append(r)
    # -- free indices: labels and group_equal share one ----------------------------------------
    partial = {_partial_key(s) for s in group_partial}
    known = {_key(r["lhs"], r["op"], r["rhs"]) for r in placed}
    unknown = sorted("".join(k) for k in partial - known)
    if unknown:
        raise SpecificationError(
            f"group_partial names {', '.join(map(repr, unknown))}, which is not a parameter of the "
            "model; write them as lavaan does, e.g. 'x3 ~ 1' (an intercept) or 'visual =~ x2' "
            "(a loading)"
        )
    ov_nox_set = set(ov_nox)

    def kind(r) -> str | None:
        op, lhs, rhs = r["op"], r["lhs"], r["rhs"]
        if op == "=~":
            return "loadings"
        if op == "~":
            return "regressions"
        if op == "~1":
            if lhs in lv:
                return "means"
            return "intercepts" if lhs in ov_nox_set else None
        if op == "~~":
            if lhs in lv and rhs in lv:
                return "lv.variances" if lhs == rhs else "lv.covariances"
            if lhs in ov_nox_set and rhs in ov_nox_set:
                return "residuals" if lhs == rhs else "residual.covariances"
        return None

    # a label shared with a fixed parameter fixes every parameter carrying it at that value
    fixed_label = {}
    for r in placed:
        if r["label"] and not r["free"] and r["label"] not in fixed_label:
            fixed_label[r["label"]] = r["value"]
    for r in placed:
        if r["label"] in fixed_label and r["free"]:
            r.update(free=False, value=fixed_label[r["label"]])
    npar = 0
    by_label: dict[str, int] = {}
    group1: dict[tuple[str, str, str], int] = {}
    for r in placed:
        if not r["free"]:
            r["index"] = -1
            continue
        k3 = (r["lhs"], r["op"], r["rhs"])
        if r["label"]:
            if r["label"] in by_label:
                r["index"] = by_label[r["label"]]
                continue
        if r["group"] > 1 and kind(r) in equal and _key(*k3) not in partial and k3 in group1:
            r["index"] = group1[k3]
        else:
            r["index"], npar = npar, npar + 1
        if r["label"]:
            by_label[r["label"]] = r["index"]
        if r["group"] == 1:
            group1[k3] = r["index"]
    labels = set(by_label) | {r["label"] for r in placed if r["label"]}
    for d in defs:
        if d.name in labels:
            raise ModelSyntaxError(f"model line {d.line}: {d.name!r} is already a parameter label")
    rows_out = tuple(
        Row(
            lhs=r["lhs"],
            op=r["op"],
            rhs=r["rhs"],
            group=r["group"],
            user=r["user"],
            free=r["index"],
            value=float(r["value"]),
            label=r["label"],
            exo=r["exo"],
            matrix=r["mat"][0],
            row=r["mat"][1],
            col=r["mat"][2],
            start=float(r["start"]),
        )
        for r in placed
    )
    _check_composites(composites, statements, rows_out)
    check_constraints(constraints, labels, defs)
    return ParTable(
        rows=rows_out,
        ov=tuple(ov),
        lv=tuple(lv),
        inner=tuple(inner),
        ov_x=tuple(ov_x_fixed),
        ngroups=ngroups,
        meanstructure=meanstructure,
        std_lv=std_lv,
        definitions=tuple(defs),
        npar=npar,
        group_equal=tuple(group_equal),
        group_partial=tuple(sorted("".join(_partial_key(s)) for s in group_partial)),
        constraints=constraints,
        composites=tuple(composites),
    )


def _check_composites(composites, statements, rows) -> None:
    """A composite must emit a path (lavaan fits it, but its weights are then not identified) and
    have a scale: a fixed weight, a reflective first loading or a fixed path it emits."""
    for f in composites:
        line = next(s.line for s in statements if s.op == "<~" and s.lhs == f)
        emits = [r for r in rows if (r.op == "~" and r.rhs == f) or (r.op == "=~" and r.lhs == f)]
        if not emits:
            raise SpecificationError(
                f"model line {line}: the formative composite {f!r} ({f} <~ ...) predicts nothing, so "
                f"its weights are not identified; add a regression on it (e.g. 'Y ~ {f}') or "
                f"reflective indicators ('{f} =~ y1 + y2'), or fit it with PLS-SEM (fit_pls)"
            )
        weights = [r for r in rows if r.op == "<~" and r.lhs == f]
        if all(r.free >= 0 for r in weights) and all(r.free >= 0 for r in emits):
            first = weights[0].rhs
            raise SpecificationError(
                f"model line {line}: the formative composite {f!r} has no scale (every weight and "
                f"every path from it is free), so lavaan cannot invert the information matrix; fix "
                f"one weight, e.g. '{f} <~ 1*{first} + ...', or a path from it (e.g. 'Y ~ 1*{f}')"
            )


def check_constraints(constraints, labels, defs) -> None:
    """Every name in a constraint is a parameter label or a ``:=`` name."""
    known = set(labels) | {d.name for d in defs}
    for c in constraints:
        unknown = sorted((expression_names(c.lhs) | expression_names(c.rhs)) - known)
        if unknown:
            raise ModelSyntaxError(
                f"model line {c.line}: the constraint {c.text!r} uses {', '.join(map(repr, unknown))}, "
                "which is no parameter label; label the parameter in the model (e.g. 'F =~ x1 + "
                f"a*x2') — labels: {', '.join(sorted(known)) or 'none'}"
            )


def user_starts(pt: ParTable, start: np.ndarray) -> np.ndarray:
    """``start`` with the user's ``start(v)*x`` values (lavaan's ``ustart``) in place, for the
    free parameters that have one (the first row carrying it)."""
    out = np.array(start, dtype=float, copy=True)
    done: set[int] = set()
    for r in pt.rows:
        if r.free >= 0 and np.isfinite(r.start) and r.free not in done:
            out[r.free] = r.start
            done.add(r.free)
    return out


def independence(pt: ParTable) -> ParTable:
    """The baseline (independence) model of ``pt``'s observed variables: free variances (and
    intercepts with a mean structure); the fixed.x block kept as in ``pt``."""
    ox = set(pt.ov_x)
    lines = []
    for v in pt.ov:
        if v not in ox:
            lines.append(f"{v} ~~ {v}")
    statements, _ = parse_model("\n".join(lines)) if lines else ([], [])
    base = build_partable(
        (statements, []),
        ngroups=pt.ngroups,
        meanstructure=pt.meanstructure,
        fixed_x=False,
    )
    # the predictors' block (fixed at the sample values) and their means, as lavaan keeps them
    oi = {v: k for k, v in enumerate(pt.ov)}
    rows = list(base.rows)
    order = {v: k for k, v in enumerate(base.ov)}
    for r in pt.rows:
        if r.exo:
            rows.append(
                replace(
                    r,
                    matrix="T" if r.op == "~~" else "nu",
                    row=oi[r.lhs] if r.op == "~1" else max(oi[r.lhs], oi[r.rhs]),
                    col=0 if r.op == "~1" else min(oi[r.lhs], oi[r.rhs]),
                )  # noqa: E501
            )
    # re-map the base rows onto pt's observed order
    remapped = []
    for r in rows:
        if r.exo:
            remapped.append(r)
            continue
        if r.matrix == "T":
            a, b = sorted((oi[r.lhs], oi[r.rhs]), reverse=True)
            remapped.append(replace(r, row=a, col=b))
        elif r.matrix == "nu":
            remapped.append(replace(r, row=oi[r.lhs]))
        else:
            remapped.append(r)
    del order
    return replace(
        base,
        rows=tuple(remapped),
        ov=pt.ov,
        lv=(),
        inner=(),
        ov_x=pt.ov_x,
        _cache={},
    )
