# Expected values for tests/reference/power_sempower (run from this folder: Rscript make.R).
# 1. semPower's published a-priori N (docs/index.Rmd) re-derived with base R's non-central
#    chi-square: the smallest whole N with power >= .80, ncp = (N - 1) * df * RMSEA^2
#    (semPower's getNCP), and the tests of close and not-close fit (MacCallum et al., 1996).
# 2. semPower's CFA example: two factors, three indicators each loading .5, r = .20; the model
#    with the correlation fixed at 0 fitted to Sigma by lavaan (as semPower.powerCFA does);
#    F0 by semPower's getF.Sigma formula; power at N = 125 and the N for power .80.
library(lavaan)

power_rmsea <- function(n, df, rmsea, alpha = .05, rmsea0 = 0) {
  ncp0 <- (n - 1) * df * rmsea0^2
  ncpa <- (n - 1) * df * rmsea^2
  if (rmsea > rmsea0) {
    crit <- qchisq(alpha, df, ncp = ncp0, lower.tail = FALSE)
    pchisq(crit, df, ncp = ncpa, lower.tail = FALSE)
  } else {
    crit <- qchisq(alpha, df, ncp = ncp0)
    pchisq(crit, df, ncp = ncpa)
  }
}
power_f0 <- function(n, df, f0, alpha = .05) {
  pchisq(qchisq(alpha, df, lower.tail = FALSE), df, ncp = (n - 1) * f0, lower.tail = FALSE)
}
smallest_n <- function(pw, target = .80) {
  lo <- 2; hi <- 4
  while (pw(hi) < target) { lo <- hi; hi <- hi * 2 }
  while (hi - lo > 1) { mid <- (lo + hi) %/% 2; if (pw(mid) >= target) hi <- mid else lo <- mid }
  hi
}

cases <- data.frame(
  case = c("rmsea05_df50", "rmsea08_df2000", "rmsea01_df1", "close_df50", "notclose_df50",
           "close_df20", "exact_df100"),
  df = c(50, 2000, 1, 50, 50, 20, 100),
  rmsea = c(.05, .08, .01, .08, .01, .08, .05),
  rmsea0 = c(0, 0, 0, .05, .05, .05, 0),
  published_n = c(243, 14, 78516, NA, NA, NA, NA)
)
cases$exact_n <- mapply(function(df, r, r0) smallest_n(function(n) power_rmsea(n, df, r, rmsea0 = r0)),
                        cases$df, cases$rmsea, cases$rmsea0)
cases$power_at_exact_n <- mapply(function(n, df, r, r0) power_rmsea(n, df, r, rmsea0 = r0),
                                 cases$exact_n, cases$df, cases$rmsea, cases$rmsea0)
cases$power_at_n_200 <- mapply(function(df, r, r0) power_rmsea(200, df, r, rmsea0 = r0),
                               cases$df, cases$rmsea, cases$rmsea0)
write.csv(cases, "expected_rmsea.csv", row.names = FALSE)

lambda <- matrix(0, 6, 2); lambda[1:3, 1] <- .5; lambda[4:6, 2] <- .5
phi <- matrix(c(1, .2, .2, 1), 2)
sigma <- lambda %*% phi %*% t(lambda); diag(sigma) <- 1
names <- c("x1", "x2", "x3", "y1", "y2", "y3")
dimnames(sigma) <- list(names, names)
model_h0 <- "f1 =~ x1 + x2 + x3\nf2 =~ y1 + y2 + y3\nf1 ~~ 0*f2"
fit <- sem(model_h0, sample.cov = sigma, sample.nobs = 1000, sample.cov.rescale = FALSE)
sigma_hat <- fitted(fit)$cov[names, names]
f0 <- sum(diag(sigma %*% solve(sigma_hat))) + log(det(sigma_hat)) - log(det(sigma)) - ncol(sigma)
cfa <- data.frame(
  f0 = f0, df = fitMeasures(fit, "df"),
  power_n125 = power_f0(125, 1, f0),
  n_for_80 = smallest_n(function(n) power_f0(n, 1, f0)),
  published_power_n125 = .20, published_n_for_80 = 783
)
write.csv(cfa, "expected_cfa.csv", row.names = FALSE)
write.csv(sigma, "sigma_cfa.csv")
write.csv(sigma_hat, "sigma_hat_cfa.csv")
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
