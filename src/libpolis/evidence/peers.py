"""How the city's libraries compare: the newest peer benchmark (``libpolis benchmark peers``,
runs ``benchmark_<label>``) as figures and a table, or what is missing and how to add it."""

from __future__ import annotations

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.read import StoreReader

__all__ = ["NO_PEER_FILE", "NO_PEER_RUN", "add_peers"]

#: No peer file imported: the city's libraries have no record to compare.
NO_PEER_FILE = (
    "no peer file is imported, so the city's libraries cannot be compared with peers: run"
    " `libpolis indicators lmw --systems FILE.csv --columns MAP.json` with a national file of"
    " library systems (the IMLS PLS system file needs no --columns), then"
    " `libpolis benchmark peers --system ID`"
)
#: Indicators stored, no benchmark yet.
NO_PEER_RUN = (
    "library statistics are stored but no system is compared with its peers yet: run"
    " `libpolis benchmark peers --system ID`"
)


def add_peers(ev: Evidence, rd: StoreReader) -> None:
    """``ev.tables["peers"]`` (one row per measure), ``ev.facts["peers"]`` (subject, rule,
    peers, year, source) and a percentile figure per measure; or ``ev.missing["peers"]``."""
    runs = rd.runs_starting("benchmark_")
    if not runs:
        has_indicators = bool(rd.runs_starting("indicators_"))
        ev.missing["peers"] = NO_PEER_RUN if has_indicators else NO_PEER_FILE
        return
    run = runs[0]
    s = run.summary
    measures = pd.DataFrame(s.get("measures") or [])
    if measures.empty:
        ev.missing["peers"] = NO_PEER_RUN
        return
    ev.tables["peers"] = measures
    subject = dict(s.get("subject") or {})
    ev.facts["peers"] = {
        "subject": subject,
        "rule": s.get("rule"),
        "population_factor": s.get("population_factor"),
        "locale_rule": s.get("locale_rule"),
        "budget_factor": s.get("budget_factor"),
        "peers": s.get("peers"),
        "year": s.get("year"),
        "source": s.get("source"),
        "command": run.command,
    }
    scope = f"{subject.get('name')} ({subject.get('system_id')})"
    for m in measures.itertuples():
        ev.figure(
            f"peers_{m.measure}_percentile",
            f"percentile of {m.measure.replace('_', ' ')} among peers",
            m.percentile,
            "percentile",
            (str(s.get("source")),),
            f"share of {m.peers_reporting} peers below (ties half); peers: {s.get('rule')}",
            run.command,
            scope=scope,
        )
