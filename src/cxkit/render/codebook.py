"""The codebook (CSV and Markdown) and an empty data-entry template in the printed order."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cxkit._io import check_not_input, write_csv, write_csv_rows, write_text
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
        labels = " | ".join(_md_cell(getattr(r, f"label_{lang}")) for lang in ins.languages)
        out.append(
            f"| {r.position} | {r.variable} | {labels} | {r.construct} | {r.scale} | {_md_cell(r.value_labels.replace('|', '/'))} | "
            f"{'yes' if r.reverse else ''} | {'yes' if r.required else ''} | {r.missing_codes} |"
        )
    return "\n".join(out) + "\n"


def _md_cell(text) -> str:
    """Text for one Markdown table cell: ``|`` escaped, line breaks as ``<br>`` (never a new row)."""
    return re.sub(r"\r\n|\r|\n", "<br>", str(text).replace("|", "\\|"))


def companions(path: str | Path) -> tuple[Path, Path]:
    """The two files written beside a codebook ``path``: ``<stem>.md`` and ``<stem>-template.csv``."""
    path = Path(path)
    return path.with_suffix(".md"), path.with_name(f"{path.stem}-template.csv")


def _made_by_cxkit(path: Path) -> bool:
    """Whether an existing companion file is one an earlier codebook run wrote (so may be replaced)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(200)
    except OSError:
        return False
    if path.suffix == ".md":
        return head.startswith(b"# Codebook: ")
    return head.startswith(b"respondent,") and head.count(b"\n") <= 1


def write_codebook(doc: Document, path: str | Path, inputs=(), force: bool = False) -> Path:
    """Write ``<path>`` (CSV), the same name with ``.md``, and ``<stem>-template.csv``.

    The template's header is ``respondent`` followed by the item ids in the printed order. Text
    cells of the CSV files are neutralised against formula injection. The two companion files are
    not named by the caller, so an existing file of either name is replaced only when an earlier
    codebook wrote it (or with ``force=True``); otherwise :class:`RenderError` names it.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise RenderError(
            "a codebook is written as a .csv file (with .md and -template.csv beside it); "
            "name a .csv file",
            file=str(path),
        )
    inputs = (*inputs, doc.instrument.path)
    md, template = companions(path)
    for extra in (md, template):
        check_not_input(extra, inputs)
        if extra.exists() and not force and not _made_by_cxkit(extra):
            raise RenderError(
                f"the codebook writes {md.name} and {template.name} beside {path.name}, and "
                f"{extra.name} exists and was not written by cxkit; choose another name for the "
                "codebook or pass --force (force=True) to replace it",
                file=str(extra),
            )
    frame = codebook_frame(doc)
    write_csv(frame, path, inputs=inputs)
    write_text(md, _markdown(doc, frame), inputs)
    write_csv_rows([["respondent", *doc.printed_order]], template, inputs)
    return path
