// The page script of kgraph's graph.html: draws the graph, the legend, the search box and
// the evidence panel from the JSON in #kg-data. Every element is built with createElement
// and textContent; no data is ever parsed as HTML.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const TOOLTIP_EVIDENCE = 3;
  const TOOLTIP_ITEMS = 6;

  // --- small DOM helpers ---------------------------------------------------------------------

  function el(tag, text, className) {
    const element = document.createElement(tag);
    if (text !== undefined && text !== null) element.textContent = String(text);
    if (className) element.className = className;
    return element;
  }

  // A name in its own <bdi>, so a right-to-left mark inside it cannot reorder the text around it.
  function nameEl(text) {
    return el("bdi", text);
  }

  // "Label: a, b, c" with each item isolated; at most `limit` items, then "and N more".
  function listLine(label, items, limit) {
    const line = el("p", label + ": ");
    items.slice(0, limit).forEach(function (item, index) {
      if (index > 0) line.append(", ");
      line.append(nameEl(item));
    });
    if (items.length > limit) line.append(" and " + (items.length - limit) + " more");
    return line;
  }

  function confidenceText(value) {
    return value === null || value === undefined ? "n/a" : value.toFixed(2);
  }

  function articleTitle(index) {
    const article = data.articles[index];
    return article.title || article.id;
  }

  function articleMeta(index) {
    const article = data.articles[index];
    return [article.date, article.source].filter(Boolean).join(" \u00b7 ");
  }

  function sentenceEl(segments, tag) {
    const element = el(tag);
    for (const [text, mark] of segments) {
      element.append(mark ? el("mark", text, mark) : document.createTextNode(text));
    }
    return element;
  }

  function edgeHeading(edge, tag) {
    const heading = el(tag);
    heading.append(nameEl(data.nodes[edge.from].name), " \u2014 ", nameEl(edge.fullLabel), " \u2192 ",
                   nameEl(data.nodes[edge.to].name));
    return heading;
  }

  function roleText(role) {
    const organization = role.organization === null ? "" : " at " + data.nodes[role.organization].name;
    return role.role + organization;
  }

  // --- tooltips (vis-network shows an Element title as is) -----------------------------------

  function nodeTooltip(node) {
    const box = el("div", null, "kg-tip");
    const name = el("strong");
    name.append(nameEl(node.name));
    box.append(name, el("p", node.type + " \u00b7 " + node.mentions + " mentions", "muted"));
    if (node.aliases.length) box.append(listLine("Also", node.aliases, TOOLTIP_ITEMS));
    if (node.roles.length) box.append(listLine("Roles", node.roles.map(roleText), TOOLTIP_ITEMS));
    if (node.articles.length) box.append(listLine("Articles", node.articles.map(articleTitle), TOOLTIP_ITEMS));
    return box;
  }

  function edgeTooltip(edge) {
    const box = el("div", null, "kg-tip");
    box.append(edgeHeading(edge, "strong"));
    for (const evidence of edge.evidence.slice(0, TOOLTIP_EVIDENCE)) {
      box.append(sentenceEl(evidence.segments, "p"));
      const meta = [articleTitle(evidence.article), articleMeta(evidence.article),
                    "confidence " + confidenceText(evidence.confidence)];
      box.append(el("p", meta.filter(Boolean).join(" \u00b7 "), "meta"));
    }
    const hidden = edge.evidence.length - TOOLTIP_EVIDENCE;
    if (hidden > 0) box.append(el("p", hidden + " more sentences: click the edge", "muted"));
    return box;
  }

  // --- the evidence panel --------------------------------------------------------------------

  const panel = document.getElementById("evidence");

  function showHint() {
    const hint = data.nodes.length ? "Click a node or an edge to see its evidence." : "The graph is empty.";
    panel.replaceChildren(el("h2", "Evidence"), el("p", hint, "muted"));
  }

  function section(title, items, render) {
    if (!items.length) return [];
    const list = el("ul");
    for (const item of items) {
      const entry = el("li");
      entry.append(render(item));
      list.append(entry);
    }
    return [el("h3", title), list];
  }

  function articleEl(index) {
    const block = el("div");
    block.append(el("strong", articleTitle(index)));
    const meta = articleMeta(index);
    if (meta) block.append(el("div", meta, "meta"));
    const url = data.articles[index].url;
    if (url) block.append(el("div", url, "meta"));
    return block;
  }

  function roleEl(role) {
    const line = el("span");
    line.append(nameEl(roleText(role)));
    if (role.articles.length) line.append(el("span", " (" + role.articles.map(articleTitle).join("; ") + ")", "meta"));
    return line;
  }

  function showNode(id) {
    const node = data.nodes[id];
    const heading = el("h2");
    heading.append(nameEl(node.name));
    panel.replaceChildren(
      heading,
      el("p", node.type + " \u00b7 " + node.mentions + " mentions", "muted"),
      ...section("Aliases", node.aliases, nameEl),
      ...section("Roles", node.roles, roleEl),
      ...section("Articles", node.articles, articleEl),
    );
  }

  function evidenceEl(evidence) {
    const block = el("div", null, "evidence-item");
    block.append(sentenceEl(evidence.segments, "blockquote"));
    block.append(el("div", articleTitle(evidence.article)));
    const meta = [articleMeta(evidence.article), "confidence " + confidenceText(evidence.confidence),
                  evidence.extractor];
    block.append(el("div", meta.filter(Boolean).join(" \u00b7 "), "meta"));
    return block;
  }

  function showEdge(id) {
    const edge = data.edges[id];
    const summary = edge.relation + " \u00b7 confidence " + confidenceText(edge.confidence) + " \u00b7 " +
                    edge.evidence.length + " sentence" + (edge.evidence.length === 1 ? "" : "s");
    panel.replaceChildren(edgeHeading(edge, "h2"), el("p", summary, "muted"));
    for (const evidence of edge.evidence) panel.append(evidenceEl(evidence));
  }

  // --- the network: vis DataViews over the data, so filters hide items without a redraw of the page ---

  // What keeps pan and zoom near 30 frames a second or more on a CPU-only canvas (measured with
  // bench/bench_html.py): no arrow heads above ARROWS_UP_TO visible edges (they cost a third of
  // each frame), no node borders above BORDERS_UP_TO visible nodes, nodes only while moving above
  // HIDE_EDGES_WHILE_MOVING edges, no hover tests while dragging (each one scans every edge),
  // and labels without an outline (strokeWidth 0; outlined text halves the frame rate of a zoom).
  const ARROWS_UP_TO = 1000;
  const BORDERS_UP_TO = 1000;
  const HIDE_EDGES_WHILE_MOVING = 3000;

  const nodeSet = new vis.DataSet(data.nodes.map(function (node) {
    return {id: node.id, label: node.label, x: node.x, y: node.y, size: node.size,
            color: node.color};
  }));
  const edgeSet = new vis.DataSet(data.edges.map(function (edge) {
    return {id: edge.id, from: edge.from, to: edge.to, label: edge.label, smooth: edge.smooth};
  }));

  // What the filters let through. `focus` is null when every entity may show, else the set of
  // entities a big graph opened on (its most connected) plus those the user expanded to.
  const filters = {
    types: new Set(data.legend.map(function (item) { return item.type; })),
    families: new Set(["role", "action", "static"]),
    minArticles: 1,
    focus: null,
  };

  function typeKey(node) {
    return node.type || "(no type)";
  }

  function nodePasses(id) {
    const node = data.nodes[id];
    return filters.types.has(typeKey(node)) && node.articles.length >= filters.minArticles &&
           (filters.focus === null || filters.focus.has(id));
  }

  function edgePasses(id) {
    const edge = data.edges[id];
    return filters.families.has(edge.family) && edge.articles.length >= filters.minArticles &&
           nodePasses(edge.from) && nodePasses(edge.to);
  }

  const degree = new Array(data.nodes.length).fill(0);
  const neighbours = data.nodes.map(function () { return []; });
  for (const edge of data.edges) {
    degree[edge.from]++;
    degree[edge.to]++;
    neighbours[edge.from].push(edge.to);
    neighbours[edge.to].push(edge.from);
  }
  if (data.nodes.length > data.focusLimit) {
    const ranked = data.nodes.map(function (node) { return node.id; }).sort(function (a, b) {
      return degree[b] - degree[a] || data.nodes[b].mentions - data.nodes[a].mentions || a - b;
    });
    filters.focus = new Set(ranked.slice(0, data.focusLimit));
  }

  const nodeView = new vis.DataView(nodeSet, {filter: function (item) { return nodePasses(item.id); }});
  const edgeView = new vis.DataView(edgeSet, {filter: function (item) { return edgePasses(item.id); }});

  const network = new vis.Network(document.getElementById("graph"), {nodes: nodeView, edges: edgeView}, {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    nodes: {shape: "dot", borderWidth: 1,
            font: {size: 14, color: "#222", strokeWidth: 0}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.6}}, smooth: false, width: 1, selectionWidth: 2,
            color: {color: "#9a9a9a", highlight: "#333333", hover: "#555555"},
            font: {size: 11, color: "#555", strokeWidth: 0}},
    interaction: {hover: true, tooltipDelay: 200, multiselect: false},
  });

  const drawing = {arrows: true, borders: true, edgesWhileMoving: true};

  function tuneForSize() {
    const arrows = edgeView.length <= ARROWS_UP_TO;
    const borders = nodeView.length <= BORDERS_UP_TO;
    const edgesWhileMoving = edgeView.length <= HIDE_EDGES_WHILE_MOVING;
    if (arrows !== drawing.arrows) network.setOptions({edges: {arrows: {to: {enabled: arrows}}}});
    if (borders !== drawing.borders) network.setOptions({nodes: {borderWidth: borders ? 1 : 0}});
    if (edgesWhileMoving !== drawing.edgesWhileMoving) {
      network.setOptions({interaction: {hideEdgesOnDrag: !edgesWhileMoving, hideEdgesOnZoom: !edgesWhileMoving}});
    }
    drawing.arrows = arrows;
    drawing.borders = borders;
    drawing.edgesWhileMoving = edgesWhileMoving;
  }

  tuneForSize();
  network.fit({animation: false});
  network.on("dragStart", function () { network.setOptions({interaction: {hover: false}}); });
  network.on("dragEnd", function () { network.setOptions({interaction: {hover: true}}); });

  // Tooltips are built when the pointer first rests on an item (vis shows them after
  // tooltipDelay), not for every item up front: that would cost seconds at 20,000 nodes.
  network.on("hoverNode", function (params) {
    if (!nodeSet.get(params.node).title) nodeSet.update({id: params.node, title: nodeTooltip(data.nodes[params.node])});
  });
  network.on("hoverEdge", function (params) {
    if (!edgeSet.get(params.edge).title) edgeSet.update({id: params.edge, title: edgeTooltip(data.edges[params.edge])});
  });

  // --- filters: the legend's check boxes (types), the fact families, the minimum of articles ---

  const filterStatus = document.getElementById("filter-status");
  const showAll = document.getElementById("show-all");

  function applyFilters() {
    nodeView.refresh();
    edgeView.refresh();
    tuneForSize();
    const hidden = data.nodes.length - nodeView.length;
    const notes = [];
    if (hidden > 0) {
      notes.push("Showing " + nodeView.length + " of " + data.nodes.length + " entities" +
                 (filters.focus === null ? "" : ", the most connected first"));
    }
    if (!drawing.arrows) notes.push("no arrow heads above " + ARROWS_UP_TO + " facts: click a fact for its direction");
    filterStatus.textContent = notes.join(" \u00b7 ");
    showAll.hidden = filters.focus === null;
  }

  function toggle(set, value, on) {
    if (on) set.add(value);
    else set.delete(value);
    applyFilters();
  }

  const familyBox = document.getElementById("filter-families");
  const familyCounts = {role: 0, action: 0, static: 0};
  for (const edge of data.edges) familyCounts[edge.family]++;
  for (const family of ["role", "action", "static"]) {
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.family = family;
    box.addEventListener("change", function () { toggle(filters.families, family, box.checked); });
    const label = el("label");
    label.append(box, " " + family + " (" + familyCounts[family] + ")");
    familyBox.append(label);
  }

  const minArticles = document.getElementById("min-articles");
  minArticles.max = String(Math.max(1, data.articles.length));
  minArticles.addEventListener("input", function () {
    const value = Math.floor(Number(minArticles.value));
    filters.minArticles = Number.isFinite(value) && value > 1 ? value : 1;
    applyFilters();
  });

  showAll.addEventListener("click", function () {
    filters.focus = null;
    applyFilters();
    network.fit({animation: false});
  });

  // Adds entities to a big graph's focus; does nothing when every entity may already show.
  function reveal(ids) {
    if (filters.focus === null) return;
    for (const id of ids) filters.focus.add(id);
    applyFilters();
  }

  function neighboursButton(id) {
    const hidden = neighbours[id].filter(function (other) { return !filters.focus.has(other); });
    const button = el("button", "Show its " + new Set(hidden).size + " hidden neighbours");
    button.type = "button";
    button.id = "show-neighbours";
    button.addEventListener("click", function () {
      reveal(hidden);
      button.remove();
    });
    return hidden.length ? [button] : [];
  }

  // --- selection -----------------------------------------------------------------------------

  function showNodeWithControls(id) {
    showNode(id);
    if (filters.focus !== null) panel.append(...neighboursButton(id));
  }

  function selectNode(id) {
    reveal([id]);
    showNodeWithControls(id);
    if (!nodeView.get(id)) {
      panel.append(el("p", "Hidden by the filters.", "muted"));
      network.unselectAll();
      return;
    }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1), animation: false});
  }

  function selectEdge(id) {
    showEdge(id);
    if (!edgeView.get(id)) {
      panel.append(el("p", "Hidden by the filters.", "muted"));
      network.unselectAll();
      return;
    }
    network.selectEdges([id]);
  }

  network.on("click", function (params) {
    if (params.nodes.length) showNodeWithControls(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else showHint();
  });
  network.once("afterDrawing", function () {
    document.body.dataset.readyAt = String(Math.round(performance.now()));
    document.body.dataset.ready = "true";
  });

  // --- search: exact name or alias first, then the most mentioned entity containing the text ---

  function fold(text) {
    return text.normalize("NFKC").toLowerCase().trim();
  }

  const byMentions = data.nodes.slice().sort(function (a, b) { return b.mentions - a.mentions || a.id - b.id; });
  const searchKeys = data.nodes.map(function (node) { return [node.name].concat(node.aliases).map(fold); });
  const exact = new Map();
  for (const node of byMentions) if (!exact.has(fold(node.name))) exact.set(fold(node.name), node.id);
  for (const node of byMentions) {
    for (const alias of node.aliases) if (!exact.has(fold(alias))) exact.set(fold(alias), node.id);
  }

  function findEntity(text) {
    const query = fold(text);
    if (!query) return null;
    if (exact.has(query)) return exact.get(query);
    const hit = byMentions.find(function (node) {
      return searchKeys[node.id].some(function (key) { return key.includes(query); });
    });
    return hit ? hit.id : null;
  }

  const search = document.getElementById("search");
  const searchStatus = document.getElementById("search-status");

  function searchNow() {
    const id = findEntity(search.value);
    searchStatus.textContent = id === null && fold(search.value) ? "No entity matches." : "";
    if (id !== null) selectNode(id);
  }

  search.addEventListener("input", function () {
    searchStatus.textContent = "";
    const id = exact.get(fold(search.value));
    if (id !== undefined) selectNode(id);
  });
  search.addEventListener("change", searchNow);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") searchNow();
  });

  // Suggestions for the search box: every name and alias once, listed when the box is first
  // used (tens of thousands of options would slow the first draw of a big graph).
  function listSuggestions() {
    const suggestions = new Set();
    for (const node of data.nodes) [node.name].concat(node.aliases).forEach(function (name) { suggestions.add(name); });
    const datalist = document.getElementById("kg-names");
    for (const name of Array.from(suggestions).sort()) {
      const option = document.createElement("option");
      option.value = name;
      datalist.append(option);
    }
  }

  search.addEventListener("focus", listSuggestions, {once: true});

  // --- legend --------------------------------------------------------------------------------

  const legend = document.getElementById("legend");
  for (const item of data.legend) {
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { toggle(filters.types, item.type, box.checked); });
    const swatch = el("span", null, "swatch");
    swatch.style.backgroundColor = item.color;
    const entry = el("li");
    const label = el("label");
    label.append(box, swatch, nameEl(item.type), " (" + item.count + ")");
    entry.append(label);
    legend.append(entry);
  }
  legend.append(el("li", "size = mentions \u00b7 click for evidence", "note"));

  applyFilters();
  showHint();
  // A handle for tests and for the browser console.
  window.kgraph = {network: network, selectNode: selectNode, selectEdge: selectEdge, findEntity: findEntity,
                   nodeView: nodeView, edgeView: edgeView};
})();
