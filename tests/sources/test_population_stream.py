"""Population files read in parts (`libpolis.sources.population_stream`, and the import step
that writes the parts in one transaction): the same records as a file read whole, the same
checks naming the file's lines, nothing written when a late part or the total is refused."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from libpolis.demo import DEMO_DATA
from libpolis.errors import DataError
from libpolis.pipeline import ImportKind, ImportRequest, run_import
from libpolis.sources.population import read_population
from libpolis.sources.population_stream import iter_population
from libpolis.store import counts, read_table

GRID = DEMO_DATA / "population_2021.csv.gz"
OPTS = {"id_column": "id", "population_column": "inhabitants", "district_column": "major_district",
        "attr_columns": ("occupancy_rate",)}  # fmt: skip


def _both(path: Path, chunk_rows: int, **opts: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    whole = read_population(path, **{**OPTS, **opts})
    parts = list(iter_population(path, chunk_rows=chunk_rows, **{**OPTS, **opts}))
    return whole, pd.concat(parts)


def test_parts_hold_the_records_of_the_whole_file() -> None:
    whole, parts = _both(GRID, 250)
    assert len(whole) == 2101
    pd.testing.assert_frame_equal(parts, whole)


def test_row_ids_count_lines_across_parts(tmp_path: Path) -> None:
    whole, parts = _both(GRID, 333, id_column="@row")
    pd.testing.assert_frame_equal(parts, whole)
    assert parts["source_id"].iloc[-1] == "row2102"


def _grid_with(tmp_path: Path, row: int, column: str, value: str) -> Path:
    frame = pd.read_csv(GRID, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    path = tmp_path / "grid.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    return path


def test_a_bad_value_in_a_late_part_names_the_files_line(tmp_path: Path) -> None:
    path = _grid_with(tmp_path, 1500, "inhabitants", "many")
    with pytest.raises(DataError) as whole:
        read_population(path, **OPTS)
    with pytest.raises(DataError) as parts:
        list(iter_population(path, chunk_rows=200, **OPTS))
    assert "line 1502" in str(parts.value)
    assert str(parts.value) == str(whole.value)


def test_a_duplicate_id_in_another_part_names_both_lines(tmp_path: Path) -> None:
    first = pd.read_csv(GRID, dtype=str)["id"].iloc[10]
    path = _grid_with(tmp_path, 1900, "id", first)
    with pytest.raises(DataError) as whole:
        read_population(path, **OPTS)
    with pytest.raises(DataError) as parts:
        list(iter_population(path, chunk_rows=200, **OPTS))
    assert str(parts.value) == str(whole.value)
    assert "line 1902" in str(parts.value) and "also on line 12" in str(parts.value)


def test_geoparquet_is_read_in_record_batches(tmp_path: Path) -> None:
    grid = pd.read_csv(GRID)
    gdf = gpd.GeoDataFrame(
        grid.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(grid["lon"], grid["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:3067")  # projected: the reader brings points back to WGS84
    path = tmp_path / "grid.parquet"
    gdf.to_parquet(path, row_group_size=300)
    whole, parts = _both(path, 400)
    pd.testing.assert_frame_equal(parts, whole)
    assert np.allclose(parts["lon"], grid["lon"], atol=1e-7)


def test_memory_stays_at_one_part(tmp_path: Path) -> None:
    """Peak traced memory reading 60,000 rows in parts of 2,000 is a fraction of reading the
    file whole (tracemalloc, no timing)."""
    rng = np.random.default_rng(7)
    n = 60_000
    frame = pd.DataFrame(
        {
            "id": [f"cell-{i:07d}" for i in range(n)],
            "inhabitants": rng.integers(0, 500, n),
            "lon": rng.uniform(24.8, 25.2, n).round(6),
            "lat": rng.uniform(60.1, 60.3, n).round(6),
            "major_district": rng.choice(["a", "b", "c"], n),
            "occupancy_rate": rng.uniform(0, 100, n).round(2),
        }
    )
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    tracemalloc.start()
    units = sum(len(p) for p in iter_population(path, chunk_rows=2_000, **OPTS))
    _, streamed = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    whole = len(read_population(path, **OPTS))
    _, read_whole = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert units == whole == n
    assert streamed < read_whole / 4, (streamed, read_whole)


def _import(engine: Engine, path: Path, **options: object) -> dict:
    req = ImportRequest(
        kind=ImportKind.POPULATION,
        path=path,
        source="grid",
        options={**OPTS, "accept_outside": True, **options},
    )
    return run_import(engine, req).summary


def test_an_import_in_parts_stores_what_a_whole_import_stores(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    parted = _import(sqlite_engine, GRID, stream_bytes=0, chunk_rows=300)
    stored = read_table(sqlite_engine, "population_unit").sort_values("source_id")
    again = _import(sqlite_engine, GRID)  # whole, over the same source: all updated
    assert parted["inserted"] == {"population_unit": 2101}
    assert again["updated"] == {"population_unit": 2101}
    assert parted["residents"] == again["residents"]
    restored = read_table(sqlite_engine, "population_unit").sort_values("source_id")
    cols = ["source_id", "lon", "lat", "population", "district", "attrs"]
    pd.testing.assert_frame_equal(stored[cols], restored[cols])
    updated = _import(sqlite_engine, GRID, stream_bytes=0, chunk_rows=300)
    assert updated["updated"] == {"population_unit": 2101}
    assert updated["inserted"] == {"population_unit": 0}


def test_a_refused_late_part_or_total_leaves_nothing_written(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    bad = _grid_with(tmp_path, 2000, "lat", "160.2")
    with pytest.raises(DataError, match="line 2002"):
        _import(sqlite_engine, bad, stream_bytes=0, chunk_rows=300)
    with pytest.raises(DataError, match="expected"):
        _import(sqlite_engine, GRID, stream_bytes=0, chunk_rows=300, expected_total=1_000)
    assert counts(sqlite_engine)["population_unit"]["total"] == 0
