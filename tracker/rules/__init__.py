"""Pure rules about actions: flags the system derives, and what an update must contain.

The owner's RAG rating is theirs; the flags here are the system's: *overdue* (past its due date
and not complete or withdrawn), *not updated* (no update since the current cycle started) and
*rating inconsistent* (a rating that contradicts the facts, such as Green while overdue, or
Blue while not complete). Every function takes ``today`` (or the cycle start) as an argument so
tests can state the date rather than travel to it.

The package holds the other pure rules beside these: ``tracker.rules.measures`` (success
measures against target and trajectory) and ``tracker.rules.risks`` (the 5 x 5 risk scale).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from tracker.formatting import format_days, format_number, format_share, plural, share_percent
from tracker.models import ActionStatus, Rag

CLOSED_STATUSES = frozenset({ActionStatus.COMPLETE.value, ActionStatus.WITHDRAWN.value})
RAG_ORDER = {Rag.RED.value: 0, Rag.AMBER.value: 1, Rag.GREEN.value: 2, Rag.BLUE.value: 3}
RAG_LABELS = {"blue": "Blue", "green": "Green", "amber": "Amber", "red": "Red"}
STATUS_LABELS = {
    ActionStatus.NOT_STARTED.value: "Not started",
    ActionStatus.IN_PROGRESS.value: "In progress",
    ActionStatus.COMPLETE.value: "Complete",
    ActionStatus.WITHDRAWN.value: "Withdrawn",
}

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except the
# surrogates and U+FFFE/U+FFFF; anything else would make a Word paper or an export unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str | None, *, max_length: int | None = None) -> str | None:
    """User text as typed, minus characters XML forbids; None for blank."""
    if value is None:
        return None
    cleaned = _XML_FORBIDDEN.sub("", unicodedata.normalize("NFC", value)).strip()
    if max_length is not None and len(cleaned) > max_length:
        raise ValueError(too_long_message(len(cleaned), max_length))
    return cleaned or None


def too_long_message(length: int, limit: int) -> str:
    """What a person is told about over-long text: how long it is and how much to cut."""
    return (
        f"is {format_number(length)} characters long; the limit is {format_number(limit)}, "
        f"so cut {plural(length - limit, 'character')}"
    )


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


def days_overdue(
    *, due_date: date | None, status: str, today: date, due_confirmed: bool = True
) -> int | None:
    """Days past the due date for an open action, else None.

    A due date still "to confirm" (the seed's guess, not the partnership's plan) is never
    overdue: nobody has promised it yet.
    """
    if due_date is None or not due_confirmed or is_closed(status) or due_date >= today:
        return None
    return (today - due_date).days


def is_not_updated(
    *, last_updated: datetime | date | None, cycle_start: date | None, status: str
) -> bool:
    """True when an open action has had no update since the current cycle began."""
    if is_closed(status):
        return False
    if last_updated is None:
        return True
    if cycle_start is None:
        return False
    day = last_updated.date() if isinstance(last_updated, datetime) else last_updated
    return day < cycle_start


def rating_inconsistency(
    *,
    rag: str | None,
    status: str,
    due_date: date | None,
    today: date,
    due_confirmed: bool = True,
) -> str | None:
    """Why the owner's rating contradicts the facts, or None if it does not."""
    overdue = days_overdue(
        due_date=due_date, status=status, today=today, due_confirmed=due_confirmed
    )
    if rag == Rag.BLUE.value and status != ActionStatus.COMPLETE.value:
        return "Blue (complete) but the status is not complete"
    if status == ActionStatus.COMPLETE.value and rag not in (None, Rag.BLUE.value):
        return "complete but not rated Blue"
    if overdue and rag == Rag.GREEN.value:
        return f"rated Green but {format_days(overdue)} overdue"
    return None


@dataclass(frozen=True)
class ActionFlags:
    days_overdue: int | None
    not_updated: bool
    inconsistency: str | None

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None

    def labels(self) -> list[str]:
        out = []
        if self.days_overdue is not None:
            out.append(f"Overdue by {format_days(self.days_overdue)}")
        if self.not_updated:
            out.append("Not updated this cycle")
        if self.inconsistency:
            out.append(f"Rating inconsistent: {self.inconsistency}")
        return out


def derive_flags(
    *,
    rag: str | None,
    status: str,
    due_date: date | None,
    last_updated: datetime | date | None,
    cycle_start: date | None,
    today: date,
    due_confirmed: bool = True,
) -> ActionFlags:
    return ActionFlags(
        days_overdue=days_overdue(
            due_date=due_date, status=status, today=today, due_confirmed=due_confirmed
        ),
        not_updated=is_not_updated(
            last_updated=last_updated, cycle_start=cycle_start, status=status
        ),
        inconsistency=rating_inconsistency(
            rag=rag, status=status, due_date=due_date, today=today, due_confirmed=due_confirmed
        ),
    )


def rag_movement(before: str | None, after: str | None) -> str:
    """``improved``, ``deteriorated``, ``unchanged`` or ``new`` between two ratings."""
    if before is None and after is None:
        return "unchanged"
    if before is None:
        return "new"
    if after is None:
        return "unchanged"
    if RAG_ORDER[after] > RAG_ORDER[before]:
        return "improved"
    if RAG_ORDER[after] < RAG_ORDER[before]:
        return "deteriorated"
    return "unchanged"


def rag_label(rag: str | None) -> str:
    return RAG_LABELS.get(rag or "", "Not rated")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


ON_TRACK_RATINGS = frozenset({Rag.GREEN.value, Rag.BLUE.value})


@dataclass(frozen=True)
class OnTrack:
    """The one definition of "on track": rated Green or Blue, as a share of *rated* actions.

    Actions not yet rated are left out of the whole (a plan of 42 with 3 rated, 1 Green, is
    "33% (1 of 3 rated)", never "2%"); withdrawn actions are left out by the callers' counts.
    """

    on_track: int
    rated: int

    @property
    def percent(self) -> int | None:
        return share_percent(self.on_track, self.rated)

    def describe(self) -> str:
        """``33% (1 of 3 rated)``, or ``—`` before anything is rated."""
        return format_share(self.on_track, self.rated, of="rated")


def on_track_share(counts: Mapping[str, int]) -> OnTrack:
    """``OnTrack`` from counts by RAG code (``not_rated`` or any unknown code is not rated)."""
    rated = sum(n for code, n in counts.items() if code in RAG_ORDER)
    return OnTrack(on_track=sum(counts.get(code, 0) for code in ON_TRACK_RATINGS), rated=rated)


def collecting_body(
    body_id: int | None, *, parents: Mapping[int, int | None], meeting_bodies: Collection[int]
) -> int | None:
    """The board that collects an action's updates: its overseeing body if that body meets,
    else the nearest body up the reporting line that meets; None if none does.

    Whether a meeting's update window has opened yet does not change the board (a body whose
    first window is still ahead collects its own updates, it just has no cycle yet): the
    register's "not updated" and the reminders' "missing" both ask this one question.
    """
    seen: set[int] = set()
    current = body_id
    # governance.yaml refuses reporting cycles; ``seen`` only guards a hand-edited database.
    while current is not None and current not in meeting_bodies and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return current if current is not None and current in meeting_bodies else None


def body_and_below(body_id: int, *, parents: Mapping[int, int | None]) -> set[int]:
    """``body_id`` and every body whose reporting line leads up to it (``parents`` maps each
    body to the body it reports to): the bodies whose actions a board's paper covers."""
    found = {body_id}
    for start in parents:
        chain: list[int] = []
        current: int | None = start
        # governance.yaml refuses reporting cycles; ``chain`` only guards a hand-edited database.
        while current is not None and current not in found and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current in found:
            found.update(chain)
    return found


def reference_sort_key(reference: str) -> tuple[int, ...]:
    """``P2.10`` sorts after ``P2.9``: the numbers in the reference, compared as numbers."""
    digits = "".join(ch if ch.isdigit() else " " for ch in reference).split()
    return tuple(int(d) for d in digits) or (0,)


def reference_sort_number(reference: str) -> int:
    """The reference order as one number (``action.sort_key``): P2.10 is 2010, P2.9 is 2009."""
    key = reference_sort_key(reference)
    return key[0] * 1000 + (key[1] if len(key) > 1 else 0)


def priority_label(number: int, title: str, short_title: str | None = None) -> str:
    """How every screen, paper and export names a priority: ``Priority 2: Assessing needs``."""
    return f"Priority {number}: {short_title or title}"
