"""The pages of the app and which people may see each, in one table.

The entry script builds ``st.navigation`` from ``pages_for(actor)``: a page the actor may not
use is omitted, not hidden. A ``hidden`` page (one action's page) has its own address but no
menu entry, so the menu's "Action register" always leads back to the list. The services still
check every read and write themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracker.permissions import Actor, Operation, can

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
TAB_SUFFIX = "SEND tracker"  # every browser tab is "<page> · SEND tracker"


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    file: str
    title: str
    icon: str
    section: str
    allowed: Callable[[Actor], bool]
    hidden: bool = False  # reachable by its address, not listed in the menu

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


def _op(operation: Operation) -> Callable[[Actor], bool]:
    return lambda actor: can(actor, operation)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "my-actions",
        "my_actions.py",
        "My actions",
        ":material/task_alt:",
        "Work",
        _op(Operation.VIEW_MY_ACTIONS),
    ),
    PageSpec(
        "register",
        "register.py",
        "Action register",
        ":material/table_rows:",
        "Work",
        _op(Operation.VIEW_PROGRESS),
    ),
    PageSpec(
        "action",
        "action.py",
        "Action",
        ":material/article:",
        "Work",
        _op(Operation.VIEW_PROGRESS),
        hidden=True,
    ),
    PageSpec(
        "overview",
        "overview.py",
        "Executive overview",
        ":material/monitoring:",
        "Work",
        _op(Operation.VIEW_PROGRESS),
    ),
    PageSpec(
        "measures",
        "measures.py",
        "Success measures",
        ":material/query_stats:",
        "Work",
        _op(Operation.VIEW_PROGRESS),
    ),
    PageSpec(
        "risks",
        "risks.py",
        "Risks",
        ":material/warning:",
        "Work",
        _op(Operation.VIEW_RISKS),
    ),
    PageSpec(
        "you-said-we-did",
        "feedback.py",
        "You said, we did",
        ":material/record_voice_over:",
        "Work",
        _op(Operation.VIEW_PROGRESS),
    ),
    PageSpec(
        "papers",
        "papers.py",
        "Board papers",
        ":material/description:",
        "Boards",
        _op(Operation.VIEW_PAPERS),
    ),
    PageSpec(
        "stocktake",
        "stocktake.py",
        "Stocktake",
        ":material/inventory_2:",
        "Boards",
        _op(Operation.GENERATE_STOCKTAKE),
    ),
    PageSpec(
        "governance",
        "governance.py",
        "Governance",
        ":material/account_tree:",
        "Boards",
        _op(Operation.VIEW_PROGRESS),
    ),
    PageSpec(
        "setup",
        "admin/setup.py",
        "Setup checklist",
        ":material/checklist:",
        "Administration",
        _op(Operation.MANAGE_ACTIONS),
    ),
    PageSpec(
        "people",
        "admin/people.py",
        "People and roles",
        ":material/group:",
        "Administration",
        _op(Operation.MANAGE_PEOPLE),
    ),
    PageSpec(
        "import-export",
        "admin/import_export.py",
        "Import and export",
        ":material/swap_vert:",
        "Administration",
        _op(Operation.IMPORT_PLAN),
    ),
    PageSpec(
        "reminders",
        "admin/reminders.py",
        "Reminders and mail",
        ":material/mail:",
        "Administration",
        _op(Operation.MANAGE_MAIL),
    ),
    PageSpec(
        "publish",
        "admin/publish.py",
        "Publish",
        ":material/public:",
        "Administration",
        _op(Operation.PUBLISH_SITE),
    ),
)


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages ``actor`` may use, in menu order (hidden ones included)."""
    return [page for page in PAGES if page.allowed(actor)]


def page_file(url_path: str) -> str:
    """The absolute path of a page's file, for ``st.page_link`` and ``st.switch_page``."""
    for page in PAGES:
        if page.url_path == url_path:
            return str(page.path)
    raise KeyError(f"no page with url_path {url_path!r}")
