"""Evidence files attached to actions and updates: storing, checking, listing and reading.

``add_evidence`` streams an upload in ``CHUNK_BYTES`` pieces into the database or the file
store after checking who is acting, its name, size and type by content (``_types``, ``_names``);
``supersede_evidence``, ``set_shareable`` and ``delete_evidence`` (administrators, with a
reason) change it, audited on the action; ``list_evidence``, ``open_evidence`` and
``load_evidence_panel`` read it as the person may see it (partners: only shareable files).
``iter_content`` streams a stored file's bytes back (the stocktake pack uses it).
"""

from tracker.services.evidence._names import NAME_BYTES, clean_filename
from tracker.services.evidence._read import (
    EvidenceFile,
    EvidencePanel,
    EvidenceRow,
    list_evidence,
    load_evidence_panel,
    open_evidence,
)
from tracker.services.evidence._storage import (
    CHUNK_BYTES,
    EvidenceStore,
    format_size,
    iter_content,
)
from tracker.services.evidence._types import ACCEPTED_EXTENSIONS, KINDS, EvidenceRefused, Kind
from tracker.services.evidence._write import (
    NOTE_LIMIT,
    REASON_LIMIT,
    EvidenceNotFound,
    EvidenceSuperseded,
    add_evidence,
    delete_evidence,
    get_evidence,
    set_shareable,
    supersede_evidence,
)

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "CHUNK_BYTES",
    "KINDS",
    "NAME_BYTES",
    "NOTE_LIMIT",
    "REASON_LIMIT",
    "EvidenceFile",
    "EvidenceNotFound",
    "EvidencePanel",
    "EvidenceRefused",
    "EvidenceRow",
    "EvidenceStore",
    "EvidenceSuperseded",
    "Kind",
    "add_evidence",
    "clean_filename",
    "delete_evidence",
    "format_size",
    "get_evidence",
    "iter_content",
    "list_evidence",
    "load_evidence_panel",
    "open_evidence",
    "set_shareable",
    "supersede_evidence",
]
