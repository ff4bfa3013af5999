"""Who may sign off a measure's value: the one rule the page, the CLI and the overview share.

The measure's owner or its performance lead (governance.yaml ``measures:``) may; where two
people are asked for, not the person who entered (or last corrected) the value.
"""

from __future__ import annotations

from tracker.governance import MeasuresConfig
from tracker.permissions import Actor


def sign_off_refusal(
    actor: Actor,
    *,
    reference: str,
    owner_id: int | None,
    entered_by_id: int | None,
    config: MeasuresConfig,
) -> str | None:
    """Why ``actor`` may not sign off this value of measure ``reference``, or None if they may."""
    lead, two_people = config.for_measure(reference)
    is_owner = owner_id is not None and owner_id == actor.person_id
    is_lead = lead is not None and actor.person_id is not None and actor.email.lower() == lead
    if not actor.active:
        return "the account is inactive"
    if not (is_owner or is_lead):
        who = "its owner" + (f" or its performance lead ({lead})" if lead else "")
        return f"only {who} may sign off {reference}'s values"
    if two_people and entered_by_id is not None and entered_by_id == actor.person_id:
        return (
            f"{reference} needs two people: you entered this value, so someone else "
            "(its owner or performance lead) signs it off"
        )
    return None
