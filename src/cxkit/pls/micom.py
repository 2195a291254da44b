"""MICOM: measurement invariance of composite models (Henseler, Ringle & Sarstedt 2016,
International Marketing Review 33(3), 405–431), for two groups.

Step 1 (configural invariance) holds by construction: both groups get the same model, data
treatment and algorithm. Step 2 (compositional invariance): ``c`` is the correlation, on the pooled
data, of each composite formed with group 1's and with group 2's weights (``c = w₁'R w₂ /
√(w₁'R w₁ · w₂'R w₂)``, as cSEM's ``testMICOM``); its permutation distribution (group labels
reshuffled ``n`` times, every permutation's two fits as one stack) gives the 5% quantile, and
invariance holds when ``c`` is not below it (p = share of permuted ``c`` ≤ observed). Step 3:
scores from the pooled fit; the difference of the groups' composite means and the log ratio of
their variances, each against the 2.5%–97.5% range of its permutation distribution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.pls.bootstrap import resample_covariances
from cxkit.pls.estimate import estimate_like
from cxkit.pls.fit import fit_pls
from cxkit.pls.mga import two_groups


def micom(model: str, data, group: str, *, n: int = 1000, seed=None, **options) -> pd.DataFrame:
    """MICOM steps 2 and 3 for every construct (see the module docstring).

    Returns
    -------
    DataFrame indexed by construct: c, c_quantile_05, p_compositional, compositional (bool),
    mean_diff, mean_low, mean_high, p_mean, var_log_ratio, var_low, var_high, p_var, equal
    (means and variances both within their permutation ranges). ``attrs``: groups, n, seed.

    Examples
    --------
    >>> from cxkit.datasets import load_dataset
    >>> out = micom("SAT =~ sat1 + sat2 + sat3 + sat4; LOY =~ loy1 + loy2 + loy3 + loy4; LOY ~ SAT",
    ...             load_dataset("satisfaction"), "gender", n=200, seed=1)
    >>> bool(out.compositional.all())
    True
    """
    frame, labels, groups = two_groups(data, group, n, "MICOM")
    pooled = fit_pls(model, frame[labels.notna()], **options)
    spec, o = pooled.spec, pooled.options
    raw = pooled.raw.to_numpy()
    first = (labels.loc[pooled.raw.index] == groups[0]).to_numpy()
    r = pooled.estimates.item_cor[0]
    rng = np.random.default_rng(seed)
    masks = np.concatenate([first[None], np.stack([rng.permutation(first) for _ in range(n)])])
    counts = np.concatenate([masks, ~masks]).astype(float)
    est = estimate_like(spec, o, resample_covariances(raw, counts, True))
    w = est.weights_std  # (2(n+1), p, J)
    w1, w2 = w[: n + 1], w[n + 1 :]
    cross = np.einsum("bpj,pq,bqj->bj", w1, r, w2)
    v1 = np.einsum("bpj,pq,bqj->bj", w1, r, w1)
    v2 = np.einsum("bpj,pq,bqj->bj", w2, r, w2)
    c = cross / np.sqrt(v1 * v2)
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    scores = z @ pooled.estimates.weights_std[0]
    m = masks.astype(float)
    n1, n2 = m.sum(axis=1, keepdims=True), (1 - m).sum(axis=1, keepdims=True)
    mean1, mean2 = m @ scores / n1, (1 - m) @ scores / n2
    var1 = (m @ scores**2 - n1 * mean1**2) / (n1 - 1)
    var2 = ((1 - m) @ scores**2 - n2 * mean2**2) / (n2 - 1)
    mdiff, vlog = mean1 - mean2, np.log(var1 / var2)
    out = pd.DataFrame(index=pd.Index(spec.names, name="construct"))
    out["c"] = c[0]
    out["c_quantile_05"] = np.quantile(c[1:], 0.05, axis=0)
    out["p_compositional"] = (c[1:] <= c[0]).mean(axis=0)
    out["compositional"] = out.c >= out.c_quantile_05
    for key, stat in (("mean", mdiff), ("var", vlog)):
        col = "mean_diff" if key == "mean" else "var_log_ratio"
        out[col] = stat[0]
        out[f"{key}_low"] = np.quantile(stat[1:], 0.025, axis=0)
        out[f"{key}_high"] = np.quantile(stat[1:], 0.975, axis=0)
        out[f"p_{key}"] = (np.abs(stat[1:]) >= np.abs(stat[0])).mean(axis=0)
    out["equal"] = out.mean_diff.between(out.mean_low, out.mean_high) & out.var_log_ratio.between(
        out.var_low, out.var_high
    )
    out.attrs.update(groups=groups, n=int(n), seed=seed)
    return out
