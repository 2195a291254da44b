"""Stage 6: information matrices and the covariance matrix of the estimates.

* expected: ``Σ_g n_g Δ_g' W_g Δ_g`` (the objective's curvature, :mod:`cxkit.sem.objective`),
  lavaan's default for complete-data ML;
* observed: the Jacobian of the analytic gradient (central differences), lavaan's default for FIML
  and MLR;
* sandwich (MLR, Huber–White): ``E⁻¹ B₀ E⁻¹`` with ``B₀`` the cross-products of the casewise scores
  (:mod:`cxkit.sem.robust`); robust.sem (WLSMV): ``(Δ'WΔ)⁻¹ Δ'WΓWΔ (Δ'WΔ)⁻¹``.

One rule for a singular information matrix: a :class:`~cxkit.errors.ModelWarning` that the model is
not identified, and NaN standard errors — never a silent answer.
"""

from __future__ import annotations

import warnings

import numpy as np

from cxkit.errors import ModelWarning
from cxkit.sem.objective import FIMLObjective
from cxkit.sem.samplestats import single_thread

#: gradients evaluated at once by :func:`observed_information` (unless the objective says)
CHUNK = 16


def central_differences(fn, theta: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """The symmetrised Jacobian (q, q) of a vector function ``fn`` of stacked parameter vectors
    (B, q) → (B, q), from central differences at ``theta`` (q,): the 2q points evaluated a stack
    of ``chunk`` at a time (the stack's arrays stay small)."""
    q = len(theta)
    steps = 1e-5 * np.maximum(1.0, np.abs(theta))
    pts = np.concatenate([theta + np.diag(steps), theta - np.diag(steps)])
    vals = np.concatenate([fn(pts[i : i + chunk]) for i in range(0, 2 * q, chunk)])
    h = (vals[:q] - vals[q:]).T / (2 * steps)[None, :]
    return (h + h.T) / 2


def observed_information(objective, theta: np.ndarray) -> np.ndarray:
    """The Hessian of the objective at ``theta`` (q,) from central differences of its analytic
    gradient (for ML/FIML the objective is −logL up to a constant); for FIML analytic in the
    moments instead (:func:`fiml_hessian`)."""
    theta = np.asarray(theta, float)
    if isinstance(objective, FIMLObjective):
        return fiml_hessian(objective, theta)
    return central_differences(
        lambda pts: objective.gradient(pts, info=False)[0],
        theta,
        getattr(objective, "chunk", CHUNK),
    )


def fiml_hessian(objective, theta: np.ndarray) -> np.ndarray:
    """The Hessian of a FIML objective at ``theta`` (q,), analytic in the moments:
    ``Σ_g Δ_g' H_g Δ_g`` with ``H_g`` the saturated model's observed information at the
    model's moments (:meth:`~cxkit.sem.samplestats.PatternSet.information`), plus the
    curvature of the moments ``Σ_j (∂f/∂m_j) ∂²m_j/∂θ∂θ'`` from central differences of the
    chain rule at the fixed ``∂f/∂(Σ, μ)`` — cheap, with no pass over the patterns per step."""
    model, q, p = objective.model, len(theta), objective.model.p
    with single_thread():
        moms = model.moments(theta[None])
        deltas = model.delta(theta[None], moms)
        h = np.zeros((q, q))
        fixed = []
        for ps, mom, delta in zip(objective.sets, moms, deltas, strict=True):
            info = ps.information(mom.mu[0], mom.sigma[0])
            if not model.means:
                info = info[p:, p:]
            h += delta[0].T @ info @ delta[0]
            _, _, (g_sigma, g_mu) = ps.evaluate(mom.mu, mom.sigma, grad=True)
            fixed.append((g_sigma[0], g_mu[0] if model.means else None))

        def chain(pts):
            b = len(pts)
            out = np.zeros((b, q))
            for piece, (g_sigma, g_mu) in zip(
                model.lowrank(pts, model.moments(pts)), fixed, strict=True
            ):
                out += model.chain(
                    piece,
                    np.broadcast_to(g_sigma, (b, p, p)),
                    None if g_mu is None else np.broadcast_to(g_mu, (b, p)),
                )
            return out

        h = h + central_differences(chain, theta, 32)
    return (h + h.T) / 2


def invert(info: np.ndarray, what: str = "the model") -> np.ndarray:
    """Inverse of an information matrix; NaN (with a warning) when it is singular."""
    if not len(info):
        return info.copy()
    eig = np.linalg.eigvalsh(info)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.warn(
            f"the information matrix of {what} is singular: the model is not identified (fix a "
            "loading or a latent variance per factor, or remove a parameter); standard errors are "
            "missing",
            ModelWarning,
            stacklevel=4,
        )
        return np.full(info.shape, np.nan)
    return np.linalg.inv(info)


def sandwich_wls(delta: np.ndarray, w: np.ndarray, gamma: np.ndarray, n: float) -> np.ndarray:
    """lavaan's ``robust.sem`` vcov for a diagonal weight ``w``: ``(Δ'WΔ)⁻¹ Δ'WΓWΔ (Δ'WΔ)⁻¹ / n``."""
    wd = delta * w[:, None]
    bread = invert(delta.T @ wd)
    return bread @ (wd.T @ gamma @ wd) @ bread / n
