# The three CX models of cxkit.models on the synthetic online-cx-demo data (400 respondents to
# online-cx@2.0.0; OE4 reverse-keyed, recoded 8 - x first), ML. Each model's outputs in a subfolder.
source("../_shared/sem.R")
d <- read.csv("data.csv")
d$OE4 <- 8 - d$OE4
for (m in c("direct", "second_order", "pyramid")) {
  dir.create(m, showWarnings = FALSE)
  model <- paste(readLines(paste0(m, ".lav")), collapse = "\n")
  old <- setwd(m)
  sem_reference(model, d)
  setwd(old)
}
