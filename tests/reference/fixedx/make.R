# Observed exogenous predictors (fixed.x = TRUE, lavaan's default) — issue 12 c, j, k.
# Holzinger & Swineford (data.txt → ../measure_hs/data.csv; FIML cases ../sem_fiml/data.csv, the
# same pupils with MAR missing answers on x-variables, none on ageyr or sex).
#   single        one group, listwise ML, with modification indices (j)
#   single_ms     the same with meanstructure = TRUE: the ~1 rows are intercepts (k)
#   groups        group = "school": per-group intercepts, predictors' moments fixed per group
#   groups_scalar group = "school", group.equal = c("loadings", "intercepts"): the predictors'
#                 means stay the sample means of each group (not constrained)
#   cfa_ms        the HS three-factor CFA (no predictors), meanstructure = TRUE: intercepts as ~1 rows
#   fiml_complete missing = "ml" on the complete data: the same df and χ² as "single"
#   fiml          missing = "ml" on ../sem_fiml/data.csv
#   fiml_groups   missing = "ml", group = "school", on ../sem_fiml/data.csv
source("../_shared/lavaan_case.R")
hs <- read.csv("../measure_hs/data.csv")
miss <- read.csv("../sem_fiml/data.csv")
model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~ ageyr + sex
textual ~ ageyr
"
writeLines(model, "model.lav")
write_case(sem(model, data = hs), "single", c("estimates", "fit", "r2", "modindices"))
write_case(sem(model, data = hs, meanstructure = TRUE), "single_ms", c("estimates", "fit", "r2"))
write_case(cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", data = hs,
               meanstructure = TRUE), "cfa_ms", c("estimates", "fit", "r2"))
write_case(sem(model, data = hs, group = "school"), "groups", c("estimates", "fit", "r2"))
write_case(sem(model, data = hs, group = "school", group.equal = c("loadings", "intercepts")),
           "groups_scalar", c("estimates", "fit", "r2"))
write_case(sem(model, data = hs, missing = "ml"), "fiml_complete", c("estimates", "fit", "r2"))
write_case(sem(model, data = miss, missing = "ml"), "fiml", c("estimates", "fit", "r2"))
write_case(sem(model, data = miss, missing = "ml", group = "school"), "fiml_groups",
           c("estimates", "fit", "r2"))
write_session()
