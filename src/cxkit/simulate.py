"""Synthetic respondents drawn from a documented population model.

The population model (for an instrument with the online CX pyramid and a loyalty construct; its
numbers are in :data:`POPULATION` and in ``instruments/online-cx/POPULATION.md``):

1. The four rational dimensions (online experience OE, responsive service RS, trust TR,
   fulfilment FU) are standard normal with correlations ``rational_r`` (0.45).
2. Emotional connection: ``EC = 0.25 OE + 0.15 RS + 0.30 TR + 0.20 FU + ζ``, ζ scaled so that
   Var(EC) = 1.
3. Loyalty: ``LOY = 0.60 EC + 0.15 FU + ζ``, Var(LOY) = 1.
4. Each item: ``x* = λ η + ε`` with standardised loading λ (0.70–0.85, cycling through
   ``loadings``) and Var(ε) = 1 − λ².
5. Likert and rating answers: ``x*`` cut at the thresholds in ``thresholds`` (scaled to the number
   of points; answers lean to the agreeing side, as satisfaction data do); a reverse-keyed item's
   code is then mirrored, (min + max) − code (its latent response is −x*).
6. Metrics: NPS* = 0.75 LOY + ε, CSAT* = 0.5 FU + 0.4 EC + ε, CES* = 0.7 RS + ε, each cut into its
   scale. Attention check: careful respondents give the instructed answer. Demographics: drawn from
   the category weights in ``demographics``. Open questions: empty.
7. Careless respondents (share ``careless``) answer every Likert item uniformly at random; missing
   answers (share ``missing``) are blanked completely at random in the Likert items.

For other instruments (no pyramid), constructs are standard normal with correlations
``rational_r`` and items follow step 4–5.

Same seed, same data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import SpecificationError
from cxkit.instrument.model import Instrument, Item

POPULATION = {
    "rational_r": 0.45,
    "ec_paths": {"OE": 0.25, "RS": 0.15, "TR": 0.30, "FU": 0.20},
    "loy_paths": {"EC": 0.60, "FU": 0.15},
    "loadings": (0.80, 0.75, 0.85, 0.70),
    "nps": {"LOY": 0.75},
    "csat": {"FU": 0.5, "EC": 0.4},
    "ces": {"RS": 0.7},
    # cumulative normal cut points for 7 categories; other point counts are interpolated
    "thresholds": (-2.0, -1.45, -0.95, -0.35, 0.35, 1.15),
    "demographics": {
        "AGE": (0.04, 0.34, 0.33, 0.17, 0.08, 0.04),
        "GENDER": (0.55, 0.42, 0.03),
        "MARKET": (0.38, 0.24, 0.12, 0.12, 0.05, 0.03, 0.03, 0.03),
        "FREQ": (0.30, 0.42, 0.18, 0.10),
    },
}


def _cuts(points: int) -> np.ndarray:
    base = np.array(POPULATION["thresholds"])
    probs = stats.norm.cdf(base)
    grid = np.linspace(0, 1, len(probs) + 2)[1:-1]
    target = np.linspace(0, 1, points + 1)[1:-1]
    return stats.norm.ppf(np.interp(target, grid, probs))


def _discretise(z: np.ndarray, item: Item) -> np.ndarray:
    values = np.array(item.scale.values)
    return values[np.searchsorted(_cuts(len(values)), z)]


def _latents(instrument: Instrument, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    from cxkit.cx import roles

    info = instrument.construct_info
    r = POPULATION["rational_r"]
    rational, emotional, outcome = roles(instrument)
    pyramid = len(emotional) == 1 and rational
    exo = rational if pyramid else list(info)
    cov = np.full((len(exo), len(exo)), r)
    np.fill_diagonal(cov, 1.0)
    draws = rng.multivariate_normal(np.zeros(len(exo)), cov, size=n) if exo else np.zeros((n, 0))
    eta = {c: draws[:, k] for k, c in enumerate(exo)}
    if pyramid:
        ec = emotional[0]
        eta[ec] = _structural(eta, POPULATION["ec_paths"], cov_of=exo, r=r, rng=rng, n=n)
        for y in outcome:
            eta[y] = _structural(
                eta, POPULATION["loy_paths"], cov_of=exo, r=r, rng=rng, n=n, rename={"EC": ec}
            )
    return eta


def _structural(eta, paths, cov_of, r, rng, n, rename=None):
    rename = rename or {}
    names = [rename.get(k, k) for k in paths if rename.get(k, k) in eta]
    coefs = np.array([paths[k] for k in paths if rename.get(k, k) in eta])
    x = np.column_stack([eta[k] for k in names]) if names else np.zeros((n, 0))
    systematic = x @ coefs if names else np.zeros(n)
    # the residual variance comes from the population correlations, not the sample's
    pop = _population_cov(names, cov_of, r)
    explained = float(coefs @ pop @ coefs)
    return systematic + rng.normal(0, np.sqrt(max(1 - explained, 0.05)), n)


def _population_cov(names, exo, r):
    """Population correlation among ``names`` (rational dims r; EC's with them implied by its paths)."""
    ec_paths = POPULATION["ec_paths"]
    k = len(names)
    out = np.eye(k)
    rat = {c: c in exo for c in names}
    for i in range(k):
        for j in range(i + 1, k):
            a, b = names[i], names[j]
            if rat[a] and rat[b]:
                v = r
            else:
                other = b if rat[b] else a
                # cov(EC, X) = sum_k gamma_k cov(X_k, X)
                v = sum(g * (1.0 if c == other else r) for c, g in ec_paths.items())
            out[i, j] = out[j, i] = v
    return out


def simulate(
    instrument: Instrument,
    n: int,
    seed: int | None = None,
    *,
    careless: float = 0.0,
    missing: float = 0.0,
    discretise: bool = True,
) -> pd.DataFrame:
    """Draw synthetic respondents for an instrument from the population model above.

    Parameters
    ----------
    instrument : Instrument
    n : int
        Number of respondents.
    seed : int, optional
        Same seed, same data.
    careless : float
        Share of careless respondents (random answers to every Likert item, attention check failed).
    missing : float
        Share of Likert answers left blank, completely at random.
    discretise : bool
        Cut the continuous responses into each scale's codes (False: return the latent responses
        x*, for checking the population model).

    Returns
    -------
    DataFrame
        ``respondent`` and one column per item id, in questionnaire order; ``.attrs`` records that the
        data are synthetic, the instrument, the seed and the options.

    Examples
    --------
    >>> import cxkit
    >>> df = cxkit.simulate(cxkit.load_instrument("online-cx@2.0.0"), n=5, seed=1)
    >>> df.shape, df.attrs["synthetic"]
    ((5, 33), True)
    >>> set(df["EC1"]) <= set(range(1, 8))
    True
    """
    if not isinstance(instrument, Instrument):
        raise SpecificationError(
            f"instrument must be an Instrument (cxkit.load_instrument(...)); got {type(instrument).__name__}"
        )
    if not isinstance(n, int | np.integer) or n < 1:
        raise SpecificationError(
            f"n={n!r} is not accepted; use a whole number of respondents, at least 1"
        )
    for name, share in (("careless", careless), ("missing", missing)):
        if not 0 <= share < 1:
            raise SpecificationError(
                f"{name}={share!r} is not accepted; use a share from 0 up to (not including) 1"
            )
    rng = np.random.default_rng(seed)
    eta = _latents(instrument, n, rng)
    careless_rows = rng.random(n) < careless
    loadings = POPULATION["loadings"]
    out: dict[str, object] = {"respondent": [f"S{k + 1:05d}" for k in range(n)]}
    count = 0
    for item in instrument.items:
        scale = item.scale
        if item.role == "measure":
            lam = loadings[count % len(loadings)]
            count += 1
            z = lam * eta[item.construct] + rng.normal(0, np.sqrt(1 - lam**2), n)
            if item.reverse and not discretise:
                z = -z
        elif item.role == "metric":
            weights = POPULATION[item.metric]
            sys = (
                sum(w * eta[c] for c, w in weights.items() if c in eta)
                if any(c in eta for c in weights)
                else np.zeros(n)
            )
            explained = min(sum(w * w for c, w in weights.items() if c in eta), 0.9)
            z = sys + rng.normal(0, np.sqrt(1 - explained), n)
        elif item.role == "attention":
            z = None
            values = np.full(n, item.expect)
            values = np.where(careless_rows, rng.choice(scale.values, n), values)
            out[item.id] = values
            continue
        elif item.role == "demographic":
            weights = np.array(
                POPULATION["demographics"].get(item.id, np.ones(len(scale.values))), dtype=float
            )
            if len(weights) != len(scale.values):
                weights = np.ones(len(scale.values))
            out[item.id] = rng.choice(scale.values, n, p=weights / weights.sum())
            continue
        else:
            out[item.id] = [None] * n
            continue
        if not discretise:
            out[item.id] = z
            continue
        values = _discretise(z, item)
        if item.reverse:  # the mirror image: disagreeing is the common answer to a reversed item
            values = scale.min + scale.max - values
        if item.scale.type == "likert":
            values = np.where(careless_rows, rng.choice(scale.values, n), values)
            if missing:
                values = np.where(rng.random(n) < missing, np.nan, values.astype(float))
        out[item.id] = values
    df = pd.DataFrame(out)
    for item in instrument.items:
        if (
            item.role in ("measure", "metric", "attention", "demographic")
            and df[item.id].notna().all()
            and discretise
        ):
            df[item.id] = df[item.id].astype(int)
        elif item.role in ("measure", "metric") and discretise:
            df[item.id] = df[item.id].astype("Int64")
    df.attrs.update(
        synthetic=True,
        instrument=instrument.ref,
        instrument_sha256=instrument.sha256,
        seed=seed,
        careless=careless,
        missing=missing,
        population="cxkit.simulate.POPULATION",
    )
    return df
