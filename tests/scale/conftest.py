"""The in-process Dask cluster of the halo tests (the engine tests start process clusters on
127.0.0.1 themselves)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from distributed import Client, LocalCluster

    # in-process (no network port at all); the engine tests start process clusters on 127.0.0.1
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address="127.0.0.1:0"
    )
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()
    assert cluster.status.name == "closed"
