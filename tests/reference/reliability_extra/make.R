# Residual summaries and reliability extras (issue 13 item 7): lavaan 0.6-14, semTools 0.5-6,
# psych 2.2.9 (GPArotation 2022.10-2). Run from this folder: Rscript make.R
#   lavresiduals_summary.csv  lavResiduals(fit, type = "raw" / "cor.bentler" / "cor.bollen")$summary
#                             (rmr, srmr, crmr blocks) for the Holzinger & Swineford three-factor CFA
#                             (../measure_hs/data.csv) without and with meanstructure and by MLR,
#                             as a MIMIC model (fixed.x covariates sex, ageyr), and for the Political
#                             Democracy SEM (../sem_poldem); long: model, column, measure, value
#   <hs_mlr|mimic>_residuals_<type>.csv  residuals(fit, type = "standardized" / "normalized")$cov
#   comprelsem.csv            semTools::compRelSEM(fit, obs.var =, tau.eq =, higher =, return.total =) for the HS
#                             three-factor CFA, the HS second-order CFA (g =~ visual + textual + speed)
#                             and the ECSI six-factor CFA (../measure_ecsi/data.csv); the HS CFA
#                             with missing answers by FIML (../sem_fiml: Σ observed = EM estimate)
#   comprelsem_ordinal.csv    the same for an ordinal WLSMV fit (psych's bfi, as ../wlsmv), with
#                             ord.scale = TRUE (Green & Yang's categorical omega) and FALSE
#   reliabilityL2.csv         semTools::reliabilityL2(hs2, "g"): omegaL1, omegaL2, partialOmegaL1
#   omega.csv                 psych::omega(items, nfactors = 3, plot = FALSE) (minres, oblimin,
#                             Schmid-Leiman) on the HS nine items and on the ECSI 27 items:
#                             omega_h, omega.lim (asymptotic), omega.tot, alpha, G6, ECV
#   omega_sl_<case>.csv       its $schmid$sl (g, F1*, F2*, F3*, h2, u2, p2), item order as given
#   omega_group_<case>.csv    its $omega.group (total, general, group)
#   reversed.csv              ECSI loyalty items with loy3 recoded 10 - loy3 (a reverse-worded item
#                             left unrecoded), and sat1-sat4
#   alpha_keys.csv            psych::alpha on reversed.csv's LOY items: check.keys = FALSE (its
#                             warning and the items it names), check.keys = TRUE and keys = "loy3"
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(psych)
})
options(digits = 15)
hs <- read.csv("../measure_hs/data.csv")
ecsi <- read.csv("../measure_ecsi/data.csv")
pd <- read.csv("../sem_poldem/data.csv")
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs2 <- paste(cfa3, "g =~ visual + textual + speed", sep = "\n")
blocks <- list(
  IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
  VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4)
)
ecsi_model <- paste(sprintf("%s =~ %s", names(blocks), sapply(blocks, paste, collapse = " + ")),
                    collapse = "\n")

# --- lavResiduals summaries -------------------------------------------------------------------
fits <- list(
  hs = cfa(cfa3, data = hs),
  hs_mean = cfa(cfa3, data = hs, meanstructure = TRUE),
  hs_mlr = cfa(cfa3, data = hs, estimator = "MLR"),
  mimic = sem(paste(cfa3, "visual + textual + speed ~ sex + ageyr", sep = "\n"), data = hs),
  poldem = sem(paste(readLines("../sem_poldem/model.lav"), collapse = "\n"), data = pd)
)
rows <- list()
for (nm in names(fits)) {
  for (type in c("raw", "cor.bentler", "cor.bollen")) {
    s <- lavResiduals(fits[[nm]], type = type)$summary
    for (col in colnames(s)) {
      rows[[length(rows) + 1]] <- data.frame(model = nm, column = col, measure = rownames(s),
                                             value = s[[col]])
    }
  }
}
write.csv(do.call(rbind, rows), "lavresiduals_summary.csv", row.names = FALSE)
# MLR: lavaan's residual covariance is the sandwich of the saturated model, its Q the observed
# information's
for (nm in c("hs_mlr", "mimic")) for (type in c("standardized", "normalized")) {
  m <- unclass(residuals(fits[[nm]], type = type)$cov)
  write.csv(data.frame(variable = rownames(m), m, check.names = FALSE),
            sprintf("%s_residuals_%s.csv", nm, type), row.names = FALSE)
}

# --- compRelSEM and reliabilityL2 -------------------------------------------------------------
rel_fits <- list(hs = cfa(cfa3, data = hs), hs2 = cfa(hs2, data = hs),
                 ecsi = cfa(ecsi_model, data = ecsi),
                 fiml = cfa(cfa3, data = read.csv("../sem_fiml/data.csv"), missing = "ml"))
rows <- list()
for (nm in names(rel_fits)) {
  for (obs in c(TRUE, FALSE)) {
    for (tau in c(FALSE, TRUE)) {
      higher <- if (nm == "hs2" && !tau) "g" else character(0)
      r <- compRelSEM(rel_fits[[nm]], obs.var = obs, tau.eq = tau, higher = higher)
      rows[[length(rows) + 1]] <- data.frame(model = nm, obs_var = obs, tau_eq = tau,
                                             construct = names(r), value = as.numeric(r))
    }
  }
}
for (nm in c("hs", "ecsi")) {
  r <- compRelSEM(rel_fits[[nm]], return.total = TRUE)
  r <- r["total"]
  rows[[length(rows) + 1]] <- data.frame(model = nm, obs_var = TRUE, tau_eq = FALSE,
                                         construct = "total", value = as.numeric(r))
}
write.csv(do.call(rbind, rows), "comprelsem.csv", row.names = FALSE)
# ordinal (WLSMV) fit: psych's bfi A and C items (A1, C4, C5 reversed 7 - x), as ../wlsmv
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
ofit <- sem("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = b,
            ordered = TRUE, estimator = "WLSMV")
rows <- list()
for (obs in c(TRUE, FALSE)) for (tau in c(FALSE, TRUE)) for (ord in c(TRUE, FALSE)) {
  r <- compRelSEM(ofit, obs.var = obs, tau.eq = tau, ord.scale = ord)
  rows[[length(rows) + 1]] <- data.frame(model = "bfi", obs_var = obs, tau_eq = tau, ord_scale = ord,
                                         construct = names(r), value = as.numeric(r))
}
write.csv(do.call(rbind, rows), "comprelsem_ordinal.csv", row.names = FALSE)
l2 <- reliabilityL2(rel_fits$hs2, "g")
write.csv(data.frame(model = "hs2", factor = "g", measure = names(l2), value = as.numeric(l2)),
          "reliabilityL2.csv", row.names = FALSE)

# --- psych::omega (Schmid-Leiman) -------------------------------------------------------------
items <- list(hs = hs[, paste0("x", 1:9)], ecsi = ecsi[, unlist(blocks)])
rows <- list()
for (nm in names(items)) {
  om <- omega(items[[nm]], nfactors = 3, plot = FALSE)
  stats <- c(omega_h = om$omega_h, omega_lim = om$omega.lim, omega_tot = om$omega.tot,
             alpha = om$alpha, G6 = om$G6, ECV = unname(om$ECV))
  rows[[length(rows) + 1]] <- data.frame(case = nm, measure = names(stats),
                                         value = as.numeric(stats))
  sl <- unclass(om$schmid$sl)
  write.csv(data.frame(item = colnames(items[[nm]]), sl, check.names = FALSE),
            sprintf("omega_sl_%s.csv", nm), row.names = FALSE)
  write.csv(data.frame(factor = rownames(om$omega.group), om$omega.group),
            sprintf("omega_group_%s.csv", nm), row.names = FALSE)
}
write.csv(do.call(rbind, rows), "omega.csv", row.names = FALSE)

# --- psych::alpha check.keys ------------------------------------------------------------------
rev <- ecsi[, c(paste0("sat", 1:4), paste0("loy", 1:4))]
rev$loy3 <- 10 - rev$loy3
write.csv(rev, "reversed.csv", row.names = FALSE)
loy <- rev[, paste0("loy", 1:4)]
msg <- character()
out <- capture.output(a0 <- withCallingHandlers(alpha(loy),
  warning = function(w) { msg <<- c(msg, conditionMessage(w)); invokeRestart("muffleWarning") }))
a1 <- suppressWarnings(alpha(loy, check.keys = TRUE))
a2 <- alpha(loy, keys = "loy3")
flagged <- sub("^.*Some items \\( (.*) \\) were.*$", "\\1", paste(out, collapse = " "))
write.csv(data.frame(
  call = c("check.keys=FALSE", "check.keys=TRUE", "keys=loy3"),
  raw_alpha = c(a0$total$raw_alpha, a1$total$raw_alpha, a2$total$raw_alpha),
  std_alpha = c(a0$total$std.alpha, a1$total$std.alpha, a2$total$std.alpha),
  reversed = c("", paste(grep("^-", a1$keys[[1]], value = TRUE), collapse = " "),
               paste(grep("^-", a2$keys[[1]], value = TRUE), collapse = " ")),
  flagged = c(flagged, "", ""),
  warning = c(gsub("\n", " ", paste(msg, collapse = " | ")), "", "")
), "alpha_keys.csv", row.names = FALSE)

writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
