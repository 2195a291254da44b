"""The codebook (CSV and Markdown) and an empty data-entry template in the printed order."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from cxkit.errors import RenderError
from cxkit.render.layout import Document


def codebook_frame(doc: Document) -> pd.DataFrame:
    """One row per item, in the printed order.

    Columns: ``position``, ``variable``, one ``label_<lang>`` per language, ``section``,
    ``construct``, ``role``, ``scale``, ``type``, ``value_labels`` (code = label; …, in the first
    language), ``reverse``, ``required``, ``personal``, ``missing_codes``, ``instrument``, ``sha256``.
    """
    ins = doc.instrument
    section_of = {iid: s.id for s in ins.sections for iid in s.items}
    rows = []
    for pos, iid in enumerate(doc.printed_order, start=1):
        item = ins.item(iid)
        scale = item.scale
        lang0 = ins.languages[0]
        if scale.type == "text":
            values = ""
        elif scale.type == "choice":
            values = "; ".join(f"{c} = {label}" for c, label in scale.labels(lang0).items())
        else:
            labels = scale.labels(lang0)
            values = "; ".join(
                f"{v} = {labels[v]}" if v in labels else str(v) for v in scale.values
            )
        rows.append(
            {
                "position": pos,
                "variable": iid,
                **{f"label_{lang}": item.label(lang, doc.store) for lang in ins.languages},
                "section": section_of[iid],
                "construct": item.construct or "",
                "role": item.role + (f" ({item.metric})" if item.metric else ""),
                "scale": scale.id,
                "type": scale.type,
                "value_labels": values.replace("{store}", doc.store),
                "reverse": item.reverse,
                "required": item.required,
                "personal": item.personal,
                "missing_codes": " ".join(str(c) for c in scale.missing_codes),
                "instrument": ins.ref,
                "sha256": ins.sha256,
            }
        )
    return pd.DataFrame(rows)


def _markdown(doc: Document, frame: pd.DataFrame) -> str:
    ins = doc.instrument
    out = [
        f"# Codebook: {ins.ref}",
        "",
        f"{doc.title}. sha256 `{ins.sha256}`. Item order: {doc.order_code} "
        "(D = as defined; S<n> = shuffled with seed n). Reverse-keyed items are scored (min + max) − x.",
        "",
        "| # | variable | "
        + " | ".join(f"label ({lang})" for lang in ins.languages)
        + " | construct | scale | values | reverse | required | missing |",
        "|---|---|" + "---|" * len(ins.languages) + "---|---|---|---|---|---|",
    ]
    for r in frame.itertuples():
        labels = " | ".join(
            str(getattr(r, f"label_{lang}")).replace("|", "\\|") for lang in ins.languages
        )
        out.append(
            f"| {r.position} | {r.variable} | {labels} | {r.construct} | {r.scale} | {r.value_labels.replace('|', '/')} | "
            f"{'yes' if r.reverse else ''} | {'yes' if r.required else ''} | {r.missing_codes} |"
        )
    return "\n".join(out) + "\n"


def write_codebook(doc: Document, path: str | Path) -> Path:
    """Write ``<path>`` (CSV), the same name with ``.md``, and ``<stem>-template.csv``.

    The template's header is ``respondent`` followed by the item ids in the printed order.
    """
    path = Path(path)
    frame = codebook_frame(doc)
    try:
        frame.to_csv(path, index=False)
        path.with_suffix(".md").write_text(_markdown(doc, frame), encoding="utf-8")
        with path.with_name(f"{path.stem}-template.csv").open(
            "w", newline="", encoding="utf-8"
        ) as fh:
            csv.writer(fh).writerow(["respondent", *doc.printed_order])
    except OSError as exc:
        raise RenderError(f"cannot be written ({exc.strerror})", file=str(path)) from None
    return path
