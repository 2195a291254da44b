"""The 1 M-respondent read → validate → score path (issue 19): goal ≤ 10 s and ≤ 1.5 GB here.

The CSV (every online-cx@2.0.0 column, 1 % careless respondents, 2 % blank answers, from
``cxkit simulate``) is made once in a temporary folder. Measured in fresh processes, so that the
peak memory (ru_maxrss) is the path's own:

* the Python path: ``read_responses`` (read, validate, quality flags), then ``score`` and ``nps``,
  each timed, with ``--profile`` the 25 costliest calls;
* the CLI: ``cxkit validate FILE -i online-cx@2.0.0 -o problems.csv`` (wall time, peak memory).

There is no peer for this path (lavaan does not read questionnaires). Prints figures, asserts
nothing:

    .venv/bin/python benchmarks/bench_read.py [n] [--profile]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 1_000_000
PATH = Path(tempfile.gettempdir()) / f"cxkit-bench-{N}.csv"
CXKIT = str(Path(sys.executable).with_name("cxkit"))

MEASURE = """
import resource, sys, time
t0 = time.perf_counter()
import cxkit
t1 = time.perf_counter()
prof = None
if "--profile" in sys.argv:
    import cProfile
    prof = cProfile.Profile()
    prof.enable()
r = cxkit.read_responses(sys.argv[1], "online-cx@2.0.0")
t2 = time.perf_counter()
s = cxkit.score(r)
m = cxkit.nps(r)
t3 = time.perf_counter()
if prof is not None:
    import pstats
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"rows {len(r.data)}; problems {len(r.problems)}; flagged {int(r.flags['flagged'].sum())}")
print(f"import cxkit {t1 - t0:.2f} s; read + validate + flags {t2 - t1:.2f} s; "
      f"score + NPS {t3 - t2:.2f} s; path total {t3 - t1:.2f} s; peak memory {peak:.0f} MB")
"""

TIMED = """
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=False, capture_output=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{time.perf_counter() - t:.2f} s wall, peak memory {peak:.0f} MB")
"""


def make() -> None:
    """The CSV, by the command line's simulator (the same population as ``cxkit.simulate``)."""
    start = time.perf_counter()
    cmd = [CXKIT, "simulate", "-i", "online-cx@2.0.0", "-n", str(N), "--seed", "1"]
    subprocess.run([*cmd, "--careless", "0.01", "--blank", "0.02", "-o", str(PATH)], check=True)
    print(f"made {PATH} in {time.perf_counter() - start:.1f} s")


def main() -> None:
    if not PATH.exists():
        make()
    print(f"{N} respondents, online-cx@2.0.0 (goal: path ≤ 10 s, ≤ 1.5 GB)")
    extra = ["--profile"] if "--profile" in sys.argv else []
    subprocess.run([sys.executable, "-c", MEASURE, str(PATH), *extra], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "problems.csv"
        cmd = [CXKIT, "validate", str(PATH), "-i", "online-cx@2.0.0", "-o", str(out)]
        print("cxkit validate: ", end="", flush=True)
        subprocess.run([sys.executable, "-c", TIMED, *cmd], check=True)


if __name__ == "__main__":
    main()
