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
    cxkit validate DATA --instrument REF    read and check a responses file (exit 0 clean, 1 problems)
    cxkit reliability DATA --instrument REF reliability, HTMT and Fornell–Larcker of the scales
    cxkit sem DATA --instrument REF --model pyramid   fit a CX model (or a lavaan-syntax file)
    cxkit simulate REF -n 400 --seed 1 -o out.csv     synthetic respondents
    cxkit power n|power|rmsea|pls-min-n|survey|montecarlo ...   sample size and power

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
    """A CSV (any separator, locale and common encoding), XLSX or SAV file as a DataFrame."""
    from cxkit.responses.read import read_raw

    return read_raw(path).frame


def _cmd_reliability(args: argparse.Namespace) -> int:
    from cxkit.datasets import load_dataset
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.measure import fornell_larcker, htmt, reliability
    from cxkit.report import reliability_table

    if (args.data is None) == (args.dataset is None):
        raise SpecificationError(
            "give either a DATA file or --dataset NAME (e.g. --dataset satisfaction)"
        )
    data = load_dataset(args.dataset) if args.dataset else _read_table(args.data)
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


def _load_data(args) -> pd.DataFrame:
    from cxkit.datasets import load_dataset
    from cxkit.errors import SpecificationError

    if (args.data is None) == (args.dataset is None):
        raise SpecificationError(
            "give either a DATA file or --dataset NAME (e.g. --dataset online-cx-demo)"
        )
    return load_dataset(args.dataset) if args.dataset else _read_table(args.data)


def _cmd_sem(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.responses.scoring import reverse_keyed
    from cxkit.sem import fit_sem, models

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
        syntax = path.read_text(encoding="utf-8")
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


def _cmd_simulate(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument
    from cxkit.simulate import simulate

    ins = load_instrument(args.instrument)
    df = simulate(ins, args.n, seed=args.seed, careless=args.careless, missing=args.missing)
    df.to_csv(args.output, index=False)
    print(f"wrote {len(df)} SYNTHETIC respondents to {ins.ref} to {args.output} (seed {args.seed})")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit.responses.core import read_responses

    r = read_responses(args.data, args.instrument, encoding=args.encoding)
    print(r.summary())
    out = Path(args.problems or f"{Path(args.data).stem}-problems.csv")
    if len(r.problems):
        r.problems.to_csv(out, index=False)
        with pd.option_context("display.width", 200, "display.max_colwidth", 90):
            print("\nfirst problems:")
            print(r.problems.head(10).to_string(index=False))
        print(f"\nall {len(r.problems)} problems written to {out}")
        return 1
    print("the data are clean")
    return 0


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
    )
    extra = ""
    if fmt == "codebook":
        extra = f" (and {path.with_suffix('.md').name}, {path.stem}-template.csv)"
    print(f"wrote {path}{extra}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from cxkit.errors import SpecificationError
    from cxkit.report.study import analyze

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
    start = time.perf_counter()
    study = analyze(
        data,
        ref,
        args.model,
        n_boot=args.bootstrap,
        seed=args.seed,
        exclude=args.exclude or (),
        progress=not args.quiet,
        estimator=args.estimator,
        ordered=args.ordered,
    )
    r = study.responses
    print(r.summary())
    out = study.write(Path(args.out))
    rel = study.reliability
    fit = (study.boot or study.fits[study.model]).fit_indices
    kind = "robust" if "cfi_robust" in fit else "scaled" if "shift_parameter" in fit else ""
    suffix = f"_{kind}" if kind else ""
    print(
        f"\nreliability: alpha {rel['alpha'].min():.2f}-{rel['alpha'].max():.2f}; model {study.model}: "
        f"{kind + ' ' if kind else ''}CFI {fit['cfi' + suffix]:.3f}, "
        f"{kind + ' ' if kind else ''}RMSEA {fit['rmsea' + suffix]:.3f}, SRMR {fit['srmr']:.3f}"
    )
    print(
        f"report: {out / 'report.html'} and {out / 'report.pdf'}; tables in {out / 'tables'}, figures in {out / 'figures'}"
    )
    print(f"done in {time.perf_counter() - start:.1f} s")
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
    from cxkit import __version__

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
    p.add_argument("--model", default="pyramid", choices=["direct", "second_order", "pyramid"])
    p.add_argument("--out", default="cx-report", help="output folder (default: cx-report)")
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
    p.add_argument("data", nargs="?", help="a CSV or XLSX file, item ids as columns")
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
    p.add_argument("data", nargs="?", help="a CSV or XLSX file, item ids as columns")
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


# --- cxkit power: sample size and power (cxkit.power) ------------------------------------------


def _write_atomic(path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _power_effect(args) -> dict:
    from cxkit.errors import SpecificationError

    if args.rmsea is None:
        raise SpecificationError(
            "--rmsea is needed: the population RMSEA to detect, e.g. --rmsea 0.05"
        )
    return {"rmsea": args.rmsea, "alpha": args.alpha, "rmsea0": args.rmsea0}


def _cmd_power_n(args: argparse.Namespace) -> int:
    from cxkit import power as cp

    n = cp.sample_size(args.df, power=args.power, **_power_effect(args))
    test = (
        "exact fit"
        if args.rmsea0 == 0
        else ("close fit" if args.rmsea > args.rmsea0 else "not-close fit")
    )
    print(
        f"N = {n}: the smallest sample with power {args.power:g} for the test of {test} "
        f"(RMSEA {args.rmsea:g} vs {args.rmsea0:g}, df {args.df:g}, alpha {args.alpha:g}; "
        f"power at N = {n}: {cp.power(n, args.df, **_power_effect(args)):.4f})"
    )
    return 0


def _cmd_power_power(args: argparse.Namespace) -> int:
    from cxkit import power as cp

    values = cp.power(args.n, args.df, **_power_effect(args))
    _print_frame(pd.DataFrame({"n": args.n, "power": list(pd.Series(values).round(4))}))
    return 0


def _cmd_power_rmsea(args: argparse.Namespace) -> int:
    from cxkit import power as cp

    e = cp.detectable_rmsea(
        args.n, args.df, power=args.power, alpha=args.alpha, rmsea0=args.rmsea0, below=args.below
    )
    print(
        f"RMSEA {e:.4f}: detected with power {args.power:g} at N = {args.n} "
        f"(df {args.df:g}, alpha {args.alpha:g}, H0 RMSEA {'>=' if args.below else '<='} {args.rmsea0:g})"
    )
    return 0


def _cmd_power_pls(args: argparse.Namespace) -> int:
    from cxkit import power as cp

    n = cp.pls_min_n(args.p_min, power=args.power, alpha=args.alpha, method=args.method)
    name = {"isr": "inverse square root", "gamma": "gamma-exponential"}[args.method]
    pmin = "unknown (.197)" if args.p_min is None else f"{args.p_min:g}"
    print(
        f"N = {n}: PLS-SEM minimum sample, Kock & Hadaya (2018) {name} method, smallest path {pmin}"
    )
    return 0


def _cmd_power_survey(args: argparse.Namespace) -> int:
    from cxkit import power as cp

    slovin = cp.slovin(args.population, margin=args.margin) if args.population else None
    lem = cp.lemeshow(args.population, margin=args.margin, p=args.p, confidence=args.confidence)
    print("SURVEY-PRECISION rules (the margin of error of a proportion; not the power of a model):")
    if slovin is not None:
        print(f"  Slovin: n = {slovin} (population {args.population}, margin {args.margin:g})")
    where = f"population {args.population}, " if args.population else ""
    print(
        f"  Lemeshow: n = {lem} ({where}p {args.p:g}, margin {args.margin:g}, {args.confidence:.0%})"
    )
    return 0


def _cmd_power_montecarlo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit import power as cp
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.sem import models

    ins = load_instrument(args.instrument) if args.instrument else None
    if args.population:
        path = Path(args.population)
        if not path.is_file():
            raise SpecificationError(
                f"--population {args.population!r} is not a file; give a file of lavaan syntax with values"
            )
        population = path.read_text(encoding="utf-8")
    elif ins is not None:
        population = ins
    else:
        raise SpecificationError(
            "give --instrument (its cxkit.simulate population) or --population FILE (lavaan syntax with values)"
        )
    if args.model in ("direct", "second_order", "pyramid"):
        if ins is None:
            raise SpecificationError(
                f"--model {args.model} is built from an instrument: give --instrument"
            )
        syntax = getattr(models, args.model)(ins)
    else:
        path = Path(args.model)
        if not path.is_file():
            raise SpecificationError(
                f"--model {args.model!r} is neither direct, second_order, pyramid nor a file with lavaan syntax"
            )
        syntax = path.read_text(encoding="utf-8")
    res = cp.monte_carlo(
        syntax,
        population,
        n=args.n,
        replications=args.replications,
        estimator=args.estimator,
        seed=args.seed,
        scheduler=args.scheduler,
        missing=args.missing,
        mechanism=args.mechanism,
        target=args.target,
        workers=args.workers,
        progress=not args.quiet,
    )
    print(res.summary())
    if args.out:
        _write_atomic(args.out, lambda tmp: res.table.to_csv(tmp, index=False))
        print(f"table: {args.out}")
    if args.figure:
        fig = res.plot()
        _write_atomic(args.figure, lambda tmp: fig.savefig(tmp, dpi=150))
        print(f"figure: {args.figure}")
    return 0


def _power_parser(sub: argparse._SubParsersAction) -> None:
    pw = sub.add_parser(
        "power", help="sample size and power: analytic (RMSEA), Monte Carlo, PLS rules"
    )
    psub = pw.add_subparsers(dest="action", metavar="ACTION")
    psub.required = True

    def analytic(p, n: bool, rmsea: bool = True):
        p.add_argument("--df", type=float, required=True, help="the model's degrees of freedom")
        if rmsea:
            p.add_argument("--rmsea", type=float, help="the population RMSEA to detect, e.g. 0.05")
        p.add_argument("--alpha", type=float, default=0.05)
        p.add_argument(
            "--rmsea0",
            type=float,
            default=0.0,
            help="RMSEA under H0: 0 exact fit, 0.05 close/not-close fit",
        )

    p = psub.add_parser(
        "n", help="the smallest N for a power (MacCallum et al., 1996; semPower's a-priori)"
    )
    analytic(p, n=False)
    p.add_argument("--power", type=float, default=0.80)
    p.set_defaults(func=_cmd_power_n)
    p = psub.add_parser("power", help="power of the RMSEA test at given sample sizes")
    analytic(p, n=True)
    p.add_argument("-n", type=int, nargs="+", required=True, help="sample size(s)")
    p.set_defaults(func=_cmd_power_power)
    p = psub.add_parser("rmsea", help="the RMSEA detected with a power at a sample size")
    analytic(p, n=True, rmsea=False)
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--power", type=float, default=0.80)
    p.add_argument(
        "--below", action="store_true", help="the not-close-fit test (RMSEA below rmsea0)"
    )
    p.set_defaults(func=_cmd_power_rmsea)
    p = psub.add_parser("pls-min-n", help="PLS-SEM minimum N (Kock & Hadaya, 2018)")
    p.add_argument(
        "--p-min", type=float, default=None, help="the smallest expected path (default: unknown)"
    )
    p.add_argument("--method", choices=["isr", "gamma"], default="isr")
    p.add_argument("--power", type=float, default=0.80)
    p.add_argument("--alpha", type=float, default=0.05)
    p.set_defaults(func=_cmd_power_pls)
    p = psub.add_parser("survey", help="survey-precision rules (Slovin, Lemeshow): not power")
    p.add_argument(
        "--population", type=int, default=None, help="number of customers (Slovin needs it)"
    )
    p.add_argument("--margin", type=float, default=0.05)
    p.add_argument("--p", type=float, default=0.5)
    p.add_argument("--confidence", type=float, default=0.95)
    p.set_defaults(func=_cmd_power_survey)
    p = psub.add_parser("montecarlo", help="Monte Carlo power of the model you will fit, on Dask")
    p.add_argument("--instrument", help="id@version: its cxkit.simulate population and CX models")
    p.add_argument(
        "--population", help="a file of lavaan syntax with values (instead of the instrument's)"
    )
    p.add_argument(
        "--model", default="pyramid", help="direct, second_order, pyramid or a lavaan-syntax file"
    )
    p.add_argument("-n", type=int, nargs="+", required=True, help="the sample sizes of the grid")
    p.add_argument("--replications", type=int, default=1000)
    p.add_argument("--estimator", type=str.upper, choices=["ML", "MLR", "WLSMV"], default="ML")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--scheduler",
        default=None,
        help="tcp://host:8786 (default: a local Dask cluster; 'serial': a loop)",
    )
    p.add_argument("--workers", type=int, default=None, help="processes of the local cluster")
    p.add_argument(
        "--missing", type=float, default=0.0, help="share of answers blanked (FIML fits)"
    )
    p.add_argument("--mechanism", choices=["MCAR", "MAR"], default="MCAR")
    p.add_argument(
        "--target", nargs="*", default=None, help="parameters to plan for, e.g. 'LOY ~ EC'"
    )
    p.add_argument("--out", help="write the table (CSV)")
    p.add_argument("--figure", help="write the power curve (PNG, PDF, SVG)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_power_montecarlo)


_EXTRA_COMMANDS.append(_power_parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (also used by the ``cxkit`` script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CxkitError as exc:
        print(f"cxkit: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("cxkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
