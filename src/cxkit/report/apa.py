"""APA-style (7th edition) formatting of result tables: for display only, never for computing.

Values that cannot exceed 1 in absolute value (correlations, α, ω, CR, AVE, proportions, p) are
printed without a leading zero; others keep it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd


def apa_number(x, decimals: int = 2, bounded: bool = False) -> str:
    """Format one number the APA way.

    >>> apa_number(0.8456, bounded=True), apa_number(-0.05, 3, bounded=True), apa_number(12.345)
    ('.85', '−.050', '12.35')
    >>> apa_number(float("nan"))
    '—'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{abs(x):.{decimals}f}"
    if bounded and text.startswith("0."):
        text = text[1:]
    return ("−" if x < 0 and float(text) != 0 else "") + text


@dataclass(frozen=True)
class ApaTable:
    """A formatted table: ``data`` (strings), a ``title`` and a ``note``; prints, shows in notebooks."""

    data: pd.DataFrame
    title: str = ""
    note: str = ""

    def to_markdown(self) -> str:
        cols = [str(c) for c in self.data.columns]
        lines = ["| " + " | ".join([self.data.index.name or ""] + cols) + " |"]
        lines.append("|" + "---|" * (len(cols) + 1))
        for idx, row in self.data.iterrows():
            lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row]) + " |")
        out = ([f"**{self.title}**", ""] if self.title else []) + lines
        return "\n".join(out + (["", f"*Note.* {self.note}"] if self.note else []))

    def __str__(self) -> str:
        text = self.data.to_string()
        return "\n".join(
            filter(None, [self.title, text, f"Note. {self.note}" if self.note else ""])
        )

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{html.escape(str(c))}</th>"
            for c in [self.data.index.name or "", *self.data.columns]
        )
        body = "".join(
            "<tr>"
            + f"<td>{html.escape(str(i))}</td>"
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            + "</tr>"
            for i, row in self.data.iterrows()
        )
        title = f"<caption><em>{html.escape(self.title)}</em></caption>" if self.title else ""
        note = f"<p><em>Note.</em> {html.escape(self.note)}</p>" if self.note else ""
        return f'<div class="apa-table"><table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</div>'


def reliability_table(rel: pd.DataFrame, decimals: int = 2) -> ApaTable:
    """The output of :func:`cxkit.reliability` as an APA table.

    Examples
    --------
    >>> import cxkit
    >>> from cxkit.datasets import load_dataset
    >>> rel = cxkit.reliability(load_dataset("satisfaction"), cxkit.load_instrument("ecsi@1.0.0"))
    >>> print(reliability_table(rel).data.loc["SAT"].tolist())
    ['4', '250', '.89 [.87, .91]', '.89', '.90', '.89', '.69']
    """
    rows = {}
    for name, r in rel.iterrows():
        ci = f"[{apa_number(r['alpha_ci_low'], decimals, True)}, {apa_number(r['alpha_ci_high'], decimals, True)}]"
        rows[name] = {
            "k": str(int(r["n_items"])),
            "n": str(int(r["n"])),
            "α [95% CI]": f"{apa_number(r['alpha'], decimals, True)} {ci}",
            "ω": apa_number(r["omega"], decimals, True),
            "ω (model)": apa_number(r.get("omega_implied", float("nan")), decimals, True),
            "CR": apa_number(r["cr"], decimals, True),
            "AVE": apa_number(r["ave"], decimals, True),
        }
    data = pd.DataFrame.from_dict(rows, orient="index")
    if "omega_implied" not in rel.columns:
        data = data.drop(columns="ω (model)")
    data.index.name = "Construct"
    level = rel.attrs.get("level", 0.95)
    data = data.rename(columns={"α [95% CI]": f"α [{round(level * 100)}% CI]"})
    note = (
        f"k = number of items; α = Cronbach's alpha with Feldt {round(level * 100)}% CI; ω = McDonald's omega (observed variance of the sum score); "
        "ω (model) = omega over the model-implied variance (semTools compRelSEM obs.var = FALSE); CR = composite reliability; AVE = average variance extracted. Cut-offs: α and CR ≥ .70, AVE ≥ .50."
    )
    if "instrument" in rel.attrs:
        note += f" Instrument {rel.attrs['instrument']}."
    return ApaTable(data=data, title="Reliability and convergent validity", note=note)
