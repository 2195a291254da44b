"""``fit_pls``: data checks, the PLS-PM (or PLSc) fit and every assessment table.

>>> import cxkit
>>> from cxkit.datasets import load_dataset
>>> df = load_dataset("satisfaction")
>>> res = cxkit.fit_pls('''
... IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
... SAT =~ sat1 + sat2 + sat3 + sat4
... LOY =~ loy1 + loy2 + loy3 + loy4
... SAT ~ IMAG
... LOY ~ IMAG + SAT
... ''', df)
>>> res.paths[["lhs", "op", "rhs"]].values.tolist()
[['SAT', '~', 'IMAG'], ['LOY', '~', 'IMAG'], ['LOY', '~', 'SAT']]
>>> bool(res.converged)
True
"""

from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd

from cxkit._params import as_frame, check_option, data_sha256, instrument_attrs
from cxkit._version import __version__
from cxkit.errors import DataWarning, ModelError, ModelWarning, ResponseError, SpecificationError
from cxkit.instrument.model import Instrument
from cxkit.pls.algorithm import CONVERGENCE, SCHEMES
from cxkit.pls.estimate import estimate_like, inadmissible, staged_data
from cxkit.pls.result import PLSResult
from cxkit.pls.spec import PLSSpec, parse_pls
from cxkit.responses.scoring import reverse_keyed

MISSING = ("listwise", "mean")
#: higher-order constructs by repeated indicators, or by the two-stage approach
HOC = ("repeated", "two_stage")
#: VIF above which a formative block's items are reported as collinear (Hair et al.: 5)
VIF_FORMATIVE = 5.0


def prepare_data(frame: pd.DataFrame, items: list[str], constructs, missing: str):
    """Numeric indicator columns (reverse keys applied for an Instrument), complete or imputed."""
    absent = [c for c in items if c not in frame.columns]
    if absent:
        hints = []
        for c in absent[:6]:
            close = difflib.get_close_matches(str(c), [str(x) for x in frame.columns], n=1)
            hints.append(f"{c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ResponseError(
            f"indicator column{'s' if len(absent) > 1 else ''} not in the data: {', '.join(hints)}"
            + (f", … ({len(absent)} in all)" if len(absent) > 6 else "")
            + f"; the data has {len(frame.columns)} columns"
        )
    sub = frame[items]
    for c, dtype in sub.dtypes.items():
        if not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)):
            raise ResponseError(
                f"column {c!r} is not numeric (dtype {dtype}); indicators must be numbers",
                field=c,
            )
    # a plain frame (no attrs: pandas deep-copies attrs on every operation)
    x = pd.DataFrame(sub.to_numpy(dtype=float), columns=items, index=frame.index)
    reversed_items: list[str] = []
    if isinstance(constructs, Instrument):
        x, reversed_items = reverse_keyed(x, constructs)
    n_all = len(x)
    holes = np.isnan(x.to_numpy())
    incomplete = int(holes.any(axis=1).sum())
    if incomplete:
        counts = x.isna().sum()
        worst = ", ".join(f"{k} ({v})" for k, v in counts[counts > 0].items())
        if missing == "listwise":
            warnings.warn(
                f"missing='listwise': {incomplete} of {n_all} rows have missing indicator values "
                f"and are left out (missing per column: {worst}); use missing='mean' to impute "
                "column means instead",
                DataWarning,
                stacklevel=3,
            )
            x = x.dropna()
        else:
            warnings.warn(
                f"missing='mean': {int(counts.sum())} missing values in {incomplete} rows replaced "
                f"by their column means ({worst})",
                DataWarning,
                stacklevel=3,
            )
            x = x.fillna(x.mean())
    if len(x) < 3:
        raise ResponseError(
            f"only {len(x)} complete rows of {n_all}; PLS needs at least 3 (more than the largest "
            "number of predictors of any construct)"
        )
    values = x.to_numpy()
    flat = np.isclose(values.min(axis=0), values.max(axis=0))
    if flat.any():
        c = items[int(np.flatnonzero(flat)[0])]
        raise ResponseError(
            f"indicator {c!r} is constant (every value is {x[c].iloc[0]:g}); a constant "
            "indicator has no variance and cannot enter a PLS block: leave it out",
            field=c,
        )
    return x, n_all - len(x), list(reversed_items)


def check_formative(s: np.ndarray, spec: PLSSpec, items: list[str]) -> None:
    """Warn about collinear Mode B blocks (VIF > 5); refuse perfectly collinear ones."""
    pos = {i: k for k, i in enumerate(items)}
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    for b in spec.blocks:
        if b.mode != "B" or len(b.items) < 2:
            continue
        ix = [pos[i] for i in b.items]
        sub = r[np.ix_(ix, ix)]
        if np.linalg.matrix_rank(sub, tol=1e-10) < len(ix):
            raise ModelError(
                f"the formative block {b.name!r} ({', '.join(b.items)}) is perfectly collinear: "
                "its Mode B weights are not defined; drop an item that is a combination of others"
            )
        vif = np.diag(np.linalg.inv(sub))
        high = [f"{i} {v:.1f}" for i, v in zip(b.items, vif, strict=True) if v > VIF_FORMATIVE]
        if high:
            warnings.warn(
                f"formative block {b.name!r}: collinear items (VIF > {VIF_FORMATIVE:g}: "
                f"{', '.join(high)}); Mode B weights are unstable — consider dropping or merging items",
                ModelWarning,
                stacklevel=3,
            )


def fit_pls(
    model: str,
    data,
    *,
    scheme: str = "path",
    consistent: bool = False,
    standardize: bool = True,
    max_iter: int = 300,
    tol: float = 1e-7,
    missing: str = "listwise",
    constructs=None,
    convergence: str = "sum",
    hoc: str = "repeated",
):
    """Fit a PLS path model (PLS-PM, or PLSc with ``consistent=True``).

    Parameters
    ----------
    model : str
        lavaan syntax as cSEM reads it: ``F =~ x1 + x2`` (Mode A), ``F <~ x1 + x2`` (Mode B),
        ``Y ~ F + G`` (structural), ``ind := a*b`` (named effects of labelled paths),
        ``Y ~ F + G + F:G`` an interaction (two-stage: the product of F's and G's scores in the
        model without interactions enters as a one-indicator construct ``F:G``).
    data : DataFrame or Responses
    scheme : {'path', 'factorial', 'centroid'}
        Inner weighting scheme.
    consistent : bool
        PLSc (Dijkstra & Henseler 2015) for the ``=~`` blocks.
    standardize : bool
        Standardise the indicators (SmartPLS, seminr, cSEM); ``False`` only centres them (R plspm's
        ``scaled = FALSE``) and gives weights in the indicators' own metric.
    max_iter, tol, convergence
        Stop when the change of the weights is below ``tol`` — ``'sum'`` of absolute changes
        (seminr, SmartPLS), ``'max'`` (cSEM) or ``'square'`` (R plspm) — or after ``max_iter``.
    missing : {'listwise', 'mean'}
    constructs : mapping or Instrument, optional
        Blocks (Mode A) for constructs the structural model names without defining them; an
        Instrument also applies its reverse keys.

    hoc : {'repeated', 'two_stage'}
        A block listing constructs is a higher-order construct: by repeated indicators (its
        lower-order constructs' items; the inner model ties it to them), or ``'two_stage'``
        (seminr's default; Sarstedt et al. 2019): the model estimated with the lower-order
        constructs in its place, their scores then the higher-order construct's indicators.

    Returns
    -------
    PLSResult
    """
    check_option("scheme", scheme, SCHEMES)
    check_option("missing", missing, MISSING)
    check_option("convergence", convergence, CONVERGENCE)
    check_option("consistent", consistent, (True, False))
    check_option("standardize", standardize, (True, False))
    if not (isinstance(max_iter, int | np.integer) and max_iter >= 1):
        raise SpecificationError(f"max_iter={max_iter!r} is not accepted; use an integer ≥ 1")
    if not (isinstance(tol, float | int) and tol > 0):
        raise SpecificationError(f"tol={tol!r} is not accepted; use a positive number")
    check_option("hoc", hoc, HOC)
    frame = as_frame(data)
    spec = parse_pls(model, constructs)
    spec, stages, read = spec.staged(hoc)
    x, n_dropped, reversed_items = prepare_data(frame, read, constructs, missing)
    options = {
        "scheme": scheme,
        "consistent": consistent,
        "standardize": standardize,
        "max_iter": max_iter,
        "tol": tol,
        "convergence": convergence,
    }
    if stages is not None:  # two-stage HOC and interactions: the made columns, then stage two
        stages["items"] = read
        stages["data"] = x.to_numpy()
        made_x, names = staged_data(
            stages["data"][None], np.ones((1, len(x))), read, stages, options
        )
        x = pd.DataFrame(made_x[0], columns=names, index=x.index)[spec.items]
    if consistent:
        for b in spec.blocks:
            if b.mode == "A" and len(b.items) == 1:
                warnings.warn(
                    f"consistent=True: the block {b.name!r} has one indicator ({b.items[0]}); its "
                    "reliability cannot be estimated and is taken as 1 (no correction), as cSEM does",
                    ModelWarning,
                    stacklevel=2,
                )
    xv = x.to_numpy()
    xc = xv - xv.mean(axis=0)
    if standardize:
        xc = xc / xc.std(axis=0, ddof=1)
    s = (xc.T @ xc) / (len(xc) - 1)
    check_formative(s, spec, spec.items)
    est = estimate_like(spec, options, s[None])
    if not est.converged[0]:
        warnings.warn(
            f"the PLS algorithm did not converge in {max_iter} iterations (tol={tol:g}); the "
            "estimates are those of the last iteration — raise max_iter or check the model",
            ModelWarning,
            stacklevel=2,
        )
    if consistent and inadmissible(est, spec.membership(), [b.mode for b in spec.blocks])[0]:
        warnings.warn(
            "consistent=True gave an inadmissible solution (a ρA or a loading above 1, or a "
            "construct correlation beyond ±1): look at reliability and outer loadings",
            ModelWarning,
            stacklevel=2,
        )
    provenance = {
        "cxkit": __version__,
        "method": "PLSc" if consistent else "PLS-PM",
        **options,
        "missing": missing,
        "n": len(x),
        "n_dropped": n_dropped,
        "data_sha256": data_sha256(x),
        "model": model,
        "hoc": hoc,
        "reversed_items": reversed_items,
        **instrument_attrs(frame),
    }
    if isinstance(constructs, Instrument):
        provenance.update(constructs.provenance)
    return PLSResult.build(
        spec, xc, est, options, provenance, items=spec.items, raw=x, stages=stages
    )
