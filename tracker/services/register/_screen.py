"""The register screen's view model: the filter choices and one page of rows, in one session.

``load_register_page`` reads what the register's filters offer and the page of actions the
filters ask for together. A filter naming a choice that is no longer offered (a workstream
deactivated since the person chose it) is dropped rather than matching nothing, and the filters
actually applied come back with the page, so the screen shows exactly what it searched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Engine

from tracker.db import session_scope
from tracker.services.register._choices import Choice, Choices, list_choices
from tracker.services.register._paging import RegisterOrder, RegisterPage, list_register_page
from tracker.services.register._rows import DEFAULT_CYCLE_DAYS, ActionFilter


@dataclass(frozen=True)
class RegisterScreen:
    choices: Choices
    filters: ActionFilter  # as applied: choices no longer offered are left out
    page: RegisterPage


def _offered(value: int | None, choices: list[Choice]) -> int | None:
    return value if value is not None and any(c.id == value for c in choices) else None


def _applicable(filters: ActionFilter, choices: Choices) -> ActionFilter:
    return replace(
        filters,
        priority=_offered(filters.priority, choices.priorities),
        workstream_id=_offered(filters.workstream_id, choices.workstreams),
        body_id=_offered(filters.body_id, choices.bodies),
        owner_id=_offered(filters.owner_id, choices.owners),
        organisation_id=_offered(filters.organisation_id, choices.organisations),
    )


def load_register_page(
    engine: Engine,
    *,
    today: date,
    filters: ActionFilter,
    order: RegisterOrder = "reference",
    offset: int = 0,
    limit: int = 50,
    default_cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> RegisterScreen:
    """The register's choices and the page of rows ``filters`` and ``order`` ask for."""
    with session_scope(engine) as session:
        choices = list_choices(session)
        applied = _applicable(filters, choices)
        page = list_register_page(
            session,
            today=today,
            filters=applied,
            order=order,
            offset=offset,
            limit=limit,
            default_cycle_days=default_cycle_days,
        )
    return RegisterScreen(choices=choices, filters=applied, page=page)
