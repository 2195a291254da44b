# Writes one fitted lavaan model as the CSVs that tests/lavaan.py reads (run from the case folder):
#   <name>_estimates.csv   parameterEstimates(standardized = TRUE): lhs, op, rhs, label, group, est,
#                          se, z, pvalue, ci.lower, ci.upper, std.all (":=" rows: group 0, as lavaan)
#   <name>_fit.csv         fitMeasures(): measure, value; n = nobs(fit)
#   <name>_r2.csv          lavInspect(fit, "r2"): variable, group, r2
#   <name>_modindices.csv  modindices(sort. = FALSE): lhs, op, rhs, group, mi, epc
#   <name>_options.txt     the options lavaan resolved (meanstructure, fixed.x, std.lv, se, test, ...)
# write.csv writes 15 significant digits (the full precision of the values).
suppressPackageStartupMessages(library(lavaan))
options(digits = 15)

FIT_NAMES <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
               "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl",
               "aic", "bic")
FIT_NAMES_ROBUST <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
                      "chisq.scaling.factor", "chisq.shift.parameters", "baseline.chisq",
                      "baseline.df", "baseline.chisq.scaled", "baseline.chisq.scaling.factor",
                      "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled",
                      "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.ci.lower",
                      "rmsea.ci.upper", "srmr")

write_estimates <- function(fit, name) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (!"label" %in% names(pe)) pe$label <- ""
  if (!"group" %in% names(pe)) pe$group <- 1L
  cols <- intersect(c("lhs", "op", "rhs", "label", "group", "est", "se", "z", "pvalue", "ci.lower",
                      "ci.upper", "std.all"), names(pe))
  write.csv(pe[, cols], paste0(name, "_estimates.csv"), row.names = FALSE)
}

write_fit <- function(fit, name, measures = FIT_NAMES) {
  fm <- fitMeasures(fit, measures)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm), n = nobs(fit)),
            paste0(name, "_fit.csv"), row.names = FALSE)
}

write_r2 <- function(fit, name) {
  r2 <- lavInspect(fit, "r2")
  if (!is.list(r2)) r2 <- list(r2)
  out <- do.call(rbind, lapply(seq_along(r2), function(g)
    data.frame(variable = names(r2[[g]]), group = g, r2 = as.numeric(r2[[g]]))))
  write.csv(out, paste0(name, "_r2.csv"), row.names = FALSE)
}

write_modindices <- function(fit, name) {
  mi <- modindices(fit, sort. = FALSE)
  if (!"group" %in% names(mi)) mi$group <- 1L
  write.csv(mi[, c("lhs", "op", "rhs", "group", "mi", "epc")], paste0(name, "_modindices.csv"),
            row.names = FALSE)
}

write_options <- function(fit, name) {
  keep <- c("estimator", "meanstructure", "fixed.x", "conditional.x", "std.lv", "missing", "se",
            "information", "test", "group.equal", "parameterization")
  writeLines(capture.output(str(lavInspect(fit, "options")[keep])), paste0(name, "_options.txt"))
}

# a square matrix with its row names as the first column "variable"
write_matrix <- function(m, file) {
  write.csv(data.frame(variable = rownames(m), m, check.names = FALSE), file, row.names = FALSE)
}

write_case <- function(fit, name, what = c("estimates", "fit", "r2"), measures = FIT_NAMES) {
  stopifnot(lavInspect(fit, "converged"))
  if ("estimates" %in% what) write_estimates(fit, name)
  if ("fit" %in% what) write_fit(fit, name, measures)
  if ("r2" %in% what) write_r2(fit, name)
  if ("modindices" %in% what) write_modindices(fit, name)
  write_options(fit, name)
  invisible(fit)
}

# lavaan's warnings and errors, verbatim, while fitting (for cases where it refuses or warns)
capture_conditions <- function(expr) {
  msgs <- character()
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) {
      msgs <<- c(msgs, paste("ERROR:", conditionMessage(e)))
      NULL
    }),
    warning = function(w) {
      msgs <<- c(msgs, paste("WARNING:", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  list(value = value, messages = msgs)
}

write_session <- function() writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
