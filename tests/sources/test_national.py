"""A national file in another shape, read with a column map; bad maps and values refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from libpolis.errors import DataError, MissingColumnError
from libpolis.sources.national import load_column_map, pls_column_map, read_national_systems

DATA = Path(__file__).resolve().parents[1] / "data" / "sources"

FI_MAP = {
    "country": "FI",
    "year": 2022,
    "source": "constructed test file",
    "codes": {"-1": "missing"},
    "columns": {
        "system_id": "kunta_id",
        "name": "kunta",
        "region": "maakunta",
        "population": "asukkaat",
        "libraries": ["paakirjastot", "sivukirjastot"],
        "visits": "kaynnit",
        "loans": "lainat",
    },
}


def _write(tmp_path: Path, text: str, cmap: dict | None = None) -> tuple[Path, Path]:
    f = tmp_path / "fi.csv"
    f.write_text(text, encoding="utf-8")
    m = tmp_path / "fi.json"
    m.write_text(json.dumps(cmap or FI_MAP), encoding="utf-8")
    return f, m


def test_a_national_file_through_its_column_map(tmp_path: Path) -> None:
    f, m = _write(
        tmp_path,
        "kunta_id,kunta,maakunta,asukkaat,paakirjastot,sivukirjastot,kaynnit,lainat\n"
        "091,Helsinki,Uusimaa,658000,1,36,5000000,7000000\n"
        "049,Espoo,Uusimaa,300000,1,-1,2000000,-1\n",
    )
    rows = read_national_systems(f, load_column_map(m))
    assert rows["system_id"].tolist() == ["091", "049"]  # ids stay text (leading zero)
    assert rows["libraries"].tolist() == [37.0, -1.0]  # a code in one column: the sum is it
    assert rows["loans"].tolist() == [7_000_000.0, -1.0]
    assert set(rows["country"]) == {"FI"}
    assert "staff" not in rows.columns


def test_the_pls_map_reads_the_pls_sample() -> None:
    rows = read_national_systems(DATA / "pls_systems_sample.csv", pls_column_map())
    assert len(rows) == 35 and set(rows["region"]) == {"AK", "CO", "NY", "TX"}
    assert rows.loc[rows["system_id"] == "AK0002", "name"].item() == "ANCHORAGE PUBLIC LIBRARY"
    closed = rows["status"] == "23"  # AK0018, temporarily closed: its figures are -3
    assert rows.loc[closed, "system_id"].tolist() == ["AK0018"]
    assert (rows.loc[closed, "libraries"] == -3).all() and (
        rows.loc[~closed, "libraries"] >= 0
    ).all()
    assert np.isin(rows["visits"][rows["visits"] < 0], [-1, -3, -9]).all()


def test_bad_maps_and_values(tmp_path: Path) -> None:
    header = "kunta_id,kunta,maakunta,asukkaat,paakirjastot,sivukirjastot,kaynnit,lainat\n"
    f, m = _write(tmp_path, header + "091,Helsinki,Uusimaa,658000,1,36,-7,10\n")
    with pytest.raises(DataError, match=r"line 2, column 'kaynnit': -7 is negative"):
        read_national_systems(f, load_column_map(m))
    f, m = _write(tmp_path, header + "091,Helsinki,Uusimaa,658000,1,36,many,10\n")
    with pytest.raises(DataError, match=r"line 2, column 'kaynnit'.*not a number"):
        read_national_systems(f, load_column_map(m))
    f, m = _write(tmp_path, "kunta_id,kunta\n091,Helsinki\n")
    with pytest.raises(MissingColumnError, match="maakunta"):
        read_national_systems(f, load_column_map(m))
    bad = dict(FI_MAP, columns={"name": "kunta"})
    _, m = _write(tmp_path, header, bad)
    with pytest.raises(DataError, match="system_id"):
        load_column_map(m)
    bad = dict(FI_MAP, columns=dict(FI_MAP["columns"], books="kirjat"))
    _, m = _write(tmp_path, header, bad)
    with pytest.raises(DataError, match="unknown field"):
        load_column_map(m)
    m.write_text('{"columns": {', encoding="utf-8")
    with pytest.raises(DataError, match="line 1, column"):
        load_column_map(m)
