# Groups smaller than the number of indicators (issue 12 i): the CX direct model (22 items) on the
# synthetic demo data (data.txt → ../sem_cx/data.csv, identical to cxkit's bundled online-cx-demo,
# MARKET column 1-8 with 146, 103, 42, 50, 23, 15, 9, 12 respondents; OE4 recoded 8 - x).
# lavaan's errors and warnings, verbatim, in messages_<level>.txt; group sizes in groups.csv.
source("../_shared/lavaan_case.R")
d <- read.csv("../sem_cx/data.csv")
d$OE4 <- 8 - d$OE4
model <- paste(readLines("../sem_cx/direct/model.lav"), collapse = "\n")
write.csv(as.data.frame(table(MARKET = d$MARKET), responseName = "n"), "groups.csv", row.names = FALSE)
levels <- list(configural = "", metric = "loadings")
for (lv in names(levels)) {
  out <- capture_conditions(sem(model, data = d, group = "MARKET", group.equal = levels[[lv]]))
  msgs <- out$messages
  if (!is.null(out$value)) msgs <- c(msgs, paste("converged:", lavInspect(out$value, "converged")))
  writeLines(msgs, paste0("messages_", lv, ".txt"))
}
# the groups with at least 23 respondents (MARKET 1-5) fit without a covariance problem
big <- d[d$MARKET <= 5, ]
out <- capture_conditions(sem(model, data = big, group = "MARKET"))
writeLines(c(out$messages, paste("converged:", lavInspect(out$value, "converged"))),
           "messages_markets_1_5.txt")
if (!is.null(out$value)) write_case(out$value, "markets_1_5", c("fit"))
write_session()
