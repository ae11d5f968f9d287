"""The partnership register: partners and partnerships with their status; the runs behind
the figures."""

from __future__ import annotations

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.read import StoreReader
from libpolis.evidence.venues import sources_of

__all__ = [
    "REGISTER_FIGURE_PREFIX",
    "REGISTER_TABLES",
    "add_partnerships",
    "add_runs",
    "register_evidence",
]

REGISTER_FIGURE_PREFIX = "partnerships_"
"""Keys of the register's figures start with this."""
REGISTER_TABLES = ("partnerships", "partners_without_partnership")
"""The register's tables."""


def add_partnerships(ev: Evidence, rd: StoreReader) -> None:
    """The partnership register: partners and partnerships with their status."""
    register_evidence(ev, rd.table("partner"), rd.table("partnership"))


def register_evidence(ev: Evidence, partners: pd.DataFrame, ships: pd.DataFrame) -> None:
    """Add the register's figures and tables from these partners and partnerships
    (``ships`` with ``title``, ``status``, ``partner_id``, ``district`` and ``source``); the web
    app passes only the partnerships the reader may see (:mod:`libpolis.web.visibility`)."""
    if len(ships):
        names = partners.set_index("id")["name"] if len(partners) else pd.Series(dtype=str)
        tab = ships[["title", "status", "partner_id", "district"]].copy()
        tab["partner"] = [names.get(i, "") if pd.notna(i) else "" for i in tab["partner_id"]]
        ev.tables["partnerships"] = tab.drop(columns="partner_id").reset_index(drop=True)
        counts = ships["status"].value_counts()
        for status, n in counts.items():
            ev.figure(
                f"partnerships_{status}",
                f"Partnerships with status {status}",
                int(n),
                "partnerships",
                sources_of(ships),
                f"Count of partnership records whose status is {status!r}.",
                "libpolis status --json",
            )
    if len(partners):
        engaged = set(ships["partner_id"].dropna()) if len(ships) else set()
        free = partners[~partners["id"].isin(engaged)]
        ev.tables["partners_without_partnership"] = free[["name", "kind"]].reset_index(drop=True)


def add_runs(ev: Evidence, rd: StoreReader) -> None:
    """The newest run of every step with its command (for the methods appendix)."""
    ev.runs = rd.all_runs()
