"""Reading lavaan model syntax: ``=~ ~ ~~ <~ :=``, labels ``a*x``, fixed values ``1*x``, ``NA*x``,
starting values ``start(0.5)*x`` (or ``0.5?x``), modifiers chained (``a*start(0.5)*x``) or one per
group (``c(a1, a2)*x``, ``start(c(0.5, 0.6))*x``), and constraints ``lhs == rhs``, ``lhs < rhs``,
``lhs > rhs`` (arithmetic on labels and numbers, as lavaan's ``a == b``, ``b1 == 2*b2``, ``a > 0``).

What lavaan offers and cxkit does not (``efa()`` blocks, thresholds ``x | t1``, scaling factors
``~*~``, bounds ``lower()``/``upper()``, priors) is refused with a
:class:`~cxkit.errors.SpecificationError` naming the feature.

>>> stmts, defs = parse_model('''
... F =~ x1 + a*x2 + NA*x3   # a comment
... y ~ b*F
... ind := a*b
... ''')
>>> [(s.lhs, s.op, [(t.name, t.label, t.fixed, t.free) for t in s.terms]) for s in stmts][0]
('F', '=~', [('x1', None, None, False), ('x2', 'a', None, False), ('x3', None, None, True)])
>>> defs[0].name, defs[0].expr
('ind', 'a*b')
>>> stmts, _ = parse_model("F =~ x1 + a*start(0.8)*x2 + x3\\na == 2*b^2")
>>> stmts[0].terms[1]
Term(name='x2', label='a', fixed=None, free=False, per_group=(), start=0.8)
>>> stmts[1]
Constraint(lhs='a', op='==', rhs='2*b^2', line=2)
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from cxkit.errors import ModelError, ModelSyntaxError, SpecificationError

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_OPS = ("=~", "~~", ":=", "<~", "~", "==", "<", ">")
#: the constraint operators (lavaan's ``==``, ``<``, ``>``)
CONSTRAINT_OPS = ("==", "<", ">")
#: lavaan syntax cxkit does not fit: (pattern, what it is, what to do instead)
_UNSUPPORTED = (
    (r"efa\s*\(", "efa() blocks (exploratory SEM)", "write each factor with =~"),
    (r"~\*~", "scaling factors ~*~ (delta parameterization of ordered indicators)",
     "leave them out; ordered indicators are scaled by fit_sem(..., ordered=True)"),
    (r"%~%", "the %~% operator", "write the model with =~, ~, ~~, <~ and :="),
    (r"\|", "thresholds (x | t1)",
     "leave them out; fit_sem(..., ordered=True) estimates the thresholds of ordered indicators"),
    (r"\b(lower|upper)\s*\(", "bounds lower()/upper()",
     "write an inequality constraint instead, e.g. 'a > 0' with the parameter labelled a"),
    (r"\bprior\s*\(", "priors prior() (blavaan)", "leave them out (cxkit fits by ML)"),
    (r"\brv\s*\(", "random slopes rv() (multilevel)", "leave them out"),
    (r"\b(label|equal)\s*\(", "label()/equal() modifiers", "write the label itself: a*x"),
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    """One right-hand-side term: a variable with an optional label, fixed value or NA (free)."""

    name: str
    label: str | None = None
    fixed: float | None = None
    free: bool = False  # NA*x: force free (e.g. the first loading)
    #: ``c(a, b)*x``: one modifier per group (each a Term with a label, a value or NA)
    per_group: tuple = ()
    #: ``start(0.5)*x``: the starting value of a free parameter (lavaan's ``ustart``)
    start: float | None = None


@dataclass(frozen=True)
class Statement:
    lhs: str
    op: str
    terms: tuple[Term, ...]
    line: int


@dataclass(frozen=True)
class Constraint:
    """A constraint ``lhs op rhs`` (``op`` one of ``==``, ``<``, ``>``; both sides arithmetic on
    parameter labels, ``:=`` names and numbers), lavaan's ``a == b``, ``a > 0``."""

    lhs: str
    op: str
    rhs: str
    line: int

    @property
    def terms(self) -> tuple:  # a constraint names no variables (statements' loops skip it)
        return ()

    @property
    def text(self) -> str:
        return f"{self.lhs} {self.op} {self.rhs}"


@dataclass(frozen=True)
class Definition:
    """A defined parameter ``name := expr`` (an expression in parameter labels)."""

    name: str
    expr: str
    line: int


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0].strip()
        for part in (p.strip() for p in line.split(";")):
            if not part:
                continue
            if out and (
                out[-1][1].endswith(("+", "~", "=~", "~~", ":=", "*"))
                or part.startswith(("+", "*"))
            ):
                out[-1] = (out[-1][0], out[-1][1] + " " + part)
            else:
                out.append((number, part))
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _start_values(mod: str, name: str, line: int) -> tuple[float, ...] | None:
    """``start(0.5)`` → (0.5,); ``start(c(0.5, 0.6))`` → (0.5, 0.6); anything else → None."""
    m = re.fullmatch(r"start\((.*)\)", mod)
    if not m:
        return None
    inner = m.group(1)
    vec = re.fullmatch(r"c\((.*)\)", inner)
    items = vec.group(1).split(",") if vec else [inner]
    values = tuple(_number(v) for v in items)
    if not items or any(v is None for v in values):
        raise ModelSyntaxError(
            f"model line {line}: cannot read the starting value {mod!r} of {name!r}; write a "
            "number, start(0.5)*x, or one per group, start(c(0.5, 0.6))*x"
        )
    return values  # type: ignore[return-value]


def _one_modifier(mod: str, name: str, line: int) -> Term:
    if mod in ("NA", "na"):
        return Term(name, free=True)
    value = _number(mod)
    if value is not None:
        return Term(name, fixed=value)
    if _NAME.match(mod):
        return Term(name, label=mod)
    raise ModelSyntaxError(
        f"model line {line}: the modifier {mod!r} of {name!r} is not supported; use a label (a*x), "
        "a fixed value (1*x), NA*x, start(0.5)*x, or c(...) with one of them per group"
    )


def _combine(a: Term, b: Term, name: str, line: int) -> Term:
    """Two chained modifiers of one term (``a*start(0.5)*x``, ``NA*a*x``)."""
    if (a.label and b.label) or (a.fixed is not None and b.fixed is not None):
        raise ModelSyntaxError(
            f"model line {line}: {name!r} has two labels or two fixed values in one term"
        )
    return Term(
        name,
        label=a.label or b.label,
        fixed=a.fixed if a.fixed is not None else b.fixed,
        free=a.free or b.free,
        start=a.start if a.start is not None else b.start,
    )


def _term(text: str, line: int, source: str) -> Term:
    if "?" in text:  # lavaan's shorthand for a starting value: 0.5?x
        left, _, right = text.rpartition("?")
        text = f"start({left.strip()})*{right.strip()}"
    parts = [p.strip() for p in text.replace(" ", "").split("*")]
    name, mods = parts[-1], parts[:-1]
    if not _NAME.match(name):
        raise ModelSyntaxError(
            f"model line {line}: {name!r} is not a variable name (in {source!r})"
        )
    if any(not m for m in mods):
        raise ModelSyntaxError(
            f"model line {line}: cannot read the term {text!r} in {source!r}; write label*name or value*name"
        )
    term = Term(name)
    groups: tuple[Term, ...] = ()
    starts: tuple[float, ...] = ()
    for mod in mods:
        st = _start_values(mod, name, line)
        if st is not None:
            if starts:
                raise ModelSyntaxError(f"model line {line}: {name!r} has start() twice")
            starts = st
            continue
        vector = re.fullmatch(r"c\((.*)\)", mod)
        if vector:
            items = vector.group(1).split(",")
            if not all(items):
                raise ModelSyntaxError(
                    f"model line {line}: cannot read the modifier {mod!r} of {name!r}; write one "
                    "value, label or NA per group, e.g. c(a1, a2)*x or c(1, NA)*x"
                )
            if groups:
                raise ModelSyntaxError(
                    f"model line {line}: {name!r} has two c(...) modifiers; give one per group"
                )
            if any("(" in v for v in items):
                raise ModelSyntaxError(f"model line {line}: c(...) cannot be nested in {mod!r}")
            groups = tuple(_one_modifier(v, name, line) for v in items)
            continue
        term = _combine(term, _one_modifier(mod, name, line), name, line)
    if groups:
        groups = tuple(_combine(g, term, name, line) for g in groups)
    if starts:
        if len(starts) == 1:
            if groups:
                groups = tuple(replace(g, start=starts[0]) for g in groups)
            else:
                term = replace(term, start=starts[0])
        else:
            base = groups or tuple(term for _ in starts)
            if len(base) != len(starts):
                raise ModelSyntaxError(
                    f"model line {line}: {name!r} has {len(base)} modifiers in c(...) but "
                    f"{len(starts)} starting values; give one per group"
                )
            groups = tuple(replace(g, start=v) for g, v in zip(base, starts, strict=True))
    if groups:
        return Term(name, per_group=groups)
    return term


def parse_model(text: str) -> tuple[list[Statement | Constraint], list[Definition]]:
    """Parse lavaan syntax into statements (with the constraints, :class:`Constraint`, in line
    order) and defined parameters.

    Raises
    ------
    ModelSyntaxError
        (a :class:`~cxkit.errors.ModelError`, exit code 2: bad input) A line without an operator, an empty side, an unsupported operator or modifier; the message
        names the model line.
    SpecificationError
        lavaan syntax that cxkit does not fit (``efa()``, ``x | t1``, ``~*~``, ``lower()``...),
        named with what to write instead.
    """
    if not isinstance(text, str) or not text.strip():
        raise ModelSyntaxError(
            "the model is empty; write it in lavaan syntax, e.g. 'F =~ x1 + x2 + x3'"
        )
    for number, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0].strip()
        if re.search(r"<-|^\s*library\s*\(|^\s*(cfa|sem|lavaan|summary|fitMeasures)\s*\(", code):
            raise ModelSyntaxError(
                f"model line {number}: {code!r} is R code, not lavaan model syntax; this looks like an R "
                "script. A model file holds only the model: the lines between the quotes of "
                "model <- '...' (e.g. 'EC =~ EC1 + EC2 + EC3')"
            )
    statements: list[Statement | Constraint] = []
    defs: list[Definition] = []
    for line, body in _logical_lines(text):
        for pattern, what, instead in _UNSUPPORTED:
            if re.search(pattern, body):
                raise SpecificationError(
                    f"model line {line}: {body!r} uses {what}, which lavaan offers but cxkit does "
                    f"not fit; {instead}"
                )
        if "~=" in body and "=~" not in body:
            raise ModelSyntaxError(
                f"model line {line}: {body!r} uses '~=', which is no operator; a factor is measured "
                "by its items with '=~' (equals sign first): e.g. 'EC =~ EC1 + EC2 + EC3'"
            )
        if body.rstrip().endswith(("+", "*")):
            raise ModelSyntaxError(
                f"model line {line}: {body!r} ends in {body.rstrip()[-1]!r} with nothing after it; "
                "remove it or add the missing variable"
            )
        ops = [m.group(0) for m in re.finditer(r"=~|~~|:=|~", body)]
        if len(ops) > 1 and ops[0] != ":=":
            raise ModelSyntaxError(
                f"model line {line}: {body!r} holds two statements ({ops[0]!r} and {ops[1]!r}): a line "
                "ending in '+' (or the next one starting with '+') joins them; remove the stray '+'"
            )
        op = next((o for o in _OPS if o in body), None)
        if op is None:
            raise ModelSyntaxError(
                f"model line {line}: {body!r} has no operator (=~, ~, ~~, <~, :=, ==, < or >)"
            )
        lhs, rhs = (s.strip() for s in body.split(op, 1))
        if op in CONSTRAINT_OPS:
            if not lhs or not rhs or rhs.startswith(("=", "<", ">")):
                raise ModelSyntaxError(
                    f"model line {line}: cannot read the constraint {body!r}; write e.g. 'a == b', "
                    "'b1 == 2*b2', 'a > 0' or 'a < 1' (lavaan has no <= or >=)"
                )
            check_expression(lhs, line)
            check_expression(rhs, line)
            statements.append(Constraint(lhs.replace(" ", ""), op, rhs.replace(" ", ""), line))
            continue
        if not lhs or not rhs:
            raise ModelSyntaxError(
                f"model line {line}: {body!r} has nothing on the {'left' if not lhs else 'right'} of {op!r}"
            )
        if op == ":=":
            if not _NAME.match(lhs):
                raise ModelSyntaxError(
                    f"model line {line}: {lhs!r} is not a name for a defined parameter"
                )
            check_expression(rhs, line)
            defs.append(Definition(lhs, rhs, line))
            continue
        if op == "~" and rhs.replace(" ", "").split("*")[-1] == "1":
            # an intercept or mean: ``y ~ 1``, ``y ~ 0*1``, ``y ~ a*1``
            op, rhs = "~1", rhs.replace(" ", "")[:-1].rstrip("*") + "*__one__"
            if rhs.startswith("*"):
                rhs = rhs[1:]
        if any(not t.strip() for t in rhs.split("+")):
            raise ModelSyntaxError(
                f"model line {line}: {body!r} has a '+' with nothing on one side; remove it or add "
                "the missing variable"
            )
        terms = tuple(_term(t, line, body) for t in rhs.split("+"))
        for left in (s.strip() for s in lhs.split("+")):
            if not _NAME.match(left):
                raise ModelSyntaxError(f"model line {line}: {left!r} is not a variable name")
            statements.append(Statement(left, op, terms, line))
    return statements, defs


_ALLOWED_FUNCS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs}
_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
)  # fmt: skip
#: the largest exponent a ``:=`` expression may raise to (``a^2`` is usual; ``9^9^9`` is refused)
MAX_EXPONENT = 1024.0
#: the deepest a ``:=`` expression may nest (``a + b + c`` is 4 levels; 200 is far beyond use)
MAX_DEPTH = 200
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class _EvalError(Exception):
    """Why an expression has no finite value (turned into a ModelError naming the expression)."""


def _eval(node: ast.AST, values: dict[str, float]) -> float:
    """Evaluate a checked expression tree with floats only (no Python integers, no builtins)."""
    if isinstance(node, ast.Expression):
        return _eval(node.body, values)
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _EvalError(f"{v!r} is not a number")
        try:
            return float(v)
        except OverflowError:
            raise _EvalError(f"the number {str(v)[:12]}… is too large") from None
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise _EvalError(f"{node.id!r} is not a label")
        return float(values[node.id])
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, values), _eval(node.right, values)
        try:
            if isinstance(node.op, ast.Pow):
                if not math.isfinite(b) or abs(b) > MAX_EXPONENT:
                    raise _EvalError(
                        f"the exponent {b:g} is larger than {MAX_EXPONENT:g} in absolute value"
                    )
                out = math.pow(a, b)
            else:
                out = _BINOPS[type(node.op)](a, b)
        except ZeroDivisionError:
            raise _EvalError("it divides by zero") from None
        except OverflowError:
            raise _EvalError("its value is too large for a floating-point number") from None
        except ValueError:
            raise _EvalError(f"{a:g} cannot be raised to the power {b:g}") from None
        return out
    if isinstance(node, ast.Call):
        name = node.func.id  # checked: one of _ALLOWED_FUNCS
        if len(node.args) != 1 or node.keywords:
            raise _EvalError(f"{name}() takes exactly one argument")
        v = _eval(node.args[0], values)
        try:
            return float(_ALLOWED_FUNCS[name](v))
        except OverflowError:
            raise _EvalError(f"{name}({v:g}) is too large for a floating-point number") from None
        except ValueError:
            raise _EvalError(f"{name}({v:g}) is not defined") from None
    raise _EvalError(f"{type(node).__name__} is not arithmetic")  # pragma: no cover - checked


def check_expression(expr: str, line: int = 0) -> ast.Expression:
    """Parse a ``:=`` expression, allowing only arithmetic, labels and sqrt/exp/log/abs.

    Parts without labels (``10^400``, ``log(0)``, ``9^9^9``) are evaluated here, so that an
    expression that can never have a finite value is refused before any fitting.

    >>> check_expression("a*b + 9^9^9", line=3)
    Traceback (most recent call last):
    ...
    cxkit.errors.ModelSyntaxError: model line 3: the defined parameter 'a*b + 9^9^9' cannot be evaluated: the exponent 3.8742e+08 is larger than 1024 in absolute value
    """
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ModelSyntaxError(
            f"model line {line}: cannot read the expression {expr!r}; write arithmetic "
            "(+ - * / ^) on labels and numbers, with sqrt, exp, log, abs"
        ) from None
    depth, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    if depth > MAX_DEPTH:
        raise ModelSyntaxError(
            f"model line {line}: the expression {expr[:60]!r}… is nested {depth} levels deep; "
            f"a defined parameter has at most {MAX_DEPTH} (split it into several := lines)"
        )
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ModelSyntaxError(
                f"model line {line}: {expr!r} uses something other than arithmetic on labels"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_FUNCS
        ):
            raise ModelSyntaxError(
                f"model line {line}: {expr!r} calls a function other than sqrt, exp, log, abs"
            )
        if isinstance(node, ast.Name) and node.id in _ALLOWED_FUNCS:
            parent_ok = any(isinstance(c, ast.Call) and c.func is node for c in ast.walk(tree))
            if not parent_ok:
                raise ModelSyntaxError(
                    f"model line {line}: {expr!r} uses the function name {node.id!r} as a label"
                )
    for node in ast.walk(tree.body):
        if isinstance(node, ast.Name) and node.id in _ALLOWED_FUNCS:
            continue  # the function called, not a value
        if isinstance(node, ast.expr) and not any(
            isinstance(n, ast.Name) and n.id not in _ALLOWED_FUNCS for n in ast.walk(node)
        ):
            try:
                _eval(node, {})
            except _EvalError as exc:
                raise ModelSyntaxError(
                    f"model line {line}: the defined parameter {expr!r} cannot be evaluated: {exc}"
                ) from None
    return tree


@lru_cache(maxsize=256)
def _compiled(expr: str):
    tree = check_expression(expr)
    names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)) - set(_ALLOWED_FUNCS)
    return tree, names


def expression_names(expr: str) -> frozenset[str]:
    """The labels a ``:=`` expression uses."""
    return _compiled(expr)[1]


def evaluate(expr: str, values: dict[str, float]) -> float:
    """Evaluate a checked ``:=`` expression with label values, in floating point.

    Raises
    ------
    ModelError
        An unknown label, or no finite value (``log(0)``, ``exp(1000*a)``, a division by zero).

    >>> evaluate("a*b", {"a": 0.5, "b": 0.4})
    0.2
    >>> evaluate("exp(1000*a)", {"a": 1.0})
    Traceback (most recent call last):
    ...
    cxkit.errors.ModelError: the defined parameter 'exp(1000*a)' has no finite value at the estimates: exp(1000) is too large for a floating-point number
    """
    tree, names = _compiled(expr)
    unknown = names - set(values)
    if unknown:
        raise ModelError(
            f"the defined parameter {expr!r} uses unknown label(s): {', '.join(sorted(unknown))}; "
            f"labels: {', '.join(sorted(values))}"
        )
    try:
        out = _eval(tree, values)
    except _EvalError as exc:
        raise ModelError(
            f"the defined parameter {expr!r} has no finite value at the estimates: {exc}"
        ) from None
    if not math.isfinite(out):
        raise ModelError(
            f"the defined parameter {expr!r} has no finite value at the estimates ({out})"
        )
    return out
