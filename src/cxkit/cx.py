"""The CX models built from an instrument (``cxkit.models``), as lavaan syntax a user can print, edit and pass to fit_sem.

The five dimensions of the online CX pyramid are the instrument's constructs whose ``level`` is
``emotional`` (emotional connection) or ``rational`` (online experience, responsive service nature,
trust, fulfilment); loyalty is the construct whose level is ``outcome``.

Reverse-keyed items enter the models as they are in the data: recode them first
(:func:`cxkit.responses.scoring.reverse_keyed`) so that every loading is positive.
"""

from __future__ import annotations

from cxkit.errors import ModelError
from cxkit.instrument.model import Instrument


def roles(instrument: Instrument) -> tuple[list[str], list[str], list[str]]:
    """The constructs by their role in the CX pyramid: (rational, emotional, outcome).

    >>> import cxkit
    >>> cxkit.models.roles(cxkit.load_instrument("online-cx@2.0.0"))
    (['OE', 'RS', 'TR', 'FU'], ['EC'], ['LOY'])
    """
    info = instrument.construct_info
    rational = [c for c in info if info[c].level == "rational"]
    emotional = [c for c in info if info[c].level == "emotional"]
    outcome = [c for c in info if info[c].level == "outcome"]
    return rational, emotional, outcome


def _parts(instrument: Instrument) -> tuple[str, list[str], str, str]:
    if not isinstance(instrument, Instrument):
        raise ModelError(
            f"expected an Instrument (cxkit.load_instrument(...)); got {type(instrument).__name__}"
        )
    info = instrument.construct_info
    rational, emotional, outcome = roles(instrument)
    if len(emotional) != 1 or not rational:
        raise ModelError(
            f"{instrument.ref} does not have the CX pyramid's dimensions (one emotional and at least one "
            f"rational construct); its constructs: {', '.join(f'{c} ({info[c].level})' for c in info)}"
        )
    if not outcome:
        raise ModelError(
            f"{instrument.ref} has no loyalty (outcome) construct, so there is no structural model to build; "
            "online-cx@2.0.0 has one (LOY)"
        )
    measurement = instrument.measurement_model()
    return measurement, rational, emotional[0], outcome[0]


def direct(instrument: Instrument) -> str:
    """The five CX dimensions → loyalty, the dimensions correlated.

    >>> import cxkit
    >>> print(cxkit.models.direct(cxkit.load_instrument("online-cx@2.0.0")).splitlines()[-1])
    LOY ~ EC + OE + RS + TR + FU
    """
    measurement, rational, emotional, outcome = _parts(instrument)
    dims = [emotional, *rational]
    return f"{measurement}\n# structural model: every CX dimension predicts {outcome}\n{outcome} ~ {' + '.join(dims)}"


def second_order(instrument: Instrument, name: str = "OBE") -> str:
    """A second-order online-brand-equity factor over the five dimensions (Christodoulides et al.,
    2006) → loyalty.

    >>> import cxkit
    >>> print(cxkit.models.second_order(cxkit.load_instrument("online-cx@2.0.0")).splitlines()[-2:])
    ['OBE =~ EC + OE + RS + TR + FU', 'LOY ~ OBE']
    """
    measurement, rational, emotional, outcome = _parts(instrument)
    dims = [emotional, *rational]
    return (
        f"{measurement}\n# second-order online brand equity (Christodoulides et al., 2006)\n"
        f"{name} =~ {' + '.join(dims)}\n{outcome} ~ {name}"
    )


def pyramid(instrument: Instrument, direct_paths: bool = False) -> str:
    """The pyramid: rational dimensions → emotional connection → loyalty, with indirect effects.

    Parameters
    ----------
    direct_paths : bool
        Also let the rational dimensions predict loyalty directly (partial mediation); the total
        effects are then defined too.

    >>> import cxkit
    >>> syntax = cxkit.models.pyramid(cxkit.load_instrument("online-cx@2.0.0"))
    >>> [line for line in syntax.splitlines() if ":=" in line][0]
    'ind_OE := a_OE*b'
    """
    measurement, rational, emotional, outcome = _parts(instrument)
    lines = [
        measurement,
        "# the CX pyramid: rational dimensions -> emotional connection -> loyalty",
        f"{emotional} ~ " + " + ".join(f"a_{c}*{c}" for c in rational),
    ]
    if direct_paths:
        lines.append(f"{outcome} ~ b*{emotional} + " + " + ".join(f"c_{c}*{c}" for c in rational))
    else:
        lines.append(f"{outcome} ~ b*{emotional}")
    lines += [f"ind_{c} := a_{c}*b" for c in rational]
    if direct_paths:
        lines += [f"total_{c} := c_{c} + a_{c}*b" for c in rational]
    return "\n".join(lines)


ECSI_PATHS = {
    "EXPE": ["IMAG"],
    "QUAL": ["EXPE"],
    "VAL": ["EXPE", "QUAL"],
    "SAT": ["IMAG", "EXPE", "QUAL", "VAL"],
    "LOY": ["IMAG", "SAT"],
}


def ecsi(instrument: Instrument) -> str:
    """The ECSI model (Tenenhaus et al., 2005) for ``ecsi@1.0.0``.

    >>> import cxkit
    >>> print(cxkit.models.ecsi(cxkit.load_instrument("ecsi@1.0.0")).splitlines()[-1])
    LOY ~ IMAG + SAT
    """
    if not isinstance(instrument, Instrument):
        raise ModelError(f"expected an Instrument; got {type(instrument).__name__}")
    need = {"IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"}
    missing = need - set(instrument.construct_info)
    if missing:
        raise ModelError(f"{instrument.ref} lacks the ECSI constructs {', '.join(sorted(missing))}")
    lines = [instrument.measurement_model(), "# ECSI inner model"]
    lines += [f"{y} ~ {' + '.join(xs)}" for y, xs in ECSI_PATHS.items()]
    return "\n".join(lines)
