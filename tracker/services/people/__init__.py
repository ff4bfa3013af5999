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
    match_signed_in_user,
    normalise_email,
    resolve_dev_user,
    set_active,
    set_roles,
)

__all__ = [
    "PersonError",
    "PersonRow",
    "UnknownPerson",
    "actor_by_id",
    "actor_for_email",
    "add_person",
    "build_actor",
    "list_people",
    "match_signed_in_user",
    "normalise_email",
    "resolve_dev_user",
    "set_active",
    "set_roles",
]
