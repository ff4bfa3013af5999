"""Publish the site: gather, render, check, write into a new folder and swap it in at once.

The new version is written into a fresh folder beside the target (``site.new-…``), then
exchanged with the target in one ``renameat2(RENAME_EXCHANGE)`` where the system has it (a
reader sees the old site or the new one, never half of each); the version it replaces is kept
as ``DIR.previous``. A folder the tracker did not publish (it has no ``.tracker-site`` mark) is
never replaced, and one publication of a folder runs at a time (a lock file
``.DIR.publishing`` beside it; a second is refused, not queued). Before anything is written,
the rendered files are checked for e-mail addresses: only the partnership's configured shared
mailboxes may appear, and never the address of a person in the tracker. Who published what,
and when, goes to the audit trail.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from tracker import clock
from tracker.errors import ConfigurationError, Conflict, InvalidInput, OperationFailed
from tracker.governance import GovernanceConfig
from tracker.models import Person
from tracker.permissions import Actor, Operation, require
from tracker.services.audit import record_event
from tracker.services.publishing._gather import gather_public_site
from tracker.services.publishing._model import PublicSite
from tracker.services.publishing._render import RenderedSite, render_site

MARK = ".tracker-site"
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class PublishReport:
    directory: Path
    previous: Path | None  # where the version it replaced is kept
    pages: tuple[str, ...]
    actions: int
    measure_values: int
    feedback: int
    published_at: datetime
    checksum: str  # sha256 over every file, in name order


def build_site(
    session: Session, *, config: GovernanceConfig, today: date
) -> tuple[PublicSite, RenderedSite]:
    """The site as data and its files as text (nothing written), after the e-mail check."""
    site = gather_public_site(session, config=config, today=today)
    rendered = render_site(site)
    check_no_personal_addresses(session, site, rendered)
    return site, rendered


def allowed_addresses(site: PublicSite) -> set[str]:
    routes = (site.feedback_route, site.accessibility_contact)
    return {r.email.casefold() for r in routes if r.email}


def check_no_personal_addresses(session: Session, site: PublicSite, rendered: RenderedSite) -> None:
    """Refuse a site that would show a person's e-mail address, or any address not configured."""
    people = {email.casefold() for email in session.exec(select(Person.email)).all() if email}
    for address in sorted(allowed_addresses(site)):
        if address in people:
            raise ConfigurationError(
                f"governance.yaml publishing: {address} is the address of a person in the "
                "tracker; the public site names no person: give a shared mailbox or a url"
            )
    allowed = allowed_addresses(site)
    for name, text in sorted(rendered.files.items()):
        for found in EMAIL.findall(text):
            if found.casefold() not in allowed:
                raise InvalidInput(
                    f"the page {name} would show the e-mail address {found}; the public site "
                    "shows no e-mail address but the configured shared mailbox: take it out of "
                    "the public title or summary that holds it, then publish again"
                )


def publish_site(
    session: Session, actor: Actor, directory: Path, *, config: GovernanceConfig, today: date
) -> PublishReport:
    """Write the public site into ``directory`` (replacing the last version, kept beside it)."""
    require(actor, Operation.PUBLISH_SITE, what="the public site")
    target = directory.expanduser().absolute()
    _check_target(target)
    site, rendered = build_site(session, config=config, today=today)
    now = clock.now()
    checksum = _checksum(rendered)
    report = PublishReport(
        directory=target,
        previous=_previous(target) if target.exists() else None,
        pages=tuple(rendered.pages),
        actions=sum(len(p.actions) for p in site.priorities),
        measure_values=sum(len(m.values) for p in site.priorities for m in p.measures),
        feedback=len(site.feedback),
        published_at=now,
        checksum=checksum,
    )
    with _publishing_lock(target):
        _check_target(target)
        report = replace(report, previous=_previous(target) if target.exists() else None)
        _record_and_swap(session, actor, target, site, rendered, report)
    return report


def _record_and_swap(
    session: Session,
    actor: Actor,
    target: Path,
    site: PublicSite,
    rendered: RenderedSite,
    report: PublishReport,
) -> None:
    record_event(
        session,
        actor=actor,
        entity="public_site",
        field="published",
        entity_label=str(target)[:200],
        detail=_describe(site, report),
    )
    session.flush()  # the audit row is in the transaction before any file moves
    fresh = _write(target, rendered, report.published_at)
    _swap_in(fresh, target)


@contextlib.contextmanager
def _publishing_lock(target: Path) -> Iterator[None]:
    """One publication of a folder at a time (the Publish page and the scheduler may race)."""
    path = target.with_name(f".{target.name}.publishing")
    try:
        handle = path.open("a")
    except OSError as exc:
        raise OperationFailed(f"cannot write beside {target}: {exc}") from exc
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"the site in {target} is being published by someone else right now; "
                "try again in a minute"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _describe(site: PublicSite, report: PublishReport) -> str:
    actions = ", ".join(a.reference for p in site.priorities for a in p.actions) or "none"
    feedback = ", ".join(f.reference for f in site.feedback) or "none"
    return (
        f"{len(report.pages)} pages correct at {site.correct_at.isoformat()}; actions: "
        f"{actions}; {report.measure_values} measure values; feedback: {feedback}; "
        f"sha256 {report.checksum}"
    )


def _checksum(rendered: RenderedSite) -> str:
    digest = hashlib.sha256()
    for name in sorted(rendered.files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(rendered.files[name].encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _previous(target: Path) -> Path:
    return target.with_name(target.name + ".previous")


def _is_ours(folder: Path) -> bool:
    return (folder / MARK).is_file()


def _check_target(target: Path) -> None:
    if target.parent == target:
        raise InvalidInput("publish into a folder of its own, not the root of the file system")
    if not target.parent.is_dir():
        raise InvalidInput(f"the folder {target.parent} does not exist; create it first")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InvalidInput(f"{target} is not a folder; choose a folder for the site")
    if target.is_dir() and any(target.iterdir()) and not _is_ours(target):
        raise InvalidInput(
            f"{target} already holds files the tracker did not publish; choose a new or empty "
            "folder (the tracker replaces only a site it published)"
        )
    previous = _previous(target)
    if previous.exists() and not (previous.is_dir() and _is_ours(previous)):
        raise InvalidInput(
            f"{previous} exists and is not a site the tracker published; move it away first"
        )


def _write(target: Path, rendered: RenderedSite, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    fresh = target.with_name(f"{target.name}.new-{stamp}")
    try:
        fresh.mkdir()
        fresh.chmod(0o755)  # for the web server, whatever the umask
        for name, text in rendered.files.items():
            _write_file(fresh / name, text)
        _write_file(fresh / MARK, f"published {now.isoformat()}\n")
        _fsync_dir(fresh)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise OperationFailed(f"cannot write the site beside {target}: {exc}") from exc
    return fresh


def _write_file(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    # The site is for a web server to read: world-readable, whatever this process's umask.
    path.chmod(0o644)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap_in(fresh: Path, target: Path) -> None:
    previous = _previous(target)
    try:
        if not target.exists():
            fresh.rename(target)
        elif _exchange(fresh, target):
            # ``fresh`` now holds the old version: keep it as the previous one.
            if previous.exists():
                shutil.rmtree(previous)
            fresh.rename(previous)
        else:
            if previous.exists():
                shutil.rmtree(previous)
            target.rename(previous)
            fresh.rename(target)
        _fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise OperationFailed(f"cannot swap the new site into {target}: {exc}") from exc
