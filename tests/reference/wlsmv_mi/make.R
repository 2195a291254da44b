# Modification indices of WLSMV fits (lavaan 0.6-14 modindices(sort. = FALSE)): psych's bfi
# (../ordinal_bfi/data.csv, A1, C4, C5 reverse-keyed 7 - x, complete rows), two factors, one group;
# the CX direct model on the demo data (../sem_cx/data.csv, OE4 recoded 8 - x); and bfi across
# gender groups with thresholds and loadings equal; and mixed ordered (A) and continuous
# (C) items.
source("../_shared/lavaan_case.R")
b <- read.csv("../ordinal_bfi/data.csv")
for (v in c("A1", "C4", "C5")) b[[v]] <- 7 - b[[v]]
fit <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = b, ordered = TRUE)
write_case(fit, "bfi", what = c("modindices"))
d <- read.csv("../sem_cx/data.csv"); d$OE4 <- 8 - d$OE4
fit2 <- sem(paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n"), data = d, ordered = TRUE)
write_case(fit2, "cx_direct", what = c("modindices"))
# across gender groups, thresholds and loadings equal (data: ../wlsmv_groups/data.csv)
g <- read.csv("../wlsmv_groups/data.csv")
for (v in c("A1", "C4", "C5")) g[[v]] <- 7 - g[[v]]
fit3 <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = g, ordered = TRUE,
            group = "gender", group.equal = c("thresholds", "loadings"))
write_case(fit3, "groups", what = c("modindices"))
# A1-A5 ordered, C1-C5 continuous (complete rows)
bm <- b[complete.cases(b), ]
fit4 <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = bm,
            ordered = paste0("A", 1:5))
write_case(fit4, "mixed", what = c("modindices"))
write_session()
