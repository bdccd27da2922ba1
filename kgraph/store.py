"""The embedded store: a persistent Oxigraph store beside the RDF exports, so queries start at once.

``kgraph build`` writes ``store/`` next to ``graph.nq`` (see :mod:`kgraph.export.store`): every article's
named graph as in the N-Quads (and TriG) file, and as the default graph the union of all of them, each
triple once (a fact stated by five articles comes back once; ``GRAPH ?article { ... }`` still reaches one
article's facts). A query opens the store read-only when it was built from the ``graph.nq`` that is there
now (``graph.trig`` in a folder an older kgraph wrote); otherwise (no store, a stale one, or a single RDF
file given) the RDF file is loaded into an in-memory store with the same layout.

RocksDB files are not byte-identical from build to build, so ``store/`` is left out of the committed exports.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ExportError, QueryError

__all__ = ["STORE_DIR", "StoreLocation", "locate", "open_store", "write_store"]

STORE_DIR = "store"
SOURCE_MARK = "kgraph-source.json"  # inside the store: the size and time of the file it was built from
GRAPH_FILES = ("graph.nq", "graph.trig", "graph.nt", "graph.ttl")  # the first one a folder holds is queried


@dataclass(frozen=True)
class StoreLocation:
    """Where a query's data lives: a persistent store folder, or an RDF file to load in memory."""

    path: Path
    persistent: bool
    # kgraph's own export (graph.trig in an exports folder) is parsed without re-validating every IRI, which
    # the exporter already did: a quarter faster to load; a file given by the user is checked strictly.
    lenient: bool = False


def _rdf_format(path: Path):
    import pyoxigraph as ox

    formats = {".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE,
               ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise QueryError(f"{path}: unknown RDF format; use .trig, .nt, .nq, .ttl or .jsonld.")
    return fmt


def _source_mark(rdf_file: Path) -> dict:
    stat = rdf_file.stat()
    return {"file": rdf_file.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def locate(source: str | Path) -> StoreLocation:
    """The store to query for an exports folder or an RDF file.

    >>> locate("no/such/folder")
    Traceback (most recent call last):
    ...
    kgraph.errors.QueryError: no/such/folder: no such file or folder. Give an exports folder or an RDF file.
    """
    source = Path(source)
    if not source.exists():
        raise QueryError(f"{source}: no such file or folder. Give an exports folder or an RDF file.")
    if not source.is_dir():
        _rdf_format(source)
        return StoreLocation(source, persistent=False)
    rdf_file = next((source / name for name in GRAPH_FILES if (source / name).exists()), None)
    if rdf_file is None:
        raise QueryError(f"{source}: no graph.nq, graph.trig, graph.nt or graph.ttl here; run `kgraph build ... -o {source}` first.")
    store = source / STORE_DIR
    try:
        fresh = json.loads((store / SOURCE_MARK).read_text(encoding="utf-8")) == _source_mark(rdf_file)
    except (OSError, ValueError):
        fresh = False
    return StoreLocation(store, persistent=True) if fresh else StoreLocation(rdf_file, persistent=False, lenient=True)


def open_store(location: StoreLocation):
    """A pyoxigraph ``Store``: the persistent one opened read-only, or the RDF file loaded into memory."""
    import pyoxigraph as ox

    if location.persistent:
        try:
            return ox.Store.read_only(str(location.path))
        except OSError as exc:
            raise QueryError(f"{location.path}: the store cannot be opened ({exc}); "
                             "rebuild it with `kgraph build`, or delete the folder to query the RDF files.") from exc
    store = ox.Store()
    _load(store, location.path, lenient=location.lenient)
    return store


def _load(store, rdf_file: Path, *, lenient: bool, on_disk: bool = False, union: Path | None = None) -> None:
    """Load an RDF file as it is, then copy every quad into the default graph (a set: each triple once).
    ``union``: an N-Triples file known to hold exactly that union (kgraph's ``graph.nt`` beside its
    ``graph.nq``), read instead of the dataset a second time.

    On disk the bulk loader gets a piece at a time: it writes the database files directly, and holds in
    memory only what it is given at once (about a kilobyte a quad; handed a whole file, it held 750 MB for
    700,000 quads). kgraph's own N-Quads and N-Triples go as ``BULK_BYTES`` of lines (:func:`_bulk_load_lines`),
    anything else as ``BULK_CHUNK`` parsed quads. In memory the plain ``load`` is faster.
    """
    import pyoxigraph as ox

    fmt = _rdf_format(rdf_file)
    by_lines = on_disk and lenient  # kgraph's own line files hold no blank node, so any run of lines loads alone
    try:
        if by_lines and fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
            _bulk_load_lines(store, rdf_file, fmt)
        elif on_disk:
            _bulk_extend(store, ox.parse(path=str(rdf_file), format=fmt, lenient=lenient))
        else:
            store.load(path=str(rdf_file), format=fmt, lenient=lenient)
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            if by_lines and union is not None:
                _bulk_load_lines(store, union, ox.RdfFormat.N_TRIPLES)  # triples go to the default graph
            else:
                source, source_format = (union, ox.RdfFormat.N_TRIPLES) if union is not None else (rdf_file, fmt)
                _bulk_extend(store, (ox.Quad(q.subject, q.predicate, q.object)
                                     for q in ox.parse(path=str(source), format=source_format, lenient=lenient)))
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{rdf_file}: cannot be read as RDF ({exc}).") from exc


BULK_CHUNK = 100_000  # quads per call of the bulk loader
BULK_BYTES = 32 * 2**20  # bytes of N-Quads or N-Triples lines per call of the bulk loader


def _bulk_load_lines(store, path: Path, fmt) -> None:
    """Load an N-Quads or N-Triples file of kgraph's into ``store``, ``BULK_BYTES`` of whole lines at a time: the
    bulk loader parses and indexes each run of lines in Rust, on every core, with no Python object per quad
    (a fifth faster than handing it parsed quads; 32 MB is about 160,000 quads, so the build's peak is about
    120 MB above that of 100,000 parsed quads a call). The file must hold no blank node: a blank node's label
    means one node only within one call."""
    with path.open("rb") as lines:
        rest = b""
        while block := lines.read(BULK_BYTES):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if block:
                store.bulk_load(input=block, format=fmt, lenient=True)
        if rest.strip():
            store.bulk_load(input=rest, format=fmt, lenient=True)


def _bulk_extend(store, quads: Iterable) -> None:
    """``store.bulk_extend(quads)``, ``BULK_CHUNK`` quads at a time, read lazily."""
    quads = iter(quads)
    while (first := next(quads, None)) is not None:
        store.bulk_extend(itertools.chain((first,), itertools.islice(quads, BULK_CHUNK - 1)))


def write_store(rdf_file: str | Path, folder: str | Path, *, lenient: bool = True, union: Path | None = None) -> Path:
    """Build ``folder/store`` from ``rdf_file`` so that readers see the old store, or none, or the new one, whole.

    ``lenient`` (for kgraph's own export) skips re-validating every IRI; pass ``False`` for a file from elsewhere.
    ``union``: see :func:`_load` (kgraph's own export only). With it, the store keeps hard links to the two files
    it was built from (``SOURCES``), and the next build copies the previous store and applies only what changed
    between those and the new files (:func:`_update`) instead of loading every quad again.

    The new store is built in a temporary folder beside it and renamed into place; a reader that finds
    no store in the moment between the two renames falls back to the RDF file.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "graph.nt").write_text('<urn:a> <urn:b> "c" .\\n', encoding="utf-8")
    >>> write_store(folder / "graph.nt", folder).name
    'store'
    >>> locate(folder).persistent
    True
    """
    import pyoxigraph as ox

    rdf_file, folder = Path(rdf_file), Path(folder)
    target = folder / STORE_DIR
    building = Path(tempfile.mkdtemp(prefix=".store.", suffix=".tmp", dir=folder))
    try:
        updated = union is not None and lenient and _update_apart(target, building / STORE_DIR, rdf_file, union)
        if not updated:
            shutil.rmtree(building / STORE_DIR, ignore_errors=True)
            store = ox.Store(str(building / STORE_DIR))
            try:
                _load(store, rdf_file, lenient=lenient, on_disk=True, union=union)
            except QueryError as exc:
                raise ExportError(f"the store could not be built: {exc}") from exc
            store.flush()
            del store  # closes the database before it moves
        (building / STORE_DIR / SOURCE_MARK).write_text(json.dumps(_source_mark(rdf_file), sort_keys=True) + "\n",
                                                        encoding="utf-8")
        if union is not None and lenient:
            _keep_sources(building / STORE_DIR, rdf_file, union)
        if target.exists():
            os.replace(target, building / "old")
        os.replace(building / STORE_DIR, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


# -- the update from the previous store ---------------------------------------------------------------------------

SOURCES = ("source.nq", "source.nt")  # inside the store: hard links to the graph.nq and graph.nt it holds
SOURCE_RUNS = ("source.nq.runs", "source.nt.runs")  # and to their indexes of runs (kgraph.export.runs), if any
UNION_MARK = "kgraph-union.json"  # the size and time of the graph.nt it holds
UPDATE_LIMIT = 0.25  # above this share of the new files' bytes changed, loading everything again is the faster way


class _Unordered(Exception):
    """A line file is not in the order :mod:`kgraph.export.rdf` writes: no update, a full load."""


def _keep_sources(store_dir: Path, quads: Path, union: Path) -> None:
    """Hard-link the two files the store was built from into it (no copy: the same bytes on disk until the
    next build replaces graph.nq and graph.nt); nothing where the file system has no hard links. graph.nt's
    size and time go in ``UNION_MARK`` (graph.nq's are in ``SOURCE_MARK``): a file changed where it is, not
    replaced, is caught."""
    from .export.runs import index_path

    (store_dir / UNION_MARK).write_text(json.dumps(_source_mark(union), sort_keys=True) + "\n", encoding="utf-8")
    for name, source in zip(SOURCES, (quads, union)):
        try:
            os.link(source, store_dir / name)
        except OSError:
            return
    for name, source in zip(SOURCE_RUNS, (quads, union)):
        try:
            os.link(index_path(source), store_dir / name)
        except OSError:
            pass


_UPDATE_IN_CHILD = ("import sys; from pathlib import Path; from kgraph.store import _update; "
                    "sys.exit(0 if _update(*map(Path, sys.argv[1:])) else 3)")


def _update_apart(previous: Path, store_dir: Path, quads: Path, union: Path) -> bool:
    """:func:`_update` in a process of its own: its walk over the lines is Python, which on the build's thread
    would hold the interpreter's lock that the exporters written beside it need (measured at 10,000 articles:
    the store took 10.5 s instead of 34 s, but JSON-LD and TriG 16.9 s instead of 7.7). In this process when
    no child can start or import kgraph. No child when there is no previous store to update (a first build)."""
    if not _built_from_its_sources(previous, quads, union):
        return False
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
    try:
        done = subprocess.run([sys.executable, "-c", _UPDATE_IN_CHILD, str(previous), str(store_dir), str(quads),
                               str(union)], env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except OSError:
        return _update(previous, store_dir, quads, union)
    if done.returncode in (0, 3):
        return done.returncode == 0
    shutil.rmtree(store_dir, ignore_errors=True)
    return _update(previous, store_dir, quads, union)


def _built_from_its_sources(previous: Path, quads: Path, union: Path) -> bool:
    """Whether the ``previous`` store links the files it was built from, unchanged since (``SOURCES``)."""
    old_quads, old_union = (previous / name for name in SOURCES)
    try:
        marks = [json.loads((previous / name).read_text(encoding="utf-8")) for name in (SOURCE_MARK, UNION_MARK)]
        return marks == [{**_source_mark(old_quads), "file": quads.name},
                         {**_source_mark(old_union), "file": union.name}]
    except (OSError, ValueError):
        return False


def _update(previous: Path, store_dir: Path, quads: Path, union: Path) -> bool:
    """Make ``store_dir`` a copy of the ``previous`` store updated to ``quads`` (kgraph's N-Quads, the articles'
    named graphs) and ``union`` (its N-Triples, the default graph); False, with nothing made, when the previous
    store cannot be used: none, an older kgraph's, not built from the files it links, or too much changed.

    The previous store is copied with Oxigraph's ``backup`` (a RocksDB checkpoint: hard links to its files).
    Both files are sorted (graph.nt by subject, graph.nq's named graphs by name), so one pass over the old and
    new lines side by side finds the lines that changed, which are removed from and added to the copy. The
    result holds the same quads and named graphs as a store loaded from the new files
    (tests/test_store_update.py)."""
    import pyoxigraph as ox

    if not _built_from_its_sources(previous, quads, union):
        return False
    old_quads, old_union = (previous / name for name in SOURCES)
    try:
        changes = _changes_of_runs(previous, union, quads)
        if changes is False:
            changes = _changes(old_union, union, old_quads, quads)
    except (OSError, ValueError, _Unordered):
        return False
    if changes is None:
        return False
    removed, added, gone_graphs = changes
    try:
        ox.Store.read_only(str(previous)).backup(str(store_dir))
        store = ox.Store(str(store_dir))
        if removed:
            for quad in ox.parse(input=b"".join(removed), format=ox.RdfFormat.N_QUADS, lenient=True):
                store.remove(quad)
        for name in gone_graphs:  # an article's graph, empty now, is no named graph of the store's any more
            store.remove_graph(ox.NamedNode(name))
        if added:
            store.bulk_load(input=b"".join(added), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
        del store
    except (OSError, SyntaxError, ValueError):
        shutil.rmtree(store_dir, ignore_errors=True)
        return False
    return True


def _changes(old_union: Path, union: Path, old_quads: Path, quads: Path):
    """``(removed lines, added lines, names of the graphs that are gone)`` between the old and new files: the
    default graph's triples from graph.nt, the named graphs' quads from graph.nq. None when the lines that
    changed are more than ``UPDATE_LIMIT`` of the new files."""
    pairs = ((kind, key, old, new)
             for kind, old_runs, new_runs in (("triples", _runs(old_union, _subject), _runs(union, _subject)),
                                              ("graphs", _runs(old_quads, _graph_name, skip=b""),
                                               _runs(quads, _graph_name, skip=b"")))
             for key, old, new in _side_by_side(old_runs, new_runs))
    return _line_changes(pairs, UPDATE_LIMIT * (union.stat().st_size + quads.stat().st_size))


def _changes_of_runs(previous: Path, union: Path, quads: Path):
    """What :func:`_changes` gives, from the runs' indexes (:mod:`kgraph.export.runs`) of the old and new files:
    only the runs whose digests are on one side only are read. False where an index is missing or stale."""
    from .export.runs import RunIndex

    sides = []
    for kind, old_name, new, runs_name in (("triples", SOURCES[1], union, SOURCE_RUNS[1]),
                                           ("graphs", SOURCES[0], quads, SOURCE_RUNS[0])):
        old = previous / old_name
        old_index = RunIndex.load(old, previous / runs_name, new.name)
        new_index = RunIndex.load(new)
        if old_index is None or new_index is None:
            return False
        sides.append((kind, old, new, old_index.where(), new_index.where()))

    def pairs():
        for kind, old, new, old_where, new_where in sides:
            key = _subject if kind == "triples" else _graph_name
            old_runs = _read_runs(old, [where for digest, where in old_where.items() if digest not in new_where], key)
            new_runs = _read_runs(new, [where for digest, where in new_where.items() if digest not in old_where], key)
            for run_key in sorted(old_runs.keys() | new_runs.keys()):
                if kind == "graphs" and run_key == b"":
                    continue  # the default graph's triples come from graph.nt
                yield kind, run_key, old_runs.get(run_key, []), new_runs.get(run_key, [])

    return _line_changes(pairs(), UPDATE_LIMIT * (union.stat().st_size + quads.stat().st_size))


def _line_changes(pairs, budget: float):
    """``(removed lines, added lines, names of the graphs that are gone)`` from ``(kind, key, old lines, new lines)``
    of each run ("triples" or "graphs"); None once the lines that changed are more than ``budget`` bytes."""
    removed: list[bytes] = []
    added: list[bytes] = []
    gone_graphs: list[str] = []
    for kind, key, old, new in pairs:
        if old == new:
            continue
        old_set, new_set = set(old), set(new)
        gone, came = [line for line in old if line not in new_set], [line for line in new if line not in old_set]
        removed += gone
        added += came
        if kind == "graphs" and not new:
            gone_graphs.append(key.decode("utf-8"))
        budget -= sum(map(len, gone)) + sum(map(len, came))
        if budget < 0:
            return None
    return removed, added, gone_graphs


def _read_runs(path: Path, places: list[tuple[int, int]], key) -> dict[bytes, list[bytes]]:
    """The lines of the runs at ``places`` (offset, length) of ``path``, by their key."""
    found: dict[bytes, list[bytes]] = {}
    with path.open("rb") as handle:
        for offset, length in sorted(places):
            handle.seek(offset)
            lines = [line + b"\n" for line in handle.read(length).split(b"\n")[:-1]]
            if lines:
                found.setdefault(key(lines[0]), []).extend(lines)
    return found


def _subject(line: bytes) -> bytes:
    return line[:line.index(b"> ")]


def _graph_name(line: bytes) -> bytes:
    """The graph IRI of an N-Quads line of kgraph's, b"" for the default graph (no blank nodes, so the object is
    an IRI with no space in it, or a literal whose closing quote is the line's last)."""
    rest = line[line.index(b"> ", line.index(b"> ") + 2) + 2:]  # the object, [the graph,] " .\n"
    if rest.startswith(b'"'):
        parts = rest[rest.rindex(b'"') + 1:].split()  # [datatype or language,] [graph,] "."
        return parts[-2][1:-1] if len(parts) >= 2 and parts[-2].startswith(b"<") else b""
    parts = rest.split()  # object, [graph,] "."
    return parts[1][1:-1] if len(parts) == 3 else b""


def _runs(path: Path, key, *, skip: bytes | None = None) -> Iterator[tuple[bytes, list[bytes]]]:
    """``(key, lines)`` for each run of lines with the same key, but the run whose key is ``skip`` (read past,
    not kept); raises :class:`_Unordered` unless the keys rise."""
    last = None
    with path.open("rb") as lines:
        for value, run in itertools.groupby(lines, key):
            if last is not None and value <= last:
                raise _Unordered(path)
            last = value
            if value == skip:
                for _ in run:
                    pass
            else:
                yield value, list(run)


def _side_by_side(old: Iterator, new: Iterator) -> Iterator[tuple[bytes, list[bytes], list[bytes]]]:
    """The runs of two :func:`_runs` merged by key: ``(key, old lines, new lines)``, ``[]`` on the side that
    lacks the key."""
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[0], a[1], []
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            yield b[0], [], b[1]
            b = next(new, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(old, None), next(new, None)
