"""``libpolis indicators lmw`` and ``libpolis benchmark peers``: library statistics of a
national file (the IMLS PLS or one read with a column map) as the Library Map of the World
indicators, and a library system against its peers; the steps are
:func:`libpolis.pipeline.run_indicators` and :func:`libpolis.pipeline.run_benchmark`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register"]

ExportOpt = Annotated[
    Path | None,
    typer.Option("--export", help="Also write the table to this file (.csv, .parquet)."),
]


def _command() -> str:
    return "libpolis " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _num(v: Any, digits: int = 0) -> str:
    return "–" if v is None or v != v else f"{v:,.{digits}f}"


def register(app: typer.Typer) -> None:
    """Add the ``indicators`` and ``benchmark`` command groups to ``app``."""
    ind_app = typer.Typer(
        no_args_is_help=True,
        help="Library statistics as the indicators IFLA's Library Map of the World publishes.",
    )
    bench_app = typer.Typer(
        no_args_is_help=True,
        help="Compare a library system with its peers: systems like it in size, place, budget.",
    )
    app.add_typer(ind_app, name="indicators")
    app.add_typer(bench_app, name="benchmark")

    @ind_app.command("lmw")
    @cli_errors
    def lmw(
        systems: Annotated[
            Path,
            typer.Option(
                "--systems",
                help="File of library systems, one row each: the IMLS PLS system (AE) file, "
                "or a national file described by --columns.",
            ),
        ],
        columns: Annotated[
            Path | None,
            typer.Option(
                "--columns",
                help="JSON column map saying which column holds which figure (default: the "
                "IMLS PLS map; see the README).",
            ),
        ] = None,
        year: Annotated[
            int | None, typer.Option("--year", help="Year of the figures (default: the map's).")
        ] = None,
        source: Annotated[
            str | None,
            typer.Option("--source", help="Name of the source shown with every value."),
        ] = None,
        label: Annotated[
            str, typer.Option("--label", help="Name of the stored indicators (default lmw).")
        ] = "lmw",
        export: ExportOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Count libraries, staff, users, visits and loans per system, state and country.

        The indicators of IFLA's Library Map of the World: libraries, libraries
        with internet access, staff, volunteers, registered users, visits and
        loans. A figure a system did not report (missing, closed, suppressed) is
        never added; every total says how many systems it adds and how many it
        leaves out. The export has one row per system, region and country, with
        the year and source of each value.

        Example: libpolis indicators lmw --systems ../shared/data/imls-pls-fy2021/PLS_FY21_AE_pud21i.csv --export lmw.csv

        Example: libpolis indicators lmw --systems fi_libraries.csv --columns fi_columns.json --year 2022 --label fi
        """
        from libpolis.pipeline import IndicatorsRequest, export_result, format_of, run_indicators

        if export is not None:
            format_of(export)
        req = IndicatorsRequest(systems=systems, columns=columns, year=year, source=source,
                                label=label, command=_command())  # fmt: skip
        engine = engine_for(workspace, db)
        try:
            res = run_indicators(engine, req).as_dict()
            if export is not None:
                res["export"] = str(export_result(engine, f"indicators_{label}_values", export))
        finally:
            engine.dispose()

        def human() -> None:
            typer.echo(f"{res['source']} ({res['year']}): {res['systems']:,} library systems")
            for key, t in res["totals"].items():
                left = t["missing"] + t["closed"] + t["suppressed"] + t["not_applicable"]
                if t["absent"]:
                    typer.echo(f"  {key:24s} not in the file")
                    continue
                typer.echo(
                    f"  {key:24s} {_num(t['value']):>16s}  ({t['reporting']:,} systems report it"
                    + (f", {left:,} do not" if left else "")
                    + ")"
                )
            if "export" in res:
                typer.echo(f"export: {res['export']}")

        emit(res, json_out, human)

    @bench_app.command("peers")
    @cli_errors
    def peers(
        system: Annotated[
            str | None, typer.Option("--system", help="Id of the library system (PLS FSCSKEY).")
        ] = None,
        city: Annotated[
            str | None,
            typer.Option(
                "--city",
                help='Or the city (or name) of the library system; "CITY, REGION" when '
                "several share it.",
            ),
        ] = None,
        population_factor: Annotated[
            float,
            typer.Option(
                "--population-factor",
                help="Peers serve between population / F and population x F (0: any size).",
            ),
        ] = 2.0,
        locale: Annotated[
            str,
            typer.Option(
                "--locale",
                help="Peers' place: exact (same locale code), group (city, suburb, town or "
                "rural), any.",
            ),
        ] = "group",
        budget_factor: Annotated[
            float,
            typer.Option(
                "--budget-factor",
                help="Peers spend between budget per resident / F and x F (0: any budget).",
            ),
        ] = 0.0,
        indicators: Annotated[
            str,
            typer.Option("--indicators", help="Which stored indicators to compare within."),
        ] = "lmw",
        label: Annotated[
            str | None,
            typer.Option("--label", help="Name of the stored benchmark (default: the id)."),
        ] = None,
        export: ExportOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Compare a library system's visits, loans and programmes per resident with its peers.

        Peers are the systems that serve a similar population (within a factor),
        in the same kind of place and, if asked, with a similar budget per
        resident. For each figure the percentile says the share of peers below
        (ties count half). Run `libpolis indicators lmw` first. Without --system
        or --city, the workspace's own library system is compared (the one
        imported with `libpolis import pls`).

        Example: libpolis benchmark peers --system MA0035

        Example: libpolis benchmark peers --city "Denver, CO" --population-factor 1.5 --locale exact --budget-factor 2
        """
        from libpolis.pipeline import (
            BenchmarkRequest,
            PeerRule,
            export_result,
            format_of,
            run_benchmark,
        )

        if export is not None:
            format_of(export)
        rule = PeerRule(population_factor=population_factor, locale=locale,
                        budget_factor=budget_factor)  # fmt: skip
        req = BenchmarkRequest(system=system, city=city, rule=rule, indicators=indicators,
                               label=label, command=_command())  # fmt: skip
        engine = engine_for(workspace, db, create=False)
        try:
            res = run_benchmark(engine, req).as_dict()
            if export is not None:
                res["export"] = str(
                    export_result(engine, f"benchmark_{res['label']}_measures", export)
                )
        finally:
            engine.dispose()

        def human() -> None:
            s = res["subject"]
            typer.echo(f"{s['name']} ({s['system_id']}, {s['city']}, {s['region']}), "
                       f"{_num(s['population'])} residents")  # fmt: skip
            typer.echo(f"peers: {res['peers']} ({res['rule']})")
            for m in res["measures"]:
                typer.echo(
                    f"  {m['measure']:24s} {_num(m['value'], 2):>10s}  percentile "
                    f"{_num(m['percentile'], 0):>3s}  peer median {_num(m['peer_median'], 2)}"
                    f"  ({m['peers_reporting']} peers report it)"
                )
            if "export" in res:
                typer.echo(f"export: {res['export']}")

        emit(res, json_out, human)
