# WLSMV with parameterization = "theta" (lavaan 0.6-14): residual variances of y* fixed at 1 (free
# after group 1 when thresholds are held equal), scale factors 1/sd(y*) derived. psych's bfi A and C
# items (A1, C4, C5 reverse-keyed 7 - x): one group (../ordinal_bfi/data.csv, complete rows), and by
# gender with thresholds, and thresholds + loadings, equal (../wlsmv_groups/data.csv).
source("../_shared/lavaan_case.R")
model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
fit <- cfa(model, data = b, ordered = TRUE, parameterization = "theta")
write_case(fit, "one", what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
g <- read.csv("../wlsmv_groups/data.csv")
for (v in c("A1", "C4", "C5")) g[[v]] <- 7 - g[[v]]
for (nm in c("thresholds", "loadings")) {
  ge <- if (nm == "thresholds") "thresholds" else c("thresholds", "loadings")
  fitg <- cfa(model, data = g, ordered = TRUE, group = "gender", group.equal = ge,
              parameterization = "theta")
  write_case(fitg, paste0("groups_", nm), what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
}
write_session()
