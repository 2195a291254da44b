"""The cxkit command: subcommands, exit codes, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cxkit.cli import main

from .conftest import INSTRUMENTS


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "cxkit.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_instruments_list(capsys):
    assert main(["instruments", "list"]) == 0
    out = capsys.readouterr().out
    assert "online-cx" in out and "ecsi" in out


def test_instruments_show_in_indonesian(capsys):
    assert (
        main(["instruments", "show", "online-cx@1.0.0", "--lang", "id", "--store", "Toko Contoh"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Saya merasa aman dalam bertransaksi dengan Toko Contoh." in out


def test_instruments_show_by_path(capsys):
    assert main(["instruments", "show", str(INSTRUMENTS / "ecsi" / "1.0.0.yaml")]) == 0
    assert "ecsi@1.0.0" in capsys.readouterr().out


def test_instruments_diff(capsys):
    assert main(["instruments", "diff", "online-cx@1.0.0", "online-cx@2.0.0"]) == 0
    out = capsys.readouterr().out
    assert "OE4" in out and "smallest version bump these item changes need: major" in out


def test_instruments_check(capsys):
    assert main(["instruments", "check"]) == 0


def test_check_fails_on_edited_release(registry_copy):
    path = registry_copy / "ecsi" / "1.0.0.yaml"
    path.write_bytes(path.read_bytes() + b"\n")
    proc = run("instruments", "check")
    assert proc.returncode == 1
    assert "edited after release" in proc.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ("instruments", "show", "online-cx@7.0.0"),
            "online-cx has no version '7.0.0'; versions: 1.0.0, 2.0.0",
        ),
        (("instruments", "show", "nope"), "unknown instrument 'nope'"),
        (
            ("instruments", "show", "online-cx@1.0.0", "--lang", "fr"),
            "has no language 'fr'; available: en, id",
        ),
    ],
)
def test_errors_are_clear_without_traceback(args, needle):
    proc = run(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("cxkit: error:")


def test_malformed_file_error_from_cli(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\n", encoding="utf-8")
    proc = run("instruments", "show", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "bad.yaml" in proc.stderr and "problems" in proc.stderr


def test_usage_error_exits_2():
    proc = run("instruments")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_reliability_on_bundled_data(capsys):
    assert main(["reliability", "--dataset", "satisfaction"]) == 0
    out = capsys.readouterr().out
    assert "SAT        4  250  .89 [.87, .91]" in out
    assert "Fornell–Larcker" in out and "HTMT" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("reliability", "missing.csv", "--instrument", "ecsi@1.0.0"), "missing.csv: no such file"),
        (("reliability",), "give either a DATA file or --dataset NAME"),
        (
            ("reliability", "--dataset", "nope"),
            "unknown data set 'nope'; bundled data sets: satisfaction",
        ),
        (("reliability", "--dataset", "satisfaction", "--ordinal"), "at most 8 answer categories"),
        (  # --data is argparse's abbreviation of --dataset: a file given there
            ("reliability", "--data", "answers.csv"),
            "not a file: to read 'answers.csv', give it as DATA without --dataset",
        ),
    ],
)
def test_reliability_errors(args, needle):
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_reliability_wrong_instrument(tmp_path):
    path = tmp_path / "hs.csv"
    path.write_text("x1,x2\n1,2\n3,4\n", encoding="utf-8")
    proc = run("reliability", str(path), "--instrument", "online-cx@1.0.0")
    assert proc.returncode == 2 and "the right instrument" in proc.stderr


def test_sem_on_demo_data(capsys):
    assert main(["sem", "--dataset", "online-cx-demo", "--model", "pyramid"]) == 0
    out = capsys.readouterr().out
    assert "reverse-keyed items recoded (min + max) - x: OE4" in out
    assert "ind_TR := a_TR*b" in out and "CFI" in out


def test_sem_with_a_syntax_file(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(
        "SAT =~ sat1 + sat2 + sat3 + sat4\nLOY =~ loy1 + loy2 + loy3 + loy4\nLOY ~ SAT\n"
    )
    assert main(["sem", "--dataset", "satisfaction", "--model", str(model)]) == 0
    assert "LOY ~ SAT" in capsys.readouterr().out


def test_simulate_writes_csv(tmp_path):
    out = tmp_path / "sim.csv"
    assert main(["simulate", "online-cx@2.0.0", "-n", "25", "--seed", "3", "-o", str(out)]) == 0
    import pandas as pd

    df = pd.read_csv(out)
    assert len(df) == 25 and "LOY6" in df.columns


def test_sem_errors():
    proc = run("sem", "--dataset", "online-cx-demo", "--model", "nope")
    assert (
        proc.returncode == 2
        and "is neither direct" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    proc = run("sem", "--dataset", "satisfaction", "--model", "pyramid")
    assert proc.returncode == 1 and "does not have the CX pyramid's dimensions" in proc.stderr


def test_validate_clean_and_with_problems(tmp_path):
    import pandas as pd

    from .test_responses import DATA

    clean = tmp_path / "clean.csv"
    pd.read_csv(DATA.parent / "reference" / "sem_cx" / "data.csv").to_csv(clean, index=False)
    proc = run("validate", str(clean), "--instrument", "online-cx@2.0.0")
    assert proc.returncode == 0 and "the data are clean" in proc.stdout
    out = tmp_path / "p.csv"
    proc = run(
        "validate",
        str(DATA / "kobo.csv"),
        "--instrument",
        "online-cx@2.0.0",
        "--problems",
        str(out),
    )
    assert proc.returncode == 1 and "4 problems" in proc.stdout
    assert len(pd.read_csv(out)) == 4


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "not_a_table.csv", "binary.csv"])
def test_validate_unreadable_exits_2(name):
    from .test_responses import DATA

    proc = run("validate", str(DATA / name), "--instrument", "online-cx@1.0.0")
    assert (
        proc.returncode == 2
        and proc.stderr.startswith("cxkit: error:")
        and "Traceback" not in proc.stderr
    )


def test_validate_unknown_instrument_exits_2():
    from .test_responses import DATA

    proc = run("validate", str(DATA / "kobo.csv"), "--instrument", "online-cx@9.0.0")
    assert proc.returncode == 2 and "has no version '9.0.0'" in proc.stderr
