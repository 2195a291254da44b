"""Hostile inputs of issue 15: how long cxkit takes to read or refuse them. Prints figures; asserts
nothing.

* 20,000 unknown columns (the limit raised with CXKIT_MAX_COLUMNS): before issue 15 the unknown-column
  pass took about 9 ms per column (3 minutes); it is one vectorised pass now.
* a 0.2 MB XLSX that unpacks to 30 MB (a zip bomb): refused from the zip's declared sizes.
* a 100 MB one-line CSV: refused from its first line (columns), never parsed.
* ``ind := a*b + 9^9^9``: refused while the model is parsed.

    .venv/bin/python benchmarks/bench_faults.py [n_columns]
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

import cxkit
from cxkit.errors import CxkitError

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
TMP = Path(tempfile.mkdtemp())


def timed(fn) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        fn()
        outcome = "read"
    except CxkitError as exc:
        outcome = f"refused: {type(exc).__name__}"
    return time.perf_counter() - start, outcome


def main() -> None:
    os.environ["CXKIT_MAX_COLUMNS"] = str(N + 100)
    ins = cxkit.load_instrument("online-cx@1.0.0")
    df = cxkit.simulate(ins, 200, seed=1)
    extra = pd.DataFrame(np.ones((200, N), dtype=int), columns=[f"x{k}" for k in range(N)])
    wide = pd.concat([df, extra], axis=1)
    t, _ = timed(lambda: cxkit.read_responses(wide, ins))
    print(f"{N:,} unknown columns (DataFrame): {t:.2f} s = {1000 * t / N:.3f} ms per column "
          f"(before issue 15: about 9 ms per column; ratio {9 / (1000 * t / N):.0f}x)")  # fmt: skip
    del os.environ["CXKIT_MAX_COLUMNS"]

    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    buf = io.BytesIO()
    pd.DataFrame({"EC1": [1]}).to_excel(buf, index=False)
    bomb = TMP / "bomb.xlsx"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:  # fmt: skip
        for info in src.infolist():
            big = info.filename == "xl/worksheets/sheet1.xml"
            dst.writestr(
                info.filename, head + b" " * 30_000_000 + b"</worksheet>" if big else src.read(info)
            )
    t, what = timed(lambda: cxkit.read_responses(bomb, ins))
    print(f"XLSX bomb ({bomb.stat().st_size / 1e6:.2f} MB → 30 MB): {t * 1000:.0f} ms, {what}")

    line = TMP / "line.csv"
    with line.open("w") as fh:
        fh.write("EC1," + "1," * 50_000_000 + "\n")
    t, what = timed(lambda: cxkit.read_responses(line, ins))
    print(f"one-line CSV ({line.stat().st_size / 1e6:.0f} MB): {t:.2f} s, {what}")

    from cxkit.sem.syntax import parse_model

    t, what = timed(lambda: parse_model("F =~ x1 + a*x2 + b*x3\nind := a*b + 9^9^9"))
    print(f"ind := a*b + 9^9^9: {t * 1000:.1f} ms, {what}")


if __name__ == "__main__":
    main()
