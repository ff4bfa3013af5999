"""Building a demonstration database: a plausible year of the partnership's work, up to today.

On a freshly initialised database (governance loaded, strategy seeded) this confirms the seeded
plan, then replays a year as the people in governance.yaml would have lived it, in time order
and through the same services the app uses: owners record updates in each of their board's
update windows (``record_update``), some actions go Amber or Red with a path to green, some
move their due date with a reason, some complete; a few Red actions are escalated; success
measures get targets and a value each period; a register of risks is assessed and rescored
through the year (``risks.py``); owners attach evidence files (``evidence.py``); England's, the
region's and the neighbours' published figures sit beside the mapped measures
(``comparators.py``); each board's secretary generates and stores the papers of its last two
meetings, so the second shows movement since the first. Everything is
drawn from a ``random.Random`` seeded with ``seed``: the same seed and ``today`` build the same
database. A database that already holds real work is refused, and the result is marked as a
demonstration so every page can say so.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.demo.commentary import Writer, topic_for
from tracker.demo.comparators import import_demo_comparators
from tracker.demo.evidence import add_demo_evidence
from tracker.demo.feedback import plan_feedback_events
from tracker.demo.impact import (
    EXPECTED,
    NO_IMPACT,
    ImpactReport,
    report_impact,
    reports_impact,
)
from tracker.demo.measures import plan_measure_events
from tracker.demo.public import publish_demo_site
from tracker.demo.risks import plan_risk_events
from tracker.errors import OperationFailed
from tracker.governance import GovernanceConfig
from tracker.models import (
    Action,
    GovernanceBody,
    Meeting,
    Person,
    PersonRole,
    Role,
    Workstream,
)
from tracker.permissions import Actor
from tracker.services.actions import (
    EscalationError,
    UpdateForm,
    confirm_planning,
    escalate_action,
    get_action,
    record_update,
)
from tracker.services.audit import record_change
from tracker.services.operations import find_real_data, is_demo, mark_demo
from tracker.services.papers import generate_paper
from tracker.services.people import actor_by_id, build_actor
from tracker.services.reminders import load_reminder_facts

DEFAULT_SEED = 2025
# Updates go back nine months (four or more cycles of every board; a monthly board has nine);
# measure values and the plan's start reach back further, so the record spans a year.
HISTORY_DAYS = 270
PAPERS_PER_BOARD = 2
MAX_ESCALATIONS = 3
MIN_RED = 3
MIN_AMBER = 4


class DemoRefused(OperationFailed):
    """The database holds real work; a demonstration is never built on top of it."""


@dataclass(frozen=True)
class DemoReport:
    already_demo: bool
    updates: int = 0
    escalations: int = 0
    papers: int = 0
    measure_values: int = 0
    risk_scorings: int = 0
    evidence_files: int = 0


@dataclass(frozen=True)
class Cycle:
    opens: date
    deadline: date


@dataclass
class _Counts:
    updates: int = 0
    escalations: int = 0
    papers: int = 0
    measure_values: int = 0
    risk_scorings: int = 0


Event = tuple[datetime, int, Callable[[Session, datetime], None]]


@dataclass
class _Context:
    session: Session
    governance: GovernanceConfig
    governance_file: Path
    today: date
    rng: random.Random
    seed: int
    admin: Actor
    counts: _Counts = field(default_factory=_Counts)
    events: list[Event] = field(default_factory=list)

    def at(self, moment: datetime, run: Callable[[Session, datetime], None]) -> None:
        # The sequence number keeps events at the same moment in the order they were planned.
        self.events.append((moment, len(self.events), run))


def build_demo(
    session: Session,
    *,
    governance: GovernanceConfig,
    governance_file: Path,
    today: date,
    seed: int = DEFAULT_SEED,
) -> DemoReport:
    """Fill a freshly initialised database with a year of demonstration history up to today."""
    if is_demo(session):
        return DemoReport(already_demo=True)
    real = find_real_data(session)
    if real:
        raise DemoRefused(
            "this database already holds real work (" + ", ".join(real) + "); a demonstration "
            "is built only in a new database: point TRACKER_DATABASE_URL at a new file"
        )
    admin = _administrator(session)
    ctx = _Context(session, governance, governance_file, today, random.Random(seed), seed, admin)
    confirm_planning(session, actor=admin)
    _plan_updates(ctx)
    entries, sign_offs = plan_measure_events(session, rng=ctx.rng, today=today, actor=admin)
    for moment, run in entries:
        ctx.at(moment, _counting(ctx, "measure_values", run))
    for moment, run in sign_offs:
        ctx.at(moment, run)
    for moment, run in plan_risk_events(
        session,
        governance=governance,
        rng=ctx.rng,
        today=today,
        actor=admin,
        history_days=HISTORY_DAYS,
    ):
        ctx.at(moment, _counting(ctx, "risk_scorings", run))
    for moment, run in plan_feedback_events(today=today, admin=admin):
        ctx.at(moment, run)
    _plan_papers(ctx)
    for _moment, _n, run in sorted(ctx.events, key=lambda e: (e[0], e[1])):
        run(session, _moment)
    _mark_people_seen(ctx)
    import_demo_comparators(session, governance=governance, rng=ctx.rng, today=today, actor=admin)
    evidence_files = add_demo_evidence(session, rng=ctx.rng, today=today, fallback=admin)
    publish_demo_site(session, governance=governance, today=today, actor=admin)
    mark_demo(session, seed=seed, built_on=today)
    c = ctx.counts
    return DemoReport(
        False,
        c.updates,
        c.escalations,
        c.papers,
        c.measure_values,
        c.risk_scorings,
        evidence_files,
    )


def _counting(
    ctx: _Context, counter: str, run: Callable[[Session, datetime], None]
) -> Callable[[Session, datetime], None]:
    def counted(session: Session, moment: datetime) -> None:
        run(session, moment)
        setattr(ctx.counts, counter, getattr(ctx.counts, counter) + 1)

    return counted


def _administrator(session: Session) -> Actor:
    person = session.exec(
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(PersonRole.role == Role.ADMINISTRATOR.value, col(Person.active))
        .order_by(col(Person.id))
    ).first()
    if person is None:
        raise DemoRefused("governance.yaml names no administrator to build the demonstration as")
    return build_actor(session, person)


# --- the update cycles ----------------------------------------------------------------------


def board_cycles(session: Session, *, body_id: int, today: date) -> list[Cycle]:
    """The board's update windows that opened in the year before today (at least the last four)."""
    meetings = session.exec(
        select(Meeting)
        .where(
            Meeting.body_id == body_id,
            col(Meeting.cancelled).is_(False),
            col(Meeting.meeting_date) <= today + timedelta(days=60),
        )
        .order_by(col(Meeting.meeting_date))
    ).all()
    cycles = [
        Cycle(
            opens=m.window_opens or m.meeting_date - timedelta(days=14),
            deadline=m.paper_deadline or m.meeting_date,
        )
        for m in meetings
    ]
    opened = [c for c in cycles if c.opens < today]
    recent = [c for c in opened if c.opens >= today - timedelta(days=HISTORY_DAYS)]
    return recent if len(recent) >= 4 else opened[-4:]


def _fallback_cycles(today: date) -> list[Cycle]:
    """Six-weekly windows for an action whose body reports to no board with meetings."""
    return [
        Cycle(opens=today - timedelta(days=42 * k + 14), deadline=today - timedelta(days=42 * k))
        for k in range(8, -1, -1)
    ]


def _moment(rng: random.Random, cycle: Cycle, today: date) -> datetime | None:
    """A working-hours moment in the window, before today; None if the window has not opened."""
    last = min(cycle.deadline, today - timedelta(days=1))
    if last < cycle.opens:
        return None
    day = cycle.opens + timedelta(days=rng.randint(0, (last - cycle.opens).days))
    while day.weekday() >= 5 and day > cycle.opens:
        day -= timedelta(days=1)
    clock = time(rng.randint(8, 16), rng.randint(0, 59), tzinfo=UTC)
    return datetime.combine(day, clock)


# --- one action's year ----------------------------------------------------------------------

_KINDS = (
    ("steady", 30),
    ("recovering", 14),
    ("slipping", 12),
    ("red_recovering", 8),
    ("red_now", 6),
    ("completed", 6),
    ("late_start", 10),
)


@dataclass(frozen=True)
class Step:
    moment: datetime
    rag: str
    status: str
    revised_due: date | None = None
    escalate: bool = False


def _ratings(kind: str, n: int, rng: random.Random) -> list[str]:
    """The RAG of each of an action's ``n`` updates for its kind of year."""
    if kind == "recovering":
        turn = max(1, n // 2)
        return ["amber"] * turn + ["green"] * (n - turn)
    if kind == "slipping":
        turn = max(1, (2 * n) // 3)
        return ["green"] * turn + ["amber"] * (n - turn)
    if kind == "red_recovering":
        a, b = max(1, n // 3), max(2, (2 * n) // 3)
        return (["amber"] * a + ["red"] * (b - a) + ["amber"] * (n - b))[:n]
    if kind == "red_now":
        turn = max(1, n - rng.randint(1, 2))
        return (["green"] * (turn - 1) + ["amber"] + ["red"] * (n - turn))[:n]
    first = "amber" if rng.random() < 0.25 else "green"
    return [first] + ["green"] * (n - 1)


def plan_action_steps(
    rng: random.Random, *, cycles: list[Cycle], due: date | None, today: date
) -> list[Step]:
    """An action's updates over the year: when, what rating, any revised due date."""
    kind = rng.choices([k for k, _ in _KINDS], weights=[w for _, w in _KINDS])[0]
    overdue_by_today = due is not None and due < today
    if overdue_by_today and kind not in ("completed", "red_now", "red_recovering"):
        kind = rng.choices(["completed", "revise", "late"], weights=[40, 42, 18])[0]
    elif kind == "completed" and (due is None or due > today + timedelta(days=120)):
        kind = "steady"  # work due next year is rarely finished early
    moments = []
    for index, cycle in enumerate(cycles):
        current = cycle.deadline >= today
        skip = rng.random() < (0.5 if current else 0.12)
        if kind == "late_start" and index < 2:
            skip = True
        moment = _moment(rng, cycle, today)
        if moment is not None and not skip:
            moments.append(moment)
    if not moments:
        return []
    rags = _ratings(kind, len(moments), rng)
    steps = [Step(m, rag, "in_progress") for m, rag in zip(moments, rags, strict=True)]
    if kind == "completed":
        before_due = [i for i, s in enumerate(steps) if due is None or s.moment.date() <= due]
        end = max(before_due[-1] if before_due else 0, min(1, len(steps) - 1))
        steps = [*steps[:end], Step(steps[end].moment, "blue", "complete")]
    elif kind == "revise" or (kind in ("slipping", "red_recovering") and rng.random() < 0.5):
        first_amber = next((i for i, s in enumerate(steps) if s.rag != "green"), len(steps) - 1)
        at = steps[first_amber]
        base = max(due or at.moment.date(), at.moment.date())
        new_due = base + timedelta(days=rng.randint(90, 210))
        steps[first_amber] = Step(
            at.moment, "amber" if at.rag == "green" else at.rag, at.status, new_due
        )
    elif kind == "late" and steps:
        steps = [
            s if s.moment.date() <= (due or today) else Step(s.moment, "amber", s.status)
            for s in steps
        ]
    first_red = next((i for i, s in enumerate(steps) if s.rag == "red"), None)
    if first_red is not None and rng.random() < 0.6:
        s = steps[first_red]
        steps[first_red] = Step(s.moment, s.rag, s.status, s.revised_due, escalate=True)
    return no_green_while_overdue(steps, due=due, today=today)


def no_green_while_overdue(steps: list[Step], *, due: date | None, today: date) -> list[Step]:
    """Owners of the demonstration do not rate Green an action past its (revised) due date, and
    the one whose last update is Green rates it Amber once the date has passed by today."""
    out: list[Step] = []
    current = due
    for index, step in enumerate(steps):
        current = step.revised_due or current
        last = index == len(steps) - 1
        passed = current is not None and (
            step.moment.date() > current or (last and current < today)
        )
        if step.status != "complete" and step.rag == "green" and passed:
            step = Step(step.moment, "amber", step.status, step.revised_due, step.escalate)
        out.append(step)
    return out


def _plan_updates(ctx: _Context) -> None:
    facts = load_reminder_facts(ctx.session, today=ctx.today)
    workstream_keys = dict(ctx.session.exec(select(Workstream.id, Workstream.key)).all())
    cycles_of: dict[int | None, list[Cycle]] = {}
    actors: dict[int, Actor] = {}
    planned: list[tuple[str, list[Step], random.Random]] = []
    for fact in sorted(facts.actions, key=lambda a: a.sort_key):
        if fact.board_id not in cycles_of:
            cycles_of[fact.board_id] = (
                board_cycles(ctx.session, body_id=fact.board_id, today=ctx.today)
                if fact.board_id is not None
                else _fallback_cycles(ctx.today)
            )
        rng = random.Random(f"{ctx.seed}:{fact.reference}")
        steps = plan_action_steps(
            rng, cycles=cycles_of[fact.board_id], due=fact.due_date, today=ctx.today
        )
        planned.append((fact.reference, steps, rng))
    _ensure_some(ctx.rng, [steps for _, steps, _ in planned], rag="red", at_least=MIN_RED)
    _ensure_some(ctx.rng, [steps for _, steps, _ in planned], rag="amber", at_least=MIN_AMBER)
    for reference, steps, rng in planned:
        action = get_action(ctx.session, reference)
        topic = topic_for(action.title, workstream_keys.get(action.workstream_id))
        writer = Writer(rng, topic=topic)
        _expect(ctx, action, EXPECTED.get(topic))
        owner = action.owner_id
        fact = next(f for f in facts.actions if f.reference == reference)
        # Impact draws from its own stream, so the rest of the demonstration is unchanged by it.
        impact_rng = random.Random(f"{ctx.seed}:{reference}:impact")
        reporting = reports_impact(impact_rng)
        for position, step in enumerate(steps):
            impact = (
                report_impact(
                    impact_rng,
                    rag=step.rag,
                    status=step.status,
                    position=position,
                    steps=len(steps),
                    when=step.moment.date(),
                )
                if reporting
                else NO_IMPACT
            )
            ctx.at(
                step.moment,
                _counting(
                    ctx, "updates", _update(fact.reference, owner, step, writer, actors, impact)
                ),
            )
            if step.escalate:
                ctx.at(
                    step.moment + timedelta(hours=2),
                    _escalation(ctx, fact.reference, owner, writer),
                )


def _expect(ctx: _Context, action: Action, expected: str | None) -> None:
    """The demonstration plan states what each action is expected to change (audited as the
    administrator who set the plan up)."""
    if not expected or action.expected_impact:
        return
    action.expected_impact = expected
    record_change(
        ctx.session,
        actor=ctx.admin,
        entity="action",
        entity_id=action.id,
        entity_label=action.reference,
        field="expected_impact",
        old=None,
        new=expected,
    )


def _ensure_some(rng: random.Random, plans: list[list[Step]], *, rag: str, at_least: int) -> None:
    """However the dice fell, a board sees a few actions ending ``rag``: turn the last update
    of some open, Green actions to it (a demonstration with no Red shows nothing of the point)."""
    ending = sum(1 for steps in plans if steps and steps[-1].rag == rag)
    candidates = [steps for steps in plans if len(steps) >= 2 and steps[-1].rag == "green"]
    rng.shuffle(candidates)
    for steps in candidates[: max(0, at_least - ending)]:
        last = steps[-1]
        steps[-1] = Step(last.moment, rag, last.status, last.revised_due, last.escalate)


def _actor_for(session: Session, person_id: int | None, fallback: Actor) -> Actor:
    person = session.get(Person, person_id) if person_id is not None else None
    return build_actor(session, person) if person is not None else fallback


def _update(
    reference: str,
    owner_id: int | None,
    step: Step,
    writer: Writer,
    actors: dict[int, Actor],
    impact: ImpactReport,
) -> Callable[[Session, datetime], None]:
    def run(session: Session, moment: datetime) -> None:
        if owner_id is None:
            return
        action = get_action(session, reference)
        actor = actors.get(owner_id)
        if actor is None:
            actor = actors[owner_id] = actor_by_id(session, owner_id)
        day = moment.date()
        complete = step.status == "complete"
        form = UpdateForm(
            rag=step.rag,
            status=step.status,
            commentary=writer.closing_note(day)
            if complete
            else writer.commentary(rag=step.rag, when=day),
            path_to_green=writer.path_to_green(day) if step.rag in ("red", "amber") else None,
            next_steps=None if complete else writer.next_steps(day),
            revised_due_date=step.revised_due,
            due_date_reason=writer.due_date_reason() if step.revised_due else None,
            impact_rating=impact.rating,
            impact_evidence=impact.evidence,
            impact_voices=impact.voices,
            public_summary=impact.public_summary,
        )
        record_update(
            session,
            actor=actor,
            reference=reference,
            seen_version=action.version,
            form=form,
            now=moment,
        )

    return run


def _escalation(
    ctx: _Context, reference: str, owner_id: int | None, writer: Writer
) -> Callable[[Session, datetime], None]:
    def run(session: Session, moment: datetime) -> None:
        if ctx.counts.escalations >= MAX_ESCALATIONS:
            return
        actor = _actor_for(session, owner_id, ctx.admin)
        try:
            escalate_action(
                session,
                actor=actor,
                reference=reference,
                reason=writer.escalation_reason(),
                governance=ctx.governance,
                now=moment,
            )
        except EscalationError:
            return
        ctx.counts.escalations += 1

    return run


# --- papers and people ----------------------------------------------------------------------


def _plan_papers(ctx: _Context) -> None:
    for body in ctx.governance.bodies:
        if body.paper is None:
            continue
        row = ctx.session.exec(select(GovernanceBody).where(GovernanceBody.key == body.key)).first()
        if row is None or row.id is None:
            continue
        past = ctx.session.exec(
            select(Meeting)
            .where(
                Meeting.body_id == row.id,
                col(Meeting.cancelled).is_(False),
                col(Meeting.meeting_date) < ctx.today,
            )
            .order_by(col(Meeting.meeting_date))
        ).all()
        secretary = row.secretary_id
        for meeting in past[-PAPERS_PER_BOARD:]:
            deadline = meeting.paper_deadline or meeting.meeting_date
            moment = datetime.combine(deadline + timedelta(days=1), time(9, 30), tzinfo=UTC)
            if moment.date() >= ctx.today:
                continue
            ctx.at(
                moment,
                _counting(ctx, "papers", _paper(ctx, body.key, meeting.meeting_date, secretary)),
            )


def _paper(
    ctx: _Context, board_key: str, meeting_date: date, secretary_id: int | None
) -> Callable[[Session, datetime], None]:
    def run(session: Session, moment: datetime) -> None:
        generate_paper(
            session,
            actor=_actor_for(session, secretary_id, ctx.admin),
            governance=ctx.governance,
            governance_file=ctx.governance_file,
            board_ref=board_key,
            meeting_date=meeting_date,
            now=moment,
        )

    return run


def _mark_people_seen(ctx: _Context) -> None:
    """Most people have signed in at some point in the last month (the partner reps less so)."""
    start = datetime.combine(ctx.today - timedelta(days=30), time(8), tzinfo=UTC)
    for person in ctx.session.exec(select(Person).order_by(col(Person.id))).all():
        if ctx.rng.random() < 0.85:
            person.last_seen_at = start + timedelta(minutes=ctx.rng.randint(0, 29 * 24 * 60))
            ctx.session.add(person)
    ctx.session.flush()
