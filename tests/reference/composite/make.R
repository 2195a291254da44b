# Formative composites `<~` as lavaan 0.6-14 fits them (issue 13 item 3), on Bollen's Political
# Democracy data (../sem_poldem/data.csv). lavaan: the composite is a latent variable regressed on
# its observed components (op "<~"), every weight free unless the user fixes one, its residual
# variance fixed at 0, the components exogenous (fixed.x).
#   weights     ind60 <~ 1*x1 + x2 + x3 (scale: the first weight), dem60 reflective, dem60 ~ ind60
#   mimic       f =~ y1 + y2 + y3 (scale: the first loading), f <~ x1 + x2 + x3 (free weights)
#   unscaled    ind60 <~ x1 + x2 + x3 with dem60 ~ ind60: lavaan warns that the information matrix
#               cannot be inverted (not identified): unscaled_messages.txt
source("../_shared/lavaan_case.R")
d <- read.csv("../sem_poldem/data.csv")
models <- list(
  weights = "ind60 <~ 1*x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60",
  mimic = "f =~ y1 + y2 + y3\nf <~ x1 + x2 + x3")
for (nm in names(models)) {
  writeLines(models[[nm]], paste0(nm, ".lav"))
  write_case(sem(models[[nm]], data = d), nm, c("estimates", "fit", "r2"))
}
res <- capture_conditions(sem("ind60 <~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60",
                              data = d))
writeLines(res$messages, "unscaled_messages.txt")
write_session()
