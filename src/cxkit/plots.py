"""matplotlib figures for CX studies; each function takes results and returns a Figure.

* :func:`likert_bars` — diverging stacked bars of every Likert item by construct (Heiberger &
  Robbins, 2014): disagreement to the left of zero, agreement to the right, the neutral answer split
  across zero;
* :func:`score_distributions` — construct mean scores as histograms;
* :func:`heatmap` — a correlation, HTMT or Fornell–Larcker matrix;
* :func:`path_diagram` — the structural part of a fitted model, standardised coefficients with
  significance marks and R²;
* :func:`nps_breakdown` — promoters, passives and detractors, overall and by segment.

Importing this module changes no matplotlib setting and loads no backend. A figure is made through
pyplot, so it shows in Jupyter (inline) and in the user's own backend like any other figure; inside
``with offscreen():`` (what the report writer uses) it is a plain :class:`matplotlib.figure.Figure` on a
non-interactive Agg canvas that pyplot never sees — no window, nothing left open.

>>> import cxkit, cxkit.plots
>>> with cxkit.plots.offscreen():
...     fig = cxkit.plots.heatmap(cxkit.htmt(cxkit.datasets.load_dataset("satisfaction"),
...                                          cxkit.load_instrument("ecsi@1.0.0")), "HTMT")
>>> type(fig.canvas).__name__
'FigureCanvasAgg'

Also :func:`power_curve` — power against sample size, from a Monte Carlo study or analytic power.
"""

from __future__ import annotations

import contextlib
import contextvars
import textwrap
from collections.abc import Iterator

import matplotlib
import matplotlib.patches
import numpy as np
import pandas as pd

from cxkit.errors import SpecificationError

NEUTRAL = "#d9d9d9"

_OFFSCREEN: contextvars.ContextVar[bool] = contextvars.ContextVar("cxkit_offscreen", default=False)


@contextlib.contextmanager
def offscreen() -> Iterator[None]:
    """Make the figures of this module on an explicit Agg canvas, unknown to pyplot, within the block.

    For writing files (PNG, SVG, PDF) from scripts, servers and the report writer: the user's backend is
    neither consulted nor changed, and nothing needs closing.
    """
    token = _OFFSCREEN.set(True)
    try:
        yield
    finally:
        _OFFSCREEN.reset(token)


def new_figure(figsize: tuple[float, float]) -> matplotlib.figure.Figure:
    """A new Figure: through pyplot (so notebooks show it), or on an Agg canvas inside :func:`offscreen`."""
    if _OFFSCREEN.get():
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        return fig
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize)


def literal(text) -> str:
    r"""A label drawn exactly as written: ``$`` escaped, so mathtext never reads user text.

    >>> print(literal("$5 to $10"))
    \$5 to \$10
    """
    return str(text).replace("$", r"\$")


def _colours(points: int) -> list:
    """Red (disagree) to blue (agree), the neutral middle grey."""
    cols = list(matplotlib.colormaps["RdBu"](np.linspace(0.1, 0.9, points)))
    if points % 2:
        cols[points // 2] = NEUTRAL
    return cols


def likert_bars(
    data: pd.DataFrame,
    instrument,
    lang: str = "en",
    wrap: int = 46,
    store: str | None = None,
    constructs=None,
):
    """Diverging stacked bars: one bar per Likert measure item, grouped by construct.

    Parameters
    ----------
    data : DataFrame or Responses
        Answers with item ids as columns (reverse-keyed items as answered).
    instrument : Instrument
    lang : str
        Language of the item texts and labels.
    store : str, optional
        The store's name in place of ``{store}`` (default: the instrument's ``store_default``).
    constructs : mapping, optional
        Construct → items to show (default: every Likert measure item of the instrument).
    """
    frame = getattr(data, "data", data)
    keep = None if constructs is None else {i for ids in constructs.values() for i in ids}
    items = [
        i
        for i in instrument.items
        if i.role == "measure"
        and i.scale.type == "likert"
        and i.id in frame
        and (keep is None or i.id in keep)
    ]
    if not items:
        raise SpecificationError("no Likert measure items of the instrument are in the data")
    scale = items[0].scale
    values = list(scale.values)
    labels = scale.labels(lang)
    colours = _colours(len(values))
    mid = (len(values) - 1) / 2
    fig_h = 0.32 * len(items) + 1.6
    fig = new_figure((10, fig_h))
    ax = fig.subplots()
    y = 0
    yticks, ylabels = [], []
    for cid in instrument.constructs:
        block = [i for i in items if i.construct == cid]
        if not block:
            continue
        for item in block:
            col = pd.to_numeric(frame[item.id], errors="coerce").dropna()
            share = np.array([(col == v).mean() * 100 for v in values])
            left = -share[: int(np.floor(mid))].sum() - (
                share[int(mid)] / 2 if len(values) % 2 else 0
            )
            for k, (v, sh) in enumerate(zip(values, share, strict=True)):
                ax.barh(
                    y,
                    sh,
                    left=left,
                    color=colours[k],
                    edgecolor="white",
                    linewidth=0.4,
                    label=literal(f"{v} {labels.get(v, '')}".strip()) if y == 0 else None,
                )
                left += sh
            yticks.append(y)
            text = item.label(lang, store or instrument.default_store(lang))
            ylabels.append(
                literal(
                    f"{item.id}{' (R)' if item.reverse else ''}  "
                    + textwrap.shorten(text, wrap, placeholder="…")
                )
            )
            y += 1
        ax.axhline(y - 0.5, color="#888888", linewidth=0.5)
        ax.text(
            101,
            y - len(block) / 2 - 0.5,
            literal(cid),
            ha="left",
            va="center",
            fontsize=9,
            weight="bold",
            color="#444444",
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(yticks, ylabels, fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xticks(range(-100, 101, 25), [f"{abs(t)}%" for t in range(-100, 101, 25)], fontsize=8)
    ax.set_xlabel(
        "persentase jawaban (tidak setuju di kiri, setuju di kanan; netral dibagi di 0)"
        if lang == "id"
        else "share of answers (disagreement left, agreement right; neutral split at 0)",
        fontsize=8,
    )
    ax.spines[["top", "right"]].set_visible(False)
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.36, right=0.93, top=0.98, bottom=1.35 / fig_h)
    return fig


def score_distributions(
    scores: pd.DataFrame,
    low: float | None = None,
    high: float | None = None,
    items=None,
    lang: str = "en",
):
    """Histograms of construct mean scores, one panel per construct.

    With ``items`` (construct → its items) and the scale's ``low``/``high``, the bins are centred on
    the values a mean of k items can take (low, low + 1/k, …, high), so no bar mixes two values.
    """
    cols = [c for c in scores.columns if c != "respondent"]
    if not cols:
        raise SpecificationError("scores has no columns")
    ncol = min(3, len(cols))
    nrow = int(np.ceil(len(cols) / ncol))
    fig = new_figure((3.3 * ncol, 2.6 * nrow))
    axes = fig.subplots(nrow, ncol, squeeze=False)
    low = np.nanmin(scores[cols].to_numpy()) if low is None else low
    high = np.nanmax(scores[cols].to_numpy()) if high is None else high
    for ax, c in zip(axes.ravel(), cols, strict=False):
        v = scores[c].dropna()
        k = len(items[c]) if items is not None and c in items else None
        if k:
            step = 1 / k
            bins = np.arange(low - step / 2, high + step, step)
        else:
            bins = np.linspace(low, high, 19)
        ax.hist(v, bins=bins, color="#4393c3", edgecolor="white")
        ax.axvline(v.mean(), color="#b2182b", linewidth=1)
        ax.set_title(
            literal(f"{c}  (M = {v.mean():.2f}, SD = {v.std():.2f})".replace("-", "\u2212")),
            fontsize=9,
        )
        ax.set_xlim(low - 0.5, high + 0.5)
        ax.set_xticks(range(int(low), int(high) + 1))
        ax.set_xlabel("skor rata-rata" if lang == "id" else "mean score", fontsize=8)
        ax.set_ylabel("responden" if lang == "id" else "respondents", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.ravel()[len(cols) :]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def heatmap(
    matrix: pd.DataFrame,
    title: str = "",
    threshold: float | None = None,
    vmin: float = 0.0,
    vmax: float = 1.0,
    lower: bool = False,
):
    """A square matrix with its values written in the cells; cells above ``threshold`` outlined.

    ``lower=True`` shows the lower triangle only (the diagonal and the cells above it left blank),
    as a symmetric matrix such as HTMT is reported.
    """
    m = matrix.to_numpy(dtype=float).copy()
    if lower:
        m[np.triu_indices_from(m)] = np.nan
    fig = new_figure((1.0 + 0.75 * len(matrix), 0.8 + 0.65 * len(matrix)))
    ax = fig.subplots()
    im = ax.imshow(m, cmap="Blues", vmin=vmin, vmax=vmax)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if not np.isfinite(m[i, j]):
                continue
            ax.text(
                j,
                i,
                _coef(m[i, j]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if m[i, j] > 0.6 * vmax else "black",
            )
            if threshold is not None and i != j and abs(m[i, j]) >= threshold:
                ax.add_patch(
                    matplotlib.patches.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#b2182b", linewidth=2
                    )
                )
    if lower:
        ax.set_xticks(range(len(matrix) - 1), [literal(c) for c in matrix.columns[:-1]], fontsize=8)
        ax.set_yticks(range(1, len(matrix)), [literal(i) for i in matrix.index[1:]], fontsize=8)
        ax.set_xlim(-0.5, len(matrix) - 1.5)
        ax.set_ylim(len(matrix) - 0.5, 0.5)
        ax.spines[:].set_visible(False)
    else:
        ax.set_xticks(range(len(matrix)), [literal(c) for c in matrix.columns], fontsize=8)
        ax.set_yticks(range(len(matrix)), [literal(i) for i in matrix.index], fontsize=8)
    ax.set_title(literal(title), fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig


def _coef(v: float) -> str:
    """APA style, one minus sign: .85, −.12, 1.02."""
    text = f"{abs(v):.2f}"
    if text.startswith("0."):
        text = text[1:]
    return ("\u2212" if v < 0 and float(text) != 0 else "") + text


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def path_diagram(result, title: str = "", indicators: bool = False, lang: str = "en"):
    """The structural model as AMOS and SmartPLS draw it: latent variables as ellipses in columns
    from predictors to outcomes, each arrow labelled at its midpoint with its standardised
    coefficient (* p < .05, ** p < .01, *** p < .001), R² under each outcome.

    ``indicators=True`` adds each factor's items as boxes with their standardised loadings
    (left of the first column, right of the last, above the factors in between). Covariances among
    exogenous factors are left out for legibility.
    """
    est = result.estimates
    latent = set(result.spec.latent)
    reg = est[(est["op"] == "~") & est["lhs"].isin(latent)]
    higher = est[(est["op"] == "=~") & est["rhs"].isin(latent)]
    nodes = list(dict.fromkeys([*reg["rhs"], *reg["lhs"], *higher["lhs"], *higher["rhs"]]))
    if not nodes:
        raise SpecificationError(
            "the model has no structural part (no regressions between latent variables) to draw"
        )
    preds = {
        n: set(reg.loc[reg["lhs"] == n, "rhs"]) | set(higher.loc[higher["rhs"] == n, "lhs"])
        for n in nodes
    }
    level: dict[str, int] = {}

    def depth(n, seen=()):
        if n in level:
            return level[n]
        if n in seen or not preds[n]:
            level[n] = 0
            return 0
        level[n] = 1 + max(depth(p, (*seen, n)) for p in preds[n])
        return level[n]

    for n in nodes:
        depth(n)
    cols: dict[int, list[str]] = {}
    for n in nodes:
        cols.setdefault(level[n], []).append(n)
    ncol = max(cols) + 1
    items = est[(est["op"] == "=~") & ~est["rhs"].isin(latent)]
    own = {n: items[items["lhs"] == n] for n in nodes} if indicators else {}
    side = {
        n: "left" if level[n] == 0 else "right" if level[n] == ncol - 1 else "top" for n in nodes
    }

    def room(n) -> float:
        k = len(own.get(n, ()))
        if not k:
            return 1.3
        return max(1.3, 0.42 * k + 0.3) if side[n] != "top" else 2.2

    gap = 4.6 if indicators else 3.0
    heights = {c: sum(room(n) for n in members) for c, members in cols.items()}
    total = max(heights.values())
    pos = {}
    for c, members in cols.items():
        y = total / 2 - (total - heights[c]) / 2
        for n in members:
            h = room(n)
            centre = (
                y
                - h / 2
                - (0.45 if side.get(n) == "top" and own.get(n) is not None and len(own[n]) else 0)
            )
            pos[n] = (c * gap, centre)
            y -= h
    width = gap * (ncol - 1) + (5.0 if indicators else 2.4)
    fig = new_figure((1.9 * width / 2.2 + 1, 0.95 * total + 1.3))
    ax = fig.subplots()
    r2 = result.r_squared
    for n, (x, yv) in pos.items():
        ax.add_patch(
            matplotlib.patches.Ellipse(
                (x, yv), 1.5, 0.62, facecolor="#eaf2fa", edgecolor="#2166ac", linewidth=1.2
            )
        )
        ax.text(x, yv, literal(n), ha="center", va="center", fontsize=10, weight="bold")
        if n in r2.index and level[n] > 0:
            ax.text(
                x,
                yv - 0.42,
                f"R² = {_coef(r2[n])}",
                ha="center",
                va="top",
                fontsize=8,
                color="#444444",
            )
    arrows = [(r.rhs, r.lhs, r.std_all, r.pvalue) for r in reg.itertuples()] + [
        (r.lhs, r.rhs, r.std_all, r.pvalue) for r in higher.itertuples()
    ]
    for a, b, coef, p in arrows:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        dx = x1 - x0
        sx = 0.75 * np.sign(dx) if dx else 0.0
        sy = 0.31 * np.sign(y1 - y0) if not dx else 0.0
        start, end = (x0 + sx, y0 + sy), (x1 - sx, y1 - sy)
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#333333",
                "linewidth": 1.0 + 2 * min(abs(coef), 1),
                "shrinkA": 2,
                "shrinkB": 2,
            },
        )
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(
            mx,
            my,
            f"{_coef(coef)}{_stars(p) if np.isfinite(p) else ''}",
            ha="center",
            va="center",
            fontsize=8.5,
            color="#b2182b" if coef < 0 else "#111111",
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "#cccccc",
                "linewidth": 0.5,
            },
            zorder=5,
        )
    for n, rows in own.items():
        x, yv = pos[n]
        k = len(rows)
        for j, r in enumerate(rows.itertuples()):
            if side[n] == "top":
                bx, by = x + (j - (k - 1) / 2) * 0.72, yv + 1.25
                tip = (x + (j - (k - 1) / 2) * 0.2, yv + 0.31)
                base = (bx, by - 0.17)
                lx, ly = (base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2
            else:
                d = -1 if side[n] == "left" else 1
                bx, by = x + d * 2.1, yv + ((k - 1) / 2 - j) * 0.42
                tip = (x + d * 0.75, yv + ((k - 1) / 2 - j) * 0.08)
                base = (bx - d * 0.33, by)
                lx, ly = base[0] + (tip[0] - base[0]) * 0.45, base[1] + (tip[1] - base[1]) * 0.45
            ax.add_patch(
                matplotlib.patches.Rectangle(
                    (bx - 0.33, by - 0.16),
                    0.66,
                    0.32,
                    facecolor="white",
                    edgecolor="#555555",
                    linewidth=0.8,
                )
            )
            ax.text(bx, by, literal(r.rhs), ha="center", va="center", fontsize=7)
            ax.annotate(
                "",
                xy=base,
                xytext=tip,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#777777",
                    "linewidth": 0.7,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
            ax.text(
                lx,
                ly,
                _coef(r.std_all),
                ha="center",
                va="center",
                fontsize=6.5,
                color="#333333",
                bbox={"boxstyle": "round,pad=0.08", "facecolor": "white", "edgecolor": "none"},
                zorder=5,
            )
    left = -1.2 - (2.6 if indicators else 0)
    right = gap * (ncol - 1) + 1.2 + (2.6 if indicators else 0)
    ax.set_xlim(left, right)
    ax.set_ylim(-total / 2 - 0.6, total / 2 + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    default = (
        "Koefisien jalur terstandar (* p < .05, ** p < .01, *** p < .001)"
        if lang == "id"
        else "Standardised structural paths (* p < .05, ** p < .01, *** p < .001)"
    )
    ax.set_title(literal(title) if title else default, fontsize=10)
    fig.tight_layout()
    return fig


def nps_breakdown(table: pd.DataFrame, title: str = "Net Promoter Score", lang: str = "en"):
    """Stacked shares of detractors, passives and promoters, with the NPS, per row of ``table``.

    ``table`` is the output of ``cxkit.nps(..., by=...)`` (or one row per segment with the columns
    ``promoters``, ``passives``, ``detractors``, ``score``, ``n``).
    """
    t = table.copy()
    share = t[["detractors", "passives", "promoters"]].div(t["n"], axis=0) * 100
    fig = new_figure((8, 0.45 * len(t) + 1.3))
    ax = fig.subplots()
    left = np.zeros(len(t))
    names = (
        {"detractors": "detraktor", "passives": "pasif", "promoters": "promotor"}
        if lang == "id"
        else {}
    )
    for col, colour in zip(share.columns, ["#d6604d", "#d9d9d9", "#4393c3"], strict=True):
        ax.barh(
            range(len(t)),
            share[col],
            left=left,
            color=colour,
            label=literal(names.get(col, col)),
            edgecolor="white",
        )
        left += share[col].to_numpy()
    for k, (_, row) in enumerate(t.iterrows()):
        ax.text(
            101,
            k,
            f"NPS {row['score']:+.0f}  (n = {int(row['n'])})".replace("-", "\u2212"),
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(t)), [literal(i) for i in t.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)], fontsize=8)
    ax.legend(ncol=3, fontsize=8, frameon=False, loc="lower center", bbox_to_anchor=(0.4, 1.0))
    ax.set_title(literal(title), fontsize=10, pad=24)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def power_curve(result, parameters=None, target: float = 0.80, title: str = "Power by sample size"):
    """Power against N: one line per parameter, the target power as a dashed line, and the
    smallest adequate N marked.

    Parameters
    ----------
    result : MonteCarloResult or DataFrame
        A :func:`cxkit.power.monte_carlo` result, or a frame with columns ``n``, ``power`` and
        (optionally) ``parameter`` — e.g. analytic power over a grid of N.
    parameters : list of str, optional
        Which parameters to draw (default: the result's target parameters, else all).
    target : float
        The power aimed at (.80).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxkit import plots, power as cp
    >>> grid = [100, 200, 300, 400]
    >>> frame = pd.DataFrame({"n": grid, "power": cp.power(grid, df=50, rmsea=0.05),
    ...                       "parameter": "RMSEA .05, df 50"})
    >>> plots.power_curve(frame).axes[0].get_ylabel()
    'power'
    """
    table = getattr(result, "table", result)
    if not isinstance(table, pd.DataFrame) or not {"n", "power"} <= set(table.columns):
        raise SpecificationError(
            "power_curve needs a cxkit.power.monte_carlo result or a DataFrame with columns n and power"
        )
    t = table.copy()
    if "parameter" not in t:
        t["parameter"] = "power"
    if parameters is None:
        parameters = list(getattr(result, "target", ())) or list(dict.fromkeys(t["parameter"]))
    elif isinstance(parameters, str):
        parameters = [parameters]
    missing = [p for p in parameters if p not in set(t["parameter"])]
    if missing:
        raise SpecificationError(
            f"power_curve: no parameter {missing[0]!r} in the result; it has "
            f"{', '.join(list(dict.fromkeys(t['parameter']))[:6])}"
        )
    fig = new_figure((7, 4))
    ax = fig.add_subplot()
    for name in parameters:
        part = t[t["parameter"] == name].sort_values("n")
        ax.plot(part["n"], part["power"], marker="o", ms=4, lw=1.5, label=name)
    ax.axhline(target, color="#555555", ls="--", lw=1, label=f"power {target:.2f}")
    smallest = getattr(result, "smallest_n", None)
    if smallest is not None:
        ax.axvline(
            smallest, color="#b2182b", ls=":", lw=1.2, label=f"smallest adequate N = {smallest}"
        )
    ax.set_xlabel("N")
    ax.set_ylabel("power")
    ax.set_ylim(0, 1.02)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
