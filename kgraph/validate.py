"""``kgraph validate``: check an export against the SHACL shapes of kgraph's RDF model (``kgraph/shapes.ttl``).

The union of all graphs is validated (``graph.nt``, or every graph of ``graph.trig``), with pyshacl and no
inference. Violations make the export invalid; warnings (a membership without a role) are reported only.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ExportError

__all__ = ["Finding", "validate", "load_shapes"]

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result: ``severity`` is ``Violation``, ``Warning`` or ``Info``; ``constraint`` the component."""

    severity: str
    focus: str
    path: str
    constraint: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}{value}"


def load_shapes():
    """The shapes graph shipped with kgraph, as an rdflib ``Graph``."""
    from rdflib import Graph

    return Graph().parse(data=resources.files("kgraph").joinpath("shapes.ttl").read_text(encoding="utf-8"),
                         format="turtle")


def _data_graph(source: Path):
    from rdflib import Dataset, Graph

    if source.is_dir():
        candidates = [source / "graph.nt", source / "graph.trig", source / "graph.ttl"]
        source = next((c for c in candidates if c.exists()), None)
        if source is None:
            raise ExportError(f"{candidates[0].parent}: no graph.nt, graph.trig or graph.ttl here; "
                              "run `kgraph build ... -o FOLDER` first.")
    elif not source.exists():
        raise ExportError(f"{source}: no such file or folder. Give an exports folder or an RDF file.")
    formats = {".nt": "nt", ".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}
    fmt = formats.get(source.suffix.lower())
    if fmt is None:
        raise ExportError(f"{source}: unknown RDF format; use .nt, .ttl, .trig, .nq or .jsonld.")
    try:
        if fmt in ("trig", "nquads"):
            dataset = Dataset()
            dataset.parse(source, format=fmt)
            union = Graph()
            for s, p, o, _graph in dataset.quads((None, None, None, None)):
                union.add((s, p, o))
            return union
        return Graph().parse(source, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many kinds; the message says which file
        raise ExportError(f"{source}: cannot be read as RDF ({exc}).") from exc


def validate(source: str | Path) -> list[Finding]:
    """The SHACL findings for an exports folder or RDF file, sorted (violations first); empty when all is well."""
    from pyshacl import validate as shacl_validate
    from rdflib import Namespace

    data = _data_graph(Path(source))
    _conforms, report, _text = shacl_validate(data, shacl_graph=load_shapes(), inference="none",
                                              allow_warnings=True)
    sh = Namespace(SH)
    findings = []
    for result in report.subjects(predicate=sh.resultSeverity):
        def value_of(predicate, result=result) -> str:
            found = report.value(result, predicate)
            return "" if found is None else _short(found)

        findings.append(Finding(
            severity=value_of(sh.resultSeverity).removeprefix("sh:"),
            focus=value_of(sh.focusNode),
            path=value_of(sh.resultPath),
            constraint=value_of(sh.sourceConstraintComponent).removeprefix("sh:"),
            value=value_of(sh.value),
            message=str(report.value(result, sh.resultMessage) or ""),
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(findings, key=lambda f: (order.get(f.severity, 3), f))


def _short(term) -> str:
    """A term as a reader wants it: ``rdfs:label``, ``sh:MinCountConstraintComponent``, ``<https://...>``, ``"text"``.

    >>> from rdflib import RDFS, Literal, URIRef
    >>> _short(RDFS.label), _short(URIRef("https://kgraph.example/id/person/x-1")), _short(Literal("x"))
    ('rdfs:label', '<https://kgraph.example/id/person/x-1>', '"x"')
    """
    import re

    from rdflib import URIRef

    from .export.rdf import PREFIXES

    if isinstance(term, URIRef):
        for prefix, namespace in {**PREFIXES, "sh": SH}.items():
            local = str(term)[len(str(namespace)):]
            if str(term).startswith(str(namespace)) and re.fullmatch(r"[A-Za-z]\w*", local):
                return f"{prefix}:{local}"
        return f"<{term}>"
    return term.n3()
