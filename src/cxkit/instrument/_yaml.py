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

#: instrument files are small; anything larger is refused before parsing
MAX_INSTRUMENT_BYTES = 2_000_000

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules, faster


class _StrictLoader(_Base):
    """Safe loader that raises on duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a mapping key must be plain text or a number, not a "
                + ("list" if isinstance(key_node, yaml.SequenceNode) else "mapping")
                + " (complex keys such as '? [a, b]' are not used in instrument files)",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node, deep=deep)
        # 1 and "1" (and 01) are one key once the schema reads anchor values as numbers
        norm = str(key)
        if norm in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key_node.value!r} (first at line {seen[norm].start_mark.line + 1}"
                f"{', as ' + repr(seen[norm].value) if seen[norm].value != key_node.value else ''})",
                key_node.start_mark,
            )
        seen[norm] = key_node
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
    if path.is_dir():
        raise InstrumentError("is a folder, not an instrument file", file=str(path))
    if path.exists() and not path.is_file():
        raise InstrumentError("is not a regular file", file=str(path))
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_INSTRUMENT_BYTES:
        raise InstrumentError(
            f"is {size:,} bytes; an instrument file is at most {MAX_INSTRUMENT_BYTES:,} bytes",
            file=str(path),
        )
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
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        why = "a number has more than 4300 digits" if "digits" in str(exc) else str(exc)
        raise InstrumentError(
            f"a value cannot be read ({why}); numbers in instrument files are small integers",
            file=str(path),
        ) from None
    except RecursionError:
        raise InstrumentError(
            "is nested too deeply to be an instrument file", file=str(path)
        ) from None
    _check_expansion(data, path)
    return data, node, raw


#: the most values an instrument file may expand to once YAML aliases are followed
MAX_VALUES = 200_000


def _check_expansion(data: Any, path: Path) -> None:
    """Refuse recursive aliases and alias bombs ("billion laughs") before anything walks the data."""
    count = 0
    stack: list[tuple[Any, frozenset]] = [(data, frozenset())]
    while stack:
        value, parents = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise InstrumentError(
                f"expands to more than {MAX_VALUES:,} values once its YAML aliases (*name) are "
                "followed; an instrument file does not need that",
                file=str(path),
            )
        if isinstance(value, dict | list):
            if id(value) in parents:
                raise InstrumentError(
                    "a YAML alias refers to the value it stands in (a recursive anchor); "
                    "write the value out",
                    file=str(path),
                )
            inner = parents | {id(value)}
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, inner) for child in children)


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
