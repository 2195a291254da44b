# Latent growth models (issue 13 item 4) with lavaan's growth() defaults (meanstructure, observed
# intercepts fixed at 0, latent means free, int.ov.free = FALSE, int.lv.free = TRUE) on lavaan's
# Demo.growth (400 cases, t1-t4 scores, x1 x2 time-invariant, c1-c4 time-varying covariates),
# written out as data.csv.
#   linear      i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4; s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4
#   quadratic   + q =~ 0*t1 + 1*t2 + 4*t3 + 9*t4
#   covariates  linear + i ~ x1 + x2; s ~ x1 + x2 (time-invariant covariates)
#   tvc         covariates + t1 ~ c1; t2 ~ c2; t3 ~ c3; t4 ~ c4 (lavaan's tutorial model)
#   sem_means   linear with sem(): i ~ 1, s ~ 1 and t1..t4 ~ 0*1 written out (= growth's linear)
#   fiml        linear with 10% of t2-t4 missing (MCAR, seed 13), missing = "ml"
source("../_shared/lavaan_case.R")
d <- Demo.growth
write.csv(d, "data.csv", row.names = FALSE)
d <- read.csv("data.csv")
lin <- "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4"
cov <- paste(lin, "i ~ x1 + x2\ns ~ x1 + x2", sep = "\n")
models <- list(
  linear = lin,
  quadratic = paste(lin, "q =~ 0*t1 + 1*t2 + 4*t3 + 9*t4", sep = "\n"),
  covariates = cov,
  tvc = paste(cov, "t1 ~ c1\nt2 ~ c2\nt3 ~ c3\nt4 ~ c4", sep = "\n"))
for (nm in names(models)) {
  writeLines(models[[nm]], paste0(nm, ".lav"))
  write_case(growth(models[[nm]], data = d), nm, c("estimates", "fit", "r2"))
}
sm <- paste(lin, "i ~ 1\ns ~ 1\nt1 ~ 0*1\nt2 ~ 0*1\nt3 ~ 0*1\nt4 ~ 0*1", sep = "\n")
writeLines(sm, "sem_means.lav")
write_case(sem(sm, data = d), "sem_means", c("estimates", "fit", "r2"))
set.seed(13)
dm <- d
for (v in c("t2", "t3", "t4")) dm[[v]][runif(nrow(dm)) < 0.1] <- NA
write.csv(dm, "data_missing.csv", row.names = FALSE)
dm <- read.csv("data_missing.csv")
write_case(growth(lin, data = dm, missing = "ml"), "fiml", c("estimates", "fit"))
write_session()
