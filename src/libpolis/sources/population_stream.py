"""Population files read in parts: CSV in chunks of rows, GeoParquet in record batches.

A national population grid or census file can hold tens of millions of rows; read whole it
would need several times its size in memory. :func:`iter_population` yields the same store
records as :func:`~libpolis.sources.population.read_population`, a part at a time, with the
same checks on every part (errors name the file's line, as for a file read whole) and ids
checked unique across the whole file. Only 24 bytes per row are kept between parts (two
64-bit hashes of each id and its row), so memory stays at about one part plus 240 MB per
10 million rows.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from libpolis.errors import DataError
from libpolis.sources._validate import _sniff, require_file
from libpolis.sources.population import ROW_ID, _units

__all__ = ["CHUNK_ROWS", "STREAM_SUFFIXES", "iter_population"]

#: Rows per part: about 100 MB of text columns for a wide file.
CHUNK_ROWS = 200_000
#: The formats read in parts (others are read whole).
STREAM_SUFFIXES = frozenset({".csv", ".gz", ".txt", ".parquet", ".geoparquet"})


def _csv_parts(path: Path, encoding: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    with path.open("rb") as fh:
        head = fh.read(4096)
    gz = path.suffix == ".gz" or head.startswith(b"\x1f\x8b")
    if gz:
        try:
            with gzip.open(path) as fh:
                head = fh.read(4096)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path}: not a readable gzip file ({exc})") from exc
    what = _sniff(head[:16])
    if what is not None or b"\x00" in head:
        raise DataError(f"{path}: expected a CSV text file but found {what or 'binary data'}")
    if not head.strip():
        raise DataError(f"{path}: the file is empty")
    reader = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        chunksize=chunk_rows,
        encoding=encoding,
        compression="gzip" if gz else None,
    )
    rows = 0
    try:
        for part in reader:  # the index goes on counting rows across parts
            part.columns = [str(c).strip() for c in part.columns]
            part.index = pd.RangeIndex(rows + 2, rows + 2 + len(part), name="line")
            rows += len(part)
            yield part
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}, after line {rows + 1}: cannot decode byte {exc.object[exc.start]:#04x} as "
            f"{encoding} (is the file in another encoding? try --encoding latin-1)"
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a valid CSV file ({str(exc).strip()})") from exc
    finally:
        reader.close()
    if rows == 0:
        raise DataError(f"{path}: the file has a header but no rows")


def _parquet_parts(path: Path, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    import json

    import geopandas as gpd
    import pyarrow.parquet as pq

    from libpolis.sources._geo import to_points

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError kinds
        raise DataError(f"{path}: not a readable (Geo)Parquet file ({exc})") from exc
    meta = json.loads((pf.schema_arrow.metadata or {}).get(b"geo", b"{}"))
    column = meta.get("primary_column")
    if column is None:
        raise DataError(f"{path}: a Parquet file without GeoParquet 'geo' metadata")
    info = meta.get("columns", {}).get(column, {})
    if info.get("encoding", "WKB").upper() != "WKB":
        raise DataError(f"{path}: geometry encoding {info['encoding']!r}; only WKB is read")
    crs = info.get("crs", "OGC:CRS84")
    start = 0
    for batch in pf.iter_batches(batch_size=chunk_rows):
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(start + 1, start + 1 + len(frame), name="feature")
        start += len(frame)
        geo = gpd.GeoDataFrame(
            frame.drop(columns=column),
            geometry=gpd.GeoSeries.from_wkb(frame[column], crs=crs, index=frame.index),
        )
        yield pd.DataFrame(geo.drop(columns=geo.geometry.name)), to_points(geo, path)
    if start == 0:
        raise DataError(f"{path}: the file has no rows")


def _id_hashes(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    values = ids.to_numpy(object)
    return (
        pd.util.hash_array(values, hash_key="libpolis-ids-one"),
        pd.util.hash_array(values, hash_key="libpolis-ids-two"),
    )


def iter_population(
    path: Path,
    *,
    id_column: str,
    population_column: str,
    x_column: str | None = None,
    y_column: str | None = None,
    crs: str | None = None,
    income_column: str | None = None,
    district_column: str | None = None,
    attr_columns: Sequence[str] = (),
    encoding: str = "utf-8",
    h3_column: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """Population units of a CSV (plain or gzip) or GeoParquet file, ``chunk_rows`` at a time.

    Parameters are those of :func:`~libpolis.sources.population.read_population`.

    Yields
    ------
    pandas.DataFrame
        The store records of one part (columns as ``read_population``'s).

    Raises
    ------
    DataError
        As ``read_population``, naming the file's line; a duplicate id names both lines even
        when they lie in different parts.
    """
    path = require_file(Path(path))
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        parts: Iterator[tuple[pd.DataFrame, pd.DataFrame | None]] = _parquet_parts(path, chunk_rows)
    else:
        parts = ((part, None) for part in _csv_parts(path, encoding, chunk_rows))
    opts = {
        "population_column": population_column, "x_column": x_column, "y_column": y_column,
        "crs": crs, "income_column": income_column, "district_column": district_column,
        "attr_columns": attr_columns, "h3_column": h3_column,
    }  # fmt: skip
    seen_one = np.empty(0, np.uint64)  # sorted first hashes of the ids of earlier parts
    seen_two = np.empty(0, np.uint64)  # the second hash of each, in the same order
    seen_row = np.empty(0, np.int64)  # and its row
    for frame, points in parts:
        units = _units(frame, points, path, id_column=id_column, **opts)
        if id_column != ROW_ID:  # ids made from row numbers cannot repeat
            one, two = _id_hashes(units["source_id"])
            at = np.searchsorted(seen_one, one)
            hit = at < len(seen_one)
            hit[hit] = (seen_one[at[hit]] == one[hit]) & (seen_two[at[hit]] == two[hit])
            if hit.any():
                k = int(np.flatnonzero(hit)[0])
                col = h3_column if (h3_column and id_column not in frame.columns) else id_column
                where = frame.index.name or "line"
                raise DataError(
                    f"{path}, {where} {int(frame.index[k])}, column {col!r}: duplicate id "
                    f"{str(units['source_id'].iloc[k])[:200]!r} (also on {where} {int(seen_row[at[k]])})"
                )
            merged_one = np.concatenate((seen_one, one))
            order = np.argsort(merged_one, kind="stable")
            seen_one = merged_one[order]
            seen_two = np.concatenate((seen_two, two))[order]
            seen_row = np.concatenate((seen_row, frame.index.to_numpy(np.int64)))[order]
        yield units
