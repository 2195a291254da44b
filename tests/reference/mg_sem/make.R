# Multi-group SEM with structural paths and := (issue 12 a, b): Holzinger & Swineford by school
# (../measure_hs/data.csv), lavaan sem(group = "school").
#   shared    one label per path (a, b): lavaan holds the labelled path equal across groups; the
#             := rows come once, with group 0
#   pergroup  c(a1, a2) labels: each group's own indirect effect and their difference
#   metric    pergroup with group.equal = "loadings" (the structural paths free per group)
# Every fit: estimates (incl. := rows), fit indices, R² per group incl. the latent outcomes.
source("../_shared/lavaan_case.R")
hs <- read.csv("../measure_hs/data.csv")
shared <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual
speed ~ b*textual + visual
ind := a*b
total := a*b + 0
"
pergroup <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ c(a1, a2)*visual
speed ~ c(b1, b2)*textual + c(c1, c2)*visual
ind1 := a1*b1
ind2 := a2*b2
total1 := c1 + a1*b1
diff := a1*b1 - a2*b2
"
writeLines(shared, "shared.lav")
writeLines(pergroup, "pergroup.lav")
write_case(sem(shared, data = hs, group = "school"), "shared")
write_case(sem(pergroup, data = hs, group = "school"), "pergroup")
write_case(sem(pergroup, data = hs, group = "school", group.equal = "loadings"), "metric")
write_session()
