"""Which column is which item: item ids, KoboToolbox group prefixes, Google Forms question texts.

A column maps to an item when its header

1. is the item id (any case): ``EC1``;
2. ends in the item id after a group prefix, as KoboToolbox and ODK write them: ``cx/EC1``,
   ``group_cx/EC1``, ``cx-EC1``, ``cx.EC1``, ``cx:EC1``;
3. is the item's text in one of the instrument's languages with any store name in place of
   ``{store}`` (Google Forms writes question texts as headers); for grid questions Google Forms writes
   ``Question [row text]``, and the text in brackets is matched.

Other columns are metadata when their header names one (respondent id, timestamp, duration, form
version), otherwise unknown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cxkit.instrument.model import Instrument

METADATA = {
    "respondent": {
        "respondent", "respondent_id", "respondentid", "respondent id", "id", "_id", "_uuid", "uuid",
        "meta/instanceid", "instanceid", "response id", "responseid", "id responden", "no responden",
    },
    "timestamp": {"timestamp", "cap waktu", "stempel waktu", "_submission_time", "submissiondate", "submission date", "today"},
    "start": {"start", "starttime", "start time", "waktu mulai"},
    "end": {"end", "endtime", "end time", "waktu selesai"},
    "duration": {"duration", "durasi", "_duration", "duration_seconds", "duration (in seconds)", "duration_s", "time_taken"},
    # not KoboToolbox's __version__ (its own deployment id): cxkit's XLSForm writes instrument_version
    "version": {"instrument_version", "instrument", "version", "form_version"},
}  # fmt: skip
_PREFIX = re.compile(r"^.*[/\-.:]")
#: KoboToolbox/ODK system columns: kept aside, neither items nor problems
_SYSTEM = re.compile(
    r"^(_|meta/|formhub/)|^(today|deviceid|username|simserial|subscriberid|phonenumber|audit)$"
)


def normalise(text: str) -> str:
    """Case-folded text with quotes, dashes and white space unified and end punctuation removed."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = (
        text.replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("–", "-")
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" .?!:;")


@dataclass(frozen=True)
class ColumnMap:
    items: dict[str, str]  # column → item id
    metadata: dict[str, str]  # role → column
    unknown: list[str]
    duplicates: dict[str, str]  # column → item id it would also map to
    system: list[str]  # KoboToolbox/ODK system columns (_uuid, __version__, meta/…)
    how: dict[str, str]  # column → how it was matched (id, prefix, text)


def _text_pattern(instrument: Instrument) -> tuple[re.Pattern, dict[str, str]]:
    """One regular expression for every item text (in order), and group name → item id: a header
    is matched against all texts in one pass."""
    alternatives, group_item = [], {}
    for item in instrument.items:
        for text in item.text.values():
            parts = [re.escape(normalise(p)) for p in text.split("{store}")]
            name = f"g{len(alternatives)}"
            alternatives.append(f"(?P<{name}>{'.+?'.join(parts)})")
            group_item[name] = item.id
    return re.compile("^(?:" + "|".join(alternatives) + ")$"), group_item


def map_columns(columns, instrument: Instrument) -> ColumnMap:
    """Map each column header to an item id, a metadata role, or nothing."""
    ids = {i.id.casefold(): i.id for i in instrument.items}
    pattern, group_item = _text_pattern(instrument)
    items: dict[str, str] = {}
    metadata: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: dict[str, str] = {}
    how: dict[str, str] = {}
    system: list[str] = []
    taken: set[str] = set()
    meta_names = {name: role for role, names in METADATA.items() for name in names}
    for col in columns:
        header = str(col).strip()
        key = header.casefold()
        found, kind = None, None
        if key in ids:
            found, kind = ids[key], "id"
        elif _PREFIX.sub("", key) in ids and _PREFIX.sub("", key) != key:
            found, kind = ids[_PREFIX.sub("", key)], "prefix"
        elif key in meta_names and meta_names[key] not in metadata:
            metadata[meta_names[key]] = col
            continue
        elif _SYSTEM.search(key):
            system.append(col)
            continue
        else:
            candidates = [normalise(header)]
            bracket = re.search(r"\[(.+)\]\s*$", header)
            if bracket:
                candidates.append(normalise(bracket.group(1)))
            for cand in candidates:
                m = pattern.match(cand)
                if m:
                    found, kind = group_item[m.lastgroup], "text"
                    break
        if found is None:
            unknown.append(col)
        elif found in taken:
            duplicates[col] = found
        else:
            items[col] = found
            how[col] = kind
            taken.add(found)
    return ColumnMap(items, metadata, unknown, duplicates, system, how)
