"""Expected values from the Python package plspm (PyPI plspm 0.5.7, GPL-3) on the bundled ECSI data.

Run in a separate virtual environment (plspm needs pandas < 2.2 and numpy < 2):
    python3 -m venv /work/wt/plspm-venv
    /work/wt/plspm-venv/bin/pip install plspm 'pandas<2.2' 'numpy<2'
    /work/wt/plspm-venv/bin/python tests/reference/pls_plspm_python/make.py
Writes <scheme>_unscaled_{outer,effects,inner,unidim}.csv next to this file (scheme: centroid,
path, factorial), modeb_path_unscaled_* (IMAG and VAL in Mode B, path scheme) and versions.txt.

Only ``scaled=False`` is stored: plspm 0.5.7's ``scaled=True`` divides every column by ONE pooled
standard deviation (``Config.treat``: ``metric_data.stack().std()``), a global rescaling, so its
"scaled" estimates equal the unscaled ones (R plspm and cxkit scale column by column).
"""

from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE.parents[2] / "src" / "cxkit" / "datasets" / "data" / "satisfaction.csv"
BLOCKS = {"IMAG": "imag", "EXPE": "expe", "QUAL": "qual", "VAL": "val", "SAT": "sat", "LOY": "loy"}


def config(scaled: bool):
    import plspm.config as c

    structure = c.Structure()
    structure.add_path(["IMAG"], ["EXPE", "SAT", "LOY"])
    structure.add_path(["EXPE"], ["QUAL", "VAL", "SAT"])
    structure.add_path(["QUAL"], ["VAL", "SAT"])
    structure.add_path(["VAL"], ["SAT"])
    structure.add_path(["SAT"], ["LOY"])
    cfg = c.Config(structure.path(), scaled=scaled)
    return cfg


def main() -> None:
    # imported here: pytest (--doctest-modules) imports this file without plspm installed
    import numpy as np
    import pandas as pd
    import plspm
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    df = pd.read_csv(DATA).drop(columns="gender")
    for scheme in (Scheme.CENTROID, Scheme.PATH, Scheme.FACTORIAL):
        for scaled in (False,):
            cfg = config(scaled)
            for lv, prefix in BLOCKS.items():
                cfg.add_lv_with_columns_named(lv, Mode.A, df, prefix)
            fit = Plspm(df, cfg, scheme)
            tag = f"{scheme.name.lower()}_{'scaled' if scaled else 'unscaled'}"
            fit.outer_model().to_csv(HERE / f"{tag}_outer.csv")
            fit.effects().to_csv(HERE / f"{tag}_effects.csv")
            fit.inner_summary().to_csv(HERE / f"{tag}_inner.csv")
            fit.unidimensionality().to_csv(HERE / f"{tag}_unidim.csv")
    # Mode B: IMAG and VAL formative, path scheme
    cfg = config(False)
    for lv, prefix in BLOCKS.items():
        cfg.add_lv_with_columns_named(lv, Mode.B if lv in ("IMAG", "VAL") else Mode.A, df, prefix)
    fit = Plspm(df, cfg, Scheme.PATH)
    fit.outer_model().to_csv(HERE / "modeb_path_unscaled_outer.csv")
    fit.effects().to_csv(HERE / "modeb_path_unscaled_effects.csv")
    fit.inner_summary().to_csv(HERE / "modeb_path_unscaled_inner.csv")
    (HERE / "versions.txt").write_text(
        f"plspm {plspm.__version__ if hasattr(plspm, '__version__') else '0.5.7'}\n"
        f"pandas {pd.__version__}\nnumpy {np.__version__}\n"
    )


if __name__ == "__main__":
    main()
