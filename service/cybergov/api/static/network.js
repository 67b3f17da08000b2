/* cybergov: the network view. A small force-directed layout in SVG: nodes repel each
   other, links pull their ends together; a click (or Enter) adds a node's neighbours, a
   double-click (or O) opens its page. The table below the drawing holds the same links
   for readers without scripts. */
(function () {
  "use strict";
  var box = document.querySelector("[data-network]");
  if (!box) { return; }
  var NS = "http://www.w3.org/2000/svg";
  var MAX_NODES = 400;
  var status = box.querySelector(".network-status");
  var svg = document.createElementNS(NS, "svg");
  var edgeLayer = document.createElementNS(NS, "g");
  var nodeLayer = document.createElementNS(NS, "g");
  var nodes = [];
  var byIri = {};
  var edges = [];
  var edgeKeys = {};
  var width = 900;
  var height = 560;
  var heat = 1;
  var running = false;
  var dragged = null;

  svg.setAttribute("class", "network-canvas");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", "Network of linked resources");
  svg.setAttribute("aria-describedby", "network-help");
  svg.appendChild(edgeLayer);
  svg.appendChild(nodeLayer);
  box.insertBefore(svg, status);

  function say(text) { status.textContent = text; }

  function addNode(data, near, index, count) {
    if (byIri[data.iri]) { return byIri[data.iri]; }
    if (nodes.length >= MAX_NODES) { return null; }
    var angle = Math.PI * 2 * index / Math.max(count, 1);
    var radius = near ? 70 : 80 + 160 * (index % 3) / 2;
    var node = {
      iri: data.iri, label: data.label, kind: data.kind, url: data.url, network: data.network,
      x: (near ? near.x : width / 2) + Math.cos(angle) * radius,
      y: (near ? near.y : height / 2) + Math.sin(angle) * radius * 0.8,
      vx: 0, vy: 0, fixed: false, expanded: false
    };
    var group = document.createElementNS(NS, "g");
    var circle = document.createElementNS(NS, "circle");
    var text = document.createElementNS(NS, "text");
    circle.setAttribute("r", data.kind === "incident" || data.kind === "group" ? 9 : 7);
    circle.setAttribute("class", "n-" + data.kind);
    text.textContent = data.label.length > 34 ? data.label.slice(0, 33) + "…" : data.label;
    text.setAttribute("dx", 11);
    text.setAttribute("dy", 4);
    group.appendChild(circle);
    group.appendChild(text);
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
    group.setAttribute("aria-label", data.label + " (" + data.kind + "): Enter adds its neighbours, O opens its page");
    var title = document.createElementNS(NS, "title");
    title.textContent = data.label + " (" + data.kind + ")";
    group.appendChild(title);
    group.addEventListener("click", function () { if (!node.moved) { expand(node); } });
    group.addEventListener("dblclick", function () { open(node); });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); expand(node); }
      if (event.key === "o" || event.key === "O") { open(node); }
    });
    group.addEventListener("pointerdown", function (event) {
      dragged = node;
      node.moved = false;
      node.fixed = true;
      group.setPointerCapture(event.pointerId);
    });
    group.addEventListener("pointermove", function (event) {
      if (dragged !== node) { return; }
      var point = toSvg(event);
      node.x = point.x;
      node.y = point.y;
      node.moved = true;
      heat = Math.max(heat, 0.3);
      start();
    });
    group.addEventListener("pointerup", function () { dragged = null; });
    node.element = group;
    nodeLayer.appendChild(group);
    nodes.push(node);
    byIri[data.iri] = node;
    return node;
  }

  function addEdge(data) {
    var key = data.source + " " + data.property + " " + data.target;
    var source = byIri[data.source];
    var target = byIri[data.target];
    if (edgeKeys[key] || !source || !target) { return; }
    var line = document.createElementNS(NS, "line");
    var title = document.createElementNS(NS, "title");
    title.textContent = source.label + " — " + data.label + " — " + target.label;
    line.appendChild(title);
    edgeLayer.appendChild(line);
    edgeKeys[key] = true;
    edges.push({ source: source, target: target, element: line });
  }

  function toSvg(event) {
    var rect = svg.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * width / rect.width,
      y: (event.clientY - rect.top) * height / rect.height
    };
  }

  function open(node) {
    if (node.url) { window.location.href = node.url; }
  }

  function merge(body, near) {
    var left = 0;
    body.nodes.forEach(function (data, index) {
      if (!addNode(data, near, index, body.nodes.length)) { left += 1; }
    });
    body.edges.forEach(addEdge);
    box.setAttribute("data-nodes", String(nodes.length));
    heat = 1;
    start();
    return left + (body.leftOut || 0);
  }

  function load(url, near) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return response.json();
    }).then(function (body) { return merge(body, near); });
  }

  function expand(node) {
    if (node.expanded || !node.network) { return; }
    node.expanded = true;
    say("Adding the neighbours of " + node.label + "…");
    load(node.network + "?format=json&limit=20", node).then(function (left) {
      say("Added the neighbours of " + node.label + "; " + nodes.length + " nodes shown" +
        (left ? ", " + left + " more left out (open its page to see them all)" : "") + ".");
    }).catch(function (error) { say("The neighbours could not be read: " + error.message); });
  }

  function step() {
    var i, j, a, b, dx, dy, d2, force;
    for (i = 0; i < nodes.length; i += 1) {
      a = nodes[i];
      for (j = i + 1; j < nodes.length; j += 1) {
        b = nodes[j];
        dx = a.x - b.x; dy = a.y - b.y;
        d2 = dx * dx + dy * dy + 0.01;
        if (d2 > 40000) { continue; }
        force = 500 / d2;
        a.vx += dx * force; a.vy += dy * force;
        b.vx -= dx * force; b.vy -= dy * force;
      }
    }
    edges.forEach(function (edge) {
      dx = edge.target.x - edge.source.x; dy = edge.target.y - edge.source.y;
      var distance = Math.sqrt(dx * dx + dy * dy) || 1;
      force = (distance - 70) * 0.03;
      edge.source.vx += dx / distance * force; edge.source.vy += dy / distance * force;
      edge.target.vx -= dx / distance * force; edge.target.vy -= dy / distance * force;
    });
    nodes.forEach(function (node) {
      node.vx += (width / 2 - node.x) * 0.006;
      node.vy += (height / 2 - node.y) * 0.006;
      if (!node.fixed) {
        node.x += Math.max(-20, Math.min(20, node.vx * heat));
        node.y += Math.max(-20, Math.min(20, node.vy * heat));
      }
      node.x = Math.max(10, Math.min(width - 10, node.x));
      node.y = Math.max(10, Math.min(height - 10, node.y));
      node.vx *= 0.6; node.vy *= 0.6;
    });
    heat *= 0.985;
  }

  function draw() {
    edges.forEach(function (edge) {
      edge.element.setAttribute("x1", edge.source.x.toFixed(1));
      edge.element.setAttribute("y1", edge.source.y.toFixed(1));
      edge.element.setAttribute("x2", edge.target.x.toFixed(1));
      edge.element.setAttribute("y2", edge.target.y.toFixed(1));
    });
    nodes.forEach(function (node) {
      node.element.setAttribute("transform", "translate(" + node.x.toFixed(1) + "," + node.y.toFixed(1) + ")");
    });
  }

  function frame() {
    for (var k = 0; k < 3; k += 1) { step(); }
    draw();
    if (heat > 0.02 || dragged) {
      window.requestAnimationFrame(frame);
    } else {
      running = false;
      box.setAttribute("data-settled", "true");
    }
  }

  function start() {
    box.removeAttribute("data-settled");
    if (!running) { running = true; window.requestAnimationFrame(frame); }
  }

  load(box.getAttribute("data-network"), null).then(function (left) {
    var center = nodes[0];
    if (center) { center.fixed = true; center.x = width / 2; center.y = height / 2; center.expanded = true; }
    box.setAttribute("data-nodes", String(nodes.length));
    say(nodes.length + " nodes shown" + (left ? "; " + left + " more neighbours left out." : "."));
  }).catch(function (error) { say("The network could not be read: " + error.message); });
}());
