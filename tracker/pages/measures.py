"""The Success measures page: each measure's latest value, rating and trend, and one in detail.

Without ``?measure=`` it lists all measures (filterable by priority and rating), each rating as
its word on its colour, with a trend arrow and "Baseline not set" where there is none. With
``?measure=M2.3`` (or a pick from the list) it shows that measure: a chart of its values (final
filled, provisional hollow) against the trajectory through its milestones and the published
comparators, the milestones beside their actuals, the values with who entered and signed them
off, their source and caveat, the contributing actions, a Sign off button for those who may, and,
for its owner and administrators, the forms to enter a value, set targets and milestones (the
services check permission regardless). A stale measure (a period's value overdue) says so. UI
only: every read and write is a service call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.models import Direction, MeasureUnit, Rag
from tracker.permissions import Operation, can
from tracker.rules import priority_label
from tracker.rules.measures import (
    direction_label,
    format_number,
    format_value,
    trend_arrow,
    unit_label,
)
from tracker.services.measures import (
    NOT_RATED,
    MeasureDetail,
    MeasureSummary,
    count_by_rating,
    describe_comparators,
    filter_summaries,
    get_measure_detail,
    import_national_figures,
    list_context_figures,
    list_measure_summaries,
    may_edit_measure,
    may_enter_values,
    may_import_values,
    may_link_actions,
    normalise_reference,
)
from tracker.ui.components import (
    escape_markdown,
    format_day,
    format_moment,
    rag_label_from_config,
    rag_text,
    style_rag,
)
from tracker.ui.context import current_actor, engine, governance, today
from tracker.ui.errors import showing_errors
from tracker.ui.measure.chart import chart_caption, measure_chart
from tracker.ui.measure.sign_off import milestones_form, milestones_table, sign_off_panel
from tracker.ui.measure_forms import (
    FLASH_KEY,
    import_form,
    links_form,
    narrative_form,
    targets_form,
    value_form,
)

PICK_KEY = "measures.pick"
ALL = "All measures"
RATING_FILTERS = {
    "All ratings": None,
    "Red": Rag.RED.value,
    "Amber": Rag.AMBER.value,
    "Green": Rag.GREEN.value,
    "Blue": Rag.BLUE.value,
    "Not rated": NOT_RATED,
}


def _text_value(summary: MeasureSummary, value: float | None, missing: str) -> str:
    return format_value(value, summary.unit, missing=missing)


def _status_text(summary: MeasureSummary) -> str:
    if summary.latest_value is None:
        return ""
    return "Provisional" if summary.latest_provisional else "Final"


def _stale_text(summary: MeasureSummary) -> str:
    if summary.stale_since is None:
        return ""
    return f"Stale: no value for {format_day(summary.stale_since)}"


def _trend_text(summary: MeasureSummary) -> str:
    if summary.direction_of_travel is None:
        return ""
    return f"{trend_arrow(summary.trend)} {summary.direction_of_travel.capitalize()}"


def _period_text(period: date | None, label: str | None) -> str:
    return label or format_day(period)


def _open(reference: str | None) -> None:
    if reference:
        st.query_params["measure"] = reference
    else:
        st.query_params.pop("measure", None)


def _on_pick() -> None:
    choice = st.session_state.get(PICK_KEY)
    _open(None if choice in (None, ALL) else str(choice))


# --- the list ----------------------------------------------------------------------------------


def _list_frame(summaries: list[MeasureSummary]) -> pd.DataFrame:
    config = governance()
    return pd.DataFrame(
        {
            "Ref": [s.reference for s in summaries],
            "Measure": [s.wording for s in summaries],
            "Rating": [rag_label_from_config(config, s.rag) for s in summaries],
            "Trend": [_trend_text(s) for s in summaries],
            "Latest": [_text_value(s, s.latest_value, "No values yet") for s in summaries],
            "Status": [_status_text(s) for s in summaries],
            "Period": [_period_text(s.latest_period, s.latest_period_label) for s in summaries],
            "Data": [_stale_text(s) for s in summaries],
            "Baseline": [_text_value(s, s.baseline_value, "Baseline not set") for s in summaries],
            "Target": [_text_value(s, s.target_value, "Target not set") for s in summaries],
            "Basis": [s.rating_basis for s in summaries],
            "Owner": [s.owner or "" for s in summaries],
        }
    )


def _table_height(rows: int) -> int:
    """Tall enough to show every row without an inner scroll bar (Streamlit rows are 35px)."""
    return 38 + 35 * max(rows, 1)


def show_list(summaries: list[MeasureSummary]) -> None:
    counts = count_by_rating(summaries)
    st.markdown(
        " · ".join(
            f"{rag_text(None if code == NOT_RATED else code)} **{count}**"
            for code, count in counts.items()
        )
    )
    stale = [s.reference for s in summaries if s.stale]
    if stale:
        st.warning(
            f"Stale ({len(stale)}): {', '.join(stale)}. The period after the latest value "
            "(or the baseline) has ended with no value; the Data column says which."
        )
    priorities = sorted({(s.priority_number, s.priority_title) for s in summaries})
    left, right = st.columns(2)
    priority_names = {"All priorities": None} | {priority_label(n, t): n for n, t in priorities}
    chosen_priority = left.selectbox("Priority", list(priority_names), key="measures.priority")
    chosen_rating = right.selectbox("Rating", list(RATING_FILTERS), key="measures.rating")
    shown = filter_summaries(
        summaries,
        priority=priority_names[chosen_priority],
        rating=RATING_FILTERS[chosen_rating],
    )
    st.caption(f"Showing {len(shown)} of {len(summaries)} measures. Select a row to open it.")
    event = st.dataframe(
        style_rag(_list_frame(shown), governance(), column="Rating"),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="measures.table",
        height=_table_height(len(shown)),
        column_config={
            "Measure": st.column_config.TextColumn("Measure", width="large"),
            "Trend": st.column_config.TextColumn(
                "Trend", help="Latest value against the one before"
            ),
            "Basis": st.column_config.TextColumn("Basis", help="How the rating was reached"),
            "Status": st.column_config.TextColumn(
                "Status", help="Final once signed off by the owner or performance lead"
            ),
            "Data": st.column_config.TextColumn(
                "Data", help="Stale: the period after the latest value ended with no value"
            ),
        },
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected and 0 <= selected[0] < len(shown):
        _open(shown[selected[0]].reference)
        st.rerun()
    show_context()


def show_context() -> None:
    with st.expander("SEND in context: the figures the strategy states"):
        st.caption(
            "Where a figure fits a measure it is that measure's baseline; the others are "
            "context. Administrators and measure owners set the remaining baselines."
        )
        figures = list_context_figures()
        frame = pd.DataFrame(
            {
                "Figure": [f.label for f in figures],
                "Value": [format_value(f.value, f.unit) for f in figures],
                "As at": [format_day(f.as_at) or "not dated" for f in figures],
                "The strategy says": [f.text for f in figures],
            }
        )
        st.dataframe(frame, hide_index=True, width="stretch", key="measures.context")


# --- one measure -------------------------------------------------------------------------------


def _delta(summary: MeasureSummary) -> tuple[str | None, str]:
    if summary.latest_value is None or summary.previous_value is None:
        return None, "off"
    change = summary.latest_value - summary.previous_value
    sign = "-" if change < 0 else "+"
    unit = " points" if summary.unit == MeasureUnit.PERCENTAGE.value else ""
    colour = "inverse" if summary.direction == Direction.LOWER.value else "normal"
    return f"{sign}{format_number(abs(change))}{unit} since last", colour


def show_facts(detail: MeasureDetail) -> None:
    s = detail.summary
    st.markdown(f"### {escape_markdown(s.reference)}: {escape_markdown(s.wording)}")
    trend = f" · {_trend_text(s)}" if s.direction_of_travel else ""
    st.markdown(f"**Rating:** {rag_text(s.rag)} ({escape_markdown(s.rating_basis)}){trend}")
    delta, colour = _delta(s)
    latest, baseline, target, tolerance = st.columns(4)
    latest.metric(
        "Latest",
        _text_value(s, s.latest_value, "No values yet"),
        delta=delta,
        delta_color=colour,  # type: ignore[arg-type]
        help=_period_text(s.latest_period, s.latest_period_label) or None,
    )
    baseline.metric(
        "Baseline",
        _text_value(s, s.baseline_value, "Baseline not set"),
        help=format_day(s.baseline_date) or None,
    )
    target.metric(
        "Target",
        _text_value(s, s.target_value, "Target not set"),
        help=f"by {format_day(s.target_date)}" if s.target_date else None,
    )
    tolerance.metric("Tolerance", f"{format_number(s.tolerance_pct)}%")
    facts = [
        f"**Unit:** {unit_label(s.unit)}",
        f"**Direction:** {direction_label(s.direction)}",
        f"**Frequency:** {escape_markdown(s.frequency or 'not set')}",
        f"**Data source:** {escape_markdown(s.data_source or 'not set')}",
        f"**Owner:** {escape_markdown(s.owner or 'none')}",
    ]
    st.caption(" · ".join(facts))
    if s.stale_since is not None:
        st.warning(
            f"Stale: no value yet for the period ending {format_day(s.stale_since)} "
            f"({escape_markdown(s.frequency or '')} measure)."
        )
    if s.latest_provisional:
        st.caption(
            "**Provisional:** the latest value is not signed off yet; papers report it as "
            "provisional until its owner or performance lead signs it off."
        )
    quality = [
        f"**Source:** {escape_markdown(s.latest_source)}" if s.latest_source else "",
        f"**Caveat:** {escape_markdown(s.latest_caveat)}" if s.latest_caveat else "",
    ]
    if any(quality):
        st.caption("Latest value · " + " · ".join(q for q in quality if q))
    if s.baseline_note:
        st.caption(f"Baseline note: {escape_markdown(s.baseline_note)}")
    if s.commentary:
        by = (
            f" (entered by {escape_markdown(detail.commentary_by)})" if detail.commentary_by else ""
        )
        st.markdown(f"**Commentary**{by}: {escape_markdown(s.commentary)}")


def show_comparators(detail: MeasureDetail) -> None:
    """England's, the region's and the local authorities' published figures for the measure."""
    found = detail.comparators
    if found is None:
        return
    unit = detail.summary.unit
    st.markdown(
        f"**Published comparators ({escape_markdown(found.period_label)}):** "
        + escape_markdown(describe_comparators(found, unit))
    )
    st.caption(f"Source: {escape_markdown(found.dataset)}, Explore Education Statistics.")


def national_import_form() -> None:
    """Administrators load England, regional and local authority figures from an EES CSV."""
    with st.expander("Load national comparators (Explore Education Statistics CSV)"):
        st.caption(
            "Download the data set's CSV from Explore Education Statistics and upload it as it "
            "is. governance.yaml says which measure takes which column; the whole file is "
            "checked first and nothing is stored if any mapped figure is wrong."
        )
        generation = int(st.session_state.get("measures.national.generation", 0))
        upload = st.file_uploader(
            "EES CSV file", type=["csv"], key=f"measures.national.{generation}"
        )
        area = governance().comparators.local_authority
        local = st.checkbox(
            f"Also take {area.name if area else 'the partnership'}'s own row as each measure's "
            "value for its period",
            key="measures.national.local",
            disabled=area is None,
            help="Marked with its source; a different value already held is corrected, "
            "keeping its history, and waits for sign-off again.",
        )
        if upload is None or not st.button("Import the comparators", key="measures.national.go"):
            return
        actor = current_actor()
        with showing_errors() as outcome, session_scope(engine(), write=True) as session:
            report = import_national_figures(
                session,
                stream=upload,
                source=upload.name,
                config=governance().comparators,
                actor=actor,
                local=local,
                today=today(),
            )
        if outcome.failed:
            return
        st.session_state["measures.national.generation"] = generation + 1
        values = (
            f" Values from the partnership's own row: {report.values_new} new, "
            f"{report.values_corrected} corrected, {report.values_unchanged} unchanged "
            "(provisional until signed off)."
            if local
            else ""
        )
        st.session_state[FLASH_KEY] = (
            f"{upload.name}: {report.rows_read:,} rows read; {report.stored} published figures "
            f"stored ({report.replaced} replaced).{values}"
        )
        st.rerun()


def show_values(detail: MeasureDetail) -> None:
    s = detail.summary
    chart = measure_chart(detail)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
        st.caption(escape_markdown(chart_caption(detail)))
    if not detail.values:
        st.info("No values have been entered for this measure yet.")
        return
    config = governance()
    rows = list(reversed(detail.values))
    columns: dict[str, list[Any]] = {"Period end": [v.period_end for v in rows]}
    if any(v.period_label for v in rows):
        columns["Period"] = [v.period_label or "" for v in rows]
    columns |= {
        "Value": [format_value(v.value, s.unit) for v in rows],
        "Rating": [rag_label_from_config(config, v.rag) for v in rows],
        "Status": [
            f"Final (signed off by {v.signed_off_by or 'an operator'})"
            if v.final
            else "Provisional"
            for v in rows
        ],
        "Note": [v.note or "" for v in rows],
        "Source": [v.source or "" for v in rows],
        "Caveat": [v.caveat or "" for v in rows],
        "Entered by": [v.entered_by or "" for v in rows],
        "Entered": [format_moment(v.entered_at) for v in rows],
    }
    st.dataframe(
        style_rag(pd.DataFrame(columns), config, column="Rating"),
        hide_index=True,
        width="stretch",
        key="measure.values",
        column_config={
            "Period end": st.column_config.DateColumn("Period end", format="D MMM YYYY"),
            "Rating": st.column_config.TextColumn(
                "Rating", help="Each value against the current target"
            ),
        },
    )


def show_actions_and_audit(detail: MeasureDetail) -> None:
    st.markdown("#### Contributing actions")
    if not detail.actions:
        st.caption("No actions are linked to this measure.")
    else:
        config = governance()
        frame = pd.DataFrame(
            {
                "Ref": [a.reference for a in detail.actions],
                "Action": [a.title for a in detail.actions],
                "RAG": [rag_label_from_config(config, a.rag) for a in detail.actions],
                "Owner": [a.owner or "" for a in detail.actions],
                "Due": [a.due_date for a in detail.actions],
            }
        )
        st.dataframe(
            style_rag(frame, config),
            hide_index=True,
            width="stretch",
            key="measure.acts",
            column_config={"Due": st.column_config.DateColumn("Due", format="D MMM YYYY")},
        )
    if detail.audit:
        with st.expander("Change history"):
            audit = pd.DataFrame(
                {
                    "When": [format_moment(e.at) for e in detail.audit],
                    "Who": [e.actor for e in detail.audit],
                    "What": [e.field for e in detail.audit],
                    "From": [e.old or "" for e in detail.audit],
                    "To": [e.new or "" for e in detail.audit],
                    "Reason": [e.reason or "" for e in detail.audit],
                }
            )
            st.dataframe(audit, hide_index=True, width="stretch", key="measure.audit")


def show_measure(reference: str, as_of: date) -> None:
    actor = current_actor()
    config = governance().measures
    with session_scope(engine()) as session:
        detail = get_measure_detail(
            session, reference=reference, as_of=as_of, viewer=actor, config=config
        )
    if st.button("← All measures", key="measures.back"):
        _open(None)
        st.session_state.pop(PICK_KEY, None)
        st.rerun()
    show_facts(detail)
    if detail.summary.rating_mode == "narrative" and detail.narrative_commentary:
        st.markdown(f"**Judgement:** {escape_markdown(detail.narrative_commentary)}")
    show_comparators(detail)
    show_values(detail)
    milestones_table(detail)
    sign_off_panel(detail, config)
    show_actions_and_audit(detail)
    summary = detail.summary
    if may_enter_values(actor, summary):
        value_form(summary, as_of)
    if may_edit_measure(actor, summary):
        if summary.rating_mode == "narrative":
            narrative_form(detail)
        targets_form(summary)
        if summary.rating_mode == "numeric":
            milestones_form(detail)
    if may_link_actions(actor):
        links_form(detail, as_of)


def main() -> None:
    st.title("Success measures")
    st.caption(
        "How we will know we are making a difference: the strategy's measures against target."
    )
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message)
    as_of = today()
    lag = governance().measures.reporting_lag_days
    with session_scope(engine()) as session:
        summaries = list_measure_summaries(session, as_of=as_of, reporting_lag_days=lag)
    references = [s.reference for s in summaries]
    wanted = normalise_reference(str(st.query_params.get("measure", "")))
    current = wanted if wanted in references else None
    if wanted and current is None:
        st.warning(f"There is no measure {wanted}; showing all measures.")
    st.session_state[PICK_KEY] = current or ALL
    st.selectbox(
        "Open a measure",
        [ALL, *references],
        format_func=lambda r: r if r == ALL else f"{r}: {_wording(summaries, r)[:100]}",
        key=PICK_KEY,
        on_change=_on_pick,
    )
    if current is None:
        show_list(summaries)
        if may_import_values(current_actor(), summaries):
            import_form(as_of)
        if can(current_actor(), Operation.IMPORT_PLAN):
            national_import_form()
    else:
        show_measure(current, as_of)


def _wording(summaries: list[MeasureSummary], reference: str) -> str:
    return next((s.wording for s in summaries if s.reference == reference), "")


main()
