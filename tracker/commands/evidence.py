"""``tracker evidence``: evidence files on actions from the command line, as the operator.

``add`` attaches a file (streamed, never read whole; checked by content, named, sized and
hashed exactly as an upload on the action's page is); ``list`` prints an action's files
(``--json`` one JSON array, superseded files included and marked); ``supersede`` and ``delete``
take a reason, and ``delete`` removes the bytes for good. Files go where the settings say
(``TRACKER_EVIDENCE_DIR``, else the database) up to ``TRACKER_EVIDENCE_MAX_MB``. A refused
file (its type, size, name or emptiness) prints why and stores nothing (exit 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.commands import app
from tracker.commands.common import cli_session, echo_table, fail, load_settings, operator
from tracker.formatting import format_date
from tracker.permissions import Actor
from tracker.services.evidence import (
    EvidenceRow,
    EvidenceStore,
    add_evidence,
    delete_evidence,
    format_size,
    list_evidence,
    set_shareable,
    supersede_evidence,
)

evidence_app = typer.Typer(
    help="Evidence files on actions: add, list, supersede, delete.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


def _operator() -> Actor:
    return operator("tracker evidence")


def _as_json(row: EvidenceRow) -> dict[str, object]:
    return {
        "id": row.id,
        "action": row.action_reference,
        "filename": row.filename,
        "kind": row.kind,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "note": row.note,
        "shareable": row.shareable,
        "added_by": row.added_by,
        "added_at": row.added_at.isoformat(),
        "update_id": row.update_id,
        "superseded_at": row.superseded_at.isoformat() if row.superseded_at else None,
        "superseded_by": row.superseded_by,
        "superseded_reason": row.superseded_reason,
    }


@evidence_app.command("add")
def add_command(
    reference: Annotated[str, typer.Argument(help="the action, e.g. P2.3")],
    file: Annotated[Path, typer.Argument(help="the file to attach")],
    note: Annotated[str | None, typer.Option("--note", help="what the file shows")] = None,
    shareable: Annotated[
        bool, typer.Option("--shareable", help="partners and forum representatives may see it")
    ] = False,
    update: Annotated[
        int | None, typer.Option("--update", help="the id of the update it supports")
    ] = None,
) -> None:
    """Attach a file to an action as evidence; prints its id, size and SHA-256."""
    settings = load_settings()
    if not file.is_file():
        fail(f"{file}: no such file", code=4 if not file.exists() else 1)
    store = EvidenceStore.from_settings(settings)
    try:
        handle = file.open("rb")
    except OSError as exc:
        fail(f"{file}: cannot be read ({exc.strerror or exc})")
    with handle, cli_session(settings, write=True) as session:
        evidence = add_evidence(
            session,
            _operator(),
            reference,
            handle,
            file.name,
            note=note,
            update_id=update,
            shareable=shareable,
            store=store,
        )
        done = (
            evidence.id,
            evidence.filename,
            evidence.size_bytes,
            evidence.sha256,
            reference.strip().upper(),
        )
    where = "the file store" if store.directory else "the database"
    typer.echo(
        f"evidence {done[0]}: {done[1]} ({format_size(done[2])}, SHA-256 {done[3]}) "
        f"added to {done[4]} in {where}"
    )


@evidence_app.command("list")
def list_command(
    reference: Annotated[str, typer.Argument(help="the action, e.g. P2.3")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON array")] = False,
) -> None:
    """An action's evidence files, current first, then superseded."""
    with cli_session(load_settings()) as session:
        rows = list_evidence(session, _operator(), reference)
    if as_json:
        typer.echo(json.dumps([_as_json(r) for r in rows], indent=2))
        return
    if not rows:
        typer.echo(f"no evidence on {reference.strip()}")
        return
    echo_table(
        ["id", "file", "size", "added", "by", "shareable", "state", "sha256"],
        [
            [
                str(r.id),
                r.filename[:60],
                r.size_words,
                format_date(r.added_at.date()),
                r.added_by,
                "yes" if r.shareable else "no",
                "superseded" if r.superseded else "current",
                r.sha256[:12],
            ]
            for r in rows
        ],
    )


@evidence_app.command("supersede")
def supersede_command(
    evidence_id: Annotated[int, typer.Argument(metavar="ID", help="the evidence id")],
    reason: Annotated[str, typer.Option("--reason", help="why (e.g. what replaces it)")],
) -> None:
    """Mark an evidence file superseded (it stays listed and in the trail)."""
    with cli_session(load_settings(), write=True) as session:
        name = supersede_evidence(session, _operator(), evidence_id, reason).filename
    typer.echo(f"evidence {evidence_id} ({name}) superseded")


@evidence_app.command("share")
def share_command(
    evidence_id: Annotated[int, typer.Argument(metavar="ID", help="the evidence id")],
    off: Annotated[bool, typer.Option("--off", help="stop sharing it with partners")] = False,
) -> None:
    """Let partners and forum representatives see an evidence file (or, with --off, not)."""
    with cli_session(load_settings(), write=True) as session:
        name = set_shareable(session, _operator(), evidence_id, not off).filename
    typer.echo(f"evidence {evidence_id} ({name}) is {'not ' if off else ''}shareable")


@evidence_app.command("delete")
def delete_command(
    evidence_id: Annotated[int, typer.Argument(metavar="ID", help="the evidence id")],
    reason: Annotated[str, typer.Option("--reason", help="why it must go (audited)")],
) -> None:
    """Delete an evidence file for good (audited with its name and checksum)."""
    settings = load_settings()
    with cli_session(settings, write=True) as session:
        name = delete_evidence(
            session,
            _operator(),
            evidence_id,
            reason,
            store=EvidenceStore.from_settings(settings),
        )
    typer.echo(f"evidence {evidence_id} ({name}) deleted")
