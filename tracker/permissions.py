"""Who may do what: role x operation x ownership, as one pure table.

The services call ``require`` before every read of a restricted view and every write, so a
page that forgot to hide a button still cannot do harm. Administrators may do everything;
an action's owner and its workstream lead may update it; secretaries and executives read
everything; partners and forum representatives read progress only (and only the risks marked
shareable). A risk's owner and administrators score and edit a risk. An action's owner, its
workstream lead and administrators attach evidence to it; staff read all of it, partners only
what is marked shareable; only administrators delete evidence. An inactive person may do
nothing at all.

The command line and the scheduler act as an *operator* (``Actor.for_operator``): whoever runs
them holds the database URL, so they may do everything, and the audit trail names them. No
service reads ``None`` as "skip the check": every call says who is acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tracker.errors import NotAllowed
from tracker.models import Role


class Operation(StrEnum):
    VIEW_PROGRESS = "view_progress"  # register, overview, governance, measures (read-only)
    VIEW_AUDIT = "view_audit"  # an action's audit trail, who changed what
    UPDATE_ACTION = "update_action"  # record a RAG update on an action
    ESCALATE_ACTION = "escalate_action"
    MANAGE_ACTIONS = "manage_actions"  # create, edit, reassign, withdraw
    MANAGE_PEOPLE = "manage_people"
    GENERATE_PAPER = "generate_paper"
    VIEW_PAPERS = "view_papers"
    EDIT_MEASURE = "edit_measure"  # baseline, target, tolerance, narrative rating
    ENTER_MEASURE_VALUE = "enter_measure_value"
    IMPORT_PLAN = "import_plan"
    EXPORT_PLAN = "export_plan"
    MANAGE_MAIL = "manage_mail"  # outbox, retries, reminder previews
    VIEW_MY_ACTIONS = "view_my_actions"
    VIEW_RISKS = "view_risks"  # the risk register (partners: only risks marked shareable)
    MANAGE_RISKS = "manage_risks"  # add a risk, reassign it, choose what partners may see
    SCORE_RISK = "score_risk"  # rescore, add or complete mitigations, close: owner or admin
    GENERATE_STOCKTAKE = "generate_stocktake"  # the DfE/NHS England stocktake pack, its list
    ADD_EVIDENCE = "add_evidence"  # attach, supersede, share evidence: owner, lead or admin
    VIEW_ALL_EVIDENCE = "view_all_evidence"  # evidence not marked shareable (partners: no)
    DELETE_EVIDENCE = "delete_evidence"  # remove an evidence file for good, with a reason
    PUBLISH_SITE = "publish_site"  # the public progress site: mark actions public, publish
    # "You said, we did": add an entry (and forum representatives, checked by the service).
    ADD_FEEDBACK = "add_feedback"
    EDIT_FEEDBACK = "edit_feedback"  # edit, link, set status: the entry's owner or an admin


class PermissionDenied(NotAllowed):
    """The actor may not do this; the message says what and why, for the page to show.

    ``actor`` and ``operation`` say who was refused what, for the audit log.
    """

    def __init__(
        self, message: str, *, actor: Actor | None = None, operation: str | None = None
    ) -> None:
        super().__init__(message)
        self.actor = actor
        self.operation = operation


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the services see them: plain data, re-read every request.

    A signed-in person has a ``person_id``; an operator (the command line, the scheduler, the
    governance file and strategy seed they load) has none and is named by ``name`` alone.
    """

    person_id: int | None
    email: str
    name: str
    roles: frozenset[str]
    active: bool = True
    owns_actions: bool = False
    leads_workstreams: bool = False
    operator: bool = False

    @classmethod
    def for_operator(cls, name: str) -> Actor:
        """The operator running ``name`` (e.g. "operator alice (tracker paper)", "scheduler"):
        they hold the database anyway, so every operation is allowed; audited under ``name``."""
        return cls(person_id=None, email="", name=name, roles=frozenset(), operator=True)

    @classmethod
    def unrecognised(cls, label: str) -> Actor:
        """Someone not (yet) known as a person, e.g. a refused sign-in: may do nothing."""
        return cls(person_id=None, email="", name=label, roles=frozenset(), active=False)

    def has(self, role: Role) -> bool:
        return role.value in self.roles

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    @property
    def audit_label(self) -> str:
        """How the audit trail names them: a person's e-mail, an operator's name."""
        return self.email or self.name


_A, _E, _S = Role.ADMINISTRATOR.value, Role.EXECUTIVE.value, Role.SECRETARY.value
_L, _O, _P = Role.WORKSTREAM_LEAD.value, Role.ACTION_OWNER.value, Role.PARTNER.value
_EVERYONE = frozenset({_A, _E, _S, _L, _O, _P})
_STAFF = frozenset({_A, _E, _S, _L, _O})

# Operations granted by role alone (ownership is checked separately below).
_BY_ROLE: dict[Operation, frozenset[str]] = {
    Operation.VIEW_PROGRESS: _EVERYONE,
    Operation.VIEW_AUDIT: _STAFF,
    Operation.UPDATE_ACTION: frozenset({_A}),
    Operation.ESCALATE_ACTION: frozenset({_A, _S}),
    Operation.MANAGE_ACTIONS: frozenset({_A}),
    Operation.MANAGE_PEOPLE: frozenset({_A}),
    Operation.GENERATE_PAPER: frozenset({_A, _S}),
    Operation.VIEW_PAPERS: frozenset({_A, _S, _E}),
    Operation.EDIT_MEASURE: frozenset({_A}),
    Operation.ENTER_MEASURE_VALUE: frozenset({_A}),
    Operation.IMPORT_PLAN: frozenset({_A}),
    Operation.EXPORT_PLAN: frozenset({_A, _S, _E}),
    Operation.MANAGE_MAIL: frozenset({_A}),
    Operation.VIEW_MY_ACTIONS: frozenset({_A, _L, _O}),
    Operation.VIEW_RISKS: _EVERYONE,
    Operation.MANAGE_RISKS: frozenset({_A}),
    Operation.SCORE_RISK: frozenset({_A}),
    Operation.GENERATE_STOCKTAKE: frozenset({_A, _S}),
    Operation.ADD_EVIDENCE: frozenset({_A}),
    Operation.VIEW_ALL_EVIDENCE: _STAFF,
    Operation.DELETE_EVIDENCE: frozenset({_A}),
    Operation.PUBLISH_SITE: frozenset({_A}),
    Operation.ADD_FEEDBACK: frozenset({_A, _S, _L}),
    Operation.EDIT_FEEDBACK: frozenset({_A}),
}
# Operations an owner (of the action or measure) or the action's workstream lead may also do.
_BY_OWNERSHIP = frozenset(
    {
        Operation.UPDATE_ACTION,
        Operation.ESCALATE_ACTION,
        Operation.EDIT_MEASURE,
        Operation.ENTER_MEASURE_VALUE,
        Operation.SCORE_RISK,
        Operation.ADD_EVIDENCE,
        Operation.EDIT_FEEDBACK,
    }
)


def can(
    actor: Actor,
    operation: Operation,
    *,
    is_owner: bool = False,
    is_workstream_lead: bool = False,
) -> bool:
    """May ``actor`` perform ``operation`` (on a thing they own or lead, if said so)?"""
    if actor.operator:
        return True
    if not actor.active:
        return False
    if actor.roles & _BY_ROLE[operation]:
        return True
    if operation in _BY_OWNERSHIP and (is_owner or is_workstream_lead):
        return True
    # Anyone who owns or leads actions gets their own list, whatever roles they hold.
    return operation is Operation.VIEW_MY_ACTIONS and (
        actor.owns_actions or actor.leads_workstreams
    )


def require(
    actor: Actor,
    operation: Operation,
    *,
    is_owner: bool = False,
    is_workstream_lead: bool = False,
    what: str | None = None,
) -> None:
    """Raise PermissionDenied unless ``can(...)``."""
    if not can(actor, operation, is_owner=is_owner, is_workstream_lead=is_workstream_lead):
        target = f" {what}" if what else ""
        raise PermissionDenied(
            f"{actor.name} may not {operation.value.replace('_', ' ')}{target}"
            + ("" if actor.active else " (account inactive)"),
            actor=actor,
            operation=operation.value,
        )
