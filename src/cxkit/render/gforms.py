"""Google Forms: a Google Apps Script that builds the questionnaire as a form, one form per language.

Paste the written ``.gs`` file into a new Apps Script project (script.google.com), run ``buildForms``
and the log prints each form's edit and answer links. The script is plain JavaScript: the form's
content is one JSON object (``FORMS``), the few functions below it only call Google's ``FormApp``.

What it builds, per language of the instrument:

* the title with the store's name, the introduction, consent and instructions as the description,
  and the instrument's ``id@version`` and sha256 in it (Google Forms has no hidden fields);
* one page per section (a page break with the section's title and instructions);
* consecutive Likert items on one scale as a **grid** (rows: the item texts; columns: every scale
  point as ``"<code> - <anchor label>"``, or the bare code where the scale has no label), rating
  items (NPS, CSAT, CES) as linear **scales** with their end labels, choice items as multiple
  choice, open items as paragraphs; the attention check is an ordinary grid row, as on paper;
* each item's ``required`` flag.

Google Forms exports a grid row as the header ``Grid title [row text]`` and every other question as its
title; the answers are the column labels (``"6 - Setuju"``) or the numbers of a scale. ``read_responses``
maps those headers by the item texts and reads ``"6 - Setuju"`` as 6 (:func:`export_headers` lists
the headers a form of this script produces; the tests read them back).
"""

from __future__ import annotations

import json
from pathlib import Path

from cxkit.errors import RenderError
from cxkit.render.layout import Choice, Grid, Open, layout

#: Google Forms' linear scale: lower bound 0 or 1, upper bound 2–10
_SCALE_LOW, _SCALE_HIGH = (0, 1), range(2, 11)

_SCRIPT = """\
/**
 * {title}
 * Built by cxkit {version} from {ref} (sha256 {sha}).
 * Paste into a new Apps Script project (script.google.com), run buildForms(), and open the links
 * it logs. It makes {n} form(s), one per language: {langs}.
 */

const FORMS = {forms};

function buildForms() {{
  return FORMS.map(buildForm_);
}}

function buildForm_(spec) {{
  const form = FormApp.create(spec.title);
  form.setDescription(spec.description);
  form.setProgressBar(true);
  form.setCollectEmail(false);
  form.setConfirmationMessage(spec.thanks || "");
  spec.sections.forEach(function (section, k) {{
    const page = k === 0 ? form.addSectionHeaderItem() : form.addPageBreakItem();
    page.setTitle(section.title);
    if (section.help) page.setHelpText(section.help);
    section.questions.forEach(function (q) {{ addQuestion_(form, q); }});
  }});
  Logger.log(spec.lang + ": edit " + form.getEditUrl() + " | answer " + form.getPublishedUrl());
  return form;
}}

function addQuestion_(form, q) {{
  let item;
  if (q.type === "grid") {{
    item = form.addGridItem().setRows(q.rows).setColumns(q.columns);
  }} else if (q.type === "scale") {{
    item = form.addScaleItem().setBounds(q.low, q.high).setLabels(q.lowLabel, q.highLabel);
  }} else if (q.type === "choice") {{
    item = form.addMultipleChoiceItem().setChoiceValues(q.options);
  }} else if (q.type === "checkbox") {{
    item = form.addCheckboxItem().setChoiceValues(q.options);
  }} else {{
    item = form.addParagraphTextItem();
  }}
  item.setTitle(q.title);
  if (q.help) item.setHelpText(q.help);
  item.setRequired(q.required);
  return item;
}}
"""


def _column_label(code: int, label: str) -> str:
    return f"{code} - {label}" if label else str(code)


def form_spec(instrument, lang: str, store: str | None = None) -> dict:
    """One language's form as plain data (what the script's ``FORMS`` holds for it)."""
    doc = layout(instrument, lang, store)
    description = (
        "\n\n".join(t for t in (doc.introduction, doc.consent, doc.instructions) if t)
        + f"\n\n({instrument.ref} · sha256 {instrument.sha256[:12]})"
    )
    sections = []
    for sec in doc.sections:
        questions = []
        for block in sec.blocks:
            if isinstance(block, Grid) and block.scale.type == "likert":
                labels = [_column_label(c, lab) for c, lab in block.columns]
                title = sec.title
                questions.append(
                    {
                        "type": "grid",
                        "title": title,
                        "help": None,
                        "rows": [q.text for q in block.questions],
                        "columns": labels,
                        "required": any(q.item.required for q in block.questions),
                        "items": [q.item.id for q in block.questions],
                    }
                )
            elif isinstance(block, Grid):
                for q in block.questions:
                    lo, hi = block.columns[0], block.columns[-1]
                    if lo[0] not in _SCALE_LOW or hi[0] not in _SCALE_HIGH:
                        raise RenderError(
                            f"item {q.item.id}: Google Forms' linear scale runs from 0 or 1 to "
                            f"2–10, not {lo[0]}–{hi[0]}"
                        )
                    questions.append(
                        {
                            "type": "scale",
                            "title": q.text,
                            "help": None,
                            "low": lo[0],
                            "high": hi[0],
                            "lowLabel": lo[1],
                            "highLabel": hi[1],
                            "required": q.item.required,
                            "items": [q.item.id],
                        }
                    )
            elif isinstance(block, Choice):
                q = block.question
                questions.append(
                    {
                        "type": "checkbox" if q.item.scale.multiple else "choice",
                        "title": q.text,
                        "help": None,
                        "options": [label for _, label in block.options],
                        "required": q.item.required,
                        "items": [q.item.id],
                    }
                )
            elif isinstance(block, Open):
                q = block.question
                questions.append(
                    {
                        "type": "paragraph",
                        "title": q.text,
                        "help": None,
                        "required": q.item.required,
                        "items": [q.item.id],
                    }
                )
        sections.append(
            {"id": sec.id, "title": sec.title, "help": sec.instructions, "questions": questions}
        )
    return {
        "lang": lang,
        "title": doc.title,
        "description": description,
        "thanks": doc.thanks,
        "instrument": instrument.ref,
        "sha256": instrument.sha256,
        "sections": sections,
    }


def export_headers(spec: dict) -> dict[str, str]:
    """The column headers Google Forms writes for a form of :func:`form_spec` → the item id of each."""
    out = {}
    for sec in spec["sections"]:
        for q in sec["questions"]:
            if q["type"] == "grid":
                for row, iid in zip(q["rows"], q["items"], strict=True):
                    out[f"{q['title']} [{row}]"] = iid
            else:
                out[q["title"]] = q["items"][0]
    return out


def gforms_source(instrument, store: str | None = None, langs=None) -> str:
    """The Apps Script: the forms of every language of the instrument (or of ``langs``)."""
    langs = list(instrument.languages if langs is None else langs)
    forms = [form_spec(instrument, lang, store) for lang in langs]
    from cxkit import __version__

    return _SCRIPT.format(
        title=forms[0]["title"].replace("*/", "* /"),
        version=__version__,
        ref=instrument.ref,
        sha=instrument.sha256[:12],
        n=len(forms),
        langs=", ".join(langs),
        forms=json.dumps(forms, ensure_ascii=False, indent=2),
    )


def write_gforms(instrument, path: str | Path, store: str | None = None) -> Path:
    """Write the Apps Script (see the module docstring); return the path."""
    path = Path(path)
    try:
        path.write_text(gforms_source(instrument, store), encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot be written ({exc.strerror or exc})", file=str(path)) from None
    return path
