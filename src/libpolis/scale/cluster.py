"""Start or reach a Dask cluster and hand out the executor that runs on it.

``dask_executor()`` starts a :class:`distributed.LocalCluster` on 127.0.0.1 (one process per
worker, one thread each) and stops it on exit; ``dask_executor(scheduler="tcp://HOST:PORT")``
connects to a cluster started the usual way (``dask scheduler``, ``dask worker ADDRESS``) and
leaves it running. Either way the dashboard's address is announced through ``notify``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from libpolis.errors import DataError
from libpolis.scale.executor import DaskExecutor, LocalExecutor, Notify

__all__ = ["ENGINES", "dask_executor", "executor", "executor_for"]

#: The engines ``--engine`` accepts.
ENGINES = ("local", "dask")


@contextmanager
def dask_executor(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partitions: int | None = None,
    tile_m: float | None = None,
    notify: Notify | None = None,
) -> Iterator[DaskExecutor]:
    """A :class:`DaskExecutor` on a new LocalCluster, or on the cluster at ``scheduler``."""
    from distributed import Client, LocalCluster

    cluster: Any = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            n = int(workers) if workers else (os.cpu_count() or 1)
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise DataError(
            f"cannot reach the Dask scheduler at {scheduler}: {exc}; start one with "
            "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler"
        ) from None
    try:
        if notify is not None:
            notify("dashboard", link=client.dashboard_link, scheduler=client.scheduler.address)
        yield DaskExecutor(client, partitions=partitions, tile_m=tile_m, notify=notify)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def executor(
    engine: str = "local",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partitions: int | None = None,
    tile_m: float | None = None,
    notify: Notify | None = None,
) -> Iterator[LocalExecutor | DaskExecutor]:
    """The executor of ``engine`` (``"local"`` or ``"dask"``), closed on exit."""
    if engine not in ENGINES:
        raise DataError(f"--engine must be local or dask, not {engine!r}")
    if engine == "local":
        if scheduler or partitions:
            raise DataError("--scheduler and --partitions need --engine dask")
        yield LocalExecutor()
        return
    with dask_executor(
        scheduler=scheduler, workers=workers, partitions=partitions, tile_m=tile_m, notify=notify
    ) as ex:
        yield ex


def executor_for(request: Any, notify: Notify | None = None) -> Any:
    """:func:`executor` with the engine options of a pipeline request (``engine``,
    ``scheduler``, ``partitions``, ``workers``): a context manager."""
    return executor(
        request.engine,
        scheduler=request.scheduler,
        partitions=request.partitions,
        workers=request.workers,
        notify=notify,
    )
