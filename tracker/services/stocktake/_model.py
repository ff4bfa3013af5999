"""What a stocktake report says, as plain frozen data: gathered once, then written out.

The Word report, the counts stored with the stocktake record and the manifest are all made
from one :class:`StocktakeReport`, so they cannot disagree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tracker.papers.model import Movement, RagKeyEntry
from tracker.services.stocktake._period import Period


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file added in the period, and where it sits in the pack."""

    id: int
    action_id: int
    reference: str
    action_title: str
    update_id: int | None
    filename: str
    path: str  # inside the zip: evidence/REF/<filename>
    note: str
    content_type: str
    added_by: str
    added_at: datetime
    sha256: str
    size_bytes: int
    superseded_at: datetime | None
    superseded_reason: str


@dataclass(frozen=True)
class ImpactLine:
    """Impact reported on one update in the period."""

    reference: str
    title: str
    rating: str
    evidence: str
    voices: tuple[str, ...]
    by: str
    at: datetime
    files: tuple[str, ...]  # names of the evidence files attached to this update


@dataclass(frozen=True)
class MeasureLine:
    reference: str
    wording: str
    unit: str
    baseline: str  # "58% (Mar 2025)"
    target: str  # "75% by Mar 2027"
    expected: str  # where the trajectory puts it at the latest period
    latest: str  # "62% (Q2 2026/27)"
    previous: str
    direction_of_travel: str
    rag: str | None
    values_in_period: int
    comparators: str


@dataclass(frozen=True)
class FeedbackLine:
    reference: str
    source: str
    heard_on: date | None
    said: str
    we_did: str
    impact: str
    status: str
    closed_in_period: bool
    actions: tuple[str, ...]


@dataclass(frozen=True)
class RiskLine:
    reference: str
    title: str
    owner: str
    score: int
    band: str
    band_colour: str
    movement: str  # since the start of the period
    mitigations: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class OffTrackLine:
    reference: str
    title: str
    owner: str
    due_date: date | None
    due_confirmed: bool
    commentary: str
    path_to_green: str


@dataclass(frozen=True)
class PriorityPart:
    """Everything the report says under one priority."""

    number: int
    title: str
    counts_start: dict[str, int]
    counts_end: dict[str, int]
    movement: Movement
    impacts: tuple[ImpactLine, ...]
    other_evidence: tuple[EvidenceFile, ...]  # added in the period, not on an impact update
    measures: tuple[MeasureLine, ...]
    feedback: tuple[FeedbackLine, ...]
    risks: tuple[RiskLine, ...]
    off_track: tuple[OffTrackLine, ...]


@dataclass(frozen=True)
class Summary:
    """The one-page summary at the front: every figure counted once, here."""

    actions: int
    counts_start: dict[str, int]
    counts_end: dict[str, int]
    improved: int
    deteriorated: int
    completed: int
    new_reds: int
    slipped: int
    off_track: int
    updates: int
    impact_reports: int
    impact_evident: int
    evidence_files: int
    evidence_bytes: int
    measures_on_track: int
    measures_off_track: int
    measures_not_rated: int
    measure_values: int
    open_risks: int
    very_high_risks: int
    very_high_band: str
    feedback_entries: int
    feedback_closed: int
    audit_rows: int

    @property
    def nothing_recorded(self) -> bool:
        """No update, evidence, measure value, feedback or change of any kind in the period."""
        return not (
            self.updates
            or self.evidence_files
            or self.measure_values
            or self.feedback_entries
            or self.audit_rows
        )

    def as_counts(self) -> dict[str, Any]:
        """The figures as the stocktake record and the manifest keep them."""
        return {
            "actions": self.actions,
            "rag_at_start": dict(self.counts_start),
            "rag_at_end": dict(self.counts_end),
            "improved": self.improved,
            "deteriorated": self.deteriorated,
            "completed": self.completed,
            "new_reds": self.new_reds,
            "slipped": self.slipped,
            "off_track": self.off_track,
            "updates": self.updates,
            "impact_reports": self.impact_reports,
            "impact_evident": self.impact_evident,
            "evidence_files": self.evidence_files,
            "evidence_bytes": self.evidence_bytes,
            "measures_on_track": self.measures_on_track,
            "measures_off_track": self.measures_off_track,
            "measures_not_rated": self.measures_not_rated,
            "measure_values": self.measure_values,
            "open_risks": self.open_risks,
            "very_high_risks": self.very_high_risks,
            "feedback_entries": self.feedback_entries,
            "feedback_closed": self.feedback_closed,
            "audit_rows": self.audit_rows,
        }


@dataclass(frozen=True)
class StocktakeReport:
    partnership: str
    strategy: str
    period: Period
    generated_at: datetime
    generated_by: str
    timezone: str
    rag_key: tuple[RagKeyEntry, ...]
    summary: Summary
    priorities: tuple[PriorityPart, ...]
    unlinked_feedback: tuple[FeedbackLine, ...] = ()
    unlinked_risks: tuple[RiskLine, ...] = ()
    evidence: tuple[EvidenceFile, ...] = field(default_factory=tuple)
