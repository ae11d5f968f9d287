"""`libpolis indicators lmw` and `libpolis benchmark peers` on a slice of the real IMLS PLS
FY2021 system file: stored as result tables, exported, the export read back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.stats.peers import PeerRule, benchmark
from libpolis.store import open_store, read_result

SAMPLE = Path(__file__).parent / "data" / "sources" / "pls_systems_sample.csv"
runner = CliRunner()


def _raw() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, encoding="latin-1", dtype={"FSCSKEY": str})


def test_indicators_store_export_and_round_trip(tmp_path: Path) -> None:
    ws, out = str(tmp_path / "ws.sqlite"), tmp_path / "lmw.csv"
    res = runner.invoke(app, ["indicators", "lmw", "--systems", str(SAMPLE), "--export",
                              str(out), "-w", ws, "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    raw = _raw()
    visits = raw["VISITS"]
    t = summary["totals"]["visits"]
    assert t["value"] == visits[visits >= 0].sum()  # an independent sum, codes left out
    assert t["reporting"] == int((visits >= 0).sum())
    assert t["missing"] + t["closed"] + t["suppressed"] == int((visits < 0).sum())
    ok = (raw["CENTLIB"] >= 0) & (raw["BRANLIB"] >= 0)
    assert summary["totals"]["libraries"]["value"] == (raw["CENTLIB"] + raw["BRANLIB"])[ok].sum()
    assert summary["totals"]["libraries"]["closed"] == 1  # AK0018, temporarily closed
    assert summary["totals"]["volunteers"]["absent"] == 35
    back = pd.read_csv(out, dtype={"area": str, "area_name": str})
    engine = open_store(f"sqlite:///{ws}")
    stored = read_result(engine, "indicators_lmw_values")
    engine.dispose()
    pd.testing.assert_frame_equal(back, stored, check_dtype=False)
    assert set(back["level"]) == {"system", "region", "macro_region", "country"}
    assert set(back["year"]) == {2021} and back["source"].str.contains("IMLS").all()


def test_benchmark_peers_cli_matches_the_analysis(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    assert (
        runner.invoke(app, ["indicators", "lmw", "--systems", str(SAMPLE), "-w", ws]).exit_code == 0
    )
    res = runner.invoke(app, ["benchmark", "peers", "--system", "AK0016", "--locale", "any",
                              "--population-factor", "3", "-w", ws, "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["subject"]["name"] == "CORDOVA PUBLIC LIBRARY"
    engine = open_store(f"sqlite:///{ws}")
    systems = read_result(engine, "indicators_lmw_systems")
    measures = read_result(engine, "benchmark_ak0016_measures")
    peers = read_result(engine, "benchmark_ak0016_peers")
    engine.dispose()
    pop = float(systems.loc[systems["system_id"] == "AK0016", "population"].item())
    others = systems[systems["system_id"] != "AK0016"]
    expect = others[(others["population"] >= pop / 3) & (others["population"] <= pop * 3)]
    assert sorted(peers["system_id"]) == sorted(expect["system_id"]) and got["peers"] == len(expect)
    direct = benchmark(systems, "AK0016", PeerRule(population_factor=3, locale="any"))
    assert np.allclose(measures["percentile"], direct["percentile"], equal_nan=True)
    human = runner.invoke(app, ["benchmark", "peers", "--city", "cordova", "--locale", "any",
                                "--population-factor", "3", "-w", ws])  # fmt: skip
    assert human.exit_code == 0 and "percentile" in human.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    res = runner.invoke(app, ["indicators", "lmw", "--systems", str(tmp_path / "no.csv"), "-w", ws])
    assert res.exit_code == 2 and "no such file" in res.output
    res = runner.invoke(app, ["benchmark", "peers", "--system", "AK0016", "-w", ws])
    assert res.exit_code == 2 and "libpolis indicators lmw" in res.output
    runner.invoke(app, ["indicators", "lmw", "--systems", str(SAMPLE), "-w", ws])
    res = runner.invoke(app, ["benchmark", "peers", "--system", "XX9999", "-w", ws])
    assert res.exit_code == 2 and "XX9999" in res.output
    res = runner.invoke(app, ["benchmark", "peers", "--system", "AK0016", "--locale", "near",
                              "-w", ws])  # fmt: skip
    assert res.exit_code == 2 and "locale rule" in res.output


def test_city_with_region_and_both_stores(store_url: str) -> None:
    from libpolis.pipeline import BenchmarkRequest, IndicatorsRequest, run_benchmark, run_indicators

    engine = open_store(store_url)
    try:
        run_indicators(engine, IndicatorsRequest(systems=SAMPLE))
        rule = PeerRule(population_factor=0, locale="any")
        res = run_benchmark(engine, BenchmarkRequest(city="Cordova, ak", rule=rule))
        assert res.summary["subject"]["system_id"] == "AK0016"
        assert res.summary["peers"] == 34  # every other system of the sample
        systems = read_result(engine, "indicators_lmw_systems")
        assert len(systems) == 35 and systems["visits_status"].isin(["reported", "closed"]).all()
    finally:
        engine.dispose()


def _one_system_files(tmp_path: Path, key: bytes) -> tuple[Path, Path]:
    """The sample files cut to one system (bytes kept, latin-1)."""
    out = []
    for name in ("pls_systems_sample.csv", "pls_outlets_sample.csv"):
        lines = (SAMPLE.parent / name).read_bytes().splitlines(keepends=True)
        keep = [lines[0]] + [ln for ln in lines[1:] if b"," + key + b"," in ln]
        path = tmp_path / name
        path.write_bytes(b"".join(keep))
        out.append(path)
    return out[0], out[1]


def test_the_workspace_own_system_is_the_default_subject(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    systems, outlets = _one_system_files(tmp_path, b"AK0016")
    res = runner.invoke(app, ["import", "pls", "--outlets", str(outlets), "--systems",
                              str(systems), "-w", ws])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (
        runner.invoke(app, ["indicators", "lmw", "--systems", str(SAMPLE), "-w", ws]).exit_code == 0
    )
    res = runner.invoke(app, ["benchmark", "peers", "--locale", "any", "-w", ws, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["subject"]["system_id"] == "AK0016"
    res = runner.invoke(app, ["benchmark", "peers", "--system", "AK0016", "--city", "Cordova",
                              "-w", ws])  # fmt: skip
    assert res.exit_code == 2 and "once" in res.output
