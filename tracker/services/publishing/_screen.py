"""The Publish screen's one view model: the preview of the site as it would be published now,
the approval queue, which actions are on the site, and the last publication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.governance import GovernanceConfig
from tracker.models import AuditLog
from tracker.permissions import Actor, Operation, require
from tracker.services.publishing._approval import (
    ActionPublication,
    ApprovalQueue,
    list_action_publication,
    list_approval_queue,
)
from tracker.services.publishing._publish import build_site
from tracker.services.publishing._render import STYLESHEET, inline_stylesheet


@dataclass(frozen=True)
class LastPublication:
    at: datetime
    by: str
    folder: str | None
    detail: str | None


@dataclass(frozen=True)
class PublishPage:
    # Page file name -> (its title in the preview's menu, the page with its CSS written in).
    preview: dict[str, tuple[str, str]]
    queue: ApprovalQueue
    actions: tuple[ActionPublication, ...]
    last: LastPublication | None
    problem: str | None  # why the site cannot be built now (shown instead of the preview)


def load_publish_page(
    session: Session, actor: Actor, *, config: GovernanceConfig, today: date
) -> PublishPage:
    """Everything the Publish screen shows, from one session."""
    require(actor, Operation.PUBLISH_SITE, what="the public site")
    preview: dict[str, tuple[str, str]] = {}
    problem = None
    try:
        site, rendered = build_site(session, config=config, today=today)
    except TrackerError as exc:
        problem = str(exc)
    else:
        css = rendered.files[STYLESHEET]
        names = [("index.html", "Front page")]
        names += [
            (f"{p.slug}.html", f"Priority {p.number}: {p.short_title}") for p in site.priorities
        ]
        names += [
            ("you-said-we-did.html", "You said, we did"),
            ("meetings.html", "Board meetings"),
            ("accessibility.html", "Accessibility statement"),
        ]
        preview = {n: (title, inline_stylesheet(rendered.files[n], css)) for n, title in names}
    return PublishPage(
        preview=preview,
        queue=list_approval_queue(session, actor, config=config),
        actions=list_action_publication(session, actor),
        last=_last_publication(session),
        problem=problem,
    )


def _last_publication(session: Session) -> LastPublication | None:
    row = session.exec(
        select(AuditLog)
        .where(AuditLog.entity == "public_site", AuditLog.field == "published")
        .order_by(col(AuditLog.id).desc())
    ).first()
    if row is None:
        return None
    return LastPublication(row.at, row.actor_label, row.entity_label, row.new)
