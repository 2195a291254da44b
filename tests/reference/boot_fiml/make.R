# Bootstrap reference for FIML: Holzinger & Swineford with MAR missing answers (../sem_fiml/data.csv),
# lavaan missing = "ml", se = "bootstrap", bootstrap = 1000 (ordinary nonparametric), percentile
# intervals. The draws differ from cxkit's (different random numbers): compare within Monte Carlo error.
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("../sem_fiml/data.csv")
model <- paste(readLines("../sem_fiml/model.lav"), collapse = "\n")
set.seed(20261122)
t <- system.time(fit <- sem(model, data = d, missing = "ml", se = "bootstrap", bootstrap = 1000))
pe <- parameterEstimates(fit, boot.ci.type = "perc")
write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")], "estimates.csv", row.names = FALSE)
boot <- lavInspect(fit, "boot")
write.csv(data.frame(elapsed = t[["elapsed"]], n_ok = nrow(boot), n_error = attr(boot, "error.idx") |> length()), "timing.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
