"""The confirmatory factor analysis behind ω, CR, AVE, standardised loadings and Fornell–Larcker.

All constructs are fitted together (correlated factors, first loading fixed to 1, ML), on the rows
that answer every item — as ``lavaan::cfa(model, data)`` does by default.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxkit.errors import ModelWarning
from cxkit.measure._input import Prepared


@dataclass(frozen=True)
class CFASolution:
    """Per-construct results of the joint CFA (unstandardised and standardised)."""

    blocks: dict[str, list[str]]
    loadings: pd.Series  # unstandardised, index item
    std_loadings: pd.Series  # standardised (std.all), index item
    residual_var: pd.Series  # theta, index item
    factor_cov: pd.DataFrame
    sample_cov: pd.DataFrame  # N denominator
    n: int
    converged: bool

    @property
    def factor_cor(self) -> pd.DataFrame:
        d = np.sqrt(np.diag(self.factor_cov.to_numpy()))
        return self.factor_cov / np.outer(d, d)

    def omega(self, construct: str) -> float:
        """ω as semTools ``compRelSEM`` (``obs.var=TRUE``): (Σλ)²ψ over the observed composite variance."""
        ids = self.blocks[construct]
        num = self.loadings[ids].sum() ** 2 * self.factor_cov.loc[construct, construct]
        return float(num / self.sample_cov.loc[ids, ids].to_numpy().sum())

    def cr(self, construct: str) -> float:
        """Composite reliability from standardised loadings: (Σλ)² / ((Σλ)² + Σ(1 − λ²))."""
        lam = self.std_loadings[self.blocks[construct]]
        return float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))

    def ave(self, construct: str) -> float:
        """AVE as semTools ``AVE`` (``obs.var=TRUE``): Σλ²ψ over the sum of observed variances."""
        ids = self.blocks[construct]
        num = (self.loadings[ids] ** 2).sum() * self.factor_cov.loc[construct, construct]
        return float(num / np.diag(self.sample_cov.loc[ids, ids].to_numpy()).sum())


def fit_cfa(prep: Prepared) -> CFASolution | None:
    """Fit the joint CFA; None (with a :class:`ModelWarning`) when it is not identified."""
    blocks = prep.blocks
    if len(blocks) == 1 and len(next(iter(blocks.values()))) < 3:
        warnings.warn(
            "a single construct with two items is not identified as a CFA: omega, CR, AVE and "
            "loadings are left empty",
            ModelWarning,
            stacklevel=3,
        )
        return None
    from cxkit.sem import _semopy  # semopy is heavy to import: only when a CFA is fitted

    items = prep.items
    complete = prep.data[items].dropna()
    # safe names for semopy's parser, whatever the columns are called
    fname = {c: f"F{k}" for k, c in enumerate(blocks)}
    vname = {c: f"v{k}" for k, c in enumerate(items)}
    desc = "\n".join(
        f"{fname[c]} =~ {' + '.join(vname[i] for i in ids)}" for c, ids in blocks.items()
    )
    raw = _semopy.fit_ml(desc, complete.rename(columns=vname))
    obs = [dict(zip(vname.values(), vname.keys(), strict=True))[v] for v in raw.observed]
    inner_back = {v: k for k, v in fname.items()}
    inner = [inner_back[v] for v in raw.inner]
    lam = pd.DataFrame(raw.Lambda, index=obs, columns=inner)
    cov_inner = pd.DataFrame(raw.inner_cov, index=inner, columns=inner)
    implied = raw.implied_cov
    loadings, std = {}, {}
    for c, ids in blocks.items():
        for i in ids:
            loadings[i] = lam.loc[i, c]
            k = obs.index(i)
            std[i] = lam.loc[i, c] * np.sqrt(cov_inner.loc[c, c]) / np.sqrt(implied[k, k])
    theta = pd.Series(np.diag(raw.Theta), index=obs)
    names = list(blocks)
    return CFASolution(
        blocks=blocks,
        loadings=pd.Series(loadings)[items],
        std_loadings=pd.Series(std)[items],
        residual_var=theta[items],
        factor_cov=cov_inner.loc[names, names],
        sample_cov=pd.DataFrame(raw.sample_cov, index=obs, columns=obs).loc[items, items],
        n=raw.n,
        converged=raw.converged,
    )
