# Reference values for cxkit.measure: psych (alpha, item table, Feldt CI), semTools (compRelSEM, AVE,
# htmt) and lavaan (CFA standardised loadings, latent correlations). Sourced by each case's make.R,
# run from the case folder:  Rscript make.R
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(psych)
})

measure_reference <- function(d, blocks, use = "pairwise") {
  model <- paste(sprintf("%s =~ %s", names(blocks), sapply(blocks, paste, collapse = " + ")),
                 collapse = "\n")
  writeLines(model, "model.lav")

  rel <- list()
  items <- list()
  for (b in names(blocks)) {
    x <- d[, blocks[[b]]]
    a <- psych::alpha(x, use = use, warnings = FALSE, check.keys = FALSE)
    # n behind the Feldt CI: complete rows (listwise); with pairwise covariances the smallest
    # number of rows any pair of items shares
    n_used <- if (use == "pairwise") min(crossprod(!is.na(as.matrix(x)))) else sum(stats::complete.cases(x))
    ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = n_used, n.var = length(blocks[[b]]))
    rel[[b]] <- data.frame(
      construct = b, n = n_used, n_items = length(blocks[[b]]),
      alpha = a$total$raw_alpha, alpha_ci_low = ci$lower.ci, alpha_ci_high = ci$upper.ci,
      alpha_std = a$total$std.alpha, mean_inter_item_r = a$total$average_r
    )
    items[[b]] <- data.frame(
      construct = b, item = rownames(a$item.stats), n = a$item.stats$n,
      mean = a$item.stats$mean, sd = a$item.stats$sd, r_drop = a$item.stats$r.drop,
      alpha_if_deleted = a$alpha.drop$raw_alpha
    )
  }
  rel <- do.call(rbind, rel)
  items <- do.call(rbind, items)

  if (!anyNA(d[, unlist(blocks)])) {
    fit <- lavaan::cfa(model, data = d, estimator = "ML")
    stopifnot(lavInspect(fit, "converged"))
    omega <- semTools::compRelSEM(fit)                    # obs.var = TRUE (default)
    omega_model <- semTools::compRelSEM(fit, obs.var = FALSE)
    ave <- semTools::AVE(fit)
    ss <- standardizedSolution(fit)
    lam <- ss[ss$op == "=~", c("lhs", "rhs", "est.std")]
    cr <- sapply(names(blocks), function(b) {
      l <- lam$est.std[lam$lhs == b]
      sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
    })
    rel$omega <- as.numeric(omega[rel$construct])
    rel$omega_model <- as.numeric(omega_model[rel$construct])
    rel$cr <- as.numeric(cr[rel$construct])
    rel$ave <- as.numeric(ave[rel$construct])
    items$loading <- lam$est.std[match(paste(items$construct, items$item), paste(lam$lhs, lam$rhs))]
    write.csv(lavInspect(fit, "cor.lv"), "cor_lv.csv")
    write.csv(semTools::htmt(model, data = d, htmt2 = FALSE), "htmt.csv")
    write.csv(semTools::htmt(model, data = d, htmt2 = TRUE), "htmt2.csv")
  }
  write.csv(rel, "reliability.csv", row.names = FALSE)
  write.csv(items, "items.csv", row.names = FALSE)
  writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
}
