"""cxkit's import graph, read from the source with :mod:`ast` (nothing is imported).

``module_imports(root)`` gives, for every module under ``root`` (``src/cxkit``), the cxkit modules
its module-level statements import (also inside a module-level ``if``/``try``, e.g. a
``TYPE_CHECKING`` block) and, separately, those imported inside functions and methods (lazy
imports). ``from cxkit.pls import assess`` counts as an import of ``cxkit.pls.assess``,
``from cxkit.pls import fit_pls`` as one of ``cxkit.pls`` (its ``__init__``). ``cycles(graph)``
lists the import circles of a graph.

Run as a script it prints every module's module-level imports and the circles::

    python tests/imports.py            # the whole package
    python tests/imports.py cxkit.pls  # one package, function-level imports counted too
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cxkit"


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def module_imports(root: Path = SRC) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module-level imports, function-level imports): module → the cxkit modules it imports."""
    mods = _modules(root)

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    top: dict[str, set[str]] = {m: set() for m in mods}
    lazy: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]

        def targets(node, package=package) -> set[str]:
            if isinstance(node, ast.Import):
                found = {resolve(a.name) for a in node.names}
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                found = {
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else resolve(base)
                    for a in node.names
                }
            return {t for t in found if t}

        seen: set[int] = set()

        def walk(body, mod=mod, seen=seen, targets=targets) -> None:
            for node in body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    seen.add(id(node))
                    top[mod] |= targets(node) - {mod}
                elif isinstance(node, ast.If | ast.Try):
                    walk(node.body)
                    walk(node.orelse)
                    for handler in getattr(node, "handlers", []):
                        walk(handler.body)
                    walk(getattr(node, "finalbody", []))

        walk(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in seen:
                lazy[mod] |= targets(node) - {mod}
    return top, lazy


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles found by a depth-first walk (each as ``[a, b, …, a]``); [] when none."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(u: str) -> None:
        state[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                found.append([*stack[stack.index(v) :], v])
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = 2

    for u in sorted(graph):
        if u not in state:
            visit(u)
    return found


def within(graph: dict[str, set[str]], package: str) -> dict[str, set[str]]:
    """The part of ``graph`` inside ``package`` (its modules and the imports among them)."""

    def inside(m: str) -> bool:
        return m == package or m.startswith(package + ".")

    return {m: {t for t in ts if inside(t)} for m, ts in graph.items() if inside(m)}


if __name__ == "__main__":
    top, lazy = module_imports()
    package = sys.argv[1] if len(sys.argv) > 1 else None
    graph = top
    if package:
        graph = within({m: top[m] | lazy[m] for m in top}, package)
    for mod in sorted(graph):
        print(f"{mod}: {', '.join(sorted(graph[mod])) or '—'}")
    circles = cycles(graph)
    print("\nimport circles:", "none" if not circles else "")
    for c in circles:
        print("  " + " → ".join(c))
    sys.exit(1 if circles else 0)
