"""The Streamlit entry script: sign the person in, build their page list, draw the shared chrome.

``tracker run`` starts Streamlit on this file. Every rerun resolves who is signed in (Entra ID,
or the developer-mode picker), re-reads their roles, and builds ``st.navigation`` from the pages
their roles allow: a page they may not use is left out of the menu and has no URL for them. The
pages live in ``tracker/pages`` and are listed by absolute path; this folder deliberately has no
``pages/`` folder beside the script, which would make Streamlit serve every file in it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st
from pydantic import ValidationError
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.util import calc_hash

from tracker.config import Settings
from tracker.db import session_scope
from tracker.governance import GovernanceError
from tracker.models import Role
from tracker.permissions import Actor
from tracker.safety.production import find_production_problems
from tracker.services.actions import ActionNotFound, get_action, may_update
from tracker.ui import auth
from tracker.ui.components import escape_markdown
from tracker.ui.context import (
    clear_current_actor,
    engine,
    governance,
    set_current_actor,
    settings,
)
from tracker.ui.navigation import TAB_SUFFIX, PageSpec, pages_for
from tracker.ui.setup_state import administrator_landing, show_demo_banner

log = logging.getLogger(__name__)
# For whoever starts Streamlit on this file directly: files the app creates (the SQLite database
# and its -wal/-shm, stored papers) are readable by their owner only, as under `tracker run`.
os.umask(0o077)
LANDING_PATH = "home"
REDIRECTED_KEY = "tracker.redirected"


def _streamlit_secrets() -> dict[str, Any]:
    """The secrets Streamlit itself signs people in with (``{}`` when there are none)."""
    try:
        return dict(st.secrets.to_dict())
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def _load_settings() -> Settings | None:
    """The settings, or ``None`` after saying why the app cannot start: a bad ``TRACKER_*``
    value, or (in production) an unsafe setting or sign-in secret."""
    try:
        cfg = settings()
    except ValidationError as exc:
        problems = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
    else:
        problems = find_production_problems(cfg, _streamlit_secrets())
    if not problems:
        return cfg
    st.title("The tracker cannot start")
    for message in problems:
        log.error("refusing to start: %s", message)
        st.error(escape_markdown(message), icon=":material/block:")
    st.caption("Fix the TRACKER_* environment variables or secrets.toml and restart the app.")
    return None


def landing_path(actor: Actor) -> str:
    """The page each person opens the app for: administrators the setup checklist until the
    install is set up (then the overview), owners and leads their actions, secretaries their
    boards' papers, executives the overview, partners the register."""
    if actor.has(Role.ADMINISTRATOR):
        return administrator_landing(actor)
    if actor.owns_actions or actor.leads_workstreams:
        return "my-actions"
    if actor.has(Role.SECRETARY):
        return "papers"
    if actor.has(Role.EXECUTIVE):
        return "overview"
    return "register"


def _default_page(actor: Actor, specs: list[PageSpec]) -> PageSpec:
    wanted = landing_path(actor)
    listed = [spec for spec in specs if not spec.hidden]
    return next((spec for spec in listed if spec.url_path == wanted), listed[0])


def _page_for_action(actor: Actor, specs: list[PageSpec], reference: str) -> PageSpec | None:
    """The page that can open a deep-linked action for this person.

    My actions if they may update it (owner, workstream lead, administrator), else the
    action's own page, which shows any action read-only (and says so if it does not exist).
    ``None`` when neither page is theirs.
    """
    by_path = {spec.url_path: spec for spec in specs}
    with session_scope(engine()) as session:
        try:
            action = get_action(session, reference)
        except ActionNotFound:
            updatable = False
        else:
            updatable = may_update(session, actor, action)
    if updatable and "my-actions" in by_path:
        return by_path["my-actions"]
    return by_path.get("action") or by_path.get("my-actions")


def _asked_for_another_page() -> bool:
    """Whether this run was for a page address other than the landing page's (one not in this
    person's menu, so Streamlit fell back to the default page)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    manager = ctx.pages_manager
    wanted_hash = manager.intended_page_script_hash
    wanted_name = manager.intended_page_name
    if wanted_hash:
        return wanted_hash != calc_hash(LANDING_PATH)
    return bool(wanted_name) and wanted_name != LANDING_PATH


def _show_redirect_notice() -> None:
    if st.session_state.pop(REDIRECTED_KEY, False):
        st.warning(
            "That page is not available to you, so you have been brought to your first page.",
            icon=":material/block:",
        )


def _landing(actor: Actor, specs: list[PageSpec]) -> st.Page:
    """A hidden page at the root URL that forwards to the person's own first page.

    Streamlit serves the default page at "/" and not at its own path, so a link to
    ``/my-actions`` would be "not found" for someone whose default it is. Landing on "/" and
    forwarding instead gives every page one address for everyone; the query string goes along.
    A link to one action (``?action=P2.3``, from a reminder or the executives' digest) goes to
    the page that can open it for this person, not to their usual first page.
    """
    default = _default_page(actor, specs)

    def home() -> None:
        params = st.query_params.to_dict()
        target = default
        reference = params.get("action", "").strip().upper()
        if _asked_for_another_page():
            # A page that is not theirs (a bookmark, or the page they were on before switching
            # person in developer mode): say so, and open their first page as it is.
            st.session_state[REDIRECTED_KEY] = True
        elif reference:
            params["action"] = reference
            target = _page_for_action(actor, specs, reference) or default
        st.switch_page(str(target.path), query_params=params)

    return st.Page(
        home, title=default.title, url_path=LANDING_PATH, default=True, visibility="hidden"
    )


def _build_navigation(actor: Actor) -> dict[str, list[st.Page]] | None:
    specs = []
    for spec in pages_for(actor):
        if spec.path.is_file():
            specs.append(spec)
        else:
            log.warning("page file %s is missing; %s left out of the menu", spec.path, spec.title)
    if not specs:
        return None
    sections: dict[str, list[st.Page]] = {}
    for spec in specs:
        page = st.Page(
            str(spec.path),
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            visibility="hidden" if spec.hidden else "visible",
        )
        sections.setdefault(spec.section, []).append(page)
    first_section = next(iter(sections))
    sections[first_section].insert(0, _landing(actor, specs))
    return sections


def _sidebar(actor: Actor, cfg: Settings) -> None:
    with st.sidebar:
        st.caption(escape_markdown(governance().partnership.name))
        st.markdown(f"**{escape_markdown(actor.name)}**  \n{escape_markdown(actor.email)}")
        st.caption(f"Roles: {escape_markdown(auth.role_words(actor.roles))}")
        if cfg.auth == "entra":
            st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign-out")


def _resolve_actor(cfg: Settings) -> Actor | None:
    if cfg.auth == "dev":
        return auth.dev_actor(cfg)
    return auth.entra_actor()


def run() -> None:
    st.set_page_config(
        page_title=TAB_SUFFIX,
        page_icon=":material/checklist:",
        layout="wide",
        initial_sidebar_state="auto",  # collapsed on a phone, where it would cover the page
    )
    cfg = _load_settings()
    if cfg is None:
        return
    try:
        actor = _resolve_actor(cfg)
    except GovernanceError as exc:
        st.title("The governance file cannot be read")
        st.error(escape_markdown(str(exc)))
        return
    if actor is None:
        clear_current_actor()
        return
    set_current_actor(actor)
    sections = _build_navigation(actor)
    if sections is None:
        auth.show_no_access(
            who=actor.email,
            reason="your account has no role in the tracker yet",
            sign_out=cfg.auth == "entra",
        )
        return
    page = st.navigation(sections, position="sidebar", expanded=True)
    # Each page its own browser-tab title, so a person with several tabs can tell them apart.
    st.set_page_config(page_title=f"{page.title} · {TAB_SUFFIX}")
    _sidebar(actor, cfg)
    show_demo_banner()
    _show_redirect_notice()
    page.run()
    if cfg.auth == "dev":
        auth.keep_dev_person_in_address()


if __name__ == "__main__":
    run()
