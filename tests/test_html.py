"""The HTML export without a browser: self-contained, escaped, deterministic."""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from conftest_html import HOSTILE, NATO, STOLTENBERG, WORKS_FOR_SENTENCE, hand_graph, hostile_graph
from kgraph.export.html import _graph_data, _layout, _sentence_segments, render_html, write_html
from kgraph.graph import load_graph

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "background", "xlink:href",
                  "ping", "manifest", "codebase", "cite", "longdesc"}


class PageParser(HTMLParser):
    """Collects tags, attributes and the text of every <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open and self._open[0] == "script":
            self.scripts.append((self._open[1], data))
        elif self._open and self._open[0] == "style":
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def page_data(page: str) -> dict:
    """The JSON the page carries, read back the way the browser reads it."""
    scripts = [text for attrs, text in parse(page).scripts if attrs.get("id") == "kg-data"]
    assert len(scripts) == 1
    return json.loads(scripts[0])


@pytest.fixture(scope="module")
def hand_page() -> str:
    return render_html(hand_graph())


@pytest.fixture(scope="module")
def hostile_page() -> str:
    return render_html(hostile_graph())


@pytest.mark.parametrize("which", ["hand_page", "hostile_page"])
def test_page_loads_nothing_from_outside(which, request):
    page = request.getfixturevalue(which)
    parsed = parse(page)
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    for tag, attrs in parsed.tags:
        assert not URL_ATTRIBUTES & set(attrs), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert {tag for tag, _ in parsed.tags} <= {"html", "head", "meta", "title", "style", "body", "header", "h1",
                                                "label", "input", "span", "ul", "main", "div", "aside",
                                                "datalist", "script", "button"}
    for style in parsed.styles:
        assert "@import" not in style
        assert re.findall(r"url\(\s*(?!['\"]?data:)", style) == []


def test_markup_outside_scripts_and_styles_has_no_urls(hand_page):
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", hand_page, flags=re.DOTALL | re.IGNORECASE)
    assert "http:" not in markup and "https:" not in markup and "//" not in markup


def test_only_the_pages_own_scripts_may_run(hand_page):
    parsed = parse(hand_page)
    policy = next(attrs["content"] for tag, attrs in parsed.tags
                  if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "require-trusted-types-for 'script'" in policy
    code = [text for attrs, text in parsed.scripts if "type" not in attrs]
    assert len(code) == 2
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "sourceMappingURL" not in hand_page


def test_hostile_strings_only_appear_escaped(hostile_page):
    for text in HOSTILE:
        assert text not in hostile_page
    for raw in ("\u202e", "\u2028", "\u2029", "</script><script>", "<img", "<svg", 'href="javascript'):
        assert raw not in hostile_page
    assert "person/" not in hostile_page, "node ids must not reach the page"
    data_script = hostile_page.split('<script type="application/json" id="kg-data">')[1].split("</script>")[0]
    assert "<" not in data_script and ">" not in data_script and "&" not in data_script


def test_hostile_strings_survive_as_data(hostile_page):
    data = page_data(hostile_page)
    names = [node["name"] for node in data["nodes"]]
    assert sorted(names) == sorted(HOSTILE)
    assert [node["id"] for node in data["nodes"]] == list(range(len(HOSTILE)))
    assert {edge["fullLabel"] for edge in data["edges"]} == set(HOSTILE)
    assert {article["title"] for article in data["articles"]} == set(HOSTILE)
    long_name = next(node for node in data["nodes"] if len(node["name"]) > 5000)
    assert len(long_name["label"]) == 40, "the canvas label is shortened, the data is whole"
    spoof = next(node for node in data["nodes"] if "\u202e" in node["name"])
    assert spoof["label"] == "evilgpj.exe", "no bidi override on the canvas"


def test_two_renders_are_byte_identical(hand_page, hostile_page):
    assert render_html(hand_graph()) == hand_page
    assert render_html(hostile_graph()) == hostile_page


def test_insertion_order_does_not_change_the_page(hand_page):
    graph = hand_graph()
    shuffled = nx.MultiDiGraph()
    shuffled.graph.update(graph.graph)
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(graph.edges(keys=True, data=True))))
    assert render_html(shuffled) == hand_page


def test_page_data_for_the_hand_graph(hand_page):
    data = page_data(hand_page)
    node_ids = {node: index for index, node in enumerate(sorted(hand_graph().nodes))}
    stoltenberg = data["nodes"][node_ids[STOLTENBERG]]
    assert stoltenberg["name"] == "Jens Stoltenberg" and stoltenberg["aliases"] == ["Stoltenberg"]
    assert stoltenberg["roles"] == [{"role": "Secretary General", "organization": node_ids[NATO], "articles": [0]}]
    assert data["articles"][0] == {"id": "a1", "title": "NATO expands Iraq mission", "date": "2021-02-18",
                                   "source": "Example News", "url": "https://news.example/nato"}
    works_for = next(e for e in data["edges"] if e["from"] == node_ids[STOLTENBERG])
    assert works_for["label"] == "Secretary General" and works_for["to"] == node_ids[NATO]
    assert works_for["evidence"][0]["segments"] == [
        ["NATO", "object"], [" Secretary General ", None], ["Jens Stoltenberg", "subject"],
        [" said the alliance would expand its mission.", None]]
    assert "".join(text for text, _ in works_for["evidence"][0]["segments"]) == WORKS_FOR_SENTENCE
    assert [item["type"] for item in data["legend"]] == ["PERSON", "ORG", "PLACE"]
    families = {edge["relation"]: edge["family"] for edge in data["edges"]}
    assert families == {"works_for": "role", "action": "action", "based_in": "static", "located_in": "static"}
    assert data["focusLimit"] == 1000


def test_parallel_edges_are_bent_apart(hand_page):
    data = page_data(hand_page)
    by_pair: dict[tuple[int, int], list[dict]] = {}
    for edge in data["edges"]:
        by_pair.setdefault((edge["from"], edge["to"]), []).append(edge["smooth"])
    for smooths in by_pair.values():
        if len(smooths) == 1:
            assert smooths[0]["enabled"] is False
        else:
            assert len({s["roundness"] for s in smooths}) == len(smooths)


def test_positions_are_rounded_and_distinct():
    positions = _layout(hand_graph())
    assert len(set(positions.values())) == len(positions)
    for x, y in positions.values():
        assert round(x, 1) == x and round(y, 1) == y


def test_large_graphs_get_a_cheap_deterministic_layout():
    graph = nx.MultiDiGraph()
    graph.add_edges_from(nx.gnm_random_graph(1200, 2400, seed=3).edges())
    graph.add_edges_from((f"pair{i}a", f"pair{i}b") for i in range(200))
    graph.add_nodes_from(f"alone{i}" for i in range(200))
    assert len(graph) > 1500
    first = _layout(graph)
    assert first == _layout(graph)
    assert len(first) == len(graph)
    assert len(set(first.values())) > 0.99 * len(graph), "the spectral layout keeps nodes apart"


def test_a_mid_sized_component_gets_the_spectral_layout_and_stays_apart(monkeypatch):
    graph = nx.MultiDiGraph(nx.barabasi_albert_graph(600, 2, seed=1))
    graph.add_edges_from(nx.path_graph(["x", "y", "z"]).edges())
    spring_sizes = []
    spring_layout = nx.spring_layout
    monkeypatch.setattr(nx, "spring_layout", lambda g, **options: spring_sizes.append(len(g)) or spring_layout(g, **options))
    positions = _layout(graph)
    assert spring_sizes == [3], "networkx's spring layout only for the small component"
    assert positions == _layout(graph)
    assert len(set(positions.values())) > 0.99 * len(graph)


def test_segments_handle_characters_outside_the_bmp_and_bad_spans():
    sentence = "\U0001f600 Ann met Bob."
    start = 50
    evidence = {"sentence": sentence, "sentence_start": start,
                "subject_start": start + 2, "subject_end": start + 5,
                "object_start": start + 10, "object_end": start + 13}
    assert _sentence_segments(evidence) == [["\U0001f600 ", None], ["Ann", "subject"], [" met ", None],
                                            ["Bob", "object"], [".", None]]
    assert _sentence_segments({**evidence, "object_start": None, "object_end": None})[1] == ["Ann", "subject"]
    outside = _sentence_segments({**evidence, "subject_start": 0, "subject_end": 3})
    assert [mark for _, mark in outside] == [None, "object", None]
    overlapping = _sentence_segments({**evidence, "object_start": start + 3, "object_end": start + 8})
    assert [mark for _, mark in overlapping] == [None, "subject", None]
    assert _sentence_segments({"sentence": sentence, "sentence_start": None}) == [[sentence, None]]


def test_empty_graph_renders():
    data = _graph_data(nx.MultiDiGraph())
    assert data["nodes"] == [] and data["edges"] == []
    assert render_html(nx.MultiDiGraph()).startswith("<!DOCTYPE html>")


def test_write_html_writes_utf8_atomically(tmp_path, hand_page):
    path = write_html(hand_graph(), tmp_path / "out" / "graph.html")
    assert path == tmp_path / "out" / "graph.html"
    assert path.read_bytes() == hand_page.encode("utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["graph.html"]


def test_no_dot_of_the_seeds_graph_covers_another(seeds_build):
    _, out = seeds_build
    nodes = _graph_data(load_graph(out))["nodes"]
    assert {node["size"] for node in nodes} >= {8.0, 30.0}, "dots sized from 8 to 30 px by mentions"
    covered = [(first["name"], second["name"]) for first, second in itertools.combinations(nodes, 2)
               if math.hypot(first["x"] - second["x"], first["y"] - second["y"]) < first["size"] + second["size"]]
    assert covered == []
