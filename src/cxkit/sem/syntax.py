"""Reading lavaan model syntax: ``=~ ~ ~~ :=``, labels ``a*x``, fixed values ``1*x``, ``NA*x``.

>>> stmts, defs = parse_model('''
... F =~ x1 + a*x2 + NA*x3   # a comment
... y ~ b*F
... ind := a*b
... ''')
>>> [(s.lhs, s.op, [(t.name, t.label, t.fixed, t.free) for t in s.terms]) for s in stmts][0]
('F', '=~', [('x1', None, None, False), ('x2', 'a', None, False), ('x3', None, None, True)])
>>> defs[0].name, defs[0].expr
('ind', 'a*b')
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from cxkit.errors import ModelError

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_OPS = ("=~", "~~", ":=", "~", "==", "<", ">")


@dataclass(frozen=True)
class Term:
    """One right-hand-side term: a variable with an optional label, fixed value or NA (free)."""

    name: str
    label: str | None = None
    fixed: float | None = None
    free: bool = False  # NA*x: force free (e.g. the first loading)


@dataclass(frozen=True)
class Statement:
    lhs: str
    op: str
    terms: tuple[Term, ...]
    line: int


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


def _term(text: str, line: int, source: str) -> Term:
    parts = [p.strip() for p in text.split("*")]
    if len(parts) == 1:
        name, mod = parts[0], None
    elif len(parts) == 2:
        mod, name = parts
    else:
        raise ModelError(
            f"model line {line}: cannot read the term {text!r} in {source!r}; write label*name or value*name"
        )
    if not _NAME.match(name):
        raise ModelError(f"model line {line}: {name!r} is not a variable name (in {source!r})")
    if mod is None:
        return Term(name)
    if mod in ("NA", "na"):
        return Term(name, free=True)
    try:
        return Term(name, fixed=float(mod))
    except ValueError:
        pass
    if _NAME.match(mod):
        return Term(name, label=mod)
    raise ModelError(
        f"model line {line}: the modifier {mod!r} of {name!r} is not supported; use a label (a*x), "
        "a fixed value (1*x) or NA*x"
    )


def parse_model(text: str) -> tuple[list[Statement], list[Definition]]:
    """Parse lavaan syntax into statements and defined parameters.

    Raises
    ------
    ModelError
        A line without an operator, an empty side, an unsupported operator or modifier; the message
        names the model line.
    """
    if not isinstance(text, str) or not text.strip():
        raise ModelError("the model is empty; write it in lavaan syntax, e.g. 'F =~ x1 + x2 + x3'")
    for number, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0].strip()
        if re.search(r"<-|^\s*library\s*\(|^\s*(cfa|sem|lavaan|summary|fitMeasures)\s*\(", code):
            raise ModelError(
                f"model line {number}: {code!r} is R code, not lavaan model syntax; this looks like an R "
                "script. A model file holds only the model: the lines between the quotes of "
                "model <- '...' (e.g. 'EC =~ EC1 + EC2 + EC3')"
            )
    statements: list[Statement] = []
    defs: list[Definition] = []
    for line, body in _logical_lines(text):
        if "~=" in body and "=~" not in body:
            raise ModelError(
                f"model line {line}: {body!r} uses '~=', which is no operator; a factor is measured "
                "by its items with '=~' (equals sign first): e.g. 'EC =~ EC1 + EC2 + EC3'"
            )
        if body.rstrip().endswith(("+", "*")):
            raise ModelError(
                f"model line {line}: {body!r} ends in {body.rstrip()[-1]!r} with nothing after it; "
                "remove it or add the missing variable"
            )
        ops = [m.group(0) for m in re.finditer(r"=~|~~|:=|~", body)]
        if len(ops) > 1 and ops[0] != ":=":
            raise ModelError(
                f"model line {line}: {body!r} holds two statements ({ops[0]!r} and {ops[1]!r}): a line "
                "ending in '+' (or the next one starting with '+') joins them; remove the stray '+'"
            )
        op = next((o for o in _OPS if o in body), None)
        if op is None:
            raise ModelError(f"model line {line}: {body!r} has no operator (=~, ~, ~~ or :=)")
        lhs, rhs = (s.strip() for s in body.split(op, 1))
        if op in ("==", "<", ">"):
            raise ModelError(
                f"model line {line}: constraints with {op!r} are not supported yet; use shared labels for equality"
            )
        if not lhs or not rhs:
            raise ModelError(
                f"model line {line}: {body!r} has nothing on the {'left' if not lhs else 'right'} of {op!r}"
            )
        if op == ":=":
            if not _NAME.match(lhs):
                raise ModelError(
                    f"model line {line}: {lhs!r} is not a name for a defined parameter"
                )
            check_expression(rhs, line)
            defs.append(Definition(lhs, rhs, line))
            continue
        if op == "~" and rhs.strip() == "1":
            raise ModelError(f"model line {line}: intercepts ({lhs} ~ 1) are not supported yet")
        if any(not t.strip() for t in rhs.split("+")):
            raise ModelError(
                f"model line {line}: {body!r} has a '+' with nothing on one side; remove it or add "
                "the missing variable"
            )
        terms = tuple(_term(t, line, body) for t in rhs.split("+"))
        for left in (s.strip() for s in lhs.split("+")):
            if not _NAME.match(left):
                raise ModelError(f"model line {line}: {left!r} is not a variable name")
            statements.append(Statement(left, op, terms, line))
    return statements, defs


_ALLOWED_FUNCS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs}
_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
)  # fmt: skip


def check_expression(expr: str, line: int = 0) -> ast.Expression:
    """Parse a ``:=`` expression, allowing only arithmetic, labels and sqrt/exp/log/abs."""
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise ModelError(f"model line {line}: cannot read the expression {expr!r}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ModelError(
                f"model line {line}: {expr!r} uses something other than arithmetic on labels"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_FUNCS
        ):
            raise ModelError(
                f"model line {line}: {expr!r} calls a function other than sqrt, exp, log, abs"
            )
    return tree


@lru_cache(maxsize=256)
def _compiled(expr: str):
    tree = check_expression(expr)
    names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)) - set(_ALLOWED_FUNCS)
    return compile(tree, "<defined>", "eval"), names


def expression_names(expr: str) -> frozenset[str]:
    """The labels a ``:=`` expression uses."""
    return _compiled(expr)[1]


def evaluate(expr: str, values: dict[str, float]) -> float:
    """Evaluate a checked ``:=`` expression with label values (no builtins are reachable)."""
    code, names = _compiled(expr)
    unknown = names - set(values)
    if unknown:
        raise ModelError(
            f"the defined parameter {expr!r} uses unknown label(s): {', '.join(sorted(unknown))}; "
            f"labels: {', '.join(sorted(values))}"
        )
    return float(eval(code, {"__builtins__": {}}, {**_ALLOWED_FUNCS, **values}))  # noqa: S307 - checked AST
