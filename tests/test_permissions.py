"""Who may do what, as the product states it, checked against the real permission code.

Each case is a sentence from PRODUCT.md and the README: administrators keep the plan, people and
mail right; an action's owner and its workstream lead update it (no one else but an
administrator); board secretaries generate papers and executives read them; partner and forum
representatives read progress and nothing they should not see; an inactive person may do
nothing. The table is written from those rules, not copied from ``tracker.permissions``.
"""

from __future__ import annotations

import pytest

from tracker.models import Role
from tracker.permissions import Actor, Operation, PermissionDenied, can, require


def _person(*roles: Role, active: bool = True, owns_actions: bool = False) -> Actor:
    return Actor(
        person_id=7,
        email="someone@example.org",
        name="Sam Example",
        roles=frozenset(role.value for role in roles),
        active=active,
        owns_actions=owns_actions,
    )


WHO = {
    "an administrator": _person(Role.ADMINISTRATOR),
    "an executive": _person(Role.EXECUTIVE),
    "a board secretary": _person(Role.SECRETARY),
    "a workstream lead": _person(Role.WORKSTREAM_LEAD),
    "an action owner": _person(Role.ACTION_OWNER),
    "a partner representative": _person(Role.PARTNER),
    "someone who owns actions but holds no role": _person(owns_actions=True),
    "an inactive administrator": _person(Role.ADMINISTRATOR, active=False),
    "the operator at the command line": Actor.for_operator("operator alice (tracker paper)"),
    "someone refused at sign-in": Actor.unrecognised("alice@elsewhere.example"),
}
# What they try, as (operation, is_owner, is_workstream_lead).
DOES = {
    "reads progress": (Operation.VIEW_PROGRESS, False, False),
    "reads an action's audit trail": (Operation.VIEW_AUDIT, False, False),
    "updates an action they own": (Operation.UPDATE_ACTION, True, False),
    "updates an action in a workstream they lead": (Operation.UPDATE_ACTION, False, True),
    "updates someone else's action": (Operation.UPDATE_ACTION, False, False),
    "escalates an action they own": (Operation.ESCALATE_ACTION, True, False),
    "escalates someone else's action": (Operation.ESCALATE_ACTION, False, False),
    "creates, edits or withdraws actions": (Operation.MANAGE_ACTIONS, False, False),
    "adds people or changes their roles": (Operation.MANAGE_PEOPLE, False, False),
    "generates a board paper": (Operation.GENERATE_PAPER, False, False),
    "reads board papers": (Operation.VIEW_PAPERS, False, False),
    "sets the target of a measure they own": (Operation.EDIT_MEASURE, True, False),
    "sets the target of someone else's measure": (Operation.EDIT_MEASURE, False, False),
    "enters values for a measure they own": (Operation.ENTER_MEASURE_VALUE, True, False),
    "enters values for someone else's measure": (Operation.ENTER_MEASURE_VALUE, False, False),
    "imports a plan spreadsheet": (Operation.IMPORT_PLAN, False, False),
    "exports the register": (Operation.EXPORT_PLAN, False, False),
    "retries failed e-mail": (Operation.MANAGE_MAIL, False, False),
    "opens My actions": (Operation.VIEW_MY_ACTIONS, False, False),
    "reads the risk register": (Operation.VIEW_RISKS, False, False),
    "adds a risk": (Operation.MANAGE_RISKS, False, False),
    "rescores a risk they own": (Operation.SCORE_RISK, True, False),
    "rescores someone else's risk": (Operation.SCORE_RISK, False, False),
    "makes a stocktake pack": (Operation.GENERATE_STOCKTAKE, False, False),
    "attaches evidence to an action they own": (Operation.ADD_EVIDENCE, True, False),
    "attaches evidence to an action in a workstream they lead": (
        Operation.ADD_EVIDENCE,
        False,
        True,
    ),
    "attaches evidence to someone else's action": (Operation.ADD_EVIDENCE, False, False),
    "reads evidence not marked shareable": (Operation.VIEW_ALL_EVIDENCE, False, False),
    "deletes an evidence file": (Operation.DELETE_EVIDENCE, False, False),
    "publishes the public progress site": (Operation.PUBLISH_SITE, False, False),
    "adds a 'you said, we did' entry": (Operation.ADD_FEEDBACK, False, False),
    "edits a 'you said, we did' entry they own": (Operation.EDIT_FEEDBACK, True, False),
    "edits someone else's 'you said, we did' entry": (Operation.EDIT_FEEDBACK, False, False),
}
MAY, MAY_NOT = True, False
RULES = [
    # Administrators keep the plan, people, governance and mail right.
    ("an administrator", "creates, edits or withdraws actions", MAY),
    ("an administrator", "updates someone else's action", MAY),
    ("an administrator", "adds people or changes their roles", MAY),
    ("an administrator", "imports a plan spreadsheet", MAY),
    ("an administrator", "retries failed e-mail", MAY),
    ("an administrator", "generates a board paper", MAY),
    ("an administrator", "sets the target of someone else's measure", MAY),
    ("an administrator", "publishes the public progress site", MAY),
    ("an executive", "publishes the public progress site", MAY_NOT),
    ("a board secretary", "publishes the public progress site", MAY_NOT),
    ("a partner representative", "publishes the public progress site", MAY_NOT),
    # Owners and workstream leads update their actions, and only theirs.
    ("an action owner", "updates an action they own", MAY),
    ("an action owner", "updates someone else's action", MAY_NOT),
    ("an action owner", "escalates an action they own", MAY),
    ("an action owner", "escalates someone else's action", MAY_NOT),
    ("an action owner", "creates, edits or withdraws actions", MAY_NOT),
    ("an action owner", "opens My actions", MAY),
    ("an action owner", "reads an action's audit trail", MAY),
    ("an action owner", "enters values for a measure they own", MAY),
    ("an action owner", "enters values for someone else's measure", MAY_NOT),
    ("an action owner", "sets the target of a measure they own", MAY),
    ("an action owner", "imports a plan spreadsheet", MAY_NOT),
    ("a workstream lead", "updates an action in a workstream they lead", MAY),
    ("a workstream lead", "updates someone else's action", MAY_NOT),
    ("a workstream lead", "opens My actions", MAY),
    ("a workstream lead", "adds people or changes their roles", MAY_NOT),
    # Board secretaries produce the papers; they escalate on a board's behalf.
    ("a board secretary", "generates a board paper", MAY),
    ("a board secretary", "reads board papers", MAY),
    ("a board secretary", "escalates someone else's action", MAY),
    ("a board secretary", "updates someone else's action", MAY_NOT),
    ("a board secretary", "exports the register", MAY),
    ("a board secretary", "retries failed e-mail", MAY_NOT),
    # Executives see what is off track; they read papers but do not produce them.
    ("an executive", "reads board papers", MAY),
    ("an executive", "reads an action's audit trail", MAY),
    ("an executive", "exports the register", MAY),
    ("an executive", "generates a board paper", MAY_NOT),
    ("an executive", "updates someone else's action", MAY_NOT),
    ("an executive", "sets the target of someone else's measure", MAY_NOT),
    # Partners and forum representatives read progress, nothing they should not see.
    ("a partner representative", "reads progress", MAY),
    ("a partner representative", "reads an action's audit trail", MAY_NOT),
    ("a partner representative", "reads board papers", MAY_NOT),
    ("a partner representative", "exports the register", MAY_NOT),
    ("a partner representative", "opens My actions", MAY_NOT),
    ("a partner representative", "updates someone else's action", MAY_NOT),
    ("a partner representative", "escalates someone else's action", MAY_NOT),
    # Risk owners and administrators score risks; administrators add them; everyone reads the
    # register (partners only the risks marked shareable, which the service filters).
    ("an administrator", "adds a risk", MAY),
    ("an administrator", "rescores someone else's risk", MAY),
    ("a workstream lead", "rescores a risk they own", MAY),
    ("a workstream lead", "rescores someone else's risk", MAY_NOT),
    ("a workstream lead", "adds a risk", MAY_NOT),
    ("an action owner", "rescores someone else's risk", MAY_NOT),
    ("an executive", "reads the risk register", MAY),
    ("an executive", "rescores someone else's risk", MAY_NOT),
    ("a board secretary", "reads the risk register", MAY),
    ("a board secretary", "adds a risk", MAY_NOT),
    ("a partner representative", "reads the risk register", MAY),
    ("a partner representative", "adds a risk", MAY_NOT),
    # The DfE/NHS England stocktake pack is made by the programme office and board secretaries.
    ("an administrator", "makes a stocktake pack", MAY),
    ("a board secretary", "makes a stocktake pack", MAY),
    ("an executive", "makes a stocktake pack", MAY_NOT),
    ("a workstream lead", "makes a stocktake pack", MAY_NOT),
    ("an action owner", "makes a stocktake pack", MAY_NOT),
    ("a partner representative", "makes a stocktake pack", MAY_NOT),
    # Evidence: owners, leads and administrators attach it; staff read all of it, partners
    # only what is shareable (the service filters); administrators alone delete it.
    ("an action owner", "attaches evidence to an action they own", MAY),
    ("an action owner", "attaches evidence to someone else's action", MAY_NOT),
    ("a workstream lead", "attaches evidence to an action in a workstream they lead", MAY),
    ("an administrator", "attaches evidence to someone else's action", MAY),
    ("a board secretary", "attaches evidence to someone else's action", MAY_NOT),
    ("an executive", "reads evidence not marked shareable", MAY),
    ("a board secretary", "reads evidence not marked shareable", MAY),
    ("an action owner", "reads evidence not marked shareable", MAY),
    ("a partner representative", "reads evidence not marked shareable", MAY_NOT),
    ("a partner representative", "attaches evidence to someone else's action", MAY_NOT),
    ("an administrator", "deletes an evidence file", MAY),
    ("an action owner", "deletes an evidence file", MAY_NOT),
    ("an executive", "deletes an evidence file", MAY_NOT),
    # "You said, we did": officers add entries (forum representatives too, which the service
    # checks from their organisation); an entry's owner or author and administrators edit it.
    ("an administrator", "adds a 'you said, we did' entry", MAY),
    ("a board secretary", "adds a 'you said, we did' entry", MAY),
    ("a workstream lead", "adds a 'you said, we did' entry", MAY),
    ("an executive", "adds a 'you said, we did' entry", MAY_NOT),
    ("an action owner", "adds a 'you said, we did' entry", MAY_NOT),
    ("a partner representative", "edits a 'you said, we did' entry they own", MAY),
    ("a partner representative", "edits someone else's 'you said, we did' entry", MAY_NOT),
    ("an administrator", "edits someone else's 'you said, we did' entry", MAY),
    # Owning actions is enough for your own list, and for nothing more.
    ("someone who owns actions but holds no role", "opens My actions", MAY),
    ("someone who owns actions but holds no role", "reads progress", MAY_NOT),
    ("someone who owns actions but holds no role", "updates an action they own", MAY),
    # Access taken away is taken away from everything.
    *(("an inactive administrator", does, MAY_NOT) for does in DOES),
    # Whoever runs the command line holds the database already: they may do everything.
    *(("the operator at the command line", does, MAY) for does in DOES),
    # Someone the tracker does not know may do nothing at all.
    *(("someone refused at sign-in", does, MAY_NOT) for does in DOES),
]


@pytest.mark.parametrize(
    ("who", "does", "allowed"),
    RULES,
    ids=[f"{who} {'may' if ok else 'may not'} {does}" for who, does, ok in RULES],
)
def test_who_may_do_what(who: str, does: str, allowed: bool) -> None:
    operation, is_owner, is_lead = DOES[does]
    actor = WHO[who]

    assert can(actor, operation, is_owner=is_owner, is_workstream_lead=is_lead) is allowed
    if allowed:
        require(actor, operation, is_owner=is_owner, is_workstream_lead=is_lead)
    else:
        with pytest.raises(PermissionDenied):
            require(actor, operation, is_owner=is_owner, is_workstream_lead=is_lead)


def test_every_role_and_operation_is_covered_by_a_rule() -> None:
    covered_roles = {role for who in {w for w, _, _ in RULES} for role in WHO[who].roles}
    covered_operations = {DOES[does][0] for _, does, _ in RULES}
    assert covered_roles == {role.value for role in Role}
    assert covered_operations == set(Operation)


@pytest.mark.parametrize(
    ("who", "does", "message"),
    [
        ("an executive", "generates a board paper", "Sam Example may not generate paper"),
        (
            "an inactive administrator",
            "reads progress",
            "Sam Example may not view progress (account inactive)",
        ),
    ],
)
def test_a_refusal_says_who_may_not_do_what(who: str, does: str, message: str) -> None:
    operation, is_owner, is_lead = DOES[does]
    with pytest.raises(PermissionDenied) as refused:
        require(WHO[who], operation, is_owner=is_owner, is_workstream_lead=is_lead)
    assert str(refused.value) == message
