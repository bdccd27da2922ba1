"""The HTML export in a real browser (Debian's chromium through playwright).

The page must draw with no console error and no network request; search, node clicks and
edge clicks must fill the evidence panel; hostile names must stay text.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest_html import BRUSSELS, HOSTILE, IRAQ, MCNULTY, NATO, STOLTENBERG, hand_graph, hostile_graph
from kgraph.export.html import write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing; install it with `apt-get install chromium` to run the browser tests",
                allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402  (only once chromium is known to exist)


@dataclass
class PageLog:
    """What a page did that it should not have: errors, requests, dialogs."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.requests == []
        assert self.dialogs == []


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, path: Path) -> tuple[Page, PageLog]:
    """Open ``path`` and log everything the page must not do; wait until the graph is drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log = PageLog(url=path.as_uri())
    page.on("console", lambda message: message.type == "error" and log.console_errors.append(message.text))
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("request", lambda request: request.url == log.url or request.url.startswith("data:")
            or log.requests.append(request.url))

    def on_dialog(dialog) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(log.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return page, log


@pytest.fixture
def hand_page(browser, tmp_path) -> Iterator[tuple[Page, PageLog]]:
    page, log = open_page(browser, write_html(hand_graph(), tmp_path / "graph.html"))
    yield page, log
    page.close()


def node_index(graph, node: str) -> int:
    return sorted(graph.nodes).index(node)


def node_point(page: Page, node: int) -> tuple[float, float]:
    """Where node ``node`` is drawn, in page coordinates."""
    point = page.evaluate("""(id) => {
        const network = window.kgraph.network;
        return network.canvasToDOM(network.getPositions([id])[id]);
    }""", node)
    box = page.locator("#graph").bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def edge_point(page: Page, edge: int) -> tuple[float, float]:
    """A point of edge ``edge`` as drawn (on its curve, if bent) where no node or other edge covers it."""
    point = page.evaluate("""(id) => {
        const network = window.kgraph.network;
        for (let step = 10; step <= 90; step += 5) {
            const point = network.canvasToDOM(network.body.edges[id].edgeType.getPoint(step / 100));
            if (network.getNodeAt(point) === undefined && network.getEdgeAt(point) === id) return point;
        }
        return null;
    }""", edge)
    assert point is not None, f"edge {edge} is covered along its whole length"
    box = page.locator("#graph").bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def shown(page: Page) -> dict:
    """The node and edge ids the network currently draws."""
    return page.evaluate("""() => ({
        nodes: Object.keys(kgraph.network.getPositions()).map(Number).sort((a, b) => a - b),
        edges: kgraph.edgeView.getIds().sort((a, b) => a - b),
    })""")


def selected(page: Page) -> dict:
    return page.evaluate("({nodes: kgraph.network.getSelectedNodes(), edges: kgraph.network.getSelectedEdges()})")


def test_hand_graph_draws_without_errors_or_requests(hand_page):
    page, log = hand_page
    assert page.locator("#legend").inner_text().split("\n")[:3] == ["PERSON (2)", "ORG (2)", "PLACE (2)"]
    assert page.evaluate("Object.keys(kgraph.network.getPositions()).length") == 6
    log.assert_clean()


def test_search_by_alias_selects_the_entity(hand_page):
    page, log = hand_page
    page.fill("#search", "north atlantic treaty organization")
    assert selected(page)["nodes"] == [node_index(hand_graph(), NATO)]
    assert page.locator("#evidence h2").inner_text() == "NATO"
    page.fill("#search", "mcnult")
    page.press("#search", "Enter")
    assert selected(page)["nodes"] == [node_index(hand_graph(), MCNULTY)]
    assert page.locator("#evidence h2").inner_text() == "Jessica L. McNulty"
    page.fill("#search", "nobody at all")
    page.press("#search", "Enter")
    assert page.locator("#search-status").inner_text() == "No entity matches."
    suggestions = page.eval_on_selector_all("#kg-names option", "options => options.map(o => o.value)")
    assert {"NATO", "North Atlantic Treaty Organization", "the Pentagon", "McNulty"} <= set(suggestions)
    log.assert_clean()


def test_clicking_a_node_shows_name_aliases_roles_and_articles(hand_page):
    page, log = hand_page
    page.mouse.click(*node_point(page, node_index(hand_graph(), STOLTENBERG)))
    panel = page.locator("#evidence")
    assert panel.locator("h2").inner_text() == "Jens Stoltenberg"
    text = panel.inner_text()
    assert "Stoltenberg" in panel.locator("ul").first.inner_text()
    assert "Secretary General at NATO" in text
    assert "NATO expands Iraq mission" in text and "Pentagon briefing" in text
    log.assert_clean()


def test_hovering_a_node_shows_its_tooltip_also_after_a_drag(hand_page):
    page, log = hand_page
    box = page.locator("#graph").bounding_box()
    before = page.evaluate("kgraph.network.getViewPosition()")
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 65, box["y"] + 45, steps=5)
    page.mouse.up()
    after = page.evaluate("kgraph.network.getViewPosition()")
    assert (after["x"], after["y"]) != (before["x"], before["y"]), "dragging the canvas pans the view"
    page.mouse.move(*node_point(page, node_index(hand_graph(), STOLTENBERG)))
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "Jens Stoltenberg" in tooltip.inner_text() and "Secretary General" in tooltip.inner_text()
    page.mouse.move(*edge_point(page, edge_index(hand_graph(), "fact-action-2")))
    tooltip.filter(has_text="reviewing").wait_for(state="visible", timeout=5_000)
    assert tooltip.locator("p").first.inner_text() == "The Pentagon is reviewing its Iraq posture."
    log.assert_clean()


def test_clicking_an_edge_shows_its_evidence_with_marks(hand_page):
    page, log = hand_page
    graph = hand_graph()
    start = node_point(page, node_index(graph, STOLTENBERG))
    end = node_point(page, node_index(graph, NATO))
    page.mouse.click((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    assert selected(page) == {"nodes": [], "edges": [edge_index(graph, "fact-works-1")]}
    panel = page.locator("#evidence")
    assert panel.locator("h2").inner_text() == "Jens Stoltenberg \u2014 Secretary General \u2192 NATO"
    assert panel.locator("blockquote mark.subject").inner_text() == "Jens Stoltenberg"
    assert panel.locator("blockquote mark.object").inner_text() == "NATO"
    assert "NATO expands Iraq mission" in panel.inner_text()
    assert "2021-02-18 \u00b7 Example News" in panel.inner_text()
    assert "confidence 0.95" in panel.inner_text()
    log.assert_clean()


def edge_index(graph, key: str) -> int:
    edges = sorted(graph.edges(keys=True), key=lambda edge: (str(edge[0]), str(edge[1]), str(edge[2])))
    return next(index for index, edge in enumerate(edges) if edge[2] == key)


def test_hostile_graph_runs_no_script(browser, tmp_path):
    graph = hostile_graph()
    page, log = open_page(browser, write_html(graph, tmp_path / "graph.html", focus_limit=3))
    names = [graph.nodes[node]["name"] for node in sorted(graph.nodes)]
    heading = page.locator("#evidence h2")
    assert len(shown(page)["nodes"]) == 3, "opens on the most connected entities"
    for node in shown(page)["nodes"]:
        page.mouse.click(*node_point(page, node))
        if page.locator("#show-neighbours").count():
            page.click("#show-neighbours")
    boxes = page.locator("#legend input, #filter-families input")
    assert boxes.count() == 4 + 3, "three known types and the hostile one, three fact families"
    for index in range(boxes.count()):
        boxes.nth(index).uncheck()
        boxes.nth(index).check()
    page.fill("#min-articles", "2")
    assert shown(page) == {"nodes": [], "edges": []}
    page.fill("#min-articles", "1")
    page.click("#show-all")
    assert len(shown(page)["nodes"]) == len(names)
    for node, name in enumerate(names):
        point = node_point(page, node)
        page.mouse.move(*point)
        page.mouse.click(*point)
        assert heading.evaluate("h => h.textContent") in names
        page.evaluate("(id) => kgraph.selectNode(id)", node)
        assert heading.evaluate("h => h.textContent") == name
    for edge in range(graph.number_of_edges()):
        page.evaluate("(id) => kgraph.selectEdge(id)", edge)
        assert page.locator("#evidence blockquote").count() == 2
    for text in HOSTILE:
        page.fill("#search", text)
        page.press("#search", "Enter")
    page.wait_for_timeout(500)
    assert set(page.eval_on_selector_all("#kg-names option", "options => options.map(o => o.value)")) == set(HOSTILE)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed, a, link').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    log.assert_clean()


def test_filters_hide_types_families_and_thinly_supported_facts(hand_page):
    page, log = hand_page
    graph = hand_graph()
    all_nodes = list(range(6))
    assert shown(page) == {"nodes": all_nodes, "edges": list(range(6))}
    action_edges = [edge_index(graph, "fact-action-1"), edge_index(graph, "fact-action-2")]
    page.locator("#filter-families input[data-family=action]").uncheck()
    assert shown(page)["edges"] == sorted(set(range(6)) - set(action_edges))
    page.locator("#filter-families input[data-family=action]").check()

    page.locator("#legend label", has_text="PLACE").locator("input").uncheck()
    places = {node_index(graph, node) for node in (BRUSSELS, IRAQ)}
    assert shown(page)["nodes"] == sorted(set(all_nodes) - places)
    for edge in shown(page)["edges"]:
        ends = page.evaluate("(id) => [kgraph.edgeView.get(id).from, kgraph.edgeView.get(id).to]", edge)
        assert not places & set(ends)
    page.fill("#search", "Brussels")
    assert page.locator("#evidence h2").inner_text() == "Brussels"
    assert "Hidden by the filters." in page.locator("#evidence").inner_text()
    assert selected(page) == {"nodes": [], "edges": []}
    page.locator("#legend label", has_text="PLACE").locator("input").check()

    page.fill("#min-articles", "2")
    two_articles = {node_index(graph, node) for node in (STOLTENBERG, NATO, IRAQ)}
    assert shown(page) == {"nodes": sorted(two_articles), "edges": [edge_index(graph, "fact-action-1")]}
    assert page.locator("#filter-status").inner_text() == "Showing 3 of 6 entities"
    page.fill("#min-articles", "1")
    assert shown(page) == {"nodes": all_nodes, "edges": list(range(6))}
    assert page.locator("#filter-status").inner_text() == ""
    log.assert_clean()


def test_a_big_graph_opens_on_its_most_connected_entities_and_expands(browser, tmp_path):
    graph = hand_graph()
    page, log = open_page(browser, write_html(graph, tmp_path / "graph.html", focus_limit=2))
    nato, iraq = node_index(graph, NATO), node_index(graph, IRAQ)
    assert shown(page) == {"nodes": sorted([nato, iraq]), "edges": [edge_index(graph, "fact-action-1")]}
    assert page.locator("#filter-status").inner_text() == "Showing 2 of 6 entities, the most connected first"
    page.mouse.click(*node_point(page, nato))
    assert page.locator("#evidence h2").inner_text() == "NATO"
    page.click("#show-neighbours")
    expanded = {nato, iraq, node_index(graph, STOLTENBERG), node_index(graph, BRUSSELS)}
    assert shown(page)["nodes"] == sorted(expanded)
    page.fill("#search", "McNulty")
    assert selected(page)["nodes"] == [node_index(graph, MCNULTY)], "a found entity is shown"
    assert page.locator("#show-all").is_visible()
    page.click("#show-all")
    assert shown(page)["nodes"] == list(range(6))
    assert not page.locator("#show-all").is_visible()
    assert page.locator("#filter-status").inner_text() == ""
    log.assert_clean()


def test_seeds_graph_search_node_and_edge_evidence(browser, seeds_build):
    _, out = seeds_build
    page, log = open_page(browser, out / "graph.html")
    data = page.evaluate("JSON.parse(document.getElementById('kg-data').textContent)")
    ids = {node["name"]: node["id"] for node in data["nodes"]}
    mcnulty, defense = ids["Jessica L. McNulty"], ids["US Department of Defense"]
    spokesperson = next(edge["id"] for edge in data["edges"]
                        if (edge["from"], edge["to"], edge["label"]) == (mcnulty, defense, "spokesperson"))
    panel = page.locator("#evidence")

    page.fill("#search", "pentagon")
    assert selected(page)["nodes"] == [defense], "found by its alias"
    assert panel.locator("h2").inner_text() == "US Department of Defense"
    page.fill("#search", "mcnult")
    page.press("#search", "Enter")
    assert selected(page)["nodes"] == [mcnulty]

    page.locator("#evidence").evaluate("panel => panel.replaceChildren()")
    page.mouse.click(*node_point(page, mcnulty))
    assert panel.locator("h2").inner_text() == "Jessica L. McNulty"
    assert "spokesperson at US Department of Defense" in panel.inner_text()

    page.evaluate("""([a, b]) => {
        const positions = kgraph.network.getPositions([a, b]);
        kgraph.network.moveTo({position: {x: (positions[a].x + positions[b].x) / 2,
                                          y: (positions[a].y + positions[b].y) / 2}, scale: 1.5});
    }""", [mcnulty, defense])
    page.mouse.click(*edge_point(page, spokesperson))
    assert selected(page) == {"nodes": [], "edges": [spokesperson]}
    assert panel.locator("h2").inner_text() == "Jessica L. McNulty \u2014 spokesperson \u2192 US Department of Defense"
    evidence = panel.locator(".evidence-item", has_text="Pentagon spokesperson Cmdr. Jessica L. McNulty said")
    assert evidence.count() == 1
    assert evidence.locator("mark.subject").inner_text() == "Jessica L. McNulty"
    article = next(article for article in data["articles"] if article["id"] == "000_13ec9c912da2c082.txt")
    assert article["title"] in evidence.inner_text()
    article_index = data["articles"].index(article)
    record = next(item for item in data["edges"][spokesperson]["evidence"] if item["article"] == article_index)
    assert f"confidence {record['confidence']:.2f}" in evidence.inner_text()
    log.assert_clean()


def test_many_visible_facts_are_drawn_without_arrow_heads(browser, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_html import news_graph

    graph = news_graph(600)
    assert graph.number_of_edges() > 1000
    page, log = open_page(browser, write_html(graph, tmp_path / "graph.html"))
    arrows = "() => Object.values(kgraph.network.body.edges).map(e => e.options.arrows.to.enabled)"
    assert set(page.evaluate(arrows)) == {False}
    assert "no arrow heads above 1000 facts" in page.locator("#filter-status").inner_text()
    page.locator("#filter-families input[data-family=static]").uncheck()
    assert len(shown(page)["edges"]) <= 1000
    assert set(page.evaluate(arrows)) == {True}
    assert "arrow" not in page.locator("#filter-status").inner_text()
    log.assert_clean()
