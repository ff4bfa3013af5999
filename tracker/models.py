"""The database tables of the tracker, as SQLModel classes.

Everything a partnership records lives here: its organisations, people and roles, the
governance bodies and their meetings, the strategy (priorities, workstreams, actions, success
measures), the evidence trail (action updates, measure values, the append-only audit log), and
the machinery of the update cycle (escalations, stored board papers and their snapshots, the
mail outbox, scheduler leases). Enumerations are stored as short strings so that both SQLite and
PostgreSQL hold them without database enum types; the services validate them on the way in.
Alembic migrations in ``tracker/migrations`` are generated from, and checked against, this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware.

    SQLite has no timezone-aware type; without this, values come back naive on SQLite and aware
    on PostgreSQL and comparisons between them fail.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Rag(StrEnum):
    BLUE = "blue"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    EXECUTIVE = "executive"
    SECRETARY = "secretary"
    WORKSTREAM_LEAD = "workstream_lead"
    ACTION_OWNER = "action_owner"
    PARTNER = "partner"


class Tier(StrEnum):
    ORGANISATIONAL_LEAD = "organisational_lead"
    EXECUTIVE = "executive"
    OVERSIGHT = "oversight"
    STAKEHOLDER = "stakeholder"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class MeasureUnit(StrEnum):
    PERCENTAGE = "percentage"
    COUNT = "count"
    RATE = "rate"
    SURVEY_SCORE = "survey_score"
    DAYS = "days"
    WEEKS = "weeks"
    NARRATIVE = "narrative"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


# --- people and organisations -------------------------------------------------------------


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    short_name: str | None = Field(default=None, max_length=60)
    kind: str = Field(default="other", max_length=40)
    aliases: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    active: bool = True


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Always stored lower-cased by the services, so the unique index is case-insensitive.
    email: str = Field(max_length=320, unique=True, index=True)
    job_title: str | None = Field(default=None, max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # The Entra ID identity this person is bound to: tenant id and object id, set together at
    # the first sign-in matched by e-mail, cleared together when an administrator unbinds.
    entra_tenant_id: str | None = Field(default=None, max_length=64)
    entra_object_id: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = True
    # Who deactivated the person ("governance.yaml" or "app"): only the file may undo its own.
    deactivated_by: str | None = Field(default=None, max_length=40)
    # Whether governance.yaml lists this person: the file then owns their roles.
    in_governance_file: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    role: str = Field(max_length=40, primary_key=True)


# --- governance -----------------------------------------------------------------------------


class GovernanceBody(SQLModel, table=True):
    __tablename__ = "governance_body"

    id: int | None = Field(default=None, primary_key=True)
    # The stable identifier from governance.yaml: renaming a body keeps its key and its row.
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200, unique=True)
    short_name: str | None = Field(default=None, max_length=60)
    tier: str = Field(max_length=40)
    reports_to_id: int | None = Field(default=None, foreign_key="governance_body.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    secretary_id: int | None = Field(default=None, foreign_key="person.id")
    chair_id: int | None = Field(default=None, foreign_key="person.id")
    paper_deadline_working_days: int | None = None
    update_window_working_days: int | None = None
    description: str | None = None
    sort_order: int = 0
    active: bool = True


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (sa.UniqueConstraint("body_id", "meeting_date"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="governance_body.id", index=True)
    meeting_date: date = Field(index=True)
    paper_deadline: date | None = None
    window_opens: date | None = None
    cancelled: bool = False


# --- the strategy ---------------------------------------------------------------------------


class Priority(SQLModel, table=True):
    __tablename__ = "priority"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    title: str = Field(max_length=300)
    short_title: str | None = Field(default=None, max_length=120)
    ambition: str | None = None


class Workstream(SQLModel, table=True):
    __tablename__ = "workstream"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200, unique=True)
    lead_role: str | None = Field(default=None, max_length=200)
    lead_id: int | None = Field(default=None, foreign_key="person.id")
    reports_to_id: int | None = Field(default=None, foreign_key="governance_body.id")
    sort_order: int = 0
    active: bool = True


class Action(SQLModel, table=True):
    __tablename__ = "action"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    title: str = Field(max_length=1000)
    description: str | None = None
    priority_id: int = Field(foreign_key="priority.id", index=True)
    workstream_id: int | None = Field(default=None, foreign_key="workstream.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    lead_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    body_id: int | None = Field(default=None, foreign_key="governance_body.id", index=True)
    start_date: date | None = None
    due_date: date | None = Field(default=None, index=True)
    original_due_date: date | None = None
    status: str = Field(default=ActionStatus.NOT_STARTED.value, max_length=20, index=True)
    rag: str | None = Field(default=None, max_length=10, index=True)
    latest_commentary: str | None = None
    path_to_green: str | None = None
    next_steps: str | None = None
    # What will be different for children, young people and families when this is delivered.
    expected_impact: str | None = None
    # The public progress site: the action appears only when published, under its plain title.
    published: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.text("false")}, nullable=False
    )
    public_title: str | None = Field(default=None, max_length=1000)
    last_updated_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True, index=True)
    )
    last_updated_by_id: int | None = Field(default=None, foreign_key="person.id")
    sort_key: int = 0
    source: str = Field(default="manual", max_length=20)
    # False while the owner, lead organisation and dates are the seed's guesses rather than the
    # partnership's plan: such an action's due date is shown "to confirm" and never overdue.
    planning_confirmed: bool = Field(
        default=True, sa_column_kwargs={"server_default": sa.text("true")}, nullable=False
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class ActionUpdate(SQLModel, table=True):
    __tablename__ = "action_update"
    __table_args__ = (sa.Index("ix_action_update_action_created", "action_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id")
    rag: str | None = Field(default=None, max_length=10)
    status: str = Field(max_length=20)
    commentary: str | None = None
    path_to_green: str | None = None
    next_steps: str | None = None
    revised_due_date: date | None = None
    due_date_reason: str | None = None
    evidence_url: str | None = Field(default=None, max_length=2000)
    # Why the owner kept a rating the system flags as inconsistent (Green while overdue).
    rating_reason: str | None = None
    # Impact, reported apart from delivery: a word from governance.yaml's impact scale, the
    # evidence of impact in words, and whose voice it reflects (families, children and young
    # people, practitioners, data).
    impact_rating: str | None = Field(default=None, max_length=40)
    impact_evidence: str | None = None
    impact_voices: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    )
    # A summary written for families, the only text of an update the public site may show;
    # approved by a named role where governance.yaml's publishing section asks.
    public_summary: str | None = None
    public_approved_by_id: int | None = Field(default=None, foreign_key="person.id")
    public_approved_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    source: str = Field(default="app", max_length=20)


class SuccessMeasure(SQLModel, table=True):
    __tablename__ = "success_measure"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    priority_id: int = Field(foreign_key="priority.id", index=True)
    wording: str = Field(max_length=1000)
    unit: str = Field(default=MeasureUnit.NARRATIVE.value, max_length=20)
    baseline_value: float | None = None
    baseline_date: date | None = None
    baseline_note: str | None = None
    target_value: float | None = None
    target_date: date | None = None
    direction: str = Field(default=Direction.HIGHER.value, max_length=10)
    # Percentage of the distance to target within which a value still rates Amber, not Red.
    tolerance_pct: float = 10.0
    frequency: str | None = Field(default=None, max_length=40)
    data_source: str | None = Field(default=None, max_length=300)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    # "numeric" rates values against target; "narrative" uses the judgement below until defined.
    rating_mode: str = Field(default="numeric", max_length=20)
    narrative_rag: str | None = Field(default=None, max_length=10)
    narrative_commentary: str | None = None
    commentary: str | None = None
    version: int = Field(default=1, nullable=False)


class MeasureValue(SQLModel, table=True):
    __tablename__ = "measure_value"
    __table_args__ = (sa.UniqueConstraint("measure_id", "period_end"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="success_measure.id", index=True)
    period_end: date
    period_label: str | None = Field(default=None, max_length=40)
    value: float | None = None
    note: str | None = None
    entered_by_id: int | None = Field(default=None, foreign_key="person.id")
    entered_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    # The public progress site shows a value only when it is marked for publication.
    published: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.text("false")}, nullable=False
    )
    # Entered "provisional"; "final" once the measure's owner or performance lead signs it off
    # (papers report final values and say so beside a provisional one). A correction to a final
    # value makes it provisional again.
    status: str = Field(
        default="provisional",
        max_length=20,
        sa_column_kwargs={"server_default": sa.text("'provisional'")},
        nullable=False,
    )
    signed_off_by_id: int | None = Field(default=None, foreign_key="person.id")
    signed_off_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    # Where the figure came from (a system, a report, "EES: <publication>, <file>") and what it
    # covers or does not (coverage, caveats): shown beside the figure on the page and in papers.
    source: str | None = Field(default=None, max_length=300)
    caveat: str | None = None


class MeasureMilestone(SQLModel, table=True):
    """A dated point on a measure's way from baseline to target: the value expected by then."""

    __tablename__ = "measure_milestone"
    __table_args__ = (
        sa.UniqueConstraint("measure_id", "due_date", name="uq_measure_milestone_measure_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="success_measure.id", index=True)
    due_date: date
    value: float
    label: str | None = Field(default=None, max_length=80)


class MeasureComparator(SQLModel, table=True):
    """A published figure to set beside a measure: England's, the region's or another local
    authority's (or the partnership's own, as published) for one period, with its source."""

    __tablename__ = "measure_comparator"
    __table_args__ = (sa.UniqueConstraint("measure_id", "period_end", "area_code"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="success_measure.id", index=True)
    period_end: date
    period_label: str = Field(max_length=40)  # "2024", "2024-25", "2023/24"
    area_kind: str = Field(max_length=20)  # national | regional | local | neighbour
    area_code: str = Field(max_length=20)
    area_name: str = Field(max_length=120)
    value: float | None = None
    # Why there is no figure, in EES's words ("x: not available", "c: confidential" ...).
    missing_reason: str | None = Field(default=None, max_length=80)
    publication: str = Field(max_length=200)
    dataset: str = Field(max_length=200)
    source_file: str = Field(max_length=260)
    imported_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class MeasureAction(SQLModel, table=True):
    __tablename__ = "measure_action"

    measure_id: int = Field(foreign_key="success_measure.id", primary_key=True)
    action_id: int = Field(foreign_key="action.id", primary_key=True)


# --- evidence trail -------------------------------------------------------------------------


class AuditLog(SQLModel, table=True):
    """Append-only and hash-chained: database triggers (migration 0002) refuse UPDATE and
    DELETE; each row's ``row_hash`` covers its content and the previous row's hash."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(default="system", max_length=320)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    # Long enough for the longest e-mail address (254) and a board's name with a meeting date.
    entity_label: str | None = Field(default=None, max_length=320)
    field: str = Field(max_length=80)
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    # Position in the chain (1, 2, 3...): unique, so two writers can never both append row n.
    chain_seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    row_hash: str | None = Field(default=None, max_length=64)


class Escalation(SQLModel, table=True):
    __tablename__ = "escalation"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    from_body_id: int | None = Field(default=None, foreign_key="governance_body.id")
    to_body_id: int = Field(foreign_key="governance_body.id", index=True)
    reason: str
    raised_by_id: int | None = Field(default=None, foreign_key="person.id")
    raised_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    resolved_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolution: str | None = None


# --- risks ---------------------------------------------------------------------------------


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Risk(SQLModel, table=True):
    """What could stop delivery: scored likelihood x impact (1-5 each) on governance's scale.

    ``inherent_*`` is the score before mitigation (as first assessed), ``likelihood``/``impact``
    the current (residual) score, ``target_score`` where the owner means to bring it. Every
    rescoring is a ``RiskReview`` row: the evidence trail.
    """

    __tablename__ = "risk"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    title: str = Field(max_length=300)
    description: str | None = None
    owner_id: int = Field(foreign_key="person.id", index=True)
    body_id: int | None = Field(default=None, foreign_key="governance_body.id", index=True)
    inherent_likelihood: int
    inherent_impact: int
    likelihood: int
    impact: int
    target_score: int | None = None
    review_days: int = 30
    next_review: date = Field(index=True)
    status: str = Field(default=RiskStatus.OPEN.value, max_length=10, index=True)
    closed_reason: str | None = None
    # Partners (and the public site) see only risks marked shareable.
    shareable: bool = False
    sort_key: int = 0
    # The day the owner was last reminded to review (the reminder rules' own bookkeeping, so a
    # review falling due is mailed once and then chased at governance's interval; not a user
    # edit, so it leaves ``version`` alone).
    review_reminded_on: date | None = None
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class RiskPriority(SQLModel, table=True):
    __tablename__ = "risk_priority"

    risk_id: int = Field(foreign_key="risk.id", primary_key=True)
    priority_id: int = Field(foreign_key="priority.id", primary_key=True)


class RiskAction(SQLModel, table=True):
    __tablename__ = "risk_action"

    risk_id: int = Field(foreign_key="risk.id", primary_key=True)
    action_id: int = Field(foreign_key="action.id", primary_key=True, index=True)


class RiskReview(SQLModel, table=True):
    """One scoring of a risk (the first assessment included), with the owner's commentary."""

    __tablename__ = "risk_review"
    __table_args__ = (sa.Index("ix_risk_review_risk_created", "risk_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id")
    likelihood: int
    impact: int
    commentary: str
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class RiskMitigation(SQLModel, table=True):
    """What is being done about a risk: a small action with an owner and a due date."""

    __tablename__ = "risk_mitigation"

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    description: str = Field(max_length=2000)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: date | None = None
    done: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


# --- impact evidence, "you said, we did", stocktakes ----------------------------------------


class EvidenceStorage(StrEnum):
    DATABASE = "database"
    FILES = "files"


class Evidence(SQLModel, table=True):
    """A file that proves what an action delivered or changed, attached to the action and
    optionally to one of its updates. The bytes live in ``evidence_chunk`` rows (so backups
    carry them) or, where the settings name a file store, in a file named by ``storage_key``.
    Never deleted except by an administrator with a reason (audited); superseded otherwise."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    update_id: int | None = Field(default=None, foreign_key="action_update.id", index=True)
    filename: str = Field(max_length=255)  # cleaned: no folders, no control characters
    content_type: str = Field(max_length=120)  # from the content, not the extension
    kind: str = Field(max_length=20)  # pdf, docx, xlsx, pptx, png, jpeg, csv, eml, msg ...
    size_bytes: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    note: str | None = None
    storage: str = Field(default=EvidenceStorage.DATABASE.value, max_length=20)
    storage_key: str | None = Field(default=None, max_length=300)
    # Partners see evidence only when it is marked shareable.
    shareable: bool = False
    superseded_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    superseded_by_id: int | None = Field(default=None, foreign_key="person.id")
    superseded_reason: str | None = None
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class EvidenceChunk(SQLModel, table=True):
    """One piece (at most 1 MiB) of an evidence file stored in the database, in order."""

    __tablename__ = "evidence_chunk"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class FeedbackStatus(StrEnum):
    OPEN = "open"  # heard, nothing done yet
    IN_PROGRESS = "in_progress"
    DONE = "done"  # the partnership has acted ("we did")
    CLOSED = "closed"  # closed without action, with the reason in we_did


class Feedback(SQLModel, table=True):
    """One "you said, we did" entry: what families, children and young people said (through
    the Parent Carer Forum, POWAR, a survey, a complaint ...), what the partnership did and
    the impact, linked to priorities and actions."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)  # YS1, YS2 ...
    said: str  # "You said"
    source: str = Field(max_length=120)  # who said it: Parent Carer Forum, POWAR, survey ...
    heard_on: date | None = None
    we_did: str | None = None  # "We did"
    impact: str | None = None
    status: str = Field(default=FeedbackStatus.OPEN.value, max_length=20, index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    # The public site shows an entry only when published (and approved where configured).
    published: bool = False
    approved_by_id: int | None = Field(default=None, foreign_key="person.id")
    approved_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)


class FeedbackPriority(SQLModel, table=True):
    __tablename__ = "feedback_priority"

    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True)
    priority_id: int = Field(foreign_key="priority.id", primary_key=True)


class FeedbackAction(SQLModel, table=True):
    __tablename__ = "feedback_action"

    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True)
    action_id: int = Field(foreign_key="action.id", primary_key=True, index=True)


class Stocktake(SQLModel, table=True):
    """A stocktake pack generated for DfE and NHS England advisers: its period, who made it
    and the checksum of the zip. The next pack's period starts where the last one ended."""

    __tablename__ = "stocktake"

    id: int | None = Field(default=None, primary_key=True)
    period_from: date
    period_to: date = Field(index=True)
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64)
    size_bytes: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    counts: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    generated_by_id: int | None = Field(default=None, foreign_key="person.id")
    generated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


# --- board papers ---------------------------------------------------------------------------


class StoredPaper(SQLModel, table=True):
    __tablename__ = "board_paper"
    __table_args__ = (sa.UniqueConstraint("body_id", "meeting_date", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="governance_body.id", index=True)
    meeting_date: date
    paper_deadline: date | None = None
    version: int = 1
    title: str = Field(max_length=300)
    filename: str = Field(max_length=300)
    checksum: str = Field(max_length=64)
    size_bytes: int = 0
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    # The tagged PDF made from ``content`` for publication; None until someone asks for it.
    pdf_content: bytes | None = Field(
        default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True)
    )
    pdf_checksum: str | None = Field(default=None, max_length=64)
    summary: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    generated_by_id: int | None = Field(default=None, foreign_key="person.id")
    generated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class PaperSnapshot(SQLModel, table=True):
    """Each action's state frozen when a paper was generated, for the next paper's movement."""

    __tablename__ = "paper_snapshot"
    __table_args__ = (sa.UniqueConstraint("paper_id", "action_id"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="board_paper.id", index=True)
    action_id: int = Field(foreign_key="action.id")
    reference: str = Field(max_length=20)
    rag: str | None = Field(default=None, max_length=10)
    status: str = Field(max_length=20)
    due_date: date | None = None


# --- the installation itself -----------------------------------------------------------------


class SiteSetting(SQLModel, table=True):
    """Facts about this installation, such as ``demo`` for a demonstration database."""

    __tablename__ = "site_setting"

    key: str = Field(max_length=80, primary_key=True)
    value: str = Field(max_length=400)
    set_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


# --- mail and scheduling ---------------------------------------------------------------------


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # (rule, recipient, board, meeting, ...) joined: a rerun cannot enqueue the same message twice.
    dedupe_key: str = Field(max_length=400, unique=True)
    rule: str = Field(max_length=40, index=True)
    recipient_email: str = Field(max_length=320)
    recipient_id: int | None = Field(default=None, foreign_key="person.id")
    body_id: int | None = Field(default=None, foreign_key="governance_body.id")
    meeting_date: date | None = None
    subject: str = Field(max_length=400)
    body_text: str
    body_html: str
    state: str = Field(default=OutboxState.PENDING.value, max_length=20)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    claimed_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    claimed_by: str | None = Field(default=None, max_length=120)
    sent_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    provider_message_id: str | None = Field(default=None, max_length=400)


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=80, index=True)
    started_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    counts: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    error: str | None = None


class Lease(SQLModel, table=True):
    """A named lease (for example the single scheduler) held until it expires or is released."""

    __tablename__ = "lease"

    name: str = Field(max_length=80, primary_key=True)
    holder: str = Field(max_length=200)
    acquired_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
