"""The main job: a whole CX study from a responses file to tables, figures and a report.

:func:`analyze` reads the answers against the instrument, screens them, scores them, computes the CX
metrics, describes the respondents and the items (normality, missing answers, outliers), runs the
pilot-test route (item validity, α, KMO, Bartlett, EFA), checks reliability, validity and
common-method bias, fits the measurement model and the structural model(s) — the three CX models or
the user's own lavaan model — bootstraps the chosen model, tests its hypotheses, its indirect and
total effects, and (with ``group=``) measurement invariance, and returns a :class:`Study`.
``Study.write(out)`` writes ``report.html``, ``report.pdf``, ``report.docx``, ``report.xlsx``,
``tables/*.csv`` and ``figures/*.png`` / ``*.svg`` in the report language (``lang="en"`` or ``"id"``).
"""

from __future__ import annotations

import logging
import platform
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit._params import check_option, data_sha256
from cxkit.errors import ModelWarning, ReverseKeyWarning, SpecificationError
from cxkit.instrument.model import PLACEHOLDER, Instrument, fill_store

MODELS = ("direct", "second_order", "pyramid")
LANGUAGES = ("en", "id")
MISSING = ("listwise", "fiml")
#: CB-SEM (lavaan's ML/MLR/WLSMV) or PLS-SEM (PLS-PM, path weighting; SmartPLS's report)
APPROACHES = ("cb", "pls")

#: Fit cut-offs shown next to the fit table: Hu & Bentler (1999).
FIT_CUTOFFS = {"cfi": ">= .95", "tli": ">= .95", "rmsea": "<= .06", "srmr": "<= .08"}

#: Smallest group kept in the invariance models (smaller groups are named and left out).
MIN_GROUP = 50

_HYPOTHESIS = re.compile(r"#\s*(H\d+[a-z]?)\b\s*[:.)]?\s*(.*)$", re.IGNORECASE)
_ARROW = re.compile(r"([A-Za-z_.][\w.]*)\s*(?:->|→)\s*([A-Za-z_.][\w.]*)")
_TILDE = re.compile(r"([A-Za-z_.][\w.]*)\s*~(?![~=])\s*([A-Za-z_.][\w.]*)")


@dataclass
class Study:
    """Everything :func:`analyze` computed (unrounded), plus how it was computed."""

    instrument: Instrument
    responses: object
    scores: pd.DataFrame
    metrics: dict
    reliability: pd.DataFrame
    items: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    cfa: object
    fits: dict
    model: str
    boot: object
    comparison: pd.DataFrame
    settings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    #: construct → its items as analysed (after dropped items)
    constructs: dict = field(default_factory=dict)
    #: the chosen model's lavaan syntax (items dropped)
    syntax: str = ""
    #: item → (n, min, max, mean, median, sd, skew, skew_cr, kurtosis, kurtosis_cr)
    descriptives: pd.DataFrame | None = None
    mardia: pd.Series | None = None
    outliers: pd.DataFrame | None = None
    #: demographic item → DataFrame (category, n, percent)
    profile: dict = field(default_factory=dict)
    missing_items: pd.DataFrame | None = None
    missing_respondents: pd.DataFrame | None = None
    #: the pilot-test route: validity, alpha, kmo, bartlett, efa
    pilot: dict = field(default_factory=dict)
    cross_loadings: pd.DataFrame | None = None
    htmt_ci: pd.DataFrame | None = None
    harman: pd.Series | None = None
    vif: pd.DataFrame | None = None
    hypotheses: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    verdict: dict = field(default_factory=dict)
    residuals: pd.DataFrame | None = None
    modification: pd.DataFrame | None = None
    invariance: pd.DataFrame | None = None
    dropped: pd.DataFrame | None = None
    #: "cb" or "pls"; with "pls" ``pls`` is the PLS fit (bootstrapped when ``n_boot``),
    #: ``pls_predict`` its PLSpredict table and ``cfa``/``fits`` are empty
    approach: str = "cb"
    pls: object = None
    pls_predict: pd.DataFrame | None = None

    def write(
        self,
        out: str | Path,
        formats=("html", "pdf", "docx", "xlsx"),
        lang: str | None = None,
        force: bool = False,
    ) -> Path:
        """Write tables, figures and the report into ``out``; returns ``out``.

        ``out`` is created, or must be empty or a folder an earlier cxkit run made (it holds
        ``.cxkit-output``, the list of files written); another folder only with ``force=True``.
        ``lang`` overrides the study's report language (``"en"`` or ``"id"``).
        """
        from cxkit.report.writer import write_study

        if lang is not None:
            check_option("lang", lang, LANGUAGES)
            self.settings["lang"] = lang
        return write_study(self, Path(out), formats, force=force)

    def methods(self) -> str:
        from cxkit.report.content import methods_paragraph

        return methods_paragraph(self)

    @property
    def chosen(self):
        """The reported model's fit (bootstrapped when a bootstrap was run); for a PLS study the
        PLS fit seen as lavaan rows (:meth:`cxkit.pls.PLSResult.lavaan_view`)."""
        if self.approach == "pls":
            return self.pls.lavaan_view()
        return self.boot if self.boot is not None else self.fits[self.model]


# -- the model ------------------------------------------------------------------------------------
def _code(line: str) -> str:
    return re.split(r"[#!]", line, maxsplit=1)[0]


def drop_items(syntax: str, items) -> str:
    """``syntax`` with ``items`` taken out of every ``=~`` statement (comments kept).

    >>> print(drop_items("F =~ x1 + x2 + x3\\nG =~ y1 + a*y2 + y3  # G\\nG ~ F", ["x2", "y2"]))
    F =~ x1 + x3
    G =~ y1 + y3  # G
    G ~ F
    """
    items = list(items)
    if not items:
        return syntax
    found: set[str] = set()
    out = []
    in_measure = False
    for raw in syntax.splitlines():
        code = _code(raw)
        comment = raw[len(code) :]
        stripped = code.strip()
        if "=~" in code:
            in_measure = True
            lhs, rhs = code.split("=~", 1)
            prefix = lhs.rstrip() + " =~ "
        elif in_measure and stripped.startswith("+"):
            rhs, prefix = stripped, "  + "
        else:
            if stripped:
                in_measure = False
            out.append(raw)
            continue
        terms = [t.strip() for t in rhs.split("+") if t.strip()]
        kept = []
        for t in terms:
            name = t.split("*")[-1].strip()
            if name in items:
                found.add(name)
            else:
                kept.append(t)
        if not kept and "=~" in code:
            raise SpecificationError(
                f"dropping {', '.join(items)} leaves the factor {lhs.strip()} with no indicator; "
                "keep at least two items per construct"
            )
        line = (prefix + " + ".join(kept)) if kept else ""
        if line or comment.strip():
            out.append(line + (("  " + comment.strip()) if comment.strip() else ""))
    unknown = [i for i in items if i not in found]
    if unknown:
        raise SpecificationError(
            f"--drop-items: {', '.join(unknown)} is not an indicator of the model; its items are "
            + ", ".join(sorted(_indicators(syntax)))
        )
    return "\n".join(out)


def _statements(syntax: str):
    from cxkit.pls.spec import spell_interactions
    from cxkit.sem.syntax import parse_model

    # a PLS model's interaction terms (F:G) read as names; fit_sem still refuses them
    return parse_model(spell_interactions(syntax))[0]


def _indicators(syntax: str) -> set[str]:
    return {t.name for s in _statements(syntax) if s.op == "=~" for t in s.terms}


def constructs_of(syntax: str, columns) -> dict[str, list[str]]:
    """First-order factors of a lavaan model: factor → its indicators that are data columns.

    >>> constructs_of("F =~ x1 + x2\\nG =~ y1 + y2\\nH =~ F + G", ["x1", "x2", "y1", "y2"])
    {'F': ['x1', 'x2'], 'G': ['y1', 'y2']}
    """
    cols = set(columns)
    out: dict[str, list[str]] = {}
    for s in _statements(syntax):
        if s.op == "=~":
            names = [t.name for t in s.terms]
            if names and all(n in cols for n in names):
                out.setdefault(s.lhs, []).extend(n for n in names if n not in out.get(s.lhs, []))
    return out


def hypotheses_of(syntax: str) -> dict[tuple[str, str], tuple[str, str]]:
    """Hypothesis labels written in the model as comments: (outcome, predictor) → (label, text).

    ``# H1: OE -> EC`` (or ``OE → EC``, or ``EC ~ OE``) anywhere, or a comment ``# H1: …`` at the
    end of a regression line with a single predictor.

    >>> hypotheses_of("EC ~ OE  # H1: experience builds connection\\n# H2: EC -> LOY loyalty\\nLOY ~ EC")
    {('EC', 'OE'): ('H1', 'experience builds connection'), ('LOY', 'EC'): ('H2', 'loyalty')}
    """
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for number, raw in enumerate(syntax.splitlines(), start=1):
        code = _code(raw)
        m = _HYPOTHESIS.search(raw[len(code) :])
        if not m:
            continue
        label, rest = m.group(1).upper(), m.group(2).strip()
        arrow, tilde = _ARROW.search(rest), _TILDE.search(rest)
        if arrow:
            key, text = (arrow.group(2), arrow.group(1)), rest[arrow.end() :]
        elif tilde:
            key, text = (tilde.group(1), tilde.group(2)), rest[tilde.end() :]
        elif "~" in code and "=~" not in code and "~~" not in code:
            lhs, rhs = code.split("~", 1)
            preds = [t.split("*")[-1].strip() for t in rhs.split("+") if t.strip()]
            if len(preds) != 1:
                raise SpecificationError(
                    f"model line {number}: the comment {label} sits on a regression with "
                    f"{len(preds)} predictors; write the path, e.g. '# {label}: {preds[0]} -> {lhs.strip()}'"
                )
            key, text = (lhs.strip(), preds[0]), rest
        else:
            raise SpecificationError(
                f"model line {number}: cannot tell which path {label} is; write it as "
                f"'# {label}: PREDICTOR -> OUTCOME'"
            )
        out[key] = (label, text.strip(" :—-"))
    return out


def _cx_syntax(name: str, instrument: Instrument) -> str:
    from cxkit import cx as models

    return getattr(models, name)(instrument)


# -- descriptive parts ----------------------------------------------------------------------------
def _profile(r, instrument: Instrument) -> dict[str, pd.DataFrame]:
    """Frequencies of every demographic item: ``code, n, percent`` (of those who answered); the
    report labels the codes in its language."""
    out = {}
    for item in instrument.items_by_role("demographic"):
        if item.id not in r.data:
            continue
        col = pd.to_numeric(r.data[item.id], errors="coerce")
        counts = col.value_counts()
        codes = list(item.scale.values) or sorted(counts.index)
        table = pd.DataFrame({"code": codes, "n": [int(counts.get(c, 0)) for c in codes]})
        valid = table["n"].sum()
        table["percent"] = 100 * table["n"] / valid if valid else np.nan
        table.attrs.update(n_valid=int(valid), n_missing=int(col.isna().sum()))
        out[item.id] = table
    return out


def _missing(r, items: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    x = r.data[items]
    per_item = pd.DataFrame(
        {"missing": x.isna().sum(), "percent": 100 * x.isna().mean()}, index=items
    )
    per_item.index.name = "item"
    counts = x.isna().sum(axis=1).value_counts().sort_index()
    per_resp = pd.DataFrame(
        {"respondents": counts, "percent": 100 * counts / len(x)},
        index=pd.Index(counts.index, name="missing answers"),
    )
    return per_item, per_resp


def _effects(chosen, n_boot: int) -> pd.DataFrame:
    """Specific indirect effects along every chain of latent regressions, and total effects, with
    bootstrap percentile intervals from the draws (when bootstrapped)."""
    est = chosen.estimates
    latent = set(chosen.spec.latent)
    reg = est[(est["op"] == "~") & est["lhs"].isin(latent) & est["rhs"].isin(latent)]
    paths = {(r.rhs, r.lhs): r for r in reg.itertuples()}
    succ: dict[str, list[str]] = {}
    for a, b in paths:
        succ.setdefault(a, []).append(b)
    chains: list[list[str]] = []

    def walk(chain):
        for nxt in succ.get(chain[-1], []):
            if nxt in chain:
                continue
            new = [*chain, nxt]
            if len(new) >= 3:
                chains.append(new)
            walk(new)

    for start in succ:
        walk([start])
    draws = getattr(chosen, "bootstrap_draws", None) if n_boot else None
    level = getattr(chosen, "level", 0.95)
    q = [(1 - level) / 2, 1 - (1 - level) / 2]

    def product(chain, col):
        return np.prod(
            [getattr(paths[(a, b)], col) for a, b in zip(chain, chain[1:], strict=False)]
        )

    def draw_product(chain):
        names = [f"{b} ~ {a}" for a, b in zip(chain, chain[1:], strict=False)]
        if draws is None or not all(n in draws for n in names):
            return None
        return np.prod(draws[names].to_numpy(dtype=float), axis=1)

    rows = []
    for chain in chains:
        d = draw_product(chain)
        lo, hi = np.quantile(d, q) if d is not None else (np.nan, np.nan)
        rows.append(
            {
                "kind": "indirect",
                "effect": " → ".join(chain),
                "from": chain[0],
                "to": chain[-1],
                "b": product(chain, "est"),
                "beta": product(chain, "std_all"),
                "ci_low": lo,
                "ci_high": hi,
                "_draws": d,
            }
        )
    # total effects of every predictor on every outcome it reaches
    pairs = {(c[0], c[-1]) for c in chains}
    for a, b in sorted(pairs):
        parts = [r for r in rows if r["kind"] == "indirect" and (r["from"], r["to"]) == (a, b)]
        direct = paths.get((a, b))
        b_tot = sum(r["b"] for r in parts) + (direct.est if direct is not None else 0.0)
        beta_tot = sum(r["beta"] for r in parts) + (direct.std_all if direct is not None else 0.0)
        if all(r["_draws"] is not None for r in parts) and draws is not None:
            d = sum(r["_draws"] for r in parts)
            name = f"{b} ~ {a}"
            if direct is not None and name in draws:
                d = d + draws[name].to_numpy(dtype=float)
            lo, hi = np.quantile(d, q)
        else:
            lo, hi = np.nan, np.nan
        # mediation type (Zhao, Lynch & Chen, 2010): indirect significant → full when the direct
        # path is absent or not significant, partial when it is significant; else none
        ind_sig = [
            not (r["ci_low"] <= 0 <= r["ci_high"]) for r in parts if np.isfinite(r["ci_low"])
        ]
        if not ind_sig:
            kind = "unknown"
        elif not any(ind_sig):
            kind = "none"
        elif direct is None:
            kind = "full (no direct path)"
        else:
            dsig = (
                not (direct.ci_low <= 0 <= direct.ci_high)
                if np.isfinite(direct.ci_low)
                else direct.pvalue < 0.05
            )
            kind = "partial" if dsig else "full"
        rows.append(
            {
                "kind": "total",
                "effect": f"{a} → {b}",
                "from": a,
                "to": b,
                "b": b_tot,
                "beta": beta_tot,
                "ci_low": lo,
                "ci_high": hi,
                "direct_b": direct.est if direct is not None else np.nan,
                "direct_p": direct.pvalue if direct is not None else np.nan,
                "mediation": kind,
                "_draws": None,
            }
        )
    # each specific indirect effect: none when its interval holds zero, else as its pair
    totals = {(r["from"], r["to"]): r for r in rows if r["kind"] == "total"}
    for r in rows:
        if r["kind"] != "indirect":
            continue
        if not np.isfinite(r["ci_low"]):
            r["mediation"] = "unknown"
        elif r["ci_low"] <= 0 <= r["ci_high"]:
            r["mediation"] = "none"
        else:
            pair = totals[(r["from"], r["to"])]["mediation"]
            r["mediation"] = pair if pair != "none" else "unknown"
    out = pd.DataFrame(rows)
    if not len(out):
        return pd.DataFrame(
            columns=["kind", "effect", "from", "to", "b", "beta", "ci_low", "ci_high", "mediation"]
        )
    return out.drop(columns="_draws")


def _hypotheses(chosen, syntax: str, boot: bool) -> pd.DataFrame:
    est = chosen.estimates
    latent = set(chosen.spec.latent)
    reg = est[(est["op"] == "~") & est["lhs"].isin(latent)]
    labels = hypotheses_of(syntax)
    unknown = [
        f"{labels[k][0]}: {k[1]} -> {k[0]}"
        for k in labels
        if not ((reg["lhs"] == k[0]) & (reg["rhs"] == k[1])).any()
    ]
    if unknown:
        raise SpecificationError(
            "the model's hypothesis comments name paths that are not regressions of the model: "
            + "; ".join(unknown)
        )
    rows = []
    for k, r in enumerate(reg.itertuples(), start=1):
        label, text = labels.get((r.lhs, r.rhs), (None if labels else f"H{k}", ""))
        excl = np.isfinite(r.ci_low) and not (r.ci_low <= 0 <= r.ci_high)
        sig = r.pvalue < 0.05 and (excl if boot else True)
        rows.append(
            {
                "hypothesis": label or "—",
                "path": f"{r.rhs} → {r.lhs}",
                "from": r.rhs,
                "to": r.lhs,
                "text": text,
                "beta": r.std_all,
                "b": r.est,
                "se": r.se,
                "z": r.z,
                "pvalue": r.pvalue,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "supported": bool(sig),
            }
        )
    out = pd.DataFrame(rows)
    if labels:  # the user's order: by label number
        out["_k"] = out["hypothesis"].str.extract(r"(\d+)", expand=False).astype(float)
        out = out.sort_values("_k", na_position="last", kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


def _pls_route(syntax: str, full: str, keyed: pd.DataFrame, drop, n_boot: int, seed: int):
    """The PLS-SEM fit of the chosen model (bootstrapped when ``n_boot``), its PLSpredict table,
    and the dropped items' outer loadings in the model with every item."""
    from cxkit.pls import fit_pls

    fit = fit_pls(syntax, keyed)
    dropped = None
    if drop:
        lo = fit_pls(full, keyed).outer.drop_duplicates("item").set_index("item")
        dropped = pd.DataFrame(
            {
                "construct": [lo.loc[i, "construct"] for i in drop],
                "loading": [lo.loc[i, "loading"] for i in drop],
            },
            index=pd.Index(drop, name="item"),
        )
    pred = fit.predict(folds=10, repetitions=10, seed=seed)
    # a higher-order construct's lower-order constructs are measured by it, not predicted
    lower = {c for b in fit.spec.blocks for c in b.components}
    attrs = dict(pred.attrs)
    pred = pred[~pred.construct.isin(lower)].reset_index(drop=True)
    pred.attrs.update(attrs)
    # CVPAT against the indicator means and the linear model (the same folds as PLSpredict)
    pred.attrs["cvpat"] = fit.cvpat(folds=10, repetitions=10, n_boot=2000, seed=seed)
    if n_boot:
        fit = fit.bootstrap(n_boot, seed=seed)
    return fit, pred, dropped


def _verdict(fits: dict, cfa, comparison: pd.DataFrame) -> dict:
    """Which model the data prefer: nested pairs (a model and the measurement model its structure
    restricts) by Δχ²; non-nested models by AIC/BIC (ordinal fits: by CFI and RMSEA)."""
    from cxkit.sem import compare_models

    base = cfa.fit_indices
    saturated = [
        n
        for n, f in fits.items()
        if f.fit_indices["df"] == base["df"]
        and abs(f.fit_indices["chisq"] - base["chisq"]) < 1e-4 * max(1, base["chisq"])
    ]
    restricted = [n for n in fits if n not in saturated]
    nested = {}
    for name in restricted:
        try:
            c = compare_models(cfa, fits[name], names=["measurement", name])
        except Exception:  # noqa: BLE001 - a comparison that cannot be made is reported as such
            continue
        row = c.loc[name]
        nested[name] = {
            "chisq_diff": row["chisq_diff"],
            "df_diff": row["df_diff"],
            "p": row["p_diff"],
            "test": c.attrs.get("test"),
        }
    has_ic = bool(np.isfinite(comparison["aic"]).all()) if len(comparison) else False
    candidates = restricted or list(fits)
    if len(candidates) == 1:
        best, by = candidates[0], "only"
    elif has_ic:
        best, by = min(candidates, key=lambda n: comparison.loc[n, "bic"]), "bic"
    else:
        best, by = max(candidates, key=lambda n: comparison.loc[n, "cfi"]), "cfi"
    return {
        "best": best,
        "by": by,
        "saturated": saturated,
        "nested": nested,
        "candidates": candidates,
    }


def _improper(fit) -> pd.DataFrame:
    est = fit.estimates
    var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])]
    neg = var[var["est"] < 0]
    load = est[est["op"] == "=~"]
    big = load[load["std_all"].abs() > 1]
    cov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"])]
    bigcor = cov[cov["std_all"].abs() > 1]
    r2 = fit.r_squared
    rows = [
        ("converged", bool(fit.converged), ""),
        ("negative variances (Heywood cases)", neg.empty, ", ".join(neg["lhs"])),
        (
            "standardised loadings above 1",
            big.empty,
            ", ".join(f"{a} =~ {b}" for a, b in zip(big["lhs"], big["rhs"], strict=False)),
        ),
        (
            "correlations above 1 in absolute value",
            bigcor.empty,
            ", ".join(f"{a} ~~ {b}" for a, b in zip(bigcor["lhs"], bigcor["rhs"], strict=False)),
        ),
        (
            "R² outside 0–1",
            bool(((r2 >= 0) & (r2 <= 1)).all()),
            ", ".join(r2.index[(r2 < 0) | (r2 > 1)]),
        ),
        (
            "standard errors finite",
            bool(
                np.isfinite(est.loc[est["se"] > 0, "se"]).all()
                and not (est["se"].isna() & (est["op"] != ":=")).all()
            ),
            "",
        ),
    ]
    return pd.DataFrame(rows, columns=["check", "ok", "where"])


def _df_derivation(fit) -> dict:
    f = fit.fit_indices
    p = len(fit.spec.observed)
    means = bool((fit.estimates["op"] == "~1").any())
    moments = p * (p + 1) // 2 + (p if means else 0)
    return {"p": p, "means": means, "moments": moments, "npar": int(f["npar"]), "df": int(f["df"])}


def _local_fit(fit) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    notes = []
    try:
        res = fit.residuals("standardized")
        m = res.to_numpy()
        idx = np.tril_indices_from(m, -1)
        tab = pd.DataFrame({"a": res.index[idx[0]], "b": res.columns[idx[1]], "residual": m[idx]})
        tab = tab.reindex(tab["residual"].abs().sort_values(ascending=False).index).head(10)
    except Exception as exc:  # noqa: BLE001 - not available for this kind of fit
        tab = None
        notes.append(str(exc))
    try:
        mi = fit.modification_indices().head(10)
    except Exception as exc:  # noqa: BLE001
        mi = None
        notes.append(str(exc))
    return tab, mi, notes


def _invariance(
    syntax, keyed, group, options, missing, constructs, labels
) -> tuple[pd.DataFrame, dict]:
    from cxkit.sem import invariance

    col = keyed[group]
    counts = col.value_counts()
    counts.index = [labels.get(v, v) for v in counts.index]
    small = counts[counts < MIN_GROUP]
    codes = col.value_counts()
    kept = keyed[col.isin(codes.index[codes >= MIN_GROUP])]
    info = {"group": group, "counts": counts.to_dict(), "left_out": small.to_dict()}
    if kept[group].nunique() < 2:
        raise SpecificationError(
            f"--group {group}: fewer than two groups have {MIN_GROUP} or more respondents "
            f"({', '.join(f'{k}: {v}' for k, v in counts.items())}); invariance needs at least two"
        )
    items = [i for ids in constructs.values() for i in ids]
    table = invariance(
        syntax,
        kept[[*items, group]],
        group,
        estimator=options.get("estimator", "ML"),
        missing="listwise" if options.get("ordered") else missing,
        ordered=options.get("ordered"),
    )
    return table, info


# -- the job --------------------------------------------------------------------------------------
def analyze(
    data,
    instrument,
    model: str = "pyramid",
    *,
    n_boot: int = 1000,
    seed: int = 1,
    exclude=(),
    segment: str | None = None,
    progress: bool = True,
    estimator: str = "ML",
    ordered: bool = False,
    drop=(),
    missing: str = "listwise",
    group: str | None = None,
    store: str | None = None,
    lang: str = "en",
    synthetic: bool | None = None,
    approach: str = "cb",
) -> Study:
    """Run the whole study.

    Parameters
    ----------
    data : path, DataFrame or Responses
        The answers (anything :func:`cxkit.read_responses` reads: CSV, XLSX, SAV, Kobo, Google
        Forms exports with question texts as headers and answer labels as values).
    instrument : Instrument or str
    model : str
        ``"direct"``, ``"second_order"`` or ``"pyramid"`` (the three CX models are then all fitted
        and compared, this one reported in detail), or the user's own model in lavaan syntax (a
        string with ``=~``, or a path to a file). Hypotheses are numbered H1…Hn in the order of
        the model's structural paths, or as the model's ``# H1: OE -> EC`` comments say.
    n_boot : int
        Bootstrap resamples for the chosen model (paths, indirect and total effects) and HTMT;
        0 for none.
    seed : int
        Seed of the bootstraps.
    exclude : iterable of str
        Quality flags whose respondents are excluded (explicit, reported).
    segment : str, optional
        A demographic item for the CX metrics by segment (default: the demographic item with the
        most categories).
    progress : bool
        Progress bars.
    estimator : {"ML", "MLR"}
        ``"MLR"``: robust standard errors, the scaled χ² and robust fit indices.
    ordered : bool
        Treat the Likert items as ordinal (WLSMV on polychoric correlations).
    drop : iterable of str
        Items taken out of the measurement model (e.g. loadings below .708), logged in the report
        with their loadings in the model with every item.
    missing : {"listwise", "fiml"}
        Incomplete answers left out, or used by full-information ML.
    group : str, optional
        A column (e.g. ``"GENDER"``) for measurement invariance: configural, metric, scalar and
        strict models; groups under 50 respondents are left out and named.
    store : str, optional
        The store's name, in place of ``{store}`` in titles, labels and segment names. Without
        it the report warns once that ``{store}`` was left unfilled.
    lang : {"en", "id"}
        The language of the report.
    synthetic : bool, optional
        Label the data SYNTHETIC in the report (default: what the data's ``attrs`` say).
    approach : {"cb", "pls"}
        ``"cb"``: covariance-based SEM (the three CX models compared). ``"pls"``: PLS-SEM as
        SmartPLS runs it (PLS-PM, path weighting, standardised indicators) on the chosen model
        only: outer loadings, α/ρA/ρC/AVE, HTMT with bootstrap intervals, Fornell–Larcker,
        cross-loadings, VIF, R², f², Q²predict (PLSpredict, 10 folds × 10 repetitions), paths
        and indirect effects with ``n_boot`` bootstrap resamples (no sign change), hypotheses.
        Not with ``estimator``/``ordered``/``missing="fiml"``/``group``.
    """
    from cxkit.measure import (
        bartlett,
        cross_loadings,
        efa,
        fornell_larcker,
        full_collinearity_vif,
        harman,
        htmt,
        htmt_bootstrap,
        item_descriptives,
        item_statistics,
        item_validity,
        kmo,
        mahalanobis,
        mardia,
        reliability,
    )
    from cxkit.responses.core import Responses, read_responses
    from cxkit.responses.metrics import ces, csat, nps
    from cxkit.responses.scoring import reverse_keyed
    from cxkit.sem import compare_models, fit_sem

    check_option("estimator", estimator, ("ML", "MLR"))
    check_option("missing", missing, MISSING)
    check_option("lang", lang, LANGUAGES)
    check_option("approach", approach, APPROACHES)
    if approach == "pls":
        given = {
            "estimator": estimator != "ML",
            "ordered": ordered,
            "missing='fiml'": missing == "fiml",
            "group": group is not None,
        }
        bad = [k for k, v in given.items() if v]
        if bad:
            raise SpecificationError(
                f"approach='pls' does not take {', '.join(bad)}: PLS-SEM estimates composites of "
                "complete answers (listwise); for group comparisons use cxkit.pls.mga / micom"
            )
    if ordered:
        if estimator != "ML":
            raise SpecificationError(
                f"ordered=True is fitted by WLSMV; it does not combine with estimator={estimator!r}"
            )
        if missing == "fiml":
            raise SpecificationError(
                "ordered=True (WLSMV) uses complete answers; it does not combine with missing='fiml'"
            )
        estimator, n_boot = "WLSMV", 0
    options = {"ordered": True} if ordered else {"estimator": estimator, "missing": missing}
    own = model not in MODELS
    if own:
        text = str(model)
        if "=~" not in text and "~" not in text:
            path = Path(text)
            if not path.is_file():
                raise SpecificationError(
                    f"model={model!r} is not accepted; use one of: "
                    f"{', '.join(map(repr, MODELS))}, lavaan syntax or a file holding it"
                )
            text = path.read_text(encoding="utf-8")
            model_name = path.stem
        else:
            model_name = "model"
    if isinstance(instrument, str):
        from cxkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    if synthetic is None:
        attrs = getattr(data, "attrs", {}) if isinstance(data, pd.DataFrame) else {}
        synthetic = bool(attrs.get("synthetic", False))
    r = data if isinstance(data, Responses) else read_responses(data, instrument)
    if exclude:
        r = r.exclude(exclude)
    store_missing = store is None
    shown_store = instrument.default_store(lang) if store is None else store
    if shown_store == "[X]":
        shown_store = {"en": "the store", "id": "toko ini"}[lang]

    steps = ["data", "measurement", "models", "bootstrap", "diagnostics"]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(steps), desc="analyze", unit="step", leave=False)

    def step() -> None:
        if bar is not None:
            bar.update(1)

    caught: list[tuple[str, str]] = []
    where = ["data"]

    def catch(message) -> None:
        caught.append((where[0], str(message)))

    semopy_log = logging.getLogger()
    old_level = semopy_log.level
    semopy_log.setLevel(logging.ERROR)  # semopy's "WARNING:root:" lines never reach the user
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", ModelWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            keyed, _ = reverse_keyed(r.data, instrument)
            keyed.attrs.update(instrument.provenance)
            # the model(s), with dropped items
            drop = [d.strip() for d in drop if d.strip()]
            if own:
                full_syntax = {model_name: text}
            else:
                full_syntax = {name: _cx_syntax(name, instrument) for name in MODELS}
                model_name = model
            syntaxes = {n: drop_items(s, drop) for n, s in full_syntax.items()}
            stmts = _statements(syntaxes[model_name])
            factors = {st.lhs for st in stmts if st.op == "=~"}
            absent = sorted(_indicators(syntaxes[model_name]) - factors - set(keyed.columns))
            if absent:
                from cxkit.errors import ResponseError

                raise ResponseError(
                    f"item columns not in the data: {', '.join(absent)}; the data have "
                    f"{', '.join(map(str, keyed.columns[:12]))}{' …' if keyed.shape[1] > 12 else ''}"
                )
            constructs = constructs_of(syntaxes[model_name], keyed.columns)
            if not constructs:
                raise SpecificationError(
                    "the model has no factor measured by data columns (lines like 'EC =~ EC1 + EC2'); "
                    f"the data have {', '.join(map(str, keyed.columns[:10]))} …"
                )
            items = [i for ids in constructs.values() for i in ids]
            measurement = "\n".join(f"{c} =~ {' + '.join(ids)}" for c, ids in constructs.items())
            scores = pd.DataFrame(
                {c: keyed[ids].astype(float).mean(axis=1) for c, ids in constructs.items()}
            )
            scores = scores.where(
                pd.DataFrame(
                    {
                        c: keyed[ids].notna().sum(axis=1) >= np.ceil(len(ids) / 2)
                        for c, ids in constructs.items()
                    }
                )
            )
            scores.insert(0, "respondent", r.respondents.to_numpy())
            metrics = {}
            for name, fn in (("nps", nps), ("csat", csat), ("ces", ces)):
                if any(i.metric == name for i in instrument.items if i.id in r.data):
                    metrics[name] = fn(r)
            demographics = [i for i in instrument.items_by_role("demographic") if i.id in r.data]
            if segment is not None and segment not in r.data:
                raise SpecificationError(
                    f"--segment {segment!r} is not a column of the data; demographic items: "
                    + ", ".join(i.id for i in demographics)
                )
            seg = segment or (
                max(demographics, key=lambda i: len(i.scale.values)).id if demographics else None
            )
            if seg is not None and "nps" in metrics:
                metrics["nps_by_segment"] = nps(r, by=seg)
                metrics["segment"] = seg
            profile = _profile(r, instrument)
            miss_items, miss_resp = _missing(r, items)
            desc = item_descriptives(keyed, items)
            normal = mardia(keyed, items)
            outliers = mahalanobis(keyed, items)
            outliers.insert(0, "respondent", r.respondents.loc[outliers.index].to_numpy())
            step()
            where[0] = "measurement"
            rel = reliability(keyed, constructs)
            it = item_statistics(keyed, constructs)
            ht = htmt(keyed, constructs)
            fl = fornell_larcker(keyed, constructs) if len(constructs) > 1 else None
            cl = cross_loadings(keyed, constructs) if len(constructs) > 1 else None
            ht_ci = (
                htmt_bootstrap(keyed, constructs, n_boot=n_boot, seed=seed)
                if n_boot and len(constructs) > 1 and approach == "cb"  # PLS: its own bootstrap
                else None
            )
            pilot = {
                "validity": item_validity(keyed, constructs),
                "kmo": kmo(keyed, constructs),
                "bartlett": bartlett(keyed, constructs),
            }
            try:
                pilot["efa"] = efa(keyed, constructs)
            except Exception as exc:  # noqa: BLE001 - reported, the rest of the study goes on
                catch(f"EFA not computed: {exc}")
            hm = harman(keyed, constructs)
            vif = (
                full_collinearity_vif(scores.drop(columns="respondent"))
                if len(constructs) > 1
                else None
            )
            pls_fit = pls_pred = None
            if approach == "pls":
                where[0] = f"PLS model {model_name}"
                pls_fit, pls_pred, dropped = _pls_route(
                    syntaxes[model_name], full_syntax[model_name], keyed, drop, n_boot, seed
                )
                cfa, fits, boot, comparison = None, {}, None, pd.DataFrame()
                chosen = pls_fit.lavaan_view()
                step()
                step()
                hyp = _hypotheses(chosen, syntaxes[model_name], n_boot > 0)
                effects = _effects(chosen, n_boot)
                verdict, resid, mi, local_notes = {}, None, None, []
                inv, inv_info = None, None
            else:
                where[0] = "measurement model"
                cfa = fit_sem(measurement, keyed, **options)
                dropped = None
                if drop:
                    before = constructs_of(full_syntax[model_name], keyed.columns)
                    full_cfa = fit_sem(
                        "\n".join(f"{c} =~ {' + '.join(ids)}" for c, ids in before.items()),
                        keyed,
                        **options,
                    )
                    lo = full_cfa.estimates[full_cfa.estimates["op"] == "=~"].set_index("rhs")
                    dropped = pd.DataFrame(
                        {
                            "construct": [lo.loc[i, "lhs"] for i in drop],
                            "loading": [lo.loc[i, "std_all"] for i in drop],
                        },
                        index=pd.Index(drop, name="item"),
                    )
                step()
                fits = {}
                for name, s in syntaxes.items():
                    where[0] = f"model {name}"
                    fits[name] = fit_sem(s, keyed, **options)
                where[0] = "model comparison"
                names = list(fits) if len(fits) > 1 else ["measurement model", *fits]
                comparison = compare_models(
                    *([cfa] if len(fits) == 1 else []), *fits.values(), names=names
                )
                step()
                where[0] = f"model {model_name} (bootstrap)"
                boot = (
                    fits[model_name].bootstrap(n_boot, seed=seed, progress=progress)
                    if n_boot
                    else None
                )
                chosen = boot if boot is not None else fits[model_name]
                step()
                where[0] = f"model {model_name}"
                hyp = _hypotheses(chosen, syntaxes[model_name], boot is not None)
                effects = _effects(chosen, n_boot if boot is not None else 0)
                verdict = _verdict(fits, cfa, comparison)
                resid, mi, local_notes = _local_fit(fits[model_name])
                inv, inv_info = None, None
                if group is not None:
                    if group not in keyed:
                        raise SpecificationError(
                            f"--group {group!r} is not a column of the data; demographic items: "
                            + ", ".join(i.id for i in demographics)
                        )
                    where[0] = f"invariance across {group}"
                    labels = {}
                    if group in {i.id for i in instrument.items}:
                        item = instrument.item(group)
                        labels = {
                            float(c): fill_store(v, shown_store)
                            for c, v in item.scale.labels(lang).items()
                        }
                    inv, inv_info = _invariance(
                        measurement, keyed, group, options, missing, constructs, labels
                    )
                    bad = inv.index[~(inv["chisq"] >= 0)].tolist()
                    if bad:
                        catch(
                            f"the {', '.join(bad)} model(s) gave an inadmissible χ² (below zero): "
                            "their numbers are not to be interpreted"
                        )
            step()
        for w in record:
            if issubclass(w.category, ModelWarning | ReverseKeyWarning):
                catch(w.message)
    finally:
        semopy_log.setLevel(old_level)
        if bar is not None:
            bar.close()
    if store_missing and any(
        PLACEHOLDER in (v or "")
        for v in [*instrument.title.values(), *(i.text.get(lang, "") for i in instrument.items)]
    ):
        caught.insert(
            0,
            (
                "report",
                f"no store name given (--store): {{store}} is shown as '{shown_store}' in the "
                "title, labels and segment names",
            ),
        )
    # one warning per problem, naming the model it concerns
    messages = list(dict.fromkeys(f"{w}: {m}" for w, m in caught))
    from cxkit._version import __version__
    from cxkit.sem._semopy import SEMOPY_VERSION

    settings = {
        "instrument": instrument.ref,
        "instrument_sha256": instrument.sha256,
        "source": r.source,
        "data_sha256": data_sha256(r.data),
        "n_read": r.meta.get("n_read"),
        "n_flagged": int(r.flags["flagged"].sum()),
        "n_excluded": len(r.excluded),
        "exclude": list(exclude),
        "n_analysed": len(r.data),
        "n_model": int(pls_fit.provenance["n"] if pls_fit else chosen.fit_indices["n"]),
        "n_complete": int(keyed[items].notna().all(axis=1).sum()),
        "model": model_name,
        "own_model": own,
        "estimator": estimator if not pls_fit else pls_fit.provenance["method"],
        "missing": missing,
        "n_boot": n_boot,
        "seed": seed,
        "drop": list(drop),
        "group": group,
        "invariance": inv_info,
        "segment": seg,
        "store": shown_store,
        "store_given": not store_missing,
        "lang": lang,
        "synthetic": synthetic,
        "df": None if pls_fit else _df_derivation(chosen),
        "improper": None if pls_fit else _improper(chosen),
        "approach": approach,
        "pls": pls_fit.provenance if pls_fit else None,
        "local_fit_notes": local_notes,
        "cxkit": __version__,
        "semopy": SEMOPY_VERSION,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    return Study(
        instrument,
        r,
        scores,
        metrics,
        rel,
        it,
        ht,
        fl,
        cfa,
        fits,
        model_name,
        boot,
        comparison,
        settings,
        messages,
        constructs=constructs,
        syntax=syntaxes[model_name],
        descriptives=desc,
        mardia=normal,
        outliers=outliers,
        profile=profile,
        missing_items=miss_items,
        missing_respondents=miss_resp,
        pilot=pilot,
        cross_loadings=cl,
        htmt_ci=ht_ci,
        harman=hm,
        vif=vif,
        hypotheses=hyp,
        effects=effects,
        verdict=verdict,
        residuals=resid,
        modification=mi,
        invariance=inv,
        dropped=dropped,
        approach=approach,
        pls=pls_fit,
        pls_predict=pls_pred,
    )


@dataclass
class Pilot:
    """The pilot-test route on its own (:func:`pilot`): item validity, α, KMO, Bartlett, EFA."""

    instrument: Instrument
    responses: object
    reliability: pd.DataFrame
    pilot: dict
    settings: dict = field(default_factory=dict)

    def write(
        self, out: str | Path, formats=("html", "pdf", "docx", "xlsx"), force: bool = False
    ) -> Path:
        """Write ``report.*`` and ``tables/pilot_*.csv`` into ``out``; returns ``out``.

        The same folder rules as :meth:`Study.write` (a new, empty or cxkit-made folder; another
        one only with ``force=True``); every file written atomically, never over an input.
        """
        from cxkit._io import OutputFolder
        from cxkit.report.content import pilot_blocks
        from cxkit.report.writer import as_frame, study_inputs, write_blocks

        out = Path(out)
        folder = OutputFolder(out, force=force, inputs=study_inputs(self))
        for name, frame in self.pilot.items():
            folder.write_csv(f"tables/pilot_{name}.csv", as_frame(frame), index=True)
        folder.write_csv("tables/reliability.csv", self.reliability, index=True)
        items = pilot_blocks(self)
        title = next(b[1] for b in items if b[0] == "title")
        footer = self.instrument.ref + " · cxkit " + self.settings["cxkit"]
        write_blocks(items, folder, {}, formats, self.settings["lang"], title, footer)
        folder.finish()
        return out


def pilot(data, instrument, *, lang: str = "en", drop=(), alpha: float = 0.05) -> Pilot:
    """The pilot test of a questionnaire, as Indonesian methods courses teach it.

    Item validity (corrected item–total Pearson r against the critical r for n − 2 df), Cronbach's
    α per construct, KMO and Bartlett's test, and a minres EFA with varimax rotation, on the
    instrument's constructs (reverse keys applied; ``drop`` items left out).

    Examples
    --------
    >>> import cxkit
    >>> d = cxkit.datasets.load_dataset("online-cx-demo").head(30)
    >>> p = pilot(d, "online-cx@2.0.0")
    >>> int(p.pilot["validity"]["n"].min()), round(float(p.pilot["validity"]["r_critical"].iloc[0]), 3)
    (30, 0.361)
    """
    from cxkit.measure import bartlett, efa, item_validity, kmo, reliability
    from cxkit.responses.core import Responses, read_responses
    from cxkit.responses.scoring import reverse_keyed

    check_option("lang", lang, LANGUAGES)
    if isinstance(instrument, str):
        from cxkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    r = data if isinstance(data, Responses) else read_responses(data, instrument)
    keyed, _ = reverse_keyed(r.data, instrument)
    drop = set(drop)
    unknown = drop - {i for ids in instrument.constructs.values() for i in ids}
    if unknown:
        raise SpecificationError(
            f"--drop-items: {', '.join(sorted(unknown))} is not a construct item of {instrument.ref}"
        )
    constructs = {
        c: [i for i in ids if i not in drop and i in keyed]
        for c, ids in instrument.constructs.items()
    }
    constructs = {c: ids for c, ids in constructs.items() if len(ids) >= 2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = {
            "validity": item_validity(keyed, constructs, alpha=alpha),
            "kmo": kmo(keyed, constructs),
            "bartlett": bartlett(keyed, constructs),
            "efa": efa(keyed, constructs),
        }
        rel = reliability(keyed, constructs)
    from cxkit._version import __version__

    settings = {
        "lang": lang,
        "source": r.source,
        "data_sha256": data_sha256(r.data),
        "n_analysed": len(r.data),
        "cxkit": __version__,
        "instrument": instrument.ref,
        "drop": sorted(drop),
    }
    return Pilot(instrument, r, rel, result, settings)
