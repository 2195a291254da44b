"""PLSpredict (Shmueli, Ray, Velasquez Estrada & Chatla 2016; Shmueli et al. 2019).

``k``-fold cross-validation repeated ``r`` times: the model is estimated on the training rows (all
``k × r`` training fits as one stack of covariance matrices), the exogenous constructs' scores of
the hold-out rows are formed with the training weights, the endogenous constructs predicted through
the structural model's reduced form (total effects of the exogenous constructs: the "earliest
antecedents" approach), and every indicator of an endogenous construct predicted as loading ×
predicted score, back in the indicator's metric. The benchmark is a linear model (OLS with
intercept) of each such indicator on the indicators of the exogenous constructs. ``Q²predict`` =
1 − SSE / SSE of the training-sample mean.

Errors are pooled over every hold-out prediction of every repetition (each row is predicted once
per repetition): ``rmse = √mean(e²)``, ``mae = mean|e|``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.errors import SpecificationError
from cxkit.pls.assess import total_effects
from cxkit.pls.bootstrap import resample_covariances
from cxkit.pls.estimate import estimate_like


def predict(result, folds: int = 10, repetitions: int = 10, seed=None) -> pd.DataFrame:
    """PLSpredict for every indicator of an endogenous construct.

    Returns
    -------
    DataFrame
        One row per indicator: construct, item, pls_rmse, pls_mae, pls_q2_predict, lm_rmse,
        lm_mae, lm_q2_predict. ``attrs`` records folds, repetitions and seed.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = cxkit.load_instrument("ecsi@1.0.0")
    >>> fit = cxkit.fit_pls("SAT ~ VAL", load_dataset("satisfaction"), constructs=ecsi)
    >>> pred = fit.predict(folds=5, repetitions=2, seed=1)
    >>> pred.item.tolist()
    ['sat1', 'sat2', 'sat3', 'sat4']
    >>> bool((pred.pls_q2_predict > 0).all())
    True
    """
    spec = result.spec
    targets, err_pls, err_lm, err_naive = cross_validated_errors(result, folds, repetitions, seed)
    names, items = spec.names, spec.items
    sse_naive = (err_naive**2).sum(axis=(0, 1))
    out = pd.DataFrame(
        {
            "construct": [names[j] for _, j in targets],
            "item": [items[k] for k, _ in targets],
            "pls_rmse": np.sqrt((err_pls**2).mean(axis=(0, 1))),
            "pls_mae": np.abs(err_pls).mean(axis=(0, 1)),
            "pls_q2_predict": 1 - (err_pls**2).sum(axis=(0, 1)) / sse_naive,
            "lm_rmse": np.sqrt((err_lm**2).mean(axis=(0, 1))),
            "lm_mae": np.abs(err_lm).mean(axis=(0, 1)),
            "lm_q2_predict": 1 - (err_lm**2).sum(axis=(0, 1)) / sse_naive,
        }
    )
    out.attrs.update(folds=int(folds), repetitions=int(repetitions), seed=seed)
    return out


def cross_validated_errors(result, folds: int, repetitions: int, seed):
    """Out-of-sample errors (repetitions, n, k) of the PLS model, the LM benchmark and the
    training-mean benchmark for the k indicators of the endogenous constructs (``targets``:
    (indicator, construct) positions), every row predicted once per repetition."""
    raw = result.raw.to_numpy()
    n, p = raw.shape
    if not (isinstance(folds, int | np.integer) and 2 <= folds <= n):
        raise SpecificationError(f"folds={folds!r} is not accepted; use an integer from 2 to {n}")
    if not (isinstance(repetitions, int | np.integer) and repetitions >= 1):
        raise SpecificationError(f"repetitions={repetitions!r} is not accepted; use an integer ≥ 1")
    spec, o = result.spec, result.options
    m, d = spec.membership(), spec.adjacency()
    exo = np.flatnonzero(~d.any(axis=0))
    endo = np.flatnonzero(d.any(axis=0))
    targets = [(k, j) for j in endo for k in np.flatnonzero(m[:, j])]
    lm_x = sorted({k for j in exo for k in np.flatnonzero(m[:, j])})
    rng = np.random.default_rng(seed)
    fold_of = np.empty((repetitions, n), dtype=int)
    for r in range(repetitions):
        fold_of[r, rng.permutation(n)] = np.arange(n) % folds
    train = np.concatenate(
        [(fold_of[r] != f)[None] for r in range(repetitions) for f in range(folds)]
    )
    s = resample_covariances(raw, train.astype(float), o["standardize"])
    est = estimate_like(spec, o, s)
    total = total_effects(est.paths)
    err_pls = np.zeros((repetitions, n, len(targets)))
    err_lm = np.zeros_like(err_pls)
    err_naive = np.zeros_like(err_pls)
    t_idx = np.array([k for k, _ in targets])
    for b in range(train.shape[0]):
        r, f = divmod(b, folds)
        tr, te = train[b], ~train[b]
        mean, sd = raw[tr].mean(axis=0), raw[tr].std(axis=0, ddof=1)
        z = (raw[te] - mean) / sd
        w = est.weights_std[b]
        scores = z @ w
        eta = scores[:, exo] @ total[b][np.ix_(exo, endo)]
        pos = {j: c for c, j in enumerate(endo)}
        hat = np.column_stack([est.loadings[b][k, j] * eta[:, pos[j]] for k, j in targets])
        hat = mean[t_idx] + sd[t_idx] * hat
        xtr = np.column_stack([np.ones(tr.sum()), raw[tr][:, lm_x]])
        coef, *_ = np.linalg.lstsq(xtr, raw[tr][:, t_idx], rcond=None)
        lm_hat = np.column_stack([np.ones(te.sum()), raw[te][:, lm_x]]) @ coef
        y = raw[te][:, t_idx]
        err_pls[r, te] = y - hat
        err_lm[r, te] = y - lm_hat
        err_naive[r, te] = y - mean[t_idx]
    return targets, err_pls, err_lm, err_naive
