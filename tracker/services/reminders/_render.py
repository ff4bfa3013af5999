"""Reminder e-mails as their recipients read them: a subject, plain text and HTML.

``render_reminder`` turns a ``PlannedReminder`` (what a rule decided) into a ``RenderedMail``;
``render_for_outbox`` also wraps each as a ``NewMessage`` for the outbox. Every piece of user
text (action titles, names, board names from governance.yaml) is HTML-escaped with
``html.escape`` in the HTML part and flattened to one line in the subject, so nothing typed
into the tracker can break the markup or inject a header. The owner's actions appear in a small
table, each with a deep link to its update form: ``TRACKER_APP_URL`` with ``?action=REF``
(the reference URL-encoded). Long lists (an executive digest of thousands of overdue actions)
are cut to ``MAX_LINES`` with a link to the full view in the app.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.mail.message import flatten_header_text
from tracker.rules import rag_label, status_label
from tracker.services.outbox import NewMessage
from tracker.services.reminders._rules import (
    PlannedReminder,
    ReminderLine,
    ReminderSection,
    RiskLine,
)

MAX_LINES = 50
# The words the executive overview puts over the same figure, "33% (1 of 3 rated)".
ON_TRACK_LABEL = "On track (Green or Blue), of the actions rated"
NOTE_LIMIT = 300  # characters of commentary or path to green shown per action in a digest
_CELL = "padding:4px 8px;border:1px solid #BFBFBF;text-align:left;vertical-align:top"


@dataclass(frozen=True)
class MailContext:
    """What every e-mail says besides its content: where the app is and whom to ask."""

    app_url: str
    partnership: str
    contact_name: str
    contact_email: str
    rag_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def action_link(app_url: str, reference: str) -> str:
    """The deep link to an action's update form: ``app_url`` with ``action=REF`` added."""
    parts = urlsplit(app_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "action"]
    query.append(("action", reference))
    return urlunsplit(parts._replace(query=urlencode(query)))


def page_link(app_url: str, page: str) -> str:
    """A link to one page of the app (``overview``, ``papers``)."""
    parts = urlsplit(app_url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{page}", query=""))


def risk_link(app_url: str, reference: str) -> str:
    """The deep link to a risk on the Risks page (``?risk=REF``), where its owner rescores it."""
    parts = urlsplit(page_link(app_url, "risks"))
    return urlunsplit(parts._replace(query=urlencode([("risk", reference)])))


def _day(value: date | None) -> str:
    return "" if value is None else f"{value:%A} {value.day} {value:%B %Y}"


def _short_day(value: date | None) -> str:
    return "never" if value is None else f"{value.day} {value:%b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


# --- the words of each rule ---------------------------------------------------------------


def _risk_counts(reminder: PlannedReminder) -> str:
    overdue = sum(1 for line in reminder.risks if line.days_overdue)
    counted = _plural(len(reminder.risks), "risk")
    return f"{counted} ({overdue} overdue)" if overdue else counted


def _subject_and_intro(reminder: PlannedReminder) -> tuple[str, list[str]]:
    subject, intro = _action_subject_and_intro(reminder)
    if reminder.risks and reminder.rule != "risk_review":
        subject += f", and review {_risk_counts(reminder)}"
        intro.append(
            f"{_plural(len(reminder.risks), 'risk')} you own "
            + ("is" if len(reminder.risks) == 1 else "are")
            + " due for review: please rescore "
            + ("it" if len(reminder.risks) == 1 else "each")
            + " (likelihood and impact) with a commentary on what has changed."
        )
    return subject, intro


def _action_subject_and_intro(reminder: PlannedReminder) -> tuple[str, list[str]]:
    cycle = reminder.cycle
    if reminder.rule == "risk_review":
        many = len(reminder.risks) != 1
        return (
            f"Please review {_risk_counts(reminder)} you own",
            [
                f"The {'risks' if many else 'risk'} below, which you own, "
                f"{'are' if many else 'is'} due for review.",
                "Please rescore each (likelihood and impact) with a commentary on what has "
                "changed and what is being done; the next review date then moves on.",
            ],
        )
    count = reminder.action_count
    if reminder.rule == "weekly_digest":
        overdue = len(reminder.sections[0].lines)
        # Each Red action once, whether listed under overdue or on its own.
        red = len({x.reference for s in reminder.sections for x in s.lines if x.rag == "red"})
        subject = (
            f"Weekly digest: {_plural(overdue, 'overdue action')}, {red} rated Red"
            if overdue or red
            else "Weekly digest: no action overdue or rated Red"
        )
        intro = [
            f"There are {_plural(overdue, 'overdue action')} and {_plural(red, 'action')} "
            "rated Red across the strategy."
            if overdue or red
            else "No action is overdue or rated Red this week."
        ]
        if reminder.on_track is not None:
            intro.append(f"{ON_TRACK_LABEL}: {reminder.on_track.describe()}.")
        return subject, intro
    assert cycle is not None, f"{reminder.rule} reminders belong to a board meeting"
    board, meeting, deadline = cycle.board, _day(cycle.meeting), _day(cycle.paper_deadline)
    if reminder.rule == "update_request":
        return (
            f"Please update {_plural(count, 'action')} for the {board} by {deadline}",
            [
                f"The update window for the {board} meeting on {meeting} is open.",
                f"Please update the RAG status and commentary of the actions below by "
                f"{deadline}, the paper deadline.",
            ],
        )
    if reminder.rule == "chaser":
        return (
            f"Reminder: {_plural(count, 'action')} still to update for the {board} by {deadline}",
            [
                f"The paper deadline for the {board} meeting on {meeting} is {deadline}.",
                "These actions have not been updated since the update window opened.",
            ],
        )
    if reminder.rule == "escalation":
        return (
            f"Missing updates: {_plural(count, 'action')} in your workstream for the {board}",
            [
                f"The paper deadline for the {board} meeting on {meeting} was {deadline}.",
                "As workstream lead, please follow up these actions, which were not updated.",
            ],
        )
    updated = reminder.total_actions - count
    return (
        f"{board} paper: {updated} of {_plural(reminder.total_actions, 'action')} updated",
        [
            f"The update window for the {board} meeting on {meeting} closed on {deadline}.",
            f"{updated} of {_plural(reminder.total_actions, 'action')} in scope were updated; "
            + ("the board paper can now be produced." if not count else "these are missing:"),
        ],
    )


def _columns(rule: str) -> list[str]:
    if rule in ("update_request", "chaser"):
        return ["Action", "Title", "RAG", "Status", "Due", "Last updated"]
    return ["Action", "Title", "Owner", "RAG", "Due", "Last updated"]


def _cells(line: ReminderLine, rule: str, rag_labels: Mapping[str, str]) -> list[str]:
    """The row for ``line`` in the order ``_columns(rule)`` names them."""
    rag = rag_labels.get(line.rag or "", rag_label(line.rag))
    due = _short_day(line.due_date) if line.due_date else "not set"
    if line.days_overdue:
        due += f" ({_plural(line.days_overdue, 'day')} overdue)"
    head = [line.reference, _one_line(line.title)]
    tail = [due, _short_day(line.last_updated)]
    if rule in ("update_request", "chaser"):
        return [*head, rag, status_label(line.status), *tail]
    return [*head, _one_line(line.owner) or "no owner", rag, *tail]


def _notes(line: ReminderLine) -> list[tuple[str, str]]:
    """The commentary and path to green a digest gives for a Red action, one line each."""
    notes = [("Latest commentary", line.commentary), ("Path to green", line.path_to_green)]
    shown = []
    for label, text in notes:
        flat = _one_line(text)
        if flat:
            cut = flat if len(flat) <= NOTE_LIMIT else flat[: NOTE_LIMIT - 1] + "…"
            shown.append((label, cut))
    return shown


def _closing(reminder: PlannedReminder, context: MailContext) -> list[str]:
    if reminder.rule == "risk_review":
        first = "Each link opens the risk in the register, where you rescore it."
    elif reminder.rule in ("update_request", "chaser"):
        first = "Each link opens the action's update form, with your last update to edit."
    elif reminder.rule == "weekly_digest":
        first = f"The executive overview: {page_link(context.app_url, 'overview')}"
    elif reminder.rule == "paper_ready":
        first = f"Produce the paper: {page_link(context.app_url, 'papers')}"
    else:
        first = "Each link opens the action in the tracker."
    risks = (
        ["Each risk's link opens it in the register, where you rescore it."]
        if reminder.risks and reminder.rule != "risk_review"
        else []
    )
    return [
        first,
        *risks,
        f"Questions: {context.contact_name}, {context.contact_email}.",
        f"This is an automatic message from the {context.partnership} action tracker.",
    ]


# --- plain text and HTML ------------------------------------------------------------------


def _text_section(
    section: ReminderSection, reminder: PlannedReminder, context: MailContext
) -> list[str]:
    if not section.lines:
        return ["", f"{section.heading}: none."] if reminder.rule == "weekly_digest" else []
    out = ["", f"{section.heading} ({len(section.lines)}):"]
    for line in section.lines[:MAX_LINES]:
        cells = _cells(line, reminder.rule, context.rag_labels)
        labelled = zip(_columns(reminder.rule)[2:], cells[2:], strict=True)
        out.append(f"- {cells[0]}  {cells[1]}")
        out.append("  " + " | ".join(f"{name}: {value}" for name, value in labelled))
        out += [f"  {label}: {text}" for label, text in _notes(line)]
        out.append(f"  {action_link(context.app_url, line.reference)}")
    if len(section.lines) > MAX_LINES:
        rest = len(section.lines) - MAX_LINES
        out.append(f"... and {rest} more: {page_link(context.app_url, 'register')}")
    return out


RISK_HEADING = "Risks to review"
RISK_COLUMNS = ("Risk", "Title", "Score", "Review due")


def _risk_cells(line: RiskLine) -> list[str]:
    due = _short_day(line.next_review)
    if line.days_overdue:
        due += f" ({_plural(line.days_overdue, 'day')} overdue)"
    score = f"{line.score} (likelihood {line.likelihood} x impact {line.impact})"
    return [line.reference, _one_line(line.title), score, due]


def _text_risks(reminder: PlannedReminder, context: MailContext) -> list[str]:
    if not reminder.risks:
        return []
    out = ["", f"{RISK_HEADING} ({len(reminder.risks)}):"]
    for line in reminder.risks[:MAX_LINES]:
        cells = _risk_cells(line)
        labelled = zip(RISK_COLUMNS[2:], cells[2:], strict=True)
        out.append(f"- {cells[0]}  {cells[1]}")
        out.append("  " + " | ".join(f"{name}: {value}" for name, value in labelled))
        out.append(f"  {risk_link(context.app_url, line.reference)}")
    if len(reminder.risks) > MAX_LINES:
        rest = len(reminder.risks) - MAX_LINES
        out.append(f"... and {rest} more: {page_link(context.app_url, 'risks')}")
    return out


def _html_risks(reminder: PlannedReminder, context: MailContext) -> str:
    if not reminder.risks:
        return ""
    rows = [f"<tr>{_html_cells(RISK_COLUMNS, 'th')}</tr>"]
    for line in reminder.risks[:MAX_LINES]:
        cells = _risk_cells(line)
        link = html.escape(risk_link(context.app_url, line.reference), quote=True)
        first = f'<td style="{_CELL}"><a href="{link}">{html.escape(cells[0])}</a></td>'
        rows.append(f"<tr>{first}{_html_cells(cells[1:])}</tr>")
    more = ""
    if len(reminder.risks) > MAX_LINES:
        register = html.escape(page_link(context.app_url, "risks"), quote=True)
        rest = len(reminder.risks) - MAX_LINES
        more = f'<p>… and {rest} more in the <a href="{register}">risk register</a>.</p>'
    heading = f"<h3>{html.escape(RISK_HEADING)} ({len(reminder.risks)})</h3>"
    return f'{heading}<table style="border-collapse:collapse">{"".join(rows)}</table>{more}'


def render_text(reminder: PlannedReminder, context: MailContext) -> str:
    _, intro = _subject_and_intro(reminder)
    lines = [f"Dear {_one_line(reminder.recipient_name)},", "", *intro]
    for section in reminder.sections:
        lines += _text_section(section, reminder, context)
    lines += _text_risks(reminder, context)
    lines += ["", *_closing(reminder, context)]
    return "\n".join(lines).rstrip() + "\n"


def _html_cells(values: Iterable[str], tag: str = "td") -> str:
    return "".join(f'<{tag} style="{_CELL}">{html.escape(v)}</{tag}>' for v in values)


def _html_section(section: ReminderSection, reminder: PlannedReminder, context: MailContext) -> str:
    heading = f"<h3>{html.escape(section.heading)} ({len(section.lines)})</h3>"
    if not section.lines:
        return f"<h3>{html.escape(section.heading)}</h3><p>None.</p>"
    rows = [f"<tr>{_html_cells(_columns(reminder.rule), 'th')}</tr>"]
    for line in section.lines[:MAX_LINES]:
        cells = _cells(line, reminder.rule, context.rag_labels)
        link = html.escape(action_link(context.app_url, line.reference), quote=True)
        first = f'<td style="{_CELL}"><a href="{link}">{html.escape(cells[0])}</a></td>'
        rows.append(f"<tr>{first}{_html_cells(cells[1:])}</tr>")
        notes = "<br>".join(
            f"<strong>{html.escape(label)}:</strong> {html.escape(text)}"
            for label, text in _notes(line)
        )
        if notes:
            span = len(cells)
            rows.append(f'<tr><td colspan="{span}" style="{_CELL}">{notes}</td></tr>')
    table = f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
    more = ""
    if len(section.lines) > MAX_LINES:
        register = html.escape(page_link(context.app_url, "register"), quote=True)
        rest = len(section.lines) - MAX_LINES
        more = f'<p>… and {rest} more in the <a href="{register}">action register</a>.</p>'
    return heading + table + more


def render_html(reminder: PlannedReminder, context: MailContext) -> str:
    _, intro = _subject_and_intro(reminder)
    parts = [f"<p>Dear {html.escape(_one_line(reminder.recipient_name))},</p>"]
    parts += [f"<p>{html.escape(paragraph)}</p>" for paragraph in intro]
    parts += [
        _html_section(section, reminder, context)
        for section in reminder.sections
        if section.lines or reminder.rule == "weekly_digest"
    ]
    if reminder.risks:
        parts.append(_html_risks(reminder, context))
    closing = _closing(reminder, context)
    parts += [f'<p style="color:#595959">{html.escape(p)}</p>' for p in closing]
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:11pt">{body}</body></html>'
    )


def render_reminder(reminder: PlannedReminder, *, context: MailContext) -> RenderedMail:
    subject, _ = _subject_and_intro(reminder)
    return RenderedMail(
        subject=flatten_header_text(subject)[:400],
        text=render_text(reminder, context),
        html=render_html(reminder, context),
    )


def render_for_outbox(
    reminders: Sequence[PlannedReminder], *, context: MailContext
) -> list[NewMessage]:
    """Each reminder rendered and addressed, ready for ``enqueue_messages``."""
    messages = []
    for reminder in reminders:
        mail = render_reminder(reminder, context=context)
        messages.append(
            NewMessage(
                dedupe_key=reminder.dedupe_key,
                rule=reminder.rule,
                recipient_email=reminder.recipient_email,
                recipient_id=reminder.recipient_id,
                body_id=reminder.cycle.board_id if reminder.cycle else None,
                meeting_date=reminder.cycle.meeting if reminder.cycle else None,
                subject=mail.subject,
                body_text=mail.text,
                body_html=mail.html,
            )
        )
    return messages
