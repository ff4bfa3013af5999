"""One reminder run end to end, as the scheduler, ``tracker remind`` and the admin page do it.

``queue_due_reminders`` plans what the rules say is due, renders each e-mail and writes it to
the outbox in one transaction (keys already there are skipped); ``send_queued_mail`` then
dispatches through the configured transport. ``preview_reminders`` is the dry run: the same
plan and subjects, each marked with its outbox state if it was already queued or sent, and
nothing written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from tracker.config import Settings
from tracker.db import session_scope
from tracker.governance import GovernanceConfig
from tracker.mail.protocol import MailTransport
from tracker.models import Risk
from tracker.services.outbox import (
    Clock,
    DispatchPolicy,
    DispatchReport,
    dispatch_outbox,
    enqueue_messages,
    find_states,
    utc_now,
)
from tracker.services.reminders._render import MailContext, render_for_outbox, render_reminder
from tracker.services.reminders._rules import (
    ALL_RULES,
    PlannedReminder,
    ReminderPlan,
    RuleName,
    plan_reminders,
)


def build_mail_context(governance: GovernanceConfig, *, app_url: str) -> MailContext:
    """What every e-mail says besides its content, from the governance file and settings."""
    partnership = governance.partnership
    return MailContext(
        app_url=app_url,
        partnership=partnership.name,
        contact_name=partnership.contact_name,
        contact_email=str(partnership.contact_email),
        rag_labels={entry.code: entry.label for entry in governance.rag},
    )


@dataclass(frozen=True)
class QueuedRun:
    plan: ReminderPlan
    added: int
    already_queued: int

    def counts(self) -> dict[str, int]:
        return {
            "planned": len(self.plan.reminders),
            "queued": self.added,
            "already_queued": self.already_queued,
            **{f"planned_{rule}": n for rule, n in self.plan.count_by_rule().items()},
        }


def queue_due_reminders(
    engine: Engine,
    *,
    governance: GovernanceConfig,
    app_url: str,
    today: date,
    now: datetime,
    rules: Sequence[RuleName] = ALL_RULES,
) -> QueuedRun:
    """Plan, render and queue everything due on ``today``; a rerun queues nothing new."""
    context = build_mail_context(governance, app_url=app_url)
    with session_scope(engine, write=True) as session:
        plan = plan_reminders(
            session, config=governance.update_cycle.reminders, today=today, rules=rules
        )
        messages = render_for_outbox(plan.reminders, context=context)
        report = enqueue_messages(session, messages=messages, now=now)
        _mark_risks_reminded(session, plan.reminders, today=today)
    return QueuedRun(plan=plan, added=report.added, already_queued=report.already_queued)


def _mark_risks_reminded(
    session: Session, reminders: Sequence[PlannedReminder], *, today: date
) -> None:
    """Note, in the run's transaction, that the risks listed were put before their owners
    today, so the review is chased at governance's interval rather than daily."""
    ids = sorted({line.risk_id for reminder in reminders for line in reminder.risks})
    for start in range(0, len(ids), 500):
        session.execute(
            update(Risk)
            .where(col(Risk.id).in_(ids[start : start + 500]))
            .values(review_reminded_on=today)
        )


def send_queued_mail(
    engine: Engine,
    *,
    settings: Settings,
    transport: MailTransport,
    reply_to: str | None,
    clock: Clock = utc_now,
    max_batches: int | None = None,
) -> DispatchReport:
    """Dispatch the outbox with the limits in ``settings`` (attempts) and its sender's domain."""
    return dispatch_outbox(
        engine,
        transport=transport,
        domain=settings.mail_from.rpartition("@")[2],
        reply_to=reply_to,
        policy=DispatchPolicy(max_attempts=settings.mail_max_attempts),
        clock=clock,
        max_batches=max_batches,
    )


@dataclass(frozen=True)
class PreviewItem:
    reminder: PlannedReminder
    subject: str
    outbox_state: str | None  # None: not queued yet, so a run would send it

    @property
    def would_send(self) -> bool:
        return self.outbox_state is None


def preview_reminders(
    session: Session,
    *,
    governance: GovernanceConfig,
    app_url: str,
    today: date,
    rules: Sequence[RuleName] = ALL_RULES,
) -> tuple[ReminderPlan, list[PreviewItem]]:
    """What a run on ``today`` would send, without writing anything."""
    context = build_mail_context(governance, app_url=app_url)
    plan = plan_reminders(
        session, config=governance.update_cycle.reminders, today=today, rules=rules
    )
    states = find_states(session, keys=[r.dedupe_key for r in plan.reminders])
    items = [
        PreviewItem(
            reminder=reminder,
            subject=render_reminder(reminder, context=context).subject,
            outbox_state=states.get(reminder.dedupe_key),
        )
        for reminder in plan.reminders
    ]
    return plan, items
