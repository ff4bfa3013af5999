"""Deadline day, measured: N owners save an update at the same moment, through nginx, on PostgreSQL.

Starts the production shape with the test suite's own start-up code (``tests/deploy/stack.py``:
``tracker init`` once, two ``tracker run`` replicas, Debian's nginx running the shipped
``deploy/nginx/send-tracker.conf`` over TLS, the local OIDC provider). Each of N concurrent
Chromium contexts signs in through the real redirect flow as a different action owner, opens
My actions at its own action, fills in an Amber update, waits at a barrier, and clicks "Save
update" together with the others. Reported per N: p50 and p95 seconds from the click to the
"Saved the update" confirmation, CPU seconds and peak memory of each replica during the saves,
updates confirmed, lost (confirmed on screen but not in the database afterwards, or missing)
and errors. Localhost only; every wait is bounded.

Run from the repository root: ``.venv/bin/python bench/load.py [--sessions 5 10 20]``; needs
nginx, /usr/bin/chromium and the PostgreSQL server (``TRACKER_TEST_DATABASE_URL`` or
``--server-url``). Figures are recorded in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# The stack lives in the test tree; make the repository root importable when run as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, update
from sqlmodel import col

from tests.conftest import create_pg_database, drop_pg_database
from tests.deploy.stack import Stack, nginx_available, run_oidc_provider, run_stack
from tests.e2e.conftest import CHROMIUM_ARGS
from tracker.db import make_engine, session_scope
from tracker.models import Action, ActionUpdate, Person, PersonRole, Role

CHROMIUM = "/usr/bin/chromium"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MAX_OWNERS = 20
STEP_TIMEOUT = 120_000  # ms, for signing in and opening the form
# Sign-ins at once: owners arrive over minutes, not in one second, and the local OIDC provider
# answers one request at a time. The saves are the peak being measured: all N at once.
SIGN_IN_CONCURRENCY = 4
SAVE_TIMEOUT = 90_000  # ms, from the click to the confirmation (slower counts in p95)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def owner(number: int) -> tuple[str, dict[str, str]]:
    email = f"deadline.owner{number}@example.org"
    return f"owner{number}", {
        "email": email,
        "name": f"Deadline Owner {number}",
        "oid": f"oid-{number}",
    }


def give_each_owner_an_action(database_url: str, count: int) -> list[str]:
    """``count`` new action owners, each the owner of one open action; their references."""
    engine = make_engine(database_url)
    references = []
    with session_scope(engine, write=True) as session:
        actions = (
            session.exec(
                select(Action)
                .where(col(Action.status).not_in(["complete", "withdrawn"]))
                .order_by(col(Action.id))
                .limit(count)
            )
            .scalars()
            .all()
        )
        if len(actions) < count:
            raise SystemExit(
                f"only {len(actions)} open actions; cannot give {count} owners one each"
            )
        for number, action in enumerate(actions):
            _, claims = owner(number)
            person = Person(name=claims["name"], email=claims["email"])
            session.add(person)
            session.flush()
            session.add(PersonRole(person_id=person.id or 0, role=Role.ACTION_OWNER.value))
            session.execute(
                update(Action).where(col(Action.id) == action.id).values(owner_id=person.id)
            )
            references.append(action.reference)
    engine.dispose()
    return references


def saved_commentaries(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        found = set(session.exec(select(ActionUpdate.commentary)).scalars())
    engine.dispose()
    return {text for text in found if text}


class ReplicaMeter:
    """CPU seconds and peak resident memory of each replica, sampled from /proc."""

    def __init__(self, pids: tuple[int, ...]) -> None:
        self.pids = pids
        self.peak_rss: dict[int, int] = dict.fromkeys(pids, 0)
        self._start: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def cpu_seconds(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    @staticmethod
    def rss_bytes(pid: int) -> int:
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        return int(match.group(1)) * 1024 if match else 0

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for pid in self.pids:
                self.peak_rss[pid] = max(self.peak_rss[pid], self.rss_bytes(pid))

    def __enter__(self) -> ReplicaMeter:
        self._start = {pid: self.cpu_seconds(pid) for pid in self.pids}
        self.peak_rss = {pid: self.rss_bytes(pid) for pid in self.pids}
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._cpu = {pid: self.cpu_seconds(pid) - self._start[pid] for pid in self.pids}

    def describe(self) -> str:
        return ", ".join(
            f"{self._cpu[pid]:.1f} CPU s / {self.peak_rss[pid] / 2**20:.0f} MB" for pid in self.pids
        )


@dataclass
class Round:
    sessions: int
    seconds: list[float] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    saved: int = 0
    lost: int = 0
    replicas: str = ""
    # Replica CPU seconds from the moment the saves were released until the last confirmation.
    save_cpu_start: float | None = None
    save_cpu: float = 0.0


def first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


async def sign_in(page: object, url: str, subject: str, path: str) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    await page.goto(url + path, timeout=STEP_TIMEOUT)
    await wait_for_app(page)
    await page.get_by_role("button", name="Sign in with Microsoft").click(timeout=STEP_TIMEOUT)
    await page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=STEP_TIMEOUT)
    await page.fill('input[name="sub"]', subject)
    await page.get_by_role("button", name="Authorize", exact=True).click()
    await page.wait_for_url(re.compile(re.escape(url) + r"/.*"), timeout=STEP_TIMEOUT)
    await wait_for_app(page)


async def wait_for_app(page: object) -> None:
    for state in (
        '[data-test-connection-state="CONNECTED"]',
        '[data-test-script-state="notRunning"]',
    ):
        await page.wait_for_selector(f'[data-testid="stApp"]{state}', timeout=STEP_TIMEOUT)  # type: ignore[attr-defined]


async def one_owner(
    browser: object,
    stack: Stack,
    number: int,
    reference: str,
    gates: tuple[asyncio.Semaphore, asyncio.Barrier],
    result: Round,
    tag: str,
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(
        ignore_https_errors=True, viewport={"width": 1280, "height": 900}
    )  # type: ignore[attr-defined]
    commentary = f"Deadline-day update {tag} by owner {number} on {reference}."
    try:
        page = await context.new_page()
        subject, _ = owner(number)
        path = f"/my-actions?action={reference}"
        async with gates[0]:
            await sign_in(page, stack.url, subject, path)
        await page.goto(stack.url + path, timeout=STEP_TIMEOUT)
        await wait_for_app(page)
        await page.locator('[data-testid="stRadio"]').get_by_text("Amber", exact=True).click()
        await page.get_by_label("Commentary", exact=True).fill(commentary)
        await page.get_by_label("Path to green", exact=True).fill(
            "Recovery plan agreed at the board."
        )
        save = page.get_by_role("button", name="Save update")
        await save.wait_for(timeout=STEP_TIMEOUT)
    except Exception as exc:
        result.errors.append(f"owner {number} before saving: {first_line(exc)}")
        await gates[1].wait()
        await context.close()
        return
    await gates[1].wait()
    if result.save_cpu_start is None:
        result.save_cpu_start = sum(map(ReplicaMeter.cpu_seconds, stack.replica_pids))
    try:
        started = time.perf_counter()
        await save.click()
        await expect(page.get_by_text(f"Saved the update on {reference}")).to_be_visible(
            timeout=SAVE_TIMEOUT
        )
        result.seconds.append(time.perf_counter() - started)
        result.confirmed.add(commentary)
        if await page.locator(
            '[data-testid="stException"], [data-testid="stAlertContentError"]'
        ).count():
            result.errors.append(f"owner {number}: an error shown beside the confirmation")
    except Exception as exc:
        result.errors.append(f"owner {number} saving: {first_line(exc)}")
    finally:
        await context.close()


async def run_round(stack: Stack, references: list[str], sessions: int) -> Round:
    from playwright.async_api import async_playwright

    result = Round(sessions)
    tag = uuid.uuid4().hex[:8]
    gates = (asyncio.Semaphore(SIGN_IN_CONCURRENCY), asyncio.Barrier(sessions))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with ReplicaMeter(stack.replica_pids) as meter:
                await asyncio.wait_for(
                    asyncio.gather(
                        *(
                            one_owner(browser, stack, n, references[n], gates, result, tag)
                            for n in range(sessions)
                        )
                    ),
                    timeout=600,
                )
            result.replicas = meter.describe()
            if result.save_cpu_start is not None:
                spent = sum(map(ReplicaMeter.cpu_seconds, stack.replica_pids))
                result.save_cpu = spent - result.save_cpu_start
        finally:
            await browser.close()
    in_database = {text for text in saved_commentaries(stack.database_url) if tag in text}
    result.saved = len(in_database)
    # Confirmed on screen but not in the database: the one thing that must never happen.
    result.lost = len(result.confirmed - in_database)
    return result


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(result: Round) -> str:
    return (
        f"N={result.sessions:<3} p50 {percentile(result.seconds, 0.5):.2f} s"
        f"  p95 {percentile(result.seconds, 0.95):.2f} s  saved {result.saved}/{result.sessions}"
        f"  lost {result.lost}  errors {len(result.errors)}"
        f"  server CPU per save {result.save_cpu / max(result.saved, 1):.2f} s"
        f"  replicas (CPU s / peak RSS): {result.replicas}"
        f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument(
        "--server-url", default=os.environ.get("TRACKER_TEST_DATABASE_URL", DEFAULT_SERVER)
    )
    arguments = parser.parse_args()
    if max(arguments.sessions) > MAX_OWNERS:
        raise SystemExit(f"at most {MAX_OWNERS} sessions")
    if not nginx_available() or not Path(CHROMIUM).is_file():
        # `./dev bench` runs every script: say why this one did nothing and let the rest run.
        print("skipped: needs Debian's nginx and chromium (apt-get install nginx chromium)")
        return
    database_url = create_pg_database(arguments.server_url)
    users = dict(owner(n) for n in range(MAX_OWNERS))
    try:
        with (
            tempfile.TemporaryDirectory(prefix="deadline-day-") as workdir,
            run_oidc_provider(users) as provider,
            run_stack(
                database_url=database_url, provider_url=provider, workdir=Path(workdir)
            ) as stack,
        ):
            references = give_each_owner_an_action(database_url, MAX_OWNERS)
            print(f"two replicas behind nginx at {stack.url}, PostgreSQL, {len(references)} owners")
            for sessions in arguments.sessions:
                result = asyncio.run(run_round(stack, references, sessions))
                print(report(result), flush=True)
                for error in result.errors[:5]:
                    print(f"    error: {error}")
    finally:
        drop_pg_database(arguments.server_url, database_url)


if __name__ == "__main__":
    main()
