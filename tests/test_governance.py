"""governance.yaml: the shipped file is valid, and every kind of bad file is refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import GOVERNANCE_FILE
from tracker.db import session_scope
from tracker.governance import GovernanceError, load_governance, parse_governance
from tracker.models import AuditLog, GovernanceBody, Meeting
from tracker.seed import seed_strategy
from tracker.services.operations import initialise_database

SHIPPED = GOVERNANCE_FILE.read_text(encoding="utf-8")


def test_shipped_file_has_the_strategy_structure() -> None:
    config = load_governance(GOVERNANCE_FILE)
    assert len(config.bodies) == 15
    assert [w.name for w in config.workstreams] == [
        "Data dashboard",
        "EHCP Improvement",
        "ND Pathway",
        "Communication and Engagement",
        "Preparation for Adulthood and Transitions",
        "Workforce Development and Training",
    ]
    chain = []
    body = config.find_body("SEND Operations Board")
    while body is not None:
        chain.append(body.name)
        body = config.find_body(body.reports_to) if body.reports_to else None
    assert chain == [
        "SEND Operations Board",
        "SEND Transformation Board",
        "SEND Improvement Board",
        "LCC Cabinet",
    ]
    improvement = config.find_body("SIB")
    assert improvement is not None and improvement.also_reports_to == ["lsc_icb_board"]
    assert {r.code for r in config.rag} == {"blue", "green", "amber", "red"}
    tiers = {b.tier.value for b in config.bodies}
    assert tiers == {"organisational_lead", "executive", "oversight", "stakeholder"}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _replace(old: str, new: str, count: int = 1) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, count)


BAD_FILES = {
    "unknown body": (
        _replace(
            "reports_to: send_transformation_board\n    secretary: operations",
            "reports_to: SEND Ops Board\n    secretary: operations",
        ),
        r"bodies\[8\]\.reports_to: unknown body 'SEND Ops Board' \(line \d+\)",
    ),
    "cycle in reporting lines": (
        _replace(
            "    reports_to: lcc_cabinet\n    also_reports_to",
            "    reports_to: send_operations_board\n    also_reports_to",
        ),
        r"reporting lines form a cycle: .*send_improvement_board.*send_operations_board",
    ),
    "bad date": (
        _replace("dates: [2026-01-07]", "dates: [2026-02-30]"),
        r"bodies\[8\]\.calendar\.dates\[0\]: .2026-02-30. is not a real date \(line \d+\)",
    ),
    "bad colour": (
        _replace('colour: "#C00000"', 'colour: "crimson"'),
        r"rag\[3\]\.colour: colour must look like #RRGGBB, not 'crimson' \(line \d+\)",
    ),
    "duplicate body name": (
        _replace("name: Scrutiny\n", "name: ICB Quality Committee\n"),
        r"bodies\[3\]\.name: duplicate body name 'ICB Quality Committee' "
        r"\(also at bodies\[2\]\.name\)",
    ),
    "duplicate person": (
        _replace(
            "email: powar@example.org", "email: POWAR.Participation@example.org\n    job_title: x"
        ).replace("email: provider.rep@example.nhs.uk", "email: powar.participation@example.org"),
        r"people\[\d+\]\.email: duplicate e-mail",
    ),
    "yaml syntax error": (
        _replace("  name: Lancashire SEND Partnership\n", "  name: [Lancashire SEND Partnership\n"),
        r"not valid YAML: .*\(line \d+, column \d+\)",
    ),
    "python object tag": (
        _replace(
            "  short_name: Lancashire SEND\n",
            "  short_name: !!python/object/apply:os.system ['echo pwned']\n",
        ),
        r"not valid YAML: .*python/object.*\(line \d+, column \d+\)",
    ),
    "unknown key": (
        _replace(
            "  timezone: Europe/London\n", "  timezone: Europe/London\n  colour_scheme: blue\n"
        ),
        r"partnership\.colour_scheme: Extra inputs are not permitted \(line \d+\)",
    ),
    "bad recurrence rule": (
        _replace("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3", "FREQ=SOMETIMES"),
        r"bodies\[8\]\.calendar: .*FREQ=SOMETIMES",
    ),
    "reminders in the maintenance window": (
        _replace('send_time: "07:30"', 'send_time: "02:15"'),
        r"update_cycle\.send_time: no reminders between 01:00 and 03:00",
    ),
    "unknown time zone": (
        _replace("  timezone: Europe/London\n", "  timezone: Europe/Lancashire\n"),
        r"partnership\.timezone: unknown time zone 'Europe/Lancashire': use an IANA name .*"
        r"\(line \d+\)",
    ),
    "time zone given as an offset": (
        _replace("  timezone: Europe/London\n", "  timezone: GMT+1:00\n"),
        r"partnership\.timezone: unknown time zone 'GMT\+1:00'",
    ),
    "unknown performance lead": (
        _replace(
            "  performance_lead: send.data@example.org\n  two_person_sign_off: false",
            "  performance_lead: perf@example.org\n  two_person_sign_off: false",
        ),
        r"measures\.performance_lead: unknown person 'perf@example.org' .*\(line \d+\)",
    ),
    "unknown performance lead of one measure": (
        _replace(
            "    - measure: M2.3\n      performance_lead: send.data@example.org",
            "    - measure: M2.3\n      performance_lead: nobody@example.org",
        ),
        r"measures\.sign_off\[0\]\.performance_lead: unknown person 'nobody@example.org'",
    ),
    "sign-off for a measure the strategy does not have": (
        _replace(
            "    - measure: M2.3\n      performance_lead",
            "    - measure: M9.9\n      performance_lead",
        ),
        r"measures\.sign_off\[0\]\.measure: unknown measure 'M9.9' .*\(line \d+\)",
    ),
    "unknown local authority code": (
        _replace("{code: E10000017,", "{code: E12000017,"),
        r"comparators\.local_authority\.code: unknown local authority code 'E12000017' for "
        r"Lancashire: .*\(line \d+\)",
    ),
    "unknown neighbour code": (
        _replace("{code: E06000009, name: Blackpool}", "{code: E06000009X, name: Blackpool}"),
        r"comparators\.neighbours\[1\]\.code: String should match pattern",
    ),
    "a neighbour that is the partnership itself": (
        _replace("{code: E06000009, name: Blackpool}", "{code: E10000017, name: Blackpool}"),
        r"comparators\.neighbours\[1\]\.code: duplicate local authority code 'E10000017'",
    ),
    "unknown region code": (
        _replace("{code: E12000002, name: North West}", "{code: E10000002, name: North West}"),
        r"comparators\.region\.code: unknown region code 'E10000002'",
    ),
    "comparators for a measure the strategy does not have": (
        _replace(
            "    - measure: M2.3\n      publication", "    - measure: M2.33\n      publication"
        ),
        r"comparators\.mappings\[0\]\.measure: unknown measure 'M2.33'",
    ),
    "unknown workstream lead": (
        _replace("lead: send.data@example.org", "lead: nobody@example.org"),
        r"workstreams\[0\]\.lead: unknown person 'nobody@example.org'",
    ),
    "a person's address as the public feedback route": (
        _replace(
            "    url: https://www.example.org/send/feedback\n",
            "    email: head.of.send@example.org\n",
        ),
        r"publishing\.feedback\.email: head\.of\.send@example\.org is a person's address "
        r"\(listed under people:\); the public site names no person.* \(line \d+\)",
    ),
    "a feedback route that is not https": (
        _replace(
            "url: https://www.example.org/send/feedback", "url: http://www.example.org/feedback"
        ),
        r"publishing\.feedback\.url: url must be an https:// web address.* \(line \d+\)",
    ),
    "no feedback route at all": (
        _replace("    url: https://www.example.org/send/feedback\n", "    phone: 0300 123 6701\n"),
        r"publishing\.feedback: give a url \(a web page or form\) or an email",
    ),
    "an approval role that does not exist": (
        _replace(
            "update_summaries: {required: true, role: administrator}",
            "update_summaries: {required: true, role: chair}",
        ),
        r"publishing\.approval\.update_summaries\.role: .*'administrator'.* \(line \d+\)",
    ),
    "republishing after an unknown board": (
        _replace(
            "republish_after_meetings_of: send_improvement_board",
            "republish_after_meetings_of: send_ops",
        ),
        r"publishing\.republish_after_meetings_of: unknown body 'send_ops' \(line \d+\)",
    ),
    "a statement reviewed before it was prepared": (
        _replace(
            "    prepared_on: 2026-11-02\n",
            "    prepared_on: 2026-11-02\n    reviewed_on: 2026-01-01\n",
        ),
        r"publishing\.accessibility: .*reviewed_on cannot be before prepared_on",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_gives_a_clear_error(case: str) -> None:
    text, pattern = BAD_FILES[case]
    with pytest.raises(GovernanceError) as excinfo:
        parse_governance(text)
    assert any(__import__("re").search(pattern, problem) for problem in excinfo.value.problems), (
        excinfo.value.problems
    )


def test_unknown_body_error_names_the_right_line() -> None:
    text, _ = BAD_FILES["unknown body"]
    with pytest.raises(GovernanceError) as excinfo:
        parse_governance(text)
    line = _line_of(text, "reports_to: SEND Ops Board")
    assert f"(line {line})" in str(excinfo.value)


@pytest.mark.parametrize("case", ["unknown body", "python object tag", "bad colour"])
def test_bad_file_changes_nothing(case: str, sqlite_engine, tmp_path: Path) -> None:
    with session_scope(sqlite_engine) as session:
        before = len(session.exec(select(AuditLog)).all())
    bad = tmp_path / "governance.yaml"
    bad.write_text(BAD_FILES[case][0], encoding="utf-8")
    with pytest.raises(GovernanceError):
        initialise_database(sqlite_engine, governance_file=bad, seed=seed_strategy)
    with session_scope(sqlite_engine) as session:
        assert len(session.exec(select(AuditLog)).all()) == before


def test_loading_twice_changes_nothing(engine) -> None:
    report = initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
    assert not report.changed, (report.governance, report.seed)


def test_renaming_a_body_updates_it_rather_than_duplicating(engine, tmp_path: Path) -> None:
    renamed = tmp_path / "governance.yaml"
    renamed.write_text(
        SHIPPED.replace("name: SEND Operations Board\n", "name: SEND Operational Delivery Board\n"),
        encoding="utf-8",
    )
    report = initialise_database(engine, governance_file=renamed, seed=seed_strategy)
    assert report.governance.updated == {"governance_body": 1}
    with session_scope(engine) as session:
        bodies = session.exec(select(GovernanceBody)).all()
        names = {b.name for b in bodies}
        assert len(bodies) == 15
        assert "SEND Operational Delivery Board" in names
        assert "SEND Operations Board" not in names
        audit = session.exec(select(AuditLog).where(AuditLog.field == "name")).one()
        assert (audit.old, audit.new, audit.actor_label) == (
            "SEND Operations Board",
            "SEND Operational Delivery Board",
            "governance.yaml",
        )


def test_meetings_carry_deadlines_and_windows(sqlite_engine) -> None:
    with session_scope(sqlite_engine) as session:
        sob = session.exec(
            select(GovernanceBody).where(GovernanceBody.key == "send_operations_board")
        ).one()
        meetings = session.exec(
            select(Meeting).where(Meeting.body_id == sob.id).order_by(Meeting.meeting_date)
        ).all()
    first = meetings[0]
    assert first.meeting_date.isoformat() == "2025-09-17"  # third Wednesday
    assert first.paper_deadline is not None and first.window_opens is not None
    assert first.window_opens < first.paper_deadline < first.meeting_date
    assert any(m.meeting_date.isoformat() == "2026-01-07" for m in meetings)


def test_unclosed_bracket_points_at_the_line_it_opened() -> None:
    text = SHIPPED.replace("  timezone: Europe/London\n", "  timezone: [Europe/London\n")
    with pytest.raises(GovernanceError) as excinfo:
        parse_governance(text)
    line = _line_of(text, "timezone: [Europe/London")
    assert f"while parsing a flow sequence (line {line}, column" in str(excinfo.value)
