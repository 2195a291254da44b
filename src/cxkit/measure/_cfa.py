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

    def omega_implied(self, construct: str) -> float:
        """ω as ``compRelSEM(obs.var = FALSE)``: (Σλ)²ψ over the model-implied composite variance."""
        ids = self.blocks[construct]
        num = self.loadings[ids].sum() ** 2 * self.factor_cov.loc[construct, construct]
        return float(num / (num + self.residual_var[ids].sum()))

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
    from cxkit.sem.fit import fit_sem  # the one SEM engine (imported when a CFA is fitted)

    items = prep.items
    complete = prep.data[items].dropna()
    # safe names for the model syntax, whatever the columns are called
    fname = {c: f"F{k}" for k, c in enumerate(blocks)}
    vname = {c: f"v{k}" for k, c in enumerate(items)}
    desc = "\n".join(
        f"{fname[c]} =~ {' + '.join(vname[i] for i in ids)}" for c, ids in blocks.items()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        fit = fit_sem(desc, complete.rename(columns=vname))
    back = {v: k for k, v in vname.items()}
    fback = {v: k for k, v in fname.items()}
    est = fit.estimates
    loadings, std = {}, {}
    for r in est[est["op"] == "=~"].itertuples():
        loadings[back[r.rhs]] = r.est
        std[back[r.rhs]] = r.std_all
    res = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & est["lhs"].isin(back)]
    theta = pd.Series({back[r.lhs]: r.est for r in res.itertuples()})
    names = list(blocks)
    cov = pd.DataFrame(np.nan, index=names, columns=names)
    lv = est[(est["op"] == "~~") & est["lhs"].isin(fback)]
    for r in lv.itertuples():
        cov.loc[fback[r.lhs], fback[r.rhs]] = cov.loc[fback[r.rhs], fback[r.lhs]] = r.est
    s = fit.sample_cov.rename(index=back, columns=back)
    return CFASolution(
        blocks=blocks,
        loadings=pd.Series(loadings)[items],
        std_loadings=pd.Series(std)[items],
        residual_var=theta[items],
        factor_cov=cov,
        sample_cov=s.loc[items, items],
        n=int(fit.fit_indices["n"]),
        converged=fit.converged,
    )
