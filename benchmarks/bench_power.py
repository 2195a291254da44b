"""Sample size and power (issue 18): how fast.

1. Analytic power and a-priori N in microseconds, side by side with base R's ``pchisq`` doing the
   same computation (run now when Rscript is present).
2. Monte Carlo fits per second on this machine: a plain loop of ``cxkit.fit_sem`` calls,
   ``monte_carlo(scheduler="serial")`` (this process), and ``monte_carlo`` on a local Dask cluster
   of 2 worker processes (started and warmed up before timing); the per-fit overhead Dask adds
   (worker-seconds per fit on Dask minus seconds per fit in the loop), and the cluster's start-up.

Asserts nothing. Run: ``.venv/bin/python benchmarks/bench_power.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import timeit
import warnings

import numpy as np

from cxkit import power as cp

POP = "F =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.7*x4\nG =~ 0.7*y1 + 0.7*y2 + 0.7*y3\nG ~ 0.3*F"
MODEL = "F =~ x1 + x2 + x3 + x4\nG =~ y1 + y2 + y3\nG ~ F"
GRID = [100, 300]
REPS = 60


def analytic() -> None:
    loops = 2000
    t_power = min(timeit.repeat(lambda: cp.power(243, 50, 0.05), number=loops, repeat=5)) / loops
    t_n = min(timeit.repeat(lambda: cp.sample_size(df=50, rmsea=0.05), number=50, repeat=5)) / 50
    r_power = r_n = None
    if shutil.which("Rscript"):
        code = (
            "pw <- function(n) pchisq(qchisq(.05, 50, lower.tail=FALSE), 50, ncp=(n-1)*50*.05^2, lower.tail=FALSE);"
            "sn <- function() {lo <- 2; hi <- 4; while (pw(hi) < .8) {lo <- hi; hi <- hi*2};"
            " while (hi - lo > 1) {m <- (lo+hi) %/% 2; if (pw(m) >= .8) hi <- m else lo <- m}; hi};"
            "t1 <- system.time(for (i in 1:20000) pw(243))[['elapsed']] / 20000;"
            "t2 <- system.time(for (i in 1:500) sn())[['elapsed']] / 500; cat(t1, t2)"
        )
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            r_power, r_n = (float(v) for v in out.stdout.split())
    print("analytic (RMSEA .05, df 50)            cxkit        base R       R / cxkit")
    for name, ours, theirs in (
        ("power(N = 243)", t_power, r_power),
        ("sample_size -> 243", t_n, r_n),
    ):
        peer = f"{theirs * 1e6:9.1f} µs  {theirs / ours:8.2f}×" if theirs else "   (no R)"
        print(f"  {name:<34} {ours * 1e6:9.1f} µs {peer}")


def montecarlo() -> None:
    from distributed import Client, LocalCluster

    import cxkit

    fits = len(GRID) * REPS
    cp.monte_carlo(MODEL, POP, n=GRID, replications=2, seed=1, scheduler="serial", progress=False)
    spec_data = []
    for n in GRID:  # the data sets, drawn beforehand: the plain loop times fitting alone
        for r in range(REPS):
            rng = np.random.default_rng([n, r])
            spec_data.append(_plain_data(n, rng))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in spec_data:
            cxkit.fit_sem(MODEL, data)
    t_loop = time.perf_counter() - start
    start = time.perf_counter()
    cp.monte_carlo(
        MODEL, POP, n=GRID, replications=REPS, seed=1, scheduler="serial", progress=False
    )
    t_serial = time.perf_counter() - start
    timings = {}
    for workers in (1, 2):
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
        cp.monte_carlo(MODEL, POP, n=GRID, replications=2, seed=2, scheduler=client, progress=False)
        t_start = time.perf_counter() - start
        start = time.perf_counter()
        res = cp.monte_carlo(
            MODEL, POP, n=GRID, replications=REPS, seed=1, scheduler=client, progress=False
        )
        timings[workers] = (time.perf_counter() - start, t_start, res.provenance["batch_size"])
        client.close()
        cluster.close()
    print(f"\nMonte Carlo, {fits} fits of a 7-indicator SEM (N = {GRID}), this machine:")
    print(f"  {'':<50} {'seconds':>8} {'fits/s':>8} {'vs loop':>8}")
    rows = [
        ("plain loop of fit_sem (data drawn before)", t_loop),
        ("monte_carlo, scheduler='serial' (this process)", t_serial),
    ]
    for workers, (t, _, size) in timings.items():
        rows.append((f"monte_carlo, local Dask, {workers} worker(s), batch {size}", t))
    for name, t in rows:
        print(f"  {name:<50} {t:8.2f} {fits / t:8.1f} {t_loop / t:7.2f}×")
    overhead = (timings[1][0] - t_serial) / fits
    print(
        f"  Dask overhead per fit (1-worker Dask minus serial, per fit): {overhead * 1e3:.1f} ms "
        f"(a fit takes {t_serial / fits * 1e3:.1f} ms serially)"
    )
    print(
        "  local cluster start-up and worker warm-up (not in the figures above): "
        + ", ".join(f"{w} worker(s) {v[1]:.1f} s" for w, v in timings.items())
    )
    print(
        f"  CPUs on this machine: {os.cpu_count()} (shared with other jobs: the 2-worker speed-up is bounded)"
    )


def _plain_data(n, rng):
    import pandas as pd

    from cxkit.power.population import Population

    pop = _plain_data.pop if hasattr(_plain_data, "pop") else Population.from_syntax(POP)
    _plain_data.pop = pop
    x = rng.standard_normal((n, len(pop.observed))) @ np.linalg.cholesky(pop.cov.to_numpy()).T
    return pd.DataFrame(x, columns=list(pop.observed))


if __name__ == "__main__":
    analytic()
    montecarlo()
