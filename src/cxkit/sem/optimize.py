"""Stage 5: one optimizer for every objective and every stack of problems.

Quasi-Newton steps whose curvature starts as the objective's expected information (Fisher scoring)
and is refined by BFGS updates — Fisher scoring alone converges only linearly when a model misfits —
with step halving so that every step goes downhill, vectorised over a stack of B problems (each with
its own step size, curvature and convergence). When halving finds no downhill step the curvature is
reset to the information once before the problem is given up.

**Convergence** (one rule): the largest gradient element per case below ``grad_tol`` and the largest
parameter step below ``step_tol``; or no downhill step while the gradient per case is below
``sqrt(grad_tol)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Optimum:
    theta: np.ndarray  # (B, q)
    value: np.ndarray  # (B,)
    converged: np.ndarray  # (B,) bool
    iterations: np.ndarray  # (B,) int


SWITCH = 1e-3  # relative decrease below which Fisher scoring hands over to BFGS


def _solve(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(h, g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        out = np.empty_like(g)
        for k in range(len(g)):
            out[k] = np.linalg.lstsq(h[k], g[k], rcond=None)[0]
        return out


def minimize(
    objective,
    theta0: np.ndarray,
    max_iter: int = 500,
    grad_tol: float = 1e-10,
    step_tol: float = 1e-9,
) -> Optimum:
    """Minimise ``objective`` (``value(θ)`` → (B,), ``gradient(θ, info)`` → (B, q), (B, q, q))
    from ``theta0`` ((q,) or (B, q))."""
    theta = np.array(np.atleast_2d(theta0), dtype=float)
    b, q = theta.shape
    nscale = max(objective.total_n, 1.0)
    f = objective.value(theta, idx=np.arange(b))
    grad, h = objective.gradient(theta, info=True, idx=np.arange(b))
    done = np.zeros(b, dtype=bool)
    conv = np.zeros(b, dtype=bool)
    iters = np.zeros(b, dtype=int)
    reset = np.zeros(b, dtype=bool)
    fisher = np.ones(b, dtype=bool)
    if q == 0:
        return Optimum(theta, f, np.ones(b, bool), iters)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if not len(act):
            break
        iters[act] += 1
        step = _solve(h[act], grad[act])
        gmax = np.max(np.abs(grad[act]), axis=1) / nscale
        smax = np.max(np.abs(step), axis=1)
        fin = (gmax < grad_tol) & (smax < step_tol)
        done[act[fin]] = conv[act[fin]] = True
        keep = ~fin
        act, step = act[keep], step[keep]
        if not len(act):
            break
        scale = np.ones(len(act))
        pending = np.ones(len(act), dtype=bool)
        new_theta = theta[act].copy()
        new_f = f[act].copy()
        tol = 1e-13 * np.maximum(1.0, np.abs(f[act]))
        for _ in range(40):
            j = np.flatnonzero(pending)
            if not len(j):
                break
            cand = theta[act[j]] - scale[j, None] * step[j]
            with np.errstate(all="ignore"):
                f_c = objective.value(cand, idx=act[j])
            good = np.isfinite(f_c) & (f_c <= f[act[j]] + tol[j])
            new_theta[j[good]] = cand[good]
            new_f[j[good]] = f_c[good]
            pending[j[good]] = False
            scale[j[~good]] /= 2
        stuck = act[pending]
        if len(stuck):
            gm = np.max(np.abs(grad[stuck]), axis=1) / nscale
            small = gm < np.sqrt(grad_tol)
            retry = ~small & ~reset[stuck]
            if retry.any():  # back to Fisher scoring, once
                idx = stuck[retry]
                _, h_new = objective.gradient(theta[idx], info=True, idx=idx)
                h[idx] = h_new
                reset[idx] = True
                fisher[idx] = True
            give = stuck[~retry]
            done[give] = True
            conv[give] = small[~retry]
        moved = act[~pending]
        if not len(moved):
            continue
        s = new_theta[~pending] - theta[moved]
        theta[moved] = new_theta[~pending]
        f_old = f[moved]
        f[moved] = new_f[~pending]
        fisher_now = fisher[moved]
        g_new, h_new = objective.gradient(theta[moved], info=bool(fisher_now.any()), idx=moved)
        y = g_new - grad[moved]
        grad[moved] = g_new
        gmax = np.max(np.abs(g_new), axis=1) / nscale
        small_change = np.abs(f_old - f[moved]) <= 1e-15 * np.maximum(1.0, np.abs(f[moved]))
        fin = (gmax < grad_tol) & ((np.max(np.abs(s), axis=1) < step_tol) | small_change)
        done[moved[fin]] = conv[moved[fin]] = True
        # Fisher scoring while the objective falls fast; then BFGS updates of the curvature
        # (Fisher scoring alone is only linear when the model misfits)
        rel = (f_old - f[moved]) / np.maximum(1.0, np.abs(f[moved]))
        full = scale[~pending] == 1.0
        if fisher_now.any():
            h[moved[fisher_now]] = h_new[fisher_now]
        fisher[moved[fisher_now & full & (rel < SWITCH)]] = False
        sy = np.einsum("bi,bi->b", s, y)
        hs = np.einsum("bij,bj->bi", h[moved], s)
        shs = np.einsum("bi,bi->b", s, hs)
        ok = (sy > 1e-12 * np.maximum(shs, 1e-300)) & (shs > 0) & ~fisher_now
        if ok.any():
            idx = moved[ok]
            h[idx] = (
                h[idx]
                - hs[ok][:, :, None] * hs[ok][:, None, :] / shs[ok][:, None, None]
                + y[ok][:, :, None] * y[ok][:, None, :] / sy[ok][:, None, None]
            )
        reset[moved] = False
    return Optimum(theta, f, conv, iters)


def minimize_constrained(
    objective, theta0: np.ndarray, constraints
) -> tuple[np.ndarray, bool, int]:
    """The minimum of ``objective`` under a :class:`~cxkit.sem.constraints.ConstraintSet`: the
    reduced model of linear equalities through :func:`minimize`, SLSQP otherwise
    (:func:`cxkit.sem.constraints.solve`). Returns (θ, converged, iterations)."""
    from cxkit.sem.constraints import solve

    return solve(objective, constraints, theta0, minimize)


def minimize_stack(objective, theta0: np.ndarray, constraints=None, **kw) -> Optimum:
    """:func:`minimize` of a stack of problems under the model's constraints (none: the plain
    optimizer); see :func:`cxkit.sem.constraints.solve_stack`."""
    if not constraints:
        return minimize(objective, theta0, **kw)
    from cxkit.sem.constraints import solve_stack

    return Optimum(*solve_stack(objective, constraints, theta0, minimize, **kw))
