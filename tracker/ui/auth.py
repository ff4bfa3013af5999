"""Who is using the app: Microsoft Entra ID sign-in, or a chosen person in developer mode.

Production signs people in with Streamlit's own OIDC support (``st.login``) against one
tenant-specific Entra ID app registration configured in ``.streamlit/secrets.toml``. Identity
comes only from ``st.user`` (the ID token Streamlit validated and keeps in its signed cookie):
its tenant id must be the configured one, and the person is the one bound to its (``tid``,
``oid``) pair (``tracker.services.people``; the first sign-in binds by the ``email`` claim).
An unknown, refused or inactive account sees a "no access" page naming the partnership's
contact, and nothing else. The sign-in is matched and audited once per browser session; the
bound person, their roles and active flag are read again on every rerun, so a removed role,
a deactivation or an unbinding takes effect at the next click.

Developer mode (``TRACKER_AUTH=dev``) offers a person picker in the sidebar instead, preselected
by ``TRACKER_DEV_USER`` (an e-mail, or a role name meaning the first active holder of it). The
settings refuse developer mode when ``TRACKER_ENV=production``.
"""

from __future__ import annotations

import streamlit as st

from tracker.config import Settings
from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.people import (
    INACTIVE,
    EntraIdentity,
    PersonRow,
    UnknownPerson,
    actor_by_id,
    bound_actor,
    configured_tenant,
    list_people,
    resolve_dev_user,
    sign_in,
)
from tracker.ui.components import escape_markdown
from tracker.ui.context import engine, governance, settings

PROVIDER = "microsoft"
DEV_PERSON_KEY = "tracker.dev_person_id"
DEV_UNMATCHED_KEY = "tracker.dev_user_unmatched"
DEV_CHOICE_KEY = "tracker.dev_person_choice"
DEV_PARAM = "as"
IDENTITY_KEY = "tracker.signed_in_identity"


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


def _identity() -> EntraIdentity:
    def claim(name: str) -> str | None:
        value = st.user.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    email = claim("email")
    return EntraIdentity(
        tenant_id=claim("tid"),
        object_id=claim("oid"),
        email=email.lower() if email and "@" in email else None,
        name=claim("name"),
    )


def _metadata_url() -> str | None:
    auth = st.secrets.get("auth", {})
    provider = auth.get(PROVIDER, {}) if hasattr(auth, "get") else {}
    url = provider.get("server_metadata_url") or auth.get("server_metadata_url")
    return str(url) if url else None


def _refusal(identity: EntraIdentity, tenant: str) -> str | None:
    """Why this identity may not sign in (None: it may), decided and audited once a session."""
    key = (identity.tenant_id, identity.object_id, identity.email)
    remembered = st.session_state.get(IDENTITY_KEY)
    if isinstance(remembered, tuple) and remembered[0] == key:
        return remembered[1] if isinstance(remembered[1], str) else None
    with session_scope(engine(), write=True) as session:
        outcome = sign_in(session, identity=identity, tenant_id=tenant)
    st.session_state[IDENTITY_KEY] = (key, outcome.refusal)
    return outcome.refusal


def entra_actor() -> Actor | None:
    """The signed-in person, or None once the sign-in or no-access page has been drawn."""
    tenant = configured_tenant(
        setting=settings().entra_tenant_id,
        metadata_url=_metadata_url() if _auth_configured() else None,
    )
    if not _auth_configured() or tenant is None:
        st.title("Sign-in is not configured")
        st.error(
            "TRACKER_AUTH=entra needs an [auth] section in .streamlit/secrets.toml "
            "(see .streamlit/secrets.toml.example) with your tenant's own server_metadata_url "
            "(or TRACKER_ENTRA_TENANT_ID). For a local trial, set TRACKER_AUTH=dev."
        )
        return None
    if not st.user.is_logged_in:
        st.session_state.pop(IDENTITY_KEY, None)
        show_sign_in()
        return None
    identity = _identity()
    refusal = _refusal(identity, tenant)
    if refusal is not None:
        show_no_access(who=identity.label, reason=refusal, sign_out=True)
        return None
    with session_scope(engine()) as session:
        actor = bound_actor(session, identity=identity, tenant_id=tenant)
    if actor is None:
        show_no_access(
            who=identity.label,
            reason="this account is no longer tied to a person in the tracker",
            sign_out=True,
        )
        return None
    if not actor.active:
        show_no_access(who=identity.label, reason=INACTIVE, sign_out=True)
        return None
    return actor


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


def sign_in_configured() -> bool:
    """Whether Entra ID sign-in has its settings (for the administrator's setup checklist)."""
    return _auth_configured()
