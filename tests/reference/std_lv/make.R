# std.lv = TRUE (factor variances fixed to 1 instead of the first loadings) — issue 12 d, e.
# Holzinger & Swineford (data.txt → ../measure_hs/data.csv); ordinal: psych's bfi
# (../ordinal_bfi/data.csv, A1, C4, C5 reversed 7 - x, listwise as lavaan does by default).
#   groups_configural group = "school": every group's latent variances fixed to 1
#   groups_metric     group = "school", group.equal = "loadings": latent variances fixed to 1 in
#                     group 1 only, free in group 2 (lavaan frees them after the first group)
#   groups_scalar     group.equal = c("loadings", "intercepts"): latent means free after group 1
#   regression        latent regressions (textual ~ visual, speed ~ visual + textual): the
#                     residual variances of the endogenous factors are fixed to 1 as well
#   regression_wlsmv  bfi, agree =~ A1..A5, consc =~ C1..C5, consc ~ agree, ordered, WLSMV
source("../_shared/lavaan_case.R")
hs <- read.csv("../measure_hs/data.csv")
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
write_case(cfa(cfa3, data = hs, group = "school", std.lv = TRUE), "groups_configural",
           c("estimates", "fit"))
write_case(cfa(cfa3, data = hs, group = "school", std.lv = TRUE, group.equal = "loadings"),
           "groups_metric", c("estimates", "fit"))
write_case(cfa(cfa3, data = hs, group = "school", std.lv = TRUE,
               group.equal = c("loadings", "intercepts")), "groups_scalar", c("estimates", "fit"))
reg <- paste(cfa3, "textual ~ visual\nspeed ~ visual + textual", sep = "\n")
writeLines(reg, "regression.lav")
write_case(sem(reg, data = hs, std.lv = TRUE), "regression", c("estimates", "fit", "r2"))
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
bfi <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\nconsc ~ agree"
writeLines(bfi, "regression_wlsmv.lav")
write_case(sem(bfi, data = b, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE),
           "regression_wlsmv", c("estimates", "fit", "r2"), measures = FIT_NAMES_ROBUST)
write_session()
