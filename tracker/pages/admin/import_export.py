"""Import and export (administrators): bring in an Excel action plan; take the plan out.

Uploading a plan runs a dry run straight away and shows, as tables, the sheets read (rows read,
actions found, problems) and those skipped with the reason, what would be created, updated
(field by field) and left alone, the people who would be added, every problem with its sheet,
row, column and value, and how fill colours and dates that were not plain dates were read. A
workbook with several sheets offers a choice of sheets, which runs the dry run again. One
button commits it, all or nothing, or only the valid rows when "skip rows with problems" is
ticked. The commit checks that no action changed since the dry
run was shown; if one did, nothing is written and the fresh dry run is shown instead.
The export tab offers the whole register and its history for download.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from tracker.db import session_scope
from tracker.formatting import plural
from tracker.permissions import Actor, Operation, can
from tracker.services.plans import ImportReport, RowError, import_plan
from tracker.services.register import ActionFilter
from tracker.ui.components import escape_markdown
from tracker.ui.context import current_actor, engine, governance
from tracker.ui.downloads import show_register_downloads
from tracker.ui.errors import showing_errors

REPORT_KEY = "import_export.report"
UPLOAD_GENERATION_KEY = "import_export.upload_generation"
FLASH_KEY = "import_export.flash"
SKIP_KEY = "import_export.skip_invalid"
SHEETS_KEY = "import_export.sheets"


def _run_import(
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    commit: bool = False,
    skip_invalid: bool = False,
    expected: ImportReport | None = None,
    sheets: tuple[str, ...] = (),
) -> ImportReport:
    with session_scope(engine(), write=commit) as session:
        return import_plan(
            session,
            actor=actor,
            source=data,
            filename=filename,
            commit=commit,
            skip_invalid=skip_invalid,
            expected_versions=expected.versions if expected else None,
            sheets=sheets,
            governance=governance(),
            expected_problem_rows=expected.problem_places if expected else None,
        )


def _dry_run(
    actor: Actor, data: bytes, filename: str, sheets: tuple[str, ...] = ()
) -> ImportReport | None:
    """The dry run for this upload (and choice of sheets), made once and kept for reruns."""
    fingerprint = (filename, hashlib.sha256(data).hexdigest(), sheets)
    kept = st.session_state.get(REPORT_KEY)
    if isinstance(kept, tuple) and kept[0] == fingerprint:
        report: ImportReport = kept[1]
        return report
    with showing_errors() as outcome, st.spinner("Checking the plan…"):
        report = _run_import(actor, data, filename, sheets=sheets)
    if outcome.failed:
        return None
    # Agreeing to skip rows is for the problems listed, so a new file or a fresh check of the
    # same one asks again rather than carrying the tick over to rows never seen.
    st.session_state.pop(SKIP_KEY, None)
    st.session_state[REPORT_KEY] = (fingerprint, report)
    return report


def _table(rows: list[dict[str, Any]], empty: str) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(empty)


def _show_counts(report: ImportReport) -> None:
    columns = st.columns(5)
    columns[0].metric("To create", len(report.created))
    columns[1].metric("To update", len(report.updated))
    columns[2].metric("Unchanged", len(report.unchanged))
    columns[3].metric("People to add", len(report.people))
    columns[4].metric("Problems", len(report.problems))


def _show_sheets(report: ImportReport) -> None:
    """Which sheets were read (and what each held) and which were skipped, and why."""
    if len(report.sheets) <= 1 and not report.skipped_sheets:
        st.caption(
            escape_markdown(
                f"{report.filename}: sheet '{report.sheet_name}', header on row "
                f"{report.header_row}."
            )
        )
        return
    st.caption(
        escape_markdown(
            f"{report.filename}: {plural(len(report.sheets), 'sheet')} read, "
            f"{len(report.skipped_sheets)} skipped."
        )
    )
    read = [
        {
            "Sheet": sheet.name,
            "Header row": sheet.header_row,
            "Rows read": sheet.rows_read,
            "Actions found": sheet.actions_found,
            "Problems": sheet.problems,
            "Priority from its name": "" if sheet.priority is None else f"{sheet.priority}",
        }
        for sheet in report.sheets
    ]
    _table(read, "No sheet was read.")
    if report.skipped_sheets:
        skipped = [{"Sheet skipped": s.name, "Why": s.reason} for s in report.skipped_sheets]
        _table(skipped, "")


def _cells(items: tuple[RowError, ...], *, many_sheets: bool, last: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {"Sheet": item.sheet or ""} if many_sheets else {}
        row.update(
            {
                "Row": item.row,
                "Column": item.column or "",
                "Value": item.value or "",
                last: item.message,
            }
        )
        rows.append(row)
    return rows


def _show_report(report: ImportReport) -> None:
    _show_sheets(report)
    if report.ignored_columns:
        st.info("Columns not imported: " + escape_markdown(", ".join(report.ignored_columns)))
    _show_counts(report)
    many = len(report.sheets) > 1
    tabs = st.tabs(
        [
            f"Problems ({len(report.problems)})",
            f"To create ({len(report.created)})",
            f"To update ({len(report.updated)})",
            f"Unchanged ({len(report.unchanged)})",
            f"People to add ({len(report.people)})",
            f"How cells were read ({len(report.notes)})",
            *([f"Risks ({len(report.risks)})"] if report.has_risk_sheet else []),
        ]
    )
    where: dict[str, Any] = {}
    with tabs[0]:
        _table(_cells(report.problems, many_sheets=many, last="Problem"), "No problems found.")
    with tabs[1]:
        created = [
            {
                **({"Sheet": a.sheet or ""} if many else where),
                "Row": a.row,
                "Ref": a.reference,
                "Action": a.title,
                "Details": "; ".join(f"{c.field}: {c.new}" for c in a.changes if c.new != a.title),
            }
            for a in report.created
        ]
        _table(created, "No new actions.")
    with tabs[2]:
        changes = [
            {
                **({"Sheet": a.sheet or ""} if many else where),
                "Row": a.row,
                "Ref": a.reference,
                "Field": c.field,
                "From": c.old,
                "To": c.new,
            }
            for a in report.updated
            for c in a.changes
        ]
        _table(changes, "No action would change.")
    with tabs[3]:
        same = [
            {
                **({"Sheet": a.sheet or ""} if many else where),
                "Row": a.row,
                "Ref": a.reference,
                "Action": a.title,
            }
            for a in report.unchanged
        ]
        _table(same, "No action is left as it is.")
    with tabs[4]:
        people = [
            {"Name": p.name, "E-mail": p.email, "Organisation": p.organisation, "First row": p.row}
            for p in report.people
        ]
        _table(people, "Everyone named is already known.")
    with tabs[5]:
        _table(
            _cells(report.notes, many_sheets=many, last="Read as"),
            "Every RAG was typed and every date was a plain date.",
        )
    if report.has_risk_sheet:
        with tabs[6]:
            _show_risks(report)


_RISK_OUTCOMES = {"create": "New risk", "update": "Changed", "unchanged": "Unchanged"}


def _show_risks(report: ImportReport) -> None:
    """The Risks sheet's rows: what each would create or change (rows with problems are in
    the Problems tab, under the sheet "Risks")."""
    refused = {row for sheet, row in report.problem_places if sheet == "Risks"}
    rows = [
        {
            "Row": r.row,
            "Ref": r.reference,
            "Risk": r.title,
            "Outcome": "Has problems"
            if r.row in refused
            else _RISK_OUTCOMES[r.outcome] + (" (rescored)" if r.rescored else ""),
            "Changes": "; ".join(
                f"{c.field}: {c.old or '(blank)'} -> {c.new}"
                if r.outcome == "update"
                else f"{c.field}: {c.new}"
                for c in r.changes
            ),
        }
        for r in report.risks
    ]
    _table(rows, "The Risks sheet has no rows.")


def _choose_sheets(report: ImportReport, data: bytes) -> tuple[str, ...] | None:
    """A choice of sheets for a workbook with more than one; None keeps the default (all
    sheets whose header maps)."""
    if len(report.workbook_sheets) <= 1:
        return None
    read = [sheet.name for sheet in report.sheets]
    chosen = st.multiselect(
        "Sheets to import",
        options=list(report.workbook_sheets),
        default=read,
        # One choice per file: another upload starts from its own sheets.
        key=f"{SHEETS_KEY}.{hashlib.sha256(data).hexdigest()[:16]}",
        help="Every sheet whose header row names plan columns is read; choose fewer here.",
    )
    if not chosen:
        st.warning("Choose at least one sheet to import.")
        return ()
    return None if chosen == read else tuple(chosen)


def _show_commit(
    actor: Actor, report: ImportReport, data: bytes, filename: str, sheets: tuple[str, ...]
) -> None:
    skip = False
    if report.problems:
        kept = len(report.kept_places)
        label = f"Skip the {plural(len(report.refused_places), 'row')} with problems"
        if kept:
            label += (
                f" (and take {plural(kept, 'row')} whose due date names no day, keeping the "
                "action's current due date)"
            )
        skip = st.checkbox(f"{label} and import the rest", key=SKIP_KEY)
        if not skip:
            st.warning("Fix the problems and upload the file again, or skip those rows.")
    risk_writes = len(report.risks_with("create")) + len(report.risks_with("update"))
    writes = len(report.created) + len(report.updated) + risk_writes
    label = f"Import {plural(len(report.created) + len(report.updated), 'action')}"
    if risk_writes:
        label += f" and {plural(risk_writes, 'risk')}"
    if not st.button(
        label, type="primary", disabled=(bool(report.problems) and not skip) or writes == 0
    ):
        if writes == 0 and not report.problems:
            st.success("Everything in this file is already in the tracker.")
        return
    with showing_errors(show=False) as outcome:
        result = _run_import(
            actor,
            data,
            filename,
            commit=True,
            skip_invalid=skip,
            expected=report,
            sheets=sheets,
        )
    if outcome.failed:
        # Drop the stale dry run: the rerun checks the file afresh and shows why.
        st.session_state.pop(REPORT_KEY, None)
        st.session_state[FLASH_KEY] = ("error", f"Nothing was imported: {outcome.error}")
        st.rerun()
    st.session_state.pop(REPORT_KEY, None)
    if not result.committed:  # the file was checked again and now has problems
        st.session_state[FLASH_KEY] = ("error", "Nothing was imported: see the problems below.")
        st.rerun()
    st.session_state[FLASH_KEY] = (
        "success",
        f"Imported {result.filename}: {len(result.created)} actions created, "
        f"{len(result.updated)} updated, {len(result.people)} people added"
        + (
            f"; risks: {len(result.risks_with('create'))} created, "
            f"{len(result.risks_with('update'))} updated."
            if result.has_risk_sheet
            else "."
        ),
    )
    # A new uploader key clears the file, so the same plan is not offered twice.
    st.session_state[UPLOAD_GENERATION_KEY] = st.session_state.get(UPLOAD_GENERATION_KEY, 0) + 1
    st.rerun()


def _show_import(actor: Actor) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        (st.success if kind == "success" else st.error)(escape_markdown(message))
    st.markdown(
        "Upload the plan as **.xlsx** or **.csv**. Every sheet whose header row names plan "
        "columns is read (a cover, key or instructions sheet is skipped), and the header row "
        "may sit below a title; columns such as Ref or No., Action, Lead Officer, Lead Officer "
        "Email, Target Date, RAG and Latest Update are recognised. A RAG left blank is read "
        "from the cell's fill colour; due dates may be months (March 2026) or financial "
        "quarters (Q3 2025/26). Actions are matched by reference and updated in place; blank "
        "cells leave what is stored as it is. Nothing is written until you import."
    )
    generation = st.session_state.get(UPLOAD_GENERATION_KEY, 0)
    upload = st.file_uploader(
        "Action plan", type=["xlsx", "csv"], key=f"import_export.upload.{generation}"
    )
    if upload is None:
        st.session_state.pop(REPORT_KEY, None)
        return
    data = upload.getvalue()
    report = _dry_run(actor, data, upload.name)
    if report is None:
        return
    sheets: tuple[str, ...] = ()
    chosen = _choose_sheets(report, data)
    if chosen == ():
        return
    if chosen is not None:
        sheets = chosen
        report = _dry_run(actor, data, upload.name, sheets)
        if report is None:
            return
    _show_report(report)
    _show_commit(actor, report, data, upload.name, sheets)


def main() -> None:
    actor = current_actor()
    st.title("Import and export", anchor=False)
    if not can(actor, Operation.IMPORT_PLAN):
        st.error("Only administrators may import and export the plan here.")
        return
    import_tab, export_tab = st.tabs(["Import a plan", "Export"])
    with import_tab:
        _show_import(actor)
    with export_tab:
        show_register_downloads(ActionFilter())
        st.caption(
            "Backups are made on the server with `tracker backup FILE`, and restored into an "
            "empty database with `tracker restore FILE`."
        )


main()
