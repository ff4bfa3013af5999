"""People, their roles and the ``Actor`` the other services check permissions against.

Roles are read from the database on every call, so removing a role takes effect on the next
page load.
"""

from tracker.services.people._directory import (
    PersonError,
    PersonRow,
    UnknownPerson,
    actor_by_id,
    actor_for_email,
    add_person,
    build_actor,
    list_people,
    normalise_email,
    resolve_dev_user,
    set_active,
    set_active_as_operator,
    set_roles,
)
from tracker.services.people._identity import (
    INACTIVE,
    EntraIdentity,
    bound_actor,
    configured_tenant,
    sign_in,
    unbind_identity,
)

__all__ = [
    "INACTIVE",
    "EntraIdentity",
    "PersonError",
    "PersonRow",
    "UnknownPerson",
    "actor_by_id",
    "actor_for_email",
    "add_person",
    "bound_actor",
    "build_actor",
    "configured_tenant",
    "list_people",
    "normalise_email",
    "resolve_dev_user",
    "set_active",
    "set_active_as_operator",
    "set_roles",
    "sign_in",
    "unbind_identity",
]
