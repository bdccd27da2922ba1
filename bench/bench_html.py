"""How fast graph.html builds, draws and moves, measured by headless Chromium itself.

    python bench/bench_html.py                 # 500, 5,000 (10,000 edges) and 20,000 nodes
    python bench/bench_html.py --sizes 300     # a quick run

For each size the benchmark generates a news-like graph in kgraph's schema (a few hubs,
many small entities, two facts per entity, evidence on every fact), times ``render_html``
(the layout included), opens the page in Debian's chromium and reads the page's own clock:

* ``draw``: ``performance.now()`` when the page marks itself ready after its first frame,
  i.e. the time from navigation start to a drawn graph;
* ``pan fps`` and ``zoom fps``: frames the page completed per second (``requestAnimationFrame``)
  while the mouse drags the graph or the wheel zooms it, two seconds each, median of three rounds.

A graph of more than 1,000 entities opens on its 1,000 most connected (``shown``); the last two
columns are the frame rates after the user clicks "Show all entities".

The goal of issue 8: 5,000 nodes and 10,000 edges draw in under 3 s and pan and zoom at 30
frames per second or more. Timings depend on the machine; compare rows of one run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kgraph.export.html import FOCUS_LIMIT, write_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
DEFAULT_SIZES = (500, 5_000, 20_000)
TYPES = ("PERSON", "ORG", "PLACE")
RELATIONS = ("works_for", "action", "based_in", "located_in", "lives_in")

# Starts counting the frames the page completes; FRAME_RESULT stops and returns frames per second.
FRAME_COUNTER = """() => {
    window.__frames = 0;
    window.__counting = true;
    const tick = () => { if (window.__counting) { window.__frames++; requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
    window.__countStart = performance.now();
}"""
FRAME_RESULT = """() => {
    window.__counting = false;
    return window.__frames * 1000 / (performance.now() - window.__countStart);
}"""


@dataclass
class Row:
    nodes: int
    edges: int
    render_s: float
    html_mb: float
    shown: int
    draw_s: float
    pan_fps: float
    zoom_fps: float
    all_pan_fps: float | None = None
    all_zoom_fps: float | None = None


def news_graph(nodes: int, *, edges_per_node: int = 2, seed: int = 1) -> nx.MultiDiGraph:
    """A graph shaped like kgraph's: preferential attachment (hubs), every attribute the page reads."""
    rng = random.Random(seed)
    shape = nx.barabasi_albert_graph(nodes, edges_per_node, seed=seed)
    articles = max(1, nodes // 10)
    graph = nx.MultiDiGraph()
    graph.graph["articles"] = {f"a{i}": {"title": f"Article {i}", "date": "2021-02-18", "source": "Bench Wire"}
                               for i in range(articles)}
    for node in shape:
        name = f"Entity {node}"
        graph.add_node(f"n/{node}", name=name, type=TYPES[node % 3], aliases=[name, f"E{node}"],
                       mentions=1 + shape.degree(node), articles=sorted({f"a{rng.randrange(articles)}"}))
    for index, (u, v) in enumerate(shape.edges()):
        relation = RELATIONS[index % len(RELATIONS)]
        article = f"a{rng.randrange(articles)}"
        sentence = f"Entity {u} and Entity {v} were in the news."
        start = 100
        evidence = {"article": article, "sentence": sentence, "sentence_start": start,
                    "sentence_end": start + len(sentence), "subject_start": start,
                    "subject_end": start + len(f"Entity {u}"), "object_start": start + len(f"Entity {u} and "),
                    "object_end": start + len(f"Entity {u} and Entity {v}"), "extractor": "bench",
                    "confidence": 0.8}
        label = {"works_for": "spokesperson", "action": "met with"}.get(relation, relation)
        graph.add_edge(f"n/{u}", f"n/{v}", key=f"f{index}", relation=relation, label=label, articles=[article],
                       confidence=0.8, evidence=[evidence])
    return graph


def measure(browser, graph: nx.MultiDiGraph, folder: Path, *, seconds: float, rounds: int,
            focus_limit: int) -> Row:
    started = time.perf_counter()
    path = write_html(graph, folder / f"graph-{len(graph)}.html", focus_limit=focus_limit)
    render_s = time.perf_counter() - started
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=300_000)
    if errors:
        raise RuntimeError(f"the page failed at {len(graph)} nodes: {errors}")
    draw_s = float(page.evaluate("Number(document.body.dataset.readyAt)")) / 1000
    shown = int(page.evaluate("kgraph.nodeView.length"))
    pan_fps, zoom_fps = pan_and_zoom(page, seconds=seconds, rounds=rounds)
    row = Row(len(graph), graph.number_of_edges(), render_s, path.stat().st_size / 1e6, shown, draw_s,
              pan_fps, zoom_fps)
    if shown < len(graph):
        page.click("#show-all")
        page.wait_for_timeout(500)
        row.all_pan_fps, row.all_zoom_fps = pan_and_zoom(page, seconds=seconds, rounds=rounds)
    page.close()
    return row


def pan_and_zoom(page, *, seconds: float, rounds: int) -> tuple[float, float]:
    """Median frames per second over ``rounds`` of dragging the view, then of wheeling in and out."""
    results = [pan_and_zoom_once(page, seconds) for _ in range(rounds)]
    return statistics.median(pan for pan, _ in results), statistics.median(zoom for _, zoom in results)


def pan_and_zoom_once(page, seconds: float) -> tuple[float, float]:
    box = page.locator("#graph").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)

    page.mouse.move(*centre)
    page.mouse.down()
    page.evaluate(FRAME_COUNTER)
    deadline = time.perf_counter() + seconds
    step = 0
    while time.perf_counter() < deadline:
        step += 1
        offset = 150 * ((step % 40) / 20 - 1)
        page.mouse.move(centre[0] + offset, centre[1] + offset / 2)
        page.wait_for_timeout(16)
    pan_fps = float(page.evaluate(FRAME_RESULT))
    page.mouse.up()

    page.mouse.move(*centre)
    page.evaluate(FRAME_COUNTER)
    deadline = time.perf_counter() + seconds
    step = 0
    while time.perf_counter() < deadline:
        step += 1
        page.mouse.wheel(0, -120 if (step // 15) % 2 == 0 else 120)
        page.wait_for_timeout(16)
    zoom_fps = float(page.evaluate(FRAME_RESULT))
    page.wait_for_timeout(300)
    return pan_fps, zoom_fps


def run(sizes: tuple[int, ...], *, chromium_args: list[str] = CHROMIUM_ARGS, seconds: float = 2.0,
        rounds: int = 3, focus_limit: int = FOCUS_LIMIT) -> list[Row]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args)
        try:
            for size in sizes:
                rows.append(measure(browser, news_graph(size), Path(folder), seconds=seconds, rounds=rounds,
                                    focus_limit=focus_limit))
        finally:
            browser.close()
    return rows


def table(rows: list[Row]) -> str:
    def fps(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    lines = [f"{'nodes':>7} {'edges':>7} {'render s':>9} {'html MB':>8} {'shown':>7} {'draw s':>7} {'pan fps':>8} "
             f"{'zoom fps':>9} {'all: pan fps':>13} {'zoom fps':>9}"]
    for row in rows:
        lines.append(f"{row.nodes:>7,} {row.edges:>7,} {row.render_s:>9.2f} {row.html_mb:>8.1f} {row.shown:>7,} "
                     f"{row.draw_s:>7.2f} {row.pan_fps:>8.1f} {row.zoom_fps:>9.1f} {fps(row.all_pan_fps):>13} "
                     f"{fps(row.all_zoom_fps):>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--chromium-arg", action="append", default=[],
                        help="an extra chromium flag, e.g. --use-angle=swiftshader")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one pan or zoom measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per figure (the median is shown)")
    args = parser.parse_args(argv)
    rows = run(tuple(args.sizes), chromium_args=CHROMIUM_ARGS + args.chromium_arg, seconds=args.seconds,
               rounds=args.rounds)
    print(table(rows))
    goal = next((row for row in rows if row.nodes == 5_000), None)
    if goal:
        verdict = goal.draw_s < 3 and min(goal.pan_fps, goal.zoom_fps) >= 30
        print(f"goal at 5,000 nodes (draw < 3 s, pan and zoom >= 30 fps): {'met' if verdict else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
