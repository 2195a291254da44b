# Ordered and continuous indicators mixed (lavaan 0.6-14, WLSMV): psych's bfi (../ordinal_bfi/data.csv;
# A1, C4, C5 reverse-keyed 7 - x; complete rows), A1-A5 ordered, C1-C5 taken as continuous:
# polychoric (A-A), polyserial (A-C) and Pearson (C-C) moments, the C items' means and variances;
# and across gender groups (../wlsmv_groups/data.csv) with thresholds, and thresholds + loadings +
# intercepts, equal.
source("../_shared/lavaan_case.R")
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
b <- b[complete.cases(b), ]
fit <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = b,
           ordered = paste0("A", 1:5))
write_case(fit, "mixed", what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
ss <- lavInspect(fit, "sampstat")
write.csv(ss$cov, "mixed_cov.csv")
write.csv(data.frame(threshold = names(ss$th), value = as.numeric(ss$th)), "mixed_thresholds.csv", row.names = FALSE)
write.csv(data.frame(name = names(ss$mean), value = as.numeric(ss$mean)), "mixed_means.csv", row.names = FALSE)
write.csv(data.frame(wls_obs = lavInspect(fit, "wls.obs"), wls_v = diag(lavInspect(fit, "wls.v")),
                     gamma = diag(lavInspect(fit, "gamma"))), "mixed_weights.csv", row.names = FALSE)
g <- read.csv("../wlsmv_groups/data.csv")
for (v in c("A1", "C4", "C5")) g[[v]] <- 7 - g[[v]]
for (nm in c("thresholds", "intercepts")) {
  ge <- if (nm == "thresholds") "thresholds" else c("thresholds", "loadings", "intercepts")
  fitg <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = g,
              ordered = paste0("A", 1:5), group = "gender", group.equal = ge)
  write_case(fitg, paste0("groups_", nm), what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
}
write_session()
