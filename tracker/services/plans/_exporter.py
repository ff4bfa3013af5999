"""Take the plan out: the action register and its full update history, as .xlsx or .csv.

:func:`export_register` writes one row per action with its latest commentary, in the columns
:func:`tracker.spreadsheets.read_plan` reads, so an export imports back with nothing to change;
as a workbook it also holds the whole risk register on a "Risks" sheet (``_risks``), which the
import reads back the same way.
:func:`export_history` writes every update ever recorded on the chosen actions, oldest first
within each action: the evidence trail. Both apply the register's filters in SQL, use the RAG
colours and words of governance.yaml's ``rag`` key, and go through
:mod:`tracker.spreadsheets.writer`, which neutralises anything a spreadsheet could run as a
formula. The result is plain bytes with a file name; the caller saves or offers it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlmodel import Session, col

from tracker.clock import partnership_zone
from tracker.errors import InvalidInput
from tracker.formatting import format_time_of_day, local_time
from tracker.governance import GovernanceConfig, ImpactConfig
from tracker.models import (
    Action,
    ActionUpdate,
    Person,
    Priority,
)
from tracker.permissions import Actor, Operation, require
from tracker.rules import RAG_LABELS, STATUS_LABELS
from tracker.services.audit import record_event
from tracker.services.plans._risks import risk_sheet_rows
from tracker.services.register import (
    DEFAULT_CYCLE_DAYS,
    ActionFilter,
    filter_conditions,
    list_actions,
    load_cycle_starts,
)
from tracker.spreadsheets import (
    ColumnSpec,
    PlanRow,
    SheetSpec,
    build_register_sheet,
    write_csv,
    write_xlsx,
)
from tracker.spreadsheets.plan import RAG_WORDS
from tracker.spreadsheets.risks import build_risk_sheet
from tracker.spreadsheets.writer import DEFAULT_RAG_COLOURS

ExportFormat = Literal["xlsx", "csv"]
FORMATS: tuple[ExportFormat, ...] = ("xlsx", "csv")
MEDIA_TYPES: Mapping[ExportFormat, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
HISTORY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ref", "text", 8),
    ColumnSpec("Action", "text", 45),
    ColumnSpec("Update Date", "date", 12),
    ColumnSpec("Time", "text", 10),  # named after the partnership's zone when exported
    ColumnSpec("RAG", "rag", 9),
    ColumnSpec("Status", "text", 13),
    ColumnSpec("Commentary", "text", 60),
    ColumnSpec("Path to Green", "text", 45),
    ColumnSpec("Next Steps", "text", 45),
    ColumnSpec("Revised Target Date", "date", 14),
    ColumnSpec("Reason for New Date", "text", 30),
    ColumnSpec("Evidence", "text", 30),
    ColumnSpec("Impact", "text", 18),
    ColumnSpec("Evidence of Impact", "text", 45),
    ColumnSpec("Voices", "text", 28),
    ColumnSpec("Public Summary", "text", 45),
    ColumnSpec("Updated By", "text", 28),
    ColumnSpec("Updated By Email", "text", 30),
    ColumnSpec("Source", "text", 10),
)
KEY_COLUMNS = (ColumnSpec("RAG", "rag", 12), ColumnSpec("Meaning", "text", 80))
REGISTER_STEM = "action-register"
HISTORY_STEM = "update-history"


class ExportError(InvalidInput):
    """An export that cannot be made as asked (an unknown format)."""


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    media_type: str
    rows: int


@dataclass(frozen=True)
class RagKey:
    """The RAG colours, the words written in cells, and each rating's meaning."""

    colours: Mapping[str, str]
    labels: Mapping[str, str]
    meanings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_governance(cls, config: GovernanceConfig | None) -> RagKey:
        if config is None:
            return cls(colours=DEFAULT_RAG_COLOURS, labels=RAG_LABELS)
        entries = config.rag_by_code()
        labels = {code: entry.label for code, entry in entries.items()}
        # A label the importer does not read as its rating ("On track") would break the round
        # trip, so such keys put the standard word in cells; the key sheet keeps the label.
        if any(RAG_WORDS.get(label.strip().lower()) != code for code, label in labels.items()):
            labels = dict(RAG_LABELS)
        return cls(
            colours={code: entry.colour for code, entry in entries.items()},
            labels=labels,
            meanings=tuple(
                (code, f"{entry.label}: {entry.definition}") for code, entry in entries.items()
            ),
        )


def export_filename(stem: str, *, today: date, fmt: ExportFormat) -> str:
    """``action-register-2026-03-03.xlsx``: what the file is, and the day it was taken."""
    return f"{stem}-{today:%Y-%m-%d}.{fmt}"


def _check_format(fmt: str) -> ExportFormat:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use xlsx or csv")
    return fmt


def _package(
    sheet: SheetSpec,
    key: RagKey,
    *,
    stem: str,
    today: date,
    fmt: ExportFormat,
    extra: Sequence[SheetSpec] = (),
) -> ExportFile:
    if fmt == "csv":
        content = write_csv(sheet)
    else:
        sheets = [sheet, *extra]
        if key.meanings:
            sheets.append(
                SheetSpec(
                    title="RAG key",
                    columns=KEY_COLUMNS,
                    rows=list(key.meanings),
                    rag_colours=key.colours,
                    rag_labels=key.labels,
                )
            )
        content = write_xlsx(sheets)
    return ExportFile(
        filename=export_filename(stem, today=today, fmt=fmt),
        content=content,
        media_type=MEDIA_TYPES[fmt],
        rows=len(sheet.rows),
    )


def _filtered(
    query: Select[Any],
    session: Session,
    *,
    filters: ActionFilter | None,
    today: date,
    default_cycle_days: int,
) -> Select[Any]:
    starts = load_cycle_starts(session, today=today, default_cycle_days=default_cycle_days)
    where = filter_conditions(filters or ActionFilter(), today=today, starts=starts)
    return query.where(*where).order_by(
        col(Priority.number), col(Action.sort_key), col(Action.reference)
    )


def list_register_rows(
    session: Session,
    *,
    today: date,
    filters: ActionFilter | None = None,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
    impact: ImpactConfig | None = None,
) -> list[PlanRow]:
    """The register as plan rows (what an export writes): the register's own rows and order,
    each with its expected impact and its latest impact rating in the words of ``impact``."""
    scale = impact or ImpactConfig()
    actions = list_actions(
        session, today=today, filters=filters, default_cycle_days=default_cycle_days
    )
    return [
        PlanRow(
            row=number,
            reference=a.reference,
            priority=a.priority_number,
            title=a.title,
            owner_name=a.owner,
            owner_email=a.owner_email,
            lead_organisation=a.lead_organisation,
            workstream=a.workstream,
            body=a.body,
            start_date=a.start_date,
            due_date=a.due_date,
            status=a.status,
            rag=a.rag,
            commentary=a.commentary,
            updated_on=a.last_updated_at.date() if a.last_updated_at else None,
            rating_flag=a.flags.inconsistency,
            expected_impact=a.expected_impact,
            impact=scale.rating_label(a.impact_rating) if a.impact_rating else None,
        )
        for number, a in enumerate(actions, start=2)
    ]


def export_register(
    session: Session,
    *,
    actor: Actor,
    today: date,
    fmt: str = "xlsx",
    filters: ActionFilter | None = None,
    governance: GovernanceConfig | None = None,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> ExportFile:
    """The register (every action matching ``filters``) with its latest commentary."""
    require(actor, Operation.EXPORT_PLAN)
    kind = _check_format(fmt)
    key = RagKey.from_governance(governance)
    rows = list_register_rows(
        session,
        today=today,
        filters=filters,
        default_cycle_days=default_cycle_days,
        impact=governance.impact if governance else None,
    )
    sheet = build_register_sheet(
        rows, title="Action register", rag_colours=key.colours, rag_labels=key.labels
    )
    # Every risk, whatever the filters: the register's risks travel with the plan.
    risks = [build_risk_sheet(risk_sheet_rows(session))] if kind == "xlsx" else []
    file = _package(sheet, key, stem=REGISTER_STEM, today=today, fmt=kind, extra=risks)
    return _audited(session, actor, file)


def _audited(session: Session, actor: Actor, file: ExportFile) -> ExportFile:
    """Record who took which export (in the caller's transaction, so use a write session)."""
    record_event(
        session,
        actor=actor,
        entity="export",
        entity_label=file.filename,
        field="exported",
        detail=f"{file.rows} rows",
    )
    return file


def _history_query() -> Select[Any]:
    return (
        select(
            col(Action.reference),
            col(Action.title),
            col(ActionUpdate.created_at),
            col(ActionUpdate.rag),
            col(ActionUpdate.status),
            col(ActionUpdate.commentary),
            col(ActionUpdate.path_to_green),
            col(ActionUpdate.next_steps),
            col(ActionUpdate.revised_due_date),
            col(ActionUpdate.due_date_reason),
            col(ActionUpdate.evidence_url),
            col(ActionUpdate.impact_rating),
            col(ActionUpdate.impact_evidence),
            col(ActionUpdate.impact_voices),
            col(ActionUpdate.public_summary),
            col(Person.name),
            col(Person.email),
            col(ActionUpdate.source),
        )
        .select_from(ActionUpdate)
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .join(Priority, col(Priority.id) == col(Action.priority_id))
        .outerjoin(Person, col(Person.id) == col(ActionUpdate.created_by_id))
    )


def history_columns(zone: ZoneInfo) -> tuple[ColumnSpec, ...]:
    """The history's columns, its time column named after the zone its times are in."""
    return tuple(
        replace(c, header=f"Time ({zone.key})") if c.header == "Time" else c
        for c in HISTORY_COLUMNS
    )


def _history_rows(
    session: Session, query: Select[Any], zone: ZoneInfo, scale: ImpactConfig
) -> Iterator[tuple[object, ...]]:
    for values in session.execute(
        query.order_by(col(ActionUpdate.created_at), col(ActionUpdate.id))
    ):
        (reference, title, at, rag, status, commentary, path, steps, revised, reason, evidence,
         rating, impact_evidence, voices, summary, name, email, source) = values  # fmt: skip
        yield (
            reference,
            title,
            local_time(at, zone).date(),
            format_time_of_day(at, zone),
            rag,
            STATUS_LABELS.get(status, status),
            commentary,
            path,
            steps,
            revised,
            reason,
            evidence,
            scale.rating_label(rating) if rating else None,
            impact_evidence,
            ", ".join(scale.voice_label(v) for v in voices or ()) or None,
            summary,
            name,
            email,
            source,
        )


def export_history(
    session: Session,
    *,
    actor: Actor,
    today: date,
    fmt: str = "xlsx",
    filters: ActionFilter | None = None,
    governance: GovernanceConfig | None = None,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> ExportFile:
    """Every update recorded on the actions matching ``filters``, action by action."""
    require(actor, Operation.EXPORT_PLAN)
    kind = _check_format(fmt)
    key = RagKey.from_governance(governance)
    query = _filtered(
        _history_query(),
        session,
        filters=filters,
        today=today,
        default_cycle_days=default_cycle_days,
    )
    # Times in the partnership's zone, the one the app shows them in.
    zone = governance.partnership.zone if governance is not None else partnership_zone()
    sheet = SheetSpec(
        title="Update history",
        columns=history_columns(zone),
        rows=list(
            _history_rows(session, query, zone, governance.impact if governance else ImpactConfig())
        ),
        rag_colours=key.colours,
        rag_labels=key.labels,
    )
    return _audited(session, actor, _package(sheet, key, stem=HISTORY_STEM, today=today, fmt=kind))
