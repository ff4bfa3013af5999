"""Reminders and mail (administrators): the scheduler, what it will send, and what it sent.

Shows whether a scheduler is running (its heartbeat), the next scheduled runs (computed from
the same job definitions the scheduler uses, without starting one), a dry-run preview of what
a reminder run on a chosen day would send, the outbox with its states and filters, and the
failed messages with a button to queue them again. Nothing here sends mail directly: a retry
puts messages back in the outbox and the scheduler's dispatcher sends them within a minute.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from jobs.schedule import (
    DISPATCH_JOB,
    RELOAD_JOB,
    REMINDERS_JOB,
    build_job_specs,
    next_runs,
)
from tracker import clock
from tracker.db import session_scope
from tracker.permissions import Actor, Operation, PermissionDenied, require
from tracker.services.operations import list_job_runs, read_scheduler_status
from tracker.services.outbox import (
    STATES,
    OutboxEntry,
    count_outbox,
    list_outbox,
    read_message_text,
    retry_failed,
)
from tracker.services.reminders import (
    ALL_RULES,
    PreviewItem,
    build_mail_context,
    preview_reminders,
    render_text,
)
from tracker.ui.components import escape_markdown, format_moment
from tracker.ui.context import current_actor, engine, governance, settings, today
from tracker.ui.errors import showing_errors

RULE_LABELS = {
    "update_request": "Update request",
    "chaser": "Chaser",
    "escalation": "Escalation",
    "escalation_raised": "Escalation raised",
    "paper_ready": "Paper ready",
    "weekly_digest": "Weekly digest",
    "risk_review": "Risk review",
}
FLASH_KEY = "reminders.flash"


def _now() -> datetime:
    """Now on the app's day (``today()`` may be pinned for a demonstration)."""
    return clock.local_now(governance().partnership.zone)


def _show_scheduler() -> date:
    """The scheduler's heartbeat and next runs; returns the day of the next reminder run."""
    with session_scope(engine()) as session:
        status = read_scheduler_status(session, now=clock.now())
    if status is None or not status.alive:
        st.warning(
            "No scheduler is running, so no reminders or queued e-mail are being sent. "
            "Start one with `tracker scheduler` (one per database)."
            + (
                f" The last one stopped answering at {format_moment(status.expires_at)}."
                if status
                else ""
            )
        )
    else:
        st.success(
            f"Scheduler running on {escape_markdown(status.holder)} "
            f"since {format_moment(status.started_at)}."
        )
    specs = build_job_specs(governance())
    runs = [r for r in next_runs(specs, now=_now(), per_job=3) if r.job_id != RELOAD_JOB]
    shown = [r for r in runs if r.job_id != DISPATCH_JOB]
    st.dataframe(
        pd.DataFrame(
            {
                "Next run": [f"{r.at:%a %d %b %Y %H:%M}" for r in shown],
                "Job": [r.name for r in shown],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Queued e-mail is sent every minute, except between 01:00 and 03:00.")
    reminder_days = [r.at.date() for r in runs if r.job_id == REMINDERS_JOB]
    return reminder_days[0] if reminder_days else today()


def _preview_frame(items: list[PreviewItem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Rule": [RULE_LABELS[i.reminder.rule] for i in items],
            "To": [f"{i.reminder.recipient_name} <{i.reminder.recipient_email}>" for i in items],
            "Actions": [i.reminder.action_count for i in items],
            "Risks to review": [", ".join(r.reference for r in i.reminder.risks) for i in items],
            "Subject": [i.subject for i in items],
            "Outcome": [
                "Would send" if i.would_send else f"Already {i.outbox_state}" for i in items
            ],
        }
    )


def _show_preview(default_day: date) -> None:
    day = st.date_input(
        "Run the rules as of", value=default_day, key="reminders.preview.day", format="DD/MM/YYYY"
    )
    if not isinstance(day, date):
        return
    config = settings()
    with session_scope(engine()) as session:
        plan, items = preview_reminders(
            session, governance=governance(), app_url=config.app_url, today=day, rules=ALL_RULES
        )
    new = sum(item.would_send for item in items)
    st.caption(
        f"A run on {day:%A} {day.day} {day:%B %Y} would send {new} e-mails "
        f"({len(items) - new} already queued or sent). Nothing is sent from this preview."
    )
    for note in plan.notes:
        st.warning(escape_markdown(note))
    if not items:
        return
    st.dataframe(_preview_frame(items), hide_index=True, width="stretch")
    labels = [f"{RULE_LABELS[i.reminder.rule]} to {i.reminder.recipient_email}" for i in items]
    chosen = st.selectbox(
        "Read one", range(len(items)), format_func=labels.__getitem__, key="reminders.read"
    )
    if chosen is not None:
        context = build_mail_context(governance(), app_url=config.app_url)
        st.text(render_text(items[chosen].reminder, context))


def _outbox_frame(entries: list[OutboxEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Id": [e.id for e in entries],
            "State": [e.state.capitalize() for e in entries],
            "Rule": [RULE_LABELS.get(e.rule, e.rule) for e in entries],
            "To": [e.recipient_email for e in entries],
            "Subject": [e.subject for e in entries],
            "Attempts": [e.attempts for e in entries],
            "Queued": [format_moment(e.created_at) for e in entries],
            "Sent": [format_moment(e.sent_at) for e in entries],
            "Last error": [e.last_error or "" for e in entries],
        }
    )


def _show_outbox(actor: Actor) -> None:
    with session_scope(engine()) as session:
        counts = count_outbox(session)
    for column, name in zip(st.columns(len(STATES)), STATES, strict=True):
        column.metric(name.capitalize(), counts[name])
    left, middle, right = st.columns(3)
    state = left.selectbox(
        "State",
        [None, *STATES],
        key="reminders.outbox.state",
        format_func=lambda s: "Any" if s is None else str(s).capitalize(),
    )
    rule = middle.selectbox(
        "Rule",
        [None, *RULE_LABELS],
        format_func=lambda r: "Any" if r is None else RULE_LABELS[r],
        key="reminders.outbox.rule",
    )
    search = right.text_input("Recipient or subject", key="reminders.outbox.search")
    with session_scope(engine()) as session:
        entries = list_outbox(session, actor=actor, state=state, rule=rule, search=search or None)
    st.dataframe(_outbox_frame(entries), hide_index=True, width="stretch", height=320)
    if entries:
        ids = [e.id for e in entries]
        shown = st.selectbox("Read message", ids, key="reminders.outbox.read")
        if shown is not None:
            with session_scope(engine()) as session:
                st.text(read_message_text(session, actor=actor, message_id=shown))


def _retry(actor: Actor, *, ids: list[int] | None) -> None:
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        retried = retry_failed(
            session,
            actor=actor,
            now=clock.now(),
            ids=ids or (),
            all_failed=ids is None,
        )
    if outcome.failed:
        return
    st.session_state[FLASH_KEY] = f"{len(retried)} messages queued again; they go within a minute."
    st.rerun()


def _show_failures(actor: Actor) -> None:
    with session_scope(engine()) as session:
        failed = list_outbox(session, actor=actor, state="failed", limit=500)
    if not failed:
        st.caption("No failed messages.")
        return
    st.dataframe(
        _outbox_frame(failed)[["Id", "Rule", "To", "Subject", "Attempts", "Last error"]],
        hide_index=True,
        width="stretch",
    )
    chosen = st.multiselect("Messages to retry", [e.id for e in failed], key="reminders.retry")
    left, right = st.columns(2)
    if left.button("Retry selected", disabled=not chosen, icon=":material/replay:"):
        _retry(actor, ids=list(chosen))
    if right.button(f"Retry all {len(failed)} failed", icon=":material/restart_alt:"):
        _retry(actor, ids=None)


def _show_job_runs() -> None:
    with session_scope(engine()) as session:
        runs = list_job_runs(session, limit=30)
    if not runs:
        st.caption("No job has run yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Job": [r.job_id for r in runs],
                "Started": [format_moment(r.started_at) for r in runs],
                "Result": [
                    r.error or ", ".join(f"{k} {v}" for k, v in r.counts.items() if v) or "nothing"
                    for r in runs
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def main() -> None:
    st.title("Reminders and mail", anchor=False)
    actor = current_actor()
    try:
        require(actor, Operation.MANAGE_MAIL)
    except PermissionDenied as exc:
        st.error(escape_markdown(str(exc)))
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(escape_markdown(flash), icon=":material/check_circle:")
    st.subheader("Scheduler", anchor=False)
    next_day = _show_scheduler()
    st.subheader("What the next run would send", anchor=False)
    _show_preview(next_day)
    st.subheader("Outbox", anchor=False)
    _show_outbox(actor)
    st.subheader("Failed messages", anchor=False)
    _show_failures(actor)
    with st.expander("Recent job runs"):
        _show_job_runs()
    st.caption(
        f"Scheduled times are UK local time; reminders go at "
        f"{governance().update_cycle.send_time} on working days."
    )


main()
