"""Safe YAML reading that keeps line numbers and refuses duplicate keys.

Only :class:`yaml.SafeLoader` is used: a ``!!python/...`` tag is never constructed, it is an error.
Besides the data, :func:`read_yaml` returns the node tree so that a field path found invalid later
(``("items", 3, "text", "id")``) can be traced back to its line with :func:`line_of`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cxkit.errors import InstrumentError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules, faster


class _StrictLoader(_Base):
    """Safe loader that raises on duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads "yes"/"no"/"on"/"off" as booleans and 1.0.0-like scalars are fine, but a bare
# version such as 1.0 would become a float: keep that as the schema's problem (it names the field).


def read_yaml(path: str | Path) -> tuple[Any, yaml.Node | None, bytes]:
    """Read a YAML file safely.

    Returns
    -------
    data, node, raw
        The plain data, the composed node tree (for line numbers) and the file's bytes.

    Raises
    ------
    InstrumentError
        The file cannot be read, is not UTF-8, is empty, has a YAML syntax error, a duplicate key or a
        tag that safe loading refuses (such as ``!!python/object``).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError("no such file", file=str(path)) from None
    except OSError as exc:
        raise InstrumentError(f"cannot be read ({exc.strerror})", file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstrumentError(
            f"is not UTF-8 text (byte {exc.start}); save instrument files as UTF-8", file=str(path)
        ) from None
    if not text.strip():
        raise InstrumentError(
            "the file is empty; an instrument file is a YAML mapping", file=str(path)
        )
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if "could not determine a constructor" in problem:
            problem = (
                f"{problem.split('for the tag')[-1].strip() or 'this tag'}: tags are not allowed "
                "in instrument files (they are read with safe loading only, nothing is executed)"
            )
        raise InstrumentError(f"YAML syntax error: {problem}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"YAML error: {exc}", file=str(path)) from None
    return data, node, raw


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the deepest node along ``loc`` that exists in the tree."""
    line = None
    current = node
    for part in loc:
        if current is None:
            break
        line = current.start_mark.line + 1
        nxt = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if getattr(key_node, "value", None) == str(part):
                    nxt = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                nxt = current.value[part]
        current = nxt
    if current is not None:
        line = current.start_mark.line + 1
    return line


def format_loc(loc: tuple) -> str:
    """Format a field path: ``("items", 3, "text", "id")`` → ``items[3].text.id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"
