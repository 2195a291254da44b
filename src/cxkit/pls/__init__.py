"""PLS-SEM: PLS path modelling (modes A/B; path, factorial, centroid schemes), consistent PLS,
assessment (reliability, HTMT, VIF, f², effects, SRMR/d_ULS/d_G), a vectorised bootstrap and
PLSpredict, IPMA, multi-group analysis (:func:`mga`) and MICOM (:func:`micom`). The entry point is :func:`fit_pls` (also
``cxkit.fit_pls``)."""

from cxkit.pls.fit import fit_pls
from cxkit.pls.mga import mga
from cxkit.pls.micom import micom
from cxkit.pls.result import PLSResult
from cxkit.pls.spec import parse_pls

__all__ = ["PLSResult", "fit_pls", "mga", "micom", "parse_pls"]
