"""City strategy import: splitting rules, export -> import round trips (md, txt, pdf), bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import typst

from libpolis.align.frameworks import Framework, Goal, _ro, load_framework
from libpolis.align.strategy import (
    export_strategy,
    import_strategy,
    read_document,
    split_goals,
    strategy_from_text,
)
from libpolis.errors import DataError, NotFoundError


def _strategy() -> Framework:
    goals = [
        (
            "1",
            "Culture for all",
            "Every resident reaches a library within 15 minutes; entry is free.",
        ),
        ("2", "A city of readers", "We double the reading clubs for children and adults by 2030."),
        ("3", "Green culture", "Cultural venues halve their energy use (kWh/m², 2024 baseline)."),
        (
            "4",
            "Open knowledge",
            "Public data, digital skills [for all] and #open access to research.",
        ),
    ]
    return Framework(
        name="test-city",
        title="Test City culture strategy 2030",
        goals=tuple(Goal(code=c, titles=_ro({"en": t}), texts=_ro({"en": b})) for c, t, b in goals),
        kind="strategy",
    )


def _same_goals(a: Framework, b: Framework) -> None:
    assert [(g.code, g.title, g.text) for g in a.goals] == [
        (g.code, g.title, g.text) for g in b.goals
    ]


@pytest.mark.parametrize("suffix", [".md", ".txt", ".pdf"])
def test_export_import_round_trip(tmp_path: Path, suffix: str) -> None:
    fw = _strategy()
    path = export_strategy(fw, tmp_path / f"test-city{suffix}")
    back = import_strategy(path)
    _same_goals(fw, back)
    assert back.title == fw.title
    assert back.name == "test-city"
    assert back.kind == "strategy"
    assert back.languages == ("en",)


def test_round_trip_of_a_shipped_framework_through_pdf(tmp_path: Path) -> None:
    fw = load_framework("culture21")
    back = import_strategy(export_strategy(fw, tmp_path / "c21.pdf", language="fr"))
    assert [g.title for g in back.goals] == [g.title_in("fr") for g in fw.goals]
    assert back.languages == ("fr",)


def test_pdf_written_by_hand_with_typst(tmp_path: Path) -> None:
    src = (
        "= Estrategia cultural de Ciudad Ejemplo\n\n"
        "Objetivo 1: Bibliotecas abiertas a todas las personas del barrio y de la ciudad.\n\n"
        "Objetivo 2: Fomentar la lectura entre los niños y las familias.\n\n"
        "Objetivo 3: Más actividades culturales en las plazas y parques de la ciudad.\n"
    )
    pdf = tmp_path / "estrategia.pdf"
    pdf.write_bytes(typst.compile(src.encode("utf-8")))
    fw = import_strategy(pdf)
    assert fw.codes == ["1", "2", "3"]
    assert fw.title == "Estrategia cultural de Ciudad Ejemplo"
    assert fw.languages == ("es",)
    assert fw.goals[1].text == "Fomentar la lectura entre los niños y las familias."


def test_headings_with_a_document_title_and_subsections() -> None:
    text = (
        "# City plan\n\nIntro text.\n\n## Culture for all\nBody one.\n\n### Detail\nMore one.\n\n"
        "## Reading city\nBody two.\n"
    )
    title, goals = split_goals(text)
    assert title == "City plan"
    assert goals == [
        ("1", "Culture for all", "Body one. Detail More one."),
        ("2", "Reading city", "Body two."),
    ]


def test_setext_headings() -> None:
    text = "Culture for all\n===============\nBody one.\n\nReading city\n============\nBody two.\n"
    _, goals = split_goals(text)
    assert [(c, t) for c, t, _ in goals] == [("1", "Culture for all"), ("2", "Reading city")]
    assert goals[0][2] == "Body one."


def test_numbered_items_plain_text() -> None:
    text = (
        "Our priorities\n\n"
        "1) Open libraries on Sundays in every district. This starts in 2026.\n"
        "2) Support reading.\n"
        "Priority 3 - Partnerships with schools\n   Every school has a library partner.\n"
    )
    title, goals = split_goals(text)
    assert title == "Our priorities"
    assert goals[0] == (
        "1",
        "Open libraries on Sundays in every district.",
        "Open libraries on Sundays in every district. This starts in 2026.",
    )
    assert goals[1] == ("2", "Support reading.", "Support reading.")
    assert goals[2] == ("3", "Partnerships with schools", "Every school has a library partner.")


def test_paragraphs_fallback_and_duplicate_numbers_renumbered() -> None:
    title, goals = split_goals("Plan\n\nFirst goal is culture.\n\nSecond goal is jobs.")
    assert title == "Plan"
    assert goals == [
        ("1", "First goal is culture.", "First goal is culture."),
        ("2", "Second goal is jobs.", "Second goal is jobs."),
    ]
    _, goals = split_goals("1. Alpha goal text\n1. Beta goal text\n")
    assert [c for c, _, _ in goals] == ["1", "2"]


def test_single_goal_document() -> None:
    fw = strategy_from_text("Make culture accessible.", name="One")
    assert len(fw) == 1
    assert fw.name == "one"


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        import_strategy(tmp_path / "missing.md")
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"empty\.md: the strategy document is empty"):
        import_strategy(empty)
    docx = tmp_path / "s.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match=r"unsupported strategy file type '\.docx'"):
        import_strategy(docx)
    binary = tmp_path / "s.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DataError, match="binary"):
        read_document(binary)
    fake_pdf = tmp_path / "s.pdf"
    fake_pdf.write_bytes(b"this is not a pdf")
    with pytest.raises(DataError, match="cannot read the PDF"):
        import_strategy(fake_pdf)
    blank_pdf = tmp_path / "blank.pdf"
    blank_pdf.write_bytes(typst.compile(b"#box(width: 1cm, height: 1cm, fill: black)"))
    with pytest.raises(DataError, match="no text layer"):
        import_strategy(blank_pdf)
    with pytest.raises(DataError, match="must be text"):
        split_goals(b"bytes")  # type: ignore[arg-type]


def test_windows_1252_text_file(tmp_path: Path) -> None:
    path = tmp_path / "strategie.txt"
    path.write_bytes("1. Culture pour tous à la médiathèque\n2. Lecture\n".encode("cp1252"))
    fw = import_strategy(path)
    assert fw.goals[0].title == "Culture pour tous à la médiathèque"


def test_name_colliding_with_a_builtin_is_prefixed() -> None:
    assert strategy_from_text("a. One\nb. Two", name="udhr").name == "strategy-udhr"


def test_strategy_loads_through_load_framework(tmp_path: Path) -> None:
    path = export_strategy(_strategy(), tmp_path / "s.md")
    _same_goals(_strategy(), load_framework(path))
