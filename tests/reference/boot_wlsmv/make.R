# Bootstrap reference for ordinal fits (issue 12 l): psych's bfi (../ordinal_bfi/data.csv, A1, C4,
# C5 reversed 7 - x; listwise), two factors, ordered = TRUE. lavaan 0.6-14 refuses se = "bootstrap"
# with estimator = "WLSMV" ("lavaan ERROR: use (D)WLS estimator for bootstrap"): the bootstrap is
# run with estimator = "DWLS" — the same estimates as WLSMV (DWLS on the polychoric correlations),
# se = "bootstrap", bootstrap = 1000 (ordinary nonparametric, each resample refitted with its own
# thresholds and polychorics), percentile intervals. The time it took in timing.csv (for the
# benchmark ratios; one run on this 2-core machine, shared with other jobs).
suppressPackageStartupMessages(library(lavaan))
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
writeLines(model, "model.lav")
t1 <- system.time(fit1 <- sem(model, data = b, ordered = TRUE, estimator = "WLSMV"))
set.seed(20261201)
t <- system.time(fit <- sem(model, data = b, ordered = TRUE, estimator = "DWLS",
                            se = "bootstrap", bootstrap = 1000))
pe <- parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")], "estimates.csv",
          row.names = FALSE)
boot <- lavInspect(fit, "boot")
write.csv(data.frame(elapsed = t[["elapsed"]], single_fit = t1[["elapsed"]], n_ok = nrow(boot),
                     n_error = length(attr(boot, "error.idx"))), "timing.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
