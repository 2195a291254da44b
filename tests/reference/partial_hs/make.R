# Partial invariance: Holzinger & Swineford by school. Score tests for releasing each equality
# constraint of the scalar model (lavTestScore, univariate, expected information), and the partial
# scalar model that frees the intercepts of x3 and x7 (group.partial).
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("../measure_hs/data.csv")
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(model, data = d, group = "school", group.equal = c("loadings", "intercepts"))
sc <- lavTestScore(fit)
pt <- parTable(fit)
uni <- sc$uni
rhs <- match(uni$rhs, pt$plabel)
out <- data.frame(lhs = pt$lhs[rhs], op = pt$op[rhs], rhs = pt$rhs[rhs], group = pt$group[rhs],
                  x2 = uni$X2, df = uni$df, pvalue = uni$p.value)
write.csv(out, "score_tests.csv", row.names = FALSE)
write.csv(data.frame(x2 = sc$test$X2, df = sc$test$df, pvalue = sc$test$p.value), "score_total.csv", row.names = FALSE)
part <- cfa(model, data = d, group = "school", group.equal = c("loadings", "intercepts"),
            group.partial = c("x3 ~ 1", "x7 ~ 1"))
pe <- parameterEstimates(part, standardized = TRUE)
write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se", "std.all")], "partial_estimates.csv", row.names = FALSE)
fm <- fitMeasures(part, c("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), "partial_fit.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
