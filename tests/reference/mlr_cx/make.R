# MLR: robust (Huber-White) standard errors and the Yuan-Bentler scaled chi-square, lavaan
# estimator = "MLR", on the synthetic CX demo data (7-point Likert answers, skewed; OE4 recoded 8 - x)
# with the CX direct model, and on Holzinger & Swineford.
suppressPackageStartupMessages(library(lavaan))
fm_names <- c("npar", "chisq", "df", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled",
              "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled",
              "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
              "rmsea.ci.upper.robust", "srmr", "logl", "aic", "bic")
run <- function(model, d, prefix) {
  fit <- sem(model, data = d, estimator = "MLR")
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "std.all")], paste0(prefix, "_estimates.csv"), row.names = FALSE)
  fm <- fitMeasures(fit, fm_names)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(prefix, "_fit.csv"), row.names = FALSE)
  writeLines(capture.output(str(lavInspect(fit, "options")[c("meanstructure", "information", "observed.information", "h1.information", "se", "test")])), paste0(prefix, "_options.txt"))
}
d <- read.csv("../sem_cx/data.csv"); d$OE4 <- 8 - d$OE4
run(paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n"), d, "cx_direct")
hs <- read.csv("../measure_hs/data.csv")
run("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", hs, "hs")
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
