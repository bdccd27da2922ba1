"""The HTML export in a real browser (Debian's chromium through playwright).

The page must draw with no console error and no network request; search, node clicks and
edge clicks must fill the evidence panel; hostile names must stay text.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest_html import HOSTILE, MCNULTY, NATO, STOLTENBERG, hand_graph, hostile_graph
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


def test_hovering_a_node_shows_its_tooltip(hand_page):
    page, log = hand_page
    page.mouse.move(*node_point(page, node_index(hand_graph(), STOLTENBERG)))
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "Jens Stoltenberg" in tooltip.inner_text() and "Secretary General" in tooltip.inner_text()
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
    page, log = open_page(browser, write_html(graph, tmp_path / "graph.html"))
    names = [graph.nodes[node]["name"] for node in sorted(graph.nodes)]
    heading = page.locator("#evidence h2")
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
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed, a, link').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    log.assert_clean()
