# MLR: robust (Huber-White) standard errors and the Yuan-Bentler scaled chi-square, lavaan
# estimator = "MLR". Cases:
#   cx_direct  the CX direct model on the synthetic demo data (7-point Likert, skewed; OE4 recoded 8 - x)
#   hs         Holzinger & Swineford three-factor CFA
#   poldem     Political Democracy with := indirect and total effects
#   fiml       HS with MAR missing answers (../sem_fiml/data.csv), missing = "ml"
#   mg_metric  HS by school, group.equal = "loadings"
source("../_shared/lavaan_case.R")  # write_estimates: all columns, 15 digits
fm_names <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled",
              "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "baseline.chisq.scaling.factor",
              "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled",
              "rmsea.ci.upper.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
              "rmsea.ci.upper.robust", "srmr", "logl", "aic", "bic")
run <- function(model, d, prefix, ...) {
  fit <- sem(model, data = d, estimator = "MLR", ...)
  write_estimates(fit, prefix)
  fm <- fitMeasures(fit, fm_names)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(prefix, "_fit.csv"), row.names = FALSE)
  writeLines(capture.output(str(lavInspect(fit, "options")[c("meanstructure", "information", "observed.information", "h1.information", "se", "test", "missing")])), paste0(prefix, "_options.txt"))
}
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
d <- read.csv("../sem_cx/data.csv"); d$OE4 <- 8 - d$OE4
run(paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n"), d, "cx_direct")
hs <- read.csv("../measure_hs/data.csv")
run(hs_model, hs, "hs")
run(paste(readLines("../sem_poldem/model.lav"), collapse = "\n"), read.csv("../sem_poldem/data.csv"), "poldem")
run(hs_model, read.csv("../sem_fiml/data.csv"), "fiml", missing = "ml")
run(hs_model, hs, "mg_metric", group = "school", group.equal = "loadings")
# compare: HS free loadings vs equal loadings within each factor, lavTestLRT (Satorra-Bentler 2001 scaled difference)
fit1 <- sem(hs_model, data = hs, estimator = "MLR")
fit2 <- sem("visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + c*x8 + c*x9", data = hs, estimator = "MLR")
lrt <- lavTestLRT(fit1, fit2)
write.csv(data.frame(model = c("free", "equal"), df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt[["Chisq diff"]],
                     df_diff = lrt[["Df diff"]], p_diff = lrt[["Pr(>Chisq)"]]), "compare.csv", row.names = FALSE)
writeLines(capture.output(attr(lrt, "heading")), "compare_heading.txt")
run(hs_model, read.csv("../sem_fiml/data.csv"), "mg_fiml", group = "school", group.equal = "loadings", missing = "ml")
# invariance with MLR: HS by school, four levels, lavTestLRT between neighbours
lv <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
           strict = c("loadings", "intercepts", "residuals"))
fits <- lapply(lv, function(eq) cfa(hs_model, data = hs, group = "school", group.equal = eq, estimator = "MLR"))
inv <- do.call(rbind, lapply(names(fits), function(k) {
  fm <- fitMeasures(fits[[k]], c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust"))
  data.frame(level = k, t(as.numeric(fm)))
}))
names(inv) <- c("level", "chisq", "df", "chisq_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust")
lrt <- do.call(lavTestLRT, c(unname(fits), list(model.names = names(fits))))
inv$chisq_diff <- lrt[["Chisq diff"]][match(inv$level, rownames(lrt))]
inv$p_diff <- lrt[["Pr(>Chisq)"]][match(inv$level, rownames(lrt))]
write.csv(inv, "invariance.csv", row.names = FALSE)
# an observed exogenous predictor (fixed.x): HS with visual, textual ~ ageyr
run("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr", hs, "fixedx")
# a saturated model (df = 0): nothing to scale
run("visual =~ x1 + x2 + x3", hs, "saturated")
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
