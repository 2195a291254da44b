"""Shared helpers of the at-scale SEM benchmarks: synthetic CFA data and lavaan run by Rscript."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd


def cfa_syntax(factors: int, per: int) -> str:
    """``F1 =~ q1 + … + q<per>`` for every factor: items numbered q1, q2, … across factors."""
    return "\n".join(
        f"F{f + 1} =~ " + " + ".join(f"q{f * per + j + 1}" for j in range(per))
        for f in range(factors)
    )


def cfa_data(factors: int, per: int, n: int, missing: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """n respondents of a CFA with standardised loadings 0.55–0.80 and factor correlations 0.3,
    answers on a 1–7-like scale (mean 4, sd 1.3); ``missing``: the share of answers set missing
    completely at random."""
    rng = np.random.default_rng(seed)
    p = factors * per
    lam = np.zeros((p, factors))
    for f in range(factors):
        lam[f * per : (f + 1) * per, f] = rng.permutation(np.linspace(0.55, 0.80, per))
    phi = np.full((factors, factors), 0.3)
    np.fill_diagonal(phi, 1.0)
    sigma = lam @ phi @ lam.T
    np.fill_diagonal(sigma, 1.0)
    x = rng.standard_normal((n, p)) @ np.linalg.cholesky(sigma).T * 1.3 + 4
    x = np.round(x, 2)
    if missing:
        x[rng.random(x.shape) < missing] = np.nan
        x = x[~np.isnan(x).all(axis=1)]
    return pd.DataFrame(x, columns=[f"q{j + 1}" for j in range(p)])


def have_lavaan() -> bool:
    if shutil.which("Rscript") is None:
        return False
    out = subprocess.run(
        ["Rscript", "-e", "cat(requireNamespace('lavaan', quietly = TRUE))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() == "TRUE"


def lavaan(code: str) -> dict[str, float]:
    """Run R ``code`` after ``library(lavaan)``; every printed line ``name<TAB>value`` comes back
    as a dict entry (nothing when R or lavaan is absent)."""
    if not have_lavaan():
        return {}
    script = "suppressPackageStartupMessages(library(lavaan))\n" + code
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    result = {}
    for line in out.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            result[parts[0]] = float(parts[1])
    return result


def lavaan_fit(path: str, model: str, args: str, key: str, measures=("chisq",)) -> str:
    """R code timing one ``sem()`` fit of the CSV ``path`` (prints ``<key> s`` and, for each of
    lavaan's fit ``measures``, ``<key> <measure>``)."""
    model_r = model.replace("\n", "\\n")
    shown = "".join(
        f'cat(sprintf("%s\\t%.17g\\n", "{key} {m}", fitMeasures(f, "{m}"))); ' for m in measures
    )
    return (
        f'd <- read.csv("{path}"); m <- "{model_r}"\n'
        f"t <- system.time(f <- sem(m, d{', ' + args if args else ''}))[['elapsed']]\n"
        f'cat(sprintf("%s\\t%.17g\\n", "{key} s", t)); {shown}\n'
    )
