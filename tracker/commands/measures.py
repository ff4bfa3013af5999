"""``tracker measures ...``: list, show, enter values, sign them off, set targets and milestones,
import values and national comparators.

Writes act as a named person (``--as EMAIL``) so the same permission checks and audit trail
apply as in the app: administrators, or the measure's owner. Imports are dry runs unless
``--commit`` is given, and a file with any bad row is refused whole, row by row.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from tracker.commands import app
from tracker.commands.common import (
    cli_session,
    echo_table,
    fail,
    load_settings,
    operator,
    parse_day,
)
from tracker.governance import MeasuresConfig, current_governance
from tracker.permissions import Actor
from tracker.rules import rag_label
from tracker.rules.measures import format_gap, format_value, parse_number, trend_arrow
from tracker.services.actions import ValidationFailed
from tracker.services.measures import (
    MeasureSummary,
    add_milestone,
    describe_comparators,
    enter_value,
    filter_summaries,
    get_measure_detail,
    get_measure_summary,
    import_measure_values,
    import_national_figures,
    list_measure_summaries,
    parse_period,
    remove_milestone,
    set_targets,
    sign_off_value,
)
from tracker.services.people import UnknownPerson, actor_for_email
from tracker.spreadsheets.reader import CellError

measures_app = typer.Typer(
    help="Success measures: list, show, enter values, set targets, import values.",
    no_args_is_help=True,
)
app.add_typer(measures_app, name="measures")

AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
ActingAs = Annotated[str, typer.Option("--as", help="e-mail of the person making the change")]


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _acting(session: Session, email: str) -> Actor:
    try:
        return actor_for_email(session, email)
    except UnknownPerson:
        fail(f"--as: no person with e-mail {email!r}")


def _measures_config() -> MeasuresConfig:
    return current_governance(load_settings().governance_file).measures


def _row(summary: MeasureSummary) -> list[str]:
    latest = format_value(summary.latest_value, summary.unit, missing="")
    status = "" if summary.latest_value is None else summary.latest_status or ""
    if summary.stale_since is not None:
        status = f"{status}; stale" if status else "stale"
    return [
        summary.reference,
        latest,
        summary.latest_period.isoformat() if summary.latest_period else "",
        f"{trend_arrow(summary.trend)} {summary.direction_of_travel or ''}".strip(),
        rag_label(summary.rag) if summary.rag else f"Not rated ({summary.rating_basis})",
        format_value(summary.baseline_value, summary.unit, missing="not set"),
        format_value(summary.target_value, summary.unit, missing="not set"),
        summary.owner or "",
        status,
    ]


@measures_app.command("list")
def list_measures(
    as_of: AsOf = None,
    as_json: AsJson = False,
    priority: Annotated[int | None, typer.Option(help="only this priority (1-5)")] = None,
    rating: Annotated[
        str | None, typer.Option(help="only this rating: blue, green, amber, red, not_rated")
    ] = None,
) -> None:
    """Every measure with its latest value, rating, trend, baseline and target."""
    day = parse_day(as_of, option="--as-of")
    lag = _measures_config().reporting_lag_days
    with cli_session(load_settings()) as session:
        summaries = list_measure_summaries(session, as_of=day, reporting_lag_days=lag)
    chosen = filter_summaries(
        summaries, priority=priority, rating=rating.lower() if rating else None
    )
    if as_json:
        typer.echo(json.dumps([_jsonable(asdict(s)) for s in chosen], indent=2))
        return
    headers = ["Ref", "Latest", "Period", "Trend", "Rating", "Baseline", "Target", "Owner"]
    headers.append("Status")
    echo_table(headers, [_row(s) for s in chosen])


@measures_app.command("show")
def show_measure(reference: str, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """One measure: its facts, rating, milestones, every value (provisional or final, with who
    entered and signed it off, its source and caveat) and its comparators."""
    day = parse_day(as_of, option="--as-of")
    config = _measures_config()
    with cli_session(load_settings()) as session:
        detail = get_measure_detail(session, reference=reference, as_of=day, config=config)
    if as_json:
        typer.echo(json.dumps(_jsonable(asdict(detail)), indent=2, default=str))
        return
    s = detail.summary
    typer.echo(f"{s.reference}: {s.wording}")
    rating = rag_label(s.rag) if s.rag else "Not rated"
    typer.echo(f"Rating: {rating} ({s.rating_basis}); owner: {s.owner or 'none'}")
    typer.echo(
        f"Baseline: {format_value(s.baseline_value, s.unit, missing='not set')}; "
        f"target: {format_value(s.target_value, s.unit, missing='not set')}"
        + (f" by {s.target_date.isoformat()}" if s.target_date else "")
    )
    if s.stale_since is not None:
        typer.echo(
            f"Stale: no value for the period ending {s.stale_since.isoformat()} "
            f"({s.frequency or 'no frequency'})"
        )
    if detail.milestones:
        echo_table(
            ["Milestone", "Expected", "Actual", "Gap"],
            [
                [
                    m.due_date.isoformat() + (f" {m.label}" if m.label else ""),
                    format_value(m.value, s.unit),
                    format_value(m.actual, s.unit, missing="no value yet" if m.due else "not due")
                    + (f" ({m.actual_period.isoformat()})" if m.actual_period else ""),
                    _gap_text(m.gap, s.unit, due=m.due),
                ]
                for m in detail.milestones
            ],
        )
    rows = [
        [
            v.period_end.isoformat(),
            format_value(v.value, s.unit, missing=""),
            rag_label(v.rag) if v.rag else "",
            "final" if v.final else "provisional",
            v.entered_by or "",
            v.signed_off_by or "",
            v.source or "",
            "; ".join(t for t in (v.note, v.caveat and f"caveat: {v.caveat}") if t),
        ]
        for v in detail.values
    ]
    echo_table(
        ["Period", "Value", "Rating", "Status", "Entered by", "Signed off by", "Source", "Note"],
        rows,
    )
    if detail.comparators is not None:
        typer.echo(f"Comparators: {describe_comparators(detail.comparators, s.unit)}")
        typer.echo(f"Source: {detail.comparators.dataset}")


def _gap_text(gap: float | None, unit: str, *, due: bool) -> str:
    if gap is None:
        return "" if not due else "no value"
    return format_gap(gap, unit)


@measures_app.command("set-value")
def set_value(
    reference: str,
    period: Annotated[str, typer.Argument(help="period end: YYYY-MM-DD, or a month: 'Sep 2025'")],
    value: Annotated[str, typer.Argument(help="the value, e.g. 35 or 35%")],
    by: ActingAs,
    note: Annotated[str | None, typer.Option(help="note on the value")] = None,
    label: Annotated[str | None, typer.Option(help="period label, e.g. 'Q2 2025/26'")] = None,
    reason: Annotated[
        str | None, typer.Option(help="why a stored value is corrected (required to correct)")
    ] = None,
    source: Annotated[str | None, typer.Option(help="where the figure comes from")] = None,
    caveat: Annotated[str | None, typer.Option(help="coverage or caveat of the figure")] = None,
) -> None:
    """Enter (or correct) the value of a measure for one period; it is provisional until
    signed off (``tracker measures sign-off``)."""
    try:
        period_end = parse_period(period)
    except CellError as exc:
        fail(f"period: {exc}")
    with cli_session(load_settings(), write=True) as session:
        actor = _acting(session, by)
        try:
            unit = get_measure_summary(session, reference=reference, as_of=date.max).unit
            number = parse_number(value, unit) if value.strip() else None
            result = enter_value(
                session,
                actor=actor,
                reference=reference,
                period_end=period_end,
                value=number,
                note=note,
                period_label=label,
                reason=reason,
                source=source,
                caveat=caveat,
            )
        except ValidationFailed as exc:
            if "reason" in exc.errors:
                fail(f"--reason is needed: {exc.errors['reason']}")
            fail(str(exc))
        except ValueError as exc:
            fail(f"value: {value!r} {exc}")
    what = "unchanged" if not result.changed else ("corrected" if result.corrected else "entered")
    if result.reopened:
        what += " (was final: provisional again until signed off)"
    typer.echo(f"{result.reference} {result.period_end.isoformat()}: {what}")


@measures_app.command("sign-off")
def sign_off(
    reference: str,
    period: Annotated[str, typer.Argument(help="period end: YYYY-MM-DD, or a month: 'Sep 2025'")],
    by: ActingAs,
) -> None:
    """Sign off a provisional value as final (the measure's owner or performance lead; where
    governance.yaml asks for two people, not whoever entered it)."""
    try:
        period_end = parse_period(period)
    except CellError as exc:
        fail(f"period: {exc}")
    if period_end is None:
        fail("period: give the date the period ends")
    config = _measures_config()
    with cli_session(load_settings(), write=True) as session:
        actor = _acting(session, by)
        result = sign_off_value(
            session, actor=actor, reference=reference, period_end=period_end, config=config
        )
    shown = format_value(result.value, result.unit)
    what = "signed off (final)" if result.changed else "already final"
    typer.echo(f"{result.reference} {result.period_end.isoformat()} {shown}: {what}")


@measures_app.command("milestones")
def milestones(
    reference: str,
    by: Annotated[
        str | None, typer.Option("--as", help="e-mail of the person making the change")
    ] = None,
    add: Annotated[
        tuple[str, str] | None,
        typer.Option(help="add a milestone: DATE VALUE (e.g. --add 2026-03-31 45%)"),
    ] = None,
    label: Annotated[str | None, typer.Option(help="label of the milestone added")] = None,
    remove: Annotated[str | None, typer.Option(help="remove the milestone of DATE")] = None,
    reason: Annotated[str | None, typer.Option(help="why a milestone is removed")] = None,
) -> None:
    """List a measure's milestones; with --add or --remove (and --as), change them."""
    if (add or remove) and not by:
        fail("--as: say who is changing the milestones (their e-mail)")
    with cli_session(load_settings(), write=bool(add or remove)) as session:
        if add or remove:
            actor = _acting(session, by or "")
        if remove:
            removed = remove_milestone(
                session,
                actor=actor,
                reference=reference,
                due_date=parse_day(remove, option="--remove"),
                reason=reason,
            )
            typer.echo(f"removed the milestone of {removed.due_date.isoformat()}")
        if add:
            day = parse_day(add[0], option="--add DATE")
            unit = get_measure_summary(session, reference=reference, as_of=date.max).unit
            try:
                number = parse_number(add[1], unit)
            except ValueError as exc:
                fail(f"--add VALUE: {add[1]!r} {exc}")
            try:
                added = add_milestone(
                    session,
                    actor=actor,
                    reference=reference,
                    due_date=day,
                    value=number,
                    label=label,
                )
            except ValidationFailed as exc:
                fail(
                    "; ".join(f"{_MILESTONE_FIELDS.get(k, k)}: {v}" for k, v in exc.errors.items())
                )
            typer.echo(f"added the milestone of {added.due_date.isoformat()}")
        summary = get_measure_summary(session, reference=reference, as_of=date.max)
    if not summary.milestones:
        typer.echo(f"{summary.reference}: no milestones")
        return
    echo_table(
        ["Date", "Expected", "Label"],
        [
            [m.due_date.isoformat(), format_value(m.value, summary.unit), m.label or ""]
            for m in summary.milestones
        ],
    )


_MILESTONE_FIELDS = {"due_date": "--add DATE", "value": "--add VALUE", "label": "--label"}


def _optional_float(text: str | None, option: str, current: float | None) -> float | None:
    if text is None:
        return current
    if text.strip().lower() in ("", "none", "clear"):
        return None
    try:
        return float(text.strip().rstrip("%").replace(",", ""))
    except ValueError:
        fail(f"{option}: {text!r} is not a number (or 'clear')")


def _optional_day(text: str | None, option: str, current: date | None) -> date | None:
    if text is None:
        return current
    if text.strip().lower() in ("", "none", "clear"):
        return None
    return parse_day(text, option=option)


@measures_app.command("set-target")
def set_target(
    reference: str,
    by: ActingAs,
    baseline: Annotated[str | None, typer.Option(help="baseline value, or 'clear'")] = None,
    baseline_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, or 'clear'")] = None,
    target: Annotated[str | None, typer.Option(help="target value, or 'clear'")] = None,
    target_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, or 'clear'")] = None,
    tolerance: Annotated[float | None, typer.Option(help="tolerance, % of the distance")] = None,
    direction: Annotated[str | None, typer.Option(help="higher or lower (is better)")] = None,
    unit: Annotated[str | None, typer.Option(help="percentage, count, rate, ...")] = None,
    rating_mode: Annotated[str | None, typer.Option(help="numeric or narrative")] = None,
    reason: Annotated[str | None, typer.Option(help="why the target changes")] = None,
) -> None:
    """Set a measure's baseline, target, tolerance or direction (options not given are kept)."""
    with cli_session(load_settings(), write=True) as session:
        actor = _acting(session, by)
        current = get_measure_summary(session, reference=reference, as_of=date.max)
        set_targets(
            session,
            actor=actor,
            reference=reference,
            seen_version=current.version,
            baseline_value=_optional_float(baseline, "--baseline", current.baseline_value),
            baseline_date=_optional_day(baseline_date, "--baseline-date", current.baseline_date),
            target_value=_optional_float(target, "--target", current.target_value),
            target_date=_optional_day(target_date, "--target-date", current.target_date),
            tolerance_pct=current.tolerance_pct if tolerance is None else tolerance,
            direction=direction or current.direction,
            unit=unit,
            rating_mode=rating_mode,
            reason=reason,
        )
        after = get_measure_summary(session, reference=reference, as_of=date.max)
    baseline_shown = format_value(after.baseline_value, after.unit, missing="not set")
    target_shown = format_value(after.target_value, after.unit, missing="not set")
    typer.echo(
        f"{after.reference}: baseline {baseline_shown}, target {target_shown}, "
        f"tolerance {after.tolerance_pct:g}%, {after.direction} is better"
    )


@measures_app.command("import")
def import_values(
    file: Annotated[Path, typer.Argument(help=".xlsx or .csv: Measure, Period, Value, Note")],
    by: ActingAs,
    commit: Annotated[bool, typer.Option(help="store the values (default: dry run)")] = False,
) -> None:
    """Load measure values from a spreadsheet; refused whole if any row is wrong."""
    if not file.is_file():
        fail(f"{file}: no such file")
    with cli_session(load_settings(), write=commit) as session:
        actor = _acting(session, by)
        result = import_measure_values(
            session, actor=actor, source=file, filename=file.name, commit=commit
        )
    if not result.ok:
        for problem in result.problems:
            typer.echo(str(problem), err=True)
        fail(f"{file.name} refused: {len(result.problems)} problem(s); nothing was stored")
    counts = ", ".join(f"{result.count(c)} {c}" for c in ("new", "correction", "unchanged"))
    verb = "stored" if result.committed else "would store (dry run; add --commit to store)"
    typer.echo(f"{file.name}: {len(result.rows)} rows: {counts}; {verb}")


@measures_app.command("import-national")
def import_national(
    file: Annotated[Path, typer.Argument(help="an EES open-data CSV file", exists=False)],
    local: Annotated[
        bool,
        typer.Option(
            "--local",
            help="also take the partnership's own row as each measure's value for its period",
        ),
    ] = False,
) -> None:
    """Store England's, the region's and the local authorities' published figures beside the
    measures governance.yaml maps (comparators), from an Explore Education Statistics CSV."""
    settings = load_settings()
    config = current_governance(settings.governance_file).comparators
    try:
        stream = file.open("rb")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    with stream, cli_session(settings, write=True) as session:
        report = import_national_figures(
            session,
            stream=stream,
            source=file.name,
            config=config,
            actor=operator("tracker measures import-national"),
            local=local,
        )
    typer.echo(
        f"{file.name}: {report.rows_read:,} rows read; {report.stored} figures stored "
        f"({report.replaced} replaced)."
    )
    if local:
        typer.echo(
            f"  values from the partnership's own row: {report.values_new} new, "
            f"{report.values_corrected} corrected, {report.values_unchanged} unchanged "
            "(provisional until signed off)"
        )
    for mapping in config.mappings:
        periods = report.periods(mapping.measure)
        typer.echo(
            f"  {mapping.measure} ({mapping.indicator}): "
            + (", ".join(periods) if periods else "no matching rows")
        )
