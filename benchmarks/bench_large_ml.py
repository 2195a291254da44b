"""ML and MLR for large models (issue 19): the scaling curve from 8 to 100 items, cxkit beside
lavaan 0.6-14 in one run.

CFAs of 2 × 4, 4 × 5, 8 × 5, 12 × 5 and 20 × 5 items (factors × items), n = 1000 complete synthetic
answers (benchmarks/_cfa.py), fitted by ML and by MLR. cxkit's figure is the best of ``REPEAT`` warm
fits, lavaan's a single ``system.time`` of ``sem()`` (every case in one R process). The ratio is
lavaan / cxkit: above 1, cxkit is faster. Without Rscript + lavaan the lavaan columns read n/a.
Prints figures, asserts nothing:

    .venv/bin/python benchmarks/bench_large_ml.py [--no-mlr]

MLR's robust statistics of complete data never form the saturated model's k × k matrices (k =
p(p+1)/2 moments, 5050 at 100 items): the h1 trace is in closed form and the casewise scores are
taken a block of rows at a time (:mod:`cxkit.sem.robust`).
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from _cfa import cfa_data, cfa_syntax, lavaan, lavaan_fit
from _timing import best

import cxkit

SHAPES = [(2, 4), (4, 5), (8, 5), (12, 5), (20, 5)]
REPEAT = 3


def main() -> None:
    estimators = ["ML"] if "--no-mlr" in sys.argv else ["ML", "MLR"]
    tmp = Path(tempfile.mkdtemp(prefix="cxkit-large-"))
    cases = []
    for f, per in SHAPES:
        path = tmp / f"cfa{f}x{per}.csv"
        cfa_data(f, per, 1000, 0.0, seed=f).to_csv(path, index=False)
        for est in estimators:
            cases.append((f"{f * per} items ({f} x {per}) {est}", path, cfa_syntax(f, per), est))
    code = "".join(
        lavaan_fit(
            str(path), model, f'estimator = "{est}"', name,
            ("chisq", "chisq.scaled") if est == "MLR" else ("chisq",),
        )
        for name, path, model, est in cases
    )  # fmt: skip
    print("running lavaan (one process, every case) ...", flush=True)
    r = lavaan(code)
    print(
        f"\n{'case':32}{'cxkit s':>10}{'lavaan s':>10}{'ratio':>8}  chisq (MLR: scaled) cxkit / lavaan"
    )
    for name, path, model, est in cases:
        data = pd.read_csv(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = cxkit.fit_sem(model, data, estimator=est)
            secs = best(
                lambda data=data, model=model, est=est: cxkit.fit_sem(model, data, estimator=est),
                REPEAT,
            )  # noqa: E501
        lav = r.get(f"{name} s")
        ratio = f"{lav / secs:8.2f}" if lav else f"{'n/a':>8}"
        shown = f"{lav:10.3f}" if lav else f"{'n/a':>10}"
        key = "chisq_scaled" if est == "MLR" else "chisq"
        chisq = float(fit.fit_indices[key])
        lav_chisq = r.get(f"{name} {key.replace('_', '.')}")
        agree = f"{chisq:.4f} / {lav_chisq:.4f}" if lav_chisq else f"{chisq:.4f}"
        print(f"{name:32}{secs:10.3f}{shown}{ratio}  {agree}", flush=True)


if __name__ == "__main__":
    main()
