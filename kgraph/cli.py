"""The command line: a thin layer over :mod:`kgraph`'s functions."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import DEFAULT_MODEL, __version__, ids
from .errors import KGraphError

PROGRESS_MIN = 5  # articles: below this, a progress bar is only noise
STAGES_MIN = 1000  # articles in the graph: from this many, the steps after extraction take long enough to name


def _model_option(f):
    return click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME",
                        help="Any installed spaCy pipeline (package name or path).")(f)


def _engine_options(f):
    """Where the parse and extraction run, and the cache that spares a rebuild from redoing them."""
    options = [
        click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
                     help="Processes that parse and extract, and that write the exports (default: one per "
                          "core)."),
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="local: this machine; dask: a Dask cluster (with --scheduler)."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Where extractions are cached [default: the user cache folder, or $KGRAPH_CACHE_DIR]."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the extraction cache."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _max_bytes_option(f):
    from .ingest import DEFAULT_MAX_BYTES

    return click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
                        help="Skip input files larger than this, without reading them.")(f)


def _engine(workers: int, executor: str, scheduler: str | None, cache_dir: Path | None, no_cache: bool) -> dict:
    from .cache import default_cache_dir

    return {"workers": workers, "executor": executor, "scheduler": scheduler,
            "cache_dir": None if no_cache else cache_dir or default_cache_dir()}


class _Progress:
    """A tqdm bar on stderr, shown only when there is enough work to watch."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN:
            return
        if self.bar is None:
            from tqdm import tqdm

            # no monitor thread: a build forks a process for some exports, only where no other thread runs
            tqdm.monitor_interval = 0
            self.bar = tqdm(total=total, desc=self.label, unit="article", file=sys.stderr, leave=False)
        self.bar.update(1)

    def stage(self, step: str, articles: int) -> None:
        """Name a step after extraction as it starts (resolution, the graph and the exports of 10,000 articles
        take a minute, with no bar of their own), when the graph is large enough for that to be worth saying."""
        if articles < STAGES_MIN:
            return
        self.close()
        click.echo(f"kgraph: {step} ({articles:,} articles)...", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _fail(exc: Exception) -> None:
    click.echo(f"kgraph: {exc}", err=True)
    sys.exit(1)


def _override_options(f):
    f = click.option("--keep-apart", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                     help="CSV (names that must stay apart, two or more a line) or JSON {\"pairs\": [[a, b]]}: "
                          "never merge these names.")(f)
    return click.option("--aliases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help="JSON as kgraph/data/aliases.json, or CSV (one entity a line, canonical name first): "
                             "names that are one entity.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgraph")
def main() -> None:
    """kgraph: turn news articles into a knowledge graph of who holds which role where,
    and which organization does what where, every fact traced to its sentence."""


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"),
              show_default=True, help="Folder for the exports.")
@_model_option
@_engine_options
@click.option("--base-iri", default=ids.DEFAULT_BASE, show_default=True, help="Base of the IRIs minted for entities and facts.")
@_max_bytes_option
@click.option("--update", is_flag=True,
              help="Add ARTICLES to the graph already in --out (an article with a stored id replaces it).")
@click.option("--strict", is_flag=True, help="Count a skipped input (not an article) as a failure: exit code 1.")
@_override_options
def build(articles: tuple[Path, ...], out: Path, model: str, base_iri: str, max_bytes: int, update: bool,
          strict: bool, aliases: Path | None, keep_apart: Path | None, **engine) -> None:
    """Build the graph of ARTICLES (files or folders: .txt .md .html .jsonl) and write every export.

    \b
    Writes graph.ttl, graph.nt, graph.jsonld, graph.trig, graph.nq (RDF), graph.json
    (node-link), graph.graphml (Gephi), graph.html (open in a browser), store/ (what
    `kgraph query` opens), articles.jsonl (every article's extraction, which --update and
    `kgraph remove` rebuild from) and build-report.json (every input: processed, skipped
    and why, or failed and why). Each file is replaced atomically; one build at a time may
    write to a folder.

    \b
    merges.csv is the resolution ledger: every name merged into an entity (rule, score,
    evidence sentence) and every pair kept apart. Correct it with --aliases (names that
    are one entity) and --keep-apart (names that never are); give the same files on every
    build, --update and `kgraph remove`.

    \b
    Skipped: not an article (binary file, image, archive, empty, over --max-bytes).
    Failed: an article that could not be read (unreadable file, broken JSON line,
    unknown encoding) or whose extraction crashed. Either way the build goes on.

    \b
    Exit codes:
      0  every input was processed (skipped inputs allowed, unless --strict)
      1  an input failed, no input was processed, --strict and an input was
         skipped, or the build could not run (bad option, folder locked)
      2  internal error in kgraph (please report it)
    """
    from .build import build as run_build
    from .resolve import load_overrides

    progress = _Progress("extracting")
    try:
        overrides = load_overrides(aliases=aliases, keep_apart=keep_apart)
        result = run_build(articles, out, model=model, base=base_iri, progress=progress, max_bytes=max_bytes,
                           update=update, overrides=overrides, stage=progress.stage, **_engine(**engine))
    except KGraphError as exc:
        _fail(exc)
    finally:
        progress.close()
    for outcome in result.skipped:
        click.echo(f"{outcome.status} {outcome.input}: {outcome.reason}", err=True)
    click.echo(f"{result.count('processed')} inputs processed, {result.count('skipped')} skipped, "
               f"{result.count('failed')} failed; the graph has {result.articles} articles, {result.entities} "
               f"entities, {result.facts} facts ({result.relations} relation mentions)")
    for path in result.files:
        click.echo(f"  wrote {path}")
    code = result.exit_code(strict=strict)
    if code:
        reason = "no article could be read" if not result.count("processed") else \
            "some inputs failed" if result.count("failed") else "some inputs were skipped (--strict)"
        click.echo(f"kgraph: {reason}; see the messages above and {out / 'build-report.json'}.", err=True)
    sys.exit(code)


@main.command()
@click.argument("article_ids", nargs=-1, required=True, metavar="ARTICLE_ID...")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"),
              show_default=True, help="The exports folder of an earlier build.")
@click.option("--base-iri", default=ids.DEFAULT_BASE, show_default=True, help="Base of the IRIs, as in the build.")
@click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="Processes that write the exports (default: one per core).")
@_override_options
def remove(article_ids: tuple[str, ...], out: Path, base_iri: str, workers: int, aliases: Path | None = None,
           keep_apart: Path | None = None) -> None:
    """Take articles out of the graph in --out: their facts and provenance go, all else stays.

    ARTICLE_ID is an id as build-report.json lists it under "articles" (a path under the
    folder given to build, or a JSON Lines "id"). The graph is rebuilt from articles.jsonl,
    without parsing anything again.
    """
    from .build import remove as run_remove
    from .resolve import load_overrides

    try:
        result = run_remove(article_ids, out, base=base_iri, workers=workers,
                            overrides=load_overrides(aliases=aliases, keep_apart=keep_apart),
                            stage=_Progress("removing").stage)
    except KGraphError as exc:
        _fail(exc)
    click.echo(f"removed {len(result.removed)} articles; the graph has {result.articles} articles, "
               f"{result.entities} entities, {result.facts} facts")
    for path in result.files:
        click.echo(f"  wrote {path}")


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write JSON Lines here (default: standard output).")
@_model_option
@_engine_options
@_max_bytes_option
def extract(articles: tuple[Path, ...], out: Path | None, model: str, max_bytes: int, **engine) -> None:
    """Write the relation mentions of ARTICLES, unmerged, one JSON object a line."""
    from .build import extract_mentions
    from .export.atomic import atomic_write

    progress = _Progress("extracting")
    try:
        mentions, skipped = extract_mentions(articles, model=model, progress=progress, max_bytes=max_bytes,
                                             **_engine(**engine))
    except KGraphError as exc:
        _fail(exc)
    finally:
        progress.close()
    for item in skipped:
        click.echo(f"{item.status} {item.path}: {item.reason}", err=True)
    lines = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in mentions)
    if out is None:
        click.echo(lines, nl=False)
    else:
        atomic_write(out, lines)
        click.echo(f"{len(mentions)} relation mentions written to {out}", err=True)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--example", metavar="NAME", help="Run a query shipped with kgraph; `--example list` lists them.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to the string VALUE (or to an IRI, written <...>); repeatable. "
                   "Values are bound, never pasted into the query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Stop with an error past this many rows.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", help="Stop the query with an error after this long.")
def query(graph: Path, sparql: str | None, query_file: Path | None, example: str | None, params: tuple[str, ...],
          fmt: str, max_rows: int, timeout: float) -> None:
    """Run a read-only SPARQL query over GRAPH (an exports folder or an RDF file).

    \b
    Common prefixes (rdfs, skos, schema, org, sem, prov, kg, ...) are predeclared.
    SERVICE, FROM/FROM NAMED and updates are refused.
    Examples:
      kgraph query exports/ "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name }"
      kgraph query exports/ --example people --param org=NATO
      kgraph query exports/ --example list
    """
    from .query import examples, format_result, run_example, run_query

    if example == "list":
        for found in examples().values():
            click.echo(f"{found.name}: {found.description}")
            for name, help_text in found.params.items():
                click.echo(f"    --param {name}=...  {help_text}")
        return
    if [sparql is not None, query_file is not None, example is not None].count(True) != 1:
        _fail(KGraphError("give the query as an argument, with --file or with --example NAME: exactly one of them."))
    bindings = {}
    for param in params:
        name, equals, value = param.partition("=")
        if not equals or not name:
            _fail(KGraphError(f"--param {param!r}: write it as NAME=VALUE, e.g. --param org=NATO."))
        bindings[name] = value
    try:
        if example is not None:
            result = run_example(graph, example, params=bindings, limit=max_rows, timeout=timeout)
        else:
            text = sparql if sparql is not None else query_file.read_text(encoding="utf-8")
            result = run_query(graph, text, params=bindings, limit=max_rows, timeout=timeout)
    except KGraphError as exc:
        _fail(exc)
    click.echo(format_result(result, fmt), nl=False)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path), default=Path("exports"))
@click.option("--port", type=click.IntRange(min=0, max=65535), default=7878, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Answer an error past this many rows.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", help="Stop a query with an error after this long.")
def serve(graph: Path, port: int, max_rows: int, timeout: float) -> None:
    """Serve GRAPH (an exports folder or an RDF file) as a read-only SPARQL endpoint on 127.0.0.1.

    \b
    Any SPARQL 1.1 client (YASGUI, Protégé, rdflib, curl) can query http://127.0.0.1:PORT/sparql.
    The same refusals, time limit and row cap as `kgraph query` apply. Stop it with Ctrl-C.
    """
    from .serve import make_server

    try:
        server = make_server(graph, port=port, timeout=timeout, max_rows=max_rows)
    except KGraphError as exc:
        _fail(exc)
    click.echo(f"SPARQL endpoint: {server.url}  (read-only; Ctrl-C stops it)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.argument("graph", type=click.Path(path_type=Path), default=Path("exports"))
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL 1.1 Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (Oxigraph) "
                   "or http://127.0.0.1:3030/DATASET/data (Fuseki).")
@click.option("--user", default=None, help="User for HTTP basic authentication; the password is read from "
                                           "the KGRAPH_PUSH_PASSWORD environment variable.")
def push(graph: Path, endpoint: str, user: str | None) -> None:
    """Load GRAPH (an exports folder or a .trig file) into a triple store, one named graph per article.

    \b
    Each article's graph is replaced on the store (HTTP PUT), so pushing again never duplicates;
    entity and article descriptions go to the named graph <BASE>graph/descriptions.
    """
    from .push import push as run_push

    progress = _Progress("pushing")
    try:
        result = run_push(graph, endpoint, user=user, password=os.environ.get("KGRAPH_PUSH_PASSWORD"),
                          progress=progress)
    except KGraphError as exc:
        _fail(exc)
    finally:
        progress.close()
    click.echo(f"pushed {result.graphs} graphs ({result.triples} triples) to {endpoint}")


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["conll04", "knowledgenet"]),
              help="Gold format; sniffed from the first line when omitted.")
@click.option("--fold", type=int, help="KnowledgeNet only: score one fold (fold 3 is kept for measuring).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@_model_option
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N texts.")
@click.option("--graph-only", is_flag=True,
              help="Score only the relations that reach the graph: not those of a pronoun with no antecedent "
                   "in the text, nor a wire service's dateline (\"DAYTON, Ohio (AP)\": CoNLL04 marks AP based in "
                   "Dayton), which the gold data annotates, nor the relation classifier's under the graph's bar "
                   "(probability 0.75).")
def eval_(gold: Path, fmt: str | None, fold: int | None, as_json: bool, model: str, limit: int | None,
          graph_only: bool) -> None:
    """Score extraction against GOLD (CoNLL04 or KnowledgeNet JSON Lines): precision, recall and F1 per
    relation type, micro over all types and over the mission types (works_for, based_in).

    \b
    Example:
      kgraph eval ../shared/data/conll04/dev.jsonl
      kgraph eval ../shared/data/knowledgenet_folds1-3.jsonl --fold 3
    """
    from .evaluate import run as run_eval

    try:
        click.echo(run_eval(gold, fmt=fmt, fold=fold, as_json=as_json, model=model, limit=limit,
                            graph_only=graph_only))
    except KGraphError as exc:
        _fail(exc)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path), default=Path("exports"))
def validate(graph: Path) -> None:
    """Check GRAPH (an exports folder or an RDF file) against kgraph's SHACL shapes; exit 1 on any violation.

    \b
    The shapes (kgraph/shapes.ttl) encode the RDF model; warnings are listed but do not fail.
    """
    from .validate import validate as run_validate

    try:
        findings = run_validate(graph)
    except KGraphError as exc:
        _fail(exc)
    for finding in findings:
        click.echo(str(finding))
    violations = sum(f.severity == "Violation" for f in findings)
    warnings = len(findings) - violations
    click.echo(f"{violations} violation{'s' if violations != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    if violations:
        sys.exit(1)


def run() -> None:
    """Entry point for the console script: a clean one-line error instead of a traceback."""
    try:
        main(standalone_mode=True)
    except KGraphError as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("KGRAPH_DEBUG"):
            raise
        click.echo(f"kgraph: internal error: {type(exc).__name__}: {exc} (set KGRAPH_DEBUG=1 for the traceback; "
                   "please report it)", err=True)
        sys.exit(2)
