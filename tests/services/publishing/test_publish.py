"""Publishing the site: the swap keeps the previous version, a folder the tracker did not
publish is never replaced, who published what is audited, and a public page refuses to show an
e-mail address or run what someone typed as markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import ADMIN, EXECUTIVE, OPERATOR, actor, add_update
from tests.services.publishing.conftest import TODAY, publish, site_text
from tracker.db import session_scope
from tracker.errors import InvalidInput
from tracker.governance import GovernanceConfig
from tracker.models import Action, ActionUpdate, AuditLog
from tracker.permissions import PermissionDenied
from tracker.services.publishing import (
    approve_summary,
    publish_site,
    set_action_publication,
)


def _make_public(engine: Engine, reference: str, title: str) -> None:
    with session_scope(engine, write=True) as session:
        action = session.exec(select(Action).where(Action.reference == reference)).one()
        set_action_publication(
            session,
            OPERATOR,
            reference=reference,
            published=True,
            public_title=title,
            seen_version=action.version,
        )


def _summarise(engine: Engine, config: GovernanceConfig, reference: str, text: str) -> None:
    update = add_update(engine, reference)
    with session_scope(engine, write=True) as session:
        row = session.get(ActionUpdate, update.id)
        assert row is not None and row.id is not None
        row.public_summary = text
        session.flush()
        approve_summary(session, OPERATOR, config=config, update_id=row.id, seen_summary=text)


def test_publishing_again_keeps_the_previous_version(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    _make_public(sqlite_engine, "P2.3", "First title")
    first = publish(sqlite_engine, target, config)
    assert first.previous is None
    assert "First title" in (target / "priority-2.html").read_text()

    _make_public(sqlite_engine, "P2.3", "Second title")
    second = publish(sqlite_engine, target, config)
    assert second.previous == target.with_name("site.previous")
    assert "Second title" in (target / "priority-2.html").read_text()
    assert "First title" in (tmp_path / "site.previous" / "priority-2.html").read_text()

    _make_public(sqlite_engine, "P2.3", "Third title")
    publish(sqlite_engine, target, config)
    assert "Second title" in (tmp_path / "site.previous" / "priority-2.html").read_text()
    # Nothing half-written is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["site", "site.previous"]
    assert oct(target.stat().st_mode & 0o777) == "0o755"
    assert oct((target / "index.html").stat().st_mode & 0o777) == "0o644"


def test_who_published_what_is_in_the_audit_trail(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    _make_public(sqlite_engine, "P2.3", "Plain words")
    report = publish(sqlite_engine, tmp_path / "site", config)
    with session_scope(sqlite_engine) as session:
        row = session.exec(
            select(AuditLog).where(AuditLog.entity == "public_site", AuditLog.field == "published")
        ).one()
    assert row.actor_label == OPERATOR.name
    assert row.new is not None and "P2.3" in row.new and report.checksum in row.new
    assert "9 pages" in row.new and TODAY.isoformat() in row.new


def test_a_folder_the_tracker_did_not_publish_is_never_replaced(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.txt").write_text("years of work")
    with pytest.raises(InvalidInput, match="did not publish"):
        publish(sqlite_engine, target, config)
    assert (target / "thesis.txt").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["documents"]


def test_only_an_administrator_publishes(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    with session_scope(sqlite_engine, write=True) as session:
        executive = actor(session, EXECUTIVE)
        with pytest.raises(PermissionDenied):
            publish_site(session, executive, tmp_path / "site", config=config, today=TODAY)
        publish_site(session, actor(session, ADMIN), tmp_path / "site", config=config, today=TODAY)
    assert (tmp_path / "site" / "index.html").is_file()


def test_what_people_typed_is_text_on_the_page(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    _make_public(sqlite_engine, "P2.3", "<script>alert(1)</script> & more")
    _summarise(sqlite_engine, config, "P2.3", 'Line one\n<b>bold</b> "quoted" \u202eRTL')
    publish(sqlite_engine, tmp_path / "site", config)
    page = (tmp_path / "site" / "priority-2.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_an_email_address_in_a_public_text_stops_the_publication(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    _make_public(sqlite_engine, "P2.3", "Plain words")
    _summarise(sqlite_engine, config, "P2.3", "Ask jane.smith@example.org for details.")
    with pytest.raises(InvalidInput, match=r"priority-2.html would show the e-mail address"):
        publish(sqlite_engine, tmp_path / "site", config)
    assert not (tmp_path / "site").exists()


def test_the_configured_shared_mailbox_may_appear(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    assert config.publishing is not None
    route = config.publishing.feedback.model_copy(update={"email": "send.feedback@example.org"})
    with_mailbox = config.model_copy(
        update={"publishing": config.publishing.model_copy(update={"feedback": route})}
    )
    publish(sqlite_engine, tmp_path / "site", with_mailbox)
    files = site_text(tmp_path / "site")
    assert 'href="mailto:send.feedback@example.org"' in files["index.html"]


def test_a_persons_address_as_the_mailbox_is_refused(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    assert config.publishing is not None
    route = config.publishing.feedback.model_copy(update={"email": "head.of.send@example.org"})
    personal = config.model_copy(
        update={"publishing": config.publishing.model_copy(update={"feedback": route})}
    )
    with pytest.raises(Exception, match="address of a person in the tracker"):
        publish(sqlite_engine, tmp_path / "site", personal)
    assert not (tmp_path / "site").exists()


def test_two_publications_of_one_folder_never_interleave(
    sqlite_engine: Engine, config: GovernanceConfig, tmp_path: Path
) -> None:
    import fcntl

    from tracker.errors import Conflict

    publish(sqlite_engine, tmp_path / "site", config)
    before = (tmp_path / "site" / "index.html").read_text()
    with (tmp_path / ".site.publishing").open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another process is publishing
        with pytest.raises(Conflict, match="being published by someone else"):
            publish(sqlite_engine, tmp_path / "site", config)
    assert (tmp_path / "site" / "index.html").read_text() == before
    assert not (tmp_path / "site.previous").exists()
    with session_scope(sqlite_engine) as session:
        rows = session.exec(select(AuditLog).where(AuditLog.entity == "public_site")).all()
    assert len(rows) == 1  # the refused one left no audit row
    publish(sqlite_engine, tmp_path / "site", config)  # and once it is free, it goes
