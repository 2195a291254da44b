# Residual matrices (issue 12 g): Holzinger & Swineford three-factor CFA (../measure_hs/data.csv)
# and the Political Democracy SEM (../sem_poldem/data.csv, ../sem_poldem/model.lav), ML.
#   <name>_residuals_raw.csv           residuals(fit, type = "raw")$cov            S − Σ̂
#   <name>_residuals_cor_bentler.csv   residuals(fit, type = "cor.bentler")$cov    (S − Σ̂) / √(s_ii s_jj)
#   <name>_residuals_standardized.csv  residuals(fit, type = "standardized")$cov
#   <name>_residuals_cov_z.csv         lavResiduals(fit)$cov.z (the z statistics lavResiduals prints)
#   <name>_residuals_normalized.csv    residuals(fit, type = "normalized")$cov
# standardized.csv and cov_z.csv are written separately; make.R prints their largest difference
# (residuals_same.txt) and which one cxkit's residuals("standardized") is tested against is in
# tests/test_engine_reference.py.
source("../_shared/lavaan_case.R")
hs <- read.csv("../measure_hs/data.csv")
pd <- read.csv("../sem_poldem/data.csv")
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fits <- list(hs = sem(cfa3, data = hs),
             poldem = sem(paste(readLines("../sem_poldem/model.lav"), collapse = "\n"), data = pd))
same <- character()
for (nm in names(fits)) {
  fit <- fits[[nm]]
  write_case(fit, nm, c("estimates", "fit"))
  r <- list(raw = residuals(fit, type = "raw")$cov,
            cor_bentler = residuals(fit, type = "cor.bentler")$cov,
            standardized = residuals(fit, type = "standardized")$cov,
            cov_z = lavResiduals(fit)$cov.z,
            normalized = residuals(fit, type = "normalized")$cov)
  for (k in names(r)) write_matrix(unclass(r[[k]]), paste0(nm, "_residuals_", k, ".csv"))
  same <- c(same, sprintf("%s: max |standardized - cov_z| = %.3g", nm,
                          max(abs(unclass(r$standardized) - unclass(r$cov_z)), na.rm = TRUE)))
}
writeLines(same, "residuals_same.txt")
write_session()
