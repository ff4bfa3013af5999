"""People and roles (administrators): who can use the tracker, in what role, and who cannot.

Lists everyone (inactive people included, marked), adds a person, changes the roles of people
the app created (governance.yaml sets the roles of those it lists), deactivates and reactivates,
and unbinds a person from their Microsoft account when their mailbox goes to someone else.
Every change goes through the people and identity services, which check the administrator's
permission and write the audit log; a deactivated person keeps their history but is refused
from their next click. The latest check of the audit trail's hash chain is shown at the top.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.models import Role
from tracker.permissions import Actor
from tracker.services.actions import list_choices
from tracker.services.operations import latest_chain_check
from tracker.services.people import (
    PersonRow,
    add_person,
    list_people,
    set_active,
    set_roles,
    unbind_identity,
)
from tracker.ui.auth import role_words
from tracker.ui.components import escape_markdown, format_moment
from tracker.ui.context import current_actor, engine
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import forget_offered, is_gone, kept_select, short_text

ROLE_LABELS = {role.value: role.value.replace("_", " ").capitalize() for role in Role}
FLASH_KEY = "people.flash"
TEXT_LIMIT = 200  # what the people service keeps of a name or job title


def _write(
    work: Callable[[Session], object], *, slots: dict[str, DeltaGenerator], success: str
) -> bool:
    """Run one people service in a write session; errors go to the slot of their field."""
    with (
        showing_errors(where=slots["_"], field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        work(session)
    if outcome.failed:
        return False
    st.session_state[FLASH_KEY] = success
    return True


def _people_frame(people: list[PersonRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Name": [p.name for p in people],
            "E-mail": [p.email for p in people],
            "Organisation": [p.organisation or "" for p in people],
            "Job title": [p.job_title or "" for p in people],
            "Roles": [role_words(p.roles) for p in people],
            "Status": ["Active" if p.active else "Inactive" for p in people],
            "Roles set by": [p.source for p in people],
            "Microsoft account": ["Bound" if p.bound else "Not yet" for p in people],
            "Last signed in": [format_moment(p.last_seen_at) or "Never" for p in people],
        }
    )


def _show_list(people: list[PersonRow]) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    needle = left.text_input("Find a person", key="people.search", placeholder="Name or e-mail")
    show_inactive = right.toggle("Include inactive people", value=True, key="people.inactive")
    shown = [
        p
        for p in people
        if (show_inactive or p.active)
        and (not needle or needle.lower() in f"{p.name} {p.email}".lower())
    ]
    st.caption(f"{len(shown)} of {len(people)} people.")
    st.dataframe(_people_frame(shown), hide_index=True, width="stretch", height=360)


def _show_add(actor: Actor) -> None:
    with session_scope(engine()) as session:
        organisations = list_choices(session).organisations
    org_labels = {o.id: o.label for o in organisations}
    with st.form("people.add", clear_on_submit=False, enter_to_submit=False):
        slots: dict[str, DeltaGenerator] = {}
        name = short_text("Full name", key="people.add.name", limit=TEXT_LIMIT)
        slots["name"] = st.empty()
        email = st.text_input(
            "E-mail address", key="people.add.email", placeholder="name@example.org"
        )
        slots["email"] = st.empty()
        # Kept: an organisation deactivated while this form is open stays chosen and is refused
        # under the field, rather than the person being added with no organisation.
        organisation = kept_select("Organisation", org_labels, key="people.add.organisation")
        slots["organisation_id"] = st.empty()
        job_title = short_text("Job title", key="people.add.job_title", limit=TEXT_LIMIT)
        slots["job_title"] = st.empty()
        roles = st.multiselect(
            "Roles", list(ROLE_LABELS), key="people.add.roles", format_func=ROLE_LABELS.__getitem__
        )
        slots["roles"] = st.empty()
        submitted = st.form_submit_button(
            "Add person", type="primary", icon=":material/person_add:"
        )
        slots["_"] = st.empty()
    if submitted and is_gone(organisation, org_labels):
        slots["organisation_id"].error(
            "The organisation chosen is no longer in the list (it was deactivated): choose "
            "another, or none.",
            icon=":material/error:",
        )
    elif submitted and _write(
        lambda s: add_person(
            s,
            actor=actor,
            name=name,
            email=email,
            organisation_id=organisation,
            job_title=job_title or None,
            roles=frozenset(roles),
        ),
        slots=slots,
        success=f"Added {name.strip()}.",
    ):
        for key in ("name", "email", "job_title", "roles", "organisation"):
            st.session_state.pop(f"people.add.{key}", None)
        forget_offered("people.add.organisation")
        st.rerun()


def _show_manage(actor: Actor, people: list[PersonRow]) -> None:
    by_id = {p.id: p for p in people}
    chosen = st.selectbox(
        "Person",
        list(by_id),
        key="people.manage.person",
        format_func=lambda i: (
            f"{by_id[i].name} <{by_id[i].email}>" + ("" if by_id[i].active else " [inactive]")
        ),
    )
    person = by_id[chosen]
    slots: dict[str, DeltaGenerator] = {"_": st.empty()}
    slots["active"] = slots["_"]
    if person.in_governance_file:
        st.caption(
            f"Roles: {escape_markdown(role_words(person.roles))}. governance.yaml sets the roles "
            "of the people it lists: change them there and run `tracker init`."
        )
    else:
        _show_roles_form(actor, person, slots)
    _show_active_button(actor, person, slots)
    if person.bound:
        _show_unbind_button(actor, person, slots)


def _show_roles_form(actor: Actor, person: PersonRow, slots: dict[str, DeltaGenerator]) -> None:
    with st.form(f"people.roles.{person.id}", enter_to_submit=False):
        roles = st.multiselect(
            "Roles",
            list(ROLE_LABELS),
            default=list(person.roles),
            key=f"people.roles.{person.id}.value",
            format_func=ROLE_LABELS.__getitem__,
        )
        slots["roles"] = st.empty()
        save_roles = st.form_submit_button("Save roles", icon=":material/badge:")
    if save_roles and _write(
        lambda s: set_roles(s, actor=actor, person_id=person.id, roles=frozenset(roles)),
        slots=slots,
        success=f"Saved the roles of {person.name}.",
    ):
        st.rerun()


def _show_active_button(actor: Actor, person: PersonRow, slots: dict[str, DeltaGenerator]) -> None:
    label = "Deactivate" if person.active else "Reactivate"
    if st.button(
        f"{label} {person.name}",
        key=f"people.active.{person.id}",
        icon=":material/person_off:" if person.active else ":material/person_check:",
        help="A deactivated person keeps their history but can no longer sign in.",
    ) and _write(
        lambda s: set_active(s, actor=actor, person_id=person.id, active=not person.active),
        slots=slots,
        success=f"{'Deactivated' if person.active else 'Reactivated'} {person.name}.",
    ):
        st.rerun()


def _show_unbind_button(actor: Actor, person: PersonRow, slots: dict[str, DeltaGenerator]) -> None:
    if st.button(
        f"Unbind {person.name}'s Microsoft account",
        key=f"people.unbind.{person.id}",
        icon=":material/link_off:",
        help="When the mailbox goes to someone else: the next account to sign in with this "
        "e-mail address is tied to the person instead (never the one unbound).",
    ) and _write(
        lambda s: unbind_identity(s, actor=actor, person_id=person.id),
        slots=slots,
        success=f"Unbound {person.name}'s Microsoft account.",
    ):
        st.rerun()


def _show_audit_check() -> None:
    with session_scope(engine()) as session:
        check = latest_chain_check(session)
    if check is None:
        st.info(
            "The audit trail has not been verified yet: the scheduler checks it every night, "
            "or run `tracker audit verify`.",
            icon=":material/verified_user:",
        )
    elif check.ok:
        st.caption(
            f"Audit trail verified {format_moment(check.started_at)}: intact, "
            f"{check.counts.get('rows', 0):,} rows, every hash matches."
        )
    else:
        st.error(
            f"Audit trail check of {format_moment(check.started_at)} failed: "
            f"{escape_markdown(str(check.error).removeprefix('AuditChainBroken: '))}",
            icon=":material/gpp_bad:",
        )


def main() -> None:
    actor = current_actor()
    st.title("People and roles", anchor=False)
    _show_audit_check()
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(escape_markdown(flash), icon=":material/check_circle:")
    with session_scope(engine()) as session:
        people = list_people(session)
    _show_list(people)
    add, manage = st.columns(2, gap="large")
    with add:
        st.subheader("Add a person", anchor=False)
        _show_add(actor)
    with manage:
        st.subheader("Change roles or deactivate", anchor=False)
        if people:
            _show_manage(actor, people)
    st.caption("Every change here is written to the audit log with your name.")


main()
