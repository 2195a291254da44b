"""Fielding: printable questionnaires (PDF, HTML), XLSForm for KoboToolbox/ODK, codebook."""

from __future__ import annotations

from pathlib import Path

from cxkit._params import check_option
from cxkit.instrument.model import Instrument
from cxkit.render.codebook import write_codebook
from cxkit.render.html import write_html
from cxkit.render.layout import layout
from cxkit.render.pdf import write_pdf
from cxkit.render.xlsform import write_xlsform

FORMATS = ("pdf", "html", "xlsform", "codebook")

__all__ = ["FORMATS", "layout", "render"]


def render(
    instrument: Instrument,
    format: str = "pdf",  # noqa: A002 - the public name of the option
    path: str | Path | None = None,
    lang: str = "en",
    store: str | None = None,
    *,
    paper: str = "a4",
    order: str = "defined",
    seed: int | None = None,
    omit=(),
    force: bool = False,
) -> Path:
    """Write the questionnaire in one format; return the path written.

    Parameters
    ----------
    instrument : Instrument or str
    format : {"pdf", "html", "xlsform", "codebook"}
        ``codebook`` writes ``path`` (CSV), the same name with ``.md`` and ``<stem>-template.csv``
        (header: respondent and the item ids in the printed order). ``xlsform`` carries every
        language; ``lang`` and the order options do not apply to it.
    path : path, optional
        Default: ``<id>-<version>-<lang>.<ext>`` in the current folder.
    lang : str
        Language of the printed texts.
    store : str, optional
        The store's name, printed literally in place of ``{store}``.
    paper : {"a4", "letter"}
    order : {"defined", "shuffled"}
        Shuffled: measure items reordered within each section with ``seed`` (order code ``S<seed>``
        printed in the footer).
    omit : iterable of str
        Section ids to leave out.
    force : bool
        ``codebook``: replace existing companion files (``.md``, ``-template.csv``) that cxkit did
        not write.

    Every file is written atomically and never over the instrument file itself (or any input the
    ``cxkit`` command was given): :class:`~cxkit.errors.SpecificationError`.

    Examples
    --------
    >>> import cxkit, tempfile, pathlib
    >>> ins = cxkit.load_instrument("online-cx@1.0.0")
    >>> out = cxkit.render(ins, "html", pathlib.Path(tempfile.mkdtemp()) / "q.html", lang="id", store="Toko Contoh")
    >>> "Saya merasa aman dalam bertransaksi dengan Toko Contoh." in out.read_text(encoding="utf-8")
    True
    """
    if isinstance(instrument, str):
        from cxkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    check_option("format", format, FORMATS)
    ext = {"pdf": "pdf", "html": "html", "xlsform": "xlsx", "codebook": "csv"}[format]
    if path is None:
        suffix = "" if format == "xlsform" else f"-{lang}"
        path = Path(
            f"{instrument.id}-{instrument.version}{suffix}{'-codebook' if format == 'codebook' else ''}.{ext}"
        )
    path = Path(path)
    if format == "xlsform":
        return write_xlsform(instrument, path, store)
    doc = layout(instrument, lang, store, paper=paper, order=order, seed=seed, omit=omit)
    if format == "pdf":
        return write_pdf(doc, path)
    if format == "html":
        return write_html(doc, path)
    return write_codebook(doc, path, force=force)
