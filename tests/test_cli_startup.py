"""The command line starts fast because it imports nothing heavy until a command needs it:
`libpolis version` and `libpolis --help` load no data, geometry, database, plotting, web or
validation library (checked in a fresh interpreter, from ``sys.modules``, not by timing)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "alembic",
    "dask",
    "distributed",
    "fastapi",
    "geopandas",
    "matplotlib",
    "networkx",
    "numpy",
    "osmium",
    "pandas",
    "pyarrow",
    "pydantic",
    "pydantic_settings",
    "pyproj",
    "rich",
    "scipy",
    "shapely",
    "sklearn",
    "sqlalchemy",
    "typst",
)

_PROBE = """
import json, sys
heavy = {heavy!r}
argv = {argv!r}
if argv is None:
    import libpolis.cli
else:
    sys.argv = ["libpolis", *argv]
    from libpolis.cli import main
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))
print(json.dumps(loaded), file=sys.stderr)
"""


def _heavy_loaded(argv: list[str] | None) -> list[str]:
    code = _PROBE.format(heavy=HEAVY, argv=argv)
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(res.stderr.strip().splitlines()[-1])


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert _heavy_loaded(None) == []


@pytest.mark.parametrize(
    "argv", [["version"], ["--help"], ["access", "--help"], ["import", "--help"]]
)
def test_version_and_help_import_nothing_heavy(argv: list[str]) -> None:
    assert _heavy_loaded(argv) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: a command that opens a workspace loads the store."""
    code = _PROBE.format(heavy=HEAVY, argv=None) + "\nimport libpolis.store\n"
    code += "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))),"
    code += " file=sys.stderr)\n"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "sqlalchemy" in json.loads(res.stderr.strip().splitlines()[-1])


_GC_PROBE = """
import gc, json, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(info["generation"]))
before = gc.get_freeze_count()
import libpolis.pipeline as pipeline
from libpolis._heap import loading_modules
during = len(collections)
pipeline.run_access  # loads the access step: pandas, SciPy, SQLAlchemy, geopandas ...
out = {
    "collections_while_loading": len(collections) - during,
    "frozen": gc.get_freeze_count() - before,
    "enabled": gc.isenabled(),
}
gc.disable()
with loading_modules():
    pass
out["enabled_after_disabled"] = gc.isenabled()
print(json.dumps(out), file=sys.stderr)
"""


def test_loading_a_step_pauses_the_collector_and_freezes_what_it_loaded() -> None:
    """No collection runs while a step's libraries load; what they made is frozen out of later
    collections, and the collector is on again afterwards (and stays off if it was off)."""
    res = subprocess.run(
        [sys.executable, "-c", _GC_PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    out = json.loads(res.stderr.strip().splitlines()[-1])
    assert out["collections_while_loading"] == 0
    assert out["frozen"] > 100_000  # the libraries' objects, not a handful
    assert out["enabled"] is True
    assert out["enabled_after_disabled"] is False


def test_without_the_pause_loading_a_step_collects() -> None:
    """The probe can fail: importing the same libraries with the collector on collects."""
    code = """
import gc, json, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(1))
import libpolis.pipeline.access
print(json.dumps(len(collections)), file=sys.stderr)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(res.stderr.strip().splitlines()[-1]) > 0


def test_a_run_without_a_terminal_does_not_load_rich(demo_workspace, tmp_path) -> None:
    """Progress is shown on terminals only; in scripts and pipes (stderr captured here) the
    run does not pay for loading rich."""
    import shutil

    ws = tmp_path / "ws.sqlite"
    shutil.copy(demo_workspace, ws)
    loaded = _heavy_loaded(["access", "-w", str(ws), "--label", "no_tty"])
    assert "pandas" in loaded  # the probe saw the run's imports
    assert "rich" not in loaded
