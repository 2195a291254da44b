# lavaan's equality and inequality constraints (issue 13 item 2) on Holzinger & Swineford (lavaan's
# copy, ../measure_hs/data.csv; FIML models: ../sem_fiml/data.csv with MAR missing answers).
# Each model is the three-factor CFA with labelled loadings plus constraint lines:
#   linear      a == b; d == 0.9*c               (linear equalities: df + 2, npar - 2)
#   nonlinear   a == b^2                         (nonlinear equality: df + 1)
#   defined     r := a/b; r == 0.8                (a := label used in a constraint)
#   inactive    a > 0; e > f                     (inequalities that do not bind: = unconstrained)
#   active      b < 0.6; f > e                   (binding inequalities: df unchanged)
#   groups      two schools, group.equal loadings+intercepts, v1 == v2 (visual variances)
#   fiml        linear, missing = "ml"
#   mlr         linear, estimator = "MLR"
#   mlr_groups  groups, estimator = "MLR"
#   start       start(0.5)*x2 start(1)*x6, a*start(1.2)*x8 (labelled): the estimates of the free model
# and lavTestWald on the unconstrained model: wald.csv (constraints, stat, df, p.value).
source("../_shared/lavaan_case.R")
d <- read.csv("../measure_hs/data.csv")
dm <- read.csv("../sem_fiml/data.csv")
base <- "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + e*x8 + f*x9"
models <- list(
  linear = "a == b\nd == 0.9*c",
  nonlinear = "a == b^2",
  defined = "r := a/b\nr == 0.8",
  inactive = "a > 0\ne > f",
  active = "b < 0.6\nf > e")
for (nm in names(models)) {
  m <- paste(base, models[[nm]], sep = "\n")
  writeLines(m, paste0(nm, ".lav"))
  write_case(sem(m, data = d), nm, c("estimates", "fit", "r2"))
}
grp <- paste("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
             "visual ~~ c(v1, v2)*visual\nv1 == v2", sep = "\n")
writeLines(grp, "groups.lav")
write_case(sem(grp, data = d, group = "school", group.equal = c("loadings", "intercepts")),
           "groups", c("estimates", "fit", "r2"))
lin <- paste(base, models$linear, sep = "\n")
write_case(sem(lin, data = dm, missing = "ml"), "fiml", c("estimates", "fit"))
write_case(sem(lin, data = d, estimator = "MLR"), "mlr", c("estimates", "fit"),
           measures = FIT_NAMES_ROBUST)
write_case(sem(grp, data = d, group = "school", group.equal = c("loadings", "intercepts"),
               estimator = "MLR"), "mlr_groups", c("estimates", "fit"), measures = FIT_NAMES_ROBUST)
st <- "visual =~ x1 + start(0.5)*x2 + x3\ntextual =~ x4 + x5 + start(1)*x6\nspeed =~ x7 + a*start(1.2)*x8 + x9"
writeLines(st, "start.lav")
write_case(sem(st, data = d), "start", c("estimates", "fit"))

free <- sem(base, data = d)
tests <- c("a == b", "a == b\nd == 0.9*c", "a == b^2", "a - b == 0.2\ne == f")
out <- do.call(rbind, lapply(tests, function(t) {
  w <- lavTestWald(free, constraints = t)
  data.frame(constraints = t, stat = w$stat, df = w$df, p.value = w$p.value)
}))
write.csv(out, "wald.csv", row.names = FALSE)
# with groups and MLR (robust vcov)
wg <- lavTestWald(sem(base, data = d, estimator = "MLR"), constraints = "a == b")
write.csv(data.frame(constraints = "a == b", stat = wg$stat, df = wg$df, p.value = wg$p.value),
          "wald_mlr.csv", row.names = FALSE)
write_session()
