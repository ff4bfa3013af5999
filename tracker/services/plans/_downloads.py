"""Files made at the moment someone downloads them: the register, its history, a stored paper.

A download button is drawn long before it is pressed, so these functions take the person's id,
not the ``Actor`` of the page: they read the person afresh (active status and roles) when the
file is made, and the service they call checks the permission then. Someone deactivated, or
whose role was removed, while the page was open gets a refusal (itself audited), not the file.
Each file handed out is audited. Call them in a write session.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tracker.governance import GovernanceConfig
from tracker.services.audit import record_event
from tracker.services.papers import PaperFile, get_paper_file
from tracker.services.people import actor_by_id
from tracker.services.plans._exporter import (
    ExportFile,
    ExportFormat,
    export_history,
    export_register,
)
from tracker.services.register import ActionFilter


def download_export(
    session: Session,
    *,
    person_id: int | None,
    today: date,
    fmt: ExportFormat,
    filters: ActionFilter | None,
    governance: GovernanceConfig,
    history: bool,
) -> ExportFile:
    """The register (or its update history) as the person may see it now; audited."""
    export = export_history if history else export_register
    return export(
        session,
        actor=actor_by_id(session, person_id),
        today=today,
        fmt=fmt,
        filters=filters,
        governance=governance,
        default_cycle_days=governance.update_cycle.default_cycle_days,
    )


def download_paper(session: Session, *, person_id: int | None, paper_id: int) -> PaperFile:
    """A stored paper's file, if the person may still view papers; audited."""
    actor = actor_by_id(session, person_id)
    paper = get_paper_file(session, actor=actor, paper_id=paper_id)
    record_event(
        session,
        actor=actor,
        entity="paper",
        entity_id=paper_id,
        entity_label=paper.filename,
        field="downloaded",
        detail=f"SHA-256 {paper.checksum}",
    )
    return paper
