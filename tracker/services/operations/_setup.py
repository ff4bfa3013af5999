"""The administrator's setup checklist: what a fresh install still needs before it is real.

Six items, each with its state in a sentence and the next thing to do: the governance file
(the partnership's own, valid, with paper settings that work), people signed in (n of m), the
plan imported or its seeded details confirmed (n of all actions), every board's next meeting
date, a test e-mail that went through the outbox, and sign-in through Microsoft Entra ID. The
page gathers the few facts only the web app knows (is sign-in configured in its secrets) and
passes them in; everything else is read here, in one session. ``queue_test_email`` puts the
"send me a test e-mail" message in the outbox, which the scheduler delivers like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker import clock
from tracker.clock import partnership_zone
from tracker.formatting import format_timestamp
from tracker.governance import GovernanceError, load_governance
from tracker.models import GovernanceBody, Meeting, OutboxMessage, OutboxState, Person
from tracker.permissions import Actor, Operation, require
from tracker.services.actions import (
    UnconfirmedAction,
    count_confirmed,
    list_unconfirmed_actions,
)
from tracker.services.operations._site import is_demo
from tracker.services.outbox import NewMessage, enqueue_messages
from tracker.services.papers import check_paper_settings

TEST_RULE = "setup_test"
NAMES_SHOWN = 5


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    done: bool
    state: str  # where things stand, in a sentence
    next_step: str  # what to do about it (or what to keep an eye on, when done)


@dataclass(frozen=True)
class SetupChecklist:
    items: tuple[ChecklistItem, ...]
    unconfirmed: tuple[UnconfirmedAction, ...]
    demo: bool

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


@dataclass(frozen=True)
class SignIn:
    """How the app signs people in, as the web app sees it."""

    mode: str  # "entra" or "dev"
    configured: bool  # Entra ID settings present in .streamlit/secrets.toml


def packaged_governance_file() -> Path:
    return Path(str(resources.files("tracker") / "data" / "governance.yaml"))


def build_setup_checklist(
    session: Session,
    *,
    actor: Actor,
    governance_file: Path,
    sign_in: SignIn,
    mail_transport: str,
    today: date,
) -> SetupChecklist:
    """Everything the setup checklist page shows, from one session."""
    require(actor, Operation.MANAGE_ACTIONS, what="the setup checklist")
    items = (
        _governance_item(governance_file),
        _people_item(session),
        _plan_item(session),
        _meetings_item(session, governance_file, today),
        _mail_item(session, actor, mail_transport),
        _sign_in_item(sign_in),
    )
    unconfirmed = tuple(list_unconfirmed_actions(session))
    return SetupChecklist(items=items, unconfirmed=unconfirmed, demo=is_demo(session))


def _governance_item(path: Path) -> ChecklistItem:
    title = "Governance checked"
    try:
        config = load_governance(path)
    except GovernanceError as exc:
        first = str(exc).splitlines()[0]
        return ChecklistItem("governance", title, False, f"{path} has errors: {first}", _CHECK)
    problems = check_paper_settings(config, governance_file=path)
    if problems:
        return ChecklistItem("governance", title, False, f"Paper settings: {problems[0]}", _CHECK)
    if path.resolve() == packaged_governance_file().resolve():
        return ChecklistItem(
            "governance",
            title,
            False,
            "The tracker is using the example governance file it ships with.",
            "Copy it to ./governance.yaml (or set TRACKER_GOVERNANCE_FILE), put in your "
            "partnership's people, boards and meeting calendar, then run “tracker check”.",
        )
    return ChecklistItem(
        "governance",
        title,
        True,
        f"{path.name} is valid: {len(config.bodies)} bodies, {len(config.people)} people.",
        "After editing it, run “tracker check” and restart the app.",
    )


_CHECK = "Run “tracker check” to see every mistake with its line, fix them and restart the app."


def _people_item(session: Session) -> ChecklistItem:
    active = session.exec(
        select(Person.name, Person.last_seen_at)
        .where(col(Person.active))
        .order_by(col(Person.name))
    ).all()
    waiting = [name for name, seen in active if seen is None]
    signed_in = len(active) - len(waiting)
    state = f"{signed_in} of {len(active)} people have signed in."
    if not waiting:
        return ChecklistItem("people", "People signed in", True, state, "Nothing to do.")
    names = ", ".join(waiting[:NAMES_SHOWN])
    more = f" and {len(waiting) - NAMES_SHOWN} more" if len(waiting) > NAMES_SHOWN else ""
    return ChecklistItem(
        "people",
        "People signed in",
        False,
        state,
        f"Send the tracker's address to those who have not signed in yet: {names}{more}. "
        "Check their e-mail addresses on People and roles.",
    )


def _plan_item(session: Session) -> ChecklistItem:
    counts = count_confirmed(session)
    state = (
        f"{counts.confirmed} of {counts.total} actions have confirmed owners, lead "
        "organisations and dates."
    )
    if counts.complete:
        return ChecklistItem("plan", "Plan imported or confirmed", True, state, "Nothing to do.")
    return ChecklistItem(
        "plan",
        "Plan imported or confirmed",
        False,
        state,
        "Import your action plan on Import and export, or check the seeded details below and "
        "confirm them (all at once or action by action). Until then their due dates show "
        '"to confirm" and are never reported overdue.',
    )


def _meetings_item(session: Session, governance_file: Path, today: date) -> ChecklistItem:
    try:
        config = load_governance(governance_file)
    except GovernanceError:
        boards: list[str] = []
    else:
        boards = [b.key for b in config.bodies if b.paper is not None]
    next_meeting = dict(
        session.exec(
            select(GovernanceBody.name, func.min(Meeting.meeting_date))
            .join(Meeting, col(Meeting.body_id) == col(GovernanceBody.id))
            .where(
                col(GovernanceBody.key).in_(boards),
                col(Meeting.meeting_date) >= today,
                col(Meeting.cancelled).is_(False),
            )
            .group_by(col(GovernanceBody.name))
        ).all()
    )
    names = session.exec(
        select(GovernanceBody.name)
        .where(col(GovernanceBody.key).in_(boards))
        .order_by(col(GovernanceBody.sort_order))
    ).all()
    missing = [name for name in names if name not in next_meeting]
    if not names:
        return ChecklistItem(
            "meetings",
            "First meeting dates",
            False,
            "No board in governance.yaml has paper settings.",
            "Give each board that receives a paper a “paper:” section and a “calendar:”.",
        )
    listed = "; ".join(
        f"{name} {next_meeting[name]:%-d %b %Y}" for name in names if name in next_meeting
    )
    if missing:
        return ChecklistItem(
            "meetings",
            "First meeting dates",
            False,
            f"No coming meeting for {', '.join(missing)}.",
            "Add their meeting dates to governance.yaml (calendar.dates or calendar.rrule).",
        )
    return ChecklistItem(
        "meetings",
        "First meeting dates",
        True,
        f"Next meetings: {listed}.",
        "Check these are the boards' real dates; reminders are timed from them.",
    )


def _latest_test_email(session: Session, actor: Actor) -> OutboxMessage | None:
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.rule == TEST_RULE, OutboxMessage.recipient_id == actor.person_id)
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
    ).first()


def _mail_item(session: Session, actor: Actor, transport: str) -> ChecklistItem:
    title = "Mail transport tested"
    latest = _latest_test_email(session, actor)
    via = f"Mail goes out by {transport}."
    if latest is None:
        return ChecklistItem(
            "mail", title, False, f"{via} No test e-mail sent yet.", _SEND_TEST.format(actor.email)
        )
    if latest.state == OutboxState.SENT.value:
        when = latest.sent_at.astimezone(UTC) if latest.sent_at else latest.created_at
        return ChecklistItem(
            "mail",
            title,
            True,
            f"{via} The test e-mail to {latest.recipient_email} was sent on {when:%-d %b %Y}.",
            "Check it arrived (and not in junk mail).",
        )
    if latest.state == OutboxState.FAILED.value:
        return ChecklistItem(
            "mail",
            title,
            False,
            f"{via} The test e-mail failed: {latest.last_error or 'no reason given'}.",
            "Fix the TRACKER_MAIL_* / TRACKER_SMTP_* / TRACKER_GRAPH_* settings, restart, and "
            "send another.",
        )
    return ChecklistItem(
        "mail",
        title,
        False,
        f"{via} The test e-mail is queued ({latest.attempts} attempts so far).",
        "The scheduler (“tracker scheduler”) sends queued mail within a minute; if it is not "
        "running, send it with “tracker outbox send”. This page shows the result.",
    )


_SEND_TEST = "Press “Send me a test e-mail” below: it goes to {} through the outbox."


def _sign_in_item(sign_in: SignIn) -> ChecklistItem:
    title = "Sign-in configured"
    if sign_in.mode == "entra" and sign_in.configured:
        return ChecklistItem(
            "sign_in", title, True, "People sign in with Microsoft Entra ID.", "Nothing to do."
        )
    if sign_in.mode == "entra":
        return ChecklistItem(
            "sign_in",
            title,
            False,
            "Entra ID sign-in is chosen but .streamlit/secrets.toml has no [auth] section.",
            "Copy .streamlit/secrets.toml.example to .streamlit/secrets.toml and fill in the "
            "app registration (see the README's sign-in section).",
        )
    return ChecklistItem(
        "sign_in",
        title,
        False,
        "Developer sign-in is on: anyone who can reach the app can pick who to act as.",
        "Set TRACKER_AUTH=entra and fill in .streamlit/secrets.toml before anyone else uses it.",
    )


def queue_test_email(
    session: Session, *, actor: Actor, mail_transport: str, now: datetime | None = None
) -> int:
    """Queue a test e-mail to the administrator; returns its outbox id."""
    require(actor, Operation.MANAGE_MAIL, what="a test e-mail")
    now = now or clock.now()
    text = (
        f"This is a test e-mail from the SEND Action Tracker, sent by {mail_transport} at "
        f"{format_timestamp(now, partnership_zone())} ({partnership_zone().key} time).\n\n"
        "If you can read it, reminders will reach people too."
    )
    message = NewMessage(
        dedupe_key=f"{TEST_RULE}|{actor.person_id}|{now.isoformat()}",
        rule=TEST_RULE,
        recipient_email=actor.email,
        recipient_id=actor.person_id,
        subject="SEND Action Tracker: test e-mail",
        body_text=text,
        body_html=f"<p>{text.replace(chr(10) * 2, '</p><p>')}</p>",
    )
    enqueue_messages(session, messages=[message], now=now)
    session.flush()
    latest = _latest_test_email(session, actor)
    assert latest is not None and latest.id is not None
    return latest.id
