"""Decide, row by row, what an imported plan would do to the database, without writing anything.

A :class:`Planner` takes checked rows from :func:`tracker.spreadsheets.read_plan` and the
database as it stands (:mod:`tracker.services.plans`, the actions by reference) and
produces, for each row, either its problems (row, column, value, message) or a
:class:`RowPlan`: the action's attributes to set, the update to record in its history, and the
changes as a person reads them. People a row needs but the database lacks are collected once
each, for the writer to create first. Priorities are the strategy's configuration (seeded by
``tracker init``): a row naming a priority the database lacks is a row error, never a new
priority. The rules are the importer's (see
:mod:`tracker.services.plans`): blank cells keep stored values; a RAG, status or commentary
change is an update; an update older than the tracker's newest is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from tracker.models import Action, ActionStatus, Rag
from tracker.rules import RAG_LABELS, STATUS_LABELS
from tracker.services.actions import TEXT_LIMIT, TITLE_LIMIT
from tracker.services.people import PersonError, normalise_email
from tracker.services.plans._lookups import Lookups, NameIndex, UnknownName
from tracker.spreadsheets import PlanRow, RowError

NAME_LIMIT = 200
REFERENCE_LIMIT = 20
UPDATE_ATTRIBUTES = ("rag", "status", "latest_commentary")
# Attribute -> (PlanRow field whose column it comes from, label when the sheet has no column).
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "title": ("title", "Action"),
    "priority_id": ("priority", "Priority"),
    "owner_id": ("owner_email", "Lead Officer"),
    "lead_organisation_id": ("lead_organisation", "Lead Organisation"),
    "workstream_id": ("workstream", "Workstream"),
    "body_id": ("body", "Governance Board"),
    "start_date": ("start_date", "Start Date"),
    "due_date": ("due_date", "Target Date"),
    "status": ("status", "Status"),
    "rag": ("rag", "RAG"),
    "latest_commentary": ("commentary", "Latest Update"),
    "expected_impact": ("expected_impact", "Expected Impact"),
}


@dataclass(frozen=True)
class PendingPerson:
    """An owner the sheet names by an e-mail address the database does not know yet."""

    email: str
    name: str
    organisation_id: int | None
    organisation_name: str | None
    row: int


@dataclass(frozen=True)
class Change:
    """One field's change: shown to people (label, old, new) and audited (field, values)."""

    label: str
    audit_field: str
    old: str | None
    new: str | None
    audit_old: object
    audit_new: object


@dataclass(frozen=True)
class UpdatePlan:
    rag: str | None
    status: str
    commentary: str | None
    at: datetime
    revised_due_date: date | None = None


@dataclass
class RowPlan:
    row: PlanRow
    reference: str
    action: Action | None  # None: the action is created
    values: dict[str, Any]  # attributes to set; the owner may still be a PendingPerson
    update: UpdatePlan | None
    changes: list[Change] = field(default_factory=list)


class _RowCheck:
    """The problems of one row, each with its column header and value as the sheet has them."""

    def __init__(self, row: PlanRow, columns: Mapping[str, str]) -> None:
        self.row = row
        self.columns = columns
        self.errors: list[RowError] = []

    def fail(self, row_field: str, message: str, value: object = None) -> None:
        shown = value if value is not None else getattr(self.row, row_field, None)
        if isinstance(shown, date):
            shown = f"{shown:%d/%m/%Y}"
        text = None if shown is None else str(shown)
        self.errors.append(
            RowError(self.row.row, self.columns.get(row_field), text, message, self.row.sheet)
        )


def name_from_email(email: str) -> str:
    """'head.of.send@example.org' -> 'Head Of Send', for owners the sheet gives no name."""
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


class Planner:
    """Plans rows one at a time; ``plans``, ``errors`` and ``people`` accrue."""

    def __init__(
        self,
        *,
        lookups: Lookups,
        actions: Mapping[str, Action],
        columns: Mapping[str, str],
        now: datetime,
    ) -> None:
        self.lookups = lookups
        self.actions = actions
        self.columns = columns
        self.now = now
        self.plans: list[RowPlan] = []
        self.errors: list[RowError] = []
        self.people: dict[str, PendingPerson] = {}
        self._addresses: dict[str, str | PersonError] = {}  # as written -> checked, or why not

    def plan(self, row: PlanRow) -> None:
        check = _RowCheck(row, self.columns)
        action = self.actions.get(row.reference.upper())
        given = self._given(row, action, check)
        plan = None if check.errors else self._compare(row, action, given, check)
        if check.errors or plan is None:
            self.errors.extend(check.errors)
            return
        for value in plan.values.values():
            if isinstance(value, PendingPerson):
                self.people.setdefault(value.email, value)
        self.plans.append(plan)

    def check_names(self, row: PlanRow) -> None:
        """Record the lookup problems (priority, organisation, workstream, body, owner) of a
        row the reader already refused, so one dry run lists every problem, not the first."""
        check = _RowCheck(row, self.columns)
        self._given(row, self.actions.get(row.reference.upper()), check)
        self.errors.extend(check.errors)

    # --- what the row says ---------------------------------------------------------------

    def _given(self, row: PlanRow, action: Action | None, check: _RowCheck) -> dict[str, Any]:
        """Attribute -> value for every non-blank cell, names resolved to ids."""
        if len(row.reference) > REFERENCE_LIMIT:
            check.fail("reference", f"longer than {REFERENCE_LIMIT} characters")
        if len(row.title) > TITLE_LIMIT:
            check.fail("title", f"longer than {TITLE_LIMIT} characters", f"{row.title[:60]}…")
        if row.commentary and len(row.commentary) > TEXT_LIMIT:
            check.fail("commentary", f"longer than {TEXT_LIMIT} characters", "…")
        if row.expected_impact and len(row.expected_impact) > TEXT_LIMIT:
            check.fail("expected_impact", f"longer than {TEXT_LIMIT} characters", "…")
        if row.updated_on and row.updated_on > self.now.date():
            check.fail("updated_on", "the update date is in the future")
        given: dict[str, Any] = {
            "title": row.title,
            "priority_id": self._priority(row, check),
            "start_date": row.start_date,
            "due_date": row.due_date,
            "status": row.status,
            "rag": row.rag,
            "latest_commentary": row.commentary,
            "expected_impact": row.expected_impact,
        }
        indexes = (
            ("lead_organisation_id", "lead_organisation", self.lookups.organisations),
            ("workstream_id", "workstream", self.lookups.workstreams),
            ("body_id", "body", self.lookups.bodies),
        )
        for attribute, row_field, index in indexes:
            text = getattr(row, row_field)
            if text:
                current = getattr(action, attribute) if action else None
                given[attribute] = self._named(index, text, row_field, current, check)
        if row.owner_email:
            given["owner_id"] = self._owner(row, action, given.get("lead_organisation_id"), check)
        return {key: value for key, value in given.items() if value is not None}

    def _priority(self, row: PlanRow, check: _RowCheck) -> int | None:
        number = row.priority  # the reader fills it from the reference when the sheet has none
        if number is None:
            return None
        known = self.lookups.priorities.get(number)
        if known is None:
            row_field = "priority" if "priority" in self.columns else "reference"
            shown = number if row_field == "priority" else None
            check.fail(row_field, f"priority {number} does not exist; {self._priorities()}", shown)
        return known

    def _priorities(self) -> str:
        """The priorities a row may name, for the error when it names another."""
        numbers = sorted(self.lookups.priorities)
        if not numbers:
            return "the database has no priorities: run `tracker init` to seed the strategy"
        if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
            return f"the plan has priorities {numbers[0]} to {numbers[-1]}"
        if len(numbers) == 1:
            return f"the plan has only priority {numbers[0]}"
        listed = ", ".join(str(n) for n in numbers[:-1])
        return f"the plan has priorities {listed} and {numbers[-1]}"

    def _named(
        self, index: NameIndex, text: str, row_field: str, current: int | None, check: _RowCheck
    ) -> int | None:
        try:
            found = index.find(text)
        except UnknownName as error:
            check.fail(row_field, str(error))
            return None
        if not found.active and found.id != current:
            check.fail(row_field, f"'{found.name}' is no longer in use (not in governance.yaml)")
            return None
        return found.id

    def _owner(
        self, row: PlanRow, action: Action | None, organisation_id: int | None, check: _RowCheck
    ) -> int | PendingPerson | None:
        email = self._address(row.owner_email or "")
        if isinstance(email, PersonError):
            reason = str(email).removeprefix("email: ")
            check.fail("owner_email", f"not a usable e-mail address: {reason}")
            return None
        known = self.lookups.people.get(email)
        if known is not None:
            if not known.active and (action is None or action.owner_id != known.id):
                check.fail("owner_email", f"{known.name} is inactive: choose an active owner")
                return None
            return known.id
        if email in self.people:
            return self.people[email]
        name = row.owner_name or name_from_email(email)
        if len(name) > NAME_LIMIT:
            check.fail("owner_name", f"longer than {NAME_LIMIT} characters")
            return None
        organisation = self.lookups.organisations.name_of(organisation_id)
        return PendingPerson(email, name, organisation_id, organisation, row.row)

    def _address(self, written: str) -> str | PersonError:
        """The address checked as ``add_person`` checks it; once per address, as a plan names
        a few hundred owners across thousands of rows."""
        if written not in self._addresses:
            try:
                self._addresses[written] = normalise_email(written)
            except PersonError as error:
                self._addresses[written] = error
        return self._addresses[written]

    # --- what it would change ------------------------------------------------------------

    def _compare(
        self, row: PlanRow, action: Action | None, given: dict[str, Any], check: _RowCheck
    ) -> RowPlan | None:
        if action is None:
            return self._create(row, given)
        values = {
            key: value
            for key, value in given.items()
            if key not in UPDATE_ATTRIBUTES and getattr(action, key) != value
        }
        start = values.get("start_date", action.start_date)
        due = values.get("due_date", action.due_date)
        if start and due and due < start and ("start_date" in values or "due_date" in values):
            check.fail("due_date", f"before the start date {start:%d/%m/%Y}", due)
            return None
        rag = given.get("rag", action.rag)
        status = given.get("status", action.status)
        commentary = given.get("latest_commentary", action.latest_commentary)
        # Blue and Complete mean the same thing: a sheet giving one implies the other.
        if status == ActionStatus.COMPLETE.value and "rag" not in given:
            rag = Rag.BLUE.value
        if rag == Rag.BLUE.value and "status" not in given:
            status = ActionStatus.COMPLETE.value
        update = None
        if (rag, status, commentary) != (action.rag, action.status, action.latest_commentary):
            if not self._fresh(row, action, check):
                return None
            at = self._update_time(row, action)
            update = UpdatePlan(rag, status, commentary, at, values.get("due_date"))
        plan = RowPlan(row, action.reference, action, values, update)
        current = {key: getattr(action, key) for key in ATTRIBUTES}
        after = {**current, **values}
        if update is not None:
            after.update(rag=rag, status=status, latest_commentary=commentary)
        plan.changes = [
            self._change(key, current[key], after[key])
            for key in ATTRIBUTES
            if current[key] != after[key]
        ]
        return plan

    def _create(self, row: PlanRow, given: dict[str, Any]) -> RowPlan:
        rag = given.get("rag")
        status = given.get("status")
        if status is None:
            # A rated action is under way, and Blue means complete.
            if rag == Rag.BLUE.value:
                status = ActionStatus.COMPLETE.value
            elif rag is not None:
                status = ActionStatus.IN_PROGRESS.value
        if status == ActionStatus.COMPLETE.value and rag is None:
            rag = Rag.BLUE.value
        update = None
        if rag is not None or status is not None or "latest_commentary" in given:
            update = UpdatePlan(
                rag,
                status or ActionStatus.NOT_STARTED.value,
                given.get("latest_commentary"),
                self._update_time(row, None),
            )
        values = {key: value for key, value in given.items() if key not in UPDATE_ATTRIBUTES}
        plan = RowPlan(row, row.reference, None, values, update)
        after = {**values}
        if update is not None:
            after.update(rag=update.rag, status=update.status, latest_commentary=update.commentary)
        plan.changes = [
            self._change(key, None, after[key]) for key in ATTRIBUTES if after.get(key) is not None
        ]
        return plan

    def _fresh(self, row: PlanRow, action: Action, check: _RowCheck) -> bool:
        """False (with a problem) when the row's rating would overwrite a newer update."""
        last = action.last_updated_at
        if last is None or "updated_on" not in self.columns:
            return True  # nothing to overwrite, or a sheet that states no update dates
        if row.updated_on is None:
            check.fail(
                "updated_on",
                f"the tracker has an update of {last:%d/%m/%Y} that this row's RAG, status or "
                "commentary would overwrite: give this row's update date, or clear those cells",
            )
            return False
        if row.updated_on < last.date():
            check.fail(
                "updated_on",
                f"older than the tracker's latest update ({last:%d/%m/%Y}): bring this row's "
                "RAG, status and commentary up to date, or clear those cells",
            )
            return False
        return True

    def _update_time(self, row: PlanRow, action: Action | None) -> datetime:
        """The sheet's update date (at noon UTC), but never later than now nor before the
        action's newest update, so the action's state stays that of its newest update."""
        at = self.now
        if row.updated_on is not None:
            at = min(datetime.combine(row.updated_on, time(12), tzinfo=UTC), self.now)
        last = action.last_updated_at if action else None
        return self.now if last is not None and at <= last else at

    # --- how a change reads --------------------------------------------------------------

    def _change(self, key: str, old: Any, new: Any) -> Change:
        row_field, default_label = ATTRIBUTES[key]
        label = self.columns.get(row_field, default_label)
        if key == "owner_id":  # the owner is a name to people, though matched by e-mail
            label = self.columns.get("owner_name", default_label)
        audit_field = key.removesuffix("_id")
        return Change(
            label=label,
            audit_field="owner" if key == "owner_id" else audit_field,
            old=self._shown(key, old),
            new=self._shown(key, new),
            audit_old=self._audited(key, old),
            audit_new=self._audited(key, new),
        )

    def _shown(self, key: str, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, PendingPerson):
            return f"{value.name} <{value.email}> (new person)"
        if key == "owner_id":
            person = self.lookups.people_by_id.get(value)
            return f"{person.name} <{person.email}>" if person else str(value)
        if key == "priority_id":
            return f"Priority {self.lookups.priority_numbers.get(value, value)}"
        if key in {"lead_organisation_id", "workstream_id", "body_id"}:
            return self._index(key).name_of(value) or str(value)
        if isinstance(value, date):
            return f"{value:%d/%m/%Y}"
        if key == "rag":
            return RAG_LABELS.get(value, str(value))
        if key == "status":
            return STATUS_LABELS.get(value, str(value))
        return str(value)

    def _audited(self, key: str, value: Any) -> object:
        if value is None or isinstance(value, date) or key in {"rag", "status"}:
            return value
        if isinstance(value, PendingPerson):
            return value.email
        if key == "owner_id":
            person = self.lookups.people_by_id.get(value)
            return person.email if person else value
        if key == "priority_id":
            return self.lookups.priority_numbers.get(value, value)
        if key in {"lead_organisation_id", "workstream_id", "body_id"}:
            return self._index(key).name_of(value) or value
        return value

    def _index(self, key: str) -> NameIndex:
        return {
            "lead_organisation_id": self.lookups.organisations,
            "workstream_id": self.lookups.workstreams,
            "body_id": self.lookups.bodies,
        }[key]
