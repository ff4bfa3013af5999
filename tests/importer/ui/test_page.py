"""The import and export page, driven as an administrator drives it (Streamlit's AppTest)."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tests.factories import ADMIN, actor, add_update
from tests.importer.conftest import SAMPLE
from tests.importer.plan_workbooks import acceptance_workbook
from tests.importer.sheets import MESSY_KEPT, MESSY_PROBLEMS, MESSY_VALID, messy_workbook
from tests.ui.support import button, errors, no_exception, shown
from tracker.db import session_scope
from tracker.governance import load_governance
from tracker.models import Action
from tracker.services.operations import count_rows
from tracker.services.register import ActionFilter
from tracker.ui.downloads import prepare_export

PAGE = "import-export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ALL = "Import 42 actions"


def _upload(at: Any, name: str, content: bytes) -> Any:
    at.file_uploader[0].set_value((name, content, XLSX))
    return at.run()


def _table(at: Any, *columns: str) -> Any:
    """The one table shown whose columns start with ``columns``."""
    (found,) = [
        d.value for d in at.dataframe if list(d.value.columns[: len(columns)]) == list(columns)
    ]
    return found


def _errors(at: Any) -> list[str]:
    """Error messages as people read them (the page escapes markdown in what it shows)."""
    return [re.sub(r"\\(.)", r"\1", message) for message in errors(at)]


def _metrics(at: Any) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_page_offers_an_upload_and_the_downloads(open_app: Any) -> None:
    at = open_app(ADMIN, page=PAGE)
    no_exception(at)
    assert [t.value for t in at.title] == ["Import and export"]
    assert at.file_uploader[0].label == "Action plan"
    assert [b.label for b in at.get("download_button")] == [
        "Register (.xlsx)",
        "Register (.csv)",
        "Update history (.xlsx)",
        "Update history (.csv)",
    ]


def test_upload_shows_the_dry_run_and_one_button_imports_it(open_app: Any, db: Engine) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), SAMPLE.name, SAMPLE.read_bytes())
    no_exception(at)
    assert _metrics(at) == {
        "To create": "0",
        "To update": "42",
        "Unchanged": "0",
        "People to add": "0",
        "Problems": "0",
    }
    changes = _table(at, "Row", "Ref", "Field", "From", "To")  # one row per changed field
    assert {"Lead Officer", "RAG", "Latest Update"} <= set(changes["Field"])
    before = count_rows(db)
    assert count_rows(db) == before  # showing the dry run wrote nothing
    at = button(at, IMPORT_ALL).click().run()
    no_exception(at)
    assert shown(at, "Imported send-action-plan-sample.xlsx: 0 actions created, 42 updated")
    assert at.file_uploader[0].value is None  # cleared, so it cannot be imported twice by mistake
    with session_scope(db) as session:
        p11 = session.exec(select(Action).where(Action.reference == "P1.1")).one()
        assert (p11.rag, p11.version) == ("green", 2)


def test_problems_are_a_table_and_only_skipping_them_allows_an_import(
    open_app: Any, db: Engine
) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), "messy.xlsx", messy_workbook())
    no_exception(at)
    problems = _table(at, "Row", "Column", "Value", "Problem")
    assert dict(zip(problems["Row"], problems["Column"], strict=True)) == MESSY_PROBLEMS
    # The row whose due date is "TBC" is imported too when problems are skipped, keeping
    # the action's due date.
    taken = len(MESSY_VALID | MESSY_KEPT)
    assert button(at, f"Import {taken} actions").disabled
    before = count_rows(db)
    at.checkbox[0].check()
    at = at.run()
    at = button(at, f"Import {taken} actions").click().run()
    no_exception(at)
    after = count_rows(db)
    assert after["action_update"] == before["action_update"] + taken


def test_a_change_made_after_the_dry_run_stops_the_import(open_app: Any, db: Engine) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), SAMPLE.name, SAMPLE.read_bytes())
    add_update(db, "P1.1", rag="red", commentary="Changed while the admin looked")
    before = count_rows(db)
    at = button(at, IMPORT_ALL).click().run()
    no_exception(at)
    assert any("Nothing was imported: P1.1 changed after the dry run" in e for e in _errors(at))
    assert count_rows(db) == before
    # The fresh dry run: P1.1's row is now older than its newest update, so it is a problem.
    assert (_metrics(at)["To update"], _metrics(at)["Problems"]) == ("41", "1")


@pytest.mark.parametrize("content", [b"not a workbook at all"])
def test_an_unreadable_file_is_one_clear_error(open_app: Any, content: bytes) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), "plan.xlsx", content)
    no_exception(at)
    assert _errors(at) == ["plan.xlsx is not an Excel workbook (.xlsx)"]


def test_download_files_are_made_on_click_without_a_streamlit_session(db: Engine) -> None:
    """The register's buttons hand Streamlit a function it runs on its own thread at the
    click: it must make the filtered file from plain values alone."""
    with session_scope(db) as session:
        admin = actor(session, ADMIN)
    add_update(db, "P2.3", rag="amber", commentary="=1+1")
    made: dict[str, bytes] = {}

    def click(name: str, history: bool) -> None:
        make = prepare_export(
            person_id=admin.person_id,
            bound=db,
            day=date(2026, 10, 1),
            config=load_governance(GOVERNANCE_FILE),
            filters=ActionFilter(priority=2),
            history=history,
            fmt="csv",
        )
        made[name] = make()

    threads = [
        threading.Thread(target=click, args=(n, n == "history")) for n in ("register", "history")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    register = list(csv.DictReader(io.StringIO(made["register"].decode("utf-8-sig"))))
    assert register and {row["Ref"][:3] for row in register} == {"P2."}
    history = list(csv.DictReader(io.StringIO(made["history"].decode("utf-8-sig"))))
    assert [(row["Ref"], row["Commentary"]) for row in history] == [("P2.3", "'=1+1")]


def test_a_workbook_of_many_sheets_shows_each_sheet_and_can_be_narrowed(open_app: Any) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), "delivery-plan.xlsx", acceptance_workbook())
    no_exception(at)
    read = _table(at, "Sheet", "Header row", "Rows read", "Actions found", "Problems")
    assert list(read["Sheet"]) == ["Priority 1", "Meeting needs", "Preparation"]
    assert list(read["Actions found"]) == [6, 4, 3]
    skipped = _table(at, "Sheet skipped", "Why")
    assert list(skipped["Sheet skipped"]) == ["Cover", "Key", "Instructions"]
    problems = _table(at, "Sheet", "Row", "Column", "Value", "Problem")
    assert ("Priority 1", 9, "#7030A0") in set(
        zip(problems["Sheet"], problems["Row"], problems["Value"], strict=True)
    )
    notes = _table(at, "Sheet", "Row", "Column", "Value", "Read as")
    assert ("Meeting needs", 3, "Mar-26", "read as 31 Mar 2026 (end of March 2026)") in set(
        zip(notes["Sheet"], notes["Row"], notes["Value"], notes["Read as"], strict=True)
    )
    at.multiselect[0].set_value(["Preparation"])
    at = at.run()
    no_exception(at)
    assert _metrics(at)["To create"] == "0" and _metrics(at)["To update"] == "3"
    captions = [re.sub(r"\\(.)", r"\1", d.value) for d in at.caption]
    assert "delivery-plan.xlsx: 1 sheet read, 5 skipped." in captions


def test_skipping_rows_is_agreed_again_for_each_fresh_check(open_app: Any, db: Engine) -> None:
    """A tick to skip the rows listed does not carry over to rows the person never saw."""
    at = _upload(open_app(ADMIN, page=PAGE), "messy.xlsx", messy_workbook())
    at.checkbox[0].check()
    at = at.run()
    taken = len(MESSY_VALID) + len(MESSY_KEPT)  # the kept rows keep their stored due date
    assert not button(at, f"Import {taken} actions").disabled
    # Someone updates P2.3 meanwhile: the commit is refused and the file is checked afresh.
    add_update(db, "P2.3", rag="red", commentary="Changed while the admin looked")
    before = count_rows(db)
    at = button(at, f"Import {taken} actions").click().run()
    no_exception(at)
    assert any("Nothing was imported" in e for e in _errors(at))
    assert count_rows(db) == before
    assert at.checkbox[0].value is False  # asked again, for the problems listed now
    assert all(b.disabled for b in at.button if b.label.startswith("Import "))


def test_rows_with_new_problems_are_not_skipped_without_being_seen(db: Engine) -> None:
    from tests.importer.conftest import run_import
    from tracker.services.plans._importer import ImportConflict

    before = count_rows(db)
    seen = run_import(db, messy_workbook(), filename="messy.xlsx").problem_places
    assert len(seen) > 1
    with pytest.raises(ImportConflict, match="now have problems the dry run did not show"):
        run_import(
            db,
            messy_workbook(),
            filename="messy.xlsx",
            commit=True,
            skip_invalid=True,
            expected_problem_rows=seen[:-1],  # the last was not listed when agreed
        )
    assert count_rows(db) == before
    report = run_import(
        db,
        messy_workbook(),
        filename="messy.xlsx",
        commit=True,
        skip_invalid=True,
        expected_problem_rows=seen,
    )
    assert report.committed


def test_another_file_after_a_choice_of_sheets_starts_afresh(open_app: Any) -> None:
    at = _upload(open_app(ADMIN, page=PAGE), "delivery-plan.xlsx", acceptance_workbook())
    at.multiselect[0].set_value(["Preparation"])
    at = _upload(at.run(), SAMPLE.name, SAMPLE.read_bytes())
    no_exception(at)
    assert len(at.multiselect) == 0  # one sheet: nothing to choose
    assert _metrics(at)["To update"] == "42"


def test_a_changed_risk_in_the_risks_sheet_is_listed_and_imported(
    open_app: Any, db: Engine
) -> None:
    from tests.importer.test_risk_sheet import _edit, _export, _risks
    from tracker.models import Risk

    _risks(db)
    edited = _edit(_export(db), {(2, "Likelihood"): 3})
    at = _upload(open_app(ADMIN, page=PAGE), "plan.xlsx", edited)
    no_exception(at)
    risks = _table(at, "Row", "Ref", "Risk", "Outcome")
    assert list(risks["Ref"]) == ["R1", "R2", "R3"]
    assert list(risks["Outcome"]) == ["Changed (rescored)", "Unchanged", "Unchanged"]
    assert risks["Changes"].iloc[0] == "Likelihood: 4 -> 3"
    at = button(at, "Import 0 actions and 1 risk").click().run()
    no_exception(at)
    assert shown(at, "risks: 0 created, 1 updated")
    with session_scope(db) as session:
        risk = session.exec(select(Risk).where(Risk.reference == "R1")).one()
        assert (risk.likelihood, risk.impact) == (3, 5)
