"""Start-up (issue 19): ``import cxkit`` beside ``import pandas``, and the first fit in a new process.

* the wall time of fresh interpreters running ``import pandas`` and ``import cxkit`` (best of
  ``REPEAT``), and their ratio;
* in fresh interpreters that have imported cxkit and pandas and read the data: the first
  ``fit_sem`` (ECSI satisfaction–loyalty model; then HS with missing answers by FIML), the
  second, warm fit, and the difference — what a first fit costs beyond the imports the user has
  already paid (modules loaded on first use, numpy's first calls);
* which heavy modules the first fit loaded (semopy must not be among them: it is imported only
  when cxkit's own start fails, by ``cxkit/sem/_semopy.py``).

lavaan's side for scale: ``Rscript -e 'library(lavaan)'`` when R is present. Prints figures,
asserts nothing: ``.venv/bin/python benchmarks/bench_startup.py``
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from _timing import process_wall

PY = sys.executable
REPEAT = 5
REF = Path(__file__).resolve().parent.parent / "tests" / "reference"

FIRST = """
import json, sys, time
import pandas as pd
import cxkit
from cxkit.datasets import load_dataset
case = sys.argv[1]
if case == "ml":
    data = load_dataset("satisfaction")
    model = "SAT =~ sat1 + sat2 + sat3 + sat4\\nLOY =~ loy1 + loy2 + loy3 + loy4\\nLOY ~ SAT"
    kw = {}
else:
    data = pd.read_csv(sys.argv[2])
    model = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    kw = {"missing": "fiml"}
before = set(sys.modules)
t0 = time.perf_counter()
cxkit.fit_sem(model, data, **kw)
t1 = time.perf_counter()
cxkit.fit_sem(model, data, **kw)
t2 = time.perf_counter()
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({"first": t1 - t0, "warm": t2 - t1, "new": new}))
"""


def wall(cmd: list[str]) -> float:
    return process_wall(cmd, REPEAT)


def first_fit(case: str) -> dict:
    runs = []
    for _ in range(REPEAT):
        out = subprocess.run(
            [PY, "-c", FIRST, case, str(REF / "sem_fiml" / "data.csv")],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["first"])


def main() -> None:
    base = wall([PY, "-c", "pass"])
    pandas = wall([PY, "-c", "import pandas"])
    cxkit = wall([PY, "-c", "import cxkit"])
    print(f"best of {REPEAT} fresh interpreters (wall s)")
    print(f"{'python -c pass':44}{base:8.3f}")
    print(f"{'import pandas':44}{pandas:8.3f}")
    print(f"{'import cxkit':44}{cxkit:8.3f}   cxkit / pandas {cxkit / pandas:.2f}")
    if shutil.which("Rscript"):
        lav = wall(["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"])
        print(f"{'Rscript -e library(lavaan) (for scale)':44}{lav:8.3f}")
    print("\nfirst fit in a new process, after import cxkit, pandas and the data (s)")
    print(f"{'case':34}{'first':>8}{'warm':>8}{'beyond':>8}  modules the first fit loaded")
    for case, name in (("ml", "ECSI ML (n 250)"), ("fiml", "HS FIML (n 301, missing answers)")):
        r = first_fit(case)
        heavy = [m for m in r["new"] if not m.startswith("_")]
        print(
            f"{name:34}{r['first']:8.3f}{r['warm']:8.3f}{r['first'] - r['warm']:8.3f}  "
            f"{', '.join(heavy) or '-'}{'  (semopy!)' if 'semopy' in r['new'] else ''}"
        )


if __name__ == "__main__":
    main()
