"""``--engine local`` and ``--engine dask`` give identical results on the Helsinki demo (every
per-unit value, every result table, every summary figure), on a process LocalCluster on
127.0.0.1 started here; a worker killed with ``kill -9`` mid-run changes nothing."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.model import TravelMode
from libpolis.pipeline import (
    AccessRequest,
    PlanRequest,
    ScenarioRequest,
    run_access,
    run_plan,
    run_scenario,
)
from libpolis.store import read_result
from libpolis.store.results import latest_run


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    from distributed import LocalCluster

    c = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )  # fmt: skip
    yield c
    c.close()
    assert c.status.name == "closed"


@pytest.mark.parametrize("mode", [TravelMode.STRAIGHT, TravelMode.WALK])
def test_access_local_equals_dask(
    demo_copy_engine: Engine, cluster: object, mode: TravelMode
) -> None:
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    local = run_access(demo_copy_engine, AccessRequest(mode=mode, label=f"{mode.value}_local"))
    seen: list[str] = []
    dask = run_access(
        demo_copy_engine,
        AccessRequest(
            mode=mode, label=f"{mode.value}_dask", engine="dask", scheduler=address,
            partitions=9,
        ),
        notify=lambda event, **info: seen.append(event),
    )  # fmt: skip
    tables_local = {n.replace("_local_", "_x_"): n for n in local.tables}
    tables_dask = {n.replace("_dask_", "_x_"): n for n in dask.tables}
    assert set(tables_local) == set(tables_dask)
    for key, name in tables_local.items():
        pd.testing.assert_frame_equal(
            read_result(demo_copy_engine, name),
            read_result(demo_copy_engine, tables_dask[key]),
            check_exact=True,
            obj=key,
        )
    sa = {k: v for k, v in local.summary.items() if k != "label"}
    sb = {k: v for k, v in dask.summary.items() if k != "label"}
    assert json.dumps(sa, sort_keys=True) == json.dumps(sb, sort_keys=True)
    assert {"dashboard", "partitions", "partition"} <= set(seen)
    run = latest_run(demo_copy_engine, f"access_{mode.value}_dask")
    assert run is not None
    assert run.params["engine"]["engine"] == "dask"
    assert run.params["engine"]["workers"] == 2


def test_plan_local_equals_dask(demo_copy_engine: Engine, cluster: object) -> None:
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    common = {"objective": "coverage", "n_sites": 2, "within_min": 10.0, "time_limit_s": 30.0}
    local = run_plan(demo_copy_engine, PlanRequest(**common, label="cov_local"))
    dask = run_plan(
        demo_copy_engine,
        PlanRequest(**common, label="cov_dask", engine="dask", scheduler=address, partitions=6),
    )
    for kind in ("sites", "units", "groups"):
        pd.testing.assert_frame_equal(
            read_result(demo_copy_engine, f"plan_cov_local_{kind}"),
            read_result(demo_copy_engine, f"plan_cov_dask_{kind}"),
            check_exact=True,
        )
    assert local.summary["selected"] == dask.summary["selected"]
    assert local.summary["residents_gained"] == dask.summary["residents_gained"]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("closure", {"mode": "walk", "within": 10.0}),  # each library in turn, on the network
        ("hours", {"mode": "walk", "libraries": ("Keskustakirjasto Oodi",), "factor": 2.0}),
        ("mobile", {"mode": "straight", "stops": 2, "time_limit_s": 30.0}),
    ],
)
def test_scenarios_local_equal_dask(
    demo_copy_engine: Engine, cluster: object, kind: str, options: dict[str, object]
) -> None:
    """A scenario's tables and figures are the same on both engines; the run says which."""
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    local = run_scenario(
        demo_copy_engine, ScenarioRequest(kind=kind, label=f"{kind}_local", **options)
    )
    seen: list[str] = []
    dask = run_scenario(
        demo_copy_engine,
        ScenarioRequest(
            kind=kind, label=f"{kind}_dask", engine="dask", scheduler=address, partitions=7,
            **options,
        ),
        notify=lambda event, **info: seen.append(event),
    )  # fmt: skip
    assert len(local.tables) == len(dask.tables) > 0
    for a, b in zip(sorted(local.tables), sorted(dask.tables), strict=True):
        pd.testing.assert_frame_equal(
            read_result(demo_copy_engine, a), read_result(demo_copy_engine, b), check_exact=True
        )
    sa = {k: v for k, v in local.summary.items() if k != "label"}
    sb = {k: v for k, v in dask.summary.items() if k != "label"}
    assert json.dumps(sa, sort_keys=True) == json.dumps(sb, sort_keys=True)
    assert "partitions" in seen
    run = latest_run(demo_copy_engine, f"scenario_{kind}_dask")
    assert run is not None and run.params["engine"]["engine"] == "dask"


def test_worker_killed_mid_run(demo_copy_engine: Engine, cluster: object) -> None:
    """``kill -9`` of a worker process while partitions run: the nanny starts a new worker,
    the scheduler reruns its tasks, and every table is the same as on one machine."""
    from distributed import Client

    address = cluster.scheduler_address  # type: ignore[attr-defined]
    local = run_access(demo_copy_engine, AccessRequest(mode="walk", label="kill_local"))
    with Client(address) as client:
        pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def notify(event: str, **info: object) -> None:
        if event == "partition" and not killed:
            os.kill(pids[0], signal.SIGKILL)  # mid-run: one partition done, others running
            killed.append(pids[0])

    dask = run_access(
        demo_copy_engine,
        AccessRequest(
            mode="walk", label="kill_dask", engine="dask", scheduler=address, partitions=16
        ),
        notify=notify,
    )
    assert killed, "no worker was killed"
    for a, b in zip(sorted(local.tables), sorted(dask.tables), strict=True):
        pd.testing.assert_frame_equal(
            read_result(demo_copy_engine, a), read_result(demo_copy_engine, b), check_exact=True
        )
    with Client(address) as client:  # the nanny replaced the killed worker
        deadline = time.monotonic() + 60
        while len(client.nthreads()) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(client.nthreads()) == 2
        assert killed[0] not in client.run(os.getpid).values()


def test_cli_dask_engine_and_partitioned_export(demo_copy: Path, tmp_path: Path) -> None:
    """The CLI starts its own LocalCluster, prints the dashboard, stops it; ``--export DIR/``
    writes GeoParquet partitions holding every unit once."""
    import geopandas as gpd

    out = tmp_path / "parts"
    res = CliRunner().invoke(
        app,
        [
            "access", "--mode", "straight", "--engine", "dask", "--workers", "2",
            "--partitions", "4", "--label", "cli_dask", "--export", f"{out}/",
            "--workspace", str(demo_copy), "--json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    files = sorted(out.glob("part-*.parquet"))
    assert files and summary["export"] == str(out)
    frame = pd.concat([gpd.read_parquet(f) for f in files], ignore_index=True)
    assert len(frame) == summary["population_units"]
    assert frame["unit_id"].is_unique
    bad = CliRunner().invoke(
        app, ["access", "--scheduler", "tcp://127.0.0.1:9", "--workspace", str(demo_copy)]
    )
    assert bad.exit_code == 2
    assert "--engine dask" in bad.output
