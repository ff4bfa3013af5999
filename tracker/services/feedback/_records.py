"""The "you said, we did" entry as forms send it and lists read it, and the rules it must meet.

``FeedbackForm`` is what a person (or a spreadsheet row) gives: what was said, by whom and when,
what the partnership did, the impact, the status, an owner and the priorities and actions it is
linked to. ``check_feedback`` turns it into clean values or raises ``ValidationFailed`` with one
message per field at fault, so a page shows each under its field and an import names the
column. ``FeedbackRow`` is an entry as every list shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.models import FeedbackStatus
from tracker.rules import clean_text
from tracker.services.actions import TEXT_LIMIT, ValidationFailed

SOURCE_LIMIT = 120
STATUS_LABELS: Mapping[str, str] = {
    FeedbackStatus.OPEN.value: "Open",
    FeedbackStatus.IN_PROGRESS.value: "In progress",
    FeedbackStatus.DONE.value: "Done",
    FeedbackStatus.CLOSED.value: "Closed",
}
# Words people write in a Status column, beyond the labels themselves.
_STATUS_WORDS = {
    **{label.casefold(): key for key, label in STATUS_LABELS.items()},
    **{key.casefold(): key for key in STATUS_LABELS},
    "in_progress": FeedbackStatus.IN_PROGRESS.value,
    "ongoing": FeedbackStatus.IN_PROGRESS.value,
    "complete": FeedbackStatus.DONE.value,
    "completed": FeedbackStatus.DONE.value,
    "we did": FeedbackStatus.DONE.value,
}
# Who families' views commonly come through; the form offers these, any other is accepted.
COMMON_SOURCES = (
    "Lancashire Parent Carer Forum",
    "POWAR SEND Youth Forum",
    "Family survey",
    "Young people's survey",
    "Complaint",
    "SENDIASS",
    "Listening event",
)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def read_status(text: str | None) -> str | None:
    """The status key for ``text`` (a key or words such as "In progress"), or None."""
    if text is None:
        return None
    return _STATUS_WORDS.get(" ".join(text.strip().casefold().split()))


@dataclass(frozen=True)
class FeedbackForm:
    """What a person gives for one entry."""

    said: str | None
    source: str | None
    heard_on: date | None = None
    we_did: str | None = None
    impact: str | None = None
    status: str = FeedbackStatus.OPEN.value
    owner_id: int | None = None
    priorities: tuple[int, ...] = ()  # priority numbers
    actions: tuple[str, ...] = ()  # action references
    # Shown on the public progress site (once approved, where governance.yaml asks).
    published: bool = False


@dataclass(frozen=True)
class CleanFeedback:
    said: str
    source: str
    heard_on: date | None
    we_did: str | None
    impact: str | None
    status: str
    owner_id: int | None
    published: bool = False

    def values(self) -> dict[str, Any]:
        return {
            "said": self.said,
            "source": self.source,
            "heard_on": self.heard_on,
            "we_did": self.we_did,
            "impact": self.impact,
            "status": self.status,
            "owner_id": self.owner_id,
            "published": self.published,
        }


def _text(errors: dict[str, str], name: str, value: str | None, limit: int) -> str | None:
    try:
        return clean_text(value, max_length=limit)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def check_feedback(form: FeedbackForm, *, today: date) -> CleanFeedback:
    """Clean ``form`` or raise ValidationFailed naming every field at fault (links are checked
    against the database by the caller)."""
    errors: dict[str, str] = {}
    said = _text(errors, "said", form.said, TEXT_LIMIT)
    source = _text(errors, "source", form.source, SOURCE_LIMIT)
    we_did = _text(errors, "we_did", form.we_did, TEXT_LIMIT)
    impact = _text(errors, "impact", form.impact, TEXT_LIMIT)
    if not said and "said" not in errors:
        errors["said"] = "say what families, children or young people said"
    if not source and "source" not in errors:
        errors["source"] = "say who said it (the Parent Carer Forum, POWAR, a survey ...)"
    if form.heard_on is not None and form.heard_on > today:
        errors["heard_on"] = "the day it was heard cannot be in the future"
    status = read_status(form.status) or ""
    if not status:
        words = ", ".join(STATUS_LABELS.values())
        errors["status"] = f"{form.status!r} is not a status ({words})"
    elif status == FeedbackStatus.DONE.value and not we_did and "we_did" not in errors:
        errors["we_did"] = "say what the partnership did before marking it done"
    elif status == FeedbackStatus.CLOSED.value and not we_did and "we_did" not in errors:
        errors["we_did"] = "say why it is closed without action"
    if errors:
        raise ValidationFailed(errors)
    assert said is not None and source is not None
    return CleanFeedback(
        said=said,
        source=source,
        heard_on=form.heard_on,
        we_did=we_did,
        impact=impact,
        status=status,
        owner_id=form.owner_id,
        published=bool(form.published),
    )


@dataclass(frozen=True)
class FeedbackRow:
    """One entry as lists, the page and papers show it."""

    id: int
    reference: str
    said: str
    source: str
    heard_on: date | None
    we_did: str | None
    impact: str | None
    status: str
    owner: str | None
    owner_id: int | None
    priorities: tuple[int, ...]
    actions: tuple[str, ...]
    created_by: str | None
    created_at: datetime
    version: int
    published: bool = False

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    def form(self) -> FeedbackForm:
        """The entry as its edit form opens."""
        return FeedbackForm(
            said=self.said,
            source=self.source,
            heard_on=self.heard_on,
            we_did=self.we_did,
            impact=self.impact,
            status=self.status,
            owner_id=self.owner_id,
            priorities=self.priorities,
            actions=self.actions,
            published=self.published,
        )
