"""Administrators' forms on the register: create an action, and edit, reassign or withdraw one.

Every form calls one service in ``tracker.services.actions``, which checks the permission again
and audits each field it changes. Edits are optimistic like owners' updates: the version seen
when the form opened is sent with the save, and a save that lost a race says who changed the
action and when, keeps what was typed, and offers to take the newest version as the base.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st
from sqlmodel import Session
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.actions import (
    TITLE_LIMIT,
    ActionDetail,
    ActionFields,
    Choice,
    Choices,
    create_action,
    edit_action,
    reassign_action,
    withdraw_action,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import engine
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import date_field, kept_select, short_text

FLASH_KEY = "admin.flash"


def _select_id(
    label: str,
    choices: list[Choice],
    *,
    key: str,
    current: int | None,
    current_label: str | None = None,
    optional: bool = True,
) -> int | None:
    """A choice of id that keeps the stored one even when it is no longer offered (a workstream
    or body made inactive), so saving the form never clears it to "none" unasked."""
    value = kept_select(
        label,
        {c.id: c.label for c in choices},
        key=key,
        current=current,
        current_label=current_label,
        optional=optional,
    )
    return value if isinstance(value, int) else None


def _run(work: Callable[[Session], Any], *, errors: DeltaGenerator, success: str) -> bool:
    """Run one service call in a write session, showing its domain errors; True if it saved."""
    with showing_errors(where=errors) as outcome, session_scope(engine(), write=True) as session:
        work(session)
    if outcome.failed:
        return False
    st.session_state[FLASH_KEY] = success
    return True


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _fields_form(prefix: str, choices: Choices, detail: ActionDetail | None) -> ActionFields:
    row = detail.row if detail else None
    top = st.columns([1, 3])
    reference = top[0].text_input(
        "Reference",
        value=row.reference if row else "",
        key=f"{prefix}.reference",
        placeholder="P2.13",
    )
    with top[1]:
        # No widget limit (it would drop a longer paste whole): the service refuses, by name.
        title = short_text(
            "Title", value=row.title if row else "", key=f"{prefix}.title", limit=TITLE_LIMIT
        )
    description = st.text_area(
        "Description",
        value=(detail.description if detail else None) or "",
        key=f"{prefix}.description",
    )
    expected_impact = st.text_area(
        "Expected impact",
        value=(row.expected_impact if row else None) or "",
        key=f"{prefix}.expected_impact",
        help="What will be different for children, young people and families when this is "
        "delivered. Shown on the action page, in exports and papers.",
    )
    left, right = st.columns(2)
    with left:
        numbers = [c.id for c in choices.priorities]
        labels = {c.id: c.label for c in choices.priorities}
        current = row.priority_number if row else numbers[0]
        priority = st.selectbox(
            "Priority",
            numbers,
            index=numbers.index(current) if current in numbers else 0,
            key=f"{prefix}.priority",
            format_func=lambda n: labels[n],
        )
        workstream = _select_id(
            "Workstream",
            choices.workstreams,
            key=f"{prefix}.workstream",
            current=row.workstream_id if row else None,
            current_label=row.workstream if row else None,
        )
        body = _select_id(
            "Overseen by",
            choices.bodies,
            key=f"{prefix}.body",
            current=row.body_id if row else None,
            current_label=row.body if row else None,
        )
    with right:
        organisation = _select_id(
            "Lead organisation",
            choices.organisations,
            key=f"{prefix}.organisation",
            current=detail.lead_organisation_id if detail else None,
            current_label=row.lead_organisation if row else None,
        )
        # 1900-2199, so a typed date outside Streamlit's default ten years is never ignored.
        start = date_field(
            "Start date", value=row.start_date if row else None, key=f"{prefix}.start"
        )
        due = date_field("Due date", value=row.due_date if row else None, key=f"{prefix}.due")
        if row is not None and not row.planning_confirmed:
            st.caption(
                "To confirm: the owner, lead organisation and dates are the seeded plan's "
                "guesses. Saving this form confirms them."
            )
    owner = row.owner_id if row else None
    if detail is None:
        owner = _select_id("Owner", choices.people, key=f"{prefix}.owner", current=None)
    return ActionFields(
        reference=reference,
        title=title,
        description=description or None,
        expected_impact=expected_impact or None,
        priority_id=choices.priority_ids[int(priority)],
        workstream_id=workstream,
        owner_id=owner,
        lead_organisation_id=organisation,
        body_id=body,
        start_date=start if isinstance(start, date) else None,
        due_date=due if isinstance(due, date) else None,
    )


def show_create_action(actor: Actor, choices: Choices) -> str | None:
    """The new-action form; returns the new reference once saved."""
    with st.form("admin.create", clear_on_submit=False, enter_to_submit=False):
        fields = _fields_form("admin.create", choices, None)
        submitted = st.form_submit_button("Create action", type="primary", icon=":material/add:")
    errors = st.container()
    if submitted and _run(
        lambda s: create_action(s, actor=actor, fields=fields),
        errors=errors,
        success=f"Created {fields.reference.strip().upper()}.",
    ):
        return fields.reference.strip().upper()
    return None


def _seen_version(detail: ActionDetail) -> int:
    key = f"admin.{detail.row.reference}.version"
    if key not in st.session_state:
        st.session_state[key] = detail.row.version
    return int(st.session_state[key])


def forget_seen_version(reference: str) -> None:
    st.session_state.pop(f"admin.{reference}.version", None)


def show_edit_action(actor: Actor, detail: ActionDetail, choices: Choices) -> bool:
    ref = detail.row.reference
    seen = _seen_version(detail)
    if seen != detail.row.version:
        st.warning("This action has changed since you opened this form.")
        if st.button("Reload latest", key=f"admin.{ref}.reload"):
            forget_seen_version(ref)
            st.rerun()
    with st.form(f"admin.{ref}.edit", enter_to_submit=False):
        fields = _fields_form(f"admin.{ref}.edit", choices, detail)
        reason = st.text_input(
            "Reason for the change",
            key=f"admin.{ref}.edit.reason",
            help="Recorded in the audit trail.",
        )
        submitted = st.form_submit_button("Save changes", type="primary", icon=":material/save:")
    errors = st.container()
    return submitted and _run(
        lambda s: edit_action(
            s, actor=actor, reference=ref, seen_version=seen, fields=fields, reason=reason or None
        ),
        errors=errors,
        success=f"Saved the changes to {ref}.",
    )


def show_reassign_action(actor: Actor, detail: ActionDetail, choices: Choices) -> bool:
    ref = detail.row.reference
    seen = _seen_version(detail)
    with st.form(f"admin.{ref}.reassign", enter_to_submit=False):
        st.caption(f"Current owner: {escape_markdown(detail.row.owner or 'nobody')}")
        owner = _select_id(
            "New owner",
            choices.people,
            key=f"admin.{ref}.owner",
            current=detail.row.owner_id,
            current_label=detail.row.owner,
            optional=False,
        )
        submitted = st.form_submit_button("Reassign", icon=":material/person_edit:")
    errors = st.container()
    return (
        submitted
        and owner is not None
        and _run(
            lambda s: reassign_action(
                s, actor=actor, reference=ref, seen_version=seen, owner_id=owner
            ),
            errors=errors,
            success=f"Reassigned {ref}.",
        )
    )


def show_withdraw_action(actor: Actor, detail: ActionDetail) -> bool:
    ref = detail.row.reference
    seen = _seen_version(detail)
    if detail.row.status == "withdrawn":
        st.info("This action is withdrawn.")
        return False
    with st.form(f"admin.{ref}.withdraw", enter_to_submit=False):
        reason = st.text_area(
            "Why is the action withdrawn?",
            key=f"admin.{ref}.withdraw.reason",
            help="Recorded as an update, so the reason stays in the evidence trail.",
        )
        submitted = st.form_submit_button("Withdraw action", icon=":material/block:")
    errors = st.container()
    return submitted and _run(
        lambda s: withdraw_action(s, actor=actor, reference=ref, seen_version=seen, reason=reason),
        errors=errors,
        success=f"Withdrew {ref}.",
    )
