"""The demo's 14 real events linked to their branches at import, on SQLite and PostgreSQL.

Expected branch of each event, written down from the data: the event's ``library`` field
(Linked Events' English place name), the Helmet register's Finnish name of that library and
its ``municipality`` (tests/data/sources/helmet_libraries_2025.csv). The ``helsinki:`` prefix
of an event id names the Linked Events data source, not the city: Martinlaakso and Tikkurila
are Vantaa libraries. The Espoo events' keywords name Espoo districts (Leppävaara, Kivenlahti,
Espoon keskus, Tapiola), which agrees with the register.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.evidence import assemble_evidence
from libpolis.pipeline import ImportKind, ImportRequest, run_import
from libpolis.store import read_table, set_workspace_name

DEMO = Path(__file__).resolve().parents[1] / "src" / "libpolis" / "data" / "helsinki"
HELMET_ALL = Path(__file__).parent / "data" / "sources" / "helmet_libraries_2025.csv"

# event id -> (Helmet id of its branch, the branch's town); None: not a library
EXPECTED = {
    "helsinki:agh4tz56va": ("kirkanta:84867", "Helsinki"),  # Munkkiniemi -> Munkkiniemen k.
    "espoo_le:agjyxkf6qu": ("kirkanta:84925", "Espoo"),  # Sello -> Sellon kirjasto
    "helsinki:agjuszybcm": ("kirkanta:84876", "Vantaa"),  # Martinlaakso -> Martinlaakson k.
    "espoo_le:agkgtq3jme": ("kirkanta:86685", "Espoo"),  # Lippulaiva -> Lippulaivan k.
    "helsinki:agj5tro37a": ("kirkanta:84922", "Vantaa"),  # Tikkurila -> Tikkurilan kirjasto
    "espoo_le:agkhjaifmy": ("kirkanta:84787", "Espoo"),  # Entresse -> Entressen kirjasto
    "espoo_le:agknwc5pum": ("kirkanta:86685", "Espoo"),  # Lippulaiva
    "helsinki:agkufcminm": ("kirkanta:84866", "Helsinki"),  # Malminkartano -> Malminkartanon k.
    "espoo_le:aglf2quksm": ("kirkanta:84925", "Espoo"),  # Sello
    "espoo_le:aglhxbg2yq": ("kirkanta:84787", "Espoo"),  # Entresse
    "elaman-karuselli-romaninuorten-valokuvia": None,  # Liszt Institute: Hungarian institute
    "helsinki:aglgg4e6zu": ("kirkanta:84845", "Helsinki"),  # Tapulikaupunki -> Tapulikaupungin
    "espoo_le:aghqjmy5zq": ("kirkanta:84850", "Espoo"),  # Tapiola -> Tapiolan kirjasto
    "helsinki:agkufcmdja": ("kirkanta:84866", "Helsinki"),  # Malminkartano
}
IN_HELSINKI = {e for e, v in EXPECTED.items() if v is not None and v[1] == "Helsinki"}


def _libraries(engine: Engine, path: Path, source: str) -> None:
    run_import(engine, ImportRequest(ImportKind.FACILITIES, path, source=source,
                                     options={"as_": "library"}))  # fmt: skip


def _programmes(engine: Engine, path: Path = DEMO / "programmes.csv") -> str:
    return run_import(engine, ImportRequest(ImportKind.PROGRAMMES, path)).message


def _links(engine: Engine) -> dict[str, str | None]:
    libs = read_table(engine, "library").set_index("id")["source_id"]
    pr = read_table(engine, "programme")
    return {
        str(r.source_id): (None if pd.isna(r.library_id) else str(libs[int(r.library_id)]))
        for r in pr.itertuples()
    }


def test_demo_workspace_links_the_helsinki_events_and_leaves_the_others_out(
    engine: Engine,
) -> None:
    """The demo's libraries are Helsinki's 47: the 4 Helsinki events link, 10 name none."""
    set_workspace_name(engine, "Helsinki", source="test")
    _libraries(engine, DEMO / "libraries.csv", "helmet-libraries-2025")
    message = _programmes(engine)
    assert "4 linked to a library" in message and "10 not" in message
    links = _links(engine)
    assert set(links) == set(EXPECTED)
    for event, want in EXPECTED.items():
        assert links[event] == (want[0] if event in IN_HELSINKI else None), event
    pr = read_table(engine, "programme").set_index("source_id")
    for event in IN_HELSINKI:
        link = pr.loc[event, "attrs"]["library_link"]
        assert link["method"] == "fuzzy" and link["score"] >= 88 and link["city"] == "Helsinki"
    ev = assemble_evidence(engine)
    assert ev.value("programmes") == len(IN_HELSINKI) == 4
    assert ev.value("programmes_recorded") == 14
    assert (ev.value("programmes_outside"), ev.value("programmes_unmatched")) == (0, 10)
    left = ev.tables["programmes_left_out"]
    assert sorted(left["library_name"]) == sorted(
        str(pr.loc[e, "library_name"]) for e in EXPECTED if e not in IN_HELSINKI
    )


def test_with_every_helmet_library_the_others_are_outside_helsinki(engine: Engine) -> None:
    """All 78 Helmet libraries imported *after* the programmes: every event is re-linked to
    its own branch; those of Espoo and Vantaa are outside Helsinki, the institute unmatched."""
    set_workspace_name(engine, "Helsinki", source="test")
    assert "0 linked" in _programmes(engine)  # no library yet
    _libraries(engine, HELMET_ALL, "helmet-all")
    links = _links(engine)
    assert links == {e: (v[0] if v else None) for e, v in EXPECTED.items()}
    ev = assemble_evidence(engine)
    outside = [e for e, v in EXPECTED.items() if v is not None and v[1] != "Helsinki"]
    assert ev.value("programmes") == len(IN_HELSINKI)
    assert ev.value("programmes_outside") == len(outside) == 9
    assert ev.value("programmes_unmatched") == 1
    left = ev.tables["programmes_left_out"]
    assert sorted(left.loc[left["place"] == "outside", "town"]) == sorted(
        EXPECTED[e][1] for e in outside
    )
    # a brief for Espoo counts Espoo's events instead
    ev = assemble_evidence(engine, area="Espoo")
    assert ev.value("programmes") == sum(1 for v in EXPECTED.values() if v and v[1] == "Espoo")


def test_a_library_id_column_links_by_id(engine: Engine, tmp_path: Path) -> None:
    _libraries(engine, DEMO / "libraries.csv", "helmet-libraries-2025")
    csv = tmp_path / "events.csv"
    csv.write_text(
        "id,library,library_id,title,description\n"
        # Swedish name: no shared spelling with "Kallion kirjasto", linked by its id
        "e1,Berghälls bibliotek,kirkanta:84860,Sagostund,\n"
        # source-qualified id
        "e2,,helmet-libraries-2025:kirkanta:84867,Reading dog,\n"
        # an id no library has: the name decides, and the link says the id was not found
        "e3,Munkkiniemi Library,kirkanta:99999,Chess,\n",
        encoding="utf-8",
    )
    assert "by id 2" in _programmes(engine, csv)
    links = _links(engine)
    assert links == {"e1": "kirkanta:84860", "e2": "kirkanta:84867", "e3": "kirkanta:84867"}
    pr = read_table(engine, "programme").set_index("source_id")
    assert pr.loc["e1", "attrs"]["library_link"]["method"] == "id"
    assert pr.loc["e3", "attrs"]["library_link"] == {
        "method": "fuzzy", "score": 100.0, "library_ref": "not found",
        "library": "Munkkiniemen kirjasto", "city": "Helsinki",
    }  # fmt: skip
    assert pr.loc["e1", "attrs"]["library_ref"] == "kirkanta:84860"


def test_a_bad_programmes_file_changes_no_link(engine: Engine, tmp_path: Path) -> None:
    _libraries(engine, DEMO / "libraries.csv", "helmet-libraries-2025")
    _programmes(engine)
    before = read_table(engine, "programme")[["source_id", "library_id", "attrs"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,library,title,description\nx,Sello Library,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="title is empty"):
        _programmes(engine, bad)
    after = read_table(engine, "programme")[["source_id", "library_id", "attrs"]]
    pd.testing.assert_frame_equal(before, after)


def test_a_library_a_person_chose_is_kept_when_libraries_are_imported(engine: Engine) -> None:
    """A programme whose library was set by hand (the web app: no ``library_link``) keeps it."""
    from sqlalchemy import select, update

    from libpolis.store import session_scope
    from libpolis.store.tables import Library, Programme

    _libraries(engine, DEMO / "libraries.csv", "helmet-libraries-2025")
    _programmes(engine)
    with session_scope(engine) as s:
        oodi = s.scalar(select(Library.id).where(Library.source_id == "kirkanta:86476"))
        p = s.scalar(select(Programme).where(Programme.source_id == "espoo_le:agjyxkf6qu"))
        s.execute(update(Programme).where(Programme.id == p.id).values(
            library_id=oodi, attrs={}))  # fmt: skip
    _libraries(engine, HELMET_ALL, "helmet-all")  # re-links the others
    links = _links(engine)
    assert links["espoo_le:agjyxkf6qu"] == "kirkanta:86476"
    assert links["espoo_le:aglf2quksm"] == "kirkanta:84925"  # the other Sello event, by name
