"""Polychoric correlations of many items and respondents: cxkit next to lavaan's
``lavCor(ordered = TRUE)`` (when Rscript with lavaan is present), in one run.

The data: ``p`` five-point items (8 factors, loadings .7) for ``n`` simulated respondents, 5 % of
the answers missing at random (pairwise-complete correlations, as lavaan's default for ordered data).
Prints the wall-clock seconds of cxkit's thresholds + polychoric matrix
(:func:`cxkit.sem.categorical.polychoric_matrix`), of the full WLSMV moments with Γ
(:func:`cxkit.sem.categorical.ordinal_moments`), of lavaan's ``lavCor`` on the same CSV (its
reading excluded), the ratio and the largest difference of the matrices. Asserts nothing. Run with
``.venv/bin/python benchmarks/bench_polychoric.py [n] [p]`` (default 100000 40).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit.sem.categorical import ordinal_moments, polychoric_matrix

R_SCRIPT = """
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("{csv}")
t0 <- proc.time()[["elapsed"]]
r <- lavCor(d, ordered = names(d), missing = "pairwise")
t1 <- proc.time()[["elapsed"]]
write.csv(r, "{out}")
cat(t1 - t0, "\\n")
"""


def simulate(n: int, p: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = 8
    f = rng.standard_normal((n, k))
    load = 0.7
    z = load * f[:, np.arange(p) % k] + np.sqrt(1 - load**2) * rng.standard_normal((n, p))
    codes = np.searchsorted(np.array([-1.5, -0.5, 0.3, 1.2]), z)
    codes[rng.random((n, p)) < 0.05] = -1
    return codes


def main(n: int = 100_000, p: int = 40) -> None:
    codes = simulate(n, p)
    levels = [np.arange(5.0)] * p
    names = [f"x{j + 1}" for j in range(p)]
    start = time.perf_counter()
    _, cor = polychoric_matrix(codes, levels)
    t_cor = time.perf_counter() - start
    start = time.perf_counter()
    ordinal_moments(codes, names, levels)
    t_mom = time.perf_counter() - start
    print(f"{p} items x {n} respondents, 5 % missing (pairwise)")
    print(f"cxkit thresholds + polychoric matrix: {t_cor:8.2f} s")
    print(f"cxkit + Γ (WLSMV moments):            {t_mom:8.2f} s")
    if shutil.which("Rscript") is None:
        print("lavaan: Rscript not found, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "d.csv", Path(tmp) / "r.csv"
        frame = pd.DataFrame(np.where(codes < 0, np.nan, codes + 1.0), columns=names)
        frame.to_csv(csv, index=False, float_format="%.0f")
        script = R_SCRIPT.format(csv=csv, out=out)
        run = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
        if run.returncode != 0:
            print("lavaan failed:", run.stderr.strip()[-500:])
            return
        t_r = float(run.stdout.split()[-1])
        ref = pd.read_csv(out, index_col=0).to_numpy()
    print(f"lavaan lavCor(ordered=):              {t_r:8.2f} s")
    print(f"ratio lavaan / cxkit (matrix):        {t_r / t_cor:8.1f}x")
    print(f"largest |r_cxkit - r_lavaan|:         {np.abs(cor - ref).max():.1e}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
