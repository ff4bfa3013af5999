"""The "Risks" sheet of the plan workbook: exported with every risk, imported back row by row.

An export imports back with nothing to change (also after LibreOffice has saved it again); a
changed score is a rescoring in the risk's history with "imported from FILE"; a row without a
reference adds a risk; every bad cell is listed with sheet, row and column and nothing is
written; a workbook without a Risks sheet imports as before.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import col, func, select

from tests.factories import ADMIN, HEAD_OF_SEND, actor
from tests.importer.test_acceptance import _soffice_convert
from tests.papers.scenario import governance
from tracker.db import session_scope
from tracker.models import AuditLog, Risk, RiskMitigation, RiskReview
from tracker.services.plans import ImportReport, export_register, import_plan
from tracker.services.risks import NewRisk, add_mitigation, add_risk, close_risk

TODAY = date(2026, 10, 1)
NOW = datetime(2026, 10, 2, 9, tzinfo=UTC)
EP = "principal.ep@example.org"
NASTY = '=HYPERLINK("http://evil.example","x") <b>bold</b>'


def _risks(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        admin = actor(session, ADMIN)
        for title, owner, likelihood, impact, actions in (
            ("EP recruitment fails", HEAD_OF_SEND, 4, 5, ("P2.3",)),
            (NASTY, EP, 2, 3, ()),
            ("ND pathway waits grow", EP, 3, 3, ("P2.4",)),
        ):
            add_risk(
                session,
                actor=admin,
                form=NewRisk(
                    title,
                    owner,
                    likelihood,
                    impact,
                    priorities=(2,),
                    actions=actions,
                    mitigations=("Agency EPs while we recruit",) if owner == HEAD_OF_SEND else (),
                    target_score=8,
                ),
                governance=governance(),
                today=TODAY,
            )
        add_mitigation(
            session,
            actor=admin,
            reference="R1",
            description="Grow-our-own trainee EP scheme",
            owner_email=EP,
            due=date(2027, 3, 31),
        )
        close_risk(session, actor=admin, reference="R3", reason="Waiting list cleared")


def _export(engine: Engine) -> bytes:
    with session_scope(engine, write=True) as session:
        return export_register(
            session, actor=actor(session, ADMIN), today=TODAY, governance=governance()
        ).content


def _import(engine: Engine, data: bytes, *, commit: bool = False, name: str = "plan.xlsx"):
    with session_scope(engine, write=commit) as session:
        return import_plan(
            session,
            actor=actor(session, ADMIN),
            source=data,
            filename=name,
            commit=commit,
            now=NOW,
            governance=governance(),
        )


def _edit(data: bytes, changes: dict[tuple[int, str], object], *, add: dict | None = None):
    """The workbook with cells of the Risks sheet changed (row, header) and a row added."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Risks"]
    headers = [c.value for c in sheet[1]]
    for (row, header), value in changes.items():
        sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    if add:
        sheet.append([add.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _changes(report: ImportReport) -> int:
    return sum(r.outcome != "unchanged" for r in report.risks) + len(report.updated)


def _counts(engine: Engine) -> tuple[int, ...]:
    with session_scope(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Risk, RiskReview, RiskMitigation, AuditLog)
        )


def test_the_export_has_every_risk_and_imports_back_unchanged(engine: Engine) -> None:
    _risks(engine)
    data = _export(engine)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Action register", "Risks", "RAG key"]
    rows = list(book["Risks"].iter_rows(values_only=True))
    header = rows[0]
    r1 = dict(zip(header, rows[1], strict=True))
    assert (r1["Ref"], r1["Owner Email"], r1["Score"], r1["Inherent Score"]) == (
        "R1",
        HEAD_OF_SEND,
        20,
        20,
    )
    assert (r1["Priorities"], r1["Actions"], r1["Status"], r1["Shareable"]) == (
        "2",
        "P2.3",
        "Open",
        "No",
    )
    assert r1["Mitigations"] == (
        f"Agency EPs while we recruit [owner: {HEAD_OF_SEND}; open]\n"
        f"Grow-our-own trainee EP scheme [owner: {EP}; due: 31/03/2027; open]"
    )
    r2 = dict(zip(header, rows[2], strict=True))
    assert r2["Title"] == "'" + NASTY  # never a formula
    r3 = dict(zip(header, rows[3], strict=True))
    assert (r3["Status"], r3["Closed Reason"]) == ("Closed", "Waiting list cleared")
    before = _counts(engine)
    report = _import(engine, data, commit=True)
    assert report.ok and report.committed, report.problems
    assert [r.outcome for r in report.risks] == ["unchanged"] * 3
    assert _changes(report) == 0
    assert _counts(engine)[:3] == before[:3]


def test_a_changed_score_is_a_rescoring_and_a_row_without_a_reference_adds_a_risk(
    engine: Engine,
) -> None:
    _risks(engine)
    edited = _edit(
        _export(engine),
        {(2, "Likelihood"): 3, (2, "Title"): "EP recruitment and retention fail"},
        add={
            "Title": "Capital programme slips",
            "Owner Email": EP,
            "Likelihood": 2,
            "Impact": 4,
            "Priorities": "3, 4",
            "Actions": "P3.1",
            "Board": "SEND Improvement Board",
            "Mitigations": "Monthly capital review [due: 30/11/2026]",
        },
    )
    dry = _import(engine, edited)
    assert dry.ok, dry.problems
    (r1,) = [r for r in dry.risks if r.reference == "R1"]
    assert r1.outcome == "update" and r1.rescored
    assert {(c.field, c.old, c.new) for c in r1.changes} == {
        ("Likelihood", "4", "3"),
        ("Title", "EP recruitment fails", "EP recruitment and retention fail"),
    }
    (new,) = dry.risks_with("create")
    assert (new.reference, new.title) == ("R4", "Capital programme slips")
    report = _import(engine, edited, commit=True, name="plan-v2.xlsx")
    assert report.committed
    with session_scope(engine) as session:
        risk = session.exec(select(Risk).where(Risk.reference == "R1")).one()
        assert (risk.likelihood, risk.impact, risk.inherent_likelihood) == (3, 5, 4)
        latest = session.exec(
            select(RiskReview)
            .where(RiskReview.risk_id == risk.id)
            .order_by(col(RiskReview.id).desc())
        ).first()
        assert latest is not None and latest.commentary == "imported from plan-v2.xlsx"
        added = session.exec(select(Risk).where(Risk.reference == "R4")).one()
        assert (added.likelihood * added.impact, added.status) == (8, "open")
        (mitigation,) = session.exec(
            select(RiskMitigation).where(RiskMitigation.risk_id == added.id)
        ).all()
        assert (mitigation.description, mitigation.due_date) == (
            "Monthly capital review",
            date(2026, 11, 30),
        )
        audit = session.exec(
            select(AuditLog).where(AuditLog.entity == "risk", AuditLog.entity_label == "R1")
        ).all()
        assert any(a.reason == "imported from plan-v2.xlsx" for a in audit)
    again = _import(engine, _export(engine))
    assert _changes(again) == 0 and again.ok


def test_every_bad_cell_is_named_and_nothing_is_written(engine: Engine) -> None:
    _risks(engine)
    edited = _edit(
        _export(engine),
        {
            (2, "Likelihood"): 7,
            (2, "Owner Email"): "nobody@example.org",
            (3, "Actions"): "P2.3, P9.9",
            (3, "Priorities"): "9",
            (3, "Board"): "The Nope Board",
            (3, "Next Review"): "31/02/2027",
            (4, "Impact"): 2,  # R3 is closed
            (4, "Status"): "maybe",
        },
        add={"Title": "No owner given", "Likelihood": 2, "Impact": 2},
    )
    before = _counts(engine)
    report = _import(engine, edited, commit=True)
    assert not report.committed
    found = {(p.sheet, p.row, p.column) for p in report.problems}
    assert found == {
        ("Risks", 2, "Likelihood"),
        ("Risks", 2, "Owner Email"),
        ("Risks", 3, "Actions"),
        ("Risks", 3, "Priorities"),
        ("Risks", 3, "Board"),
        ("Risks", 3, "Next Review"),
        ("Risks", 4, "Likelihood"),
        ("Risks", 4, "Status"),
        ("Risks", 5, "Owner Email"),
    }
    messages = {p.column: p.message for p in report.problems if p.row == 2}
    assert "from 1 to 5" in messages["Likelihood"]
    assert "R3 is closed" in next(
        p.message for p in report.problems if p.row == 4 and p.column == "Likelihood"
    )
    assert _counts(engine) == before


def test_a_workbook_without_a_risks_sheet_imports_as_before(engine: Engine) -> None:
    _risks(engine)
    book = openpyxl.load_workbook(io.BytesIO(_export(engine)))
    del book["Risks"]
    out = io.BytesIO()
    book.save(out)
    report = _import(engine, out.getvalue(), commit=True)
    assert report.ok and report.committed and not report.has_risk_sheet and report.risks == ()
    assert _changes(report) == 0


@pytest.mark.slow
def test_the_export_saved_again_by_libreoffice_imports_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    _risks(engine)
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(_export(engine))
    converted = _soffice_convert(plan, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    report = _import(engine, converted.read_bytes(), name="plan.xlsx")
    assert report.ok, report.problems
    assert [r.outcome for r in report.risks] == ["unchanged"] * 3
    assert _changes(report) == 0
