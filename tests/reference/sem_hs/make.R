# Holzinger & Swineford (1939) three-factor CFA (lavaan's copy, 301 pupils), ML.
source("../_shared/sem.R")
d <- read.csv("../measure_hs/data.csv")
sem_reference("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d)

# a nested model for compare_models: equal loadings within each factor, and lavaan's LRT
fit1 <- lavaan::sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d)
fit2 <- lavaan::sem("visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + c*x8 + c*x9", d)
lrt <- lavTestLRT(fit1, fit2)
write.csv(data.frame(model = c("free", "equal"), df = lrt$Df, aic = lrt$AIC, bic = lrt$BIC,
                     chisq = lrt$Chisq, chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                     p_diff = lrt[["Pr(>Chisq)"]]), "compare.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
