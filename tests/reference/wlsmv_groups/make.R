# WLSMV across groups (lavaan 0.6-14, delta parameterization): psych's bfi, Agreeableness and
# Conscientiousness (A1, C4, C5 reverse-keyed: 7 - x), grouped by gender (1 = male, 2 = female),
# complete rows. The invariance steps as lavaan applies group.equal with ordered data:
#   configural   thresholds free per group, scale factors 1, latent means 0
#   thresholds   group.equal = "thresholds": scale factors (~*~) and latent means free after group 1
#   loadings     group.equal = c("thresholds", "loadings")
#   intercepts   group.equal = c("thresholds", "loadings", "intercepts") (y* intercepts stay 0)
# and the scaled chi-square differences between the steps (lavTestLRT, method "satorra.2000").
source("../_shared/lavaan_case.R")
data(bfi, package = "psych")
d <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5), "gender")]
d <- d[complete.cases(d), ]
write.csv(d, "data.csv", row.names = FALSE)
for (v in c("A1", "C4", "C5")) d[[v]] <- 7 - d[[v]]
model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
steps <- list(configural = "", thresholds = "thresholds",
              loadings = c("thresholds", "loadings"),
              intercepts = c("thresholds", "loadings", "intercepts"))
fits <- list()
for (nm in names(steps)) {
  fit <- cfa(model, data = d, ordered = TRUE, group = "gender", group.equal = steps[[nm]])
  write_case(fit, nm, what = c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
  fits[[nm]] <- fit
}
out <- list()
for (k in 2:length(fits)) {
  lrt <- lavTestLRT(fits[[k - 1]], fits[[k]])
  out[[k]] <- data.frame(free = names(fits)[k - 1], restricted = names(fits)[k],
                         chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                         p_diff = lrt[["Pr(>Chisq)"]][2])
}
write.csv(do.call(rbind, out), "difftest.csv", row.names = FALSE)
write_session()
