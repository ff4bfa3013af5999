"""The Success measures page's milestones and sign-off: the table, the forms and the buttons.

``milestones_table`` shows each milestone beside the actual and the gap (everyone who may read
the measure); ``milestones_form`` adds and removes milestones for those who may set targets;
``sign_off_panel`` offers a Sign off button for each provisional value the viewer may sign off
(the service checks again). UI only: every write is one service call.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.governance import MeasuresConfig
from tracker.rules.measures import format_gap, format_value, parse_number
from tracker.services.actions import ValidationFailed
from tracker.services.measures import (
    MeasureDetail,
    add_milestone,
    remove_milestone,
    sign_off_value,
)
from tracker.ui.components import escape_markdown, format_day
from tracker.ui.context import current_actor, engine
from tracker.ui.errors import show_error, showing_errors
from tracker.ui.measure_forms import flash
from tracker.ui.widgets.fields import date_field, short_text

MILESTONE_LABEL_LIMIT = 80


def milestones_table(detail: MeasureDetail) -> None:
    s = detail.summary
    if not detail.milestones:
        return
    st.markdown("#### Milestones")
    rows = detail.milestones
    frame = pd.DataFrame(
        {
            "Milestone": [m.due_date for m in rows],
            "Label": [m.label or "" for m in rows],
            "Expected": [format_value(m.value, s.unit) for m in rows],
            "Actual": [
                format_value(m.actual, s.unit, missing="no value yet" if m.due else "not due yet")
                for m in rows
            ],
            "Actual for": [format_day(m.actual_period) if m.actual_period else "" for m in rows],
            "Gap": [format_gap(m.gap, s.unit) if m.gap is not None else "" for m in rows],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="measure.milestones",
        column_config={
            "Milestone": st.column_config.DateColumn("Milestone", format="D MMM YYYY"),
            "Gap": st.column_config.TextColumn("Gap", help="How far the actual falls short"),
        },
    )


def milestones_form(detail: MeasureDetail) -> None:
    """Add a milestone, or remove one (its owner and administrators)."""
    s = detail.summary
    ref = s.reference
    slots: dict[str, DeltaGenerator] = {}
    with st.form(f"milestone.{ref}"):
        st.markdown("#### Add a milestone")
        st.caption(
            "A dated point between the baseline and the target: values are then judged against "
            "the line through the baseline, each milestone and the target."
        )
        due = date_field("Milestone date", value=None, key=f"milestone.{ref}.date")
        slots["due_date"] = st.empty()
        text = st.text_input(
            f"Expected value ({s.unit.replace('_', ' ')})", key=f"milestone.{ref}.value"
        )
        slots["value"] = st.empty()
        label = short_text(
            "Label (optional)",
            key=f"milestone.{ref}.label",
            limit=MILESTONE_LABEL_LIMIT,
            help="e.g. 6 months",
        )
        slots["label"] = st.empty()
        submitted = st.form_submit_button("Add milestone")
    if submitted:
        errors: dict[str, str] = {}
        number = None
        if text.strip():
            try:
                number = parse_number(text, s.unit)
            except ValueError as error:
                errors["value"] = f"{text.strip()!r} {error}"
        if errors:
            show_error(ValidationFailed(errors), field_slots=slots)
        else:
            with (
                showing_errors(field_slots=slots) as outcome,
                session_scope(engine(), write=True) as session,
            ):
                added = add_milestone(
                    session,
                    actor=current_actor(),
                    reference=ref,
                    due_date=due if isinstance(due, date) else None,
                    value=number,
                    label=label,
                )
            if not outcome.failed:
                for field in ("date", "value", "label"):
                    st.session_state.pop(f"milestone.{ref}.{field}", None)
                flash(f"{ref}: milestone for {format_day(added.due_date)} added.")
    if detail.milestones:
        _remove_form(detail)


def _remove_form(detail: MeasureDetail) -> None:
    s = detail.summary
    ref = s.reference
    with st.form(f"milestone.{ref}.remove"):
        st.markdown("#### Remove a milestone")
        choices = {
            m.due_date: f"{format_day(m.due_date)}: {format_value(m.value, s.unit)}"
            for m in detail.milestones
        }
        chosen = st.selectbox(
            "Milestone",
            list(choices),
            format_func=lambda d: choices[d],
            key=f"milestone.{ref}.remove.pick",
        )
        reason = short_text("Reason", key=f"milestone.{ref}.remove.reason", limit=500)
        submitted = st.form_submit_button("Remove milestone")
    if not submitted or chosen is None:
        return
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        remove_milestone(
            session, actor=current_actor(), reference=ref, due_date=chosen, reason=reason
        )
    if not outcome.failed:
        flash(f"{ref}: milestone for {format_day(chosen)} removed.")


def sign_off_panel(detail: MeasureDetail, config: MeasuresConfig) -> None:
    """A Sign off button beside each provisional value the viewer may sign off."""
    s = detail.summary
    waiting = [v for v in reversed(detail.values) if v.may_sign_off]
    if not waiting:
        return
    st.markdown("#### Sign off values")
    st.caption(
        "A value is provisional until its owner or performance lead signs it off; papers say "
        "so beside a provisional figure."
    )
    for value in waiting:
        text, button = st.columns([4, 1])
        period = value.period_label or format_day(value.period_end)
        caveat = f" · caveat: {escape_markdown(value.caveat)}" if value.caveat else ""
        text.markdown(
            f"**{escape_markdown(period)}: {format_value(value.value, s.unit)}** "
            f"(entered by {escape_markdown(value.entered_by or 'an import')}){caveat}"
        )
        key = f"signoff.{s.reference}.{value.period_end.isoformat()}"
        if button.button("Sign off", key=key):
            with showing_errors() as outcome, session_scope(engine(), write=True) as session:
                sign_off_value(
                    session,
                    actor=current_actor(),
                    reference=s.reference,
                    period_end=value.period_end,
                    config=config,
                )
            if not outcome.failed:
                flash(f"{s.reference}: {period} signed off as final.")
