# WLSMV with missing answers (lavaan 0.6-14): psych's bfi Agreeableness and Conscientiousness with
# their blanks (data: ../ordinal_bfi/data.csv; A1, C4, C5 reverse-keyed 7 - x), missing = "pairwise"
# (thresholds from each item's answers, polychorics from each pair's complete cases) and, for the
# same data, lavaan's default listwise deletion; also pairwise across gender groups (data.csv here:
# the bfi items with gender, blanks kept).
source("../_shared/lavaan_case.R")
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
fit <- cfa(model, data = b, ordered = TRUE, missing = "pairwise")
write_case(fit, "pairwise", what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
ss <- lavInspect(fit, "sampstat")
write.csv(ss$cov, "pairwise_polychoric.csv")
write.csv(data.frame(threshold = names(ss$th), value = as.numeric(ss$th)), "pairwise_thresholds.csv", row.names = FALSE)
write.csv(data.frame(wls_v = diag(lavInspect(fit, "wls.v")), gamma = diag(lavInspect(fit, "gamma"))),
          "pairwise_weights.csv", row.names = FALSE)
data(bfi, package = "psych")
g <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5), "gender")]
write.csv(g, "data.csv", row.names = FALSE)
for (v in c("A1", "C4", "C5")) g[[v]] <- 7 - g[[v]]
fitg <- cfa(model, data = g, ordered = TRUE, missing = "pairwise", group = "gender",
            group.equal = c("thresholds", "loadings"))
write_case(fitg, "pairwise_groups", what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
write_session()
