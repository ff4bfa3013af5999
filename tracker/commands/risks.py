"""``tracker risks``: the risk register from the command line, as the operator.

``list`` prints open risks, highest score first (``--all`` adds closed ones; ``--json`` one JSON
array); ``add`` records a risk with its first scoring; ``score`` rescores one with commentary;
``close`` closes one with a reason. The operator is trusted the way ``tracker init`` is (they
hold the database URL) and is named in the audit trail by their login. Bad input (a likelihood
off the scale, an unknown owner, action or priority, a closed risk rescored) is refused with the
field named, and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from tracker.commands import app
from tracker.commands.common import cli_session, echo_table, load_settings, operator, parse_day
from tracker.formatting import format_date
from tracker.governance import GovernanceConfig, current_governance
from tracker.permissions import Actor
from tracker.rules.risks import score_words
from tracker.services.risks import (
    NewRisk,
    Rescore,
    RiskFilter,
    RiskRow,
    add_risk,
    close_risk,
    list_risks,
    score_risk,
)

risks_app = typer.Typer(help="The risk register: list, add, rescore, close.", no_args_is_help=True)
app.add_typer(risks_app, name="risks")


def _operator() -> Actor:
    return operator("tracker risks")


def _today() -> date:
    return parse_day(None, option="today")


def _governance() -> GovernanceConfig:
    return current_governance(load_settings().governance_file)


def _as_json(row: RiskRow) -> dict[str, object]:
    return {
        "reference": row.reference,
        "title": row.title,
        "owner": row.owner_email,
        "body": row.body or None,
        "likelihood": row.likelihood,
        "impact": row.impact,
        "score": row.score,
        "band": row.band,
        "inherent_score": row.inherent_score,
        "target_score": row.target_score,
        "priorities": list(row.priorities),
        "actions": list(row.actions),
        "next_review": row.next_review.isoformat(),
        "review_overdue": row.review_overdue,
        "status": row.status,
        "closed_reason": row.closed_reason or None,
        "shareable": row.shareable,
    }


@risks_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON array")] = False,
    everything: Annotated[bool, typer.Option("--all", help="closed risks too")] = False,
) -> None:
    """Open risks, highest current score first."""
    settings = load_settings()
    governance = _governance()
    with cli_session(settings) as session:
        rows = list_risks(
            session,
            actor=_operator(),
            scale=governance.risks,
            today=_today(),
            where=RiskFilter(status=None if everything else "open"),
        )
    if as_json:
        typer.echo(json.dumps([_as_json(r) for r in rows], indent=2))
        return
    if not rows:
        typer.echo("no risks recorded" if everything else "no open risks")
        return
    echo_table(
        ["ref", "score", "band", "title", "owner", "next review", "status"],
        [
            [
                r.reference,
                str(r.score),
                r.band,
                r.title[:60],
                r.owner_email,
                format_date(r.next_review) + (" (overdue)" if r.review_overdue else ""),
                r.status,
            ]
            for r in rows
        ],
    )


@risks_app.command("add")
def add_command(
    title: Annotated[str, typer.Option("--title", help="what could happen, in a line")],
    owner: Annotated[str, typer.Option("--owner", help="the risk owner's e-mail")],
    likelihood: Annotated[int, typer.Option("--likelihood", help="1 (rare) to 5")],
    impact: Annotated[int, typer.Option("--impact", help="1 (negligible) to 5")],
    priority: Annotated[
        list[int] | None, typer.Option("--priority", help="a priority it threatens (repeatable)")
    ] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help="an action it threatens (repeatable)")
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", help="the board that oversees it (name or key)")
    ] = None,
    mitigation: Annotated[
        list[str] | None, typer.Option("--mitigation", help="what is being done (repeatable)")
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="cause, event and effect")
    ] = None,
    target: Annotated[int | None, typer.Option("--target", help="target score 1-25")] = None,
    review_days: Annotated[
        int | None, typer.Option("--review-days", help="review every N days")
    ] = None,
    shareable: Annotated[bool, typer.Option("--shareable", help="partners may see it")] = False,
) -> None:
    """Add a risk with its first scoring; prints its reference."""
    settings = load_settings()
    governance = _governance()
    form = NewRisk(
        title=title,
        owner_email=owner,
        likelihood=likelihood,
        impact=impact,
        description=description,
        priorities=tuple(priority or ()),
        actions=tuple(action or ()),
        body=body,
        target_score=target,
        review_days=review_days,
        mitigations=tuple(mitigation or ()),
        shareable=shareable,
    )
    with cli_session(settings, write=True) as session:
        risk = add_risk(
            session, actor=_operator(), form=form, governance=governance, today=_today()
        )
        reference = risk.reference
    typer.echo(
        f"{reference}: {title.strip()}, score {score_words(likelihood, impact, governance.risks)}"
    )


@risks_app.command("score")
def score_command(
    reference: Annotated[str, typer.Argument(help="the risk, e.g. R3")],
    likelihood: Annotated[int, typer.Option("--likelihood", help="1 (rare) to 5")],
    impact: Annotated[int, typer.Option("--impact", help="1 (negligible) to 5")],
    commentary: Annotated[str, typer.Option("--commentary", help="why, and the evidence")],
) -> None:
    """Rescore a risk with commentary; its next review moves on."""
    settings = load_settings()
    governance = _governance()
    with cli_session(settings, write=True) as session:
        risk = score_risk(
            session,
            actor=_operator(),
            reference=reference,
            form=Rescore(likelihood=likelihood, impact=impact, commentary=commentary),
            scale=governance.risks,
            today=_today(),
        )
        done = risk.reference, risk.next_review
    typer.echo(
        f"{done[0]} now scores {score_words(likelihood, impact, governance.risks)}; "
        f"next review {format_date(done[1])}"
    )


@risks_app.command("close")
def close_command(
    reference: Annotated[str, typer.Argument(help="the risk, e.g. R3")],
    reason: Annotated[str, typer.Option("--reason", help="why it is closed")],
) -> None:
    """Close a risk with a reason (its history stays)."""
    with cli_session(load_settings(), write=True) as session:
        risk = close_risk(session, actor=_operator(), reference=reference, reason=reason)
        done = risk.reference
    typer.echo(f"{done} closed")
