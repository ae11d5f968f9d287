"""The Dask engine: the same analyses on spatial partitions (tiles plus proven halos), gathered
back in input order so every figure is computed once from every unit.

See :mod:`libpolis.scale.executor` (what runs where), :mod:`libpolis.scale.halo` (the proof
that a partition's halo was wide enough) and :mod:`libpolis.scale.tiles` (the grid).
"""

from libpolis.scale.cluster import ENGINES, dask_executor, executor, executor_for
from libpolis.scale.executor import DaskExecutor, LocalExecutor

__all__ = ["ENGINES", "DaskExecutor", "LocalExecutor", "dask_executor", "executor", "executor_for"]
