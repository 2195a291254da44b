"""Build step: ship the repository's ``instruments/`` inside the wheel as ``cxkit/_instruments``.

The top-level ``instruments/`` folder stays the one source of truth. A regular build (``pip install .``,
``python -m build``) copies it, byte for byte (released files are identified by their sha256), into the
package; an editable install copies nothing, so the registry reads the working tree's folder.
Everything else about the package is declared in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "instruments"
TARGET = Path("cxkit") / "_instruments"


class BuildWithInstruments(build_py):
    """``build_py`` that also copies ``instruments/`` (yaml, CHANGELOG/POPULATION notes, lock)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not (SOURCE / "registry.lock").is_file():
            raise SystemExit(f"cannot build cxkit: {SOURCE} has no registry.lock")
        dest = Path(self.build_lib) / TARGET
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(
            SOURCE,
            dest,
            ignore=shutil.ignore_patterns("*~", ".*", "__pycache__"),
            copy_function=shutil.copyfile,
        )

    def get_outputs(self, include_bytecode=1):
        outputs = super().get_outputs(include_bytecode)
        if not getattr(self, "editable_mode", False) and SOURCE.is_dir():
            base = Path(self.build_lib) / TARGET
            outputs += [str(base / p.relative_to(SOURCE)) for p in SOURCE.rglob("*") if p.is_file()]
        return outputs


setup(cmdclass={"build_py": BuildWithInstruments})
