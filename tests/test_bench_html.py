"""The HTML benchmark runs end to end at a small size (its figures are printed by bench/bench_html.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if not Path("/usr/bin/chromium").exists():
    pytest.skip("/usr/bin/chromium is missing; install it with `apt-get install chromium`", allow_module_level=True)
sys.path.insert(0, str(REPO / "bench"))

import bench_html  # noqa: E402


def test_news_graph_has_the_schema_the_page_reads():
    graph = bench_html.news_graph(50)
    assert len(graph) == 50 and graph.number_of_edges() == 96
    _, attrs = next(iter(graph.nodes(data=True)))
    assert {"name", "type", "aliases", "mentions", "articles"} <= set(attrs)
    _, _, attrs = next(iter(graph.edges(data=True)))
    assert {"relation", "label", "articles", "confidence", "evidence"} <= set(attrs)


def test_benchmark_measures_a_small_graph_opened_on_its_focus():
    [row] = bench_html.run((60,), seconds=0.3, rounds=1, focus_limit=20)
    assert (row.nodes, row.shown) == (60, 20)
    assert row.draw_s > 0 and row.pan_fps > 0 and row.zoom_fps > 0
    assert row.all_pan_fps is not None and row.all_pan_fps > 0 and row.all_zoom_fps > 0
    assert "60" in bench_html.table([row]).splitlines()[1]
