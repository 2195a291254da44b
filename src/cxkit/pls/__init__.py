"""PLS-SEM: PLS path modelling (modes A/B; path, factorial, centroid schemes), consistent PLS,
assessment (reliability, HTMT, VIF, f², effects, SRMR/d_ULS/d_G), a vectorised bootstrap and
PLSpredict, IPMA, multi-group analysis (:func:`mga`) and MICOM (:func:`micom`). The entry point is :func:`fit_pls` (also
``cxkit.fit_pls``).

Modules by stage, each importing only those before it (``tests/test_package.py`` checks it):
``spec`` (the model) → ``algorithm`` (the weight iteration) → ``consistent`` (PLSc, ρA) →
``estimate`` (one estimate of a stack of matrices) → ``assess`` (every table's statistic, the fit
indices) → ``result`` (:class:`PLSResult`) → ``fit`` (:func:`fit_pls`: data checks, provenance);
on top ``bootstrap``, ``predict``, ``cvpat``, ``ipma``, ``mga``, ``micom``. ``PLSResult``'s methods
``bootstrap()``, ``predict()``, ``cvpat()`` and ``ipma()`` import their module when called, as
:class:`cxkit.sem.result.SEMResult` does.
"""

from cxkit.pls.cvpat import cvpat
from cxkit.pls.fit import fit_pls
from cxkit.pls.mga import mga
from cxkit.pls.micom import micom
from cxkit.pls.result import PLSResult
from cxkit.pls.spec import parse_pls

__all__ = ["PLSResult", "cvpat", "fit_pls", "mga", "micom", "parse_pls"]
