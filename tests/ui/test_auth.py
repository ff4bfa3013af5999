"""Sign-in: Entra ID identities matched to people, the no-access page, and developer mode."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, SECRETARY_SIB, actor
from tests.ui.conftest import TENANT, OpenApp
from tests.ui.support import button, errors, no_exception, shown, texts, titles
from tracker.db import session_scope
from tracker.models import AuditLog, Person
from tracker.services.people import add_person, set_active
from tracker.services.people._identity import unbind_identity


def _person(db: Engine, email: str) -> Person:
    with session_scope(db) as session:
        return session.exec(select(Person).where(Person.email == email)).one()


def _nothing_else(at) -> None:
    """Only the gate page: no tables, figures or forms of the app behind it."""
    assert not at.dataframe and not at.metric and not at.text_area and not at.selectbox


# --- Entra ID ---------------------------------------------------------------------------------


def test_signed_out_visitor_sees_only_the_sign_in_page(open_entra: OpenApp) -> None:
    at = open_entra(None)
    no_exception(at)
    assert titles(at) == ["SEND Partnership Action Tracker"]
    assert button(at, "Sign in with Microsoft")
    _nothing_else(at)


def test_sign_in_page_mentions_the_action_a_link_pointed_to(open_entra: OpenApp) -> None:
    at = open_entra(None, action="P2.3")
    no_exception(at)
    assert shown(at, "You followed a link to action P2.3")


def _audit_fields(db: Engine, email: str) -> list[str]:
    with session_scope(db) as session:
        person_id = _person(db, email).id
        return list(
            session.exec(
                select(AuditLog.field)
                .where(AuditLog.entity == "person", AuditLog.entity_id == person_id)
                .order_by(col(AuditLog.id))
            ).all()
        )


def _refusals(db: Engine) -> list[str]:
    with session_scope(db) as session:
        return [
            f"{a.entity_label}: {a.new}"
            for a in session.exec(
                select(AuditLog)
                .where(AuditLog.field == "sign-in refused")
                .order_by(col(AuditLog.id))
            ).all()
        ]


def test_first_sign_in_binds_the_person_to_tenant_and_object_id(
    open_entra: OpenApp, db: Engine
) -> None:
    at = open_entra({"email": "Head.Of.SEND@example.org", "oid": "oid-hos-1", "name": "HoS"})
    no_exception(at)
    assert titles(at) == ["My actions"]
    assert button(at, "Sign out")
    assert not any("Developer mode" in w.value for w in at.warning)
    person = _person(db, HEAD_OF_SEND)
    assert (person.entra_tenant_id, person.entra_object_id) == (TENANT, "oid-hos-1")
    assert person.last_seen_at is not None
    assert _audit_fields(db, HEAD_OF_SEND)[-2:] == ["identity bound", "signed in"]


def test_preferred_username_alone_never_matches(open_entra: OpenApp, db: Engine) -> None:
    at = open_entra({"preferred_username": EXECUTIVE, "oid": "oid-exec"})
    no_exception(at)
    assert titles(at) == ["No access"]
    assert _person(db, EXECUTIVE).entra_object_id is None
    assert _refusals(db) and "not registered" in _refusals(db)[-1]


def test_a_bound_object_id_wins_over_a_changed_email(open_entra: OpenApp) -> None:
    open_entra({"email": EXECUTIVE, "oid": "oid-exec-2"})
    at = open_entra({"email": "renamed.director@example.org", "oid": "oid-exec-2"})
    no_exception(at)
    assert titles(at) == ["Executive overview"]
    assert shown(at, "Executive Director of Education")


def test_a_second_account_with_the_same_email_is_refused_and_audited(
    open_entra: OpenApp, db: Engine
) -> None:
    open_entra({"email": EXECUTIVE, "oid": "oid-exec"})
    at = open_entra({"email": EXECUTIVE.upper(), "oid": "oid-impostor"})
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, "already tied to another Microsoft account")
    _nothing_else(at)
    assert _person(db, EXECUTIVE).entra_object_id == "oid-exec"
    assert _audit_fields(db, EXECUTIVE)[-1] == "sign-in refused"
    assert "oid-impostor" in _refusals(db)[-1]


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"tid": "9b1d3c2a-0000-4000-8000-00000000beef"}, "does not belong to the partnership"),
        ({"tid": None}, "did not say which account"),
        ({"oid": None}, "did not say which account"),
    ],
    ids=["another tenant", "no tenant id", "no object id"],
)
def test_only_a_complete_identity_from_the_configured_tenant_signs_in(
    open_entra: OpenApp, db: Engine, claims: dict[str, str | None], reason: str
) -> None:
    at = open_entra({"email": ADMIN, "oid": "oid-admin", **claims})
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, reason)
    _nothing_else(at)
    assert _person(db, ADMIN).entra_object_id is None
    assert reason in _refusals(db)[-1]


def test_without_a_valid_sign_in_claims_sign_nobody_in(open_entra: OpenApp, db: Engine) -> None:
    """What Streamlit gives for a missing or forged cookie: not logged in, whatever it says."""
    at = open_entra(None)
    at.user = {"is_logged_in": False, "email": ADMIN, "oid": "oid-admin", "tid": TENANT}
    at.run()
    no_exception(at)
    assert titles(at) == ["SEND Partnership Action Tracker"]
    _nothing_else(at)
    assert _person(db, ADMIN).entra_object_id is None


def test_an_unconfigured_tenant_refuses_every_sign_in(open_entra: OpenApp) -> None:
    at = open_entra({"email": ADMIN, "oid": "oid-admin"})
    at.secrets["auth"]["microsoft"]["server_metadata_url"] = (
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    )
    at.run()
    assert titles(at) == ["Sign-in is not configured"]
    assert any("TRACKER_ENTRA_TENANT_ID" in e for e in errors(at))


def test_a_deactivation_or_role_removal_counts_from_the_next_click(
    open_entra: OpenApp, db: Engine
) -> None:
    at = open_entra({"email": EXECUTIVE, "oid": "oid-exec"})
    assert titles(at) == ["Executive overview"]
    with session_scope(db, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person(db, EXECUTIVE).id, active=False
        )
    at.run()
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, "deactivated")
    _nothing_else(at)


def test_unbinding_lets_the_mailbox_s_new_account_in_and_keeps_the_old_one_out(
    open_entra: OpenApp, db: Engine
) -> None:
    open_entra({"email": HEAD_OF_SEND, "oid": "oid-leaver"})
    with session_scope(db, write=True) as session:
        unbind_identity(
            session, actor=actor(session, ADMIN), person_id=_person(db, HEAD_OF_SEND).id
        )
    old = open_entra({"email": HEAD_OF_SEND, "oid": "oid-leaver"})
    assert titles(old) == ["No access"]
    assert shown(old, "unbound")
    new = open_entra({"email": HEAD_OF_SEND, "oid": "oid-successor"})
    no_exception(new)
    assert titles(new) == ["My actions"]
    assert _person(db, HEAD_OF_SEND).entra_object_id == "oid-successor"
    assert "identity unbound" in _audit_fields(db, HEAD_OF_SEND)


def test_an_inactive_person_is_never_bound(open_entra: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person(db, EXECUTIVE).id, active=False
        )
    at = open_entra({"email": EXECUTIVE, "oid": "oid-exec"})
    assert titles(at) == ["No access"]
    assert _person(db, EXECUTIVE).entra_object_id is None


def test_unknown_account_sees_no_access_and_whom_to_contact(open_entra: OpenApp) -> None:
    at = open_entra({"email": "stranger@elsewhere.example", "oid": "oid-x"})
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, "stranger@elsewhere.example")
    assert shown(at, "not registered")
    assert shown(at, "send.pmo@example.org")  # the partnership contact from governance.yaml
    assert button(at, "Sign out")
    _nothing_else(at)


def test_deactivated_account_sees_no_access(open_entra: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:
        set_active(
            session, actor=actor(session, ADMIN), person_id=_person(db, EXECUTIVE).id, active=False
        )
    at = open_entra({"email": EXECUTIVE, "oid": "oid-exec"})
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, "deactivated")
    _nothing_else(at)


def test_missing_sign_in_configuration_is_explained(open_entra: OpenApp) -> None:
    at = open_entra({"email": EXECUTIVE})
    at.secrets.clear()
    at.run()
    assert titles(at) == ["Sign-in is not configured"]
    assert any("secrets.toml" in e for e in errors(at))


# --- developer mode ---------------------------------------------------------------------------


def test_developer_mode_banner_is_on_every_page(open_app: OpenApp) -> None:
    for page in ("register", "overview", "governance"):
        at = open_app(EXECUTIVE, page=page)
        banner = [w.value for w in at.warning if "Developer mode" in w.value]
        assert banner and "acting as Executive Director of Education" in banner[0]


def test_dev_user_given_as_a_role_name(open_app: OpenApp, db: Engine) -> None:
    at = open_app("secretary")
    no_exception(at)
    assert at.selectbox(key="tracker.dev_person_id").value == _person(db, SECRETARY_SIB).id
    assert any("SEND Improvement Board Secretary" in w.value for w in at.warning)


def test_unknown_dev_user_falls_back_to_an_administrator(open_app: OpenApp, db: Engine) -> None:
    at = open_app("nobody@example.org")
    no_exception(at)
    assert any("matches nobody" in w.value for w in at.sidebar.warning)
    assert at.selectbox(key="tracker.dev_person_id").value == _person(db, ADMIN).id


def test_picking_another_person_switches_identity(open_app: OpenApp, db: Engine) -> None:
    at = open_app(HEAD_OF_SEND)
    assert titles(at) == ["My actions"]
    at.selectbox(key="tracker.dev_person_id").set_value(_person(db, EXECUTIVE).id).run()
    no_exception(at)
    assert titles(at) == ["Executive overview"]


def test_developer_mode_is_refused_in_production(open_app: OpenApp, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_ENV", "production")
    at = open_app(ADMIN)
    no_exception(at)
    assert titles(at) == ["The tracker cannot start"]
    assert any("TRACKER_AUTH=dev is refused when TRACKER_ENV=production" in e for e in errors(at))
    _nothing_else(at)
    assert not any("Developer mode: acting" in t for t in texts(at))


def test_a_person_without_any_role_has_no_access(open_app: OpenApp, db: Engine) -> None:
    with session_scope(db, write=True) as session:
        add_person(
            session,
            actor=actor(session, ADMIN),
            name="New Starter",
            email="new.starter@example.org",
        )
    at = open_app("new.starter@example.org")
    no_exception(at)
    assert titles(at) == ["No access"]
    assert shown(at, "no role")
