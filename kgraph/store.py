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
import tempfile
from collections.abc import Iterable
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
    ``union``: see :func:`_load` (kgraph's own export only).

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
        store = ox.Store(str(building / STORE_DIR))
        try:
            _load(store, rdf_file, lenient=lenient, on_disk=True, union=union)
        except QueryError as exc:
            raise ExportError(f"the store could not be built: {exc}") from exc
        store.flush()
        del store  # closes the database before it moves
        (building / STORE_DIR / SOURCE_MARK).write_text(json.dumps(_source_mark(rdf_file), sort_keys=True) + "\n",
                                                        encoding="utf-8")
        if target.exists():
            os.replace(target, building / "old")
        os.replace(building / STORE_DIR, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target
