"""The ``cxkit`` command: one entry point, subcommands.

::

    cxkit instruments list                  every instrument version in the registry
    cxkit instruments show REF [--lang id]  one instrument (id@version, bare id or a .yaml path)
    cxkit instruments diff REF REF          what changed between two versions
    cxkit instruments check                 validate every file; released files must match the lock
    cxkit instruments lock                  add newly released files to instruments/registry.lock
    cxkit print REF --lang id --store NAME -o kuesioner.pdf   a printable questionnaire (or .html)
    cxkit render REF --format xlsform|codebook -o PATH      fielding exports
    cxkit analyze DATA --instrument REF --model pyramid --out DIR   the whole study and its report
    cxkit pilot DATA --instrument REF [--out DIR]   the pilot test: item validity, alpha, KMO, EFA
    cxkit validate DATA --instrument REF    read and check a responses file (exit 0 clean, 1 problems)
    cxkit reliability DATA --instrument REF reliability, HTMT and Fornell–Larcker of the scales
    cxkit sem DATA --instrument REF --model pyramid   fit a CX model (or a lavaan-syntax file)
    cxkit simulate REF -n 400 --seed 1 -o out.csv     synthetic respondents

A :class:`~cxkit.errors.CxkitError` is printed as ``cxkit: error: ...`` without a traceback; the exit code
is 2 for bad input and 1 for a failed analysis or check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import pandas as pd

from cxkit.errors import CxkitError


def _print_frame(df: pd.DataFrame) -> None:
    with pd.option_context(
        "display.max_rows",
        None,
        "display.max_columns",
        None,
        "display.width",
        200,
        "display.max_colwidth",
        80,
    ):
        shown = df.astype(object).where(df.notna(), "")
        print(shown.to_string(index=False) if len(df) else "(none)")


def _cmd_instruments_list(args: argparse.Namespace) -> int:
    from cxkit.instrument import list_instruments

    df = list_instruments()
    df["sha256"] = df["sha256"].str[:12]
    _print_frame(df)
    return 0


def _cmd_instruments_show(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument

    ins = load_instrument(args.ref)
    print(ins.summary(lang=args.lang, store=args.store))
    return 0


def _cmd_instruments_diff(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument, required_bump

    old, new = load_instrument(args.old), load_instrument(args.new)
    df = old.diff(new)
    print(f"{old.ref} → {new.ref}")
    _print_frame(df)
    bump = required_bump(df)
    print(f"\nsmallest version bump these item changes need: {bump or 'none'}")
    return 0


def _cmd_instruments_check(args: argparse.Namespace) -> int:
    from cxkit.instrument import check_registry, instruments_dir

    df = check_registry()
    shown = df.assign(sha256=df["sha256"].str[:12])
    _print_frame(shown)
    bad = df[~df["ok"]]
    if len(bad):
        print(
            f"\n{len(bad)} of {len(df)} instrument files have problems (in {instruments_dir()})",
            file=sys.stderr,
        )
        return 1
    print(f"\nall {len(df)} instrument files valid; released files match the lock")
    return 0


def _cmd_instruments_lock(args: argparse.Namespace) -> int:
    from cxkit.instrument import lock_released

    added = lock_released()
    print(
        "added to the lock: "
        + (", ".join(added) if added else "nothing (every released file is locked)")
    )
    return 0


def _read_table(path: str) -> pd.DataFrame:
    """A CSV (any separator, locale and common encoding), XLSX or SAV file as a DataFrame.

    Infinite numbers are refused (a ResponseError naming the column and row).
    """
    from cxkit.responses.read import read_raw

    frame = read_raw(path).frame
    _refuse_infinite(frame, path)
    return frame


def _refuse_infinite(frame: pd.DataFrame, path: str) -> None:
    """A ResponseError naming the column and row of the first infinite number in ``frame``."""
    import numpy as np

    from cxkit.errors import ResponseError

    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values):
            inf = np.isinf(values.to_numpy())
            if inf.any():
                raise ResponseError(
                    f"column {col!r} holds an infinite value ({values[inf].iloc[0]}) in data row "
                    f"{int(np.argmax(inf)) + 1}; answers must be finite numbers (blank for missing)",
                    file=path,
                )


def _cmd_reliability(args: argparse.Namespace) -> int:
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.measure import fornell_larcker, htmt, reliability
    from cxkit.report import reliability_table

    data = _load_data(args, example="satisfaction")
    ref = args.instrument or data.attrs.get("instrument")
    if ref is None:
        raise SpecificationError(
            "--instrument is needed: the instrument the data were collected with (id@version)"
        )
    ins = load_instrument(ref)
    rel = reliability(data, ins, missing=args.missing, ordinal=args.ordinal)
    print(reliability_table(rel))
    if args.ordinal:
        print("\nOrdinal α and ω (polychoric):")
        _print_frame(rel[["alpha_ordinal", "omega_ordinal"]].round(3).reset_index())
    print("\nHTMT (discriminant validity below .85):")
    print(htmt(data, ins).round(2).to_string())
    fl = fornell_larcker(data, ins)
    print("\nFornell–Larcker (√AVE on the diagonal):")
    print(fl.round(2).to_string())
    failed = [c for c, ok in fl.attrs["holds"].items() if not ok]
    print(
        "criterion holds for every construct"
        if not failed
        else f"criterion fails for: {', '.join(failed)}"
    )
    return 0


def _load_data(args, example: str = "online-cx-demo") -> pd.DataFrame:
    """The data of DATA or --dataset. With --instrument, DATA is read as `validate` reads it
    (Google Forms / Kobo exports with question texts as headers and answer labels as values)."""
    from cxkit.datasets import load_dataset
    from cxkit.errors import SpecificationError

    if (args.data is None) == (args.dataset is None):
        raise SpecificationError(
            f"give either a DATA file or --dataset NAME (e.g. --dataset {example})"
        )
    if args.dataset:
        return load_dataset(args.dataset)
    if getattr(args, "instrument", None):
        from cxkit.responses.core import read_responses
        from cxkit.responses.read import read_raw

        _refuse_infinite(read_raw(args.data).frame, args.data)  # as _read_table refuses them
        r = read_responses(args.data, args.instrument)
        if len(r.problems):
            print(
                f"cxkit: warning: {len(r.problems)} problems while reading {args.data} "
                "(cxkit validate lists them); affected answers are left blank",
                file=sys.stderr,
            )
        data = r.data.copy()
        data.attrs.update(r.instrument.provenance)
        return data
    return _read_table(args.data)


def _cmd_sem(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit import cx as models
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.responses.scoring import reverse_keyed
    from cxkit.sem import fit_sem

    data = _load_data(args)
    ref = args.instrument or data.attrs.get("instrument")
    if args.model in ("direct", "second_order", "pyramid", "ecsi"):
        if ref is None:
            raise SpecificationError("--instrument is needed to build the model (id@version)")
        ins = load_instrument(ref)
        syntax = getattr(models, args.model)(ins)
        data, reversed_items = reverse_keyed(data, ins)
        if reversed_items:
            print(f"reverse-keyed items recoded (min + max) - x: {', '.join(reversed_items)}")
    else:
        path = Path(args.model)
        if not path.is_file():
            raise SpecificationError(
                f"--model {args.model!r} is neither direct, second_order, pyramid, ecsi nor a file with lavaan syntax"
            )
        syntax = _read_model_file(path)
    print("model:\n" + "\n".join("  " + line for line in syntax.splitlines()) + "\n")
    fit = fit_sem(
        syntax,
        data,
        missing=args.missing,
        estimator=args.estimator,
        ordered=True if args.ordered else None,
    )
    print(fit.summary())
    return 0


def _read_model_file(path) -> str:
    """A --model file of lavaan syntax: a small UTF-8 text file."""
    from cxkit.errors import SpecificationError

    size = path.stat().st_size
    if size > 1_000_000:
        raise SpecificationError(
            f"is {size:,} bytes; a file of lavaan syntax is at most 1,000,000", file=str(path)
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecificationError(
            f"is not UTF-8 text (byte {exc.start}); save the model syntax as UTF-8",
            file=str(path),
        ) from None


def _cmd_simulate(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument
    from cxkit.simulate import simulate

    ins = load_instrument(args.instrument)
    from cxkit._io import write_csv

    df = simulate(ins, args.n, seed=args.seed, careless=args.careless, missing=args.missing)
    write_csv(df, args.output, index=False)
    print(f"wrote {len(df)} SYNTHETIC respondents to {ins.ref} to {args.output} (seed {args.seed})")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit._io import check_not_input, write_csv
    from cxkit.responses.core import read_responses

    out = check_not_input(Path(args.problems or f"{Path(args.data).stem}-problems.csv"))
    r = read_responses(args.data, args.instrument, encoding=args.encoding)
    print(r.summary())
    if len(r.problems):
        write_csv(r.problems, out, index=False)
        with pd.option_context("display.width", 200, "display.max_colwidth", 90):
            print("\nfirst problems:")
            print(r.problems.head(10).to_string(index=False))
        print(f"\nall {len(r.problems)} problems written to {out}")
        return 1
    print("the data are clean")
    return 0


def _warn_store(ref: str, lang: str) -> None:
    """Say once when {store} is left unfilled (no --store) in a questionnaire that has it."""
    from cxkit.instrument import load_instrument
    from cxkit.instrument.model import PLACEHOLDER

    ins = load_instrument(ref)
    texts = [*(i.text.get(lang, "") for i in ins.items), *ins.title.values()]
    if any(PLACEHOLDER in t for t in texts):
        print(
            f"cxkit: warning: no --store given: {PLACEHOLDER} is printed as "
            f'{ins.default_store(lang)!r}; give --store "Store name"',
            file=sys.stderr,
        )


def _cmd_render(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit.render import render

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ".pdf"
        fmt = {
            ".pdf": "pdf",
            ".html": "html",
            ".htm": "html",
            ".xlsx": "xlsform",
            ".csv": "codebook",
        }.get(suffix, "pdf")
    if args.store is None and fmt in ("pdf", "html", "xlsform"):
        _warn_store(args.ref, args.lang)
    order = "shuffled" if args.shuffle is not None else "defined"
    path = render(
        args.ref,
        fmt,
        args.output,
        lang=args.lang,
        store=args.store,
        paper=args.paper,
        order=order,
        seed=args.shuffle,
        omit=args.omit or (),
        force=args.force,
    )
    if fmt == "codebook":
        from cxkit.render.codebook import companions

        md, template = companions(path)
        print(f"wrote {path}, {md} and {template}")
    else:
        print(f"wrote {path}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from cxkit.errors import SpecificationError
    from cxkit.study import MODELS, analyze

    if args.dataset is not None and args.data is not None:
        raise SpecificationError("give either a DATA file or --dataset NAME, not both")
    data = _load_data(args) if args.dataset is not None or args.data is None else args.data
    ref = args.instrument or (
        data.attrs.get("instrument") if isinstance(data, pd.DataFrame) else None
    )
    if ref is None:
        raise SpecificationError(
            "--instrument is needed: the instrument the data were collected with (id@version)"
        )
    model = args.model
    if model not in MODELS and not Path(model).is_file():
        raise SpecificationError(
            f"--model {model!r} is neither {', '.join(MODELS)} nor a file with lavaan syntax"
        )
    from cxkit._io import OutputFolder

    OutputFolder.check(args.out, force=args.force)  # before the analysis, not after it
    start = time.perf_counter()
    study = analyze(
        data,
        ref,
        model,
        n_boot=args.bootstrap,
        seed=args.seed,
        exclude=args.exclude or (),
        progress=not args.quiet,
        estimator=args.estimator,
        ordered=args.ordered,
        drop=[d for d in (args.drop_items or "").split(",") if d.strip()],
        missing=args.missing,
        group=args.group,
        store=args.store,
        lang=args.lang,
        segment=args.segment,
    )
    r = study.responses
    print(r.summary())
    for w in study.warnings:
        print(f"cxkit: warning: {w}", file=sys.stderr)
    out = study.write(Path(args.out), force=args.force)
    rel = study.reliability
    fit = study.chosen.fit_indices
    kind = "robust" if "cfi_robust" in fit else "scaled" if "shift_parameter" in fit else ""
    suffix = f"_{kind}" if kind else ""
    print(
        f"\nreliability: alpha {rel['alpha'].min():.2f}-{rel['alpha'].max():.2f}; model {study.model}: "
        f"{kind + ' ' if kind else ''}CFI {fit['cfi' + suffix]:.3f}, "
        f"{kind + ' ' if kind else ''}RMSEA {fit['rmsea' + suffix]:.3f}, SRMR {fit['srmr']:.3f}"
    )
    h = study.hypotheses
    from cxkit._io import written_files

    written = written_files(out)
    print(
        f"hypotheses: {int(h['supported'].sum())} of {len(h)} supported; "
        f"the data prefer the {study.verdict['best']} model"
    )
    print(
        f"report ({study.settings['lang']}): {out / 'report.html'}, report.pdf, report.docx, "
        f"report.xlsx; tables in {out / 'tables'}, figures in {out / 'figures'}"
    )
    if written:
        print(f"{len(written)} files written in {out}: {', '.join(written)}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_pilot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit.errors import SpecificationError
    from cxkit.study import pilot

    if args.dataset is not None and args.data is not None:
        raise SpecificationError("give either a DATA file or --dataset NAME, not both")
    data = _load_data(args) if args.dataset is not None or args.data is None else args.data
    ref = args.instrument or (
        data.attrs.get("instrument") if isinstance(data, pd.DataFrame) else None
    )
    if ref is None:
        raise SpecificationError(
            "--instrument is needed: the instrument the data were collected with (id@version)"
        )
    if args.out:
        from cxkit._io import OutputFolder

        OutputFolder.check(args.out, force=args.force)  # before the analysis, not after it
    p = pilot(
        data,
        ref,
        lang=args.lang,
        drop=[d for d in (args.drop_items or "").split(",") if d.strip()],
    )
    v = p.pilot["validity"]
    shown = v.assign(valid=v["valid"].map({True: "valid", False: "NOT valid"}))
    _print_frame(shown.round(3).reset_index())
    print()
    _print_frame(p.reliability[["n_items", "n", "alpha"]].round(3).reset_index())
    k, b = p.pilot["kmo"], p.pilot["bartlett"]
    print(
        f"\nKMO {k['overall']:.3f}; Bartlett chi2({b['df']:.0f}) = {b['chisq']:.2f}, p = {b['pvalue']:.3g}"
    )
    print("\nEFA (minres, varimax):")
    _print_frame(p.pilot["efa"].round(3).reset_index())
    if args.out:
        out = p.write(Path(args.out), force=args.force)
        print(f"\nreport: {out / 'report.html'}, report.pdf, report.docx, report.xlsx")
    return 0


def _estimation_options(p: argparse.ArgumentParser) -> None:
    """--estimator and --ordered, shared by `cxkit sem` and `cxkit analyze`."""
    p.add_argument(
        "--estimator",
        default="ML",
        type=str.upper,
        choices=["ML", "MLR"],
        help="MLR: robust standard errors, scaled chi-square, robust CFI/TLI/RMSEA",
    )
    p.add_argument(
        "--ordered",
        action="store_true",
        help="treat the Likert items as ordinal: polychoric correlations, WLSMV",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    from cxkit._version import __version__

    parser = argparse.ArgumentParser(
        prog="cxkit",
        description="Online-store CX questionnaire research: instruments, data checks, reliability, SEM.",
    )
    parser.add_argument("--version", action="version", version=f"cxkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ins = sub.add_parser(
        "instruments", help="list, show, diff and check the versioned questionnaires"
    )
    isub = ins.add_subparsers(dest="action", metavar="ACTION")
    isub.required = True
    p = isub.add_parser("list", help="every instrument version in the registry")
    p.set_defaults(func=_cmd_instruments_list)
    p = isub.add_parser("show", help="one instrument: constructs, items, scales")
    p.add_argument("ref", help="id@version, a bare id (newest release) or a path to a .yaml file")
    p.add_argument("--lang", default="en", help="language of the texts (default: en)")
    p.add_argument("--store", default=None, help="the store's name, put in place of {store}")
    p.set_defaults(func=_cmd_instruments_show)
    p = isub.add_parser("diff", help="what changed between two versions")
    p.add_argument("old", help="the earlier version (id@version or path)")
    p.add_argument("new", help="the later version (id@version or path)")
    p.set_defaults(func=_cmd_instruments_diff)
    p = isub.add_parser(
        "check", help="validate every file; released files must match registry.lock"
    )
    p.set_defaults(func=_cmd_instruments_check)
    p = isub.add_parser(
        "lock", help="add newly released files to registry.lock (never changes an entry)"
    )
    p.set_defaults(func=_cmd_instruments_lock)

    for name, help_text in (
        ("print", "a printable questionnaire (PDF by default; .html for the web page)"),
        ("render", "any fielding format: pdf, html, xlsform (KoboToolbox/ODK), codebook"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("ref", help="the instrument: id@version, a bare id or a .yaml path")
        p.add_argument("-o", "--output", help="the file to write (its extension picks the format)")
        p.add_argument("--format", choices=["pdf", "html", "xlsform", "codebook"], default=None)
        p.add_argument("--lang", default="en", help="language of the printed texts (default: en)")
        p.add_argument("--store", help="the store's name, printed in place of {store}")
        p.add_argument("--paper", default="a4", choices=["a4", "letter"])
        p.add_argument(
            "--shuffle",
            type=int,
            metavar="SEED",
            help="shuffle items within sections with this seed",
        )
        p.add_argument("--omit", nargs="*", metavar="SECTION", help="section ids to leave out")
        p.add_argument(
            "--force",
            action="store_true",
            help="codebook: replace existing .md/-template.csv files that cxkit did not write",
        )
        p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "analyze", help="the whole study: data checks, reliability, SEM, report (HTML, PDF)"
    )
    p.add_argument(
        "data", nargs="?", help="the answers: CSV, XLSX, SAV, Kobo or Google Forms export"
    )
    p.add_argument("--dataset", help="a bundled data set instead of a file (online-cx-demo)")
    p.add_argument(
        "--instrument", help="the instrument, id@version (bundled data sets know theirs)"
    )
    p.add_argument(
        "--model",
        default="pyramid",
        help="direct, second_order, pyramid (the three are compared) or a file of lavaan syntax "
        "(hypotheses as '# H1: OE -> EC' comments)",
    )
    p.add_argument(
        "--out",
        default="cx-report",
        help="output folder (default: cx-report): new, empty, or made by cxkit before",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into an existing folder cxkit did not make (same-named files replaced)",
    )
    p.add_argument(
        "--drop-items",
        metavar="ITEMS",
        help="items left out of the measurement model, comma-separated (e.g. EC3,OE2)",
    )
    p.add_argument(
        "--missing",
        default="listwise",
        choices=["listwise", "fiml"],
        help="incomplete answers: left out, or used by full-information ML",
    )
    p.add_argument("--group", help="a column for measurement invariance, e.g. GENDER")
    p.add_argument("--store", help="the store's name, shown in place of {store}")
    p.add_argument(
        "--lang", default="en", choices=["en", "id"], help="language of the report (default: en)"
    )
    p.add_argument("--segment", help="a demographic item for NPS by segment (default: MARKET)")
    p.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        help="bootstrap resamples for indirect effects (0: none)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--exclude",
        nargs="*",
        metavar="FLAG",
        help="exclude respondents with these quality flags, e.g. attention_failed",
    )
    _estimation_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "pilot",
        help="the pilot test: item validity (r against the critical r), alpha, KMO, Bartlett, EFA",
    )
    p.add_argument(
        "data", nargs="?", help="the answers: CSV, XLSX, SAV, Kobo or Google Forms export"
    )
    p.add_argument("--dataset", help="a bundled data set instead of a file (online-cx-demo)")
    p.add_argument(
        "--instrument", help="the instrument, id@version (bundled data sets know theirs)"
    )
    p.add_argument("--drop-items", metavar="ITEMS", help="items left out, comma-separated")
    p.add_argument("--lang", default="en", choices=["en", "id"], help="language of the report")
    p.add_argument(
        "--out",
        help="also write the pilot report (HTML, PDF, DOCX, XLSX) here: a new or empty folder, "
        "or one made by cxkit before",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into an existing folder cxkit did not make (same-named files replaced)",
    )
    p.set_defaults(func=_cmd_pilot)

    p = sub.add_parser(
        "validate", help="check a responses file against its instrument; problems to CSV"
    )
    p.add_argument(
        "data", help="a CSV (any separator/locale), XLSX, SPSS .sav, Kobo or Google Forms export"
    )
    p.add_argument(
        "--instrument",
        required=True,
        help="the instrument the data were collected with (id@version)",
    )
    p.add_argument(
        "--problems", help="where to write the problems (default: <data>-problems.csv here)"
    )
    p.add_argument("--encoding", help="the CSV encoding, when detection is not enough")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "reliability", help="reliability and discriminant validity of a data set's scales"
    )
    p.add_argument(
        "data", nargs="?", help="the answers: CSV, XLSX, SAV, Kobo or Google Forms export"
    )
    p.add_argument("--dataset", help="a bundled data set instead of a file (satisfaction)")
    p.add_argument(
        "--instrument", help="the instrument, id@version (bundled data sets know theirs)"
    )
    p.add_argument("--missing", default="listwise", choices=["listwise", "pairwise"])
    p.add_argument(
        "--ordinal", action="store_true", help="also ordinal α and ω from polychoric correlations"
    )
    p.set_defaults(func=_cmd_reliability)

    p = sub.add_parser(
        "sem", help="fit a CFA/SEM (a CX model from the instrument, or lavaan syntax)"
    )
    p.add_argument(
        "data",
        nargs="?",
        help="the answers: CSV, XLSX, SAV, Kobo or Google Forms export (with --instrument), "
        "or any table with the model's variables as columns",
    )
    p.add_argument(
        "--dataset", help="a bundled data set instead of a file (online-cx-demo, satisfaction)"
    )
    p.add_argument(
        "--instrument", help="the instrument, id@version (bundled data sets know theirs)"
    )
    p.add_argument(
        "--model",
        default="pyramid",
        help="direct, second_order, pyramid, ecsi, or a file of lavaan syntax",
    )
    p.add_argument("--missing", default="listwise", choices=["listwise", "fiml"])
    _estimation_options(p)
    p.set_defaults(func=_cmd_sem)

    p = sub.add_parser(
        "simulate", help="write synthetic respondents from the documented population model"
    )
    p.add_argument("instrument", help="id@version")
    p.add_argument("-n", type=int, default=400, help="number of respondents (default 400)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--careless", type=float, default=0.0, help="share of careless respondents")
    p.add_argument("--missing", type=float, default=0.0, help="share of Likert answers left blank")
    p.add_argument("-o", "--output", default="simulated.csv")
    p.set_defaults(func=_cmd_simulate)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


#: Other modules add their subcommands here: a callable taking the subparsers object.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


#: arguments that name files the run reads: never written over
_INPUT_ARGS = ("data", "ref", "instrument", "model", "old", "new")
#: integer arguments that must be 0 or more
_COUNTS = {"seed": "--seed", "shuffle": "--shuffle", "bootstrap": "--bootstrap", "n": "-n"}


def _input_files(args: argparse.Namespace) -> list[str]:
    from pathlib import Path

    out = []
    for name in _INPUT_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            try:
                if Path(value).exists():
                    out.append(value)
            except (OSError, ValueError):
                continue
    return out


def _check_arguments(args: argparse.Namespace) -> None:
    """Checks that need no data, made before any work starts (exit 2 at once)."""
    from cxkit.errors import SpecificationError

    for name, flag in _COUNTS.items():
        value = getattr(args, name, None)
        if isinstance(value, int) and value < 0:
            raise SpecificationError(
                f"{flag} {value} is not accepted; use a whole number 0 or more"
            )
    if getattr(args, "func", None) is _cmd_simulate and not 1 <= args.n <= 10_000_000:
        raise SpecificationError(
            f"-n {args.n} is not accepted; simulate from 1 to 10,000,000 respondents"
        )
    for name in ("careless", "missing"):
        value = getattr(args, name, None)
        if isinstance(value, float) and not 0.0 <= value <= 1.0:
            raise SpecificationError(f"--{name} {value} is not accepted; use a share from 0 to 1")
    store = getattr(args, "store", None)
    if store is not None:
        from cxkit.instrument.model import check_store

        check_store(store)
    for name in ("data", "ref", "instrument", "model", "output", "problems", "out"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise SpecificationError(
                    f"the argument {name} ({value!r}) is not valid UTF-8; rename the file or folder"
                ) from None


def _printable(text: str) -> str:
    """An error message safe for the terminal: control characters (ANSI escapes) shown as \\x1b."""
    import re

    return (
        re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: repr(m.group())[1:-1], text)
        .encode("utf-8", "backslashreplace")
        .decode("utf-8")
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (also used by the ``cxkit`` script)."""
    from cxkit._io import as_cxkit_error, protect

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_arguments(args)
        with protect(*_input_files(args)):
            return int(args.func(args) or 0)
    except CxkitError as exc:
        print(f"cxkit: error: {_printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except (OSError, MemoryError) as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        err = as_cxkit_error(exc)
        print(f"cxkit: error: {_printable(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("cxkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
