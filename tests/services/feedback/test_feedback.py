"""'You said, we did': who may add and edit, what is refused, optimistic edits, filters, and the
spreadsheet import (every problem by row and column; all or nothing)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, OPERATOR, PARTNER, SECRETARY_SIB, actor
from tracker.db import session_scope
from tracker.errors import InvalidInput
from tracker.governance import load_governance
from tracker.models import AuditLog, Feedback, FeedbackAction
from tracker.permissions import PermissionDenied
from tracker.services.actions import ValidationFailed
from tracker.services.feedback import (
    FeedbackConflict,
    FeedbackFilter,
    FeedbackForm,
    add_feedback,
    edit_feedback,
    import_feedback,
    list_feedback,
    load_feedback_page,
    set_feedback_status,
)
from tracker.services.publishing import approve_feedback

TODAY = date(2026, 11, 20)
OWNER_ONLY = "principal.ep@example.org"  # owns actions, leads no workstream
FORUM = "cochair@example-lpcf.org.uk"  # a partner of the Parent Carer Forum (kind: forum)
PROVIDER = "provider.rep@example.nhs.uk"  # a partner, but not of a forum
HEARD = FeedbackForm(
    said="Parents said they hear nothing for weeks while an assessment is under way.",
    source="Lancashire Parent Carer Forum",
    heard_on=date(2026, 10, 1),
    priorities=(2,),
    actions=("P2.3",),
)


def _add(engine: Engine, email: str, form: FeedbackForm = HEARD) -> str:
    with session_scope(engine, write=True) as session:
        return add_feedback(session, actor=actor(session, email), form=form, today=TODAY).reference


@pytest.mark.parametrize("email", [ADMIN, SECRETARY_SIB, HEAD_OF_SEND, FORUM, PARTNER])
def test_officers_and_forum_representatives_may_add(engine: Engine, email: str) -> None:
    assert _add(engine, email) == "YS1"
    with session_scope(engine) as session:
        rows = list_feedback(session, actor=actor(session, EXECUTIVE))
        trail = session.exec(select(AuditLog.field).where(AuditLog.entity == "feedback")).all()
    assert [(r.reference, r.priorities, r.actions) for r in rows] == [("YS1", (2,), ("P2.3",))]
    assert set(trail) == {"created", "links"}


@pytest.mark.parametrize("email", [PROVIDER, EXECUTIVE, OWNER_ONLY])
def test_others_may_read_but_not_add(engine: Engine, email: str) -> None:
    with pytest.raises(PermissionDenied, match="may not add"):
        _add(engine, email)
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []
        page_actor = actor(session, email)
    assert load_feedback_page(engine, actor=page_actor, today=TODAY).may_add is False


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (FeedbackForm(said=" ", source="POWAR"), "said", "say what families"),
        (FeedbackForm(said="x", source=None), "source", "say who said it"),
        (FeedbackForm(said="x", source="s" * 121), "source", "cut 1 character"),
        (
            FeedbackForm(said="x", source="POWAR", heard_on=date(2026, 12, 1)),
            "heard_on",
            "cannot be in the future",
        ),
        (FeedbackForm(said="x", source="POWAR", status="finished"), "status", "not a status"),
        (FeedbackForm(said="x", source="POWAR", status="done"), "we_did", "say what"),
        (FeedbackForm(said="x", source="POWAR", priorities=(9,)), "priorities", "no priority 9"),
        (FeedbackForm(said="x", source="POWAR", actions=("P9.9",)), "actions", "no action P9.9"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_field(
    engine: Engine, form: FeedbackForm, field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _add(engine, ADMIN, form)
    assert words in caught.value.errors[field]
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []


def test_the_author_owner_and_administrators_edit_others_may_not(engine: Engine) -> None:
    reference = _add(engine, FORUM)
    with session_scope(engine, write=True) as session:
        entry = session.exec(select(Feedback)).one()
        with pytest.raises(PermissionDenied):
            edit_feedback(
                session,
                actor=actor(session, SECRETARY_SIB),
                reference=reference,
                seen_version=entry.version,
                form=HEARD,
                today=TODAY,
            )
        edited = edit_feedback(
            session,
            actor=actor(session, FORUM),
            reference=reference,
            seen_version=entry.version,
            form=FeedbackForm(**{**HEARD.__dict__, "actions": ("P2.3", "P2.4")}),
            today=TODAY,
        )
        assert edited.version == 2
        linked = session.exec(select(FeedbackAction)).all()
    assert len(linked) == 2


def test_a_stale_edit_is_refused_and_writes_nothing(engine: Engine) -> None:
    reference = _add(engine, ADMIN)
    with session_scope(engine, write=True) as session:
        set_feedback_status(
            session,
            actor=OPERATOR,
            reference=reference,
            seen_version=1,
            status="in_progress",
            we_did="Named officers are being recruited.",
            today=TODAY,
        )
    with (
        session_scope(engine, write=True) as session,
        pytest.raises(FeedbackConflict, match="changed by someone else"),
    ):
        edit_feedback(
            session,
            actor=actor(session, ADMIN),
            reference=reference,
            seen_version=1,
            form=FeedbackForm(**{**HEARD.__dict__, "said": "Overwritten"}),
            today=TODAY,
        )
    with session_scope(engine) as session:
        entry = session.exec(select(Feedback)).one()
    assert (entry.said, entry.status, entry.version) == (HEARD.said, "in_progress", 2)


def test_filters_find_entries_by_status_priority_action_and_words(engine: Engine) -> None:
    _add(engine, ADMIN)
    _add(
        engine,
        ADMIN,
        FeedbackForm(said="Clubs are hard to reach", source="POWAR", actions=("P5.5",)),
    )
    with session_scope(engine) as session:
        reader = actor(session, PROVIDER)

        def refs(**wanted: object) -> list[str]:
            rows = list_feedback(session, actor=reader, filters=FeedbackFilter(**wanted))  # type: ignore[arg-type]
            return [r.reference for r in rows]

        assert refs(priority=5) == ["YS2"]  # through its action P5.5
        assert refs(priority=2) == ["YS1"]
        assert refs(action="p2.3") == ["YS1"]
        assert refs(search="CLUBS") == ["YS2"]
        assert refs(status="done") == []
    page = load_feedback_page(engine, actor=reader, today=TODAY)
    assert [(g.title, [r.reference for r in g.rows]) for g in page.groups] == [
        ("Priority 2: Meeting needs", ["YS1"]),
        ("Priority 5: Improving outcomes and experiences", ["YS2"]),
    ]


def _sheet(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["You said feedback log, Lancashire"])
    sheet.append([])
    sheet.append(
        ["You said", "Source", "Heard on", "We did", "Impact", "Status", "Priorities", "Actions"]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROWS = [
    ["Waits are too long", "PCF", date(2026, 9, 1), "Named officers", None, "Done", "2", "P2.3"],
    [
        "Website is confusing",
        "Family survey",
        "3 October 2026",
        None,
        None,
        "In progress",
        "P4",
        "P4.3",
    ],
]


def test_a_good_sheet_imports_only_with_commit(engine: Engine) -> None:
    data = _sheet(GOOD_ROWS)
    with session_scope(engine, write=True) as session:
        dry = import_feedback(session, actor=OPERATOR, data=data, filename="ysd.xlsx", today=TODAY)
    assert dry.ok and not dry.committed
    assert [(r.row, r.reference) for r in dry.rows] == [(4, "YS1"), (5, "YS2")]
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []
    with session_scope(engine, write=True) as session:
        done = import_feedback(
            session, actor=OPERATOR, data=data, filename="ysd.xlsx", today=TODAY, commit=True
        )
    assert done.committed
    with session_scope(engine) as session:
        rows = list_feedback(session, actor=OPERATOR)
    assert [(r.reference, r.status, r.priorities, r.actions) for r in rows] == [
        ("YS1", "done", (2,), ("P2.3",)),
        ("YS2", "in_progress", (4,), ("P4.3",)),
    ]


def test_a_bad_sheet_names_every_problem_and_imports_nothing(engine: Engine) -> None:
    data = _sheet(
        [
            *GOOD_ROWS,
            [None, "POWAR", "31/02/2026", None, None, "Finished", "Priority 7", "P2.99"],
            ["Said", None, None, None, None, "Done", None, None],
        ]
    )
    with session_scope(engine, write=True) as session:
        report = import_feedback(
            session, actor=OPERATOR, data=data, filename="ysd.xlsx", today=TODAY, commit=True
        )
    assert not report.committed
    found = {(p.row, p.column) for p in report.problems}
    assert {
        (6, "Heard on"),
        (6, "Status"),
        (6, "You said"),
        (6, "Priorities"),
        (6, "Actions"),
        (7, "Source"),
        (7, "We did"),
    } <= found
    assert any("Row 6, Heard on: not a real calendar date" in str(p) for p in report.problems)
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []


def test_a_sheet_without_the_columns_is_refused_by_name(engine: Engine) -> None:
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.append(["Ref", "Comment"])
    out = io.BytesIO()
    book.save(out)
    with (
        session_scope(engine, write=True) as session,
        pytest.raises(InvalidInput) as caught,
    ):
        import_feedback(
            session, actor=OPERATOR, data=out.getvalue(), filename="x.xlsx", today=TODAY
        )
    assert "expected columns named You said and Source" in str(caught.value)


def test_an_entry_marked_for_the_public_site_needs_approving_again_after_a_change(
    engine: Engine,
) -> None:
    config = load_governance(GOVERNANCE_FILE)
    reference = _add(engine, ADMIN, replace(HEARD, published=True))
    with session_scope(engine, write=True) as session:
        entry = session.exec(select(Feedback).where(Feedback.reference == reference)).one()
        assert entry.published and entry.approved_at is None
        assert entry.id is not None
        approve_feedback(
            session,
            actor(session, ADMIN),
            config=config,
            feedback_id=entry.id,
            seen_version=entry.version,
        )
    with session_scope(engine, write=True) as session:
        entry = session.exec(select(Feedback).where(Feedback.reference == reference)).one()
        assert entry.approved_at is not None
        edit_feedback(
            session,
            actor=actor(session, ADMIN),
            reference=reference,
            seen_version=entry.version,
            form=replace(HEARD, published=True, we_did="Weekly update calls to every family."),
            today=TODAY,
        )
    with session_scope(engine) as session:
        entry = session.exec(select(Feedback).where(Feedback.reference == reference)).one()
        trail = session.exec(
            select(AuditLog.field, AuditLog.new).where(AuditLog.entity == "feedback")
        ).all()
    assert entry.published is True
    assert entry.approved_at is None and entry.approved_by_id is None
    assert ("approval", "to approve again after this change") in trail
