"""The forms of the Risks page: add a risk, rescore one, add or complete a mitigation, close one.

Each form is an ``st.form``, so what a person typed stays in its fields until they submit; the
service checks every field and a refusal is shown under the field it names, with nothing
saved. Text fields carry no widget limit (a paste is never dropped): over the limit, the text
stays in the box and the message says how much to cut. Likelihood and impact are chosen from
the scale's words, so no value off the scale can be typed here; the service refuses one anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.db import session_scope
from tracker.governance import GovernanceConfig, RiskScaleConfig
from tracker.permissions import Actor
from tracker.rules.risks import score_words
from tracker.services.risks import (
    MITIGATION_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    NewRisk,
    Rescore,
    RiskChoices,
    RiskDetail,
    add_mitigation,
    add_risk,
    close_risk,
    score_risk,
    set_mitigation_done,
)
from tracker.ui.context import engine, today
from tracker.ui.errors import showing_errors
from tracker.ui.widgets.fields import date_field, long_text, short_text

FLASH_KEY = "risks.flash"
STEPS = (1, 2, 3, 4, 5)


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _step_picker(label: str, words: list[str], *, key: str, index: int | None = None) -> int | None:
    value = st.selectbox(
        label,
        STEPS,
        index=index,
        key=key,
        format_func=lambda i: f"{i} {words[i - 1]}",
        placeholder="Choose",
    )
    return value if isinstance(value, int) else None


def _slots(names: list[str]) -> dict[str, DeltaGenerator]:
    return {name: st.empty() for name in names}


def show_add_risk(actor: Actor, choices: RiskChoices, governance: GovernanceConfig) -> str | None:
    """The "add a risk" form; returns the new risk's reference once saved."""
    scale = governance.risks
    with st.form("risks.add", clear_on_submit=False):
        title = short_text("Risk (what could happen)", key="risks.add.title", limit=TITLE_LIMIT)
        slots = _slots(["title"])
        description = long_text(
            "Cause, event and effect", key="risks.add.description", limit=TEXT_LIMIT
        )
        slots |= _slots(["description"])
        people = dict(choices.people)
        owner = st.selectbox(
            "Risk owner",
            list(people),
            index=None,
            key="risks.add.owner",
            format_func=lambda email: people.get(email, email),
            placeholder="Choose a person",
        )
        slots |= _slots(["owner"])
        columns = st.columns(2)
        with columns[0]:
            likelihood = _step_picker("Likelihood", scale.likelihood, key="risks.add.likelihood")
            slots |= _slots(["likelihood"])
        with columns[1]:
            impact = _step_picker("Impact", scale.impact, key="risks.add.impact")
            slots |= _slots(["impact"])
        priorities = dict(choices.priorities)
        chosen_priorities = st.multiselect(
            "Priorities it threatens",
            list(priorities),
            key="risks.add.priorities",
            format_func=lambda n: priorities.get(n, str(n)),
        )
        slots |= _slots(["priority"])
        actions = dict(choices.actions)
        chosen_actions = st.multiselect(
            "Actions it threatens",
            list(actions),
            key="risks.add.actions",
            format_func=lambda ref: actions.get(ref, ref),
        )
        slots |= _slots(["action"])
        body = st.selectbox(
            "Overseen by",
            choices.bodies,
            index=None,
            key="risks.add.body",
            placeholder="The body of the first action, else the Improvement Board",
        )
        slots |= _slots(["body"])
        columns = st.columns(2)
        target = columns[0].number_input(
            "Target score (1-25)", min_value=1, max_value=25, value=None, key="risks.add.target"
        )
        review_days = columns[1].number_input(
            "Review every (days)",
            min_value=1,
            max_value=366,
            value=scale.default_review_days,
            key="risks.add.review_days",
        )
        slots |= _slots(["target_score", "review_days"])
        mitigations = long_text(
            "Mitigations (one per line)", key="risks.add.mitigations", limit=TEXT_LIMIT
        )
        slots |= _slots(["mitigation"])
        shareable = st.checkbox("Partners may see this risk", key="risks.add.shareable")
        submitted = st.form_submit_button("Add the risk", type="primary")
    if not submitted:
        return None
    form = NewRisk(
        title=title,
        owner_email=owner or "",
        likelihood=likelihood,
        impact=impact,
        description=description,
        priorities=tuple(chosen_priorities),
        actions=tuple(chosen_actions),
        body=body,
        target_score=int(target) if target is not None else None,
        review_days=int(review_days) if review_days is not None else None,
        mitigations=tuple(line for line in mitigations.splitlines() if line.strip()),
        shareable=shareable,
    )
    if not owner:
        slots["owner"].error("Choose the risk owner.", icon=":material/error:")
        return None
    with showing_errors(field_slots=slots) as outcome, session_scope(engine(), write=True) as s:
        risk = add_risk(s, actor=actor, form=form, governance=governance, today=today())
        reference = risk.reference
    if outcome.failed:
        return None
    assert likelihood is not None and impact is not None
    flash(f"Added {reference}: score {score_words(likelihood, impact, scale)}.")
    return reference


def show_rescore(actor: Actor, detail: RiskDetail, scale: RiskScaleConfig) -> bool:
    risk = detail.risk
    with st.form(f"risks.{risk.reference}.score"):
        columns = st.columns(2)
        with columns[0]:
            likelihood = _step_picker(
                "Likelihood",
                scale.likelihood,
                key=f"risks.{risk.reference}.likelihood",
                index=risk.likelihood - 1,
            )
        with columns[1]:
            impact = _step_picker(
                "Impact", scale.impact, key=f"risks.{risk.reference}.impact", index=risk.impact - 1
            )
        slots = _slots(["likelihood", "impact"])
        commentary = long_text(
            "Why this score (the evidence)",
            key=f"risks.{risk.reference}.commentary",
            limit=TEXT_LIMIT,
        )
        slots |= _slots(["commentary"])
        submitted = st.form_submit_button("Save the score", type="primary")
    if not submitted:
        return False
    return _write(
        slots,
        lambda s: score_risk(
            s,
            actor=actor,
            reference=risk.reference,
            form=Rescore(likelihood, impact, commentary, expected_version=risk.version),
            scale=scale,
            today=today(),
        ),
        f"Saved the score of {risk.reference}.",
    )


def show_add_mitigation(actor: Actor, detail: RiskDetail) -> bool:
    risk = detail.risk
    with st.form(f"risks.{risk.reference}.mitigation", clear_on_submit=False):
        text = long_text(
            "What is being done", key=f"risks.{risk.reference}.mitigation", limit=MITIGATION_LIMIT
        )
        slots = _slots(["mitigation"])
        due = date_field("Due", value=None, key=f"risks.{risk.reference}.mitigation_due")
        submitted = st.form_submit_button("Add the mitigation")
    if not submitted:
        return False
    return _write(
        slots,
        lambda s: add_mitigation(
            s, actor=actor, reference=risk.reference, description=text, due=due
        ),
        f"Added a mitigation to {risk.reference}.",
    )


def show_mitigation_toggles(actor: Actor, detail: RiskDetail) -> bool:
    """A "done" box per mitigation for those who may change it; True when one changed."""
    changed = False
    for mitigation in detail.mitigations:
        done = st.checkbox(
            f"Done: {mitigation.description}",
            value=mitigation.done,
            key=f"risks.mitigation.{mitigation.id}",
        )
        if done != mitigation.done:
            changed |= _write(
                {},
                lambda s, m=mitigation.id, d=done: set_mitigation_done(
                    s, actor=actor, mitigation_id=m, done=d
                ),
                "Saved the mitigation.",
            )
    return changed


def show_close(actor: Actor, detail: RiskDetail) -> bool:
    risk = detail.risk
    with st.form(f"risks.{risk.reference}.close"):
        reason = long_text(
            "Why it is closed", key=f"risks.{risk.reference}.reason", limit=TEXT_LIMIT
        )
        slots = _slots(["reason"])
        submitted = st.form_submit_button("Close the risk")
    if not submitted:
        return False
    return _write(
        slots,
        lambda s: close_risk(s, actor=actor, reference=risk.reference, reason=reason),
        f"Closed {risk.reference}.",
    )


def _write(slots: dict[str, DeltaGenerator], step: Callable[..., object], message: str) -> bool:
    with showing_errors(field_slots=slots) as outcome, session_scope(engine(), write=True) as s:
        step(s)
    if outcome.failed:
        return False
    flash(message)
    return True
