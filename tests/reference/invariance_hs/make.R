# Measurement invariance: Holzinger & Swineford three-factor CFA by school (Pasteur, Grant-White),
# lavaan cfa(group = "school") configural, then group.equal loadings / + intercepts / + residuals.
source("../_shared/lavaan_case.R")  # write_case: <level>_estimates.csv, <level>_fit.csv
d <- read.csv("../measure_hs/data.csv")
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
writeLines(model, "model.lav")
levels <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
names_fm <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
              "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "aic", "bic")
rows <- list()
for (lv in names(levels)) {
  fit <- cfa(model, data = d, group = "school", group.equal = levels[[lv]])
  fm <- fitMeasures(fit, names_fm)
  rows[[lv]] <- data.frame(level = lv, measure = names(fm), value = as.numeric(fm))
  write_case(fit, lv, c("estimates", "fit"))
}
write.csv(do.call(rbind, rows), "fit.csv", row.names = FALSE)
writeLines(capture.output(lavInspect(cfa(model, data = d, group = "school"), "group.label")), "groups.txt")
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
