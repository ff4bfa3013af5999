"""The Success measures page puts the published England, regional and local figures beside a
measure once they are imported, with their source."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.measures.ees import timeliness_rows, write_csv
from tests.papers.scenario import governance
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception, shown
from tracker.db import session_scope
from tracker.permissions import Actor
from tracker.services.measures import import_national_figures


def test_comparators_show_beside_the_measure(open_app: OpenApp, db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "timeliness.csv", timeliness_rows())
    with session_scope(db, write=True) as session, path.open("rb") as stream:
        import_national_figures(
            session,
            stream=stream,
            source=path.name,
            config=governance().comparators,
            actor=Actor.for_operator("test"),
        )
    at = open_app("send.pmo@example.org", page="measures", measure="M2.3")
    no_exception(at)
    assert shown(
        at, "Published comparators (2024): Lancashire 66%, North West 50.1%, England 46.4%"
    )
    assert shown(at, "Source: Timeliness of new education, health and care plans")
    other = open_app("send.pmo@example.org", page="measures", measure="M2.4")
    assert not shown(other, "Published comparators")
