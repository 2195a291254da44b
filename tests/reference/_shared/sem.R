# Reference values for cxkit.fit_sem: lavaan's parameterEstimates (with std.all), fitMeasures, R²
# and modification indices. Sourced by each sem_* case's make.R, run from the case folder.
suppressPackageStartupMessages(library(lavaan))

FIT_NAMES <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
               "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "aic", "bic")

sem_reference <- function(model, d, ...) {
  writeLines(model, "model.lav")
  fit <- lavaan::sem(model, data = d, ...)
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[, intersect(c("lhs", "op", "rhs", "label", "group", "est", "se", "z", "pvalue",
                         "ci.lower", "ci.upper", "std.all"), names(pe))]
  write.csv(pe, "estimates.csv", row.names = FALSE)
  fm <- fitMeasures(fit, FIT_NAMES)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm), n = nobs(fit)), "fit.csv",
            row.names = FALSE)
  r2 <- lavInspect(fit, "r2")
  write.csv(data.frame(variable = names(r2), r2 = as.numeric(r2)), "r2.csv", row.names = FALSE)
  mi <- modindices(fit, sort. = FALSE)
  write.csv(mi[, c("lhs", "op", "rhs", "mi", "epc")], "modindices.csv", row.names = FALSE)
  writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
  invisible(fit)
}
