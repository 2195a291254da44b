# ECSI satisfaction data (R package plspm; 250 respondents, 0-10 answers): psych, semTools, lavaan.
source("../_shared/measure.R")
d <- read.csv("data.csv")
blocks <- list(
  IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
  VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4)
)
measure_reference(d, blocks)
