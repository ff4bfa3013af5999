"""The importer's rules: blank cells keep values, newer updates win, stale commits are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import add_update, owner_of
from tests.importer.conftest import NOW, run_import
from tests.spreadsheets.workbooks import build_xlsx
from tracker.db import make_engine, session_scope
from tracker.models import Action, ActionUpdate, Person, Priority
from tracker.services.actions import ConflictError, UpdateForm, record_update
from tracker.services.operations import count_rows, initialise_database
from tracker.services.plans import ImportConflict

HEADER = ("Ref", "Action", "Lead Officer Email", "Target Date", "RAG", "Latest Update")


def _action(engine: Engine, reference: str) -> Action:
    with session_scope(engine) as session:
        return session.exec(select(Action).where(Action.reference == reference)).one()


def _sheet(*rows: tuple[object, ...], header: tuple[str, ...] = HEADER) -> bytes:
    return build_xlsx([header, *rows])


def test_blank_cells_keep_what_is_stored(engine: Engine) -> None:
    p11 = _action(engine, "P1.1")
    report = run_import(engine, _sheet(("P1.1", p11.title, None, None, None, None)))
    assert report.problems == ()
    assert [a.outcome for a in report.actions] == ["unchanged"]


def test_a_rating_change_is_an_update_in_the_history(engine: Engine) -> None:
    p11 = _action(engine, "P1.1")
    sheet = _sheet(("P1.1", p11.title, None, None, "Red", "Funding withdrawn"))
    report = run_import(engine, sheet, commit=True)
    assert report.updated[0].records_update
    assert {c.field: (c.old, c.new) for c in report.updated[0].changes} == {
        "RAG": (None, "Red"),
        "Latest Update": (None, "Funding withdrawn"),
    }
    after = _action(engine, "P1.1")
    assert (after.rag, after.latest_commentary, after.last_updated_at) == (
        "red",
        "Funding withdrawn",
        NOW,  # no update date column: the update is dated when it was imported
    )
    with session_scope(engine) as session:
        entry = session.exec(select(ActionUpdate).where(ActionUpdate.action_id == p11.id)).one()
        assert (entry.rag, entry.source, entry.created_at) == ("red", "import", NOW)


def test_an_open_update_form_goes_stale_after_an_import(engine: Engine) -> None:
    p11 = _action(engine, "P1.1")
    run_import(engine, _sheet(("P1.1", p11.title, None, None, "Amber", "Slipping")), commit=True)
    with session_scope(engine, write=True) as session, pytest.raises(ConflictError):
        record_update(
            session,
            actor=owner_of(session, "P1.1"),
            reference="P1.1",
            seen_version=p11.version,
            form=UpdateForm(rag="green", status="in_progress", commentary="Fine"),
        )


@pytest.mark.parametrize(
    ("update_date", "message"),
    [
        (None, "the tracker has an update of 10/01/2026"),
        ("05/01/2026", "older than the tracker's latest update (10/01/2026)"),
    ],
)
def test_a_row_cannot_overwrite_a_newer_update(
    engine: Engine, update_date: str | None, message: str
) -> None:
    add_update(engine, "P1.1", rag="green", at=datetime(2026, 1, 10, 15, tzinfo=UTC))
    p11 = _action(engine, "P1.1")
    header = (*HEADER, "Update Date")
    sheet = _sheet(("P1.1", p11.title, None, None, "Red", "Old news", update_date), header=header)
    before = count_rows(engine)
    report = run_import(engine, sheet, commit=True)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(2, "Update Date")]
    assert message in report.problems[0].message
    assert count_rows(engine) == before


def test_a_same_day_update_follows_the_newest_one(engine: Engine) -> None:
    add_update(engine, "P1.1", rag="green", at=datetime(2026, 1, 10, 15, tzinfo=UTC))
    p11 = _action(engine, "P1.1")
    header = (*HEADER, "Update Date")
    sheet = _sheet(("P1.1", p11.title, None, None, "Amber", "Later", "10/01/2026"), header=header)
    run_import(engine, sheet, commit=True)
    after = _action(engine, "P1.1")
    # Noon on the 10th would sort before the 15:00 update, so it is dated when imported.
    assert (after.rag, after.last_updated_at) == ("amber", NOW)


def test_a_commit_after_someone_changed_an_action_writes_nothing(engine: Engine) -> None:
    p11 = _action(engine, "P1.1")
    sheet = _sheet(("P1.1", p11.title, None, None, "Red", "Funding withdrawn"))
    dry_run = run_import(engine, sheet)
    assert dict(dry_run.versions) == {"P1.1": p11.version}
    add_update(engine, "P1.1", rag="green")
    before = count_rows(engine)
    with pytest.raises(ImportConflict, match=r"P1\.1 changed after the dry run"):
        run_import(engine, sheet, commit=True, expected_versions=dry_run.versions)
    assert count_rows(engine) == before
    assert _action(engine, "P1.1").rag == "green"


def test_unknown_names_are_errors_that_suggest_the_nearest(unseeded_engine: Engine) -> None:
    header = ("Ref", "Action", "Lead Organisation", "Workstream", "Governance Board")
    sheet = build_xlsx(
        [
            header,
            ("P1.1", "One", "Lancashire County Counci", "ND Pathway", "Nonsense"),
            ("P1.2", "Two", "the council", "communication & engagement", "sob"),
        ]
    )
    report = run_import(unseeded_engine, sheet, filename="names.xlsx")
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert messages[(2, "Lead Organisation")] == (
        "unknown organisation: did you mean 'Lancashire County Council'?"
    )
    assert messages[(2, "Governance Board")].startswith("unknown governance body: use one of ")
    assert "'SEND Operations Board'" in messages[(2, "Governance Board")]
    assert len(messages) == 2
    changes = {c.field: c.new for c in report.actions[0].changes}
    assert changes["Lead Organisation"] == "Lancashire County Council"
    assert changes["Workstream"] == "Communication and Engagement"
    assert changes["Governance Board"] == "SEND Operations Board"


@pytest.mark.parametrize("commit", [False, True])
def test_an_unknown_priority_number_is_a_row_error_not_a_new_priority(
    engine: Engine, commit: bool
) -> None:
    before = count_rows(engine)
    sheet = _sheet(("P9.1", "A ninth priority's first action", None, "31/03/2027", None, None))
    report = run_import(engine, sheet, commit=commit)
    assert [(p.row, p.column, p.value, p.message) for p in report.problems] == [
        (2, "Ref", "P9.1", "priority 9 does not exist; the plan has priorities 1 to 5")
    ]
    assert report.actions == () and not report.committed
    assert "priorities_to_create" not in report.as_dict()
    assert count_rows(engine) == before
    with session_scope(engine) as session:
        assert session.exec(select(Priority).where(Priority.number == 9)).first() is None


def test_an_unknown_priority_column_value_is_reported_in_that_column(engine: Engine) -> None:
    header = ("Ref", "Priority", "Action")
    report = run_import(engine, _sheet(("P6.1", 6, "Sixth"), header=header))
    assert [(p.column, p.value, p.message) for p in report.problems] == [
        ("Priority", "6", "priority 6 does not exist; the plan has priorities 1 to 5")
    ]


def test_a_database_without_priorities_says_to_run_tracker_init(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        initialise_database(engine, governance_file=GOVERNANCE_FILE)
        report = run_import(engine, _sheet(("P1.1", "First", None, None, None, None)))
        assert [p.message for p in report.problems] == [
            "priority 1 does not exist; the database has no priorities: run `tracker init` "
            "to seed the strategy"
        ]
        with session_scope(engine) as session:
            assert session.exec(select(Priority)).first() is None
    finally:
        engine.dispose()


def test_an_inactive_person_cannot_be_made_an_owner(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        person = session.exec(select(Person).where(Person.email == "dsco@example.org")).one()
        person.active = False
        session.add(person)
    p11 = _action(engine, "P1.1")
    report = run_import(engine, _sheet(("P1.1", p11.title, "DSCO@example.org", None, None, None)))
    assert [(p.column, p.value) for p in report.problems] == [
        ("Lead Officer Email", "dsco@example.org")
    ]
    assert "inactive" in report.problems[0].message


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (("P1.1", "x" * 1001, None, None, None, None), "Action", "longer than 1000"),
        (("P1.1", "Fine", "a@localhost", None, None, None), "Lead Officer Email", "e-mail"),
    ],
)
def test_values_the_tracker_cannot_hold_are_row_errors(
    engine: Engine, row: tuple[object, ...], column: str, message: str
) -> None:
    report = run_import(engine, _sheet(row))
    assert [p.column for p in report.problems] == [column]
    assert message in report.problems[0].message


def test_an_update_date_in_the_future_is_an_error(engine: Engine) -> None:
    header = (*HEADER, "Update Date")
    sheet = _sheet(("P1.99", "New", None, None, "Green", "Fine", "16/01/2026"), header=header)
    report = run_import(engine, sheet)
    assert [(p.column, p.message) for p in report.problems] == [
        ("Update Date", "the update date is in the future")
    ]


def test_one_dry_run_lists_a_bad_date_and_an_unknown_name_on_the_same_row(engine: Engine) -> None:
    header = ("Ref", "Action", "Lead Officer Email", "Due", "Work stream", "Board")
    sheet = _sheet(
        ("P1.1", "First", "nobody@", "31/02/2026", "Data dashbord", "No such board"),
        ("P9.1", "Ninth", None, "TBC", None, None),
        header=header,
    )
    report = run_import(engine, sheet)
    found = {(p.row, p.column, p.value) for p in report.problems}
    assert found == {
        (2, "Lead Officer Email", "nobody@"),
        (2, "Due", "31/02/2026"),
        (2, "Work stream", "Data dashbord"),
        (2, "Board", "No such board"),
        (3, "Due", "TBC"),
        (3, "Ref", "P9.1"),
    }
    messages = {p.column: p.message for p in report.problems if p.row == 2}
    assert messages["Work stream"].startswith("unknown workstream")
    assert report.actions == ()
