"""The sample action plan imports whole: 42 actions, their owners, dates and RAG, and no more."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, EXECUTIVE
from tests.importer.conftest import SAMPLE, run_import
from tests.spreadsheets.workbooks import build_xlsx
from tracker.db import session_scope
from tracker.models import Action, ActionUpdate, AuditLog, Person, Priority
from tracker.permissions import PermissionDenied
from tracker.services.operations import count_rows
from tracker.services.register import list_actions

TODAY = date(2026, 1, 15)


def _register(engine: Engine) -> dict[str, object]:
    with session_scope(engine) as session:
        return {row.reference: row for row in list_actions(session, today=TODAY)}


def test_dry_run_of_the_sample_reports_42_new_actions_and_writes_nothing(
    unseeded_engine: Engine,
) -> None:
    before = count_rows(unseeded_engine)
    report = run_import(unseeded_engine, SAMPLE)
    assert report.problems == ()
    assert len(report.created) == 42
    assert report.updated == report.unchanged == ()
    assert report.ignored_columns == ()
    assert not report.committed
    assert count_rows(unseeded_engine) == before


def test_commit_puts_all_42_actions_in_the_register_with_owners_dates_and_rag(
    unseeded_engine: Engine,
) -> None:
    report = run_import(unseeded_engine, SAMPLE, commit=True)
    assert report.committed and report.problems == ()
    register = _register(unseeded_engine)
    assert len(register) == 42
    first = register["P1.1"]
    assert (first.owner, first.owner_email) == (
        "Principal Educational Psychologist",
        "principal.ep@example.org",
    )
    assert (first.start_date, first.due_date) == (date(2025, 9, 1), date(2026, 6, 28))
    assert (first.rag, first.status) == ("green", "in_progress")
    assert first.commentary == "On track: milestones for this quarter met."
    assert first.workstream == "Preparation for Adulthood and Transitions"
    assert first.body == "SEND Improvement Board"
    forum = [row for row in register.values() if row.owner_email == "cochair@example-lpcf.org.uk"]
    assert forum and all(row.owner == "Parent Carer Forum Co-Chair" for row in forum)
    assert {row.rag for row in register.values()} == {"blue", "green", "amber", "red"}
    assert all(row.status == "complete" for row in register.values() if row.rag == "blue")


def test_commit_records_each_rating_as_a_dated_update_and_audits_the_import(
    unseeded_engine: Engine,
) -> None:
    run_import(unseeded_engine, SAMPLE, commit=True)
    with session_scope(unseeded_engine) as session:
        action = session.exec(select(Action).where(Action.reference == "P1.1")).one()
        updates = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == action.id)
        ).all()
        assert [(u.rag, u.source) for u in updates] == [("green", "import")]
        # The sheet's "Update Date" dates the update, so cycle flags tell the truth.
        assert updates[0].created_at == datetime(2025, 11, 7, 12, tzinfo=UTC)
        assert action.last_updated_at == updates[0].created_at
        assert action.source == "import"
        created = session.exec(
            select(AuditLog).where(AuditLog.entity == "action", AuditLog.field == "created")
        ).all()
        assert len(created) == 42
        assert {a.reason for a in created} == {f"imported from {SAMPLE.name}"}
        assert {a.actor_label for a in created} == {ADMIN}
        # The strategy's priorities are configuration: the import neither adds nor renames them.
        numbers = session.exec(select(Priority.number).order_by(col(Priority.number))).all()
        assert numbers == [1, 2, 3, 4, 5]
        assert not session.exec(select(AuditLog).where(AuditLog.entity == "priority")).all()


def test_importing_the_same_file_again_changes_nothing(unseeded_engine: Engine) -> None:
    run_import(unseeded_engine, SAMPLE, commit=True)
    after_first = count_rows(unseeded_engine)
    again = run_import(unseeded_engine, SAMPLE, commit=True)
    assert again.problems == ()
    assert len(again.unchanged) == 42
    assert again.created == again.updated == ()
    assert again.people == ()
    assert count_rows(unseeded_engine) == after_first
    with session_scope(unseeded_engine) as session:
        assert set(session.exec(select(Action.version)).all()) == {1}


def test_the_sample_updates_the_seeded_plan_in_place(engine: Engine) -> None:
    with session_scope(engine) as session:
        before = session.exec(select(Action).where(Action.reference == "P1.1")).one()
    report = run_import(engine, SAMPLE, commit=True)
    assert report.problems == ()
    assert len(report.updated) == 42 and report.created == ()
    owner_change = next(c for c in report.updated[0].changes if c.field == "Lead Officer")
    assert owner_change.new == "Principal Educational Psychologist <principal.ep@example.org>"
    register = _register(engine)
    assert len(register) == 42
    assert register["P1.1"].owner_email == "principal.ep@example.org"
    assert register["P1.1"].due_date == date(2026, 6, 28)
    with session_scope(engine) as session:
        after = session.exec(select(Action).where(Action.reference == "P1.1")).one()
        assert after.id == before.id
        assert after.version == before.version + 1
        assert after.original_due_date == before.original_due_date  # the plan's first promise
        audit = session.exec(
            select(AuditLog).where(AuditLog.entity_id == after.id, AuditLog.field == "owner")
        ).one()
        assert (audit.old, audit.new) == (
            "inclusion.lead@example.org",
            "principal.ep@example.org",
        )
        assert audit.reason == f"imported from {SAMPLE.name}"
        due = session.exec(select(ActionUpdate).where(ActionUpdate.action_id == after.id)).one()
        assert (due.revised_due_date, due.due_date_reason) == (
            date(2026, 6, 28),
            f"imported from {SAMPLE.name}",
        )


def test_owners_new_to_the_tracker_are_created_once_from_the_sheet(
    unseeded_engine: Engine,
) -> None:
    header = ("Ref", "Action", "Lead Officer", "Lead Officer Email", "Lead Organisation")
    sheet = build_xlsx(
        [
            header,
            ("P1.1", "First", "Autism Lead", "Autism.Lead@Example.org", "ICB"),
            ("P1.2", "Second", "Autism Lead (again)", "autism.lead@example.org", "LCC"),
            ("P1.3", "Third", None, "no.name@example.org", "Parent Carer Forum"),
        ]
    )
    report = run_import(unseeded_engine, sheet, filename="owners.xlsx")
    assert report.problems == ()
    assert [(p.email, p.name, p.organisation, p.row) for p in report.people] == [
        ("autism.lead@example.org", "Autism Lead", "Lancashire and South Cumbria ICB", 2),
        ("no.name@example.org", "No Name", "Lancashire Parent Carer Forum", 4),
    ]
    run_import(unseeded_engine, sheet, filename="owners.xlsx", commit=True)
    with session_scope(unseeded_engine) as session:
        people = session.exec(
            select(Person).where(col(Person.email).in_(["autism.lead@example.org"]))
        ).all()
        assert [p.name for p in people] == ["Autism Lead"]
        owners = session.exec(
            select(Action.reference, Person.email)
            .join(Person, col(Person.id) == col(Action.owner_id))
            .order_by(col(Action.reference))
        ).all()
        assert owners == [
            ("P1.1", "autism.lead@example.org"),
            ("P1.2", "autism.lead@example.org"),
            ("P1.3", "no.name@example.org"),
        ]
        audit = session.exec(
            select(AuditLog.new).where(
                AuditLog.entity == "person", AuditLog.reason == "imported from owners.xlsx"
            )
        ).all()
        assert sorted(audit) == ["autism.lead@example.org", "no.name@example.org"]


@pytest.mark.parametrize("commit", [False, True])
def test_only_administrators_may_import_even_as_a_dry_run(engine: Engine, commit: bool) -> None:
    before = count_rows(engine)
    with pytest.raises(PermissionDenied, match="import action plans"):
        run_import(engine, SAMPLE, commit=commit, as_email=EXECUTIVE)
    # Nothing written but the audit row of the refusal itself.
    assert count_rows(engine) == {**before, "audit_log": before["audit_log"] + 1}
    with session_scope(engine) as session:
        last = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
    assert last is not None and (last.field, last.actor_label) == ("operation refused", EXECUTIVE)
