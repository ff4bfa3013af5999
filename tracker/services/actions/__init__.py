"""Actions: recording updates, administering actions, escalating them, and each person's work.

``record_update`` validates and writes an owner's update with optimistic concurrency; the admin
functions create, edit, reassign and withdraw actions; escalations send an action to the next
board up and let that board close it; ``list_my_actions`` is a person's worklist, most urgent
first; ``get_action_detail`` and ``list_choices`` are the reads the action screens need, and
``load_action_page`` and ``load_my_actions`` their screens' view models (one session each).
"""

from tracker.services.actions._escalations import (
    EscalationError,
    EscalationRow,
    escalate_action,
    find_escalation_target,
    list_action_escalations,
    list_all_open_escalations,
    list_open_escalations,
    may_escalate,
    may_resolve,
    resolve_escalation,
)
from tracker.services.actions._lookups import ActionDetail, get_action_detail
from tracker.services.actions._page import ActionPage, load_action_page
from tracker.services.actions._planning import (
    CONFIRMED,
    PLANNING_FIELD,
    TO_CONFIRM,
    UnconfirmedAction,
    confirm_planning,
    count_confirmed,
    list_unconfirmed_actions,
)
from tracker.services.actions._updates import (
    TEXT_LIMIT,
    TITLE_LIMIT,
    ActionFields,
    ActionMismatch,
    ActionNotFound,
    ConflictError,
    UpdateForm,
    ValidationFailed,
    create_action,
    edit_action,
    get_action,
    may_act_on,
    may_update,
    reassign_action,
    record_update,
    require_on,
    validate_update,
    withdraw_action,
)
from tracker.services.actions._worklist import (
    LinkedAction,
    MyActions,
    WorkItem,
    Worklist,
    list_my_actions,
    load_my_actions,
    match_reference,
    picker_references,
)
from tracker.services.register import Choice, Choices, list_choices

__all__ = [
    "CONFIRMED",
    "PLANNING_FIELD",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "TO_CONFIRM",
    "ActionDetail",
    "ActionFields",
    "ActionMismatch",
    "ActionNotFound",
    "ActionPage",
    "Choice",
    "Choices",
    "ConflictError",
    "EscalationError",
    "EscalationRow",
    "LinkedAction",
    "MyActions",
    "UnconfirmedAction",
    "UpdateForm",
    "ValidationFailed",
    "WorkItem",
    "Worklist",
    "confirm_planning",
    "count_confirmed",
    "create_action",
    "edit_action",
    "escalate_action",
    "find_escalation_target",
    "get_action",
    "get_action_detail",
    "list_action_escalations",
    "list_all_open_escalations",
    "list_choices",
    "list_my_actions",
    "list_open_escalations",
    "list_unconfirmed_actions",
    "load_action_page",
    "load_my_actions",
    "match_reference",
    "may_act_on",
    "may_escalate",
    "may_resolve",
    "may_update",
    "picker_references",
    "reassign_action",
    "record_update",
    "require_on",
    "resolve_escalation",
    "validate_update",
    "withdraw_action",
]
