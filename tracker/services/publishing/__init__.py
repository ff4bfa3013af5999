"""The public progress site: what the public may read, approving it, and publishing it.

``gather_public_site`` reads only what is meant for the public (published actions under their
plain titles, public summaries approved where governance.yaml asks, published measure values,
published and approved "you said, we did" entries, organisations and roles, never a person);
``render_site`` turns it into static HTML and one stylesheet (Jinja2, autoescaped, no script);
``publish_site`` writes a new folder beside the target and swaps it in at once, keeping the
previous version, and audits who published what. The approval queue and its acts
(``approve_summary``, ``publish_measure_value``, ``approve_feedback``,
``set_action_publication``) check permission and are audited.
"""

from tracker.services.publishing._approval import (
    PUBLIC_TITLE_LIMIT,
    ActionPublication,
    ApprovalQueue,
    PendingFeedback,
    PendingSummary,
    PendingValue,
    PublicTitleInvalid,
    approve_feedback,
    approve_summary,
    describe_rule,
    list_action_publication,
    list_approval_queue,
    may_publish,
    publish_measure_value,
    set_action_publication,
)
from tracker.services.publishing._gather import gather_public_site
from tracker.services.publishing._model import (
    PublicAction,
    PublicFeedback,
    PublicMeasure,
    PublicPriority,
    PublicSite,
)
from tracker.services.publishing._publish import PublishReport, build_site, publish_site
from tracker.services.publishing._render import RenderedSite, inline_stylesheet, render_site
from tracker.services.publishing._republish import meeting_awaiting_publication
from tracker.services.publishing._rules import is_value_public, public_status
from tracker.services.publishing._screen import LastPublication, PublishPage, load_publish_page

__all__ = [
    "PUBLIC_TITLE_LIMIT",
    "ActionPublication",
    "ApprovalQueue",
    "LastPublication",
    "PendingFeedback",
    "PendingSummary",
    "PendingValue",
    "PublicAction",
    "PublicFeedback",
    "PublicMeasure",
    "PublicPriority",
    "PublicSite",
    "PublicTitleInvalid",
    "PublishPage",
    "PublishReport",
    "RenderedSite",
    "approve_feedback",
    "approve_summary",
    "build_site",
    "describe_rule",
    "gather_public_site",
    "inline_stylesheet",
    "is_value_public",
    "list_action_publication",
    "list_approval_queue",
    "load_publish_page",
    "may_publish",
    "meeting_awaiting_publication",
    "public_status",
    "publish_measure_value",
    "publish_site",
    "render_site",
    "set_action_publication",
]
