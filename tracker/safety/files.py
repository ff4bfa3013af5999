"""Files the tracker writes are private to the account it runs as (mode 0600, folders 0700).

A database, a backup, a board paper, an export or an outbox message holds personal data and
internal commentary; none of it is for other accounts on the server. The command line and the
Streamlit entry script also set a process umask of 077, which covers the files SQLite creates
by itself (``-wal``, ``-shm``); these helpers make the mode explicit for the files the tracker
creates, whatever umask it was started under. A deployment that needs a group to read backups
changes the group and mode afterwards (``chgrp``, ``chmod 0640``), as the README describes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "create_private_file", "write_private_file"]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist; an existing file is kept as
    it is (its owner may have chosen a group mode on purpose)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # the umask may have taken bits away, never added
    os.close(descriptor)


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600, atomically: beside the target, then renamed,
    so a reader never sees half a file and the file is never readable by others, even briefly.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    # mkstemp creates the file 0600 and with a name nobody can have guessed in advance.
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
