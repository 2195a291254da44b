# Mardia's multivariate skewness and kurtosis and Mahalanobis d² with psych::mardia.
# data.csv: the 12 items val1-4, sat1-4, loy1-4 of plspm's `satisfaction` (250 real ECSI answers;
# cxkit's src/cxkit/datasets/data/satisfaction.csv, columns 16-27).
library(psych)
d <- read.csv("data.csv")
m <- mardia(d, plot = FALSE)
write.csv(data.frame(n = m$n.obs, p = m$n.var, b1p = m$b1p, b2p = m$b2p, skew = m$skew,
                     small_skew = m$small.skew, skew_p = m$p.skew, small_skew_p = m$p.small,
                     kurtosis = m$kurtosis, kurtosis_p = m$p.kurt),
          "mardia.csv", row.names = FALSE)
write.csv(data.frame(row = seq_len(nrow(d)), d2 = m$d^2), "d2.csv", row.names = FALSE)
# item descriptives: psych::describe (type = 1: the moment coefficients g1, g2 that AMOS prints)
s <- describe(d, type = 1)
write.csv(data.frame(item = rownames(s), n = s$n, mean = s$mean, sd = s$sd, median = s$median,
                     min = s$min, max = s$max, skew = s$skew, kurtosis = s$kurtosis),
          "describe.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
