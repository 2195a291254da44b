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

#: gradients evaluated at once by :func:`observed_information` (unless the objective says)
CHUNK = 16


def observed_information(objective, theta: np.ndarray) -> np.ndarray:
    """The Hessian of the objective at ``theta`` (q,) from central differences of its analytic
    gradient, symmetrised (for ML/FIML the objective is −logL up to a constant); an objective
    with a ``hessian`` of its own (FIML: analytic in the moments) gives that instead."""
    if hasattr(objective, "hessian"):
        return objective.hessian(np.asarray(theta, float))
    q = len(theta)
    steps = 1e-5 * np.maximum(1.0, np.abs(theta))
    pts = np.concatenate([theta + np.diag(steps), theta - np.diag(steps)])
    # the 2q gradients as stacks of a few points (the stack's arrays stay small)
    chunk = getattr(objective, "chunk", CHUNK)
    grads = np.concatenate(
        [objective.gradient(pts[i : i + chunk], info=False)[0] for i in range(0, 2 * q, chunk)]
    )
    h = (grads[:q] - grads[q:]).T / (2 * steps)[None, :]
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
