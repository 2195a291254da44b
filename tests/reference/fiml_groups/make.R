# Multi-group FIML: Holzinger & Swineford with MAR missing answers (../sem_fiml/data.csv) by school,
# missing = "ml": the four invariance levels, estimates and fit of each.
source("../_shared/lavaan_case.R")  # write_case: <level>_estimates.csv, <level>_fit.csv
d <- read.csv("../sem_fiml/data.csv")
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
names_fm <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
              "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "aic", "bic")
lv <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
           strict = c("loadings", "intercepts", "residuals"))
rows <- list()
for (k in names(lv)) {
  fit <- cfa(model, data = d, group = "school", group.equal = lv[[k]], missing = "ml")
  fm <- fitMeasures(fit, names_fm)
  rows[[k]] <- data.frame(level = k, measure = names(fm), value = as.numeric(fm))
  write_case(fit, k, c("estimates", "fit"))
}
write.csv(do.call(rbind, rows), "fit.csv", row.names = FALSE)
writeLines(capture.output(lavInspect(fit, "options")[c("information", "observed.information", "h1.information")]), "options.txt")
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
