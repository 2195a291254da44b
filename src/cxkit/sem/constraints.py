"""Constraints on the parameters: lavaan's ``==``, ``<`` and ``>`` lines (``lav_constraints.R``).

A constraint ``lhs op rhs`` is arithmetic on parameter labels, ``:=`` names and numbers. As in
lavaan, an equality is the function ``ceq(θ) = lhs − rhs`` (zero at the solution) and an inequality
``cin(θ) ≥ 0`` (``lhs − rhs`` for ``>``, ``rhs − lhs`` for ``<``).

* **Linear equalities only** (``a == b``, ``b1 == 2*b2``, ``d == 0.9*c + 0.1``): θ is
  reparametrised as ``θ = K φ + k₀`` with ``K`` a basis of the null space of the constraints'
  Jacobian, and the reduced model is estimated by the ordinary optimizer (lavaan's ``K`` matrix).
* **Nonlinear equalities or inequalities** (``a == b^2``, ``a > 0``, ``a < 1``, ``a > b``):
  sequential quadratic programming (SciPy's SLSQP) on θ from the unconstrained optimum, then an
  active-set Fisher scoring on the surface of the equalities and the binding inequalities (it
  sharpens SLSQP's answer to ~1e-10; a bootstrap resample runs it alone from the fit's
  estimates), in place of lavaan's augmented Lagrangian (``nlminb.constr``, which stops with the
  constraints violated by ~1e-7).
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
>>> theta = np.array([1.0, 0.25, 1.0, 1.0, 1.0, 1.0])  # a = 1, b = 0.25: a − 2b = 0.5
>>> con.values(theta)[0]
array([0.5])
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
        #: the equalities are linear (or there are none)
        self.eq_linear = self.n_eq == 0 or self._is_linear()
        self.linear = self.n_in == 0 and self.n_eq > 0 and self.eq_linear

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
    objective, con: ConstraintSet, theta0: np.ndarray, minimize, warm: bool = False
) -> tuple[np.ndarray, bool, int]:
    """The constrained minimum of ``objective`` from ``theta0``: (θ, converged, iterations).

    ``minimize`` is the ordinary optimizer (:func:`cxkit.sem.optimize.minimize`); ``warm``:
    ``theta0`` is already near the answer (a resample started at the fit's estimates), so the
    active-set scoring runs alone (SLSQP only if it fails)."""
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
    x0 = theta0
    if warm:
        # a resample's estimates need not be as sharp as the fit's (the bootstrap's rule)
        theta, ok, iters = _active_set(objective, con, theta0, tol=1e-8, step_tol=1e-7)
        if ok:
            return theta, True, iters
    else:
        free = minimize(objective, theta0)
        if free.converged[0] and np.isfinite(free.value[0]):
            x0 = free.theta[0]
    res = optimize.minimize(
        fun, x0, jac=jac, method="SLSQP", constraints=cons,
        options={"ftol": 1e-16, "maxiter": 2000},
    )  # fmt: skip
    theta, ok, _ = _active_set(objective, con, res.x)
    if not ok or not np.all(np.isfinite(theta)) or fun(theta) > fun(res.x) + 1e-12:
        theta = res.x
    ceq, cin = con.values(theta)
    feasible = np.all(np.abs(ceq) < 1e-6) and np.all(cin > -1e-6)
    return theta, bool((res.success or res.status == 8) and feasible), int(res.nit)


def _scoring(
    objective, con: ConstraintSet, theta, act, max_iter: int = 200, tol: float = 1e-11,
    step_tol: float = 1e-9,
):  # fmt: skip
    """Fisher scoring on the surface of the equalities and the inequalities ``act`` (each step:
    back onto the constraints, then a step in their null space) until the projected gradient
    vanishes; returns (θ, converged, iterations)."""
    n = max(objective.total_n, 1.0)
    theta = np.array(theta, dtype=float)
    for it in range(1, max_iter + 1):
        j_eq, j_in = con.jacobian(theta)
        ceq, cin = con.values(theta)
        j = np.vstack([j_eq, j_in[act]])
        c = np.concatenate([ceq, cin[act]])
        if len(j):
            theta = theta - np.linalg.pinv(j) @ c
        g, h = objective.gradient(theta[None], info=True)
        if not np.all(np.isfinite(g)):
            return theta, False, it
        p = linalg.null_space(j) if len(j) else np.eye(len(theta))
        pg = p.T @ g[0]
        try:
            step = p @ np.linalg.solve(p.T @ h[0] @ p, pg)
        except np.linalg.LinAlgError:
            return theta, False, it
        theta = theta - step
        if (
            np.max(np.abs(pg), initial=0.0) / n < tol
            and np.max(np.abs(step), initial=0.0) < step_tol
        ):
            return theta, True, it
    return theta, False, max_iter


def _active_set(
    objective, con: ConstraintSet, theta, tol: float = 1e-11, rounds: int = 20,
    step_tol: float = 1e-9,
):  # fmt: skip
    """An active-set method around :func:`_scoring`: the inequalities at their bound in ``theta``
    start active; one that the solution violates is added, one whose multiplier has the wrong
    sign (the objective would fall by leaving the bound) is released, until neither happens.
    Returns (θ, converged, iterations)."""
    _, cin = con.values(theta)
    act = cin <= SLACK
    total = 0
    for _ in range(rounds):
        theta, ok, it = _scoring(objective, con, theta, act, tol=tol, step_tol=step_tol)
        total += it
        if not ok:
            return theta, False, total
        _, cin = con.values(theta)
        violated = ~act & (cin < -1e-9)
        if violated.any():
            act = act | violated
            continue
        if not act.any():
            return theta, True, total
        j_eq, j_in = con.jacobian(theta)
        j = np.vstack([j_eq, j_in[act]])
        g = objective.gradient(theta[None], info=False)[0][0]
        lam = np.linalg.lstsq(j.T, g, rcond=None)[0][con.n_eq :]  # ∇f = Σ λ ∇c, λ ≥ 0 at a bound
        if lam.min() >= -1e-8 * max(np.max(np.abs(lam)), 1.0):
            return theta, True, total
        act = act.copy()
        act[np.flatnonzero(act)[int(np.argmin(lam))]] = False
    return theta, False, total


class _OneOfStack:
    """Problem ``k`` of a stacked objective, as an objective of its own (for SLSQP per draw)."""

    def __init__(self, objective, k: int) -> None:
        self.objective, self.k = objective, k
        self.total_n = objective.total_n

    def value(self, theta: np.ndarray, idx=None) -> np.ndarray:
        return self.objective.value(theta, idx=np.full(len(theta), self.k))

    def gradient(self, theta: np.ndarray, info: bool = True, idx=None):
        return self.objective.gradient(theta, info=info, idx=np.full(len(theta), self.k))


def solve_stack(objective, con: ConstraintSet, theta0: np.ndarray, minimize, **kw):
    """:func:`solve` for a stack of B problems (the bootstrap's resamples): with linear (or no)
    equalities, the reduced model refitted as one stack and only the resamples that then break an
    inequality solved one by one (from the fit's estimates); with nonlinear equalities, each
    resample on its own. Returns (θ (B, q), value (B,), converged (B,), iterations (B,)), which
    :func:`cxkit.sem.optimize.minimize_stack` wraps as an ``Optimum`` (this module never imports
    the optimizer: ``minimize`` is passed in)."""

    theta0 = np.atleast_2d(theta0)
    b = theta0.shape[0]
    if con.eq_linear:  # the stack under the linear equalities; then each inequality checked
        if con.n_eq:
            k, k0 = con.reduction()
        else:
            k, k0 = np.eye(theta0.shape[1]), np.zeros(theta0.shape[1])
        red = ReducedObjective(objective, k, k0)
        opt = minimize(red, (theta0 - k0) @ k, **kw)
        thetas = red.theta(opt.theta)
        if not con.n_in:
            return thetas, opt.value, opt.converged, opt.iterations
        thetas, conv, iters = thetas.copy(), opt.converged.copy(), opt.iterations.copy()
        todo = [j for j in range(b) if not conv[j] or np.any(con.values(thetas[j])[1] < -1e-9)]
        # from the resample's own optimum (its broken inequalities then start active)
        start = np.where(conv[:, None], thetas, theta0)
    else:
        thetas = np.empty_like(theta0, dtype=float)
        conv = np.zeros(b, dtype=bool)
        iters = np.zeros(b, dtype=int)
        todo = list(range(b))
        start = theta0
    for j in todo:  # the resamples whose inequalities bind, or whose equalities are nonlinear
        thetas[j], conv[j], iters[j] = solve(
            _OneOfStack(objective, j), con, start[j], minimize, warm=True
        )
    return thetas, objective.value(thetas, idx=np.arange(b)), conv, iters
