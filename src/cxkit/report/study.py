"""The main job: a whole CX study from a responses file to tables, figures and a report.

:func:`analyze` reads the answers against the instrument, screens them, scores them, computes the CX
metrics, checks reliability and validity, fits the measurement model and the three CX models,
bootstraps the chosen model's indirect effects, and returns a :class:`Study`. ``Study.write(out)``
writes ``report.html`` (one self-contained file), ``report.pdf``, ``tables/*.csv`` and
``figures/*.png`` / ``*.svg``.
"""

from __future__ import annotations

import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit._params import check_option, data_sha256
from cxkit.errors import ModelWarning, SpecificationError
from cxkit.instrument.model import Instrument

MODELS = ("direct", "second_order", "pyramid")

#: Fit cut-offs shown next to the fit table: Hu & Bentler (1999).
FIT_CUTOFFS = {"cfi": ">= .95", "tli": ">= .95", "rmsea": "<= .06", "srmr": "<= .08"}


@dataclass
class Study:
    """Everything :func:`analyze` computed (unrounded), plus how it was computed."""

    instrument: Instrument
    responses: object
    scores: pd.DataFrame
    metrics: dict
    reliability: pd.DataFrame
    items: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    cfa: object
    fits: dict
    model: str
    boot: object
    comparison: pd.DataFrame
    settings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def write(self, out: str | Path, formats=("html", "pdf"), force: bool = False) -> Path:
        """Write tables, figures and the report into ``out``; returns ``out``.

        ``out`` is created, or must be empty or a folder an earlier cxkit run made (it holds
        ``.cxkit-output``, the list of files written); another folder only with ``force=True``.
        """
        from cxkit.report.writer import write_study

        return write_study(self, Path(out), formats, force=force)

    def methods(self) -> str:
        from cxkit.report.content import methods_paragraph

        return methods_paragraph(self)


def analyze(
    data,
    instrument,
    model: str = "pyramid",
    *,
    n_boot: int = 1000,
    seed: int = 1,
    exclude=(),
    segment: str | None = None,
    progress: bool = True,
    estimator: str = "ML",
    ordered: bool = False,
) -> Study:
    """Run the whole study.

    Parameters
    ----------
    data : path, DataFrame or Responses
        The answers (anything :func:`cxkit.read_responses` reads).
    instrument : Instrument or str
    model : {"direct", "second_order", "pyramid"}
        The structural model reported in detail (all three are fitted and compared).
    n_boot : int
        Bootstrap resamples for the chosen model (indirect effects); 0 for none.
    seed : int
        Seed of the bootstrap.
    exclude : iterable of str
        Quality flags whose respondents are excluded (explicit, reported).
    segment : str, optional
        A demographic item for the CX metrics by segment (default: the instrument's first
        demographic item whose data are present).
    progress : bool
        Progress bars.
    estimator : {"ML", "MLR"}
        How the models are estimated (:func:`cxkit.fit_sem`); ``"MLR"`` reports robust standard
        errors, the scaled χ² and robust fit indices, as recommended for skewed Likert answers.
    ordered : bool
        Treat the Likert items as ordinal: the models are fitted by WLSMV to polychoric
        correlations (:func:`cxkit.fit_sem` with ``ordered=True``). Indirect effects then get
        delta-method intervals (the bootstrap of ordinal fits is not available yet).
    """
    from cxkit import cx as models
    from cxkit.measure import fornell_larcker, htmt, item_statistics, reliability
    from cxkit.responses.core import Responses, read_responses
    from cxkit.responses.metrics import ces, csat, nps
    from cxkit.responses.scoring import reverse_keyed, score
    from cxkit.sem import compare_models, fit_sem

    check_option("estimator", estimator, ("ML", "MLR"))
    if ordered:
        if estimator != "ML":
            raise SpecificationError(
                f"ordered=True is fitted by WLSMV; it does not combine with estimator={estimator!r}"
            )
        estimator, n_boot = "WLSMV", 0
    options = {"ordered": True} if ordered else {"estimator": estimator}
    if model not in MODELS:
        raise SpecificationError(
            f"model={model!r} is not accepted; use one of: {', '.join(map(repr, MODELS))}"
        )
    if isinstance(instrument, str):
        from cxkit.instrument import load_instrument

        instrument = load_instrument(instrument)
    r = data if isinstance(data, Responses) else read_responses(data, instrument)
    if exclude:
        r = r.exclude(exclude)
    steps = [
        "scores and CX metrics",
        "reliability and validity",
        "measurement model",
        "structural models",
        "bootstrap",
    ]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(steps), desc="analyze", unit="step", leave=False)

    def step() -> None:
        if bar is not None:
            bar.update(1)

    caught: list[str] = []
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", ModelWarning)
        scores = score(r)
        metrics = {}
        for name, fn in (("nps", nps), ("csat", csat), ("ces", ces)):
            if any(i.metric == name for i in instrument.items if i.id in r.data):
                metrics[name] = fn(r)
        demographics = [i for i in instrument.items_by_role("demographic") if i.id in r.data]
        # by default the demographic with the most categories (the marketplace, in online-cx)
        seg = segment or (
            max(demographics, key=lambda i: len(i.scale.values)).id if demographics else None
        )
        if seg is not None and "nps" in metrics:
            metrics["nps_by_segment"] = nps(r, by=seg)
            metrics["segment"] = seg
        step()
        rel = reliability(r, instrument)
        items = item_statistics(r, instrument)
        ht = htmt(r, instrument)
        fl = fornell_larcker(r, instrument)
        step()
        keyed, _ = reverse_keyed(r.data, instrument)
        keyed.attrs.update(instrument.provenance)
        cfa = fit_sem(instrument.measurement_model(), keyed, **options)
        step()
        fits = {
            name: fit_sem(getattr(models, name)(instrument), keyed, **options) for name in MODELS
        }
        comparison = compare_models(*fits.values(), names=list(fits))
        step()
        boot = fits[model].bootstrap(n_boot, seed=seed, progress=progress) if n_boot else None
        step()
    caught = list(
        dict.fromkeys(str(w.message) for w in record if issubclass(w.category, ModelWarning))
    )
    if bar is not None:
        bar.close()
    from cxkit._version import __version__
    from cxkit.sem._semopy import SEMOPY_VERSION

    settings = {
        "instrument": instrument.ref,
        "instrument_sha256": instrument.sha256,
        "source": r.source,
        "data_sha256": data_sha256(r.data),
        "n_read": r.meta.get("n_read"),
        "n_flagged": int(r.flags["flagged"].sum()),
        "n_excluded": len(r.excluded),
        "exclude": list(exclude),
        "n_analysed": len(r.data),
        "model": model,
        "estimator": estimator,
        "n_boot": n_boot,
        "seed": seed,
        "cxkit": __version__,
        "semopy": SEMOPY_VERSION,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    return Study(
        instrument,
        r,
        scores,
        metrics,
        rel,
        items,
        ht,
        fl,
        cfa,
        fits,
        model,
        boot,
        comparison,
        settings,
        caught,
    )
