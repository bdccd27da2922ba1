"""One build at a time per output folder.

:func:`exclusive` holds an ``flock`` on the folder itself for the duration of a build, update or remove.
A second one on the same folder is refused with a message instead of interleaving its files with the
first's. The kernel drops the lock when the holder's process ends, however it ends (even SIGKILL), so
a killed build never blocks the next one, and no lock file is left behind.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ExportError

__all__ = ["exclusive"]


@contextmanager
def exclusive(folder: str | os.PathLike) -> Iterator[Path]:
    """Hold the write lock on ``folder`` (created if missing) or raise :class:`ExportError` at once.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with exclusive(folder):
    ...     with exclusive(folder):
    ...         pass
    Traceback (most recent call last):
    ...
    kgraph.errors.ExportError: ...another kgraph build or remove is writing to it...
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"{folder}: another kgraph build or remove is writing to it right now; wait for it to "
                              "finish, or write to another folder with -o.") from None
        yield folder
    finally:
        os.close(fd)  # closing the only descriptor releases the lock
