"""The risk register: what could stop delivery, how likely, how bad, and what is being done.

Filters (status, band, board, review overdue), a 5 x 5 heat map of the risks shown with the
same counts in a sentence, and the register as a table, highest score first; choosing a row
(or ``?risk=R3`` in the URL) opens that risk: its score and band, target, the actions and
priorities it threatens, the full history of its scorings with commentary and its
mitigations. Its owner and administrators rescore it, add and complete mitigations and close
it; administrators add risks. Partners see only risks marked shareable. Everything a person
typed is shown as text, never as markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from tracker.db import session_scope
from tracker.formatting import format_date, format_timestamp
from tracker.models import RiskStatus
from tracker.permissions import Actor
from tracker.rules.risks import score_words
from tracker.services.risks import RiskDetail, RiskFilter, RiskRow, load_risks_page
from tracker.ui import risk_forms
from tracker.ui.components import escape_markdown, selected_reference
from tracker.ui.context import current_actor, engine, governance, today
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.risk_map import describe, heat_chart

ANY = "Any"
STATUSES = {RiskStatus.OPEN.value: "Open", RiskStatus.CLOSED.value: "Closed", "": "Open and closed"}
PARAM = "risk"


def _filters() -> RiskFilter:
    scale = governance().risks
    with st.container(border=True):
        columns = st.columns(4)
        status = columns[0].selectbox(
            "Status", list(STATUSES), key="risks.status", format_func=lambda s: STATUSES[s]
        )
        band = columns[1].selectbox(
            "Band",
            [None, *[b.name for b in scale.bands]],
            key="risks.band",
            format_func=lambda b: ANY if b is None else b,
        )
        bodies = [b.name for b in governance().bodies]
        body = columns[2].selectbox(
            "Overseen by",
            [None, *bodies],
            key="risks.body",
            format_func=lambda b: ANY if b is None else b,
        )
        overdue = columns[3].toggle("Review overdue only", key="risks.overdue")
    return RiskFilter(status=status or None, band=band, review_overdue_only=overdue, body_name=body)


def _table(rows: tuple[RiskRow, ...]) -> str | None:
    frame = {
        "Ref": [r.reference for r in rows],
        "Risk": [r.title for r in rows],
        "Score": [f"{r.score} {r.band}" for r in rows],
        "Owner": [r.owner for r in rows],
        "Next review": [
            format_date(r.next_review) + (" (overdue)" if r.review_overdue else "") for r in rows
        ],
        "Threatens": [", ".join(r.actions) or "—" for r in rows],
    }
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="risks.table",
        column_config={
            "Ref": st.column_config.TextColumn("Ref", width="small"),
            "Risk": st.column_config.TextColumn("Risk", width="medium"),
            "Score": st.column_config.TextColumn("Score", help="Likelihood x impact, and its band"),
        },
    )
    return selected_reference(event, [r.reference for r in rows])


def _open(reference: str | None) -> None:
    if reference:
        st.query_params[PARAM] = reference
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
    st.rerun()


def _show_detail(actor: Actor, detail: RiskDetail) -> None:
    scale = governance().risks
    risk = detail.risk
    if st.button("Back to the risk register", icon=":material/arrow_back:"):
        _open(None)
    st.header(f"{risk.reference}: {risk.title}", anchor=False)
    if not risk.is_open:
        st.info(f"Closed: {risk.closed_reason}", icon=":material/lock:")
    facts = st.columns(3)
    facts[0].metric("Current score", f"{risk.score} {risk.band}")
    facts[1].metric("Inherent score", str(risk.inherent_score))
    facts[2].metric("Target score", str(risk.target_score) if risk.target_score else "—")
    st.markdown(
        f"**Score:** {escape_markdown(score_words(risk.likelihood, risk.impact, scale))}  \n"
        f"**Owner:** {escape_markdown(risk.owner)}  \n"
        f"**Overseen by:** {escape_markdown(risk.body or '—')}  \n"
        f"**Threatens:** {escape_markdown(', '.join(risk.actions) or 'no action named')}"
        + (f" (priorities {', '.join(str(p) for p in risk.priorities)})" if risk.priorities else "")
        + f"  \n**Next review:** {format_date(risk.next_review)}"
        + (" — **overdue**" if risk.review_overdue else "")
    )
    if risk.description:
        st.markdown("**Cause, event and effect**")
        st.text(risk.description)
    tabs = st.tabs(["Mitigations", "Score history", "Rescore" if detail.may_score else "About"])
    with tabs[0]:
        if not detail.mitigations:
            st.caption("No mitigations recorded.")
        elif detail.may_score and risk.is_open:
            if risk_forms.show_mitigation_toggles(actor, detail):
                st.rerun()
        else:
            for m in detail.mitigations:
                due = f" (due {format_date(m.due_date)})" if m.due_date else ""
                st.markdown(("✅ " if m.done else "• ") + escape_markdown(m.description + due))
        if detail.may_score and risk.is_open and risk_forms.show_add_mitigation(actor, detail):
            st.rerun()
    with tabs[1]:
        zone = governance().partnership.timezone
        for review in detail.reviews:
            with st.container(border=True):
                st.markdown(
                    f"**{review.score} {escape_markdown(review.band)}** (likelihood "
                    f"{review.likelihood}, impact {review.impact}), "
                    f"{escape_markdown(review.by)}, {format_timestamp(review.at, zone)}"
                )
                st.text(review.commentary)
    with tabs[2]:
        if not detail.may_score:
            st.caption("Only the risk's owner and administrators rescore a risk.")
        elif not risk.is_open:
            st.caption("A closed risk is not rescored.")
        else:
            if risk_forms.show_rescore(actor, detail, scale):
                st.rerun()
            with st.expander("Close this risk"):
                if risk_forms.show_close(actor, detail):
                    st.rerun()


def main() -> None:
    actor = current_actor()
    st.title("Risks", anchor=False)
    risk_forms.show_flash()
    reference = str(st.query_params.get(PARAM, "")).strip().upper() or None
    where = RiskFilter() if reference else _filters()
    page = None
    with showing_errors() as outcome, session_scope(engine()) as session:
        page = load_risks_page(
            session,
            actor=actor,
            governance=governance(),
            today=today(),
            where=where,
            reference=reference,
        )
    if outcome.failed or page is None:
        if reference and st.button("Back to the risk register"):
            _open(None)
        return
    if page.detail is not None:
        _show_detail(actor, page.detail)
        return
    if page.may_add and page.choices is not None:
        with st.expander("Add a risk", icon=":material/add:"):
            added = risk_forms.show_add_risk(actor, page.choices, governance())
            if added:
                _open(added)
    scale = governance().risks
    rows = page.rows
    st.markdown(f"**{describe(rows, scale)}**")
    if not rows:
        st.info("No risk matches these filters.")
        return
    left, _right = st.columns([1, 1])
    with left:
        st.altair_chart(heat_chart(rows, scale), width="stretch")
        st.caption("Heat map: likelihood up, impact across; each cell counts the risks in it.")
    picked = _table(rows)
    st.caption("Select a row to open the risk.")
    if picked:
        _open(picked)


main()
