"""1000 bootstrap resamples of the Political Democracy SEM with its := indirect effect, and of the
HS model with missing answers (FIML).

Goal (issue 7): at least 10× faster than lavaan's ``se = "bootstrap", bootstrap = 1000`` on the same
machine. Prints cxkit's time, lavaan's time (run now when Rscript with lavaan is present, else the
time recorded in tests/reference/<case>/timing.csv) and the ratio. Asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import warnings
from pathlib import Path

import pandas as pd

import cxkit

REF = Path(__file__).resolve().parent.parent / "tests" / "reference"


CASES = {
    "PoliticalDemocracy (ML, :=)": (
        "boot_poldem",
        "sem_poldem/model.lav",
        "sem_poldem/data.csv",
        {},
    ),
    "HS with missing answers (FIML)": (
        "boot_fiml",
        "sem_fiml/model.lav",
        "sem_fiml/data.csv",
        {"missing": "fiml"},
    ),
    "HS by school, equal loadings (groups)": (
        "boot_groups",
        "measure_hs/model.lav",
        "measure_hs/data.csv",
        {"group": "school", "group_equal": ["loadings"]},
    ),
    "HS with missing answers by school (groups, FIML)": (
        "boot_fiml_groups",
        "measure_hs/model.lav",
        "sem_fiml/data.csv",
        {"group": "school", "group_equal": ["loadings"], "missing": "fiml"},
    ),
    "psych's bfi, two factors, ordered (WLSMV; lavaan: DWLS, as its bootstrap needs)": (
        "boot_wlsmv",
        "boot_wlsmv/model.lav",
        "ordinal_bfi/data.csv",
        {"ordered": True},
    ),
}

#: lavaan's ordinal bootstrap takes about 50 minutes: its time is the recorded one unless asked
SLOW_LAVAAN = {"boot_wlsmv"}


def lavaan_seconds(case: str, model: str, data: str, options: dict) -> tuple[float, str]:
    if shutil.which("Rscript") and case not in SLOW_LAVAAN:
        extra = ', missing = "ml"' if options.get("missing") == "fiml" else ""
        if options.get("group"):
            extra += f', group = "{options["group"]}", group.equal = "loadings"'
        script = (
            "suppressPackageStartupMessages(library(lavaan));"
            f'd <- read.csv("{REF / data}");'
            f'm <- paste(readLines("{REF / model}"), collapse = "\\n");'
            f"set.seed(1); t <- system.time(sem(m, d{extra}, se = 'bootstrap', bootstrap = 1000));"
            "cat(t[['elapsed']])"
        )
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
        try:
            return float(out.stdout.strip().split()[-1]), "measured now"
        except (ValueError, IndexError):
            pass
    recorded = pd.read_csv(REF / case / "timing.csv")["elapsed"].iloc[0]
    return float(recorded), "recorded with the reference case"


def main() -> None:
    import sys

    only = sys.argv[1:]  # case folder names to run (default: all)
    for name, (case, model_file, data_file, options) in CASES.items():
        if only and case not in only:
            continue
        data = pd.read_csv(REF / data_file)
        if options.get("ordered"):  # as boot_wlsmv/make.R: A1, C4, C5 reversed
            for v in ("A1", "C4", "C5"):
                data[v] = 7 - data[v]
        model = (REF / model_file).read_text()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = cxkit.fit_sem(model, data, **options)
            fit.bootstrap(100, seed=0, progress=False)  # warm up (process pool, imports)
            start = time.perf_counter()
            boot = fit.bootstrap(1000, seed=1, progress=False)
            ours = time.perf_counter() - start
        theirs, how = lavaan_seconds(case, model_file, data_file, options)
        print(name)
        print(f"  cxkit: {ours:.2f} s for 1000 resamples ({boot.provenance['bootstrap']})")
        print(f"  lavaan: {theirs:.2f} s ({how})")
        print(f"  cxkit is {theirs / ours:.1f}x faster")


if __name__ == "__main__":
    main()
