"""Reminders: the facts they need, the five rules, rendering each e-mail, and one run.

``plan_reminders`` decides who should be told what on a day (pure, over loaded facts);
``render_reminder`` turns a decision into an e-mail; ``queue_due_reminders`` writes due e-mails to
the outbox and ``send_queued_mail`` dispatches them. Risk owners' risks due for review ride in
the same e-mail as their action reminders that day (or one of their own).
"""

from tracker.services.reminders._facts import BoardCycle, load_reminder_facts
from tracker.services.reminders._render import (
    MAX_LINES,
    MailContext,
    action_link,
    render_for_outbox,
    render_reminder,
    render_text,
    risk_link,
)
from tracker.services.reminders._rules import (
    ALL_RULES,
    CYCLE_RULES,
    PlannedReminder,
    ReminderLine,
    ReminderPlan,
    ReminderSection,
    RiskLine,
    RuleName,
    plan_reminders,
)
from tracker.services.reminders._run import (
    PreviewItem,
    build_mail_context,
    preview_reminders,
    queue_due_reminders,
    send_queued_mail,
)

__all__ = [
    "ALL_RULES",
    "CYCLE_RULES",
    "MAX_LINES",
    "BoardCycle",
    "MailContext",
    "PlannedReminder",
    "PreviewItem",
    "ReminderLine",
    "ReminderPlan",
    "ReminderSection",
    "RiskLine",
    "RuleName",
    "action_link",
    "build_mail_context",
    "load_reminder_facts",
    "plan_reminders",
    "preview_reminders",
    "queue_due_reminders",
    "render_for_outbox",
    "render_reminder",
    "render_text",
    "risk_link",
    "send_queued_mail",
]
