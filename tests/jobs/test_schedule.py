"""The job definitions: from governance.yaml, in London time, never between 01:00 and 03:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.schedule import (
    AUDIT_JOB,
    DIGEST_JOB,
    DISPATCH_JOB,
    LONDON,
    RELOAD_JOB,
    REMINDERS_JOB,
    REPUBLISH_JOB,
    ScheduleError,
    _cron,
    build_job_specs,
    first_moment_outside_maintenance,
    in_maintenance_window,
    next_runs,
    previous_run,
)
from tracker.governance import GovernanceConfig, ReminderRule, RiskReviewRule


def with_cycle(governance: GovernanceConfig, **changes: object) -> GovernanceConfig:
    cycle = governance.update_cycle
    reminders = cycle.reminders.model_copy(
        update={k: v for k, v in changes.items() if k != "send_time"}
    )
    send_time = str(changes.get("send_time", cycle.send_time))
    new_cycle = cycle.model_copy(update={"reminders": reminders, "send_time": send_time})
    return governance.model_copy(update={"update_cycle": new_cycle})


def test_jobs_have_explicit_ids_real_grace_times_and_london_triggers(
    governance: GovernanceConfig,
) -> None:
    specs = {spec.id: spec for spec in build_job_specs(governance)}
    assert set(specs) == {
        DISPATCH_JOB,
        RELOAD_JOB,
        REMINDERS_JOB,
        DIGEST_JOB,
        AUDIT_JOB,
        REPUBLISH_JOB,
    }
    assert specs[REPUBLISH_JOB].func == "jobs.tasks:republish_site_job"
    assert specs[REPUBLISH_JOB].catch_up
    assert specs[AUDIT_JOB].func == "jobs.tasks:audit_verify_job"
    assert specs[REMINDERS_JOB].func == "jobs.tasks:reminders_job"
    assert specs[REMINDERS_JOB].misfire_grace_time == 4 * 3600
    assert 0 < specs[DISPATCH_JOB].misfire_grace_time < 60
    assert all(str(spec.trigger.timezone) == "Europe/London" for spec in specs.values())
    assert specs[REMINDERS_JOB].catch_up and specs[DIGEST_JOB].catch_up
    assert not specs[DISPATCH_JOB].catch_up


def test_reminders_go_on_working_days_at_the_send_time_and_the_digest_on_monday(
    governance: GovernanceConfig,
) -> None:
    specs = build_job_specs(governance)
    friday_evening = datetime(2026, 2, 6, 18, tzinfo=LONDON)
    runs = [
        r
        for r in next_runs(specs, now=friday_evening, per_job=3)
        if r.job_id in (REMINDERS_JOB, DIGEST_JOB)
    ]
    assert [(r.job_id, r.at) for r in runs][:4] == [
        (REMINDERS_JOB, datetime(2026, 2, 9, 7, 30, tzinfo=LONDON)),
        (DIGEST_JOB, datetime(2026, 2, 9, 8, 0, tzinfo=LONDON)),
        (REMINDERS_JOB, datetime(2026, 2, 10, 7, 30, tzinfo=LONDON)),
        (REMINDERS_JOB, datetime(2026, 2, 11, 7, 30, tzinfo=LONDON)),
    ]


@pytest.mark.parametrize("start", [date(2026, 3, 27), date(2026, 10, 23)])
def test_no_job_fires_in_the_maintenance_window_across_a_clock_change(
    governance: GovernanceConfig, start: date
) -> None:
    specs = build_job_specs(governance)
    now = datetime.combine(start, datetime.min.time(), tzinfo=LONDON)
    runs = next_runs(specs, now=now, per_job=3000)
    assert runs[-1].at - runs[0].at > timedelta(days=2)  # the fortnight spans the change
    assert not [r for r in runs if in_maintenance_window(r.at)]
    # Between 00:59 and 03:00 (local) the dispatcher pauses, then resumes.
    night = [r.at.astimezone(LONDON) for r in runs if r.job_id == DISPATCH_JOB]
    assert any(t.hour == 0 and t.minute == 59 for t in night)
    assert any(t.hour == 3 and t.minute == 0 for t in night)


def test_a_trigger_inside_the_maintenance_window_is_refused_when_built() -> None:
    with pytest.raises(ScheduleError, match="between 01:00 and 03:00"):
        _cron("nightly", LONDON, hour=2, minute=15)
    with pytest.raises(ScheduleError):
        _cron("every-minute", LONDON, minute="*")


def test_disabled_rules_remove_their_jobs_and_a_new_send_time_moves_the_job(
    governance: GovernanceConfig,
) -> None:
    off = ReminderRule(enabled=False)
    quiet = with_cycle(
        governance,
        update_request=off,
        chaser=off,
        escalation=off,
        paper_ready=off,
        weekly_digest=off,
    )
    # Risk review reminders alone still need the daily reminders job.
    assert REMINDERS_JOB in {spec.id for spec in build_job_specs(quiet)}
    quiet = with_cycle(quiet, risk_review=RiskReviewRule(enabled=False))
    assert {spec.id for spec in build_job_specs(quiet)} == {
        DISPATCH_JOB,
        RELOAD_JOB,
        AUDIT_JOB,
        REPUBLISH_JOB,
    }
    assert governance.publishing is not None
    by_hand = governance.model_copy(
        update={
            "publishing": governance.publishing.model_copy(
                update={"republish_after_meetings_of": None}
            )
        }
    )
    assert REPUBLISH_JOB not in {spec.id for spec in build_job_specs(by_hand)}
    later = with_cycle(governance, send_time="09:15")
    (reminders,) = [s for s in build_job_specs(later) if s.id == REMINDERS_JOB]
    fire = reminders.trigger.get_next_fire_time(None, datetime(2026, 2, 9, tzinfo=LONDON))
    assert fire == datetime(2026, 2, 9, 9, 15, tzinfo=LONDON)


def test_the_previous_scheduled_run_is_found_for_catching_up(governance: GovernanceConfig) -> None:
    (reminders,) = [s for s in build_job_specs(governance) if s.id == REMINDERS_JOB]
    saturday = datetime(2026, 2, 7, 12, tzinfo=UTC)
    assert previous_run(reminders, now=saturday) == datetime(2026, 2, 6, 7, 30, tzinfo=LONDON)
    monday_early = datetime(2026, 2, 9, 6, tzinfo=LONDON)
    assert previous_run(reminders, now=monday_early) == datetime(2026, 2, 6, 7, 30, tzinfo=LONDON)
    summer = datetime(2026, 6, 10, 7, 30, tzinfo=LONDON)  # BST: 06:30 UTC
    assert previous_run(reminders, now=summer) == summer


def test_a_catch_up_in_the_maintenance_window_waits_until_three() -> None:
    assert first_moment_outside_maintenance(datetime(2026, 2, 9, 1, 20, tzinfo=LONDON)) == (
        datetime(2026, 2, 9, 3, 0, tzinfo=LONDON)
    )
    noon = datetime(2026, 2, 9, 12, tzinfo=LONDON)
    assert first_moment_outside_maintenance(noon) == noon


def test_the_schedule_keeps_the_partnerships_time_zone_from_governance_yaml(
    governance: GovernanceConfig,
) -> None:
    new_york = ZoneInfo("America/New_York")
    partnership = governance.partnership.model_copy(update={"timezone": "America/New_York"})
    specs = build_job_specs(governance.model_copy(update={"partnership": partnership}))
    reminders = next(spec for spec in specs if spec.id == REMINDERS_JOB)

    # Monday 9 February 2026, 12:00 UTC is 07:00 in New York: the reminders are still to come.
    (run,) = next_runs([reminders], now=datetime(2026, 2, 9, 12, 0, tzinfo=UTC))

    assert run.at.astimezone(new_york).replace(tzinfo=None) == datetime(2026, 2, 9, 7, 30)
    assert run.at.astimezone(UTC) == datetime(2026, 2, 9, 12, 30, tzinfo=UTC)
