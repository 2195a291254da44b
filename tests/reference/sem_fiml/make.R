# FIML: Holzinger & Swineford three-factor CFA with missing answers (lavaan's data; about 12% of the
# x2, x3, x5, x6, x8, x9 answers set missing, more often for older pupils: MAR on ageyr), missing = "ml".
source("../_shared/sem.R")
d <- read.csv("../measure_hs/data.csv")
set.seed(20261122)
p_miss <- plogis(-2.4 + 0.6 * (d$ageyr - 13))
for (v in c("x2", "x3", "x5", "x6", "x8", "x9")) d[[v]][runif(nrow(d)) < p_miss] <- NA
write.csv(d, "data.csv", row.names = FALSE)
d <- read.csv("data.csv")
fit <- sem_reference("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d,
                     missing = "ml")
fm <- fitMeasures(fit, c("srmr", "srmr_bentler", "srmr_bentler_nomean", "unrestricted.logl"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), "fit_extra.csv", row.names = FALSE)
writeLines(capture.output(lavInspect(fit, "options")[c("information", "observed.information", "h1.information")]), "options.txt")
