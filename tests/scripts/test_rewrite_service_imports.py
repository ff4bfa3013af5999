"""``scripts/rewrite-service-imports`` brings code written against the flat services up to date.

The integrator runs it on the other branches' code after merging the package move, so it must
turn each old import into the public one (or, inside a package, the private one), leave
everything else alone and change nothing the second time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "rewrite-service-imports"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout holding only the service packages' surfaces (the script reads those)."""
    for init in (ROOT / "tracker" / "services").glob("*/__init__.py"):
        target = tmp_path / init.relative_to(ROOT)
        target.parent.mkdir(parents=True)
        shutil.copy(init, target)
    return tmp_path


def _run(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, check=True
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        (
            "tracker/pages/register.py",
            "from tracker.services.queries import ActionFilter, list_actions\n",
            "from tracker.services.register import ActionFilter, list_actions\n",
        ),
        (
            "jobs/tasks.py",
            "from tracker.services.outbox_dispatch import Clock  # noqa: E402\n",
            "from tracker.services.outbox import Clock  # noqa: E402\n",
        ),
        (
            "tracker/services/actions/_escalations.py",
            "from tracker.services.actions import get_action\n",
            "from tracker.services.actions._updates import get_action\n",
        ),
        (
            "tracker/services/register/_overview.py",
            "from tracker.services.register import fetch_rows\n",
            "from tracker.services.register._paging import fetch_rows\n",
        ),
        (
            "tests/services/test_register.py",
            "from tracker.services.register import _base_query\n",
            "from tracker.services.register._paging import _base_query\n",
        ),
        (
            "tests/test_x.py",
            "def f():\n    from tracker.services.import_planner import Planner\n",
            "def f():\n    from tracker.services.plans._planner import Planner\n",
        ),
        (
            "tests/test_y.py",
            'TARGET = "tracker.services.reminder_run.send_queued_mail"\n',
            'TARGET = "tracker.services.reminders._run.send_queued_mail"\n',
        ),
        (
            "tracker/pages/people.py",
            '"""See ``tracker.services.import_lookups`` and ``tracker.ui.action_admin``."""\n',
            '"""See ``tracker.services.plans`` and ``tracker.ui.action.admin``."""\n',
        ),
        (
            "tracker/pages/register.py",
            "from tracker.ui import action_admin\nfrom tracker.ui.update_form import FLASH_KEY\n",
            "from tracker.ui.action import admin as action_admin\n"
            "from tracker.ui.action.update_form import FLASH_KEY\n",
        ),
        (
            "tests/reminders/test_crash.py",
            'CHILD = """\nfrom tracker.services.outbox_dispatch import dispatch_outbox\n"""\n',
            'CHILD = """\nfrom tracker.services.outbox import dispatch_outbox\n"""\n',
        ),
        (
            "tracker/commands/core.py",
            "from tracker.models import Action\n",
            "from tracker.models import Action\n",
        ),
    ],
)
def test_rewrites_old_imports_once(checkout: Path, path: str, before: str, after: str) -> None:
    target = checkout / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(before)
    first = _run(checkout)
    assert target.read_text() == after
    assert ("1 file(s) changed" in first) is (before != after)
    assert "0 file(s) changed" in _run(checkout)


def test_names_a_name_the_package_does_not_export(checkout: Path) -> None:
    page = checkout / "tracker" / "pages" / "register.py"
    page.parent.mkdir(parents=True)
    page.write_text("from tracker.services.register import not_updated_condition\n")
    output = _run(checkout)
    assert "not_updated_condition" in output and "does not export" in output
    assert "tracker.services.register._paging import not_updated_condition" in page.read_text()
