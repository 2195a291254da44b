"""The fault corpus of issue 15: what a careless user or an attacker gives cxkit, and what comes out.

Each case asserts the exact outcome: the error class (or the exit code of the ``cxkit`` command),
that the inputs are byte-identical afterwards, and that no file outside the named outputs was
touched. Property tests (hypothesis) close the file: any instrument YAML or responses file gives a
cxkit error or a result, never another exception.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxkit
from cxkit import _io
from cxkit.cli import main
from cxkit.errors import (
    CxkitError,
    InstrumentError,
    InstrumentWarning,
    ModelError,
    ModelSyntaxError,
    RegistryError,
    RenderError,
    ResponseError,
    SpecificationError,
)
from cxkit.responses.read import Limits, read_excel

from .conftest import INSTRUMENTS

DATA = Path(__file__).resolve().parent / "data"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (what must not change)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def answers_csv(path: Path, n: int = 6, ids=None, extra: dict | None = None) -> Path:
    """A small, valid online-cx@1.0.0 answers file."""
    ins = cxkit.load_instrument("online-cx@1.0.0")
    df = cxkit.simulate(ins, n, seed=3)
    if ids is not None:
        df["respondent"] = ids
    for k, v in (extra or {}).items():
        df[k] = v
    df.to_csv(path, index=False)
    return path


def draft_copy(tmp_path: Path, edit=None, name="draft.yaml") -> Path:
    data = yaml.safe_load((INSTRUMENTS / "online-cx" / "1.0.0.yaml").read_text(encoding="utf-8"))
    data["version"], data["status"] = "1.0.1-draft", "draft"
    if edit is not None:
        edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- 1. outputs never overwrite inputs; writes are atomic ------------------------------------------
def test_validate_problems_onto_the_data_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = answers_csv(tmp_path / "a.csv", extra={"junk": "x"})
    before = tree(tmp_path)
    assert (
        main(["validate", "a.csv", "--instrument", "online-cx@1.0.0", "--problems", "a.csv"]) == 2
    )
    assert "a.csv: is an input of this run" in capsys.readouterr().err
    assert tree(tmp_path) == before and data.exists()


def test_print_onto_the_instrument_is_refused(tmp_path, capsys):
    draft = draft_copy(tmp_path)
    before = tree(tmp_path)
    code = main(["print", str(draft), "--format", "html", "-o", str(draft)])
    assert code == 2
    assert "is an input of this run" in capsys.readouterr().err
    assert tree(tmp_path) == before


def test_render_api_refuses_the_instrument_file_too(tmp_path):
    draft = draft_copy(tmp_path)
    ins = cxkit.load_instrument(draft)
    before = tree(tmp_path)
    with pytest.raises(SpecificationError, match="is an input"):
        cxkit.render(ins, "html", draft)
    link = tmp_path / "link.html"
    link.symlink_to(draft)
    with pytest.raises(SpecificationError, match="is an input"):
        cxkit.render(ins, "html", link)
    before["link.html"] = draft.read_bytes()
    assert tree(tmp_path) == before


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(RenderError, match="No space left on device"):
        _io.write_text(target, "new\n")
    assert tree(tmp_path) == {"out.csv": b"old\n"}  # no temporary file is left behind


@pytest.mark.parametrize("command", ["simulate", "validate"])
def test_write_errors_are_cxkit_errors(tmp_path, capsys, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    answers_csv(tmp_path / "a.csv", extra={"junk": "x"})
    before = tree(tmp_path)
    if command == "simulate":
        argv = ["simulate", "online-cx@1.0.0", "-n", "5", "-o", "file.txt/out.csv"]
    else:
        argv = ["validate", "a.csv", "--instrument", "online-cx@1.0.0", "--problems", "nodir/p.csv"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("cxkit: error: ") and "cannot be written" in err and "Traceback" not in err
    )
    assert tree(tmp_path) == before


# -- 2. released instruments are immutable whatever the file says ---------------------------------
def test_released_file_set_to_draft_is_refused(registry_copy, capsys):
    path = registry_copy / "online-cx" / "1.0.0.yaml"
    path.write_bytes(path.read_bytes().replace(b"status: released", b"status: draft"))
    with pytest.raises(RegistryError, match=r"released and must not change.*status: draft"):
        cxkit.load_instrument("online-cx@1.0.0")
    assert main(["instruments", "show", "online-cx@1.0.0"]) == 2
    assert main(["render", "online-cx@1.0.0", "--format", "html", "-o", "/nonexistent/x"]) == 2


def test_released_file_replaced_by_a_symlink_is_refused(registry_copy, tmp_path):
    edited = tmp_path / "edited.yaml"
    original = registry_copy / "online-cx" / "1.0.0.yaml"
    edited.write_bytes(original.read_bytes().replace(b"cares about me", b"likes me"))
    original.unlink()
    original.symlink_to(edited)
    with pytest.raises(RegistryError, match="symbolic link"):
        cxkit.load_instrument("online-cx@1.0.0")
    from cxkit.instrument import check_registry

    assert not check_registry().set_index("ref").loc["online-cx@1.0.0", "ok"]


def test_path_copy_claiming_a_released_ref_is_flagged(tmp_path):
    src = (INSTRUMENTS / "online-cx" / "1.0.0.yaml").read_bytes()
    same = tmp_path / "same.yaml"
    same.write_bytes(src)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cxkit.load_instrument(same).status == "released"  # an exact copy is the release
    edited = tmp_path / "edited.yaml"
    edited.write_bytes(src.replace(b"cares about me", b"likes me"))
    with pytest.warns(InstrumentWarning, match="modified copy"):
        ins = cxkit.load_instrument(edited)
    assert ins.status == "modified" and ins.ref == "online-cx@1.0.0"
    assert "[modified]" in ins.summary()


# -- 3. user folders -------------------------------------------------------------------------------
def test_output_folder_of_the_user_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("my own report")
    before = tree(tmp_path)

    def never(*a, **k):  # the analysis must not even start
        raise AssertionError("analyze ran")

    monkeypatch.setattr("cxkit.report.study.analyze", never)
    code = main(["analyze", "--dataset", "online-cx-demo", "--out", str(out), "--quiet"])
    assert code == 2
    assert "not made by cxkit" in capsys.readouterr().err
    assert tree(tmp_path) == before


def test_output_folder_policy(tmp_path):
    out = tmp_path / "rep"
    f = _io.OutputFolder(out)
    f.write_text("a.txt", "1")
    f.write_text("tables/b.csv", "2")
    assert [p.name for p in f.finish()] == ["a.txt", "b.csv"]
    assert _io.written_files(out) == ["a.txt", "tables/b.csv"]
    (out / "notes-of-the-user.txt").write_text("keep me")
    # a second run into a folder cxkit made: the stale b.csv goes, the user's file stays
    g = _io.OutputFolder(out)
    g.write_text("a.txt", "3")
    g.finish()
    assert sorted(tree(out)) == [".cxkit-output", "a.txt", "notes-of-the-user.txt"]
    # a folder cxkit did not make: refused, then with force written, nothing removed
    user = tmp_path / "user"
    user.mkdir()
    (user / "a.txt").write_text("theirs")
    (user / "b.txt").write_text("theirs")
    with pytest.raises(SpecificationError, match="not made by cxkit"):
        _io.OutputFolder(user)
    assert tree(user) == {"a.txt": b"theirs", "b.txt": b"theirs"}
    h = _io.OutputFolder(user, force=True)
    h.write_text("a.txt", "ours")
    h.finish()
    assert tree(user) == {"a.txt": b"ours", "b.txt": b"theirs"}
    with pytest.raises(SpecificationError, match="is a file"):
        _io.OutputFolder(user / "a.txt")


def test_codebook_never_writes_over_unnamed_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# my project\n")
    before = tree(tmp_path)
    assert main(["render", "online-cx@1.0.0", "--format", "codebook", "-o", "README.csv"]) == 2
    assert "README.md exists and was not written by cxkit" in capsys.readouterr().err
    assert tree(tmp_path) == before
    # a fresh name: all three files written and named
    assert main(["render", "online-cx@1.0.0", "--format", "codebook", "-o", "cb.csv"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "wrote cb.csv, cb.md and cb-template.csv"
    assert sorted(tree(tmp_path)) == ["README.md", "cb-template.csv", "cb.csv", "cb.md"]
    # again: the companions are cxkit's own, so they may be replaced
    assert main(["render", "online-cx@1.0.0", "--format", "codebook", "-o", "cb.csv"]) == 0
    # --force replaces a file cxkit did not write
    assert (
        main(["render", "online-cx@1.0.0", "--format", "codebook", "-o", "README.csv", "--force"])
        == 0
    )
    assert (tmp_path / "README.md").read_text().startswith("# Codebook: ")


# -- 4. formula injection --------------------------------------------------------------------------
def test_problems_csv_neutralises_user_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    answers_csv(tmp_path / "a.csv", ids=evil, extra={"=cmd|' /C calc'!A0": "x"})
    assert (
        main(["validate", "a.csv", "--instrument", "online-cx@1.0.0", "--problems", "p.csv"]) == 1
    )
    text = (tmp_path / "p.csv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line
    assert "'=cmd|" in text


def test_xlsform_store_is_text_never_a_formula(tmp_path):
    from openpyxl import load_workbook

    path = cxkit.render(cxkit.load_instrument("online-cx@1.0.0"), "xlsform", tmp_path / "f.xlsx",
                        store="=1+1")  # fmt: skip
    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("=1+1" in c.value for c in cells)
    assert all(c.data_type == "s" for c in cells)


def test_neutralise_keeps_numbers_and_lavaan_operators():
    df = pd.DataFrame({"op": ["=~", "~~", ":=", "=bad"], "est": [0.5, -1.0, 2.0, 3.0],
                       "v": ["-0.5", "-x", "ok", "@x"]})  # fmt: skip
    out = _io.neutralise(df)
    assert out["op"].tolist() == ["=~", "~~", ":=", "'=bad"]
    assert out["est"].tolist() == [0.5, -1.0, 2.0, 3.0]
    assert out["v"].tolist() == ["-0.5", "'-x", "ok", "'@x"]


# -- 5. matplotlib labels are literal --------------------------------------------------------------
def test_dollar_signs_in_item_texts_are_drawn_literally(tmp_path):
    import matplotlib.pyplot as plt

    from cxkit import plots

    def edit(d):
        d["items"][0]["text"]["en"] = "Prices from $5 to $10 and $x^{2$ are fine at {store}"

    ins = cxkit.load_instrument(draft_copy(tmp_path, edit))
    data = cxkit.simulate(ins, 30, seed=1)
    fig = plots.likert_bars(data, ins)
    fig.savefig(io.BytesIO(), format="png")
    labels = [t for t in fig.axes[0].get_yticklabels() if "$5" in t.get_text()]
    assert labels and labels[0]._preprocess_math(labels[0].get_text()) == (
        labels[0].get_text().replace(r"\$", "$"),
        False,
    )
    plt.close(fig)


# -- 6. respondent ids keep their leading zeros ----------------------------------------------------
def test_respondent_ids_stay_text(tmp_path):
    path = answers_csv(tmp_path / "a.csv", ids=["00001", "0001", "1", "01", "001", "1.0"])
    before = path.read_bytes()
    r = cxkit.read_responses(path, "online-cx@1.0.0")
    assert r.flags["respondent"].tolist() == ["00001", "0001", "1", "01", "001", "1.0"]
    assert "duplicate_respondent" not in set(r.problems["reason"])
    assert not r.flags["duplicate"].any()
    assert path.read_bytes() == before


# -- 7. := expressions -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "needle"),
    [
        ("a*b + 9**9**9", "exponent"),
        ("a*b + 9^9^9", "exponent"),
        ("10**400 * a", "too large"),
        ("log(0) + a", r"log\(0\)"),
        ("1 / (1 - 1) + a", "divides by zero"),
        ("a*b + " + "9" * 5000, "cannot read"),
        ("a" + "+a" * 1500, "nested 1503 levels deep"),
    ],
)
def test_constant_parts_of_defined_parameters_are_checked_at_once(expr, needle):
    from cxkit.sem.syntax import parse_model

    start = time.perf_counter()
    with pytest.raises(ModelSyntaxError, match=needle):
        parse_model(f"F =~ x1 + a*x2 + b*x3\nind := {expr}")
    assert time.perf_counter() - start < 5  # (a hang would never get here)


def test_defined_parameters_are_evaluated_in_floats():
    from cxkit.sem.syntax import evaluate

    assert evaluate("a^2", {"a": 3}) == 9.0 and isinstance(evaluate("a*2", {"a": 1}), float)
    for expr, values in (("exp(1000*a)", {"a": 1.0}), ("log(a)", {"a": 0.0}),
                         ("a/b", {"a": 1.0, "b": 0.0}), ("sqrt(a)", {"a": -1.0}),
                         ("a^b", {"a": 10.0, "b": 5000.0})):  # fmt: skip
        with pytest.raises(ModelError, match="no finite value"):
            evaluate(expr, values)


def test_model_syntax_error_exits_2(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("EC <~ EC1 + EC2\n", encoding="utf-8")
    assert main(["sem", "--dataset", "online-cx-demo", "--model", str(model)]) == 2
    err = capsys.readouterr().err
    assert "<~" in err and "formative" in err and "'EC <'" not in err
    model.write_bytes("F =~ x1 + x2 # caf\xe9\n".encode("cp1252"))
    assert main(["sem", "--dataset", "online-cx-demo", "--model", str(model)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


# -- 8. limits on input size and shape -------------------------------------------------------------
def test_too_many_columns_is_refused_before_parsing(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{k}" for k in range(2001)) + "\n" + ",".join("1" * 2001) + "\n")
    with pytest.raises(ResponseError, match="2,001 columns.*CXKIT_MAX_COLUMNS"):
        cxkit.read_responses(path, "online-cx@1.0.0")


def test_limits_are_adjustable(tmp_path, monkeypatch):
    path = answers_csv(tmp_path / "a.csv")
    monkeypatch.setenv("CXKIT_MAX_BYTES", "100")
    with pytest.raises(
        ResponseError, match=r"bytes, more than the limit of 100; .*CXKIT_MAX_BYTES"
    ):
        cxkit.read_responses(path, "online-cx@1.0.0")
    monkeypatch.setenv("CXKIT_MAX_BYTES", "lots")
    with pytest.raises(ResponseError, match="not a whole number"):
        cxkit.read_responses(path, "online-cx@1.0.0")
    monkeypatch.delenv("CXKIT_MAX_BYTES")
    monkeypatch.setenv("CXKIT_MAX_CELLS", "50")
    with pytest.raises(ResponseError, match="cells.*CXKIT_MAX_CELLS"):
        cxkit.read_responses(path, "online-cx@1.0.0")


def test_many_unknown_columns_in_one_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("CXKIT_MAX_COLUMNS", "20000")
    ins = cxkit.load_instrument("online-cx@1.0.0")
    df = cxkit.simulate(ins, 5, seed=1)
    extra = pd.DataFrame(np.ones((5, 5000), dtype=int), columns=[f"x{k}" for k in range(5000)])
    r = cxkit.read_responses(pd.concat([df, extra], axis=1), ins)
    assert (r.problems["reason"] == "unknown_column").sum() == 5000


def test_one_line_csv_is_sniffed_from_its_head(tmp_path, monkeypatch):
    path = tmp_path / "line.csv"
    path.write_text("EC1," + "1," * 3_000_000 + "\n")
    with pytest.raises(ResponseError, match="columns"):
        cxkit.read_responses(path, "online-cx@1.0.0")


def _xlsx_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    buf = io.BytesIO()
    pd.DataFrame({"EC1": [1, 2]}).to_excel(buf, index=False)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:  # fmt: skip
        for info in src.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return path


def test_xlsx_zip_bomb_is_refused_unpacked(tmp_path):
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    bomb = _xlsx_with_sheet(tmp_path / "bomb.xlsx", head + b" " * 30_000_000 + b"</worksheet>")
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ResponseError, match="times its packed size"):
        read_excel(bomb)
    big = _xlsx_with_sheet(
        tmp_path / "dim.xlsx", head + b'<dimension ref="A1:ZZ900000"/><sheetData/></worksheet>'
    )
    with pytest.raises(ResponseError, match="cells.*CXKIT_MAX_CELLS"):
        read_excel(big)
    with pytest.raises(ResponseError, match="bytes once unpacked.*CXKIT_MAX_XLSX_BYTES"):
        read_excel(bomb, limits=Limits(max_xlsx_bytes=1_000_000))


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ResponseError, match="not a regular file"):
        cxkit.read_responses(fifo, "online-cx@1.0.0")
    with pytest.raises(ResponseError, match="is a folder"):
        cxkit.read_responses(tmp_path, "online-cx@1.0.0")


def test_memory_error_is_a_cxkit_error(tmp_path, capsys, monkeypatch):
    path = answers_csv(tmp_path / "a.csv")

    def oom(*a, **k):
        raise MemoryError

    monkeypatch.setattr("cxkit.responses.core.read_responses", oom)
    assert main(["validate", str(path), "--instrument", "online-cx@1.0.0"]) == 2
    err = capsys.readouterr().err
    assert "ran out of memory" in err and "CXKIT_MAX_BYTES" in err


# -- 10. determinism -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["pdf", "xlsform"])
def test_same_inputs_same_bytes(tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    ins = cxkit.load_instrument("online-cx@2.0.0")
    a = cxkit.render(ins, fmt, tmp_path / f"a.{fmt}")
    time.sleep(2.1)  # zip entries carry 2-second timestamps
    b = cxkit.render(ins, fmt, tmp_path / f"b.{fmt}")
    assert a.read_bytes() == b.read_bytes()


def test_svg_figures_are_reproducible(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = []
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        buf = io.BytesIO()
        with plt.rc_context({"svg.hashsalt": "cxkit"}):
            fig.savefig(buf, format="svg", metadata={"Date": _io.build_time().isoformat()})
        plt.close(fig)
        out.append(buf.getvalue())
    assert out[0] == out[1] and b"2023-11-14" in out[0]


# -- 11. clear errors instead of tracebacks ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("? [a, b]\n: 1\n", "complex keys"),
        ("id: x\nn: " + "9" * 5000 + "\n", "more than 4300 digits"),
        ("[" * 5000, "YAML|nested"),
        ("a: &x [*x]\n", "recursive anchor"),
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )  # fmt: skip
            + "j: [*i, *i]\n",
            "expands to more than",
        ),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("\x00\x01", "YAML|UTF-8"),
    ],
)
def test_yaml_oddities_are_instrument_errors(tmp_path, text, needle):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match=needle):
        cxkit.load_instrument(path)


def test_anchor_keys_1_and_quoted_1_are_duplicates(tmp_path):
    path = draft_copy(tmp_path)
    text = path.read_text(encoding="utf-8").replace("      2:\n        en: Disagree", '      "1":\n        en: Disagree', 1)  # fmt: skip
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match="duplicate key '1'"):
        cxkit.load_instrument(path)


def test_ansi_escapes_in_texts_are_refused(tmp_path):
    def edit(d):
        d["items"][0]["text"]["en"] = "\x1b[2J\x1b[31mgotcha"

    with pytest.raises(InstrumentError, match="U\\+001B"):
        cxkit.load_instrument(draft_copy(tmp_path, edit))


def test_huge_scales_are_refused(tmp_path):
    def edit(d):
        d["scales"]["agree7"]["max"] = 10**9

    with pytest.raises(InstrumentError, match="agree7"):
        cxkit.load_instrument(draft_copy(tmp_path, edit))


def test_registry_oddities(registry_copy, capsys):
    (registry_copy / "online-cx" / "3.0.0.yaml").mkdir()
    shutil.copy(
        registry_copy / "online-cx" / "2.0.0.yaml",
        registry_copy / "online-cx" / "copy of 2.0.0.yaml",
    )
    before = tree(registry_copy)
    assert cxkit.load_instrument("online-cx").version == "2.0.0"
    assert len(cxkit.list_instruments()) == 3
    assert main(["instruments", "check"]) == 1
    out = capsys.readouterr().out
    assert "a folder named like an instrument file" in out and "not a version file" in out
    with pytest.raises(InstrumentError, match="is a folder"):
        cxkit.load_instrument(registry_copy / "online-cx" / "3.0.0.yaml")
    assert tree(registry_copy) == before


def test_malformed_lock_entry(registry_copy, capsys):
    lock = registry_copy / "registry.lock"
    lock.write_text('{"instruments": {"online-cx@1.0.0": "abc"}}')
    with pytest.raises(RegistryError, match="malformed"):
        cxkit.load_instrument("online-cx@1.0.0")
    assert main(["instruments", "check"]) == 2
    assert "malformed" in capsys.readouterr().err


def test_read_only_lock(registry_copy, monkeypatch, capsys):
    new = registry_copy / "online-cx" / "2.0.0.yaml"
    text = new.read_text(encoding="utf-8")
    lock = registry_copy / "registry.lock"
    data = __import__("json").loads(lock.read_text())
    del data["instruments"]["online-cx@2.0.0"]
    lock.write_text(__import__("json").dumps(data))
    before = tree(registry_copy)

    def denied(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", denied)
    assert main(["instruments", "lock"]) == 2
    assert "registry.lock: cannot be written (Permission denied)" in capsys.readouterr().err
    assert tree(registry_copy) == before and new.read_text(encoding="utf-8") == text


def test_missing_registry_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CXKIT_INSTRUMENTS", str(tmp_path / "nowhere"))
    assert main(["instruments", "check"]) == 2
    assert "the registry folder does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "--dataset", "online-cx-demo", "--seed", "-1", "--quiet"],
        ["print", "online-cx@1.0.0", "--shuffle", "-3", "-o", "x.pdf"],
        ["simulate", "online-cx@1.0.0", "--seed", "-1"],
        ["simulate", "online-cx@1.0.0", "-n", "99999999999"],
        ["analyze", "--dataset", "online-cx-demo", "--bootstrap", "-5"],
        ["print", "online-cx@1.0.0", "--store", "Toko\x1b[31m", "-o", "x.pdf"],
        ["print", "online-cx@1.0.0", "--store", "Toko\nContoh", "-o", "x.pdf"],
        ["print", "online-cx@1.0.0", "--store", "Toko\udcff", "-o", "x.pdf"],
        ["instruments", "show", "online-cx@1.0.0", "--store", "a\rb"],
    ],
)
def test_bad_arguments_exit_2_before_any_work(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxkit: error: ") and "\x1b" not in err
    assert time.perf_counter() - start < 30 and list(tmp_path.iterdir()) == []


def test_inf_in_the_data(tmp_path, capsys):
    path = tmp_path / "d.csv"
    from cxkit.datasets import load_dataset

    df = load_dataset("online-cx-demo")
    df = df[[c for c in df.columns if c[:2] in ("EC", "TR")]].astype(float)
    df.iloc[3, 0] = np.inf
    df.to_csv(path, index=False)
    assert main(["reliability", str(path), "--instrument", "online-cx@2.0.0"]) == 2
    assert "infinite value" in capsys.readouterr().err
    with pytest.raises(ResponseError, match="infinite value.*row 3"):
        cxkit.reliability(df, {"EC": ["EC1", "EC2", "EC3"]})


def test_utf16_without_bom_and_repeated_headers(tmp_path):
    ins = cxkit.load_instrument("online-cx@1.0.0")
    df = cxkit.simulate(ins, 5, seed=1)
    path = tmp_path / "u16.csv"
    path.write_bytes(df.to_csv(index=False).encode("utf-16-le"))
    r = cxkit.read_responses(path, ins)
    assert r.meta["encoding"] == "utf-16-le (no byte-order mark)" and len(r.data) == 5
    dup = tmp_path / "dup.csv"
    text = df.to_csv(index=False).splitlines()
    dup.write_text("\n".join(line + "," + line.split(",")[1] for line in text) + "\n")
    header = text[0].split(",")
    r = cxkit.read_responses(dup, ins)
    row = r.problems[r.problems["reason"] == "duplicate_column"]
    assert row["message"].tolist() == [
        f"column {len(header) + 1} has the same header {header[1]!r} as column 2; only column 2 "
        "is read (rename or delete the other)"
    ]


def test_mixed_encodings_are_refused_not_garbled(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "respondent,EC1,city\nr1,5,Sémarang\n".encode() + "r2,6,Bandüng\n".encode("cp1252")
    )
    with pytest.raises(ResponseError, match=r"mixes encodings: line 2 .* line 3 has byte 0xFC"):
        cxkit.read_responses(path, "online-cx@1.0.0")
    r = cxkit.read_responses(path, "online-cx@1.0.0", encoding="cp1252")
    assert len(r.data) == 2


def test_newline_in_store_cannot_inject_a_codebook_row(tmp_path):
    with pytest.raises(SpecificationError, match="U\\+000A"):
        cxkit.render("online-cx@1.0.0", "codebook", tmp_path / "cb.csv", store="X |\n| evil |")
    assert list(tmp_path.iterdir()) == []

    def edit(d):
        d["items"][0]["text"]["en"] = "two\nlines | here"

    path = cxkit.render(
        cxkit.load_instrument(draft_copy(tmp_path, edit)), "codebook", tmp_path / "cb.csv"
    )
    md = path.with_suffix(".md").read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(cxkit.load_instrument("online-cx@1.0.0").items)
    assert "two<br>lines \\| here" in md


def test_long_words_can_break_on_the_printed_page(tmp_path):
    from pypdf import PdfReader

    from cxkit.render.pdf import lit

    assert "\u200b" in lit("x" * 100) and "\u200b" not in lit("short words only")

    def edit(d):
        d["items"][0]["text"]["en"] = "A" * 10_000

    path = cxkit.render(
        cxkit.load_instrument(draft_copy(tmp_path, edit)), "pdf", tmp_path / "q.pdf"
    )
    reader = PdfReader(path)
    width = float(reader.pages[0].mediabox.width)
    assert len(reader.pages) > 1 and width < 700  # the word wraps over pages, the page stays A4


def test_row_labels_in_messages_are_plain(tmp_path):
    df = pd.DataFrame({"EC1": ["x", 1, 2], "EC2": [1, 2, 3], "EC3": [3, 2, 1]})
    with pytest.raises(ResponseError) as info:
        cxkit.reliability(df, {"EC": ["EC1", "EC2", "EC3"]})
    assert "in row 0" in str(info.value) and "np.int64" not in str(info.value)


# -- property tests --------------------------------------------------------------------------------
#: examples per property (kept modest for CI; CXKIT_FUZZ_EXAMPLES=1000 for a longer search)
EXAMPLES = int(os.environ.get("CXKIT_FUZZ_EXAMPLES", "40"))
_SPEC = yaml.safe_load((INSTRUMENTS / "online-cx" / "1.0.0.yaml").read_text(encoding="utf-8"))
_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)  # fmt: skip


def _paths(data, loc=()):
    yield loc
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*loc, i))


_ALL_PATHS = [p for p in _paths(_SPEC) if p]


def _mutated(choices):
    import copy

    data = copy.deepcopy(_SPEC)
    data["version"], data["status"] = "9.9.9-x", "draft"
    for path, value in choices:
        node = data
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(st.sampled_from(_ALL_PATHS), _leaf), min_size=1, max_size=4))
def test_any_mutated_instrument_is_an_instrument_or_an_instrument_error(tmp_path, choices):
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(_mutated(choices), allow_unicode=True), encoding="utf-8")
    try:
        ins = cxkit.load_instrument(path)
    except InstrumentError:
        return
    ins.summary()
    ins.measurement_model()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=300))
def test_any_yaml_text_is_an_instrument_or_an_instrument_error(tmp_path, text):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if False else path.write_bytes(
        text.encode("utf-8", "surrogatepass")
    )
    try:
        cxkit.load_instrument(path)
    except InstrumentError:
        pass


_cell = st.one_of(
    st.sampled_from(["", "1", "7", "0", "-1", "3,5", "inf", "nan", "=1+1", "Sangat setuju", "00017", "1e400"]),
    st.text(max_size=8),
)  # fmt: skip
_header = st.sampled_from(
    ["respondent", "EC1", "EC2", "cx/EC3", "TR1", "OE4", "duration", "EC1", "x", ""]
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(_header, min_size=1, max_size=6),
    st.lists(st.lists(_cell, min_size=0, max_size=7), max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-16-le"]),
)
def test_any_responses_file_is_responses_or_a_cxkit_error(tmp_path, header, rows, sep, enc):
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "r.csv"
    path.write_bytes(buf.getvalue().encode(enc, "replace"))
    try:
        r = cxkit.read_responses(path, "online-cx@1.0.0")
    except CxkitError:
        return
    assert list(r.problems.columns) == ["row", "respondent", "column", "value", "reason", "message"]


@settings(
    max_examples=max(EXAMPLES // 2, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=400))
def test_any_bytes_are_responses_or_a_cxkit_error(tmp_path, blob):
    for name in ("b.csv", "b.xlsx", "b.sav"):
        path = tmp_path / name
        path.write_bytes(blob)
        try:
            cxkit.read_responses(path, "online-cx@1.0.0")
        except CxkitError:
            pass


def test_xlsx_tables_type_strings_and_numbers(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    est = pd.DataFrame(
        {"lhs": ["EC"], "op": ["=~"], "rhs": ["EC1"], "est": [0.71], "n": [np.int64(3)]}
    )
    path = _io.write_xlsx({"estimates": _io.frame_rows(est, index=False)}, tmp_path / "t.xlsx")
    ws = load_workbook(path)["estimates"]
    assert [c.value for c in ws[2]] == ["EC", "=~", "EC1", 0.71, 3]
    assert [c.data_type for c in ws[2]] == ["s", "s", "s", "n", "n"]
    assert load_workbook(path).properties.modified.year == 2023
