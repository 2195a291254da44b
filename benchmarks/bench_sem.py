"""Fit time of every SEM reference model: cxkit next to lavaan (when Rscript with lavaan is present).

Prints the best of 5 wall-clock times in milliseconds and the ratio cxkit / lavaan. Asserts nothing.
Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_sem.py [WORD ...]`` (only the cases
whose name contains one of the words, e.g. ``MLM ULS``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
from _timing import best

import cxkit

REF = Path(__file__).resolve().parent.parent / "tests" / "reference"
FIML = ({"missing": "fiml"}, 'missing = "ml"')
MLR = ({"estimator": "MLR"}, 'estimator = "MLR"')
#: name: (model file, data file, cxkit options, the same options for lavaan)
CASES = {
    "HS CFA": ("sem_hs/model.lav", "measure_hs/data.csv", {}, ""),
    "PoliticalDemocracy": ("sem_poldem/model.lav", "sem_poldem/data.csv", {}, ""),
    "ECSI": ("sem_ecsi/model.lav", "measure_ecsi/data.csv", {}, ""),
    "CX direct": ("sem_cx/direct/model.lav", "sem_cx/data.csv", {}, ""),
    "CX second-order": ("sem_cx/second_order/model.lav", "sem_cx/data.csv", {}, ""),
    "CX pyramid": ("sem_cx/pyramid/model.lav", "sem_cx/data.csv", {}, ""),
    "HS FIML": ("sem_fiml/model.lav", "sem_fiml/data.csv", *FIML),
    "HS MLR": ("sem_hs/model.lav", "measure_hs/data.csv", *MLR),
    "CX direct MLR": ("sem_cx/direct/model.lav", "sem_cx/data.csv", *MLR),
    "CX pyramid MLR": ("sem_cx/pyramid/model.lav", "sem_cx/data.csv", *MLR),
    "HS FIML MLR": (
        "sem_fiml/model.lav",
        "sem_fiml/data.csv",
        {"missing": "fiml", "estimator": "MLR"},
        'missing = "ml", estimator = "MLR"',
    ),
    "CX direct WLSMV": (
        "sem_cx/direct/model.lav",
        "sem_cx/data.csv",
        {"ordered": True},
        'ordered = TRUE, estimator = "WLSMV"',
    ),
    "CX pyramid WLSMV": (
        "sem_cx/pyramid/model.lav",
        "sem_cx/data.csv",
        {"ordered": True},
        'ordered = TRUE, estimator = "WLSMV"',
    ),
    "HS MLM": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"estimator": "MLM"},
        'estimator = "MLM"',
    ),
    "HS ULS": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"estimator": "ULS"},
        'estimator = "ULS"',
    ),
    "HS GLS": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"estimator": "GLS"},
        'estimator = "GLS"',
    ),
    "HS WLS": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"estimator": "WLS"},
        'estimator = "WLS"',
    ),
    "HS DWLS": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"estimator": "DWLS"},
        'estimator = "DWLS"',
    ),
    "CX direct MLM": (
        "sem_cx/direct/model.lav",
        "sem_cx/data.csv",
        {"estimator": "MLM"},
        'estimator = "MLM"',
    ),
    "CX direct ULS": (
        "sem_cx/direct/model.lav",
        "sem_cx/data.csv",
        {"estimator": "ULS"},
        'estimator = "ULS"',
    ),
    "bfi by gender WLSMV": (
        "wlsmv_groups/model.lav",
        "wlsmv_groups/data.csv",
        {"ordered": True, "group": "gender", "group_equal": ["thresholds", "loadings"]},
        'ordered = TRUE, group = "gender", group.equal = c("thresholds", "loadings")',
    ),
    "bfi mixed WLSMV": (
        "wlsmv_groups/model.lav",
        "wlsmv_groups/data.csv",
        {"ordered": ["A1", "A2", "A3", "A4", "A5"]},
        'ordered = paste0("A", 1:5)',
    ),
    "HS by school MLR": (
        "sem_hs/model.lav",
        "measure_hs/data.csv",
        {"group": "school", "group_equal": ["loadings"], "estimator": "MLR"},
        'group = "school", group.equal = "loadings", estimator = "MLR"',
    ),
}


def best_ms(fn, repeat: int = 5) -> float:
    return 1000 * best(fn, repeat)


def lavaan_ms(cases) -> dict[str, float]:
    if shutil.which("Rscript") is None:
        return {}
    lines = ["suppressPackageStartupMessages(library(lavaan))"]
    for name, (model, data, _, r_args) in cases.items():
        call = f"sem(m, d{', ' + r_args if r_args else ''})"
        lines.append(
            f'd <- read.csv("{REF / data}"); if ("OE4" %in% names(d)) d$OE4 <- 8 - d$OE4; '
            f'm <- paste(readLines("{REF / model}"), collapse = "\\n"); '
            f"invisible({call}); "
            f't <- min(replicate(5, system.time({call})[["elapsed"]])); '
            f'cat("{name}", t * 1000, "\\n", sep = "\\t")'
        )
    out = subprocess.run(
        ["Rscript", "-e", "\n".join(lines)], capture_output=True, text=True, check=False
    )
    result = {}
    for line in out.stdout.splitlines():
        parts = [p for p in line.split("\t") if p.strip()]
        if len(parts) == 2:
            result[parts[0]] = float(parts[1])
    return result


def main() -> None:
    words = sys.argv[1:]
    cases = {k: v for k, v in CASES.items() if not words or any(w in k for w in words)}
    r = lavaan_ms(cases)
    print(f"{'model':<20}{'cxkit ms':>10}{'lavaan ms':>11}{'ratio':>8}")
    for name, (model, data, options, _) in cases.items():
        d = pd.read_csv(REF / data)
        if "OE4" in d:
            d["OE4"] = 8 - d["OE4"]
        syntax = (REF / model).read_text()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ms = best_ms(
                lambda syntax=syntax, d=d, options=options: cxkit.fit_sem(syntax, d, **options)
            )
        lav = r.get(name)
        ratio = f"{ms / lav:.2f}" if lav else "n/a"
        print(f"{name:<20}{ms:>10.1f}{(f'{lav:.1f}' if lav else 'n/a'):>11}{ratio:>8}")
    if not r:
        print("(lavaan timings skipped: Rscript with lavaan not found)")


if __name__ == "__main__":
    main()
