"""``tracker audit verify``: walk the audit trail's hash chain and say whether it holds.

Exits 0 when every row's sequence, link and hash match (a fresh database included) and 1,
naming the first row at fault, when not. The result is kept as the latest verification, which
the administrator's People page shows beside the scheduler's daily run.
"""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError

from tracker import clock
from tracker.commands import app
from tracker.commands.common import cli_session, fail, load_settings
from tracker.services.audit import verify_audit_chain
from tracker.services.operations import record_chain_check

audit_app = typer.Typer(help="The audit trail: prove it was not changed.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """Check each audit row against its hash and the row before; exit 1 naming the first bad."""
    settings = load_settings()
    started = clock.now()
    try:
        with cli_session(settings) as session:
            report = verify_audit_chain(session)
        with cli_session(settings, write=True) as session:
            record_chain_check(session, report, started_at=started, finished_at=clock.now())
    except OperationalError as exc:
        fail(f"cannot read the database (has `tracker init` been run?): {exc.orig}")
    if not report.ok:
        fail(report.summary())
    typer.echo(report.summary())
