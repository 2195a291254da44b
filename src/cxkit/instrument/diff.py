"""What changed between two versions of an instrument, and which version bump that needs.

The versioning rules (README, "Versioning instruments"):

* **MAJOR** — items added or removed, an item moved to another construct or changing meaning, a
  response scale or a reverse key changed;
* **MINOR** — wording changed without changing meaning;
* **PATCH** — translations and typo fixes.

:func:`diff` finds the first and the rest mechanically; whether a rewording changes the meaning is the
author's call, declared in the newer file's ``changes.bump`` (at least the bump :func:`required_bump`
finds) and ``changes.comparability``.

This module reads the two instruments' items and constructs by their attributes and imports nothing
of :mod:`cxkit.instrument.model`, which imports it (``Instrument.diff`` calls :func:`diff`).
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["level", "id", "construct", "change", "detail", "comparable", "note"]
_BUMP_OF = {
    "added": "major",
    "removed": "major",
    "moved": "major",
    "scale": "major",
    "reverse": "major",
    "reworded": "minor",
    "translation": "patch",
}
_ORDER = {"patch": 0, "minor": 1, "major": 2}


def _scale_sig(item) -> tuple:
    s = item.scale
    return (s.type, s.min, s.max, tuple(s.values))


def _item_changes(old, new, source_lang: str) -> list[tuple[str, str]]:
    out = []
    if old.construct != new.construct:
        out.append(("moved", f"construct {old.construct} → {new.construct}"))
    if _scale_sig(old) != _scale_sig(new):
        out.append(("scale", f"scale {old.scale.id} → {new.scale.id}"))
    if old.reverse != new.reverse:
        out.append(("reverse", f"reverse-keyed {old.reverse} → {new.reverse}"))
    if old.text.get(source_lang) != new.text.get(source_lang):
        out.append(
            (
                "reworded",
                f"{source_lang}: {old.text.get(source_lang)!r} → {new.text.get(source_lang)!r}",
            )
        )
    others = [
        lang
        for lang in sorted(set(old.text) | set(new.text))
        if lang != source_lang and old.text.get(lang) != new.text.get(lang)
    ]
    if others:
        out.append(("translation", f"text changed in {', '.join(others)}"))
    return out


def diff(old, new, unchanged: bool = False) -> pd.DataFrame:
    """Item and construct changes from ``old`` to ``new``.

    Parameters
    ----------
    old, new : Instrument
        Two versions (usually of the same instrument).
    unchanged : bool
        Also list items and constructs that did not change.

    Returns
    -------
    DataFrame
        Columns ``level`` (item or construct), ``id``, ``construct``, ``change`` (items: added,
        removed, moved, scale, reverse, reworded, translation, unchanged; constructs: added, removed,
        changed, unchanged), ``detail``, ``comparable`` (constructs: whether scores stay comparable, as
        the newer version declares; missing when it declares nothing) and ``note``.

    Examples
    --------
    >>> import cxkit
    >>> old, new = cxkit.load_instrument("online-cx@1.0.0"), cxkit.load_instrument("online-cx@2.0.0")
    >>> d = old.diff(new)
    >>> sorted(d.loc[(d.level == "item") & (d.change == "added") & (d.construct == "TR"), "id"])
    ['TR3']
    >>> bool(d.set_index(["level", "id"]).loc[("construct", "EC"), "comparable"])
    True
    """
    source_lang = new.languages[0]
    rows = []
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    changed_constructs: dict[str, list[str]] = {}
    for iid, item in new_items.items():
        if iid not in old_items:
            rows.append(("item", iid, item.construct, "added", "", None, None))
            changed_constructs.setdefault(item.construct, []).append(f"{iid} added")
            continue
        changes = _item_changes(old_items[iid], item, source_lang)
        for change, detail in changes:
            rows.append(("item", iid, item.construct, change, detail, None, None))
            changed_constructs.setdefault(item.construct, []).append(f"{iid} {change}")
            if change == "moved":
                changed_constructs.setdefault(old_items[iid].construct, []).append(
                    f"{iid} moved out"
                )
        if not changes and unchanged:
            rows.append(("item", iid, item.construct, "unchanged", "", None, None))
    for iid, item in old_items.items():
        if iid not in new_items:
            rows.append(("item", iid, item.construct, "removed", "", None, None))
            changed_constructs.setdefault(item.construct, []).append(f"{iid} removed")

    declared = {}
    for a, b in ((old, new), (new, old)):
        ch = b.spec.changes
        if ch is not None and ch.previous == a.version and a.id == b.id:
            declared = {cid: (c.comparable, c.note) for cid, c in ch.comparability.items()}
    for cid in list(new.construct_info) + [
        c for c in old.construct_info if c not in new.construct_info
    ]:
        if cid not in old.construct_info:
            change = "added"
        elif cid not in new.construct_info:
            change = "removed"
        elif cid in changed_constructs:
            change = "changed"
        else:
            change = "unchanged"
        if change == "unchanged" and not unchanged and cid not in declared:
            continue
        comparable, note = declared.get(cid, (None, None))
        rows.append(
            (
                "construct",
                cid,
                cid,
                change,
                "; ".join(changed_constructs.get(cid, [])),
                comparable,
                note,
            )
        )
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["comparable"] = df["comparable"].astype("boolean")
    return df


def required_bump(changes: pd.DataFrame) -> str | None:
    """The smallest version bump the item changes in a :func:`diff` table call for (None: none).

    >>> import pandas as pd
    >>> required_bump(pd.DataFrame({"level": ["item"], "change": ["translation"]}))
    'patch'
    """
    bumps = [
        _BUMP_OF[c] for c in changes.loc[changes["level"] == "item", "change"] if c in _BUMP_OF
    ]
    return max(bumps, key=_ORDER.__getitem__) if bumps else None


def bump_covers(declared: str, required: str | None) -> bool:
    """Whether a declared bump (major/minor/patch) is at least the required one."""
    return required is None or _ORDER[declared] >= _ORDER[required]
