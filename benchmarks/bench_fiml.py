"""FIML at scale (issue 19): cxkit ``missing="fiml"`` beside lavaan ``missing = "ml"`` in one run.

* the reference case ``fiml_40items`` (10 factors × 4 items, n = 1000, 10 % of the answers missing
  completely at random; tests/reference/fiml_40items): time, χ² of both and their relative
  difference;
* the curve over the number of items (2, 5, 10 factors × 4 items; n = 1000, 10 % MCAR);
* 20 items × 100,000 respondents (cxkit only unless ``--lavaan-large``: lavaan needs many minutes);
* the FIML bootstrap of 2 factors × 4 items (n = 1000, 10 % MCAR, 100 resamples) beside lavaan's
  ``se = "bootstrap"``;
* on ``fiml_40items`` (927 missing-data patterns): ``estimator="MLR"`` and a bootstrap of 20
  resamples (cxkit only unless ``--lavaan-large``: lavaan needs about its single fit's time per
  resample).

cxkit's figure is the best of ``REPEAT`` warm fits; lavaan's a single fit (``system.time``). The
ratio is lavaan / cxkit (how many times faster cxkit is). Without Rscript + lavaan the lavaan
columns read n/a. Prints figures, asserts nothing:

    .venv/bin/python benchmarks/bench_fiml.py [--lavaan-large] [--profile]
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from _cfa import cfa_data, cfa_syntax, lavaan, lavaan_fit
from _timing import best

import cxkit

REF = Path(__file__).resolve().parent.parent / "tests" / "reference" / "fiml_40items"
REPEAT = 3


def fit(model, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cxkit.fit_sem(model, data, missing="fiml", **kw)


def row(name, ours, theirs, extra=""):
    ratio = f"{theirs / ours:8.1f}" if theirs else f"{'n/a':>8}"
    lav = f"{theirs:10.2f}" if theirs else f"{'n/a':>10}"
    print(f"{name:44}{ours:10.2f}{lav}{ratio}  {extra}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cxkit-fiml-"))
    cases = {"fiml_40items (10 x 4, n 1000, 10 % MCAR)": (REF / "data.csv", cfa_syntax(10, 4))}
    for f in (2, 5):
        path = tmp / f"cfa{f}.csv"
        cfa_data(f, 4, 1000, 0.10, seed=f).to_csv(path, index=False)
        cases[f"{f} x 4 items, n 1000, 10 % MCAR"] = (path, cfa_syntax(f, 4))
    big = tmp / "cfa20x100k.csv"
    cfa_data(5, 4, 100_000, 0.10, seed=20).to_csv(big, index=False)
    boot = tmp / "cfa2boot.csv"
    cfa_data(2, 4, 1000, 0.10, seed=7).to_csv(boot, index=False)

    code = "".join(lavaan_fit(str(p), m, 'missing = "ml"', k) for k, (p, m) in cases.items())
    if "--lavaan-large" in sys.argv:
        code += lavaan_fit(str(big), cfa_syntax(5, 4), 'missing = "ml"', "big")
        ref = str(REF / "data.csv")
        code += lavaan_fit(ref, cfa_syntax(10, 4), 'missing = "ml", estimator = "MLR"', "mlr40")
        code += lavaan_fit(
            ref, cfa_syntax(10, 4), 'missing = "ml", se = "bootstrap", bootstrap = 20', "boot40"
        )
    boot_model = cfa_syntax(2, 4).replace("\n", "\\n")
    code += (
        f'd <- read.csv("{boot}"); m <- "{boot_model}"\n'
        "t <- system.time(sem(m, d, missing = 'ml', se = 'bootstrap', bootstrap = 100))"
        "[['elapsed']]\n"
        'cat(sprintf("%s\\t%.17g\\n", "boot s", t))\n'
    )
    print("running lavaan (one process, every case) ...", flush=True)
    r = lavaan(code)

    print(f"\n{'case':44}{'cxkit s':>10}{'lavaan s':>10}{'ratio':>8}  (ratio = lavaan / cxkit)")
    for name, (path, model) in cases.items():
        data = pd.read_csv(path)
        result = fit(model, data)  # warm (and the χ²)
        secs = best(lambda data=data, model=model: fit(model, data), REPEAT)
        chisq = float(result.fit_indices["chisq"])
        lav_chisq = r.get(f"{name} chisq")
        extra = f"chisq {chisq:.6f}"
        if lav_chisq:
            extra += f" lavaan {lav_chisq:.6f} rel diff {abs(chisq - lav_chisq) / lav_chisq:.1e}"
        row(name, secs, r.get(f"{name} s"), extra)

    data = pd.read_csv(big)
    start = time.perf_counter()
    result = fit(cfa_syntax(5, 4), data)
    secs = time.perf_counter() - start
    row("20 items x 100,000 respondents, 10 % MCAR", secs, r.get("big s"),
        f"chisq {float(result.fit_indices['chisq']):.4f}")  # fmt: skip

    data = pd.read_csv(boot)
    result = fit(cfa_syntax(2, 4), data)
    start = time.perf_counter()
    result.bootstrap(100, seed=1, progress=False)
    row("bootstrap 100 (2 x 4, n 1000, 10 % MCAR)", time.perf_counter() - start, r.get("boot s"))

    data = pd.read_csv(REF / "data.csv")
    fit(cfa_syntax(10, 4), data, estimator="MLR")  # warm
    secs = best(lambda: fit(cfa_syntax(10, 4), data, estimator="MLR"), REPEAT)
    row("fiml_40items by MLR", secs, r.get("mlr40 s"))
    result = fit(cfa_syntax(10, 4), data)
    start = time.perf_counter()
    result.bootstrap(20, seed=1, progress=False)
    row("fiml_40items bootstrap 20", time.perf_counter() - start, r.get("boot40 s"))

    if "--profile" in sys.argv:
        import cProfile
        import pstats

        data = pd.read_csv(REF / "data.csv")
        prof = cProfile.Profile()
        prof.runcall(fit, cfa_syntax(10, 4), data)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
