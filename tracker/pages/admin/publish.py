"""Publish (administrators): the public progress site before it goes out, and sending it out.

A preview of any page of the site as it would be published now (the generated HTML in a
sandboxed frame: every word in it was escaped by the site's renderer, nothing goes through
``unsafe_allow_html``), the queue of public summaries, measure values and "you said, we did"
entries waiting for approval, the actions on the site with their plain titles, and the button
that publishes into TRACKER_PUBLISH_DIR. Every act goes to ``tracker.services.publishing``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from tracker.db import session_scope
from tracker.formatting import format_timestamp
from tracker.permissions import Actor
from tracker.services.publishing import (
    PUBLIC_TITLE_LIMIT,
    ActionPublication,
    ApprovalQueue,
    PublishPage,
    approve_feedback,
    approve_summary,
    describe_rule,
    load_publish_page,
    publish_measure_value,
    publish_site,
    set_action_publication,
)
from tracker.ui.components import escape_markdown, format_day
from tracker.ui.context import current_actor, engine, governance, settings, today
from tracker.ui.errors import showing_errors

FLASH_KEY = "publish.flash"
PREVIEW_HEIGHT = 900


def _done(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _preview(page: PublishPage) -> None:
    if page.problem:
        st.error(escape_markdown(page.problem))
        return
    choice = st.selectbox(
        "Page to preview",
        options=list(page.preview),
        format_func=lambda name: page.preview[name][0],
        key="publish.preview-page",
    )
    st.caption(
        "The page as the public would see it if you published now. Links inside the preview "
        "do not open other pages."
    )
    components.html(page.preview[choice][1], height=PREVIEW_HEIGHT, scrolling=True)


def _approve(actor: Actor, kind: str, item_id: int, seen: str | int) -> None:
    config = governance()
    with showing_errors() as outcome, session_scope(engine(), write=True) as session:
        if kind == "summary":
            approve_summary(
                session, actor, config=config, update_id=item_id, seen_summary=str(seen)
            )
        elif kind == "value":
            publish_measure_value(session, actor, config=config, value_id=item_id)
        else:
            approve_feedback(
                session, actor, config=config, feedback_id=item_id, seen_version=int(seen)
            )
    if not outcome.failed:
        _done("Approved: it will be on the site the next time it is published.")


def _queue(actor: Actor, queue: ApprovalQueue) -> None:
    if queue.total == 0:
        st.success("Nothing is waiting for approval.")
    st.subheader(f"Public summaries ({len(queue.summaries)})")
    st.caption(f"Public summaries of updates: {describe_rule(queue.summary_rule)}.")
    for s in queue.summaries:
        with st.container(border=True):
            note = "" if s.action_published else " (the action is not on the site yet)"
            st.markdown(f"**{escape_markdown(s.reference)}**, {format_day(s.written_on)}{note}")
            st.text(s.summary)
            if st.button("Approve this summary", key=f"publish.summary.{s.update_id}"):
                _approve(actor, "summary", s.update_id, s.summary)
    st.subheader(f"Measure values ({len(queue.values)})")
    st.caption(f"Measure values: {describe_rule(queue.value_rule)}.")
    for v in queue.values:
        with st.container(border=True):
            st.markdown(
                f"**{escape_markdown(v.measure)}** {escape_markdown(v.period)}: "
                f"**{escape_markdown(v.shown)}**"
            )
            st.caption(escape_markdown(v.wording))
            if st.button("Publish this value", key=f"publish.value.{v.value_id}"):
                _approve(actor, "value", v.value_id, 0)
    st.subheader(f"You said, we did ({len(queue.feedback)})")
    st.caption(f"'You said, we did' entries: {describe_rule(queue.feedback_rule)}.")
    for f in queue.feedback:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(f.reference)}**")
            st.text(f"You said: {f.said}\nWe did: {f.we_did or '(nothing written yet)'}")
            if st.button("Approve this entry", key=f"publish.feedback.{f.feedback_id}"):
                _approve(actor, "feedback", f.feedback_id, f.version)


def _actions(actor: Actor, rows: tuple[ActionPublication, ...]) -> None:
    published = [r for r in rows if r.published]
    st.caption(
        f"{len(published)} of {len(rows)} actions are on the site. An action appears there "
        "only under its public title: the action in plain words a parent can read."
    )
    if published:
        st.dataframe(
            pd.DataFrame(
                {
                    "Reference": [r.reference for r in published],
                    "Public title": [r.public_title or "" for r in published],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    by_ref = {r.reference: r for r in rows}
    chosen = st.selectbox(
        "Action",
        options=list(by_ref),
        format_func=lambda ref: f"{ref} {by_ref[ref].title[:80]}",
        key="publish.action",
    )
    row = by_ref[chosen]
    with st.form(f"publish.action-form.{row.reference}.{row.version}"):
        st.caption(f"In the plan: {row.title}")
        title = st.text_area(
            "Public title (plain words)",
            value=row.public_title or "",
            max_chars=PUBLIC_TITLE_LIMIT,
            key=f"publish.title.{row.reference}.{row.version}",
        )
        title_slot = st.empty()
        on_site = st.checkbox(
            "Show this action on the public site",
            value=row.published,
            key=f"publish.on-site.{row.reference}.{row.version}",
        )
        saved = st.form_submit_button("Save")
    if saved:
        with (
            showing_errors(field_slots={"public_title": title_slot}) as outcome,
            session_scope(engine(), write=True) as session,
        ):
            set_action_publication(
                session,
                actor,
                reference=row.reference,
                published=on_site,
                public_title=title,
                seen_version=row.version,
            )
        if not outcome.failed:
            _done(f"Saved {row.reference}: " + ("on the site." if on_site else "not on the site."))


def _publish(actor: Actor, page: PublishPage) -> None:
    target = settings().publish_dir
    if target is None:
        st.warning(
            "No folder is set for the site: set TRACKER_PUBLISH_DIR to the folder your web "
            "server publishes, then restart the app. Until then, `tracker publish DIR` "
            "publishes from the command line.",
            icon=":material/folder_off:",
        )
    else:
        st.markdown(f"The site is written to the folder `{target}` (TRACKER_PUBLISH_DIR).")
    if page.last is not None:
        st.caption(
            f"Last published {format_timestamp(page.last.at)} by "
            f"{escape_markdown(page.last.by)}: {escape_markdown(page.last.detail or '')}"
        )
    if page.queue.total:
        st.info(f"{page.queue.total} items are waiting for approval and will not be included.")
    if st.button(
        "Publish the site now",
        type="primary",
        icon=":material/publish:",
        disabled=target is None or page.problem is not None,
    ):
        assert target is not None
        with showing_errors() as outcome, session_scope(engine(), write=True) as session:
            report = publish_site(session, actor, target, config=governance(), today=today())
        if not outcome.failed:
            _done(
                f"Published {len(report.pages)} pages to {report.directory}: {report.actions} "
                f"actions, {report.measure_values} measure values, {report.feedback} entries."
            )


def main() -> None:
    st.title("Publish the progress site")
    actor = current_actor()
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(escape_markdown(flash), icon=":material/check:")
    loaded: PublishPage | None = None
    with showing_errors(), session_scope(engine()) as session:
        loaded = load_publish_page(session, actor, config=governance(), today=today())
    if loaded is None:
        return
    page = loaded
    preview, queue, actions, publish = st.tabs(
        ["Preview", f"Waiting for approval ({page.queue.total})", "Actions on the site", "Publish"]
    )
    with preview:
        _preview(page)
    with queue:
        _queue(actor, page.queue)
    with actions:
        _actions(actor, page.actions)
    with publish:
        _publish(actor, page)


main()
