"""Monte Carlo power on a real Dask cluster: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1 (free ports), started and torn down here.

Checks: the numbers through the scheduler are identical to the plain loop's with the same seed
(and to a run on the default local cluster), and killing a worker mid-run loses and duplicates no
replication (the scheduler re-runs its tasks on the other worker)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from cxkit import power as cp

POP = "F =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.7*x4\ny ~ 0.3*F"
MODEL = "F =~ x1 + x2 + x3 + x4\ny ~ F"
GRID = {"n": [60, 150], "replications": 16, "seed": 2026}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, log):
    return subprocess.Popen(
        [sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = open(tmp_path_factory.mktemp("dask") / "dask.log", "w")  # noqa: SIM115
    procs = {
        "scheduler": _start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--no-dashboard"], log,
        )
    }  # fmt: skip
    try:
        for name in ("w1", "w2"):
            procs[name] = _start(
                ["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", name, "--host", "127.0.0.1"], log,
            )  # fmt: skip
        client = Client(address, timeout=60)
        client.wait_for_workers(2, timeout=120)
        client.run(
            lambda: __import__("cxkit.power.montecarlo") and None
        )  # warm up; returns nothing
        yield {"address": address, "client": client, "procs": procs}
        client.close()
    finally:
        for proc in reversed(list(procs.values())):
            _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def serial():
    return cp.monte_carlo(MODEL, POP, **GRID, scheduler="serial", progress=False)


def test_scheduler_gives_the_numbers_of_the_plain_loop(cluster, serial):
    res = cp.monte_carlo(
        MODEL, POP, **GRID, scheduler=cluster["address"], batch_size=3, progress=False
    )
    assert res.provenance["scheduler"] == f"Dask {cluster['address']}"
    assert res.provenance["workers"] == 2
    pd.testing.assert_frame_equal(res.draws, serial.draws)
    pd.testing.assert_frame_equal(res.table, serial.table)
    pd.testing.assert_frame_equal(res.criteria, serial.criteria)
    # both workers did some of the fits
    assert len(cluster["client"].scheduler_info()["workers"]) == 2


def test_default_local_cluster_gives_the_same_numbers(serial):
    res = cp.monte_carlo(MODEL, POP, **GRID, workers=1, progress=False)
    assert res.provenance["scheduler"].startswith("Dask local cluster tcp://127.0.0.1:")
    pd.testing.assert_frame_equal(res.draws, serial.draws)


def test_killing_a_worker_mid_run_loses_and_duplicates_nothing(cluster, serial):
    """Runs last: it leaves one worker."""
    client = cluster["client"]
    victim = cluster["procs"]["w2"]
    address_of = {w["name"]: a for a, w in client.scheduler_info()["workers"].items()}
    out: dict = {}

    def run():
        out["res"] = cp.monte_carlo(
            MODEL, POP, **GRID, scheduler=cluster["address"], batch_size=1, progress=False
        )

    thread = threading.Thread(target=run)
    thread.start()
    # wait until the victim is busy with a task and some tasks are done, then kill it
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        processing = client.processing()
        if processing.get(address_of["w2"]) and any(
            s == "memory" for s in client.run_on_scheduler(_task_states).values()
        ):
            break
        time.sleep(0.05)
    assert thread.is_alive(), "the run ended before the worker could be killed"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    thread.join(timeout=300)
    assert not thread.is_alive()
    res = out["res"]
    assert len(client.scheduler_info()["workers"]) == 1
    keys = res.draws.drop_duplicates(["n", "replication"])[["n", "replication"]]
    assert len(keys) == 2 * 16  # every replication, once
    assert not res.draws.duplicated(["n", "replication", "lhs", "op", "rhs"]).any()
    pd.testing.assert_frame_equal(res.draws, serial.draws)
    pd.testing.assert_frame_equal(res.table, serial.table)


def _task_states(dask_scheduler=None):
    return {str(k): ts.state for k, ts in dask_scheduler.tasks.items() if "cxkit-mc" in str(k)}
