# PYTHON_ARGCOMPLETE_OK
"""The ``cxkit`` command: one entry point, subcommands.

::

    cxkit instruments list                  every instrument version in the registry
    cxkit instruments show REF [--lang id]  one instrument (id@version, bare id or a .yaml path)
    cxkit instruments diff REF REF          what changed between two versions
    cxkit instruments check                 validate every file; released files must match the lock
    cxkit instruments lock                  add newly released files to instruments/registry.lock
    cxkit render REF --lang id --store NAME -o kuesioner.pdf  questionnaires and fielding exports
                                            (pdf, html, xlsform, codebook; `cxkit print` is the same)
    cxkit analyze DATA -i REF --model pyramid -o DIR     the whole study and its report
    cxkit pilot DATA -i REF [-o DIR]        the pilot test: item validity, alpha, KMO, EFA
    cxkit validate DATA -i REF              read and check a responses file (exit 0 clean, 1 problems)
    cxkit reliability DATA -i REF           reliability, HTMT and Fornell–Larcker of the scales
    cxkit sem DATA -i REF --model pyramid   fit a CX model (or a lavaan-syntax file)
    cxkit simulate REF -n 400 --seed 1 -o out.csv     synthetic respondents
    cxkit power n|power|rmsea|pls-min-n|survey|montecarlo ...   sample size and power

The same option means the same everywhere: the instrument is ``-i/--instrument REF`` in every
subcommand (commands about an instrument also take it as their first argument), ``-o/--out`` is where
the output goes, ``--dataset`` a bundled data set instead of a file, ``--seed`` the random seed,
``--missing`` the missing-data method, ``--store`` the store's name put in place of ``{store}``.
    cxkit pls DATA --instrument REF --model pyramid --bootstrap 10000   PLS-SEM (SmartPLS-style tables)

A :class:`~cxkit.errors.CxkitError` is printed as ``cxkit: error: ...`` without a traceback; the exit code
is 2 for bad input and 1 for a failed analysis or check. Warnings print as ``cxkit: warning: ...``.
Shell completion: with argcomplete installed, ``eval "$(register-python-argcomplete cxkit)"``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cxkit.errors import CxkitError, SpecificationError

if TYPE_CHECKING:  # pandas loads only when a command needs it: --help and --version stay instant
    import pandas as pd

#: the file extensions each fielding format writes (the first is the default)
FORMAT_SUFFIXES = {
    "pdf": (".pdf",),
    "html": (".html", ".htm"),
    "xlsform": (".xlsx",),
    "gforms": (".gs", ".js"),
    "codebook": (".csv",),
}


def _print_frame(df: pd.DataFrame) -> None:
    import pandas as pd

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
    from cxkit.instrument import instruments_dir, list_instruments

    df = list_instruments()
    df["sha256"] = df["sha256"].str[:12]
    _print_frame(df)
    print(f"\nregistry: {instruments_dir()}")
    return 0


def _instrument_ref(args: argparse.Namespace, data=None, *, needed: bool = True) -> str | None:
    """The instrument the user named: first argument or ``-i/--instrument`` (or the data's own)."""
    given = [r for r in (getattr(args, "ref", None), getattr(args, "instrument", None)) if r]
    if len(set(given)) > 1:
        raise SpecificationError(
            f"two instruments named: {given[0]!r} and --instrument {given[1]!r}; name one"
        )
    ref = given[0] if given else getattr(data, "attrs", {}).get("instrument")
    if ref is None and needed:
        raise SpecificationError(
            "name the instrument the data were collected with: --instrument id@version "
            "(e.g. --instrument online-cx@2.0.0; `cxkit instruments list` shows them)"
        )
    return ref


def _cmd_instruments_show(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument

    ins = load_instrument(_instrument_ref(args))
    print(ins.summary(lang=args.lang, store=args.store))
    return 0


def _cmd_instruments_diff(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument, required_bump

    old, new = load_instrument(args.old), load_instrument(args.new)
    if old.id != new.id:
        raise SpecificationError(
            f"instruments diff compares two versions of one instrument, but {old.ref} and "
            f"{new.ref} are different instruments; name two versions of the same id, "
            f"e.g. cxkit instruments diff {old.id}@1.0.0 {old.id}@2.0.0"
        )
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
    import pandas as pd

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


def _load_data(args, example: str = "online-cx-demo") -> pd.DataFrame:
    """The DATA file or the bundled ``--dataset`` (exactly one of them). With --instrument, DATA is
    read as `validate` reads it (Google Forms / Kobo exports with question texts as headers and
    answer labels as values)."""
    from pathlib import Path

    from cxkit.datasets import DATASETS, load_dataset

    if (args.data is None) == (args.dataset is None):
        raise SpecificationError(
            f"give either a DATA file or --dataset NAME (e.g. --dataset {example})"
            + (", not both" if args.data is not None else "")
        )
    if args.dataset:
        if args.dataset not in DATASETS and Path(args.dataset).suffix:
            raise SpecificationError(
                f"--dataset names a bundled data set ({', '.join(DATASETS)}), not a file: "
                f"to read {args.dataset!r}, give it as DATA without --dataset"
            )
        return load_dataset(args.dataset)
    if getattr(args, "instrument", None):
        from cxkit.responses.core import read_responses

        _read_table(args.data)  # infinite numbers refused, naming column and row
        r = read_responses(args.data, args.instrument)
        if len(r.problems):
            print(
                f"cxkit: warning: {len(r.problems)} problems while reading {args.data} "
                "(cxkit validate lists them); affected answers are left blank",
                file=sys.stderr,
            )
            for message in r.problems["message"].drop_duplicates().head(5):
                print(f"cxkit: warning: {message}", file=sys.stderr)
        data = r.data.copy()
        data.attrs.update(r.instrument.provenance)
        return data
    return _read_table(args.data)


def _out_path(path: str, what: str):
    """``-o/--out`` as a Path whose folder exists (a clear error instead of a traceback)."""
    from pathlib import Path

    from cxkit._io import check_not_input

    out = check_not_input(Path(path))
    if not out.parent.is_dir():
        raise SpecificationError(
            f"-o/--out {path!r}: the folder {str(out.parent)!r} does not exist; create it first "
            f"(mkdir -p {out.parent}) or write the {what} elsewhere"
        )
    return out


def _cmd_reliability(args: argparse.Namespace) -> int:
    from cxkit.instrument import load_instrument
    from cxkit.measure import fornell_larcker, htmt, reliability
    from cxkit.report import reliability_table

    if args.group_factors is not None and not args.omega_h:
        raise SpecificationError(
            "--group-factors sets the group factors of --omega-h; add --omega-h, or leave it out"
        )
    data = _load_data(args)
    ins = load_instrument(_instrument_ref(args, data))
    keys = args.check_keys
    keys = False if keys is None else (keys or True)
    rel = reliability(data, ins, missing=args.missing, ordinal=args.ordinal, check_keys=keys)
    for construct, items in rel.attrs.get("check_keys", {}).items():
        print(
            f"{construct}: reversed (min + max) - x as psych::alpha(check.keys): {', '.join(items)}"
        )
    print(reliability_table(rel))
    if args.ordinal:
        print("\nOrdinal α and ω (polychoric):")
        _print_frame(rel[["alpha_ordinal", "omega_ordinal"]].round(3).reset_index())
    if args.omega_h:
        from cxkit.measure import omega_hierarchical

        # psych::omega reflects items loading negatively on g itself: no --check-keys needed
        om = omega_hierarchical(data, ins, n_factors=args.group_factors)
        print()
        print(om.summary())
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


def _p_text(p: float) -> str:
    """APA style: ``< .001``, else three decimals without the leading zero."""
    import math

    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "< .001" if p < 0.001 else f"{p:.3f}".lstrip("0")


def _sem_text(fit) -> str:
    """What `cxkit sem` prints: the fit's summary with APA p-values and a correct iteration count."""
    import pandas as pd

    pv = fit.provenance
    lines = fit.summary().splitlines()
    its = pv.get("iterations")
    if isinstance(its, int) and its > 0:
        count = f"{its} iteration{'s' if its != 1 else ''} of Fisher scoring"
        start = pv.get("start") or ""
        count += " after semopy's start values" if "semopy" in start else ""
    else:
        count = "iterations not counted by this estimator"
    lines[0] = (
        f"cxkit {pv.get('cxkit', '')} SEM — estimator {pv.get('estimator', 'ML')}, "
        f"{'converged' if fit.converged else 'NOT converged'} ({count})"
    )
    est = fit.estimates.copy()
    table = pd.DataFrame(
        {
            "param": est["lhs"] + " " + est["op"] + " " + est["rhs"],
            "label": est["label"].fillna(""),
            **{
                c: est[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
                for c in ("est", "se", "z")
            },
            "p": est["pvalue"].map(_p_text),
            "std_all": est["std_all"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
        }
    )
    if "group" in est:  # a multi-group fit: the group of every row (0 for := rows)
        table.insert(1, "group", est["group"].astype(int))
    # the summary's table starts after the first blank line following the fit lines
    blank = [i for i, line in enumerate(lines) if not line.strip()]
    keep = lines[: blank[1] + 1] if len(blank) > 1 else lines
    tail = [line for line in lines if line.startswith("R²:")]
    if "Constraints:" in [line.split("  ")[0] for line in lines]:  # lavaan's block, with |Slack|
        at = next(i for i, line in enumerate(lines) if line.startswith("Constraints:"))
        end = next((i for i in range(at, len(lines)) if not lines[i].strip()), len(lines))
        tail = [*lines[at:end], *([""] if tail else []), *tail]
    return "\n".join(keep + [table.to_string(index=False)] + (["", *tail] if tail else []))


def _check_model(syntax: str, n: int, columns) -> None:
    """Refuse, before fitting, what would give a nonsense fit: feedback loops, fewer rows than variables."""
    from cxkit.errors import AnalysisError
    from cxkit.sem.syntax import parse_model

    statements, _ = parse_model(syntax)
    edges: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], int] = {}
    for st in statements:
        if st.op == "~":
            for t in st.terms:
                edges.setdefault(t.name, set()).add(st.lhs)
                lines[(t.name, st.lhs)] = st.line

    def path(start, goal, seen=()):
        for nxt in edges.get(start, ()):
            if nxt == goal:
                return [start, nxt]
            if nxt not in seen:
                rest = path(nxt, goal, (*seen, nxt))
                if rest:
                    return [start, *rest]
        return None

    for a in sorted(edges):
        loop = path(a, a)
        if loop:
            shown = "; ".join(
                f"{b} ~ {x} (model line {lines[(x, b)]})"
                for x, b in zip(loop, loop[1:], strict=False)
            )
            raise SpecificationError(
                f"the model has a feedback loop: {shown}. cxkit fits recursive models only (each "
                "regression pointing one way); drop one direction of the loop"
            )
    observed = {t.name for st in statements for t in st.terms if t.name in set(map(str, columns))}
    observed |= {st.lhs for st in statements if st.lhs in set(map(str, columns))}
    if n <= len(observed):
        raise AnalysisError(
            f"n = {n} respondents for {len(observed)} observed variables: with no more rows than "
            "variables the covariance matrix is singular and no fit index means anything; CB-SEM "
            f"needs far more respondents than variables (a common floor: 200, or 10 per free parameter)"
        )


def _cmd_sem(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit import cx as models
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.responses.scoring import reverse_keyed
    from cxkit.sem import fit_sem

    data = _load_data(args)
    if args.model in ("direct", "second_order", "pyramid", "ecsi"):
        ins = load_instrument(_instrument_ref(args, data))
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
    _check_model(syntax, len(data), data.columns)
    equal = [k.strip() for k in (args.group_equal or "").split(",") if k.strip()]
    options = dict(missing=args.missing, estimator=args.estimator, group=args.group)
    options["group_equal"] = equal
    if args.growth:  # lavaan's growth(): observed intercepts 0, latent means free
        from cxkit.sem import fit_growth

        if args.ordered:
            raise SpecificationError(
                "--growth with --ordered is not available (lavaan's growth() of ordinal "
                "indicators); fit the growth model on the item scores"
            )
        fit = fit_growth(syntax, data, **options)
    else:
        fit = fit_sem(
            syntax,
            data,
            ordered=True if args.ordered else None,
            parameterization=args.parameterization,
            **options,
        )
    print(_sem_text(fit))
    if getattr(args, "fit_measures", "reviewer") == "all":
        print("\n" + _fit_measures_text(fit))
    if args.residual_summary:
        print(
            "\nResidual summaries (lavaan's lavResiduals(fit)$summary; u = bias-corrected, 90% CI,"
        )
        print("close fit H0: u ≤ .05):")
        _print_frame(fit.residual_summary().round(4).reset_index())
    if args.reliability:
        _print_model_reliability(fit)
    return 0


def _fit_measures_text(fit) -> str:
    """lavaan's fitMeasures(fit) list, one measure a line, and cxkit's χ²/df."""
    fm = fit.fit_measures("all")
    width = max(len(k) for k in fm.index)
    lines = ["Fit measures (lavaan's fitMeasures(fit) names):"]
    for k, v in fm.items():
        text = "NA" if v != v else (f"{v:.0f}" if float(v).is_integer() else f"{v:.6g}")
        lines.append(f"  {k:<{width}}  {text}")
    ratio = fit.fit_indices["chisq_df"]
    lines.append(
        f"  {'chisq/df':<{width}}  {'NA' if ratio != ratio else f'{ratio:.6g}'}  (cxkit's χ²/df)"
    )
    return "\n".join(lines)


def _print_model_reliability(fit) -> None:
    """compRelSEM with the observed and the model-implied denominator, α, and reliabilityL2 of
    every higher-order factor of the model."""
    import pandas as pd

    from cxkit.measure import composite_reliability, higher_order_reliability

    pt = fit.partable
    higher = sorted({r.lhs for r in pt.rows if r.op == "=~" and r.rhs in pt.lv})
    ordinal = fit.options.estimator == "WLSMV"
    # an ordinal fit's higher-order ω exists on the latent-response scale only (ord.scale = FALSE)
    kw = {"ord_scale": False} if ordinal and higher else {}
    omega = composite_reliability(fit, higher=higher, **kw)
    table = pd.DataFrame(
        {
            "omega": omega,
            "omega_model": composite_reliability(fit, obs_var=False, higher=higher, **kw),
            "alpha": composite_reliability(fit, tau_eq=True, **kw),
        }
    ).reindex(omega.index)
    scale = ""
    if ordinal:
        scale = "; latent-response scale" if kw else "; ordinal: Green & Yang's categorical omega"
    print(f"\nComposite reliability (semTools::compRelSEM; omega_model: obs.var = FALSE{scale}):")
    _print_frame(table.round(3).reset_index())
    for f in higher:
        l2 = higher_order_reliability(fit, f)
        print(
            f"{f} (second order, semTools::reliabilityL2): omega_L1 {l2['omega_l1']:.3f}, "
            f"omega_L2 {l2['omega_l2']:.3f}, partial omega_L1 {l2['partial_omega_l1']:.3f}"
        )


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


def _cmd_pls(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit import cx as models
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument
    from cxkit.pls import fit_pls

    data = _load_data(args)
    ref = args.instrument or data.attrs.get("instrument")
    ins = load_instrument(ref) if ref else None
    if args.model in ("direct", "second_order", "pyramid", "ecsi"):
        if ins is None:
            raise SpecificationError("--instrument is needed to build the model (id@version)")
        syntax = getattr(models, args.model)(ins)
    else:
        path = Path(args.model)
        if not path.is_file():
            raise SpecificationError(
                f"--model {args.model!r} is neither direct, second_order, pyramid, ecsi nor a "
                "file with lavaan syntax"
            )
        syntax = path.read_text(encoding="utf-8")
    if args.bootstrap < 0:
        raise SpecificationError(f"--bootstrap {args.bootstrap} is not accepted; use 0 or more")
    print("model:\n" + "\n".join("  " + line for line in syntax.splitlines()) + "\n")
    fit = fit_pls(
        syntax,
        data,
        scheme=args.scheme,
        consistent=args.consistent,
        missing=args.missing,
        constructs=ins,
        hoc=args.hoc,
    )
    if args.bootstrap:
        fit = fit.bootstrap(args.bootstrap, seed=args.seed)
    print(fit.summary())
    if args.report:
        from cxkit.report.pls import write_pls_report

        print(f"\nreport written: {write_pls_report(fit, args.report, args.lang)}")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from cxkit._io import check_not_input, write_csv
    from cxkit.instrument import load_instrument
    from cxkit.simulate import simulate

    ins = load_instrument(_instrument_ref(args))
    out = check_not_input(_out_path(args.out, "synthetic data"))
    df = simulate(ins, args.n, seed=args.seed, careless=args.careless, missing=args.blank)
    write_csv(df, out, index=False)
    print(f"wrote {len(df)} SYNTHETIC respondents to {ins.ref} to {out} (seed {args.seed})")
    return 0


def _reading_options(p: argparse.ArgumentParser) -> None:
    """How to read a responses file: shared by `validate` and `analyze`."""
    p.add_argument("--encoding", help="the CSV encoding, when detection is not enough")
    p.add_argument(
        "--sheet",
        help="the sheet of an .xlsx file: a name or a number counted from 0 (default: the first)",
    )
    p.add_argument(
        "--skip-rows",
        type=int,
        default=0,
        metavar="N",
        help="rows above the header to skip (a title row: 1)",
    )
    p.add_argument(
        "--map",
        metavar="FILE",
        help="your own column codes → item ids: a .csv (column,item) or .yaml file (X1.1: EC1)",
    )


def _read(args: argparse.Namespace, data):
    """The Responses of DATA (or of the bundled data set) with the reading options."""
    from cxkit.responses.core import read_responses

    source = args.data if args.data is not None else data
    return read_responses(
        source,
        _instrument_ref(args, data),
        encoding=args.encoding,
        sheet=args.sheet,
        skip_rows=args.skip_rows,
        column_map=args.map,
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit._io import check_not_input, write_csv

    stem = Path(args.data).stem if args.data else args.dataset
    out = check_not_input(_out_path(args.out or f"{stem}-problems.csv", "problems file"))
    data = _load_data(args) if args.dataset is not None else None
    if args.data is None and data is None:
        _load_data(args)
    r = _read(args, data)
    print(r.summary())
    if len(r.problems):
        import pandas as pd

        write_csv(r.problems, out, index=False)
        with pd.option_context("display.width", 200, "display.max_colwidth", 90):
            print("\nfirst problems:")
            print(r.problems.head(10).to_string(index=False))
        print(f"\nall {len(r.problems)} problems written to {out}")
        return 1
    print("the data are clean")
    return 0


def format_for(path: str | None, fmt: str | None) -> str:
    """The fielding format: ``--format``, else the output's extension; the two must agree."""
    from pathlib import Path

    suffix = Path(path).suffix.lower() if path else ""
    by_suffix = {s: f for f, suffixes in FORMAT_SUFFIXES.items() for s in suffixes}
    accepted = ", ".join(f"{f} {'/'.join(x)}" for f, x in FORMAT_SUFFIXES.items())
    if fmt is None:
        if not path:
            return "pdf"
        if suffix not in by_suffix:
            raise SpecificationError(
                f"-o/--out {path!r}: cannot tell the format from {suffix or 'no extension'!r}; "
                f"give --format or one of the extensions ({accepted})"
            )
        return by_suffix[suffix]
    if path and suffix not in FORMAT_SUFFIXES[fmt]:
        raise SpecificationError(
            f"-o/--out {path!r}: --format {fmt} writes {' or '.join(FORMAT_SUFFIXES[fmt])} files, "
            f"not {suffix or 'a file without extension'}; e.g. -o "
            f"{Path(path).with_suffix(FORMAT_SUFFIXES[fmt][0]).name}"
        )
    return fmt


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
    from cxkit.render import render

    ref = _instrument_ref(args)
    if args.store is None:
        _warn_store(ref, args.lang)
    if args.out:
        _out_path(args.out, "questionnaire")
    fmt = format_for(args.out, args.format)
    path = render(
        ref,
        fmt,
        args.out,
        lang=args.lang,
        store=args.store,
        paper=args.paper,
        order="shuffled" if args.shuffle else "defined",
        seed=args.seed if args.shuffle else None,
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


def _cmd_pilot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cxkit.study import pilot

    data = _load_data(args) if args.dataset is not None or args.data is None else args.data
    ref = _instrument_ref(args, data if not isinstance(data, str) else None)
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
        f"\nKMO {k['overall']:.3f}; Bartlett chi2({b['df']:.0f}) = {b['chisq']:.2f}, "
        f"p = {b['pvalue']:.3g}"
    )
    print("\nEFA (minres, varimax):")
    _print_frame(p.pilot["efa"].round(3).reset_index())
    if args.out:
        out = p.write(Path(args.out), force=args.force)
        print(f"\nreport: {out / 'report.html'}, report.pdf, report.docx, report.xlsx")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from cxkit.errors import AnalysisError
    from cxkit.study import MODELS, analyze

    data = _load_data(args) if args.dataset is not None or args.data is None else None
    ref = _instrument_ref(args, data)
    model = args.model
    if model not in MODELS and not Path(model).is_file():
        raise SpecificationError(
            f"--model {model!r} is neither {', '.join(MODELS)} nor a file with lavaan syntax"
        )
    from cxkit._io import OutputFolder

    OutputFolder.check(args.out, force=args.force)  # before the analysis, not after it
    start = time.perf_counter()
    responses = _read(args, data)
    measured = [i.id for i in responses.instrument.items if i.role == "measure"]
    if len(responses.data) <= len(measured):
        raise AnalysisError(
            f"n = {len(responses.data)} respondents for {len(measured)} measure items of "
            f"{responses.instrument.ref}: with no more respondents than items reliability and SEM "
            "mean nothing; collect far more answers (a common floor: 200) before cxkit analyze"
        )
    study = analyze(
        responses,
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
        approach=args.approach,
    )
    r = study.responses
    print(r.summary())
    for w in study.warnings:
        print(f"cxkit: warning: {w}", file=sys.stderr)
    out = study.write(Path(args.out), force=args.force)
    rel = study.reliability
    h = study.hypotheses
    from cxkit._io import written_files

    written = written_files(out)
    if study.pls is not None:
        pls = study.pls
        r2 = ", ".join(f"{k} {v:.3f}" for k, v in pls.r_squared.items())
        print(
            f"\nreliability: alpha {rel['alpha'].min():.2f}-{rel['alpha'].max():.2f}; PLS model "
            f"{study.model} ({pls.provenance['method']}, {pls.provenance['scheme']} scheme): "
            f"R² {r2}; SRMR {pls.fit_indices['srmr']:.3f}"
        )
        print(f"hypotheses: {int(h['supported'].sum())} of {len(h)} supported")
    else:
        fit = study.chosen.fit_indices
        kind = "robust" if "cfi_robust" in fit else "scaled" if "shift_parameter" in fit else ""
        suffix = f"_{kind}" if kind else ""
        print(
            f"\nreliability: alpha {rel['alpha'].min():.2f}-{rel['alpha'].max():.2f}; model {study.model}: "
            f"{kind + ' ' if kind else ''}CFI {fit['cfi' + suffix]:.3f}, "
            f"{kind + ' ' if kind else ''}RMSEA {fit['rmsea' + suffix]:.3f}, SRMR {fit['srmr']:.3f}"
        )
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


# -- the parser ------------------------------------------------------------------------------------


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with every option's default shown, and the examples in the epilog kept as written."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and "default" not in text
            and default is not None
            and default is not argparse.SUPPRESS
            and not isinstance(default, bool)
        ):
            shown = " ".join(default) if isinstance(default, list | tuple) else default
            text += f" (default: {shown})"
        return text


def _command(sub, name: str, help_text: str, example: str, **kw) -> argparse.ArgumentParser:
    """A subcommand whose help ends with an example."""
    return sub.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog="example:\n  " + example.replace("\n", "\n  "),
        formatter_class=_Formatter,
        **kw,
    )


REF_HELP = "the instrument: id@version, a bare id (its newest release) or a path to a .yaml file"


def _instrument_option(p: argparse.ArgumentParser, *, subject: bool = False) -> None:
    """``-i/--instrument REF``; where the instrument is the command's subject, also its first argument."""
    if subject:
        p.add_argument("ref", nargs="?", metavar="REF", help=REF_HELP)
    p.add_argument(
        "-i",
        "--instrument",
        metavar="REF",
        help=REF_HELP + ("" if subject else "; bundled data sets know theirs"),
    )


def _data_options(p: argparse.ArgumentParser, datasets: str = "online-cx-demo, satisfaction"):
    p.add_argument(
        "data",
        nargs="?",
        help="the answers: CSV (any separator/locale), XLSX, SPSS .sav, Kobo or Google Forms export",
    )
    p.add_argument(
        "--dataset", metavar="NAME", help=f"a bundled data set instead of a file ({datasets})"
    )
    _instrument_option(p)


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="NAME", help="the store's name, put in place of {store}")


def _seed_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--seed", type=int, default=1, help=f"random seed of {what}")


def _estimation_options(p: argparse.ArgumentParser, all_estimators: bool = False) -> None:
    """--estimator and --ordered, shared by `cxkit sem` and `cxkit analyze` (`cxkit sem` offers
    every continuous estimator of the engine)."""
    if all_estimators:
        choices = ["ML", "MLR", "MLM", "ULS", "GLS", "WLS", "DWLS"]
        text = (
            "MLR: robust (Huber-White) SEs, Yuan-Bentler chi-square; MLM: Satorra-Bentler; "
            "ULS, GLS, WLS (ADF), DWLS: least squares (lavaan's settings for each)"
        )
    else:
        choices = ["ML", "MLR"]
        text = "MLR: robust standard errors, scaled chi-square, robust CFI/TLI/RMSEA"
    p.add_argument("--estimator", default="ML", type=str.upper, choices=choices, help=text)
    p.add_argument(
        "--ordered",
        action="store_true",
        help="treat the Likert items as ordinal: polychoric correlations, WLSMV",
    )


class _VersionAction(argparse.Action):
    """``--version``: reads the installed version only when asked (``--help`` stays instant)."""

    def __init__(
        self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None
    ):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from cxkit import __version__

        print(f"cxkit {__version__}")
        parser.exit()


class _Moved(argparse.Action):
    """An option that now has another name: a clear error saying which."""

    def __init__(self, option_strings, dest, use: str = "", **kw):
        self.use = use
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs="?", help=argparse.SUPPRESS)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} {self.use}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="cxkit",
        description="Online-store CX questionnaire research: instruments, data checks, reliability, SEM.",
        epilog="example:\n  cxkit analyze --dataset online-cx-demo -o cx-report\n\n"
        "`cxkit COMMAND --help` shows each command's options and an example.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="print cxkit's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ins = _command(
        sub,
        "instruments",
        "list, show, diff, check and lock the versioned questionnaires",
        "cxkit instruments show online-cx@2.0.0 --lang id --store 'Toko Contoh'",
    )
    isub = ins.add_subparsers(dest="action", metavar="ACTION")
    isub.required = True
    p = _command(isub, "list", "every instrument version in the registry", "cxkit instruments list")
    p.set_defaults(func=_cmd_instruments_list)
    p = _command(
        isub,
        "show",
        "one instrument: constructs, items, scales",
        "cxkit instruments show online-cx@2.0.0 --lang id --store 'Toko Contoh'",
    )
    _instrument_option(p, subject=True)
    p.add_argument("--lang", default="en", help="language of the texts")
    _store_option(p)
    p.set_defaults(func=_cmd_instruments_show)
    p = _command(
        isub,
        "diff",
        "what changed between two versions of one instrument",
        "cxkit instruments diff online-cx@1.0.0 online-cx@2.0.0",
    )
    p.add_argument("old", metavar="OLD", help="the earlier version (id@version or path)")
    p.add_argument("new", metavar="NEW", help="the later version (id@version or path)")
    p.set_defaults(func=_cmd_instruments_diff)
    p = _command(
        isub,
        "check",
        "validate every file; released files must match registry.lock",
        "cxkit instruments check",
    )
    p.set_defaults(func=_cmd_instruments_check)
    p = _command(
        isub,
        "lock",
        "add newly released files to registry.lock (never changes an entry)",
        "cxkit instruments lock",
    )
    p.set_defaults(func=_cmd_instruments_lock)

    p = _command(
        sub,
        "render",
        "a questionnaire or fielding export: pdf, html, xlsform (KoboToolbox/ODK), gforms (Google Forms), codebook",
        "cxkit render online-cx@2.0.0 --lang id --store 'Toko Contoh' -o kuesioner.pdf\n"
        "cxkit render online-cx@2.0.0 --format xlsform -o online-cx.xlsx\n"
        "cxkit render online-cx@2.0.0 --format gforms --store 'Toko Contoh' -o form.gs",
        aliases=["print"],
    )
    _instrument_option(p, subject=True)
    p.add_argument(
        "-o",
        "--out",
        "--output",
        dest="out",
        metavar="FILE",
        help="the file to write; its extension picks the format when --format is not given "
        "(default: <id>-<version>-<lang>.pdf here)",
    )
    p.add_argument(
        "--format",
        choices=list(FORMAT_SUFFIXES),
        default=None,
        help="the format; must agree with the extension of -o (default: from -o, else pdf)",
    )
    p.add_argument("--lang", default="en", help="language of the printed texts")
    _store_option(p)
    p.add_argument("--paper", default="a4", choices=["a4", "letter"], help="paper size")
    p.add_argument(
        "--shuffle",
        action="store_true",
        help="shuffle the items within sections (with --seed; the order code S<seed> is printed)",
    )
    _seed_option(p, "--shuffle")
    p.add_argument("--omit", nargs="*", metavar="SECTION", help="section ids to leave out")
    p.add_argument(
        "--force",
        action="store_true",
        help="codebook: replace existing .md/-template.csv files that cxkit did not write",
    )
    p.set_defaults(func=_cmd_render)

    p = _command(
        sub,
        "analyze",
        "the whole study: data checks, reliability, SEM, report (HTML, PDF)",
        "cxkit analyze answers.csv -i online-cx@2.0.0 --model pyramid -o cx-report\n"
        "cxkit analyze answers.csv -i online-cx@2.0.0 --approach pls --lang id -o pls-report",
    )
    _data_options(p, "online-cx-demo")
    p.add_argument(
        "--model",
        default="pyramid",
        help="direct, second_order, pyramid (the three are compared) or a file of lavaan syntax "
        "(hypotheses as '# H1: OE -> EC' comments)",
    )
    p.add_argument(
        "-o",
        "--out",
        default="cx-report",
        metavar="DIR",
        help="output folder: new, empty, or made by cxkit before",
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
    p.add_argument(
        "--approach",
        default="cb",
        choices=["cb", "pls"],
        help="cb: covariance-based SEM (lavaan's estimators, the CX models compared); pls: PLS-SEM "
        "as SmartPLS reports it (loadings, α/ρA/ρC/AVE, HTMT, VIF, R², f², Q²predict, bootstrap "
        "hypothesis tests) for the chosen model",
    )
    _store_option(p)
    p.add_argument("--lang", default="en", choices=["en", "id"], help="language of the report")
    p.add_argument("--segment", help="a demographic item for NPS by segment (default: MARKET)")
    p.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for the intervals of indirect effects (0: none)",
    )
    _seed_option(p, "the bootstrap")
    p.add_argument(
        "--exclude",
        nargs="*",
        metavar="FLAG",
        help="exclude respondents with these quality flags, e.g. attention_failed",
    )
    _reading_options(p)
    _estimation_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_analyze)

    p = _command(
        sub,
        "pilot",
        "the pilot test: item validity (r against the critical r), alpha, KMO, Bartlett, EFA",
        "cxkit pilot pilot.csv -i online-cx@2.0.0 --lang id -o pilot-report",
    )
    _data_options(p, "online-cx-demo")
    p.add_argument("--drop-items", metavar="ITEMS", help="items left out, comma-separated")
    p.add_argument("--lang", default="en", choices=["en", "id"], help="language of the report")
    p.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="also write the pilot report (HTML, PDF, DOCX, XLSX) here: a new or empty folder, "
        "or one made by cxkit before",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into an existing folder cxkit did not make (same-named files replaced)",
    )
    p.set_defaults(func=_cmd_pilot)

    p = _command(
        sub,
        "validate",
        "check a responses file against its instrument; problems to CSV",
        "cxkit validate export.csv -i online-cx@2.0.0 -o problems.csv",
    )
    _data_options(p, "online-cx-demo")
    p.add_argument(
        "-o",
        "--out",
        "--problems",
        dest="out",
        metavar="FILE",
        help="where to write the problems (default: <data>-problems.csv here)",
    )
    _reading_options(p)
    p.set_defaults(func=_cmd_validate)

    p = _command(
        sub,
        "reliability",
        "reliability and discriminant validity of a data set's scales",
        "cxkit reliability --dataset satisfaction",
    )
    _data_options(p, "satisfaction, online-cx-demo")
    p.add_argument(
        "--missing",
        default="listwise",
        choices=["listwise", "pairwise"],
        help="missing answers: drop incomplete rows, or use every pair of items",
    )
    p.add_argument(
        "--ordinal", action="store_true", help="also ordinal α and ω from polychoric correlations"
    )
    p.add_argument(
        "--check-keys",
        nargs="*",
        metavar="ITEM",
        help="reverse the items that correlate negatively with their scale (no ITEM: every one "
        "psych::alpha(check.keys = TRUE) would reverse; else the items named)",
    )
    p.add_argument(
        "--omega-h",
        action="store_true",
        help="also hierarchical ω, ω total and ECV of all items (Schmid–Leiman, psych::omega)",
    )
    p.add_argument(
        "--group-factors",
        type=int,
        metavar="K",
        help="group factors for --omega-h (default: the number of constructs)",
    )
    p.set_defaults(func=_cmd_reliability)

    p = _command(
        sub,
        "sem",
        "fit a CFA/SEM (a CX model from the instrument, or lavaan syntax)",
        "cxkit sem --dataset online-cx-demo --model pyramid --estimator MLR",
    )
    _data_options(p)
    p.add_argument(
        "--model",
        default="pyramid",
        help="direct, second_order, pyramid, ecsi, or a file of lavaan syntax",
    )
    p.add_argument(
        "--missing",
        default="listwise",
        choices=["listwise", "fiml", "pairwise"],
        help="missing answers: drop incomplete rows, full-information ML, or (with --ordered) "
        "pairwise-complete polychoric correlations",
    )
    _estimation_options(p, all_estimators=True)
    p.add_argument(
        "--fit-measures",
        default="reviewer",
        choices=["reviewer", "all"],
        help="after the summary: the reviewer set (GFI, AGFI, NFI, IFI, chi2/df, ...) or 'all' of "
        "lavaan's fitMeasures(fit)",
    )
    p.add_argument(
        "--growth",
        action="store_true",
        help="a latent growth model with lavaan's growth() defaults: observed intercepts fixed at "
        "0, latent means free (--model FILE with i =~ 1*t1 + 1*t2 ... and s =~ 0*t1 + 1*t2 ...)",
    )
    p.add_argument(
        "--residual-summary",
        action="store_true",
        help="also SRMR, CRMR and RMR with standard errors and tests of exact and close fit "
        "(lavResiduals summary)",
    )
    p.add_argument(
        "--reliability",
        action="store_true",
        help="also composite reliability of the model's factors, observed and model-implied, and "
        "of higher-order factors (semTools compRelSEM, reliabilityL2)",
    )
    p.add_argument("--group", help="a column whose values define groups (multi-group model)")
    p.add_argument(
        "--group-equal",
        metavar="KINDS",
        help="with --group: parameters held equal across groups, comma-separated (lavaan's "
        "group.equal: loadings, intercepts, thresholds (ordered), ...)",
    )
    p.add_argument(
        "--parameterization",
        default="delta",
        choices=["delta", "theta"],
        help="with --ordered: lavaan's parameterization of the y* scale (the same fit)",
    )
    p.set_defaults(func=_cmd_sem)

    p = _command(
        sub,
        "simulate",
        "write synthetic respondents from the documented population model",
        "cxkit simulate online-cx@2.0.0 -n 400 --seed 1 -o synthetic.csv",
    )
    _instrument_option(p, subject=True)
    p.add_argument("-n", type=int, default=400, help="number of respondents")
    _seed_option(p, "the simulation")
    p.add_argument("--careless", type=float, default=0.0, help="share of careless respondents")
    p.add_argument(
        "--blank",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of Likert answers left blank",
    )
    p.add_argument(
        "--missing",
        action=_Moved,
        use="is the missing-data method in cxkit; the share of blank answers is --blank SHARE",
    )
    p.add_argument(
        "-o",
        "--out",
        "--output",
        dest="out",
        default="simulated.csv",
        metavar="FILE",
        help="the CSV to write",
    )
    p.set_defaults(func=_cmd_simulate)

    p = _command(
        sub,
        "pls",
        "fit a PLS path model (a CX model from the instrument, or lavaan syntax), SmartPLS-style",
        "cxkit pls --dataset online-cx-demo --model pyramid --bootstrap 10000 --report pls.html",
    )
    _data_options(p)
    p.add_argument(
        "--model",
        default="pyramid",
        help="direct, second_order, pyramid, ecsi, or a file of lavaan syntax (=~, <~, ~, :=; "
        "F:G for an interaction)",
    )
    p.add_argument(
        "--scheme",
        default="path",
        choices=["path", "factorial", "centroid"],
        help="the inner weighting scheme",
    )
    p.add_argument("--consistent", action="store_true", help="consistent PLS (PLSc)")
    p.add_argument(
        "--hoc",
        default="repeated",
        choices=["repeated", "two_stage"],
        help="higher-order constructs (a block of constructs) by repeated indicators or two-stage",
    )
    p.add_argument(
        "--missing",
        default="listwise",
        choices=["listwise", "mean"],
        help="rows with a missing answer dropped, or answers replaced by the item mean",
    )
    p.add_argument("--bootstrap", type=int, default=0, metavar="N", help="bootstrap resamples")
    _seed_option(p, "the bootstrap")
    p.add_argument("--report", metavar="FILE.html", help="write the SmartPLS-style report (HTML)")
    p.add_argument("--lang", default="en", choices=["en", "id"], help="report language")
    p.set_defaults(func=_cmd_pls)

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
    for name in ("careless", "blank"):
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


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as ``cxkit: warning: ...``, not Python's ``file:line: Category:`` format."""
    print(f"cxkit: warning: {message}", file=sys.stderr if file is None else file)


# --- cxkit power: sample size and power (cxkit.power) ------------------------------------------


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
    import pandas as pd

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

    from cxkit import cx as models
    from cxkit import power as cp
    from cxkit.errors import SpecificationError
    from cxkit.instrument import load_instrument

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
        missing=args.blank,
        mechanism=args.mechanism,
        target=args.target,
        workers=args.workers,
        progress=not args.quiet,
    )
    print(res.summary())
    if args.out:
        from pathlib import Path

        from cxkit._io import write_csv

        Path(args.out).parent.mkdir(parents=True, exist_ok=True)  # as before: folders made
        write_csv(res.table, args.out, index=False)
        print(f"table: {args.out}")
    if args.figure:
        import io
        from pathlib import Path

        from cxkit._io import write_bytes

        fig = res.plot()
        buf = io.BytesIO()
        fig.savefig(buf, dpi=150, format=Path(args.figure).suffix.lstrip(".").lower() or "png")
        Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
        write_bytes(args.figure, buf.getvalue())
        print(f"figure: {args.figure}")
    return 0


def _power_parser(sub: argparse._SubParsersAction) -> None:
    pw = _command(
        sub,
        "power",
        "sample size and power: analytic (RMSEA), Monte Carlo, PLS rules",
        "cxkit power n --df 198 --rmsea 0.05",
    )
    psub = pw.add_subparsers(dest="action", metavar="ACTION")
    psub.required = True

    def analytic(p, n: bool, rmsea: bool = True):
        p.add_argument("--df", type=float, required=True, help="the model's degrees of freedom")
        if rmsea:
            p.add_argument("--rmsea", type=float, help="the population RMSEA to detect, e.g. 0.05")
        p.add_argument("--alpha", type=float, default=0.05, help="significance level")
        p.add_argument(
            "--rmsea0",
            type=float,
            default=0.0,
            help="RMSEA under H0: 0 exact fit, 0.05 close/not-close fit",
        )

    p = _command(
        psub,
        "n",
        "the smallest N for a power (MacCallum et al., 1996; semPower's a-priori)",
        "cxkit power n --df 50 --rmsea 0.05",
    )
    analytic(p, n=False)
    p.add_argument("--power", type=float, default=0.80, help="the power wanted")
    p.set_defaults(func=_cmd_power_n)
    p = _command(
        psub,
        "power",
        "power of the RMSEA test at given sample sizes",
        "cxkit power power --df 50 --rmsea 0.05 -n 200 300",
    )
    analytic(p, n=True)
    p.add_argument("-n", type=int, nargs="+", required=True, help="sample size(s)")
    p.set_defaults(func=_cmd_power_power)
    p = _command(
        psub,
        "rmsea",
        "the RMSEA detected with a power at a sample size",
        "cxkit power rmsea --df 50 -n 300",
    )
    analytic(p, n=True, rmsea=False)
    p.add_argument("-n", type=int, required=True, help="the sample size")
    p.add_argument("--power", type=float, default=0.80, help="the power wanted")
    p.add_argument(
        "--below", action="store_true", help="the not-close-fit test (RMSEA below rmsea0)"
    )
    p.set_defaults(func=_cmd_power_rmsea)
    p = _command(
        psub,
        "pls-min-n",
        "PLS-SEM minimum N (Kock & Hadaya, 2018)",
        "cxkit power pls-min-n --p-min 0.2",
    )
    p.add_argument(
        "--p-min", type=float, default=None, help="the smallest expected path (default: unknown)"
    )
    p.add_argument(
        "--method",
        choices=["isr", "gamma"],
        default="isr",
        help="inverse square root or gamma-exponential",
    )
    p.add_argument("--power", type=float, default=0.80, help="the power wanted")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level")
    p.set_defaults(func=_cmd_power_pls)
    p = _command(
        psub,
        "survey",
        "survey-precision rules (Slovin, Lemeshow): not power",
        "cxkit power survey --population 20000",
    )
    p.add_argument(
        "--population", type=int, default=None, help="number of customers (Slovin needs it)"
    )
    p.add_argument("--margin", type=float, default=0.05, help="margin of error")
    p.add_argument("--p", type=float, default=0.5, help="expected proportion (Lemeshow)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level")
    p.set_defaults(func=_cmd_power_survey)
    p = _command(
        psub,
        "montecarlo",
        "Monte Carlo power of the model you will fit, on Dask",
        "cxkit power montecarlo -i online-cx@2.0.0 --model pyramid -n 200 400 --replications 100",
    )
    _instrument_option(p)
    p.add_argument(
        "--population", help="a file of lavaan syntax with values (instead of the instrument's)"
    )
    p.add_argument(
        "--model", default="pyramid", help="direct, second_order, pyramid or a lavaan-syntax file"
    )
    p.add_argument("-n", type=int, nargs="+", required=True, help="the sample sizes of the grid")
    p.add_argument("--replications", type=int, default=1000, help="samples drawn per N")
    p.add_argument(
        "--estimator",
        type=str.upper,
        choices=["ML", "MLR", "WLSMV"],
        default="ML",
        help="the estimator the study will use",
    )
    _seed_option(p, "the Monte Carlo draws")
    p.add_argument(
        "--scheduler",
        default=None,
        help="tcp://host:8786 (default: a local Dask cluster; 'serial': a loop)",
    )
    p.add_argument("--workers", type=int, default=None, help="processes of the local cluster")
    p.add_argument("--blank", type=float, default=0.0, help="share of answers blanked (FIML fits)")
    p.add_argument(
        "--mechanism", choices=["MCAR", "MAR"], default="MCAR", help="how answers go missing"
    )
    p.add_argument(
        "--target", nargs="*", default=None, help="parameters to plan for, e.g. 'LOY ~ EC'"
    )
    p.add_argument("-o", "--out", metavar="FILE", help="write the table (CSV)")
    p.add_argument("--figure", help="write the power curve (PNG, PDF, SVG)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_power_montecarlo)


_EXTRA_COMMANDS.append(_power_parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (also used by the ``cxkit`` script)."""
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # pragma: no cover - shell completion, when installed
        try:
            import argcomplete

            argcomplete.autocomplete(parser)
        except ImportError:
            pass
    args = parser.parse_args(argv)
    from cxkit._io import as_cxkit_error, protect  # after --help and --version: they stay quick

    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
