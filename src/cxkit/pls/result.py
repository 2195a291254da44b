"""``PLSResult``: the immutable result of :func:`cxkit.fit_pls`, every assessment table as a tidy frame.

Tables (unrounded): ``paths`` (lhs, op, rhs, label, est, and after ``bootstrap()`` se, t, pvalue,
ci_low, ci_high), ``outer`` (construct, item, mode, loading, weight), ``r_squared``,
``r_squared_adj``, ``reliability`` (alpha — the standardised α —, rho_a, rho_c, ave), ``htmt``,
``fornell_larcker`` (√AVE on the diagonal), ``cross_loadings``, ``vif_outer``, ``vif_inner``,
``effects`` (from, to, direct, indirect, total), ``specific_indirect`` (path, from, to, est),
``scores``, ``fit_indices`` (srmr, d_uls, d_g, d_ml for the saturated and the estimated model, nfi),
``defined`` (``:=`` effects).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cxkit.pls import assess
from cxkit.pls.estimate import Estimates, estimate_like, staged_data
from cxkit.pls.spec import PLSSpec
from cxkit.sem.syntax import evaluate


@dataclass(frozen=True)
class ViewSpec:
    """The constructs of a :class:`LavaanView` (``latent``, as ``SEMResult.spec`` names them)."""

    latent: tuple[str, ...]


@dataclass(frozen=True)
class LavaanView:
    """A PLS fit seen as an SEM result: ``estimates`` in lavaan's rows, ``spec.latent``,
    ``r_squared``, ``bootstrap_draws`` (paths, columns ``"Y ~ X"``) and the interval ``level``."""

    estimates: pd.DataFrame
    spec: ViewSpec
    r_squared: pd.Series
    bootstrap_draws: pd.DataFrame | None = None
    level: float = 0.95


@dataclass(frozen=True)
class PLSResult:
    """The result of :func:`cxkit.fit_pls` (immutable): see the module docstring for the tables.

    Attributes
    ----------
    paths, outer, r_squared, r_squared_adj, reliability, htmt, fornell_larcker, cross_loadings,
    vif_outer, vif_inner, effects, specific_indirect, scores, fit_indices, defined : tables
    iterations : int
    converged : bool
    provenance : dict
        Method (PLS-PM or PLSc), scheme, settings, missing-data handling, n used and dropped,
        data hash, instrument, cxkit version; after ``bootstrap()`` its settings and counts.
    """

    spec: PLSSpec = field(repr=False)
    paths: pd.DataFrame = field(repr=False)
    outer: pd.DataFrame = field(repr=False)
    r_squared: pd.Series = field(repr=False)
    r_squared_adj: pd.Series = field(repr=False)
    reliability: pd.DataFrame = field(repr=False)
    htmt: pd.DataFrame = field(repr=False)
    fornell_larcker: pd.DataFrame = field(repr=False)
    cross_loadings: pd.DataFrame = field(repr=False)
    vif_outer: pd.DataFrame = field(repr=False)
    vif_inner: pd.DataFrame = field(repr=False)
    effects: pd.DataFrame = field(repr=False)
    specific_indirect: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    fit_indices: pd.Series = field(repr=False)
    defined: pd.DataFrame = field(repr=False)
    iterations: int = 0
    converged: bool = True
    provenance: dict = field(default_factory=dict, repr=False)
    options: dict = field(default_factory=dict, repr=False)
    data: np.ndarray | None = field(default=None, repr=False, compare=False)
    raw: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    estimates: Estimates | None = field(default=None, repr=False, compare=False)
    bootstrap_draws: dict | None = field(default=None, repr=False, compare=False)
    inference: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    htmt_inference: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: two-stage models (higher-order constructs, interactions): see ``PLSSpec.staged``, with
    #: ``"data"`` the first stage's indicators (n, p) and ``"items"`` their names
    stages: dict | None = field(default=None, repr=False, compare=False)

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls, spec, x, est: Estimates, options, provenance, *, items, raw, stages=None
    ) -> PLSResult:
        """Assemble every table from one fit (``x``: the centred/standardised data)."""
        names = spec.names
        m, d = spec.membership(), spec.adjacency()
        n = x.shape[0]
        e = est
        pt = assess.point_arrays(e, spec)
        path_rows = list(zip(*np.nonzero(d), strict=True))
        labels = {(lhs, rhs): lab for lhs, rhs, lab in spec.paths}
        paths = pd.DataFrame(
            {
                "lhs": [names[j] for _, j in path_rows],
                "op": "~",
                "rhs": [names[i] for i, _ in path_rows],
                "label": [labels.get((names[j], names[i])) for i, j in path_rows],
                "est": pt["paths"][0],
            }
        )
        order = {(lhs, rhs): k for k, (lhs, rhs, _) in enumerate(spec.paths)}
        paths = paths.iloc[
            np.argsort([order[(a, b)] for a, b in zip(paths.lhs, paths.rhs, strict=True)])
        ].reset_index(drop=True)
        pos = [(k, j) for j in range(m.shape[1]) for k in np.flatnonzero(m[:, j])]
        outer = pd.DataFrame(
            {
                "construct": [names[j] for _, j in pos],
                "item": [items[k] for k, _ in pos],
                "mode": [spec.blocks[j].mode for _, j in pos],
                "loading": pt["loading"][0],
                "weight": e.weights[0][[k for k, _ in pos], [j for _, j in pos]],
            }
        )
        endo = [names[j] for j in range(len(names)) if d[:, j].any()]
        r2 = pd.Series(pt["r2"][0], index=endo, name="r_squared")
        k_pred = np.array([d[:, names.index(c)].sum() for c in endo])
        r2_adj = pd.Series(1 - (1 - r2.to_numpy()) * (n - 1) / (n - k_pred - 1), index=endo)
        r2_adj.name = "r_squared_adj"
        rc, ave = assess.rho_c_ave(e, m)
        single = m.sum(axis=0) < 2
        mode_b = np.array([b.mode == "B" for b in spec.blocks])
        blank = np.where(mode_b, np.nan, 1.0)
        rel = pd.DataFrame(
            {
                "mode": [b.mode for b in spec.blocks],
                "n_items": m.sum(axis=0).astype(int),
                "alpha": assess.alpha_std(e.item_cor, m)[0] * blank,
                "rho_a": np.where(single, 1.0, e.rho_a[0]) * blank,
                "rho_c": rc[0] * blank,
                "ave": ave[0] * blank,
            },
            index=pd.Index(names, name="construct"),
        )
        ht = pd.DataFrame(assess.htmt(e.item_cor, m)[0], index=names, columns=names)
        fl_values = e.cor[0].copy()
        np.fill_diagonal(fl_values, np.sqrt(ave[0]) * blank)
        fl = pd.DataFrame(fl_values, index=names, columns=names)
        cross = pd.DataFrame(
            e.item_cor[0] @ e.weights_std[0], index=pd.Index(items, name="item"), columns=names
        )
        vo = assess.vif_outer(e.item_cor, m)
        vif_outer = pd.DataFrame(
            {
                "construct": [names[j] for _, j in pos],
                "item": [items[k] for k, _ in pos],
                "vif": np.concatenate([v[0] for v in vo]),
            }
        )
        vi = assess.vif_inner(e.cor, d)[0]
        vif_inner = pd.DataFrame(
            {
                "lhs": paths.lhs,
                "rhs": paths.rhs,
                "vif": [
                    vi[names.index(r), names.index(lh)]
                    for lh, r in zip(paths.lhs, paths.rhs, strict=False)
                ],
            }
        )
        pairs = list(zip(*np.nonzero(assess.total_effects(d[None])[0] > 0.5), strict=True))
        effects = pd.DataFrame(
            {
                "from": [names[i] for i, _ in pairs],
                "to": [names[j] for _, j in pairs],
                "direct": [e.paths[0][i, j] for i, j in pairs],
                "total": pt["total"][0],
            }
        )
        effects.insert(3, "indirect", effects.total - effects.direct)
        ch = assess.chains(d)
        specific = pd.DataFrame(
            {
                "path": pd.Series([" → ".join(names[k] for k in c) for c in ch], dtype=object),
                "from": pd.Series([names[c[0]] for c in ch], dtype=object),
                "to": pd.Series([names[c[-1]] for c in ch], dtype=object),
                "est": pt["specific"][0],
            }
        )
        scores = pd.DataFrame(
            x @ e.weights_std[0] if options["standardize"] else x @ e.weights[0],
            columns=names,
            index=raw.index,
        )
        fit = assess.fit_indices(e, spec, options["consistent"])
        values = {lab: v for lab, v in zip(paths.label, paths.est, strict=False) if lab}
        defined = pd.DataFrame(
            {
                "name": pd.Series([nm for nm, _ in spec.definitions], dtype=object),
                "expr": pd.Series([ex for _, ex in spec.definitions], dtype=object),
                "est": pd.Series([evaluate(ex, values) for _, ex in spec.definitions], dtype=float),
            }
        )
        return cls(
            spec=spec,
            paths=paths,
            outer=outer,
            r_squared=r2,
            r_squared_adj=r2_adj,
            reliability=rel,
            htmt=ht,
            fornell_larcker=fl,
            cross_loadings=cross,
            vif_outer=vif_outer,
            vif_inner=vif_inner,
            effects=effects,
            specific_indirect=specific,
            scores=scores,
            fit_indices=fit,
            defined=defined,
            iterations=int(e.iterations[0]),
            converged=bool(e.converged[0]),
            provenance={**provenance, "iterations": int(e.iterations[0])},
            options=options,
            data=x,
            raw=raw,
            estimates=e,
            stages=stages,
        )

    # -- further analyses ----------------------------------------------------------------------

    def f_squared(self, reestimate: bool = False) -> pd.DataFrame:
        """f² of every path: ``(R²_in − R²_out) / (1 − R²_in)``.

        ``reestimate=False`` takes R²_out from the same construct correlations (cSEM, ADANCO);
        ``True`` re-runs PLS without the path (seminr, SmartPLS; with interaction terms both
        stages): nan for a construct of an interaction term on the same outcome, as seminr.
        """
        e = self.estimates
        names = self.spec.names
        f2 = assess.f_squared(e.cor, self.spec.adjacency(), e.r2)[0]
        out = self.paths[["lhs", "rhs"]].copy()
        out["f2"] = [
            f2[names.index(r), names.index(lh)] for lh, r in zip(out.lhs, out.rhs, strict=False)
        ]
        if reestimate:
            # without a construct of an interaction the interaction is undefined: no f² (seminr)
            moderated = {
                (lh, c)
                for lh, r, _ in self.spec.paths
                for name, a, b in self.spec.interactions
                if r == name
                for c in (a, b)
            }
            vals = []
            for lh, r in zip(out.lhs, out.rhs, strict=False):
                if (lh, r) in moderated:
                    vals.append(np.nan)
                    continue
                j = names.index(lh)
                r2_in = e.r2[0][j]
                r2_out = refit_without(self, lh, r)
                vals.append((r2_in - r2_out) / (1 - r2_in))
            out["f2"] = vals
        return out

    def bootstrap(
        self,
        n: int = 10000,
        seed: int | None = None,
        *,
        ci: str = "percentile",
        sign_change: str | None = None,
        level: float = 0.95,
        chunk: int = 2000,
    ):
        """Bootstrap every estimate: see :func:`cxkit.pls.bootstrap.bootstrap`."""
        from cxkit.pls.bootstrap import bootstrap

        return bootstrap(self, n, seed, ci=ci, sign_change=sign_change, level=level, chunk=chunk)

    def predict(self, folds: int = 10, repetitions: int = 10, seed: int | None = None):
        """PLSpredict: see :func:`cxkit.pls.predict.predict`."""
        from cxkit.pls.predict import predict

        return predict(self, folds=folds, repetitions=repetitions, seed=seed)

    def cvpat(self, other=None, **kw) -> pd.DataFrame:
        """CVPAT against the IA and LM benchmarks or another model: see
        :func:`cxkit.pls.cvpat.cvpat`."""
        from cxkit.pls.cvpat import cvpat

        return cvpat(self, other, **kw)

    def ipma(self, target: str, bounds=None) -> pd.DataFrame:
        """Importance–performance map for ``target``: see :func:`cxkit.pls.ipma.ipma`."""
        from cxkit.pls.ipma import ipma

        return ipma(self, target, bounds)

    def quantity_labels(self) -> dict[str, pd.DataFrame]:
        """For each bootstrapped array, a frame naming its columns (quantity, lhs, op, rhs)."""
        names = self.spec.names
        d, m = self.spec.adjacency(), self.spec.membership()
        rows = np.nonzero(d)
        reach = np.nonzero(assess.total_effects(d[None])[0] > 0.5)
        iu = np.triu_indices(len(names), 1)
        items = self.spec.items
        pos = [(k, j) for j in range(m.shape[1]) for k in np.flatnonzero(m[:, j])]

        def frame(q, lhs, op, rhs):
            return pd.DataFrame({"quantity": q, "lhs": lhs, "op": op, "rhs": rhs})

        endo = [names[j] for j in range(len(names)) if d[:, j].any()]
        sp = self.specific_indirect
        return {
            "paths": frame("path", [names[j] for j in rows[1]], "~", [names[i] for i in rows[0]]),
            "loading": frame(
                "loading", [names[j] for _, j in pos], "=~", [items[k] for k, _ in pos]
            ),
            "weight": frame("weight", [names[j] for _, j in pos], "<~", [items[k] for k, _ in pos]),
            "total": frame(
                "total_effect", [names[j] for j in reach[1]], "~", [names[i] for i in reach[0]]
            ),
            "specific": frame("specific_indirect", list(sp["to"]), "~", list(sp["path"])),
            "r2": frame("r_squared", endo, "r2", endo),
            "f2": frame("f_squared", [names[j] for j in rows[1]], "~", [names[i] for i in rows[0]]),
            "htmt": frame("htmt", [names[i] for i in iu[0]], "htmt", [names[j] for j in iu[1]]),
            "defined": frame(
                "defined", list(self.defined["name"]), ":=", list(self.defined["expr"])
            ),
        }

    def with_bootstrap(self, table: pd.DataFrame, draws: dict, settings: dict) -> PLSResult:
        """The same result carrying bootstrap inference (see :func:`cxkit.pls.bootstrap.bootstrap`)."""
        cols = ["se", "t", "pvalue", "ci_low", "ci_high"]
        pth = table[table.quantity == "path"][["lhs", "rhs", *cols]]
        paths = self.paths.drop(columns=[c for c in cols if c in self.paths]).merge(
            pth, on=["lhs", "rhs"], how="left"
        )
        eff = table[table.quantity == "total_effect"][["lhs", "rhs", *cols]]
        eff = eff.rename(columns={"lhs": "to", "rhs": "from"})
        effects = self.effects[["from", "to", "direct", "indirect", "total"]].merge(
            eff, on=["from", "to"], how="left"
        )
        spc = table[table.quantity == "specific_indirect"][["rhs", *cols]].rename(
            columns={"rhs": "path"}
        )
        specific = self.specific_indirect[["path", "from", "to", "est"]].merge(
            spc, on="path", how="left"
        )
        dfn = table[table.quantity == "defined"][["lhs", *cols]].rename(columns={"lhs": "name"})
        defined = self.defined[["name", "expr", "est"]].merge(dfn, on="name", how="left")
        h = table[table.quantity == "htmt"]
        hd = draws["htmt"]
        alpha = 1 - settings["level"]
        hinf = pd.DataFrame(
            {
                "construct_1": h.lhs.to_numpy(),
                "construct_2": h.rhs.to_numpy(),
                "htmt": h.est.to_numpy(),
                "se": h.se.to_numpy(),
                "ci_upper": np.nanquantile(hd, 1 - alpha, axis=0) if hd.shape[1] else [],
                "pvalue_vs_1": (hd >= 1).mean(axis=0),
                "pvalue_vs_090": (hd >= 0.9).mean(axis=0),
            }
        )
        return replace(
            self,
            paths=paths,
            effects=effects,
            specific_indirect=specific,
            defined=defined,
            inference=table,
            htmt_inference=hinf,
            bootstrap_draws=draws,
            provenance={**self.provenance, "bootstrap": settings},
        )

    def higher_order_paths(self) -> set[tuple[str, str]]:
        """The inner-model paths ``(outcome, predictor)`` that tie a higher-order construct to its
        lower-order constructs (repeated indicators): measurement, not hypotheses."""
        return self.spec.higher_order_paths()

    def lavaan_view(self) -> LavaanView:
        """The fit as lavaan's ``parameterEstimates()`` rows, for code written for SEM results.

        ``F =~ item`` rows carry the outer loadings, ``HOC =~ LOC`` the paths between a
        higher-order construct and its lower-order constructs, ``Y ~ X`` the structural paths
        (``z`` is the bootstrap t), ``:=`` the defined effects; ``std_all`` equals ``est`` (PLS
        estimates are standardised). After ``bootstrap()`` the view's ``bootstrap_draws`` holds
        the path draws as columns named ``"Y ~ X"``.
        """
        cols = ["se", "t", "pvalue", "ci_low", "ci_high"]
        nan = np.full(len(self.outer), np.nan)
        loads = pd.DataFrame(
            {
                "lhs": self.outer.construct,
                "op": "=~",
                "rhs": self.outer.item,
                "label": None,
                "est": self.outer.loading,
                **{c: nan for c in cols},
            }
        )
        paths = self.paths.copy()
        for c in cols:
            if c not in paths:
                paths[c] = np.nan
        higher = self.higher_order_paths()
        is_hoc = [(a, b) in higher for a, b in zip(paths.lhs, paths.rhs, strict=True)]
        hoc = paths[is_hoc].copy()
        mode_a = {b.name for b in self.spec.blocks if b.mode == "A"}
        flip = hoc.rhs.isin(mode_a).to_numpy()  # HOC =~ LOC for Mode A (LOC ~ HOC in the model)
        hoc_lhs = np.where(flip, hoc.rhs, hoc.lhs)
        hoc_rhs = np.where(flip, hoc.lhs, hoc.rhs)
        hoc["lhs"], hoc["rhs"], hoc["op"] = hoc_lhs, hoc_rhs, "=~"
        dfn = self.defined.rename(columns={"name": "lhs", "expr": "rhs"}).copy()
        dfn["op"], dfn["label"] = ":=", dfn["lhs"]
        for c in cols:
            if c not in dfn:
                dfn[c] = np.nan
        rows = pd.concat(
            [loads, hoc, paths[[not h for h in is_hoc]], dfn], ignore_index=True
        ).rename(columns={"t": "z"})
        rows["std_all"] = rows["est"]
        rows = rows[
            [
                "lhs",
                "op",
                "rhs",
                "label",
                "est",
                "se",
                "z",
                "pvalue",
                "ci_low",
                "ci_high",
                "std_all",
            ]
        ]
        draws = None
        if self.bootstrap_draws is not None:
            lab = self.quantity_labels()["paths"]
            draws = pd.DataFrame(
                self.bootstrap_draws["paths"],
                columns=[f"{a} ~ {b}" for a, b in zip(lab.lhs, lab.rhs, strict=True)],
            )
        level = self.provenance.get("bootstrap", {}).get("level", 0.95)
        return LavaanView(rows, ViewSpec(tuple(self.spec.names)), self.r_squared, draws, level)

    # -- display -------------------------------------------------------------------------------

    def summary(self) -> str:
        """Plain text: settings, paths, R², reliability, HTMT, fit."""
        pv = self.provenance
        lines = [
            f"cxkit {pv.get('cxkit', '')} {pv.get('method')} — {pv.get('scheme')} scheme, "
            f"{'converged' if self.converged else 'NOT converged'} ({self.iterations} iterations)",
            f"n = {pv.get('n')} (missing = {pv.get('missing')}: {pv.get('n_dropped', 0)} rows dropped)",
        ]
        if "instrument" in pv:
            lines.append(
                f"instrument {pv['instrument']} (sha256 {pv.get('instrument_sha256', '')[:12]})"
            )
        if pv.get("reversed_items"):
            lines.append(
                f"reverse-keyed items recoded (min + max) − x: {', '.join(pv['reversed_items'])}"
            )
        if "bootstrap" in pv:
            b = pv["bootstrap"]
            lines.append(
                f"bootstrap: {b['n']} resamples ({b['ci']}, sign change {b['sign_change']}), "
                f"{b['not_converged']} not converged (left out), {b.get('inadmissible', 0)} "
                f"inadmissible, seed {b['seed']}"
            )
        fmt = lambda v: f"{v:.3f}"  # noqa: E731
        with pd.option_context("display.width", 200, "display.max_rows", None):
            cols = [
                c
                for c in ("lhs", "op", "rhs", "est", "se", "t", "pvalue", "ci_low", "ci_high")
                if c in self.paths
            ]
            lines += ["", "Paths:", self.paths[cols].to_string(index=False, float_format=fmt)]
            if len(self.defined):
                dcols = [
                    c
                    for c in ("name", "expr", "est", "se", "t", "pvalue", "ci_low", "ci_high")
                    if c in self.defined
                ]
                lines += [
                    "",
                    "Defined effects:",
                    self.defined[dcols].to_string(index=False, float_format=fmt),
                ]
            lines += ["", "R²: " + ", ".join(f"{k} {v:.3f}" for k, v in self.r_squared.items())]
            lines += ["", "Reliability:", self.reliability.to_string(float_format=fmt)]
            lines += ["", "HTMT:", self.htmt.to_string(float_format=fmt)]
            lines += ["", "Fit: " + ", ".join(f"{k} {v:.4f}" for k, v in self.fit_indices.items())]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<PLSResult {self.provenance.get('method')} n={self.provenance.get('n')} "
            f"constructs={len(self.spec.blocks)} paths={len(self.paths)}>"
        )

    def _repr_html_(self) -> str:
        pv = self.provenance
        heads = {
            "est": "β",
            "se": "SE",
            "t": "t",
            "pvalue": "p",
            "ci_low": "CI low",
            "ci_high": "CI high",
        }
        cols = [c for c in heads if c in self.paths]

        def cell(c, v):
            if c == "pvalue":
                return "&lt;.001" if v < 0.001 else f"{v:.3f}"
            return f"{v:.3f}"

        head = "".join(f"<th>{h}</th>" for h in ["path", *(heads[c] for c in cols)])
        body = "".join(
            "<tr><td>"
            + html.escape(f"{r['rhs']} → {r['lhs']}")
            + "</td>"
            + "".join(f"<td>{cell(c, r[c])}</td>" for c in cols)
            + "</tr>"
            for _, r in self.paths.iterrows()
        )
        r2 = ", ".join(f"{html.escape(k)} {v:.3f}" for k, v in self.r_squared.items())
        boot = pv.get("bootstrap")
        note = f"; bootstrap {boot['n']} resamples ({boot['ci']} CI)" if boot else ""
        rel = self.reliability.to_html(border=0, float_format=lambda v: f"{v:.3f}")
        return (
            f"<div><strong>PLS</strong> — {html.escape(str(pv.get('method')))}, "
            f"{html.escape(str(pv.get('scheme')))} scheme, n = {pv.get('n')}{note}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>R²: {r2}</p><p><em>Reliability</em></p>{rel}</div>"
        )


def refit_without(result, outcome: str, predictor: str) -> float:
    """R² of ``outcome`` when PLS is re-run without the path ``outcome ~ predictor`` (seminr's f²);
    a two-stage model is re-run whole (every stage without the path), as seminr does."""
    if len(result.spec.predictors(outcome)) == 1:  # its only predictor: nothing left to explain
        return 0.0
    st = result.stages
    if st is None:
        spec = result.spec.without(outcome, predictor)
        x = result.data[:, [result.spec.items.index(i) for i in spec.items]]
    else:
        spec, stages, read = st["model"].without(outcome, predictor).staged(st["method"])
        raw = st["data"][:, [st["items"].index(i) for i in read]]
        made, names = staged_data(
            raw[None], np.ones((1, len(raw))), read, stages or {}, result.options
        )
        x = made[0][:, [names.index(i) for i in spec.items]]
        x = x - x.mean(axis=0)
        if result.options["standardize"]:
            x = x / x.std(axis=0, ddof=1)
    s = (x.T @ x) / (len(x) - 1)
    est = estimate_like(spec, result.options, s[None])
    r2 = est.r2[0][spec.names.index(outcome)]
    return 0.0 if np.isnan(r2) else float(r2)
