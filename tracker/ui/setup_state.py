"""What the entry script needs to know about setup: the demo banner, and where administrators land.

A demonstration database says so on every page, above the page itself. An administrator lands
on the setup checklist while a real install is still being set up, and on the executive
overview once every item is done, or in a demonstration, where there is nothing to set up.
"""

from __future__ import annotations

import streamlit as st

from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.operations import SetupChecklist, SignIn, build_setup_checklist, is_demo
from tracker.ui.auth import sign_in_configured
from tracker.ui.context import engine, settings, today

DEMO_BANNER = (
    "**Demonstration data.** Everything here (people, updates, papers, measures) is invented to "
    "show the tracker at work; none of it is real. For a real install, run `tracker init` on a "
    "new database (see the README)."
)


def load_checklist(actor: Actor) -> SetupChecklist:
    cfg = settings()
    with session_scope(engine()) as session:
        return build_setup_checklist(
            session,
            actor=actor,
            governance_file=cfg.governance_file,
            sign_in=SignIn(mode=cfg.auth, configured=sign_in_configured()),
            mail_transport=cfg.mail_transport,
            today=today(),
        )


def administrator_landing(actor: Actor) -> str:
    """The url path an administrator's first page has: the checklist or the overview."""
    checklist = load_checklist(actor)
    return "overview" if checklist.demo or checklist.complete else "setup"


def show_demo_banner() -> None:
    with session_scope(engine()) as session:
        demo = is_demo(session)
    if demo:
        st.info(DEMO_BANNER, icon=":material/science:")
