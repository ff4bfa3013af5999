"""What the public may see, as small pure rules: one place each, so the site, the Publish page
and the tests agree.

An action is public when it is published and has a plain title; an update's public summary
when it is written and, where governance.yaml asks, approved; a measure value when it is
published and signed off as final (``is_value_public``: a provisional figure never goes
out); a "you said, we did" entry when published and, where asked, approved.
Statuses become words a parent can read, in four groups the front page counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracker.governance import ApprovalRule
from tracker.models import ActionStatus, ActionUpdate, Feedback, MeasureValue, Rag
from tracker.permissions import Actor
from tracker.rules import days_overdue

FINAL = "final"  # a measure value signed off by its owner or performance lead

Progress = Literal["delivered", "on_track", "behind", "not_started", "stopped"]

# Counted on the front page, in this order; "stopped" (withdrawn) actions are listed, not counted.
COUNTED: tuple[Progress, ...] = ("delivered", "on_track", "behind", "not_started")


@dataclass(frozen=True)
class PublicStatus:
    progress: Progress
    words: str  # "On track", "Behind: some delay"
    explanation: str  # one plain sentence
    tone: str = "grey"  # the badge colour: blue, green, amber, red or grey (words always beside)


def public_status(
    *, status: str, rag: str | None, due_date: date | None, due_confirmed: bool, today: date
) -> PublicStatus:
    """An action's status as the public site says it: delivery first, then the owner's rating,
    and an action past its date is behind whatever it is rated."""
    if status == ActionStatus.COMPLETE.value or rag == Rag.BLUE.value:
        return PublicStatus("delivered", "Delivered", "This has been done.", "blue")
    if status == ActionStatus.WITHDRAWN.value:
        return PublicStatus("stopped", "Stopped", "The partnership decided not to go on with this.")
    late = days_overdue(due_date=due_date, status=status, today=today, due_confirmed=due_confirmed)
    if rag == Rag.RED.value:
        return PublicStatus("behind", "Behind", "This is behind plan and will be late.", "red")
    if late is not None:
        return PublicStatus("behind", "Behind", "This has gone past the date we set for it.", "red")
    if rag == Rag.AMBER.value:
        return PublicStatus(
            "behind",
            "Behind: some delay",
            "There is some delay; we are working to catch up.",
            "amber",
        )
    if rag == Rag.GREEN.value:
        return PublicStatus("on_track", "On track", "This is going to plan.", "green")
    if status == ActionStatus.IN_PROGRESS.value:
        return PublicStatus("on_track", "Started", "Work has started.", "green")
    return PublicStatus("not_started", "Not started yet", "Work on this has not started yet.")


PROGRESS_WORDS: dict[Progress, str] = {
    "delivered": "delivered",
    "on_track": "on track",
    "behind": "behind",
    "not_started": "not started yet",
    "stopped": "stopped",
}


def describe_counts(counts: dict[Progress, int]) -> str:
    """ "Of the 6 actions we report on: 2 delivered, 3 on track and 1 behind." """
    parts = [f"{counts[p]} {PROGRESS_WORDS[p]}" for p in COUNTED if counts.get(p)]
    if not parts:
        return "We have not reported on any actions for this priority yet."
    total = sum(counts.get(p, 0) for p in COUNTED)
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Of the {total} {'action' if total == 1 else 'actions'} we report on: {listed}."


def may_approve(actor: Actor, rule: ApprovalRule) -> bool:
    """The role governance.yaml names approves (the command line's operator may too)."""
    return actor.operator or (actor.active and actor.has(rule.role))


def is_summary_public(update: ActionUpdate, rule: ApprovalRule) -> bool:
    if not (update.public_summary or "").strip():
        return False
    return not rule.required or update.public_approved_at is not None


def is_value_public(value: MeasureValue) -> bool:
    """The one rule for which measure values the site shows: published, a figure, and signed
    off as final by the measure's owner or performance lead."""
    return bool(value.published) and value.value is not None and value.status == FINAL


def is_feedback_public(entry: Feedback, rule: ApprovalRule) -> bool:
    if not entry.published or not (entry.said or "").strip():
        return False
    return not rule.required or entry.approved_at is not None
