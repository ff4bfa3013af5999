"""The action register as read models: rows, filters, pages of rows, summaries and history.

The row types (``ActionRow``, ``ActionFilter``, ``CycleStarts``) sit below the one query;
``list_actions`` loads every matching action with its flags (for papers and exports);
``list_register_page`` fetches one screen of rows with every filter in SQL; the overview's
headline figures, exception lists and RAG trend; an action's update history and audit trail;
``list_choices`` (what filters and forms offer) and ``load_register_page``, the register
screen's view model (choices and one page of rows, in one session).
"""

from tracker.services.register._audit_words import worded_audit_trail
from tracker.services.register._choices import Choice, Choices, list_choices
from tracker.services.register._overview import (
    TREND_KEYS,
    Exceptions,
    Headline,
    TrendPoint,
    history_version,
    list_overdue_exceptions,
    list_red_exceptions,
    month_ends,
    summarise_headline,
    track_rag_over_time,
)
from tracker.services.register._paging import (
    RegisterOrder,
    RegisterPage,
    fetch_rows,
    filter_conditions,
    list_actions,
    list_not_updated_actions,
    list_overdue_actions,
    list_register_page,
)
from tracker.services.register._queries import (
    AuditEntry,
    HistoryEntry,
    RagSummary,
    action_history,
    audit_trail,
    count_by_rag,
    summarise_rag,
)
from tracker.services.register._rows import (
    DEFAULT_CYCLE_DAYS,
    ActionFilter,
    ActionRow,
    load_cycle_starts,
)
from tracker.services.register._screen import RegisterScreen, load_register_page
from tracker.services.register._view import OVERVIEW_LIMIT, Overview, load_overview

__all__ = [
    "DEFAULT_CYCLE_DAYS",
    "OVERVIEW_LIMIT",
    "TREND_KEYS",
    "ActionFilter",
    "ActionRow",
    "AuditEntry",
    "Choice",
    "Choices",
    "Exceptions",
    "Headline",
    "HistoryEntry",
    "Overview",
    "RagSummary",
    "RegisterOrder",
    "RegisterPage",
    "RegisterScreen",
    "TrendPoint",
    "action_history",
    "audit_trail",
    "count_by_rag",
    "fetch_rows",
    "filter_conditions",
    "history_version",
    "list_actions",
    "list_choices",
    "list_not_updated_actions",
    "list_overdue_actions",
    "list_overdue_exceptions",
    "list_red_exceptions",
    "list_register_page",
    "load_cycle_starts",
    "load_overview",
    "load_register_page",
    "month_ends",
    "summarise_headline",
    "summarise_rag",
    "track_rag_over_time",
    "worded_audit_trail",
]
