"""The public site as plain frozen data: everything a page of it says, and nothing more.

``gather_public_site`` fills these from the database; the renderer turns them into HTML.
Nothing here holds a person's name or e-mail address: the site names roles and organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.services.publishing._rules import Progress, PublicStatus


@dataclass(frozen=True)
class PublicAction:
    reference: str
    title: str  # the plain-words public title
    status: PublicStatus
    lead_organisation: str | None
    due: str | None  # "March 2027"
    summary: str | None  # the latest public summary (approved where asked)
    summary_date: date | None
    impact: str | None  # the latest impact rating's words, when a public summary goes with it


@dataclass(frozen=True)
class PublicValue:
    period: str
    period_end: date
    value: float
    shown: str  # "58.5%"


@dataclass(frozen=True)
class PublicComparator:
    area: str
    shown: str  # "46.4%" or why it is missing ("c: confidential")


@dataclass(frozen=True)
class PublicMeasure:
    reference: str
    wording: str
    unit_words: str  # "Percentage", "Survey score"
    direction_words: str  # "Higher is better"
    baseline: str | None  # "44% (June 2025)"
    target: str | None  # "70% by March 2028"
    data_source: str | None
    values: tuple[PublicValue, ...]  # oldest first
    comparators: tuple[PublicComparator, ...]
    comparators_period: str | None
    comparators_source: str | None

    @property
    def latest(self) -> PublicValue | None:
        return self.values[-1] if self.values else None


@dataclass(frozen=True)
class PublicPriority:
    number: int
    title: str
    short_title: str
    ambition: str | None
    slug: str  # "priority-1"
    actions_in_plan: int  # every action of the priority in the strategy, published or not
    counts: dict[Progress, int]
    counts_sentence: str
    actions: tuple[PublicAction, ...]
    measures: tuple[PublicMeasure, ...]


@dataclass(frozen=True)
class PublicFeedback:
    reference: str
    said: str
    source: str
    heard: str | None  # "March 2026"
    we_did: str | None
    impact: str | None
    status_words: str
    priorities: tuple[str, ...]  # "Priority 2: Meeting needs"


@dataclass(frozen=True)
class PublicMeeting:
    body: str
    day: date
    shown: str  # "Wednesday 17 June 2026"


@dataclass(frozen=True)
class ContactRoute:
    url: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class PublicSite:
    title: str
    partnership: str
    run_by: str
    strategy_title: str
    vision: str
    correct_at: date
    correct_at_words: str  # "2 December 2026"
    priorities: tuple[PublicPriority, ...]
    feedback: tuple[PublicFeedback, ...]
    meetings: tuple[PublicMeeting, ...]
    feedback_route: ContactRoute
    accessibility_contact: ContactRoute
    response_days: int
    statement_prepared: str
    statement_reviewed: str | None
