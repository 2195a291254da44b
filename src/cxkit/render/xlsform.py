"""XLSForm for KoboToolbox and ODK: survey, choices and settings sheets, both languages.

Item ids are the question names; each section is a group named by its id, so KoboToolbox exports
columns such as ``cx/EC1``, which :func:`cxkit.read_responses` maps back. Every coded scale is a
``select_one`` list (so the range constraint is the list itself); ``required`` follows the
instrument; a ``calculate`` field ``instrument_version`` records id@version in every submission;
``start`` and ``end`` give the completion time for the too-fast flag. The form converts with
pyxform without errors or warnings.
"""

from __future__ import annotations

from pathlib import Path

from cxkit._io import write_xlsx
from cxkit.instrument.model import Instrument, check_store

LANGUAGE_NAMES = {
    "en": "English",
    "id": "Indonesian",
    "ms": "Malay",
    "jv": "Javanese",
    "su": "Sundanese",
}


def _label_cols(instrument: Instrument) -> list[str]:
    return [f"label::{LANGUAGE_NAMES.get(lang, lang)} ({lang})" for lang in instrument.languages]


def xlsform_sheets(instrument: Instrument, store: str | None = None) -> dict[str, list[list]]:
    """The three sheets as rows (first row the header), for writing or testing."""
    check_store(store)
    langs = instrument.languages
    labels = _label_cols(instrument)

    def texts(mapping) -> list[str]:
        return [
            mapping[lang].replace(
                "{store}", store if store is not None else instrument.default_store(lang)
            )
            for lang in langs
        ]

    survey = [
        [
            "type",
            "name",
            *labels,
            "required",
            "appearance",
            "calculation",
            *[f"hint::{c.split('::')[1]}" for c in labels],
        ]
    ]
    survey.append(["start", "start", *[""] * len(langs), "", "", "", *[""] * len(langs)])
    survey.append(["end", "end", *[""] * len(langs), "", "", "", *[""] * len(langs)])
    survey.append(
        [
            "calculate",
            "instrument_version",
            *[""] * len(langs),
            "",
            "",
            f"'{instrument.ref}'",
            *[""] * len(langs),
        ]
    )
    intro = {lang: instrument.text("introduction", lang, store) for lang in langs}
    survey.append(
        ["note", "introduction", *[intro[lang] for lang in langs], "", "", "", *[""] * len(langs)]
    )
    if instrument.spec.consent is not None:
        consent = {lang: instrument.text("consent", lang, store) for lang in langs}
        survey.append(
            ["note", "consent", *[consent[lang] for lang in langs], "", "", "", *[""] * len(langs)]
        )
    used_scales: dict[str, object] = {}
    for sec in instrument.sections:
        survey.append(
            [
                "begin_group",
                sec.id,
                *texts(sec.title),
                "",
                "field-list" if len(sec.items) <= 25 else "",
                "",
                *(texts(sec.instructions) if sec.instructions else [""] * len(langs)),
            ]
        )
        for iid in sec.items:
            item = instrument.item(iid)
            scale = item.scale
            if scale.type == "text":
                kind, appearance = "text", "multiline" if (scale.lines or 1) > 1 else ""
            else:
                kind = f"select_one {scale.id}"
                appearance = (
                    "likert"
                    if scale.type == "likert"
                    else ("horizontal-compact" if scale.type == "rating" else "")
                )
                used_scales[scale.id] = scale
            required = "yes" if item.required else ""
            survey.append(
                [kind, item.id, *texts(item.text), required, appearance, "", *[""] * len(langs)]
            )
        survey.append(["end_group", sec.id, *[""] * len(langs), "", "", "", *[""] * len(langs)])
    choices = [["list_name", "name", *labels]]
    for sid, scale in used_scales.items():
        if scale.type == "choice":
            for code, label in scale.options:
                choices.append([sid, str(code), *texts(label)])
        else:
            for value in scale.values:
                anchor = scale.anchors.get(value)
                row = []
                for lang in langs:
                    text = (
                        anchor[lang].replace("{store}", store or instrument.default_store(lang))
                        if anchor
                        else ""
                    )
                    row.append(
                        f"{value} - {text}"
                        if text and scale.type == "rating"
                        else (text or str(value))
                    )
                choices.append([sid, str(value), *row])
    settings = [
        ["form_title", "form_id", "version", "default_language"],
        [
            instrument.text("title", langs[0], store),
            f"{instrument.id}_{instrument.version.replace('.', '_')}",
            instrument.version,
            f"{LANGUAGE_NAMES.get(langs[0], langs[0])} ({langs[0]})",
        ],
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(
    instrument: Instrument, path: str | Path, store: str | None = None, inputs=()
) -> Path:
    """Write the XLSForm (atomically; never over an input). Every text cell is a typed string,
    so a store name or label starting with ``=`` is text, never a live formula; timestamps come
    from ``$SOURCE_DATE_EPOCH`` when set."""
    return write_xlsx(xlsform_sheets(instrument, store), path, (*inputs, instrument.path))
