"""The source layout stays readable: no module of ``src/libpolis`` is over 500 lines.

A module that grows past that is split by responsibility (issue 13). Alembic revisions
(``store/migrations/versions``) and bundled data (``data/``) are not code one reads whole.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "libpolis"
MAX_LINES = 500
EXCLUDED = (PACKAGE / "store" / "migrations" / "versions", PACKAGE / "data")


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if not any(path.is_relative_to(folder) for folder in EXCLUDED)
    )


def test_the_package_is_where_the_test_looks() -> None:
    assert (PACKAGE / "__init__.py").is_file()
    assert len(_modules()) > 50


def test_no_module_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, (
        f"modules over {MAX_LINES} lines (split them by responsibility): "
        + ", ".join(f"{name} ({n})" for name, n in sorted(too_long.items()))
    )
