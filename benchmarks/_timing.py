"""Shared helper of the benchmark scripts."""

from __future__ import annotations

import subprocess
import time


def best(fn, repeat: int = 5) -> float:
    """The shortest of ``repeat`` wall-clock runs of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def process_wall(cmd: list[str], repeat: int = 5) -> float:
    """The shortest wall-clock time of ``repeat`` runs of the command ``cmd`` as a new process."""
    return best(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat)
