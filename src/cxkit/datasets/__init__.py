"""Bundled example data, each with its provenance.

=================  =========================================================================
name               what it is
=================  =========================================================================
``satisfaction``   Real ECSI survey of mobile-phone customers (250 respondents, 27 items on 0–10
                   plus gender), from the R package plspm (G. Sanchez), GPL-3. Instrument
                   ``ecsi@1.0.0``. Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005).
``online-cx-demo`` SYNTHETIC answers of 400 respondents to ``online-cx@2.0.0`` drawn with
                   ``cxkit.simulate(instrument, 400, seed=2026)`` from the documented population
                   model (:mod:`cxkit.simulate`). Not real data: for demonstrations and tests.
=================  =========================================================================

>>> from cxkit.datasets import load_dataset
>>> df = load_dataset("satisfaction")
>>> df.shape
(250, 28)
>>> df.attrs["instrument"]
'ecsi@1.0.0'
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from cxkit.errors import SpecificationError

DATASETS = {
    "satisfaction": {
        "file": "satisfaction.csv",
        "instrument": "ecsi@1.0.0",
        "source": (
            "R package plspm (Sanchez, Trinchera & Russolillo), data set `satisfaction`: ECSI survey "
            "of mobile-phone customers, 250 real respondents; Tenenhaus, M., Esposito Vinzi, V., "
            "Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling. Computational Statistics & Data "
            "Analysis, 48(1), 159-205."
        ),
        "licence": "GPL-3 (as distributed with plspm)",
        "synthetic": False,
    },
    "online-cx-demo": {
        "file": "online-cx-demo.csv",
        "instrument": "online-cx@2.0.0",
        "source": (
            "SYNTHETIC: cxkit.simulate(load_instrument('online-cx@2.0.0'), 400, seed=2026), drawn from "
            "the population model documented in cxkit.simulate; no real respondents"
        ),
        "licence": "GPL-3 (part of cxkit)",
        "synthetic": True,
    },
}


def list_datasets() -> pd.DataFrame:
    """The bundled data sets: name, instrument, source, licence, synthetic."""
    return pd.DataFrame(
        [
            {"name": k, **{f: v[f] for f in ("instrument", "source", "licence", "synthetic")}}
            for k, v in DATASETS.items()
        ]
    )


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled data set; ``.attrs`` carries its provenance (instrument, source, licence)."""
    if name not in DATASETS:
        raise SpecificationError(
            f"unknown data set {name!r}; bundled data sets: {', '.join(DATASETS)}"
        )
    meta = DATASETS[name]
    with resources.files(__package__).joinpath("data", meta["file"]).open("rb") as fh:
        df = pd.read_csv(fh)
    df.attrs.update({k: v for k, v in meta.items() if k != "file"}, name=name)
    if meta.get("instrument"):
        from cxkit.instrument import load_instrument

        df.attrs["instrument_sha256"] = load_instrument(meta["instrument"]).sha256
    return df


def plspm_reference(name: str = "effects") -> pd.DataFrame:
    """R plspm's results for the ECSI ``satisfaction`` data (PLS path modelling; see PROVENANCE.md).

    ``name``: ``effects`` (direct, indirect and total effects), ``unidim`` (Cronbach's α and
    Dillon–Goldstein's ρ per block) or ``inner-summary`` (R², AVE per block).

    >>> plspm_reference("unidim").loc["SAT", "cronbach_alpha"].round(3)
    np.float64(0.894)
    """
    files = {
        "effects": "satisfaction.effects.csv",
        "unidim": "satisfaction_unidim.csv",
        "inner-summary": "satisfaction.inner-summary.csv",
    }
    if name not in files:
        raise SpecificationError(
            f"name={name!r} is not accepted; use one of: {', '.join(map(repr, files))}"
        )
    with resources.files(__package__).joinpath("data", "plspm", files[name]).open("rb") as fh:
        return pd.read_csv(fh, index_col=0)
