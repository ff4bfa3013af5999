"""One row of an action plan read as an action: every field checked, typed and explained.

:func:`check_row` reads a row's cells through a :class:`RowChecker`, which collects every
problem instead of stopping at the first: a reference such as ``P2.3`` (a bare number only when
the row's priority is known), the action text, an owner with an e-mail address, real dates (a
due date may be a month or a financial quarter, see :mod:`tracker.spreadsheets.dates`), a
status, and a RAG rating from the words teams use or, failing words, the cell's fill colour
(:mod:`tracker.spreadsheets.colours`). Each problem is a :class:`RowError` with the sheet row,
column header and value as shown; what a colour or a month was read as is a note of the same
shape. Which sheets and rows are read is :mod:`tracker.spreadsheets.plan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from tracker.models import ActionStatus, Rag
from tracker.rules import RAG_LABELS
from tracker.spreadsheets.cells import (
    CellError,
    CellValue,
    Row,
    parse_date,
    parse_text,
    parse_whole_number,
    shown_value,
)
from tracker.spreadsheets.colours import DEFAULT_RAG_COLOURS, RagColours, match_rag
from tracker.spreadsheets.dates import NotADate, describe, read_due_date

T = TypeVar("T")

RAG_WORDS = {
    "r": Rag.RED.value,
    "red": Rag.RED.value,
    "a": Rag.AMBER.value,
    "amber": Rag.AMBER.value,
    "g": Rag.GREEN.value,
    "green": Rag.GREEN.value,
    "b": Rag.BLUE.value,
    "blue": Rag.BLUE.value,
    "complete": Rag.BLUE.value,
    "completed": Rag.BLUE.value,
}
STATUS_WORDS = {
    "not started": ActionStatus.NOT_STARTED.value,
    "not yet started": ActionStatus.NOT_STARTED.value,
    "in progress": ActionStatus.IN_PROGRESS.value,
    "on track": ActionStatus.IN_PROGRESS.value,
    "ongoing": ActionStatus.IN_PROGRESS.value,
    "complete": ActionStatus.COMPLETE.value,
    "completed": ActionStatus.COMPLETE.value,
    "done": ActionStatus.COMPLETE.value,
    "withdrawn": ActionStatus.WITHDRAWN.value,
    "closed": ActionStatus.WITHDRAWN.value,
}
REFERENCE = re.compile(r"(P)?\s*(\d+)\s*\.\s*(\d+)([a-z]?)", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"(?:no|number|ref|action)\s*\.?\s*:?\s*(?=\d)", re.IGNORECASE)
_PRIORITY = re.compile(r"(?:priority|p)?\s*(\d+)(?:\b.*)?", re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowError:
    """One problem in one row: sheet row (1-based), column header and value as shown.

    ``keeps_stored`` marks a problem that does not refuse the row when rows with problems are
    skipped: the field keeps what is stored (a due date written "TBC" or "Spring term").
    The same shape carries the reading notes of a dry run (what a colour or date was read as).
    """

    row: int
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None
    keeps_stored: bool = False

    def describe(self, *, with_sheet: bool = True) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        if with_sheet and self.sheet:
            where = f"Sheet '{self.sheet}', {where[0].lower()}{where[1:]}"
        shown = f" ('{self.value}')" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class PlanRow:
    """One action as the sheet states it, every field checked and typed."""

    row: int
    reference: str
    priority: int | None
    title: str
    sheet: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    lead_organisation: str | None = None
    workstream: str | None = None
    body: str | None = None
    start_date: date | None = None
    due_date: date | None = None
    status: str | None = None
    rag: str | None = None
    commentary: str | None = None
    updated_on: date | None = None
    # What the system flags about the rating (exports only; an import does not read it).
    rating_flag: str | None = None
    # What the action will change for children, young people and families.
    expected_impact: str | None = None
    # The latest impact rating's words (exports only: impact is reported in updates).
    impact: str | None = None


# --- values with a meaning in a plan -------------------------------------------------------


def _words(value: CellValue) -> str | None:
    text = parse_text(value)
    return None if text is None else re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def parse_rag(value: CellValue) -> str | None:
    """Red, Amber, Green, Blue, their initials, or Complete (Blue) -> canonical code."""
    words = _words(value)
    if words is None:
        return None
    if words not in RAG_WORDS:
        raise CellError("not a RAG rating (use Red, Amber, Green or Blue, or R, A, G, B)")
    return RAG_WORDS[words]


def parse_status(value: CellValue) -> str | None:
    words = _words(value)
    if words is None:
        return None
    if words not in STATUS_WORDS:
        raise CellError("not a status (use Not started, In progress, Complete or Withdrawn)")
    return STATUS_WORDS[words]


def parse_email(value: CellValue) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    text = text.removeprefix("mailto:").strip()
    if not _EMAIL.fullmatch(text):
        raise CellError("not an e-mail address")
    return text.lower()


def parse_priority(value: CellValue) -> int | None:
    """2, "2", "P2" or "Priority 2: Inclusion" -> 2."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_whole_number(value)
    else:
        text = parse_text(value)
        if text is None:
            return None
        match = _PRIORITY.fullmatch(text)
        number = int(match[1]) if match else None
    if number is None or number < 1:
        raise CellError("not a priority number")
    return number


def parse_reference(value: CellValue, *, priority: int | None, has_priority: bool) -> str | None:
    """An action reference in the form P2.3, from "P2.3", "p2.3" or "P 2.3".

    A bare "2.3" or "No. 2.3", or "3" beside priority 2, is read as P2.3 only when the row's
    priority is known (a priority column, a merged cell or heading, the sheet's name): without
    one a bare number is too easily something else.
    """
    text = parse_text(value)
    if text is None:
        return None
    text = _NUMBER_PREFIX.sub("", text, count=1)
    if match := REFERENCE.fullmatch(text):
        if match[1] or has_priority:
            return f"P{int(match[2])}.{int(match[3])}{match[4].lower()}"
    elif text.isdigit() and priority is not None:
        return f"P{priority}.{int(text)}"
    raise CellError("not an action reference (use the form P2.3)")


# --- rows ----------------------------------------------------------------------------------


class RowChecker:
    """Reads one row's fields, collecting every problem instead of stopping at the first."""

    def __init__(
        self,
        columns: Mapping[str, tuple[int, str]],
        number: int,
        cells: Row,
        sheet: str | None = None,
    ) -> None:
        self.columns = columns
        self.number = number
        self.cells = cells
        self.sheet = sheet
        self.errors: list[RowError] = []
        self.notes: list[RowError] = []
        self.failed: set[str] = set()

    def raw(self, field: str) -> CellValue:
        spot = self.columns.get(field)
        return None if spot is None or spot[0] >= len(self.cells) else self.cells[spot[0]]

    def read(self, field: str, parse: Callable[[CellValue], T | None]) -> T | None:
        value = self.raw(field)
        try:
            return parse(value)
        except CellError as error:
            self.fail(field, str(error))
            return None

    def fail(
        self, field: str, message: str, *, keeps_stored: bool = False, column: str | None = None
    ) -> None:
        self.failed.add(field)
        spot = self.columns.get(field)
        header = column or (spot[1] if spot else None)
        shown = shown_value(self.raw(field)) if column is None else None
        self.errors.append(
            RowError(self.number, header, shown, message, self.sheet, keeps_stored=keeps_stored)
        )

    def note(self, column: str, value: str | None, message: str) -> None:
        self.notes.append(RowError(self.number, column, value, message, self.sheet))


@dataclass(frozen=True)
class RowContext:
    """What a row's cells do not say but its place does: the priority from a merged cell or a
    heading above or beside it, or from the sheet's name; the fill colour of its RAG cell."""

    priority: int | None = None
    fill: tuple[str, str] | None = None  # (column header, "RRGGBB")
    rag_colours: RagColours = DEFAULT_RAG_COLOURS


def _due_date(checker: RowChecker) -> date | None:
    value = checker.raw("due_date")
    try:
        reading = read_due_date(value)
    except NotADate as error:
        checker.fail("due_date", str(error), keeps_stored=True)
        return None
    except CellError as error:
        checker.fail("due_date", str(error))
        return None
    if reading is None:
        return None
    if reading.read_as is not None:
        spot = checker.columns["due_date"]
        checker.note(spot[1], shown_value(value), describe(reading))
    return reading.day


def _rag(checker: RowChecker, context: RowContext) -> str | None:
    """The RAG rating in words, else the fill colour's; a disagreement is noted (words win)."""
    words = checker.read("rag", parse_rag)
    if context.fill is None or "rag" in checker.failed:
        return words
    column, rgb = context.fill
    colour = match_rag(rgb, context.rag_colours)
    if words is not None:
        if colour is not None and colour != words:
            checker.note(
                column,
                f"#{rgb}",
                f"the fill colour reads as {RAG_LABELS[colour]} but the cell says "
                f"{RAG_LABELS[words]}: the words are taken",
            )
        return words
    if colour is None:
        checker.fail(
            "rag",
            f"the fill colour #{rgb} is not a RAG colour (see rag_fill_colours in "
            "governance.yaml): type the rating or use a RAG colour",
            column=column,
        )
        checker.errors[-1] = replace(checker.errors[-1], value=f"#{rgb}")
        return None
    checker.note(column, f"#{rgb}", f"fill colour read as {RAG_LABELS[colour]}")
    return colour


def check_row(checker: RowChecker, context: RowContext | None = None) -> tuple[PlanRow, str | None]:
    """The row as a PlanRow (unreadable cells blank, their problems in ``checker.errors``)
    and its reference when that much could be read, for the duplicate check."""
    context = context or RowContext()
    read = checker.read
    priority = read("priority", parse_priority)
    from_context = priority is None and "priority" not in checker.failed
    if from_context:
        priority = context.priority
    has_priority = "priority" in checker.columns or priority is not None
    reference = read(
        "reference", lambda v: parse_reference(v, priority=priority, has_priority=has_priority)
    )
    if reference is None and "reference" not in checker.failed:
        checker.fail("reference", "reference missing")
    reference_priority = int(reference[1:].split(".")[0]) if reference else None
    if from_context:
        # A sheet's name or heading only completes a bare number ("3" -> P2.3): a reference
        # that names its priority ("P3.1", "3.1") says which it is.
        priority = reference_priority or priority
    elif priority is not None and reference_priority is not None and priority != reference_priority:
        checker.fail("priority", f"does not match reference {reference}")
    title = read("title", parse_text)
    if title is None and "title" not in checker.failed:
        checker.fail("title", "action missing")
    owner_name = read("owner_name", parse_text)
    owner_email = read("owner_email", parse_email)
    if owner_name and owner_email is None and "owner_email" not in checker.failed:
        checker.fail("owner_email", "owner e-mail missing")
    start_date, due_date = read("start_date", parse_date), _due_date(checker)
    if start_date and due_date and due_date < start_date:
        checker.fail("due_date", f"before the start date {start_date:%d/%m/%Y}")
    row = PlanRow(
        row=checker.number,
        reference=reference or "",
        priority=priority if priority is not None else reference_priority,
        title=title or "",
        sheet=checker.sheet,
        owner_name=owner_name,
        owner_email=owner_email,
        lead_organisation=read("lead_organisation", parse_text),
        workstream=read("workstream", parse_text),
        body=read("body", parse_text),
        start_date=start_date,
        due_date=due_date,
        status=read("status", parse_status),
        rag=_rag(checker, context),
        commentary=read("commentary", parse_text),
        expected_impact=read("expected_impact", parse_text),
        updated_on=read("updated_on", parse_date),
        rating_flag=read("rating_flag", parse_text),
        impact=read("impact", parse_text),
    )
    return row, reference


def parses(parse: Callable[[CellValue], object], value: CellValue) -> bool:
    try:
        parse(value)
    except CellError:
        return False
    return True
