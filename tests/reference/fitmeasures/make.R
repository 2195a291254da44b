# lavaan 0.6-14's full fitMeasures(fit) ("all") for the continuous estimators and the groups/FIML/WLSMV
# variants, written with ../_shared/lavaan_case.R (estimates) plus <name>_fitmeasures.csv (measure, value:
# every measure fitMeasures returns, NA where lavaan gives NA).
#   hs_<est>    Holzinger & Swineford three-factor CFA, estimator ML, MLR, MLM, ULS, GLS, WLS, DWLS
#   groups_ml   HS by school (configural), ML;  groups_mlm  the same with MLM
#   fiml_ml     HS with MAR missing answers (../sem_fiml/data.csv), missing = "ml";  fiml_mlr  with MLR
#   wlsmv_bfi   psych's bfi two factors (A1, C4, C5 reversed as in ../wlsmv), ordered, WLSMV
#   poldem_<est> Political Democracy (structural, := effects) with ULS, GLS, WLS, DWLS, MLM
#   cx_direct_<est> the CX direct model on the synthetic demo data, MLM and ULS
#   fixedx_ml   HS with visual ~ ageyr + sex (fixed.x);  groups_fiml_ml  missing answers by school
source("../_shared/lavaan_case.R")
run <- function(name, model, d, ...) {
  fit <- sem(model, data = d, ...)
  write_case(fit, name, what = "estimates")
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm), n = nobs(fit)),
            paste0(name, "_fitmeasures.csv"), row.names = FALSE)
  invisible(fit)
}
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs <- read.csv("../measure_hs/data.csv")
for (est in c("ML", "MLR", "MLM", "ULS", "GLS", "WLS", "DWLS"))
  run(paste0("hs_", tolower(est)), hs_model, hs, estimator = est)
run("groups_ml", hs_model, hs, group = "school")
run("groups_mlm", hs_model, hs, group = "school", estimator = "MLM")
run("groups_uls", hs_model, hs, group = "school", estimator = "ULS")
fiml <- read.csv("../sem_fiml/data.csv")
run("fiml_ml", hs_model, fiml, missing = "ml")
run("fiml_mlr", hs_model, fiml, missing = "ml", estimator = "MLR")
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
run("wlsmv_bfi", "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", b,
    ordered = TRUE, estimator = "WLSMV")
pd <- read.csv("../sem_poldem/data.csv")
pd_model <- paste(readLines("../sem_poldem/model.lav"), collapse = "\n")
for (est in c("MLM", "ULS", "GLS", "WLS", "DWLS"))
  run(paste0("poldem_", tolower(est)), pd_model, pd, estimator = est)
# the CX direct model on the synthetic demo data (OE4 recoded 8 - x): a well-fitting model (CFI = 1,
# TLI above 1), MLM and ULS
cx <- read.csv("../sem_cx/data.csv"); cx$OE4 <- 8 - cx$OE4
cx_model <- paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n")
run("cx_direct_mlm", cx_model, cx, estimator = "MLM")
run("cx_direct_uls", cx_model, cx, estimator = "ULS")
# an observed predictor (fixed.x), and missing answers by school
run("fixedx_ml", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex", hs)
run("groups_fiml_ml", hs_model, fiml, group = "school", missing = "ml")
write_session()
