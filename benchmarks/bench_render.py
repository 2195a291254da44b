"""Time to render each fielding format of online-cx@2.0.0 (goal: one PDF well under 2 s).

Prints the best of 5 wall-clock times; asserts nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _timing import best

import cxkit


def main() -> None:
    ins = cxkit.load_instrument("online-cx@2.0.0")
    out = Path(tempfile.mkdtemp())
    for fmt, ext in (("pdf", "pdf"), ("html", "html"), ("xlsform", "xlsx"), ("codebook", "csv")):
        for lang in ("en", "id"):
            if fmt == "xlsform" and lang == "id":
                continue
            t = best(
                lambda fmt=fmt, ext=ext, lang=lang: cxkit.render(
                    ins, fmt, out / f"q-{lang}.{ext}", lang=lang, store="Toko Contoh"
                )
            )
            print(f"{fmt:<9} {lang}  {t * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
