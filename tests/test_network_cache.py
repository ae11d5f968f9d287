"""Street networks parsed once (`libpolis.pipeline.network_cache`): the cached graph is the
parsed graph, a changed file or rule is parsed again, and `access` gives the same tables with
and without the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from libpolis.access.network import graph_from_pbf
from libpolis.demo import DEMO_DATA
from libpolis.model import TravelMode
from libpolis.pipeline import AccessRequest, run_access
from libpolis.pipeline import network_cache as nc
from libpolis.store import open_store, read_result

BIKE_2024 = DEMO_DATA / "central_helsinki_bike_network_2024.osm.pbf"
CENTER_2019 = DEMO_DATA / "helsinki_center_2019.osm.pbf"
_FIELDS = ("indptr", "indices", "time_min", "length_m", "lon", "lat", "osm_id", "snappable")


def _same_graph(a: object, b: object) -> None:
    for name in _FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.mode == b.mode and a.symmetric == b.symmetric  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_cached_graph_is_the_parsed_graph(tmp_path: Path, mode: str) -> None:
    parsed = graph_from_pbf(BIKE_2024, mode)
    first, hit1 = nc.street_graph(BIKE_2024, mode, cache=tmp_path)
    second, hit2 = nc.street_graph(BIKE_2024, mode, cache=tmp_path)
    assert (hit1, hit2) == (False, True)
    _same_graph(first, parsed)
    _same_graph(second, parsed)
    assert len(list(tmp_path.glob(f"*-{mode}-*.npz"))) == 1


def test_a_changed_file_is_parsed_again_and_its_old_entry_removed(tmp_path: Path) -> None:
    cache, net = tmp_path / "cache", tmp_path / "city.osm.pbf"
    shutil.copy(BIKE_2024, net)
    nc.street_graph(net, "walk", cache=cache)
    shutil.copy(CENTER_2019, net)  # same path, other content
    graph, hit = nc.street_graph(net, "walk", cache=cache)
    assert not hit
    _same_graph(graph, graph_from_pbf(CENTER_2019, "walk"))
    assert len(list(cache.glob("*.npz"))) == 1
    assert nc.street_graph(net, "walk", cache=cache)[1]


def test_changed_rules_give_another_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nc.street_graph(BIKE_2024, "walk", cache=tmp_path)
    monkeypatch.setattr(nc, "_FORMAT", "another-rule-set")
    assert nc._rules_digest("walk") != nc._rules_digest("bike")
    assert not nc.street_graph(BIKE_2024, "walk", cache=tmp_path)[1]


def test_a_broken_entry_is_rebuilt(tmp_path: Path) -> None:
    nc.street_graph(BIKE_2024, "walk", cache=tmp_path)
    (entry,) = tmp_path.glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:1000])  # cut short
    graph, hit = nc.street_graph(BIKE_2024, "walk", cache=tmp_path)
    assert not hit
    _same_graph(graph, graph_from_pbf(BIKE_2024, "walk"))
    assert nc.street_graph(BIKE_2024, "walk", cache=tmp_path)[1]


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIBPOLIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("LIBPOLIS_NETWORK_CACHE", "0")
    assert nc.cache_dir() is None
    assert nc.street_graph(BIKE_2024, "walk")[1] is False
    assert not any(tmp_path.rglob("*.npz"))


def test_errors_are_those_of_the_parser(tmp_path: Path) -> None:
    from libpolis.errors import DataError, NotFoundError

    with pytest.raises(NotFoundError):
        nc.street_graph(tmp_path / "missing.pbf", "walk", cache=tmp_path)
    (tmp_path / "empty.pbf").write_bytes(b"")
    with pytest.raises(DataError):
        nc.street_graph(tmp_path / "empty.pbf", "walk", cache=tmp_path)
    with pytest.raises(DataError):
        nc.street_graph(BIKE_2024, "boat", cache=tmp_path)


def _tables(engine: Engine, label: str) -> dict[str, pd.DataFrame]:
    names = ("units", "outside", "coverage", "curve", "districts", "catchments", "culture")
    return {n: read_result(engine, f"access_{label}_{n}") for n in names}


def test_access_is_identical_with_and_without_the_cache(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIBPOLIS_CACHE_DIR", str(tmp_path))
    engine = open_store(f"sqlite:///{demo_copy}")
    try:
        runs = {}
        for label, cache_on in (("nocache", "0"), ("built", "1"), ("cached", "1")):
            monkeypatch.setenv("LIBPOLIS_NETWORK_CACHE", cache_on)
            res = run_access(engine, AccessRequest(mode=TravelMode.WALK, label=label))
            runs[label] = (res.summary, _tables(engine, label))
        assert [runs[k][0]["network"]["cached"] for k in runs] == [False, False, True]
        base_summary, base_tables = runs["nocache"]
        for label in ("built", "cached"):
            summary, tables = runs[label]
            strip = ("label", "network")
            assert {k: v for k, v in summary.items() if k not in strip} == {
                k: v for k, v in base_summary.items() if k not in strip
            }
            assert {k: v for k, v in summary["network"].items() if k != "cached"} == {
                k: v for k, v in base_summary["network"].items() if k != "cached"
            }
            for name, frame in tables.items():
                pd.testing.assert_frame_equal(frame, base_tables[name], check_exact=True)
    finally:
        engine.dispose()
