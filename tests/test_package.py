"""The package as a user gets it: build the wheel, install it into a fresh venv, run the command.

The fresh venv installs only cxkit's wheel (``--no-deps``); it reuses the dependencies already installed
in the venv running the tests through a ``.pth`` line (a path line only: that venv's own ``.pth`` files,
among them the editable install of cxkit, are not processed), so the test needs no network and no
download. It runs from a temporary folder outside the repository, so the installed cxkit can find its
instruments only inside itself. The source's import graph (read with ``ast``, see ``tests/imports.py``)
has no circles.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import INSTRUMENTS, ROOT
from .imports import cycles, module_imports, within

slow = pytest.mark.slow  # the wheel and fresh-venv tests (the import-graph tests are quick)


def _run(cmd, cwd, env=None, timeout=600):
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{cmd}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            out,
            ROOT,
        ],
        cwd=out,
    )
    (path,) = out.glob("cxkit-*.whl")
    return path


@slow
def test_the_wheel_carries_the_instruments_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "cxkit/py.typed" in names
        assert "cxkit/_instruments/registry.lock" in names
        for path in INSTRUMENTS.rglob("*"):
            if path.is_file():
                inside = f"cxkit/_instruments/{path.relative_to(INSTRUMENTS).as_posix()}"
                assert zf.read(inside) == path.read_bytes(), inside
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: GPL-3.0-or-later" in meta
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    core = [r for r in requires if "extra ==" not in r]
    assert not any("pingouin" in r or "pyxform" in r for r in core), core


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory):
    venv = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv.parent)
    python = venv / "bin" / "python"
    purelib = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv)
        .strip()
        .splitlines()[-1]
    )
    # the test venv's dependencies, as a plain path entry (its .pth files are not processed)
    (purelib / "zz-reuse-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel],
        cwd=venv.parent,
    )
    return venv


def _env():
    env = {k: v for k, v in os.environ.items() if k not in ("CXKIT_INSTRUMENTS", "PYTHONPATH")}
    env["MPLBACKEND"] = "Agg"
    return env


@slow
def test_installed_cxkit_finds_its_packaged_instruments(fresh_venv, tmp_path):
    cxkit = fresh_venv / "bin" / "cxkit"
    where = _run(
        [
            fresh_venv / "bin" / "python",
            "-c",
            "import cxkit, cxkit.instrument as i; print(cxkit.__file__); print(i.instruments_dir())",
        ],
        tmp_path,
        _env(),
    ).splitlines()
    assert where[0].startswith(str(fresh_venv)), where
    assert where[1].startswith(str(fresh_venv)) and where[1].endswith("_instruments"), where
    listed = _run([cxkit, "instruments", "list"], tmp_path, _env())
    assert "online-cx" in listed and "2.0.0" in listed and "ecsi" in listed
    checked = _run([cxkit, "instruments", "check"], tmp_path, _env())
    assert "released files match the lock" in checked


@slow
def test_installed_cxkit_analyzes_the_demo(fresh_venv, tmp_path):
    out = _run(
        [
            fresh_venv / "bin" / "cxkit",
            "analyze",
            "--dataset",
            "online-cx-demo",
            "--bootstrap",
            "0",
            "--quiet",
            "--out",
            tmp_path / "report",
        ],
        tmp_path,
        _env(),
    )
    assert "CFI" in out
    assert (tmp_path / "report" / "report.html").stat().st_size > 10_000
    assert (tmp_path / "report" / "report.pdf").read_bytes()[:4] == b"%PDF"


# -- the import graph ---------------------------------------------------------------------------

#: pls/ by stage: each module imports (at module level) only modules before it
PLS_STAGES = [
    "spec",
    "algorithm",
    "consistent",
    "estimate",
    "assess",
    "ipma",
    "result",
    "fit",
    "bootstrap",
    "predict",
    "cvpat",
    "mga",
    "micom",
]


def test_no_module_level_import_circles_in_cxkit():
    top, _ = module_imports()
    assert "cxkit.pls.result" in top and "cxkit.instrument.model" in top
    assert cycles(top) == []


@pytest.mark.parametrize("package", ["cxkit.pls", "cxkit.instrument", "cxkit.sem"])
def test_no_import_circles_even_through_function_level_imports(package):
    """Lazy imports (inside functions) may reach up, as SEMResult.bootstrap() does, but never
    close a circle: pls/result ↔ bootstrap, pls/fit ↔ result and instrument/diff ↔ model did."""
    top, lazy = module_imports()
    graph = within({m: top[m] | lazy[m] for m in top}, package)
    assert cycles(graph) == []


def test_pls_modules_import_only_earlier_stages():
    top, _ = module_imports()
    mods = {f"cxkit.pls.{m}": k for k, m in enumerate(PLS_STAGES)}
    assert set(mods) == {m for m in top if m.startswith("cxkit.pls.")}
    upward = [
        f"{m} imports {t}" for m, k in mods.items() for t in top[m] if t in mods and mods[t] >= k
    ]
    assert upward == []


def test_the_cycle_check_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
