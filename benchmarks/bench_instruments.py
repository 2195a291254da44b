"""Time to read, validate and hash each instrument, and to check the whole registry.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_instruments.py``; prints figures, asserts
nothing.
"""

from __future__ import annotations

import time

from cxkit.instrument import check_registry, list_instruments
from cxkit.instrument.registry import _load_path, resolve


def timeit(fn, repeat: int = 20) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    for ref in list_instruments().pipe(lambda d: d["id"] + "@" + d["version"]):
        path = resolve(ref)
        print(
            f"load + validate {ref:<18} {timeit(lambda p=path: _load_path(p)) * 1e3:8.2f} ms (best of 20)"
        )
    print(f"check the registry           {timeit(check_registry, 5) * 1e3:8.2f} ms (best of 5)")


if __name__ == "__main__":
    main()
