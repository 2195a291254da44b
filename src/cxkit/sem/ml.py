"""Maximum likelihood for covariance structures: discrepancy, Fisher scoring, expected information.

``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with ``S`` the sample covariance (N denominator);
lavaan's χ² is ``N F``. The expected information of one case is
``I_kl = 1/2 tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)``, and standard errors are
``sqrt(diag((N I)^-1))`` (lavaan's default for complete data: ``information = "expected"``).
"""

from __future__ import annotations

import numpy as np

from cxkit.sem.spec import ModelSpec


def discrepancy(s: np.ndarray, sigma: np.ndarray) -> float:
    """The ML discrepancy F (inf when Sigma is not positive definite)."""
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf
    _, logdet_s = np.linalg.slogdet(s)
    return float(logdet + np.trace(np.linalg.solve(sigma, s)) - logdet_s - s.shape[0])


def information(spec: ModelSpec, theta: np.ndarray) -> np.ndarray:
    """Expected information matrix of one case (q × q)."""
    sigma, _ = spec.implied(theta)
    inv = np.linalg.inv(sigma)
    d = spec.derivatives(theta)
    m = np.einsum("ij,kjl->kil", inv, d)  # Sigma^-1 dSigma_k
    return 0.5 * np.einsum("kij,lji->kl", m, m)


def fisher_scoring(
    spec: ModelSpec,
    s: np.ndarray,
    theta: np.ndarray,
    max_iter: int = 500,
    tol: float = 1e-12,
    step_tol: float = 1e-9,
    grad_tol: float = 1e-6,
) -> tuple[np.ndarray, bool, int]:
    """Minimise F by Fisher scoring with step halving; returns (theta, converged, iterations).

    Converged: the largest parameter step below ``step_tol`` (or the change of F below ``tol``)
    with the largest gradient element below ``grad_tol``.
    """
    theta = np.array(theta, dtype=float)
    sigma, mats = spec.implied(theta)
    f = discrepancy(s, sigma)
    for it in range(1, max_iter + 1):
        inv = np.linalg.inv(sigma)
        d = spec.derivatives(theta, mats)
        m = np.einsum("ij,kjl->kil", inv, d)
        info = 0.5 * np.einsum("kij,lji->kl", m, m)
        resid = inv @ (s - sigma) @ inv
        grad = 0.5 * np.einsum("ij,kji->k", resid, d)  # = -1/2 dF/dtheta
        small_grad = np.max(np.abs(grad), initial=0.0) < grad_tol
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        if small_grad and np.max(np.abs(step), initial=0.0) < step_tol:
            return theta, True, it
        scale = 1.0
        for _ in range(40):
            cand = theta + scale * step
            sig_c, mats_c = spec.implied(cand)
            f_c = discrepancy(s, sig_c)
            if np.isfinite(f_c) and f_c <= f + 1e-14:
                break
            scale /= 2
        else:
            return theta, bool(small_grad), it
        change = abs(f - f_c)
        theta, sigma, f, mats = cand, sig_c, f_c, mats_c
        if (np.max(np.abs(scale * step), initial=0.0) < step_tol or change < tol) and small_grad:
            return theta, True, it
    return theta, False, max_iter
