"""ML for many covariance matrices at once: Fisher scoring vectorised over a stack.

Used by the bootstrap: B resampled covariance matrices are fitted together, each iteration a few
batched matrix products (model matrices, implied covariances, analytic derivatives, expected
information, the scoring step), with per-matrix step halving and convergence. Equality constraints
(shared labels) enter through a location → parameter scatter matrix.
"""

from __future__ import annotations

import numpy as np

from cxkit.sem.spec import ModelSpec


class BatchModel:
    """The parts of a :class:`ModelSpec` needed to evaluate it for a stack of parameter vectors."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        p, m = spec.shape
        self.p, self.m, self.q = p, m, spec.n_free
        self.fixed = spec.matrices(np.zeros(spec.n_free))  # fixed values, zeros where free
        self.loc = spec._locations()
        self.scatter = {}
        for name, (k, _, _) in self.loc.items():
            s = np.zeros((len(k), self.q))
            s[np.arange(len(k)), k] = 1.0
            self.scatter[name] = s
        # without shared labels each location is its own parameter: plain indexing, no scatter
        self.unique = {name: len(np.unique(k)) == len(k) for name, (k, _, _) in self.loc.items()}

    def _add(self, out: np.ndarray, name: str, t: np.ndarray) -> None:
        k = self.loc[name][0]
        if self.unique[name]:
            out[:, k] += t
        else:
            out += np.einsum("lk,blij->bkij", self.scatter[name], t)

    def matrices(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        b = theta.shape[0]
        mats = {
            name: np.broadcast_to(val, (b, *val.shape)).copy() for name, val in self.fixed.items()
        }
        for name, (k, r, c) in self.loc.items():
            if len(k):
                mats[name][:, r, c] = theta[:, k]
                if name in ("P", "T"):
                    mats[name][:, c, r] = theta[:, k]
        return mats

    def implied(self, theta: np.ndarray):
        mats = self.matrices(theta)
        a = np.linalg.inv(np.eye(self.m) - mats["B"])
        la = mats["L"] @ a
        inner = a @ mats["P"] @ np.swapaxes(a, 1, 2)
        sigma = la @ mats["P"] @ np.swapaxes(la, 1, 2) + mats["T"]
        mats.update(A=a, LA=la, inner_cov=inner, G=inner @ np.swapaxes(mats["L"], 1, 2))
        return sigma, mats

    def derivatives(self, mats: dict) -> np.ndarray:
        """dSigma/dtheta for the whole stack: (B, q, p, p)."""
        la, g = mats["LA"], mats["G"]
        b, p = la.shape[0], self.p
        out = np.zeros((b, self.q, p, p))
        k, r, c = self.loc["L"]
        if len(k):
            t = np.zeros((b, len(k), p, p))
            t[:, np.arange(len(k)), r, :] = g[:, c, :]
            self._add(out, "L", t + np.swapaxes(t, 2, 3))
        k, r, c = self.loc["B"]
        if len(k):
            t = np.swapaxes(la[:, :, r], 1, 2)[:, :, :, None] * g[:, c, :][:, :, None, :]
            self._add(out, "B", t + np.swapaxes(t, 2, 3))
        k, r, c = self.loc["P"]
        if len(k):
            t = (
                np.swapaxes(la[:, :, r], 1, 2)[:, :, :, None]
                * np.swapaxes(la[:, :, c], 1, 2)[:, :, None, :]
            )
            off = (r != c)[None, :, None, None]
            out += np.einsum(
                "lk,blij->bkij", self.scatter["P"], t + np.where(off, np.swapaxes(t, 2, 3), 0.0)
            )
        k, r, c = self.loc["T"]
        if len(k):
            t = np.zeros((len(k), p, p))
            t[np.arange(len(k)), r, c] = 1.0
            t[np.arange(len(k)), c, r] = 1.0
            self._add(out, "T", np.broadcast_to(t, (b, *t.shape)))
        return out


def _discrepancy(s: np.ndarray, sigma: np.ndarray, logdet_s: np.ndarray) -> np.ndarray:
    sign, logdet = np.linalg.slogdet(sigma)
    tr = np.trace(np.linalg.solve(sigma, s), axis1=1, axis2=2)
    f = logdet + tr - logdet_s - s.shape[1]
    return np.where(sign > 0, f, np.inf)


def batch_fisher_scoring(
    model: BatchModel,
    s: np.ndarray,
    theta0: np.ndarray,
    max_iter: int = 200,
    step_tol: float = 1e-6,
    grad_tol: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit every covariance matrix in ``s`` (B, p, p) from ``theta0``; returns (theta, converged)."""
    b = s.shape[0]
    theta = np.broadcast_to(theta0, (b, model.q)).copy()
    _, logdet_s = np.linalg.slogdet(s)
    sigma, mats = model.implied(theta)
    f = _discrepancy(s, sigma, logdet_s)
    done = np.zeros(b, dtype=bool)
    failed = np.zeros(b, dtype=bool)
    p = model.p
    for _ in range(max_iter):
        act = ~(done | failed)
        if not act.any():
            break
        idx = np.flatnonzero(act)
        sig_a = sigma[idx]
        mats_a = {k: v[idx] for k, v in mats.items()}
        inv = np.linalg.inv(sig_a)
        d = model.derivatives(mats_a)
        mflat = inv[:, None] @ d  # Sigma^-1 dSigma_k
        m1 = mflat.reshape(len(idx), model.q, p * p)
        m2 = np.swapaxes(mflat, 2, 3).reshape(len(idx), model.q, p * p)
        info = 0.5 * m1 @ np.swapaxes(m2, 1, 2)
        resid = inv @ (s[idx] - sig_a) @ inv
        # dSigma_k is symmetric: sum_ij resid_ij dSigma_k,ji = <dSigma_k, resid>
        grad = (
            0.5 * (d.reshape(len(idx), model.q, p * p) @ resid.reshape(len(idx), p * p, 1))[:, :, 0]
        )
        try:
            step = np.linalg.solve(info, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack(
                [np.linalg.lstsq(i, g, rcond=None)[0] for i, g in zip(info, grad, strict=True)]
            )
        small = np.max(np.abs(grad), axis=1) < grad_tol
        tiny = np.max(np.abs(step), axis=1) < step_tol
        done[idx[small & tiny]] = True
        move = ~(small & tiny)
        idx, step, f_old = idx[move], step[move], f[idx[move]]
        scale = np.ones(len(idx))
        pending = np.ones(len(idx), dtype=bool)
        new_theta = theta[idx].copy()
        new_sigma = sigma[idx].copy()
        new_f = f_old.copy()
        for _ in range(30):
            if not pending.any():
                break
            j = np.flatnonzero(pending)
            cand = theta[idx[j]] + scale[j, None] * step[j]
            sig_c, _ = model.implied(cand)
            f_c = _discrepancy(s[idx[j]], sig_c, logdet_s[idx[j]])
            good = np.isfinite(f_c) & (f_c <= f_old[j] + 1e-14)
            new_theta[j[good]] = cand[good]
            new_sigma[j[good]] = sig_c[good]
            new_f[j[good]] = f_c[good]
            pending[j[good]] = False
            scale[j[~good]] /= 2
        failed[idx[pending]] = True
        ok = ~pending
        upd = idx[ok]
        theta[upd] = new_theta[ok]
        f[upd] = new_f[ok]
        sigma_all, mats_all = model.implied(theta[upd])
        sigma[upd] = sigma_all
        for key, val in mats_all.items():
            mats[key][upd] = val
    return theta, done
