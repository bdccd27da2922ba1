"""Turtle, JSON-LD and TriG written from the last build's files where the lines they come from are unchanged.

The N-Triples and N-Quads files come in runs (:mod:`kgraph.export.rdf`): a subject's triples, or an article's
named graph. Each run becomes one unit of a view: a subject's block of Turtle or JSON-LD, a subject's block or a
graph's ``{ }`` block of TriG, made from the run alone (the prefixes are fixed). So a build keeps, beside each
of those files, an index of its runs or units (in ``RUNS_DIR``) (:class:`RunIndex`: a digest of the run's lines and the unit's
length), and the next build converts only the runs whose digest the last view's index does not hold, copying
every other unit's bytes from the last view (:func:`write_view`). A rebuild after a few articles changed then
converts a few hundred runs instead of every one: the files are the same bytes a whole conversion writes
(``tests/test_export_runs.py``).

An index is used only for the file it was written with (its size and time), by the same format and pyoxigraph;
where anything does not fit (no index, another file, more than ``SPLICE_LIMIT`` of the lines' bytes changed, the
units of a conversion not one per run), the view is converted whole, as a first build does. The indexes of the
N-Triples and N-Quads files also hold, for each run, a digest of what it was made from, so that the next build
copies its lines instead of making them (:func:`kgraph.export.rdf.write_rdf_lines`).
"""
from __future__ import annotations

import array
import contextlib
import hashlib
import io
import json
import os
import re
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .atomic import TEMP_PREFIX, TEMP_SUFFIX, atomic_file, atomic_write

__all__ = ["RunIndex", "index_path", "run_digest", "write_view", "RUNS_DIR"]

RUNS_DIR = ".kgraph-runs"  # beside the exports; the index of graph.ttl is .kgraph-runs/graph.ttl
INDEX_FORMAT = 2  # 2: with the runs' sources
SPLICE_LIMIT = 0.5  # above this share of the lines' bytes changed, the view is converted whole
_IN_MEMORY = 16 << 20  # changed lines up to this many bytes are converted in memory; more, through temporary files
_BYTES_AT_ONCE = 1 << 20  # written a megabyte or so at a time
_RECORD = struct.Struct("<16sI")  # a run's digest and its unit's length
_SOURCE_SIZE = 16  # a digest of what a run was made from
_TURTLE_BETWEEN = b"\n<"  # a unit (a subject's block, a graph's block) starts a line with an IRI
_JSON_LD_BETWEEN = b']},{"@id":"'  # between two node objects: no string holds an unescaped quote
_TURTLE_UNIT = re.compile(re.escape(_TURTLE_BETWEEN))
_JSON_LD_UNIT = re.compile(re.escape(_JSON_LD_BETWEEN))


def run_digest(data: bytes) -> bytes:
    """The digest of a run's lines (16 bytes): equal digests, equal runs."""
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass
class RunIndex:
    """The runs (or units) of one file, in the file's order: each run's digest and length; the first starts at
    ``start`` (after a view's prefixes, or ``[``). ``sources``, for N-Triples and N-Quads files: for each run, a
    digest of what its lines were made from (:mod:`kgraph.export.rdf`), so that the next build can copy a run
    whose sources are unchanged instead of making it again; empty when not known."""

    runs: list[tuple[bytes, int]]
    start: int = 0
    separated: bool = False  # units joined by a comma (JSON-LD)
    sources: list[bytes] = field(default_factory=list)

    def where(self) -> dict[bytes, tuple[int, int]]:
        """Each run's ``(offset, length)`` in the file, by digest."""
        return {digest: (offset, length) for (digest, length), offset in zip(self.runs, self.offsets())}

    def offsets(self) -> array.array:
        """Each run's offset in the file, in order."""
        found = array.array("q")
        offset = self.start
        for _, length in self.runs:
            found.append(offset)
            offset += length + (1 if self.separated else 0)
        return found

    def made_from(self) -> dict[bytes, int]:
        """Each run's number by its :attr:`sources`."""
        return {source: number for number, source in enumerate(self.sources)}

    def save(self, path: Path) -> None:
        """Write the index of the file at ``path`` beside it, for the file as it is now."""
        if self.sources and len(self.sources) != len(self.runs):
            raise ValueError("an index's sources must be one per run")
        header = {**_made_with(path), "start": self.start, "runs": len(self.runs), "separated": self.separated,
                  "sources": len(self.sources)}
        body = b"".join(_RECORD.pack(digest, length) for digest, length in self.runs) + b"".join(self.sources)
        atomic_write(index_path(path), json.dumps(header, sort_keys=True).encode() + b"\n" + body, durable=False)

    @classmethod
    def load(cls, path: Path, index: Path | None = None, name: str | None = None) -> RunIndex | None:
        """The index kept beside ``path`` (or at ``index``, for the file ``name`` that ``path`` is a link to), if
        it was written for the file as it is now."""
        try:
            with open(index or index_path(path), "rb") as handle:
                header = json.loads(handle.readline())
                body = handle.read()
            runs, sources = header.get("runs"), header.get("sources")
            if not isinstance(runs, int) or sources not in (0, runs):
                return None
            expected = {**_made_with(path), "start": header.get("start"), "runs": runs,
                        "separated": header.get("separated"), "sources": sources}
            if name is not None:
                expected["file"] = name
            if (header != expected or len(body) != runs * _RECORD.size + sources * _SOURCE_SIZE
                    or not isinstance(header["start"], int)):
                return None
        except (OSError, ValueError, TypeError):
            return None
        split = runs * _RECORD.size
        return cls([(digest, length) for digest, length in _RECORD.iter_unpack(body[:split])], header["start"],
                   bool(header["separated"]),
                   [body[at:at + _SOURCE_SIZE] for at in range(split, len(body), _SOURCE_SIZE)])


def index_path(path: Path) -> Path:
    """Where the index of the file at ``path`` is kept: in a folder beside it (with the query store, what is
    left out when two builds' exports are compared byte for byte: a file's time is in its index)."""
    return path.parent / RUNS_DIR / path.name


def _made_with(path: Path) -> dict:
    status = path.stat()
    return {"format": INDEX_FORMAT, "pyoxigraph": ox.__version__, "file": path.name, "size": status.st_size,
            "mtime_ns": status.st_mtime_ns}


Convert = Callable[[BinaryIO, BinaryIO], None]  # lines in, the view's bytes out


def write_view(source: BinaryIO, runs: list[tuple[bytes, int]], fmt: str, target: Path, convert: Convert) -> Path:
    """Write ``target``, the view in ``fmt`` ("turtle", "trig" or "json-ld") of the lines in ``source``, whose
    runs are ``runs`` (from offset 0, in order), and keep its index beside it.

    ``convert(lines, output)`` writes the view of some lines. Where the last build's ``target`` and its index
    are there, only the runs the index lacks are converted, together, and the other units are copied from the
    last ``target``; else, or when the units converted are not one per run, the whole of ``source``.
    """
    old = RunIndex.load(target)
    written = None
    if old is not None and runs:
        written = _spliced(source, runs, fmt, target, old, convert)
    if written is None:
        source.seek(0)
        with atomic_file(target) as handle:
            noted = _Boundaries(handle, fmt)  # where the blocks start, noted as they pass: the file is not read back
            convert(source, noted)
        written = _index_of(noted.units(), fmt, runs)
    if written is not None:
        written.save(target)
    else:
        index_path(target).unlink(missing_ok=True)
    return target


def _spliced(source: BinaryIO, runs: list[tuple[bytes, int]], fmt: str, target: Path, old: RunIndex,
             convert: Convert) -> RunIndex | None:
    """Write ``target`` from the last one's units and the conversion of the runs it lacks; its new index, or
    None (nothing written) when too many runs changed or the conversion's units do not match its runs.

    The changed runs' lines and their conversion are held in memory when they are few (``_IN_MEMORY``), else
    they go through temporary files beside ``target``, so that memory holds a megabyte or so either way."""
    separated = fmt == "json-ld"
    covered = old.start + sum(length for _, length in old.runs) + (len(old.runs) if separated else 0)
    if not old.runs or target.stat().st_size != covered:  # its blocks, a comma between JSON-LD's and "]" after
        return None
    where = old.where()
    offsets = RunIndex(runs).offsets()  # in the lines: from 0, nothing between runs
    changed = [i for i, (digest, _) in enumerate(runs) if digest not in where]
    changed_bytes = sum(runs[i][1] for i in changed)
    if changed_bytes > SPLICE_LIMIT * sum(length for _, length in runs):
        return None
    with contextlib.ExitStack() as stack:
        def temporary() -> BinaryIO:  # unnamed where the system allows; else named as the build's temp files
            return stack.enter_context(tempfile.TemporaryFile(dir=target.parent, prefix=f"{TEMP_PREFIX}{target.name}.",
                                                              suffix=TEMP_SUFFIX))

        in_memory = changed_bytes <= _IN_MEMORY
        lines = io.BytesIO() if in_memory else temporary()
        _copy_ranges(source, [(offsets[i], runs[i][1]) for i in changed], lines)
        lines.seek(0)
        if in_memory:
            fresh = io.BytesIO()
            if changed:
                convert(lines, fresh)
            converted = fresh.getvalue()
            units = _units(converted, fmt) if changed else []

            def read_unit(start: int, length: int) -> bytes:
                return converted[start:start + length]
        else:
            output = temporary()
            noted = _Boundaries(output, fmt)
            convert(lines, noted)
            output.flush()
            units = noted.units()

            def read_unit(start: int, length: int) -> bytes:
                return os.pread(output.fileno(), length, start)
        if units is None or len(units) != len(changed):
            return None
        if fmt == "json-ld":
            prologue, epilogue = b"[", b"]"
        else:  # the prefix lines: the conversion's, or the last file's
            prologue, epilogue = (read_unit(0, units[0][0]) if units else _last_prologue(target)), b""
        if prologue is None:
            return None
        return _splice(runs, separated, target, where, dict(zip(changed, units)), read_unit, prologue, epilogue)


def _splice(runs: list[tuple[bytes, int]], separated: bool, target: Path, where: dict[bytes, tuple[int, int]],
            new_units: dict[int, tuple[int, int]], read_unit: Callable[[int, int], bytes], prologue: bytes,
            epilogue: bytes) -> RunIndex:
    """Write ``target``: ``prologue``, then each run's unit, from ``read_unit`` for those in ``new_units`` (run
    number -> its place there), else from the last ``target`` (``where``, by digest), then ``epilogue``."""
    lengths: list[int] = []
    with open(target, "rb") as last, atomic_file(target) as handle:
        chunk = [prologue]
        size = 0
        pending: list[int] = []  # [offset, length] of the last view's bytes to copy next, read when written

        def flush() -> None:
            if pending:
                chunk.append(os.pread(last.fileno(), pending[1], pending[0]))
                pending.clear()

        gap = 1 if separated else 0  # the comma between two JSON-LD blocks of the last view comes with them
        for i, (digest, _) in enumerate(runs):
            if i in new_units:
                flush()
                start, length = new_units[i]
                chunk += [b","] if separated and i else []
                chunk.append(read_unit(start, length))
            else:
                start, length = where[digest]
                if pending and pending[0] + pending[1] + gap == start:  # the next block of the last view too
                    pending[1] += gap + length
                else:
                    flush()
                    chunk += [b","] if separated and i else []
                    pending[:] = [start, length]
            lengths.append(length)
            size += length
            if size >= _BYTES_AT_ONCE:
                flush()
                handle.write(b"".join(chunk))
                chunk, size = [], 0
        flush()
        chunk.append(epilogue)
        handle.write(b"".join(chunk))
    return RunIndex([(digest, length) for (digest, _), length in zip(runs, lengths)], len(prologue), separated)


def _copy_ranges(source: BinaryIO, ranges: list[tuple[int, int]], output: BinaryIO) -> None:
    """Copy the ``(offset, length)`` ranges of ``source`` to ``output`` in order, ranges that meet read as one,
    a megabyte or so at a time."""
    pending: list[int] = []
    for offset, length in ranges:
        if pending and pending[0] + pending[1] == offset and pending[1] < _BYTES_AT_ONCE:
            pending[1] += length
            continue
        if pending:
            output.write(os.pread(source.fileno(), pending[1], pending[0]))
        pending = [offset, length]
    if pending:
        output.write(os.pread(source.fileno(), pending[1], pending[0]))


def _last_prologue(target: Path) -> bytes | None:
    """The prefix lines the last Turtle or TriG file starts with."""
    with open(target, "rb") as last:
        head = last.read(4096)
    end = _first_unit(head)
    return head[:end] if end else None


def _first_unit(data: bytes) -> int:
    found = _TURTLE_UNIT.search(data)
    return found.start() + 1 if found else 0


def _units(data: bytes, fmt: str) -> list[tuple[int, int]] | None:
    """``(offset, length)`` of each unit of a whole view: Turtle and TriG after their prefixes, JSON-LD inside
    its brackets and without the commas between; None when ``data`` is not of that shape."""
    pattern = _JSON_LD_UNIT if fmt == "json-ld" else _TURTLE_UNIT
    return _units_at([found.start() for found in pattern.finditer(data)], len(data), data[:1], data[-1:], fmt)


def _units_at(found: list[int], size: int, first: bytes, last: bytes, fmt: str) -> list[tuple[int, int]] | None:
    """:func:`_units` from where the blocks' boundary pattern starts (``found``), the size and the first and last
    bytes of the view."""
    if fmt == "json-ld":
        if first != b"[" or last != b"]":
            return None
        if size == 2:
            return []
        starts = [1] + [at + 3 for at in found]
        ends = [start - 1 for start in starts[1:]] + [size - 1]
    else:
        if not found:
            return []
        starts = [at + 1 for at in found]
        ends = starts[1:] + [size]
    return [(start, end - start) for start, end in zip(starts, ends)]


def _index_of(units: list[tuple[int, int]] | None, fmt: str, runs: list[tuple[bytes, int]]) -> RunIndex | None:
    """The index of a view written whole, from its units, when they are one per run; else None."""
    if units is None or len(units) != len(runs) or not units:
        return None
    return RunIndex([(digest, length) for (digest, _), (_, length) in zip(runs, units)], units[0][0],
                    fmt == "json-ld")


class _Boundaries:
    """A writer in front of ``output`` that notes where the view's blocks meet in the bytes that pass through
    (:func:`_units` does the same for bytes in memory)."""

    def __init__(self, output: BinaryIO, fmt: str) -> None:
        self.output = output
        self.fmt = fmt
        self.pattern = _JSON_LD_UNIT if fmt == "json-ld" else _TURTLE_UNIT
        # the bytes of one write a match may need from the next: one fewer than a match has
        self.keep = len(_JSON_LD_BETWEEN if fmt == "json-ld" else _TURTLE_BETWEEN) - 1
        self.found: list[int] = []  # where each match starts, in the whole output
        self.size = 0
        self.tail = b""
        self.first = b""
        self.last = b""

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if not data:
            return 0
        if not self.size:
            self.first = data[:1]
        window = self.tail + data  # a match cannot lie in the tail alone: it is shorter than any match
        base = self.size - len(self.tail)
        self.found += [base + found.start() for found in self.pattern.finditer(window)]
        self.output.write(data)
        self.size += len(data)
        self.tail = window[-self.keep:] if self.keep else b""
        self.last = data[-1:]
        return len(data)

    def flush(self) -> None:
        pass

    def units(self) -> list[tuple[int, int]] | None:
        return _units_at(self.found, self.size, self.first, self.last, self.fmt)
