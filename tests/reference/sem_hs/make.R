# Holzinger & Swineford (1939) three-factor CFA (lavaan's copy, 301 pupils), ML.
source("../_shared/sem.R")
d <- read.csv("../measure_hs/data.csv")
sem_reference("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d)
