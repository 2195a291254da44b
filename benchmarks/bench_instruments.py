"""Time to read, validate and hash each instrument, and to check the whole registry.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_instruments.py``; prints figures, asserts
nothing.
"""

from __future__ import annotations

from _timing import best

from cxkit.instrument import check_registry, list_instruments
from cxkit.instrument._yaml import read_yaml
from cxkit.instrument.registry import _load_path, resolve
from cxkit.instrument.validate import parse_spec


def main() -> None:
    for ref in list_instruments().pipe(lambda d: d["id"] + "@" + d["version"]):
        path = resolve(ref)
        cold = best(lambda p=path: parse_spec(*read_yaml(p)[:2]))
        warm = best(lambda p=path: _load_path(p))
        print(f"read + validate {ref:<18} {cold * 1e3:7.2f} ms; cached load {warm * 1e3:6.3f} ms")
    print(f"check the registry           {best(check_registry, 5) * 1e3:8.2f} ms (best of 5)")


if __name__ == "__main__":
    main()
