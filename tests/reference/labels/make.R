# Labelled loadings (issue 12 h) on the synthetic CX demo data (data.txt → ../sem_cx/data.csv;
# OE4 recoded 8 - x as in sem_cx), the CX direct model with its EC line relabelled. lavaan: a label
# does not free the marker — the first loading stays fixed at 1.
#   marker  EC =~ a*EC1 + b*EC2 + c*EC3          (a fixed at 1; b, c free and labelled)
#   equal   EC =~ a*EC1 + a*EC2 + a*EC3          (all three equal to the fixed marker: 1)
#   equal_free EC =~ NA*EC1 + a*EC1 + a*EC2 + a*EC3 with EC ~~ 1*EC  (equal free loadings)
source("../_shared/lavaan_case.R")
d <- read.csv("../sem_cx/data.csv")
d$OE4 <- 8 - d$OE4
direct <- readLines("../sem_cx/direct/model.lav")
ec <- grep("^EC =~", direct)
models <- list(marker = "EC =~ a*EC1 + b*EC2 + c*EC3",
               equal = "EC =~ a*EC1 + a*EC2 + a*EC3",
               equal_free = "EC =~ NA*EC1 + a*EC1 + a*EC2 + a*EC3\nEC ~~ 1*EC")
for (nm in names(models)) {
  m <- direct
  m[ec] <- models[[nm]]
  m <- paste(m, collapse = "\n")
  writeLines(m, paste0(nm, ".lav"))
  write_case(sem(m, data = d), nm, c("estimates", "fit", "r2"))
}
write_session()
