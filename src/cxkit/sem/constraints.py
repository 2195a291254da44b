"""Constraints on the parameters: lavaan's ``==``, ``<`` and ``>`` lines (``lav_constraints.R``).

A constraint ``lhs op rhs`` is arithmetic on parameter labels, ``:=`` names and numbers. As in
lavaan, an equality is the function ``ceq(θ) = lhs − rhs`` (zero at the solution) and an inequality
``cin(θ) ≥ 0`` (``lhs − rhs`` for ``>``, ``rhs − lhs`` for ``<``).

* **Linear equalities only** (``a == b``, ``b1 == 2*b2``, ``d == 0.9*c + 0.1``): θ is
  reparametrised as ``θ = K φ + k₀`` with ``K`` a basis of the null space of the constraints'
  Jacobian, and the reduced model is estimated by the ordinary optimizer (lavaan's ``K`` matrix).
* **Nonlinear equalities or inequalities** (``a == b^2``, ``a > 0``, ``a < 1``, ``a > b``):
  sequential quadratic programming (SciPy's SLSQP) on θ, started from the reduced model's
  estimates when there are linear equalities, in place of lavaan's augmented Lagrangian
  (``nlminb.constr``) — the same constrained optimum.
* **Degrees of freedom**: lavaan adds the rank of the equality constraints' Jacobian to df and takes
  it off ``npar``; inequalities change neither (even when they bind).
* **Standard errors** (lavaan's augmented information, ``lav_model_information_augment_invert``):
  with ``H`` the Jacobian of the equalities and of the *active* inequalities (slack below 1e-5),
  ``vcov = P (P' I P)⁻¹ P'``, ``P`` a basis of the null space of ``H`` — the top-left block of
  lavaan's bordered inverse. An inactive inequality changes nothing; a parameter held at its bound
  by an active one gets no standard error (NA), as in lavaan.

>>> from cxkit.sem.partable import build_partable
>>> pt = build_partable("F =~ x1 + a*x2 + b*x3\\na == 2*b")
>>> con = ConstraintSet(pt)
>>> con.linear, con.n_eq, con.n_in
(True, 1, 0)
>>> import numpy as np
>>> theta = np.array([1.0, 0.5, 1.0, 1.0, 1.0, 1.0])
>>> con.values(theta)[0]
array([1.5])
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, optimize

from cxkit.errors import ModelError
from cxkit.sem.partable import ParTable
from cxkit.sem.syntax import evaluate

#: lavaan's slack: an inequality whose value is above this at the solution is inactive
SLACK = 1e-5


class ConstraintSet:
    """The constraints of a parameter table as functions of the free parameters θ."""

    def __init__(self, pt: ParTable) -> None:
        self.pt = pt
        self.eq = tuple(c for c in pt.constraints if c.op == "==")
        self.ineq = tuple(c for c in pt.constraints if c.op in ("<", ">"))
        self.n_eq, self.n_in = len(self.eq), len(self.ineq)
        self.used = sorted(
            {r.free for r in pt.rows if r.label and r.free >= 0}
        )  # the parameters a constraint can depend on
        self.linear = self.n_in == 0 and self.n_eq > 0 and self._is_linear()

    def __bool__(self) -> bool:
        return bool(self.n_eq or self.n_in)

    # -- values and Jacobians ----------------------------------------------------------------------
    def _names(self, theta: np.ndarray) -> dict[str, float]:
        values = self.pt.labels(theta)
        for d in self.pt.definitions:
            values[d.name] = evaluate(d.expr, values)
        return values

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ceq(θ), cin(θ))``: the equalities (0 when they hold) and inequalities (≥ 0)."""
        v = self._names(np.asarray(theta, float))
        ceq = [evaluate(c.lhs, v) - evaluate(c.rhs, v) for c in self.eq]
        cin = [
            (evaluate(c.lhs, v) - evaluate(c.rhs, v)) * (1.0 if c.op == ">" else -1.0)
            for c in self.ineq
        ]
        return np.array(ceq, float), np.array(cin, float)

    def jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Central-difference Jacobians of ``ceq`` and ``cin`` (rows: constraints, columns: θ)."""
        theta = np.asarray(theta, float)
        q = len(theta)
        j_eq, j_in = np.zeros((self.n_eq, q)), np.zeros((self.n_in, q))
        for k in self.used:
            h = 1e-6 * max(1.0, abs(theta[k]))
            up, dn = theta.copy(), theta.copy()
            up[k] += h
            dn[k] -= h
            (eu, iu), (ed, id_) = self.values(up), self.values(dn)
            j_eq[:, k] = (eu - ed) / (2 * h)
            j_in[:, k] = (iu - id_) / (2 * h)
        return j_eq, j_in

    def _is_linear(self) -> bool:
        q = self.pt.npar
        a = 0.3 + 0.1 * np.arange(q)
        b = a + 0.7 * np.cos(np.arange(q))
        try:
            ja, jb = self.jacobian(a)[0], self.jacobian(b)[0]
            fa, fb = self.values(a)[0], self.values(b)[0]
        except ModelError:
            return False
        return bool(
            np.allclose(ja, jb, atol=1e-7) and np.allclose(fb - fa, ja @ (b - a), atol=1e-7)
        )

    def active(self, theta: np.ndarray) -> np.ndarray:
        """The Jacobian ``H`` of the equalities and the active inequalities at ``theta``."""
        j_eq, j_in = self.jacobian(theta)
        _, cin = self.values(theta)
        return np.vstack([j_eq, j_in[cin <= SLACK]])

    def rank_eq(self, theta: np.ndarray) -> int:
        """The number of independent equality constraints (lavaan's ``qr(con.jac[ceq.idx, ])$rank``)."""
        if not self.n_eq:
            return 0
        return int(np.linalg.matrix_rank(self.jacobian(theta)[0], tol=1e-8))

    # -- the reduced parameters of linear equalities -------------------------------------------
    def reduction(self) -> tuple[np.ndarray, np.ndarray]:
        """``(K, k₀)`` with ``θ = K φ + k₀`` spanning exactly the θ that satisfy the linear
        equalities (``K`` the null space of their Jacobian)."""
        q = self.pt.npar
        x0 = np.zeros(q)
        a = self.jacobian(x0)[0]
        c0 = self.values(x0)[0]  # c(θ) = A θ + c0
        k = linalg.null_space(a)
        k0 = -np.linalg.pinv(a) @ c0
        return k, k0


def constrained_inverse(info: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``P (P' I P)⁻¹ P'`` with ``P`` the null space of ``h``: the top-left block of the inverse of
    lavaan's bordered information ``[[I + H'H, H'], [H, 0]]``; NaN when ``P' I P`` is singular."""
    if not len(h):
        return np.linalg.inv(info)
    p = linalg.null_space(h)
    red = p.T @ info @ p
    eig = np.linalg.eigvalsh(red) if len(red) else np.ones(1)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        return np.full(info.shape, np.nan)
    return p @ np.linalg.inv(red) @ p.T


def constrained_vcov(info: np.ndarray, con: ConstraintSet, theta: np.ndarray) -> np.ndarray:
    """The vcov of a constrained fit (:func:`constrained_inverse` at the active constraints), with
    the one warning of :func:`cxkit.sem.information.invert` when it cannot be formed."""
    import warnings

    from cxkit.errors import ModelWarning

    out = constrained_inverse(info, con.active(theta))
    if np.isnan(out).all() and len(out):
        warnings.warn(
            "the information matrix of the constrained model is singular: the model is not "
            "identified under its constraints; standard errors are missing",
            ModelWarning,
            stacklevel=3,
        )
    return out


def pinned(vcov: np.ndarray) -> np.ndarray:
    """The parameters an active constraint holds fixed (variance numerically 0): lavaan gives them
    no standard error."""
    d = np.diag(vcov)
    if not len(d) or not np.isfinite(d).any():
        return np.zeros(len(d), dtype=bool)
    return d <= 1e-12 * max(np.nanmax(np.abs(d)), 1e-300)


class ReducedObjective:
    """An objective of θ seen as a function of φ, ``θ = K φ + k₀`` (gradient ``K'g``, curvature
    ``K' I K``), for the ordinary optimizer."""

    def __init__(self, objective, k: np.ndarray, k0: np.ndarray) -> None:
        self.objective, self.k, self.k0 = objective, k, k0
        self.total_n = objective.total_n

    def theta(self, phi: np.ndarray) -> np.ndarray:
        return np.atleast_2d(phi) @ self.k.T + self.k0

    def value(self, phi: np.ndarray, idx=None) -> np.ndarray:
        return self.objective.value(self.theta(phi), idx=idx)

    def gradient(self, phi: np.ndarray, info: bool = True, idx=None):
        g, h = self.objective.gradient(self.theta(phi), info=info, idx=idx)
        red = None if h is None else np.einsum("qa,bqr,rc->bac", self.k, h, self.k)
        return g @ self.k, red


def solve(
    objective, con: ConstraintSet, theta0: np.ndarray, minimize
) -> tuple[np.ndarray, bool, int]:
    """The constrained minimum of ``objective`` from ``theta0``: (θ, converged, iterations).

    ``minimize`` is the ordinary optimizer (:func:`cxkit.sem.optimize.minimize`)."""
    theta0 = np.asarray(theta0, float)
    if con.linear:
        k, k0 = con.reduction()
        red = ReducedObjective(objective, k, k0)
        opt = minimize(red, k.T @ (theta0 - k0))
        return red.theta(opt.theta[0])[0], bool(opt.converged[0]), int(opt.iterations[0])
    n = max(objective.total_n, 1.0)

    def fun(th):
        v = float(objective.value(th[None])[0]) / n
        return v if np.isfinite(v) else 1e10

    def jac(th):
        return objective.gradient(th[None], info=False)[0][0] / n

    def safe(fn):
        def inner(th):
            try:
                return fn(th)
            except ModelError:
                return np.full(con.n_eq + con.n_in, np.nan)

        return inner

    cons = []
    if con.n_eq:
        cons.append(
            {
                "type": "eq",
                "fun": safe(lambda th: con.values(th)[0]),
                "jac": lambda th: con.jacobian(th)[0],
            }
        )
    if con.n_in:
        cons.append(
            {
                "type": "ineq",
                "fun": safe(lambda th: con.values(th)[1]),
                "jac": lambda th: con.jacobian(th)[1],
            }
        )
    # start from the unconstrained optimum when it exists (SLSQP then only has to move onto the
    # constraints), else from the simple starting values
    free = minimize(objective, theta0)
    x0 = free.theta[0] if free.converged[0] and np.isfinite(free.value[0]) else theta0
    res = optimize.minimize(
        fun, x0, jac=jac, method="SLSQP", constraints=cons,
        options={"ftol": 1e-16, "maxiter": 2000},
    )  # fmt: skip
    theta = _polish(objective, con, res.x)
    if not np.all(np.isfinite(theta)) or fun(theta) > fun(res.x) + 1e-12:
        theta = res.x
    ceq, cin = con.values(theta)
    feasible = np.all(np.abs(ceq) < 1e-6) and np.all(cin > -1e-6)
    return theta, bool((res.success or res.status == 8) and feasible), int(res.nit)


def _polish(objective, con: ConstraintSet, theta: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """Fisher scoring on the surface of the equalities and the active inequalities at SLSQP's
    solution (each step: back onto the constraints, then a step in their null space), until the
    projected gradient vanishes — SLSQP's own stopping rule leaves ~1e-5 in the estimates."""
    n = max(objective.total_n, 1.0)
    _, cin = con.values(theta)
    act = cin <= SLACK
    theta = np.array(theta, dtype=float)
    for _ in range(max_iter):
        j_eq, j_in = con.jacobian(theta)
        ceq, cin = con.values(theta)
        j = np.vstack([j_eq, j_in[act]])
        c = np.concatenate([ceq, cin[act]])
        if len(j):
            theta = theta - np.linalg.pinv(j) @ c
        g, h = objective.gradient(theta[None], info=True)
        p = linalg.null_space(j) if len(j) else np.eye(len(theta))
        pg = p.T @ g[0]
        step = p @ np.linalg.solve(p.T @ h[0] @ p, pg)
        theta = theta - step
        if np.max(np.abs(pg)) / n < 1e-11 and np.max(np.abs(step)) < 1e-10:
            break
    _, cin = con.values(theta)
    if np.any(cin[~act] < 0):  # an inactive inequality would be violated: keep SLSQP's answer
        return np.full_like(theta, np.inf)
    return theta
