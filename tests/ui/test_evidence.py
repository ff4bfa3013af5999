"""The Evidence tab of an action's page under AppTest: what each person sees, the supersede and
delete forms, and downloads made on click as the person is then (a partner only what is
shared; someone deactivated since the page was drawn, nothing)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, PARTNER, actor
from tests.services.evidence import samples
from tests.ui.conftest import OpenApp
from tests.ui.support import button, errors, no_exception, shown
from tracker.db import session_scope
from tracker.models import AuditLog, Evidence, Person
from tracker.permissions import PermissionDenied
from tracker.services.evidence import EvidenceStore, add_evidence, set_shareable
from tracker.services.people import set_active
from tracker.ui.action.evidence import prepare_download

NOTE = "Figures from the **case system** <script>alert(1)</script>"


def _add(db: Engine, filename: str, data: bytes, *, shareable: bool = False) -> int:
    with session_scope(db, write=True) as session:
        evidence = add_evidence(
            session,
            actor(session, HEAD_OF_SEND),
            "P2.3",
            io.BytesIO(data),
            filename,
            note=NOTE,
            shareable=shareable,
        )
        assert evidence.id is not None
        return evidence.id


def _tab_labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.label for t in at.tabs]


def _downloads(at) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = []
    for node in at.main:
        proto = getattr(node, "proto", None)
        if getattr(node, "type", "") == "download_button" or (
            proto is not None and hasattr(proto, "url") and hasattr(proto, "label")
        ):
            found.append((str(proto.label), str(getattr(proto, "help", ""))))
    return found


def test_staff_see_every_file_with_who_added_it_and_a_download(
    open_app: OpenApp, db: Engine
) -> None:
    _add(db, "EHCP extract.csv", samples.csv_utf8())
    _add(db, "EP update.pdf", samples.pdf(), shareable=True)
    at = open_app(EXECUTIVE, page="action", action="P2.3")
    no_exception(at)
    assert "Evidence (2)" in _tab_labels(at)
    assert shown(at, "EHCP extract.csv") and shown(at, "EP update.pdf")
    assert shown(at, "by Head of SEND Service") and shown(at, "shared with partners")
    assert NOTE in [t.value for t in at.text]  # as typed, as text: no bold, no script
    assert not [b for b in at.button if b.label == "Add the file"]  # executives do not add
    helps = [h for _label, h in _downloads(at)]
    assert any("EP update.pdf" in h for h in helps) and any("EHCP extract.csv" in h for h in helps)


def test_a_partner_sees_only_the_files_shared_with_partners(open_app: OpenApp, db: Engine) -> None:
    _add(db, "internal.pdf", samples.pdf())
    _add(db, "shared.pdf", samples.pdf(), shareable=True)
    at = open_app(PARTNER, page="action", action="P2.3")
    no_exception(at)
    assert "Evidence (1)" in _tab_labels(at)
    assert shown(at, "shared.pdf") and not shown(at, "internal.pdf")
    assert not [b for b in at.button if b.label in ("Add the file", "Mark superseded")]


def test_the_owner_gets_the_upload_form_and_supersedes_with_a_reason(
    open_app: OpenApp, db: Engine
) -> None:
    evidence_id = _add(db, "draft.pdf", samples.pdf())
    at = open_app(HEAD_OF_SEND, page="action", action="P2.3")
    assert button(at, "Add the file") is not None
    assert not [b for b in at.button if b.label.startswith("Delete ")]  # administrators only
    button(at, "Mark superseded").click().run()
    assert any("a reason is required to supersede evidence" in e for e in errors(at))
    at.text_area(key=f"evidence.supersede.reason.{evidence_id}").input("Replaced by the final")
    button(at, "Mark superseded").click().run()
    no_exception(at)
    assert shown(at, "draft.pdf is marked superseded.")
    assert "Evidence (0)" in _tab_labels(at)
    assert shown(at, "Replaced by the final")  # in the Superseded list, with why


def test_an_administrator_deletes_with_a_reason(open_app: OpenApp, db: Engine) -> None:
    evidence_id = _add(db, "wrong child.pdf", samples.pdf())
    at = open_app(ADMIN, page="action", action="P2.3")
    at.text_area(key=f"evidence.delete.reason.{evidence_id}").input("Names another child")
    button(at, "Delete wrong child.pdf").click().run()
    no_exception(at)
    assert shown(at, "wrong child.pdf is deleted.")
    with session_scope(db) as session:
        assert session.get(Evidence, evidence_id) is None


def _person_id(db: Engine, email: str) -> int:
    with session_scope(db) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        assert person.id is not None
        return person.id


def test_a_download_is_made_on_click_as_the_person_is_then(db: Engine) -> None:
    evidence_id = _add(db, "shared.pdf", samples.pdf(), shareable=True)
    partner = prepare_download(
        person_id=_person_id(db, PARTNER), bound=db, evidence_id=evidence_id, store=EvidenceStore()
    )
    assert partner() == samples.pdf()
    with session_scope(db, write=True) as session:
        set_shareable(session, actor(session, HEAD_OF_SEND), evidence_id, False)
    with pytest.raises(PermissionDenied):
        partner()
    executive = prepare_download(
        person_id=_person_id(db, EXECUTIVE),
        bound=db,
        evidence_id=evidence_id,
        store=EvidenceStore(),
    )
    assert executive() == samples.pdf()
    with session_scope(db, write=True) as session:
        set_active(
            session,
            actor=actor(session, ADMIN),
            person_id=_person_id(db, EXECUTIVE),
            active=False,
        )
    with pytest.raises(PermissionDenied, match="account inactive"):
        executive()
    with session_scope(db) as session:
        fields = session.exec(
            select(AuditLog.field)
            .where(AuditLog.actor_label == EXECUTIVE)
            .order_by(col(AuditLog.id))
        ).all()
    assert fields[-2:] == ["downloaded", "operation refused"]
