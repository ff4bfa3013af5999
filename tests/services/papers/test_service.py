"""Generating, storing and downloading papers: what a secretary gets, read back from the .docx.

Papers for the three boards are generated from the seeded strategy after the two rounds of
updates in ``scenario.py``, then opened with python-docx (and, in the slow test, LibreOffice):
the sections a board's level asks for in order, the cover, counts that agree with the register,
RAG cells shaded in the key's colours. Regenerating keeps every earlier version downloadable.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.shared import Pt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update
from sqlmodel import col, select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import (
    ADMIN,
    EXECUTIVE,
    HEAD_OF_SEND,
    PARTNER,
    SECRETARY_SIB,
    SECRETARY_SOB,
    SECRETARY_STB,
    actor,
    add_update,
)
from tests.papers.libreoffice import convert_to_pdf, pdf_text
from tests.papers.readback import column, fill, headings, table_after
from tests.papers.scenario import (
    BOARD_NAMES,
    MEETINGS,
    generate,
    governance,
    record_round_one,
    record_round_two,
)
from tracker.db import session_scope
from tracker.governance import parse_governance
from tracker.models import AuditLog, PaperSnapshot, StoredPaper
from tracker.papers.boards import PaperError
from tracker.permissions import PermissionDenied
from tracker.rules import clean_text
from tracker.services.actions import escalate_action, list_action_escalations, resolve_escalation
from tracker.services.papers import StoredPaperInfo, get_paper_file, list_papers
from tracker.services.register import summarise_rag

OWNER = "principal.ep@example.org"  # owns P2.4, holds no other role
HEADINGS = {
    "strategic": [
        "Recommendations",
        "Executive summary",
        "RAG rating key",
        "Summary by priority",
        "Exceptions: actions rated Red or overdue",
        "Impact: what has changed for children, young people and families",
        "Success measures",
        "You said, we did",
        "Escalations",
        "Risks",
    ],
    "workstream": [
        "Recommendations",
        "Executive summary",
        "RAG rating key",
        "Summary by workstream",
        "Movement since the last meeting",
        "Exceptions: actions rated Red or Amber",
        "Impact: what has changed for children, young people and families",
        "Overdue actions",
        "Actions completed since the last meeting",
        "Actions due before the next meeting",
        "Escalations",
        "Risks",
    ],
}
HEADINGS["action"] = [
    *HEADINGS["workstream"],
    "Action detail",
    "Appendix A: Full action register",
]
LEVELS = {"SIB": "strategic", "STB": "workstream", "SOB": "action"}
KEY_FILLS = {entry.label: entry.colour[1:] for entry in governance().rag}


def download(engine: Engine, paper_id: int, *, by: str = ADMIN) -> bytes:
    with session_scope(engine) as session:
        return get_paper_file(session, actor=actor(session, by), paper_id=paper_id).content


def open_paper(engine: Engine, info: StoredPaperInfo) -> Document:
    return docx.Document(io.BytesIO(download(engine, info.id)))


def two_papers(engine: Engine, board: str) -> tuple[StoredPaperInfo, StoredPaperInfo]:
    record_round_one(engine)
    first = generate(engine, board, MEETINGS[board][0], by=ADMIN)
    record_round_two(engine)
    return first, generate(engine, board, MEETINGS[board][1], by=ADMIN)


@pytest.mark.parametrize("board", ["SIB", "STB", "SOB"])
def test_each_boards_paper_has_its_sections_in_order_and_a_cover(
    engine: Engine, board: str
) -> None:
    _, second = two_papers(engine, board)
    document = open_paper(engine, second)

    assert headings(document) == HEADINGS[LEVELS[board]]
    cover = [p.text for p in document.paragraphs[:10]]
    assert cover[:3] == ["Lancashire SEND Partnership", BOARD_NAMES[board], cover[2]]
    assert cover[2].endswith(f"{MEETINGS[board][1].day} May 2026")
    assert "Protective marking: OFFICIAL" in cover
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL"
    assert "The Board is asked to:" in [p.text for p in document.paragraphs]


def test_summary_counts_in_the_document_equal_the_register(engine: Engine) -> None:
    _, second = two_papers(engine, "SIB")
    table = table_after(open_paper(engine, second), "Summary by priority")
    with session_scope(engine) as session:
        expected = summarise_rag(session, by="priority")

    labels = {"Blue": "blue", "Green": "green", "Amber": "amber", "Red": "red"}
    labels["Not rated"] = "not_rated"
    for heading, code in labels.items():
        printed = [int(cell.text) for cell in column(table, heading)]
        assert printed[:-1] == [group.counts[code] for group in expected], heading
        assert printed[-1] == sum(group.counts[code] for group in expected)
    groups = [cell.text for cell in column(table, "Priority")]
    assert [g.split(":")[0] for g in groups[:5]] == [f"Priority {n}" for n in range(1, 6)]
    assert groups[5] == "All"


def test_rag_cells_are_shaded_with_the_keys_colours(engine: Engine) -> None:
    _, second = two_papers(engine, "SOB")
    document = open_paper(engine, second)

    summary = table_after(document, "Summary by workstream")
    for cell in summary.rows[0].cells:
        if cell.text in KEY_FILLS:
            assert fill(cell) == KEY_FILLS[cell.text]
    exceptions = table_after(document, "Exceptions: actions rated Red or Amber")
    rag_cells = {
        row.cells[0].text: row.cells[4] for row in exceptions.rows[1:] if row.cells[0].text
    }
    assert rag_cells["P2.3"].text == "Red" and fill(rag_cells["P2.3"]) == KEY_FILLS["Red"]
    register = table_after(document, "Appendix A: Full action register")
    rags = {row.cells[0].text: row.cells[7] for row in register.rows[1:]}
    assert len(rags) == 42
    assert rags["P5.1"].text == "Blue" and fill(rags["P5.1"]) == KEY_FILLS["Blue"]
    assert rags["P1.1"].text == "Green" and fill(rags["P1.1"]) == KEY_FILLS["Green"]


def test_regenerating_makes_version_two_and_keeps_version_one(engine: Engine) -> None:
    first = generate(engine, "SIB", MEETINGS["SIB"][0], by=SECRETARY_SIB)
    original = download(engine, first.id)
    assert first.content == original  # what generating hands back is what was stored
    second = generate(engine, "SIB", MEETINGS["SIB"][0], by=ADMIN)

    assert (first.version, second.version) == (1, 2)
    assert first.filename == "SIB-paper-2026-03-17-v1.docx"
    assert second.filename == "SIB-paper-2026-03-17-v2.docx"
    with session_scope(engine) as session:
        listed = list_papers(
            session, actor=actor(session, EXECUTIVE), board_key="send_improvement_board"
        )
    assert [(p.version, p.generated_by) for p in listed] == [
        (2, "SEND Programme Management Office"),
        (1, "SEND Improvement Board Secretary"),
    ]
    again = download(engine, first.id, by=EXECUTIVE)
    assert again == original
    assert hashlib.sha256(again).hexdigest() == first.checksum == listed[1].checksum
    assert listed[1].size_bytes == len(original)


def test_generating_freezes_each_actions_position_and_is_audited(engine: Engine) -> None:
    record_round_one(engine)
    info = generate(engine, "SIB", MEETINGS["SIB"][0], by=SECRETARY_SIB)
    record_round_two(engine)

    with session_scope(engine) as session:
        frozen = {
            s.reference: s
            for s in session.exec(select(PaperSnapshot).where(PaperSnapshot.paper_id == info.id))
        }
        audit = session.exec(
            select(AuditLog).where(AuditLog.entity == "board_paper", AuditLog.entity_id == info.id)
        ).one()
    assert len(frozen) == 42
    assert (frozen["P2.3"].rag, frozen["P2.3"].status) == ("green", "in_progress")
    assert frozen["P4.1"].due_date == MEETINGS["SIB"][0].replace(day=31)
    assert frozen["P2.2"].rag is None
    assert (audit.field, audit.actor_label) == ("generated", SECRETARY_SIB)
    assert info.summary["counts"]["red"] == 1
    assert info.summary["baseline"]["kind"] == "history"


def test_a_damaged_stored_paper_is_refused_rather_than_served(engine: Engine) -> None:
    info = generate(engine, "SOB", MEETINGS["SOB"][0], by=ADMIN)
    with session_scope(engine, write=True) as session:
        session.exec(update(StoredPaper).where(col(StoredPaper.id) == info.id).values(content=b"x"))

    with pytest.raises(PaperError, match="no longer matches its checksum"):
        download(engine, info.id)


@pytest.mark.parametrize("email", [PARTNER, OWNER, HEAD_OF_SEND, EXECUTIVE])
def test_only_secretaries_and_administrators_generate(engine: Engine, email: str) -> None:
    with pytest.raises(PermissionDenied, match="may not generate paper"):
        generate(engine, "SIB", MEETINGS["SIB"][0], by=email)
    with session_scope(engine) as session:
        assert session.exec(select(StoredPaper)).all() == []


@pytest.mark.parametrize(
    ("email", "board"), [(SECRETARY_SOB, "SIB"), (SECRETARY_SIB, "STB"), (SECRETARY_STB, "SOB")]
)
def test_a_secretary_generates_only_their_own_boards_papers(
    engine: Engine, email: str, board: str
) -> None:
    with pytest.raises(PermissionDenied, match="secretary or chair, or an administrator"):
        generate(engine, board, MEETINGS[board][0], by=email)
    with session_scope(engine) as session:
        assert session.exec(select(StoredPaper)).all() == []
    # Their own board's paper is theirs to make, and the other board's stays readable to them.
    own = {SECRETARY_SIB: "SIB", SECRETARY_STB: "STB", SECRETARY_SOB: "SOB"}[email]
    generate(engine, own, MEETINGS[own][0], by=email)
    other = generate(engine, board, MEETINGS[board][0], by=ADMIN)
    assert download(engine, other.id, by=email).startswith(b"PK")


@pytest.mark.parametrize("email", [PARTNER, OWNER])
def test_partners_and_owners_cannot_see_or_download_papers(engine: Engine, email: str) -> None:
    info = generate(engine, "STB", MEETINGS["STB"][0], by=SECRETARY_STB)
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        list_papers(session, actor=actor(session, email))
    with pytest.raises(PermissionDenied):
        download(engine, info.id, by=email)


LETTERHEAD = "Lancashire County Council, County Hall, Preston"


def _letterhead_template(path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = LETTERHEAD
    document.styles["Normal"].font.name = "Georgia"
    document.styles["Normal"].font.size = Pt(11)
    document.save(str(path))


def _governance_with_template(folder: Path, template: str) -> Path:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    marker = "      level: strategic\n"
    path = folder / "governance.yaml"
    path.write_text(text.replace(marker, f"{marker}      template: {template}\n"), "utf-8")
    return path


def test_a_template_set_in_governance_yaml_is_used(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    _letterhead_template(tmp_path / "templates" / "lcc.docx")
    path = _governance_with_template(tmp_path, "templates/lcc.docx")
    config = parse_governance(path.read_text(encoding="utf-8"))

    info = generate(engine, "SIB", MEETINGS["SIB"][0], config=config, governance_file=path)

    document = open_paper(engine, info)
    assert [p.text for p in document.sections[0].header.paragraphs] == ["OFFICIAL", LETTERHEAD]
    assert document.styles["Normal"].font.name == "Georgia"
    assert headings(document) == HEADINGS["strategic"]


def test_a_template_missing_a_style_stops_generation_naming_it(
    engine: Engine, tmp_path: Path
) -> None:
    document = docx.Document()
    style = document.styles["Table Grid"]
    style.element.getparent().remove(style.element)
    document.save(str(tmp_path / "bare.docx"))
    path = _governance_with_template(tmp_path, "bare.docx")
    config = parse_governance(path.read_text(encoding="utf-8"))

    with pytest.raises(PaperError) as raised:
        generate(engine, "SIB", MEETINGS["SIB"][0], config=config, governance_file=path)

    assert "SEND Improvement Board" in str(raised.value)
    assert "Table Grid" in str(raised.value)
    with session_scope(engine) as session:
        assert session.exec(select(StoredPaper)).all() == []


@pytest.mark.slow
@pytest.mark.parametrize("board", ["SIB", "STB", "SOB"])
def test_every_generated_paper_opens_in_libreoffice(
    sqlite_engine: Engine, tmp_path: Path, board: str
) -> None:
    papers = two_papers(sqlite_engine, board)
    sources = []
    for info in papers:
        source = tmp_path / info.filename
        source.write_bytes(download(sqlite_engine, info.id))
        sources.append(source)

    pdfs = convert_to_pdf(sources, tmp_path)

    text = pdf_text(pdfs[1])
    if text is not None:
        assert BOARD_NAMES[board] in text
        assert "RAG rating key" in text
        assert "Page 1 of" in text


BEFORE_DEADLINE = datetime(2026, 4, 20, 9, tzinfo=UTC)
TYPED = st.text(st.characters(codec="utf-8"), min_size=1, max_size=300)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(commentary=TYPED, reason=TYPED)
def test_nothing_typed_into_the_tracker_stops_a_paper(
    sqlite_engine: Engine, commentary: str, reason: str
) -> None:
    assume(clean_text(commentary) and clean_text(reason))
    add_update(sqlite_engine, "P2.3", rag="amber", commentary=commentary, at=BEFORE_DEADLINE)
    with session_scope(sqlite_engine, write=True) as session:
        admin = actor(session, ADMIN)
        # The database outlives one example: close earlier escalations so this one goes to the
        # Transformation Board again rather than further up.
        for earlier in list_action_escalations(session, reference="P2.3"):
            if earlier.is_open:
                resolve_escalation(session, actor=admin, escalation_id=earlier.id, resolution="x")
        escalate_action(
            session, actor=admin, reference="P2.3", reason=reason, governance=governance()
        )

    info = generate(sqlite_engine, "STB", MEETINGS["STB"][1])

    document = open_paper(sqlite_engine, info)
    exceptions = table_after(document, "Exceptions: actions rated Red or Amber")
    assert exceptions.rows[1].cells[0].text == "P2.3"
    assert table_after(document, "Escalations").rows[1].cells[0].text == "P2.3"
