"""The audit log: who changed which field of what, from what, to what, and when.

Every service that changes data records it here, in the caller's transaction.
"""

from tracker.services.audit._log import record_change, record_changes

__all__ = [
    "record_change",
    "record_changes",
]
