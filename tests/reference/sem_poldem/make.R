# Bollen's Political Democracy SEM (lavaan's PoliticalDemocracy, 75 countries) with its correlated
# residuals, equal loadings across the two waves, and the indirect effect of ind60 on dem65, ML.
source("../_shared/sem.R")
write.csv(PoliticalDemocracy, "data.csv", row.names = FALSE)
d <- read.csv("data.csv")
model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ g1*ind60
dem65 ~ g2*ind60 + b1*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
indirect := g1*b1
total := g2 + g1*b1"
sem_reference(model, d)
