"""The audit log: who changed which field of what, from what, to what, and when.

Every service that changes data records it here, in the caller's transaction.
"""

from tracker.services.audit._chain import (
    AuditChainBroken,
    ChainReport,
    append_audit_rows,
    verify_audit_chain,
)
from tracker.services.audit._log import record_change, record_changes, record_event

__all__ = [
    "AuditChainBroken",
    "ChainReport",
    "append_audit_rows",
    "record_change",
    "record_changes",
    "record_event",
    "verify_audit_chain",
]
