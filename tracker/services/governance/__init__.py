"""The governance structure in the database: loading governance.yaml, meetings and calendars.

``sync_governance`` writes a validated ``GovernanceConfig`` idempotently; ``list_board_calendars``
and ``list_workstream_leads`` describe the structure as people use it; the calendar export lists
coming meetings and writes them as an ``.ics`` file.
"""

from tracker.services.governance._calendar_export import (
    UnknownBoard,
    list_coming_meetings,
    render_calendar_file,
)
from tracker.services.governance._structure import (
    BoardCalendar,
    list_board_calendars,
    list_workstream_leads,
)
from tracker.services.governance._sync import SyncReport, sync_governance

__all__ = [
    "BoardCalendar",
    "SyncReport",
    "UnknownBoard",
    "list_board_calendars",
    "list_coming_meetings",
    "list_workstream_leads",
    "render_calendar_file",
    "sync_governance",
]
