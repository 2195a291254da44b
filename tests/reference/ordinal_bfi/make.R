# Ordinal alpha and omega (Zumbo, Gadermann & Zeisser, 2007) on real Likert data: psych's bfi
# (2800 respondents, 6-point items; agreeableness A1-A5 and conscientiousness C1-C5, with their
# missing answers). A1, C4 and C5 are reverse-keyed: recoded 7 - x before the analysis.
suppressPackageStartupMessages(library(psych))
data(bfi, package = "psych")
d <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5))]
write.csv(d, "data.csv", row.names = FALSE)
for (v in c("A1", "C4", "C5")) d[[v]] <- 7 - d[[v]]
blocks <- list(A = paste0("A", 1:5), C = paste0("C", 1:5))
out <- list()
for (b in names(blocks)) {
  p <- polychoric(d[, blocks[[b]]])
  write.csv(p$rho, sprintf("polychoric_%s.csv", b))
  o <- suppressWarnings(omega(p$rho, nfactors = 1, plot = FALSE))
  out[[b]] <- data.frame(construct = b, alpha_ordinal = alpha(p$rho)$total$raw_alpha,
                         omega_ordinal = o$omega.tot)
}
write.csv(do.call(rbind, out), "ordinal.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
