"""The service packages' shape: public surfaces, private modules, and who may import what.

``tracker/services`` is one level of packages; each ``__init__.py`` names its public surface in
``__all__`` (pinned below, so widening it is a decision someone makes in review) over private
``_x.py`` modules. Pages, the command line, jobs and every other package import only those
surfaces; only a package's own modules (and tests) reach its private modules. No folder in
``tracker/`` holds more than 15 modules directly, so a newcomer can take in each one.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "tracker" / "services"
MAX_MODULES_PER_FOLDER = 15

SURFACES = {
    "stocktake": """
        check_output default_period EVIDENCE_POLICY GeneratedPack generate_stocktake
        list_stocktakes load_stocktake_page PackEntry pack_filename Period PeriodInvalid
        read_stocktake_file StocktakeInfo StocktakePage StocktakeRow
    """,
    "evidence": """
        ACCEPTED_EXTENSIONS add_evidence CHUNK_BYTES clean_filename delete_evidence
        EvidenceFile EvidenceNotFound EvidencePanel EvidenceRefused EvidenceRow EvidenceStore
        EvidenceSuperseded format_size get_evidence iter_content Kind KINDS list_evidence
        load_evidence_panel NAME_BYTES NOTE_LIMIT open_evidence REASON_LIMIT set_shareable
        supersede_evidence
    """,
    "publishing": """
        ActionPublication ApprovalQueue approve_feedback approve_summary build_site
        describe_rule gather_public_site inline_stylesheet is_value_public LastPublication
        list_action_publication list_approval_queue load_publish_page may_publish PublishPage
        meeting_awaiting_publication
        PendingFeedback PendingSummary
        PendingValue PUBLIC_TITLE_LIMIT PublicAction PublicFeedback PublicMeasure
        PublicPriority PublicSite PublicTitleInvalid public_status publish_measure_value
        publish_site PublishReport render_site RenderedSite set_action_publication
    """,
    "feedback": """
        add_feedback COMMON_SOURCES edit_feedback FeedbackConflict FeedbackFilter FeedbackForm
        FeedbackGroup FeedbackImport FeedbackNotFound FeedbackRow FeedbackScreen import_feedback
        ImportedRow ImportProblem is_forum_representative list_feedback
        list_feedback_for_priorities load_feedback_page may_add_feedback NOT_LINKED Option
        read_status set_feedback_status status_label STATUS_LABELS
    """,
    "risks": """
        add_mitigation add_risk close_risk get_risk list_risks load_risks_page may_score
        MITIGATION_LIMIT MitigationRow NewRisk open_mitigations Rescore risk_choices
        risk_detail RiskChoices RiskClosed RiskDetail RiskFilter RiskInvalid RiskNotFound
        RiskReviewRow RiskRow risks_overseen RisksPage score_risk scores_at
        set_mitigation_done TEXT_LIMIT TITLE_LIMIT
    """,
    "actions": """
        ActionDetail ActionFields ActionNotFound Choice Choices ConflictError create_action
        edit_action escalate_action EscalationError EscalationRow find_escalation_target
        get_action get_action_detail list_action_escalations list_choices list_my_actions
        list_open_escalations may_escalate may_resolve may_update reassign_action record_update
        may_act_on require_on resolve_escalation TEXT_LIMIT TITLE_LIMIT UpdateForm
        validate_update ValidationFailed
        withdraw_action WorkItem Worklist CONFIRMED PLANNING_FIELD TO_CONFIRM UnconfirmedAction
        confirm_planning count_confirmed list_unconfirmed_actions list_all_open_escalations
        ActionMismatch match_reference picker_references ActionPage load_action_page
        LinkedAction MyActions load_my_actions
    """,
    "audit": """
        record_change record_changes AuditChainBroken append_audit_rows ChainReport
        verify_audit_chain record_event
    """,
    "governance": """
        BoardCalendar list_board_calendars list_coming_meetings list_workstream_leads
        render_calendar_file sync_governance SyncReport UnknownBoard
    """,
    "measures": """
        LABEL_LIMIT count_by_rating enter_value EnteredValue filter_summaries get_measure_detail
        Comparator ComparatorSet NationalFileRefused NationalImport describe_comparators
        import_national_figures latest_comparators
        get_measure_summary import_measure_values link_actions list_context_figures
        list_measure_summaries list_red_measures may_edit_measure may_enter_values
        may_import_values may_link_actions MeasureDetail MeasureImport MeasureNotFound
        MeasureSummary normalise_reference NOT_RATED parse_period set_narrative_rating
        set_targets
        FINAL PROVISIONAL SOURCE_LIMIT AwaitingSignOff SignedOff Milestone MilestoneProgress
        add_milestone
        remove_milestone list_values_awaiting_sign_off sign_off_value milestone_progress
    """,
    "operations": """
        AUDIT_VERIFY_JOB latest_chain_check record_chain_check acquire_scheduler_lock
        backup_database BackupError clear_heartbeat count_rows describe_this_process
        HEARTBEAT_MARGIN initialise_database last_successful_runs list_job_runs lock_file_for
        read_scheduler_status record_heartbeat record_job_run restore_database
        SchedulerAlreadyRunning SchedulerLock status_summary JobRunEntry ChecklistItem
        SetupChecklist SignIn build_setup_checklist queue_test_email find_real_data is_demo
        mark_demo
    """,
    "outbox": """
        claim_batch Clock count_outbox dispatch_outbox DispatchPolicy DispatchReport
        enqueue_messages find_states list_outbox make_dedupe_key message_id_for NewMessage
        OutboxEntry read_message_text retry_failed STATES summarise_pending utc_now
    """,
    "papers": """
        check_paper_settings generate_paper get_paper_file list_boards list_own_boards
        list_papers may_generate MEDIA_TYPE preview_paper read_inputs_version StoredPaperInfo
        PaperFile get_paper_pdf pdf_filename GeneratedPaper PapersPage load_papers_page
    """,
    "people": """
        actor_by_id actor_for_email add_person build_actor list_people
        normalise_email PersonError PersonRow resolve_dev_user set_active set_roles
        UnknownPerson set_active_as_operator EntraIdentity INACTIVE bound_actor
        configured_tenant sign_in unbind_identity
    """,
    "plans": """
        export_filename export_history export_register ExportError ExportFile ExportFormat
        FORMATS HISTORY_STEM import_plan ImportConflict ImportReport MEDIA_TYPES PlannedAction
        RagKey REGISTER_STEM download_export download_paper RowError
    """,
    "register": """
        action_history ActionFilter ActionRow audit_trail AuditEntry count_by_rag
        DEFAULT_CYCLE_DAYS Exceptions fetch_rows filter_conditions Headline history_version
        HistoryEntry list_actions list_not_updated_actions list_overdue_actions
        list_overdue_exceptions list_red_exceptions list_register_page load_cycle_starts
        month_ends RagSummary RegisterOrder RegisterPage summarise_headline summarise_rag
        track_rag_over_time TREND_KEYS TrendPoint worded_audit_trail Choice Choices
        list_choices load_register_page RegisterScreen
        load_overview Overview OVERVIEW_LIMIT
    """,
    "reminders": """
        action_link ALL_RULES BoardCycle build_mail_context CYCLE_RULES MailContext MAX_LINES
        plan_reminders PlannedReminder preview_reminders PreviewItem queue_due_reminders
        ReminderLine ReminderPlan ReminderSection render_for_outbox render_reminder render_text
        RuleName send_queued_mail load_reminder_facts RiskLine risk_link
    """,
}


def _packages() -> list[str]:
    return sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists())


def test_services_is_one_level_of_packages() -> None:
    loose = sorted(p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    assert _packages() == sorted(SURFACES)
    for package in _packages():
        nested = [
            p.name for p in (SERVICES / package).iterdir() if p.is_dir() and p.name != "__pycache__"
        ]
        assert nested == [], package
        modules = [p.name for p in (SERVICES / package).glob("*.py") if p.name != "__init__.py"]
        assert modules, package
        assert all(name.startswith("_") for name in modules), (package, modules)


@pytest.mark.parametrize("package", sorted(SURFACES))
def test_public_surface_is_pinned(package: str) -> None:
    module = importlib.import_module(f"tracker.services.{package}")
    assert module.__doc__ and len(module.__doc__.strip()) > 40
    assert sorted(module.__all__) == sorted(SURFACES[package].split())
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private_reaches(path: Path, module: str | None = None) -> list[str]:
    """Imports in ``path`` of a private module (or name) that belongs to another package.

    ``module`` names the module the file is checked as (by default, where it sits).
    """
    here = module or _module_name(path)
    if path.name != "__init__.py":
        here = here.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for imported in modules:
            parts = imported.split(".")
            if parts[0] not in {"tracker", "jobs"}:
                continue
            for depth, part in enumerate(parts):
                owner = ".".join(parts[:depth])
                inside = here == owner or here.startswith(owner + ".")
                if part.startswith("_") and not part.startswith("__") and not inside:
                    found.append(f"{path.name}: {imported}")
                    break
    return found


def test_nothing_reaches_into_another_packages_private_modules() -> None:
    files = sorted((ROOT / "tracker").rglob("*.py")) + sorted((ROOT / "jobs").rglob("*.py"))
    assert [hit for f in files for hit in _private_reaches(f)] == []


@pytest.mark.parametrize(
    ("module", "line", "allowed"),
    [
        (
            "tracker.pages.register",
            "from tracker.services.register import list_register_page",
            True,
        ),
        (
            "tracker.pages.register",
            "from tracker.services.register._paging import fetch_rows",
            False,
        ),
        ("tracker.commands.papers", "from tracker.services.papers import _store", False),
        ("jobs.tasks", "import tracker.services.outbox._dispatch", False),
        (
            "tracker.services.plans._exporter",
            "from tracker.services.register._queries import X",
            False,
        ),
        (
            "tracker.services.register._overview",
            "from tracker.services.register._paging import X",
            True,
        ),
    ],
)
def test_private_import_check(tmp_path: Path, module: str, line: str, allowed: bool) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(line + "\n")
    assert (_private_reaches(probe, module + ".probe") == []) is allowed


def test_no_folder_in_tracker_holds_more_than_15_modules() -> None:
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder in [ROOT / "tracker", *(ROOT / "tracker").rglob("*")]
        if folder.is_dir() and (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER
    }
    assert crowded == {}
