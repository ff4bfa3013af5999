"""Reminder e-mails as recipients read them: subjects, tables, deep links, and hostile text."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.mail.message import OutgoingMessage, build_mime
from tracker.services.reminders import (
    MAX_LINES,
    BoardCycle,
    MailContext,
    PlannedReminder,
    ReminderLine,
    ReminderSection,
    RuleName,
    action_link,
    render_for_outbox,
    render_reminder,
)

CONTEXT = MailContext(
    app_url="https://tracker.example.org/send",
    partnership="Lancashire SEND Partnership",
    contact_name="SEND Programme Management Office",
    contact_email="send.pmo@example.org",
    rag_labels={"red": "Red (off track)"},
)
CYCLE = BoardCycle(
    board_id=9,
    board_key="send_operations_board",
    board="SEND Operations Board",
    meeting=date(2026, 2, 18),
    paper_deadline=date(2026, 2, 13),
    window_opens=date(2026, 2, 6),
)
HOSTILE = '<script>alert("x")</script> & Co\r\nBcc: victim@example.org'


def line(
    reference: str = "P2.3", title: str = "Improve EHCP timeliness", **kw: object
) -> ReminderLine:
    values: dict[str, object] = {
        "reference": reference,
        "title": title,
        "rag": "red",
        "status": "in_progress",
        "due_date": date(2026, 1, 31),
        "days_overdue": 6,
        "last_updated": date(2026, 1, 2),
        "owner": "Head of SEND Service",
    }
    values.update(kw)
    return ReminderLine(**values)  # type: ignore[arg-type]


def reminder(
    rule: RuleName = "update_request",
    lines: tuple[ReminderLine, ...] = (line(),),
    name: str = "Head of Inclusion",
    total: int = 0,
) -> PlannedReminder:
    sections = (
        (ReminderSection("Overdue actions", lines), ReminderSection("Actions rated Red", lines))
        if rule == "weekly_digest"
        else (ReminderSection("Actions to update", lines),)
    )
    return PlannedReminder(
        rule=rule,
        dedupe_key=f"{rule}:inclusion.lead@example.org:send_operations_board:2026-02-18",
        recipient_id=12,
        recipient_email="inclusion.lead@example.org",
        recipient_name=name,
        sections=sections,
        cycle=None if rule == "weekly_digest" else CYCLE,
        total_actions=total,
    )


@pytest.mark.parametrize(
    ("rule", "subject"),
    [
        (
            "update_request",
            "Please update 1 action for the SEND Operations Board by Friday 13 February 2026",
        ),
        (
            "chaser",
            "Reminder: 1 action still to update for the SEND Operations Board by "
            "Friday 13 February 2026",
        ),
        (
            "escalation",
            "Missing updates: 1 action in your workstream for the SEND Operations Board",
        ),
        ("paper_ready", "SEND Operations Board paper: 24 of 25 actions updated"),
        ("weekly_digest", "Weekly digest: 1 overdue action, 1 rated Red"),
    ],
)
def test_each_rule_has_a_subject_that_says_what_to_do(rule: RuleName, subject: str) -> None:
    mail = render_reminder(reminder(rule, total=25), context=CONTEXT)
    assert mail.subject == subject
    assert "Dear Head of Inclusion," in mail.text
    assert "send.pmo@example.org" in mail.text


def test_every_action_has_a_deep_link_to_its_update_form_in_both_parts() -> None:
    lines = (line("P2.3"), line("P5.12"))
    mail = render_reminder(reminder(lines=lines), context=CONTEXT)
    for reference in ("P2.3", "P5.12"):
        link = f"https://tracker.example.org/send?action={reference}"
        assert link in mail.text
        assert f'<a href="{link}">{reference}</a>' in mail.html
    assert "<table" in mail.html
    assert "Red (off track)" in mail.html  # the governance file's RAG label


@pytest.mark.parametrize(
    ("app_url", "reference", "expected"),
    [
        ("http://localhost:8501", "P2.3", "http://localhost:8501?action=P2.3"),
        ("https://x.org/app/", "P1.10", "https://x.org/app/?action=P1.10"),
        ("https://x.org/?tenant=lcc", "P1.1", "https://x.org/?tenant=lcc&action=P1.1"),
        ("https://x.org/?action=old", "P1.1", "https://x.org/?action=P1.1"),
        ("https://x.org", "P 1&2=#", "https://x.org?action=P+1%262%3D%23"),
    ],
)
def test_deep_links_keep_the_app_url_and_encode_the_reference(
    app_url: str, reference: str, expected: str
) -> None:
    assert action_link(app_url, reference) == expected


def test_user_text_is_escaped_in_html_and_kept_to_one_line_in_text() -> None:
    mail = render_reminder(reminder(lines=(line(title=HOSTILE),), name=HOSTILE), context=CONTEXT)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in mail.html
    assert "\r" not in mail.text
    assert '- P2.3  <script>alert("x")</script> & Co Bcc: victim@example.org' in mail.text


def test_header_text_from_configuration_cannot_inject_headers() -> None:
    cycle = BoardCycle(**{**CYCLE.__dict__, "board": "Board\r\nBcc: victim@example.org"})
    planned = reminder()
    planned = PlannedReminder(**{**planned.__dict__, "cycle": cycle})
    mail = render_reminder(planned, context=CONTEXT)
    assert "\r" not in mail.subject and "\n" not in mail.subject
    message = OutgoingMessage(
        to=("inclusion.lead@example.org",),
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        message_id="<outbox-1.abc@example.org>",
    )
    mime = build_mime(message, sender="send.tracker@example.org")
    assert mime["Bcc"] is None
    assert mime["To"] == "inclusion.lead@example.org"


def test_a_long_digest_is_cut_with_a_link_to_the_full_register() -> None:
    many = tuple(line(f"P1.{n}") for n in range(1, MAX_LINES + 31))
    mail = render_reminder(reminder("weekly_digest", lines=many), context=CONTEXT)
    assert (
        mail.subject
        == f"Weekly digest: {MAX_LINES + 30} overdue actions, {MAX_LINES + 30} rated Red"
    )
    assert mail.html.count("?action=") == 2 * MAX_LINES
    assert "… and 30 more" in mail.html
    assert "... and 30 more: https://tracker.example.org/send/register" in mail.text
    assert "https://tracker.example.org/send/overview" in mail.text


def test_an_empty_digest_says_so() -> None:
    mail = render_reminder(reminder("weekly_digest", lines=()), context=CONTEXT)
    assert mail.subject == "Weekly digest: no action overdue or rated Red"
    assert "No action is overdue or rated Red this week." in mail.text
    assert "Overdue actions: none." in mail.text


def test_paper_ready_with_nothing_missing_says_the_paper_can_be_produced() -> None:
    mail = render_reminder(reminder("paper_ready", lines=(), total=25), context=CONTEXT)
    assert mail.subject == "SEND Operations Board paper: 25 of 25 actions updated"
    assert "the board paper can now be produced" in mail.text
    assert "https://tracker.example.org/send/papers" in mail.text


def test_render_for_outbox_addresses_each_message_with_its_key_board_and_meeting() -> None:
    planned = [reminder("update_request"), reminder("weekly_digest")]
    request, digest = render_for_outbox(planned, context=CONTEXT)
    assert request.dedupe_key == planned[0].dedupe_key
    assert (request.body_id, request.meeting_date) == (9, date(2026, 2, 18))
    assert (digest.body_id, digest.meeting_date) == (None, None)
    assert request.recipient_email == "inclusion.lead@example.org"
    assert request.rule == "update_request"


def test_a_digest_shows_the_commentary_and_path_to_green_of_red_actions() -> None:
    red = line(commentary=f"Panel {HOSTILE} delayed", path_to_green="Extra panel in March.")
    amber = line("P1.1", rag="amber")
    digest = PlannedReminder(
        rule="weekly_digest",
        dedupe_key="weekly_digest:exec@example.org:2026-W07",
        recipient_id=1,
        recipient_email="exec@example.org",
        recipient_name="Executive",
        sections=(ReminderSection("Overdue actions", (red, amber)),),
    )
    mail = render_reminder(digest, context=CONTEXT)
    assert mail.subject == "Weekly digest: 2 overdue actions, 1 rated Red"
    assert "  Path to green: Extra panel in March." in mail.text
    assert "  Latest commentary: Panel <script>" in mail.text
    assert mail.text.count("Latest commentary:") == 1
    assert "<strong>Path to green:</strong> Extra panel in March." in mail.html
    assert "&lt;script&gt;" in mail.html and "<script>" not in mail.html
