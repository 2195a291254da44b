"""Composite reliability of a fitted CFA/SEM, as ``semTools::compRelSEM`` and ``reliabilityL2``.

For each factor with two or more indicators, ω = 1'(λ ψ λ')1 / 1'Σ1 over the factor's indicators,
with ψ the factor's model-implied variance (``lavInspect(fit, "cov.lv")``) and Σ either the sample
covariance matrix (``obs_var=True``, semTools' default: the observed variance of the sum score) or
the model-implied one (``obs_var=False``: ω as a property of the model). ``tau_eq=True`` gives
Cronbach's α of the same Σ instead. For a higher-order factor F2 (``higher=["F2"]``) the true
variance is that of F2 alone, 1'(Λ B Φ B' Λ')1 over all indicators of its first-order factors
(compRelSEM's ``higher=``; with ``obs_var=False`` this is ``reliabilityL2``'s ω_L1).

:func:`higher_order_reliability` gives all three of ``semTools::reliabilityL2``: ω_L1 (the
second-order factor's share of the observed total score's variance), ω_L2 (its share of the sum
of the first-order factors) and partial ω_L1 (ω_L1 with the first-order factors' unique variance
left out of the denominator).

Checked against semTools 0.5-6 on lavaan 0.6-14 in ``tests/reference/reliability_extra``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import SpecificationError


def _matrices(fit, what: str) -> dict:
    """Λ (items × latent), B, Ψ, cov.lv of a single-group continuous fit, labelled."""
    if getattr(fit, "partable", None) is None or getattr(fit, "model_matrices", None) is None:
        raise SpecificationError(
            f"{what} takes a fitted CB-SEM result (cxkit.fit_sem); got {type(fit).__name__}"
        )
    pt = fit.partable
    if pt.ngroups > 1:
        raise SpecificationError(
            f"{what} of multi-group fits is not available yet; fit each group on its own"
        )
    mom = fit.model_matrices.moments(fit.theta)[0]
    mats = mom.mats
    inner = list(pt.inner)
    ov = list(pt.ov)
    lam = pd.DataFrame(mats["L"], index=ov, columns=inner)
    beta = pd.DataFrame(mats["B"], index=inner, columns=inner)
    psi = pd.DataFrame(mats["P"], index=inner, columns=inner)
    cov_lv = pd.DataFrame(mats["inner_cov"], index=inner, columns=inner)
    theta = pd.DataFrame(mats["T"], index=ov, columns=ov)
    lv = [v for v in pt.lv]
    return {"lambda": lam[lv], "beta": beta, "psi": psi, "cov_lv": cov_lv, "theta": theta, "lv": lv}


def _omega_cat(truevar: np.ndarray, denom: np.ndarray, thresholds: list[np.ndarray]) -> float:
    """Green & Yang's (2009) ω of the sum of ordinal item scores (semTools' ``omegaCat``, delta
    parameterization: scales 1): Σ_jj' [Σ_cc' Φ₂(τ_jc, τ_j'c'; ρ) − Σ_c Φ(τ_jc) Σ_c' Φ(τ_j'c')]
    with ρ the common part of the latent correlation (numerator) or all of it (denominator)."""
    from scipy import special

    from cxkit.polychoric import bvn_cdf

    d = np.sqrt(np.diag(denom))
    denom = denom / np.outer(d, d)

    def p2(t1, t2, r):
        h, k = np.meshgrid(t1, t2, indexing="ij")
        if r >= 1 - 1e-12:
            return float(special.ndtr(np.minimum(h, k)).sum())
        return float(bvn_cdf(h, k, r).sum())

    num = den = 0.0
    for j, t1 in enumerate(thresholds):
        for jp, t2 in enumerate(thresholds):
            marg = special.ndtr(t1).sum() * special.ndtr(t2).sum()
            num += p2(t1, t2, truevar[j, jp]) - marg
            den += p2(t1, t2, denom[j, jp]) - marg
    return float(num / den)


def _alpha(s: np.ndarray) -> float:
    k = s.shape[0]
    return float(k / (k - 1) * (1 - np.trace(s) / s.sum()))


def composite_reliability(
    fit,
    *,
    obs_var: bool = True,
    tau_eq: bool = False,
    higher=(),
    return_total: bool = False,
    ord_scale: bool = True,
) -> pd.Series:
    """Composite reliability (ω) of every factor of a fitted model, as ``semTools::compRelSEM``.

    Parameters
    ----------
    fit : SEMResult
        A single-group fit of :func:`cxkit.fit_sem` (ML, MLR, or WLSMV with ordered items).
    obs_var : bool
        Denominator from the sample covariances (True, semTools' default) or the model-implied
        ones (False).
    tau_eq : bool
        Assume tau-equivalence: Cronbach's α of the indicators' (observed or implied) covariances.
    higher : str or list of str
        Higher-order factors whose reliability is wanted (their first-order factors' indicators
        form the composite); ``compRelSEM(fit, higher = "F2")``.
    return_total : bool
        Also the reliability of the sum of all first-order indicators, as ``total``.
    ord_scale : bool
        For an ordinal (WLSMV) fit: the reliability of the sum of the observed ordinal scores
        (True, semTools' default: Green & Yang's (2009) categorical ω, and with ``tau_eq`` α of the
        item codes' covariances) or of the latent responses (False: ω and α from the polychoric or
        model-implied correlations). ``higher`` and ``return_total`` are offered for ordinal fits
        only with ``ord_scale=False``.

    Returns
    -------
    Series
        Indexed by factor (first-order factors with two or more indicators, then ``higher``, then
        ``total``), unrounded; ``.attrs`` records the options and the matching R call.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> fit = cxkit.fit_sem("SAT =~ sat1 + sat2 + sat3 + sat4\\nLOY =~ loy1 + loy2 + loy3 + loy4", ecsi)
    >>> composite_reliability(fit).round(3).to_dict()  # compRelSEM(fit)
    {'SAT': 0.895, 'LOY': 0.822}
    >>> composite_reliability(fit, obs_var=False).round(3).to_dict()  # compRelSEM(fit, obs.var = FALSE)
    {'SAT': 0.897, 'LOY': 0.835}
    """
    if isinstance(higher, str):
        higher = [higher]
    higher = list(higher)
    m = _matrices(fit, "composite reliability")
    lam, cov_lv, beta = m["lambda"], m["cov_lv"], m["beta"]
    sigma = (fit.sample_cov if obs_var else fit.implied_cov).loc[lam.index, lam.index]
    categorical = fit.options.estimator == "WLSMV" and ord_scale
    if categorical and (higher or return_total):
        raise SpecificationError(
            "higher= and return_total= of an ordinal (WLSMV) fit are offered on the latent-response "
            "scale only: pass ord_scale=False"
        )
    if categorical:
        est = fit.estimates
        th = est[est["op"] == "|"]
        thresholds = {v: th.loc[th["lhs"] == v, "est"].to_numpy() for v in lam.index}
        if tau_eq:  # α of the observed item codes (semTools: cov of the raw data)
            raw = pd.DataFrame(fit.stats.groups[0].x, columns=list(fit.partable.ov))
            sigma = raw.cov().loc[lam.index, lam.index]
    out = {}
    first = [f for f in m["lv"] if (lam[f] != 0).sum() > 1]
    for f in first:
        ind = list(lam.index[lam[f] != 0])
        s = sigma.loc[ind, ind].to_numpy()
        if tau_eq:
            out[f] = _alpha(s)
            continue
        lf = lam.loc[ind, f].to_numpy()
        if categorical:
            common = np.outer(lf, lf) * cov_lv.loc[f, f]
            out[f] = _omega_cat(common, s, [thresholds[i] for i in ind])
            continue
        out[f] = float(lf.sum() ** 2 * cov_lv.loc[f, f] / s.sum())
    if return_total and len(first) > 1:
        ind = list(lam.index[(lam[first] != 0).any(axis=1)])
        s = sigma.loc[ind, ind].to_numpy()
        if tau_eq:
            out["total"] = _alpha(s)
        else:
            sub = lam.loc[ind, first].to_numpy()
            common = sub @ cov_lv.loc[first, first].to_numpy() @ sub.T
            out["total"] = float(common.sum() / s.sum())
    for hf in higher:
        if hf not in m["lv"]:
            raise SpecificationError(
                f"higher={hf!r} is not a factor of the model; its factors are: "
                + ", ".join(m["lv"])
            )
        lower = [v for v in m["lv"] if beta.loc[v, hf] != 0]
        if not lower:
            raise SpecificationError(
                f"higher={hf!r} is not a higher-order factor: no factor loads on it "
                f"(write e.g. '{hf} =~ F1 + F2 + F3')"
            )
        facs = [hf, *lower]
        ind = []
        for f in facs:
            ind += [i for i in lam.index[lam[f] != 0] if i not in ind]
        s = sigma.loc[ind, ind].to_numpy()
        lm = lam.loc[ind, facs].to_numpy()
        b = beta.loc[facs, facs].to_numpy()
        phi = cov_lv.loc[facs, facs].to_numpy()
        common = lm @ b @ phi @ b.T @ lm.T
        out[hf] = float(common.sum() / s.sum())
    res = pd.Series(out, name="alpha" if tau_eq else "omega", dtype=float)
    res.index.name = "factor"
    args = [f"obs.var = {'TRUE' if obs_var else 'FALSE'}"]
    if tau_eq:
        args.append("tau.eq = TRUE")
    if higher:
        args.append("higher = c(" + ", ".join(f'"{h}"' for h in higher) + ")")
    if return_total:
        args.append("return.total = TRUE")
    if fit.options.estimator == "WLSMV" and not ord_scale:
        args.append("ord.scale = FALSE")
    res.attrs.update(
        obs_var=obs_var,
        tau_eq=tau_eq,
        ord_scale=ord_scale,
        higher=higher,
        r_call=f"semTools::compRelSEM(fit, {', '.join(args)})",
        **{k: v for k, v in fit.provenance.items() if k in ("instrument", "data_sha256")},
    )
    return res


def higher_order_reliability(fit, factor: str) -> pd.Series:
    """Reliability of a second-order factor, as ``semTools::reliabilityL2(fit, factor)``.

    Returns
    -------
    Series
        ``omega_l1`` (the factor's share of the variance of the sum of all its first-order
        factors' indicators, model-implied), ``omega_l2`` (its share of the variance of the sum of
        the first-order factors) and ``partial_omega_l1`` (ω_L1 without the first-order factors'
        unique variance in the denominator).

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> model = '''IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
    ... SAT =~ sat1 + sat2 + sat3 + sat4
    ... LOY =~ loy1 + loy2 + loy3 + loy4
    ... CX =~ IMAG + SAT + LOY'''
    >>> fit = cxkit.fit_sem(model, ecsi)
    >>> higher_order_reliability(fit, "CX").round(3).to_dict()
    {'omega_l1': 0.834, 'omega_l2': 0.894, 'partial_omega_l1': 0.928}
    >>> composite_reliability(fit, obs_var=False, higher="CX").round(3).to_dict()
    {'IMAG': 0.836, 'SAT': 0.898, 'LOY': 0.836, 'CX': 0.834}
    """
    m = _matrices(fit, "higher-order reliability")
    if factor not in m["lv"]:
        raise SpecificationError(
            f"factor={factor!r} is not a factor of the model; its factors are: "
            + ", ".join(m["lv"])
        )
    lam, beta, psi, theta = m["lambda"], m["beta"], m["psi"], m["theta"]
    l2var = m["cov_lv"].loc[factor, factor]
    l2load = beta[factor]
    lower = [v for v in beta.index if l2load[v] != 0]
    if not lower:
        raise SpecificationError(
            f"factor={factor!r} is not a higher-order factor: no factor loads on it"
        )
    common_l2 = l2load[lower].sum() ** 2 * l2var
    error_l2 = psi.loc[lower, lower].to_numpy().sum()
    ly = lam[lower]
    l1 = list(ly.index[(ly != 0).any(axis=1)])
    l1load = ly.to_numpy() @ l2load[lower].to_numpy()
    common_l1 = l1load.sum() ** 2 * l2var
    error_l1 = theta.loc[l1, l1].to_numpy().sum()
    unique_l1 = sum(lam[f].sum() ** 2 * psi.loc[f, f] for f in lower)
    direct = list(lam.index[lam[factor] != 0])
    if direct:
        if set(direct) & set(l1):
            raise SpecificationError(
                f"{factor} loads on observed variables both directly and through its first-order "
                "factors; semTools' reliabilityL2 refuses such a model"
            )
        common_l2 = (lam[factor].sum() + l2load[lower].sum()) ** 2 * l2var
        error_l2 += theta.loc[direct, direct].to_numpy().sum()
        common_l1 = (lam[factor].sum() + l1load.sum()) ** 2 * l2var
        error_l1 += theta.loc[direct, direct].to_numpy().sum()
    out = pd.Series(
        {
            "omega_l1": common_l1 / (common_l1 + unique_l1 + error_l1),
            "omega_l2": common_l2 / (common_l2 + error_l2),
            "partial_omega_l1": common_l1 / (common_l1 + error_l1),
        },
        name=factor,
        dtype=float,
    )
    out.attrs["r_call"] = f'semTools::reliabilityL2(fit, "{factor}")'
    return out
