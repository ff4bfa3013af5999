"""Adding and changing "you said, we did" entries: one transaction each, audited, permission
checked here (not only on the page).

Administrators, board secretaries and workstream leads may add an entry, and so may partners
who represent a forum (a person whose organisation is a ``kind: forum`` organisation in
governance.yaml: the Parent Carer Forum, POWAR). The entry's owner, whoever entered it, and
administrators may edit it, link it and set its status. Edits are optimistic: the caller sends
the version it showed and a stale save raises ``FeedbackConflict`` having written nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from tracker import clock
from tracker.errors import Conflict, NotFound
from tracker.formatting import format_moment
from tracker.models import (
    Action,
    Feedback,
    FeedbackAction,
    FeedbackPriority,
    Organisation,
    Person,
    Priority,
    Role,
)
from tracker.permissions import Actor, Operation, PermissionDenied, can, require
from tracker.services.actions import ValidationFailed
from tracker.services.audit import record_change, record_changes
from tracker.services.feedback._records import CleanFeedback, FeedbackForm, check_feedback

FORUM_KIND = "forum"
_REFERENCE = re.compile(r"YS(\d+)", re.IGNORECASE)


class FeedbackNotFound(NotFound):
    pass


class FeedbackConflict(Conflict):
    """Someone saved the entry after the caller loaded it; nothing was written."""


def is_forum_representative(session: Session, actor: Actor) -> bool:
    """A partner whose organisation is a forum (Parent Carer Forum, POWAR)."""
    if actor.person_id is None or not actor.has(Role.PARTNER):
        return False
    kind = session.exec(
        select(Organisation.kind)
        .join(Person, col(Person.organisation_id) == col(Organisation.id))
        .where(Person.id == actor.person_id)
    ).first()
    return kind == FORUM_KIND


def may_add_feedback(session: Session, actor: Actor) -> bool:
    return can(actor, Operation.ADD_FEEDBACK) or (
        actor.active and is_forum_representative(session, actor)
    )


def may_edit_feedback(actor: Actor, entry: Feedback) -> bool:
    mine = actor.person_id is not None and actor.person_id in (
        entry.owner_id,
        entry.created_by_id,
    )
    return can(actor, Operation.EDIT_FEEDBACK, is_owner=mine)


def require_may_add(session: Session, actor: Actor) -> None:
    if not may_add_feedback(session, actor):
        raise PermissionDenied(
            f"{actor.name} may not add a 'you said, we did' entry: administrators, board "
            "secretaries, workstream leads and forum representatives may",
            actor=actor,
            operation=Operation.ADD_FEEDBACK.value,
        )


def get_feedback_entry(session: Session, reference: str) -> Feedback:
    entry = session.exec(
        select(Feedback).where(Feedback.reference == reference.strip().upper())
    ).first()
    if entry is None:
        raise FeedbackNotFound(f"No 'you said, we did' entry with reference {reference!r}")
    return entry


def next_reference(session: Session) -> str:
    """YS1, YS2 ...: one more than the highest number in use."""
    numbers = [
        int(match[1])
        for reference in session.exec(select(Feedback.reference)).all()
        if (match := _REFERENCE.fullmatch(reference))
    ]
    return f"YS{max(numbers, default=0) + 1}"


def resolve_links(
    session: Session, form: FeedbackForm, errors: dict[str, str]
) -> tuple[list[int], list[int]]:
    """Priority and action ids for the numbers and references ``form`` names; unknown ones
    go into ``errors`` under ``priorities`` / ``actions``."""
    numbers = sorted(set(form.priorities))
    found = dict(
        session.exec(
            select(Priority.number, Priority.id).where(col(Priority.number).in_(numbers))
        ).all()
    )
    missing = [str(n) for n in numbers if n not in found]
    if missing:
        errors["priorities"] = f"no priority {', '.join(missing)} in the plan"
    references = sorted({r.strip().upper() for r in form.actions if r.strip()})
    actions = dict(
        session.exec(
            select(Action.reference, Action.id).where(col(Action.reference).in_(references))
        ).all()
    )
    unknown = [r for r in references if r not in actions]
    if unknown:
        errors["actions"] = f"no action {', '.join(unknown)} in the plan"
    priority_ids = [found[n] for n in numbers if found.get(n) is not None]
    action_ids = [actions[r] for r in references if actions.get(r) is not None]
    return [i for i in priority_ids if i is not None], [i for i in action_ids if i is not None]


def _check_owner(session: Session, owner_id: int | None, errors: dict[str, str]) -> None:
    if owner_id is None:
        return
    person = session.get(Person, owner_id)
    if person is None or not person.active:
        errors["owner"] = "choose an active person as the owner"


def check_with_links(
    session: Session, form: FeedbackForm, today: date
) -> tuple[CleanFeedback, list[int], list[int]]:
    """Every fault of the form and its links at once, or the clean values and link ids."""
    errors: dict[str, str] = {}
    clean: CleanFeedback | None = None
    try:
        clean = check_feedback(form, today=today)
    except ValidationFailed as failed:
        errors.update(failed.errors)
    _check_owner(session, form.owner_id, errors)
    priority_ids, action_ids = resolve_links(session, form, errors)
    if errors or clean is None:
        raise ValidationFailed(errors)
    return clean, priority_ids, action_ids


def _links(session: Session, feedback_id: int) -> tuple[list[int], list[int]]:
    priorities = session.exec(
        select(FeedbackPriority.priority_id).where(FeedbackPriority.feedback_id == feedback_id)
    ).all()
    actions = session.exec(
        select(FeedbackAction.action_id).where(FeedbackAction.feedback_id == feedback_id)
    ).all()
    return sorted(priorities), sorted(actions)


def _link_words(session: Session, priority_ids: Iterable[int], action_ids: Iterable[int]) -> str:
    """ "Priority 2; P2.3, P2.4" for the audit trail."""
    numbers = sorted(
        session.exec(select(Priority.number).where(col(Priority.id).in_(list(priority_ids)))).all()
    )
    references = sorted(
        session.exec(select(Action.reference).where(col(Action.id).in_(list(action_ids)))).all()
    )
    parts = [", ".join(f"Priority {n}" for n in numbers), ", ".join(references)]
    return "; ".join(p for p in parts if p)


def _set_links(
    session: Session, feedback_id: int, priority_ids: list[int], action_ids: list[int]
) -> None:
    session.exec(delete(FeedbackPriority).where(col(FeedbackPriority.feedback_id) == feedback_id))
    session.exec(delete(FeedbackAction).where(col(FeedbackAction.feedback_id) == feedback_id))
    for priority_id in priority_ids:
        session.add(FeedbackPriority(feedback_id=feedback_id, priority_id=priority_id))
    for action_id in action_ids:
        session.add(FeedbackAction(feedback_id=feedback_id, action_id=action_id))


def add_feedback(
    session: Session,
    *,
    actor: Actor,
    form: FeedbackForm,
    today: date,
    now: datetime | None = None,
    reference: str | None = None,
) -> Feedback:
    """Store a new entry (YS1, YS2 ...) with its links; audited; nothing on a fault."""
    require_may_add(session, actor)
    clean, priority_ids, action_ids = check_with_links(session, form, today)
    entry = Feedback(
        reference=reference or next_reference(session),
        **clean.values(),
        created_by_id=actor.person_id,
        created_at=now or clock.now(),
    )
    session.add(entry)
    session.flush()
    assert entry.id is not None
    _set_links(session, entry.id, priority_ids, action_ids)
    record_change(
        session,
        actor=actor,
        entity="feedback",
        entity_id=entry.id,
        entity_label=entry.reference,
        field="created",
        old=None,
        new=clean.said,
    )
    links = _link_words(session, priority_ids, action_ids)
    if links:
        record_change(
            session,
            actor=actor,
            entity="feedback",
            entity_id=entry.id,
            entity_label=entry.reference,
            field="links",
            old=None,
            new=links,
        )
    session.flush()
    return entry


def _guarded(session: Session, entry: Feedback, seen_version: int, values: dict[str, Any]) -> None:
    result = session.exec(
        update(Feedback)
        .where(col(Feedback.id) == entry.id, col(Feedback.version) == seen_version)
        .values(**values, version=seen_version + 1)
    )
    if result.rowcount != 1:
        session.expire_all()
        raise FeedbackConflict(
            f"{entry.reference} was changed by someone else after you opened it "
            f"(checked {format_moment(clock.now())}). Reload to see their change; what you "
            "typed is kept."
        )


# The fields the public site shows: changing one (or taking the entry off the site) needs a
# fresh approval before it goes out again.
_APPROVED_WORDS = frozenset(
    {"said", "source", "heard_on", "we_did", "impact", "status", "published"}
)


def edit_feedback(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    form: FeedbackForm,
    today: date,
) -> Feedback:
    """Change an entry, its status and its links (its owner, its author or an administrator);
    audited field by field; ``FeedbackConflict`` when someone saved it first."""
    entry = get_feedback_entry(session, reference)
    if not may_edit_feedback(actor, entry):
        require(actor, Operation.EDIT_FEEDBACK, what=entry.reference)
    clean, priority_ids, action_ids = check_with_links(session, form, today)
    values = clean.values()
    changes = {k: (getattr(entry, k), v) for k, v in values.items() if getattr(entry, k) != v}
    old_links = _links(session, entry.id or 0)
    new_links = (sorted(priority_ids), sorted(action_ids))
    if not changes and old_links == new_links:
        if entry.version != seen_version:
            _guarded(session, entry, seen_version, {})
        return entry
    if entry.approved_at is not None and changes.keys() & _APPROVED_WORDS:
        # What was approved for the public site is no longer what it would show.
        values = {**values, "approved_by_id": None, "approved_at": None}
        changes["approval"] = ("approved", "to approve again after this change")
    _guarded(session, entry, seen_version, values)
    assert entry.id is not None
    if old_links != new_links:
        _set_links(session, entry.id, priority_ids, action_ids)
        changes["links"] = (_link_words(session, *old_links), _link_words(session, *new_links))
    if "owner_id" in changes:
        old, new = changes.pop("owner_id")
        changes["owner"] = (_email(session, old), _email(session, new))
    record_changes(
        session,
        actor=actor,
        entity="feedback",
        entity_id=entry.id,
        entity_label=entry.reference,
        changes={k: (o or None, n or None) for k, (o, n) in changes.items()},
    )
    session.flush()
    session.refresh(entry)
    return entry


def _email(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id else None
    return person.email if person else None


def set_feedback_status(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    seen_version: int,
    status: str,
    we_did: str | None = None,
    today: date,
) -> Feedback:
    """Move an entry to ``status`` (with what was done, when given); the same rules as an edit."""
    entry = get_feedback_entry(session, reference)
    priorities, actions = _links(session, entry.id or 0)
    numbers = session.exec(select(Priority.number).where(col(Priority.id).in_(priorities))).all()
    references = session.exec(select(Action.reference).where(col(Action.id).in_(actions))).all()
    form = FeedbackForm(
        said=entry.said,
        source=entry.source,
        heard_on=entry.heard_on,
        we_did=we_did if we_did is not None else entry.we_did,
        impact=entry.impact,
        status=status,
        owner_id=entry.owner_id,
        published=entry.published,
        priorities=tuple(numbers),
        actions=tuple(references),
    )
    return edit_feedback(
        session, actor=actor, reference=reference, seen_version=seen_version, form=form, today=today
    )
