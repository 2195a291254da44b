"""Writes the answer files the reading tests use (run once; the files are committed).

Each file imitates a real export and carries a known set of problems, listed in
tests/test_responses.py next to the test that reads it.

    .venv/bin/python tests/data/make_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

import cxkit

HERE = Path(__file__).resolve().parent
V1 = cxkit.load_instrument("online-cx@1.0.0")
V2 = cxkit.load_instrument("online-cx@2.0.0")
IDS1 = [i.id for i in V1.items]


def google_forms_indonesian() -> None:
    """Google Forms → Indonesian Excel → CSV: BOM, ';', decimal commas, question texts as headers,
    answers as labels on the agreement grid, store name filled in."""
    headers = ["Cap waktu"] + [V1.item(i).label("id", "Toko Contoh") for i in IDS1] + ["Durasi"]
    labels = V1.item("EC1").scale.labels("id")
    rows = [
        ["2026/11/01 10:00:00"]
        + [labels[7], labels[6], "5", "6", "6", "7", "5", "5", labels[7], "7", "6", "6"]
        + ["125,5"],
        ["2026/11/01 10:05:00"]
        + ["4"] * 12
        + ["20,0"],  # straight-liner, too fast (< 2 s × 12 items)
        ["2026/11/01 10:09:00"]
        + ["3", "Setuju sekali", "5", "", "6", "7", "8", "5", "6", "7", "6", "6"]
        + ["300"],
    ]
    lines = [";".join(headers)] + [";".join(r) for r in rows]
    (HERE / "google_forms_id.csv").write_bytes(
        ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    )


def kobo() -> None:
    """KoboToolbox CSV export of online-cx@2.0.0: group prefixes, start/end, _id, __version__ and the
    instrument_version field of cxkit's XLSForm."""
    df = cxkit.simulate(V2, 6, seed=5)
    items = [i.id for i in V2.items if i.id not in ("OPEN1", "CONTACT")]
    out = pd.DataFrame(
        {
            "start": ["2026-11-01T10:00:00+07:00"] * 6,
            "end": ["2026-11-01T10:09:00+07:00"] * 5 + ["2026-11-01T10:00:40+07:00"],
        }
    )
    for i in items:
        group = "cx" if V2.item(i).construct else "other"
        out[f"{group}/{i}"] = df[i].to_numpy()
    out["other/CONTACT"] = ["a@example.com", "", "b@example.org", "", "", ""]
    out["_id"] = [101, 102, 103, 103, 105, 106]  # 103 twice
    out["__version__"] = ["vWq3kz9"] * 6  # KoboToolbox's deployment id: not the instrument version
    out["instrument_version"] = ["online-cx@2.0.0"] * 5 + [
        "online-cx@1.0.0"
    ]  # cxkit's XLSForm field
    out.loc[2, "cx/TR1"] = 9  # out of range
    out.to_csv(HERE / "kobo.csv", index=False)


def excel() -> None:
    """An XLSX typed by hand: item ids, English labels in places, a missing-data code 99."""
    df = pd.DataFrame({i: [6, 5, 7, 4] for i in IDS1})
    df.insert(0, "respondent", ["r1", "r2", "r3", "r4"])
    df = df.astype(object)
    df.loc[1, "EC1"] = "Strongly agree"
    df.loc[2, "OE2"] = 99
    df.loc[3, "TR2"] = "seven"
    df.to_excel(HERE / "answers.xlsx", index=False)


def spss() -> None:
    """An SPSS file with value labels on the items."""
    df = pd.DataFrame({i: [7.0, 6.0, 2.0] for i in IDS1})
    labels = {i: {float(k): v for k, v in V1.item(i).scale.labels("en").items()} for i in IDS1}
    pyreadstat.write_sav(df, HERE / "answers.sav", variable_value_labels=labels)


def latin1() -> None:
    """A Windows-1252 CSV (Excel 'CSV' on Windows) with an accented name in a text column."""
    text = "respondent,EC1,EC2,EC3,comment\nAndré,5,6,7,très bien\nBeyoncé,4,4,5,ok\n"
    (HERE / "latin1.csv").write_bytes(text.encode("cp1252"))


def broken() -> None:
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "header_only.csv").write_text("respondent,EC1,EC2\n", encoding="utf-8")
    (HERE / "not_a_table.csv").write_text(
        "This is a letter, not a table.\nKind regards\n", encoding="utf-8"
    )
    (HERE / "binary.csv").write_bytes(bytes(range(256)) * 4)


if __name__ == "__main__":
    google_forms_indonesian()
    kobo()
    excel()
    spss()
    latin1()
    broken()
