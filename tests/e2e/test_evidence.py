"""In Chromium: an owner uploads a PDF on the action's Evidence tab and downloads it back, served
as an attachment (``Content-Disposition: attachment``) with its own type, byte for byte; a
program renamed ``.pdf`` is refused with the reason under the file, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.e2e.conftest import OWNER_SUB, RunningApp, screenshot, wait_for_app
from tests.e2e.test_browser import sign_in
from tests.services.evidence import samples
from tracker.db import make_engine, session_scope
from tracker.models import Evidence

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

PATH = "/action?action=P2.3"


@pytest.fixture
def owner_page(browser, tracker_app: RunningApp) -> Iterator:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, tracker_app, OWNER_SUB, path=PATH)
    page.goto(tracker_app.url + PATH)
    wait_for_app(page)
    yield page
    context.close()


def _stored(app: RunningApp) -> int:
    engine = make_engine(app.database_url)
    try:
        with session_scope(engine) as session:
            return session.exec(select(func.count()).select_from(Evidence)).one()
    finally:
        engine.dispose()


def _open_tab(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Evidence").click()
    page.get_by_text("Add evidence", exact=True).wait_for()


def _upload(page, path: Path, note: str) -> None:  # type: ignore[no-untyped-def]
    # The Evidence tab's uploader (the update form, on the first tab, has one too).
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    page.get_by_label("Note: what does it show?").fill(note)
    page.get_by_role("button", name="Add the file").click()
    wait_for_app(page)


def test_an_owner_uploads_evidence_and_downloads_it_as_an_attachment(
    owner_page, tracker_app: RunningApp, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    _open_tab(page)
    program = tmp_path / "program.pdf"
    program.write_bytes(samples.windows_program())
    _upload(page, program, "Should never be kept")
    expect(
        page.get_by_text("program.pdf is not a PDF: its content is a Windows program")
    ).to_be_visible()
    assert _stored(tracker_app) == 0
    screenshot(page, "evidence-refused")

    data = samples.pdf()
    report = tmp_path / "EP recruitment.pdf"
    report.write_bytes(data)
    page.get_by_label("Note: what does it show?").fill("")
    _upload(page, report, "Recruitment position for the Operations Board")
    # The page opens on the Evidence tab again, saying what was added.
    expect(page.get_by_text("EP recruitment.pdf is added to P2.3.")).to_be_visible()
    assert _stored(tracker_app) == 1
    screenshot(page, "evidence-added")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download").first.click()
    download = info.value
    assert download.suggested_filename == "EP recruitment.pdf"
    assert Path(download.path()).read_bytes() == data
    # The same URL as the browser fetched it: an attachment of its own type, never inline.
    served = page.request.get(download.url)
    assert served.status == 200 and served.body() == data
    assert served.headers["content-disposition"] == 'attachment; filename="EP recruitment.pdf"'
    assert served.headers["content-type"].startswith("application/pdf")


def _updates_and_files(app: RunningApp) -> tuple[int, list[tuple[str, int | None]]]:
    from tracker.models import ActionUpdate

    engine = make_engine(app.database_url)
    try:
        with session_scope(engine) as session:
            updates = session.exec(select(func.count()).select_from(ActionUpdate)).one()
            files = [(e.filename, e.update_id) for e in session.exec(select(Evidence)).all()]
            return updates, files
    finally:
        engine.dispose()


def test_an_update_carries_an_evidence_file_or_saves_nothing(
    owner_page, tracker_app: RunningApp, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = owner_page
    page.get_by_role("tab", name="Record an update").click()
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    updates_before, files_before = _updates_and_files(tracker_app)

    program = tmp_path / "minutes.docx"
    program.write_bytes(samples.windows_program())
    page.locator('[data-testid="stRadio"]').get_by_text("Amber", exact=True).click()
    page.get_by_label("Commentary", exact=True).fill("Two trainee EPs started; minutes attached.")
    page.get_by_label("Path to green", exact=True).fill("Two more posts out to advert.")
    uploader.set_input_files(str(program))
    screenshot(page, "evidence-update-form")
    page.get_by_text("minutes.docx").first.wait_for()
    page.get_by_role("button", name="Save update").click()
    wait_for_app(page)
    expect(
        page.get_by_text("minutes.docx is not a Word document: its content is a Windows program")
    ).to_be_visible()
    assert _updates_and_files(tracker_app) == (updates_before, files_before)
    expect(page.get_by_label("Commentary", exact=True)).to_have_value(
        "Two trainee EPs started; minutes attached."
    )

    minutes = tmp_path / "Board minutes.pdf"
    minutes.write_bytes(samples.pdf())
    # A single-file uploader takes the new file in place of the refused one.
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(minutes))
    page.get_by_text("Board minutes.pdf").first.wait_for()
    page.get_by_role("button", name="Save update").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved the update on P2.3")).to_be_visible()
    updates, files = _updates_and_files(tracker_app)
    assert updates == updates_before + 1
    [(name, update_id)] = [f for f in files if f not in files_before]
    assert name == "Board minutes.pdf" and update_id is not None
    screenshot(page, "evidence-with-update")
