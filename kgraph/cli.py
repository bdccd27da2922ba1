"""The command line: a thin layer over :mod:`kgraph`'s functions."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__, ids
from .errors import KGraphError
from .nlp import DEFAULT_MODEL

PROGRESS_MIN = 5  # articles: below this, a progress bar is only noise


def _model_option(f):
    return click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME",
                        help="Any installed spaCy pipeline (package name or path).")(f)


def _workers_option(f):
    return click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                        help="Processes for the spaCy parse.")(f)


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

            self.bar = tqdm(total=total, desc=self.label, unit="article", file=sys.stderr, leave=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _fail(exc: Exception) -> None:
    click.echo(f"kgraph: {exc}", err=True)
    sys.exit(1)


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
@_workers_option
@click.option("--base-iri", default=ids.DEFAULT_BASE, show_default=True, help="Base of the IRIs minted for entities and facts.")
def build(articles: tuple[Path, ...], out: Path, model: str, workers: int, base_iri: str) -> None:
    """Build the graph of ARTICLES (files or folders: .txt .md .html .jsonl) and write every export.

    \b
    Writes graph.ttl, graph.nt, graph.jsonld, graph.trig (RDF), graph.json (node-link),
    graph.graphml (Gephi), graph.html (open in a browser) and build-report.json.
    """
    from .build import build as run_build

    progress = _Progress("extracting")
    try:
        result = run_build(articles, out, model=model, workers=workers, base=base_iri, progress=progress)
    except KGraphError as exc:
        _fail(exc)
    finally:
        progress.close()
    for skipped in result.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    click.echo(f"{result.articles} articles, {result.entities} entities, {result.facts} facts "
               f"({result.relations} relation mentions), {len(result.skipped)} skipped")
    for path in result.files:
        click.echo(f"  wrote {path}")
    if result.articles == 0:
        _fail(KGraphError("no article could be read; see the messages above."))


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write JSON Lines here (default: standard output).")
@_model_option
@_workers_option
def extract(articles: tuple[Path, ...], out: Path | None, model: str, workers: int) -> None:
    """Write the relation mentions of ARTICLES, unmerged, one JSON object a line."""
    from .build import extract_mentions
    from .export.atomic import atomic_write

    progress = _Progress("extracting")
    try:
        mentions, skipped = extract_mentions(articles, model=model, workers=workers, progress=progress)
    except KGraphError as exc:
        _fail(exc)
    finally:
        progress.close()
    for item in skipped:
        click.echo(f"skipped {item.path}: {item.reason}", err=True)
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
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Stop with an error past this many rows.")
def query(graph: Path, sparql: str | None, query_file: Path | None, fmt: str, max_rows: int) -> None:
    """Run a read-only SPARQL query over GRAPH (an exports folder or an RDF file).

    \b
    Common prefixes (rdfs, skos, schema, org, sem, prov, kg, ...) are predeclared.
    SERVICE, FROM/FROM NAMED and updates are refused.
    Example:
      kgraph query exports/ "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name }"
    """
    from .query import format_result, run_query

    if (sparql is None) == (query_file is None):
        _fail(KGraphError("give the query either as an argument or with --file, not both and not neither."))
    text = sparql if sparql is not None else query_file.read_text(encoding="utf-8")
    try:
        result = run_query(graph, text, limit=max_rows)
    except KGraphError as exc:
        _fail(exc)
    click.echo(format_result(result, fmt), nl=False)


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
