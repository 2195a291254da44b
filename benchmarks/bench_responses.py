"""One million respondents × every online-cx@2.0.0 column in a CSV: read, validate and score.

Goal (issue 4): under 20 s and under 3 GB peak memory on the 2-core machine. The CSV is made once
(synthetic, ~1 % careless, 2 % missing answers) in a temporary folder; the measurement runs in a fresh
process so that its peak memory (ru_maxrss) is its own. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_responses.py [n]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
PATH = Path(tempfile.gettempdir()) / f"cxkit-bench-{N}.csv"

MEASURE = """
import resource, sys, time
import cxkit
t0 = time.perf_counter()
r = cxkit.read_responses(sys.argv[1], "online-cx@2.0.0")
t1 = time.perf_counter()
s = cxkit.score(r)
m = cxkit.nps(r)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"rows {len(r.data)}; problems {len(r.problems)}; flagged {int(r.flags['flagged'].sum())}")
print(f"read + validate + flags: {t1 - t0:.2f} s; score + NPS: {t2 - t1:.2f} s; total {t2 - t0:.2f} s")
print(f"peak memory {peak:.0f} MB; NPS {m.score:.1f}")
"""


def make() -> None:
    import cxkit

    ins = cxkit.load_instrument("online-cx@2.0.0")
    start = time.perf_counter()
    df = cxkit.simulate(ins, N, seed=1, careless=0.01, missing=0.02)
    df.to_csv(PATH, index=False)
    print(
        f"made {PATH} ({PATH.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    if not PATH.exists():
        make()
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", MEASURE, str(PATH)], check=True, env=env)
