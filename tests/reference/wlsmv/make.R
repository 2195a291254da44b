# Ordinal SEM: lavaan estimator = "WLSMV" (DWLS on polychoric correlations, delta parameterization,
# robust SEs, mean- and variance-adjusted (scaled-shifted) chi-square), all indicators ordered.
#   cx_direct  the CX direct model on the synthetic demo data (7-point Likert; OE4 recoded 8 - x)
#   cx_pyramid the CX pyramid model (second-order paths, := indirect effects) on the same data
#   bfi        psych's bfi, Agreeableness and Conscientiousness (A1, C4, C5 reverse-keyed), listwise
source("../_shared/lavaan_case.R")  # write_estimates: all columns, 15 digits
fm_names <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
              "chisq.scaling.factor", "chisq.shift.parameters", "baseline.chisq", "baseline.df",
              "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi", "tli", "rmsea",
              "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
              "rmsea.ci.lower", "rmsea.ci.upper", "srmr")
run <- function(model, d, prefix) {
  fit <- sem(model, data = d, ordered = TRUE, estimator = "WLSMV")
  write_estimates(fit, prefix)
  fm <- fitMeasures(fit, fm_names)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(prefix, "_fit.csv"), row.names = FALSE)
  ss <- lavInspect(fit, "sampstat")
  write.csv(ss$cov, paste0(prefix, "_polychoric.csv"))
  write.csv(data.frame(threshold = names(ss$th), value = as.numeric(ss$th)), paste0(prefix, "_thresholds.csv"), row.names = FALSE)
  write.csv(data.frame(wls_v = diag(lavInspect(fit, "wls.v")), gamma = diag(lavInspect(fit, "gamma"))),
            paste0(prefix, "_weights.csv"), row.names = FALSE)
  writeLines(capture.output(str(lavInspect(fit, "options")[c("estimator", "parameterization", "se", "test", "zero.add", "missing")])), paste0(prefix, "_options.txt"))
  writeLines(as.character(nobs(fit)), paste0(prefix, "_n.txt"))
}
d <- read.csv("../sem_cx/data.csv"); d$OE4 <- 8 - d$OE4
run(paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n"), d, "cx_direct")
run(paste(readLines("../sem_cx/pyramid/model.lav"), collapse = "\n"), d, "cx_pyramid")
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
run("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", b, "bfi")
# a saturated model with negative loadings (A1 not reversed here): df = 0
run("a =~ A1 + A2 + A3", read.csv("../ordinal_bfi/data.csv"), "bfi3")
# DIFFTEST-type difference tests (lavTestLRT of WLSMV fits): two factors vs one factor, and vs
# equal loadings within each factor
two <- sem("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = b, ordered = TRUE, estimator = "WLSMV")
one <- sem("f =~ A1 + A2 + A3 + A4 + A5 + C1 + C2 + C3 + C4 + C5", data = b, ordered = TRUE, estimator = "WLSMV")
eq <- sem("agree =~ A1 + a*A2 + a*A3 + a*A4 + a*A5\nconsc =~ C1 + c*C2 + c*C3 + c*C4 + c*C5", data = b, ordered = TRUE, estimator = "WLSMV")
out <- list()
for (nm in c("one", "eq")) {
  lrt <- lavTestLRT(two, get(nm))
  out[[nm]] <- data.frame(restricted = nm, chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                          p_diff = lrt[["Pr(>Chisq)"]][2],
                          method = regmatches(attr(lrt, "heading"), regexpr("satorra[.a-z0-9]*", attr(lrt, "heading"))))
}
write.csv(do.call(rbind, out), "bfi_difftest.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
