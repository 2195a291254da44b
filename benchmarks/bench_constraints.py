"""Fit time of the constraint, composite and growth reference models (issue 13): cxkit next to
lavaan, with bench_sem.py's timing (best of 5 wall-clock ms, ratio cxkit / lavaan). Asserts nothing.
Run with ``.venv/bin/python benchmarks/bench_constraints.py``. The growth model is timed through
``sem()`` with its means written out (tests/reference/growth_demo/sem_means.lav: the same model as
``growth()``).
"""

from __future__ import annotations

import bench_sem

CASES = {
    "HS a == b, d == .9c": ("constraints_hs/linear.lav", "measure_hs/data.csv", {}, ""),
    "HS a == b^2": ("constraints_hs/nonlinear.lav", "measure_hs/data.csv", {}, ""),
    "HS b < .6, f > e": ("constraints_hs/active.lav", "measure_hs/data.csv", {}, ""),
    "HS groups + ==": (
        "constraints_hs/groups.lav",
        "measure_hs/data.csv",
        {"group": "school", "group_equal": ["loadings", "intercepts"]},
        'group = "school", group.equal = c("loadings", "intercepts")',
    ),
    "PolDem composite": ("composite/weights.lav", "sem_poldem/data.csv", {}, ""),
    "Demo.growth linear": ("growth_demo/sem_means.lav", "growth_demo/data.csv", {}, ""),
}

if __name__ == "__main__":
    bench_sem.CASES = CASES
    bench_sem.main()
