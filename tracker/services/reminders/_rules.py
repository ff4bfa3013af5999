"""The five reminder rules: who should be told what on a given day.

1. *Update request*: when a board's update window opens, one e-mail per owner listing their
   open actions reported to that board that have not been updated since the window opened.
2. *Chaser*: N working days before the paper deadline, the same to owners still not updated.
3. *Escalation*: after the deadline, to each workstream lead, the actions of their workstream
   still missing an update.
4. *Weekly digest*: to every executive, the overdue and Red actions.
5. *Paper ready*: after the deadline, to the board's secretary, how many actions were updated
   and which are missing.

Each rule reads the facts when it runs and returns ``PlannedReminder`` values, plain data saying
what would be sent; rendering (``mail_render``) and queueing (``outbox``) are the caller's, so a
dry run is the same code without the last step. Every reminder carries a dedupe key (rule,
recipient, board, meeting; for the digest the ISO week), and the outbox refuses a key it has
seen, so running the rules again sends nothing twice.

Catch-up: a rule is not tied to the day it first falls due but to a *due period*, and a run on
any day inside it plans the reminder (which the dedupe key lets through once). The periods:
update request from the window opening until the day before the chaser; chaser until the paper
deadline; escalation and paper-ready notice from N working days after the deadline (at least
the first working day after it, as owners may update on the deadline day itself) until the
meeting; digest from its weekday until the end of that ISO week. A scheduler down for three days
therefore sends, when it returns, only the newest reminder still due, not one per missed day;
the request and the chaser never both go to one owner for one meeting on the same run.

Actions count for a cycle when they are open and due to have started by the paper deadline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from sqlmodel import Session

from tracker.calendar import add_working_days, working_days_before
from tracker.governance import ReminderRule, RemindersConfig
from tracker.models import ActionStatus
from tracker.rules import OnTrack, days_overdue, is_not_updated, on_track_share
from tracker.rules.risks import review_falls_due, review_reminder_due
from tracker.services.outbox import find_states, make_dedupe_key
from tracker.services.reminders._facts import (
    ActionFact,
    BoardCycle,
    PersonFact,
    ReminderFacts,
    RiskFact,
    load_reminder_facts,
)

RuleName = Literal[
    "update_request", "chaser", "escalation", "weekly_digest", "paper_ready", "risk_review"
]
ALL_RULES: tuple[RuleName, ...] = (
    "update_request",
    "chaser",
    "escalation",
    "paper_ready",
    "weekly_digest",
    "risk_review",
)
# The rules the daily reminders job runs (the weekly digest has its own job). Risk reviews run
# with them so a risk owner's risks ride in the same e-mail as their actions that day.
CYCLE_RULES: tuple[RuleName, ...] = (
    "update_request",
    "chaser",
    "escalation",
    "paper_ready",
    "risk_review",
)
# The reminders a risk owner's risks are merged into, in order of preference: their own actions
# first, then whatever else the daily job sends them; only if none, an e-mail of its own. (The
# weekly digest has its own job, so it is not a host: the preview would otherwise differ from
# what the jobs send.)
_RISK_HOSTS: tuple[RuleName, ...] = ("update_request", "chaser", "escalation", "paper_ready")
RED_NOT_OVERDUE = "Actions rated Red, not overdue"
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}


@dataclass(frozen=True)
class ReminderLine:
    """One action as a reminder lists it."""

    reference: str
    title: str
    rag: str | None
    status: str
    due_date: date | None
    days_overdue: int | None
    last_updated: date | None
    owner: str | None
    # The weekly digest gives these for Red actions, so an executive reads why and what next.
    commentary: str | None = None
    path_to_green: str | None = None


@dataclass(frozen=True)
class RiskLine:
    """One risk due (or overdue) for review, as a reminder lists it."""

    risk_id: int
    reference: str
    title: str
    likelihood: int
    impact: int
    next_review: date
    days_overdue: int | None  # None: due, not yet past its review date

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class ReminderSection:
    heading: str
    lines: tuple[ReminderLine, ...]


@dataclass(frozen=True)
class PlannedReminder:
    """One e-mail a rule wants sent: to whom, about which board meeting, listing what."""

    rule: RuleName
    dedupe_key: str
    recipient_id: int
    recipient_email: str
    recipient_name: str
    sections: tuple[ReminderSection, ...]
    cycle: BoardCycle | None = None
    total_actions: int = 0  # paper ready: how many actions the board's paper covers
    on_track: OnTrack | None = None  # weekly digest: the overview's "on track, of rated"
    # The recipient's own risks due or overdue for review, merged into this e-mail.
    risks: tuple[RiskLine, ...] = ()

    @property
    def action_count(self) -> int:
        return sum(len(section.lines) for section in self.sections)


@dataclass(frozen=True)
class ReminderPlan:
    """Everything due on ``today``, and why some things that are due cannot be sent."""

    today: date
    reminders: tuple[PlannedReminder, ...]
    notes: tuple[str, ...]

    def count_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ALL_RULES, 0)
        for reminder in self.reminders:
            counts[reminder.rule] += 1
        return counts


class PlanNotes:
    """Problems worth an administrator's eye, each said once."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}

    def add(self, text: str) -> None:
        self.items.setdefault(text, None)


# --- due periods --------------------------------------------------------------------------


def chaser_day(cycle: BoardCycle, rule: ReminderRule) -> date:
    """The day the chaser falls due: N working days before the deadline, after the window opens."""
    day = working_days_before(cycle.paper_deadline, rule.working_days_before_deadline)
    return max(day, add_working_days(cycle.window_opens, 1))


def after_deadline_day(cycle: BoardCycle, rule: ReminderRule) -> date:
    """N working days after the deadline; never the deadline day, which is still open."""
    return add_working_days(cycle.paper_deadline, max(rule.working_days_after_deadline, 1))


def _request_period(cycle: BoardCycle, config: RemindersConfig) -> tuple[date, date]:
    if config.chaser.enabled:
        chase = chaser_day(cycle, config.chaser)
        if chase <= cycle.paper_deadline:
            return cycle.window_opens, chase - timedelta(days=1)
    return cycle.window_opens, cycle.paper_deadline


def _after_period(cycle: BoardCycle, rule: ReminderRule) -> tuple[date, date]:
    first = after_deadline_day(cycle, rule)
    return first, max(first, cycle.meeting)


def weekly_digest_due(today: date, rule: ReminderRule) -> bool:
    return today.weekday() >= WEEKDAYS[rule.day_of_week]


# --- building blocks ----------------------------------------------------------------------


def _line(
    action: ActionFact, facts: ReminderFacts, today: date, *, notes: bool = False
) -> ReminderLine:
    """The action as a reminder lists it; with ``notes``, its commentary and path to green."""
    owner = facts.person(action.owner_id)
    return ReminderLine(
        reference=action.reference,
        title=action.title,
        rag=action.rag,
        status=action.status,
        due_date=action.due_date,
        days_overdue=_days_overdue(action, today),
        last_updated=None if action.last_updated_at is None else action.last_updated_at.date(),
        owner=owner.name if owner else None,
        commentary=action.latest_commentary if notes else None,
        path_to_green=action.path_to_green if notes else None,
    )


def _days_overdue(action: ActionFact, today: date) -> int | None:
    return days_overdue(
        due_date=action.due_date,
        status=action.status,
        today=today,
        due_confirmed=action.planning_confirmed,
    )


def _in_scope(facts: ReminderFacts, cycle: BoardCycle) -> list[ActionFact]:
    """The open actions of a board's cycle: those due to have started by its paper deadline."""
    return [
        a
        for a in facts.open_by_board.get(cycle.board_id, ())
        if a.start_date is None or a.start_date <= cycle.paper_deadline
    ]


def _missing(facts: ReminderFacts, cycle: BoardCycle) -> list[ActionFact]:
    """The actions of the cycle not updated since its window opened, in reference order."""
    return [
        a
        for a in _in_scope(facts, cycle)
        if is_not_updated(
            last_updated=a.last_updated_at, cycle_start=cycle.window_opens, status=a.status
        )
    ]


def _recipient(
    facts: ReminderFacts, person_id: int | None, notes: PlanNotes, why: str
) -> PersonFact | None:
    person = facts.person(person_id)
    if person is None:
        notes.add(f"{why}: nobody to send it to")
        return None
    if not person.active:
        notes.add(f"{why}: {person.name} <{person.email}> is inactive")
        return None
    return person


def _per_cycle_reminder(
    rule: RuleName, person: PersonFact, cycle: BoardCycle, section: ReminderSection, total: int = 0
) -> PlannedReminder:
    return PlannedReminder(
        rule=rule,
        dedupe_key=make_dedupe_key(rule, person.email, cycle.board_key, cycle.meeting.isoformat()),
        recipient_id=person.id,
        recipient_email=person.email,
        recipient_name=person.name,
        sections=(section,),
        cycle=cycle,
        total_actions=total,
    )


# --- the rules ----------------------------------------------------------------------------


def _owner_reminders(
    rule: RuleName, facts: ReminderFacts, cycle: BoardCycle, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    by_owner: dict[int | None, list[ActionFact]] = defaultdict(list)
    for action in _missing(facts, cycle):
        by_owner[action.owner_id].append(action)
    planned = []
    for owner_id, actions in by_owner.items():
        refs = ", ".join(a.reference for a in actions)
        why = f"{cycle.board} {cycle.meeting}: {rule.replace('_', ' ')} for {refs}"
        person = _recipient(facts, owner_id, notes, why)
        if person is None:
            continue
        lines = tuple(_line(a, facts, today) for a in actions)
        section = ReminderSection("Actions to update", lines)
        planned.append(_per_cycle_reminder(rule, person, cycle, section))
    return planned


def plan_update_requests(
    facts: ReminderFacts, *, config: RemindersConfig, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    """Rule 1: owners asked to update, from the window opening until the chaser takes over."""
    planned: list[PlannedReminder] = []
    for cycle in facts.cycles:
        first, last = _request_period(cycle, config)
        if first <= today <= last:
            planned += _owner_reminders("update_request", facts, cycle, today, notes)
    return planned


def plan_chasers(
    facts: ReminderFacts, *, config: RemindersConfig, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    """Rule 2: owners still not updated, from N working days before the deadline."""
    planned: list[PlannedReminder] = []
    for cycle in facts.cycles:
        if chaser_day(cycle, config.chaser) <= today <= cycle.paper_deadline:
            planned += _owner_reminders("chaser", facts, cycle, today, notes)
    return planned


def plan_escalations(
    facts: ReminderFacts, *, config: RemindersConfig, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    """Rule 3: each workstream lead told which of their actions missed the deadline."""
    planned: list[PlannedReminder] = []
    for cycle in facts.cycles:
        first, last = _after_period(cycle, config.escalation)
        if not first <= today <= last:
            continue
        by_lead: dict[int | None, list[ActionFact]] = defaultdict(list)
        for action in _missing(facts, cycle):
            workstream = facts.workstreams.get(action.workstream_id or 0)
            by_lead[workstream.lead_id if workstream else None].append(action)
        for lead_id, actions in by_lead.items():
            refs = ", ".join(a.reference for a in actions)
            why = f"{cycle.board} {cycle.meeting}: escalation of missing updates ({refs})"
            lead = _recipient(facts, lead_id, notes, f"{why}, no workstream lead")
            if lead is None:
                continue
            lines = tuple(_line(a, facts, today) for a in actions)
            section = ReminderSection("Missing updates", lines)
            planned.append(_per_cycle_reminder("escalation", lead, cycle, section))
    return planned


def plan_paper_ready(
    facts: ReminderFacts, *, config: RemindersConfig, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    """Rule 5: the board's secretary told the window has closed, and what is missing."""
    planned: list[PlannedReminder] = []
    for cycle in facts.cycles:
        first, last = _after_period(cycle, config.paper_ready)
        if not first <= today <= last:
            continue
        why = f"{cycle.board} {cycle.meeting}: paper-ready notice, no secretary"
        secretary = _recipient(facts, facts.secretaries.get(cycle.board_id), notes, why)
        if secretary is None:
            continue
        lines = tuple(_line(a, facts, today) for a in _missing(facts, cycle))
        section = ReminderSection("Missing updates", lines)
        total = len(_in_scope(facts, cycle))
        planned.append(_per_cycle_reminder("paper_ready", secretary, cycle, section, total))
    return planned


def plan_weekly_digests(
    facts: ReminderFacts, *, config: RemindersConfig, today: date, notes: PlanNotes
) -> list[PlannedReminder]:
    """Rule 4: every executive gets this week's overdue and Red actions, each action once: a
    Red action that is also overdue is listed (with its RAG) under overdue only."""
    if not weekly_digest_due(today, config.weekly_digest):
        return []
    late = [a for a in facts.open_actions if _days_overdue(a, today) is not None]
    overdue = sorted(
        (_line(a, facts, today, notes=a.rag == "red") for a in late),
        key=lambda line: -(line.days_overdue or 0),  # stable: reference order within a day
    )
    listed = {a.reference for a in late}
    red = [
        _line(a, facts, today, notes=True)
        for a in facts.open_actions
        if a.rag == "red" and a.reference not in listed
    ]
    sections = (
        ReminderSection("Overdue actions", tuple(overdue)),
        ReminderSection(RED_NOT_OVERDUE, tuple(red)),
    )
    year, week, _ = today.isocalendar()
    share = digest_on_track(facts)
    planned = []
    for person_id in facts.executives:
        person = _recipient(facts, person_id, notes, "weekly digest")
        if person is None:
            continue
        planned.append(
            PlannedReminder(
                rule="weekly_digest",
                dedupe_key=make_dedupe_key("weekly_digest", person.email, f"{year}-W{week:02d}"),
                recipient_id=person.id,
                recipient_email=person.email,
                recipient_name=person.name,
                sections=sections,
                on_track=share,
            )
        )
    return planned


def digest_on_track(facts: ReminderFacts) -> OnTrack:
    """The overview's "on track" (the one rule): Green or Blue of the rated actions, withdrawn
    actions left out, so the digest and the overview, papers and ``tracker status`` agree."""
    counts: dict[str, int] = defaultdict(int)
    for action in facts.actions:
        if action.status != ActionStatus.WITHDRAWN.value and action.rag:
            counts[action.rag] += 1
    return on_track_share(counts)


# --- risk reviews -------------------------------------------------------------------------


def _risk_line(risk: RiskFact, today: date) -> RiskLine:
    late = (today - risk.next_review).days
    return RiskLine(
        risk_id=risk.id,
        reference=risk.reference,
        title=risk.title,
        likelihood=risk.likelihood,
        impact=risk.impact,
        next_review=risk.next_review,
        days_overdue=late if late > 0 else None,
    )


def _risk_host(
    reminders: Sequence[PlannedReminder], person_id: int, queued: Collection[str]
) -> int | None:
    """The index of the e-mail the person's risks ride in: one not yet queued, their own
    action reminders first."""
    for rule in _RISK_HOSTS:
        for index, reminder in enumerate(reminders):
            if (
                reminder.rule == rule
                and reminder.recipient_id == person_id
                and reminder.dedupe_key not in queued
                and not reminder.risks
            ):
                return index
    return None


def attach_risk_reviews(
    reminders: Sequence[PlannedReminder],
    facts: ReminderFacts,
    *,
    config: RemindersConfig,
    today: date,
    notes: PlanNotes,
    queued: Collection[str] = (),
) -> list[PlannedReminder]:
    """Risk reviews: each owner's open risks due or overdue for review, merged into the e-mail
    the owner is sent today anyway (one e-mail per person per day), else an e-mail of their
    own, but only when a review falls due or is due a chase (``review_reminder_due``), so a
    risk's owner is not mailed every day about the same overdue review. ``queued`` are the
    dedupe keys already in the outbox: risks are never merged into an e-mail already sent."""
    rule = config.risk_review
    due: dict[int, list[RiskFact]] = defaultdict(list)
    to_remind: set[int] = set()
    for risk in facts.risks:
        if not review_falls_due(
            next_review=risk.next_review, today=today, days_before=rule.days_before_review
        ):
            continue
        due[risk.owner_id].append(risk)
        if review_reminder_due(
            next_review=risk.next_review,
            reminded_on=risk.reminded_on,
            today=today,
            days_before=rule.days_before_review,
            repeat_every_days=rule.repeat_every_days,
        ):
            to_remind.add(risk.owner_id)
    planned = list(reminders)
    for owner_id, risks in due.items():
        lines = tuple(_risk_line(r, today) for r in risks)
        host = _risk_host(planned, owner_id, queued)
        if host is not None:
            planned[host] = replace(planned[host], risks=lines)
            continue
        if owner_id not in to_remind:
            continue
        refs = ", ".join(r.reference for r in risks)
        person = _recipient(facts, owner_id, notes, f"risk review of {refs}")
        if person is None:
            continue
        planned.append(
            PlannedReminder(
                rule="risk_review",
                dedupe_key=make_dedupe_key("risk_review", person.email, today.isoformat()),
                recipient_id=person.id,
                recipient_email=person.email,
                recipient_name=person.name,
                sections=(),
                risks=lines,
            )
        )
    return planned


_Planner = Callable[..., list[PlannedReminder]]
_PLANNERS: dict[RuleName, _Planner] = {
    "update_request": plan_update_requests,
    "chaser": plan_chasers,
    "escalation": plan_escalations,
    "paper_ready": plan_paper_ready,
    "weekly_digest": plan_weekly_digests,
}


def _plan_rules(
    facts: ReminderFacts,
    *,
    config: RemindersConfig,
    today: date,
    rules: Sequence[RuleName],
    notes: PlanNotes,
) -> list[PlannedReminder]:
    reminders: list[PlannedReminder] = []
    for rule in rules:
        if rule in _PLANNERS and getattr(config, rule).enabled:
            reminders += _PLANNERS[rule](facts, config=config, today=today, notes=notes)
    return reminders


def _with_risks(
    reminders: list[PlannedReminder],
    facts: ReminderFacts,
    *,
    config: RemindersConfig,
    today: date,
    rules: Sequence[RuleName],
    notes: PlanNotes,
    queued: Collection[str],
) -> ReminderPlan:
    if "risk_review" in rules and config.risk_review.enabled:
        reminders = attach_risk_reviews(
            reminders, facts, config=config, today=today, notes=notes, queued=queued
        )
    return ReminderPlan(today=today, reminders=tuple(reminders), notes=tuple(notes.items))


def plan_from_facts(
    facts: ReminderFacts,
    *,
    config: RemindersConfig,
    today: date,
    rules: Sequence[RuleName] = ALL_RULES,
    queued: Collection[str] = (),
) -> ReminderPlan:
    """Run the enabled ``rules`` over ``facts``; pure, for tests and benchmarks. ``queued``:
    dedupe keys already in the outbox (risk reviews are not merged into those e-mails)."""
    notes = PlanNotes()
    reminders = _plan_rules(facts, config=config, today=today, rules=rules, notes=notes)
    return _with_risks(
        reminders, facts, config=config, today=today, rules=rules, notes=notes, queued=queued
    )


def plan_reminders(
    session: Session,
    *,
    config: RemindersConfig,
    today: date,
    rules: Sequence[RuleName] = ALL_RULES,
) -> ReminderPlan:
    """Everything the enabled ``rules`` say is due on ``today``, read from the database now."""
    facts = load_reminder_facts(session, today=today)
    notes = PlanNotes()
    reminders = _plan_rules(facts, config=config, today=today, rules=rules, notes=notes)
    queued = find_states(session, keys=[r.dedupe_key for r in reminders])
    return _with_risks(
        reminders, facts, config=config, today=today, rules=rules, notes=notes, queued=queued
    )
