"""Speed of the measurement functions on the real ECSI data (250 × 27) and psych's bfi (2800 × 10).

Prints cxkit's times and, when Rscript with psych/semTools is on the machine, R's times for the same
work. Run with ``make bench``; asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
from _timing import best

import cxkit
from cxkit.datasets import load_dataset

HERE = Path(__file__).resolve().parent
REF = HERE.parent / "tests" / "reference"


def r_times() -> dict[str, float] | None:
    if shutil.which("Rscript") is None:
        return None
    script = f"""
suppressPackageStartupMessages({{library(lavaan); library(semTools); library(psych)}})
d <- read.csv("{REF / "measure_ecsi" / "data.csv"}")
model <- paste(readLines("{REF / "measure_ecsi" / "model.lav"}"), collapse = "\\n")
b <- read.csv("{REF / "ordinal_bfi" / "data.csv"}")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
t <- function(expr) {{ x <- replicate(5, system.time(eval(expr))[["elapsed"]]); min(x) }}
blocks <- list(IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
               VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4))
cat("alpha", t(quote(for (k in blocks) psych::alpha(d[, k], warnings = FALSE))), "\\n")
cat("cfa_omega_ave", t(quote({{f <- cfa(model, d); compRelSEM(f); AVE(f)}})), "\\n")
cat("htmt", t(quote(semTools::htmt(model, d, htmt2 = FALSE))), "\\n")
cat("polychoric", t(quote(psych::polychoric(b[, paste0("A", 1:5)]))), "\\n")
cat("omega_h", t(quote(psych::omega(d[, unlist(blocks)], nfactors = 3, plot = FALSE))), "\\n")
f <- cfa(model, d)
cat("comprelsem", t(quote({{compRelSEM(f); compRelSEM(f, obs.var = FALSE)}})), "\\n")
hs <- read.csv("{REF / "measure_hs" / "data.csv"}")
h <- cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
cat("resid_summary", t(quote(for (ty in c("raw", "cor.bentler", "cor.bollen"))
  lavResiduals(h, type = ty))), "\\n")
"""
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    times = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if value:
            times[key] = float(value)
    return times or None


def main() -> None:
    ecsi = load_dataset("satisfaction")
    ins = cxkit.load_instrument("ecsi@1.0.0")
    bfi = pd.read_csv(REF / "ordinal_bfi" / "data.csv")
    bfi = bfi.assign(**{v: 7 - bfi[v] for v in ("A1", "C4", "C5")})
    model = (REF / "measure_ecsi" / "model.lav").read_text()
    fit = cxkit.fit_sem(model, ecsi)
    hs = pd.read_csv(REF / "measure_hs" / "data.csv")
    hs_fit = cxkit.fit_sem(
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", hs
    )
    ours = {
        "alpha": best(lambda: cxkit.reliability(ecsi, ins, cfa=False)),
        "cfa_omega_ave": best(lambda: cxkit.reliability(ecsi, ins)),
        "htmt": best(lambda: cxkit.htmt(ecsi, ins)),
        "polychoric": best(lambda: cxkit.measure.polychoric(bfi, [f"A{i}" for i in range(1, 6)])),
        "omega_h": best(lambda: cxkit.omega_hierarchical(ecsi, ins, n_factors=3)),
        "comprelsem": best(
            lambda: (
                cxkit.composite_reliability(fit),
                cxkit.composite_reliability(fit, obs_var=False),
            )
        ),
        "resid_summary": best(lambda: hs_fit.residual_summary()),
    }
    boot = best(lambda: cxkit.htmt_bootstrap(ecsi, ins, n_boot=2000, seed=1), repeat=1)
    theirs = r_times() or {}
    print(f"{'task':<16}{'cxkit (s)':>12}{'R (s)':>10}{'R / cxkit':>11}")
    for key, value in ours.items():
        r = theirs.get(key)
        ratio = f"{r / value:.1f}" if r is not None and value > 0 else "n/a"
        print(f"{key:<16}{value:>12.4f}{(f'{r:.4f}' if r is not None else 'n/a'):>10}{ratio:>11}")
    print(f"{'htmt 2000 boot':<16}{boot:>12.4f}{'n/a':>10}")
    if not theirs:
        print("(R timings skipped: Rscript with lavaan/semTools/psych not found)")


if __name__ == "__main__":
    main()
