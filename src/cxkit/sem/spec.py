"""A model as matrices: the parameter table with lavaan's defaults, the implied covariance and its
derivatives.

``Sigma = Lambda A Psi A' Lambda' + Theta`` with ``A = (I - B)^-1``. The *inner* variables are the
latent variables plus the observed variables that take part in regressions (each such observed
variable gets a phantom inner variable with loading 1 and no residual variance, as lavaan does).

Defaults follow ``lavaan::sem()`` / ``cfa()``: the first loading of each factor is fixed to 1
(``std_lv=False``); residual variances of observed indicators and (residual) variances of latent
variables are free; exogenous latent variables covary (``auto.cov.lv.x``); the residuals of
dependent variables that predict nothing covary (``auto.cov.y``); variances and covariances of
exogenous observed predictors are fixed to their sample values (``fixed.x``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit.errors import ModelError
from cxkit.sem.syntax import Definition, Statement, parse_model


@dataclass
class Param:
    """One row of the parameter table."""

    lhs: str
    op: str
    rhs: str
    matrix: str  # "L" (Lambda), "B", "P" (Psi), "T" (Theta)
    row: int
    col: int
    label: str = ""
    free: int = -1  # index into the free-parameter vector, -1 when fixed
    value: float = 0.0  # the fixed value (or a start value)
    user: bool = True


@dataclass
class ModelSpec:
    """Parameter table and matrix layout of one model (one group)."""

    observed: list[str]
    latent: list[str]
    inner: list[str]
    params: list[Param]
    definitions: list[Definition]
    n_free: int
    std_lv: bool = False
    _loc: list[list[tuple[str, int, int]]] = field(default_factory=list, repr=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def build(
        cls, model: str, columns, sample_cov: pd.DataFrame | None = None, std_lv: bool = False
    ) -> ModelSpec:
        statements, defs = parse_model(model)
        return cls.from_statements(statements, defs, list(columns), sample_cov, std_lv)

    @classmethod
    def from_statements(
        cls,
        statements: list[Statement],
        defs: list[Definition],
        columns: list[str],
        sample_cov: pd.DataFrame | None,
        std_lv: bool,
    ) -> ModelSpec:
        latent: list[str] = []
        for s in statements:
            if s.op == "=~" and s.lhs not in latent:
                latent.append(s.lhs)
        names: list[str] = []
        for s in statements:
            for n in (s.lhs, *(t.name for t in s.terms)):
                if n not in names:
                    names.append(n)
        observed = [n for n in names if n not in latent]
        missing = [n for n in observed if n not in columns]
        if missing:
            hints = []
            for n in missing:
                close = difflib.get_close_matches(n, [str(c) for c in columns], n=1)
                hints.append(repr(n) + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ModelError(
                f"the model uses variable(s) that are neither latent (left of =~) nor columns of the data: "
                f"{', '.join(hints)}"
            )
        in_regression = {s.lhs for s in statements if s.op == "~"} | {
            t.name for s in statements if s.op == "~" for t in s.terms
        }
        phantom = [n for n in observed if n in in_regression]
        for s in statements:
            if s.op == "~~":
                for t in s.terms:
                    pair = {s.lhs, t.name}
                    if any(n in latent or n in phantom for n in pair) and any(
                        n in observed and n not in phantom for n in pair
                    ):
                        raise ModelError(
                            f"model line {s.line}: {s.lhs} ~~ {t.name} mixes a latent (or regression) variable "
                            "with an indicator; covariances join two latent or two observed variables"
                        )
        inner = latent + phantom
        indicators = [n for n in observed if n not in phantom]
        iidx = {n: k for k, n in enumerate(inner)}
        oidx = {n: k for k, n in enumerate(observed)}
        params: list[Param] = []
        key: dict[tuple[str, str, str], Param] = {}

        def add(
            lhs,
            op,
            rhs,
            matrix,
            row,
            col,
            term=None,
            default_free=True,
            default_value=0.0,
            user=True,
        ):
            k = (lhs, op, rhs) if not (op == "~~" and rhs < lhs) else (rhs, op, lhs)
            if k in key:
                if user and term is not None:
                    p = key[k]
                    p.label = term.label or p.label
                    if term.fixed is not None:
                        p.free, p.value = -1, term.fixed
                    elif term.free:
                        p.free = 0
                    p.user = True
                return key[k]
            p = Param(lhs, op, rhs, matrix, row, col, user=user)
            free = default_free
            p.value = default_value
            if term is not None:
                p.label = term.label or ""
                if term.fixed is not None:
                    free, p.value = False, term.fixed
                elif term.free:
                    free = True
            p.free = 0 if free else -1
            params.append(p)
            key[k] = p
            return p

        # loadings (second-order loadings live in B)
        first_done: set[str] = set()
        for s in statements:
            if s.op != "=~":
                continue
            for t in s.terms:
                marker = s.lhs not in first_done and not std_lv
                first_done.add(s.lhs)
                default_free = not marker
                default_value = 1.0 if marker else 0.0
                if t.name in iidx:
                    add(
                        s.lhs,
                        "=~",
                        t.name,
                        "B",
                        iidx[t.name],
                        iidx[s.lhs],
                        t,
                        default_free,
                        default_value,
                    )
                else:
                    add(
                        s.lhs,
                        "=~",
                        t.name,
                        "L",
                        oidx[t.name],
                        iidx[s.lhs],
                        t,
                        default_free,
                        default_value,
                    )
        for s in statements:
            if s.op == "~":
                for t in s.terms:
                    add(s.lhs, "~", t.name, "B", iidx[s.lhs], iidx[t.name], t)
        for s in statements:
            if s.op == "~~":
                for t in s.terms:
                    a, b = s.lhs, t.name
                    if a in iidx:
                        add(a, "~~", b, "P", iidx[a], iidx[b], t)
                    else:
                        add(a, "~~", b, "T", oidx[a], oidx[b], t)

        # defaults
        endogenous = {s.lhs for s in statements if s.op == "~"} | {
            t.name for s in statements if s.op == "=~" for t in s.terms if t.name in iidx
        }
        predictors = {t.name for s in statements if s.op == "~" for t in s.terms} | {
            s.lhs for s in statements if s.op == "=~" and any(t.name in iidx for t in s.terms)
        }
        for n in indicators:
            add(n, "~~", n, "T", oidx[n], oidx[n], user=False)
        for n in phantom:
            add(
                n, "=~", n, "L", oidx[n], iidx[n], default_free=False, default_value=1.0, user=False
            )
        cov = None if sample_cov is None else sample_cov
        exo_latent = [n for n in latent if n not in endogenous]
        exo_obs = [n for n in phantom if n not in endogenous]
        for n in inner:
            if n in exo_obs:
                v = float(cov.loc[n, n]) if cov is not None else 1.0
                add(
                    n,
                    "~~",
                    n,
                    "P",
                    iidx[n],
                    iidx[n],
                    default_free=False,
                    default_value=v,
                    user=False,
                )
            elif std_lv and n in exo_latent:
                add(
                    n,
                    "~~",
                    n,
                    "P",
                    iidx[n],
                    iidx[n],
                    default_free=False,
                    default_value=1.0,
                    user=False,
                )
            else:
                add(n, "~~", n, "P", iidx[n], iidx[n], user=False)
        for i, a in enumerate(exo_latent):
            for b in exo_latent[i + 1 :]:
                add(a, "~~", b, "P", iidx[a], iidx[b], user=False)
        for i, a in enumerate(exo_obs):
            for b in exo_obs[i + 1 :]:
                v = float(cov.loc[a, b]) if cov is not None else 0.0
                add(
                    a,
                    "~~",
                    b,
                    "P",
                    iidx[a],
                    iidx[b],
                    default_free=False,
                    default_value=v,
                    user=False,
                )
        # auto.cov.y: residuals of regression outcomes that predict nothing covary (lower-order
        # factors of a higher-order factor are indicators, not outcomes, and do not)
        outcomes = {s.lhs for s in statements if s.op == "~"}
        pure_y = [n for n in inner if n in outcomes and n not in predictors]
        for i, a in enumerate(pure_y):
            for b in pure_y[i + 1 :]:
                add(a, "~~", b, "P", iidx[a], iidx[b], user=False)

        # free indices; equal labels share one parameter
        n_free = 0
        by_label: dict[str, int] = {}
        for p in params:
            if p.free < 0:
                continue
            if p.label and p.label in by_label:
                p.free = by_label[p.label]
                continue
            p.free = n_free
            if p.label:
                by_label[p.label] = n_free
            n_free += 1
        labels = {p.label for p in params if p.label}
        for d in defs:
            if d.name in labels:
                raise ModelError(f"model line {d.line}: {d.name!r} is already a parameter label")
        spec = cls(observed, latent, inner, params, defs, n_free, std_lv)
        spec._loc = [[] for _ in range(n_free)]
        for p in params:
            if p.free >= 0:
                spec._loc[p.free].append((p.matrix, p.row, p.col))
        return spec

    # -- matrices -----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return len(self.observed), len(self.inner)

    def matrices(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        p, m = self.shape
        mats = {
            "L": np.zeros((p, m)),
            "B": np.zeros((m, m)),
            "P": np.zeros((m, m)),
            "T": np.zeros((p, p)),
        }
        for par in self.params:
            v = par.value if par.free < 0 else theta[par.free]
            mats[par.matrix][par.row, par.col] = v
            if par.matrix in ("P", "T"):
                mats[par.matrix][par.col, par.row] = v
        return mats

    def start_values(self, sample_cov: np.ndarray) -> np.ndarray:
        """Simple starting values (lavaan's 'simple'): loadings 1, variances half the observed."""
        theta = np.zeros(self.n_free)
        diag = np.diag(sample_cov)
        for par in self.params:
            if par.free < 0:
                continue
            if par.matrix == "L":
                theta[par.free] = 1.0
            elif par.matrix == "T" and par.row == par.col:
                theta[par.free] = 0.5 * diag[par.row]
            elif par.matrix == "P" and par.row == par.col:
                theta[par.free] = 0.05 if par.lhs in self.latent else 0.5
        return theta

    def implied(self, theta: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        mats = self.matrices(theta)
        a = np.linalg.inv(np.eye(len(self.inner)) - mats["B"])
        la = mats["L"] @ a
        sigma = la @ mats["P"] @ la.T + mats["T"]
        mats["A"], mats["LA"] = a, la
        mats["inner_cov"] = a @ mats["P"] @ a.T
        mats["G"] = mats["inner_cov"] @ mats["L"].T  # (m, p)
        return sigma, mats

    def _locations(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per matrix: (free index, row, col) of every location of a free parameter (cached)."""
        cache = getattr(self, "_loc_arrays", None)
        if cache is None:
            cache = {}
            for m in ("L", "B", "P", "T"):
                rows = [
                    (k, r, c) for k, locs in enumerate(self._loc) for mm, r, c in locs if mm == m
                ]
                arr = np.array(rows, dtype=int).reshape(-1, 3)
                cache[m] = (arr[:, 0], arr[:, 1], arr[:, 2])
            object.__setattr__(self, "_loc_arrays", cache)
        return cache

    def derivatives(self, theta: np.ndarray, mats: dict | None = None) -> np.ndarray:
        """dSigma/dtheta_k for every free parameter: array (q, p, p), computed in one pass."""
        if mats is None:
            _, mats = self.implied(theta)
        la, g = mats["LA"], mats["G"]
        p = len(self.observed)
        out = np.zeros((self.n_free, p, p))
        loc = self._locations()
        k, r, c = loc["L"]
        if len(k):
            t = np.zeros((len(k), p, p))
            t[np.arange(len(k)), r, :] = g[c, :]
            np.add.at(out, k, t + t.transpose(0, 2, 1))
        k, r, c = loc["B"]
        if len(k):
            t = la[:, r].T[:, :, None] * g[c, :][:, None, :]
            np.add.at(out, k, t + t.transpose(0, 2, 1))
        k, r, c = loc["P"]
        if len(k):
            t = la[:, r].T[:, :, None] * la[:, c].T[:, None, :]
            off = (r != c)[:, None, None]
            np.add.at(out, k, t + np.where(off, t.transpose(0, 2, 1), 0.0))
        k, r, c = loc["T"]
        if len(k):
            t = np.zeros((len(k), p, p))
            t[np.arange(len(k)), r, c] = 1.0
            t[np.arange(len(k)), c, r] = 1.0
            np.add.at(out, k, t)
        return out

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "lhs": p.lhs,
                    "op": p.op,
                    "rhs": p.rhs,
                    "label": p.label,
                    "free": p.free,
                    "value": p.value,
                    "matrix": p.matrix,
                    "user": p.user,
                }
                for p in self.params
            ]
        )


def dsigma(mats: dict[str, np.ndarray], matrix: str, r: int, c: int) -> np.ndarray:
    """dSigma for one matrix element (used for free parameters and for modification indices)."""
    la = mats["LA"]
    p = la.shape[0]
    if matrix in ("L", "B"):
        g = mats["G"]
        if matrix == "L":
            t = np.zeros((p, p))
            t[r, :] = g[c, :]
        else:
            t = np.outer(la[:, r], g[c, :])
        return t + t.T
    if matrix == "P":
        t = np.outer(la[:, r], la[:, c])
        return t if r == c else t + t.T
    t = np.zeros((p, p))
    t[r, c] = 1.0
    return t if r == c else t + t.T
