"""Turn YAML data into a checked :class:`~cxkit.instrument.schema.InstrumentSpec`.

Two passes, both lazy (every problem is collected before one :class:`InstrumentError` is raised):
the pydantic schema (types, required and unknown fields, with a "did you mean" hint), then the
cross-references a schema cannot express (unknown constructs and scales, duplicate ids, languages
missing from a text, reverse keys on non-Likert items, items in no section, ...).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cxkit.errors import InstrumentError
from cxkit.instrument._yaml import format_loc, line_of
from cxkit.instrument.schema import InstrumentSpec

PLACEHOLDER = "{store}"
_BRACES = re.compile(r"\{[^{}]*\}")
#: the most points a likert or rating scale may have
MAX_POINTS = 101
#: control characters (C0 except tab and newline, DEL, C1) and bidirectional overrides: never in texts
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strings(data: Any, loc: tuple = ()):
    """Every string in plain data with its field path."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, (*loc, i))


def control_problems(data: Any) -> list[tuple[tuple, str]]:
    """Field paths of strings holding control characters (ANSI escapes, bidi overrides)."""
    out = []
    for loc, text in _strings(data):
        m = CONTROL.search(text)
        if m:
            out.append(
                (
                    loc,
                    f"holds the control character U+{ord(m.group()):04X} at position {m.start()}; "
                    "instrument texts are plain text (tab and line breaks allowed)",
                )
            )
    return out


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (for 'did you mean')."""
    current: Any = InstrumentSpec
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (list, dict):
            current = typing.get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    if typing.get_origin(current) in (list, dict):
        current = _unwrap(typing.get_args(current)[-1])
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _describe(loc: tuple, data: Any) -> str:
    """Field path with the item/construct id added where the path goes through a list entry."""
    text = format_loc(loc)
    if len(loc) >= 2 and loc[0] in ("items", "constructs", "sections") and isinstance(loc[1], int):
        try:
            ident = data[loc[0]][loc[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        if ident:
            text = text.replace(f"{loc[0]}[{loc[1]}]", f"{loc[0]}[{loc[1]}] ({ident})", 1)
    return text


def _pydantic_problems(exc: ValidationError, data: Any) -> list[tuple[tuple, str]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            model = _model_at(loc[:-1])
            known = sorted((f.alias or n) for n, f in model.model_fields.items()) if model else []
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            msg = f"unknown field '{name}'{hint} Accepted here: {', '.join(known)}"
        elif kind == "missing":
            msg = "required field is missing"
        elif kind in ("model_type", "dict_type") and not loc:
            msg = (
                f"an instrument file must be a YAML mapping (key: value lines), "
                f"not {type(data).__name__ if data is not None else 'nothing'}"
            )
        elif kind == "string_pattern_mismatch":
            pattern = err.get("ctx", {}).get("pattern", "")
            what = {
                "version": "a semantic version MAJOR.MINOR.PATCH such as 1.0.0",
                "previous": "a semantic version MAJOR.MINOR.PATCH such as 1.0.0",
                "id": "letters, digits and _ (starting with a letter); instrument ids: lower case and -",
            }.get(str(loc[-1]) if loc else "", f"text matching {pattern}")
            msg = f"{err['input']!r} is not valid: expected {what}"
        elif kind == "literal_error":
            msg = f"{err['input']!r} is not accepted: expected {err['ctx']['expected']}"
        else:
            shown = err.get("input")
            msg = (
                f"{err['msg']} (got {shown!r})"
                if not isinstance(shown, dict | list)
                else err["msg"]
            )
        out.append((loc, msg))
    return out


def _texts(spec: InstrumentSpec):
    """Every localised text of the file with its field path."""
    for key in ("title", "introduction", "consent", "instructions", "thanks", "store_default"):
        value = getattr(spec, key)
        if value is not None:
            yield (key,), value
    if spec.changes is not None:
        yield ("changes", "summary"), spec.changes.summary
    for sid, scale in spec.scales.items():
        for value, text in (scale.anchors or {}).items():
            yield ("scales", sid, "anchors", value), text
        for i, opt in enumerate(scale.options or []):
            yield ("scales", sid, "options", i, "label"), opt.label
    for i, c in enumerate(spec.constructs):
        yield ("constructs", i, "name"), c.name
        yield ("constructs", i, "definition"), c.definition
    for i, item in enumerate(spec.items):
        yield ("items", i, "text"), item.text
    for i, sec in enumerate(spec.sections):
        yield ("sections", i, "title"), sec.title
        if sec.instructions is not None:
            yield ("sections", i, "instructions"), sec.instructions


def _semantic_problems(spec: InstrumentSpec) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    add = problems.append
    langs = spec.languages
    for lang, count in Counter(langs).items():
        if count > 1:
            add((("languages",), f"language '{lang}' is listed {count} times"))

    for loc, text in _texts(spec):
        missing = [lang for lang in langs if lang not in text]
        extra = [lang for lang in text if lang not in langs]
        if missing:
            add(
                (
                    loc,
                    f"missing language {', '.join(repr(m) for m in missing)} (declared languages: {', '.join(langs)})",
                )
            )
        if extra:
            add(
                (
                    loc + (extra[0],),
                    f"language '{extra[0]}' is not declared in 'languages' ({', '.join(langs)})",
                )
            )
        for lang, value in text.items():
            for brace in _BRACES.findall(value):
                if brace != PLACEHOLDER:
                    add(
                        (
                            loc + (lang,),
                            f"unknown placeholder {brace}; the only placeholder is {PLACEHOLDER}",
                        )
                    )

    for lang in spec.translation:
        if lang not in langs:
            add(
                (
                    ("translation", lang),
                    f"language '{lang}' is not declared in 'languages' ({', '.join(langs)})",
                )
            )

    keys = [c.key for c in spec.citations]
    for key, count in Counter(keys).items():
        if count > 1:
            add((("citations",), f"citation key '{key}' is used {count} times"))

    for sid, scale in spec.scales.items():
        loc = ("scales", sid)
        if scale.type in ("likert", "rating"):
            if scale.min is None or scale.max is None:
                add((loc, f"a {scale.type} scale needs 'min' and 'max'"))
                continue
            if scale.min >= scale.max:
                add((loc + ("max",), f"max ({scale.max}) must be greater than min ({scale.min})"))
                continue
            if scale.max - scale.min > MAX_POINTS - 1:
                add(
                    (
                        loc + ("max",),
                        f"{scale.min}–{scale.max} has {scale.max - scale.min + 1} points; a scale "
                        f"has at most {MAX_POINTS}",
                    )
                )
                continue
            anchors = scale.anchors or {}
            for end in (scale.min, scale.max):
                if end not in anchors:
                    add(
                        (
                            loc + ("anchors",),
                            f"needs an anchor label for {end} (both ends of {scale.min}–{scale.max})",
                        )
                    )
            for value in anchors:
                if not scale.min <= value <= scale.max:
                    add(
                        (
                            loc + ("anchors", value),
                            f"anchor {value} lies outside {scale.min}–{scale.max}",
                        )
                    )
            for code in scale.missing_codes:
                if scale.min <= code <= scale.max:
                    add(
                        (
                            loc + ("missing_codes",),
                            f"missing code {code} lies inside the scale {scale.min}–{scale.max}",
                        )
                    )
            if scale.options:
                add((loc + ("options",), f"a {scale.type} scale takes anchors, not options"))
        elif scale.type == "choice":
            if not scale.options:
                add((loc + ("options",), "a choice scale needs a list of options (code and label)"))
            else:
                for code, count in Counter(o.code for o in scale.options).items():
                    if count > 1:
                        add((loc + ("options",), f"option code {code} is used {count} times"))
            if scale.min is not None or scale.max is not None or scale.anchors:
                add((loc, "a choice scale takes options, not min/max/anchors"))
        elif scale.type == "text" and (scale.min is not None or scale.anchors or scale.options):
            add((loc, "a text scale takes no min/max/anchors/options"))

    construct_ids = [c.id for c in spec.constructs]
    for cid, count in Counter(construct_ids).items():
        if count > 1:
            add((("constructs",), f"construct id '{cid}' is used {count} times"))
    item_ids = [i.id for i in spec.items]
    for iid, count in Counter(item_ids).items():
        if count > 1:
            add((("items",), f"duplicate item id '{iid}' ({count} items); item ids must be unique"))

    for i, item in enumerate(spec.items):
        loc = ("items", i)
        scale = spec.scales.get(item.scale)
        if scale is None:
            add(
                (
                    loc + ("scale",),
                    f"unknown scale '{item.scale}'; scales in this file: {', '.join(spec.scales)}",
                )
            )
        if item.construct_ is not None and item.construct_ not in construct_ids:
            close = difflib.get_close_matches(item.construct_, construct_ids, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            add(
                (
                    loc + ("construct",),
                    f"unknown construct '{item.construct_}'{hint}; constructs: {', '.join(construct_ids)}",
                )
            )
        if item.role == "measure" and item.construct_ is None:
            add(
                (
                    loc + ("construct",),
                    "a measure item needs a construct (or set role to metric, attention, demographic or open)",
                )
            )
        if item.role != "measure" and item.construct_ is not None:
            add(
                (
                    loc + ("construct",),
                    f"only measure items belong to a construct; this item's role is '{item.role}'",
                )
            )
        if item.reverse and scale is not None and scale.type != "likert":
            add(
                (
                    loc + ("reverse",),
                    f"reverse keying needs a likert scale; '{item.scale}' is a {scale.type} scale",
                )
            )
        if item.role == "metric" and item.metric is None:
            add((loc + ("metric",), "a metric item needs 'metric': nps, csat or ces"))
        if item.metric is not None and item.role != "metric":
            add(
                (
                    loc + ("metric",),
                    f"'metric' is for items with role metric; this item's role is '{item.role}'",
                )
            )
        if item.metric is not None and scale is not None:
            need = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[item.metric]
            if (scale.min, scale.max) != need:
                add(
                    (
                        loc + ("scale",),
                        f"a {item.metric.upper()} item needs a {need[0]}–{need[1]} scale; '{item.scale}' runs {scale.min}–{scale.max}",
                    )
                )
        if item.role == "attention":
            if item.expect is None:
                add((loc + ("expect",), "an attention check needs 'expect', the instructed answer"))
            elif (
                scale is not None
                and scale.min is not None
                and not scale.min <= item.expect <= scale.max
            ):
                add(
                    (
                        loc + ("expect",),
                        f"expected answer {item.expect} lies outside {scale.min}–{scale.max}",
                    )
                )
        elif item.expect is not None:
            add((loc + ("expect",), "'expect' is only for items with role attention"))
        if item.source is not None and keys and item.source not in keys:
            add(
                (
                    loc + ("source",),
                    f"unknown citation key '{item.source}'; citations: {', '.join(keys)}",
                )
            )

    for j, c in enumerate(spec.constructs):
        if c.id not in {i.construct_ for i in spec.items}:
            add((("constructs", j), f"construct '{c.id}' has no items"))

    placed: Counter = Counter()
    section_ids = [s.id for s in spec.sections]
    for sid, count in Counter(section_ids).items():
        if count > 1:
            add((("sections",), f"section id '{sid}' is used {count} times"))
    for j, sec in enumerate(spec.sections):
        for k, iid in enumerate(sec.items):
            placed[iid] += 1
            if iid not in item_ids:
                add((("sections", j, "items", k), f"unknown item '{iid}'"))
    for i, iid in enumerate(item_ids):
        if placed[iid] == 0:
            add(
                (
                    ("items", i),
                    f"item '{iid}' is in no section; every item stands in exactly one section",
                )
            )
        elif placed[iid] > 1:
            add(
                (
                    ("items", i),
                    f"item '{iid}' stands in {placed[iid]} sections; every item stands in exactly one",
                )
            )

    if spec.changes is not None:
        if version_key(spec.changes.previous) >= version_key(spec.version):
            add(
                (
                    ("changes", "previous"),
                    f"previous version {spec.changes.previous} is not older than {spec.version}",
                )
            )
        for cid in spec.changes.comparability:
            if cid not in construct_ids:
                add(
                    (
                        ("changes", "comparability", cid),
                        f"unknown construct '{cid}'; constructs: {', '.join(construct_ids)}",
                    )
                )
    return problems


def version_key(version: str) -> tuple:
    """Sort key for semantic versions (a pre-release sorts before its release).

    >>> sorted(["1.10.0", "1.2.0", "2.0.0-draft", "2.0.0"], key=version_key)
    ['1.2.0', '1.10.0', '2.0.0-draft', '2.0.0']
    """
    core, _, pre = version.partition("-")
    return (*(int(p) for p in core.split(".")), 0 if pre else 1, pre)


def parse_spec(
    data: Any, node: yaml.Node | None = None, file: str | Path | None = None
) -> InstrumentSpec:
    """Validate plain data as an instrument; raise one :class:`InstrumentError` listing every problem."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise InstrumentError(
            f"an instrument file must be a YAML mapping (key: value lines), not {kind}",
            file=None if file is None else str(file),
            line=1,
        )
    try:
        spec = InstrumentSpec.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(exc, data)
    else:
        problems = _semantic_problems(spec)
    problems = control_problems(data) + problems
    if not problems:
        return spec
    rendered = []
    for loc, msg in problems:
        line = line_of(node, loc)
        where = f"line {line}, " if line else ""
        rendered.append(f"{where}{_describe(loc, data)}: {msg}")
    first_loc, first_msg = problems[0]
    if len(problems) == 1:
        raise InstrumentError(
            first_msg,
            file=None if file is None else str(file),
            field=_describe(first_loc, data),
            line=line_of(node, first_loc),
        )
    raise InstrumentError(
        f"{len(problems)} problems in the instrument file",
        file=None if file is None else str(file),
        details=rendered,
    )
