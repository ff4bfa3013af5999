"""National comparators from an Explore Education Statistics CSV: the acceptance lines of the
comparators issue through the command line, on both engines, with files written in EES's layout."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import func, select
from typer.testing import CliRunner

from tests.conftest import GOVERNANCE_FILE
from tests.measures.ees import HEADER, PERCENT, timeliness_rows, write_csv
from tracker.cli import _register_commands
from tracker.commands import app
from tracker.db import make_engine, session_scope
from tracker.models import MeasureComparator
from tracker.services.measures._national import period_of

_register_commands()
runner = CliRunner()


@pytest.fixture
def env(empty_db_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": empty_db_url, "TRACKER_GOVERNANCE_FILE": str(GOVERNANCE_FILE)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def _stored(env: dict[str, str]) -> list[tuple[str, str, float | None, str | None]]:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            rows = session.exec(select(MeasureComparator)).all()
            return sorted((r.period_label, r.area_name, r.value, r.missing_reason) for r in rows)
    finally:
        engine.dispose()


def _import(env: dict[str, str], path: Path):
    return runner.invoke(app, ["measures", "import-national", str(path)], env=env)


def test_england_region_and_neighbours_stand_beside_m2_3(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = _import(env, write_csv(tmp_path / "timeliness.csv", timeliness_rows()))
    assert result.exit_code == 0, result.output
    assert "42 rows read; 15 figures stored" in result.output
    assert "M2.3 (pc_plans_issued_within_20_weeks): 2022, 2023, 2024" in result.output
    stored = _stored(env)
    # Only England, the North West, Lancashire and its neighbours; never County Durham or the
    # North East, never the "Under 5" breakdown.
    assert {name for _, name, _, _ in stored} == {
        "England",
        "North West",
        "Lancashire",
        "Cumbria",
        "Blackpool",
    }
    assert ("2024", "England", 46.4, None) in stored
    assert ("2023", "Cumbria", None, "c: confidential") in stored  # never a zero
    assert ("2024", "Blackpool", None, "x: not available") in stored

    shown = runner.invoke(app, ["measures", "show", "M2.3"], env=env)
    assert shown.exit_code == 0, shown.output
    assert (
        "Comparators: Lancashire 66%, North West 50.1%, England 46.4%, "
        "Blackpool x: not available, Cumbria 59.8% (2024, EES)"
    ) in shown.output
    as_json = json.loads(runner.invoke(app, ["measures", "show", "M2.3", "--json"], env=env).output)
    assert as_json["comparators"]["period_label"] == "2024"

    out = tmp_path / "sib.docx"
    paper = runner.invoke(app, ["paper", "SEND Improvement Board", "-o", str(out)], env=env)
    assert paper.exit_code == 0, paper.output
    (table,) = [
        t
        for t in Document(str(out)).tables
        if t.rows[0].cells[0].text == "Ref" and any(c.text == "England" for c in t.rows[0].cells)
    ]
    header = [c.text for c in table.rows[0].cells]
    assert header[5:7] == ["England", "North West"]
    m23 = next(r for r in table.rows if r.cells[0].text == "M2.3")
    assert [c.text for c in m23.cells][5:7] == ["46.4% (2024)", "50.1% (2024)"]


def test_a_file_without_geographic_level_is_refused_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    header = [h for h in HEADER if h != "geographic_level"]
    result = _import(env, write_csv(tmp_path / "other.csv", timeliness_rows(), header))
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert "no column 'geographic_level'" in result.output
    assert _stored(env) == []


def test_a_figure_that_is_not_a_number_names_its_line_and_nothing_is_stored(
    env: dict[str, str], tmp_path: Path
) -> None:
    years = dict(PERCENT) | {"2024": ("46.4", "50.1", "57.3", "about 66", "59.8", "x", "64.0")}
    result = _import(env, write_csv(tmp_path / "typo.csv", timeliness_rows(years)))
    assert result.exit_code == 1
    # 1 header + 2 years x 14 rows, then National, NW, NE (2 rows each): Lancashire's is line 36.
    assert "line 36: pc_plans_issued_within_20_weeks is 'about 66', not a number" in result.output
    assert _stored(env) == []


def test_a_revised_publication_replaces_the_figures_it_repeats(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert _import(env, write_csv(tmp_path / "a.csv", timeliness_rows())).exit_code == 0
    revised = {"2024": ("46.6", "50.1", "57.3", "66.2", "59.8", "x", "64.0")}
    again = _import(env, write_csv(tmp_path / "b.csv", timeliness_rows(revised)))
    assert again.exit_code == 0, again.output
    assert "5 figures stored (5 replaced)" in again.output
    stored = _stored(env)
    assert len(stored) == 15
    assert ("2024", "England", 46.6, None) in stored and (
        "2024",
        "Lancashire",
        66.2,
        None,
    ) in stored


@pytest.mark.parametrize(
    ("period", "kind", "expected"),
    [
        ("2024", "Calendar year", (date(2024, 12, 31), "2024")),
        ("202425", "Financial year", (date(2025, 3, 31), "2024-25")),
        ("202324", "Academic year", (date(2024, 8, 31), "2023/24")),
        ("199900", "Academic year", (date(2000, 8, 31), "1999/00")),
        ("202426", "Academic year", None),
        ("2024", "Week", None),
    ],
)
def test_periods_as_ees_writes_them(period: str, kind: str, expected: object) -> None:
    assert period_of(period, kind) == expected


def test_the_count_of_figures_matches_the_database(env: dict[str, str], tmp_path: Path) -> None:
    _import(env, write_csv(tmp_path / "a.csv", timeliness_rows()))
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(MeasureComparator)).one() == 15
    engine.dispose()


def _values(env: dict[str, str]) -> list[tuple[str, float | None, str, str | None]]:
    from tracker.models import MeasureValue

    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            rows = session.exec(select(MeasureValue)).all()
            return sorted((r.period_end.isoformat(), r.value, r.status, r.source) for r in rows)
    finally:
        engine.dispose()


SOURCE = (
    "EES: Education, health and care plans; Timeliness of new education, health and care "
    "plans (timeliness.csv)"
)


def test_local_takes_the_partnerships_own_row_as_values_keeping_history(
    env: dict[str, str], tmp_path: Path
) -> None:
    from tests.factories import HEAD_OF_SEND

    entered = runner.invoke(
        app,
        ["measures", "set-value", "M2.3", "2023-12-31", "40", "--as", HEAD_OF_SEND],
        env=env,
    )
    assert entered.exit_code == 0, entered.output
    years = {**PERCENT, "2024": ("46.4", "50.1", "57.3", "c", "59.8", "x", "64.0")}
    path = write_csv(tmp_path / "timeliness.csv", timeliness_rows(years))
    result = runner.invoke(app, ["measures", "import-national", str(path), "--local"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 new, 1 corrected, 0 unchanged" in result.output
    # 2024 is "c" for Lancashire: no figure, so no value (never a zero).
    assert _values(env) == [
        ("2022-12-31", 38.5, "provisional", SOURCE),
        ("2023-12-31", 41.2, "provisional", SOURCE),
    ]
    shown = runner.invoke(app, ["measures", "show", "M2.3"], env=env).output
    assert "timeliness.csv" in shown
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            from tracker.models import AuditLog

            [correction] = session.exec(
                select(AuditLog).where(
                    AuditLog.field == "value for 2023-12-31", AuditLog.old == "40%"
                )
            ).all()
    finally:
        engine.dispose()
    assert (correction.new, correction.reason) == ("41.2%", "from EES file timeliness.csv")

    again = runner.invoke(app, ["measures", "import-national", str(path), "--local"], env=env)
    assert "0 new, 0 corrected, 2 unchanged" in again.output


def test_local_refuses_the_whole_file_when_a_local_figure_does_not_fit(
    env: dict[str, str], tmp_path: Path
) -> None:
    years = {**PERCENT, "2024": ("46.4", "50.1", "57.3", "166.0", "59.8", "x", "64.0")}
    path = write_csv(tmp_path / "timeliness.csv", timeliness_rows(years))
    result = runner.invoke(app, ["measures", "import-national", str(path), "--local"], env=env)
    assert result.exit_code != 0
    assert "M2.3 2024 (Lancashire): value a percentage must be between 0 and 100" in (
        result.output + result.stderr
    )
    assert _values(env) == [] and _stored(env) == []
