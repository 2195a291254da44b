"""What the study report says, in English or Indonesian, as plain blocks shared by every writer.

A block is ``("title", text)``, ``("h1", text)``, ``("h2", text)``, ``("p", text)``,
``("warning", text)``, ``("table", caption, frame, note, key)`` (``frame`` formatted as strings, APA
style; ``key`` a short name used for the sheet of ``report.xlsx``) or ``("figure", name, caption)``
(``name`` of a file in ``figures/``; its printed width is in :data:`FIGURE_WIDTH`). The writers
number tables and figures.

Every number goes through :func:`cxkit.report.apa.apa_number`: one minus sign (−) everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.instrument.model import fill_store
from cxkit.report.apa import apa_number
from cxkit.responses.quality import FLAG_NAMES, unchecked_flags

#: Printed width of each figure, as a share of the text width.
FIGURE_WIDTH = {
    "likert": 1.0,
    "scores": 0.9,
    "nps": 0.75,
    "htmt": 0.55,
    "path": 0.75,
    "path_full": 1.0,
}

#: Names of constructs that are not in the instrument (e.g. the second-order factor).
EXTRA_NAMES = {"OBE": {"en": "online brand equity", "id": "ekuitas merek online"}}


def _n(x) -> str:
    return apa_number(x, 2, bounded=True)


def _f(x, d: int = 2) -> str:
    return apa_number(x, d)


def _p(p) -> str:
    if p is None or not np.isfinite(p):
        return "—"
    return "< .001" if p < 0.001 else apa_number(p, 3, bounded=True)


def _pt(p) -> str:
    """p in running text: ``p < .001`` or ``p = .023``."""
    s = _p(p)
    return f"p {s}" if s.startswith("<") else f"p = {s}"


def _ci(lo, hi, d: int = 3, bounded: bool = False) -> str:
    if lo is None or not np.isfinite(lo):
        return "—"
    return f"[{apa_number(lo, d, bounded)}, {apa_number(hi, d, bounded)}]"


def _stars(p) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _frame(columns: dict, index=None) -> pd.DataFrame:
    """A display table from columns given by position (never aligned on their own index)."""
    return pd.DataFrame(
        {k: list(v) for k, v in columns.items()},
        index=None if index is None else pd.Index(index, name=getattr(index, "name", None)),
    )


def segment_table(study) -> pd.DataFrame:
    """NPS by segment with the segments named in the report language and the store's name."""
    seg = study.metrics["nps_by_segment"].copy()
    name = study.metrics["segment"]
    ins = study.instrument
    if name in {i.id for i in ins.items}:
        seg.index = relabel(
            seg.index,
            ins.item(name),
            study.settings.get("lang", "en"),
            study.settings["store"],
            ins,
        )
    return seg


def relabel(labels, item, lang: str, store: str, instrument) -> list[str]:
    """Segment names as the metrics print them (English, default store) → the report language,
    with the store's name."""
    default = instrument.default_store("en")
    names = {}
    for code, text in item.scale.labels("en").items():
        target = item.scale.labels(lang).get(code, text)
        names[fill_store(text, default)] = fill_store(target, store)
        names[str(code)] = fill_store(target, store)
        names[str(float(code))] = fill_store(target, store)
    return [names.get(str(v), str(v).replace(default, store)) for v in labels]


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """Which columns of a display table hold numbers (right-aligned); the index column first."""
    import re

    number = re.compile(r"^[<>≤≥]?\s*[−+-]?(\d+\.?\d*|\.\d+)(%|\*+)?( \[.*\]| \(.*\))?$")

    def num(values) -> bool:
        vals = [str(v).strip() for v in values if str(v).strip() not in ("", "—")]
        return bool(vals) and sum(bool(number.match(v)) for v in vals) >= 0.8 * len(vals)

    return [num(frame.index)] + [num(frame[c]) for c in frame.columns]


def _pct(v) -> str:
    return apa_number(v, 1) + "%"


class _Text:
    """Pick the English or Indonesian wording: ``t("en text", "teks id")``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, en: str, id_: str) -> str:
        return id_ if self.lang == "id" else en


def construct_name(study, c: str) -> str:
    """A construct's name in words in the report language (the instrument's name)."""
    lang = study.settings.get("lang", "en")
    info = study.instrument.construct_info
    if c in info:
        return info[c].name.get(lang, info[c].name.get("en", c))
    if c in EXTRA_NAMES:
        return EXTRA_NAMES[c][lang]
    return c


def _named(study, c: str, seen: set) -> str:
    """``Name (ABBR)`` the first time, the abbreviation afterwards."""
    if c in seen:
        return c
    seen.add(c)
    name = construct_name(study, c)
    return f"{name} ({c})" if name != c else c


def _table(caption, frame, note, key, n=None, t=None):
    if n is not None:
        note = (note + " " if note else "") + f"N = {n}."
    return ("table", caption, frame, note, key)


#: the cut-off note of the reviewer set (GFI, AGFI, NFI, IFI, χ²/df) under the fit tables
FIT_NOTE_EN = (
    "GFI, AGFI, NFI, IFI ≥ .90 and χ²/df ≤ 3 are the conventional thresholds (Bentler & Bonett, "
    "1980; Bollen, 1989; Carmines & McIver, 1981); GFI and AGFI rise with N and are best read "
    "beside CFI and RMSEA."
)
FIT_NOTE_ID = (
    "GFI, AGFI, NFI, IFI ≥ .90 dan χ²/df ≤ 3 adalah batas yang lazim (Bentler & Bonett, 1980; "
    "Bollen, 1989; Carmines & McIver, 1981); GFI dan AGFI naik seiring N, sebaiknya dibaca "
    "bersama CFI dan RMSEA."
)


def _fit_row(f: pd.Series, t=None) -> dict:
    """One fit-table row: the ordinary statistics (ML), the scaled test with the robust indices
    (MLR), or the scaled-shifted test with the scaled indices and no AIC/BIC (WLSMV)."""
    wlsmv, mlr = "shift_parameter" in f, "cfi_robust" in f
    chisq, pvalue = ("chisq_scaled", "pvalue_scaled") if wlsmv or mlr else ("chisq", "pvalue")
    sfx, label = ("_robust", "robust ") if mlr else ("_scaled", "") if wlsmv else ("", "")
    row = {
        "n": f"{f['n']:.0f}",
        "scaled χ²" if wlsmv or mlr else "χ²": _f(f[chisq]),
        "df": f"{f['df']:.0f}",
        "p": _p(f[pvalue]),
        "χ²/df": _f(f[chisq] / f["df"]) if f["df"] else "—",
        f"{label}CFI": _n(f["cfi" + sfx]),
        f"{label}TLI": _n(f["tli" + sfx]),
        f"{label}RMSEA [90% CI]": f"{_n(f['rmsea' + sfx])} [{_n(f['rmsea_ci_low' + sfx])}, "
        f"{_n(f['rmsea_ci_high' + sfx])}]",
        "SRMR": _n(f["srmr"]),
    }
    # the reviewer set (AMOS-style): GFI, AGFI, NFI, IFI of the ordinary statistics
    row |= {k.upper(): _n(f[k]) for k in ("gfi", "agfi", "nfi", "ifi") if k in f}
    if not wlsmv:  # no likelihood, no information criteria
        row |= {"AIC": _f(f["aic"], 1), "BIC": _f(f["bic"], 1)}
    return row


def _estimation(s, t) -> tuple[str, str, str]:
    """(estimator in words, the reason, the difference test) in the report language."""
    est = s.get("estimator")
    if est == "MLR":
        return (
            t(
                "maximum likelihood with robust (Huber-White) standard errors and the Yuan-Bentler scaled chi-square (MLR)",
                "maximum likelihood dengan galat baku robust (Huber-White) dan chi-square terskala Yuan-Bentler (MLR)",
            ),
            t(
                "chosen because Likert answers are rarely multivariate normal",
                "dipilih karena jawaban Likert jarang berdistribusi normal multivariat",
            ),
            t(
                "Satorra-Bentler (2001) scaled chi-square difference tests",
                "uji selisih chi-square terskala Satorra-Bentler (2001)",
            ),
        )
    if est == "WLSMV":
        return (
            t(
                "diagonally weighted least squares on polychoric correlations, the items treated as ordinal, with robust standard errors and the mean- and variance-adjusted chi-square (WLSMV)",
                "diagonally weighted least squares pada korelasi polikorik, butir diperlakukan sebagai ordinal, dengan galat baku robust dan chi-square yang disesuaikan rerata dan variansnya (WLSMV)",
            ),
            t(
                "chosen because the answers are ordered categories",
                "dipilih karena jawaban berupa kategori berjenjang",
            ),
            t(
                "DIFFTEST-type adjusted chi-square difference tests (Satorra, 2000)",
                "uji selisih chi-square tipe DIFFTEST (Satorra, 2000)",
            ),
        )
    return (
        t("maximum likelihood (ML)", "maximum likelihood (ML)"),
        t(
            "the normal-theory estimator; with strongly non-normal data (Mardia's kurtosis critical ratio above 5) MLR is the safer choice",
            "penaksir berasumsi normal; bila data jauh dari normal (rasio kritis kurtosis Mardia di atas 5) MLR lebih aman",
        ),
        t("chi-square difference tests", "uji selisih chi-square"),
    )


def methods_paragraph(study) -> str:
    s = study.settings
    t = _Text(s.get("lang", "en"))
    ins = study.instrument
    estimation, why, difference = _estimation(s, t)
    ordinal = s.get("estimator") == "WLSMV"
    robust = s.get("estimator") == "MLR"
    indices = (
        t(
            "the robust (Brosseau-Liard & Savalei, 2014) ",
            "indeks robust (Brosseau-Liard & Savalei, 2014) ",
        )
        if robust
        else t("the scaled ", "indeks terskala ")
        if ordinal
        else ""
    )
    if ordinal:
        boot = t(
            " Indirect effects were tested with delta-method standard errors.",
            " Efek tidak langsung diuji dengan galat baku metode delta.",
        )
    elif s["n_boot"]:
        boot = t(
            f" Paths, indirect and total effects and HTMT were tested with {s['n_boot']} nonparametric bootstrap resamples (percentile 95% confidence intervals, seed {s['seed']}).",
            f" Jalur, efek tidak langsung, efek total dan HTMT diuji dengan {s['n_boot']} sampel ulang bootstrap nonparametrik (interval kepercayaan persentil 95%, seed {s['seed']}).",
        )
    else:
        boot = ""
    excl = (
        t(
            f" Respondents flagged for {', '.join(s['exclude'])} were excluded ({s['n_excluded']}).",
            f" Responden yang ditandai {', '.join(s['exclude'])} dikeluarkan ({s['n_excluded']}).",
        )
        if s["exclude"]
        else t(
            " No respondent was excluded; quality flags are reported.",
            " Tidak ada responden yang dikeluarkan; tanda kualitas dilaporkan.",
        )
    )
    dropped = ""
    if s.get("drop"):
        dropped = t(
            f" The items {', '.join(s['drop'])} were removed from the measurement model (standardised loading below .708) and the model was re-estimated.",
            f" Butir {', '.join(s['drop'])} dikeluarkan dari model pengukuran (loading terstandar di bawah .708) dan model diestimasi ulang.",
        )
    missing = (
        t(
            "full-information maximum likelihood (FIML) for incomplete answers",
            "full-information maximum likelihood (FIML) untuk jawaban yang tidak lengkap",
        )
        if s.get("missing") == "fiml"
        else t(
            "listwise deletion of incomplete answers",
            "penghapusan listwise untuk jawaban yang tidak lengkap",
        )
    )
    synth = (
        t(
            " The data are SYNTHETIC (simulated respondents), for demonstration only.",
            " Data ini SINTETIS (responden simulasi), hanya untuk demonstrasi.",
        )
        if s.get("synthetic")
        else ""
    )
    ic = "" if ordinal else t("AIC, BIC and ", "AIC, BIC dan ")
    return t(
        f"Data were collected with the questionnaire {ins.ref} (sha256 {ins.sha256[:12]}).{synth} Of {s['n_read']} "
        f"respondents read, {s['n_flagged']} were flagged by the quality screening (failed attention check, "
        f"straight-lining, too fast, duplicates, too many missing answers).{excl} {s['n_analysed']} respondents "
        f"were analysed ({s['n_model']} in the models). Item validity was checked with corrected item-total correlations against the critical r, "
        "sampling adequacy with KMO and Bartlett's test, and the structure with an exploratory factor analysis (minimum residual, varimax). "
        "Scale reliability was assessed with Cronbach's alpha (Feldt 95% confidence intervals), "
        "McDonald's omega (as semTools compRelSEM), composite reliability and average variance extracted; "
        "discriminant validity with the heterotrait-monotrait ratio (HTMT; Henseler, Ringle & Sarstedt, 2015), "
        "the Fornell-Larcker criterion and cross-loadings; common-method bias with Harman's single-factor test and full-collinearity VIFs (Kock, 2015). "
        f"Univariate normality was judged by skewness and kurtosis critical ratios, multivariate normality by Mardia's coefficients and outliers by Mahalanobis d².{dropped} "
        f"The measurement model and the structural model were estimated by {estimation} ({why}) with {missing}; model fit was judged by {indices}CFI and TLI "
        "(>= .95), RMSEA (<= .06) and SRMR (<= .08; Hu & Bentler, 1999), and competing models were compared with "
        f"{ic}{difference} for nested models.{boot} Reverse-keyed items were recoded "
        f"(min + max) − x before analysis. Software: cxkit {s['cxkit']} (Python {s['python']}, numpy "
        f"{s['numpy']}, pandas {s['pandas']}, semopy {s['semopy']}); estimates, standard errors and fit "
        "indices follow lavaan 0.6 definitions.",
        f"Data dikumpulkan dengan kuesioner {ins.ref} (sha256 {ins.sha256[:12]}).{synth} Dari {s['n_read']} responden "
        f"yang terbaca, {s['n_flagged']} ditandai oleh penyaringan kualitas (gagal cek perhatian, jawaban seragam, "
        f"terlalu cepat, duplikat, terlalu banyak jawaban kosong).{excl} Sebanyak {s['n_analysed']} responden dianalisis "
        f"({s['n_model']} dalam model). Validitas butir diuji dengan korelasi butir-total terkoreksi dibandingkan r-tabel, "
        "kecukupan sampel dengan KMO dan uji Bartlett, dan struktur dengan analisis faktor eksploratori (minimum residual, varimax). "
        "Reliabilitas diukur dengan Cronbach's alpha (interval kepercayaan Feldt 95%), omega McDonald (seperti semTools compRelSEM), "
        "composite reliability dan average variance extracted; validitas diskriminan dengan heterotrait-monotrait ratio "
        "(HTMT; Henseler, Ringle & Sarstedt, 2015), kriteria Fornell-Larcker dan cross-loading; bias metode umum dengan uji faktor tunggal Harman "
        "dan VIF kolinearitas penuh (Kock, 2015). Normalitas univariat dinilai dengan rasio kritis skewness dan kurtosis, normalitas multivariat "
        f"dengan koefisien Mardia dan outlier dengan jarak Mahalanobis d².{dropped} Model pengukuran dan model struktural diestimasi dengan "
        f"{estimation} ({why}) dengan {missing}; kecocokan model dinilai dengan {indices}CFI dan TLI (>= .95), RMSEA (<= .06) dan SRMR "
        f"(<= .08; Hu & Bentler, 1999), dan model pesaing dibandingkan dengan {ic}{difference} untuk model tersarang.{boot} "
        f"Butir berkode terbalik dikode ulang (min + max) − x sebelum analisis. Perangkat lunak: cxkit {s['cxkit']} (Python {s['python']}, "
        f"numpy {s['numpy']}, pandas {s['pandas']}, semopy {s['semopy']}); estimasi, galat baku dan indeks kecocokan mengikuti definisi lavaan 0.6.",
    )


# -- the sections -----------------------------------------------------------------------------------
def _study_section(study, t, out, num):
    s = study.settings
    ins = study.instrument
    out.append(("h1", f"{num}. " + t("The study", "Penelitian")))
    if s.get("synthetic"):
        out.append(
            (
                "warning",
                t(
                    "SYNTHETIC DATA: the answers are simulated respondents (cxkit.simulate), not a real survey. Use this report as an example only.",
                    "DATA SINTETIS: jawaban ini berasal dari responden simulasi (cxkit.simulate), bukan survei sungguhan. Gunakan laporan ini hanya sebagai contoh.",
                ),
            )
        )
    model = s["model"].replace("_", "-")
    own = (
        t("the user's own model", "model milik peneliti")
        if s.get("own_model")
        else t("a CX model of cxkit", "model CX dari cxkit")
    )
    facts = {
        t("store", "toko"): s["store"],
        t("instrument", "instrumen"): ins.ref,
        "sha256": ins.sha256,
        t("data", "data"): str(s["source"]),
        t("data hash", "hash data"): f"sha256 {s['data_sha256'][:16]}…",
        t("model reported", "model yang dilaporkan"): f"{model} ({own})",
        t("estimator", "penaksir"): f"{s['estimator']}, {s.get('missing', 'listwise')}",
        "cxkit": s["cxkit"],
    }
    out.append(
        _table(
            t("The study", "Penelitian"),
            _frame(
                {t("value", "nilai"): list(facts.values())},
                index=pd.Index(list(facts), name=t("detail", "keterangan")),
            ),
            "",
            "study",
        )
    )
    counts = _frame(
        {"n": [s["n_read"], s["n_flagged"], s["n_excluded"], s["n_analysed"], s["n_model"]]},
        index=pd.Index(
            [
                t("read", "terbaca"),
                t("flagged (any quality flag)", "ditandai (tanda kualitas apa pun)"),
                t("excluded", "dikeluarkan")
                + (f" ({', '.join(s['exclude'])})" if s["exclude"] else ""),
                t("analysed", "dianalisis"),
                t(
                    "in the models (complete answers)"
                    if s.get("missing") != "fiml"
                    else "in the models (FIML)",
                    "dalam model (jawaban lengkap)"
                    if s.get("missing") != "fiml"
                    else "dalam model (FIML)",
                ),
            ],
            name=t("respondents", "responden"),
        ),
    ).astype(str)
    out.append(_table(t("Respondents", "Responden"), counts, "", "respondents"))
    if study.dropped is not None and len(study.dropped):
        d = study.dropped
        tab = _frame(
            {
                t("construct", "konstruk"): d["construct"],
                t("λ with all items", "λ dengan semua butir"): d["loading"].map(_n),
            },
            index=d.index,
        )
        out.append(
            (
                "p",
                t(
                    f"Dropped items (the 'loading below .708, delete and re-run' step): {', '.join(d.index)}. "
                    "Every result below is from the model without them.",
                    f"Butir yang dikeluarkan (langkah 'loading di bawah .708, hapus dan estimasi ulang'): {', '.join(d.index)}. "
                    "Semua hasil di bawah berasal dari model tanpa butir tersebut.",
                ),
            )
        )
        out.append(
            _table(
                t(
                    "Items dropped from the measurement model",
                    "Butir yang dikeluarkan dari model pengukuran",
                ),
                tab,
                t(
                    "λ: outer loading in the PLS model with every item."
                    if s.get("approach") == "pls"
                    else "λ: standardised loading in the CFA with every item.",
                    "λ: outer loading pada model PLS dengan semua butir."
                    if s.get("approach") == "pls"
                    else "λ: loading terstandar pada CFA dengan semua butir.",
                ),
                "dropped",
                n=s["n_model"],
            )
        )


def _profile_section(study, t, out, num):
    out.append(("h1", f"{num}. " + t("Respondent profile", "Profil responden")))
    if not study.profile:
        out.append(
            (
                "p",
                t(
                    "The instrument has no demographic items in the data.",
                    "Tidak ada butir demografi dalam data.",
                ),
            )
        )
        return
    rows = []
    lang, store = study.settings["lang"], study.settings["store"]
    for item_id, table in study.profile.items():
        item = study.instrument.item(item_id)
        label = item.label(lang, store)
        names = item.scale.labels(lang) if item.scale.values else {}
        for k, row in table.iterrows():
            rows.append(
                {
                    t("characteristic", "karakteristik"): f"{item_id}: {label}" if k == 0 else "",
                    t("category", "kategori"): fill_store(
                        names.get(int(row["code"]), str(row["code"])), store
                    ),
                    "n": str(int(row["n"])),
                    "%": apa_number(row["percent"], 1),
                }
            )
    frame = pd.DataFrame(rows).set_index(t("characteristic", "karakteristik"))
    n = study.settings["n_analysed"]
    first = next(iter(study.profile))
    top = study.profile[first].sort_values("n", ascending=False).iloc[0]
    first_item = study.instrument.item(first)
    top_name = fill_store(
        (first_item.scale.labels(lang) if first_item.scale.values else {}).get(
            int(top["code"]), str(top["code"])
        ),
        store,
    )
    out.append(
        (
            "p",
            t(
                f"Table {{table}} describes the {n} respondents analysed. The largest group by {first} is {top_name} ({_pct(top['percent'])}).",
                f"Tabel {{table}} menggambarkan {n} responden yang dianalisis. Kelompok terbesar menurut {first} adalah {top_name} ({_pct(top['percent'])}).",
            ),
        )
    )
    missing = {k: v.attrs.get("n_missing", 0) for k, v in study.profile.items()}
    note = t("% of those who answered the item", "% dari yang menjawab butir tersebut")
    if any(missing.values()):
        note += (
            "; "
            + t("no answer: ", "tidak menjawab: ")
            + ", ".join(f"{k} {v}" for k, v in missing.items() if v)
        )
    out.append(
        _table(t("Respondent profile", "Profil responden"), frame, note + ".", "profile", n=n)
    )


def _quality_section(study, t, out, num):
    r = study.responses
    s = study.settings
    out.append(
        (
            "h1",
            f"{num}. " + t("Data quality and missing answers", "Kualitas data dan jawaban kosong"),
        )
    )
    if len(r.problems):
        probs = r.problems["reason"].value_counts().rename("n").to_frame().astype(str)
        probs.index.name = t("reason", "alasan")
        out.append(
            _table(
                t(
                    "Problems found while reading (every cell is listed in tables/problems.csv)",
                    "Masalah saat membaca data (setiap sel tercantum di tables/problems.csv)",
                ),
                probs,
                "",
                "problems",
                n=s["n_read"],
            )
        )
    else:
        out.append(
            (
                "p",
                t(
                    "Reading found no problems: every answer is on its scale and every item has its column.",
                    "Pembacaan data tidak menemukan masalah: setiap jawaban sesuai skalanya dan setiap butir memiliki kolom.",
                ),
            )
        )
    unchecked = unchecked_flags(r.flags)
    flags = _frame(
        {
            t("respondents", "responden"): [
                t("not checked", "tidak diperiksa")
                if f in unchecked
                else str(int(r.flags[f].sum()))
                for f in FLAG_NAMES
            ],
            "%": [
                t("no timings", "tanpa waktu isi")
                if f in unchecked
                else apa_number(100 * r.flags[f].mean(), 1)
                for f in FLAG_NAMES
            ],
        },
        index=pd.Index(list(FLAG_NAMES), name=t("quality flag", "tanda kualitas")),
    )
    out.append(
        _table(
            t(
                "Quality flags (flags are reported, not silently dropped)",
                "Tanda kualitas (dilaporkan, tidak dibuang diam-diam)",
            ),
            flags,
            t(
                "Attention check: instructed answer not given; straight-lining: 10 or more identical answers in a row; too fast: under 2 s per item; duplicate: same respondent id or same answers; too many missing: over half the items.",
                "Cek perhatian: jawaban yang diminta tidak diberikan; seragam: 10 jawaban sama atau lebih berturut-turut; terlalu cepat: kurang dari 2 detik per butir; duplikat: id atau jawaban sama; terlalu banyak kosong: lebih dari separuh butir.",
            ),
            "flags",
            n=s["n_read"],
        )
    )
    mi = study.missing_items
    total = int(mi["missing"].sum())
    worst = mi["missing"].idxmax()
    out.append(
        (
            "p",
            t(
                f"Of {len(mi) * s['n_analysed']} item answers, {total} are missing ({_pct(100 * total / max(1, len(mi) * s['n_analysed']))}); the item with the most is {worst} ({int(mi.loc[worst, 'missing'])}).",
                f"Dari {len(mi) * s['n_analysed']} jawaban butir, {total} kosong ({_pct(100 * total / max(1, len(mi) * s['n_analysed']))}); butir dengan jawaban kosong terbanyak adalah {worst} ({int(mi.loc[worst, 'missing'])}).",
            ),
        )
    )
    tab = _frame(
        {
            t("missing", "kosong"): mi["missing"].astype(int).astype(str),
            "%": mi["percent"].map(lambda v: apa_number(v, 1)),
        },
        index=mi.index,
    )
    out.append(
        _table(
            t("Missing answers per item", "Jawaban kosong per butir"),
            tab.T,
            "",
            "missing_items",
            n=s["n_analysed"],
        )
    )
    mr = study.missing_respondents
    tab = _frame(
        {
            t("respondents", "responden"): mr["respondents"].astype(str),
            "%": mr["percent"].map(lambda v: apa_number(v, 1)),
        },
        index=mr.index.rename(t("missing answers", "jawaban kosong")),
    )
    out.append(
        _table(
            t("Missing answers per respondent", "Jawaban kosong per responden"),
            tab,
            "",
            "missing_respondents",
            n=s["n_analysed"],
        )
    )


def _descriptives_section(study, t, out, num):
    out.append(
        (
            "h1",
            f"{num}. "
            + t("Descriptive statistics and normality", "Statistik deskriptif dan normalitas"),
        )
    )
    out.append(
        (
            "figure",
            "likert",
            t(
                "Answers to every Likert item by construct (diverging stacked bars, neutral split at zero).",
                "Jawaban setiap butir Likert per konstruk (batang bertumpuk divergen, netral dibagi di nol).",
            ),
        )
    )
    out.append(
        (
            "figure",
            "scores",
            t(
                "Construct mean scores, binned on their possible values (reverse-keyed items recoded).",
                "Skor rata-rata konstruk, dikelompokkan pada nilai yang mungkin (butir terbalik dikode ulang).",
            ),
        )
    )
    d = study.descriptives
    out.append(
        (
            "p",
            t(
                f"Item means range from {_f(d['mean'].min())} to {_f(d['mean'].max())}. Skewness ranges from {_f(d['skew'].min())} to {_f(d['skew'].max())} "
                f"and kurtosis from {_f(d['kurtosis'].min())} to {_f(d['kurtosis'].max())}; {int((d['skew_cr'].abs() > 2.58).sum())} of {len(d)} items have a skewness critical ratio beyond ±2.58.",
                f"Rata-rata butir berkisar {_f(d['mean'].min())} sampai {_f(d['mean'].max())}. Skewness berkisar {_f(d['skew'].min())} sampai {_f(d['skew'].max())} "
                f"dan kurtosis {_f(d['kurtosis'].min())} sampai {_f(d['kurtosis'].max())}; {int((d['skew_cr'].abs() > 2.58).sum())} dari {len(d)} butir memiliki rasio kritis skewness di luar ±2,58.".replace(
                    "±2,58", "±2.58"
                ),
            ),
        )
    )
    tab = _frame(
        {
            "n": d["n"].astype(int).astype(str),
            "min": d["min"].map(lambda v: _f(v, 0)),
            "max": d["max"].map(lambda v: _f(v, 0)),
            "M": d["mean"].map(_f),
            "Mdn": d["median"].map(lambda v: _f(v, 1)),
            "SD": d["sd"].map(_f),
            t("skew", "skew"): d["skew"].map(_f),
            "c.r.": d["skew_cr"].map(_f),
            t("kurtosis", "kurtosis"): d["kurtosis"].map(_f),
            "c.r. ": d["kurtosis_cr"].map(_f),
        },
        index=d.index.rename(t("item", "butir")),
    )
    out.append(
        _table(
            t("Item descriptives", "Statistik deskriptif butir"),
            tab,
            t(
                "Skewness g₁ and excess kurtosis g₂ with critical ratios (statistic / √(6/n) and √(24/n)); |c.r.| > 2.58: p < .01. Reverse-keyed items recoded.",
                "Skewness g₁ dan excess kurtosis g₂ dengan rasio kritis (statistik / √(6/n) dan √(24/n)); |c.r.| > 2,58: p < .01. Butir terbalik dikode ulang.",
            ),
            "descriptives",
        )
    )
    m = study.mardia
    o = study.outliers
    n_out = int((o["p"] < 0.001).sum())
    tab = _frame(
        {
            t("coefficient", "koefisien"): [_f(m["b1p"]), _f(m["b2p"])],
            t("statistic", "statistik"): [
                f"χ²({m['skew_df']:.0f}) = {_f(m['skew'])}",
                f"z = {_f(m['kurtosis'])}",
            ],
            "p": [_p(m["skew_p"]), _p(m["kurtosis_p"])],
        },
        index=pd.Index(
            [
                t("multivariate skewness", "skewness multivariat"),
                t("multivariate kurtosis", "kurtosis multivariat"),
            ],
            name="Mardia",
        ),
    )
    normal = abs(m["kurtosis"]) <= 5
    out.append(
        (
            "p",
            t(
                f"Mardia's multivariate kurtosis is {_f(m['b2p'])} (critical ratio z = {_f(m['kurtosis'])}, {_pt(m['kurtosis_p'])}); "
                + (
                    "below 5, so multivariate normality is tenable (Bentler, 2006)."
                    if normal
                    else "above 5, so the data are not multivariate normal and robust estimation (MLR) or the bootstrap is advised (Bentler, 2006)."
                )
                + f" {n_out} respondents are multivariate outliers (Mahalanobis d² with p < .001).",
                f"Kurtosis multivariat Mardia sebesar {_f(m['b2p'])} (rasio kritis z = {_f(m['kurtosis'])}, {_pt(m['kurtosis_p'])}); "
                + (
                    "di bawah 5, sehingga normalitas multivariat dapat diterima (Bentler, 2006)."
                    if normal
                    else "di atas 5, sehingga data tidak normal multivariat dan estimasi robust (MLR) atau bootstrap disarankan (Bentler, 2006)."
                )
                + f" Sebanyak {n_out} responden merupakan outlier multivariat (jarak Mahalanobis d² dengan p < .001).",
            ),
        )
    )
    out.append(
        _table(
            t("Multivariate normality (Mardia, 1970)", "Normalitas multivariat (Mardia, 1970)"),
            tab,
            t("As psych::mardia.", "Seperti psych::mardia."),
            "mardia",
            n=int(m["n"]),
        )
    )
    top = o.head(10)
    tab = _frame(
        {
            t("respondent", "responden"): top["respondent"].astype(str),
            "d²": top["d2"].map(_f),
            "p": top["p"].map(_p),
        },
        index=pd.Index([str(i) for i in top.index], name=t("row", "baris")),
    )
    out.append(
        _table(
            t("Largest Mahalanobis distances", "Jarak Mahalanobis terbesar"),
            tab,
            t(
                f"p from χ² with {int(m['p'])} df; {n_out} rows with p < .001 (every row in tables/mahalanobis.csv).",
                f"p dari χ² dengan df {int(m['p'])}; {n_out} baris dengan p < .001 (semua baris di tables/mahalanobis.csv).",
            ),
            "mahalanobis",
            n=int(m["n"]),
        )
    )
    _metrics_blocks(study, t, out)


def _metrics_blocks(study, t, out):
    rows = {}
    for key in ("nps", "csat", "ces"):
        m = study.metrics.get(key)
        if m is None:
            continue
        unit = "" if key == "nps" else "%"
        rows[m.metric] = {
            "n": str(m.n),
            t(
                "score [95% CI]", "skor [IK 95%]"
            ): f"{_f(m.score, 1)}{unit} [{_f(m.ci_low, 1)}, {_f(m.ci_high, 1)}]",
            t("mean [95% CI]", "rata-rata [IK 95%]"): "—"
            if np.isnan(m.mean)
            else f"{_f(m.mean)} [{_f(m.mean_ci_low)}, {_f(m.mean_ci_high)}]",
        }
    if rows:
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = t("metric", "metrik")
        out.append(
            _table(
                t("CX metrics", "Metrik CX"),
                table,
                t(
                    "NPS = % promoters (9–10) − % detractors (0–6); CSAT = % answering 4–5 of 5; CES = % agreeing (5–7 of 7) that the store made it easy.",
                    "NPS = % promotor (9–10) − % detraktor (0–6); CSAT = % menjawab 4–5 dari 5; CES = % setuju (5–7 dari 7) bahwa toko memudahkan.",
                ),
                "metrics",
            )
        )
    if "nps_by_segment" in study.metrics:
        seg = segment_table(study)
        name = study.metrics["segment"]
        out.append(
            (
                "figure",
                "nps",
                t(f"Net Promoter Score by {name}.", f"Net Promoter Score menurut {name}."),
            )
        )
        tab = _frame(
            {
                "n": seg["n"].astype(int).astype(str),
                t("NPS [95% CI]", "NPS [IK 95%]"): [
                    f"{'+' if a > 0 else ''}{_f(a, 1)} [{_f(b, 1)}, {_f(c, 1)}]"
                    for a, b, c in zip(seg["score"], seg["ci_low"], seg["ci_high"], strict=True)
                ],
            },
            index=pd.Index(seg.index, name=name),
        )
        out.append(
            _table(
                t(f"NPS by {name}", f"NPS menurut {name}"),
                tab,
                "",
                "nps_segment",
                n=int(study.metrics["nps"].n) if "nps" in study.metrics else None,
            )
        )


def _pilot_section(study, t, out, num, heading=None):
    p = study.pilot
    out.append(
        (
            "h1",
            f"{num}. "
            + (
                heading
                or t(
                    "Item validity and reliability (pilot-test route)",
                    "Uji validitas dan reliabilitas (uji coba instrumen)",
                )
            ),
        )
    )
    v = p["validity"]
    rc = v["r_critical"].iloc[0]
    n = int(v["n"].min())
    bad = v.index[~v["valid"]].tolist()
    out.append(
        (
            "p",
            t(
                f"Item validity was tested with the Pearson correlation of each item with its construct total, corrected (the item left out of the total). "
                f"With n = {n} (df = {n - 2}) the critical r at α = .05 (two-tailed) is {_n(rc)}, computed from the t distribution. "
                + ("Every item is valid." if not bad else f"Not valid: {', '.join(bad)}."),
                f"Validitas butir diuji dengan korelasi Pearson setiap butir dengan skor total konstruknya, terkoreksi (butir dikeluarkan dari total). "
                f"Dengan n = {n} (df = {n - 2}) r-tabel pada α = .05 (dua arah) adalah {_n(rc)}, dihitung dari distribusi t. "
                + ("Semua butir valid." if not bad else f"Tidak valid: {', '.join(bad)}."),
            ),
        )
    )
    tab = _frame(
        {
            t("construct", "konstruk"): v["construct"],
            t("r item–total", "r butir–total"): v["r_total"].map(_n),
            t("r corrected", "r terkoreksi"): v["r_corrected"].map(_n),
            t("r critical", "r-tabel"): v["r_critical"].map(_n),
            "p": v["p"].map(_p),
            t("decision", "keputusan"): v["valid"].map(
                lambda ok: t("valid", "valid") if ok else t("not valid", "tidak valid")
            ),
        },
        index=v.index.rename(t("item", "butir")),
    )
    out.append(
        _table(
            t(
                "Item validity (corrected item–total r against the critical r)",
                "Validitas butir (r butir–total terkoreksi dibandingkan r-tabel)",
            ),
            tab,
            t(
                f"Valid when r corrected > r critical ({_n(rc)}, df = {n - 2}, α = .05 two-tailed).",
                f"Valid bila r terkoreksi > r-tabel ({_n(rc)}, df = {n - 2}, α = .05 dua arah).",
            ),
            "validity",
            n=n,
        )
    )
    rel = study.reliability
    tab = _frame(
        {
            "k": rel["n_items"].astype(int).astype(str),
            "α": rel["alpha"].map(_n),
            t("decision", "keputusan"): rel["alpha"].map(
                lambda a: (
                    t("reliable", "reliabel") if a >= 0.7 else t("not reliable", "tidak reliabel")
                )
            ),
        },
        index=rel.index.rename(t("construct", "konstruk")),
    )
    out.append(
        _table(
            t("Cronbach's alpha per construct", "Cronbach's alpha per konstruk"),
            tab,
            t("Reliable when α ≥ .70 (Nunnally, 1978).", "Reliabel bila α ≥ .70 (Nunnally, 1978)."),
            "alpha",
            n=int(rel["n"].min()),
        )
    )
    k, b = p["kmo"], p["bartlett"]
    adequate = k["overall"] >= 0.6
    out.append(
        (
            "p",
            t(
                f"The Kaiser–Meyer–Olkin measure is {_n(k['overall'])} ({'adequate' if adequate else 'not adequate'}, ≥ .60) and Bartlett's test of sphericity gives χ²({b['df']:.0f}) = {_f(b['chisq'])}, {_pt(b['pvalue'])}: "
                + (
                    "the correlations suit factor analysis."
                    if b["pvalue"] < 0.05 and adequate
                    else "the data are not suited to factor analysis."
                ),
                f"Nilai Kaiser–Meyer–Olkin sebesar {_n(k['overall'])} ({'memadai' if adequate else 'tidak memadai'}, ≥ .60) dan uji Bartlett menghasilkan χ²({b['df']:.0f}) = {_f(b['chisq'])}, {_pt(b['pvalue'])}: "
                + (
                    "korelasi antarbutir layak untuk analisis faktor."
                    if b["pvalue"] < 0.05 and adequate
                    else "data tidak layak untuk analisis faktor."
                ),
            ),
        )
    )
    tab = _frame(
        {
            t("value", "nilai"): [
                _n(k["overall"]),
                f"{_f(b['chisq'])}",
                f"{b['df']:.0f}",
                _p(b["pvalue"]),
            ]
        },
        index=pd.Index(["KMO (MSA)", "Bartlett χ²", "df", "p"], name=t("test", "uji")),
    )
    out.append(
        _table(
            t(
                "Sampling adequacy: KMO and Bartlett's test",
                "Kecukupan sampel: KMO dan uji Bartlett",
            ),
            tab,
            t(
                "As psych::KMO and psych::cortest.bartlett.",
                "Seperti psych::KMO dan psych::cortest.bartlett.",
            ),
            "kmo_bartlett",
            n=int(b["n"]),
        )
    )
    if "efa" in p:
        e = p["efa"]
        fac = [c for c in e.columns if c.startswith("F")]
        tab = e[fac].map(lambda v: _n(v) if abs(v) >= 0.3 else "")
        tab.insert(0, t("construct", "konstruk"), e["construct"])
        tab["h²"] = e["communality"].map(_n)
        var = e.attrs["variance"]
        out.append(
            _table(
                t(
                    "Exploratory factor analysis (minimum residual, varimax)",
                    "Analisis faktor eksploratori (minimum residual, varimax)",
                ),
                tab.rename_axis(t("item", "butir")),
                t(
                    f'Loadings below .30 left blank; h² communality. Variance explained: {", ".join(f"{c} {_pct(100 * x)}" for c, x in zip(fac, var, strict=True))}. As psych::fa(fm = "minres", rotate = "varimax").',
                    f'Loading di bawah .30 dikosongkan; h² komunalitas. Varians yang dijelaskan: {", ".join(f"{c} {_pct(100 * x)}" for c, x in zip(fac, var, strict=True))}. Seperti psych::fa(fm = "minres", rotate = "varimax").',
                ),
                "efa",
                n=int(e.attrs["n"]),
            )
        )


def _measurement_section(study, t, out, num, seen):
    from cxkit.report.apa import reliability_table

    s = study.settings
    out.append(("h1", f"{num}. " + t("Measurement model", "Model pengukuran")))
    names = _frame(
        {
            t("construct", "konstruk"): [construct_name(study, c) for c in study.constructs],
            t("items", "butir"): [", ".join(ids) for ids in study.constructs.values()],
        },
        index=pd.Index(list(study.constructs), name=t("abbreviation", "singkatan")),
    )
    out.append(
        _table(t("Constructs and their items", "Konstruk dan butirnya"), names, "", "constructs")
    )
    rel = study.reliability
    ok = rel.index[(rel["cr"] >= 0.7) & (rel["ave"] >= 0.5)].tolist()
    named = ", ".join(_named(study, c, seen) for c in rel.index)
    out.append(
        (
            "p",
            t(
                f"The constructs are {named}. Cronbach's α ranges from {_n(rel['alpha'].min())} to {_n(rel['alpha'].max())}, composite reliability from {_n(rel['cr'].min())} to {_n(rel['cr'].max())} and AVE from {_n(rel['ave'].min())} to {_n(rel['ave'].max())}; "
                f"{len(ok)} of {len(rel)} constructs meet CR ≥ .70 and AVE ≥ .50.",
                f"Konstruk penelitian ini adalah {named}. Cronbach's α berkisar {_n(rel['alpha'].min())} sampai {_n(rel['alpha'].max())}, composite reliability {_n(rel['cr'].min())} sampai {_n(rel['cr'].max())} dan AVE {_n(rel['ave'].min())} sampai {_n(rel['ave'].max())}; "
                f"{len(ok)} dari {len(rel)} konstruk memenuhi CR ≥ .70 dan AVE ≥ .50.",
            ),
        )
    )
    apa = reliability_table(rel)
    title = t(apa.title, "Reliabilitas dan validitas konvergen")
    note = (
        apa.note
        if t.lang == "en"
        else (
            "k = jumlah butir; α = Cronbach's alpha dengan IK Feldt 95%; ω = omega McDonald (varians skor total teramati); ω (model) = omega dengan varians implisit model (semTools compRelSEM obs.var = FALSE); CR = composite reliability; AVE = average variance extracted. Batas: α dan CR ≥ .70, AVE ≥ .50."
        )
    )
    out.append(
        _table(
            title,
            apa.data.rename_axis(t("construct", "konstruk")),
            note,
            "reliability",
            n=int(rel["n"].min()),
        )
    )
    it = study.items
    low = it.index[it["loading"] < 0.708].tolist()
    tab = _frame(
        {
            t("construct", "konstruk"): it["construct"],
            "M": it["mean"].map(_f),
            "SD": it["sd"].map(_f),
            t("r (drop)", "r (drop)"): it["r_drop"].map(_n),
            t("α if deleted", "α jika dihapus"): it["alpha_if_deleted"].map(_n),
            t("λ (std.)", "λ (std.)"): it["loading"].map(_n),
        },
        index=it.index.rename(t("item", "butir")),
    )
    out.append(
        (
            "p",
            t(
                f"Standardised loadings range from {_n(it['loading'].min())} to {_n(it['loading'].max())}; "
                + (
                    "every loading reaches .708."
                    if not low
                    else f"below .708: {', '.join(low)} (candidates for --drop-items if AVE or CR suffer)."
                ),
                f"Loading terstandar berkisar {_n(it['loading'].min())} sampai {_n(it['loading'].max())}; "
                + (
                    "semua loading mencapai .708."
                    if not low
                    else f"di bawah .708: {', '.join(low)} (kandidat --drop-items bila AVE atau CR tidak terpenuhi)."
                ),
            ),
        )
    )
    out.append(
        _table(
            t("Item statistics and loadings", "Statistik butir dan loading"),
            tab,
            t(
                "r (drop): corrected item–total correlation; λ: standardised loading in the CFA of all constructs. (R) items recoded.",
                "r (drop): korelasi butir–total terkoreksi; λ: loading terstandar pada CFA semua konstruk. Butir (R) dikode ulang.",
            ),
            "items",
            n=s["n_model"],
        )
    )
    if study.cross_loadings is not None:
        cl = study.cross_loadings
        cons = list(study.constructs)
        tab = cl[cons].map(_n)
        tab.insert(0, t("construct", "konstruk"), cl["construct"])
        fails = cl.index[~cl["highest_own"]].tolist()
        out.append(
            _table(
                t(
                    "Cross-loadings (item–construct score correlations)",
                    "Cross-loading (korelasi butir dengan skor konstruk)",
                ),
                tab.rename_axis(t("item", "butir")),
                t(
                    "Each item should correlate most with its own construct (Chin, 1998): ",
                    "Setiap butir seharusnya berkorelasi paling tinggi dengan konstruknya sendiri (Chin, 1998): ",
                )
                + (
                    t("holds for every item.", "terpenuhi untuk semua butir.")
                    if not fails
                    else t("fails for ", "tidak terpenuhi untuk ") + ", ".join(fails) + "."
                ),
                "cross_loadings",
                n=s["n_complete"],
            )
        )
    if len(study.constructs) > 1:
        out.append(
            (
                "figure",
                "htmt",
                t(
                    "Heterotrait–monotrait ratios (HTMT), lower triangle; outlined cells at or above .85.",
                    "Rasio heterotrait–monotrait (HTMT), segitiga bawah; sel bergaris tepi bernilai .85 atau lebih.",
                ),
            )
        )
        if study.htmt_ci is not None:
            h = study.htmt_ci
            tab = _frame(
                {
                    "HTMT": h["htmt"].map(_n),
                    t("95% bootstrap CI", "IK bootstrap 95%"): [
                        _ci(a, b, 2, True) for a, b in zip(h["ci_low"], h["ci_high"], strict=True)
                    ],
                    t("below .85", "di bawah .85"): [
                        t("yes", "ya") if hi < 0.85 else t("no", "tidak") for hi in h["ci_high"]
                    ],
                },
                index=pd.Index(
                    [f"{a} – {b}" for a, b in zip(h["construct_a"], h["construct_b"], strict=True)],
                    name=t("pair", "pasangan"),
                ),
            )
            over = int((h["ci_high"] >= 0.85).sum())
            out.append(
                (
                    "p",
                    t(
                        f"HTMT ranges from {_n(h['htmt'].min())} to {_n(h['htmt'].max())}; the upper bound of the bootstrap interval is below .85 for {len(h) - over} of {len(h)} pairs.",
                        f"HTMT berkisar {_n(h['htmt'].min())} sampai {_n(h['htmt'].max())}; batas atas interval bootstrap di bawah .85 untuk {len(h) - over} dari {len(h)} pasangan.",
                    ),
                )
            )
            out.append(
                _table(
                    t("HTMT with bootstrap intervals", "HTMT dengan interval bootstrap"),
                    tab,
                    t(
                        f"{int(h['n_boot'].iloc[0])} percentile bootstrap resamples of complete rows.",
                        f"{int(h['n_boot'].iloc[0])} sampel ulang bootstrap persentil dari baris lengkap.",
                    ),
                    "htmt",
                    n=s["n_model"],
                )
            )
        if study.fornell_larcker is not None:
            fl = study.fornell_larcker
            cells = fl.map(_n)
            for i in range(len(fl)):
                for j in range(i + 1, len(fl)):
                    cells.iloc[i, j] = ""
            holds = fl.attrs.get("holds", {})
            out.append(
                _table(
                    t(
                        "Fornell–Larcker criterion: √AVE on the diagonal, latent correlations below",
                        "Kriteria Fornell–Larcker: √AVE pada diagonal, korelasi laten di bawahnya",
                    ),
                    cells.rename_axis(t("construct", "konstruk")),
                    t("Criterion ", "Kriteria ")
                    + (
                        t("holds for every construct.", "terpenuhi untuk semua konstruk.")
                        if all(holds.values())
                        else t("fails for ", "tidak terpenuhi untuk ")
                        + ", ".join(k for k, v in holds.items() if not v)
                        + "."
                    ),
                    "fornell_larcker",
                    n=s["n_model"],
                )
            )
    h = study.harman
    lines = [
        t("Harman's single factor (first component)", "Faktor tunggal Harman (komponen pertama)")
    ]
    vals = [f"{_pct(100 * h['share'])} " + t("of variance", "varians")]
    if study.vif is not None:
        v = study.vif
        lines += [f"VIF {c}" for c in v.index]
        vals += [_f(x) for x in v["vif"]]
    tab = _frame({t("value", "nilai"): vals}, index=pd.Index(lines, name=t("screen", "uji")))
    vif_bad = [] if study.vif is None else study.vif.index[study.vif["flag"]].tolist()
    out.append(
        (
            "p",
            t(
                f"Common-method bias: the first unrotated factor explains {_pct(100 * h['share'])} of the variance ({'at or above' if h['flag'] else 'below'} 50%)"
                + (
                    f"; full-collinearity VIFs are {_f(study.vif['vif'].min())}–{_f(study.vif['vif'].max())} ({'all' if not vif_bad else 'not all'} at or below 3.3)."
                    if study.vif is not None
                    else "."
                ),
                f"Bias metode umum: faktor pertama tanpa rotasi menjelaskan {_pct(100 * h['share'])} varians ({'di atas atau sama dengan' if h['flag'] else 'di bawah'} 50%)"
                + (
                    f"; VIF kolinearitas penuh {_f(study.vif['vif'].min())}–{_f(study.vif['vif'].max())} ({'semua' if not vif_bad else 'tidak semua'} ≤ 3,3)."
                    if study.vif is not None
                    else "."
                ),
            ),
        )
    )
    out.append(
        _table(
            t("Common-method bias screens", "Uji bias metode umum"),
            tab,
            t(
                "Concern when the first factor takes 50% or more (Podsakoff et al., 2003) or a VIF exceeds 3.3 (Kock, 2015).",
                "Perlu diwaspadai bila faktor pertama ≥ 50% (Podsakoff dkk., 2003) atau VIF > 3,3 (Kock, 2015).",
            ),
            "cmb",
            n=int(h["n"]),
        )
    )
    cfa = pd.DataFrame(
        [_fit_row(study.cfa.fit_indices)],
        index=pd.Index([t("CFA (measurement model)", "CFA (model pengukuran)")], name="model"),
    )
    out.append(
        _table(
            t("Fit of the measurement model", "Kecocokan model pengukuran"),
            cfa,
            t(
                "Cut-offs (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08. "
                + FIT_NOTE_EN,
                "Batas (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08. "
                + FIT_NOTE_ID,
            ),
            "fit_cfa",
        )
    )


def _structural_section(study, t, out, num, seen):
    s = study.settings
    chosen = study.chosen
    model = s["model"].replace("_", "-")
    out.append(("h1", f"{num}. " + t("Structural model", "Model struktural")))
    out.append(
        (
            "figure",
            "path",
            t(
                f"The {model} model: standardised paths on their arrows (* p < .05, ** p < .01, *** p < .001) and R².",
                f"Model {model}: koefisien jalur terstandar pada panahnya (* p < .05, ** p < .01, *** p < .001) dan R².",
            ),
        )
    )
    out.append(
        (
            "figure",
            "path_full",
            t(
                f"The {model} model with its indicators and standardised loadings.",
                f"Model {model} dengan indikator dan loading terstandarnya.",
            ),
        )
    )
    estimation, why, _ = _estimation(s, t)
    d = s["df"]
    out.append(("h2", t("Estimation and identification", "Estimasi dan identifikasi")))
    out.append(
        (
            "p",
            t(
                f"Estimator: {estimation}; {why}. With {d['p']} observed variables the data give {d['p']}·{d['p'] + 1}/2"
                + (f" + {d['p']} means" if d["means"] else "")
                + f" = {d['moments']} moments; the model frees {d['npar']} parameters, so df = {d['moments']} − {d['npar']} = {d['moments'] - d['npar']}"
                + (
                    " (as reported)."
                    if d["moments"] - d["npar"] == d["df"]
                    else f" (the fit reports {d['df']})."
                ),
                f"Penaksir: {estimation}; {why}. Dengan {d['p']} variabel teramati data memberikan {d['p']}·{d['p'] + 1}/2"
                + (f" + {d['p']} rerata" if d["means"] else "")
                + f" = {d['moments']} momen; model mengestimasi {d['npar']} parameter bebas, sehingga df = {d['moments']} − {d['npar']} = {d['moments'] - d['npar']}"
                + (
                    " (sesuai laporan)."
                    if d["moments"] - d["npar"] == d["df"]
                    else f" (fit melaporkan {d['df']})."
                ),
            ),
        )
    )
    imp = s["improper"]
    tab = _frame(
        {
            t("result", "hasil"): imp["ok"].map(
                lambda ok: t("ok", "baik") if ok else t("PROBLEM", "MASALAH")
            ),
            t("where", "di mana"): imp["where"].replace("", "—"),
        },
        index=pd.Index(
            [
                t(
                    c,
                    {
                        "converged": "konvergen",
                        "negative variances (Heywood cases)": "varians negatif (kasus Heywood)",
                        "standardised loadings above 1": "loading terstandar di atas 1",
                        "correlations above 1 in absolute value": "korelasi di atas 1 (nilai mutlak)",
                        "R² outside 0–1": "R² di luar 0–1",
                        "standard errors finite": "galat baku terhingga",
                    }[c],
                )
                for c in imp["check"]
            ],
            name=t("check", "pemeriksaan"),
        ),
    )
    out.append(
        _table(
            t("Improper-solution checks", "Pemeriksaan solusi tak wajar"),
            tab,
            "",
            "improper",
            n=s["n_model"],
        )
    )
    # fit and comparison
    out.append(("h2", t("Model fit and model choice", "Kecocokan dan pemilihan model")))
    fits = pd.DataFrame(
        [_fit_row(f.fit_indices) for f in study.fits.values()],
        index=pd.Index([n.replace("_", "-") for n in study.fits], name="model"),
    )
    out.append(
        _table(
            t("Fit of the structural models", "Kecocokan model struktural"),
            fits,
            t(
                "Cut-offs (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08. "
                + FIT_NOTE_EN,
                "Batas (Hu & Bentler, 1999): CFI, TLI ≥ .95; RMSEA ≤ .06; SRMR ≤ .08. "
                + FIT_NOTE_ID,
            ),
            "fit",
        )
    )
    comp = study.comparison
    ctab = _frame(
        {
            "npar": comp["npar"].astype(int).astype(str),
            "χ² (df)": [
                f"{_f(c)} ({d:.0f})" for c, d in zip(comp["chisq"], comp["df"], strict=True)
            ],
            "CFI": comp["cfi"].map(_n),
            "RMSEA": comp["rmsea"].map(_n),
            "SRMR": comp["srmr"].map(_n),
            "AIC": comp["aic"].map(lambda v: _f(v, 1)),
            "BIC": comp["bic"].map(lambda v: _f(v, 1)),
        },
        index=pd.Index([n.replace("_", "-") for n in comp.index], name="model"),
    )
    has_ic = bool(np.isfinite(comp["aic"]).all())
    if not has_ic:
        ctab = ctab.drop(columns=["AIC", "BIC"])
    v = study.verdict
    nested_rows = []
    for name, r in v["nested"].items():
        nested_rows.append(
            f"{name.replace('_', '-')}: Δχ²({r['df_diff']:.0f}) = {_f(r['chisq_diff'])}, {_pt(r['p'])}"
        )
    ctab[t("Δχ² against the measurement model", "Δχ² terhadap model pengukuran")] = [
        (
            lambda r: (
                "—" if r is None else f"{_f(r['chisq_diff'])} ({r['df_diff']:.0f}), {_p(r['p'])}"
            )
        )(v["nested"].get(n))
        for n in comp.index
    ]
    test = comp.attrs.get("test")
    caption = (
        t("The three CX models compared", "Perbandingan tiga model CX")
        if len(study.fits) > 1
        else t(
            "The model against the measurement model", "Model dibandingkan dengan model pengukuran"
        )
    )
    out.append(
        _table(
            caption,
            ctab,
            t(
                "Δχ² only between nested models: each structural model against the measurement model whose latent correlations it restricts"
                + (
                    " (Satorra–Bentler scaled)"
                    if test == "satorra.bentler.2001"
                    else " (DIFFTEST)"
                    if test == "satorra.2000"
                    else ""
                )
                + (
                    ". Non-nested models are compared by AIC and BIC (lower is better)."
                    if has_ic
                    else ". Non-nested models are compared by CFI and RMSEA."
                ),
                "Δχ² hanya antara model tersarang: setiap model struktural terhadap model pengukuran yang korelasi latennya dibatasi"
                + (
                    " (terskala Satorra–Bentler)"
                    if test == "satorra.bentler.2001"
                    else " (DIFFTEST)"
                    if test == "satorra.2000"
                    else ""
                )
                + (
                    ". Model tidak tersarang dibandingkan dengan AIC dan BIC (lebih kecil lebih baik)."
                    if has_ic
                    else ". Model tidak tersarang dibandingkan dengan CFI dan RMSEA."
                ),
            ),
            "comparison",
            n=int(chosen.fit_indices["n"]),
        )
    )
    best = v["best"].replace("_", "-")
    sat = ", ".join(x.replace("_", "-") for x in v["saturated"])
    if v["by"] == "only":
        verdict = t(
            f"One structural model is tested ({best}); ", f"Satu model struktural diuji ({best}); "
        )
    elif v["by"] == "bic":
        others = [c for c in v["candidates"] if c != v["best"]]
        gaps = ", ".join(
            f"{c.replace('_', '-')} ΔBIC = {_f(comp.loc[c, 'bic'] - comp.loc[v['best'], 'bic'], 1)}"
            for c in others
        )
        verdict = t(
            f"The data prefer the {best} model: among the models that are not nested in one another it has the lowest BIC ({gaps}); ",
            f"Data lebih mendukung model {best}: di antara model yang tidak saling tersarang, BIC-nya paling kecil ({gaps}); ",
        )
    else:
        verdict = t(
            f"The data prefer the {best} model (highest CFI among non-nested models); ",
            f"Data lebih mendukung model {best} (CFI tertinggi di antara model tidak tersarang); ",
        )
    if nested_rows:
        verdict += (
            t("against the measurement model, ", "terhadap model pengukuran, ")
            + "; ".join(nested_rows)
            + "."
        )
    if sat:
        verdict += t(
            f" The {sat} model leaves the latent correlations free: it fits as the measurement model does (equivalent, not a competitor).",
            f" Model {sat} membiarkan korelasi laten bebas: kecocokannya sama dengan model pengukuran (ekuivalen, bukan pesaing).",
        )
    if v["best"] != study.model and v["by"] != "only":
        verdict += t(
            f" This report details the {model} model as requested.",
            f" Laporan ini merinci model {model} sesuai permintaan.",
        )
    out.append(("p", verdict))
    # hypotheses
    out.append(("h2", t("Hypothesis tests", "Pengujian hipotesis")))
    h = study.hypotheses
    boot = study.boot is not None
    rule = hypothesis_rule(t, s["n_boot"] if boot else None)
    sentences = []
    for r in h.itertuples():
        a, b = _named(study, h.loc[r.Index, "from"], seen), _named(study, r.to, seen)
        verdict_w = t("supported", "diterima") if r.supported else t("not supported", "ditolak")
        sentences.append(
            t(
                f"{r.hypothesis} ({a} → {b}): β = {_n(r.beta)}, b = {_f(r.b, 3)}, SE = {_f(r.se, 3)}, z = {_f(r.z)}, {_pt(r.pvalue)}"
                + (f", 95% CI {_ci(r.ci_low, r.ci_high)}" if np.isfinite(r.ci_low) else "")
                + f"; {verdict_w}.",
                f"{r.hypothesis} ({a} → {b}): β = {_n(r.beta)}, b = {_f(r.b, 3)}, SE = {_f(r.se, 3)}, z = {_f(r.z)}, {_pt(r.pvalue)}"
                + (f", IK 95% {_ci(r.ci_low, r.ci_high)}" if np.isfinite(r.ci_low) else "")
                + f"; {verdict_w}.",
            )
        )
    out.append(("p", rule + " " + " ".join(sentences)))
    ci = t("bootstrap 95% CI", "IK bootstrap 95%") if boot else t("95% CI", "IK 95%")
    tab = _frame(
        {
            t("path", "jalur"): h["path"],
            "β": [f"{_n(b)}{_stars(p)}" for b, p in zip(h["beta"], h["pvalue"], strict=True)],
            "b": h["b"].map(lambda v: _f(v, 3)),
            "SE": h["se"].map(lambda v: _f(v, 3)),
            "z": h["z"].map(_f),
            "p": h["pvalue"].map(_p),
            ci: [_ci(a, b) for a, b in zip(h["ci_low"], h["ci_high"], strict=True)],
            t("decision", "keputusan"): h["supported"].map(
                lambda ok: t("supported", "diterima") if ok else t("not supported", "ditolak")
            ),
        },
        index=pd.Index(h["hypothesis"], name=t("hypothesis", "hipotesis")),
    )
    out.append(
        _table(
            t("Hypothesis tests", "Hasil pengujian hipotesis"),
            tab,
            rule
            + t(
                " β standardised (std.all), b unstandardised.",
                " β terstandar (std.all), b tidak terstandar.",
            ),
            "hypotheses",
            n=s["n_model"],
        )
    )
    # effects
    e = study.effects
    if len(e):
        ind = e[e["kind"] == "indirect"]
        tot = e[e["kind"] == "total"].set_index(["from", "to"])
        rows = []
        for r in ind.itertuples():
            kind = r.mediation if isinstance(r.mediation, str) else ""
            rows.append(
                {
                    t("effect", "efek"): t("indirect", "tidak langsung"),
                    t("path", "jalur"): r.effect,
                    "β": _n(r.beta),
                    "b": _f(r.b, 3),
                    ci: _ci(r.ci_low, r.ci_high),
                    t("mediation", "mediasi"): _mediation(kind, t),
                }
            )
        for (a, b), r in tot.iterrows():
            rows.append(
                {
                    t("effect", "efek"): t("total", "total"),
                    t("path", "jalur"): f"{a} → {b}",
                    "β": _n(r["beta"]),
                    "b": _f(r["b"], 3),
                    ci: _ci(r["ci_low"], r["ci_high"]),
                    t("mediation", "mediasi"): _mediation(r["mediation"], t),
                }
            )
        tab = pd.DataFrame(rows).set_index(t("effect", "efek"))
        sig = ind[~((ind["ci_low"] <= 0) & (ind["ci_high"] >= 0))]
        out.append(("h2", t("Indirect and total effects", "Efek tidak langsung dan efek total")))
        out.append(
            (
                "p",
                t(
                    f"{len(sig)} of {len(ind)} indirect effects have a bootstrap interval that excludes zero"
                    + (
                        ": "
                        + "; ".join(
                            f"{r.effect} (β = {_n(r.beta)}, 95% CI {_ci(r.ci_low, r.ci_high)})"
                            for r in sig.itertuples()
                        )
                        if len(sig)
                        else ""
                    )
                    + ". Mediation is full when the direct path is absent or not significant, partial when it is significant (Zhao, Lynch & Chen, 2010).",
                    f"{len(sig)} dari {len(ind)} efek tidak langsung memiliki interval bootstrap yang tidak memuat nol"
                    + (
                        ": "
                        + "; ".join(
                            f"{r.effect} (β = {_n(r.beta)}, IK 95% {_ci(r.ci_low, r.ci_high)})"
                            for r in sig.itertuples()
                        )
                        if len(sig)
                        else ""
                    )
                    + ". Mediasi penuh bila jalur langsung tidak ada atau tidak signifikan, parsial bila signifikan (Zhao, Lynch & Chen, 2010).",
                ),
            )
        )
        out.append(
            _table(
                t("Indirect and total effects", "Efek tidak langsung dan efek total"),
                tab,
                t(
                    "Indirect effect = product of the paths along the chain; total = direct + indirect. An effect is significant when its interval excludes zero.",
                    "Efek tidak langsung = hasil kali jalur sepanjang rantai; total = langsung + tidak langsung. Efek signifikan bila intervalnya tidak memuat nol.",
                ),
                "effects",
                n=s["n_model"],
            )
        )
    latent_r2 = chosen.r_squared[[x for x in chosen.r_squared.index if x in chosen.spec.latent]]
    if len(latent_r2):
        out.append(
            _table(
                t("Variance explained", "Varians yang dijelaskan"),
                pd.DataFrame({"R²": latent_r2.map(_n)}).rename_axis(t("construct", "konstruk")),
                "",
                "r_squared",
                n=s["n_model"],
            )
        )
    # local fit
    out.append(("h2", t("Local fit", "Kecocokan lokal")))
    if study.residuals is not None:
        rr = study.residuals
        tab = _frame(
            {t("residual", "residual"): rr["residual"].map(_f)},
            index=pd.Index(
                [f"{a} – {b}" for a, b in zip(rr["a"], rr["b"], strict=True)],
                name=t("pair", "pasangan"),
            ),
        )
        big = int((rr["residual"].abs() > 2.58).sum())
        out.append(
            _table(
                t("Largest standardised residuals", "Residual terstandar terbesar"),
                tab,
                t(
                    f"|residual| > 2.58 marks local misfit; {big} of the 10 shown.",
                    f"|residual| > 2,58 menandakan ketidakcocokan lokal; {big} dari 10 yang ditampilkan.",
                ),
                "residuals",
                n=s["n_model"],
            )
        )
    if study.modification is not None and len(study.modification):
        mi = study.modification
        tab = _frame(
            {"MI": mi["mi"].map(_f), "EPC": mi["epc"].map(lambda v: _f(v, 3))},
            index=pd.Index(
                [f"{a} {op} {b}" for a, op, b in zip(mi["lhs"], mi["op"], mi["rhs"], strict=True)],
                name=t("parameter", "parameter"),
            ),
        )
        out.append(
            _table(
                t("Largest modification indices", "Indeks modifikasi terbesar"),
                tab,
                t(
                    "MI: expected drop in χ² when the parameter is freed (χ²(1), 3.84 at p = .05); free a parameter only when theory supports it.",
                    "MI: perkiraan penurunan χ² bila parameter dibebaskan (χ²(1), 3,84 pada p = .05); bebaskan parameter hanya bila didukung teori.",
                ),
                "modification",
                n=s["n_model"],
            )
        )
    for note in s.get("local_fit_notes", []):
        out.append(
            ("p", t("Not available for this fit: ", "Tidak tersedia untuk fit ini: ") + note)
        )


def _mediation(kind, t) -> str:
    return {
        "full (no direct path)": t("full (no direct path)", "penuh (tanpa jalur langsung)"),
        "full": t("full", "penuh"),
        "partial": t("partial", "parsial"),
        "none": t("none", "tidak ada"),
        "unknown": "—",
        "": "",
    }.get(kind, kind)


def _invariance_section(study, t, out, num):
    inv = study.invariance
    info = study.settings["invariance"]
    out.append(
        (
            "h1",
            f"{num}. "
            + t(
                f"Measurement invariance across {info['group']}",
                f"Invariansi pengukuran menurut {info['group']}",
            ),
        )
    )
    left = info["left_out"]
    kept = {k: v for k, v in info["counts"].items() if k not in left}
    ordinal = "cfi_scaled" in inv.columns  # WLSMV: the scaled statistics and indices
    chi, cfi, rmsea = (
        ("chisq_scaled", "cfi_scaled", "rmsea_scaled") if ordinal else ("chisq", "cfi", "rmsea")
    )
    tab = _frame(
        {
            ("scaled χ² (df)" if ordinal else "χ² (df)"): [
                f"{_f(c)} ({d:.0f})" for c, d in zip(inv[chi], inv["df"], strict=True)
            ],
            "CFI": inv[cfi].map(_n),
            "RMSEA": inv[rmsea].map(_n),
            "SRMR": inv["srmr"].map(_n),
            "Δχ² (Δdf), p": [
                "—" if pd.isna(c) else f"{_f(c)} ({d:.0f}), {_p(p)}"
                for c, d, p in zip(inv["chisq_diff"], inv["df_diff"], inv["p_diff"], strict=True)
            ],
            "ΔCFI": inv["cfi_diff"].map(lambda v: "—" if pd.isna(v) else _f(v, 3)),
            t("verdict", "keputusan"): inv["verdict"].map(
                lambda v: {
                    "holds": t("holds", "terpenuhi"),
                    "does not hold": t("does not hold", "tidak terpenuhi"),
                }.get(v, v or "—")
            ),
        },
        index=inv.index.rename(t("level", "tingkat")),
    )
    holds = [lvl for lvl, v in inv["verdict"].items() if v == "holds"]
    out.append(
        (
            "p",
            t(
                f"Groups compared: {', '.join(f'{k} (n = {v})' for k, v in kept.items())}"
                + (
                    f"; left out (fewer than 50): {', '.join(f'{k} (n = {v})' for k, v in left.items())}"
                    if left
                    else ""
                )
                + f". Invariance holds up to the {holds[-1] if holds else 'configural'} level (ΔCFI ≥ −.01 and the Δχ² test; Cheung & Rensvold, 2002).",
                f"Kelompok yang dibandingkan: {', '.join(f'{k} (n = {v})' for k, v in kept.items())}"
                + (
                    f"; tidak diikutkan (kurang dari 50): {', '.join(f'{k} (n = {v})' for k, v in left.items())}"
                    if left
                    else ""
                )
                + f". Invariansi terpenuhi sampai tingkat {holds[-1] if holds else 'configural'} (ΔCFI ≥ −.01 dan uji Δχ²; Cheung & Rensvold, 2002).",
            ),
        )
    )
    out.append(
        _table(
            t("Measurement invariance", "Invariansi pengukuran"),
            tab,
            t(
                "Each level adds equal loadings (metric), intercepts (scalar) and residual variances (strict).",
                "Setiap tingkat menambahkan kesamaan loading (metric), intersep (scalar) dan varians residual (strict).",
            )
            if not ordinal
            else t(
                "Ordinal items (WLSMV, delta parameterization): each level adds equal thresholds, then equal loadings (metric); scaled χ², CFI and RMSEA; Δχ² is the scaled difference test (DIFFTEST).",
                "Butir ordinal (WLSMV, parameterisasi delta): setiap tingkat menambahkan kesamaan threshold, lalu kesamaan loading (metric); χ², CFI dan RMSEA terskala; Δχ² adalah uji selisih terskala (DIFFTEST).",
            ),
            "invariance",
            n=sum(kept.values()),
        )
    )


def hypothesis_rule(t, n_boot: int | None) -> str:
    """The stated rule of the hypothesis table (CB-SEM and PLS-SEM alike), in the report's
    language (``t(en, id)``); ``n_boot``: the bootstrap's resamples, None without one."""
    return t(
        "A hypothesis is supported when its path is significant: p < .05 (two-tailed)"
        + (f" and the {n_boot}-resample bootstrap 95% CI excludes zero" if n_boot else "")
        + "; the sign of β must also match the hypothesised direction.",
        "Hipotesis diterima bila jalurnya signifikan: p < .05 (dua arah)"
        + (f" dan IK bootstrap 95% ({n_boot} sampel ulang) tidak memuat nol" if n_boot else "")
        + "; tanda β juga harus sesuai arah yang dihipotesiskan.",
    )


def blocks(study, sections=None, methods=None) -> list[tuple]:
    """The report's blocks; ``sections`` (functions ``(study, t, out, num, seen)``) replace the
    measurement and structural sections and ``methods`` the methods paragraph (the PLS report:
    :mod:`cxkit.report.pls`)."""
    s = study.settings
    lang = s.get("lang", "en")
    t = _Text(lang)
    ins = study.instrument
    title = ins.title.get(lang, ins.title.get("en", ins.ref)).replace("{store}", s["store"])
    synth = t(" (SYNTHETIC DATA)", " (DATA SINTETIS)") if s.get("synthetic") else ""
    out: list[tuple] = [
        ("title", t(f"CX study report: {title}", f"Laporan penelitian CX: {title}") + synth)
    ]
    seen: set = set()
    parts = [
        lambda n: _study_section(study, t, out, n),
        lambda n: _profile_section(study, t, out, n),
        lambda n: _quality_section(study, t, out, n),
        lambda n: _descriptives_section(study, t, out, n),
        lambda n: _pilot_section(study, t, out, n),
        *(
            lambda n, f=f: f(study, t, out, n, seen)
            for f in sections or (_measurement_section, _structural_section)
        ),
    ]
    if study.invariance is not None:
        parts.append(lambda n: _invariance_section(study, t, out, n))
    for k, part in enumerate(parts, start=1):
        part(k)
    n = len(parts) + 1
    if study.warnings:
        out.append(("h1", f"{n}. " + t("Warnings", "Peringatan")))
        for w in study.warnings:
            out.append(("warning", w))
        n += 1
    out.append(
        ("h1", f"{n}. " + t("Methods (a paragraph to adapt)", "Metode (paragraf untuk diadaptasi)"))
    )
    out.append(("p", (methods or methods_paragraph)(study)))
    return _number(out, t)


def _number(out: list[tuple], t) -> list[tuple]:
    """Fill ``{table}`` in paragraphs with the number of the next table."""
    k = 0
    numbered = []
    for _i, b in enumerate(out):
        if b[0] == "table":
            k += 1
        if b[0] == "p" and "{table}" in b[1]:
            nxt = k + 1
            numbered.append(("p", b[1].replace("{table}", str(nxt))))
        else:
            numbered.append(b)
    return numbered


def pilot_blocks(study) -> list[tuple]:
    """The pilot-test report on its own: title, data, validity, α, KMO, Bartlett, EFA, methods."""
    s = study.settings
    t = _Text(s.get("lang", "en"))
    ins = study.instrument
    out: list[tuple] = [("title", t(f"Pilot test: {ins.ref}", f"Uji coba instrumen: {ins.ref}"))]
    out.append(
        (
            "p",
            t(
                f"{s['n_analysed']} respondents (data {s['source']}, sha256 {s['data_sha256'][:16]}…); cxkit {s['cxkit']}.",
                f"{s['n_analysed']} responden (data {s['source']}, sha256 {s['data_sha256'][:16]}…); cxkit {s['cxkit']}.",
            ),
        )
    )
    _pilot_section(study, t, out, 1)
    return _number(out, t)
