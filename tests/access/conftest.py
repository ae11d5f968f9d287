"""Fixtures for the access tests: the real Helsinki street network and small OSM files."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from libpolis.access.network import StreetGraph, graph_from_pbf

DATA = Path(__file__).resolve().parents[1] / "data" / "access"
HELSINKI_PBF = DATA / "helsinki_center.osm.pbf"


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    return HELSINKI_PBF


@pytest.fixture(scope="session")
def helsinki_graphs() -> dict[str, StreetGraph]:
    """The walk, bike and drive graphs of central Helsinki (OSM 2019)."""
    return {mode: graph_from_pbf(HELSINKI_PBF, mode) for mode in ("walk", "bike", "drive")}


def _to_networkx(graph: StreetGraph) -> nx.DiGraph:
    """The same graph as a networkx DiGraph with edge attribute ``weight`` = ``time_min``."""
    tail, head = graph.edges()
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(
        zip(tail.tolist(), head.tolist(), graph.time_min.tolist(), strict=False)
    )
    return g


@pytest.fixture
def write_osm(tmp_path: Path):
    """Factory: write a tiny OSM XML file from ``nodes`` {id: (lon, lat)} and ``ways``.

    ``ways`` is a list of (node id list, tag dict). libosmium picks the XML reader from the
    ``.osm`` extension.
    """

    def write(nodes: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict]]) -> Path:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
        for nid, (lon, lat) in nodes.items():
            lines.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
        for wid, (refs, tags) in enumerate(ways, start=1):
            lines.append(f'<way id="{wid}" version="1">')
            lines.extend(f'<nd ref="{r}"/>' for r in refs)
            lines.extend(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
            lines.append("</way>")
        lines.append("</osm>")
        path = tmp_path / f"test_{len(list(tmp_path.iterdir()))}.osm"
        path.write_text("\n".join(lines))
        return path

    return write


def _line_nodes(k: int, lon0: float = 24.94, lat0: float = 60.17, step: float = 0.001):
    return {i + 1: (lon0 + i * step, lat0) for i in range(k)}


@pytest.fixture(scope="session")
def to_networkx():
    """Function: StreetGraph -> networkx DiGraph with ``weight`` = ``time_min``."""
    return _to_networkx


@pytest.fixture(scope="session")
def line_nodes():
    """Function: ``k`` -> nodes {1..k: (lon, lat)} along a parallel, about 55 m apart."""
    return _line_nodes
