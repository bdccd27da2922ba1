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

  // --- the network ---------------------------------------------------------------------------

  const nodes = new vis.DataSet(data.nodes.map(function (node) {
    return {id: node.id, label: node.label, x: node.x, y: node.y, value: Math.max(node.mentions, 1),
            color: node.color, title: nodeTooltip(node)};
  }));
  const edges = new vis.DataSet(data.edges.map(function (edge) {
    return {id: edge.id, from: edge.from, to: edge.to, label: edge.label, smooth: edge.smooth,
            title: edgeTooltip(edge)};
  }));
  const network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    nodes: {shape: "dot", borderWidth: 1, scaling: {min: 8, max: 30},
            font: {size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.6}}, smooth: false, width: 1, selectionWidth: 2,
            color: {color: "#9a9a9a", highlight: "#333333", hover: "#555555"},
            font: {size: 11, color: "#444", strokeWidth: 3, strokeColor: "#ffffff"}},
    interaction: {hover: true, tooltipDelay: 200, multiselect: false, hideEdgesOnDrag: data.edges.length > 2000},
  });

  network.fit({animation: false});

  function selectNode(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1), animation: false});
    showNode(id);
  }

  function selectEdge(id) {
    network.selectEdges([id]);
    showEdge(id);
  }

  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else showHint();
  });
  network.once("afterDrawing", function () {
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

  // Suggestions for the search box: every name and alias once.
  const suggestions = new Set();
  for (const node of data.nodes) [node.name].concat(node.aliases).forEach(function (name) { suggestions.add(name); });
  const datalist = document.getElementById("kg-names");
  for (const name of Array.from(suggestions).sort()) {
    const option = document.createElement("option");
    option.value = name;
    datalist.append(option);
  }

  // --- legend --------------------------------------------------------------------------------

  const legend = document.getElementById("legend");
  for (const item of data.legend) {
    const entry = el("li");
    const swatch = el("span", null, "swatch");
    swatch.style.backgroundColor = item.color;
    entry.append(swatch, item.type + " (" + item.count + ")");
    legend.append(entry);
  }
  legend.append(el("li", "size = mentions \u00b7 click for evidence", "note"));

  showHint();
  // A handle for tests and for the browser console.
  window.kgraph = {network: network, selectNode: selectNode, selectEdge: selectEdge, findEntity: findEntity};
})();
