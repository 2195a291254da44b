"""The only module that imports semopy: estimation, and the model matrices read back from it.

semopy estimates; cxkit computes everything reported from the matrices (implied covariance,
standardised solution, reliability), because semopy's fit statistics differ from lavaan's. The fit
uses Wishart ML (``MLW``: the same estimates as lavaan's ML) with a tight tolerance.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxkit.errors import ModelError, ModelWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import semopy

SEMOPY_VERSION = semopy.__version__
TOLERANCE = {"ftol": 1e-12, "maxiter": 20000}


@dataclass(frozen=True)
class RawFit:
    """A semopy fit read back as matrices (``Sigma = L (I-B)^-1 Psi (I-B)^-T L' + Theta``).

    ``inner`` names the columns of ``Lambda`` and the rows and columns of ``B`` and ``Psi``
    (latent variables, and observed variables that take part in the structural part); ``observed``
    names the rows of ``Lambda`` and of ``Theta``.
    """

    observed: tuple[str, ...]
    inner: tuple[str, ...]
    latent: tuple[str, ...]
    Lambda: np.ndarray
    B: np.ndarray
    Psi: np.ndarray
    Theta: np.ndarray
    sample_cov: np.ndarray  # N denominator, as lavaan's ML uses
    n: int
    converged: bool
    message: str

    @property
    def inner_cov(self) -> np.ndarray:
        """Covariance matrix of the inner variables, ``(I-B)^-1 Psi (I-B)^-T``."""
        inv = np.linalg.inv(np.eye(len(self.inner)) - self.B)
        return inv @ self.Psi @ inv.T

    @property
    def implied_cov(self) -> np.ndarray:
        """Model-implied covariance matrix of the observed variables."""
        return self.Lambda @ self.inner_cov @ self.Lambda.T + self.Theta


def fit_ml(desc: str, data: pd.DataFrame) -> RawFit:
    """Fit lavaan-syntax ``desc`` to complete ``data`` by ML with lavaan-level tolerance.

    Raises
    ------
    ModelError
        semopy cannot parse the model or the optimiser fails outright.
    """
    if data.isna().to_numpy().any():
        raise ModelError("fit_ml takes complete data; drop or impute missing answers first")
    try:
        model = semopy.Model(desc)
    except Exception as exc:  # semopy raises bare exceptions on syntax it cannot read
        raise ModelError(f"semopy cannot read the model: {exc}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = model.fit(data, obj="MLW", solver="SLSQP", options=dict(TOLERANCE))
        except np.linalg.LinAlgError as exc:
            raise ModelError(f"the model could not be estimated ({exc})") from None
        except Exception as exc:
            raise ModelError(f"semopy failed to fit the model: {exc}") from None
    converged = bool(getattr(result, "success", False))
    if not converged:
        warnings.warn(
            f"the ML fit did not converge: {getattr(result, 'message', '')}",
            ModelWarning,
            stacklevel=3,
        )
    return RawFit(
        observed=tuple(model.vars["observed"]),
        inner=tuple(model.vars["inner"]),
        latent=tuple(v for v in model.vars["inner"] if v in model.vars["latent"]),
        Lambda=np.array(model.mx_lambda, dtype=float),
        B=np.array(model.mx_beta, dtype=float),
        Psi=np.array(model.mx_psi, dtype=float),
        Theta=np.array(model.mx_theta, dtype=float),
        sample_cov=np.array(model.mx_cov, dtype=float),
        n=int(len(data)),  # semopy's n_obs counts variables, not rows
        converged=converged,
        message=str(getattr(result, "message", "")),
    )
