"""Keyword-only store functions of the web app: reads, and writes that check and audit.

Every write takes the acting ``user``, checks :mod:`libpolis.web.authz` before touching the
store and records an :class:`~libpolis.store.tables.AuditEntry` in the same transaction
(:mod:`~libpolis.web.crud._common`). One module per resource: :mod:`~.libraries`,
:mod:`~.programmes`, :mod:`~.alignments` (people's decisions on them), :mod:`~.goals`,
:mod:`~.partners`, :mod:`~.partnerships` and their :mod:`~.partnership_records` (indicators,
notes, documents), :mod:`~.users` (and the audit log). Callers import the names from here
(``from libpolis.web import crud``).
"""

from __future__ import annotations

from libpolis.web.crud._common import CITY_FRAMEWORK, WEB_SOURCE, audit, paginate, text_match
from libpolis.web.crud.alignments import alignments_of, decide_alignment
from libpolis.web.crud.goals import create_goal, get_goal, list_goals, update_goal
from libpolis.web.crud.libraries import get_library, library_statistics, list_libraries
from libpolis.web.crud.partners import create_partner, get_partner, list_partners, update_partner
from libpolis.web.crud.partnership_records import (
    add_document,
    add_indicator,
    add_measurement,
    add_note,
    get_document,
    measurements_of,
    update_indicator,
)
from libpolis.web.crud.partnerships import (
    change_status,
    create_partnership,
    get_partnership,
    goal_ids_of,
    goals_of,
    links_of,
    list_partnerships,
    next_statuses,
    partner_names,
    partnership_details,
    partnership_status_counts,
    update_partnership,
)
from libpolis.web.crud.programmes import (
    create_programme,
    get_programme,
    list_programmes,
    programme_system_id,
    update_programme,
)
from libpolis.web.crud.users import create_user, get_user, list_audit, list_users, update_user

__all__ = [
    "CITY_FRAMEWORK",
    "WEB_SOURCE",
    "add_document",
    "add_indicator",
    "add_measurement",
    "add_note",
    "alignments_of",
    "audit",
    "change_status",
    "create_goal",
    "create_partner",
    "create_partnership",
    "create_programme",
    "create_user",
    "decide_alignment",
    "get_document",
    "get_goal",
    "get_library",
    "get_partner",
    "get_partnership",
    "get_programme",
    "get_user",
    "goal_ids_of",
    "goals_of",
    "library_statistics",
    "links_of",
    "list_audit",
    "list_goals",
    "list_libraries",
    "list_partners",
    "list_partnerships",
    "list_programmes",
    "list_users",
    "measurements_of",
    "next_statuses",
    "paginate",
    "partner_names",
    "partnership_details",
    "partnership_status_counts",
    "programme_system_id",
    "text_match",
    "update_goal",
    "update_indicator",
    "update_partner",
    "update_partnership",
    "update_programme",
    "update_user",
]
