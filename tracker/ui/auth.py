"""Who is using the app: Microsoft Entra ID sign-in, or a chosen person in developer mode.

Production signs people in with Streamlit's own OIDC support (``st.login``) against one
tenant-specific Entra ID app registration configured in ``.streamlit/secrets.toml``. The
identity is matched to a person by the Entra object id (``oid``) once seen, else by the e-mail
claim (``email``, or ``preferred_username`` when the tenant does not issue ``email``); the
first match stores the object id. An unknown or inactive account sees a "no access" page naming
the partnership's contact, and nothing else. The match is made once per browser session; the
person's roles and active flag are read again on every rerun, so a removed role or a
deactivation takes effect at the next click.

Developer mode (``TRACKER_AUTH=dev``) offers a person picker in the sidebar instead, preselected
by ``TRACKER_DEV_USER`` (an e-mail, or a role name meaning the first active holder of it). The
settings refuse developer mode when ``TRACKER_ENV=production``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from tracker.config import Settings
from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.people import (
    PersonRow,
    UnknownPerson,
    actor_by_id,
    list_people,
    match_signed_in_user,
    resolve_dev_user,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import engine, governance

PROVIDER = "microsoft"
DEV_PERSON_KEY = "tracker.dev_person_id"
DEV_UNMATCHED_KEY = "tracker.dev_user_unmatched"
DEV_CHOICE_KEY = "tracker.dev_person_choice"
DEV_PARAM = "as"
IDENTITY_KEY = "tracker.signed_in_identity"
EMAIL_CLAIMS = ("email", "preferred_username", "upn")


def role_words(roles: frozenset[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(r.replace("_", " ") for r in roles)) or "no roles"


def show_no_access(*, who: str, reason: str, sign_out: bool) -> None:
    """The whole page an unknown or inactive account sees: who they are and whom to ask."""
    partnership = governance().partnership
    with st.container(border=True, width=640):
        st.title("No access", anchor=False)
        st.markdown(
            f"You are signed in as **{escape_markdown(who)}**, but {reason}.\n\n"
            f"To be given access, contact {escape_markdown(partnership.contact_name)} at "
            f"[{escape_markdown(str(partnership.contact_email))}]"
            f"(mailto:{partnership.contact_email})."
        )
        if sign_out:
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")


# --- Entra ID -----------------------------------------------------------------------------


def _auth_configured() -> bool:
    """Whether secrets.toml has an ``[auth]`` section for Streamlit's OIDC sign-in."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return False


def show_sign_in() -> None:
    partnership = governance().partnership
    with st.container(border=True, width=640):
        st.title("SEND Partnership Action Tracker", anchor=False)
        st.markdown(f"**{escape_markdown(partnership.name)}**")
        st.write("Sign in with your work Microsoft account to update and follow the SEND strategy.")
        linked = st.query_params.get("action")
        if linked:
            # Streamlit's sign-in returns to the app's front page, not to the link followed.
            st.info(
                f"You followed a link to action {escape_markdown(linked)}. After signing in, "
                "open the link again, or choose the action under My actions."
            )
        st.button(
            "Sign in with Microsoft",
            type="primary",
            icon=":material/login:",
            on_click=st.login,
            args=(PROVIDER,),
        )


def _claims() -> dict[str, Any]:
    return {key: st.user.get(key) for key in ("oid", "name", *EMAIL_CLAIMS)}


def _signed_in_email(claims: dict[str, Any]) -> str | None:
    for name in EMAIL_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return None


def _match_person(email: str | None, object_id: str | None) -> int | None:
    """The person id this identity belongs to, matched once per browser session."""
    identity = (email, object_id)
    remembered = st.session_state.get(IDENTITY_KEY)
    if isinstance(remembered, tuple) and remembered[0] == identity:
        return remembered[1] if isinstance(remembered[1], int) else None
    with session_scope(engine(), write=True) as session:
        person = match_signed_in_user(session, email=email, object_id=object_id)
        person_id = person.id if person is not None else None
    st.session_state[IDENTITY_KEY] = (identity, person_id)
    return person_id


def entra_actor() -> Actor | None:
    """The signed-in person, or None once the sign-in or no-access page has been drawn."""
    if not _auth_configured():
        st.title("Sign-in is not configured")
        st.error(
            "TRACKER_AUTH=entra needs an [auth] section in .streamlit/secrets.toml "
            "(see .streamlit/secrets.toml.example). For a local trial, set TRACKER_AUTH=dev."
        )
        return None
    if not st.user.is_logged_in:
        show_sign_in()
        return None
    claims = _claims()
    email = _signed_in_email(claims)
    object_id = claims.get("oid") if isinstance(claims.get("oid"), str) else None
    who = email or str(claims.get("name") or "an unknown account")
    person_id = _match_person(email, object_id)
    if person_id is None:
        show_no_access(
            who=who, reason="this account is not registered with the tracker", sign_out=True
        )
        return None
    return _active_actor(person_id, who=who, sign_out=True)


def _active_actor(person_id: int, *, who: str, sign_out: bool) -> Actor | None:
    try:
        with session_scope(engine()) as session:
            actor = actor_by_id(session, person_id)
    except UnknownPerson:
        actor = None
    if actor is None or not actor.active:
        show_no_access(who=who, reason="this account has been deactivated", sign_out=sign_out)
        return None
    return actor


# --- developer mode ---------------------------------------------------------------------------


def _person_label(person: PersonRow) -> str:
    label = f"{person.name} ({role_words(person.roles)})"
    return label if person.active else f"{label} [inactive]"


def _preselected(cfg: Settings, people: list[PersonRow]) -> int | None:
    with session_scope(engine()) as session:
        chosen = resolve_dev_user(session, cfg.dev_user) if cfg.dev_user else None
        if chosen is None and cfg.dev_user:
            st.session_state[DEV_UNMATCHED_KEY] = cfg.dev_user
        if chosen is None:
            chosen = resolve_dev_user(session, "administrator")
    if chosen is not None:
        return chosen.id
    return people[0].id if people else None


def _remembered_person(by_id: dict[int, PersonRow]) -> int | None:
    """The person this session (or, after a reload, the address) was acting as."""
    chosen = st.session_state.get(DEV_CHOICE_KEY)
    if chosen in by_id:
        return int(chosen)
    param = str(st.query_params.get(DEV_PARAM, "")).strip()
    return int(param) if param.isdigit() and int(param) in by_id else None


def keep_dev_person_in_address() -> None:
    """Put the acting person back in the address (pages and page switches replace it)."""
    chosen = st.session_state.get(DEV_CHOICE_KEY)
    if isinstance(chosen, int) and st.query_params.get(DEV_PARAM) != str(chosen):
        st.query_params[DEV_PARAM] = str(chosen)


def dev_actor(cfg: Settings) -> Actor | None:
    """The person picked in the sidebar, or None once a page saying why has been drawn.

    The choice is kept in this session (outside the widget, whose state Streamlit drops when
    the page changes) and in the address (``?as=<person id>``), so navigation, a drill-down
    and a reload all keep acting as the same person.
    """
    with session_scope(engine()) as session:
        people = list_people(session)
    if not people:
        st.title("No people yet")
        st.error("The database has no people: run `tracker init` to load governance.yaml.")
        return None
    by_id = {p.id: p for p in people}
    if st.session_state.get(DEV_PERSON_KEY) not in by_id:
        remembered = _remembered_person(by_id)
        st.session_state[DEV_PERSON_KEY] = (
            remembered if remembered is not None else _preselected(cfg, people)
        )
    unmatched = st.session_state.get(DEV_UNMATCHED_KEY)
    if unmatched:
        st.sidebar.warning(
            f"TRACKER\\_DEV\\_USER={escape_markdown(str(unmatched))} matches nobody; "
            "pick the person to act as here."
        )
    person_id = st.sidebar.selectbox(
        "Act as (developer mode)",
        list(by_id),
        key=DEV_PERSON_KEY,
        format_func=lambda pid: _person_label(by_id[pid]),
        help="Developer mode lets you act as anyone. It is refused in production.",
    )
    person = by_id[person_id]
    st.session_state[DEV_CHOICE_KEY] = person_id
    keep_dev_person_in_address()
    st.warning(
        f"Developer mode: acting as {escape_markdown(person.name)} "
        f"({escape_markdown(role_words(person.roles))}). "
        "Anyone can act as anyone; never use this mode with real data.",
        icon=":material/developer_mode:",
    )
    return _active_actor(person_id, who=person.email, sign_out=False)
