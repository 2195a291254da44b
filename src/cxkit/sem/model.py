"""Stage 3: θ → per-group matrices → μ, Σ and their derivatives Δ — vectorised over a stack of θ.

Every function takes ``theta`` of shape ``(q,)`` or ``(B, q)`` (B parameter vectors at once, for
the bootstrap) and loops over groups. The moments of group g are ``m_g = (μ_g, vech Σ_g)`` (μ only
with a mean structure; ``vech`` the lower triangle in :func:`numpy.tril_indices` order, each
covariance once), and ``Δ_g = ∂m_g/∂θ`` is analytic:

* Λ[r, c]: ``∂Σ = e_r G_c + G_c' e_r'`` with ``G = (AΨA')Λ'``, ``∂μ_r = (Aα)_c``;
* B[r, c]: ``∂Σ = (ΛA)_r G_c + G_c'(ΛA)_r'``, ``∂μ = (ΛA)_r (Aα)_c``;
* Ψ[r, c]: ``∂Σ = (ΛA)_r (ΛA)_c' (+ transpose when r ≠ c)``; Θ[r, c]: ``E_rc (+ E_cr)``;
* ν[r]: ``∂μ = e_r``; α[r]: ``∂μ = (ΛA)_r``.

>>> import numpy as np
>>> from cxkit.sem.partable import build_partable
>>> pt = build_partable("F =~ x1 + x2 + x3")
>>> model = Model(pt)
>>> theta = np.array([0.8, 0.6, 0.5, 0.5, 0.5, 1.0])
>>> mom = model.moments(theta)[0]
>>> round(float(mom.sigma[0, 1]), 3)
0.8
>>> bool(np.allclose(model.delta(theta)[0], model.numeric_delta(theta)[0], atol=1e-6))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxkit.sem.partable import ParTable


@dataclass
class Moments:
    """One group's implied moments (each with a leading stack axis when θ was a stack)."""

    sigma: np.ndarray
    mu: np.ndarray
    mats: dict


class Model:
    """The matrix form of a :class:`ParTable` (fixed values must be filled in)."""

    def __init__(self, pt: ParTable) -> None:
        self.pt = pt
        self.q = pt.npar
        self.p = len(pt.ov)
        self.m = len(pt.inner)
        self.means = pt.meanstructure
        self.ngroups = pt.ngroups
        self.vech = np.tril_indices(self.p)
        self.nvech = len(self.vech[0])
        self.k = self.nvech + (self.p if self.means else 0)
        oi = {v: k for k, v in enumerate(pt.ov)}
        ii = {v: k for k, v in enumerate(pt.inner)}
        self.groups = []
        for g in range(1, pt.ngroups + 1):
            fixed = {
                "L": np.zeros((self.p, self.m)),
                "B": np.zeros((self.m, self.m)),
                "P": np.zeros((self.m, self.m)),
                "T": np.zeros((self.p, self.p)),
                "nu": np.zeros((self.p, 1)),
                "alpha": np.zeros((self.m, 1)),
                # covariances of observed residuals with latent disturbances (only modification
                # indices use it: lavaan moves such variables to dummies instead)
                "X": np.zeros((self.p, self.m)),
            }
            for d in pt.dummies:
                fixed["L"][oi[d], ii[d]] = 1.0
            loc = {name: [] for name in fixed}
            for r in pt.group_rows(g):
                if r.free < 0:
                    fixed[r.matrix][r.row, r.col] = r.value
                    if r.matrix in ("P", "T"):
                        fixed[r.matrix][r.col, r.row] = r.value
                else:
                    loc[r.matrix].append((r.free, r.row, r.col))
            arrays = {}
            for name, items in loc.items():
                arr = np.array(items, dtype=int).reshape(-1, 3)
                scatter = np.zeros((len(arr), self.q))
                scatter[np.arange(len(arr)), arr[:, 0]] = 1.0
                arrays[name] = (arr[:, 0], arr[:, 1], arr[:, 2], scatter)
            used = sorted({int(k) for k, _, _, _ in arrays.values() for k in k})
            self.groups.append({"fixed": fixed, "loc": arrays, "cols": np.array(used, dtype=int)})

    # -- matrices and moments ------------------------------------------------------------------
    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Group ``g``'s (0-based) matrices for a stack ``theta`` (B, q)."""
        grp = self.groups[g]
        b = theta.shape[0]
        mats = {}
        for name, val in grp["fixed"].items():
            mat = np.broadcast_to(val, (b, *val.shape)).copy()
            k, r, c, _ = grp["loc"][name]
            if len(k):
                mat[:, r, c] = theta[:, k]
                if name in ("P", "T"):
                    mat[:, c, r] = theta[:, k]
            mats[name] = mat
        return mats

    def moments(self, theta: np.ndarray) -> list[Moments]:
        """Implied μ and Σ of every group; arrays carry a stack axis iff ``theta`` is 2-D."""
        single = theta.ndim == 1
        th = np.atleast_2d(theta)
        out = []
        for g in range(self.ngroups):
            mats = self.matrices(th, g)
            ib = np.eye(self.m) - mats["B"]
            bad = np.zeros(th.shape[0], dtype=bool)
            if self.m:
                with np.errstate(all="ignore"):
                    det = np.linalg.det(ib)
                bad = ~np.isfinite(det) | (np.abs(det) < 1e-12)
                if bad.any():  # (I − B) singular: a nonrecursive model at an impossible point
                    ib[bad] = np.eye(self.m)
                if not np.all(np.isfinite(th)):
                    bad |= ~np.all(np.isfinite(th), axis=1)
            a = np.linalg.inv(ib) if self.m else ib
            la = mats["L"] @ a
            inner = a @ mats["P"] @ np.swapaxes(a, 1, 2)
            sigma = la @ mats["P"] @ np.swapaxes(la, 1, 2) + mats["T"]
            if len(self.groups[g]["loc"]["X"][0]):
                cross = la @ np.swapaxes(mats["X"], 1, 2)
                sigma = sigma + cross + np.swapaxes(cross, 1, 2)
            aa = a @ mats["alpha"]  # (B, m, 1)
            mu = (mats["nu"] + la @ mats["alpha"])[:, :, 0]
            mats.update(
                A=a, LA=la, inner_cov=inner, G=inner @ np.swapaxes(mats["L"], 1, 2), Aa=aa, bad=bad
            )
            if single:
                mats = {k: v[0] for k, v in mats.items()}
                out.append(Moments(sigma[0], mu[0], mats))
            else:
                out.append(Moments(sigma, mu, mats))
        return out

    # -- derivatives -----------------------------------------------------------------------------
    def delta(self, theta: np.ndarray, moments: list[Moments] | None = None) -> list[np.ndarray]:
        """Δ_g = ∂(μ_g, vech Σ_g)/∂θ of every group: (k, q), or (B, k, q) for a stack."""
        single = theta.ndim == 1
        th = np.atleast_2d(theta)
        if moments is None or single:
            moments = self.moments(th)
        out = []
        ri, ci = self.vech
        p = self.p
        for g, mom in enumerate(moments):
            mats = mom.mats
            la, gm, aa = mats["LA"], mats["G"], mats["Aa"][:, :, 0]
            b = th.shape[0]
            loc = self.groups[g]["loc"]
            d_sig = np.zeros((b, self.nvech, self.q))
            d_mu = np.zeros((b, p, self.q))
            k, r, c, sc = loc["L"]
            if len(k):
                t = (ri[None, :] == r[:, None]) * gm[:, c][:, :, ci] + (
                    ci[None, :] == r[:, None]
                ) * gm[:, c][:, :, ri]
                d_sig += np.swapaxes(t, 1, 2) @ sc
                if self.means:
                    d_mu += np.swapaxes(aa[:, c][:, :, None] * np.eye(p)[r][None], 1, 2) @ sc
            k, r, c, sc = loc["B"]
            if len(k):
                lar = np.swapaxes(la[:, :, r], 1, 2)  # (B, l, p)
                t = lar[:, :, ri] * gm[:, c][:, :, ci] + lar[:, :, ci] * gm[:, c][:, :, ri]
                d_sig += np.swapaxes(t, 1, 2) @ sc
                if self.means:
                    d_mu += np.swapaxes(lar * aa[:, c][:, :, None], 1, 2) @ sc
            k, r, c, sc = loc["P"]
            if len(k):
                lar = np.swapaxes(la[:, :, r], 1, 2)
                lac = np.swapaxes(la[:, :, c], 1, 2)
                t = lar[:, :, ri] * lac[:, :, ci]
                off = (r != c)[None, :, None]
                t = t + np.where(off, lac[:, :, ri] * lar[:, :, ci], 0.0)
                d_sig += np.swapaxes(t, 1, 2) @ sc
            k, r, c, sc = loc["T"]
            if len(k):
                t = ((ri[None, :] == r[:, None]) & (ci[None, :] == c[:, None])) | (
                    (ri[None, :] == c[:, None]) & (ci[None, :] == r[:, None])
                )
                d_sig += (t.T.astype(float) @ sc)[None]
            k, r, c, sc = loc["X"]
            if len(k):
                lac = np.swapaxes(la[:, :, c], 1, 2)  # (B, l, p)
                t = (ri[None, :] == r[:, None]) * lac[:, :, ci] + (ci[None, :] == r[:, None]) * lac[
                    :, :, ri
                ]
                d_sig += np.swapaxes(t, 1, 2) @ sc
            if self.means:
                k, r, c, sc = loc["nu"]
                if len(k):
                    d_mu += (np.eye(p)[r].T @ sc)[None]
                k, r, c, sc = loc["alpha"]
                if len(k):
                    d_mu += la[:, :, r] @ sc
                full = np.concatenate([d_mu, d_sig], axis=1)
            else:
                full = d_sig
            out.append(full[0] if single else full)
        return out

    def lowrank(self, theta: np.ndarray, moments: list[Moments]) -> list[tuple]:
        """Δ of every group as rank-two pieces, one per free-parameter location ``l`` (a cell of
        Λ, B, Ψ, Θ, X, ν or α): ``∂Σ/∂l = a_l b_l' + b_l a_l'`` and ``∂μ/∂l = c_l``, with vectors
        ``a``, ``b``, ``c`` (B, L, p) and the scatter (L, q) from locations to parameters.

        Gradients and the expected information follow without the (k × q) Δ:
        ``∂f/∂l = 2 a_l' G b_l + c_l' g`` for ``df = tr(G dΣ) + g'dμ`` (:meth:`chain`), and
        ``½ tr(K ∂Σ_l K ∂Σ_j) = (a_l'Ka_j)(b_l'Kb_j) + (a_l'Kb_j)(b_l'Ka_j)`` (:meth:`fisher`).
        """
        th = np.atleast_2d(theta)
        b = th.shape[0]
        p = self.p
        eye = np.eye(p)
        out = []
        for g, mom in enumerate(moments):
            mats = mom.mats
            la = np.swapaxes(mats["LA"], 1, 2)  # (B, m, p): column j of ΛA as a row
            gm, aa = mats["G"], mats["Aa"][:, :, 0]
            a_parts, b_parts, c_parts, scs = [], [], [], []
            for name, (k, r, c, sc) in self.groups[g]["loc"].items():
                if not len(k):
                    continue
                zero = np.zeros((b, len(k), p))
                if name == "L":
                    av = np.broadcast_to(eye[r], zero.shape)
                    bv = gm[:, c, :]
                    cv = av * aa[:, c][:, :, None] if self.means else zero
                elif name == "B":
                    av = la[:, r, :]
                    bv = gm[:, c, :]
                    cv = av * aa[:, c][:, :, None] if self.means else zero
                elif name == "P":
                    av = la[:, r, :]
                    bv = la[:, c, :] * np.where(r == c, 0.5, 1.0)[None, :, None]
                    cv = zero
                elif name == "T":
                    av = np.broadcast_to(eye[r], zero.shape)
                    bv = np.broadcast_to(eye[c] * np.where(r == c, 0.5, 1.0)[:, None], zero.shape)
                    cv = zero
                elif name == "X":
                    av = np.broadcast_to(eye[r], zero.shape)
                    bv = la[:, c, :]
                    cv = zero
                elif name == "nu" and self.means:
                    av = bv = zero
                    cv = np.broadcast_to(eye[r], zero.shape)
                elif name == "alpha" and self.means:
                    av = bv = zero
                    cv = la[:, r, :]
                else:
                    continue
                a_parts.append(av)
                b_parts.append(bv)
                c_parts.append(cv)
                scs.append(sc)
            if a_parts:
                out.append(
                    (
                        np.concatenate(a_parts, axis=1),
                        np.concatenate(b_parts, axis=1),
                        np.concatenate(c_parts, axis=1),
                        np.concatenate(scs, axis=0),
                    )
                )
            else:
                empty = np.zeros((b, 0, p))
                out.append((empty, empty, empty, np.zeros((0, self.q))))
        return out

    @staticmethod
    def chain(piece: tuple, g_sigma: np.ndarray, g_mu: np.ndarray | None) -> np.ndarray:
        """∂f/∂θ (B, q) of one group from ``G = ∂f/∂Σ`` (B, p, p, symmetric) and ``g = ∂f/∂μ``."""
        a, b, c, sc = piece
        per = 2 * np.einsum("blp,blp->bl", a @ g_sigma, b)
        if g_mu is not None:
            per = per + np.einsum("blp,bp->bl", c, g_mu)
        return per @ sc

    def fisher(self, piece: tuple, k: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """``weight · Δ' W Δ`` (B, q, q) of one group: the normal-theory information of one
        complete case (``W``: ``K`` for μ, ``½ D'(K ⊗ K)D`` for Σ, ``K = Σ⁻¹``) from the pieces."""
        a, b, c, sc = piece
        ka, kb = a @ k, b @ k
        aka = ka @ np.swapaxes(a, 1, 2)
        bkb = kb @ np.swapaxes(b, 1, 2)
        akb = ka @ np.swapaxes(b, 1, 2)
        loc = aka * bkb + akb * np.swapaxes(akb, 1, 2)
        if self.means:
            loc = loc + (c @ k) @ np.swapaxes(c, 1, 2)
        return weight[:, None, None] * (sc.T @ loc @ sc)

    def moment_vector(self, mom: Moments) -> np.ndarray:
        """``(μ, vech Σ)`` of one group's moments (the μ part only with a mean structure)."""
        v = mom.sigma[..., self.vech[0], self.vech[1]]
        return np.concatenate([mom.mu, v], axis=-1) if self.means else v

    def numeric_delta(self, theta: np.ndarray, h: float = 1e-6) -> list[np.ndarray]:
        """Δ by central differences (a check on :meth:`delta`)."""
        out = [np.zeros((self.k, self.q)) for _ in range(self.ngroups)]
        for j in range(self.q):
            up, dn = theta.copy(), theta.copy()
            up[j] += h
            dn[j] -= h
            for g, (a, b) in enumerate(zip(self.moments(up), self.moments(dn), strict=True)):
                out[g][:, j] = (self.moment_vector(a) - self.moment_vector(b)) / (2 * h)
        return out

    # -- starting values -------------------------------------------------------------------------
    def start_values(self, stats) -> np.ndarray:
        """Starting values from the sample moments of every group, averaged over the groups that
        share a parameter: per factor, its variance ψ from the marker's covariances (``s_mj s_mk /
        s_jk``, the median over pairs of other indicators) and the loadings ``s_mj / ψ`` (so a
        reversed item starts negative), residual variances ``s_jj − λ_j² ψ`` (at least a tenth of
        ``s_jj``), regressions and covariances 0, intercepts the sample means."""
        theta = np.zeros(self.q)
        count = np.zeros(self.q)
        pt = self.pt
        for g in range(self.ngroups):
            s = stats.groups[g].cov
            mean = stats.groups[g].mean
            lam, psi = _factor_starts(pt, g + 1, s)
            for r in pt.group_rows(g + 1):
                if r.free < 0:
                    continue
                v = 0.0
                if r.matrix == "L":
                    v = lam.get((r.row, r.col), 0.7 if pt.std_lv else 1.0)
                elif r.matrix == "B" and pt.inner[r.row] in pt.dummies and pt.inner[r.col] in pt.lv:
                    v = lam.get((pt.ov.index(pt.inner[r.row]), r.col), 1.0)
                elif r.matrix == "B" and any(
                    q.op == "=~" and q.rhs == pt.inner[r.row] for q in pt.rows
                ):
                    v = 0.7 if pt.std_lv else 1.0  # a higher-order loading
                elif r.matrix == "T" and r.row == r.col:
                    v = s[r.row, r.row] - sum(
                        lam.get((r.row, c), 0.0) ** 2 * psi.get(c, 1.0) for c in range(self.m)
                    )
                    v = float(np.clip(v, 0.1 * s[r.row, r.row], s[r.row, r.row]))
                elif r.matrix == "P" and r.row == r.col:
                    name = pt.inner[r.row]
                    if name in pt.lv:
                        v = 1.0 if pt.std_lv else psi.get(r.row, 0.05)
                        if not pt.std_lv and any(q.op == "~" and q.lhs == name for q in pt.rows):
                            v *= 0.5  # a residual variance
                    else:
                        j = pt.ov.index(name)
                        v = 0.5 * s[j, j]
                elif r.matrix == "nu":
                    v = mean[r.row]
                elif r.matrix == "alpha" and pt.inner[r.row] not in pt.lv:
                    v = mean[pt.ov.index(pt.inner[r.row])]
                theta[r.free] += v
                count[r.free] += 1
        return theta / np.maximum(count, 1)


def _factor_starts(pt: ParTable, g: int, s: np.ndarray) -> tuple[dict, dict]:
    """Per factor with observed indicators: {(row, col): loading} and {col: variance}."""
    lam: dict = {}
    psi: dict = {}
    inner = {v: k for k, v in enumerate(pt.inner)}
    ov = {v: k for k, v in enumerate(pt.ov)}
    for f in pt.lv:
        rows = [r for r in pt.group_rows(g) if r.op == "=~" and r.lhs == f and r.rhs in ov]
        if not rows:
            continue
        idx = [ov[r.rhs] for r in rows]
        fixed = [r for r in rows if r.free < 0 and r.value != 0]
        marker = ov[fixed[0].rhs] if fixed else idx[0]
        v_m = fixed[0].value if fixed else 1.0
        others = [j for j in idx if j != marker]
        cands = []
        for a, j in enumerate(others):
            for k in others[a + 1 :]:
                if abs(s[j, k]) > 1e-12:
                    cands.append(s[marker, j] * s[marker, k] / s[j, k])
        if cands:
            p_f = float(np.median(cands)) / v_m**2
        elif others:
            p_f = abs(s[marker, others[0]]) / abs(v_m)
        else:
            p_f = 0.5 * s[marker, marker] / v_m**2
        p_f = float(np.clip(p_f, 0.05 * s[marker, marker] / v_m**2, s[marker, marker] / v_m**2))
        c = inner[f]
        for j in idx:
            lam[(j, c)] = v_m if j == marker else s[marker, j] / (v_m * p_f)
        if pt.std_lv:
            root = np.sqrt(p_f)
            for j in idx:
                lam[(j, c)] *= root
            p_f = 1.0
        psi[c] = p_f
    return lam, psi
