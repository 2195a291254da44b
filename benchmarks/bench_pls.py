"""PLS-SEM speed: the ECSI model (250 rows, 6 constructs, 27 items) — cxkit against plspm.

Goals (issue 14): a single fit at least 10× faster than the Python package ``plspm``'s, and the
bootstrap at least 50× faster per resample than plspm's bootstrap, with 10,000 resamples in a few
seconds. plspm runs in its own virtual environment (it needs pandas < 2.2, numpy < 2)::

    python3 -m venv /work/wt/plspm-venv
    /work/wt/plspm-venv/bin/pip install plspm 'pandas<2.2' 'numpy<2'
    .venv/bin/python benchmarks/bench_pls.py [--plspm-python /work/wt/plspm-venv/bin/python]

Both sides fit the same computation (Mode A, path scheme, centred data: plspm ``scaled=False``,
cxkit ``standardize=False``); each time is the best of several runs inside its own process (imports
excluded). plspm's bootstrap runs with its default 2 worker processes. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best  # noqa: E402

import cxkit  # noqa: E402
from cxkit.datasets import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ECSI = cxkit.models.ecsi(cxkit.load_instrument("ecsi@1.0.0"))  # the ECSI model of plspm's example

PLSPM_SCRIPT = r"""
import json, sys, time
import pandas as pd
import plspm.config as c
from plspm.mode import Mode
from plspm.plspm import Plspm
from plspm.scheme import Scheme
df = pd.read_csv(sys.argv[1]).drop(columns="gender")
n_boot = int(sys.argv[2])
def config():
    s = c.Structure()
    s.add_path(["IMAG"], ["EXPE", "SAT", "LOY"])
    s.add_path(["EXPE"], ["QUAL", "VAL", "SAT"])
    s.add_path(["QUAL"], ["VAL", "SAT"])
    s.add_path(["VAL"], ["SAT"])
    s.add_path(["SAT"], ["LOY"])
    cfg = c.Config(s.path(), scaled=False)
    for lv in ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]:
        cfg.add_lv_with_columns_named(lv, Mode.A, df, lv.lower())
    return cfg
fits = []
for _ in range(5):
    t = time.perf_counter(); Plspm(df, config(), Scheme.PATH); fits.append(time.perf_counter() - t)
t = time.perf_counter()
Plspm(df, config(), Scheme.PATH, bootstrap=True, bootstrap_iterations=n_boot).bootstrap()
boot = time.perf_counter() - t
print(json.dumps({"fit": min(fits), "boot": boot, "n_boot": n_boot}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plspm-python", default="/work/wt/plspm-venv/bin/python")
    ap.add_argument("--resamples", type=int, default=10000)
    ap.add_argument("--plspm-resamples", type=int, default=200)
    args = ap.parse_args()
    df = load_dataset("satisfaction")
    warnings.simplefilter("ignore")
    fit = cxkit.fit_pls(ECSI, df, standardize=False)
    t_fit = best(lambda: cxkit.fit_pls(ECSI, df, standardize=False), repeat=10)
    start = time.perf_counter()
    boot = fit.bootstrap(args.resamples, seed=1)
    t_boot = time.perf_counter() - start
    print("ECSI model: 250 rows, 6 constructs, 27 items, path scheme")
    print(f"cxkit  single fit        {t_fit * 1000:8.1f} ms")
    print(
        f"cxkit  bootstrap {args.resamples:6d}  {t_boot:8.2f} s  "
        f"({t_boot / args.resamples * 1000:.3f} ms per resample; "
        f"{boot.provenance['bootstrap']['not_converged']} not converged)"
    )
    try:
        out = subprocess.run(
            [
                args.plspm_python,
                "-c",
                PLSPM_SCRIPT,
                str(ROOT / "src/cxkit/datasets/data/satisfaction.csv"),
                str(args.plspm_resamples),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
    except (OSError, subprocess.SubprocessError) as err:
        print(f"plspm not run ({err}); see the docstring for its environment")
        return
    p = json.loads(out.stdout.strip().splitlines()[-1])
    per_p = p["boot"] / p["n_boot"]
    per_c = t_boot / args.resamples
    print(f"plspm  single fit        {p['fit'] * 1000:8.1f} ms")
    print(
        f"plspm  bootstrap {p['n_boot']:6d}  {p['boot']:8.2f} s  ({per_p * 1000:.3f} ms per resample)"
    )
    print(f"ratio  single fit        {p['fit'] / t_fit:8.1f}× faster (goal ≥ 10×)")
    print(f"ratio  per resample      {per_p / per_c:8.1f}× faster (goal ≥ 50×)")


if __name__ == "__main__":
    main()
