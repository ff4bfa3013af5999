"""Bring an existing action plan spreadsheet into the database: a dry run, then all or nothing.

:func:`import_plan` reads the file with :func:`tracker.spreadsheets.read_plan` (which refuses
unsafe files and checks every cell), then matches each row to the database: the action by its
reference (updated in place), the owner by e-mail (a person is created, named from the sheet,
when the address is new), the lead organisation, workstream and governance body by name, short
name, key or alias. Unknown names are row errors naming the nearest known names, found on
every row, including rows with unreadable cells, so one dry run lists every problem. The
priorities are the strategy's (``tracker init``): a row naming another priority is a row error,
never a new priority.

Rules a person relies on:

* A dry run (the default) writes nothing and says what would be created, updated (field by
  field) and left alone, and lists every problem with its row, column and value.
* ``commit=True`` writes everything in the caller's transaction, or nothing if any row has a
  problem; ``skip_invalid=True`` writes the valid rows and lists the rest. A row whose only
  problem is a due date that names no day ("TBC", "Ongoing", "Spring term 2026") is written
  then too, keeping the action's current due date (the dry run shows it among the actions).
* A workbook is read sheet by sheet: every sheet whose header maps (or those named), each
  summarised; the report says which sheets were skipped and why, and what each fill colour
  and each due date that was not a plain date was read as.
* A blank cell, or a column the sheet does not have, leaves the stored value as it is: a sheet
  that only lists owners cannot wipe out dates or ratings.
* A change of RAG, status or commentary is recorded as an update (``source="import"``) in the
  action's history, dated from the sheet's update date when it has one; other changes are
  audited field by field. Importing the same file again changes nothing.
* A row whose update is older than the newest update already in the tracker is refused rather
  than allowed to overwrite it.
* A workbook's "Risks" sheet is the risk register (``_risks``): checked row by row with the
  plan, its problems listed beside the plan's, written in the same transaction (all or
  nothing). A workbook without one imports as before.

Committing needs a write session (``session_scope(engine, write=True)``): the actions are locked
(``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite) while they are compared and
written. Passing the dry run's ``versions`` as ``expected_versions`` refuses the commit, writing
nothing, if anyone changed one of the actions after the dry run was shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, BinaryIO, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker import clock
from tracker.errors import Conflict
from tracker.formatting import format_date, local_time
from tracker.governance import GovernanceConfig, RiskScaleConfig
from tracker.models import Action
from tracker.permissions import Actor, Operation, require
from tracker.services.plans._lookups import load_lookups
from tracker.services.plans._planner import Planner, RowPlan
from tracker.services.plans._risks import (
    PlannedRisk,
    RiskImport,
    plan_risk_import,
    write_risk_import,
)
from tracker.services.plans._writer import write_plans
from tracker.spreadsheets import (
    DEFAULT_RAG_COLOURS,
    MAX_BYTES,
    RagColours,
    RowError,
    SheetSummary,
    SkippedSheet,
    read_plan,
)
from tracker.spreadsheets.reader import read_source_bytes
from tracker.spreadsheets.risks import RISK_SHEET, read_risk_sheet

IMPORT_SOURCE = "import"
Outcome = Literal["create", "update", "unchanged"]


class ImportConflict(Conflict):
    """The database changed under the import (after the dry run, or during the commit)."""


@dataclass(frozen=True)
class FieldChange:
    """One field of one action: its column as the sheet names it, the old and new values."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class PlannedAction:
    row: int
    reference: str
    title: str
    outcome: Outcome
    changes: tuple[FieldChange, ...] = ()
    records_update: bool = False  # a RAG/status/commentary change goes into the history
    sheet: str | None = None


@dataclass(frozen=True)
class PlannedPerson:
    email: str
    name: str
    organisation: str | None
    row: int  # the first row naming them


@dataclass(frozen=True)
class ImportReport:
    """What an import found, and what it wrote (``committed``) or would write."""

    filename: str
    sheet_name: str
    header_row: int
    column_map: Mapping[str, str]
    ignored_columns: tuple[str, ...]
    actions: tuple[PlannedAction, ...]
    people: tuple[PlannedPerson, ...]
    problems: tuple[RowError, ...]
    committed: bool
    versions: Mapping[str, int] = field(default_factory=dict)  # reference -> version seen
    sheets: tuple[SheetSummary, ...] = ()  # the sheets read, in workbook order
    skipped_sheets: tuple[SkippedSheet, ...] = ()  # the sheets not read, and why
    notes: tuple[RowError, ...] = ()  # what colours and non-plain dates were read as
    workbook_sheets: tuple[str, ...] = ()  # every sheet of the file, for choosing among them
    risks: tuple[PlannedRisk, ...] = ()  # the Risks sheet's rows, when the workbook has one
    has_risk_sheet: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def with_outcome(self, outcome: Outcome) -> tuple[PlannedAction, ...]:
        return tuple(action for action in self.actions if action.outcome == outcome)

    @property
    def created(self) -> tuple[PlannedAction, ...]:
        return self.with_outcome("create")

    @property
    def updated(self) -> tuple[PlannedAction, ...]:
        return self.with_outcome("update")

    @property
    def unchanged(self) -> tuple[PlannedAction, ...]:
        return self.with_outcome("unchanged")

    def risks_with(self, outcome: Outcome) -> tuple[PlannedRisk, ...]:
        refused = {row for sheet, row in self.problem_places if sheet == RISK_SHEET}
        return tuple(r for r in self.risks if r.outcome == outcome and r.row not in refused)

    @property
    def problem_rows(self) -> tuple[int, ...]:
        return tuple(sorted({problem.row for problem in self.problems}))

    @property
    def problem_places(self) -> tuple[tuple[str, int], ...]:
        """(sheet, row) of every row with a problem, in workbook order."""
        order = {sheet.name: index for index, sheet in enumerate(self.sheets)}
        order[RISK_SHEET] = len(order)
        places = {(problem.sheet or "", problem.row) for problem in self.problems}
        return tuple(sorted(places, key=lambda place: (order.get(place[0], 0), place[1])))

    @property
    def refused_places(self) -> tuple[tuple[str, int], ...]:
        """(sheet, row) of the rows left out when rows with problems are skipped."""
        taken = {(action.sheet or "", action.row) for action in self.actions}
        return tuple(place for place in self.problem_places if place not in taken)

    @property
    def kept_places(self) -> tuple[tuple[str, int], ...]:
        """(sheet, row) of rows taken, with problems that only keep a stored value (due
        date "TBC"), when rows with problems are skipped."""
        taken = {(action.sheet or "", action.row) for action in self.actions}
        return tuple(place for place in self.problem_places if place in taken)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``tracker import --json``)."""
        return {
            "filename": self.filename,
            "sheet": self.sheet_name,
            "header_row": self.header_row,
            "columns": dict(self.column_map),
            "ignored_columns": list(self.ignored_columns),
            "committed": self.committed,
            "sheets": [
                {
                    "name": sheet.name,
                    "header_row": sheet.header_row,
                    "rows_read": sheet.rows_read,
                    "actions_found": sheet.actions_found,
                    "problems": sheet.problems,
                    "priority_from_name": sheet.priority,
                }
                for sheet in self.sheets
            ],
            "skipped_sheets": [{"name": s.name, "reason": s.reason} for s in self.skipped_sheets],
            "notes": [
                {
                    "sheet": n.sheet,
                    "row": n.row,
                    "column": n.column,
                    "value": n.value,
                    "note": n.message,
                }
                for n in self.notes
            ],
            "counts": {
                "rows": len(self.actions) + len(self.refused_places),
                "create": len(self.created),
                "update": len(self.updated),
                "unchanged": len(self.unchanged),
                "people_to_create": len(self.people),
                "problems": len(self.problems),
            },
            # The Risks sheet's rows (None: the workbook has no Risks sheet).
            "risk_counts": {
                "rows": len(self.risks),
                "create": len(self.risks_with("create")),
                "update": len(self.risks_with("update")),
                "unchanged": len(self.risks_with("unchanged")),
            }
            if self.has_risk_sheet
            else None,
            "risks": [
                {
                    "row": r.row,
                    "reference": r.reference,
                    "title": r.title,
                    "outcome": r.outcome,
                    "rescored": r.rescored,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in r.changes],
                }
                for r in self.risks
            ],
            "actions": [
                {
                    "sheet": a.sheet,
                    "row": a.row,
                    "reference": a.reference,
                    "title": a.title,
                    "outcome": a.outcome,
                    "records_update": a.records_update,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in a.changes],
                }
                for a in self.actions
            ],
            "people_to_create": [
                {"email": p.email, "name": p.name, "organisation": p.organisation, "row": p.row}
                for p in self.people
            ],
            "problems": [
                {
                    "sheet": p.sheet,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "message": p.message,
                    "keeps_stored": p.keeps_stored,
                }
                for p in self.problems
            ],
        }


def import_plan(
    session: Session,
    *,
    actor: Actor,
    source: str | os.PathLike[str] | bytes | BinaryIO,
    filename: str,
    commit: bool = False,
    skip_invalid: bool = False,
    expected_versions: Mapping[str, int] | None = None,
    expected_problem_rows: Sequence[tuple[str, int]] | None = None,
    now: datetime | None = None,
    sheets: Sequence[str] = (),
    governance: GovernanceConfig | None = None,
) -> ImportReport:
    """Check a plan file against the database; with ``commit``, write it (see module doc).

    Raises PermissionDenied unless ``actor`` may import plans (dry runs included),
    SpreadsheetError when the file as a whole cannot be read, and ImportConflict when the
    actions changed after the dry run whose ``versions`` are passed as ``expected_versions``.
    Row problems come back in the report. ``sheets`` restricts a workbook to the sheets
    named; ``governance`` gives the RAG fill colour table (the defaults without it).
    With ``skip_invalid``, ``expected_problem_rows`` are the (sheet, row) places the person
    agreed to skip (the dry run's ``problem_places``): if other rows have problems now, nothing
    is written (ImportConflict), so no row is left out that the person did not see listed.
    """
    require(actor, Operation.IMPORT_PLAN, what="import action plans")
    now = now or clock.now()
    data = read_source_bytes(source, filename=filename, max_bytes=MAX_BYTES)
    sheet = read_plan(
        data, filename=filename, sheets=sheets, rag_colours=rag_colours_of(governance)
    )
    actions = _load_actions(session, lock=commit)
    planner = Planner(
        lookups=load_lookups(session), actions=actions, columns=sheet.column_map, now=now
    )
    taken = {id(row) for row in (*sheet.rows, *sheet.kept_rows)}
    sheet_order = {summary.name: index for index, summary in enumerate(sheet.sheets)}
    in_order = sorted(
        (*sheet.rows, *sheet.invalid_rows),
        key=lambda row: (sheet_order.get(row.sheet or "", 0), row.row),
    )
    for row in in_order:
        if id(row) in taken:
            # A row whose only problems keep a stored value ("TBC" as the due date) is
            # planned too, and written when rows with problems are skipped.
            planner.plan(row)
        else:
            planner.check_names(row)
    order = {summary.name: index for index, summary in enumerate(sheet.sheets)}
    risks = _plan_risks(session, data, filename, sheets, governance)
    problems = tuple(
        sorted(
            (*_with_kept_dates(sheet.errors, planner.plans), *planner.errors),
            key=lambda p: (order.get(p.sheet or "", 0), p.row),
        )
    ) + (risks.problems if risks else ())
    versions = {
        plan.action.reference: plan.action.version
        for plan in planner.plans
        if plan.action is not None
    }
    if commit and expected_versions is not None:
        _check_versions(versions, expected_versions)
    if commit and skip_invalid and expected_problem_rows is not None:
        _check_skipped_rows(problems, expected_problem_rows)
    write = commit and (not problems or skip_invalid)
    planned_risks = risks.planned if risks else ()  # before writing changes the risks
    if write:
        reason = f"imported from {_base_name(filename)}"
        try:
            write_plans(
                session,
                actor=actor,
                plans=planner.plans,
                people=planner.people,
                reason=reason,
                source=IMPORT_SOURCE,
                now=now,
            )
            if risks is not None:
                write_risk_import(
                    session,
                    actor=actor,
                    plans=risks.plans,
                    reason=reason,
                    today=local_time(now).date(),
                    now=now,
                    skip_rows=frozenset(p.row for p in risks.problems),
                )
        except IntegrityError as error:
            raise ImportConflict(
                "someone added an action, a risk or a person with the same reference or e-mail "
                "while the import ran; nothing was written: run the import again"
            ) from error
    return ImportReport(
        risks=planned_risks,
        has_risk_sheet=risks is not None,
        filename=_base_name(filename),
        sheet_name=sheet.sheet_name,
        header_row=sheet.header_row,
        column_map=sheet.column_map,
        ignored_columns=sheet.ignored_columns,
        actions=tuple(_planned(plan) for plan in planner.plans),
        people=tuple(
            PlannedPerson(p.email, p.name, p.organisation_name, p.row)
            for p in planner.people.values()
        ),
        problems=problems,
        committed=write,
        versions=MappingProxyType(versions),
        sheets=sheet.sheets,
        skipped_sheets=sheet.skipped,
        notes=sheet.notes,
        workbook_sheets=sheet.workbook_sheets,
    )


def _plan_risks(
    session: Session,
    data: bytes,
    filename: str,
    sheets: Sequence[str],
    governance: GovernanceConfig | None,
) -> RiskImport | None:
    """The workbook's Risks sheet checked, or None without one (or when other sheets were
    chosen and it was not among them)."""
    if sheets and RISK_SHEET.casefold() not in {s.strip().casefold() for s in sheets}:
        return None
    found = read_risk_sheet(data, filename=filename)
    if found is None:
        return None
    scale = governance.risks if governance is not None else RiskScaleConfig()
    return plan_risk_import(session, sheet=found, scale=scale)


def _with_kept_dates(problems: Sequence[RowError], plans: Sequence[RowPlan]) -> list[RowError]:
    """Problems that keep a stored due date, saying which date is kept when rows with
    problems are skipped (for the rows that are planned)."""
    planned = {(plan.row.sheet, plan.row.row): plan for plan in plans}
    shown: list[RowError] = []
    for problem in problems:
        plan = planned.get((problem.sheet, problem.row))
        if problem.keeps_stored and plan is not None:
            if plan.action is None:
                kept = "the action is created without a due date"
            elif plan.action.due_date is None:
                kept = "the action keeps having no due date"
            else:
                kept = f"the action keeps its due date {format_date(plan.action.due_date)}"
            problem = replace(problem, message=f"{problem.message}; skipping problems, {kept}")
        shown.append(problem)
    return shown


def rag_colours_of(governance: GovernanceConfig | None) -> RagColours:
    """The fill colour table: governance.yaml's lists, the defaults for codes it leaves out."""
    if governance is None:
        return DEFAULT_RAG_COLOURS
    table = governance.rag_fill_colours
    colours = dict(DEFAULT_RAG_COLOURS.colours)
    for code, listed in table.listed().items():
        colours[code] = tuple(colour.removeprefix("#") for colour in listed)
    return RagColours(colours, table.tolerance)


def _base_name(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).name


def _load_actions(session: Session, *, lock: bool) -> dict[str, Action]:
    """Every action by upper-cased reference; locked for the transaction when committing."""
    query = select(Action)
    if lock:
        # PostgreSQL holds these rows until commit; SQLite's write session already holds the
        # database write lock, and SQLAlchemy leaves FOR UPDATE out there.
        query = query.with_for_update()
    return {action.reference.upper(): action for action in session.exec(query).all()}


def _check_versions(seen: Mapping[str, int], expected: Mapping[str, int]) -> None:
    changed = sorted(
        (ref for ref in set(seen) | set(expected) if seen.get(ref) != expected.get(ref)),
        key=_reference_order,
    )
    if changed:
        more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        shown = ", ".join(changed[:10]) + more
        raise ImportConflict(
            f"{shown} changed after the dry run was shown; nothing was written: "
            "check the file again and commit what it now says"
        )


def _check_skipped_rows(problems: Sequence[RowError], agreed: Sequence[tuple[str, int]]) -> None:
    new = sorted({(p.sheet or "", p.row) for p in problems} - set(agreed))
    if new:
        named = [f"{sheet} {row}" if sheet else str(row) for sheet, row in new[:10]]
        rows = ", ".join(named) + (" ..." if len(new) > 10 else "")
        raise ImportConflict(
            f"row(s) {rows} now have problems the dry run did not show, so skipping them was "
            "not agreed; nothing was written: read the problems again and choose"
        )


def _reference_order(reference: str) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in reference).split()
    return tuple(int(d) for d in digits)


def _planned(plan: RowPlan) -> PlannedAction:
    changes = tuple(FieldChange(c.label, c.old, c.new) for c in plan.changes)
    if plan.action is None:
        outcome: Outcome = "create"
    elif plan.values or plan.update is not None:
        outcome = "update"
    else:
        outcome = "unchanged"
    return PlannedAction(
        row=plan.row.row,
        reference=plan.reference,
        title=plan.row.title,
        outcome=outcome,
        changes=changes,
        records_update=plan.update is not None,
        sheet=plan.row.sheet,
    )
