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
