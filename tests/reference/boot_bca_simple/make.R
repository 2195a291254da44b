# lavaan's boot.ci.type = "bca.simple" on cxkit's own bootstrap draws: the HS CFA with two labelled
# loadings and ab := a*b, fitted with se = "bootstrap"; its bootstrap draws (fit@boot$coef) are
# replaced by cxkit's (draws.csv: 500 resamples, fit.bootstrap(500, seed=13), one column per
# parameter "lhs op rhs", written by tests/test_fit_measures.py's recipe), and parameterEstimates()
# gives lavaan's intervals for exactly those draws (ci.csv). Same draws -> same interval.
suppressPackageStartupMessages(library(lavaan))
options(digits = 15)
d <- read.csv("../measure_hs/data.csv")
m <- "visual =~ x1 + x2 + a*x3\ntextual =~ x4 + x5 + b*x6\nspeed =~ x7 + x8 + x9\nab := a*b"
set.seed(1)
fit <- sem(m, data = d, se = "bootstrap", bootstrap = 20)
draws <- read.csv("draws.csv", check.names = FALSE)
pt <- parTable(fit)
free <- pt[pt$free > 0, ]
key <- paste0(free$lhs, " ", free$op, " ", free$rhs)
stopifnot(all(key %in% names(draws)))
fit@boot$coef <- as.matrix(draws[, key])
out <- list()
for (type in c("bca.simple", "perc")) {
  pe <- parameterEstimates(fit, boot.ci.type = type, level = 0.95)
  out[[type]] <- data.frame(type = type, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                            ci.lower = pe$ci.lower, ci.upper = pe$ci.upper)
}
write.csv(do.call(rbind, out), "ci.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
