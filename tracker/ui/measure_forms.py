"""The forms of the Success measures page: enter a value, set targets, judge, link actions.

Each form reads its widgets, calls one service in a write session and, on success, leaves a
message for the next run and reruns; a domain error is shown beside the form with ``st.error``,
field by field, and what the person typed is kept. Forms that change the measure itself carry
the version the person saw (kept in session state from the run that drew the form), so a save
made after someone else's is refused rather than silently overwriting it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.formatting import format_number
from tracker.models import Direction, MeasureUnit, Rag
from tracker.rules import rag_label
from tracker.rules.measures import (
    RATING_MODES,
    direction_label,
    format_value,
    parse_number,
    unit_label,
)
from tracker.services.actions import TEXT_LIMIT, ValidationFailed
from tracker.services.measures import (
    LABEL_LIMIT,
    SOURCE_LIMIT,
    MeasureDetail,
    MeasureImport,
    MeasureSummary,
    enter_value,
    import_measure_values,
    link_actions,
    set_narrative_rating,
    set_targets,
)
from tracker.services.register import ActionFilter, list_actions
from tracker.ui.components import format_day
from tracker.ui.context import current_actor, engine
from tracker.ui.errors import show_error, showing_errors
from tracker.ui.widgets.fields import date_field, long_text, short_text

FLASH_KEY = "measures.flash"


def flash(message: str) -> None:
    """Show ``message`` at the top of the next run, and rerun now to show the saved state."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _number(text: str, unit: str, field: str, errors: dict[str, str]) -> float | None:
    if not text.strip():
        return None
    try:
        return parse_number(text, unit)
    except ValueError as error:
        errors[field] = f"{text.strip()!r} {error}"
        return None


def _last_month_end(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def value_form(summary: MeasureSummary, as_of: date) -> None:
    ref = summary.reference
    slots: dict[str, DeltaGenerator] = {}
    with st.form(f"value.{ref}", clear_on_submit=False):
        st.markdown("#### Enter or correct a value")
        # Any date is accepted here: the service refuses a period not yet ended, by name.
        period_end = date_field(
            "Period end", value=_last_month_end(as_of), key=f"value.{ref}.period"
        )
        slots["period_end"] = st.empty()
        label = short_text("Period label (optional)", key=f"value.{ref}.label", limit=LABEL_LIMIT)
        slots["period_label"] = st.empty()
        hint = "e.g. 35 for 35%" if summary.unit == MeasureUnit.PERCENTAGE.value else "a number"
        label_text = f"Value ({unit_label(summary.unit).lower()})"
        if summary.unit == MeasureUnit.NARRATIVE.value:
            hint, label_text = "a narrative measure needs only a note", "Value (optional)"
        text = st.text_input(label_text, key=f"value.{ref}.value", help=hint)
        slots["value"] = st.empty()
        note = long_text(
            "Note", key=f"value.{ref}.note", limit=TEXT_LIMIT, help="What lies behind the figure"
        )
        slots["note"] = st.empty()
        source = short_text(
            "Source (optional)",
            key=f"value.{ref}.source",
            limit=SOURCE_LIMIT,
            help="Where the figure comes from, e.g. the EHCP case management system",
        )
        slots["source"] = st.empty()
        caveat = long_text(
            "Coverage or caveat (optional)",
            key=f"value.{ref}.caveat",
            limit=TEXT_LIMIT,
            help="What the figure covers or leaves out, e.g. excludes transfers in",
        )
        slots["caveat"] = st.empty()
        st.caption("A new or corrected value is provisional until it is signed off.")
        reason = short_text(
            "Reason for correction",
            key=f"value.{ref}.reason",
            limit=TEXT_LIMIT,
            help="Needed when the period already has a value: say why it is corrected",
        )
        slots["reason"] = st.empty()
        if not st.form_submit_button("Save value", type="primary"):
            return
    errors: dict[str, str] = {}
    number = _number(text, summary.unit, "value", errors)
    if errors:
        show_error(ValidationFailed(errors), field_slots=slots)
        return
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        result = enter_value(
            session,
            actor=current_actor(),
            reference=ref,
            period_end=period_end if isinstance(period_end, date) else None,
            value=number,
            note=note,
            period_label=label,
            reason=reason,
            today=as_of,
            source=source,
            caveat=caveat,
        )
    if outcome.failed:
        return
    verb = "unchanged" if not result.changed else ("corrected" if result.corrected else "saved")
    if result.reopened:
        verb += " (it was final: provisional again until signed off)"
    for field in ("label", "value", "note", "source", "caveat", "reason"):
        st.session_state.pop(f"value.{ref}.{field}", None)
    flash(f"{ref}: value for {format_day(result.period_end)} {verb}.")


def _optional_date(where: DeltaGenerator, label: str, value: date | None, key: str) -> date | None:
    with where:
        chosen = date_field(label, value=value, key=key, help="Leave empty if not known")
    return chosen if isinstance(chosen, date) else None


def _tolerance(text: str, errors: dict[str, str]) -> float | None:
    """The tolerance as typed ("10", "12.5%"); what is not a number is refused under the field."""
    try:
        return parse_number(text.strip() or "0", MeasureUnit.PERCENTAGE.value)
    except ValueError as error:
        errors["tolerance_pct"] = f"{text.strip()!r} {error}"
        return None


def targets_form(summary: MeasureSummary) -> None:
    ref, unit = summary.reference, summary.unit
    seen_key = f"targets.{ref}.seen"
    seen = int(st.session_state.get(seen_key, summary.version))
    slots: dict[str, DeltaGenerator] = {}
    with st.form(f"targets.{ref}"):
        st.markdown("#### Baseline, target and tolerance")
        left, right = st.columns(2)
        baseline = left.text_input(
            "Baseline value",
            value=format_value(summary.baseline_value, unit, missing=""),
            key=f"targets.{ref}.baseline",
        )
        slots["baseline_value"] = left.empty()
        baseline_date = _optional_date(
            left, "Baseline date", summary.baseline_date, f"targets.{ref}.bdate"
        )
        slots["baseline_date"] = left.empty()
        target = right.text_input(
            "Target value",
            value=format_value(summary.target_value, unit, missing=""),
            key=f"targets.{ref}.target",
        )
        slots["target_value"] = right.empty()
        target_date = _optional_date(
            right, "Target date", summary.target_date, f"targets.{ref}.tdate"
        )
        slots["target_date"] = right.empty()
        # Typed, not a number_input: that widget ignores a value outside its range while still
        # showing it, so 150 would silently save the old tolerance.
        tolerance_text = st.text_input(
            "Tolerance (% of the distance from baseline to target)",
            value=format_number(summary.tolerance_pct),
            key=f"targets.{ref}.tolerance",
            help="A percentage from 0 to 100",
        )
        slots["tolerance_pct"] = st.empty()
        directions = [d.value for d in Direction]
        direction = st.selectbox(
            "Direction",
            directions,
            index=directions.index(summary.direction),
            format_func=direction_label,
            key=f"targets.{ref}.direction",
        )
        slots["direction"] = st.empty()
        units = [u.value for u in MeasureUnit]
        new_unit = st.selectbox(
            "Unit",
            units,
            index=units.index(unit),
            format_func=unit_label,
            key=f"targets.{ref}.unit",
        )
        slots["unit"] = st.empty()
        mode = st.radio(
            "Rated by",
            RATING_MODES,
            index=RATING_MODES.index(summary.rating_mode),
            horizontal=True,
            format_func=lambda m: (
                "Values against target" if m == "numeric" else "Narrative judgement"
            ),
            key=f"targets.{ref}.mode",
        )
        slots["rating_mode"] = st.empty()
        note = long_text(
            "Baseline note",
            value=summary.baseline_note or "",
            key=f"targets.{ref}.note",
            limit=TEXT_LIMIT,
        )
        slots["baseline_note"] = st.empty()
        reason = short_text("Reason for the change", key=f"targets.{ref}.reason", limit=TEXT_LIMIT)
        slots["reason"] = st.empty()
        submitted = st.form_submit_button("Save targets")
    st.session_state[seen_key] = summary.version
    if not submitted:
        return
    errors: dict[str, str] = {}
    baseline_value = _number(baseline.rstrip("%"), new_unit, "baseline_value", errors)
    target_value = _number(target.rstrip("%"), new_unit, "target_value", errors)
    tolerance = _tolerance(tolerance_text, errors)
    if errors:
        show_error(ValidationFailed(errors), field_slots=slots)
        return
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        set_targets(
            session,
            actor=current_actor(),
            reference=ref,
            seen_version=seen,
            baseline_value=baseline_value,
            baseline_date=baseline_date,
            target_value=target_value,
            target_date=target_date,
            tolerance_pct=tolerance,
            direction=direction,
            unit=new_unit,
            rating_mode=mode,
            baseline_note=note,
            reason=reason,
        )
    if outcome.failed:
        return
    st.session_state.pop(seen_key, None)
    flash(f"{ref}: baseline, target and tolerance saved.")


def narrative_form(detail: MeasureDetail) -> None:
    s = detail.summary
    ref = s.reference
    seen_key = f"narrative.{ref}.seen"
    seen = int(st.session_state.get(seen_key, s.version))
    rags = [r.value for r in Rag]
    with st.form(f"narrative.{ref}"):
        st.markdown("#### Narrative judgement")
        st.caption("Until this measure is defined numerically, its owner rates it with commentary.")
        rag = st.selectbox(
            "Rating",
            rags,
            index=rags.index(detail.narrative_rag) if detail.narrative_rag in rags else None,
            format_func=rag_label,
            key=f"narrative.{ref}.rag",
        )
        commentary = long_text(
            "Commentary",
            value=detail.narrative_commentary or "",
            key=f"narrative.{ref}.text",
            limit=TEXT_LIMIT,
        )
        submitted = st.form_submit_button("Save judgement")
    st.session_state[seen_key] = s.version
    if not submitted:
        return
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        set_narrative_rating(
            session,
            actor=current_actor(),
            reference=ref,
            seen_version=seen,
            rag=rag,
            commentary=commentary,
        )
    if outcome.failed:
        return
    st.session_state.pop(seen_key, None)
    flash(f"{ref}: narrative judgement saved.")


def links_form(detail: MeasureDetail, as_of: date) -> None:
    s = detail.summary
    ref = s.reference
    seen_key = f"links.{ref}.seen"
    seen = int(st.session_state.get(seen_key, s.version))
    with session_scope(engine()) as session:
        choices = {
            a.reference: a.title for a in list_actions(session, today=as_of, filters=ActionFilter())
        }
    with st.form(f"links.{ref}"):
        st.markdown("#### Contributing actions")
        chosen = st.multiselect(
            "Actions that contribute to this measure",
            list(choices),
            default=[r for r in s.linked_actions if r in choices],
            format_func=lambda r: f"{r}: {choices[r][:90]}",
            key=f"links.{ref}.chosen",
        )
        submitted = st.form_submit_button("Save links")
    st.session_state[seen_key] = s.version
    if not submitted:
        return
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        link_actions(
            session,
            actor=current_actor(),
            reference=ref,
            seen_version=seen,
            action_references=chosen,
        )
    if outcome.failed:
        return
    st.session_state.pop(seen_key, None)
    flash(f"{ref}: contributing actions saved.")


def _import(data: bytes, filename: str, as_of: date, *, commit: bool) -> MeasureImport | None:
    with showing_errors(), session_scope(engine(), write=commit) as session:
        return import_measure_values(
            session,
            actor=current_actor(),
            source=data,
            filename=filename,
            commit=commit,
            today=as_of,
        )
    return None


def _show_problems(result: MeasureImport) -> None:
    st.error(
        f"{result.filename} cannot be loaded: {len(result.problems)} problem(s) below. "
        "Nothing was stored; correct the file and load it again."
    )
    problems = pd.DataFrame(
        {
            "Row": [p.row for p in result.problems],
            "Column": [p.column or "" for p in result.problems],
            "Value": [p.value or "" for p in result.problems],
            "Problem": [p.message for p in result.problems],
        }
    )
    st.dataframe(problems, hide_index=True, width="stretch", key="measures.import.problems")


def import_form(as_of: date) -> None:
    """Upload a values sheet, see what it would do, then store it (all rows or none)."""
    with st.expander("Load values from a spreadsheet"):
        st.caption(
            "Columns: Measure (such as M2.3), Period (30/09/2025, or a month such as Sep 2025), "
            "Value and, optionally, Note, Source and Caveat. The whole file is checked first: if "
            "any row is wrong "
            "nothing is stored."
        )
        # A new key after each load empties the uploader (its value cannot be set directly).
        generation = int(st.session_state.get("measures.upload.generation", 0))
        upload = st.file_uploader(
            "Spreadsheet", type=["xlsx", "csv"], key=f"measures.upload.{generation}"
        )
        if upload is None:
            return
        data = upload.getvalue()
        result = _import(data, upload.name, as_of, commit=False)
        if result is None:
            return
        if not result.ok:
            _show_problems(result)
            return
        preview = pd.DataFrame(
            {
                "Row": [r.row for r in result.rows],
                "Measure": [r.reference for r in result.rows],
                "Period end": [r.period_end for r in result.rows],
                "Value": [format_value(r.value, r.unit) for r in result.rows],
                "Change": [r.change.capitalize() for r in result.rows],
                "Was": [format_value(r.old_value, r.unit, missing="") for r in result.rows],
                "Note": [r.note or "" for r in result.rows],
            }
        )
        st.dataframe(
            preview,
            hide_index=True,
            width="stretch",
            key="measures.import.preview",
            column_config={
                "Period end": st.column_config.DateColumn("Period end", format="D MMM YYYY")
            },
        )
        changes = len(result.rows) - result.count("unchanged")
        if not changes:
            st.info("Every value in the file is already stored; there is nothing to load.")
            return
        if st.button(f"Store {changes} value(s)", type="primary", key="measures.import.store"):
            stored = _import(data, upload.name, as_of, commit=True)
            if stored is not None and stored.ok:
                st.session_state["measures.upload.generation"] = generation + 1
                flash(f"{upload.name}: {changes} value(s) stored.")
            elif stored is not None:
                _show_problems(stored)
