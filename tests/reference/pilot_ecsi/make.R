# The pilot-test route on a pilot-sized sample: KMO, Bartlett's test and a minres EFA with varimax.
# data.csv: the first 30 rows of val1-4, sat1-4, loy1-4 of plspm's `satisfaction` (real ECSI answers;
# cxkit's src/cxkit/datasets/data/satisfaction.csv, rows 1-30, columns 16-27).
library(psych)
d <- read.csv("data.csv")
R <- cor(d)
k <- KMO(R)
write.csv(data.frame(item = c("overall", names(k$MSAi)), msa = c(k$MSA, unname(k$MSAi))),
          "kmo.csv", row.names = FALSE)
b <- cortest.bartlett(R, n = nrow(d))
write.csv(data.frame(chisq = b$chisq, df = b$df, pvalue = b$p.value), "bartlett.csv", row.names = FALSE)
f <- fa(d, nfactors = 3, fm = "minres", rotate = "varimax")
L <- unclass(f$loadings)
write.csv(data.frame(item = rownames(L), L, communality = f$communality, check.names = FALSE),
          "efa.csv", row.names = FALSE)
# corrected item-total r (psych::alpha's r.drop) per construct
rd <- do.call(rbind, lapply(list(VAL = 1:4, SAT = 5:8, LOY = 9:12), function(j) {
  a <- alpha(d[, j], warnings = FALSE)
  data.frame(item = rownames(a$item.stats), r_drop = a$item.stats$r.drop)
}))
write.csv(rd, "r_drop.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
