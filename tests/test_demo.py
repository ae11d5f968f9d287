"""The main job on the bundled real city."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import counts, open_store, read_result

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    res = runner.invoke(app, ["demo", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.stderr
    return out, json.loads(res.stdout)


def test_demo_imports_the_whole_city(demo_out: tuple[Path, dict]) -> None:
    out, result = demo_out
    eng = open_store(f"sqlite:///{out / 'workspace.sqlite'}")
    c = counts(eng)
    assert c["library"]["total"] == 47
    assert c["area"]["total"] == 8
    assert c["programme"]["total"] == 14
    assert c["population_unit"]["hsy-grid-2021"] == 2101
    units = read_result(eng, "access_straight_units")
    eng.dispose()
    # published check value of the HSY 2021 grid for Helsinki (PROVENANCE): 642,941 residents
    assert result["figures"]["residents"] == 642_941
    assert len(units) == 2101
    assert set(units["district"].dropna()) == {
        "Eteläinen",
        "Läntinen",
        "Keskinen",
        "Pohjoinen",
        "Koillinen",
        "Kaakkoinen",
        "Itäinen",
        "Östersundom",
    }


def test_demo_coverage_matches_brute_force_haversine(demo_out: tuple[Path, dict]) -> None:
    """Independent oracle: geodesic (WGS84 ellipsoid) distances to every library, by brute force,
    with no k-d tree and no projection."""
    from pyproj import Geod

    out, result = demo_out
    eng = open_store(f"sqlite:///{out / 'workspace.sqlite'}")
    from libpolis.pipeline import load_libraries

    units = read_result(eng, "access_straight_units")
    libs = load_libraries(eng)
    eng.dispose()
    n, m = len(units), len(libs)
    lon1 = np.repeat(units["lon"].to_numpy(), m)
    lat1 = np.repeat(units["lat"].to_numpy(), m)
    lon2 = np.tile(libs["lon"].to_numpy(), n)
    lat2 = np.tile(libs["lat"].to_numpy(), n)
    dist = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2].reshape(n, m).min(axis=1)
    # UTM distances differ from geodesic ones by the zone's scale factor (< 0.1 % here)
    np.testing.assert_allclose(units["dist_m"], dist, rtol=1e-3, atol=1.0)
    w = units["population"].to_numpy()
    for t in (250, 500, 1000):
        share = w[dist <= t].sum() / w.sum()
        assert abs(result["figures"][f"coverage_{t}m"] - share) < 0.005


def test_demo_excludes_the_mobile_library_depot(demo_out: tuple[Path, dict]) -> None:
    out, _ = demo_out
    eng = open_store(f"sqlite:///{out / 'workspace.sqlite'}")
    from libpolis.pipeline import load_libraries

    libs = load_libraries(eng)
    eng.dispose()
    assert "mobile_library" not in set(libs["kind"])
    assert "hospital_patient_library" not in set(libs["kind"])


def test_demo_brief_shows_the_figures(demo_out: tuple[Path, dict]) -> None:
    out, result = demo_out
    html = (out / "brief.html").read_text()
    assert "<svg" in html
    assert "Östersundom" in html or "&#214;stersundom" in html
    assert f"{100 * result['figures']['coverage_500m']:.1f}" in html


def test_demo_brief_counts_only_helsinki_programmes(demo_out: tuple[Path, dict]) -> None:
    """The 14 real events: the 4 at Helsinki branches count; the 9 at Espoo and Vantaa
    libraries and the Liszt Institute's exhibition are left out, and the brief says so."""
    from tests.test_programme_links import IN_HELSINKI

    from libpolis.store import read_table

    out, result = demo_out
    eng = open_store(f"sqlite:///{out / 'workspace.sqlite'}")
    libs = read_table(eng, "library").set_index("id")
    pr = read_table(eng, "programme")
    aligned = set(read_table(eng, "alignment")["programme_id"].astype(int))
    eng.dispose()
    linked = pr[pr["library_id"].notna()]
    in_helsinki = {
        str(r.source_id)
        for r in linked.itertuples()
        if libs.loc[int(r.library_id), "attrs"].get("municipality") == "Helsinki"
    }
    assert in_helsinki == IN_HELSINKI
    figures = result["figures"]
    assert figures["programmes"] == len(in_helsinki) == 4
    assert figures["programmes_recorded"] == 14
    assert figures["programmes_unmatched"] + figures["programmes_outside"] == 10
    # the SDG counts are over the city's programmes only
    ids = set(pr.loc[pr["source_id"].isin(in_helsinki), "id"].astype(int))
    assert figures["sdg_aligned_programmes"] <= len(ids & aligned)
    html = (out / "brief.html").read_text()
    assert "4 of the 14 programme records are counted for Helsinki" in html
    assert "Liszt Institute" in html and "Sello Library" in html
