"""Identity is the tenant and object id: which tenant is configured, and binding rules, on both
engines (the app-level flow is in tests/ui/test_auth.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, PARTNER, actor
from tracker.db import session_scope
from tracker.models import Person
from tracker.permissions import PermissionDenied
from tracker.services.people._identity import (
    NOT_REGISTERED,
    TAKEN,
    UNBOUND,
    EntraIdentity,
    bound_actor,
    configured_tenant,
    sign_in,
    tenant_from_metadata_url,
    unbind_identity,
)

TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
ENTRA = "https://login.microsoftonline.com"


@pytest.mark.parametrize(
    ("url", "tenant"),
    [
        (f"{ENTRA}/{TENANT}/v2.0/.well-known/openid-configuration", TENANT),
        (f"{ENTRA}/{TENANT.upper()}/v2.0/.well-known/openid-configuration", TENANT),
        (f"{ENTRA}/common/v2.0/.well-known/openid-configuration", None),
        (f"{ENTRA}/organizations/v2.0/.well-known/openid-configuration", None),
        (
            f"{ENTRA}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
            None,
        ),
        (f"https://evil.example/{TENANT}/v2.0/.well-known/openid-configuration", None),
        ("http://localhost:9/.well-known/openid-configuration", None),
        (None, None),
    ],
)
def test_the_tenant_comes_from_a_tenant_specific_metadata_url(
    url: str | None, tenant: str | None
) -> None:
    assert tenant_from_metadata_url(url) == tenant


def test_the_setting_wins_over_the_metadata_url() -> None:
    other = "9b1d3c2a-0000-4000-8000-00000000beef"
    url = f"{ENTRA}/{TENANT}/v2.0/.well-known/openid-configuration"
    assert configured_tenant(setting=f" {other.upper()} ", metadata_url=url) == other
    assert configured_tenant(setting=None, metadata_url=url) == TENANT


def _sign_in(engine: Engine, oid: str, email: str | None, tid: str = TENANT) -> str | None:
    identity = EntraIdentity(tenant_id=tid, object_id=oid, email=email)
    with session_scope(engine, write=True) as session:
        return sign_in(session, identity=identity, tenant_id=TENANT).refusal


def _bound(engine: Engine, oid: str) -> str | None:
    identity = EntraIdentity(tenant_id=TENANT, object_id=oid, email=None)
    with session_scope(engine) as session:
        found = bound_actor(session, identity=identity, tenant_id=TENANT)
        return found.email if found else None


def test_binding_then_only_that_pair_is_the_person(engine: Engine) -> None:
    assert _sign_in(engine, "oid-exec", EXECUTIVE.upper()) is None
    assert _bound(engine, "oid-exec") == EXECUTIVE
    assert _sign_in(engine, "oid-other", EXECUTIVE) == TAKEN
    assert _bound(engine, "oid-other") is None
    assert _sign_in(engine, "oid-exec", "someone.else@example.org") is None  # the pair decides
    assert _sign_in(engine, "oid-nobody", "nobody@example.org") == NOT_REGISTERED


def test_the_same_object_id_from_another_tenant_is_not_the_person(engine: Engine) -> None:
    _sign_in(engine, "oid-exec", EXECUTIVE)
    identity = EntraIdentity(tenant_id="another-tenant", object_id="oid-exec", email=EXECUTIVE)
    with session_scope(engine) as session:
        assert bound_actor(session, identity=identity, tenant_id="another-tenant") is None
        assert bound_actor(session, identity=identity, tenant_id=TENANT) is None


def test_unbinding_needs_manage_people_and_refuses_the_old_account(engine: Engine) -> None:
    _sign_in(engine, "oid-exec", EXECUTIVE)
    with session_scope(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.email == EXECUTIVE)).one()
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        unbind_identity(session, actor=actor(session, PARTNER), person_id=person_id or 0)
    with session_scope(engine, write=True) as session:
        unbind_identity(session, actor=actor(session, ADMIN), person_id=person_id or 0)
    assert _bound(engine, "oid-exec") is None
    assert _sign_in(engine, "oid-exec", EXECUTIVE) == UNBOUND
    assert _sign_in(engine, "oid-new-holder", EXECUTIVE) is None
    assert _bound(engine, "oid-new-holder") == EXECUTIVE
