"""The executive overview: what is off track, overdue or not updated, and where the plan is heading.

Headline figures first, then the exceptions (overdue actions, most days overdue first; Red
actions with their commentary and path to green; actions delivered but with no impact evident
yet; Red success measures), then RAG by priority
and by workstream, and the RAG trend month by month from the update history. Selecting a row
opens that action's page in the register (or the measure's page).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.formatting import (
    MISSING,
    format_date,
    format_days,
    format_number,
    format_percent,
    plural,
)
from tracker.models import Rag
from tracker.rules.measures import format_value
from tracker.rules.risks import top_band
from tracker.services.actions import EscalationRow, list_all_open_escalations
from tracker.services.measures import (
    AwaitingSignOff,
    MeasureSummary,
    list_measure_summaries,
    list_values_awaiting_sign_off,
)
from tracker.services.register import Exceptions, Headline, Overview, load_overview
from tracker.ui.components import (
    format_day,
    rag_label_from_config,
    selected_reference,
    show_rag_key,
    style_rag,
)
from tracker.ui.context import current_actor, cycle_days, engine, governance, today
from tracker.ui.navigation import page_file
from tracker.ui.shared_data import load_rag_trend
from tracker.ui.widgets.charts import rag_bars, rag_frame, rag_trend, trend_frame

# Narrow first columns, so a phone (390 px) shows reference, RAG, due date and the start of the
# title without scrolling sideways; the rest of each row scrolls within the table.
NARROW: dict[str, Any] = {
    "Ref": st.column_config.TextColumn("Ref", width=56, pinned=True),
    "RAG": st.column_config.TextColumn("RAG", width=64),
    "Due": st.column_config.DateColumn("Due", format="D MMM YYYY", width=96),
}


def _show_headline(headline: Headline) -> None:
    columns = st.columns(5)
    columns[0].metric("Actions", headline.actions, help="In the plan, withdrawn actions left out.")
    share = headline.on_track_share
    # The share large, its counts under it: "52% (22 of 42 rated)" whole does not fit a fifth
    # of the page and was cut to "52% (22 …".
    columns[1].metric(
        "On track, of rated",
        format_percent(share.percent),
        delta=f"{format_number(share.on_track)} of {plural(share.rated, 'rated action')}",
        delta_color="off",
        delta_arrow="off",
        help="Rated Green or Blue, as a share of the actions rated so far.",
    )
    columns[2].metric("Overdue", headline.overdue, help="Past the due date and not complete.")
    columns[3].metric(
        "Not updated",
        headline.not_updated,
        help="Not updated this cycle: no update since the overseeing board's window opened.",
    )
    columns[4].metric("Red", headline.red, help="Rated Red (off track) by their owners.")


def _open_action(reference: str) -> None:
    st.switch_page(page_file("register"), query_params={"action": reference})


def _see_all(label: str, key: str, **register_filters: object) -> None:
    """A button that opens the register with these filters set."""

    def go() -> None:
        for name, value in register_filters.items():
            st.session_state[f"reg.{name}"] = value

    if st.button(label, key=key, on_click=go, icon=":material/table_rows:"):
        st.switch_page(page_file("register"))


def _show_table(frame: Any, key: str, references: list[str], **config: Any) -> None:
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_config=config,
    )
    picked = selected_reference(event, references)
    if picked:
        _open_action(picked)


def _show_overdue(overdue: Exceptions) -> None:
    config = governance()
    st.subheader("Overdue actions", anchor=False)
    if not overdue.rows:
        st.success("No action is overdue.")
        return
    st.caption(
        f"{len(overdue.rows)} of {overdue.total}, most days overdue first. Select a row to open it."
    )
    frame = pd.DataFrame(
        {
            "Ref": [r.reference for r in overdue.rows],
            "RAG": [rag_label_from_config(config, r.rag) for r in overdue.rows],
            "Due": [r.due_date for r in overdue.rows],
            "Action": [r.title for r in overdue.rows],
            "Overdue": [format_days(r.flags.days_overdue) for r in overdue.rows],
            "Owner": [r.owner or "" for r in overdue.rows],
        }
    )
    _show_table(
        style_rag(frame, config),
        "overview.overdue",
        [r.reference for r in overdue.rows],
        **NARROW,
        Action=st.column_config.TextColumn(width="large"),
    )
    if overdue.total > len(overdue.rows):
        _see_all(
            f"See all {overdue.total} in the register",
            "overview.all_overdue",
            overdue=True,
            order="overdue",
        )


def _show_red(red: Exceptions) -> None:
    config = governance()
    st.subheader("Red actions", anchor=False)
    if not red.rows:
        st.success("No open action is rated Red.")
        return
    st.caption(f"{len(red.rows)} of {red.total}, with their owners' commentary and path to green.")
    frame = pd.DataFrame(
        {
            "Ref": [r.reference for r in red.rows],
            "RAG": [rag_label_from_config(config, r.rag) for r in red.rows],
            "Due": [r.due_date for r in red.rows],
            "Action": [r.title for r in red.rows],
            "Owner": [r.owner or "" for r in red.rows],
            "Commentary": [r.commentary or "" for r in red.rows],
            "Path to green": [r.path_to_green or "" for r in red.rows],
            "Last updated": [format_day(r.last_updated_at) for r in red.rows],
        }
    )
    _show_table(
        style_rag(frame, config),
        "overview.red",
        [r.reference for r in red.rows],
        **NARROW,
        Action=st.column_config.TextColumn(width="large"),
        Commentary=st.column_config.TextColumn(width="large"),
        **{"Path to green": st.column_config.TextColumn(width="large")},
    )
    if red.total > len(red.rows):
        _see_all(f"See all {red.total} in the register", "overview.all_red", rag="red")


def _show_no_impact(no_impact: Exceptions) -> None:
    """Delivered (complete or Blue) but no impact evident yet: delivery without a difference
    families can feel is what boards and families keep asking about."""
    config = governance()
    st.subheader("Delivered but no impact evident yet", anchor=False)
    if not no_impact.rows:
        st.success("Every delivered action reports impact evident.")
        return
    evident = " or ".join(f"“{r.label}”" for r in config.impact.ratings if r.evident)
    st.caption(
        f"{len(no_impact.rows)} of {no_impact.total}: complete or Blue, but the latest impact "
        f"rating is not {evident}. Select a row to open it."
    )
    frame = pd.DataFrame(
        {
            "Ref": [r.reference for r in no_impact.rows],
            "RAG": [rag_label_from_config(config, r.rag) for r in no_impact.rows],
            "Impact": [config.impact.rating_label(r.impact_rating) for r in no_impact.rows],
            "Action": [r.title for r in no_impact.rows],
            "Expected impact": [r.expected_impact or "" for r in no_impact.rows],
            "Owner": [r.owner or "" for r in no_impact.rows],
        }
    )
    _show_table(
        style_rag(frame, config),
        "overview.no_impact",
        [r.reference for r in no_impact.rows],
        Ref=NARROW["Ref"],
        RAG=NARROW["RAG"],
        Impact=st.column_config.TextColumn("Impact", width=120),
        Action=st.column_config.TextColumn(width="large"),
        **{"Expected impact": st.column_config.TextColumn(width="large")},
    )


def _show_red_measures() -> None:
    st.subheader("Red success measures", anchor=False)
    config = governance().measures
    with session_scope(engine()) as session:
        summaries = list_measure_summaries(
            session, as_of=today(), reporting_lag_days=config.reporting_lag_days
        )
        awaiting = list_values_awaiting_sign_off(session, actor=current_actor(), config=config)
    measures = [m for m in summaries if m.rag == Rag.RED.value]
    if not measures:
        st.success("No success measure is rated Red.")
    else:
        _red_measures_table(measures)
    _show_stale_measures([m for m in summaries if m.stale])
    _show_awaiting_sign_off(awaiting)


def _open_measure(event: Any, references: list[str]) -> None:
    picked = selected_reference(event, references)
    if picked:
        st.switch_page(page_file("measures"), query_params={"measure": picked})


def _show_stale_measures(stale: list[MeasureSummary]) -> None:
    st.subheader("Stale success measures", anchor=False)
    if not stale:
        st.success("Every success measure has its expected values.")
        return
    st.caption(
        "The period after the latest value has ended with no value (by the measure's "
        "frequency, allowing time to collect the figures)."
    )
    frame = pd.DataFrame(
        {
            "Ref": [m.reference for m in stale],
            "Measure": [m.wording for m in stale],
            "Owner": [m.owner or "" for m in stale],
            "Frequency": [m.frequency or "" for m in stale],
            "No value for": [format_day(m.stale_since) for m in stale],
            "Latest": [format_value(m.latest_value, m.unit, missing="None yet") for m in stale],
        }
    )
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="overview.stale_measures",
        column_config={"Measure": st.column_config.TextColumn(width="large")},
    )
    _open_measure(event, [m.reference for m in stale])


def _show_awaiting_sign_off(awaiting: list[AwaitingSignOff]) -> None:
    """The provisional values the person viewing may sign off (nothing for anyone else)."""
    if not awaiting:
        return
    st.subheader("Values awaiting your sign-off", anchor=False)
    frame = pd.DataFrame(
        {
            "Ref": [a.reference for a in awaiting],
            "Measure": [a.wording for a in awaiting],
            "Period": [a.period_label or format_day(a.period_end) for a in awaiting],
            "Value": [format_value(a.value, a.unit) for a in awaiting],
            "Entered by": [a.entered_by or "" for a in awaiting],
        }
    )
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="overview.sign_off",
        column_config={"Measure": st.column_config.TextColumn(width="large")},
    )
    _open_measure(event, [a.reference for a in awaiting])


def _red_measures_table(measures: list[MeasureSummary]) -> None:
    frame = pd.DataFrame(
        {
            "Ref": [m.reference for m in measures],
            "Measure": [m.wording for m in measures],
            "Owner": [m.owner or "" for m in measures],
            "Latest": [format_value(m.latest_value, m.unit) for m in measures],
            "Target": [format_value(m.target_value, m.unit) for m in measures],
            "Commentary": [m.commentary or "" for m in measures],
        }
    )
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="overview.red_measures",
        column_config={"Measure": st.column_config.TextColumn(width="large")},
    )
    _open_measure(event, [m.reference for m in measures])


def _show_breakdowns(view: Overview) -> None:
    config = governance()
    st.subheader("RAG by priority and by workstream", anchor=False)
    tabs = st.tabs(["By priority", "By workstream"])
    for tab, title, summaries in (
        (tabs[0], "RAG by priority", view.by_priority),
        (tabs[1], "RAG by workstream", view.by_workstream),
    ):
        with tab:
            st.altair_chart(
                rag_bars(summaries, config),
                width="stretch",
                alt=f"{title}: stacked bars of actions by RAG rating",
            )
            with st.expander("The figures as a table"):
                table = rag_frame(summaries, config).pivot_table(
                    index="Group", columns="RAG", values="Actions", aggfunc="sum", sort=False
                )
                st.dataframe(table, width="stretch")


def _show_trend() -> None:
    config = governance()
    st.subheader("RAG over time", anchor=False)
    points = load_rag_trend(today=today(), months=24)
    if not any(sum(p.counts.values()) for p in points):
        st.info("No actions yet.")
        return
    st.caption(
        "Each action's rating at the end of each month, from its update history, "
        "starting from the month of the first update."
    )
    st.altair_chart(
        rag_trend(points, config),
        width="stretch",
        alt="RAG over time: stacked monthly columns of actions by rating",
    )
    with st.expander("The figures as a table"):
        table = trend_frame(points, config).pivot_table(
            index="Month end", columns="RAG", values="Actions", aggfunc="sum", sort=False
        )
        st.dataframe(table, width="stretch")


def _show_escalations(rows: list[EscalationRow]) -> None:
    """Open escalations, until the receiving board closes each with a decision."""
    if not rows:
        return
    st.subheader("Open escalations", anchor=False)
    st.caption(f"{plural(len(rows), 'escalation')} waiting for the receiving board's decision.")
    frame = pd.DataFrame(
        {
            "Ref": [r.reference for r in rows],
            "Action": [r.action_title for r in rows],
            "To": [r.to_body for r in rows],
            "Raised": [format_date(r.raised_at) for r in rows],
            "By": [r.raised_by or MISSING for r in rows],
            "Reason": [r.reason for r in rows],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="overview.escalations")


def _show_risks(view: Overview) -> None:
    """Very high risks and risks past their review date, each opening its page."""
    rows = view.risks
    if not rows:
        return
    top = top_band(governance().risks)
    st.subheader("Risks needing attention", anchor=False)
    high = sum(1 for r in rows if r.score >= top.low)
    late = sum(1 for r in rows if r.review_overdue)
    st.caption(
        f"{plural(high, f'{top.name.lower()} risk')}; "
        f"{plural(late, 'risk')} past {'its' if late == 1 else 'their'} review date."
    )
    frame = pd.DataFrame(
        {
            "Ref": [r.reference for r in rows],
            "Score": [f"{r.score} {r.band}" for r in rows],
            "Risk": [r.title for r in rows],
            "Next review": [
                format_date(r.next_review) + (" (overdue)" if r.review_overdue else "")
                for r in rows
            ],
            "Owner": [r.owner for r in rows],
        }
    )
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="overview.risks",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"Ref": st.column_config.TextColumn("Ref", width="small", pinned=True)},
    )
    picked = selected_reference(event, [r.reference for r in rows])
    if picked:
        st.switch_page(page_file("risks"), query_params={"risk": picked})


def main() -> None:
    st.title("Executive overview", anchor=False)
    st.caption(f"As at {format_day(today())}.")
    view = load_overview(
        engine(),
        today=today(),
        default_cycle_days=cycle_days(),
        actor=current_actor(),
        risk_scale=governance().risks,
        impact=governance().impact,
    )
    with session_scope(engine()) as session:
        escalations = list_all_open_escalations(session)
    _show_headline(view.headline)
    _show_escalations(escalations)
    _show_overdue(view.overdue)
    _show_red(view.red)
    _show_no_impact(view.no_impact)
    _show_red_measures()
    _show_risks(view)
    _show_breakdowns(view)
    _show_trend()
    with st.expander("RAG key"):
        show_rag_key(governance())


main()
