"""Hierarchical ω and ω total from a Schmid–Leiman solution, as ``psych::omega``.

The items' correlations (pairwise-complete, as psych) are factored by minimum residuals into
``n_factors`` group factors (``psych::fa(fm = "minres", rotate = "varimax")``), rotated obliquely
by direct oblimin (``GPArotation::oblimin``, γ = 0: Jennrich's gradient projection algorithm with
its step-halving line search and its stopping rule, ‖projected gradient‖ < 1e-5, starting from the
varimax solution as psych does), and the factor correlations factored again (one minres factor)
for the general factor ``g``. The Schmid–Leiman transformation (Schmid & Leiman, 1957) then gives
every item a loading on ``g`` and on each residualised group factor:

* ω_h (hierarchical) = (Σ g_i)² / 1'R1 — the share of the total score's variance due to ``g``;
* ω total = (1'R1 − Σ u²_i) / 1'R1 — due to all common factors;
* ω_h asymptotic (psych's ``omega.lim``) = (Σ g_i)² / (1'R1 − Σ u²_i) — ω_h of an infinitely long
  test of such items;
* ECV (explained common variance) = Σ g_i² / Σ (g_i² + Σ_f s_if²).

Items whose ``g`` loading is negative are reflected first (psych's ``flip = TRUE``). Checked against
psych 2.2.9 with GPArotation 2022.10-2 in ``tests/reference/reliability_extra``.

References: McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum; Zinbarg, R. E.,
Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's α, Revelle's β, and McDonald's ω_H.
*Psychometrika*, 70(1), 123–133; Jennrich, R. I. (2002). A simple general method for oblique
rotation. *Psychometrika*, 67(1), 7–19.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxkit.errors import AnalysisError, ModelWarning, SpecificationError
from cxkit.measure._input import prepare
from cxkit.measure.pilot import fa_minres


def _vgq_oblimin(lam: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """GPArotation's ``vgQ.oblimin``: gradient and value of the oblimin criterion."""
    m = lam.shape[1]
    x = (lam**2) @ (1 - np.eye(m))
    if gamma != 0:
        p = lam.shape[0]
        x = (np.eye(p) - gamma / p) @ x
    return lam * x, float((lam**2 * x).sum() / 4)


def oblimin(
    a: np.ndarray, gamma: float = 0.0, eps: float = 1e-5, maxit: int = 1000
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Direct oblimin rotation by gradient projection, as ``GPArotation::oblimin`` (``GPFoblq``).

    Returns the rotated pattern loadings, the factor correlations Φ and whether it converged.

    >>> import numpy as np
    >>> a = np.array([[.7, .3], [.6, .4], [.7, .2], [.3, .6], [.2, .7], [.3, .7]])
    >>> lam, phi, ok = oblimin(a)
    >>> ok, bool(np.allclose(lam @ phi @ lam.T, a @ a.T))
    (True, True)
    """
    t = np.eye(a.shape[1])
    al = 1.0
    lam = a @ np.linalg.inv(t).T
    gq, f = _vgq_oblimin(lam, gamma)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    s = np.inf
    for _ in range(maxit + 1):
        gp = g - t @ np.diag((t * g).sum(axis=0))
        s = float(np.sqrt((gp**2).sum()))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            x = t - al * gp
            tt = x / np.sqrt((x**2).sum(axis=0))
            lam = a @ np.linalg.inv(tt).T
            gqt, ft = _vgq_oblimin(lam, gamma)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        t, f = tt, ft
        g = -(lam.T @ gqt @ np.linalg.inv(tt)).T
    return lam, t.T @ t, bool(s < eps)


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, 1 − 1/diag(R⁻¹) (``psych::smc``)."""
    return 1 - 1 / np.diag(np.linalg.inv(r))


def schmid_leiman(r: np.ndarray, n_factors: int = 3) -> dict:
    """The Schmid–Leiman solution of ``psych::schmid(r, n_factors)``: minres + varimax, oblimin,
    one minres factor of the factor correlations (two factors: equal loadings, psych's
    ``option = "equal"``).

    Returns a dict with ``sl`` (items × [g, F1*, …, h2, u2, p2]), ``oblique`` (pattern loadings),
    ``phi`` (factor correlations), ``gload`` (loadings of the group factors on g), ``converged``.
    """
    orth = fa_minres(r, n_factors, "varimax")
    if n_factors == 1:
        fload, phi, ok = orth, np.eye(1), True
        gload = np.ones(1)
    else:
        fload, phi, ok = oblimin(orth)
        if n_factors > 2:
            gload = fa_minres(phi, 1, "none")[:, 0]
        else:
            gload = np.full(2, np.sqrt(abs(phi[0, 1])))
            gload[1] *= np.sign(phi[0, 1])
    g = fload @ gload
    h2 = (orth**2).sum(axis=1)
    u2 = np.diag(r) - h2
    uniq2 = np.clip(fload**2 - (fload * gload) ** 2, 0, None)
    sm = np.sign(fload) * np.sqrt(uniq2)
    sl = np.column_stack([g, sm, h2, u2, g**2 / h2])
    return {"sl": sl, "oblique": fload, "phi": phi, "gload": gload, "converged": ok}


@dataclass(frozen=True)
class OmegaResult:
    """Hierarchical ω and its companions (``psych::omega``); see :func:`omega_hierarchical`.

    Attributes: ``omega_h``, ``omega_total``, ``omega_h_asymptotic``, ``alpha`` (Cronbach's α of
    the reflected items' correlations), ``g6`` (Guttman's λ6), ``ecv``, ``n``, ``n_factors``,
    ``loadings`` (DataFrame indexed by item: ``g``, ``F1*`` … ``Fk*``, ``h2``, ``u2``, ``p2``),
    ``groups`` (DataFrame indexed ``g``, ``F1*`` …: ``total``, ``general``, ``group`` — ω total,
    ω_h and the group factor's own ω of the items that load most on each group factor),
    ``factor_cor`` (Φ of the oblimin solution), ``reflected`` (items reversed to load positively
    on g) and ``provenance``.
    """

    omega_h: float
    omega_total: float
    omega_h_asymptotic: float
    alpha: float
    g6: float
    ecv: float
    n: int
    n_factors: int
    loadings: pd.DataFrame
    groups: pd.DataFrame
    factor_cor: pd.DataFrame
    reflected: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)

    def to_series(self) -> pd.Series:
        """The scalar coefficients as one Series."""
        return pd.Series(
            {
                "n": self.n,
                "n_items": len(self.loadings),
                "n_factors": self.n_factors,
                "omega_h": self.omega_h,
                "omega_total": self.omega_total,
                "omega_h_asymptotic": self.omega_h_asymptotic,
                "alpha": self.alpha,
                "g6": self.g6,
                "ecv": self.ecv,
            }
        )

    def summary(self) -> str:
        """A plain-text report: the coefficients and the Schmid–Leiman loadings."""
        lines = [
            f"Hierarchical omega (Schmid–Leiman; minres, oblimin; {self.n_factors} group factors), "
            f"n = {self.n}, {len(self.loadings)} items",
            f"  omega_h = {self.omega_h:.3f}; omega total = {self.omega_total:.3f}; "
            f"omega_h asymptotic = {self.omega_h_asymptotic:.3f}",
            f"  alpha = {self.alpha:.3f}; G6 = {self.g6:.3f}; explained common variance = {self.ecv:.3f}",
        ]
        if self.reflected:
            lines.append(f"  reflected to load positively on g: {', '.join(self.reflected)}")
        lines += ["", self.loadings.round(2).to_string(), "", self.groups.round(3).to_string()]
        lines.append(f"R: psych::omega(items, nfactors = {self.n_factors})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<OmegaResult omega_h = {self.omega_h:.3f}, omega_total = {self.omega_total:.3f}, "
            f"{len(self.loadings)} items, {self.n_factors} group factors>"
        )

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Hierarchical ω</b> (Schmid–Leiman, {self.n_factors} group factors, n = "
            f"{self.n}): ω<sub>h</sub> = {self.omega_h:.3f}, ω total = {self.omega_total:.3f}, "
            f"ω<sub>h</sub> asymptotic = {self.omega_h_asymptotic:.3f}, ECV = {self.ecv:.3f}</p>"
        )
        return (
            head
            + self.loadings.to_html(float_format=lambda v: f"{v:.2f}")
            + self.groups.to_html(float_format=lambda v: f"{v:.3f}")
            + f"<p>{html.escape(f'R: psych::omega(items, nfactors = {self.n_factors})')}</p>"
        )


def omega_hierarchical(data, constructs, *, n_factors: int | None = None) -> OmegaResult:
    """Hierarchical ω (ω_h), ω total and explained common variance, as ``psych::omega``.

    Parameters
    ----------
    data : DataFrame or Responses
        One row per respondent; the item columns numeric.
    constructs : list of str, mapping or Instrument
        The items of the whole scale: a list of columns, or construct → items (all the constructs'
        items enter one analysis; an instrument's reverse-keyed items are recoded first).
    n_factors : int, optional
        Number of group factors. Default: the number of constructs when a mapping or instrument is
        given, else 3 (psych's default). Matching R call: ``psych::omega(items, nfactors = k)``.

    Returns
    -------
    OmegaResult

    Raises
    ------
    SpecificationError
        ``n_factors`` not a whole number from 1 to the number of items − 1.
    AnalysisError
        The items' correlation matrix is singular.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> ecsi = load_dataset("satisfaction")
    >>> om = cxkit.omega_hierarchical(ecsi, cxkit.load_instrument("ecsi@1.0.0"), n_factors=3)
    >>> round(om.omega_h, 3), round(om.omega_total, 3)  # psych::omega(items): 0.824, 0.964
    (0.824, 0.964)
    """
    if isinstance(constructs, (list, tuple)):
        constructs = {"scale": list(constructs)}
    prep = prepare(data, constructs)
    items = prep.items
    k = (3 if len(prep.blocks) == 1 else len(prep.blocks)) if n_factors is None else n_factors
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < len(items):
        raise SpecificationError(
            f"n_factors={n_factors!r} (--group-factors) is not accepted; use a whole number from 1 to "
            f"{len(items) - 1} (the number of items − 1)"
        )
    x = prep.data[items]
    r = x.corr().to_numpy()  # pairwise-complete, as psych
    if not np.all(np.isfinite(r)) or np.linalg.matrix_rank(r) < len(items):
        raise AnalysisError(
            "the items' correlation matrix is singular (an item that is the sum of others, or "
            "pairs of items never answered together); leave such items out"
        )
    sol = schmid_leiman(r, int(k))
    if not sol["converged"]:
        import warnings

        warnings.warn(
            "the oblimin rotation did not converge in 1000 iterations; ω_h is not trustworthy",
            ModelWarning,
            stacklevel=2,
        )
    sl = sol["sl"]
    key = np.sign(sl[:, 0])
    key[key == 0] = 1
    m = r * np.outer(key, key)
    sl[:, : k + 1] *= key[:, None]
    vt, tr = m.sum(), np.trace(m)
    gsq = sl[:, 0].sum() ** 2
    uniq = sl[:, k + 2].sum()
    ev = (sl[:, : k + 1] ** 2).sum(axis=0)
    fac = [f"F{j + 1}*" for j in range(k)]
    loadings = pd.DataFrame(
        sl, index=pd.Index(items, name="item"), columns=["g", *fac, "h2", "u2", "p2"]
    )
    # ω of each group factor: the items that load most on it (psych's omega.group)
    sub = np.argmax(np.abs(sl[:, 1 : k + 1]), axis=1)
    om_tot = (vt - uniq) / vt
    rows = {"g": {"total": om_tot, "general": gsq / vt, "group": np.nan}}
    grs = 0.0
    for j in range(k):
        idx = np.flatnonzero(sub == j)
        if not len(idx):
            rows[fac[j]] = {"total": np.nan, "general": np.nan, "group": np.nan}
            continue
        vgr = m[np.ix_(idx, idx)].sum()
        gr = sl[idx, j + 1].sum()
        grs += gr**2
        gen = sl[idx, 0].sum() ** 2
        rows[fac[j]] = {"total": (gr**2 + gen) / vgr, "general": gen / vgr, "group": gr**2 / vgr}
    rows["g"]["group"] = grs / vt
    groups = pd.DataFrame.from_dict(rows, orient="index")
    groups.index.name = "factor"
    p = len(items)
    names = [f"F{j + 1}" for j in range(k)]
    return OmegaResult(
        omega_h=float(gsq / vt),
        omega_total=float(om_tot),
        omega_h_asymptotic=float(gsq / (vt - uniq)),
        alpha=float((vt - tr) / vt * p / (p - 1)),
        g6=float((vt + _smc(m).sum() - tr) / vt),
        ecv=float(ev[0] / ev.sum()),
        n=int(len(x)),
        n_factors=int(k),
        loadings=loadings,
        groups=groups,
        factor_cor=pd.DataFrame(sol["phi"], index=names, columns=names),
        reflected=tuple(i for i, s in zip(items, key, strict=True) if s < 0),
        provenance={
            **prep.provenance,
            "reversed_items": list(prep.reversed_items),
            "method": "minres, oblimin, Schmid–Leiman",
            "r_call": f"psych::omega(items, nfactors = {int(k)})",
        },
    )
