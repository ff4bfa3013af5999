"""The Board papers page and the Escalation tab, driven through the real app under AppTest.

The app runs in developer mode as a named person on a fresh seeded SQLite file, with today
pinned to 1 March 2026, so each board's default meeting is its next one: the Improvement Board
on 17 March 2026.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.conftest import GOVERNANCE_FILE, ROOT
from tests.factories import (
    ADMIN,
    EXECUTIVE,
    HEAD_OF_SEND,
    PARTNER,
    SECRETARY_SIB,
    SECRETARY_SOB,
    SECRETARY_STB,
    actor,
    add_update,
)
from tests.papers.scenario import generate
from tests.ui.support import button, errors, no_exception, shown, texts, titles
from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.services.actions import escalate_action, list_action_escalations
from tracker.services.papers import list_papers

APP = ROOT / "tracker" / "ui" / "app.py"
TODAY = "2026-03-01"

OpenPage = Callable[..., AppTest]


@pytest.fixture(autouse=True)
def _release_engines() -> Iterator[None]:
    yield
    st.cache_resource.clear()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> str:
    monkeypatch.setenv("TRACKER_AUTH", "dev")
    monkeypatch.setenv("TRACKER_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(GOVERNANCE_FILE))
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    return sqlite_url


@pytest.fixture
def db(app_env: str) -> Iterator[Engine]:
    engine = make_engine(app_env)
    yield engine
    engine.dispose()


@pytest.fixture
def open_page(app_env: str, monkeypatch: pytest.MonkeyPatch) -> OpenPage:
    """Open ``page`` (a URL path) as ``user``, as a browser opening /<page> would."""

    def open_(user: str, page: str = "papers", **query: str) -> AppTest:
        monkeypatch.setenv("TRACKER_DEV_USER", user)
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(query)
        at._page_hash = calc_hash(page)
        return at.run()

    return open_


def downloads(at: AppTest, label: str = "Download") -> list[Any]:
    """The download buttons with ``label``: "Download" for the .docx, "PDF" for the PDF."""
    return [b for b in at.get("download_button") if b.proto.label == label]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_secretary_previews_generates_and_downloads(open_page: OpenPage, db: Engine) -> None:
    add_update(db, "P2.3", rag="red", commentary="Behind.", at=datetime(2026, 2, 20, tzinfo=UTC))

    at = open_page(SECRETARY_SIB)

    no_exception(at)
    assert titles(at) == ["Board papers"]
    assert at.selectbox(key="papers.board").value == "send_improvement_board"
    assert str(at.selectbox(key="papers.meeting.send_improvement_board").value) == "2026-03-17"
    assert metrics(at)["Actions"] == "42" and metrics(at)["Red"] == "1"
    assert shown(at, "No paper has been generated for this meeting yet.")
    assert downloads(at) == []

    button(at, "Generate the paper").click().run()

    no_exception(at)
    assert shown(
        at, "Version 1 of the SEND Improvement Board paper for 17 March 2026 is ready to download."
    )
    assert len(downloads(at)) == 1
    assert shown(at, "17 Mar 2026, version 1 (latest)")
    assert shown(at, "by SEND Improvement Board Secretary")

    button(at, "Generate the paper").click().run()

    assert len(downloads(at)) == 2
    assert len(downloads(at, "PDF")) == 2  # each version's tagged PDF beside its .docx
    assert shown(at, "17 Mar 2026, version 2 (latest)") and shown(at, "17 Mar 2026, version 1")
    with session_scope(db) as session:
        stored = list_papers(session, actor=actor(session, ADMIN))
    assert [(p.version, p.generated_by) for p in stored] == [
        (2, "SEND Improvement Board Secretary"),
        (1, "SEND Improvement Board Secretary"),
    ]


@pytest.mark.parametrize(
    ("email", "board"),
    [
        (SECRETARY_SIB, "send_improvement_board"),
        (SECRETARY_STB, "send_transformation_board"),
        (SECRETARY_SOB, "send_operations_board"),
    ],
)
def test_a_secretary_opens_on_their_own_board(open_page: OpenPage, email: str, board: str) -> None:
    at = open_page(email)

    no_exception(at)
    assert at.selectbox(key="papers.board").value == board
    assert "Generate the paper" in [b.label for b in at.button]


def test_a_secretary_cannot_generate_another_boards_paper(open_page: OpenPage) -> None:
    at = open_page(SECRETARY_SOB)

    at.selectbox(key="papers.board").set_value("send_improvement_board").run()

    no_exception(at)
    assert "Generate the paper" not in [b.label for b in at.button]
    assert shown(at, "Only the SEND Improvement Board's secretary or chair, or an administrator")
    assert metrics(at)["Actions"] == "42"  # the preview is still theirs to read


def test_stored_papers_show_uk_local_time(open_page: OpenPage, db: Engine) -> None:
    generate(db, "SIB", date(2026, 3, 17), by=ADMIN, now=datetime(2026, 6, 2, 13, 5, tzinfo=UTC))

    at = open_page(SECRETARY_SIB)

    no_exception(at)
    assert shown(at, "Generated 2 Jun 2026 14:05 by")  # 13:05 UTC is 14:05 British Summer Time
    assert not any("UTC" in text for text in texts(at))


def test_choosing_another_board_offers_its_next_meeting(open_page: OpenPage) -> None:
    at = open_page(ADMIN)

    at.selectbox(key="papers.board").set_value("send_operations_board").run()

    no_exception(at)
    assert str(at.selectbox(key="papers.meeting.send_operations_board").value) == "2026-03-18"
    assert shown(at, "Escalations to this board")


def test_an_executive_sees_and_downloads_but_does_not_generate(
    open_page: OpenPage, db: Engine
) -> None:
    at = open_page(SECRETARY_SIB)
    button(at, "Generate the paper").click().run()

    at = open_page(EXECUTIVE)

    no_exception(at)
    assert titles(at) == ["Board papers"]
    assert "Generate the paper" not in [b.label for b in at.button]
    assert len(downloads(at)) == 1


@pytest.mark.parametrize("email", [PARTNER, HEAD_OF_SEND])
def test_partners_and_owners_cannot_reach_the_page(open_page: OpenPage, email: str) -> None:
    at = open_page(email)

    no_exception(at)
    assert "Board papers" not in titles(at)
    with pytest.raises(ValueError):
        at.switch_page(str(Path("..") / "pages" / "papers.py"))


def test_a_broken_template_is_shown_as_an_error(
    open_page: OpenPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marker = "      level: strategic\n"
    text = GOVERNANCE_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "governance.yaml"
    broken.write_text(text.replace(marker, f"{marker}      template: missing.docx\n"), "utf-8")
    monkeypatch.setenv("TRACKER_GOVERNANCE_FILE", str(broken))
    at = open_page(SECRETARY_SIB)

    button(at, "Generate the paper").click().run()

    no_exception(at)
    assert any("missing.docx cannot be read" in e for e in errors(at))
    assert downloads(at) == []


def test_an_owner_escalates_from_the_action_page(open_page: OpenPage, db: Engine) -> None:
    at = open_page(HEAD_OF_SEND, page="action", action="P2.3")
    no_exception(at)

    at.text_area(key="escalation.reason.P2.3").input("EP vacancies need funding.")
    button(at, "Escalate to the SEND Transformation Board").click().run()

    no_exception(at)
    assert shown(at, "P2.3 is escalated to the SEND Transformation Board.")
    assert shown(at, "Open: to the SEND Transformation Board")
    with session_scope(db) as session:
        rows = list_action_escalations(session, reference="P2.3")
    assert [(r.to_body, r.reason) for r in rows] == [
        ("SEND Transformation Board", "EP vacancies need funding.")
    ]


def test_the_receiving_secretary_closes_an_escalation_from_the_action_page(
    open_page: OpenPage, db: Engine
) -> None:
    at = open_page(HEAD_OF_SEND, page="action", action="P2.3")
    at.text_area(key="escalation.reason.P2.3").input("EP vacancies need funding.")
    button(at, "Escalate to the SEND Transformation Board").click().run()
    with session_scope(db) as session:
        escalation_id = list_action_escalations(session, reference="P2.3")[0].id

    at = open_page(SECRETARY_STB, page="action", action="P2.3")
    at.text_area(key=f"escalation.decision.{escalation_id}").input("Agency cover funded.")
    button(at, "Close the escalation to the SEND Transformation Board").click().run()

    no_exception(at)
    assert shown(at, "Closed: to the SEND Transformation Board")
    with session_scope(db) as session:
        closed = list_action_escalations(session, reference="P2.3")[0]
    assert closed.resolution == "Agency cover funded."


def test_a_partner_sees_escalations_but_no_form(open_page: OpenPage) -> None:
    at = open_page(PARTNER, page="register", action="P2.3")

    no_exception(at)
    assert shown(at, "P2.3 has not been escalated.")
    assert "escalation.reason.P2.3" not in [t.key for t in at.text_area]


def test_a_board_sees_what_was_escalated_to_it_in_the_preview(
    open_page: OpenPage, db: Engine
) -> None:
    with session_scope(db, write=True) as session:
        escalate_action(
            session,
            actor=actor(session, HEAD_OF_SEND),
            reference="P2.3",
            reason="EP vacancies need funding.",
            governance=load_governance(GOVERNANCE_FILE),
            now=datetime(2026, 2, 20, 9, tzinfo=UTC),  # before the pinned today
        )
    at = open_page(SECRETARY_STB)

    at.selectbox(key="papers.board").set_value("send_transformation_board").run()

    no_exception(at)
    assert shown(at, "Escalations to this board (1)")
    links = [link.proto.label for link in at.get("page_link")]
    assert any(label.startswith("P2.3 from the SEND Operations Board") for label in links)


def test_the_preview_follows_a_new_update_at_once(open_page: OpenPage, db: Engine) -> None:
    at = open_page(SECRETARY_SIB)
    assert metrics(at)["Red"] == "0"

    add_update(db, "P3.1", rag="red", commentary="Stalled.", at=datetime(2026, 2, 25, tzinfo=UTC))
    at.run()

    assert metrics(at)["Red"] == "1"
    assert shown(at, "Exceptions (1)")
