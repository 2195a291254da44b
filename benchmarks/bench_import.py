"""Start-up cost: ``import cxkit``, ``cxkit --version`` and ``cxkit --help``, beside ``import pandas``.

Each figure is the shortest wall-clock time of a fresh interpreter over several runs (the interpreter's
own start-up included, shown on its own line), and for imports also what ``python -X importtime``
reports as the module's cumulative import time. The ratio column divides by ``import pandas``, the peer
a notebook user pays anyway. The first-use rows show what a first call loads (``cxkit.load_instrument``
needs pydantic and pandas, ``cxkit.fit_sem`` scipy.stats as well).

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_import.py``; prints figures, asserts
nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from _timing import process_wall

PY = sys.executable
CXKIT = str(Path(PY).with_name("cxkit"))
REPEAT = 7


def wall(cmd: list[str]) -> float:
    return process_wall(cmd, REPEAT)


def importtime(code: str, module: str) -> float:
    """The smallest cumulative ``-X importtime`` figure of ``module`` over the runs, in seconds."""
    best = float("inf")
    for _ in range(REPEAT):
        err = subprocess.run(
            [PY, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
        ).stderr
        for line in err.splitlines():
            m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
            if m and m.group(3) == module and not m.group(2):
                best = min(best, int(m.group(1)) / 1e6)
    return best


def main() -> None:
    base = wall([PY, "-c", "pass"])
    pandas_wall = wall([PY, "-c", "import pandas"])
    pandas_it = importtime("import pandas", "pandas")
    rows = [
        ("python -c pass (interpreter start-up)", base, None),
        ("import pandas  (the peer)", pandas_wall, pandas_it),
        ("import cxkit", wall([PY, "-c", "import cxkit"]), importtime("import cxkit", "cxkit")),
        ("cxkit --version", wall([CXKIT, "--version"]), None),
        ("cxkit --help", wall([CXKIT, "--help"]), None),
        (
            "first use: cxkit.load_instrument(...)",
            wall([PY, "-c", "import cxkit; cxkit.load_instrument('online-cx@2.0.0')"]),
            None,
        ),
        ("first use: import cxkit.sem", wall([PY, "-c", "import cxkit.sem"]), None),
    ]
    print(f"best of {REPEAT} fresh interpreters; ratio = wall time / wall time of 'import pandas'")
    print(f"{'':42} {'wall s':>8} {'importtime s':>13} {'ratio':>7}")
    for name, t, it in rows:
        shown = f"{it:13.3f}" if it is not None else f"{'':13}"
        print(f"{name:42} {t:8.3f} {shown} {t / pandas_wall:7.2f}")


if __name__ == "__main__":
    main()
