"""The update form an owner fills in: RAG, status, commentary, path to green, next steps, dates,
and the impact report (rating, evidence of impact, voices, a summary for families).

The form opens with the last update carried forward, so a two-minute update changes only what
has moved; an evidence file may go with it (stored in the update's transaction: a refused file
saves nothing, and says why under the file). Everything typed lives in this session's state
under keys named after the action, so nothing is lost when a save fails: validation messages
appear under the field they concern, and a stale save (someone else saved the action after this
form was loaded) says who and when and offers "Reload latest", which takes the newest version
as the base of the next save while leaving every typed field as it was, with the other person's
update shown alongside to compare.

Saving is done before the page reads anything: the form's button only marks the form as
submitted, and the page calls ``save_if_submitted`` first, then loads its view model once, so
the page is drawn a single time with the saved update in it (its labels and flags included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.errors import Conflict
from tracker.formatting import format_days
from tracker.governance import GovernanceConfig, ImpactConfig
from tracker.models import ActionStatus, Rag
from tracker.permissions import Actor
from tracker.rules import status_label
from tracker.services.actions import (
    ActionDetail,
    UpdateForm,
    get_action_detail,
    record_update,
)
from tracker.services.evidence import ACCEPTED_EXTENSIONS, EvidenceStore, add_evidence
from tracker.ui.components import escape_markdown, format_day, format_moment, rag_text
from tracker.ui.context import cycle_days, engine, governance, settings, today
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import date_field

FIELDS = (
    "rag",
    "status",
    "commentary",
    "path_to_green",
    "next_steps",
    "revised_due_date",
    "due_date_reason",
    "evidence_url",
    "rating_reason",
    "impact_rating",
    "impact_evidence",
    "impact_voices",
    "public_summary",
)
RAG_CHOICES = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.BLUE.value)
OWNER_STATUSES = (
    ActionStatus.NOT_STARTED.value,
    ActionStatus.IN_PROGRESS.value,
    ActionStatus.COMPLETE.value,
)
FLASH_KEY = "upd.flash"
PENDING_KEY = "upd.pending"


@dataclass(frozen=True)
class FormKeys:
    """The session-state keys of one action's form."""

    reference: str

    def field(self, name: str) -> str:
        return f"upd.{self.reference}.{name}"

    @property
    def form(self) -> str:
        return f"upd.{self.reference}.form"

    @property
    def version(self) -> str:
        return f"upd.{self.reference}.seen_version"

    @property
    def action_id(self) -> str:
        return f"upd.{self.reference}.action_id"

    @property
    def errors(self) -> str:
        return f"upd.{self.reference}.errors"

    @property
    def conflict(self) -> str:
        return f"upd.{self.reference}.conflict"

    @property
    def reloaded(self) -> str:
        return f"upd.{self.reference}.reloaded"

    @property
    def evidence_file(self) -> str:
        # A new key after each save empties the uploader (its value cannot be set directly).
        generation = int(st.session_state.get(f"upd.{self.reference}.file_generation", 0))
        return f"upd.{self.reference}.evidence_file.{generation}"

    def forget_evidence_file(self) -> None:
        key = f"upd.{self.reference}.file_generation"
        st.session_state[key] = int(st.session_state.get(key, 0)) + 1

    @property
    def message(self) -> str:
        return f"upd.{self.reference}.message"

    @property
    def save(self) -> str:
        return f"upd.{self.reference}.save"


def _carry_forward(keys: FormKeys, detail: ActionDetail) -> None:
    """Put the action's latest state into the form fields (before any widget is drawn)."""
    row = detail.row
    last = detail.last_update
    values: dict[str, object] = {
        "rag": row.rag,
        "status": row.status,
        "commentary": row.commentary or "",
        "path_to_green": row.path_to_green or "",
        "next_steps": row.next_steps or "",
        "revised_due_date": None,
        "due_date_reason": "",
        "evidence_url": (last.evidence_url if last else None) or "",
        "rating_reason": "",
        "impact_rating": last.impact_rating if last else None,
        "impact_evidence": (last.impact_evidence if last else None) or "",
        "impact_voices": list(last.impact_voices) if last else [],
        "public_summary": (last.public_summary if last else None) or "",
    }
    for name, value in values.items():
        st.session_state[keys.field(name)] = value
    st.session_state[keys.version] = row.version
    st.session_state[keys.action_id] = row.id
    st.session_state.pop(keys.errors, None)


def _needs_carry_forward(keys: FormKeys) -> bool:
    # Streamlit drops a widget's state when the widget is not drawn in a run, so a form left
    # (another action chosen) is filled afresh from the database when it is opened again.
    return keys.version not in st.session_state or any(
        keys.field(name) not in st.session_state for name in FIELDS
    )


def _reload_latest(reference: str) -> None:
    """Button callback: base the next save on the newest version, keeping what was typed."""
    keys = FormKeys(reference)
    with session_scope(engine()) as session:
        detail = get_action_detail(
            session, reference=reference, today=today(), default_cycle_days=cycle_days()
        )
    st.session_state[keys.version] = detail.row.version
    st.session_state[keys.reloaded] = detail
    st.session_state.pop(keys.conflict, None)


def _rag_caption(config: GovernanceConfig, code: str) -> str:
    entry = config.rag_by_code().get(code)
    if entry is None:
        return ""
    return entry.definition.split(".")[0]


def _show_conflict(keys: FormKeys) -> None:
    message = st.session_state.get(keys.conflict)
    if message:
        st.error(f"Not saved. {message}", icon=":material/sync_problem:")
        st.button(
            "Reload latest",
            key=f"{keys.form}.reload",
            on_click=_reload_latest,
            args=(keys.reference,),
            help="Take the newest saved version as the base of your update; what you typed stays.",
        )
    reloaded = st.session_state.get(keys.reloaded)
    if isinstance(reloaded, ActionDetail):
        row = reloaded.row
        with st.container(border=True):
            who = escape_markdown(reloaded.last_updated_by or "someone else")
            when = escape_markdown(format_moment(row.last_updated_at))
            st.markdown(
                f"**Latest saved version** (by {who}, {when}): "
                f"{rag_text(row.rag)}, {status_label(row.status)}"
            )
            if row.commentary:
                st.markdown(f"Their commentary: {escape_markdown(row.commentary)}")
            st.caption(
                "Your own text is kept in the form below. Check it against theirs, then save."
            )


def _form_fields(
    keys: FormKeys, detail: ActionDetail, config: GovernanceConfig
) -> dict[str, DeltaGenerator]:
    """Draw the fields; return an empty placeholder under each, for its error message."""
    slots = {}
    rag_key = keys.field("rag")
    st.radio(
        "RAG rating",
        RAG_CHOICES,
        index=None,
        key=rag_key,
        format_func=rag_text,
        captions=[_rag_caption(config, code) for code in RAG_CHOICES],
        horizontal=True,
        help="Your judgement of delivery. Blue means complete.",
    )
    slots["rag"] = st.empty()
    statuses = list(OWNER_STATUSES)
    current = st.session_state.get(keys.field("status"))
    if current not in statuses and isinstance(current, str):
        statuses.append(current)
    st.selectbox("Status", statuses, key=keys.field("status"), format_func=status_label)
    slots["status"] = st.empty()
    st.text_area(
        "Commentary",
        key=keys.field("commentary"),
        help="What has happened since the last update. Required for Red and Amber.",
    )
    slots["commentary"] = st.empty()
    st.text_area(
        "Path to green",
        key=keys.field("path_to_green"),
        help="How delivery gets back on track. Required for Red.",
    )
    slots["path_to_green"] = st.empty()
    st.text_area("Next steps", key=keys.field("next_steps"))
    slots["next_steps"] = st.empty()
    left, right = st.columns(2)
    with left:
        due = format_day(detail.row.due_date) or "none set"
        date_field(
            "Revised due date",
            value=None,
            key=keys.field("revised_due_date"),
            help=f"Leave empty to keep the current due date ({due}).",
        )
        slots["revised_due_date"] = st.empty()
    with right:
        st.text_input(
            "Reason for the new due date",
            key=keys.field("due_date_reason"),
            help="Required when you move the due date.",
        )
        slots["due_date_reason"] = st.empty()
    st.text_input(
        "Evidence link",
        key=keys.field("evidence_url"),
        placeholder="https://",
        help="A link to a document, minutes or data that shows progress (optional).",
    )
    slots["evidence_url"] = st.empty()
    st.file_uploader(
        "Evidence file (optional)",
        type=[ext.lstrip(".") for ext in ACCEPTED_EXTENSIONS],
        key=keys.evidence_file,
        help="Kept with this update on the Evidence tab, where you can share it with partners.",
    )
    slots["file"] = st.empty()
    if detail.row.flags.overdue:
        st.text_input(
            "Reason for a Green rating while overdue",
            key=keys.field("rating_reason"),
            help="Only needed if you rate this overdue action Green; papers show the reason.",
        )
    slots["rating_reason"] = st.empty()
    slots.update(_impact_fields(keys, config.impact))
    return slots


def _impact_fields(keys: FormKeys, scale: ImpactConfig) -> dict[str, DeltaGenerator]:
    """Impact, apart from delivery: a rating on the scale, its evidence, whose voices, and the
    summary for families. A stored value no longer on the scale stays chosen (and is refused
    by name when saved) rather than silently dropped."""
    slots = {}
    st.markdown("**Impact: what is different for children, young people and families**")
    ratings: dict[str, str] = {r.key: r.label for r in scale.ratings}
    current = st.session_state.get(keys.field("impact_rating"))
    if isinstance(current, str) and current not in ratings:
        ratings[current] = f"{current} (no longer on the impact scale)"
    st.selectbox(
        "Impact rating",
        [None, *ratings],
        key=keys.field("impact_rating"),
        format_func=lambda key: "— not reported —" if key is None else ratings[key],
        help="Separate from the RAG rating: "
        + "; ".join(f"{r.label}: {r.definition}" for r in scale.ratings),
    )
    slots["impact_rating"] = st.empty()
    st.text_area(
        "Evidence of impact",
        key=keys.field("impact_evidence"),
        help="What shows the difference: what families or young people said, audit findings, "
        "figures. Optional.",
    )
    slots["impact_evidence"] = st.empty()
    voices: dict[str, str] = {v.key: v.label for v in scale.voices}
    chosen = st.session_state.get(keys.field("impact_voices")) or []
    for value in chosen if isinstance(chosen, list) else []:
        if isinstance(value, str) and value not in voices:
            voices[value] = f"{value} (no longer on the impact scale)"
    st.multiselect(
        "Whose voice this reflects",
        list(voices),
        key=keys.field("impact_voices"),
        format_func=lambda key: voices[key],
        placeholder="Choose who the evidence comes from",
    )
    slots["impact_voices"] = st.empty()
    st.text_area(
        "Public summary",
        key=keys.field("public_summary"),
        help="Written for families, in plain English. This is the only text of an update the "
        "public progress site may show, once approved; commentary and evidence stay internal.",
    )
    slots["public_summary"] = st.empty()
    return slots


def _typed(keys: FormKeys) -> UpdateForm:
    def text(name: str) -> str | None:
        value = st.session_state.get(keys.field(name))
        return value if isinstance(value, str) and value.strip() else None

    revised = st.session_state.get(keys.field("revised_due_date"))
    rating = st.session_state.get(keys.field("impact_rating"))
    voices = st.session_state.get(keys.field("impact_voices")) or []
    return UpdateForm(
        rag=st.session_state.get(keys.field("rag")),
        status=str(st.session_state.get(keys.field("status")) or ""),
        commentary=text("commentary"),
        path_to_green=text("path_to_green"),
        next_steps=text("next_steps"),
        revised_due_date=revised if isinstance(revised, date) else None,
        due_date_reason=text("due_date_reason"),
        evidence_url=text("evidence_url"),
        rating_reason=text("rating_reason"),
        impact_rating=rating if isinstance(rating, str) else None,
        impact_evidence=text("impact_evidence"),
        impact_voices=tuple(str(v) for v in voices),
        public_summary=text("public_summary"),
    )


def _save(keys: FormKeys, actor: Actor) -> str | None:
    """Store the typed update; "" on success, None on a stale save (the conflict is kept in
    state), else the message to show above the form."""
    with showing_errors(show=False) as outcome, session_scope(engine(), write=True) as session:
        update = record_update(
            session,
            actor=actor,
            reference=keys.reference,
            seen_version=int(st.session_state[keys.version]),
            form=_typed(keys),
            action_id=int(st.session_state[keys.action_id]),
            today=today(),
            impact=governance().impact,
        )
        upload = st.session_state.get(keys.evidence_file)
        if upload is not None:
            # In the update's transaction: a refused file saves neither, and says why below it.
            upload.seek(0)
            add_evidence(
                session,
                actor,
                keys.reference,
                upload,
                upload.name,
                update_id=update.id,
                store=EvidenceStore.from_settings(settings()),
            )
    error = outcome.error
    if error is None:
        return ""
    if error.fields:
        st.session_state[keys.errors] = dict(error.fields)
        return "Nothing was saved: please correct the fields marked below."
    if isinstance(error, Conflict):
        st.session_state[keys.conflict] = str(error)
        st.session_state.pop(keys.errors, None)
        return None
    return str(error)


def _mark_submitted(reference: str) -> None:
    """The Save button's callback: the page saves at the start of this rerun."""
    st.session_state[PENDING_KEY] = reference


def save_if_submitted(actor: Actor) -> str | None:
    """Save the update form submitted in this rerun, if any, before the page loads its data.

    Returns the reference whose update was stored (None when nothing was saved); a refusal is
    kept in this session's state and shown with the form.
    """
    reference = st.session_state.pop(PENDING_KEY, None)
    if not isinstance(reference, str):
        return None
    keys = FormKeys(reference)
    if st.session_state.get(keys.save) is not True:
        return None  # pressed in an earlier run that never reached its page: not saved later
    if keys.version not in st.session_state or keys.action_id not in st.session_state:
        return None  # the form was not drawn from this session's state: nothing to save
    outcome = _save(keys, actor)
    if outcome == "":
        _saved(keys)
        return reference
    if outcome:
        st.session_state[keys.message] = outcome
    return None


def show_update_form(detail: ActionDetail, *, actor: Actor, config: GovernanceConfig) -> None:
    """The update form for one action, with its messages; ``save_if_submitted`` saves it."""
    keys = FormKeys(detail.row.reference)
    if _needs_carry_forward(keys):
        _carry_forward(keys, detail)
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    messages = st.container()
    with messages:
        message = st.session_state.pop(keys.message, None)
        if message:
            st.error(message)
        _show_conflict(keys)
    if detail.last_update:
        who = escape_markdown(detail.last_update.by or "unknown")
        st.caption(
            f"Last update {escape_markdown(format_day(detail.last_update.at))} by {who}; "
            "it is carried forward below, so change only what has moved."
        )
    overdue = detail.row.flags.days_overdue
    if overdue:
        st.warning(
            f"{keys.reference} is {format_days(overdue)} overdue. Green would be flagged as "
            "inconsistent: choose another rating, set a revised due date, or give a reason "
            "for Green below.",
            icon=":material/warning:",
        )
    with st.form(keys.form, enter_to_submit=False):
        slots = _form_fields(keys, detail, config)
        st.form_submit_button(
            "Save update",
            type="primary",
            icon=":material/save:",
            key=keys.save,
            on_click=_mark_submitted,
            args=(keys.reference,),
        )
    for name, message in (st.session_state.get(keys.errors) or {}).items():
        target = slots.get(name)
        if target is not None:
            target.error(message, icon=":material/error:")
        else:
            messages.error(f"{name.replace('_', ' ').capitalize()}: {message}")


def _saved(keys: FormKeys) -> None:
    rag = st.session_state.get(keys.field("rag"))
    status = st.session_state.get(keys.field("status")) or ""
    st.session_state[FLASH_KEY] = (
        f"Saved the update on {keys.reference}: {rag_text(rag)}, {status_label(str(status))}."
    )
    for key in (keys.version, keys.action_id, keys.errors, keys.conflict, keys.reloaded):
        st.session_state.pop(key, None)
    keys.forget_evidence_file()
