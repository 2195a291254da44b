"""Monte Carlo power for the model one will fit (Muthén & Muthén, 2002), run on Dask.

For every sample size N of a grid, ``replications`` data sets are drawn from a population model
and each is fitted with the public :func:`cxkit.fit_sem` and the estimator to be used (ML, MLR,
or WLSMV on Likert answers). Per parameter and N the result reports the power (share of
replications with p < α), the relative bias of the estimates and of their standard errors, the
coverage of the confidence intervals and the share of fits that converged, and the smallest N of
the grid meeting Muthén & Muthén's criteria.

**The truth.** Each parameter's population value is the value the analysis model takes at the
population moments of the data as drawn (the analysis model fitted by ML to a data set whose
moments equal the population's exactly): the generating value when the analysis model is the
population model in the same parametrisation; for ML on Likert codes, the value ML converges to
on such data (:func:`cxkit.power.population.likert_moments`); for WLSMV, the value at the latent
correlations, with thresholds at :func:`cxkit.simulate.cut_points`.

**Seeds.** Replication ``r`` at sample size ``N`` draws from
``numpy.random.SeedSequence(seed, spawn_key=(N, r))``, and every fit runs with one BLAS thread, so
the numbers are the same whatever the number of workers, the batching, the order in which tasks
finish, or a worker lost and its task re-run.

**Dask.** ``scheduler=None`` starts a local ``dask.distributed`` cluster (processes, one thread
each) for the run; ``scheduler="tcp://host:8786"`` (or a ``distributed.Client``) uses an existing
cluster; ``scheduler="serial"`` runs a plain loop in this process. Replications are batched into
tasks of ``batch_size`` fits.
"""

from __future__ import annotations

import contextlib
import html
import logging
import math
import os
import time
import uuid
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit._params import check_option
from cxkit.errors import AnalysisError, SpecificationError
from cxkit.instrument.model import Instrument
from cxkit.power.population import (
    Population,
    cut_points,
    fleishman,
    instrument_population,
    intermediate_corr,
    likert_moments,
)

__all__ = ["MonteCarloResult", "monte_carlo"]

ESTIMATORS = ("ML", "MLR", "WLSMV")
MECHANISMS = ("MCAR", "MAR")
#: Muthén & Muthén's (2002) criteria
CRITERIA = {
    "bias": 0.10,
    "se_bias": 0.10,
    "target_se_bias": 0.05,
    "coverage": (0.91, 0.98),
    "power": 0.80,
}
_KEY = ["lhs", "op", "rhs"]


# --- one replication ---------------------------------------------------------------------------


def _draw(spec: dict, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """One data set of ``n`` rows from the population in ``spec``."""
    cols = spec["columns"]
    points = spec["likert"]
    if spec["instrument"] is not None:
        from cxkit.instrument import load_instrument
        from cxkit.responses.scoring import reverse_keyed
        from cxkit.simulate import simulate

        ins = load_instrument(spec["instrument"])
        seed = int(rng.integers(0, 2**63 - 1))
        data = simulate(ins, n, seed=seed, discretise=points is not None)
        if points is not None:
            data, _ = reverse_keyed(data, ins)
        else:
            for item in ins.items:
                if item.reverse and item.id in data:
                    data[item.id] = -data[item.id]
        return data[cols].astype(float).reset_index(drop=True)
    chol = spec["chol"]
    z = rng.standard_normal((n, len(cols))) @ chol.T
    if spec["fleishman"] is not None:
        a, b, c, d = spec["fleishman"]
        z = a + b * z + c * z**2 + d * z**3
        z = z * spec["sd"]
    if points is not None:
        z = 1.0 + np.searchsorted(cut_points(points), z / spec["sd"]).astype(float)
    return pd.DataFrame(z, columns=cols)


def _blank(data: pd.DataFrame, share: float, mechanism: str, rng: np.random.Generator):
    """Blank a share of the answers: MCAR, or MAR driven by the first variable (kept complete)."""
    if share <= 0:
        return data
    x = data.to_numpy(copy=True)
    n, p = x.shape
    if mechanism == "MCAR":
        mask = rng.random((n, p)) < share
    else:
        from scipy import stats

        lead = x[:, 0]
        ranks = stats.rankdata(lead) / (n + 1)  # high values of the first variable: more missing
        prob = np.clip(2 * share * ranks, 0, 1)
        mask = rng.random((n, p)) < prob[:, None]
        mask[:, 0] = False
    x[mask] = np.nan
    return pd.DataFrame(x, columns=data.columns)


def _fit_one(spec: dict, data: pd.DataFrame):
    from cxkit import fit_sem

    kwargs = {"estimator": "ML" if spec["estimator"] == "WLSMV" else spec["estimator"]}
    if spec["estimator"] == "WLSMV":
        kwargs["ordered"] = True
    elif spec["missing_method"] != "listwise":
        kwargs["missing"] = spec["missing_method"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_sem(spec["model"], data, **kwargs)


def _run_batch(spec: dict, jobs: list[tuple[int, int]]) -> pd.DataFrame:
    """Fit the replications ``jobs`` ((N, replication) pairs); one row per parameter and job,
    plus one row per failed job (``converged`` False)."""
    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(1):
        for n, rep in jobs:
            ss = np.random.SeedSequence(spec["entropy"], spawn_key=(int(n), int(rep)))
            rng_data, rng_missing = (np.random.default_rng(s) for s in ss.spawn(2))
            data = _draw(spec, int(n), rng_data)
            data = _blank(data, spec["missing"], spec["mechanism"], rng_missing)
            try:
                fit = _fit_one(spec, data)
                ok = bool(fit.converged)
                error = "" if ok else "not converged"
            except Exception as exc:  # a replication that cannot be fitted counts as not converged
                fit, ok, error = None, False, f"{type(exc).__name__}: {exc}"[:200]
            if not ok:
                rows.append(
                    pd.DataFrame(
                        {"n": [n], "replication": [rep], "converged": [False], "error": [error]}
                    )
                )
                continue
            est = fit.estimates
            est = est[est["z"].notna()]
            frame = est[[*_KEY, "est", "se", "pvalue", "ci_low", "ci_high"]].copy()
            frame.insert(0, "replication", rep)
            frame.insert(0, "n", n)
            frame["converged"] = True
            frame["error"] = ""
            rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    return out


# --- the truth ---------------------------------------------------------------------------------


def exact_data(cov: np.ndarray, mean: np.ndarray, columns) -> pd.DataFrame:
    """A data set whose (biased, /N) covariance matrix and means equal ``cov`` and ``mean``."""
    p = len(columns)
    rows = max(10 * p, 500)
    z = np.random.default_rng(0).standard_normal((rows, p))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / rows)).T
    return pd.DataFrame(z @ np.linalg.cholesky(cov).T + mean, columns=list(columns))


def _truth(spec: dict, pop: Population) -> pd.DataFrame:
    cov = pop.cov
    points = spec["likert"]
    thresholds = None
    if spec["estimator"] == "WLSMV":
        sd = np.sqrt(np.diag(cov.to_numpy()))
        cov = cov / np.outer(sd, sd)
        mean = pd.Series(0.0, index=cov.columns)
        thresholds = cut_points(points)
    elif points is not None:
        cov, mean = likert_moments(cov, points)
    else:
        mean = pd.Series(0.0, index=cov.columns)
    data = exact_data(cov.to_numpy(), mean.to_numpy(), cov.columns)[spec["columns"]]
    spec_ml = {**spec, "estimator": "ML"}
    fit = _fit_one(spec_ml, data)
    est = fit.estimates
    truth = est[[*_KEY, "est"]].rename(columns={"est": "population"})
    if thresholds is not None:
        extra = pd.DataFrame(
            [
                (item, "|", f"t{k + 1}", float(t))
                for item in fit.implied_cov.columns
                for k, t in enumerate(thresholds)
            ],
            columns=[*_KEY, "population"],
        )
        truth = pd.concat([truth, extra], ignore_index=True)
    return truth.reset_index(drop=True)


# --- the result --------------------------------------------------------------------------------


def _mcse_overlap(value, mcse, low, high, z):
    """True unless the value's Monte Carlo interval (± z·mcse) lies wholly outside [low, high]."""
    return (value + z * mcse >= low) & (value - z * mcse <= high)


def _summarise(draws: pd.DataFrame, truth: pd.DataFrame, grid, replications, alpha) -> pd.DataFrame:
    ok = draws[draws["converged"]]
    merged = ok.merge(truth, on=_KEY, how="left")
    merged["covered"] = (merged["ci_low"] <= merged["population"]) & (
        merged["population"] <= merged["ci_high"]
    )
    merged["significant"] = merged["pvalue"] < alpha
    g = merged.groupby(["n", *_KEY], sort=False)
    table = g.agg(
        population=("population", "first"),
        mean_est=("est", "mean"),
        sd_est=("est", "std"),
        mean_se=("se", "mean"),
        coverage=("covered", "mean"),
        power=("significant", "mean"),
        used=("est", "size"),
    ).reset_index()
    table["bias"] = np.where(
        table["population"].abs() > 1e-12,
        (table["mean_est"] - table["population"]) / table["population"],
        np.nan,
    )
    table["bias_abs"] = table["mean_est"] - table["population"]
    table["se_bias"] = (table["mean_se"] - table["sd_est"]) / table["sd_est"]
    conv = draws.drop_duplicates(["n", "replication"]).groupby("n")["converged"].mean()
    table["converged"] = table["n"].map(conv)
    table["replications"] = replications
    table.insert(
        1,
        "parameter",
        table["lhs"] + " " + table["op"] + " " + table["rhs"],
    )
    order = {k: i for i, k in enumerate(zip(truth["lhs"], truth["op"], truth["rhs"], strict=True))}
    table["_o"] = [
        order.get(k, len(order)) for k in zip(table["lhs"], table["op"], table["rhs"], strict=True)
    ]
    table = table.sort_values(["n", "_o"]).drop(columns="_o").reset_index(drop=True)
    cols = [
        "n", "parameter", "lhs", "op", "rhs", "population", "mean_est", "sd_est", "mean_se",
        "power", "bias", "bias_abs", "se_bias", "coverage", "converged", "used", "replications",
    ]  # fmt: skip
    return table[cols]


def _criteria(table: pd.DataFrame, target: tuple[str, ...]) -> pd.DataFrame:
    from scipy import stats

    rows = []
    lo, hi = CRITERIA["coverage"]
    for n, t in table.groupby("n", sort=True):
        # 95 % Monte Carlo intervals, Bonferroni-adjusted over the parameters checked
        z = float(stats.norm.isf(0.025 / max(len(t), 1)))
        r = t["used"].clip(lower=2)
        nz = t["population"].abs() > 1e-12
        mc_bias = t["sd_est"] / (np.sqrt(r) * t["population"].abs())
        bias_ok = _mcse_overlap(t["bias"], mc_bias, -CRITERIA["bias"], CRITERIA["bias"], z) | ~nz
        mc_se = (1 + t["se_bias"]) / np.sqrt(2 * (r - 1))
        se_ok = _mcse_overlap(t["se_bias"], mc_se, -CRITERIA["se_bias"], CRITERIA["se_bias"], z)
        is_t = t["parameter"].isin(target)
        tse_ok = _mcse_overlap(
            t["se_bias"], mc_se, -CRITERIA["target_se_bias"], CRITERIA["target_se_bias"], z
        )
        mc_cov = np.sqrt(0.95 * 0.05 / r)
        cov_ok = _mcse_overlap(t["coverage"], mc_cov, lo, hi, z)
        pw = t.loc[is_t, "power"]
        row = {
            "n": n,
            "converged": float(t["converged"].iloc[0]),
            "bias_ok": bool(bias_ok.all()),
            "se_bias_ok": bool(se_ok.all()),
            "target_se_bias_ok": bool(tse_ok[is_t].all()),
            "coverage_ok": bool(cov_ok.all()),
            "min_target_power": float(pw.min()) if len(pw) else np.nan,
            "power_ok": bool(len(pw)) and bool((pw >= CRITERIA["power"]).all()),
            "failing": ", ".join(
                t.loc[~(bias_ok & se_ok & cov_ok) | (is_t & ~tse_ok), "parameter"].tolist()[:6]
            ),
        }
        row["adequate"] = all(
            row[k]
            for k in ("bias_ok", "se_bias_ok", "target_se_bias_ok", "coverage_ok", "power_ok")
        )
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MonteCarloResult:
    """A Monte Carlo power study. Attributes are read-only; DataFrames are unrounded.

    Attributes
    ----------
    table : DataFrame
        One row per N and parameter: ``n, parameter, lhs, op, rhs, population`` (the true value),
        ``mean_est, sd_est, mean_se``, ``power`` (share of converged replications with
        p < α), ``bias`` ((mean − true) / true; NaN where the true value is 0), ``bias_abs``,
        ``se_bias`` ((mean SE − SD of the estimates) / SD), ``coverage`` (share of confidence
        intervals covering the true value), ``converged`` (share of the N's fits that converged),
        ``used`` (replications with this parameter), ``replications``.
    criteria : DataFrame
        One row per N: whether Muthén & Muthén's (2002) criteria hold — every parameter's bias
        and SE bias within 10 %, the target parameters' SE bias within 5 %, every coverage within
        .91–.98 (each judged up to its Monte Carlo error: a criterion fails only when the
        quantity's whole 95 % Monte Carlo interval, Bonferroni-adjusted over the parameters, lies
        outside the bounds — with Muthén & Muthén's 10,000 replications the intervals are
        negligible), and the target
        parameters' power at least .80 — and ``adequate`` when all do; ``failing`` names
        parameters that miss a bias, SE-bias or coverage bound.
    draws : DataFrame
        Every fit: ``n, replication, lhs, op, rhs, est, se, pvalue, ci_low, ci_high, converged,
        error`` (one row per failed fit, with its error).
    truth : DataFrame
        ``lhs, op, rhs, population``: the true value of every parameter.
    target : tuple of str
        The parameters whose power the sample is planned for (``"EC ~ OE"``).
    provenance : dict
        Model, population, estimator, options, seed, grid, replications, Dask scheduler and
        workers, versions, time taken.
    """

    table: pd.DataFrame = field(repr=False)
    criteria: pd.DataFrame = field(repr=False)
    draws: pd.DataFrame = field(repr=False)
    truth: pd.DataFrame = field(repr=False)
    target: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict, repr=False)

    @property
    def smallest_n(self) -> int | None:
        """The smallest N of the grid meeting every criterion (None when none does)."""
        ok = self.criteria.loc[self.criteria["adequate"], "n"]
        return int(ok.min()) if len(ok) else None

    def power_table(self) -> pd.DataFrame:
        """Power of the target parameters: one row per parameter, one column per N."""
        t = self.table[self.table["parameter"].isin(self.target)]
        return t.pivot(index="parameter", columns="n", values="power").reindex(list(self.target))

    def plot(self, **kwargs):
        """The power curve (:func:`cxkit.plots.power_curve`)."""
        from cxkit.plots import power_curve

        return power_curve(self, **kwargs)

    def summary(self) -> str:
        p = self.provenance
        lines = [
            "Monte Carlo power (Muthén & Muthén, 2002)",
            f"  population: {p.get('population_label', '')}",
            f"  estimator: {p['estimator']}"
            + (f", Likert {p['likert']} points" if p.get("likert") else ", continuous")
            + (
                f", {p['missing']:.0%} missing ({p['mechanism']}, {p['missing_method']})"
                if p["missing"]
                else ""
            )
            + (
                f", non-normal (skew {p['nonnormal'][0]:g}, kurtosis {p['nonnormal'][1]:g})"
                if p.get("nonnormal")
                else ""
            ),
            f"  replications: {p['replications']} per N; seed {p['seed']}; alpha {p['alpha']:g}",
            f"  run on: {p['scheduler']} ({p['workers']} workers), {p['seconds']:.1f} s",
            "",
            "Power of the target parameters:",
            self.power_table().to_string(float_format=lambda v: f"{v:.3f}"),
            "",
            "Criteria by N:",
            self.criteria.drop(columns="failing").to_string(
                index=False, float_format=lambda v: f"{v:.3f}"
            ),
            "",
        ]
        s = self.smallest_n
        lines.append(
            f"Smallest adequate N in the grid: {s}"
            if s is not None
            else "No N of the grid meets every criterion: extend the grid or add replications."
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        p = self.provenance
        return (
            f"<MonteCarloResult {p['estimator']}, N = {list(p['n'])}, {p['replications']} replications, "
            f"smallest adequate N = {self.smallest_n}>"
        )

    def _repr_html_(self) -> str:
        p = self.provenance
        s = self.smallest_n
        head = (
            f"<p><b>Monte Carlo power</b> — {html.escape(p['estimator'])}, {p['replications']} "
            f"replications per N, seed {p['seed']}; smallest adequate N: <b>{s if s is not None else 'none in the grid'}</b></p>"
        )
        return (
            head
            + self.power_table().to_html(float_format=lambda v: f"{v:.3f}")
            + self.criteria.to_html(index=False, float_format=lambda v: f"{v:.3f}")
        )


# --- the run -----------------------------------------------------------------------------------


def _client(scheduler, workers):
    """(client, cluster or None, own): a Dask client for ``scheduler``."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None, False
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or (os.cpu_count() or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never collide with another cluster
            silence_logs=logging.ERROR,
        )
        return Client(cluster), cluster, True
    if isinstance(scheduler, str) and scheduler.startswith(
        ("tcp://", "tls://", "inproc://", "ws://", "wss://")
    ):
        return Client(scheduler, timeout=30), None, True
    raise SpecificationError(
        f"scheduler={scheduler!r} is not accepted; use None (a local Dask cluster), 'serial' (a plain "
        "loop), a scheduler address such as 'tcp://127.0.0.1:8786', or a distributed.Client"
    )


def monte_carlo(
    model: str,
    population,
    n=(100, 200, 300, 500),
    replications: int = 1000,
    estimator: str = "ML",
    seed: int | None = None,
    scheduler=None,
    *,
    likert: int | bool | None = None,
    missing: float = 0.0,
    mechanism: str = "MCAR",
    missing_method: str = "fiml",
    nonnormal: tuple[float, float] | None = None,
    alpha: float = 0.05,
    target=None,
    workers: int | None = None,
    batch_size: int | None = None,
    progress: bool = True,
) -> MonteCarloResult:
    """Monte Carlo power, bias and coverage for ``model`` at every sample size of ``n``.

    Parameters
    ----------
    model : str
        The analysis model in lavaan syntax (as it will be fitted, e.g. ``cxkit.models.pyramid``).
    population : str or Instrument
        lavaan syntax with values (:mod:`cxkit.power.population`), or an instrument: its data are
        drawn by :func:`cxkit.simulate` (reverse-keyed items recoded as the study does).
    n : sequence of int
        The sample sizes.
    replications : int
        Data sets per sample size.
    estimator : {"ML", "MLR", "WLSMV"}
        ``"WLSMV"`` fits the Likert codes as ordinal (``fit_sem(..., ordered=True)``).
    seed : int, optional
        Same seed, same numbers (whatever the workers). None: a fresh seed, recorded in
        ``provenance["seed"]``.
    scheduler : None, str or distributed.Client
        None: a local Dask cluster for this run (``workers`` processes, one thread each);
        ``"tcp://host:port"``: an existing Dask scheduler; ``"serial"``: a plain loop here.
    likert : int or bool, optional
        Cut the responses into this many codes (:func:`cxkit.simulate.cut_points`, as
        :func:`cxkit.simulate`). Default: True (the scale's points) for an instrument and for
        WLSMV (7 points), continuous responses otherwise.
    missing : float
        Share of answers blanked in every data set.
    mechanism : {"MCAR", "MAR"}
        MCAR: completely at random. MAR: the chance grows with the first variable's rank (that
        variable stays complete), twice ``missing`` at the top.
    missing_method : {"fiml", "listwise"}
        How the fits treat missing answers (``fit_sem(missing=...)``; WLSMV: listwise).
    nonnormal : (skew, excess kurtosis), optional
        Non-normal continuous responses with these marginal moments and the population
        correlations (Fleishman, 1978; Vale & Maurelli, 1983).
    alpha : float
        Significance level for power.
    target : str or list of str, optional
        Parameters the sample is planned for (``"EC ~ OE"``); default: every regression path (in a
        model without any, every loading but the markers).
    workers : int, optional
        Worker processes of the local cluster (default: the number of CPUs).
    batch_size : int, optional
        Fits per Dask task (default: about four tasks per worker and N, at most 50 fits).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> from cxkit import power as cp
    >>> pop = "F =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.7*x4\\ny ~ 0.3*F"
    >>> res = cp.monte_carlo("F =~ x1 + x2 + x3 + x4\\ny ~ F", pop, n=[60, 150],
    ...                      replications=20, seed=1, scheduler="serial", progress=False)
    >>> res.power_table().round(2)
    n           60    150
    parameter
    y ~ F      0.65  0.95
    """
    from cxkit import __version__

    check_option("estimator", estimator, ESTIMATORS)
    check_option("mechanism", mechanism, MECHANISMS)
    check_option("missing_method", missing_method, ("fiml", "listwise"))
    if not isinstance(model, str) or not model.strip():
        raise SpecificationError(
            "model must be the analysis model in lavaan syntax (a non-empty str)"
        )
    grid = [n] if isinstance(n, int | np.integer) else list(n)
    if not grid or any(not isinstance(v, int | np.integer) or v < 2 for v in grid):
        raise SpecificationError(f"n={n!r} is not accepted; use whole sample sizes of at least 2")
    grid = sorted({int(v) for v in grid})
    if not isinstance(replications, int | np.integer) or replications < 2:
        raise SpecificationError(
            f"replications={replications!r} is not accepted; use a whole number of at least 2 "
            "(Muthén & Muthén used 10,000; 1,000 is the usual minimum)"
        )
    if not 0 <= missing < 0.5:
        raise SpecificationError(
            f"missing={missing!r} is not accepted; use a share from 0 up to 0.5"
        )
    if not 0 < alpha < 1:
        raise SpecificationError(
            f"alpha={alpha!r} is not accepted; use a probability between 0 and 1"
        )
    instrument = population if isinstance(population, Instrument) else None
    if instrument is not None:
        pop = Population.from_syntax(instrument_population(instrument), instrument=instrument)
        label = f"{instrument.ref} (cxkit.simulate)"
        points_default = None
        scale_points = {
            len(i.scale.values)
            for i in instrument.items
            if i.role == "measure" and i.id in pop.observed
        }
        points_default = max(scale_points) if scale_points else 7
    else:
        pop = Population.from_syntax(population)
        label = "lavaan syntax with values"
        points_default = 7
    if likert is None:
        likert = True if (instrument is not None or estimator == "WLSMV") else False
    points = (points_default if likert is True else int(likert)) if likert else None
    if points is not None and points < 2:
        raise SpecificationError(
            f"likert={likert!r} is not accepted; use 2 or more points, or False"
        )
    if estimator == "WLSMV" and points is None:
        raise SpecificationError(
            "estimator='WLSMV' fits ordinal answers: leave likert at its default or give the number "
            "of points (likert=5); for continuous responses use 'ML' or 'MLR'"
        )
    if instrument is not None and points not in (None, points_default):
        raise SpecificationError(
            f"likert={likert!r} is not accepted with {instrument.ref}: cxkit.simulate answers on the "
            f"instrument's own {points_default}-point scale; leave likert out, or likert=False for "
            "the continuous responses"
        )
    if instrument is not None and points is not None and len(scale_points) > 1:
        raise SpecificationError(
            f"the model's items of {instrument.ref} have scales of different lengths {sorted(scale_points)}"
        )
    coef = None
    if nonnormal is not None:
        if points is not None or instrument is not None:
            raise SpecificationError(
                "nonnormal= shapes continuous responses of a lavaan-syntax population; Likert answers "
                "are already non-normal (use likert=False, or leave nonnormal out)"
            )
        try:
            skew, kurt = (float(v) for v in nonnormal)
        except (TypeError, ValueError):
            raise SpecificationError(
                f"nonnormal={nonnormal!r} is not accepted; use (skew, excess kurtosis), e.g. (1, 1.5)"
            ) from None
        coef = fleishman(skew, kurt)
        nonnormal = (skew, kurt)
    columns = [c for c in pop.observed if _mentions(model, c)]
    if not columns:
        raise SpecificationError(
            "none of the population's observed variables appears in the model; "
            f"the population has {', '.join(pop.observed[:8])}…"
        )
    cov = pop.cov.loc[columns, columns].to_numpy()
    sd = np.sqrt(np.diag(cov))
    chol_src = cov
    if coef is not None:
        rho = cov / np.outer(sd, sd)
        inter = intermediate_corr(rho, coef)
        if np.linalg.eigvalsh(inter).min() <= 0:
            raise SpecificationError(
                "these non-normal moments need an intermediate correlation matrix that is not "
                "positive definite (Vale & Maurelli); use milder skew and kurtosis"
            )
        chol_src = inter
    entropy = int(np.random.SeedSequence().entropy) if seed is None else int(seed)
    spec = {
        "model": model,
        "estimator": estimator,
        "columns": columns,
        "likert": points,
        "instrument": instrument.ref if instrument is not None else None,
        "chol": np.linalg.cholesky(chol_src),
        "sd": sd,
        "fleishman": coef,
        "missing": float(missing),
        "mechanism": mechanism,
        "missing_method": missing_method if missing > 0 else "listwise",
        "entropy": entropy,
    }
    truth = _truth(spec, pop)
    if target is None:  # the regressions; in a model without any, its free loadings
        target = tuple(f"{r.lhs} ~ {r.rhs}" for r in truth.itertuples() if r.op == "~")
        target = target or tuple(_free_loadings(truth))
    elif isinstance(target, str):
        target = (target,)
    target = tuple(" ".join(t.split()) for t in target)
    known = set(truth["lhs"] + " " + truth["op"] + " " + truth["rhs"])
    unknown = [t for t in target if t not in known]
    if unknown:
        raise SpecificationError(
            f"target {unknown[0]!r} is not a parameter of the model; write it as 'lhs op rhs', "
            f"e.g. {sorted(known)[0]!r}"
        )

    jobs = [(v, r) for v in grid for r in range(int(replications))]
    started = time.perf_counter()
    draws, where, n_workers, size = _execute(
        spec, jobs, grid, scheduler, workers, batch_size, progress
    )
    seconds = time.perf_counter() - started
    import distributed

    if not draws["converged"].any():
        first = draws["error"].iloc[0]
        raise AnalysisError(
            f"none of the {len(jobs)} replications could be fitted; the first failed with: {first}"
        )
    table = _summarise(draws, truth, grid, int(replications), alpha)
    crit = _criteria(table, target)
    provenance = {
        "model": model,
        "population": pop.syntax,
        "population_label": label,
        **(
            {"instrument": instrument.ref, "instrument_sha256": instrument.sha256}
            if instrument
            else {}
        ),
        "estimator": estimator,
        "likert": points,
        "missing": float(missing),
        "mechanism": mechanism,
        "missing_method": spec["missing_method"],
        "nonnormal": nonnormal,
        "alpha": alpha,
        "seed": entropy,
        "n": tuple(grid),
        "replications": int(replications),
        "scheduler": where,
        "workers": n_workers,
        "batch_size": size,
        "seconds": seconds,
        "cxkit": __version__,
        "dask": distributed.__version__,
        "criteria": "Muthén & Muthén (2002), judged up to Monte Carlo error",
    }
    return MonteCarloResult(
        table=table, criteria=crit, draws=draws, truth=truth, target=target, provenance=provenance
    )


def _free_loadings(truth: pd.DataFrame):
    seen = set()
    for r in truth.itertuples():
        if r.op == "=~":
            if r.lhs in seen:  # the first loading of each factor is the fixed marker
                yield f"{r.lhs} =~ {r.rhs}"
            seen.add(r.lhs)


def _mentions(model: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_.])", model) is not None


@contextlib.contextmanager
def _quiet_dask():
    """Keep Dask's start-up and shut-down chatter (and a slow worker's kill notice) off the screen."""
    import dask
    import distributed.nanny
    import distributed.scheduler
    import distributed.worker  # noqa: F401 - their loggers exist once imported

    prefixes = ("distributed", "tornado", "asyncio")
    names = [n for n in logging.root.manager.loggerDict if n.startswith(prefixes)]
    names = list(dict.fromkeys([*prefixes, *names]))
    old = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with dask.config.set({"logging.distributed": "error"}):
            yield
    finally:
        for name, level in old.items():
            logging.getLogger(name).setLevel(level)


def _execute(spec, jobs, grid, scheduler, workers, batch_size, progress):
    from tqdm.auto import tqdm

    if scheduler == "serial":
        size = batch_size or 50
        batches = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        out = []
        with tqdm(total=len(jobs), disable=not progress, desc="Monte Carlo fits") as bar:
            for b in batches:
                out.append(_run_batch(spec, b))
                bar.update(len(b))
        return pd.concat(out, ignore_index=True), "serial (this process)", 1, size
    with _quiet_dask():
        return _execute_dask(spec, jobs, grid, scheduler, workers, batch_size, progress)


def _execute_dask(spec, jobs, grid, scheduler, workers, batch_size, progress):
    from tqdm.auto import tqdm

    client, cluster, own = _client(scheduler, workers)
    try:
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        per_n = len(jobs) // len(grid)
        size = batch_size or max(1, min(50, math.ceil(per_n / (4 * n_workers))))
        batches = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        from distributed import as_completed

        token = uuid.uuid4().hex[:12]
        spec_future = client.scatter(spec, broadcast=True, hash=False)
        futures = [
            client.submit(_run_batch, spec_future, b, key=f"cxkit-mc-{token}-{i}", pure=False)
            for i, b in enumerate(batches)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(futures)
        with tqdm(total=len(jobs), disable=not progress, desc="Monte Carlo fits") as bar:
            for fut in as_completed(futures):
                i = index[fut.key]
                results[i] = fut.result()
                bar.update(len(batches[i]))
        where = (
            cluster.scheduler_address
            if cluster is not None
            else getattr(client.scheduler, "address", str(scheduler))
        )
        where = f"Dask {'local cluster ' if cluster is not None else ''}{where}"
        return pd.concat(results, ignore_index=True), where, n_workers, size
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
