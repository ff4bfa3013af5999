""" "You said, we did": what families, children and young people said, what the partnership did.

Entries (YS1, YS2 ...) record what was said and by whom (the Parent Carer Forum, POWAR, a
survey, a complaint), when it was heard, what was done, the impact and the status, and are
linked to priorities and actions. ``add_feedback``, ``edit_feedback`` and
``set_feedback_status`` write (permission checked, audited, optimistic on edits);
``list_feedback`` and ``load_feedback_page`` read; ``import_feedback`` reads a spreadsheet of
entries, all or nothing; ``list_feedback_for_priorities`` is what the papers print.
"""

from tracker.services.feedback._import import (
    FeedbackImport,
    ImportedRow,
    ImportProblem,
    import_feedback,
)
from tracker.services.feedback._read import (
    NOT_LINKED,
    FeedbackFilter,
    FeedbackGroup,
    FeedbackScreen,
    Option,
    list_feedback,
    list_feedback_for_priorities,
    load_feedback_page,
)
from tracker.services.feedback._records import (
    COMMON_SOURCES,
    STATUS_LABELS,
    FeedbackForm,
    FeedbackRow,
    read_status,
    status_label,
)
from tracker.services.feedback._write import (
    FeedbackConflict,
    FeedbackNotFound,
    add_feedback,
    edit_feedback,
    is_forum_representative,
    may_add_feedback,
    set_feedback_status,
)

__all__ = [
    "COMMON_SOURCES",
    "NOT_LINKED",
    "STATUS_LABELS",
    "FeedbackConflict",
    "FeedbackFilter",
    "FeedbackForm",
    "FeedbackGroup",
    "FeedbackImport",
    "FeedbackNotFound",
    "FeedbackRow",
    "FeedbackScreen",
    "ImportProblem",
    "ImportedRow",
    "Option",
    "add_feedback",
    "edit_feedback",
    "import_feedback",
    "is_forum_representative",
    "list_feedback",
    "list_feedback_for_priorities",
    "load_feedback_page",
    "may_add_feedback",
    "read_status",
    "set_feedback_status",
    "status_label",
]
