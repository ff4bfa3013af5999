"""What a board paper says, as plain frozen values.

``gather.py`` builds a :class:`BoardPaper` from the database; ``render.py`` turns it into a Word
document. Nothing here touches the database or python-docx: every field is a str, int, date,
datetime or a tuple of the small records below, so a paper can be built in a test by hand,
compared, cached or pickled. The renderer prints what it is given; choosing *which* actions go
in each list (for example only Red and overdue actions as exceptions at strategic level) is the
gatherer's job.

Values that come from configuration are checked when a record is built, so a bad colour or an
unknown section name fails with a message naming it rather than producing a broken document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

Level = Literal["action", "workstream", "strategic"]
Purpose = Literal["noting", "assurance", "decision"]
Direction = Literal["improving", "stable", "deteriorating"]

LEVELS: tuple[Level, ...] = get_args(Level)
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)

# The code under which SummaryRow counts actions that have no rating yet.
NOT_RATED = "not_rated"

# Section ids, in the order a full paper would print them. governance.yaml may list a subset
# in any order; the renderer prints exactly the sections a paper names.
RECOMMENDATIONS = "recommendations"
EXECUTIVE_SUMMARY = "executive_summary"
RAG_KEY = "rag_key"
SUMMARY = "summary"
MOVEMENT = "movement"
EXCEPTIONS = "exceptions"
OVERDUE = "overdue"
COMPLETED = "completed"
DUE_NEXT = "due_next"
ESCALATIONS = "escalations"
MEASURES = "measures"
RISKS = "risks"
IMPACT = "impact"
FEEDBACK = "you_said_we_did"
ACTION_DETAIL = "action_detail"
APPENDIX_REGISTER = "appendix_register"

ALL_SECTIONS: tuple[str, ...] = (
    RECOMMENDATIONS,
    EXECUTIVE_SUMMARY,
    RAG_KEY,
    SUMMARY,
    MOVEMENT,
    EXCEPTIONS,
    IMPACT,
    OVERDUE,
    COMPLETED,
    DUE_NEXT,
    ESCALATIONS,
    MEASURES,
    FEEDBACK,
    RISKS,
    ACTION_DETAIL,
    APPENDIX_REGISTER,
)

# What each board level reads when governance.yaml does not choose. The Operations Board
# (action level) wants every action's commentary and the whole register; the Transformation
# Board (workstream level) wants the picture per workstream with what moved and what the
# Operations Board escalated; the Improvement Board (strategic) wants priorities, direction
# of travel, the Red and overdue exceptions, the success measures and "you said, we did". Every
# level reads the impact section: what delivery changed, and what was delivered without an
# impact evident yet.
DEFAULT_SECTIONS: dict[Level, tuple[str, ...]] = {
    "action": (
        RECOMMENDATIONS,
        EXECUTIVE_SUMMARY,
        RAG_KEY,
        SUMMARY,
        MOVEMENT,
        EXCEPTIONS,
        IMPACT,
        OVERDUE,
        COMPLETED,
        DUE_NEXT,
        ESCALATIONS,
        RISKS,
        ACTION_DETAIL,
        APPENDIX_REGISTER,
    ),
    "workstream": (
        RECOMMENDATIONS,
        EXECUTIVE_SUMMARY,
        RAG_KEY,
        SUMMARY,
        MOVEMENT,
        EXCEPTIONS,
        IMPACT,
        OVERDUE,
        COMPLETED,
        DUE_NEXT,
        ESCALATIONS,
        RISKS,
    ),
    "strategic": (
        RECOMMENDATIONS,
        EXECUTIVE_SUMMARY,
        RAG_KEY,
        SUMMARY,
        EXCEPTIONS,
        IMPACT,
        MEASURES,
        FEEDBACK,
        ESCALATIONS,
        RISKS,
    ),
}

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def default_sections(level: Level) -> tuple[str, ...]:
    """The sections a paper at ``level`` prints when its board does not choose its own."""
    if level not in DEFAULT_SECTIONS:
        raise ValueError(f"unknown paper level {level!r}; expected one of {', '.join(LEVELS)}")
    return DEFAULT_SECTIONS[level]


def check_sections(sections: tuple[str, ...]) -> None:
    """Raise ValueError naming any unknown or repeated section id."""
    unknown = [s for s in sections if s not in ALL_SECTIONS]
    if unknown:
        raise ValueError(
            f"unknown paper section(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(ALL_SECTIONS)}"
        )
    repeated = sorted({s for s in sections if sections.count(s) > 1})
    if repeated:
        raise ValueError(f"paper section(s) listed twice: {', '.join(repeated)}")


def _check_direction(value: str | None, where: str) -> None:
    if value is not None and value not in DIRECTIONS:
        raise ValueError(
            f"{where}: unknown direction of travel {value!r}; "
            f"expected one of {', '.join(DIRECTIONS)} or None"
        )


@dataclass(frozen=True, slots=True)
class RagKeyEntry:
    """One rating of the configured key, printed in every paper and used to shade cells."""

    code: str
    label: str
    colour: str  # "#RRGGBB"
    definition: str

    def __post_init__(self) -> None:
        if not _COLOUR.fullmatch(self.colour):
            raise ValueError(
                f"RAG key entry {self.code!r}: colour {self.colour!r} is not of the form #RRGGBB"
            )


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Counts of actions by rating for one priority or workstream."""

    group: str  # "Priority 1: Identifying needs" or a workstream name
    counts: tuple[tuple[str, int], ...]  # (rag code or NOT_RATED, number of actions)
    total: int
    overdue: int = 0
    direction_of_travel: Direction | None = None

    def __post_init__(self) -> None:
        _check_direction(self.direction_of_travel, f"summary row {self.group!r}")

    def count(self, code: str) -> int:
        """How many actions in this group carry ``code`` (0 when absent)."""
        return sum(n for c, n in self.counts if c == code)


@dataclass(frozen=True, slots=True)
class MovementItem:
    """One action whose rating or due date changed since the last paper."""

    reference: str
    title: str
    owner: str
    from_rag: str | None = None
    to_rag: str | None = None
    from_due: date | None = None
    to_due: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Movement:
    """What changed since the last paper, one list per kind of change."""

    improved: tuple[MovementItem, ...] = ()
    deteriorated: tuple[MovementItem, ...] = ()
    new_reds: tuple[MovementItem, ...] = ()
    slipped: tuple[MovementItem, ...] = ()  # due date moved later
    completed: tuple[MovementItem, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One action as a paper prints it, with its latest update."""

    reference: str
    title: str
    owner: str
    lead_organisation: str = ""
    workstream: str = ""
    priority_number: int | None = None
    due_date: date | None = None
    status: str = "not_started"  # not_started | in_progress | complete | withdrawn
    rag: str | None = None  # a RagKeyEntry.code, or None when never rated
    commentary: str = ""
    path_to_green: str = ""
    next_steps: str = ""
    days_overdue: int | None = None
    last_updated: date | None = None
    due_confirmed: bool = True  # False: the seeded due date awaits an administrator
    # Why the rating contradicts the facts ("rated Green but 154 days overdue"), if it does.
    inconsistency: str | None = None
    # Impact, apart from delivery: the latest impact rating's words ("" when none reported),
    # whether it counts as evident, its evidence in words and voices, and what the action is
    # expected to change for children, young people and families.
    impact: str = ""
    impact_evident: bool = False
    impact_evidence: str = ""
    impact_voices: str = ""
    expected_impact: str = ""

    @property
    def delivered(self) -> bool:
        """Complete, or rated Blue: delivered, whatever its impact."""
        return self.status == "complete" or self.rag == "blue"


@dataclass(frozen=True, slots=True)
class ImpactKeyEntry:
    """One rating of governance.yaml's impact scale, printed in the paper's impact key."""

    label: str
    definition: str
    evident: bool = False


@dataclass(frozen=True, slots=True)
class FeedbackLine:
    """One "you said, we did" entry as a paper prints it."""

    reference: str  # YS1
    said: str
    source: str
    status: str  # its words: "Open", "In progress", "Done", "Closed"
    heard_on: date | None = None
    we_did: str = ""
    impact: str = ""
    priorities: tuple[int, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EscalationLine:
    """A matter a subordinate body has escalated to this board."""

    reference: str
    title: str
    from_body: str
    reason: str
    raised_by: str
    raised_on: date


@dataclass(frozen=True, slots=True)
class MeasurePoint:
    """One reported value of a success measure, for its trend chart."""

    period_end: date
    value: float
    label: str = ""  # e.g. "Q1 2026/27"; the date is printed when empty
    provisional: bool = False  # not yet signed off: drawn hollow
    expected: float | None = None  # on the trajectory (through the milestones) at period_end


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    """A measure's milestone beside the actual for a period ending by its date, and the gap."""

    due_date: date
    expected: float
    label: str = ""
    actual: float | None = None
    actual_period: date | None = None
    gap: float | None = None  # shortfall from the milestone; 0 when met
    due: bool = True  # the milestone date has passed on the paper's date


@dataclass(frozen=True, slots=True)
class RagHistoryPoint:
    """Counts of the board's actions by rating as one meeting's paper reported them."""

    meeting_date: date
    counts: tuple[tuple[str, int], ...]  # (rag code or NOT_RATED, number of actions)


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """A success measure with its latest and previous values, rated against target."""

    reference: str
    wording: str
    unit: str = ""  # "%" prints as 58%; other units print after the number
    baseline: float | None = None
    target: float | None = None
    latest: float | None = None
    previous: float | None = None
    latest_period: str = ""  # e.g. "Q1 2026/27"
    direction_of_travel: Direction | None = None
    rag: str | None = None
    commentary: str = ""
    series: tuple[MeasurePoint, ...] = ()  # values up to the paper's date, oldest first
    # Published comparators (Explore Education Statistics) for ``comparator_period``.
    england: float | None = None
    region: float | None = None
    region_name: str = ""
    comparator_period: str = ""
    # Data quality: the latest value not yet signed off; the end of the overdue period when
    # the measure is stale; where the latest figure came from and its caveat.
    latest_provisional: bool = False
    stale_since: date | None = None
    latest_source: str = ""
    latest_caveat: str = ""
    milestones: tuple[MilestoneLine, ...] = ()
    unit_code: str = ""  # the measure's unit ("percentage" ...), for gaps in words

    @property
    def has_comparators(self) -> bool:
        return self.england is not None or self.region is not None

    def __post_init__(self) -> None:
        _check_direction(self.direction_of_travel, f"measure {self.reference!r}")


@dataclass(frozen=True, slots=True)
class RiskBand:
    name: str
    low: int
    high: int
    colour: str  # "#RRGGBB"


@dataclass(frozen=True, slots=True)
class RiskLine:
    """One open risk as a paper prints it, with its movement since the board's last paper."""

    reference: str
    title: str
    owner: str
    likelihood: int
    impact: int
    score: int
    band: str
    band_colour: str  # "#RRGGBB"
    movement: str  # "up from 15 to 20", "unchanged at 20", "new since the last paper"
    target_score: int | None = None
    mitigations: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    review_overdue: bool = False


@dataclass(frozen=True, slots=True)
class RiskPicture:
    """The open risks a board oversees (its own and those of the bodies below it)."""

    lines: tuple[RiskLine, ...] = ()  # highest score first
    likelihood_words: tuple[str, ...] = ()  # 1..5
    impact_words: tuple[str, ...] = ()  # 1..5
    bands: tuple[RiskBand, ...] = ()

    @property
    def heat_map(self) -> tuple[tuple[int, ...], ...]:
        """Counts per cell: ``heat_map[likelihood - 1][impact - 1]``."""
        grid = [[0] * 5 for _ in range(5)]
        for line in self.lines:
            grid[line.likelihood - 1][line.impact - 1] += 1
        return tuple(tuple(row) for row in grid)

    def band_of(self, score: int) -> RiskBand | None:
        return next((b for b in self.bands if b.low <= score <= b.high), None)


@dataclass(frozen=True, slots=True)
class BoardPaper:
    """Everything one board paper shows, in the order its sections name."""

    partnership_name: str
    board_name: str
    board_short_name: str
    level: Level
    meeting_date: date
    paper_deadline: date
    title: str
    report_of: str
    author: str
    purpose: Purpose
    marking: str
    generated_at: datetime
    rag_key: tuple[RagKeyEntry, ...]
    previous_meeting_date: date | None = None
    next_meeting_date: date | None = None
    recommendations: tuple[str, ...] = ()
    executive_summary: tuple[str, ...] = ()
    summary_rows: tuple[SummaryRow, ...] = ()
    movement: Movement = field(default_factory=Movement)
    exceptions: tuple[ActionLine, ...] = ()
    overdue: tuple[ActionLine, ...] = ()
    completed_since_last: tuple[ActionLine, ...] = ()
    due_before_next: tuple[ActionLine, ...] = ()
    escalations: tuple[EscalationLine, ...] = ()
    measures: tuple[MeasureLine, ...] = ()
    risks: RiskPicture = field(default_factory=RiskPicture)
    # Impact: the key, every action in scope whose updates reported impact (strongest rating
    # first), and those delivered (complete or Blue) with no impact evident yet.
    impact_key: tuple[ImpactKeyEntry, ...] = ()
    impact_reported: tuple[ActionLine, ...] = ()
    no_impact: tuple[ActionLine, ...] = ()
    # "You said, we did" entries linked to the board's priorities (all, for a whole-plan board).
    feedback: tuple[FeedbackLine, ...] = ()
    actions: tuple[ActionLine, ...] = ()  # the full register in scope
    # The rating counts at the board's recent meetings, oldest first, ending with this paper's.
    rag_history: tuple[RagHistoryPoint, ...] = ()
    sections: tuple[str, ...] = ()  # empty means default_sections(level)
    # The day the figures speak for when generated before the paper deadline (a draft);
    # None when the paper speaks for its deadline, as every paper generated after it does.
    draft_as_at: date | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(
                f"unknown paper level {self.level!r}; expected one of {', '.join(LEVELS)}"
            )
        if self.purpose not in PURPOSES:
            raise ValueError(
                f"unknown paper purpose {self.purpose!r}; expected one of {', '.join(PURPOSES)}"
            )
        codes = [entry.code for entry in self.rag_key]
        if len(set(codes)) != len(codes):
            raise ValueError(f"RAG key lists a code twice: {', '.join(codes)}")
        if not self.sections:
            # Frozen dataclasses allow this one sanctioned write during construction.
            object.__setattr__(self, "sections", default_sections(self.level))
        check_sections(self.sections)
