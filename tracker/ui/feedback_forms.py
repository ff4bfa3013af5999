"""The forms of the "You said, we did" page: add an entry, edit one, import a spreadsheet.

Each form is an ``st.form`` whose fields live in this session's state under keys named after
the entry, so what a person typed stays in its box when a save is refused: the service checks
every field and each message is shown under the field it names, with nothing saved. Text has
no widget limit (a long paste is never dropped; the service says how much to cut). The source
offers the usual channels (Parent Carer Forum, POWAR, surveys, complaints) and accepts any
other typed in. The import checks the whole sheet first and lists every problem by row and
column; only a sheet without problems can be imported, all of it in one transaction.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.formatting import plural
from tracker.models import FeedbackStatus
from tracker.permissions import Actor
from tracker.services.feedback import (
    COMMON_SOURCES,
    STATUS_LABELS,
    FeedbackForm,
    FeedbackImport,
    FeedbackRow,
    FeedbackScreen,
    add_feedback,
    edit_feedback,
    import_feedback,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import engine, today
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import date_field, kept_select

FLASH_KEY = "ysd.flash"
FIELDS = (
    "said",
    "source",
    "heard_on",
    "we_did",
    "impact",
    "status",
    "owner",
    "priorities",
    "actions",
    "published",
)


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _fill(prefix: str, row: FeedbackRow | None) -> None:
    """Put the entry's stored values into the form (once, before its widgets are drawn)."""
    if f"{prefix}.said" in st.session_state:
        return
    form = row.form() if row else FeedbackForm(said="", source=None)
    st.session_state[f"{prefix}.said"] = form.said or ""
    st.session_state[f"{prefix}.source"] = form.source
    st.session_state[f"{prefix}.heard_on"] = form.heard_on
    st.session_state[f"{prefix}.we_did"] = form.we_did or ""
    st.session_state[f"{prefix}.impact"] = form.impact or ""
    st.session_state[f"{prefix}.status"] = form.status
    st.session_state[f"{prefix}.priorities"] = list(form.priorities)
    st.session_state[f"{prefix}.actions"] = list(form.actions)
    st.session_state[f"{prefix}.published"] = form.published


def _forget(prefix: str) -> None:
    for name in (*FIELDS, "version"):
        st.session_state.pop(f"{prefix}.{name}", None)


def _fields(
    prefix: str, screen: FeedbackScreen, row: FeedbackRow | None
) -> dict[str, DeltaGenerator]:
    slots: dict[str, DeltaGenerator] = {}
    st.text_area(
        "You said",
        key=f"{prefix}.said",
        help="What families, children or young people said, in their words where possible.",
    )
    slots["said"] = st.empty()
    left, right = st.columns(2)
    with left:
        sources = list(COMMON_SOURCES)
        current = st.session_state.get(f"{prefix}.source")
        if isinstance(current, str) and current and current not in sources:
            sources.append(current)
        st.selectbox(
            "Source",
            sources,
            key=f"{prefix}.source",
            accept_new_options=True,
            placeholder="Choose or type who said it",
            help="Who said it: the Parent Carer Forum, POWAR, a survey, a complaint ...",
        )
        slots["source"] = st.empty()
    with right:
        date_field("Heard on", key=f"{prefix}.heard_on")
        slots["heard_on"] = st.empty()
    st.text_area("We did", key=f"{prefix}.we_did", help="What the partnership did about it.")
    slots["we_did"] = st.empty()
    st.text_area(
        "Impact",
        key=f"{prefix}.impact",
        help="What difference it made for families, children and young people.",
    )
    slots["impact"] = st.empty()
    left, right = st.columns(2)
    with left:
        st.selectbox(
            "Status",
            list(STATUS_LABELS),
            key=f"{prefix}.status",
            format_func=lambda s: STATUS_LABELS.get(s, s),
        )
        slots["status"] = st.empty()
    with right:
        kept_select(
            "Owner",
            {int(o.value): o.label for o in screen.people},
            key=f"{prefix}.owner",
            current=row.owner_id if row else None,
            current_label=row.owner if row else None,
            help="Who is responsible for what is done about it.",
        )
        slots["owner"] = st.empty()
    titles = {int(o.value): o.label for o in screen.priorities}
    chosen = st.session_state.get(f"{prefix}.priorities") or []
    st.multiselect(
        "Priorities",
        sorted({*titles, *[n for n in chosen if isinstance(n, int)]}),
        key=f"{prefix}.priorities",
        format_func=lambda n: titles.get(n, f"Priority {n} (no longer in the plan)"),
    )
    slots["priorities"] = st.empty()
    actions = {str(o.value): o.label for o in screen.actions}
    picked = st.session_state.get(f"{prefix}.actions") or []
    st.multiselect(
        "Actions",
        [*actions, *[a for a in picked if isinstance(a, str) and a not in actions]],
        key=f"{prefix}.actions",
        format_func=lambda ref: actions.get(ref, f"{ref} (no longer in the plan)"),
    )
    slots["actions"] = st.empty()
    st.checkbox(
        "Show on the public progress site",
        key=f"{prefix}.published",
        help="Published entries appear on the public site once approved (where governance.yaml "
        "asks for approval). Changing a published entry needs approving again.",
    )
    slots["published"] = st.empty()
    return slots


def _typed(prefix: str) -> FeedbackForm:
    def text(name: str) -> str | None:
        value = st.session_state.get(f"{prefix}.{name}")
        return value if isinstance(value, str) and value.strip() else None

    heard = st.session_state.get(f"{prefix}.heard_on")
    owner = st.session_state.get(f"{prefix}.owner")
    return FeedbackForm(
        said=text("said"),
        source=text("source"),
        heard_on=heard if isinstance(heard, date) else None,
        we_did=text("we_did"),
        impact=text("impact"),
        status=str(st.session_state.get(f"{prefix}.status") or FeedbackStatus.OPEN.value),
        owner_id=owner if isinstance(owner, int) else None,
        priorities=tuple(
            n for n in st.session_state.get(f"{prefix}.priorities") or [] if isinstance(n, int)
        ),
        actions=tuple(str(a) for a in st.session_state.get(f"{prefix}.actions") or []),
        published=bool(st.session_state.get(f"{prefix}.published")),
    )


def show_add_form(actor: Actor, screen: FeedbackScreen) -> str | None:
    """The new-entry form; the new reference once saved."""
    prefix = "ysd.new"
    _fill(prefix, None)
    with st.form(prefix, enter_to_submit=False):
        slots = _fields(prefix, screen, None)
        submitted = st.form_submit_button("Add entry", type="primary", icon=":material/add:")
    if not submitted:
        return None
    reference = None
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        reference = add_feedback(session, actor=actor, form=_typed(prefix), today=today()).reference
    if outcome.failed or reference is None:
        return None
    _forget(prefix)
    st.session_state[FLASH_KEY] = f"Added {reference}."
    return reference


def show_edit_form(actor: Actor, screen: FeedbackScreen, row: FeedbackRow) -> bool:
    """The edit form of one entry (optimistic: a save after someone else's is refused)."""
    prefix = f"ysd.{row.reference}"
    _fill(prefix, row)
    version_key = f"{prefix}.version"
    st.session_state.setdefault(version_key, row.version)
    with st.form(prefix, enter_to_submit=False):
        slots = _fields(prefix, screen, row)
        submitted = st.form_submit_button("Save changes", type="primary", icon=":material/save:")
    if not submitted:
        return False
    with (
        showing_errors(field_slots=slots) as outcome,
        session_scope(engine(), write=True) as session,
    ):
        edit_feedback(
            session,
            actor=actor,
            reference=row.reference,
            seen_version=int(st.session_state[version_key]),
            form=_typed(prefix),
            today=today(),
        )
    if outcome.failed:
        if st.button(
            "Reload latest",
            key=f"{prefix}.reload",
            help="Take the newest saved version; what you typed stays.",
        ):
            st.session_state[version_key] = row.version
        return False
    _forget(prefix)
    st.session_state[FLASH_KEY] = f"Saved {row.reference}."
    return True


def _show_report(report: FeedbackImport) -> None:
    if report.problems:
        st.error(
            f"{escape_markdown(report.filename)}: {len(report.problems)} "
            f"problem{'s' if len(report.problems) != 1 else ''}; nothing was imported."
        )
        st.dataframe(
            {
                "Row": [p.row for p in report.problems],
                "Column": [p.column or "" for p in report.problems],
                "Problem": [p.message for p in report.problems],
                "Value": [p.value or "" for p in report.problems],
            },
            hide_index=True,
            width="stretch",
        )
        return
    verb = "Imported" if report.committed else "Ready to import"
    st.success(
        f"{verb} {plural(len(report.rows), 'entry', 'entries')} from "
        f"{escape_markdown(report.filename)}."
    )
    st.dataframe(
        {
            "Row": [r.row for r in report.rows],
            "Reference": [r.reference for r in report.rows],
            "You said": [r.form.said or "" for r in report.rows],
            "Source": [r.form.source or "" for r in report.rows],
            "Status": [STATUS_LABELS.get(r.form.status, r.form.status) for r in report.rows],
        },
        hide_index=True,
        width="stretch",
    )


def show_import(actor: Actor) -> bool:
    """Upload a sheet, check it, then import it whole; True once imported."""
    st.caption(
        "Columns: You said, Source, Heard on, We did, Impact, Status, Priorities, Actions. "
        "The whole sheet is checked first; nothing is imported while any row has a problem."
    )
    upload = st.file_uploader("Spreadsheet (.xlsx or .csv)", type=["xlsx", "csv"], key="ysd.upload")
    if upload is None:
        return False
    columns = st.columns(2)
    check = columns[0].button("Check the file", key="ysd.check", icon=":material/fact_check:")
    commit = columns[1].button("Import", key="ysd.commit", type="primary", icon=":material/upload:")
    if not (check or commit):
        return False
    report = None
    with showing_errors() as outcome, session_scope(engine(), write=commit) as session:
        report = import_feedback(
            session,
            actor=actor,
            data=upload.getvalue(),
            filename=upload.name,
            today=today(),
            commit=commit,
        )
    if outcome.failed or report is None:
        return False
    _show_report(report)
    if report.committed:
        st.session_state[FLASH_KEY] = f"Imported {len(report.rows)} entries from {upload.name}."
    return report.committed
