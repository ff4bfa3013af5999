"""``tracker people``: list people, and deactivate or reactivate one, as the operator.

``list`` prints everyone with their roles, status, who owns their roles (governance.yaml or
the app) and whether a Microsoft account is bound; ``--json`` prints one JSON array. The
operator running ``deactivate``/``activate`` is trusted the way ``tracker init`` is (they hold
the database URL); the change is audited like the People page's, naming the operator's login.
A deactivation here, like one on the page, is never undone by ``tracker init`` or ``run``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from tracker.commands import app
from tracker.commands.common import cli_session, echo_table, fail, load_settings, operator
from tracker.services.people import UnknownPerson, list_people, set_active_as_operator

people_app = typer.Typer(help="List people; deactivate or reactivate one.", no_args_is_help=True)
app.add_typer(people_app, name="people")


@people_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON array")] = False,
) -> None:
    """Everyone, inactive people included."""
    try:
        with cli_session(load_settings()) as session:
            people = list_people(session)
    except OperationalError as exc:
        fail(f"cannot read the database (has `tracker init` been run?): {exc.orig}")
    if as_json:
        rows = [
            {
                "email": p.email,
                "name": p.name,
                "active": p.active,
                "roles": list(p.roles),
                "roles_set_by": p.source,
                "deactivated_by": p.deactivated_by,
                "microsoft_account_bound": p.bound,
            }
            for p in people
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    echo_table(
        ["e-mail", "name", "status", "roles", "roles set by", "account"],
        [
            [
                p.email,
                p.name,
                "active" if p.active else "inactive",
                ", ".join(p.roles) or "-",
                p.source,
                "bound" if p.bound else "-",
            ]
            for p in people
        ],
    )


def _set_active(email: str, *, active: bool) -> None:
    try:
        with cli_session(load_settings(), write=True) as session:
            changed = set_active_as_operator(
                session, email=email, active=active, operator=operator("tracker people")
            )
    except UnknownPerson:
        fail(f"no person with e-mail {email!r} (see `tracker people list`)")
    except OperationalError as exc:
        fail(f"cannot write to the database (has `tracker init` been run?): {exc.orig}")
    state = "active" if active else "inactive"
    typer.echo(
        f"{email.strip().lower()} is now {state}" if changed else f"{email} was already {state}"
    )


@people_app.command("deactivate")
def deactivate(email: Annotated[str, typer.Argument(help="the person's e-mail")]) -> None:
    """Take a person's access away (their history stays); audited."""
    _set_active(email, active=False)


@people_app.command("activate")
def activate(email: Annotated[str, typer.Argument(help="the person's e-mail")]) -> None:
    """Give a deactivated person their access back; audited."""
    _set_active(email, active=True)
