"""Every role x operation x ownership case of the permission table."""

from __future__ import annotations

import itertools

import pytest

from tracker.models import Role
from tracker.permissions import Actor, Operation, PermissionDenied, can, require

A, E, S, L, OWN, P = (r.value for r in Role)
# Who may do each operation by role alone; ownership adds rights below.
EXPECTED_BY_ROLE = {
    Operation.VIEW_PROGRESS: {A, E, S, L, OWN, P},
    Operation.VIEW_AUDIT: {A, E, S, L, OWN},
    Operation.UPDATE_ACTION: {A},
    Operation.ESCALATE_ACTION: {A, S},
    Operation.MANAGE_ACTIONS: {A},
    Operation.MANAGE_PEOPLE: {A},
    Operation.GENERATE_PAPER: {A, S},
    Operation.VIEW_PAPERS: {A, S, E},
    Operation.EDIT_MEASURE: {A},
    Operation.ENTER_MEASURE_VALUE: {A},
    Operation.IMPORT_PLAN: {A},
    Operation.EXPORT_PLAN: {A, S, E},
    Operation.MANAGE_MAIL: {A},
    Operation.VIEW_MY_ACTIONS: {A, L, OWN},
}
OWNERSHIP_GRANTS = {
    Operation.UPDATE_ACTION,
    Operation.ESCALATE_ACTION,
    Operation.EDIT_MEASURE,
    Operation.ENTER_MEASURE_VALUE,
}
OWNERSHIP = {"none": (False, False), "owner": (True, False), "workstream lead": (False, True)}


def _actor(role: str, *, active: bool = True) -> Actor:
    return Actor(
        person_id=1, email="x@example.org", name="X", roles=frozenset({role}), active=active
    )


CASES = list(itertools.product(list(Role), list(Operation), list(OWNERSHIP)))


@pytest.mark.parametrize(
    ("role", "operation", "ownership"), CASES, ids=[f"{r.value}-{o.value}-{w}" for r, o, w in CASES]
)
def test_permission_table(role: Role, operation: Operation, ownership: str) -> None:
    is_owner, is_lead = OWNERSHIP[ownership]
    expected = role.value in EXPECTED_BY_ROLE[operation] or (
        operation in OWNERSHIP_GRANTS and (is_owner or is_lead)
    )
    actor = _actor(role.value)
    assert can(actor, operation, is_owner=is_owner, is_workstream_lead=is_lead) is expected
    if not expected:
        with pytest.raises(PermissionDenied):
            require(actor, operation, is_owner=is_owner, is_workstream_lead=is_lead)


@pytest.mark.parametrize("operation", list(Operation))
def test_inactive_people_may_do_nothing(operation: Operation) -> None:
    actor = _actor(Role.ADMINISTRATOR.value, active=False)
    assert not can(actor, operation, is_owner=True, is_workstream_lead=True)


def test_people_who_own_actions_get_my_actions_without_a_role() -> None:
    actor = Actor(
        person_id=1, email="x@example.org", name="X", roles=frozenset(), owns_actions=True
    )
    assert can(actor, Operation.VIEW_MY_ACTIONS)
    assert not can(actor, Operation.VIEW_PROGRESS)
