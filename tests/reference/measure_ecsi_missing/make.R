# ECSI data with 4% of the item cells set missing (fixed seed, see data.csv): psych::alpha with
# pairwise covariances (psych's default); the Feldt CI with the n of complete rows.
source("../_shared/measure.R")
d <- read.csv("data.csv")
blocks <- list(
  IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
  VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4)
)
measure_reference(d, blocks, use = "pairwise")
write.csv(do.call(rbind, lapply(names(blocks), function(b) {
  x <- d[, blocks[[b]]]
  a <- psych::alpha(x[stats::complete.cases(x), ], warnings = FALSE)
  data.frame(construct = b, n = sum(stats::complete.cases(x)), alpha = a$total$raw_alpha,
             alpha_std = a$total$std.alpha)
})), "reliability_listwise.csv", row.names = FALSE)
