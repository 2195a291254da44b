# Holzinger & Swineford (1939), lavaan's copy (301 pupils), three-factor model: psych, semTools, lavaan.
source("../_shared/measure.R")
d <- read.csv("data.csv")
blocks <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
measure_reference(d, blocks)
