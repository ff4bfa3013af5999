"""The Publish page through the real app: the queue with its approve buttons, marking an action
public under a plain title (refused without one, under the field), and the Publish button."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.factories import add_update
from tests.ui.conftest import OpenApp
from tests.ui.support import errors, no_exception, texts
from tracker.db import session_scope
from tracker.models import Action, ActionUpdate


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "public"
    monkeypatch.setenv("TRACKER_PUBLISH_DIR", str(target))
    return target


def test_only_administrators_have_the_page(open_app: OpenApp) -> None:
    at = open_app("executive", page="publish")
    assert "Publish the progress site" not in [t.value for t in at.title]


def test_approve_mark_public_and_publish(open_app: OpenApp, db: Engine, site_dir: Path) -> None:
    update = add_update(db, "P2.3")
    with session_scope(db, write=True) as session:
        row = session.get(ActionUpdate, update.id)
        assert row is not None
        row.public_summary = "We filled <b>12</b> posts."
    at = open_app("administrator", page="publish")
    no_exception(at)
    assert at.title[0].value == "Publish the progress site"
    assert "We filled <b>12</b> posts." in texts(at)  # as typed, never as markup
    at.button(key=f"publish.summary.{update.id}").click().run()
    assert any("Approved" in s.value for s in at.success)

    at.selectbox(key="publish.action").set_value("P2.3").run()
    version = _version(db, "P2.3")
    at.checkbox(key=f"publish.on-site.P2.3.{version}").check()
    at.button[[b.label for b in at.button].index("Save")].click().run()
    assert errors(at) == ["write the action in plain words before publishing it"]
    assert not _published(db, "P2.3")

    at.text_area(key=f"publish.title.P2.3.{version}").input("More staff, plans on time")
    at.checkbox(key=f"publish.on-site.P2.3.{version}").check()
    at.button[[b.label for b in at.button].index("Save")].click().run()
    assert errors(at) == []
    assert _published(db, "P2.3")

    at.button[[b.label for b in at.button].index("Publish the site now")].click().run()
    no_exception(at)
    page = (site_dir / "priority-2.html").read_text(encoding="utf-8")
    assert "More staff, plans on time" in page
    assert "We filled &lt;b&gt;12&lt;/b&gt; posts." in page


def _version(db: Engine, reference: str) -> int:
    with session_scope(db) as session:
        return session.exec(select(Action).where(Action.reference == reference)).one().version


def _published(db: Engine, reference: str) -> bool:
    with session_scope(db) as session:
        action = session.exec(select(Action).where(Action.reference == reference)).one()
        return bool(action.published)
