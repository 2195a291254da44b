"""Population models for power analysis: lavaan syntax with values, or an instrument's
:func:`cxkit.simulate` population, and the moments of the data they produce.

A population model is written in lavaan syntax with a value on every loading and path::

    F1 =~ 0.7*x1 + 0.7*x2 + 0.7*x3
    F2 =~ 0.6*y1 + 0.6*y2 + 0.6*y3
    F2 ~ 0.3*F1
    x1 ~~ 0.1*y1            # a residual covariance

Variances and covariances not written: an exogenous latent variable has variance 1; every other
variable (indicators, outcomes) gets the residual variance that makes its total variance 1 — a
standardised population, as ``lavaan::simulateData(standardized = TRUE)`` and
:func:`cxkit.simulate`; covariances not written are 0. Means are 0.

For an :class:`~cxkit.instrument.model.Instrument` with the CX pyramid, :func:`instrument_population`
writes :data:`cxkit.simulate.POPULATION` in this syntax (the test suite checks that the covariance of
``cxkit.simulate(..., discretise=False)`` agrees with it).

Examples
--------
>>> from cxkit.power.population import Population
>>> pop = Population.from_syntax("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3")
>>> pop.observed
('x1', 'x2', 'x3')
>>> round(float(pop.cov.loc["x1", "x2"]), 6)
0.48
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxkit.errors import ModelError, SpecificationError
from cxkit.instrument.model import Instrument
from cxkit.simulate import cut_points

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(40)


def _statements(text: str):
    """(line, lhs, op, [(value or None, name)]) for every statement of a population syntax."""
    out = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        for part in re.split(r"[#!]", raw, maxsplit=1)[0].split(";"):
            part = part.strip()
            if not part:
                continue
            if pending and (pending.endswith(("+", "~", "*")) or part.startswith(("+", "*"))):
                pending += " " + part
                continue
            if pending:
                out.append((start, pending))
            pending, start = part, number
    if pending:
        out.append((start, pending))
    parsed = []
    for line, body in out:
        if ":=" in body or "|" in body:
            continue  # defined parameters and thresholds play no part in the population moments
        op = next((o for o in ("=~", "~~", "~") if o in body), None)
        if op is None:
            raise ModelError(
                f"population model line {line}: {body!r} has no operator (=~, ~ or ~~)"
            )
        lhs, rhs = (s.strip() for s in body.split(op, 1))
        if not _NAME.match(lhs):
            raise ModelError(f"population model line {line}: {lhs!r} is not a variable name")
        terms = []
        for raw_term in rhs.split("+"):
            parts = [p.strip() for p in raw_term.split("*")]
            name = parts[-1]
            values = []
            for mod in parts[:-1]:
                try:
                    values.append(float(mod))
                except ValueError:
                    if not _NAME.match(mod):
                        raise ModelError(
                            f"population model line {line}: cannot read {raw_term.strip()!r}; "
                            "write value*name, e.g. 0.7*x1"
                        ) from None
            if not _NAME.match(name):
                raise ModelError(
                    f"population model line {line}: {name!r} is not a variable name (in {body!r})"
                )
            value = values[0] if values else None
            if value is None and op != "~~":
                raise ModelError(
                    f"population model line {line}: {lhs} {op} {name} has no value; a population model "
                    f"gives every loading and path a number, e.g. {lhs} {op} 0.5*{name}"
                )
            terms.append((value, name))
        parsed.append((line, lhs, op, terms))
    if not parsed:
        raise ModelError("the population model is empty; write it in lavaan syntax with values")
    return parsed


@dataclass(frozen=True)
class Population:
    """A population: observed variables, their covariance matrix, and how answers are produced.

    Attributes
    ----------
    cov : DataFrame
        Covariance matrix of the observed variables (of the continuous responses x*).
    latent_cov : DataFrame
        Covariance matrix of every variable, latent and observed.
    syntax : str
        The population model in lavaan syntax with values.
    instrument : Instrument or None
        Set when the data are drawn by :func:`cxkit.simulate` for that instrument.
    """

    syntax: str
    cov: pd.DataFrame = field(repr=False)
    latent_cov: pd.DataFrame = field(repr=False)
    instrument: Instrument | None = field(default=None, repr=False)

    @property
    def observed(self) -> tuple[str, ...]:
        return tuple(self.cov.columns)

    @classmethod
    def from_syntax(cls, syntax: str, instrument: Instrument | None = None) -> Population:
        if not isinstance(syntax, str):
            raise SpecificationError(
                f"population must be lavaan syntax with values (a str) or an Instrument; got "
                f"{type(syntax).__name__}"
            )
        stmts = _statements(syntax)
        latent = list(dict.fromkeys(lhs for _, lhs, op, _ in stmts if op == "=~"))
        order = list(latent)
        for _, lhs, _, terms in stmts:
            for name in [lhs, *(t[1] for t in terms)]:
                if name not in order:
                    order.append(name)
        observed = [v for v in order if v not in latent]
        idx = {v: k for k, v in enumerate(order)}
        k = len(order)
        a = np.zeros((k, k))
        s = np.zeros((k, k))
        given = np.zeros((k, k), dtype=bool)
        for _, lhs, op, terms in stmts:
            for value, name in terms:
                if op == "=~":
                    a[idx[name], idx[lhs]] = value
                elif op == "~":
                    a[idx[lhs], idx[name]] = value
                else:
                    if value is None:
                        continue  # a free (co)variance: the default applies
                    i, j = idx[lhs], idx[name]
                    s[i, j] = s[j, i] = value
                    given[i, j] = given[j, i] = True
        endogenous = np.abs(a).sum(axis=1) > 0
        free_var = [i for i in range(k) if not given[i, i]]
        for i in free_var:
            if not endogenous[i]:
                s[i, i] = 1.0
        b = np.linalg.inv(np.eye(k) - a)
        fill = [i for i in free_var if endogenous[i]]
        for _ in range(200):
            total = b @ s @ b.T
            step = 1.0 - np.diag(total)[fill]
            s[fill, fill] += step
            if not fill or np.max(np.abs(step)) < 1e-14:
                break
        bad = [order[i] for i in fill if s[i, i] < 0]
        if bad:
            raise ModelError(
                f"the population model explains more than all the variance of {', '.join(bad)}: "
                "lower its loadings or paths (a standardised population needs R² < 1)"
            )
        total = b @ s @ b.T
        if np.linalg.eigvalsh(total).min() <= 0:
            raise ModelError(
                "the population model's covariance matrix is not positive definite; check the "
                "covariances and paths"
            )
        full = pd.DataFrame(total, index=order, columns=order)
        obs = full.loc[observed, observed]
        return cls(syntax=syntax, cov=obs, latent_cov=full, instrument=instrument)


def instrument_population(instrument: Instrument) -> str:
    """:data:`cxkit.simulate.POPULATION` for a CX-pyramid instrument, as lavaan syntax with values.

    The items load on their construct with the standardised loadings that
    :func:`cxkit.simulate` cycles through (reverse-keyed items recoded, so every loading is positive);
    the rational dimensions correlate ``rational_r``; emotional connection and loyalty follow the
    documented paths.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.power.population import instrument_population
    >>> syntax = instrument_population(cxkit.load_instrument("online-cx@2.0.0"))
    >>> [line for line in syntax.splitlines() if line.startswith("LOY ~")]
    ['LOY ~ 0.6*EC + 0.15*FU']
    """
    from cxkit.simulate import POPULATION

    if not isinstance(instrument, Instrument):
        raise SpecificationError(
            f"expected an Instrument (cxkit.load_instrument(...)); got {type(instrument).__name__}"
        )
    info = instrument.construct_info
    rational = [c for c in info if info[c].level == "rational"]
    emotional = [c for c in info if info[c].level == "emotional"]
    outcome = [c for c in info if info[c].level == "outcome"]
    if len(emotional) != 1 or not rational:
        raise ModelError(
            f"{instrument.ref} does not have the CX pyramid (one emotional and at least one rational "
            "construct), so its simulate() population cannot be written as a structural model"
        )
    loadings = POPULATION["loadings"]
    items: dict[str, list[str]] = {c: [] for c in info}
    count = 0
    for item in instrument.items:
        if item.role == "measure":
            items[item.construct].append(f"{loadings[count % len(loadings)]:g}*{item.id}")
            count += 1
    lines = [f"{c} =~ {' + '.join(items[c])}" for c in info if items[c]]
    r = POPULATION["rational_r"]
    lines += [f"{x} ~~ {r:g}*{y}" for i, x in enumerate(rational) for y in rational[i + 1 :]]
    ec = emotional[0]
    paths = {c: g for c, g in POPULATION["ec_paths"].items() if c in rational}
    lines.append(f"{ec} ~ " + " + ".join(f"{g:g}*{c}" for c, g in paths.items()))
    for y in outcome:
        loy = {(ec if c == "EC" else c): g for c, g in POPULATION["loy_paths"].items()}
        loy = {c: g for c, g in loy.items() if c in info}
        lines.append(f"{y} ~ " + " + ".join(f"{g:g}*{c}" for c, g in loy.items()))
    return "\n".join(lines)


# --- moments of Likert-cut data ----------------------------------------------------------------


def _bvn_excess(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Φ₂(h, k; ρ) − Φ(h)Φ(k) = ∫₀^ρ φ₂(h, k; r) dr (Plackett), by Gauss–Legendre quadrature."""
    r = rho[..., None] * (_GL_NODES + 1) / 2
    h_ = h[..., None]
    k_ = k[..., None]
    one = 1 - r**2
    dens = np.exp(-(h_**2 - 2 * r * h_ * k_ + k_**2) / (2 * one)) / (2 * np.pi * np.sqrt(one))
    return (dens * _GL_WEIGHTS).sum(axis=-1) * rho / 2


def likert_moments(cov: pd.DataFrame, points: int) -> tuple[pd.DataFrame, pd.Series]:
    """Covariance matrix and means of the codes 1…``points`` that cutting each standardised
    response at :func:`cxkit.simulate.cut_points` produces (exact up to quadrature error, ~1e-12).

    ``X = 1 + Σ_k 1{z > τ_k}``, so ``Cov(X_i, X_j) = Σ_k Σ_l [Φ₂(−τ_k, −τ_l; ρ_ij) − Φ(−τ_k)Φ(−τ_l)]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxkit.power.population import likert_moments
    >>> c = pd.DataFrame([[1, .5], [.5, 1]], index=["a", "b"], columns=["a", "b"])
    >>> s, m = likert_moments(c, 2)     # two codes: Φ₂(−τ, −τ; .5) − Φ(−τ)², τ = cut_points(2)
    >>> round(float(s.loc["a", "b"]), 6)
    0.061048
    """
    sd = np.sqrt(np.diag(cov.to_numpy()))
    rho = cov.to_numpy() / np.outer(sd, sd)
    tau = -cut_points(points)  # P(z > τ) = Φ(−τ)
    p = rho.shape[0]
    hh, kk = np.meshgrid(tau, tau, indexing="ij")
    iu = np.triu_indices(p, 1)
    r = rho[iu]
    ex = _bvn_excess(
        np.broadcast_to(hh, (len(r), *hh.shape)),
        np.broadcast_to(kk, (len(r), *kk.shape)),
        np.broadcast_to(r[:, None, None], (len(r), *hh.shape)),
    ).sum(axis=(1, 2))
    out = np.zeros((p, p))
    out[iu] = ex
    out = out + out.T
    cat = np.diff(np.concatenate([[0.0], stats.norm.cdf(cut_points(points)), [1.0]]))
    codes = np.arange(1, points + 1)
    mean = float(cat @ codes)
    var = float(cat @ codes**2) - mean**2
    np.fill_diagonal(out, var)
    names = list(cov.columns)
    return pd.DataFrame(out, index=names, columns=names), pd.Series(mean, index=names)


# --- non-normal responses (Fleishman, 1978; Vale & Maurelli, 1983) ------------------------------


def fleishman(skew: float, kurtosis: float) -> tuple[float, float, float, float]:
    """Coefficients (a, b, c, d) of ``Y = a + bZ + cZ² + dZ³`` with mean 0, variance 1, the given
    skewness and excess kurtosis (Fleishman, 1978).

    >>> from cxkit.power.population import fleishman
    >>> [round(v, 6) for v in fleishman(0.0, 0.0)]
    [0.0, 1.0, 0.0, 0.0]
    """

    def eqs(x):
        b, c, d = x
        return [
            b**2 + 6 * b * d + 2 * c**2 + 15 * d**2 - 1,
            2 * c * (b**2 + 24 * b * d + 105 * d**2 + 2) - skew,
            24
            * (
                b * d
                + c**2 * (1 + b**2 + 28 * b * d)
                + d**2 * (12 + 48 * b * d + 141 * c**2 + 225 * d**2)
            )
            - kurtosis,
        ]

    if kurtosis < skew**2 * 1.5 - 1.2:  # outside the region a cubic can reach (approximately)
        raise SpecificationError(
            f"nonnormal=(skew={skew:g}, kurtosis={kurtosis:g}) is not reachable by Fleishman's cubic; "
            "the excess kurtosis must be larger (e.g. skew 1, kurtosis 1.5)"
        )
    sol, info, ok, _ = optimize.fsolve(eqs, [1.0, 0.0, 0.0], full_output=True, xtol=1e-13)
    if ok != 1 or np.max(np.abs(eqs(sol))) > 1e-8:
        raise SpecificationError(
            f"nonnormal=(skew={skew:g}, kurtosis={kurtosis:g}): no Fleishman coefficients found; "
            "try values closer to normal (e.g. skew 1, kurtosis 1.5)"
        )
    b, c, d = (float(v) for v in sol)
    return -c, b, c, d


def intermediate_corr(rho: np.ndarray, coef: tuple[float, float, float, float]) -> np.ndarray:
    """The normal correlations r whose Fleishman transforms correlate ``rho`` (Vale & Maurelli):
    ``ρ = r(b² + 6bd + 9d²) + 2c²r² + 6d²r³``, solved elementwise."""
    _, b, c, d = coef
    k1, k2, k3 = b**2 + 6 * b * d + 9 * d**2, 2 * c**2, 6 * d**2
    r = rho / k1
    for _ in range(100):
        f = k1 * r + k2 * r**2 + k3 * r**3 - rho
        r = r - f / (k1 + 2 * k2 * r + 3 * k3 * r**2)
    np.fill_diagonal(r, 1.0)
    return r
