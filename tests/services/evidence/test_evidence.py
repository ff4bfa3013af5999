"""Evidence files through the service, on SQLite and PostgreSQL, kept in the database and in a
file store: what is kept byte for byte, what is refused (and that nothing is then left behind),
who may add, see, download, supersede and delete, and what the audit trail says."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, func, select

from tests.factories import ADMIN, EXECUTIVE, HEAD_OF_SEND, OPERATOR, PARTNER, SECRETARY_SIB, actor
from tests.services.evidence import samples
from tracker.db import session_scope
from tracker.errors import InvalidInput, OperationFailed
from tracker.models import Action, AuditLog, Evidence, EvidenceChunk, Person, Workstream
from tracker.permissions import PermissionDenied
from tracker.services.evidence import (
    CHUNK_BYTES,
    EvidenceRefused,
    EvidenceStore,
    EvidenceSuperseded,
    add_evidence,
    delete_evidence,
    list_evidence,
    open_evidence,
    set_shareable,
    supersede_evidence,
)

EP = "principal.ep@example.org"  # owns P2.4, not P2.3; not an administrator


@pytest.fixture(params=["database", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EvidenceStore:
    if request.param == "database":
        return EvidenceStore()
    return EvidenceStore(directory=tmp_path / "evidence-store")


def _add(
    engine: Engine,
    store: EvidenceStore,
    data: bytes | io.IOBase,
    filename: str = "report.pdf",
    *,
    by: str = HEAD_OF_SEND,
    reference: str = "P2.3",
    **options: object,
) -> int:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    with session_scope(engine, write=True) as session:
        evidence = add_evidence(
            session,
            actor(session, by),
            reference,
            stream,  # type: ignore[arg-type]
            filename,
            store=store,
            **options,  # type: ignore[arg-type]
        )
        assert evidence.id is not None
        return evidence.id


def _read(engine: Engine, store: EvidenceStore, evidence_id: int, by: str = ADMIN) -> bytes:
    with session_scope(engine, write=True) as session:
        return open_evidence(session, actor(session, by), evidence_id, store=store).read_all()


def _nothing_kept(engine: Engine, store: EvidenceStore) -> None:
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Evidence)).one() == 0
        assert session.exec(select(func.count()).select_from(EvidenceChunk)).one() == 0
    if store.directory is not None and store.directory.exists():
        assert list(store.directory.iterdir()) == []


def _audit(engine: Engine, field: str = "evidence") -> list[AuditLog]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(AuditLog).where(AuditLog.field == field).order_by(col(AuditLog.id))
            ).all()
        )


def test_a_pdf_is_kept_byte_for_byte_with_its_checksum(
    engine: Engine, store: EvidenceStore
) -> None:
    data = samples.pdf() + b"%" * (2 * CHUNK_BYTES + 17)  # three chunks
    evidence_id = _add(engine, store, data, note="  EP figures  ", shareable=True)
    assert _read(engine, store, evidence_id) == data
    with session_scope(engine) as session:
        rows = list_evidence(session, actor(session, EXECUTIVE), "P2.3")
        chunks = session.exec(select(func.count()).select_from(EvidenceChunk)).one()
    assert [r.filename for r in rows] == ["report.pdf"]
    row = rows[0]
    assert (row.kind, row.content_type, row.size_bytes) == ("pdf", "application/pdf", len(data))
    assert row.note == "EP figures" and row.shareable and row.added_by == "Head of SEND Service"
    import hashlib

    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert chunks == (3 if store.directory is None else 0)
    if store.directory is not None:
        files = list(store.directory.iterdir())
        assert len(files) == 1 and files[0].name.startswith(row.sha256)
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    added = _audit(engine)[-1]
    assert added.entity == "action" and added.actor_label == HEAD_OF_SEND
    assert "report.pdf" in (added.new or "") and row.sha256 in (added.new or "")
    downloaded = _audit(engine, "downloaded")[-1]
    assert downloaded.actor_label == ADMIN and row.sha256 in (downloaded.new or "")


ACCEPTED: list[tuple[str, Callable[[], bytes], str]] = [
    ("minutes.pdf", samples.pdf, "pdf"),
    ("notes.docx", samples.docx, "docx"),
    ("figures.xlsx", samples.xlsx, "xlsx"),
    ("slides.pptx", samples.pptx, "pptx"),
    ("old minutes.doc", samples.word97, "doc"),
    ("old figures.xls", samples.excel97, "xls"),
    ("old slides.ppt", samples.powerpoint97, "ppt"),
    ("forwarded.msg", samples.outlook_message, "msg"),
    ("chart.png", samples.png, "png"),
    ("photo.JPG", samples.jpeg, "jpeg"),
    ("photo.jpeg", samples.jpeg, "jpeg"),
    ("icon.gif", samples.gif, "gif"),
    ("extract.csv", samples.csv_utf8, "csv"),
    ("costs.csv", samples.csv_cp1252, "csv"),
    ("update.eml", samples.eml, "eml"),
]


@pytest.mark.parametrize(("filename", "make", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_kind_is_recognised_by_its_content(
    sqlite_engine: Engine, filename: str, make: Callable[[], bytes], kind: str
) -> None:
    store, data = EvidenceStore(), make()
    evidence_id = _add(sqlite_engine, store, data, filename)
    with session_scope(sqlite_engine) as session:
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None and evidence.kind == kind
    assert _read(sqlite_engine, store, evidence_id) == data


REFUSED_CONTENT: list[tuple[str, Callable[[], bytes], str]] = [
    (
        "program.pdf",
        samples.windows_program,
        "program.pdf is not a PDF: its content is a Windows program",
    ),
    (
        "program.docx",
        samples.windows_program,
        "is not a Word document: its content is a Windows program",
    ),
    ("tool.pdf", samples.linux_program, "its content is a Linux program"),
    ("app.png", samples.macos_program, "its content is a macOS program"),
    ("install.csv", samples.script, "install.csv is not a CSV file: its content is a script"),
    ("page.pdf", samples.html, "its content is a web page (HTML)"),
    ("drawing.png", samples.svg, "its content is an SVG image"),
    (
        "figures.xlsx",
        samples.plain_zip,
        "figures.xlsx is not an Excel workbook: its content is a zip archive",
    ),
    ("notes.docx", samples.docm, "its content is an Office file with macros"),
    ("minutes.pdf", samples.seven_zip, "its content is an archive"),
    ("extract.csv", samples.gzip_file, "its content is a compressed archive"),
    ("notes.docx", samples.pdf, "notes.docx is not a Word document: its content is a PDF"),
    (
        "slides.pptx",
        samples.docx,
        "is not a PowerPoint presentation: its content is a Word document",
    ),
    ("photo.jpg", samples.png, "photo.jpg is not a JPEG image: its content is a PNG image"),
    ("minutes.pdf", samples.csv_utf8, "minutes.pdf is not a PDF: its content is text"),
    ("minutes.doc", samples.pdf, "is not a Word 97-2003 document: its content is a PDF"),
    (
        "minutes.doc",
        samples.excel97,
        "minutes.doc is not a Word 97-2003 document: its content is an Excel 97-2003 workbook",
    ),
    (
        "figures.xls",
        samples.outlook_message,
        "is not an Excel 97-2003 workbook: its content is an Outlook message",
    ),
    ("setup.doc", samples.windows_installer, "its content is a compound file that is not Word"),
    ("broken.msg", lambda: samples.word97()[:700], "its content is a damaged Office 97-2003 file"),
    ("extract.csv", lambda: b"a,b\x00c\n", "extract.csv is not a CSV file: its content is binary"),
    (
        "update.eml",
        samples.csv_utf8,
        "update.eml is not an e-mail (.eml): its content is text without",
    ),
]


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    REFUSED_CONTENT,
    ids=[f"{r[0]}-{r[1].__name__}" for r in REFUSED_CONTENT],
)
def test_content_that_is_not_what_the_name_says_is_refused_and_nothing_is_kept(
    sqlite_engine: Engine, tmp_path: Path, filename: str, make: Callable[[], bytes], message: str
) -> None:
    store = EvidenceStore(directory=tmp_path / "store")
    with pytest.raises(EvidenceRefused, match=_literal(message)):
        _add(sqlite_engine, store, make(), filename)
    _nothing_kept(sqlite_engine, store)


def _literal(text: str) -> str:
    import re

    return re.escape(text)


@pytest.mark.parametrize(
    "filename", ["program.exe", "page.html", "drawing.svg", "script.js", "archive.zip", "README"]
)
def test_refused_kinds_of_file_are_refused_by_name(sqlite_engine: Engine, filename: str) -> None:
    store = EvidenceStore()
    with pytest.raises(EvidenceRefused, match=f"{_literal(filename)}: files .* not accepted"):
        _add(sqlite_engine, store, samples.pdf(), filename)
    _nothing_kept(sqlite_engine, store)


@pytest.mark.parametrize(
    "filename", ["../x.pdf", "a/b.pdf", "C:\\x.pdf", "..\\..\\x.pdf", "C:x.pdf"]
)
def test_a_name_with_a_path_in_it_is_refused(sqlite_engine: Engine, filename: str) -> None:
    store = EvidenceStore()
    with pytest.raises(EvidenceRefused, match="must not contain a folder or drive"):
        _add(sqlite_engine, store, samples.pdf(), filename)
    _nothing_kept(sqlite_engine, store)


def test_an_empty_file_is_refused(engine: Engine, store: EvidenceStore) -> None:
    with pytest.raises(EvidenceRefused, match=r"report\.pdf is empty \(0 bytes\)"):
        _add(engine, store, b"")
    _nothing_kept(engine, store)


def test_a_file_over_the_limit_is_refused_naming_its_size_and_the_limit(
    engine: Engine, store: EvidenceStore
) -> None:
    small = EvidenceStore(directory=store.directory, max_bytes=2 * CHUNK_BYTES)
    data = samples.pdf() + b"%" * (3 * CHUNK_BYTES)
    with pytest.raises(EvidenceRefused) as refused:
        _add(engine, small, data, "big.pdf")
    assert str(refused.value) == (
        f"big.pdf is 3.0 MB ({len(data):,} bytes); the limit for an evidence file is 2 MB"
    )
    _nothing_kept(engine, store)


def test_a_stream_of_unknown_length_over_the_limit_stops_being_read(sqlite_engine: Engine) -> None:
    stream = samples.Interrupted(before=10 * CHUNK_BYTES)
    small = EvidenceStore(max_bytes=CHUNK_BYTES)
    with pytest.raises(EvidenceRefused, match=r"big\.pdf is more than 2 MB .* limit .* 1 MB"):
        _add(sqlite_engine, small, stream, "big.pdf")  # type: ignore[arg-type]
    _nothing_kept(sqlite_engine, small)


def test_an_upload_interrupted_half_way_leaves_nothing_behind(
    engine: Engine, store: EvidenceStore
) -> None:
    stream = samples.Interrupted(before=3 * CHUNK_BYTES)
    with pytest.raises(OperationFailed, match=r"report\.pdf was not stored: .*interrupted"):
        _add(engine, store, stream)  # type: ignore[arg-type]
    _nothing_kept(engine, store)


def test_a_stored_file_is_removed_when_its_transaction_rolls_back(
    tmp_path: Path, engine: Engine
) -> None:
    store = EvidenceStore(directory=tmp_path / "store")
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as session:
        add_evidence(
            session, actor(session, ADMIN), "P2.3", io.BytesIO(samples.pdf()), "a.pdf", store=store
        )
        assert len(list(store.directory.iterdir())) == 1  # type: ignore[union-attr]
        raise RuntimeError("the page failed after the upload")
    _nothing_kept(engine, store)


def _lead_action(engine: Engine) -> tuple[str, str]:
    """An action whose workstream lead is not its owner: (reference, lead's e-mail)."""
    with session_scope(engine) as session:
        for action, lead in session.exec(
            select(Action, Person.email)
            .join(Workstream, col(Workstream.id) == Action.workstream_id)
            .join(Person, col(Person.id) == Workstream.lead_id)
            .where(col(Action.owner_id) != Workstream.lead_id)
            .order_by(col(Action.id))
        ):
            return action.reference, lead
    raise AssertionError("no action led by someone else")


def test_owner_lead_and_administrator_may_add_and_no_one_else(engine: Engine) -> None:
    store = EvidenceStore()
    _add(engine, store, samples.pdf(), by=HEAD_OF_SEND)
    _add(engine, store, samples.pdf(), by=ADMIN)
    reference, lead = _lead_action(engine)
    _add(engine, store, samples.pdf(), by=lead, reference=reference)
    for who in (EP, PARTNER, SECRETARY_SIB, EXECUTIVE):
        with pytest.raises(PermissionDenied, match=r"may not add evidence P2\.3"):
            _add(engine, store, samples.pdf(), by=who)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Evidence)).one() == 3
    refused = _audit(engine, "operation refused")
    assert refused and refused[-1].actor_label == EXECUTIVE


def test_the_check_comes_before_the_file_is_read(sqlite_engine: Engine) -> None:
    stream = samples.Interrupted(before=0)  # would fail on the first read
    with pytest.raises(PermissionDenied):
        _add(sqlite_engine, EvidenceStore(), stream, by=PARTNER)  # type: ignore[arg-type]


ROLES = {
    "administrator": ADMIN,
    "executive": EXECUTIVE,
    "secretary": SECRETARY_SIB,
    "the action's owner": HEAD_OF_SEND,
    "another action's owner": EP,
    "partner": PARTNER,
}


@pytest.mark.parametrize("role", list(ROLES))
def test_who_sees_and_downloads_evidence(engine: Engine, store: EvidenceStore, role: str) -> None:
    word = samples.docx()
    shared = _add(engine, store, samples.pdf(), "shared.pdf", shareable=True)
    internal = _add(engine, store, word, "internal.docx")
    who = ROLES[role]
    with session_scope(engine) as session:
        listed = [r.filename for r in list_evidence(session, actor(session, who), "P2.3")]
    assert _read(engine, store, shared, by=who) == samples.pdf()
    if role == "partner":
        assert listed == ["shared.pdf"]
        with pytest.raises(PermissionDenied, match="view all evidence"):
            _read(engine, store, internal, by=who)
    else:
        assert sorted(listed) == ["internal.docx", "shared.pdf"]
        assert _read(engine, store, internal, by=who) == word


def test_sharing_changes_what_a_partner_sees_and_is_audited(engine: Engine) -> None:
    store = EvidenceStore()
    evidence_id = _add(engine, store, samples.pdf())
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        set_shareable(session, actor(session, PARTNER), evidence_id, True)
    with session_scope(engine, write=True) as session:
        set_shareable(session, actor(session, HEAD_OF_SEND), evidence_id, True)
    assert _read(engine, store, evidence_id, by=PARTNER) == samples.pdf()
    assert _audit(engine)[-1].new == "report.pdf shareable"


def test_superseded_evidence_stays_listed_last_with_who_and_why(
    engine: Engine, store: EvidenceStore
) -> None:
    old = _add(engine, store, samples.pdf(), "draft.pdf")
    _add(engine, store, samples.pdf(), "final.pdf")
    with session_scope(engine, write=True) as session:
        with pytest.raises(InvalidInput, match="a reason is required"):
            supersede_evidence(session, actor(session, HEAD_OF_SEND), old, "   ")
        with pytest.raises(PermissionDenied):
            supersede_evidence(session, actor(session, EP), old, "Replaced")
    with session_scope(engine, write=True) as session:
        supersede_evidence(session, actor(session, HEAD_OF_SEND), old, "Replaced by the final")
    with session_scope(engine, write=True) as session, pytest.raises(EvidenceSuperseded):
        supersede_evidence(session, actor(session, ADMIN), old, "Again")
    with session_scope(engine) as session:
        rows = list_evidence(session, actor(session, EXECUTIVE), "P2.3")
        current = list_evidence(session, OPERATOR, "P2.3", include_superseded=False)
    assert [(r.filename, r.superseded) for r in rows] == [("final.pdf", False), ("draft.pdf", True)]
    assert rows[1].superseded_by == "Head of SEND Service"
    assert rows[1].superseded_reason == "Replaced by the final"
    assert [r.filename for r in current] == ["final.pdf"]
    assert _read(engine, store, old) == samples.pdf()  # still there, never deleted
    assert _audit(engine)[-1].reason == "Replaced by the final"


def test_only_an_administrator_deletes_with_a_reason_and_the_bytes_go(
    engine: Engine, store: EvidenceStore
) -> None:
    evidence_id = _add(engine, store, samples.pdf() + b"%" * CHUNK_BYTES)
    with session_scope(engine) as session:
        sha = session.get(Evidence, evidence_id).sha256  # type: ignore[union-attr]
    with session_scope(engine, write=True) as session:
        with pytest.raises(PermissionDenied, match="may not delete evidence"):
            delete_evidence(
                session, actor(session, HEAD_OF_SEND), evidence_id, "Wrong file", store=store
            )
        with pytest.raises(InvalidInput, match="a reason is required to delete evidence"):
            delete_evidence(session, actor(session, ADMIN), evidence_id, "", store=store)
    assert _read(engine, store, evidence_id) != b""
    with session_scope(engine, write=True) as session:
        delete_evidence(
            session, actor(session, ADMIN), evidence_id, "Holds a child's name", store=store
        )
    _nothing_kept(engine, store)
    deleted = _audit(engine)[-1]
    assert deleted.actor_label == ADMIN and deleted.reason == "Holds a child's name"
    assert "report.pdf" in (deleted.old or "") and sha in (deleted.old or "")
    assert deleted.new == "deleted report.pdf"


def test_a_deletion_rolled_back_keeps_the_stored_file(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    store = EvidenceStore(directory=tmp_path / "store")
    evidence_id = _add(sqlite_engine, store, samples.pdf())
    with pytest.raises(RuntimeError), session_scope(sqlite_engine, write=True) as session:
        delete_evidence(session, actor(session, ADMIN), evidence_id, "Wrong file", store=store)
        raise RuntimeError("failed before the commit")
    assert _read(sqlite_engine, store, evidence_id) == samples.pdf()


def test_an_update_of_another_action_cannot_be_named(sqlite_engine: Engine) -> None:
    from tests.factories import add_update

    update = add_update(sqlite_engine, "P2.4")
    with pytest.raises(InvalidInput, match=f"update {update.id} is not an update of P2.3"):
        _add(sqlite_engine, EvidenceStore(), samples.pdf(), update_id=update.id, by=ADMIN)
    own = add_update(sqlite_engine, "P2.3")
    evidence_id = _add(sqlite_engine, EvidenceStore(), samples.pdf(), update_id=own.id)
    with session_scope(sqlite_engine) as session:
        row = list_evidence(session, OPERATOR, "P2.3")[0]
    assert row.id == evidence_id and row.update_id == own.id and row.update_created_at


def test_a_damaged_file_is_not_handed_out_as_evidence(sqlite_engine: Engine) -> None:
    evidence_id = _add(sqlite_engine, EvidenceStore(), samples.pdf())
    with session_scope(sqlite_engine, write=True) as session:
        chunk = session.get(EvidenceChunk, (evidence_id, 0))
        assert chunk is not None
        chunk.data = chunk.data.replace(b"EP", b"XX")
        session.add(chunk)
    with pytest.raises(OperationFailed, match="damaged"):
        _read(sqlite_engine, EvidenceStore(), evidence_id)
