"""The partnership register as evidence for human rights: which published partnerships work
towards which Universal Declaration article, with their indicators.

Adds to :class:`Evidence`:

- ``tables["partnership_rights"]``: ``partnership``, ``status``, ``district``, ``article``
  (one row per published partnership and UDHR article it names as a goal);
- ``tables["partnership_indicators"]``: ``partnership``, ``indicator``, ``unit``, ``target``,
  ``measured``, ``measured_on`` (indicators of those partnerships);
- ``facts["unpublished_partnerships"]``: how many partnerships were left out because they are
  not published (a submission is a public document).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from libpolis.evidence.figures import Evidence
from libpolis.evidence.read import StoreReader

__all__ = ["add_partnership_rights", "rights_evidence"]

_RIGHTS_COLS = ["partnership_id", "partnership", "status", "district", "article"]
_IND_COLS = ["partnership", "indicator", "unit", "target", "measured", "measured_on"]


def _is_udhr(key: object) -> bool:
    return str(key).lower().startswith("udhr")


def add_partnership_rights(ev: Evidence, rd: StoreReader) -> None:
    """Published partnerships with the UDHR articles they name and their indicators."""
    ships = rd.table("partnership")
    if not len(ships):
        ev.tables["partnership_rights"] = pd.DataFrame(columns=_RIGHTS_COLS)
        ev.tables["partnership_indicators"] = pd.DataFrame(columns=_IND_COLS)
        ev.facts["unpublished_partnerships"] = 0
        return
    published = ships[ships["published"].fillna(False).astype(bool)]
    ev.facts["unpublished_partnerships"] = int(len(ships) - len(published))
    links, goals, fws = rd.table("partnership_goal"), rd.table("goal"), rd.table("framework")
    rows = []
    if len(links) and len(goals) and len(fws):
        fw_key = fws.set_index("id")["key"]
        g = goals.assign(fkey=goals["framework_id"].map(fw_key)).set_index("id")
        for link in links.itertuples():
            ship = published[published["id"] == link.partnership_id]
            if not len(ship) or link.goal_id not in g.index:
                continue
            goal = g.loc[link.goal_id]
            if not _is_udhr(goal["fkey"]):
                continue
            s = ship.iloc[0]
            rows.append(
                {
                    "partnership_id": int(s["id"]),
                    "partnership": s["title"],
                    "status": s["status"],
                    "district": s["district"],
                    "article": str(goal["code"]),
                }
            )
    ev.tables["partnership_rights"] = pd.DataFrame(rows, columns=_RIGHTS_COLS)
    ind = rd.table("indicator")
    irows = []
    if len(ind):
        titles = published.set_index("id")["title"]
        for r in ind.itertuples():
            if r.partnership_id in titles.index:
                irows.append(
                    {
                        "partnership": titles[r.partnership_id],
                        "indicator": r.name,
                        "unit": r.unit,
                        "target": r.target,
                        "measured": r.measured,
                        "measured_on": r.measured_on,
                    }
                )
    ev.tables["partnership_indicators"] = pd.DataFrame(irows, columns=_IND_COLS)


def rights_evidence(engine: Engine, *, area: str | None = None) -> Evidence:
    """The workspace's evidence with the register's rights and indicators added."""
    from libpolis.evidence import assemble_evidence

    ev = assemble_evidence(engine, area=area)
    add_partnership_rights(ev, StoreReader(engine))
    return ev
