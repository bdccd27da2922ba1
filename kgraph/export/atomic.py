"""The one helper every exporter writes through: temp file in the same folder, fsync, rename, fsync the folder.

A reader, or a build killed at any instant, sees each file either old or new and whole: the data is on
disk before the rename, and the rename is on disk before the next file is touched. A killed build can
leave a temp file behind (``.graph.ttl.k2j4h1xq.tmp``); the next build removes it with
:func:`remove_stale_temp_files` while it holds the folder's lock.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_file", "remove_stale_temp_files"]

TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # what mkstemp makes from the prefix and suffix below


def atomic_write(path: str | os.PathLike, data: str | bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, whole.

    ``durable=False`` skips the two fsyncs, for files that may be lost in a power cut but must never be
    seen half-written by a reader (a cache entry: a lost one is computed again).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = atomic_write(p, "caf\\u00e9")
    >>> p.read_text(encoding="utf-8")
    'café'
    """
    with atomic_file(path, durable=durable) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through piece by piece, as :func:`atomic_write` does at once:
    it replaces ``path`` when the block ends, and vanishes if the block raises.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_file(p) as handle:
    ...     _ = handle.write(b"one ")
    ...     _ = handle.write(b"two")
    >>> p.read_text()
    'one two'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(path.parent)


def remove_stale_temp_files(folder: str | os.PathLike) -> list[Path]:
    """Delete the temp files an interrupted :func:`atomic_write` left in ``folder`` (and the temp folders
    of exporters that build a folder the same way, ``.store.k2j4h1xq.tmp``); return them.

    Call it only while no other process writes into ``folder`` (under :func:`kgraph.lock.exclusive`).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".graph.ttl.k2j4h1xq.tmp").write_text("half a fil")
    >>> _ = (folder / "notes.tmp").write_text("mine")
    >>> [p.name for p in remove_stale_temp_files(folder)], sorted(p.name for p in folder.iterdir())
    (['.graph.ttl.k2j4h1xq.tmp'], ['notes.tmp'])
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stale = sorted(p for p in folder.iterdir() if _TEMP_NAME.match(p.name) and not p.is_symlink())
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if stale:
        _fsync_folder(folder)
    return stale


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: the directory entry lives in the folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # some platforms cannot open a folder; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
